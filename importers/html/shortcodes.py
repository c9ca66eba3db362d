"""WordPress shortcodes in post HTML: the ones that carry content ([caption], [embed],
[gallery], [video], [audio]...) become HTML the converter reads; the rest are dropped,
keeping the text they wrap."""

import html as htmllib
import re

_SHORTCODE = re.compile(r"\[(\[?)(/?)([a-zA-Z_][\w-]*)((?:\s[^\]]*)?)\](\]?)")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


def expand(content: str, notes: list[str]) -> str:
    """`content` with the shortcodes that carry content rewritten into HTML and the rest
    dropped, keeping the text they wrap; what was dropped is added to `notes`."""
    content = re.sub(
        r"\[caption([^\]]*)\](.*?)\[/caption\]",
        _caption,
        content,
        flags=re.DOTALL | re.IGNORECASE,
    )
    content = re.sub(
        r"\[embed[^\]]*\](.*?)\[/embed\]",
        lambda m: embed_figure(m.group(1).strip()),
        content,
        flags=re.DOTALL | re.IGNORECASE,
    )

    def replace(match: re.Match) -> str:
        if match.group(1) and match.group(5):  # [[escaped]] shortcode
            return match.group(0)[1:-1]
        closing, name, attrs = match.group(2), match.group(3).lower(), match.group(4)
        values = _attributes(attrs)
        if closing:
            return "" if _looks_like_shortcode(name, attrs, closing=True) else match.group(0)
        if name == "gallery":
            ids = [i.strip() for i in values.get("ids", "").split(",") if i.strip()]
            return f'<figure data-ids="{",".join(ids)}" class="x-gallery"></figure>'
        if name in ("video", "audio", "youtube", "vimeo"):
            url = next(
                (
                    values[k]
                    for k in ("src", "mp4", "mp3", "m4v", "webm", "ogg", "url")
                    if values.get(k)
                ),
                values.get("_positional", ""),
            )
            return embed_figure(url) if url else ""
        if _looks_like_shortcode(name, attrs, closing=False):
            notes.append(f"shortcode [{name}] removed")
            return ""
        return match.group(0)

    return _SHORTCODE.sub(replace, content)


def _caption(match: re.Match) -> str:
    values = _attributes(match.group(1))
    inner = match.group(2)
    # The caption is the text after the image (or the old caption="" attribute).
    text = re.sub(r"^\s*(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", "", inner, flags=re.I)
    caption = values.get("caption") or text
    media = inner[: len(inner) - len(text)] if text != inner else inner
    return f"<figure>{media}<figcaption>{caption}</figcaption></figure>"


def embed_figure(url: str) -> str:
    return f'<figure class="x-embed" data-url="{htmllib.escape(url)}"></figure>'


def _attributes(text: str) -> dict[str, str]:
    values = {}
    for match in _ATTR.finditer(text or ""):
        values[match.group(1).lower()] = next(g for g in match.groups()[1:] if g is not None)
    rest = _ATTR.sub("", text or "").strip()
    if rest:
        values["_positional"] = rest.split()[0].lstrip("=")
    return values


def _looks_like_shortcode(name: str, attrs: str, *, closing: bool) -> bool:
    """Whether [name ...] is a shortcode to drop rather than bracketed text ([sic])."""
    known = {
        "gallery",
        "playlist",
        "audio",
        "video",
        "embed",
        "caption",
        "wp_caption",
        "contact-form",
        "contact-form-7",
        "googlemaps",
        "soundcloud",
        "youtube",
        "vimeo",
        "slideshow",
        "recipe",
        "polldaddy",
        "twitter",
        "instagram",
        "code",
        "sourcecode",
        "column",
        "one_half",
        "one_third",
        "one_half_last",
        "one_third_last",
        "button",
        "et_pb_section",
        "et_pb_row",
        "et_pb_column",
        "et_pb_text",
        "vc_row",
        "vc_column",
        "vc_column_text",
        "su_note",
        "fusion_builder_container",
    }
    return name in known or "=" in (attrs or "") or name.startswith(("et_pb_", "vc_", "su_"))
