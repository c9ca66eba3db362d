"""Newsletters, their subscribers and their issues."""

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable


class Newsletter(ClusterableModel):
    """A newsletter editors define: what it is called, when it goes out and what goes in."""

    class Schedule(models.TextChoices):
        DAILY = "daily", _("Daily, at the set time")
        WEEKLY = "weekly", _("Weekly, on the set day and time")
        MANUAL = "manual", _("Only when an editor sends an issue")

    class Content(models.TextChoices):
        AUTOMATIC = "automatic", _("The latest articles of the chosen sections and topics")
        CURATED = "curated", _("Articles editors pick and order")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=500)
    is_active = models.BooleanField(
        _("open for sign-up"),
        default=True,
        help_text=_("Offered on the site, and sent on its schedule."),
    )
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.DAILY)
    send_time = models.TimeField(default=dt.time(6, 0), help_text=_("In the site's time zone."))
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY, help_text=_("For a weekly newsletter.")
    )
    content = models.CharField(max_length=10, choices=Content.choices, default=Content.AUTOMATIC)
    sections = ParentalManyToManyField(
        "news.SectionPage", blank=True, related_name="+", help_text=_("None: every section.")
    )
    topics = ParentalManyToManyField("news.Topic", blank=True, related_name="+")
    max_articles = models.PositiveSmallIntegerField(default=10)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("newsletters:archive", args=[self.slug])

    @property
    def scope(self) -> str:
        """The unsubscribe scope of its mail (mailing.services.unsubscribe_url)."""
        return f"newsletter:{self.pk}"

    @property
    def list_id(self) -> str:
        return f"newsletter-{self.slug}"


class Subscription(models.Model):
    """One address on one newsletter. Mail goes only to active subscriptions of addresses
    that can receive mail (confirmed, not stopped)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the address to be confirmed")
        ACTIVE = "active", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Source(models.TextChoices):
        FORM = "form", _("Sign-up form")
        IMPORT = "import", _("Imported")
        STAFF = "staff", _("Added by the newsroom")

    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    address = models.ForeignKey(
        "mailing.Address", on_delete=models.CASCADE, related_name="newsletter_subscriptions"
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    consent_note = models.CharField(
        max_length=255, blank=True, help_text=_("Where consent came from (imports).")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "address"], name="newsletters_one_subscription"
            )
        ]
        indexes = [models.Index(fields=["newsletter", "status"], name="newsletters_sub_status")]

    def __str__(self):
        return f"{self.address_id} on {self.newsletter_id}"


class Issue(ClusterableModel):
    """One edition of a newsletter. Its articles are `items` (curated) or chosen when it
    is built (automatic); once sent, its HTML and text are kept as they went out."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="issues")
    date = models.DateField(help_text=_("Its date in the archive's address."))
    subject = models.CharField(max_length=200, blank=True, help_text=_("Empty: the name and date."))
    intro = models.TextField(_("introduction"), blank=True, max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    html = models.TextField(blank=True, editable=False)
    text = models.TextField(blank=True, editable=False)
    recipients = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "date"], name="newsletters_issue_date")
        ]
        indexes = [models.Index(fields=["status", "send_at"], name="newsletters_issue_due")]

    def __str__(self):
        return f"{self.newsletter} — {self.date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse(
            "newsletters:issue", args=[self.newsletter.slug, self.date.strftime("%Y-%m-%d")]
        )

    @property
    def event_key(self) -> str:
        return f"newsletter-issue:{self.pk}"


class IssueItem(Orderable):
    """An article in a curated issue, in the order editors gave."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey("news.ArticlePage", on_delete=models.CASCADE, related_name="+")
    blurb = models.TextField(blank=True, max_length=1000, help_text=_("Empty: the dek."))

    panels = [FieldPanel("article"), FieldPanel("blurb")]

    def __str__(self):
        return str(self.article_id)
