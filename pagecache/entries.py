"""Stored pages: looked up by address and checked against the versions, answered (as
stored, compressed, or 304), and stored after a render."""

import gzip
import hashlib
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, quote_etag

from . import versions
from .keys import entry_key
from .versions import LOCAL_ENTRIES, SITE_VERSION_KEY, page_version_key, read_versions

# As Django's GZipMiddleware reads Accept-Encoding.
ACCEPTS_GZIP = re.compile(r"\bgzip\b").search
# Pages shorter than this are not worth compressing (as GZipMiddleware).
GZIP_MIN_LENGTH = 200
# Headers a 304 Not Modified repeats from the full response.
NOT_MODIFIED_HEADERS = ("etag", "cache-control", "surrogate-key", "vary", "x-cache")
# Entries this process has read, by address, so a hit costs a dictionary lookup rather
# than fetching and unpickling the whole page from the shared cache.
_local: dict[str, "Local"] = {}


@dataclass(slots=True)
class Local:
    """A cached page as this process keeps it: the shared entry, its answers ready to send
    (as stored, and compressed), and when its versions were last found current."""

    entry: dict
    headers: list  # a 200's, with X-Cache and Content-Length
    gzip_headers: list | None  # the same for the compressed page, when there is one
    gzip_etag: str | None
    expires: float  # time.monotonic()
    checked: float = -math.inf  # time.monotonic()
    generation: int = -1


def forget_local() -> None:
    """Drop the pages and versions this process holds (the shared cache keeps its own)."""
    _local.clear()
    versions.forget()


def remember(url: str, entry: dict) -> Local:
    if len(_local) >= LOCAL_ENTRIES:
        _local.clear()
    headers = [*entry["headers"], ("X-Cache", "HIT")]
    compressed = entry.get("gzip")
    # Another representation, so another tag (as Apache's mod_deflate names it).
    gzip_etag = None if compressed is None else f'{entry["etag"][:-1]}-gzip"'
    local = Local(
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


def lookup(url: str, recheck: float = 0) -> Local | None:
    """The current entry for the page at this address, or None when there is none or the
    page or the site has changed since it was stored (see `versions.read_versions` for
    `recheck`)."""
    now = time.monotonic()
    local = _local.get(url)
    if local is not None and now < local.expires:
        # Found current a moment ago, and this process has changed nothing since.
        if now - local.checked < recheck and local.generation == versions.generation():
            return local
    else:
        entry = cache.get(entry_key(url))
        if entry is None:
            return None
        local = remember(url, entry)
    entry = local.entry
    generation = versions.generation()
    # The shared cache holds the versions, so a change made through any process (another
    # app server, the worker) retires this process's copy at once.
    keys = [SITE_VERSION_KEY, page_version_key(entry["page_id"])]
    current = read_versions(keys, recheck)
    if [entry["site"], entry["page"]] != [current.get(k) for k in keys]:
        if not recheck:
            return None
        # Versions read a moment ago may be older than an entry another process stored.
        current = read_versions(keys, 0)
        if [entry["site"], entry["page"]] != [current.get(k) for k in keys]:
            return None
    # As current as the oldest version read, which may be up to `recheck` seconds old.
    local.checked = min(versions.read_at(k, now) for k in keys)
    local.generation = generation
    return local


def stale(url: str) -> Local | None:
    """The entry kept for this address however old it is: what readers get while the page
    cannot be rendered (the database is away), rather than an error page."""
    local = _local.get(url)
    if local is not None:
        return local
    entry = cache.get(entry_key(url))
    return remember(url, entry) if entry is not None else None


def _not_modified(etag: str, meta) -> bool:
    held = meta.get("HTTP_IF_NONE_MATCH", "")
    return held.strip() == "*" or etag in held


def hit(meta, local: Local) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a response from the cache (compressed for a client that
    accepts gzip), or a 304 when the client already holds this version."""
    if local.gzip_headers is not None and ACCEPTS_GZIP(meta.get("HTTP_ACCEPT_ENCODING", "")):
        headers, body, etag = local.gzip_headers, local.entry["gzip"], local.gzip_etag
    else:
        headers, body, etag = local.headers, local.entry["content"], local.entry["etag"]
    if "HTTP_IF_NONE_MATCH" in meta and _not_modified(etag, meta):
        return 304, [(n, v) for n, v in headers if n.lower() in NOT_MODIFIED_HEADERS], b""
    return 200, headers, b"" if meta.get("REQUEST_METHOD") == "HEAD" else body


def _take_variant(page_id: int, site: int, page: int, ttl: int) -> bool:
    """Count one more stored address for this version of the page; False when it has
    MASTHEAD_PAGE_CACHE_VARIANTS already (page numbers past the last page each render the
    last page, and each would be an entry). The count starts again with each version, and
    once `ttl` has passed since the last address was stored, when all it counted are gone.
    (Renders stored at the same moment may count as one: the cap is a bound, not a
    ledger.)"""
    key = f"pagecache:variants:{page_id}:{site}:{page}"
    taken = cache.get(key, 0) + 1
    if taken > settings.MASTHEAD_PAGE_CACHE_VARIANTS:
        return False
    cache.set(key, taken, timeout=ttl)
    return True


def store(request, response, url: str, page_id: int, started: int, site_before) -> Local | None:
    """Store the page for other readers; None when something changed while it rendered
    (it may show the data from before the change)."""
    keys = [SITE_VERSION_KEY, page_version_key(page_id)]
    current = cache.get_many(keys)
    # Publishing bumps the site's version; a comment the page's, stamped with the
    # time (app servers' clocks are taken to agree).
    if current.get(keys[0]) != site_before or current.get(keys[1], 0) > started:
        return None
    missing = [k for k in keys if k not in current]
    if missing:
        # Never set, or evicted: whether something changed during the render cannot
        # be told. Versions start now, and the next render is kept.
        for k in missing:
            versions.bump(k)
        return None
    ttl = getattr(request, "masthead_page_ttl", settings.MASTHEAD_PAGE_CACHE_TTL)
    if not _take_variant(page_id, current[keys[0]], current[keys[1]], ttl):
        return None
    response["Cache-Control"] = (
        f"public, max-age=0, s-maxage={ttl}, "
        f"stale-while-revalidate={settings.MASTHEAD_PAGE_CACHE_STALE}"
    )
    content = response.content
    response["ETag"] = quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())
    response["Last-Modified"] = http_date()
    # The same address gives a signed-in reader, or one whose comment awaits moderation,
    # another page: a CDN in front must not hand them this one.
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
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
        "site": current[keys[0]],
        "page": current[keys[1]],
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
    return remember(url, entry)
