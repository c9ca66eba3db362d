"""What each feed holds: channels (the site, a section, an author, a topic, comments) of
entries prepared in a fixed number of queries, whatever the format they are served in.

Items are identified by tag: URIs built from primary keys, so editing, moving or
republishing an article never makes it new to readers. Comment entries read only public
fields of a comment: never the email address.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page

from comments.models import Comment
from news.models import ArticlePage, ArticleTopic, AuthorPage, SectionPage, Topic

from . import common

FEED_LENGTH = 30
COMMENT_FEED_LENGTH = 50


@dataclasses.dataclass
class Entry:
    """One item of a feed, whatever its format."""

    guid: str
    title: str
    link: str
    summary: str
    content_html: str | None
    published: dt.datetime
    updated: dt.datetime
    authors: list[tuple[str, str | None]] = dataclasses.field(default_factory=list)
    categories: list[str] = dataclasses.field(default_factory=list)
    image: common.ImageVersion | None = None
    image_credit: str = ""
    comments_url: str | None = None
    comments_feed_url: str | None = None
    comments_atom_url: str | None = None
    comment_count: int | None = None


@dataclasses.dataclass
class Channel:
    """What a feed is about, and its entries, newest first."""

    title: str
    link: str
    description: str
    guid: str
    entries: list[Entry]


# Entries -----------------------------------------------------------------------------------


def article_entries(request, articles, *, limit: int = FEED_LENGTH) -> list[Entry]:
    """The newest `limit` live, public articles of `articles` as feed entries."""
    articles = list(
        articles.live()
        .public()
        .for_listing()
        .with_modified()
        .prefetch_related(
            Prefetch(
                "tagged_topics",
                queryset=ArticleTopic.objects.select_related("tag").order_by("tag__name"),
            )
        )
        .recent()[:limit]
    )
    sections = {
        s.path: s
        for s in SectionPage.objects.filter(path__in={a.path[: -a.steplen] for a in articles}).only(
            "title", "url_path", "path"
        )
    }
    full = settings.MASTHEAD_FEED_CONTENT == "full"
    entries = []
    for article in articles:
        section = sections.get(article.path[: -article.steplen])
        images = common.image_versions(article.lead_image, [common.FEED_IMAGE_FILTER], request)
        link = common.page_url(article, request)
        content = None
        if full:
            # Block by block, as the article page renders them (no StreamField wrappers).
            body = "\n".join(
                str(block.render(context={"request": request})) for block in article.body
            )
            content = common.absolutize_html(body, request)
        entries.append(
            Entry(
                guid=common.tag_uri("article", article.pk),
                title=article.title,
                link=link,
                summary=common.summary(article),
                content_html=content,
                published=article.first_published_at,
                updated=common.modified_at(article),
                authors=[
                    (b.author.title, common.page_url(b.author, request))
                    for b in article.bylines.all()
                ],
                categories=([section.title] if section else [])
                + [t.tag.name for t in article.tagged_topics.all()],
                image=images[0] if images else None,
                image_credit=article.lead_image_credit,
                comments_url=link + "#comments",
                comments_feed_url=common.absolute(
                    request, reverse("seo:page-comments-rss", args=[article.pk])
                ),
                comments_atom_url=common.absolute(
                    request, reverse("seo:page-comments-atom", args=[article.pk])
                ),
                comment_count=article.public_comment_count,
            )
        )
    return entries


def public_comments(root: Page):
    """Approved reader comments (not pingbacks, not deleted ones) on live, public pages under
    `root`. Only public fields are read: never the email address."""
    pages = Page.objects.live().public().descendant_of(root, inclusive=True)
    return (
        Comment.objects.public()
        .filter(kind=Comment.Kind.COMMENT, is_removed=False, page__in=pages)
        .select_related("page")
        .only(
            "id",
            "name",
            "body_html",
            "created_at",
            "edited_at",
            "page__id",
            "page__title",
            "page__url_path",
            "page__path",
            "page__depth",
        )
    )


def comment_entries(request, comments, *, limit: int = COMMENT_FEED_LENGTH) -> list[Entry]:
    entries = []
    for comment in comments.order_by("-created_at", "-pk")[:limit]:
        text = " ".join(strip_tags(comment.body_html).split())
        entries.append(
            Entry(
                guid=common.tag_uri("comment", comment.pk),
                title=_("Comment on %(title)s by %(name)s")
                % {"title": comment.page.title, "name": comment.name},
                link=common.page_url(comment.page, request) + f"#comment-{comment.pk}",
                summary=Truncator(text).words(common.SUMMARY_WORDS),
                content_html=common.absolutize_html(comment.body_html, request),
                published=comment.created_at,
                updated=comment.edited_at or comment.created_at,
                authors=[(comment.name, None)],
            )
        )
    return entries


# Channels ----------------------------------------------------------------------------------


def _root(request) -> Page:
    site = common.site_for(request)
    if site is None:
        raise Http404("No site is configured for this host.")
    return site.root_page


def site_channel(request) -> Channel:
    root = _root(request)
    intro = getattr(root.specific, "intro", "")
    return Channel(
        title=common.site_name(),
        link=common.home_url(request),
        description=intro or _("The latest from %(site)s") % {"site": common.site_name()},
        guid=common.tag_uri("feed", "articles"),
        entries=article_entries(request, ArticlePage.objects.descendant_of(root)),
    )


def section_channel(request, slug: str) -> Channel:
    section = SectionPage.objects.live().public().descendant_of(_root(request)).get(slug=slug)
    return Channel(
        title=f"{section.title} · {common.site_name()}",
        link=common.page_url(section, request),
        description=section.intro or _("The latest from %(section)s") % {"section": section.title},
        guid=common.tag_uri("feed", f"section/{section.pk}"),
        entries=article_entries(request, ArticlePage.objects.child_of(section)),
    )


def author_channel(request, slug: str) -> Channel:
    author = AuthorPage.objects.live().public().descendant_of(_root(request)).get(slug=slug)
    return Channel(
        title=f"{author.title} · {common.site_name()}",
        link=common.page_url(author, request),
        description=_("Articles by %(author)s") % {"author": author.title},
        guid=common.tag_uri("feed", f"author/{author.pk}"),
        entries=article_entries(
            request,
            ArticlePage.objects.descendant_of(_root(request)).filter(bylines__author=author),
        ),
    )


def topic_channel(request, slug: str) -> Channel:
    topic = Topic.objects.get(slug=slug)
    entries = article_entries(
        request, ArticlePage.objects.descendant_of(_root(request)).filter(topics=topic)
    )
    if not entries:
        raise Http404("No article has this topic.")
    return Channel(
        title=f"{topic.name} · {common.site_name()}",
        link=common.absolute(request, topic.get_absolute_url()),
        description=_("Articles about %(topic)s") % {"topic": topic.name},
        guid=common.tag_uri("feed", f"topic/{topic.pk}"),
        entries=entries,
    )


def comments_channel(request) -> Channel:
    return Channel(
        title=_("Comments on %(site)s") % {"site": common.site_name()},
        link=common.home_url(request),
        description=_("The latest reader comments on %(site)s") % {"site": common.site_name()},
        guid=common.tag_uri("feed", "comments"),
        entries=comment_entries(request, public_comments(_root(request))),
    )


def page_comments_channel(request, page_id: int) -> Channel:
    page = (
        Page.objects.live().public().descendant_of(_root(request), inclusive=True).get(pk=page_id)
    )
    link = common.page_url(page, request)
    return Channel(
        title=_("Comments on %(title)s") % {"title": page.title},
        link=link + "#comments",
        description=_("Reader comments on %(title)s") % {"title": page.title},
        guid=common.tag_uri("feed", f"comments/{page.pk}"),
        entries=comment_entries(request, public_comments(_root(request)).filter(page_id=page.pk)),
    )
