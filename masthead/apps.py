from django.apps import AppConfig
from django.db import transaction


def _now_and_on_commit(bump) -> None:
    """Bump now, so this process stops serving the old copy, and again once the change is
    committed, so that no page rendered from the data before it is kept."""
    bump()
    transaction.on_commit(bump)


def _page_changed(sender, instance, **kwargs):
    from . import pagecache

    page_id = instance.pk

    def bump():
        pagecache.bump_page(page_id)
        pagecache.bump_site()

    _now_and_on_commit(bump)


def _site_changed(sender, **kwargs):
    """A site's hostname, port or root page changed: every page's own address (canonical
    link, sharing tags, structured data) may have too."""
    from . import pagecache

    _now_and_on_commit(pagecache.bump_site)


def _restriction_changed(sender, instance, **kwargs):
    """A page made private (or public again): it and every page below it change for
    anonymous readers, so the whole site's cached pages go."""
    from . import pagecache

    _now_and_on_commit(pagecache.bump_site)
    page_id = getattr(instance, "page_id", None)  # a Group, when changed from its side
    if page_id is not None:
        transaction.on_commit(lambda: purge_front_end(page_id))


def _thread_changed(sender, page_id, **kwargs):
    from . import pagecache

    pagecache.bump_page(page_id)
    purge_front_end(page_id)


def purge_front_end(page_id: int) -> None:
    """Purge the page from a CDN or proxy when one is configured (page publishing purges
    through Wagtail itself; comment changes through here)."""
    from django.conf import settings

    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import purge_page_from_cache
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is not None:
        purge_page_from_cache(page)


class MastheadConfig(AppConfig):
    name = "masthead"
    verbose_name = "masthead"

    def ready(self):
        from django.core.signals import setting_changed
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from comments.signals import thread_changed

        from . import pagecache

        page_published.connect(_page_changed, dispatch_uid="masthead.pagecache.published")
        page_unpublished.connect(_page_changed, dispatch_uid="masthead.pagecache.unpublished")
        post_delete.connect(_page_changed, sender=Page, dispatch_uid="masthead.pagecache.deleted")
        # A move changes the address of the page and of every page below it.
        post_page_move.connect(_page_changed, dispatch_uid="masthead.pagecache.moved")
        thread_changed.connect(_thread_changed, dispatch_uid="masthead.pagecache.thread")
        setting_changed.connect(pagecache.settings_changed, dispatch_uid="masthead.pagecache")
        for signal in (post_save, post_delete):
            signal.connect(
                _restriction_changed,
                sender=PageViewRestriction,
                dispatch_uid=f"masthead.pagecache.restriction.{signal is post_save}",
            )
        for signal in (post_save, post_delete):
            signal.connect(
                _site_changed,
                sender=Site,
                dispatch_uid=f"masthead.pagecache.site.{signal is post_save}",
            )
        m2m_changed.connect(
            _restriction_changed,
            sender=PageViewRestriction.groups.through,
            dispatch_uid="masthead.pagecache.restriction.groups",
        )
