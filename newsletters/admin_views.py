"""The newsletter pages of the Wagtail admin beyond the viewsets: an issue's preview and
send page, the subscribers' counts and growth, CSV export and import, and bounce lists."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mailing import bounces as mailing_bounces

from . import rendering, selectors, services
from .forms import BounceForm, ImportForm, ScheduleForm, TestSendForm
from .models import Issue, Newsletter

MAX_CSV_BYTES = 20 * 1024 * 1024


def can_manage(user) -> bool:
    return user.has_perm("newsletters.change_newsletter")


def _check(request, permission="newsletters.change_issue"):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def preview(request, issue_id: int):
    """The issue's mail as subscribers will see it (their links stand in for the real ones)."""
    _check(request)
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=issue_id)
    _subject, html, _text = rendering.render_issue(issue)
    response = HttpResponse(
        rendering.web_copy(html, relative=True), content_type="text/html; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def send(request, issue_id: int):
    """Send a test, schedule, unschedule or send now."""
    _check(request)
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=issue_id)
    test_form = TestSendForm(initial={"email": request.user.email})
    schedule_form = ScheduleForm(initial={"send_at": issue.send_at})
    here = reverse("newsletters_admin:send", args=[issue.pk])
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "test":
                test_form = TestSendForm(request.POST)
                if test_form.is_valid():
                    services.send_test(issue, to=test_form.cleaned_data["email"])
                    messages.success(
                        request,
                        _("A test went to %(email)s.") % {"email": test_form.cleaned_data["email"]},
                    )
                    return redirect(here)
            elif action == "schedule":
                schedule_form = ScheduleForm(request.POST)
                if schedule_form.is_valid():
                    services.schedule(issue, send_at=schedule_form.cleaned_data["send_at"])
                    messages.success(request, _("The issue is scheduled."))
                    return redirect(here)
            elif action == "unschedule":
                services.unschedule(issue)
                messages.success(request, _("The issue is back to a draft."))
                return redirect(here)
            elif action == "send":
                queued = services.send(issue)
                messages.success(
                    request,
                    _("The issue is on its way to %(count)d subscribers.") % {"count": queued},
                )
                return redirect(here)
        except services.NewsletterError as error:
            messages.error(request, str(error))
        except OSError as error:  # the mail server for the test
            messages.error(request, _("The test could not be sent: %(error)s") % {"error": error})
    issue.refresh_from_db()
    return TemplateResponse(
        request,
        "newsletters/admin/send.html",
        {
            "issue": issue,
            "test_form": test_form,
            "schedule_form": schedule_form,
            "subject": rendering.subject_of(issue),
            "articles": issue.items.select_related("article").order_by("sort_order"),
            "receiving": selectors.counts_for(issue.newsletter)["active"],
            "edit_url": reverse("newsletter_issues:edit", args=[issue.pk]),
            "now": timezone.localtime(),
        },
    )


def subscribers(request):
    _check(request, "newsletters.change_newsletter")
    chosen = None
    if request.GET.get("newsletter", "").isdigit():
        chosen = Newsletter.objects.filter(pk=int(request.GET["newsletter"])).first()
    rows = selectors.counts()
    chosen = chosen or (rows[0]["newsletter"] if rows else None)
    return TemplateResponse(
        request,
        "newsletters/admin/subscribers.html",
        {
            "rows": rows,
            "chosen": chosen,
            "growth": selectors.growth(chosen) if chosen else [],
            "import_form": ImportForm(),
            "bounce_form": BounceForm(),
        },
    )


def export(request, newsletter_id: int):
    _check(request, "newsletters.change_newsletter")
    newsletter = get_object_or_404(Newsletter, pk=newsletter_id)

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    header = [
        "email",
        "status",
        "source",
        "created_at",
        "subscribed_at",
        "unsubscribed_at",
        "address_stopped",
        "consent_note",
    ]

    def rows():
        yield writer.writerow(header)
        for row in selectors.export_rows(newsletter):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{newsletter.slug}-{stamp}.csv"'
    return response


def _emails_in(upload) -> list[str]:
    """The addresses of an uploaded CSV: the column headed "email" (any case), else the
    first column. Raises ValueError for what is not a text CSV."""
    if upload.size > MAX_CSV_BYTES:
        raise ValueError(_("The file is over 20 MB."))
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("The file is not UTF-8 text.")) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("email") if "email" in header else 0
    body = rows if "@" in "".join(rows[0][column : column + 1]) else rows[1:]  # a header row?
    return [row[column].strip() for row in body if len(row) > column and row[column].strip()]


@require_http_methods(["POST"])
def import_list(request, newsletter_id: int):
    _check(request, "newsletters.change_newsletter")
    newsletter = get_object_or_404(Newsletter, pk=newsletter_id)
    form = ImportForm(request.POST, request.FILES)
    back = reverse("newsletters_admin:subscribers") + f"?newsletter={newsletter.pk}"
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
        return redirect(back)
    try:
        emails = _emails_in(form.cleaned_data["file"])
        counts = services.add_by_staff(
            newsletter=newsletter, emails=emails, consent_note=form.cleaned_data["consent_note"]
        )
    except (ValueError, services.NewsletterError) as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(
        request,
        _(
            "%(added)d added, %(already)d were subscribed already, %(stopped)d left out "
            "(they had unsubscribed or their mail bounced), %(invalid)d not an address."
        )
        % counts,
    )
    return redirect(back)


@require_http_methods(["POST"])
def bounces(request):
    """Addresses a relay reported as bounced (or complained): every mail to them stops."""
    _check(request, "newsletters.change_newsletter")
    form = BounceForm(request.POST, request.FILES)
    back = reverse("newsletters_admin:subscribers")
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return redirect(back)
    try:
        emails = _emails_in(form.cleaned_data["file"])
    except ValueError as error:
        messages.error(request, str(error))
        return redirect(back)
    stopped = mailing_bounces.suppress_emails(emails, reason=form.cleaned_data["reason"])
    messages.success(
        request, _("%(count)d addresses stopped; no more mail goes to them.") % {"count": stopped}
    )
    return redirect(back)
