"""The one error vocabulary of the comments app, shared by form views and the JSON API."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """An error a reader can act on: a stable `code`, a translated `message`, an HTTP
    `status`, and optional per-field messages (`fields`: {field name: [message]})."""

    code = "invalid"
    status = 400
    default_message = _("Your comment could not be posted.")

    def __init__(self, message=None, *, code=None, status=None, fields=None, headers=None):
        self.message = str(message or self.default_message)
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def as_dict(self) -> dict:
        fields = {name: [str(m) for m in msgs] for name, msgs in self.fields.items()}
        return {"error": {"code": self.code, "message": self.message, "fields": fields}}


class ValidationFailed(ApplicationError):
    code = "invalid"
    default_message = _("Please correct the errors below.")


class CommentsClosed(ApplicationError):
    code = "comments_closed"
    status = 403
    default_message = _("Comments are closed.")


class NotFound(ApplicationError):
    code = "not_found"
    status = 404
    default_message = _("That comment does not exist or is not visible.")


class EditWindowClosed(ApplicationError):
    code = "edit_window_closed"
    status = 403
    default_message = _("This comment can no longer be changed from this browser.")


class Refused(ApplicationError):
    code = "refused"
    status = 403
    default_message = _("Sorry, your comment could not be posted.")


class AlreadyReported(ApplicationError):
    code = "already_reported"
    status = 409
    default_message = _("You have already reported this comment. Thank you.")


class AlreadyLiked(ApplicationError):
    code = "already_liked"
    status = 409
    default_message = _("You have already liked this comment.")


class TooManyLikes(ApplicationError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many likes from your network just now. Please try again later.")


class TooLarge(ApplicationError):
    code = "too_large"
    status = 413
    default_message = _("This request is too large.")


class ServerError(ApplicationError):
    code = "server_error"
    status = 500
    default_message = _("Something went wrong on our side. Please try again later.")


class Unavailable(ApplicationError):
    """The database cannot be reached just now: nothing was stored, and the reader may
    send the same thing again after `Retry-After` seconds."""

    code = "unavailable"
    status = 503
    default_message = _(
        "We cannot take comments for a moment. Your comment was not posted: "
        "please send it again in a minute."
    )
    retry_after = 30

    def __init__(self, message=None, **kwargs):
        kwargs.setdefault("headers", {"Retry-After": str(self.retry_after)})
        super().__init__(message, **kwargs)
