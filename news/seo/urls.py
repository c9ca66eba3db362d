"""Feeds, sitemaps, robots.txt and oEmbed; included by the project before Wagtail's pages,
so a page with the slug "feeds" (or "oembed") under the front page would be shadowed."""

from django.urls import path, register_converter
from django.urls.converters import StringConverter

from comments import converters  # noqa: F401  (registers row_id)

from . import channels, feeds, oembed, sitemaps
from .feeds import AtomFeed, RssFeed, feed_view

app_name = "seo"


class UnicodeSlugConverter(StringConverter):
    """A slug as Wagtail and taggit make them, letters of any script included."""

    regex = r"[-\w]+"


register_converter(UnicodeSlugConverter, "uslug")


def _rss_and_atom(prefix: str, name: str, channel):
    return [
        path(f"{prefix}rss/", feed_view(channel, RssFeed), name=f"{name}-rss"),
        path(f"{prefix}atom/", feed_view(channel, AtomFeed), name=f"{name}-atom"),
    ]


urlpatterns = [
    *_rss_and_atom("feeds/", "site", channels.site_channel),
    path("feeds/json/", feeds.json_feed_view, name="site-json"),
    *_rss_and_atom("feeds/sections/<uslug:slug>/", "section", channels.section_channel),
    *_rss_and_atom("feeds/authors/<uslug:slug>/", "author", channels.author_channel),
    *_rss_and_atom("feeds/topics/<uslug:slug>/", "topic", channels.topic_channel),
    *_rss_and_atom("feeds/comments/", "comments", channels.comments_channel),
    *_rss_and_atom(
        "feeds/comments/<row_id:page_id>/", "page-comments", channels.page_comments_channel
    ),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots-txt"),
    path("oembed/", oembed.oembed, name="oembed"),
]
