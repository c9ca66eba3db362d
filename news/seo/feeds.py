"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds of articles and of reader comments.

Every feed is built from `Entry` objects prepared in a fixed number of queries, and served
through `feed_response`, which adds an ETag, answers conditional requests with 304 and
names the WebSub hub when one is configured. Items are identified by tag: URIs built from
primary keys, so editing, moving or republishing an article never makes it new to readers.
"""

import dataclasses
import datetime as dt
import hashlib
import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape, strip_tags
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Page

from comments.models import Comment
from news.models import ArticlePage, ArticleTopic, AuthorPage, SectionPage, Topic

from . import common

FEED_LENGTH = 30
COMMENT_FEED_LENGTH = 50
CACHE_SECONDS = 300

DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MEDIA = "http://search.yahoo.com/mrss/"
WFW = "http://wellformedweb.org/CommentAPI/"
SLASH = "http://purl.org/rss/1.0/modules/slash/"
THREAD = "http://purl.org/syndication/thread/1.0"


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


# RSS and Atom ------------------------------------------------------------------------------


class RssFeed(Rss201rev2Feed):
    """RSS 2.0 with every byline (dc:creator), full text (content:encoded), the lead image
    (enclosure and media:content), the comments feed (wfw) and the WebSub hub."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:dc": DC,
            "xmlns:content": CONTENT,
            "xmlns:media": MEDIA,
            "xmlns:wfw": WFW,
            "xmlns:slash": SLASH,
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub"]})
        handler.startElement("image", {})
        handler.addQuickElement("url", self.feed["logo"])
        handler.addQuickElement("title", self.feed["title"])
        handler.addQuickElement("link", self.feed["link"])
        handler.endElement("image")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        if item["content_html"]:
            handler.addQuickElement("content:encoded", item["content_html"])
        if item["image"] is not None:
            image = item["image"]
            handler.startElement(
                "media:content",
                {
                    "url": image.url,
                    "medium": "image",
                    "type": image.mime_type,
                    "width": str(image.width),
                    "height": str(image.height),
                },
            )
            # No media:description: feed readers (feedparser among them) take it for the
            # item's own description.
            if item["image_credit"]:
                handler.addQuickElement("media:credit", item["image_credit"])
            handler.endElement("media:content")
        if item["comments_feed_url"]:
            handler.addQuickElement("wfw:commentRss", item["comments_feed_url"])
        if item["comment_count"] is not None:
            handler.addQuickElement("slash:comments", str(item["comment_count"]))


class AtomFeed(Atom1Feed):
    """Atom 1.0 with every byline, full text, the lead image as an enclosure link, the
    comments feed (RFC 4685 replies link) and the WebSub hub."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:thr": THREAD}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub"]})
        handler.addQuickElement("logo", self.feed["logo"])

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item["content_html"]:
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        if item["comments_atom_url"]:
            handler.addQuickElement(
                "link",
                "",
                {
                    "rel": "replies",
                    "type": "application/atom+xml",
                    "href": item["comments_atom_url"],
                    "thr:count": str(item["comment_count"] or 0),
                },
            )


class ChannelFeed(Feed):
    """A Django syndication feed of a `Channel`. One instance serves one request."""

    feed_type = RssFeed
    item_guid_is_permalink = False

    def __init__(self, channel_function):
        self.channel_function = channel_function

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs) -> Channel:
        return self.channel_function(request, *args, **kwargs)

    def title(self, obj):
        return obj.title

    def link(self, obj):
        return obj.link

    def description(self, obj):
        return obj.description

    def subtitle(self, obj):
        return obj.description

    def feed_guid(self, obj):
        return obj.guid

    def author_name(self, obj):
        # Atom wants an author for every entry; the publisher stands in where there is no
        # byline.
        return common.site_name()

    @property
    def language(self):
        return common.language_tag()

    def feed_extra_kwargs(self, obj):
        return {"hub": settings.MASTHEAD_WEBSUB_HUB, "logo": common.logo_url(self.request)}

    def items(self, obj):
        return obj.entries

    def item_title(self, entry):
        return entry.title

    def item_link(self, entry):
        return entry.link

    def item_description(self, entry):
        return escape(entry.summary) if entry.summary else None

    def item_guid(self, entry):
        return entry.guid

    def item_pubdate(self, entry):
        return entry.published

    def item_updateddate(self, entry):
        return entry.updated

    def item_categories(self, entry):
        return entry.categories

    def item_comments(self, entry):
        return entry.comments_url

    def item_enclosures(self, entry):
        if entry.image is None:
            return []
        return [Enclosure(entry.image.url, str(entry.image.length), entry.image.mime_type)]

    def item_extra_kwargs(self, entry):
        return {
            "authors": entry.authors,
            "content_html": entry.content_html,
            "image": entry.image,
            "image_credit": entry.image_credit,
            "comments_feed_url": entry.comments_feed_url,
            "comments_atom_url": entry.comments_atom_url,
            "comment_count": entry.comment_count,
        }


def feed_view(channel_function, feed_type):
    """A view serving `channel_function`'s channel as an RSS or Atom feed."""

    def view(request, *args, **kwargs):
        feed = ChannelFeed(channel_function)
        feed.feed_type = feed_type
        try:
            response = feed(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("No such feed.") from None
        return feed_response(request, response)

    return view


# JSON Feed ---------------------------------------------------------------------------------


def json_feed(channel: Channel, request) -> dict:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1) of `channel`."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": channel.title,
        "home_page_url": channel.link,
        "feed_url": common.absolute(request, request.path),
        "description": channel.description,
        "favicon": common.absolute(request, static("masthead/favicon.svg")),
        "authors": [{"name": common.site_name(), "url": common.home_url(request)}],
        "language": common.language_tag(),
    }
    if settings.MASTHEAD_WEBSUB_HUB:
        document["hubs"] = [{"type": "WebSub", "url": settings.MASTHEAD_WEBSUB_HUB}]
    items = []
    for entry in channel.entries:
        item = {"id": entry.guid, "url": entry.link, "title": entry.title}
        if entry.content_html:
            item["content_html"] = entry.content_html
        else:
            item["content_text"] = entry.summary
        if entry.summary:
            item["summary"] = entry.summary
        if entry.image is not None:
            item["image"] = entry.image.url
        item["date_published"] = entry.published.isoformat()
        item["date_modified"] = entry.updated.isoformat()
        if entry.authors:
            item["authors"] = [
                {"name": name, **({"url": url} if url else {})} for name, url in entry.authors
            ]
        if entry.categories:
            item["tags"] = entry.categories
        items.append(item)
    document["items"] = items
    return document


def json_feed_view(request):
    channel = site_channel(request)
    response = HttpResponse(
        json.dumps(json_feed(channel, request), ensure_ascii=False, indent=1),
        content_type="application/feed+json; charset=utf-8",
    )
    if channel.entries:
        newest = max(max(e.updated, e.published) for e in channel.entries)
        response.headers["Last-Modified"] = http_date(newest.timestamp())
    return feed_response(request, response)


# Conditional GET and WebSub ----------------------------------------------------------------


def feed_response(request, response):
    """Finish a feed response: the WebSub hub and self links when a hub is configured, then
    as `conditional_response`."""
    if settings.MASTHEAD_WEBSUB_HUB and response.status_code == 200:
        self_url = common.absolute(request, request.path)
        response.headers["Link"] = (
            f'<{settings.MASTHEAD_WEBSUB_HUB}>; rel="hub", <{self_url}>; rel="self"'
        )
    return conditional_response(request, response)


def conditional_response(request, response):
    """An ETag of the response's content, caching for a CDN, and a 304 when the reader
    already has this version (by ETag, or by Last-Modified when it sends no ETag)."""
    if response.status_code != 200:
        return response
    digest = hashlib.sha256(response.content).hexdigest()[:32]
    response.headers["ETag"] = quote_etag(digest)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    last_modified = parse_http_date_safe(response.headers.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=response.headers["ETag"], last_modified=last_modified, response=response
    )
