"""The pipeline's rule-based checks. Each returns a Verdict, or None for no opinion."""

import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..errors import ApplicationError
from . import Action, Candidate, Verdict

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


def _hit(key: str, window: int) -> int:
    """Count one post in the current window (shared by app servers through the cache)."""
    bucket = int(time.time() // window)
    cache_key = f"comments:rate:{key}:{window}:{bucket}"
    if cache.add(cache_key, 1, timeout=window + 5):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 5)
        return 1


def rate_limits(candidate: Candidate) -> Verdict | None:
    """At most N posts per window per IP address and per email address, for posts from
    the web (form or JSON)."""
    if candidate.traps is None:
        return None
    limits = _parse_limits(settings.MASTHEAD_COMMENTS_RATE_LIMITS)
    keys = []
    if candidate.ip_address:
        keys.append(f"ip:{candidate.ip_address}")
    if candidate.email:
        keys.append(f"email:{candidate.email.lower()}")
    for key in keys:
        for count, window in limits:
            if _hit(key, window) > count:
                retry = window - int(time.time()) % window
                raise RateLimited(
                    _("You are posting too quickly. Please wait a little and try again."),
                    headers={"Retry-After": str(retry)},
                )
    return None


# Duplicates -------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return WORD_SEPARATORS.sub(" ", text).strip().casefold()


def duplicates(candidate: Candidate) -> Verdict | None:
    """The same text from the same person on the same page is refused."""
    from ..models import Comment

    if not candidate.email:
        return None
    recent = Comment.objects.filter(
        page_id=candidate.page.pk, email__iexact=candidate.email
    ).values_list("body", flat=True)
    text = _normalise(candidate.body)
    if any(_normalise(body) == text for body in recent.iterator()):
        raise Duplicate(_("It looks as though you have already said that."))
    return None


# Links ------------------------------------------------------------------------------


def find_links(text: str) -> list[str]:
    return URL_PATTERN.findall(text)


def links(candidate: Candidate) -> Verdict | None:
    """More than MASTHEAD_COMMENTS_MAX_LINKS links holds the comment."""
    found = len(find_links(candidate.body))
    if found > settings.MASTHEAD_COMMENTS_MAX_LINKS:
        return Verdict(Action.HOLD, ngettext("%d link", "%d links", found) % found)
    return None


# Lists ------------------------------------------------------------------------------


def _domains(candidate: Candidate) -> set[str]:
    hosts = set()
    for url in find_links(candidate.body) + ([candidate.website] if candidate.website else []):
        if not url.lower().startswith("http"):
            url = "http://" + url
        host = (urlsplit(url).hostname or "").lower()
        if host:
            hosts.add(host)
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
        return bool(candidate.ip_address) and candidate.ip_address.startswith(value)
    if rule.kind == "domain":
        return any(host == value or host.endswith("." + value) for host in domains)
    return False


def lists(candidate: Candidate) -> Verdict | None:
    """Moderator-managed words, emails, IPs and domains that hold or send to spam/trash."""
    from ..models import ModerationRule

    rules = list(ModerationRule.objects.all())
    if not rules:
        return None
    domains = _domains(candidate)
    haystack = " ".join(
        [candidate.name, candidate.email, candidate.website, candidate.body]
    ).lower()
    strongest = None
    for rule in rules:
        if _rule_matches(rule, candidate, domains, haystack):
            action = {"hold": Action.HOLD, "spam": Action.SPAM, "trash": Action.TRASH}[
                rule.action
            ]
            if strongest is None or action > strongest.action:
                strongest = Verdict(action, f"{rule.kind} “{rule.value}” is listed")
    return strongest


# Known commenters -------------------------------------------------------------------


def known_commenters(candidate: Candidate) -> Verdict | None:
    """Banned emails go to spam; trusted ones through. Otherwise WordPress's default: hold
    a commenter's first comment, and once a moderator has approved one of theirs, let the
    next ones through. MASTHEAD_COMMENTS_MODERATION may be "first" (this rule), "all" (hold
    everything) or "none" (hold nothing)."""
    from ..models import Comment, Commenter

    standing = (
        Commenter.objects.filter(email=candidate.email.lower())
        .values_list("standing", flat=True)
        .first()
        if candidate.email
        else None
    )
    if standing == Commenter.Standing.BANNED:
        return Verdict(Action.SPAM, "banned commenter")
    mode = settings.MASTHEAD_COMMENTS_MODERATION
    if mode == "all":
        return Verdict(Action.HOLD, "every comment is held for review")
    if standing == Commenter.Standing.TRUSTED:
        return Verdict(Action.ACCEPT, "trusted commenter")
    if mode == "none":
        return None
    known = Comment.objects.filter(
        email__iexact=candidate.email, status=Comment.Status.APPROVED
    ).exists()
    if known:
        return Verdict(Action.ACCEPT, "known commenter")
    return Verdict(Action.HOLD, "first comment from this email address")

