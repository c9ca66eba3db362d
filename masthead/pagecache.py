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
before Django builds a request (so a hit costs a dictionary lookup, and a look at the versions
once per MASTHEAD_PAGE_CACHE_RECHECK seconds), and by `PageCacheMiddleware`, which stores
what Wagtail pages render and answers the requests that reach Django (a reader with a
pending comment elsewhere, the test client). Both look entries up by the same address, made
from the WSGI environ.
"""

import functools
import gzip
import hashlib
import itertools
import logging
import math
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import NamedTuple
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
# Set in the WSGI environ, to the request's address, when PageCacheApp looked it up and
# found nothing: the middleware need not look again.
MISSED = "masthead.pagecache.missed"
# As Django's GZipMiddleware reads Accept-Encoding.
ACCEPTS_GZIP = re.compile(r"\bgzip\b").search
# Pages shorter than this are not worth compressing (as GZipMiddleware).
GZIP_MIN_LENGTH = 200
# Headers a 304 Not Modified repeats from the full response.
NOT_MODIFIED_HEADERS = ("etag", "cache-control", "surrogate-key", "vary", "x-cache")
# Entries this process has read, by address, so a hit costs a dictionary lookup rather
# than fetching and unpickling the whole page from the shared cache.
LOCAL_ENTRIES = 256
_local: dict[str, "_Local"] = {}
# Versions this process has read from the shared cache, with when it read them.
_versions: dict[str, tuple[float, int | None]] = {}
# Counts this process's own bumps: a local entry checked before the last one is checked
# again, so this process's changes show at once. (next() on a count is atomic, so threads
# bumping at once each move it on.)
_bumps = itertools.count(1)
_generation = 0
# What per_site_version keeps: {key: (site version, value)}.
_memo: dict = {}


@dataclass(slots=True)
class _Local:
    """A cached page as this process keeps it: the shared entry, its answers ready to send
    (as stored, and compressed), and when its versions were last found current."""

    entry: dict
    headers: list  # a 200's, with X-Cache and Content-Length
    gzip_headers: list | None  # the same for the compressed page, when there is one
    gzip_etag: str | None
    expires: float  # time.monotonic()
    checked: float = -math.inf  # time.monotonic()
    generation: int = -1


class _Config(NamedTuple):
    enabled: bool
    uncached_prefixes: tuple[str, str]
    session_cookie: str
    proxy_header: tuple[str, str] | None
    forwarded_host: bool
    recheck: float


@functools.cache
def _config() -> _Config:
    """The settings a hit reads, read once (each read of `settings` costs a call) and again
    after a change."""
    return _Config(
        enabled=settings.MASTHEAD_PAGE_CACHE,
        uncached_prefixes=(settings.STATIC_URL, settings.MEDIA_URL),
        session_cookie=settings.SESSION_COOKIE_NAME,
        proxy_header=settings.SECURE_PROXY_SSL_HEADER,
        forwarded_host=settings.USE_X_FORWARDED_HOST,
        recheck=settings.MASTHEAD_PAGE_CACHE_RECHECK,
    )


def settings_changed(**kwargs) -> None:
    """Receiver of Django's setting_changed (tests change settings)."""
    _config.cache_clear()


def forget_local() -> None:
    """Drop the pages and versions this process holds (the shared cache keeps its own)."""
    _local.clear()
    _versions.clear()
    _memo.clear()


def page_version_key(page_id: int) -> str:
    return f"pagecache:page:{page_id}"


def _bump(key: str) -> None:
    global _generation
    version = time.time_ns()
    cache.set(key, version, timeout=None)
    _versions[key] = (time.monotonic(), version)
    _generation = next(_bumps)


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


def per_site_version(key, build):
    """What `build()` returns, kept by this process while the site's version stands: until
    a page is published, unpublished or deleted, or a site or a view restriction changes
    (through another process: within MASTHEAD_PAGE_CACHE_RECHECK seconds, as for pages).
    For what every page reads and only such changes alter."""
    try:
        version = _read_versions([SITE_VERSION_KEY], _config().recheck).get(SITE_VERSION_KEY)
    except Exception:  # a cache that cannot answer keeps nothing
        logger.exception("page cache version lookup failed")
        return build()
    if version is None:
        # No shared version to go by (a dummy cache, or the key evicted): nothing kept.
        return build()
    held = _memo.get(key)
    if held is not None and held[0] == version:
        return held[1]
    # The version is read before building, so what a change commits meanwhile is read
    # again next time.
    value = build()
    if len(_memo) >= LOCAL_ENTRIES:
        _memo.clear()
    _memo[key] = (version, value)
    return value


def entry_url(meta) -> str:
    """The address a request's page is cached by, from its WSGI environ (request.META):
    scheme, host, path and query string, read as Django reads them."""
    config = _config()
    proxy_header = config.proxy_header
    if proxy_header and meta.get(proxy_header[0]) is not None:
        # As Django reads it: the first of comma-separated values.
        forwarded = meta[proxy_header[0]].split(",", 1)[0].strip()
        scheme = "https" if forwarded == proxy_header[1] else "http"
    else:
        scheme = meta.get("wsgi.url_scheme", "http")
    if config.forwarded_host and "HTTP_X_FORWARDED_HOST" in meta:
        host = meta["HTTP_X_FORWARDED_HOST"]
    else:
        host = meta.get("HTTP_HOST") or f"{meta.get('SERVER_NAME')}:{meta.get('SERVER_PORT')}"
    return (
        f"{scheme}://{host}{meta.get('SCRIPT_NAME', '')}{meta.get('PATH_INFO', '')}"
        f"?{meta.get('QUERY_STRING', '')}"
    )


def entry_key(url: str) -> str:
    """The shared cache's key for the page at this address."""
    return "pagecache:entry:" + hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


def cacheable(meta) -> bool:
    """Whether the cache may answer this request: an anonymous GET or HEAD without query
    parameters other than the page numbers."""
    config = _config()
    if not config.enabled or meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if meta.get("PATH_INFO", "").startswith(config.uncached_prefixes):
        return False
    query = meta.get("QUERY_STRING")
    if query and any(
        name not in CACHEABLE_PARAMS for name, _ in parse_qsl(query, keep_blank_values=True)
    ):
        return False
    cookie = meta.get("HTTP_COOKIE")
    return not (cookie and config.session_cookie in parse_cookie(cookie))


def _remember(url: str, entry: dict) -> _Local:
    if len(_local) >= LOCAL_ENTRIES:
        _local.clear()
    headers = [*entry["headers"], ("X-Cache", "HIT")]
    compressed = entry.get("gzip")
    # Another representation, so another tag (as Apache's mod_deflate names it).
    gzip_etag = None if compressed is None else f'{entry["etag"][:-1]}-gzip"'
    local = _Local(
        entry=entry,
        headers=[*headers, ("Content-Length", str(len(entry["content"])))],
        gzip_headers=None
        if compressed is None
        else [
            *((n, v) for n, v in headers if n.lower() != "etag"),
            ("ETag", gzip_etag),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(compressed))),
        ],
        gzip_etag=gzip_etag,
        expires=time.monotonic() + entry["expires"] - time.time(),
    )
    _local[url] = local
    return local


def lookup(url: str, recheck: float = 0) -> _Local | None:
    """The current entry for the page at this address, or None when there is none or the
    page or the site has changed since it was stored (see `_read_versions` for
    `recheck`)."""
    now = time.monotonic()
    local = _local.get(url)
    if local is not None and now < local.expires:
        # Found current a moment ago, and this process has changed nothing since.
        if now - local.checked < recheck and local.generation == _generation:
            return local
    else:
        entry = cache.get(entry_key(url))
        if entry is None:
            return None
        local = _remember(url, entry)
    entry = local.entry
    generation = _generation
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
    # As current as the oldest version read, which may be up to `recheck` seconds old.
    local.checked = min((_versions.get(k) or (now,))[0] for k in keys)
    local.generation = generation
    return local


def _not_modified(etag: str, meta) -> bool:
    held = meta.get("HTTP_IF_NONE_MATCH", "")
    return held.strip() == "*" or etag in held


def hit(meta, local: _Local) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a response from the cache (compressed for a client that
    accepts gzip), or a 304 when the client already holds this version."""
    if local.gzip_headers is not None and ACCEPTS_GZIP(meta.get("HTTP_ACCEPT_ENCODING", "")):
        headers, body, etag = local.gzip_headers, local.entry["gzip"], local.gzip_etag
    else:
        headers, body, etag = local.headers, local.entry["content"], local.entry["etag"]
    if "HTTP_IF_NONE_MATCH" in meta and _not_modified(etag, meta):
        return 304, [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_HEADERS], b""
    return 200, headers, b"" if meta.get("REQUEST_METHOD") == "HEAD" else body


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
    def _find(environ) -> _Local | None:
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
        recheck = 0 if OWN_COOKIE in cookies else _config().recheck
        url = entry_url(environ)
        local = lookup(url, recheck)
        if local is None:
            environ[MISSED] = url
        return local


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
        url = meta.get(MISSED)
        local = None
        if url is None:
            url = entry_url(meta)
            try:
                local = lookup(url)
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
            site_before = _read_versions([SITE_VERSION_KEY], 0).get(SITE_VERSION_KEY)
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
            local = self._store(request, response, url, page_id, started, site_before)
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

    @staticmethod
    def _store(
        request, response, url: str, page_id: int, started: int, site_before
    ) -> _Local | None:
        """Store the page for other readers; None when something changed while it rendered
        (it may show the data from before the change)."""
        keys = [SITE_VERSION_KEY, page_version_key(page_id)]
        versions = cache.get_many(keys)
        # Publishing bumps the site's version; a comment the page's, stamped with the
        # time (app servers' clocks are taken to agree).
        if versions.get(keys[0]) != site_before or versions.get(keys[1], 0) > started:
            return None
        missing = [k for k in keys if k not in versions]
        if missing:
            # Never set, or evicted: whether something changed during the render cannot
            # be told. Versions start now, and the next render is kept.
            for k in missing:
                _bump(k)
            return None
        ttl = getattr(request, "masthead_page_ttl", settings.MASTHEAD_PAGE_CACHE_TTL)
        response["Cache-Control"] = (
            f"public, max-age=0, s-maxage={ttl}, "
            f"stale-while-revalidate={settings.MASTHEAD_PAGE_CACHE_STALE}"
        )
        content = response.content
        response["ETag"] = quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())
        response["Last-Modified"] = http_date()
        response["Vary"] = "Accept-Encoding"
        surrogate = getattr(request, "masthead_surrogate_keys", None)
        if surrogate:
            response["Surrogate-Key"] = " ".join(surrogate)
        # Compressed once here rather than per request. The page holds nothing secret (no
        # CSRF token, nobody's details), so compressing it gives nothing away (BREACH).
        compressed = gzip.compress(content, mtime=0) if len(content) >= GZIP_MIN_LENGTH else None
        if compressed is not None and len(compressed) >= len(content):
            compressed = None
        entry = {
            "page_id": page_id,
            "site": versions[keys[0]],
            "page": versions[keys[1]],
            "content": content,
            "gzip": compressed,
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "content-length", "x-cache")
            ],
            "etag": response["ETag"],
            "expires": time.time() + ttl,
        }
        cache.set(entry_key(url), entry, timeout=ttl)
        return _remember(url, entry)

    @staticmethod
    def _response(status: int, headers, body: bytes) -> HttpResponse:
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        return response
