"""schema.org structured data (JSON-LD) for articles, authors, listings and the front page,
as Google's article, breadcrumb, profile page and site guidelines describe them."""

import json

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from . import common

# Characters that could end the <script> element or open a comment inside it, written as
# JSON escapes so that the data means the same and no text inside can break out.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def script(data: dict) -> SafeString:
    """`data` as a <script type="application/ld+json"> element, safe whatever it contains."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def graph(*nodes) -> dict:
    return {"@context": "https://schema.org", "@graph": [node for node in nodes if node]}


def _iso(when) -> str | None:
    return when.isoformat() if when is not None else None


def _compact(data: dict) -> dict:
    """`data` without empty values, which schema.org validators flag."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def publisher_id(request) -> str:
    return common.home_url(request) + "#publisher"


def publisher(request) -> dict:
    width, height = common.LOGO_SIZE
    return {
        "@type": "NewsMediaOrganization",
        "@id": publisher_id(request),
        "name": common.site_name(),
        "url": common.home_url(request),
        "logo": {
            "@type": "ImageObject",
            "url": common.logo_url(request),
            "width": width,
            "height": height,
        },
    }


def _organization_author(request) -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "@id": publisher_id(request),
        "name": common.site_name(),
        "url": common.home_url(request),
    }


def website(request) -> dict:
    home = common.home_url(request)
    search = common.absolute(request, reverse("search"))
    return {
        "@type": "WebSite",
        "@id": home + "#website",
        "name": common.site_name(),
        "url": home,
        "inLanguage": common.language_tag(),
        "publisher": {"@id": publisher_id(request)},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": search + "?q={search_term_string}"},
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumbs(trail: list[tuple[str, str]]) -> dict:
    """A BreadcrumbList of (name, absolute URL) pairs, from the front page down."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def news_article(
    article, request, *, authors, section, topics, updates, comment_count: int
) -> dict:
    """The NewsArticle of `article`, from what its page has already read: its byline
    authors, its section, its topics and its updates (a correction also moves
    dateModified)."""
    url = common.page_url(article, request)
    images = common.image_versions(
        article.lead_image or article.social_image, common.STRUCTURED_DATA_FILTERS, request
    )
    return _compact(
        {
            "@type": "NewsArticle",
            "@id": url + "#article",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "url": url,
            "headline": article.title,
            "description": common.summary(article),
            "image": [
                {"@type": "ImageObject", "url": v.url, "width": v.width, "height": v.height}
                for v in images
            ],
            "datePublished": _iso(article.first_published_at),
            "dateModified": _iso(common.modified_at(article, updates)),
            "author": [
                {"@type": "Person", "name": author.title, "url": common.page_url(author, request)}
                for author in authors
            ]
            # Without a byline the newsroom itself is the author, as Google accepts.
            or [_organization_author(request)],
            "publisher": publisher(request),
            "articleSection": section.title if section else None,
            "keywords": [topic.name for topic in topics],
            "dateline": article.dateline,
            "inLanguage": common.language_tag(),
            "commentCount": comment_count,
            "isAccessibleForFree": True,
            "isBasedOn": article.canonical_url,
            "correction": [
                {
                    "@type": "CorrectionComment",
                    "text": update.text,
                    "datePublished": _iso(update.published_at),
                }
                for update in common.corrections(updates)
            ],
        }
    )


def profile_page(author, request) -> dict:
    """The ProfilePage of an author, whose main entity is the Person."""
    url = common.page_url(author, request)
    photos = common.image_versions(author.photo, ["fill-400x400"], request)
    return _compact(
        {
            "@type": "ProfilePage",
            "@id": url,
            "url": url,
            "name": author.title,
            "dateCreated": _iso(author.first_published_at),
            "dateModified": _iso(author.last_published_at),
            "mainEntity": _compact(
                {
                    "@type": "Person",
                    "@id": url + "#person",
                    "name": author.title,
                    "url": url,
                    "jobTitle": author.role,
                    "description": " ".join(strip_tags(author.bio).split()),
                    "image": photos[0].url if photos else None,
                    "worksFor": {"@id": publisher_id(request)},
                }
            ),
        }
    )
