from django import template
from wagtail.models import Site

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
