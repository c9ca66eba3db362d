"""Which requests the page cache may answer, and the address and key a page is kept by."""

import hashlib
from urllib.parse import parse_qsl

from django.http.cookie import parse_cookie

from .conf import config

# Query parameters that select a different cached page; any other parameter is a miss.
CACHEABLE_PARAMS = frozenset({"page", "cpage", "sort"})


def entry_url(meta) -> str:
    """The address a request's page is cached by, from its WSGI environ (request.META):
    scheme, host, path and query string, read as Django reads them."""
    conf = config()
    proxy_header = conf.proxy_header
    if proxy_header and meta.get(proxy_header[0]) is not None:
        # As Django reads it: the first of comma-separated values.
        forwarded = meta[proxy_header[0]].split(",", 1)[0].strip()
        scheme = "https" if forwarded == proxy_header[1] else "http"
    else:
        scheme = meta.get("wsgi.url_scheme", "http")
    if conf.forwarded_host and "HTTP_X_FORWARDED_HOST" in meta:
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
    conf = config()
    if not conf.enabled or meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if meta.get("PATH_INFO", "").startswith(conf.uncached_prefixes):
        return False
    query = meta.get("QUERY_STRING")
    if query and any(
        name not in CACHEABLE_PARAMS for name, _ in parse_qsl(query, keep_blank_values=True)
    ):
        return False
    cookie = meta.get("HTTP_COOKIE")
    return not (cookie and conf.session_cookie in parse_cookie(cookie))
