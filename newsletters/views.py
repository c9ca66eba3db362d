"""The public pages: sign-up (a plain form; no JavaScript needed), each newsletter's
archive and feed, and each sent issue's page (the mail's "view in your browser")."""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from comments.requests import client_ip, foreign_origin, wants_json

from . import selectors, services
from .forms import SignUpForm
from .models import Newsletter


@require_http_methods(["GET", "HEAD"])
def index(request):
    return TemplateResponse(
        request,
        "newsletters/index.html",
        {"newsletters": selectors.open_newsletters(), "form": SignUpForm()},
    )


@csrf_exempt
@require_POST
def sign_up(request):
    as_json = wants_json(request)
    form = SignUpForm(request.POST)
    if foreign_origin(request):
        form.add_error(None, _("This form was not sent from this site."))
        status = 403
    elif form.is_valid():
        try:
            services.sign_up(
                email=form.cleaned_data["email"],
                newsletters=list(form.cleaned_data["newsletters"]),
                ip_address=client_ip(request),
            )
        except services.TooManySignUps:
            form.add_error(
                None, _("Too many sign-ups from your network. Please try again in an hour.")
            )
            status = 429
        else:
            if as_json:
                return JsonResponse({"status": "check_inbox", "message": _check_inbox()})
            return TemplateResponse(request, "newsletters/check_inbox.html", {})
    else:
        status = 400
    if as_json:
        return JsonResponse(
            {
                "error": {
                    "code": "invalid" if status == 400 else "refused",
                    "message": _("Please correct the errors below."),
                    "fields": {f: [str(m) for m in e] for f, e in form.errors.items()},
                }
            },
            status=status,
        )
    return TemplateResponse(
        request,
        "newsletters/index.html",
        {"newsletters": selectors.open_newsletters(), "form": form},
        status=status,
    )


def _check_inbox() -> str:
    return _(
        "Thank you. Check your inbox: we sent a link to confirm. Your subscription starts "
        "when you click it."
    )


@require_http_methods(["GET", "HEAD"])
def archive(request, slug: str):
    newsletter = get_object_or_404(Newsletter, slug=slug, is_active=True)
    return TemplateResponse(
        request,
        "newsletters/archive.html",
        {
            "newsletter": newsletter,
            "issues": selectors.sent_issues(newsletter),
            "form": SignUpForm(initial={"newsletters": [newsletter.pk]}),
        },
    )


@require_http_methods(["GET", "HEAD"])
def issue(request, slug: str, date: str):
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise Http404(_("No issue on that date.")) from None
    found = selectors.sent_issue(slug, day)
    if found is None:
        raise Http404(_("No issue on that date."))
    response = HttpResponse(found.html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


class IssueFeed(Feed):
    """RSS 2.0 of a newsletter's sent issues."""

    def get_object(self, request, slug: str):
        return get_object_or_404(Newsletter, slug=slug, is_active=True)

    def title(self, newsletter):
        return newsletter.name

    def link(self, newsletter):
        return newsletter.get_absolute_url()

    def description(self, newsletter):
        return newsletter.description or newsletter.name

    def items(self, newsletter):
        return selectors.sent_issues(newsletter)[:20]

    def item_title(self, issue):
        return issue.subject or str(issue)

    def item_description(self, issue):
        return issue.text

    def item_pubdate(self, issue):
        return issue.sent_at
