"""The front door for hits: a WSGI application in front of Django's."""

import logging
from http import HTTPStatus

from comments.readers import OWN_COOKIE, PENDING_COOKIE

from .conf import config
from .entries import Local, hit, lookup
from .keys import address, cacheable

logger = logging.getLogger(__name__)

# Set in the WSGI environ, to the request's `keys.Address`, when PageCacheApp looked it up
# and found nothing: the middleware need not look again.
MISSED = "pagecache.missed"


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
    def _find(environ) -> Local | None:
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
        recheck = 0 if OWN_COOKIE in cookies else config().recheck
        kept_at = address(environ)
        if kept_at is None:
            return None
        local = lookup(kept_at.url, recheck)
        if local is None:
            environ[MISSED] = kept_at
        return local
