"""What feeds, sitemaps, structured data and sharing tags have in common: absolute URLs,
stable identifiers, summaries, dates, languages and image renditions."""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import to_locale
from wagtail.models import Page, Site

# The publisher's logo, served by the site itself (Google asks for at most 600x60).
LOGO_PATH = "masthead/logo.png"
LOGO_SIZE = (600, 60)

# Renditions of the lead image for structured data (Google asks for 16x9, 4x3 and 1x1, each
# at least 1,200 px wide; a smaller source gives smaller renditions, never upscaled ones), for
# sharing cards (1.91:1) and for feeds (the width the article page shows).
STRUCTURED_DATA_FILTERS = ("fill-1200x675", "fill-1200x900", "fill-1200x1200")
SHARING_FILTER = "fill-1200x630"
FEED_IMAGE_FILTER = "width-1200"

SUMMARY_WORDS = 55

_ROOT_RELATIVE = re.compile(r"""(\s(?:href|src)=)(["'])(/(?!/))""")


def site_name() -> str:
    return settings.WAGTAIL_SITE_NAME


def site_for(request) -> Site | None:
    return Site.find_for_request(request)


def absolute(request, url: str) -> str:
    """`url` as an absolute URL on the host the request came to."""
    return request.build_absolute_uri(url)


def page_url(page: Page, request) -> str:
    return absolute(request, page.get_url(request))


def home_url(request) -> str:
    return absolute(request, "/")


def logo_url(request) -> str:
    return absolute(request, static(LOGO_PATH))


def absolutize_html(html: str, request) -> str:
    """Make root-relative links and image sources absolute, for HTML read off the site."""
    base = home_url(request).rstrip("/")
    return _ROOT_RELATIVE.sub(lambda m: f"{m[1]}{m[2]}{base}/", str(html))


def tag_uri(kind: str, pk) -> str:
    """The permanent identifier of an object in feeds (RFC 4151), built from its primary key
    so that neither edits nor moves nor a new domain change it."""
    return f"tag:{settings.MASTHEAD_FEED_ID_AUTHORITY}:{kind}/{pk}"


def language_tag() -> str:
    """The site's language as a BCP 47 tag, e.g. en-US."""
    return to_locale(settings.LANGUAGE_CODE).replace("_", "-")


def news_language() -> str:
    """The language as Google News wants it: ISO 639, except zh-cn and zh-tw."""
    code = settings.LANGUAGE_CODE.lower()
    return code if code in ("zh-cn", "zh-tw") else code.split("-", 1)[0]


def og_locale() -> str:
    return to_locale(settings.LANGUAGE_CODE)


def summary(article) -> str:
    """Plain text that sums up an article: its search description, its dek, or the start of
    its first paragraph."""
    if article.search_description:
        return article.search_description
    if article.dek:
        return article.dek
    for block in article.body:
        if block.block_type == "paragraph":
            text = " ".join(strip_tags(block.value.source).split())
            if text:
                return Truncator(text).words(SUMMARY_WORDS)
    return ""


def modified_at(article, updates=None) -> dt.datetime:
    """When the article last changed for readers: its last publication or its newest update
    or correction already dated, whichever is later."""
    annotated = getattr(article, "modified_at", None)
    if annotated is not None:
        return annotated
    if updates is None:
        updates = article.updates.all()
    now = timezone.now()
    dates = [article.last_published_at or article.first_published_at]
    dates += [u.published_at for u in updates if u.published_at <= now]
    return max(d for d in dates if d is not None)


def corrections(updates) -> list:
    now = timezone.now()
    return [u for u in updates if u.kind == "correction" and u.published_at <= now]


@dataclass(frozen=True)
class ImageVersion:
    url: str
    width: int
    height: int
    mime_type: str
    rendition: object

    @property
    def length(self) -> int:
        """Size in bytes, or 0 where the storage cannot tell (as RSS allows)."""
        try:
            return self.rendition.file.size
        except (OSError, ValueError, NotImplementedError):
            return 0


def image_versions(image, filters, request) -> list[ImageVersion]:
    """Renditions of `image`, fetched together, with absolute URLs; none without an image."""
    if image is None:
        return []
    renditions = image.get_renditions(*filters)
    versions = []
    for spec in filters:
        rendition = renditions[spec]
        versions.append(
            ImageVersion(
                url=absolute(request, rendition.url),
                width=rendition.width,
                height=rendition.height,
                mime_type=_mime_type(rendition.file.name),
                rendition=rendition,
            )
        )
    return versions


def image_alt(image, caption: str = "") -> str:
    if image is None:
        return ""
    return getattr(image, "description", "") or caption or image.title


def _mime_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "svg": "image/svg+xml",
    }.get(extension, "application/octet-stream")
