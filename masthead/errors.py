"""The site's error answers. A request that asks for JSON always gets the API's one error
shape. An unexpected failure: a database that cannot be reached is a 503
with Retry-After (a comment post gets its form back, filled in); anything else the 500
page. Registered as Django's error handlers in masthead.urls and as CSRF_FAILURE_VIEW."""

import sys

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import csrf, defaults

from comments import outage
from comments.errors import NotFound, Refused, ServerError, Unavailable, ValidationFailed
from comments.requests import wants_json


def server_error(request):
    error = sys.exc_info()[1]
    if not outage.is_outage(error):
        if wants_json(request):
            return JsonResponse(ServerError().as_dict(), status=500)
        return HttpResponseServerError(loader.get_template("500.html").render())
    if request.method == "POST" and request.path == reverse("comments:post"):
        if wants_json(request):
            response = JsonResponse(Unavailable().as_dict(), status=503)
        else:
            return outage.form_again(request)
    elif wants_json(request):
        response = JsonResponse(Unavailable().as_dict(), status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(Unavailable.retry_after)
    response["Cache-Control"] = "no-store"
    # The page cache serves its last copy of a page instead, where it has one.
    response.outage = True
    return response


def _json_or(default_view, error_class, **kwargs):
    """Django's own error view, or for a request that asks for JSON the API's one error
    shape (docs/api.md)."""

    def view(request, *args, **kw):
        if wants_json(request):
            error = error_class(**kwargs)
            return JsonResponse(error.as_dict(), status=error.status)
        return default_view(request, *args, **kw)

    return view


page_not_found = _json_or(
    defaults.page_not_found, NotFound, message=_("There is nothing at this address.")
)
permission_denied = _json_or(defaults.permission_denied, Refused)
bad_request = _json_or(defaults.bad_request, ValidationFailed)
csrf_failure = _json_or(
    csrf.csrf_failure,
    Refused,
    message=_("Your session has expired. Please reload the page and send it again."),
    code="csrf_failed",
)
