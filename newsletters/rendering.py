"""An issue as mail: responsive HTML in a table layout with its CSS inlined (css-inline;
mail clients drop <style> and <link>), a plain-text part, absolute addresses only. The
reader's unsubscribe links are placeholders that the outbox fills in for each copy
(mailing.services.body_of)."""

import css_inline
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from mailing import services as mailing

from .models import Issue

_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return mailing.base_url() + (url if url.startswith("/") else "/" + url)


def subject_of(issue: Issue) -> str:
    day = formats.date_format(issue.date, "F j, Y")
    return issue.subject or f"{issue.newsletter.name} — {day}"


def entries(issue: Issue) -> list[dict]:
    """What the mail shows of each article, in the issue's order."""
    rows = []
    items = issue.items.select_related("article__lead_image").order_by("sort_order", "pk")
    for item in items:
        article = item.article
        image = None
        if article.lead_image is not None:
            rendition = article.lead_image.get_rendition("fill-1120x630")
            image = {
                "url": absolute(rendition.url),
                "alt": article.lead_image.default_alt_text or article.title,
                "width": 560,
                "height": 315,
            }
        authors = [b.author.title for b in article.bylines.select_related("author")]
        rows.append(
            {
                "title": article.title,
                "url": absolute(article.get_url() or article.full_url or ""),
                "blurb": item.blurb or article.dek,
                "image": image,
                "byline": _(" and ").join(authors) if authors else "",
                "published": article.first_published_at,
            }
        )
    return rows


def render_issue(issue: Issue) -> tuple[str, str, str]:
    """(subject, html, text) of the issue, as every subscriber gets it."""
    newsletter = issue.newsletter
    context = {
        "issue": issue,
        "newsletter": newsletter,
        "subject": subject_of(issue),
        "entries": entries(issue),
        "site_name": mailing.site_name(),
        "site_url": mailing.base_url() + "/",
        "browser_url": absolute(issue.get_absolute_url()),
        "archive_url": absolute(newsletter.get_absolute_url()),
        "manage_url": absolute(reverse("commenters:start")),
        "unsubscribe_url": mailing.UNSUBSCRIBE_PLACEHOLDER,
        "unsubscribe_all_url": mailing.UNSUBSCRIBE_ALL_PLACEHOLDER,
    }
    html = _inliner.inline(render_to_string("newsletters/mail/issue.html", context))
    text = render_to_string("newsletters/mail/issue.txt", context)
    return context["subject"], html, text


def web_copy(content: str, *, unsubscribe: str | None = None, relative: bool = False) -> str:
    """The mail as kept for the archive (or sent as a test): no reader's links in it.
    `relative`: the site's own addresses start at "/" (the archive page is served on the
    site itself, under whatever name it is reached by)."""
    target = unsubscribe or absolute(reverse("newsletters:index"))
    content = content.replace(mailing.UNSUBSCRIBE_PLACEHOLDER, target).replace(
        mailing.UNSUBSCRIBE_ALL_PLACEHOLDER, target
    )
    if relative:
        base = mailing.base_url()
        content = content.replace(f'"{base}/', '"/')
    return content
