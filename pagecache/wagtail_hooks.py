from django.conf import settings
from wagtail import hooks


@hooks.register("before_serve_page")
def mark_cacheable_page(page, request, serve_args, serve_kwargs):
    """Tell the page cache which page this is, how long it may keep it and what to purge
    it by."""
    request.masthead_page_id = page.pk
    request.masthead_page_ttl = (
        settings.MASTHEAD_PAGE_CACHE_TTL
        if getattr(page, "page_cache_long", False)
        else settings.MASTHEAD_PAGE_CACHE_LISTING_TTL
    )
    surrogate = getattr(page, "surrogate_keys", None)
    request.masthead_surrogate_keys = surrogate() if surrogate else [f"page-{page.pk}"]
