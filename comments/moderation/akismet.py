"""Akismet, only when the site has an API key (off by default: no network otherwise)."""

import logging

import requests
from django.conf import settings

from . import Action, Candidate, Verdict

logger = logging.getLogger(__name__)


def check(candidate: Candidate) -> Verdict | None:
    key = settings.MASTHEAD_AKISMET_KEY
    if not key:
        return None
    endpoint = settings.MASTHEAD_AKISMET_URL or f"https://{key}.rest.akismet.com/1.1/comment-check"
    data = {
        "api_key": key,
        "blog": settings.WAGTAILADMIN_BASE_URL,
        "user_ip": candidate.ip_address or "",
        "user_agent": candidate.user_agent,
        "permalink": settings.WAGTAILADMIN_BASE_URL + (candidate.page.url or ""),
        "comment_type": "reply" if candidate.parent else "comment",
        "comment_author": candidate.name,
        "comment_author_email": candidate.email,
        "comment_author_url": candidate.website,
        "comment_content": candidate.body,
    }
    try:
        response = requests.post(endpoint, data=data, timeout=settings.MASTHEAD_AKISMET_TIMEOUT)
    except requests.RequestException as exc:
        # Akismet being away must not lose a comment: no opinion, and the rest decide.
        logger.warning("Akismet unreachable: %s", exc)
        return None
    answer = response.text.strip()
    if response.status_code == 200 and answer == "true":
        return Verdict(Action.SPAM, "Akismet")
    if response.status_code != 200 or answer != "false":
        logger.warning("Akismet answered %s: %s", response.status_code, answer[:200])
    return None
