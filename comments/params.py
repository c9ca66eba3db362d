"""Numbers in what a browser sends: query parameters, form fields, cookies."""


def whole_number(value, *, digits: int = 18) -> int | None:
    """`value` as a non-negative whole number when it is written in ASCII digits (at most
    `digits` of them), else None. str.isdigit() also takes "²" and "٣", which int()
    refuses or reads as another number."""
    text = str(value if value is not None else "")
    if text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None
