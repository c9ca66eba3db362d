"""A WordPress post's HTML to the blocks of an article body.

WordPress stores a post as HTML with its own habits: classic posts leave paragraphs as
blank lines for `wpautop`, block-editor posts wrap everything in <figure> and <div>,
and both use shortcodes ([caption], [embed], [gallery]...). The HTML is sanitised with
nh3 first, then walked: paragraphs, lists and their links and emphasis become paragraph
blocks; headings, quotes, images and embeds become their own blocks. Images become image
blocks when a file can be had (see `images`), otherwise links to where they were.
"""

import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from lxml import html as lxml_html

ALLOWED_TAGS = {
    "p",
    "br",
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "del",
    "ins",
    "sup",
    "sub",
    "small",
    "span",
    "code",
    "kbd",
    "mark",
    "abbr",
    "cite",
    "q",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "img",
    "iframe",
    "video",
    "audio",
    "source",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "main",
    "center",
    "hr",
    "address",
    "font",
    "big",
    "tt",
    "var",
    "time",
    "strike",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "data-id"},
    "iframe": {"src", "title"},
    "video": {"src"},
    "audio": {"src"},
    "source": {"src"},
    "blockquote": {"cite"},
    "figure": {"data-url", "data-ids", "data-provider", "data-title"},
}
URL_SCHEMES = {"http", "https", "mailto"}

BLOCK_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "dl",
    "blockquote",
    "pre",
    "figure",
    "table",
    "div",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "main",
    "center",
    "hr",
    "address",
    "iframe",
    "video",
    "audio",
}
CONTAINERS = {"div", "section", "article", "aside", "header", "footer", "main", "center"}
INLINE_MAP = {"b": "b", "strong": "b", "i": "i", "em": "i"}
MEDIA_TAGS = {"img", "iframe", "video", "audio"}

PROVIDERS = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "vimeo.com": "Vimeo",
    "twitter.com": "X (Twitter)",
    "x.com": "X (Twitter)",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "soundcloud.com": "SoundCloud",
    "spotify.com": "Spotify",
    "flickr.com": "Flickr",
    "wordpress.tv": "WordPress.tv",
    "tiktok.com": "TikTok",
    "dailymotion.com": "Dailymotion",
    "ted.com": "TED",
    "slideshare.net": "SlideShare",
    "reddit.com": "Reddit",
    "tumblr.com": "Tumblr",
    "imgur.com": "Imgur",
    "mixcloud.com": "Mixcloud",
    "scribd.com": "Scribd",
    "videopress.com": "VideoPress",
}
EMBED_CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed", "wp-embedded-content")

_url_validator = URLValidator(schemes=["http", "https"])
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")
_SHORTCODE = re.compile(r"\[(\[?)(/?)([a-zA-Z_][\w-]*)((?:\s[^\]]*)?)\](\]?)")
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_BARE_URL = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$")
_SPACE = re.compile(r"\s+")


@dataclass
class ImageRef:
    """An image the post shows: where it was, its words, and the WordPress attachment id
    when the markup gives one."""

    url: str
    alt: str = ""
    caption: str = ""
    attachment_id: str = ""
    link: str = ""
    credit: str = ""


@dataclass
class Converter:
    """Turns post HTML into blocks. `image_for(ref)` returns a Wagtail image for an
    image reference, or None to keep it as a link; `gallery(ids)` the references of a
    [gallery] shortcode's attachments. Notes of what could not be kept go to `notes`."""

    base_url: str = ""
    image_for: Callable[[ImageRef], object] = lambda ref: None
    gallery: Callable[[list[str]], list[ImageRef]] = lambda ids: []
    notes: list[str] = field(default_factory=list)

    def convert(self, content: str) -> list[tuple[str, object]]:
        content = (content or "").replace("\r\n", "\n").replace("\r", "\n")
        if not content.strip():
            return []
        content = self._shortcodes(content)
        clean = nh3.clean(
            content,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel=None,
            strip_comments=True,
        )
        root = lxml_html.fragment_fromstring(clean, create_parent="div")
        self.blocks: list[tuple[str, object]] = []
        self._container(root)
        return self.blocks

    # Shortcodes -------------------------------------------------------------------------

    def _shortcodes(self, content: str) -> str:
        """Rewrite the shortcodes that carry content into HTML; drop the rest, keeping
        the text they wrap."""
        content = re.sub(
            r"\[caption([^\]]*)\](.*?)\[/caption\]",
            self._caption,
            content,
            flags=re.DOTALL | re.IGNORECASE,
        )
        content = re.sub(
            r"\[embed[^\]]*\](.*?)\[/embed\]",
            lambda m: self._embed_figure(m.group(1).strip()),
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
                return self._embed_figure(url) if url else ""
            if _looks_like_shortcode(name, attrs, closing=False):
                self.notes.append(f"shortcode [{name}] removed")
                return ""
            return match.group(0)

        return _SHORTCODE.sub(replace, content)

    def _caption(self, match: re.Match) -> str:
        values = _attributes(match.group(1))
        inner = match.group(2)
        # The caption is the text after the image (or the old caption="" attribute).
        text = re.sub(r"^\s*(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", "", inner, flags=re.I)
        caption = values.get("caption") or text
        media = inner[: len(inner) - len(text)] if text != inner else inner
        return f"<figure>{media}<figcaption>{caption}</figcaption></figure>"

    def _embed_figure(self, url: str) -> str:
        return f'<figure class="x-embed" data-url="{htmllib.escape(url)}"></figure>'

    # Walking the tree -------------------------------------------------------------------

    def _container(self, element) -> None:
        """Children of a block container: runs of text and inline elements become
        paragraphs (split at blank lines, as wpautop does), block elements blocks."""
        run: list = []
        if element.text:
            run.append(element.text)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag is None:
                if child.tail:
                    run.append(child.tail)
                continue
            if tag in BLOCK_TAGS or tag in MEDIA_TAGS and tag != "img":
                self._flush(run)
                run = []
                self._block(child)
                if child.tail and child.tail.strip():
                    run.append(child.tail)
            else:
                run.append(child)
                if child.tail:
                    run.append(child.tail)
        self._flush(run)

    def _flush(self, run: list) -> None:
        """Turn a run of loose text and inline elements into paragraphs."""
        if not run:
            return
        paragraph: list = []
        for piece in run:
            if isinstance(piece, str):
                parts = re.split(r"\n[ \t]*\n", piece)
                for i, part in enumerate(parts):
                    if i:
                        self._paragraph(paragraph, autop=True)
                        paragraph = []
                    if part:
                        paragraph.append(part)
            else:
                paragraph.append(piece)
        self._paragraph(paragraph, autop=True)

    def _paragraph(self, nodes: list, *, autop: bool) -> None:
        """One paragraph from text and inline elements; images inside it split it."""
        pieces: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                pieces.append(_text(node, autop=autop))
                continue
            media = [node] if node.tag in MEDIA_TAGS else list(node.iter(*MEDIA_TAGS))
            if media:
                before = self._inline(node, autop=autop, skip_media=True)
                if before.strip() and not _only_link_around_media(node):
                    pieces.append(before)
                self._emit_paragraph(pieces)
                pieces = []
                for item in media:
                    self._media(item, link=_link_of(item))
                continue
            pieces.append(self._inline(node, autop=autop))
        self._emit_paragraph(pieces)

    def _emit_paragraph(self, pieces: list[str]) -> None:
        inner = _tidy("".join(pieces))
        if not _visible(inner):
            return
        bare = _BARE_URL.match(htmllib.unescape(re.sub(r"<[^>]+>", "", inner)))
        if bare and ("<a " not in inner or inner.startswith("<a ")) and len(inner) < 2000:
            if self._embed(bare.group(1)):
                return
        self.blocks.append(("paragraph", f"<p>{inner}</p>"))

    def _inline(self, node, *, autop: bool, skip_media: bool = False) -> str:
        """Rich text of an inline element and what is inside it."""
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None or tag in MEDIA_TAGS:
            return ""
        if tag == "br":
            return "<br/>"
        inner = _text(node.text or "", autop=autop)
        for child in node:
            inner += self._inline(child, autop=autop, skip_media=skip_media)
            if child.tail:
                inner += _text(child.tail, autop=autop)
        if tag == "a":
            href = self._url(node.get("href", ""))
            if href and _visible(inner):
                return f'<a href="{htmllib.escape(href)}">{inner}</a>'
            return inner
        if tag in INLINE_MAP and _visible(inner):
            mark = INLINE_MAP[tag]
            return f"<{mark}>{inner}</{mark}>"
        return inner

    def _block(self, element) -> None:
        tag = element.tag
        classes = set((element.get("class") or "").split())
        if tag == "p":
            self._paragraph([element.text or "", *_children_with_tails(element)], autop=False)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _plain(element)
            if text:
                self.blocks.append(("heading", _cut(text, 200)))
            for media in element.iter(*MEDIA_TAGS):
                self._media(media, link=_link_of(media))
        elif tag in ("ul", "ol"):
            self._list(element)
        elif tag == "dl":
            for item in element:
                if isinstance(item.tag, str) and item.tag in ("dt", "dd"):
                    self._paragraph([item.text or "", *_children_with_tails(item)], autop=False)
        elif tag == "blockquote":
            self._quote(element, classes)
        elif tag == "pre":
            text = element.text_content().strip("\n")
            if text.strip():
                # Rich text keeps no run of spaces: the lines stay, the alignment goes.
                lines = [htmllib.escape(_collapse(line), quote=False) for line in text.split("\n")]
                self.blocks.append(("paragraph", "<p>" + "<br/>".join(lines) + "</p>"))
        elif tag == "figure":
            self._figure(element, classes)
        elif tag == "table":
            self._table(element)
        elif tag in ("iframe", "video", "audio"):
            self._media(element)
        elif tag == "hr":
            return
        elif tag in CONTAINERS or tag == "address":
            if classes & {"wp-block-embed__wrapper"}:
                self._embed(_plain(element))
                return
            self._container(element)
        else:
            self._container(element)

    def _list(self, element) -> None:
        html = self._list_html(element)
        if html:
            self.blocks.append(("paragraph", html))
        for media in element.iter(*MEDIA_TAGS):
            self._media(media, link=_link_of(media))

    def _list_html(self, element) -> str:
        items = []
        for item in element:
            if not isinstance(item.tag, str) or item.tag != "li":
                continue
            inner = _text(item.text or "", autop=False)
            nested = ""
            for child in item:
                if isinstance(child.tag, str) and child.tag in ("ul", "ol"):
                    nested += self._list_html(child)
                elif isinstance(child.tag, str) and child.tag in BLOCK_TAGS:
                    inner += " " + self._inline_all(child)
                else:
                    inner += self._inline(child, autop=False)
                if child.tail:
                    inner += _text(child.tail, autop=False)
            inner = _collapse(inner)
            if _visible(inner) or nested:
                items.append(f"<li>{inner}{nested}</li>")
        if not items:
            return ""
        return f"<{element.tag}>{''.join(items)}</{element.tag}>"

    def _inline_all(self, element) -> str:
        inner = _text(element.text or "", autop=False)
        for child in element:
            inner += self._inline(child, autop=False)
            if child.tail:
                inner += _text(child.tail, autop=False)
        return inner

    def _quote(self, element, classes) -> None:
        if classes & set(EMBED_CLASSES):
            links = [a.get("href") for a in element.iter("a") if a.get("href")]
            url = element.get("cite") or (links[-1] if links else "")
            if url and self._embed(url, title=_cut(_plain(element), 200)):
                return
        attribution = ""
        for cite in list(element.iter("cite", "footer")):
            attribution = attribution or _plain(cite)
            cite.drop_tree()
        paragraphs = [_plain(p) for p in element if isinstance(p.tag, str)]
        paragraphs = [p for p in paragraphs if p]
        own = _collapse(element.text or "")
        if own:
            paragraphs.insert(0, own)
        if not paragraphs:
            paragraphs = [_plain(element)] if _plain(element) else []
        if paragraphs and not attribution:
            match = re.match(r"^\s*(?:—|–|--|-)\s*(\S.{0,199})$", paragraphs[-1])
            if match and len(paragraphs) > 1:
                attribution = match.group(1)
                paragraphs = paragraphs[:-1]
        if paragraphs:
            value = {"quote": "\n\n".join(paragraphs), "attribution": _cut(attribution, 200)}
            self.blocks.append(("quote", value))

    def _figure(self, element, classes) -> None:
        caption_el = element.find(".//figcaption")
        credit = ""
        if caption_el is not None:
            for span in caption_el.iter("span"):
                if "credit" in (span.get("class") or "").split():
                    credit = _plain(span)
                    span.drop_tree()
                    break
        caption = _plain(caption_el) if caption_el is not None else ""
        if caption_el is not None:
            caption_el.drop_tree()
        if "x-gallery" in classes:
            ids = [i for i in (element.get("data-ids") or "").split(",") if i]
            for ref in self.gallery(ids):
                self._image(ref)
            return
        if "x-embed" in classes or "wp-block-embed" in classes:
            url = element.get("data-url") or _plain(element)
            provider = element.get("data-provider") or ""
            if self._embed(url.strip(), title=caption, provider=provider):
                return
        quote = element.find(".//blockquote")
        if quote is not None:
            self._quote(quote, set((quote.get("class") or "").split()))
            return
        table = element.find(".//table")
        if table is not None:
            self._table(table)
            return
        media = list(element.iter(*MEDIA_TAGS))
        if media:
            for item in media:
                self._media(item, caption=caption, link=_link_of(item), credit=credit)
            return
        self._container(element)
        if caption:
            self.blocks.append(("paragraph", f"<p>{htmllib.escape(caption)}</p>"))

    def _table(self, element) -> None:
        rows = []
        for row in element.iter("tr"):
            cells = [_tidy(self._inline_all(c)) for c in row if c.tag in ("td", "th")]
            cells = [c for c in cells if _visible(c)]
            if cells:
                rows.append(" | ".join(cells))
        caption = element.find("caption")
        if caption is not None and _plain(caption):
            rows.insert(0, f"<b>{htmllib.escape(_plain(caption))}</b>")
        if rows:
            self.blocks.append(("paragraph", "<p>" + "<br/>".join(rows) + "</p>"))

    def _media(self, element, *, caption: str = "", link: str = "", credit: str = "") -> None:
        tag = element.tag
        if tag == "img":
            src = self._url(element.get("src", ""))
            if not src:
                return
            attachment = ""
            for cls in (element.get("class") or "").split():
                if cls.startswith("wp-image-"):
                    attachment = cls[len("wp-image-") :]
            attachment = attachment or element.get("data-id", "")
            self._image(
                ImageRef(
                    url=src,
                    alt=_collapse(element.get("alt", "")),
                    caption=caption,
                    attachment_id=attachment,
                    link=link,
                    credit=credit,
                )
            )
            return
        src = element.get("src", "")
        if not src:
            source = element.find(".//source")
            src = source.get("src", "") if source is not None else ""
        src = self._url(src)
        if src:
            self._embed(src, title=caption or element.get("title", ""))

    def _image(self, ref: ImageRef) -> None:
        image = self.image_for(ref)
        if image is not None:
            self.blocks.append(
                (
                    "image",
                    {
                        "image": image,
                        "alt_text": _cut(ref.alt, 250),
                        "caption": _cut(ref.caption, 300),
                        "credit": _cut(ref.credit, 120),
                    },
                )
            )
            return
        title = ref.caption or ref.alt or _filename(ref.url)
        self._embed(ref.url, title=title, provider="Image")

    def _embed(self, url: str, *, title: str = "", provider: str = "") -> bool:
        url = self._url(url)
        if not url or not _valid_url(url):
            return False
        provider = provider or _provider(url)
        title = _collapse(title) or provider or urlsplit(url).netloc
        self.blocks.append(
            ("embed", {"url": url, "title": _cut(title, 200), "provider": _cut(provider, 80)})
        )
        return True

    def _url(self, url: str) -> str:
        url = (url or "").strip()
        if not url:
            return ""
        if url.startswith("//"):
            url = "https:" + url
        if self.base_url and not re.match(r"^[a-zA-Z][\w+.-]*:", url):
            url = urljoin(self.base_url.rstrip("/") + "/", url)
        scheme = urlsplit(url).scheme.lower()
        return url if scheme in URL_SCHEMES else ""


# Helpers ------------------------------------------------------------------------------------


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


def _children_with_tails(element) -> list:
    nodes: list = []
    for child in element:
        if isinstance(child.tag, str):
            nodes.append(child)
        if child.tail:
            nodes.append(child.tail)
    return nodes


def _text(text: str, *, autop: bool) -> str:
    escaped = htmllib.escape(text, quote=False)
    if autop:
        # wpautop: a single line break in loose text is a line break on the page.
        lines = [_SPACE.sub(" ", line) for line in escaped.split("\n")]
        return "<br/>".join(line for line in lines).replace("<br/> ", "<br/>")
    return _SPACE.sub(" ", escaped)


def _tidy(html: str) -> str:
    """Rich text without runs of spaces or line breaks at either end."""
    html = re.sub(r"[ \t\n]{2,}", " ", html).strip()
    html = re.sub(r"\s*<br/>\s*", "<br/>", html)
    return re.sub(r"^(?:<br/>)+|(?:<br/>)+$", "", html).strip()


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _plain(element) -> str:
    if element is None:
        return ""
    return _collapse(element.text_content())


def _visible(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>|&nbsp;|\s|\u00a0", "", html or ""))


def _cut(text: str, limit: int) -> str:
    text = _collapse(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _valid_url(url: str) -> bool:
    if len(url) > 2000:
        return False
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


def _filename(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name or url


def _provider(url: str) -> str:
    host = urlsplit(url).netloc.lower().split(":")[0]
    host = host[4:] if host.startswith("www.") else host
    for domain, name in PROVIDERS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return host


def _link_of(element) -> str:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == "a":
            return parent.get("href", "")
        parent = parent.getparent()
    return ""


def _only_link_around_media(node) -> bool:
    return node.tag == "a" and not _collapse(node.text_content())


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


def plain_text(value: str) -> str:
    """Text of a title or excerpt that may hold a little HTML and entities."""
    value = re.sub(r"<[^>]+>", " ", value or "")
    return _collapse(htmllib.unescape(value))


_INLINE_TAG = re.compile(
    r"</?(?:em|strong|b|i|u|s|sup|sub|span|small|big|mark|code|abbr|del|ins|q|cite|font|br)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def title_text(value: str) -> str:
    """A post title as text: the formatting tags WordPress allows in titles go, their
    words stay; anything else that looks like a tag ("some <html> entities") is text."""
    return _collapse(htmllib.unescape(_INLINE_TAG.sub("", value or "")))
