"""Walking sanitised post HTML into the blocks of an article body."""

import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import html as lxml_html

from . import shortcodes
from .rules import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    BLOCK_TAGS,
    CONTAINERS,
    EMBED_CLASSES,
    INLINE_MAP,
    MEDIA_TAGS,
    URL_SCHEMES,
)
from .text import (
    children_with_tails,
    collapse,
    cut,
    escaped_text,
    file_name,
    link_of,
    only_link_around_media,
    plain,
    provider_of,
    tidy,
    valid_url,
    visible,
)

_BARE_URL = re.compile(r"^\s*(https?://[^\s<>\"]+)\s*$")


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
        content = shortcodes.expand(content, self.notes)
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
                pieces.append(escaped_text(node, autop=autop))
                continue
            media = [node] if node.tag in MEDIA_TAGS else list(node.iter(*MEDIA_TAGS))
            if media:
                before = self._inline(node, autop=autop, skip_media=True)
                if before.strip() and not only_link_around_media(node):
                    pieces.append(before)
                self._emit_paragraph(pieces)
                pieces = []
                for item in media:
                    self._media(item, link=link_of(item))
                continue
            pieces.append(self._inline(node, autop=autop))
        self._emit_paragraph(pieces)

    def _emit_paragraph(self, pieces: list[str]) -> None:
        inner = tidy("".join(pieces))
        if not visible(inner):
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
        inner = escaped_text(node.text or "", autop=autop)
        for child in node:
            inner += self._inline(child, autop=autop, skip_media=skip_media)
            if child.tail:
                inner += escaped_text(child.tail, autop=autop)
        if tag == "a":
            href = self._url(node.get("href", ""))
            if href and visible(inner):
                return f'<a href="{htmllib.escape(href)}">{inner}</a>'
            return inner
        if tag in INLINE_MAP and visible(inner):
            mark = INLINE_MAP[tag]
            return f"<{mark}>{inner}</{mark}>"
        return inner

    def _block(self, element) -> None:
        tag = element.tag
        classes = set((element.get("class") or "").split())
        if tag == "p":
            self._paragraph([element.text or "", *children_with_tails(element)], autop=False)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = plain(element)
            if text:
                self.blocks.append(("heading", cut(text, 200)))
            for media in element.iter(*MEDIA_TAGS):
                self._media(media, link=link_of(media))
        elif tag in ("ul", "ol"):
            self._list(element)
        elif tag == "dl":
            for item in element:
                if isinstance(item.tag, str) and item.tag in ("dt", "dd"):
                    self._paragraph([item.text or "", *children_with_tails(item)], autop=False)
        elif tag == "blockquote":
            self._quote(element, classes)
        elif tag == "pre":
            text = element.text_content().strip("\n")
            if text.strip():
                # Rich text keeps no run of spaces: the lines stay, the alignment goes.
                lines = [htmllib.escape(collapse(line), quote=False) for line in text.split("\n")]
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
                self._embed(plain(element))
                return
            self._container(element)
        else:
            self._container(element)

    def _list(self, element) -> None:
        html = self._list_html(element)
        if html:
            self.blocks.append(("paragraph", html))
        for media in element.iter(*MEDIA_TAGS):
            self._media(media, link=link_of(media))

    def _list_html(self, element) -> str:
        items = []
        for item in element:
            if not isinstance(item.tag, str) or item.tag != "li":
                continue
            inner = escaped_text(item.text or "", autop=False)
            nested = ""
            for child in item:
                if isinstance(child.tag, str) and child.tag in ("ul", "ol"):
                    nested += self._list_html(child)
                elif isinstance(child.tag, str) and child.tag in BLOCK_TAGS:
                    inner += " " + self._inline_all(child)
                else:
                    inner += self._inline(child, autop=False)
                if child.tail:
                    inner += escaped_text(child.tail, autop=False)
            inner = collapse(inner)
            if visible(inner) or nested:
                items.append(f"<li>{inner}{nested}</li>")
        if not items:
            return ""
        return f"<{element.tag}>{''.join(items)}</{element.tag}>"

    def _inline_all(self, element) -> str:
        inner = escaped_text(element.text or "", autop=False)
        for child in element:
            inner += self._inline(child, autop=False)
            if child.tail:
                inner += escaped_text(child.tail, autop=False)
        return inner

    def _quote(self, element, classes) -> None:
        if classes & set(EMBED_CLASSES):
            links = [a.get("href") for a in element.iter("a") if a.get("href")]
            url = element.get("cite") or (links[-1] if links else "")
            if url and self._embed(url, title=cut(plain(element), 200)):
                return
        attribution = ""
        for cite in list(element.iter("cite", "footer")):
            attribution = attribution or plain(cite)
            cite.drop_tree()
        paragraphs = [plain(p) for p in element if isinstance(p.tag, str)]
        paragraphs = [p for p in paragraphs if p]
        own = collapse(element.text or "")
        if own:
            paragraphs.insert(0, own)
        if not paragraphs:
            paragraphs = [plain(element)] if plain(element) else []
        if paragraphs and not attribution:
            match = re.match(r"^\s*(?:—|–|--|-)\s*(\S.{0,199})$", paragraphs[-1])
            if match and len(paragraphs) > 1:
                attribution = match.group(1)
                paragraphs = paragraphs[:-1]
        if paragraphs:
            value = {"quote": "\n\n".join(paragraphs), "attribution": cut(attribution, 200)}
            self.blocks.append(("quote", value))

    def _figure(self, element, classes) -> None:
        caption_el = element.find(".//figcaption")
        credit = ""
        if caption_el is not None:
            for span in caption_el.iter("span"):
                if "credit" in (span.get("class") or "").split():
                    credit = plain(span)
                    span.drop_tree()
                    break
        caption = plain(caption_el) if caption_el is not None else ""
        if caption_el is not None:
            caption_el.drop_tree()
        if "x-gallery" in classes:
            ids = [i for i in (element.get("data-ids") or "").split(",") if i]
            for ref in self.gallery(ids):
                self._image(ref)
            return
        if "x-embed" in classes or "wp-block-embed" in classes:
            url = element.get("data-url") or plain(element)
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
                self._media(item, caption=caption, link=link_of(item), credit=credit)
            return
        self._container(element)
        if caption:
            self.blocks.append(("paragraph", f"<p>{htmllib.escape(caption)}</p>"))

    def _table(self, element) -> None:
        rows = []
        for row in element.iter("tr"):
            cells = [tidy(self._inline_all(c)) for c in row if c.tag in ("td", "th")]
            cells = [c for c in cells if visible(c)]
            if cells:
                rows.append(" | ".join(cells))
        caption = element.find("caption")
        if caption is not None and plain(caption):
            rows.insert(0, f"<b>{htmllib.escape(plain(caption))}</b>")
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
                    alt=collapse(element.get("alt", "")),
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
                        "alt_text": cut(ref.alt, 250),
                        "caption": cut(ref.caption, 300),
                        "credit": cut(ref.credit, 120),
                    },
                )
            )
            return
        title = ref.caption or ref.alt or file_name(ref.url)
        self._embed(ref.url, title=title, provider="Image")

    def _embed(self, url: str, *, title: str = "", provider: str = "") -> bool:
        url = self._url(url)
        if not url or not valid_url(url):
            return False
        provider = provider or provider_of(url)
        title = collapse(title) or provider or urlsplit(url).netloc
        self.blocks.append(
            ("embed", {"url": url, "title": cut(title, 200), "provider": cut(provider, 80)})
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
