"""Addresses readers have given, the outbox of mail to them, and the counters that limit
mail nobody asked for."""

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Address(models.Model):
    """One email address, stored normalised (trimmed, lower case). A claim until its owner
    follows a signed link (`confirmed_at`); `suppressed_at` stops every mail to it."""

    class Confirmation(models.TextChoices):
        LINK = "link", _("Followed a confirmation link")
        SIGN_IN = "sign_in", _("Followed a sign-in link")
        IMPORT = "import", _("Imported as confirmed")
        STAFF = "staff", _("Confirmed by the newsroom")

    class Suppression(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Stopped all emails")
        BOUNCED = "bounced", _("Mail to it bounced")
        COMPLAINED = "complained", _("Marked a mail as spam")
        STAFF = "staff", _("Stopped by the newsroom")

    email = models.EmailField(max_length=254, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=20, choices=Confirmation.choices, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=20, choices=Suppression.choices, blank=True)

    class Meta:
        verbose_name_plural = _("addresses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="mailing_address_lowercase"
            )
        ]

    def __str__(self):
        return self.email

    def get_absolute_url(self):
        return reverse("mailing_admin:report")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def can_receive(self) -> bool:
        return self.confirmed_at is not None and self.suppressed_at is None


class Message(models.Model):
    """The body of a mail sent to many (every follower of an article), stored once for all
    its deliveries; each reader's footer (their own unsubscribe links) is added when their
    copy is sent."""

    text = models.TextField()
    html = models.TextField(blank=True)
    unsubscribe_label = models.CharField(max_length=200, blank=True)
    complete = models.BooleanField(
        default=False,
        help_text="A whole document (a newsletter) with placeholders for each reader's links, "
        "rather than a text the notification layout is put around.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Message {self.pk}"

    def get_absolute_url(self):
        return reverse("mailing_admin:report")


class DeliveryQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(status=Delivery.Status.QUEUED, next_attempt_at__lte=now)


class Delivery(models.Model):
    """One mail to one address, recorded before it is sent. (event_key, address) is
    unique: queuing the same event for the same reader twice stores one row and sends one
    mail, however often the code that queues it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    event_key = models.CharField(max_length=200)
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="deliveries")
    category = models.CharField(max_length=40, db_index=True)
    subject = models.CharField(max_length=255)
    # The whole mail, footer included; or empty, and the shared body is in `message`.
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    unsubscribe_scope = models.CharField(max_length=100, blank=True)
    list_name = models.CharField(max_length=100, blank=True)
    # Sent under the limits to an address that may not be confirmed (a confirmation mail,
    # a sign-in link); any other mail waits for a confirmed address.
    unsolicited = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "address"], name="mailing_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="mailing_due_idx")]

    def __str__(self):
        return f"{self.event_key} → {self.address_id} ({self.status})"

    def get_absolute_url(self):
        return reverse("mailing_admin:report")


class Throttle(models.Model):
    """A counter of mails nobody asked for, per key (an address, a sender's IP range),
    over a window that starts at its first hit. Stored in the database so the limit holds
    across every app server; the row is locked while it is counted."""

    key = models.CharField(max_length=100, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.count}"
