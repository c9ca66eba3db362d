"""The settings the page cache reads on every request, read once and again after a change."""

import functools
from typing import NamedTuple

from django.conf import settings


class Config(NamedTuple):
    enabled: bool
    uncached_prefixes: tuple[str, str]
    session_cookie: str
    proxy_header: tuple[str, str] | None
    forwarded_host: bool
    recheck: float


@functools.cache
def config() -> Config:
    """The settings a hit reads, read once (each read of `settings` costs a call) and again
    after a change."""
    return Config(
        enabled=settings.MASTHEAD_PAGE_CACHE,
        uncached_prefixes=(settings.STATIC_URL, settings.MEDIA_URL),
        session_cookie=settings.SESSION_COOKIE_NAME,
        proxy_header=settings.SECURE_PROXY_SSL_HEADER,
        forwarded_host=settings.USE_X_FORWARDED_HOST,
        recheck=settings.MASTHEAD_PAGE_CACHE_RECHECK,
    )


def settings_changed(**kwargs) -> None:
    """Receiver of Django's setting_changed (tests change settings)."""
    config.cache_clear()
