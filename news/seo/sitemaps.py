"""Sitemaps (https://www.sitemaps.org/protocol.html) of the site's articles, sections, authors
and topics, a Google News sitemap of the last two days' articles, and robots.txt.

Each `lastmod` is when the page last changed for readers: an article's last publication or
its newest update or correction; a listing's newest change among the articles it lists or
its own last publication. Only live, public pages of the requesting site appear, and never
an article whose canonical URL points at another site.
"""

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import F, Max, Q
from django.db.models.functions import Length, Substr
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from news.models import (
    ArticlePage,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    SectionPage,
    Topic,
    TopicIndexPage,
)

from . import common
from .http import conditional_response

NEWS_WINDOW = dt.timedelta(days=2)
NEWS_LIMIT = 1000

# What a URL in a sitemap needs of a page, and no more (not the article body).
PAGE_FIELDS = ("id", "path", "depth", "url_path", "last_published_at", "first_published_at")


def _latest(*dates):
    return max((d for d in dates if d is not None), default=None)


class SiteSitemap(Sitemap):
    """A sitemap of one Wagtail site, for one request."""

    def __init__(self, request, root):
        self.request = request
        self.root = root

    def articles(self):
        return (
            ArticlePage.objects.live()
            .public()
            .descendant_of(self.root)
            .not_syndicated()
            .with_modified()
            .only(*PAGE_FIELDS, "title")
        )

    def location(self, item):
        return item.get_url(self.request)

    def lastmod(self, item):
        return item.sitemap_lastmod


class ArticleSitemap(SiteSitemap):
    def items(self):
        return self.articles().annotate(sitemap_lastmod=F("modified_at")).order_by("path")

    def get_latest_lastmod(self):
        return self.articles().aggregate(latest=Max("modified_at"))["latest"]


class NewsSitemap(ArticleSitemap):
    """Articles first published in the last two days, newest first, at most 1,000
    (https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap)."""

    limit = NEWS_LIMIT

    def recent(self):
        return self.articles().filter(first_published_at__gte=timezone.now() - NEWS_WINDOW)

    def items(self):
        return (
            self.recent()
            .annotate(sitemap_lastmod=F("modified_at"))
            .order_by("-first_published_at", "-pk")[:NEWS_LIMIT]
        )

    def get_latest_lastmod(self):
        return self.recent().aggregate(latest=Max("modified_at"))["latest"]


class SectionSitemap(SiteSitemap):
    """The front page and the sections: each changes when an article in it does."""

    def items(self):
        newest = dict(
            ArticlePage.objects.live()
            .public()
            .descendant_of(self.root)
            .annotate(parent_path=Substr("path", 1, Length("path") - ArticlePage.steplen))
            .order_by()
            .values_list("parent_path")
            .annotate(newest=Max("last_published_at"))
        )
        front = HomePage.objects.filter(pk=self.root.pk, live=True).only(*PAGE_FIELDS).first()
        sections = list(
            SectionPage.objects.live()
            .public()
            .descendant_of(self.root)
            .only(*PAGE_FIELDS)
            .order_by("path")
        )
        for section in sections:
            section.sitemap_lastmod = _latest(section.last_published_at, newest.get(section.path))
        if front is None:
            return sections
        front.sitemap_lastmod = _latest(front.last_published_at, *newest.values())
        return [front, *sections]


class AuthorSitemap(SiteSitemap):
    """The authors' index and each author, who changes with their newest article."""

    def items(self):
        authors = list(
            AuthorPage.objects.live()
            .public()
            .descendant_of(self.root)
            .only(*PAGE_FIELDS)
            .annotate(
                newest=Max(
                    "bylines__article__last_published_at",
                    filter=Q(bylines__article__live=True),
                )
            )
            .order_by("path")
        )
        for author in authors:
            author.sitemap_lastmod = _latest(author.last_published_at, author.newest)
        index_page = (
            AuthorIndexPage.objects.live()
            .public()
            .descendant_of(self.root)
            .only(*PAGE_FIELDS)
            .first()
        )
        if index_page is None:
            return authors
        index_page.sitemap_lastmod = _latest(
            index_page.last_published_at, *(a.last_published_at for a in authors)
        )
        return [index_page, *authors]


class TopicSitemap(SiteSitemap):
    """The topics' index and each topic with a live article, which changes with its newest."""

    def items(self):
        index_page = (
            TopicIndexPage.objects.live()
            .public()
            .descendant_of(self.root)
            .only(*PAGE_FIELDS)
            .first()
        )
        if index_page is None:
            return []
        articles = ArticlePage.objects.live().public().descendant_of(self.root)
        topics = list(
            Topic.objects.filter(tagged_articles__content_object__in=articles)
            .annotate(sitemap_lastmod=Max("tagged_articles__content_object__last_published_at"))
            .order_by("slug")
        )
        self.index_page = index_page
        self.index_url = index_page.get_url(self.request)
        index_page.sitemap_lastmod = _latest(
            index_page.last_published_at, *(t.sitemap_lastmod for t in topics)
        )
        return [index_page, *topics]

    def location(self, item):
        if isinstance(item, Topic):
            return self.index_url + self.index_page.reverse_subpage("topic", args=[item.slug])
        return super().location(item)


SITEMAPS = {
    "articles": ArticleSitemap,
    "news": NewsSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "topics": TopicSitemap,
}


def sitemaps_for(request) -> dict[str, Sitemap]:
    site = common.site_for(request)
    if site is None:
        raise Http404("No site is configured for this host.")
    return {name: cls(request, site.root_page) for name, cls in SITEMAPS.items()}


@require_safe
def index(request):
    response = sitemap_views.index(
        request,
        sitemaps_for(request),
        template_name="news/seo/sitemap_index.xml",
        sitemap_url_name="seo:sitemap",
    )
    response.render()
    return conditional_response(request, response)


@require_safe
def sitemap(request, section):
    template = "news/seo/news_sitemap.xml" if section == "news" else "news/seo/sitemap.xml"
    response = sitemap_views.sitemap(
        request, sitemaps_for(request), section=section, template_name=template
    )
    response.render()
    return conditional_response(request, response)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /comments/",
        "",
        f"Sitemap: {common.absolute(request, reverse('seo:sitemap-index'))}",
        "Sitemap: " + common.absolute(request, reverse("seo:sitemap", kwargs={"section": "news"})),
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
