"""A full-page cache for anonymous readers, in the Django cache (files in var/cache by
default, Redis when several app servers share it).

What is cached is the same HTML for every anonymous reader: nothing personal is ever in it
(no CSRF token, no prefilled form, no one's pending comment). A reader's own bits come from
their browser (comments/static/comments/*.js); a reader with a comment awaiting moderation
on a page gets a fresh render of that page.

Entries are checked against two versions: the site's (bumped when anything is published or
unpublished) and the page's (bumped when the page or its public comments change), so a
change shows at once; listing pages also expire after a short time so their comment
counts are right within it.

Hits are served twice over: by `PageCacheApp`, which wraps the WSGI application and answers
before Django builds a request (so a hit costs a dictionary lookup and the version check),
and by `PageCacheMiddleware`, which stores what Wagtail pages render and answers the
requests that reach Django (a reader with a pending comment elsewhere, the test client).
Both look entries up by the same key, made from the WSGI environ.
"""

import hashlib
import logging
import time
from http import HTTPStatus
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.utils.http import http_date, quote_etag

from comments.readers import OWN_COOKIE, PENDING_COOKIE, pending_pages

logger = logging.getLogger(__name__)

SITE_VERSION_KEY = "pagecache:site"
# Query parameters that select a different cached page; any other parameter is a miss.
CACHEABLE_PARAMS = frozenset({"page", "cpage"})
# Set in the WSGI environ, to the request's key, when PageCacheApp looked it up and found
# nothing: the middleware need not look again.
MISSED = "masthead.pagecache.missed"
# Headers a 304 Not Modified repeats from the full response.
NOT_MODIFIED_HEADERS = ("etag", "cache-control", "surrogate-key", "vary", "x-cache")
# Entries this process has read, so a hit costs a look at two small version keys rather
# than fetching and unpickling the whole page from the shared cache.
LOCAL_ENTRIES = 256
_local: dict[str, dict] = {}
# Versions this process has read from the shared cache, with when it read them.
_versions: dict[str, tuple[float, int | None]] = {}


def forget_local() -> None:
    """Drop the pages and versions this process holds (the shared cache keeps its own)."""
    _local.clear()
    _versions.clear()


def page_version_key(page_id: int) -> str:
    return f"pagecache:page:{page_id}"


def _bump(key: str) -> None:
    version = time.time_ns()
    cache.set(key, version, timeout=None)
    _versions[key] = (time.monotonic(), version)


def bump_page(page_id: int) -> None:
    _bump(page_version_key(page_id))


def bump_site() -> None:
    _bump(SITE_VERSION_KEY)


def _read_versions(keys: list[str], recheck: float) -> dict:
    """The current versions of these keys. With `recheck`, a version this process read
    less than that many seconds ago is taken as current (a change made by another process
    shows within that time; one made by this process shows at once)."""
    now = time.monotonic()
    if recheck:
        known = [_versions.get(key) for key in keys]
        if all(k is not None and now - k[0] < recheck for k in known):
            return {key: k[1] for key, k in zip(keys, known, strict=True)}
    current = cache.get_many(keys)
    if len(_versions) >= 4 * LOCAL_ENTRIES:
        _versions.clear()
    for key in keys:
        _versions[key] = (now, current.get(key))
    return current


def entry_key(meta) -> str:
    """The cache key of a request, from its WSGI environ (request.META): scheme, host,
    path and query string, read as Django reads them."""
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header and meta.get(proxy_header[0]) is not None:
        # As Django reads it: the first of comma-separated values.
        forwarded = meta[proxy_header[0]].split(",", 1)[0].strip()
        scheme = "https" if forwarded == proxy_header[1] else "http"
    else:
        scheme = meta.get("wsgi.url_scheme", "http")
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        host = meta["HTTP_X_FORWARDED_HOST"]
    else:
        host = meta.get("HTTP_HOST") or f"{meta.get('SERVER_NAME')}:{meta.get('SERVER_PORT')}"
    raw = (
        f"{scheme}://{host}{meta.get('SCRIPT_NAME', '')}{meta.get('PATH_INFO', '')}"
        f"?{meta.get('QUERY_STRING', '')}"
    )
    return "pagecache:entry:" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def cacheable(meta) -> bool:
    """Whether the cache may answer this request: an anonymous GET or HEAD without query
    parameters other than the page numbers."""
    if not settings.MASTHEAD_PAGE_CACHE or meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if meta.get("PATH_INFO", "").startswith((settings.STATIC_URL, settings.MEDIA_URL)):
        return False
    query = meta.get("QUERY_STRING")
    if query and any(
        name not in CACHEABLE_PARAMS for name, _ in parse_qsl(query, keep_blank_values=True)
    ):
        return False
    cookie = meta.get("HTTP_COOKIE")
    return not (cookie and settings.SESSION_COOKIE_NAME in parse_cookie(cookie))


def _remember(key: str, entry: dict) -> None:
    if len(_local) >= LOCAL_ENTRIES:
        _local.clear()
    _local[key] = entry


def lookup(meta, key: str, recheck: float = 0) -> dict | None:
    """The current entry for this key, or None when there is none or the page or the site
    has changed since it was stored (see `_read_versions` for `recheck`)."""
    entry = _local.get(key)
    if entry is None or entry["expires"] < time.time():
        entry = cache.get(key)
        if entry is None:
            return None
        _remember(key, entry)
    # The shared cache holds the versions, so a change made through any process (another
    # app server, the worker) retires this process's copy at once.
    keys = [SITE_VERSION_KEY, page_version_key(entry["page_id"])]
    current = _read_versions(keys, recheck)
    if [entry["site"], entry["page"]] != [current.get(k) for k in keys]:
        if not recheck:
            return None
        # Versions read a moment ago may be older than an entry another process stored.
        current = _read_versions(keys, 0)
        if [entry["site"], entry["page"]] != [current.get(k) for k in keys]:
            return None
    return entry


def _not_modified(etag: str, meta) -> bool:
    held = meta.get("HTTP_IF_NONE_MATCH", "")
    return held.strip() == "*" or etag in held


def hit(meta, entry: dict) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a response from the cache, or a 304 when the client
    already holds this version."""
    headers = [*entry["headers"], ("X-Cache", "HIT")]
    if _not_modified(entry["etag"], meta):
        return 304, [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_HEADERS], b""
    content = entry["content"]
    headers.append(("Content-Length", str(len(content))))
    return 200, headers, b"" if meta.get("REQUEST_METHOD") == "HEAD" else content


class PageCacheApp:
    """WSGI application in front of Django's: answers cache hits for anonymous readers
    without building a request, and hands everything else to Django."""

    STATUS = {code: f"{code} {HTTPStatus(code).phrase}" for code in (200, 304)}

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            found = self._find(environ)
        except Exception:  # a cache that cannot answer is a miss, not an error page
            logger.exception("page cache lookup failed")
            found = None
        if found is None:
            return self.application(environ, start_response)
        status, headers, body = hit(environ, found)
        start_response(self.STATUS[status], headers)
        return [body]

    @staticmethod
    def _find(environ) -> dict | None:
        """The current entry for this request, or None: Django renders it."""
        if not cacheable(environ):
            return None
        cookies = environ.get("HTTP_COOKIE", "")
        # A reader with a comment awaiting moderation may need their own render of this
        # page: Django reads the signed cookie and decides.
        if PENDING_COOKIE in cookies:
            return None
        # Someone who has commented from this browser sees their comment at once, whichever
        # process answers; other readers within MASTHEAD_PAGE_CACHE_RECHECK seconds.
        recheck = 0 if OWN_COOKIE in cookies else settings.MASTHEAD_PAGE_CACHE_RECHECK
        key = entry_key(environ)
        entry = lookup(environ, key, recheck)
        if entry is None:
            environ[MISSED] = key
        return entry


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
        key = meta.get(MISSED)
        entry = None
        if key is None:
            key = entry_key(meta)
            try:
                entry = lookup(meta, key)
            except Exception:  # a cache that cannot answer is a miss
                logger.exception("page cache lookup failed")
        if entry is not None and entry["page_id"] not in pending_pages(request):
            return self._response(*hit(meta, entry))
        # What the versions were before rendering: a change committed during the render
        # may not be in it, and must not be stored as current.
        started = time.time_ns()
        try:
            site_before = cache.get(SITE_VERSION_KEY)
        except Exception:
            site_before = None
        response = self.get_response(request)
        page_id = getattr(request, "masthead_page_id", None)
        if page_id is None:
            return response
        if page_id in pending_pages(request):
            response["Cache-Control"] = "private, no-cache"
            return response
        if response.status_code != 200 or response.cookies or response.streaming:
            return response
        directives = {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}
        if directives & {"private", "no-store"}:
            return response
        try:
            entry = self._store(request, response, key, page_id, started, site_before)
        except Exception:  # the reader still gets the page
            logger.exception("page cache store failed")
            return response
        if entry is None:
            return response
        if _not_modified(entry["etag"], meta):
            return self._response(*hit(meta, entry))
        response["X-Cache"] = "MISS"
        return response

    @staticmethod
    def _store(request, response, key: str, page_id: int, started: int, site_before) -> dict | None:
        """Store the page for other readers; None when something changed while it rendered
        (it may show the data from before the change)."""
        keys = [SITE_VERSION_KEY, page_version_key(page_id)]
        versions = cache.get_many(keys)
        # Publishing bumps the site's version; a comment the page's, stamped with the
        # time (app servers' clocks are taken to agree).
        if versions.get(keys[0]) != site_before or versions.get(keys[1], 0) > started:
            return None
        for k in keys:
            if k not in versions:
                _bump(k)
                versions[k] = _versions[k][1]
        ttl = getattr(request, "masthead_page_ttl", settings.MASTHEAD_PAGE_CACHE_TTL)
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={ttl}, "
            f"stale-while-revalidate={settings.MASTHEAD_PAGE_CACHE_STALE}"
        )
        response["ETag"] = quote_etag(
            hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        )
        response["Last-Modified"] = http_date()
        response["Vary"] = "Accept-Encoding"
        surrogate = getattr(request, "masthead_surrogate_keys", None)
        if surrogate:
            response["Surrogate-Key"] = " ".join(surrogate)
        entry = {
            "page_id": page_id,
            "site": versions[keys[0]],
            "page": versions[keys[1]],
            "content": response.content,
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "content-length", "x-cache")
            ],
            "etag": response["ETag"],
            "expires": time.time() + ttl,
        }
        cache.set(key, entry, timeout=ttl)
        _remember(key, entry)
        return entry

    @staticmethod
    def _response(status: int, headers, body: bytes) -> HttpResponse:
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        return response
