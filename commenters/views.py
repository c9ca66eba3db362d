"""The reader's own page, "Your comments": ask for a sign-in link, follow it, then see,
edit, delete, download or erase everything written under the address. Plain forms, no
JavaScript needed; every answer is private and never cached."""

import functools
import json

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comments.errors import ApplicationError, NotFound, ValidationFailed
from comments.forms import CommentEditForm
from comments.requests import client_ip
from comments.selectors import comments_by_email
from newsletters import selectors as newsletter_selectors
from newsletters import services as newsletter_services

from . import selectors, services
from .forms import EraseForm, SignInRequestForm

SESSION_COOKIE = "masthead_you"
SESSION_SALT = "masthead.commenters.session"


class SeeOther(HttpResponseRedirect):
    status_code = 303


def _set_session_cookie(response, request, session) -> None:
    response.set_signed_cookie(
        SESSION_COOKIE,
        str(session.pk),
        salt=SESSION_SALT,
        max_age=int(services.session_lifetime().total_seconds()),
        path=reverse("commenters:start"),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
    )


def _end_session_cookie(response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=reverse("commenters:start"), samesite="Lax")


def _session(request):
    max_age = services.session_lifetime().total_seconds()
    try:
        value = request.get_signed_cookie(SESSION_COOKIE, salt=SESSION_SALT, max_age=max_age)
    except (KeyError, signing.BadSignature):
        return None
    return selectors.current_session(int(value)) if value.isdigit() else None


def signed_in(view):
    """Pass the reader's session to `view`; without one, back to the start page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        session = _session(request)
        if session is None:
            response = SeeOther(reverse("commenters:start"))
            _end_session_cookie(response)
            return response
        return view(request, session, *args, **kwargs)

    return wrapper


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request):
    """GET: the address form (or the reader's page when signed in). POST: mail a sign-in
    link; the answer is the same whether the address is known or not."""
    if request.method != "POST" and _session(request) is not None:
        return SeeOther(reverse("commenters:mine"))
    form = SignInRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.request_sign_in(
                    email=form.cleaned_data["email"], ip_address=client_ip(request)
                )
            except ValidationFailed as error:
                form.add_error("email", error.fields.get("email") or error.message)
            else:
                return TemplateResponse(
                    request,
                    "commenters/sent.html",
                    {"minutes": settings.MASTHEAD_SELFSERVICE_LINK_MINUTES},
                )
        return TemplateResponse(request, "commenters/start.html", _start(form), status=400)
    return TemplateResponse(request, "commenters/start.html", _start(form))


def _start(form) -> dict:
    return {"form": form, "minutes": settings.MASTHEAD_SELFSERVICE_LINK_MINUTES}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request, token: str):
    """GET: a button (a mail scanner fetching the link signs nobody in). POST: sign in,
    once."""
    try:
        if request.method == "POST":
            session = services.sign_in(token=token)
        else:
            services.read_link(token)
    except services.BadLink as error:
        return TemplateResponse(
            request,
            "commenters/bad_link.html",
            {"message": error.message, "form": SignInRequestForm()},
            status=error.status,
        )
    if request.method != "POST":
        return TemplateResponse(request, "commenters/sign_in.html", {})
    response = SeeOther(reverse("commenters:mine"))
    _set_session_cookie(response, request, session)
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
@signed_in
def mine(request, session):
    return TemplateResponse(
        request,
        "commenters/mine.html",
        {
            "email": session.email,
            "rows": selectors.my_comments(session.email, request),
            "subscriptions": selectors.my_subscriptions(session.email, request),
            "mail_stopped": selectors.mail_stopped(session.email),
            "newsletters": newsletter_selectors.choices_for(session.email),
            "expires_at": session.expires_at,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
@signed_in
def export(request, session):
    data = selectors.export(session.email, request)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
    return response


def _own(session, comment_id: int):
    comment = comments_by_email(session.email).filter(pk=comment_id).first()
    if comment is None:
        raise Http404("That comment does not exist or is not yours.")
    return comment


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def edit(request, session, comment_id: int):
    comment = _own(session, comment_id)
    context = {"comment": comment, "editable": comment.status in ("approved", "pending")}
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationFailed(
                    fields={name: list(errors) for name, errors in form.errors.items()}
                )
            services.edit_comment(
                session=session,
                comment_id=comment.pk,
                body=form.cleaned_data["body"],
                ip_address=client_ip(request),
            )
        except ApplicationError as error:
            form = CommentEditForm(request.POST)
            form.is_valid()
            if not error.fields:
                form.add_error(None, error.message)
            elif "body" in error.fields and not form.errors.get("body"):
                form.add_error("body", error.fields["body"])
            response = TemplateResponse(
                request, "commenters/edit.html", {**context, "form": form}, status=error.status
            )
            for header, value in error.headers.items():
                response[header] = value
            return response
        return SeeOther(reverse("commenters:mine") + f"#mine-{comment.pk}")
    form = CommentEditForm(initial={"body": comment.body})
    return TemplateResponse(request, "commenters/edit.html", {**context, "form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def delete(request, session, comment_id: int):
    comment = _own(session, comment_id)
    if request.method == "POST":
        try:
            services.delete_comment(session=session, comment_id=comment.pk)
        except ApplicationError as error:
            raise Http404(error.message) from None
        return SeeOther(reverse("commenters:mine"))
    return TemplateResponse(request, "commenters/delete.html", {"comment": comment})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def erase(request, session):
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            services.erase(session=session)
            response = TemplateResponse(request, "commenters/erased.html", {})
            _end_session_cookie(response)
            return response
        return TemplateResponse(request, "commenters/erase.html", {"form": form}, status=400)
    return TemplateResponse(
        request,
        "commenters/erase.html",
        {"form": form, "count": comments_by_email(session.email).count()},
    )


def _subscriptions_changed():
    return SeeOther(reverse("commenters:mine") + "#emails")


@never_cache
@require_POST
@signed_in
def stop_subscription(request, session, subscription_id: int):
    try:
        services.stop_subscription(session=session, subscription_id=subscription_id)
    except ApplicationError as error:
        raise Http404(error.message) from None
    return _subscriptions_changed()


@never_cache
@require_POST
@signed_in
def newsletter(request, session, newsletter_id: int):
    """Subscribe (at once: the session proves the address) or stop one newsletter."""
    chosen = newsletter_selectors.open_newsletters().filter(pk=newsletter_id).first()
    if chosen is None:
        raise Http404
    if request.POST.get("subscribe") == "yes":
        newsletter_services.sign_up(
            email=session.email, newsletters=[chosen], ip_address=client_ip(request), proven=True
        )
    else:
        address = newsletter_selectors.address_of(session.email)
        if address is not None:
            newsletter_services.unsubscribe(address=address, newsletter=chosen)
    return SeeOther(reverse("commenters:mine") + "#newsletters")


@never_cache
@require_POST
@signed_in
def follow_mode(request, session, subscription_id: int):
    try:
        services.set_follow_mode(
            session=session,
            subscription_id=subscription_id,
            mode=request.POST.get("mode", ""),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except ApplicationError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain")
    return _subscriptions_changed()


@never_cache
@require_POST
@signed_in
def stop_all_mail(request, session):
    services.stop_all_mail(session=session)
    return _subscriptions_changed()


@never_cache
@require_POST
def sign_out(request):
    session = _session(request)
    if session is not None:
        services.sign_out(session=session)
    response = SeeOther(reverse("commenters:start"))
    _end_session_cookie(response)
    return response
