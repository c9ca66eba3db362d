"""The front door for requests that reach Django: hits, and storing what pages render."""

import logging
import time

from django.http import HttpResponse

from comments.readers import pending_pages

from .entries import hit, lookup, stale, store
from .keys import address, cacheable
from .versions import SITE_VERSION_KEY, read_versions
from .wsgi import MISSED

logger = logging.getLogger(__name__)


class PageCacheMiddleware:
    """Store what Wagtail pages render for anonymous readers, and serve hits for the
    requests that reach Django.

    Place it first in MIDDLEWARE, so what it stores carries every header the others add
    and a hit costs no session, authentication or template work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if not cacheable(meta):
            return self.get_response(request)
        kept_at = meta.get(MISSED)
        local = None
        if kept_at is None:
            kept_at = address(meta)
            if kept_at is None:
                return self.get_response(request)
            try:
                local = lookup(kept_at.url)
            except Exception:  # a cache that cannot answer is a miss
                logger.exception("page cache lookup failed")
        if local is not None and local.entry["page_id"] not in pending_pages(request):
            return self._response(*hit(meta, local))
        # What the versions were before rendering: a change committed during the render
        # may not be in it, and must not be stored as current.
        started = time.time_ns()
        try:
            # Read afresh, so that what this process keeps by the site's version
            # (per_site_version) is read again for this render if the site has changed.
            site_before = read_versions([SITE_VERSION_KEY], 0).get(SITE_VERSION_KEY)
        except Exception:
            site_before = None
        response = self.get_response(request)
        if getattr(response, "outage", False):
            return self._stale(meta, kept_at.url) or response
        page_id = getattr(request, "masthead_page_id", None)
        if page_id is None:
            return response
        if page_id in pending_pages(request):
            response["Cache-Control"] = "private, no-cache"
            return response
        if not kept_at.exact:
            # Asked for in other words than its address: what it renders (its links name
            # the host the request named) is not kept for others.
            return response
        if response.status_code != 200 or response.cookies or response.streaming:
            return response
        directives = {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}
        if directives & {"private", "no-store"}:
            return response
        try:
            local = store(request, response, kept_at.url, page_id, started, site_before)
        except Exception:  # the reader still gets the page
            logger.exception("page cache store failed")
            return response
        if local is None:
            return response
        # Answered as the stored page (compressed for a browser that accepts it), or a 304.
        status, headers, body = hit(meta, local)
        response = self._response(status, headers, body)
        if status == 200:
            response["X-Cache"] = "MISS"
        return response

    def _stale(self, meta, url: str) -> HttpResponse | None:
        """The last stored copy of the page, when rendering it failed because the database
        is away: older than current, but the page rather than an error."""
        try:
            local = stale(url)
        except Exception:
            logger.exception("page cache lookup failed")
            return None
        if local is None:
            return None
        response = self._response(*hit(meta, local))
        response["X-Cache"] = "STALE"
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _response(status: int, headers, body: bytes) -> HttpResponse:
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        return response
