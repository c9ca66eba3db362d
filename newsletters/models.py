"""Newsletters the newsroom sends, their subscribers and their issues.

A newsletter is defined by editors (a name, a schedule, where its articles come from). An
issue is one edition: put together automatically from the latest articles of chosen
sections or topics, or curated by hand with an introduction. Mail goes out only through
the `mailing` app; the outbox row per (issue, address) there is the sent record."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable


class Newsletter(models.Model):
    class Schedule(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MANUAL = "manual", _("When an editor sends it")

    class Content(models.TextChoices):
        AUTOMATIC = "automatic", _("Latest articles from the chosen sections and topics")
        CURATED = "curated", _("Curated by an editor")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True, help_text=_("Shown to readers where they sign up."))
    is_active = models.BooleanField(
        default=True, help_text=_("Offered to readers and sent on its schedule.")
    )
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.DAILY)
    send_time = models.TimeField(default=dt.time(6, 0), help_text=_("In the site's time zone."))
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("The day a weekly newsletter goes out."),
    )
    content = models.CharField(max_length=10, choices=Content.choices, default=Content.AUTOMATIC)
    sections = models.ManyToManyField("news.SectionPage", blank=True, related_name="+")
    topics = models.ManyToManyField("news.Topic", blank=True, related_name="+")
    max_articles = models.PositiveSmallIntegerField(default=10)
    sort_order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("newsletters:archive", args=[self.slug])


class Subscription(models.Model):
    """One address's subscription to one newsletter. `PENDING` until the address is
    confirmed for it (double opt-in); mail goes only to `ACTIVE` subscriptions of addresses
    that can receive mail."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Source(models.TextChoices):
        FORM = "form", _("Signed up on the site")
        IMPORT = "import", _("Imported")
        STAFF = "staff", _("Added by the newsroom")

    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    address = models.ForeignKey(
        "mailing.Address", on_delete=models.CASCADE, related_name="newsletter_subscriptions"
    )
    status = models.CharField(
        max_length=15, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    consent_note = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("Where the subscriber's consent came from (required for imports)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "address"], name="newsletters_one_subscription"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "status"], name="newsletters_sub_status_idx")]

    def __str__(self):
        return f"{self.address_id} → {self.newsletter_id} ({self.status})"


class Issue(ClusterableModel):
    """One edition of a newsletter. Its public page is /newsletters/<slug>/<date>/, so a
    newsletter sends at most one issue a day."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="issues")
    date = models.DateField(help_text=_("The edition's date; part of its public address."))
    subject = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text=_("An introduction above the articles."))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    send_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a scheduled issue goes out.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(
        default=0, help_text=_("How many subscribers it was queued for.")
    )
    # The rendered mail as it was sent, so the archive shows what readers got.
    html = models.TextField(blank=True, editable=False)
    text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "date"], name="newsletters_one_issue_a_day"
            )
        ]
        indexes = [models.Index(fields=["status", "send_at"], name="newsletters_due_idx")]

    def __str__(self):
        return f"{self.newsletter} of {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("newsletters:issue", args=[self.newsletter.slug, self.date.isoformat()])


class IssueItem(Orderable):
    """An article in an issue, in the editor's order, with an optional line of its own."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey("news.ArticlePage", on_delete=models.CASCADE, related_name="+")
    blurb = models.TextField(blank=True, help_text=_("Shown instead of the article's summary."))

    def __str__(self):
        return f"{self.article_id} in {self.issue_id}"
