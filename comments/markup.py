"""Comment text to safe HTML, done once when the comment is saved."""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "code", "pre", "blockquote"}
LINK_REL = "nofollow ugc noopener"

_md = (
    MarkdownIt("zero", {"html": False, "breaks": True, "linkify": True, "typographer": False})
    .enable(["emphasis", "link", "backticks", "blockquote", "fence", "code", "newline", "linkify"])
)


def render(text: str) -> str:
    """Render a reader's text: paragraphs, line breaks, links, emphasis, code and quotes.
    Raw HTML is shown as text; links get rel="nofollow ugc noopener"."""
    html = _md.render(text.strip())
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        link_rel=LINK_REL,
        url_schemes={"http", "https", "mailto"},
    ).strip()
