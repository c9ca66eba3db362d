"""What a request says about its sender, read the same way by every view that takes posts
from readers (comments, the self-service pages, newsletter sign-up)."""

from django.conf import settings

from . import networks


def wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def client_ip(request) -> str | None:
    """The reader's address. Behind proxies it is the one the outermost of them saw,
    counted from the end of X-Forwarded-For (what a reader sends sits before it); a hop
    written with a port is its address. A hop that is no address at all counts as the
    proxy's own address, so the limits still hold."""
    address = networks.parse_address(request.META.get("REMOTE_ADDR"))
    forwarded = request.headers.get("X-Forwarded-For")
    if settings.MASTHEAD_BEHIND_PROXY and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= settings.MASTHEAD_PROXY_HOPS > 0:
            address = networks.parse_address(hops[-settings.MASTHEAD_PROXY_HOPS]) or address
    return str(address) if address else None


def foreign_origin(request) -> bool:
    """Whether a post names another site as its origin. Forms on cached pages carry no
    CSRF token (it would be someone else's), so an anonymous post must come from this
    site's own pages: a browser's Origin header, when sent, must be this site or one of
    CSRF_TRUSTED_ORIGINS. A sandboxed frame or a data: URL on any site sends
    "Origin: null"; this site's own pages never do (its Referrer-Policy is same-origin)."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    expected = f"{request.scheme}://{request.get_host()}"
    return origin != expected and origin not in settings.CSRF_TRUSTED_ORIGINS
