"""HTTP finishing of machine-read responses (feeds, sitemaps, oEmbed): an ETag of the
content, caching for a CDN, 304 for a reader who has the current version, and the WebSub
hub of feeds."""

import hashlib

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe, quote_etag

from . import common

CACHE_SECONDS = 300


def feed_response(request, response):
    """Finish a feed response: the WebSub hub and self links when a hub is configured, then
    as `conditional_response`."""
    if settings.MASTHEAD_WEBSUB_HUB and response.status_code == 200:
        self_url = common.absolute(request, request.path)
        response.headers["Link"] = (
            f'<{settings.MASTHEAD_WEBSUB_HUB}>; rel="hub", <{self_url}>; rel="self"'
        )
    return conditional_response(request, response)


def conditional_response(request, response):
    """An ETag of the response's content, caching for a CDN, and a 304 when the reader
    already has this version (by ETag, or by Last-Modified when it sends no ETag)."""
    if response.status_code != 200:
        return response
    digest = hashlib.sha256(response.content).hexdigest()[:32]
    response.headers["ETag"] = quote_etag(digest)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    last_modified = parse_http_date_safe(response.headers.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=response.headers["ETag"], last_modified=last_modified, response=response
    )
