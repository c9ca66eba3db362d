"""A full-page cache for anonymous readers, in the Django cache (local memory by default,
Redis when several app servers share it).

What is cached is the same HTML for every anonymous reader: nothing personal is ever in it
(no CSRF token, no prefilled form, no one's pending comment). A reader's own bits come from
their browser (comments/static/comments/*.js); a reader with a comment awaiting moderation
on a page gets a fresh render of that page.

Entries are checked against two versions: the site's (bumped when anything is published or
unpublished) and the page's (bumped when the page or its public comments change), so a
change shows at once; listing pages also expire after a short time so their comment
counts are right within it.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, quote_etag

from comments.readers import pending_pages

SITE_VERSION_KEY = "pagecache:site"
# Query parameters that select a different cached page; any other parameter is a miss.
CACHEABLE_PARAMS = {"page", "cpage"}
# Cookies that mean a signed-in user (who gets a fresh render with their CSRF token).
SESSION_COOKIES = {"sessionid"}


def page_version_key(page_id: int) -> str:
    return f"pagecache:page:{page_id}"


def bump_page(page_id: int) -> None:
    cache.set(page_version_key(page_id), time.time_ns(), timeout=None)


def bump_site() -> None:
    cache.set(SITE_VERSION_KEY, time.time_ns(), timeout=None)


def _entry_key(request) -> str:
    return (
        "pagecache:entry:"
        + hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    )


def _cacheable_request(request) -> bool:
    if not settings.MASTHEAD_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    if set(request.GET) - CACHEABLE_PARAMS:
        return False
    return not (SESSION_COOKIES & set(request.COOKIES))


def _cache_headers(response, *, shared_ttl: int) -> None:
    response["Cache-Control"] = (
        f"public, max-age=0, s-maxage={shared_ttl}, "
        f"stale-while-revalidate={settings.MASTHEAD_PAGE_CACHE_STALE}"
    )


class PageCacheMiddleware:
    """Serve anonymous page views from the cache; store what Wagtail pages render.

    Place it near the top of MIDDLEWARE (after security and static files), so a hit costs
    no session, authentication or template work."""

    # Entries this process has read, so a hit costs a look at two small version keys
    # rather than fetching and unpickling the whole page from the shared cache.
    LOCAL_ENTRIES = 256

    def __init__(self, get_response):
        self.get_response = get_response
        self._local = {}

    def _remember(self, key, entry) -> None:
        if len(self._local) >= self.LOCAL_ENTRIES:
            self._local.clear()
        self._local[key] = entry

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _entry_key(request)
        entry = self._local.get(key)
        if entry is None or entry["expires"] < time.time():
            entry = cache.get(key)
            if entry is not None:
                self._remember(key, entry)
        if entry is not None and entry["page_id"] not in pending_pages(request):
            # The shared cache holds the versions, so a change made through any process
            # (another app server, the worker) retires this process's copy at once.
            page_key = page_version_key(entry["page_id"])
            current = cache.get_many([SITE_VERSION_KEY, page_key])
            if entry["site"] == current.get(SITE_VERSION_KEY) and entry["page"] == current.get(
                page_key
            ):
                return self._from_entry(request, entry)
        response = self.get_response(request)
        page_id = getattr(request, "masthead_page_id", None)
        if page_id is None:
            return response
        if page_id in pending_pages(request):
            response["Cache-Control"] = "private, no-cache"
            return response
        if response.status_code != 200 or response.cookies or response.streaming:
            return response
        ttl = getattr(request, "masthead_page_ttl", settings.MASTHEAD_PAGE_CACHE_TTL)
        _cache_headers(response, shared_ttl=ttl)
        etag = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
        response["ETag"] = etag
        response["Last-Modified"] = http_date()
        surrogate = getattr(request, "masthead_surrogate_keys", None)
        if surrogate:
            response["Surrogate-Key"] = " ".join(surrogate)
        versions = cache.get_many([SITE_VERSION_KEY, page_version_key(page_id)])
        if SITE_VERSION_KEY not in versions:
            bump_site()
            versions[SITE_VERSION_KEY] = cache.get(SITE_VERSION_KEY)
        if page_version_key(page_id) not in versions:
            bump_page(page_id)
            versions[page_version_key(page_id)] = cache.get(page_version_key(page_id))
        headers = {
            name: value
            for name, value in response.items()
            if name.lower() not in ("set-cookie", "vary", "content-length")
        }
        entry = {
            "page_id": page_id,
            "site": versions[SITE_VERSION_KEY],
            "page": versions[page_version_key(page_id)],
            "content": response.content,
            "headers": headers,
            "etag": etag,
            "expires": time.time() + ttl,
        }
        cache.set(key, entry, timeout=ttl)
        self._remember(key, entry)
        response["X-Cache"] = "MISS"
        return self._not_modified_or(request, response, etag)

    def _from_entry(self, request, entry):
        response = HttpResponse(entry["content"])
        for name, value in entry["headers"].items():
            response[name] = value
        response["X-Cache"] = "HIT"
        return self._not_modified_or(request, response, entry["etag"])

    def _not_modified_or(self, request, response, etag):
        patch_vary_headers(response, ["Accept-Encoding"])
        if etag in request.headers.get("If-None-Match", ""):
            not_modified = HttpResponseNotModified()
            for name in ("ETag", "Cache-Control", "Surrogate-Key", "Vary", "X-Cache"):
                if response.has_header(name):
                    not_modified[name] = response[name]
            return not_modified
        return response
