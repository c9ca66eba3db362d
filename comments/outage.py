"""When the database cannot be reached: a post is refused with 503 and Retry-After, and a
reader without JavaScript gets the form back with what they wrote, so nothing typed is
lost. Nothing here touches the database."""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from .errors import Unavailable

# The fields of the comment form a reader typed or chose, sent back as they were.
KEPT_FIELDS = ("body", "name", "email", "website", "page", "parent", "ts", "submission")
KEPT_CHOICES = ("save_commenter", "notify_replies", "follow_page")


def is_outage(error: BaseException | None) -> bool:
    """Whether `error` says the database is away (refused, dropped, or locked too long),
    not that a query is wrong: OperationalError and InterfaceError are what Django's
    backends raise for a lost connection."""
    return isinstance(error, (OperationalError, InterfaceError))


def form_again(request) -> HttpResponse:
    """A 503 page holding the comment form, filled in with what the reader sent."""
    error = Unavailable()
    data = request.POST
    context = {
        "message": error.message,
        "values": {name: data.get(name, "")[:20000] for name in KEPT_FIELDS},
        "checked": {name for name in KEPT_CHOICES if data.get(name)},
        "csrf_token": get_token(request),
        "retry_after": Unavailable.retry_after,
    }
    response = HttpResponse(
        render_to_string("comments/unavailable.html", context), status=error.status
    )
    response["Retry-After"] = str(Unavailable.retry_after)
    response["Cache-Control"] = "no-store"
    return response
