"""What a page's <head> tells machines: its canonical URL and description, robots
directives, Open Graph and Twitter card tags, feed and oEmbed discovery links, and JSON-LD.

`head_context` works from what the page's own context has already read, so an article's
head costs no queries beyond its image renditions (which Wagtail caches).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from news.models import ArticlePage, AuthorPage, HomePage, SectionPage, TopicIndexPage

from . import common, structured_data

RSS = "application/rss+xml"
ATOM = "application/atom+xml"
JSON_FEED = "application/feed+json"
ROBOTS = "max-image-preview:large"


@dataclass(frozen=True)
class Alternate:
    type: str
    title: str
    url: str


def _url(request, name: str, *args) -> str:
    return common.absolute(request, reverse(f"seo:{name}", args=args))


def _feeds(request, title: str, name: str, *args) -> list[Alternate]:
    return [
        Alternate(RSS, f"{title} (RSS)", _url(request, f"{name}-rss", *args)),
        Alternate(ATOM, f"{title} (Atom)", _url(request, f"{name}-atom", *args)),
    ]


def site_feeds(request) -> list[Alternate]:
    return [
        *_feeds(request, common.site_name(), "site"),
        Alternate(JSON_FEED, f"{common.site_name()} (JSON Feed)", _url(request, "site-json")),
    ]


def oembed_links(request, url: str, title: str) -> list[Alternate]:
    endpoint = _url(request, "oembed")
    return [
        Alternate("application/json+oembed", title, endpoint + "?" + urlencode({"url": url})),
        Alternate(
            "text/xml+oembed", title, endpoint + "?" + urlencode({"url": url, "format": "xml"})
        ),
    ]


def _listing_url(request, url: str) -> str:
    """A listing's own URL, with its page number beyond the first (each page of a listing
    is its own canonical)."""
    number = request.GET.get("page", "")
    if number.isdecimal() and len(number) <= 6 and int(number) > 1:
        return f"{url}?page={int(number)}"
    return url


def _crumb(page, request) -> tuple[str, str]:
    return (page.title, common.page_url(page, request))


def _home_crumb(request) -> tuple[str, str]:
    return (common.site_name(), common.home_url(request))


def head_context(context) -> dict:
    """The template context of news/seo/head.html for the page being rendered."""
    request = context.get("request")
    if request is None:
        return {}
    result = {"feeds": site_feeds(request), "robots": ROBOTS}
    page = context.get("page")
    if page is None:
        return result
    if getattr(request, "is_preview", False):
        # A preview is a draft: nothing in it is for search engines or feeds.
        return {"robots": "noindex, nofollow"}
    if isinstance(page, ArticlePage):
        return _article(context, page, request, result)
    if isinstance(page, HomePage):
        return _front(page, request, result)
    if isinstance(page, SectionPage):
        return _section(page, request, result)
    if isinstance(page, AuthorPage):
        return _author(page, request, result)
    if isinstance(page, TopicIndexPage) and context.get("topic") is not None:
        return _topic(context["topic"], page, request, result)
    return _generic(page, request, result)


def _basic(result, request, *, canonical: str, title: str, description: str, og_type: str):
    result.update(canonical=canonical, description=description)
    result["og"] = [
        ("og:type", og_type),
        ("og:title", title),
        *([("og:description", description)] if description else []),
        ("og:url", canonical),
        ("og:site_name", common.site_name()),
        ("og:locale", common.og_locale()),
    ]
    result["twitter"] = [
        ("twitter:card", "summary"),
        ("twitter:title", title),
        *([("twitter:description", description)] if description else []),
    ]
    return result


def _article(context, page, request, result):
    if "bylines" in context:
        authors = context["bylines"]
        section = context.get("section")
        topics = context.get("article_topics", [])
        updates = context.get("updates", [])
        comment_count = context.get("comment_count", 0)
    else:
        authors = [b.author for b in page.bylines.select_related("author")]
        section = page.get_parent().specific
        topics = list(page.topics.order_by("name"))
        updates = list(page.updates.all())
        comment_count = 0
    own_url = common.page_url(page, request)
    canonical = page.canonical_url or own_url
    title = page.seo_title or page.title
    description = page.search_description or common.summary(page)
    _basic(
        result,
        request,
        canonical=canonical,
        title=title,
        description=description,
        og_type="article",
    )
    image = page.social_image if page.social_image_id else page.lead_image
    versions = common.image_versions(image, [common.SHARING_FILTER], request)
    if versions:
        picture = versions[0]
        alt = common.image_alt(image, page.lead_image_caption if image == page.lead_image else "")
        result["og"] += [
            ("og:image", picture.url),
            ("og:image:type", picture.mime_type),
            ("og:image:width", str(picture.width)),
            ("og:image:height", str(picture.height)),
            ("og:image:alt", alt),
        ]
        result["twitter"][0] = ("twitter:card", "summary_large_image")
        result["twitter"] += [("twitter:image", picture.url), ("twitter:image:alt", alt)]
    modified = common.modified_at(page, updates) if page.last_published_at else None
    result["og"] += [
        *(
            [("article:published_time", page.first_published_at.isoformat())]
            if page.first_published_at
            else []
        ),
        *([("article:modified_time", modified.isoformat())] if modified else []),
        *([("article:section", section.title)] if section else []),
        *[("article:tag", topic.name) for topic in topics],
        *[("article:author", common.page_url(author, request)) for author in authors],
    ]
    if section is not None:
        result["feeds"] += _feeds(
            request, f"{section.title} · {common.site_name()}", "section", section.slug
        )
    result["feeds"] += _feeds(
        request, _("Comments on %(title)s") % {"title": page.title}, "page-comments", page.pk
    )
    result["oembed"] = oembed_links(request, own_url, page.title)
    trail = [_home_crumb(request)]
    if section is not None:
        trail.append(_crumb(section, request))
    trail.append((page.title, own_url))
    result["json_ld"] = structured_data.script(
        structured_data.graph(
            structured_data.news_article(
                page,
                request,
                authors=authors,
                section=section,
                topics=topics,
                updates=updates,
                comment_count=comment_count,
            ),
            structured_data.breadcrumbs(trail),
        )
    )
    return result


def _front(page, request, result):
    _basic(
        result,
        request,
        canonical=common.home_url(request),
        title=page.seo_title or common.site_name(),
        description=page.search_description or page.intro,
        og_type="website",
    )
    result["feeds"] += _feeds(
        request, _("Comments on %(site)s") % {"site": common.site_name()}, "comments"
    )
    result["json_ld"] = structured_data.script(
        structured_data.graph(structured_data.website(request), structured_data.publisher(request))
    )
    return result


def _section(page, request, result):
    _basic(
        result,
        request,
        canonical=_listing_url(request, common.page_url(page, request)),
        title=page.seo_title or page.title,
        description=page.search_description or page.intro,
        og_type="website",
    )
    result["feeds"] += _feeds(request, f"{page.title} · {common.site_name()}", "section", page.slug)
    result["json_ld"] = structured_data.script(
        structured_data.graph(
            structured_data.breadcrumbs([_home_crumb(request), _crumb(page, request)])
        )
    )
    return result


def _author(page, request, result):
    bio = " ".join(strip_tags(page.bio).split())
    _basic(
        result,
        request,
        canonical=_listing_url(request, common.page_url(page, request)),
        title=page.seo_title or page.title,
        description=page.search_description or Truncator(bio).words(common.SUMMARY_WORDS),
        og_type="profile",
    )
    result["feeds"] += _feeds(request, f"{page.title} · {common.site_name()}", "author", page.slug)
    trail = [_home_crumb(request)]
    trail += [_crumb(p, request) for p in _ancestors_below_home(page, request)]
    trail.append(_crumb(page, request))
    result["json_ld"] = structured_data.script(
        structured_data.graph(
            structured_data.profile_page(page, request), structured_data.breadcrumbs(trail)
        )
    )
    return result


def _topic(topic, index_page, request, result):
    url = common.absolute(
        request,
        index_page.get_url(request) + index_page.reverse_subpage("topic", args=[topic.slug]),
    )
    _basic(
        result,
        request,
        canonical=_listing_url(request, url),
        title=topic.name,
        description=_("Articles about %(topic)s") % {"topic": topic.name},
        og_type="website",
    )
    result["feeds"] += _feeds(request, f"{topic.name} · {common.site_name()}", "topic", topic.slug)
    result["json_ld"] = structured_data.script(
        structured_data.graph(
            structured_data.breadcrumbs(
                [_home_crumb(request), _crumb(index_page, request), (topic.name, url)]
            )
        )
    )
    return result


def _generic(page, request, result):
    _basic(
        result,
        request,
        canonical=_listing_url(request, common.page_url(page, request)),
        title=page.seo_title or page.title,
        description=page.search_description,
        og_type="website",
    )
    trail = [_home_crumb(request)]
    trail += [_crumb(p, request) for p in _ancestors_below_home(page, request)]
    trail.append(_crumb(page, request))
    result["json_ld"] = structured_data.script(
        structured_data.graph(structured_data.breadcrumbs(trail))
    )
    return result


def _ancestors_below_home(page, request):
    """The pages between the site's front page and `page`, top down."""
    site = common.site_for(request)
    depth = site.root_page.depth if site is not None else 1
    return list(page.get_ancestors().filter(depth__gt=depth))
