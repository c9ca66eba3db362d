from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.models import Site

from comments.services import comments_open, public_count
from comments.templatetags.comments_tags import comment_count_link
from news.models import SectionPage

register = template.Library()


@register.inclusion_tag("news/includes/section_nav.html", takes_context=True)
def section_nav(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    sections = SectionPage.objects.live().public().in_menu().order_by("path")
    if site is not None:
        sections = sections.descendant_of(site.root_page)
    current_path = getattr(context.get("page"), "path", "")
    return {
        "sections": [
            (s, s.get_url(request), current_path.startswith(s.path))
            for s in sections.only("title", "url_path", "path")
        ],
        "request": request,
    }


@register.inclusion_tag("news/includes/byline.html", takes_context=True)
def byline(context, authors):
    return {"authors": authors, "request": context.get("request")}


@register.simple_tag
def card_comments(article):
    """What a listing card says of an article's comments, as WordPress themes do: the count
    linked to the thread; "Leave a comment" linked to the form while there are none yet;
    nothing when there are none and comments are closed."""
    count = getattr(article, "public_comment_count", None)
    if count is None:
        count = public_count(article.pk)
    if count:
        return comment_count_link(article)
    if not comments_open(article):
        return ""
    return format_html(
        ' · <a class="comment-count" href="{}#respond">{}</a>', article.url, _("Leave a comment")
    )
