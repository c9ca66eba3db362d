from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "page cache"

    def ready(self):
        from django.core.signals import setting_changed
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from comments.signals import thread_changed, thread_changing

        from . import conf, receivers

        page_published.connect(receivers.page_changed, dispatch_uid="pagecache.published")
        page_unpublished.connect(receivers.page_changed, dispatch_uid="pagecache.unpublished")
        post_delete.connect(receivers.page_changed, sender=Page, dispatch_uid="pagecache.deleted")
        # A move changes the address of the page and of every page below it.
        post_page_move.connect(receivers.page_changed, dispatch_uid="pagecache.moved")
        thread_changing.connect(receivers.thread_changing, dispatch_uid="pagecache.thread.purge")
        thread_changed.connect(receivers.thread_changed, dispatch_uid="pagecache.thread")
        setting_changed.connect(conf.settings_changed, dispatch_uid="pagecache.settings")
        for signal in (post_save, post_delete):
            signal.connect(
                receivers.restriction_changed,
                sender=PageViewRestriction,
                dispatch_uid=f"pagecache.restriction.{signal is post_save}",
            )
            signal.connect(
                receivers.site_changed,
                sender=Site,
                dispatch_uid=f"pagecache.site.{signal is post_save}",
            )
        m2m_changed.connect(
            receivers.restriction_changed,
            sender=PageViewRestriction.groups.through,
            dispatch_uid="pagecache.restriction.groups",
        )
