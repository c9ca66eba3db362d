"""An oEmbed provider (https://oembed.com/) for articles: other sites that are given an
article's URL get its headline, byline and a small embeddable card, with no script and
nothing loaded from anywhere but this site."""

import io
import json
from urllib.parse import urlsplit

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe
from wagtail.models import Site

from news.models import ArticlePage

from . import common
from .http import conditional_response

DEFAULT_WIDTH = 600
MIN_WIDTH = 200
# Thumbnails come in a few fixed widths, so that consumers asking for any size cannot make
# the site store a rendition per size.
THUMBNAIL_WIDTHS = (640, 320, 160)


def _positive_int(value: str) -> int | None:
    """A positive whole number given by a consumer, or None for anything else."""
    if not (value.isdecimal() and len(value) <= 6):
        return None
    return int(value) or None


def find_article(request, url: str) -> ArticlePage | None:
    """The live, public article at `url` on one of this installation's sites, or None."""
    if "\x00" in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    root_path = None
    for site_root in Site.get_site_root_paths():
        if urlsplit(site_root.root_url).netloc == parts.netloc:
            root_path = site_root.root_path
            break
    if root_path is None and parts.netloc == request.get_host():
        site = common.site_for(request)
        root_path = site.root_page.url_path if site is not None else None
    if root_path is None:
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return (
        ArticlePage.objects.live()
        .public()
        .filter(url_path=root_path + path.lstrip("/"))
        .select_related("lead_image")
        .first()
    )


def _byline(authors) -> str:
    names = [author.title for author in authors]
    if len(names) > 1:
        return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}
    return names[0] if names else ""


def oembed_data(article, request, *, maxwidth=None, maxheight=None) -> dict:
    authors = [b.author for b in article.bylines.select_related("author").order_by("sort_order")]
    url = common.page_url(article, request)
    width = max(MIN_WIDTH, min(DEFAULT_WIDTH, maxwidth or DEFAULT_WIDTH))
    height = max(MIN_WIDTH, width * 2 // 3)
    if maxheight:
        height = min(height, maxheight)
    description = common.summary(article)
    html = format_html(
        '<blockquote class="masthead-embed" cite="{}"><p><a href="{}">{}</a></p>{}'
        "<p>&mdash; {}</p></blockquote>",
        url,
        url,
        article.title,
        format_html("<p>{}</p>", description) if description else "",
        common.site_name(),
    )
    data = {
        "version": "1.0",
        "type": "rich",
        "title": article.title,
        "provider_name": common.site_name(),
        "provider_url": common.home_url(request),
        "cache_age": 3600,
        "html": str(html),
        "width": width,
        "height": height,
    }
    if authors:
        data["author_name"] = _byline(authors)
        data["author_url"] = common.page_url(authors[0], request)
    thumbnail = _thumbnail(article.lead_image, request, maxwidth, maxheight)
    if thumbnail is not None:
        data.update(
            thumbnail_url=thumbnail.url,
            thumbnail_width=thumbnail.width,
            thumbnail_height=thumbnail.height,
        )
    return data


def _thumbnail(image, request, maxwidth, maxheight):
    if image is None:
        return None
    for width in THUMBNAIL_WIDTHS:
        height = round(image.height * min(1, width / image.width))
        if (maxwidth is None or width <= maxwidth) and (maxheight is None or height <= maxheight):
            return common.image_versions(image, [f"max-{width}x{width * 4}"], request)[0]
    return None


def _xml(data: dict) -> str:
    buffer = io.StringIO()
    handler = SimplerXMLGenerator(buffer, "utf-8")
    handler.startDocument()
    handler.startElement("oembed", {})
    for key, value in data.items():
        handler.addQuickElement(key, str(value))
    handler.endElement("oembed")
    return buffer.getvalue()


@require_safe
def oembed(request):
    """GET /oembed/?url=<article URL>[&format=json|xml][&maxwidth=N][&maxheight=N]"""
    response_format = request.GET.get("format", "json")
    if response_format not in ("json", "xml"):
        return HttpResponse(
            _("Only the json and xml formats are available."),
            status=501,
            content_type="text/plain; charset=utf-8",
        )
    url = request.GET.get("url", "").strip()
    if not url:
        return HttpResponseBadRequest(
            _("Give the address of an article as url."), content_type="text/plain; charset=utf-8"
        )
    article = find_article(request, url)
    if article is None:
        raise Http404("No published article at this address.")
    data = oembed_data(
        article,
        request,
        maxwidth=_positive_int(request.GET.get("maxwidth", "")),
        maxheight=_positive_int(request.GET.get("maxheight", "")),
    )
    if response_format == "xml":
        response = HttpResponse(_xml(data), content_type="text/xml; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False), content_type="application/json"
        )
    return conditional_response(request, response)
