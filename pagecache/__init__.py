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

Modules: `conf` (the settings a hit reads), `versions` (the site's and each page's version,
and what a process keeps by them), `keys` (which requests are cached, under which
canonical address), `entries` (stored pages: look up, answer, store), `wsgi` and
`middleware` (the two front doors), `receivers` (what bumps the versions).
"""
