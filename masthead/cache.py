"""The caches: by default Django's file-based cache, shared by the web server's processes
and the worker of one machine through var/cache; with CACHE_URL=redis://, a Redis cache
that the site outlives."""

import functools
import itertools
import logging
import time

import redis
from django.core.cache.backends import redis as redis_backend
from django.core.cache.backends.filebased import FileBasedCache

logger = logging.getLogger("masthead.cache")


class FileCache(FileBasedCache):
    """Django's file-based cache, which counts every file in its folder before each write
    to see whether it is full; this one counts on one write in CULL_EVERY (per process), so
    that a write costs a file and not a directory listing. The cache may go over
    MAX_ENTRIES by that many writes for each thread of each process (Django keeps a cache
    object per thread) before it is culled."""

    CULL_EVERY = 64

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._writes = itertools.count()

    def _cull(self):
        if next(self._writes) % self.CULL_EVERY == 0:
            super()._cull()


class RedisCache(redis_backend.RedisCache):
    """Django's Redis cache for a cache that may go away: while Redis cannot be reached a
    read is a miss and a write is dropped (logged), so pages are rendered uncached and
    posts go on; the next request after Redis is back uses it again, without a restart.
    Connections give up after MASTHEAD_CACHE_TIMEOUT seconds (0.5 by default) rather
    than holding a request."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})  # the settings' own dict stays as it is
        params = {**params, "OPTIONS": options}
        timeout = float(options.pop("timeout", 0.5))
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("socket_timeout", timeout)
        options.setdefault("retry_on_timeout", False)
        super().__init__(server, params)


WARN_EVERY = 10
_warned_at = -WARN_EVERY


def _tolerant(name: str, on_error):
    method = getattr(redis_backend.RedisCache, name)

    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            global _warned_at
            # Once every WARN_EVERY seconds, not on every call of every request.
            if time.monotonic() - _warned_at > WARN_EVERY:
                _warned_at = time.monotonic()
                logger.warning("cache unavailable (%s): %s", name, error)
            return on_error(*args, **kwargs)

    return wrapped


def _default(key, default=None, *args, **kwargs):
    return default


for _name, _on_error in {
    "get": _default,
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "add": lambda *a, **k: False,
    "set": lambda *a, **k: None,
    "set_many": lambda keys, *a, **k: list(keys),
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "delete_many": lambda *a, **k: None,
    "incr": lambda key, delta=1, *a, **k: delta,
    "clear": lambda *a, **k: None,
}.items():
    setattr(RedisCache, _name, _tolerant(_name, _on_error))
