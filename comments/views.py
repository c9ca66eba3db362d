"""Reader-facing comment views: post (form or JSON), permalink, author edit and delete.

Form posts and JSON posts go through the same view and the same service; a request that
asks for JSON (Accept: application/json) gets JSON, anything else gets HTML.
"""

import functools
import hashlib
import hmac
import json
import logging
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template.response import TemplateResponse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Page

from . import outage, services, text
from .errors import (
    ApplicationError,
    NotFound,
    Refused,
    ServerError,
    TooLarge,
    Unavailable,
    ValidationFailed,
)
from .forms import HONEYPOT, CommentEditForm, CommentForm, ReportForm
from .models import Comment
from .params import whole_number
from .readers import (
    COMMENTER_COOKIE,
    own_comment_ids,
    remember_editable,
    remember_own,
    remember_pending,
)
from .requests import client_ip, foreign_origin, wants_json
from .selectors import page_to_comment_on
from .thread import comment_address, count_heading, permalink_time, render_comment

logger = logging.getLogger("django.request")


class SeeOther(HttpResponseRedirect):
    status_code = 303


def json_errors(view):
    """A request that asks for JSON gets the API's one error shape whatever goes wrong: a
    missing page or comment is a 404, a refusal a 403, a body over the size limit a 413,
    a database that cannot be reached a 503 with Retry-After, and any other failure a 500,
    logged and signalled as Django does for its own error page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if not wants_json(request):
                raise
            return _error_json(NotFound(_("No such comment or page.")))
        except PermissionDenied:
            if not wants_json(request):
                raise
            return _error_json(Refused())
        except RequestDataTooBig:
            if not wants_json(request):
                raise
            return _error_json(TooLarge())
        except Exception as error:
            if not wants_json(request):
                raise
            got_request_exception.send(sender=None, request=request)
            logger.error(
                "Internal Server Error: %s",
                request.path,
                exc_info=True,
                extra={"status_code": 500, "request": request},
            )
            return _error_json(Unavailable() if outage.is_outage(error) else ServerError())

    return wrapped


def _error_json(error: ApplicationError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.status)
    for header, value in error.headers.items():
        response[header] = value
    return response


def _form_errors(form) -> dict:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def _add_errors(form, error: ApplicationError) -> None:
    """Show the error's messages at their fields (once), or above the form."""
    if not error.fields:
        form.add_error(None, error.message)
    for field, messages in error.fields.items():
        name = field if field in form.fields else None
        shown = form.errors.get(name or "__all__", [])
        for message in messages:
            if message not in shown:
                form.add_error(name, message)


def _render_page_with_form(request, page, form, *, status, message=""):
    """The article page again, with the reader's text and a message at each field."""
    request.comment_form = form
    request.comment_message = message
    request.method = "GET"
    page = Page.objects.get(pk=page.pk).specific  # all of it, to render
    response = page.serve(request)
    if hasattr(response, "render"):
        response.render()
    response.status_code = status
    return response


def _parse_body(request):
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ValidationFailed(_("The request body is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise ValidationFailed(_("The request body must be a JSON object."))
        # Lone surrogates become U+FFFD, as in a form post.
        return {
            text.as_unicode(k): text.as_unicode("" if v is None else str(v))
            for k, v in data.items()
        }
    return request.POST


def _csrf_failure(request):
    """Signed-in users post with Django's CSRF token. Anonymous readers post from cached
    pages that carry no token (it would be someone else's), so for them the browser's
    Origin header must name this site, and cookies they hold are SameSite=Lax."""
    if request.user.is_authenticated:
        if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is None:
            return None
        return _error_json(
            Refused(
                _("Your session has expired. Please reload the page and post again."),
                code="csrf_failed",
            )
        )
    if foreign_origin(request):
        return _error_json(Refused(_("This comment was not sent from this site.")))
    return None


@csrf_exempt
@require_POST
@json_errors
def post_comment(request):
    rejected = _csrf_failure(request)
    if rejected is not None:
        return rejected
    as_json = wants_json(request)
    try:
        data = _parse_body(request)
    except ApplicationError as error:
        return _error_json(error)
    page_id = whole_number(data.get("page"))
    page = page_to_comment_on(page_id) if page_id else None
    if page is None:
        error = NotFound(_("The article you are commenting on does not exist."))
        if as_json:
            return _error_json(error)
        raise Http404(error.message)

    if "Idempotency-Key" in request.headers and not data.get("submission"):
        data = data.copy()
        data["submission"] = request.headers["Idempotency-Key"]
    form = CommentForm(data, user=request.user)
    try:
        if not form.is_valid():
            raise ValidationFailed(fields=_form_errors(form))
        parent = None
        if form.cleaned_data.get("parent"):
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"], page_id=page.pk).first()
            if parent is None:
                raise ValidationFailed(
                    fields={"parent": [_("The comment you are replying to is not available.")]}
                )
        comment = services.submit_comment(
            page=page,
            body=form.cleaned_data["body"],
            name=form.cleaned_data.get("name", ""),
            email=form.cleaned_data.get("email", ""),
            website=form.cleaned_data.get("website", ""),
            parent=parent,
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            user=request.user,
            traps={"honeypot": data.get(HONEYPOT, ""), "timestamp": data.get("ts", "")},
            own_ids=own_comment_ids(request),
            subscribe=[
                choice
                for choice, field in (("replies", "notify_replies"), ("page", "follow_page"))
                if form.cleaned_data.get(field)
            ],
            submission_key=form.cleaned_data.get("submission") or "",
        )
    except ApplicationError as error:
        if as_json:
            return _error_json(error)
        _add_errors(form, error)
        response = _render_page_with_form(request, page, form, status=error.status)
        for header, value in error.headers.items():
            response[header] = value
        return response

    own = [comment.pk, *own_comment_ids(request)]
    if as_json:
        count = services.public_count(page.pk)
        response = JsonResponse(
            {
                "comment": {
                    "id": comment.pk,
                    "parent": comment.parent_id,
                    # Held, spam and trash all read "pending": the poster is never
                    # told more (a ban or a rule would name someone's address).
                    "status": "approved" if comment.is_public else "pending",
                    "anchor": comment.anchor,
                    "name": comment.name,
                    "created_at": comment.created_at.isoformat(),
                    "created_display": permalink_time(comment.created_at),
                    # Put into the article page the reader is on, so its reply link is
                    # relative to that page.
                    "html": render_comment(comment, own_ids=own, can_reply=True, reply_url="")
                    + "</li>",
                },
                "count": count,
                "count_text": count_heading(count),
            },
            status=201,
        )
    else:
        response = SeeOther(comment_address(page.url, comment, own))
    remember_own(response, request, comment.pk)
    if comment.status != Comment.Status.APPROVED:
        remember_pending(response, request, page.pk)
    remember_editable(response, request, comment)
    if form.cleaned_data.get("save_commenter"):
        response.set_cookie(
            COMMENTER_COOKIE,
            # URL-encoded JSON, so the cookie needs no quoting and a script can read it.
            quote(
                safe="",
                string=json.dumps(
                    {"name": comment.name, "email": comment.email, "website": comment.website},
                    separators=(",", ":"),
                ),
            ),
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=request.is_secure(),
        )
    elif "name" in form.fields:
        response.delete_cookie(COMMENTER_COOKIE, samesite="Lax")
    return response


def permalink(request, comment_id: int):
    """/comments/N/ goes to the comment on whichever page of the thread holds it."""
    own = own_comment_ids(request)
    comment = Comment.objects.filter(pk=comment_id).visible_to(own).first() if comment_id else None
    if comment is None:
        raise Http404(_("That comment does not exist or is not visible."))
    page = Page.objects.live().public().filter(pk=comment.page_id).first()
    if page is None:
        raise Http404
    return SeeOther(comment_address(page.url, comment, own))


def _own(request, comment_id):
    """The comment if this browser posted it; NotFound otherwise, whether it exists or not."""
    own = own_comment_ids(request)
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None or comment.pk not in own:
        raise NotFound()
    return comment, own


def _back_to(request, comment, *, anchor=True):
    page = Page.objects.filter(pk=comment.page_id).first()
    url = page.url if page else "/"
    return f"{url}#{comment.anchor}" if anchor else f"{url}#comments"


@require_http_methods(["GET", "POST"])
@json_errors
def edit_comment(request, comment_id: int):
    as_json = wants_json(request)
    try:
        comment, own = _own(request, comment_id)
    except NotFound as error:
        if as_json:
            return _error_json(error)
        raise Http404(error.message) from None
    if request.method == "POST":
        try:
            data = _parse_body(request)
            form = CommentEditForm(data)
            if not form.is_valid():
                raise ValidationFailed(fields=_form_errors(form))
            comment = services.author_edit_comment(
                comment_id=comment.pk,
                own_ids=own,
                body=form.cleaned_data["body"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ApplicationError as error:
            if as_json:
                return _error_json(error)
            form = CommentEditForm(request.POST)
            _add_errors(form, error)
            response = TemplateResponse(
                request,
                "comments/edit.html",
                {"form": form, "comment": comment, "back": _back_to(request, comment)},
                status=error.status,
            )
            for header, value in error.headers.items():
                response[header] = value
            return response
        held = comment.status != Comment.Status.APPROVED
        if as_json:
            response = JsonResponse(
                {
                    "comment": {
                        "id": comment.pk,
                        "body_html": comment.body_html,
                        "awaiting_moderation": held,
                    }
                }
            )
        else:
            response = SeeOther(_back_to(request, comment))
        if held:
            # The author sees their held comment on a fresh page, not the shared one.
            remember_pending(response, request, comment.page_id)
        return response
    if not services.can_author_change(comment, own):
        return TemplateResponse(
            request,
            "comments/edit.html",
            {"comment": comment, "closed": True, "back": _back_to(request, comment)},
            status=403,
        )
    form = CommentEditForm(initial={"body": comment.body})
    return TemplateResponse(
        request,
        "comments/edit.html",
        {"form": form, "comment": comment, "back": _back_to(request, comment)},
    )


@require_http_methods(["GET", "POST"])
@json_errors
def delete_comment(request, comment_id: int):
    as_json = wants_json(request)
    try:
        comment, own = _own(request, comment_id)
    except NotFound as error:
        if as_json:
            return _error_json(error)
        raise Http404(error.message) from None
    if request.method == "POST":
        try:
            services.author_delete_comment(
                comment_id=comment.pk, own_ids=own, ip_address=client_ip(request)
            )
        except ApplicationError as error:
            if as_json:
                return _error_json(error)
            response = TemplateResponse(
                request,
                "comments/delete.html",
                {
                    "comment": comment,
                    "closed": error.code == "edit_window_closed",
                    "message": error.message,
                    "back": _back_to(request, comment),
                },
                status=error.status,
            )
            for header, value in error.headers.items():
                response[header] = value
            return response
        if as_json:
            return JsonResponse({"deleted": comment.pk})
        return SeeOther(_back_to(request, comment, anchor=False))
    return TemplateResponse(
        request,
        "comments/delete.html",
        {
            "comment": comment,
            "closed": not services.can_author_change(comment, own),
            "back": _back_to(request, comment),
        },
    )


READER_COOKIE = "masthead_reader"


def _reporter_key(request, reader_id: str) -> str:
    """A keyed hash of the reader's browser id: counts each reader once, names nobody."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"reader:{reader_id}".encode(), hashlib.sha256
    ).hexdigest()


@require_http_methods(["GET", "POST"])
@json_errors
def report_comment(request, comment_id: int):
    """Report a comment to the moderators (a form that works without JavaScript)."""
    as_json = wants_json(request)
    comment = Comment.objects.public().on_public_pages().filter(pk=comment_id).first()
    if comment is None:
        if as_json:
            return _error_json(NotFound())
        raise Http404(_("That comment does not exist or is not visible."))
    back = _back_to(request, comment)
    reader_id = request.COOKIES.get(READER_COOKIE, "")
    if not (reader_id.isalnum() and len(reader_id) == 32):
        reader_id = get_random_string(32)
    context = {"comment": comment, "back": back}
    status = 200
    if request.method == "POST":
        try:
            data = _parse_body(request)
            form = ReportForm(data)
            if not form.is_valid():
                raise ValidationFailed(fields=_form_errors(form))
            services.report_comment(
                comment_id=comment.pk,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                reporter_key=_reporter_key(request, reader_id),
                ip_address=client_ip(request),
            )
        except ApplicationError as error:
            if as_json:
                response = _error_json(error)
            else:
                form = ReportForm(request.POST)
                _add_errors(form, error)
                context.update(form=form, done=error.code == "already_reported")
                response = TemplateResponse(
                    request, "comments/report.html", context, status=error.status
                )
        else:
            if as_json:
                response = JsonResponse({"reported": comment.pk}, status=201)
            else:
                context["done"] = True
                response = TemplateResponse(request, "comments/report.html", context, status=201)
    else:
        context["form"] = ReportForm()
        response = TemplateResponse(request, "comments/report.html", context, status=status)
    response.set_cookie(
        READER_COOKIE,
        reader_id,
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
