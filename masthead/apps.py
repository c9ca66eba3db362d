from django.apps import AppConfig
from django.db import transaction


def _page_changed(sender, instance, **kwargs):
    from . import pagecache

    page_id = instance.pk

    def bump():
        pagecache.bump_page(page_id)
        pagecache.bump_site()

    # Now, so this process stops serving the old copy, and again once the change is
    # committed, in case another request cached the old version in between.
    bump()
    transaction.on_commit(bump)


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
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished

        from comments.signals import thread_changed

        page_published.connect(_page_changed, dispatch_uid="masthead.pagecache.published")
        page_unpublished.connect(_page_changed, dispatch_uid="masthead.pagecache.unpublished")
        post_delete.connect(_page_changed, sender=Page, dispatch_uid="masthead.pagecache.deleted")
        thread_changed.connect(_thread_changed, dispatch_uid="masthead.pagecache.thread")
