"""What readers asked to be told of."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subscription(models.Model):
    """A reader's wish to hear of replies to one of their comments ("replies", with
    `comment`) or of new comments on a page ("page"). It waits for the address to be
    confirmed: mail goes only to confirmed, unstopped addresses."""

    class Kind(models.TextChoices):
        REPLIES = "replies", _("Replies to a comment")
        PAGE = "page", _("New comments on an article")

    class Mode(models.TextChoices):
        EACH = "each", _("Each new comment")
        DIGEST = "digest", _("A daily digest")

    address = models.ForeignKey(
        "mailing.Address", on_delete=models.CASCADE, related_name="comment_subscriptions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.EACH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "comment"],
                condition=models.Q(kind="replies"),
                name="notifications_one_reply_subscription",
            ),
            models.UniqueConstraint(
                fields=["address", "page"],
                condition=models.Q(kind="page"),
                name="notifications_one_follow",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="page") | models.Q(comment__isnull=False),
                name="notifications_reply_subscription_has_comment",
            ),
        ]
        indexes = [models.Index(fields=["page", "kind", "mode"], name="notifications_page_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} on page {self.page_id}"

    def get_absolute_url(self):
        from django.urls import reverse

        return (
            reverse("comments:permalink", args=[self.comment_id])
            if self.comment_id
            else (reverse("wagtailadmin_pages:edit", args=[self.page_id]))
        )


class DigestRun(models.Model):
    """The daily digest of one day went out (or is going): one row per local date, so two
    workers or a restarted one never send a day's digest twice."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()

    def __str__(self):
        return f"Digest of {self.day}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("mailing_admin:report")
