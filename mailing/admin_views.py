"""The "Email" report in the Wagtail admin."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from . import selectors

PERMISSION = "mailing.view_delivery"


def report(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    return TemplateResponse(request, "mailing/admin/report.html", selectors.daily_report())
