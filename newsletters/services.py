"""Every write of the newsletters app: sign-up and its confirmation, unsubscribing, putting
an issue together, sending it (through mailing's outbox, once per reader), the schedule.

Mail goes only through `mailing.services`: the confirmation mail and its limits, the
worker's outbox (one delivery per issue and address: a crash resumes without sending
twice), the one-click unsubscribe links, and the stopped addresses (bounces, complaints).
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailing import limits
from mailing import services as mailing
from mailing.models import Address

from . import rendering
from .models import Issue, IssueItem, Newsletter, Subscription

logger = logging.getLogger("masthead.newsletters")

PURPOSE = "newsletters"
CATEGORY = "newsletter"


class NewsletterError(Exception):
    """A request the newsroom's data does not allow (shown to the editor as it is)."""


class TooManySignUps(Exception):
    """More sign-ups from one network (IP range) in an hour than
    MASTHEAD_NEWSLETTER_SIGNUPS_PER_HOUR allows; nothing was stored."""


# Subscribing ----------------------------------------------------------------------------


def sign_up(
    *, email: str, newsletters, ip_address: str | None, proven: bool = False
) -> list[Subscription]:
    """A reader asks for `newsletters` at `email`.

    `proven` is for a reader whose address the site has proven in this very request (a
    self-service session started from a signed link): their subscriptions start at once.
    Anyone else's wait for a click on a signed link, even when the address was confirmed
    before (through commenting): an address typed into a form is a claim, and subscribing
    someone else to a newsletter must take their click. The mail asking for it is under
    mailing's limits (one unasked mail a day per address, a few an hour per IP range), and
    the answer is the same whatever happened, so the form reveals nothing about anyone."""
    now = timezone.now()
    network = limits.ip_range(ip_address)
    if not proven and network is not None:
        with transaction.atomic():
            allowed = limits.take(
                f"newsletter-signup:{network}",
                limit=settings.MASTHEAD_NEWSLETTER_SIGNUPS_PER_HOUR,
                window=dt.timedelta(hours=1),
                now=now,
            )
        if not allowed:
            raise TooManySignUps()
    address = mailing.address_for(email, create=True)
    chosen = [n for n in newsletters if n.is_active]
    subscriptions = []
    with transaction.atomic():
        for newsletter in chosen:
            subscription, _created = Subscription.objects.get_or_create(
                newsletter=newsletter, address=address
            )
            if subscription.status == Subscription.Status.ACTIVE:
                subscriptions.append(subscription)
                continue
            if proven:
                _activate(subscription, now)
            elif subscription.status == Subscription.Status.UNSUBSCRIBED:
                # Asking again: pending until the owner clicks, as the first time.
                subscription.status = Subscription.Status.PENDING
                subscription.source = Subscription.Source.FORM
                subscription.save(update_fields=["status", "source"])
            subscriptions.append(subscription)
        if proven:
            mailing.confirm(address=address)
        elif any(s.status == Subscription.Status.PENDING for s in subscriptions):
            _ask_to_confirm(address, ip_address, [s.newsletter for s in subscriptions])
    return subscriptions


def _ask_to_confirm(address: Address, ip_address, newsletters) -> None:
    """The confirmation mail, also to an address confirmed before (through commenting):
    its owner has to agree to the newsletter."""
    names = ", ".join(n.name for n in newsletters)
    subject = ""
    if address.is_confirmed:
        subject = _("Confirm your newsletter subscription to %(site)s") % {
            "site": mailing.site_name()
        }
    mailing.request_confirmation(
        email=address.email,
        ip_address=ip_address,
        purpose=PURPOSE,
        reason=_("You asked for: %(names)s.") % {"names": names},
        confirmed_too=True,
        subject=subject,
    )


def _activate(subscription: Subscription, now) -> None:
    subscription.status = Subscription.Status.ACTIVE
    subscription.activated_at = now
    subscription.unsubscribed_at = None
    subscription.save(update_fields=["status", "activated_at", "unsubscribed_at"])


def confirmed(*, address: Address) -> int:
    """The owner of `address` followed a newsletter confirmation link: what waited starts.
    Returns how many subscriptions did."""
    now = timezone.now()
    pending = Subscription.objects.filter(address=address, status=Subscription.Status.PENDING)
    return pending.update(status=Subscription.Status.ACTIVE, activated_at=now)


def unsubscribe(*, address: Address, newsletter: Newsletter | None = None) -> int:
    """Stop one newsletter (or all of them) for `address`; returns how many stopped."""
    subscriptions = Subscription.objects.filter(address=address).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    )
    if newsletter is not None:
        subscriptions = subscriptions.filter(newsletter=newsletter)
    return subscriptions.update(
        status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )


def unsubscribed(*, address: Address, scope: str, erase: bool = False) -> None:
    """Receiver side of mailing's unsubscribe links (scope "newsletter:<id>" or "all")."""
    if erase:
        Subscription.objects.filter(address=address).delete()
    elif scope == mailing.ALL:
        unsubscribe(address=address)
    elif scope.startswith("newsletter:") and scope.removeprefix("newsletter:").isdigit():
        newsletter = Newsletter.objects.filter(pk=int(scope.removeprefix("newsletter:"))).first()
        if newsletter is not None:
            unsubscribe(address=address, newsletter=newsletter)


def add_by_staff(
    *, newsletter: Newsletter, emails, consent_note: str, source=Subscription.Source.IMPORT
) -> dict:
    """Subscribe a list from another tool. `consent_note` (where consent came from) is
    required: with it the addresses count as confirmed ("imported as confirmed"). Addresses
    stopped here (unsubscribed, bounced, complained) stay stopped, and an address that
    unsubscribed from this newsletter is not put back. Returns counts."""
    consent_note = " ".join((consent_note or "").split())
    if not consent_note:
        raise NewsletterError(_("Say where these readers' consent came from."))
    now = timezone.now()
    counts = {"added": 0, "already": 0, "stopped": 0, "invalid": 0}
    with transaction.atomic():
        for email in emails:
            address = mailing.address_for(email, create=True) if _valid(email) else None
            if address is None:
                counts["invalid"] += 1
                continue
            if address.suppressed_at is not None:
                counts["stopped"] += 1
                continue
            if not address.is_confirmed:
                mailing.confirm(address=address, how=Address.Confirmation.IMPORT)
            try:
                with transaction.atomic():
                    Subscription.objects.create(
                        newsletter=newsletter,
                        address=address,
                        status=Subscription.Status.ACTIVE,
                        source=source,
                        consent_note=consent_note[:255],
                        activated_at=now,
                    )
            except IntegrityError:
                existing = Subscription.objects.get(newsletter=newsletter, address=address)
                if existing.status == Subscription.Status.PENDING:
                    existing.consent_note = consent_note[:255]
                    existing.source = source
                    existing.save(update_fields=["consent_note", "source"])
                    _activate(existing, now)
                    counts["added"] += 1
                elif existing.status == Subscription.Status.UNSUBSCRIBED:
                    counts["stopped"] += 1
                else:
                    counts["already"] += 1
                continue
            counts["added"] += 1
    return counts


def _valid(email: str) -> bool:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email((email or "").strip())
    except ValidationError:
        return False
    return True


# Issues ---------------------------------------------------------------------------------


def last_sent(newsletter: Newsletter) -> Issue | None:
    return (
        newsletter.issues.filter(status=Issue.Status.SENT, sent_at__isnull=False)
        .order_by("-sent_at")
        .first()
    )


def latest_articles(newsletter: Newsletter, *, since=None) -> list:
    """The live, public articles of the newsletter's sections and topics published since
    `since` (its last issue; the last day or week before the first), newest first."""
    from news.models import ArticlePage

    if since is None:
        sent = last_sent(newsletter)
        days = 7 if newsletter.schedule == Newsletter.Schedule.WEEKLY else 1
        since = sent.sent_at if sent else timezone.now() - dt.timedelta(days=days)
    articles = ArticlePage.objects.live().public().filter(first_published_at__gt=since)
    sections = list(newsletter.sections.all())
    if sections:
        query = None
        for section in sections:
            below = ArticlePage.objects.descendant_of(section)
            query = below if query is None else query | below
        articles = articles.filter(pk__in=query.values("pk"))
    topics = list(newsletter.topics.all())
    if topics:
        articles = articles.filter(topics__in=topics).distinct()
    return list(articles.order_by("-first_published_at", "-pk")[: newsletter.max_articles])


def build_issue(newsletter: Newsletter, *, date: dt.date | None = None, articles=None) -> Issue:
    """A draft issue for `date` (today in the site's time zone). An automatic newsletter's
    draft holds the latest articles at once (`articles`, when the caller has them); a
    curated one's waits for editors' picks."""
    date = date or timezone.localdate()
    with transaction.atomic():
        issue, created = Issue.objects.get_or_create(newsletter=newsletter, date=date)
        if created and newsletter.content == Newsletter.Content.AUTOMATIC:
            if articles is None:
                articles = latest_articles(newsletter)
            for order, article in enumerate(articles):
                IssueItem.objects.create(issue=issue, article=article, sort_order=order)
    return issue


def schedule(issue: Issue, *, send_at) -> Issue:
    if issue.status in (Issue.Status.SENDING, Issue.Status.SENT):
        raise NewsletterError(_("This issue has been sent."))
    if not issue.items.exists():
        raise NewsletterError(_("An issue needs at least one article."))
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SCHEDULED, send_at=send_at)
    issue.status, issue.send_at = Issue.Status.SCHEDULED, send_at
    return issue


def unschedule(issue: Issue) -> Issue:
    Issue.objects.filter(pk=issue.pk, status=Issue.Status.SCHEDULED).update(
        status=Issue.Status.DRAFT, send_at=None
    )
    issue.refresh_from_db()
    return issue


def send(issue: Issue) -> int:
    """Hand the issue to the outbox for every active subscriber who can receive mail, in
    one transaction: all of them or, on a failure, none (and it can be sent again). The
    issue's HTML and text are kept as they went out (the archive shows them). Returns how
    many mails were queued."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().select_related("newsletter").get(pk=issue.pk)
        if issue.status in (Issue.Status.SENDING, Issue.Status.SENT):
            return 0
        if not issue.items.exists():
            raise NewsletterError(_("An issue needs at least one article."))
        newsletter = issue.newsletter
        subject, html, text = rendering.render_issue(issue)
        addresses = (
            Address.objects.filter(
                newsletter_subscriptions__newsletter=newsletter,
                newsletter_subscriptions__status=Subscription.Status.ACTIVE,
                confirmed_at__isnull=False,
                suppressed_at__isnull=True,
            )
            .order_by("pk")
            .iterator(chunk_size=2000)
        )
        queued = mailing.queue_bulk(
            event_key=issue.event_key,
            addresses=addresses,
            category=CATEGORY,
            subject=subject,
            text=text,
            html=html,
            unsubscribe_scope=newsletter.scope,
            unsubscribe_label=_("Unsubscribe from %(name)s") % {"name": newsletter.name},
            list_name=newsletter.list_id,
            complete=True,
        )
        now = timezone.now()
        Issue.objects.filter(pk=issue.pk).update(
            status=Issue.Status.SENT,
            subject=subject,
            html=rendering.web_copy(html, relative=True),
            text=rendering.web_copy(text),
            sent_at=now,
            send_at=issue.send_at or now,
            recipients=queued,
        )
    return queued


def send_test(issue: Issue, *, to: str) -> None:
    """The issue as readers will get it, to an editor's own address, at once (not through
    the outbox: it is a proof, not a mailing)."""
    subject, html, text = rendering.render_issue(issue)
    preview = mailing.base_url() + "/"
    html = rendering.web_copy(html, unsubscribe=preview)
    text = rendering.web_copy(text, unsubscribe=preview)
    message = EmailMultiAlternatives(
        subject=_("[Test] %(subject)s") % {"subject": subject},
        body=text,
        from_email=settings.MASTHEAD_MAIL_FROM or settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    message.send()


# The schedule ---------------------------------------------------------------------------


def send_due(now=None) -> int:
    """What the worker does each round: send scheduled issues whose time has come, and put
    together and send the automatic issues of newsletters on a schedule. Returns how many
    issues went."""
    now = now or timezone.now()
    sent = 0
    due = Issue.objects.filter(status=Issue.Status.SCHEDULED, send_at__lte=now)
    for issue in due.select_related("newsletter"):
        try:
            send(issue)
            sent += 1
        except NewsletterError as error:
            logger.warning("issue %s not sent: %s", issue.pk, error)
    for newsletter in Newsletter.objects.filter(
        is_active=True, content=Newsletter.Content.AUTOMATIC
    ).exclude(schedule=Newsletter.Schedule.MANUAL):
        articles = _due_articles(newsletter, now)
        if articles:
            send(build_issue(newsletter, date=timezone.localdate(now), articles=articles))
            sent += 1
    return sent


def _due_articles(newsletter: Newsletter, now) -> list:
    """The articles of today's automatic issue, once today's send time (in the site's time
    zone) has passed and no issue of the day exists; else none. A day with no new
    articles sends nothing."""
    today = timezone.localdate(now)
    when = timezone.make_aware(dt.datetime.combine(today, newsletter.send_time))
    if now < when:
        return []
    if newsletter.schedule == Newsletter.Schedule.WEEKLY and today.weekday() != newsletter.weekday:
        return []
    if newsletter.issues.filter(date=today).exists():
        return []  # sent already, or an editor's draft or schedule for the day
    return latest_articles(newsletter)
