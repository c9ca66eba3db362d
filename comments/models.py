"""Reader comments attached to any Wagtail page."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

# Width of one level of the materialised path: creation time in milliseconds then the id,
# both zero-padded, so that ordering by path gives each thread oldest first with replies
# under their parent, even for comments imported long after they were written.
PATH_SEGMENT = "{millis:013d}{pk:010d}"
PATH_SEGMENT_LENGTH = 23
PATH_SEPARATOR = "/"


class CommentableMixin(models.Model):
    """Fields of a page that has a comment section under it."""

    comments_enabled = models.BooleanField(
        _("allow comments"),
        default=True,
        help_text=_("Untick to close comments: the form is replaced by 'Comments are closed.'"),
    )

    comment_panels = [FieldPanel("comments_enabled")]

    class Meta:
        abstract = True


class Thread(models.Model):
    """Per-page comment state that is not page content (so revisions never overwrite it)."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="comment_thread"
    )
    public_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Comments on page {self.page_id}"

    def get_absolute_url(self):
        return self.page.url + "#comments"


class CommentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Comment.Status.APPROVED)

    def visible_to(self, own_ids=()):
        """Approved comments, plus the reader's own comments awaiting moderation."""
        condition = models.Q(status=Comment.Status.APPROVED)
        if own_ids:
            condition |= models.Q(pk__in=list(own_ids), status=Comment.Status.PENDING)
        return self.filter(condition)

    def in_thread_order(self):
        return self.order_by("path")


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        PINGBACK = "pingback", _("Pingback")
        TRACKBACK = "trackback", _("Trackback")

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_before_trash = models.CharField(max_length=20, choices=Status.choices, blank=True)
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    body = models.TextField(_("comment"), max_length=5000)
    body_html = models.TextField(editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    is_newsroom = models.BooleanField(default=False)
    is_removed = models.BooleanField(
        default=False, help_text=_("Deleted by its author but kept to hold its replies.")
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    moderation_reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["page", "status", "path"], name="comment_thread_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(depth__gte=1), name="comment_depth_at_least_one"
            )
        ]

    def __str__(self):
        return f"{self.name}: {self.body[:50]}"

    def get_absolute_url(self):
        return reverse("comments:permalink", args=[self.pk])

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def top_level_path(self) -> str:
        return self.path[:PATH_SEGMENT_LENGTH]
