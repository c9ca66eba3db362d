"""Reading a WordPress export (WXR, any version): its namespaces, items and comments."""

import html as htmllib
import re
from dataclasses import dataclass, field

from . import xmlstream
from .html import title_text

# The namespaces a WordPress export declares (WXR 1.2), prefix and URI.
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": "http://wordpress.org/export/1.2/",
}
# Comment meta marking a comment deleted by its author but kept to hold its replies.
REMOVED_META = "masthead_removed"
# Post meta holding an article's own lead-image caption, where it differs from the
# caption of the image (the attachment's excerpt) that several articles share.
LEAD_CAPTION_META = "masthead_lead_image_caption"


def xmlns(separator: str = " ") -> str:
    """The namespace declarations of an export's <rss> element."""
    return separator.join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())


def wxr_prefix(uri: str) -> str:
    if "wordpress.org/export" in uri:
        return "excerpt" if "excerpt" in uri else "wp"
    if "purl.org/rss/1.0/modules/content" in uri:
        return "content"
    if "purl.org/dc/elements" in uri:
        return "dc"
    if "wellformedweb.org" in uri:
        return "wfw"
    return "ns"


def children(element) -> dict[str, list]:
    out: dict[str, list] = {}
    for child in element:
        out.setdefault(xmlstream.qualified(child, wxr_prefix), []).append(child)
    return out


def child_text(fields: dict, tag: str) -> str:
    elements = fields.get(tag)
    if not elements:
        return ""
    return (elements[0].text or "").strip()


def _meta(fields: dict, tag: str, key_tag: str, value_tag: str) -> dict[str, str]:
    meta = {}
    for entry in fields.get(tag, []):
        inner = children(entry)
        key = child_text(inner, key_tag)
        if key and key not in meta:
            meta[key] = (inner.get(value_tag, [None])[0].text or "") if inner.get(value_tag) else ""
    return meta


@dataclass
class WxrComment:
    id: str
    author: str
    email: str
    url: str
    ip: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: str
    meta: dict
    line: int
    user_id: str = ""


@dataclass
class WxrItem:
    title: str
    link: str
    guid: str
    pub_date: str
    creator: str
    content: str
    excerpt: str
    post_id: str
    post_date: str
    post_date_gmt: str
    comment_status: str
    post_name: str
    status: str
    post_type: str
    password: str
    attachment_url: str
    # (domain, nicename, name); the name unescaped, as WordPress stores it with entities
    categories: list[tuple[str, str, str]]
    meta: dict
    comments: list[WxrComment] = field(default_factory=list)
    line: int = 0
    is_sticky: bool = False

    @property
    def label(self) -> str:
        name = title_text(self.title) or self.post_name or "untitled"
        return f'{self.post_type or "item"} {self.post_id or "without id"} "{name}"'


def parse_item(element, line: int) -> WxrItem:
    f = children(element)
    comments = []
    for node in f.get("wp:comment", []):
        c = children(node)
        comments.append(
            WxrComment(
                id=child_text(c, "wp:comment_id"),
                author=child_text(c, "wp:comment_author"),
                email=child_text(c, "wp:comment_author_email"),
                url=child_text(c, "wp:comment_author_url"),
                ip=child_text(c, "wp:comment_author_IP"),
                date=child_text(c, "wp:comment_date"),
                date_gmt=child_text(c, "wp:comment_date_gmt"),
                content=(c["wp:comment_content"][0].text or "")
                if c.get("wp:comment_content")
                else "",
                approved=child_text(c, "wp:comment_approved").lower(),
                type=child_text(c, "wp:comment_type").lower(),
                parent=child_text(c, "wp:comment_parent"),
                meta=_meta(c, "wp:commentmeta", "wp:meta_key", "wp:meta_value"),
                line=node.sourceline or line,
                user_id=child_text(c, "wp:comment_user_id"),
            )
        )
    categories = [
        (
            node.get("domain", ""),
            node.get("nicename", ""),
            " ".join(htmllib.unescape(node.text or "").split()),
        )
        for node in f.get("category", [])
    ]
    content = f.get("content:encoded")
    return WxrItem(
        title=child_text(f, "title"),
        link=child_text(f, "link"),
        guid=child_text(f, "guid"),
        pub_date=child_text(f, "pubDate"),
        creator=child_text(f, "dc:creator"),
        content=(content[0].text or "") if content else "",
        excerpt=child_text(f, "excerpt:encoded"),
        post_id=child_text(f, "wp:post_id"),
        post_date=child_text(f, "wp:post_date"),
        post_date_gmt=child_text(f, "wp:post_date_gmt"),
        comment_status=child_text(f, "wp:comment_status").lower(),
        post_name=child_text(f, "wp:post_name"),
        status=child_text(f, "wp:status").lower(),
        post_type=child_text(f, "wp:post_type").lower() or "post",
        password=child_text(f, "wp:post_password"),
        attachment_url=child_text(f, "wp:attachment_url"),
        categories=categories,
        meta=_meta(f, "wp:postmeta", "wp:meta_key", "wp:meta_value"),
        comments=comments,
        line=line,
        is_sticky=child_text(f, "wp:is_sticky") == "1",
    )


def damaged_label(tag: str, raw: str) -> str:
    """A damaged record's name, read from its raw text as far as it goes."""
    found = []
    for pattern in (
        r"<wp:post_id>\s*(?:<!\[CDATA\[)?\s*(\d+)",
        r"<title>(?:<!\[CDATA\[)?([^<\]]*)",
        r"<wp:author_login>(?:<!\[CDATA\[)?([^<\]]*)",
        r"<wp:category_nicename>(?:<!\[CDATA\[)?([^<\]]*)",
    ):
        match = re.search(pattern, raw)
        if match and match.group(1).strip():
            found.append(match.group(1).strip()[:80])
    comments = raw.count("<wp:comment>")
    label = " ".join(f'"{v}"' if not v.isdigit() else v for v in found)
    if comments:
        label += f" with {comments} comment{'s' if comments != 1 else ''}"
    return label.strip()
