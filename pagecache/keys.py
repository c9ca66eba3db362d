"""Which requests the page cache may answer, and the address a page is kept under.

Requests that ask for the same page in different words (`?cpage=02`, `?cpage=2&cpage=2`,
`Host: News.Example.org:443`) are answered from one entry, kept under the page's
canonical address. Only a request for exactly that address stores what it renders, so a
page kept under an address always is what that address renders (the page's absolute links
come from the host the request names), and odd spellings cost a render but no entry.
"""

import functools
import hashlib
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import parse_qsl

from django.http.cookie import parse_cookie
from django.http.request import split_domain_port

from comments.ranking import DEFAULT_SORT, SORTS

from .conf import config


class NotCached(Exception):
    """A query value whose page only the render can tell: the request is not cached."""


def _whole_number(value: str) -> int | None:
    """The number as Django's paginator and the thread read it (int()), or None."""
    try:
        return int(value)
    except ValueError:
        return None


def listing_page(value: str) -> str | None:
    """`?page=` of a listing (news.models.paginate): not a whole number is page 1, the
    default; below 1 is the last page, which only the render knows."""
    number = _whole_number(value)
    if number is None or number == 1:
        return None
    if number < 1:
        raise NotCached
    return str(number)


def thread_page(value: str) -> str | None:
    """`?cpage=` of a comment thread (comments.thread.fetch_thread): not a whole number,
    or below 2, is page 1, the default."""
    number = _whole_number(value)
    return None if number is None or number <= 1 else str(number)


def thread_order(value: str) -> str | None:
    """`?sort=` of a comment thread (comments.ranking.sort_of): one of its orders, and the
    default (oldest first) for anything else."""
    return value if value in SORTS and value != DEFAULT_SORT else None


# The query parameters that select a cached variant of a page: an allow-list. A request
# with any other parameter is not cached. Each parameter maps to a function from the value
# sent to the value the page is kept under: None when it is the parameter's default (the
# page is kept without it), or NotCached when only the render can tell which page it is.
# Values that give the same canonical value must render the same page.
#
# To cache another variant, add its parameter with its canonical form, and keep the
# function in step with the view that reads it: a value the view reads as the default
# must give None, and one only the render can place must raise NotCached. Each variant is
# another entry for the page; MASTHEAD_PAGE_CACHE_VARIANTS caps how many a page has at
# once, whatever the parameters.
QUERY_PARAMETERS: dict[str, Callable[[str], str | None]] = {
    "page": listing_page,
    "cpage": thread_page,
    "sort": thread_order,
}


class Address(NamedTuple):
    url: str  # the canonical address the page is kept under
    exact: bool  # whether the request asked for exactly it (only then is its render kept)


def address(meta) -> Address | None:
    """Where the page for this request (its WSGI environ, request.META) is kept: scheme,
    host, path and query string, read as Django reads them and put in canonical form.
    None when the request's page is not cached at all: a parameter outside the allow-list,
    a value only the render can place, or a port this server does not answer on."""
    conf = config()
    proxy_header = conf.proxy_header
    if proxy_header and meta.get(proxy_header[0]) is not None:
        # As Django reads it: the first of comma-separated values.
        forwarded = meta[proxy_header[0]].split(",", 1)[0].strip()
        scheme = "https" if forwarded == proxy_header[1] else "http"
    else:
        scheme = meta.get("wsgi.url_scheme", "http")
    default_port = "443" if scheme == "https" else "80"
    server_port = str(meta.get("SERVER_PORT", ""))
    # As Django's HttpRequest._get_raw_host.
    if conf.forwarded_host and "HTTP_X_FORWARDED_HOST" in meta:
        host = meta["HTTP_X_FORWARDED_HOST"]
    elif "HTTP_HOST" in meta:
        host = meta["HTTP_HOST"]
    else:
        host = meta.get("SERVER_NAME", "")
        if server_port != default_port:
            host = f"{host}:{server_port}"
    canonical_host = _canonical_host(host, default_port, server_port)
    if canonical_host is None:
        return None
    query = meta.get("QUERY_STRING", "")
    canonical_query = _canonical_query(query) if query else ""
    if canonical_query is None:
        return None
    path = f"{meta.get('SCRIPT_NAME', '')}{meta.get('PATH_INFO', '')}"
    return Address(
        f"{scheme}://{canonical_host}{path}?{canonical_query}",
        host == canonical_host and query == canonical_query,
    )


@functools.lru_cache(maxsize=256)
def _canonical_host(host: str, default_port: str, server_port: str) -> str | None:
    """The host in lower case, without the scheme's default port. Another port only when
    it is the one this server listens on: any port a client names makes a valid Host, and
    each would be an entry of its own (None: not cached)."""
    domain, port = split_domain_port(host)
    if not domain:
        return None  # Django refuses it
    if not port or port == default_port:
        return domain
    return f"{domain}:{port}" if port == server_port else None


def _canonical_query(query: str) -> str | None:
    """The allow-listed parameters in canonical form and in order of name, defaults left
    out; the last value of a repeated parameter counts, as for Django's request.GET."""
    values = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        canonical = QUERY_PARAMETERS.get(name)
        if canonical is None:
            return None
        try:
            values[name] = canonical(value)
        except NotCached:
            return None
    return "&".join(f"{name}={values[name]}" for name in sorted(values) if values[name])


def entry_key(url: str) -> str:
    """The shared cache's key for the page at this address."""
    return "pagecache:entry:" + hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()


def cacheable(meta) -> bool:
    """Whether the cache may answer this request at all: an anonymous GET or HEAD outside
    the static and media files (`address` then tells whether its page is kept)."""
    conf = config()
    if not conf.enabled or meta.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return False
    if meta.get("PATH_INFO", "").startswith(conf.uncached_prefixes):
        return False
    cookie = meta.get("HTTP_COOKIE")
    return not (cookie and conf.session_cookie in parse_cookie(cookie))
