"""Reader comments attached to any Wagtail page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from . import networks

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
        """Approved comments, plus the reader's own comments awaiting moderation (held or
        caught as spam: either way the author just sees it waiting)."""
        condition = models.Q(status=Comment.Status.APPROVED)
        if own_ids:
            condition |= models.Q(
                pk__in=list(own_ids), status__in=[Comment.Status.PENDING, Comment.Status.SPAM]
            )
        return self.filter(condition)

    def in_thread_order(self):
        return self.order_by("path")

    def on_public_pages(self):
        """Those on a page anonymous readers may see: live, and neither it nor a page above
        it has a view restriction (password, login or groups). A comment is seen only where
        its page may be seen."""
        from wagtail.models import Page

        return self.filter(page__in=Page.objects.live().public().values("pk"))


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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_newsroom = models.BooleanField(default=False)
    is_removed = models.BooleanField(
        default=False, help_text=_("Deleted by its author but kept to hold its replies.")
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The sender as the limits count them (comments.networks): the address for IPv4,
    # its /64 for IPv6.
    ip_network = models.CharField(max_length=50, blank=True, editable=False)
    user_agent = models.CharField(max_length=255, blank=True)
    moderation_reasons = models.JSONField(default=list, blank=True)
    spam_score = models.FloatField(null=True, blank=True)
    toxicity = models.FloatField(null=True, blank=True)
    featured = models.BooleanField(
        _("editors' pick"), default=False, help_text=_("Marked as a pick and shown first.")
    )
    report_count = models.PositiveSmallIntegerField(default=0)
    # Readers' likes and dislikes, kept on the comment so a page sorts and shows them
    # without counting (see Like).
    likes = models.PositiveIntegerField(default=0, editable=False)
    dislikes = models.PositiveIntegerField(default=0, editable=False)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When moderators were told it is waiting.")
    )
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A random key the poster's browser sends with the post (the form's script, or an API
    # client's Idempotency-Key): the same post sent again after a lost answer is answered
    # with this comment instead of being stored twice.
    submission_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["page", "status", "path"], name="comment_thread_idx"),
            # A sender's recent comments, for the rate limits and the duplicate check.
            models.Index(Lower("email"), "created_at", name="comment_email_idx"),
            models.Index(fields=["ip_network", "created_at"], name="comment_network_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(depth__gte=1), name="comment_depth_at_least_one"
            ),
            models.UniqueConstraint(
                fields=["page", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="comment_one_per_submission",
            ),
        ]
        # Moderating takes change_comment; "Delete forever" takes delete_comment; these
        # decide about a person rather than a comment, so a newsroom may keep them apart.
        permissions = [
            ("trust_commenter", "Can trust commenters (their comments are published at once)"),
            ("ban_commenter", "Can ban commenters (their comments go to spam)"),
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


class Commenter(models.Model):
    """A moderator's standing decision about everyone posting with one email address."""

    class Standing(models.TextChoices):
        TRUSTED = "trusted", _("Trusted: approve directly")
        BANNED = "banned", _("Banned: send to spam")

    email = models.EmailField(max_length=254, unique=True)
    standing = models.CharField(max_length=20, choices=Standing.choices)
    note = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=models.functions.Lower("email")),
                name="commenter_email_lowercase",
            )
        ]

    def __str__(self):
        return f"{self.email} ({self.get_standing_display()})"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("comments_admin:index") + f"?status=all&q={self.email}"


class ModerationRule(models.Model):
    """A moderator-managed word, email, IP or domain that holds comments or sends them
    straight to spam or trash (WordPress's "Comment Moderation" and "Disallowed Comment
    Keys")."""

    class Kind(models.TextChoices):
        WORD = "word", _("Word or phrase (in name, email, website or text)")
        EMAIL = "email", _("Email address")
        IP = "ip", _("IP address or network (CIDR, like 203.0.113.0/24)")
        DOMAIN = "domain", _("Domain (in links, website or email)")

    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for moderation")
        SPAM = "spam", _("Send to spam")
        TRASH = "trash", _("Send to trash")

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WORD)
    value = models.CharField(max_length=255)
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.HOLD)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("kind"), FieldPanel("value"), FieldPanel("action")]

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="unique_moderation_rule")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value} → {self.get_action_display()}"

    def save(self, *args, **kwargs):
        self.value = (
            self.value.strip() if self.kind == self.Kind.WORD else self.value.strip().lower()
        )
        if self.kind == self.Kind.IP:
            network = networks.parse_network(self.value)
            if network is not None:
                self.value = str(network)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("wagtailsnippets_comments_moderationrule:edit", args=[self.pk])

    def clean(self):
        if self.kind == self.Kind.IP and networks.parse_network(self.value) is None:
            raise ValidationError(
                {
                    "value": _(
                        "Enter an IP address (203.0.113.9) or a network in CIDR form "
                        "(203.0.113.0/24, 2001:db8::/48)."
                    )
                }
            )


class ModerationEvent(models.Model):
    """Who did what to a comment, and when: every moderator action and every automatic
    decision."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=255, blank=True)
    # An author's edit keeps the text it replaced, for moderators.
    previous_body = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["comment", "action", "at"], name="event_action_idx")]

    def __str__(self):
        who = self.actor or _("system")
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.action}"

    def get_absolute_url(self):
        return reverse("comments_admin:edit", args=[self.comment_id])


class AuthorChange(models.Model):
    """That an author edited or deleted a comment, from which network (/24 or /64) and
    when: what the limits on authors' changes count. It names no comment, so it outlives
    the comments deleted, and rows older than the longest limit's window are dropped."""

    class Kind(models.TextChoices):
        EDIT = "edit", _("Edit")
        DELETE = "delete", _("Delete")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    network = models.CharField(max_length=43)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["network", "at"], name="author_change_network_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.network} at {self.at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("comments_admin:index")


class Report(models.Model):
    """A reader's report that a comment breaks the rules."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or harassing")
        OFF_TOPIC = "off_topic", _("Off-topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=300, blank=True)
    # A keyed hash of the reader's browser or address: enough to count each reader once,
    # nothing that identifies them.
    reporter = models.CharField(max_length=64)
    # The /24 (IPv4) or /64 (IPv6) network the report came from: readers on one network
    # count as one, and each network's reports are rate-limited.
    network = models.CharField(max_length=43, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader")
        ]
        indexes = [models.Index(fields=["network", "created_at"], name="report_network_idx")]

    def __str__(self):
        return f"{self.get_reason_display()} on comment {self.comment_id}"

    def get_absolute_url(self):
        return reverse("comments_admin:edit", args=[self.comment_id])


class Like(models.Model):
    """A reader's like (or dislike) of a public comment: one per reader and comment.

    Who liked is never shown; `reader` and `network` are keyed hashes of the browser's
    signed key and of its address range, enough to count each once."""

    class Value(models.IntegerChoices):
        LIKE = 1, _("Like")
        DISLIKE = -1, _("Dislike")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=Value.choices, default=Value.LIKE)
    reader = models.CharField(max_length=64)
    network = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The rate limit per address range, and the cap per range on one comment.
            models.Index(fields=["network", "created_at"], name="like_network_idx"),
            models.Index(fields=["comment", "network"], name="like_comment_network_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader"], name="one_like_per_reader"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="like_value"),
        ]

    def __str__(self):
        return f"{self.get_value_display()} on comment {self.comment_id}"

    def get_absolute_url(self):
        return reverse("comments_admin:edit", args=[self.comment_id])


class SpamModel(models.Model):
    """The learned spam filter's weights (a linear model on hashed features), stored as
    NumPy arrays rather than a pickle so that loading it runs no code."""

    name = models.CharField(max_length=40, unique=True, default="default")
    weights = models.BinaryField()
    trained_on = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"spam model {self.name} v{self.version}"

    def get_absolute_url(self):
        return reverse("comments_admin:index")
