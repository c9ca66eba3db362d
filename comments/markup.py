"""Comment text to safe HTML, done once when the comment is saved."""

import re
from html import unescape
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "code", "pre", "blockquote"}
LINK_REL = "nofollow ugc noopener"

_md = MarkdownIt(
    "zero", {"html": False, "breaks": True, "linkify": True, "typographer": False}
).enable(["emphasis", "link", "backticks", "blockquote", "fence", "code", "newline", "linkify"])


def render(text: str) -> str:
    """Render a reader's text: paragraphs, line breaks, links, emphasis, code and quotes.
    Raw HTML is shown as text; links get rel="nofollow ugc noopener"."""
    return sanitise(_md.render(text.strip()))


def sanitise(html: str) -> str:
    """Only the comment subset of HTML, with safe links."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        link_rel=LINK_REL,
        url_schemes={"http", "https", "mailto"},
    ).strip()


_BLOCK_TAG = re.compile(r"<(?:p|blockquote|pre|ul|ol|div)[\s>]", re.IGNORECASE)
_BOLD = re.compile(r"<(/?)b(?=[\s>])", re.IGNORECASE)
_ITALIC = re.compile(r"<(/?)i(?=[\s>])", re.IGNORECASE)
_BREAKS = re.compile(r"<br\s*/?>|</p>|</blockquote>|</pre>", re.IGNORECASE)


def clean_html(html: str) -> str:
    """Safe HTML of a comment written elsewhere (WordPress, Disqus), kept in the same
    small subset as a reader's comment here. Plain text with blank lines between
    paragraphs, as WordPress stores it, becomes paragraphs and line breaks."""
    html = (html or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not _BLOCK_TAG.search(html):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html) if p.strip()]
        html = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)
    return sanitise(_ITALIC.sub(r"<\1em", _BOLD.sub(r"<\1strong", html)))


def html_to_text(html: str) -> str:
    """The text of safe comment HTML: paragraphs separated by blank lines."""
    text = _BREAKS.sub(lambda m: "\n" if m.group(0).lower().startswith("<br") else "\n\n", html)
    text = unescape(nh3.clean(text, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs, self.text, self._in_link = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._in_link += 1
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())
        elif tag in ("br", "p", "blockquote", "pre"):
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_link = max(self._in_link - 1, 0)
        elif tag in ("p", "blockquote", "pre"):
            self.text.append("\n")

    def handle_data(self, data):
        self.text.append(data if not self._in_link else " ")


def read_back(html: str) -> tuple[list[str], str]:
    """What a reader gets from safe comment HTML: the target of every link (entities
    decoded, as a browser follows it) and the visible text outside links."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.hrefs, "".join(reader.text)
