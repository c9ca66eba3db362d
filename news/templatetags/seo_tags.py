"""Template tags of what machines read: the <head> of every page, and sitemap helpers."""

import datetime as dt

from django import template

from news.seo import common
from news.seo.sharing import head_context

register = template.Library()


@register.inclusion_tag("news/seo/head.html", takes_context=True)
def seo_head(context):
    """Canonical URL, description, robots, Open Graph, Twitter card, feed and oEmbed
    discovery links and JSON-LD for the page in `context`."""
    return head_context(context)


@register.filter
def w3c_datetime(value) -> str:
    """A datetime as W3C Datetime in UTC (2024-01-04T12:30:00Z), as sitemaps want."""
    if not isinstance(value, dt.datetime):
        return value.isoformat() if isinstance(value, dt.date) else ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.simple_tag
def news_publication() -> dict:
    return {"name": common.site_name(), "language": common.news_language()}
