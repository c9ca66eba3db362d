"""The JSON a page's script polls for live counts and new comments (see comments.live)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.models import Page

from . import live, services
from .errors import NotFound, ValidationFailed
from .models import Comment
from .params import whole_number
from .thread import render_comment
from .views import _error_json, json_errors

MAX_IDS = live.NEW_LIMIT


def _public_page(page_id: int):
    return Page.objects.live().public().filter(pk=page_id).first()


def _cacheable(response):
    response["Cache-Control"] = f"public, max-age={settings.MASTHEAD_COMMENTS_LIVE_MAX_AGE}"
    return response


@require_GET
@json_errors
def live_state(request, page_id: int):
    """{count, count_text, likes: {id: n}, new: [[id, parent]], poll}: `new` lists the
    comments that became public after `since` (milliseconds since the epoch)."""
    raw = request.GET.get("since", "")
    since = whole_number(raw, digits=15)
    if raw and since is None:
        return _error_json(ValidationFailed(fields={"since": [_("Give a time in milliseconds.")]}))
    if not settings.MASTHEAD_COMMENTS_LIVE and since:
        return _error_json(NotFound(_("Live updates are turned off."), code="live_off"))
    body, etag = live.state(page_id, since)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    return _cacheable(response)


@require_GET
@json_errors
def live_comments(request, page_id: int):
    """The HTML of public comments on the page, for the script to show: ?ids=1,2,3."""
    ids = [whole_number(p) for p in request.GET.get("ids", "").split(",") if p]
    if not ids or len(ids) > MAX_IDS or None in ids:
        return _error_json(
            ValidationFailed(fields={"ids": [_("Give up to %(n)d comment ids.") % {"n": MAX_IDS}]})
        )
    page = _public_page(page_id)
    if page is None:
        return _error_json(NotFound(_("That page does not exist.")))
    can_reply = services.comments_open(page)
    comments = (
        Comment.objects.public()
        .filter(page_id=page_id, kind=Comment.Kind.COMMENT, pk__in=ids)
        .order_by("path")
    )
    data = {
        "comments": [
            {
                "id": c.pk,
                "parent": c.parent_id,
                "html": render_comment(c, own_ids=(), can_reply=can_reply, reply_url=page.url)
                + "</li>",
            }
            for c in comments
        ]
    }
    return _cacheable(JsonResponse(data))
