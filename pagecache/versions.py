"""The site's version (bumped when anything is published or unpublished) and each page's
(bumped when the page or its public comments change), held in the shared cache, and what
this process keeps of them."""

import itertools
import logging
import time

from django.core.cache import cache

from .conf import config

logger = logging.getLogger(__name__)

SITE_VERSION_KEY = "pagecache:site"
# How many pages (and, four times over, versions) a process keeps in memory.
LOCAL_ENTRIES = 256
# Versions this process has read from the shared cache, with when it read them.
_versions: dict[str, tuple[float, int | None]] = {}
# Counts this process's own bumps: a local entry checked before the last one is checked
# again, so this process's changes show at once. (next() on a count is atomic, so threads
# bumping at once each move it on.)
_bumps = itertools.count(1)
_generation = 0
# What per_site_version keeps: {key: (site version, value)}.
_memo: dict = {}


def page_version_key(page_id: int) -> str:
    return f"pagecache:page:{page_id}"


def generation() -> int:
    """Moves on with each bump this process makes."""
    return _generation


def bump(key: str) -> None:
    global _generation
    version = time.time_ns()
    cache.set(key, version, timeout=None)
    _versions[key] = (time.monotonic(), version)
    _generation = next(_bumps)


def bump_page(page_id: int) -> None:
    bump(page_version_key(page_id))


def bump_site() -> None:
    bump(SITE_VERSION_KEY)


def forget() -> None:
    """Drop the versions this process holds, and what it keeps by them."""
    _versions.clear()
    _memo.clear()


def read_versions(keys: list[str], recheck: float) -> dict:
    """The current versions of these keys. With `recheck`, a version this process read
    less than that many seconds ago is taken as current (a change made by another process
    shows within that time; one made by this process shows at once)."""
    now = time.monotonic()
    if recheck:
        known = [_versions.get(key) for key in keys]
        if all(k is not None and now - k[0] < recheck for k in known):
            return {key: k[1] for key, k in zip(keys, known, strict=True)}
    current = cache.get_many(keys)
    if len(_versions) >= 4 * LOCAL_ENTRIES:
        _versions.clear()
    for key in keys:
        _versions[key] = (now, current.get(key))
    return current


def read_at(key: str, default: float) -> float:
    """When this process last read the version under `key` (time.monotonic())."""
    return (_versions.get(key) or (default,))[0]


def per_site_version(key, build):
    """What `build()` returns, kept by this process while the site's version stands: until
    a page is published, unpublished or deleted, or a site or a view restriction changes
    (through another process: within MASTHEAD_PAGE_CACHE_RECHECK seconds, as for pages).
    For what every page reads and only such changes alter."""
    try:
        version = read_versions([SITE_VERSION_KEY], config().recheck).get(SITE_VERSION_KEY)
    except Exception:  # a cache that cannot answer keeps nothing
        logger.exception("page cache version lookup failed")
        return build()
    if version is None:
        # No shared version to go by (a dummy cache, or the key evicted): nothing kept.
        return build()
    held = _memo.get(key)
    if held is not None and held[0] == version:
        return held[1]
    # The version is read before building, so what a change commits meanwhile is read
    # again next time.
    value = build()
    if len(_memo) >= LOCAL_ENTRIES:
        _memo.clear()
    _memo[key] = (version, value)
    return value
