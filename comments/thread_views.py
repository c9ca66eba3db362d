"""Reader-facing views of the thread beyond posting: likes, the live state a page polls,
a long branch on a page of its own, and the way to the newest comment."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page

from . import services
from .errors import ApplicationError
from .models import Comment
from .readers import own_comment_ids, pending_pages, reader_key, remember_reader_key
from .requests import client_ip, wants_json
from .thread import comment_address, fetch_branch, render_thread, root_id_of
from .views import SeeOther, _csrf_failure, _error_json, _parse_body, json_errors


def _thread_url(comment, own=()) -> str:
    """The address of the comment where the thread shows it."""
    page = Page.objects.filter(pk=comment.page_id).first()
    if page is None:
        return "/"
    return comment_address(page.url, comment, own)


@csrf_exempt
@require_POST
@json_errors
def like_comment(request, comment_id: int):
    """Like (or, with value=-1 where dislikes are on, dislike) a public comment: JSON for
    scripts, else a 303 back to the comment."""
    rejected = _csrf_failure(request)
    if rejected is not None:
        return rejected
    as_json = wants_json(request)
    key = reader_key(request)
    new_key = key is None
    if new_key:
        key = get_random_string(32)
    try:
        data = _parse_body(request)
        raw = str(data.get("value", "1")).strip()
        value = int(raw) if raw in ("1", "-1") else 0
        comment = services.like_comment(
            comment_id=comment_id, reader_key=key, ip_address=client_ip(request), value=value
        )
    except ApplicationError as error:
        if as_json:
            response = _error_json(error)
        else:
            target = Comment.objects.public().filter(pk=comment_id).first()
            if target is None and error.status == 404:
                raise Http404(error.message) from None
            response = TemplateResponse(
                request,
                "comments/like.html",
                {"message": error.message, "back": _thread_url(target) if target else "/"},
                status=error.status,
            )
            for header, value in error.headers.items():
                response[header] = value
    else:
        if as_json:
            response = JsonResponse(
                {
                    "comment": comment.pk,
                    "likes": comment.likes,
                    "dislikes": comment.dislikes,
                    "value": value,
                },
                status=201,
            )
        else:
            response = SeeOther(_thread_url(comment, own_comment_ids(request)))
    if new_key:
        remember_reader_key(response, request, key)
    return response


def newest_comment(request, page_id: int):
    """/comments/newest/N/ goes to the newest public comment under page N."""
    comment = (
        Comment.objects.public()
        .filter(page_id=page_id, kind=Comment.Kind.COMMENT, is_removed=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    page = Page.objects.live().public().filter(pk=page_id).first()
    if page is None:
        raise Http404(_("That page does not exist."))
    if comment is None:
        return SeeOther(f"{page.url}#comments")
    return SeeOther(comment_address(page.url, comment))


def branch(request, comment_id: int):
    """A top-level comment with every reply under it, on a page of its own: where the
    article page's "Show N more replies" leads without JavaScript."""
    own = own_comment_ids(request)
    comment = Comment.objects.filter(pk=comment_id).visible_to(own).first()
    page = comment and Page.objects.live().public().filter(pk=comment.page_id).first()
    if page is None:
        raise Http404(_("That comment does not exist or is not visible."))
    if comment.depth > 1:
        return SeeOther(f"/comments/{root_id_of(comment.path)}/replies/#{comment.anchor}")
    personal = bool(own) and page.pk in pending_pages(request)
    thread = fetch_branch(comment, own_ids=own if personal else ())
    response = TemplateResponse(
        request,
        "comments/branch.html",
        {
            "comment": comment,
            "page": page,
            "back": comment_address(page.url, comment),
            "thread_html": render_thread(
                thread,
                own_ids=own if personal else (),
                can_reply=services.comments_open(page),
                reply_url=page.url,
                fold=0,
            ),
        },
    )
    response["Cache-Control"] = (
        "private, no-cache"
        if personal
        else f"public, max-age={settings.MASTHEAD_COMMENTS_LIVE_MAX_AGE}"
    )
    return response
