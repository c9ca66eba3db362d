"""The site's answer to an unexpected failure: a database that cannot be reached is a 503
with Retry-After (a comment post gets its form back, filled in); anything else the 500
page. Registered as Django's handler500 in masthead.urls."""

import sys

from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.urls import reverse

from comments import outage
from comments.errors import ServerError, Unavailable
from comments.views import wants_json


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
    return response
