"""The default cache of a single machine: Django's file-based cache, shared by the web
server's processes and the worker through var/cache."""

import itertools

from django.core.cache.backends.filebased import FileBasedCache


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
