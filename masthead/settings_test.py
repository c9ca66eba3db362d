"""Settings for the test suite: the real settings, with fast hashing and inline tasks."""

import os
import tempfile

os.environ.setdefault("MASTHEAD_VAR_DIR", tempfile.mkdtemp(prefix="masthead-test-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")

from comments.moderation import RULE_CHECKS  # noqa: E402

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

# The rule-based checks; the model-based ones (toxicity, learned spam filter) are switched on
# by the tests that exercise them, since loading and training them costs seconds.
MASTHEAD_COMMENT_CHECKS = list(RULE_CHECKS)
# Tests fill forms faster than people do; the bot-trap tests set their own minimum.
MASTHEAD_COMMENTS_MIN_SECONDS = 0
# Most tests look at one render at a time; the page-cache tests switch the cache on.
MASTHEAD_PAGE_CACHE = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that tests with several connections (concurrent writers, the
    # live server of the browser tests) share one database as they would in production.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
