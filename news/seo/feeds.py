"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents of the channels in `channels`, served with
an ETag, conditional GET and the WebSub hub (see `http`)."""

import json

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.templatetags.static import static
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.http import http_date

from comments.text import xml_safe

from . import common
from .channels import Channel, site_channel
from .http import feed_response

DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MEDIA = "http://search.yahoo.com/mrss/"
WFW = "http://wellformedweb.org/CommentAPI/"
SLASH = "http://purl.org/rss/1.0/modules/slash/"
THREAD = "http://purl.org/syndication/thread/1.0"


# RSS and Atom ------------------------------------------------------------------------------


def _xml_safe(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(v) for v in value)
    return value


class XmlSafe:
    """Text stored before the comment rules refused such characters, or imported from
    another system, may hold what XML 1.0 cannot carry: control characters (Django's
    writer raises on them) and U+FFFE, U+FFFF or surrogates (which make a document no
    parser accepts). They are dropped or replaced as the document is written."""

    def write(self, outfile, encoding):
        self.feed = _xml_safe(self.feed)
        self.items = [_xml_safe(item) for item in self.items]
        super().write(outfile, encoding)


class RssFeed(XmlSafe, Rss201rev2Feed):
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


class AtomFeed(XmlSafe, Atom1Feed):
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
