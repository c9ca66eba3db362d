"""A reader's way back to their own comments without an account: a sign-in link mailed
to their address, a short session once they follow it, and the record of an erasure."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SignInLink(models.Model):
    """One sign-in link mailed to an address. The link names this row (signed), never the
    address; `used_at` is set by the one POST that signs in with it, so a link works
    once."""

    email = models.EmailField(max_length=254, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"sign-in link {self.pk}"

    def get_absolute_url(self):
        return reverse("commenters:start")


class ReaderSession(models.Model):
    """A reader signed in by a sign-in link, for a short while. The browser holds the
    signed id in an HttpOnly cookie; deleting the row (signing out, erasing) ends it
    everywhere."""

    email = models.EmailField(max_length=254, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"reader session {self.pk}"

    def get_absolute_url(self):
        return reverse("commenters:mine")


class Erasure(models.Model):
    """That a reader erased themselves, and what went: in numbers, naming nobody."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    comments_deleted = models.PositiveIntegerField(default=0)
    placeholders_kept = models.PositiveIntegerField(default=0)
    standings_dropped = models.PositiveIntegerField(default=0)
    mail_forgotten = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return _("Erasure %(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("commenters:start")
