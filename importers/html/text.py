"""Text and addresses in post HTML: escaping, collapsing and cutting text, telling visible
text from markup, and reading image and embed addresses."""

import html as htmllib
import re
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .rules import ALLOWED_TAGS, OTHER_TAGS, PROVIDERS

_url_validator = URLValidator(schemes=["http", "https"])
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")
_SPACE = re.compile(r"\s+")


def children_with_tails(element) -> list:
    nodes: list = []
    for child in element:
        if isinstance(child.tag, str):
            nodes.append(child)
        if child.tail:
            nodes.append(child.tail)
    return nodes


def escaped_text(text: str, *, autop: bool) -> str:
    escaped = htmllib.escape(text, quote=False)
    if autop:
        # wpautop: a single line break in loose text is a line break on the page.
        lines = [_SPACE.sub(" ", line) for line in escaped.split("\n")]
        return "<br/>".join(line for line in lines).replace("<br/> ", "<br/>")
    return _SPACE.sub(" ", escaped)


def tidy(html: str) -> str:
    """Rich text without runs of spaces or line breaks at either end."""
    html = re.sub(r"[ \t\n]{2,}", " ", html).strip()
    html = re.sub(r"\s*<br/>\s*", "<br/>", html)
    return re.sub(r"^(?:<br/>)+|(?:<br/>)+$", "", html).strip()


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def plain(element) -> str:
    if element is None:
        return ""
    return collapse(element.text_content())


def visible(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>|&nbsp;|\s|\u00a0", "", html or ""))


def cut(text: str, limit: int) -> str:
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def valid_url(url: str) -> bool:
    if len(url) > 2000:
        return False
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


def file_name(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name or url


def provider_of(url: str) -> str:
    host = urlsplit(url).netloc.lower().split(":")[0]
    host = host[4:] if host.startswith("www.") else host
    for domain, name in PROVIDERS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return host


def link_of(element) -> str:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == "a":
            return parent.get("href", "")
        parent = parent.getparent()
    return ""


def only_link_around_media(node) -> bool:
    return node.tag == "a" and not collapse(node.text_content())


def original_upload_path(url: str) -> str:
    """The file under wp-content/uploads/ that an image URL shows, without the size
    suffix WordPress gives its resized copies ("photo-300x200.jpg" -> "photo.jpg")."""
    path = unquote(urlsplit(url).path)
    marker = "/uploads/"
    if marker not in path:
        return ""
    return path.split(marker, 1)[1]


def without_size_suffix(path: str) -> str:
    return _SIZE_SUFFIX.sub("", path)


_INLINE_NAMES = "em|strong|b|i|u|s|sup|sub|span|small|big|mark|code|abbr|del|ins|q|cite|font|br"
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
# Only the names of HTML elements make a tag: in "5 < 6 & 7 > 3" or "a <grin>" the
# brackets are words.
_TAG_NAMES = "|".join(sorted(ALLOWED_TAGS | OTHER_TAGS, key=len, reverse=True))
_TAG = re.compile(rf"<!--.*?-->|</?({_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE | re.DOTALL)


def plain_text(value: str) -> str:
    """Text of an excerpt, caption or name that may hold a little HTML and entities: the
    tags go (inline ones without leaving a space), their words stay, and so does
    anything else in angle brackets."""

    def replace(match: re.Match) -> str:
        name = (match.group(1) or "").lower()
        inline = name != "br" and re.fullmatch(_INLINE_NAMES, name)
        return "" if inline else " "

    return collapse(htmllib.unescape(_TAG.sub(replace, value or "")))


def title_text(value: str) -> str:
    """A post title as text: the formatting tags WordPress allows in titles go, their
    words stay; anything else that looks like a tag ("some <html> entities") is text."""
    return collapse(htmllib.unescape(_INLINE_TAG.sub("", value or "")))
