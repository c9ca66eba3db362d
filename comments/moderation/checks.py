"""The pipeline's rule-based checks. Each returns a Verdict, or None for no opinion."""

import datetime as dt
import math
import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mailing import services as mailing

from .. import markup, networks
from ..errors import ApplicationError
from . import Action, Candidate, Verdict, senders

TIMESTAMP_SALT = "masthead.comments.form-timestamp"
URL_PATTERN = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)
WORD_SEPARATORS = re.compile(r"\s+")


class FormExpired(ApplicationError):
    code = "form_expired"
    status = 400


class RateLimited(ApplicationError):
    code = "rate_limited"
    status = 429


class Duplicate(ApplicationError):
    code = "duplicate"
    status = 409


# Bot traps --------------------------------------------------------------------------


def form_timestamp() -> str:
    """The signed time a form was shown, put in the form as a hidden field."""
    return signing.dumps(int(time.time()), salt=TIMESTAMP_SALT)


def bot_traps(candidate: Candidate) -> Verdict | None:
    """A filled honeypot field, or a form sent back faster than a person types, is spam;
    a form too old to trust asks the reader to send it again."""
    traps = candidate.traps
    if traps is None:
        return None  # not a web submission (imports, tests of other checks)
    if traps.get("honeypot"):
        return Verdict(Action.SPAM, "honeypot field filled in")
    token = traps.get("timestamp") or ""
    max_age = settings.MASTHEAD_COMMENTS_FORM_MAX_AGE
    try:
        shown = signing.loads(token, salt=TIMESTAMP_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise FormExpired(
            _("This form was open for too long. Please check your comment and post it again.")
        ) from None
    except signing.BadSignature:
        return Verdict(Action.SPAM, "form timestamp missing or forged")
    elapsed = time.time() - shown
    if elapsed < settings.MASTHEAD_COMMENTS_MIN_SECONDS:
        return Verdict(Action.SPAM, f"form sent back after {elapsed:.1f} s")
    return None


# Rate limits ------------------------------------------------------------------------


def _parse_limits(spec: str) -> list[tuple[int, int]]:
    limits = []
    for part in spec.split(","):
        if part.strip():
            count, seconds = part.strip().split("/")
            limits.append((int(count), int(seconds)))
    return limits


def rate_limits(candidate: Candidate) -> Verdict | None:
    """At most N posts per window per sender network (an IPv4 address, an IPv6 /64), for
    posts from the web (form or JSON). Counted from the comments stored in the window (as
    WordPress's and Isso's flood checks do), so every app server sees the same count. Not
    per email address: anyone can type one, and posts under a commenter's address must not
    lock that commenter out."""
    limits = _parse_limits(settings.MASTHEAD_COMMENTS_RATE_LIMITS)
    if candidate.traps is None or not limits:
        return None
    now = timezone.now()
    since = now - dt.timedelta(seconds=max(window for _, window in limits))
    most = max(count for count, _ in limits)
    # The network's latest comments, as many as the largest limit allows.
    times = senders.latest_times(since=since, limit=most, ip_address=candidate.ip_address)
    for count, window in limits:
        if len(times) < count:
            continue
        # The count-th latest is in the window: this post would be one too many.
        waited = (now - times[count - 1]).total_seconds()
        if waited < window:
            raise RateLimited(
                _("You are posting too quickly. Please wait a little and try again."),
                headers={"Retry-After": str(max(1, math.ceil(window - waited)))},
            )
    return None


# Duplicates -------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return WORD_SEPARATORS.sub(" ", text).strip().casefold()


def duplicates(candidate: Candidate) -> Verdict | None:
    """The same text (ignoring case and spacing) that this browser already posted on the
    page is refused. The same text under the same email address from elsewhere changes
    nothing the poster can see (a refusal, or a hold, would tell anyone who typed an
    address and a comment's text who wrote it); moderators find it among the reasons."""
    text = _normalise(candidate.body)
    # An edit is no duplicate of the text it replaces.
    own = [pk for pk in candidate.own_ids if pk != candidate.editing]
    if own and any(
        _normalise(body) == text for body in senders.own_bodies_on_page(own, candidate.page.pk)
    ):
        raise Duplicate(_("It looks as though you have already said that."))
    if candidate.email:
        earlier = senders.others_said_on_page(
            candidate.email,
            candidate.page.pk,
            lambda body: _normalise(body) == text,
            own_ids=candidate.own_ids,
        )
        if earlier is not None:
            return Verdict(Action.ACCEPT, f"same text as comment {earlier} under this email")
    return None


# Links ------------------------------------------------------------------------------


def find_links(candidate: Candidate) -> list[str]:
    """The web addresses in the comment as readers get it: the target of every link in
    its sanitised HTML (so "[a](//host/)" and entity-encoded schemes count as what they
    are) and every address written out as text outside a link."""
    hrefs, text = markup.read_back(candidate.rendered())
    return hrefs + URL_PATTERN.findall(text)


def links(candidate: Candidate) -> Verdict | None:
    """More than MASTHEAD_COMMENTS_MAX_LINKS links holds the comment."""
    found = len(find_links(candidate))
    if found > settings.MASTHEAD_COMMENTS_MAX_LINKS:
        return Verdict(Action.HOLD, ngettext("%d link", "%d links", found) % found)
    return None


# Lists ------------------------------------------------------------------------------


def _host(url: str) -> str:
    if url.lower().startswith("mailto:"):
        return url.rpartition("@")[2].partition("?")[0].lower()
    if url.startswith("//"):
        url = "http:" + url
    elif not re.match(r"[a-z][a-z0-9+.-]*:", url, re.IGNORECASE):
        if not url.lower().startswith("www."):
            return ""  # a path on this site
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _domains(candidate: Candidate) -> set[str]:
    urls = find_links(candidate) + ([candidate.website] if candidate.website else [])
    hosts = {host for host in map(_host, urls) if host}
    if "@" in candidate.email:
        hosts.add(candidate.email.rsplit("@", 1)[1].lower())
    return hosts


def _rule_matches(rule, candidate: Candidate, domains: set[str], haystack: str) -> bool:
    value = rule.value.strip().lower()
    if not value:
        return False
    if rule.kind == "word":
        return value in haystack
    if rule.kind == "email":
        return candidate.email.lower() == value
    if rule.kind == "ip":
        return networks.in_network(candidate.ip_address, networks.parse_network(value))
    if rule.kind == "domain":
        return any(host == value or host.endswith("." + value) for host in domains)
    return False


_rules: dict = {}  # {"rules": [ModerationRule], "read": monotonic time}
RULES_RECHECK_SECONDS = 1.0


def _current_rules(model) -> list:
    """The moderators' rules, read at most every RULES_RECHECK_SECONDS per process (at
    once after a change made in this process), so a new rule applies everywhere within
    that time."""
    cached = _rules
    if cached and time.monotonic() - cached["read"] < RULES_RECHECK_SECONDS:
        return cached["rules"]
    rules = list(model.objects.all())
    _rules.update(rules=rules, read=time.monotonic())
    return rules


def forget_rules(**kwargs) -> None:
    _rules.clear()


def lists(candidate: Candidate) -> Verdict | None:
    """Moderator-managed words, emails, IP networks and domains that hold or send to
    spam/trash."""
    from ..models import ModerationRule

    rules = _current_rules(ModerationRule)
    if not rules:
        return None
    domains = _domains(candidate)
    # The text as typed and as readers get it, and where its links lead.
    hrefs, text = markup.read_back(candidate.rendered())
    haystack = " ".join(
        [candidate.name, candidate.email, candidate.website, candidate.body, text, *hrefs]
    ).lower()
    strongest = None
    for rule in rules:
        if _rule_matches(rule, candidate, domains, haystack):
            action = {"hold": Action.HOLD, "spam": Action.SPAM, "trash": Action.TRASH}[rule.action]
            if strongest is None or action > strongest.action:
                strongest = Verdict(action, f"{rule.kind} “{rule.value}” is listed")
    return strongest


# Known commenters -------------------------------------------------------------------


def known_commenters(candidate: Candidate) -> Verdict | None:
    """Banned emails go to spam. Otherwise WordPress's default: hold a commenter's first
    comment, and once a moderator has approved one of theirs, let the next ones through;
    a commenter moderators trust goes through from the first. An address is anyone's to
    type, so the poster must show they are that commenter: the browser posted an approved
    comment under the address (its signed cookie says so). From another browser the
    comment is held, once. With MASTHEAD_COMMENTS_KNOWN_CONFIRMED_ONLY, the address must
    also be confirmed (its owner followed a signed link). MASTHEAD_COMMENTS_MODERATION may
    be "first" (this rule), "all" (hold everything) or "none" (hold nothing)."""
    from ..models import Commenter

    standing = senders.standing(candidate.email) if candidate.email else None
    if standing == Commenter.Standing.BANNED:
        return Verdict(Action.SPAM, "banned commenter")
    mode = settings.MASTHEAD_COMMENTS_MODERATION
    if mode == "all":
        return Verdict(Action.HOLD, "every comment is held for review")
    if mode == "none":
        return None
    # Typing an address proves nothing: the poster is that commenter when this browser
    # posted a comment under the address that is approved.
    proven = bool(candidate.email) and senders.has_approved_from(candidate.email, candidate.own_ids)
    if proven and settings.MASTHEAD_COMMENTS_KNOWN_CONFIRMED_ONLY:
        if not mailing.is_confirmed(candidate.email):
            return Verdict(Action.HOLD, "known commenter, address not confirmed")
    if standing == Commenter.Standing.TRUSTED:
        if proven:
            return Verdict(Action.ACCEPT, "trusted commenter")
        return Verdict(Action.HOLD, "trusted commenter's address, from another browser")
    if proven:
        return Verdict(Action.ACCEPT, "known commenter")
    if candidate.email and senders.has_approved(candidate.email):
        return Verdict(Action.HOLD, "known commenter's address, from another browser")
    return Verdict(Action.HOLD, "first comment from this email address")
