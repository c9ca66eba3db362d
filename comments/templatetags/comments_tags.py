import time

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from comments import services
from comments.forms import CommentForm
from comments.models import Comment, Thread
from comments.moderation.checks import form_timestamp
from comments.params import whole_number
from comments.ranking import DEFAULT_SORT, SORTS, sort_of
from comments.readers import own_comment_ids, pending_pages
from comments.thread import (
    THREAD_FIELDS,
    count_heading,
    fetch_thread,
    render_picks,
    render_thread,
)

register = template.Library()

SORT_LABELS = {"oldest": _("Oldest"), "newest": _("Newest"), "best": _("Best")}


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, page):
    """The comment section under a page: count, thread, and the form (or 'closed')."""
    request = context["request"]
    # What anonymous readers get is cached and shared, so it holds nobody's own comments;
    # a reader with a comment awaiting moderation here gets a page of their own.
    personal = request.user.is_authenticated or page.pk in pending_pages(request)
    own = own_comment_ids(request) if personal else []
    # The article page may have read the count already (it rides on another query).
    public_count = context.get("comment_count")
    if public_count is None:
        public_count = (
            Thread.objects.filter(page_id=page.pk).values_list("public_count", flat=True).first()
            or 0
        )
    # When this render started: the live updates announce what became public after it.
    rendered_ms = int(time.time() * 1000)
    sort = sort_of(request.GET.get("sort"))
    thread = fetch_thread(
        page_id=page.pk,
        own_ids=own,
        number=request.GET.get("cpage"),
        public_count=public_count,
        sort=sort,
    )
    is_open = services.comments_open(page)
    form = getattr(request, "comment_form", None)
    reply_to = None
    parent_id = form.data.get("parent") if form is not None else request.GET.get("replytocom")
    parent_id = whole_number(parent_id)
    if is_open and parent_id:
        reply_to = (
            Comment.objects.public()
            .filter(pk=parent_id, page_id=page.pk)
            .only("id", "name")
            .first()
        )
    if form is None:
        form = CommentForm(
            initial={"page": page.pk, "parent": reply_to.pk if reply_to else None},
            user=request.user,
        )
    page_url = page.get_url(request)
    picks = []
    if settings.MASTHEAD_COMMENTS_PICKS_FIRST:
        picks = list(
            Comment.objects.public()
            .filter(page_id=page.pk, featured=True, kind=Comment.Kind.COMMENT)
            .order_by("path")
            .values_list(*THREAD_FIELDS, named=True)
        )
    return {
        "picks_html": render_picks(picks, reply_url=page_url) if picks else "",
        "form_ts": form_timestamp(),
        "request": request,
        "page": page,
        "page_url": page_url,
        "heading": count_heading(public_count),
        "thread": thread,
        "sort": sort,
        "sorts": [(name, SORT_LABELS[name]) for name in SORTS],
        "sort_query": "" if sort == DEFAULT_SORT else f"&sort={sort}",
        "rendered_ms": rendered_ms,
        "live_poll": settings.MASTHEAD_COMMENTS_LIVE_POLL if settings.MASTHEAD_COMMENTS_LIVE else 0,
        "thread_html": render_thread(thread, own_ids=own, can_reply=is_open, reply_url=page_url),
        "open": is_open,
        "form": form,
        "reply_to": reply_to,
        "staff": form.staff,
        "user": request.user,
        "message": getattr(request, "comment_message", ""),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def comment_count_link(page):
    """· 3 Comments, linked to the thread; uses the listing's annotation when present."""
    count = getattr(page, "public_comment_count", None)
    if count is None:
        count = services.public_count(page.pk)
    return format_html(
        ' · <a class="comment-count" href="{}#comments">{}</a>',
        page.url,
        count_heading(count) if count else "0 Comments",
    )


@register.inclusion_tag("comments/scripts.html")
def comment_scripts():
    return {}
