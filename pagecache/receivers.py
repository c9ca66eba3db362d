"""What retires cached pages: receivers of Wagtail's and the comments' signals, connected
in `PageCacheConfig.ready()`."""

from django.conf import settings
from django.db import transaction

from .versions import bump_page, bump_site


def _now_and_on_commit(bump) -> None:
    """Bump now, so this process stops serving the old copy, and again once the change is
    committed, so that no page rendered from the data before it is kept."""
    bump()
    transaction.on_commit(bump)


def page_changed(sender, instance, **kwargs):
    page_id = instance.pk

    def bump():
        bump_page(page_id)
        bump_site()

    _now_and_on_commit(bump)


def site_changed(sender, **kwargs):
    """A site's hostname, port or root page changed: every page's own address (canonical
    link, sharing tags, structured data) may have too."""
    _now_and_on_commit(bump_site)


def restriction_changed(sender, instance, **kwargs):
    """A page made private (or public again): it and every page below it change for
    anonymous readers, so the whole site's cached pages go."""
    _now_and_on_commit(bump_site)
    page_id = getattr(instance, "page_id", None)  # a Group, when changed from its side
    if page_id is not None:
        transaction.on_commit(lambda: purge_front_end(page_id))


def thread_changing(sender, page_id, **kwargs):
    """Inside the comment's transaction: the CDN purge is queued for the worker (a task
    row, committed with the comment, so that it is not lost if this process stops right
    after the commit; the worker sees it only once the comment is committed)."""
    purge_front_end(page_id)


def thread_changed(sender, page_id, **kwargs):
    """After the commit: the page's cached copies are retired."""
    bump_page(page_id)


def purge_front_end(page_id: int) -> None:
    """Purge the page from a CDN or proxy when one is configured (page publishing purges
    through Wagtail itself; comment changes through here)."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import purge_page_from_cache
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        purge_page_from_cache(page)
