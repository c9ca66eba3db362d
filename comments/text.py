"""What characters a comment's name and text may hold.

Refused, with a field error: control characters (U+0000-U+001F but tab, line feed and
carriage return; U+007F-U+009F), which XML cannot carry and which break the feeds;
noncharacters (U+FDD0-U+FDEF, U+xFFFE and U+xFFFF), which no XML parser accepts; and the
explicit direction controls (U+202A-U+202E, U+2066-U+2069), which make text read in another
order than it is written. A name and a text must also hold something visible: zero-width
characters, fillers and spaces alone are no name. Text that is not valid Unicode (lone
surrogates, which a JSON body can carry) is read as the form reads it: each becomes U+FFFD.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NONCHARACTER = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
    + "]"
)
DIRECTION = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
# Characters that take no room and show nothing, beyond what Unicode calls format (Cf)
# and separators (Z*): the Hangul fillers, the braille blank and the combining grapheme
# joiner.
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Cn"})


def as_unicode(value: str) -> str:
    """`value` with lone surrogates replaced by U+FFFD (surrogate pairs written as two
    escapes in JSON become the one character they stand for)."""
    if not SURROGATE.search(value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def is_visible(value: str) -> bool:
    """Whether `value` shows anything: a character that is not a space, a format
    character (zero-width space, joiners, marks), a control or a filler."""
    return any(
        unicodedata.category(c) not in INVISIBLE and not c.isspace() and c not in BLANK
        for c in value
    )


def problems(**values) -> dict[str, list[str]]:
    """Field errors for the characters a name or a text may not hold."""
    errors = {}
    for field, value in values.items():
        if not value:
            continue
        if CONTROL.search(value) or NONCHARACTER.search(value):
            errors[field] = [_("Please remove the invisible control characters from this field.")]
        elif DIRECTION.search(value):
            errors[field] = [
                _("Please remove the characters that change the direction of the text.")
            ]
        elif not is_visible(value):
            errors[field] = [_("Please type some visible characters.")]
    return errors


_XML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_NONCHARACTER = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: str) -> str:
    """`value` without what XML 1.0 cannot carry (for text stored before these rules, or
    imported): control characters are dropped; surrogates, U+FFFE and U+FFFF become
    U+FFFD."""
    return _XML_NONCHARACTER.sub("\ufffd", _XML_CONTROL.sub("", value))
