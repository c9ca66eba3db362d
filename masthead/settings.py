"""masthead settings, read once from the environment (see docs/settings.md)."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from masthead.env import env_bool, env_float, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of a single-machine install: the SQLite database, uploads, collected
# static files and the generated secret key.
VAR_DIR = Path(os.environ.get("MASTHEAD_VAR_DIR", BASE_DIR / "var")).resolve()


def _var_dir() -> Path:
    """VAR_DIR, made (with its parents) when it does not exist yet; a folder that cannot be
    made or written to stops start-up with one line saying so."""
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ImproperlyConfigured(
            f"MASTHEAD_VAR_DIR={VAR_DIR} cannot be created ({error.strerror}); create it, "
            "or point MASTHEAD_VAR_DIR at a folder the site may write to."
        ) from None
    if not os.access(VAR_DIR, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(
            f"MASTHEAD_VAR_DIR={VAR_DIR} is not writable by this user; give it to the user "
            "the site runs as, or point MASTHEAD_VAR_DIR at a folder the site may write to."
        )
    return VAR_DIR


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # A single-machine install keeps a generated key beside its database, so sessions and
    # comment edit tokens survive restarts without anyone having to invent a key.
    path = _var_dir() / "secret_key"
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = _write_secret_key(path)
    if not key:
        raise ImproperlyConfigured(f"{path} is empty; delete it, and a new key is generated.")
    return key


def _write_secret_key(path: Path) -> str:
    """Generate a key and store it at `path`, readable by this user only from the start
    and never seen half-written: written to a file of its own, then linked into place. The
    processes of a starting server race to do this; the first link wins and every process
    uses the key it holds."""
    key = get_random_secret_key()
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(key)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text().strip()
    finally:
        temporary.unlink(missing_ok=True)
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
MASTHEAD_BEHIND_PROXY = env_bool("MASTHEAD_BEHIND_PROXY", False)
if MASTHEAD_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# Proxies in front of the app that each append the address they saw to X-Forwarded-For.
MASTHEAD_PROXY_HOPS = env_int("MASTHEAD_PROXY_HOPS", 1)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("MASTHEAD_SECURE_COOKIES", False)
# A site served only over HTTPS (docs/operations.md): plain http is redirected, and browsers
# are told (HSTS) to use https alone for this long.
SECURE_SSL_REDIRECT = env_bool("MASTHEAD_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("MASTHEAD_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MASTHEAD_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("MASTHEAD_HSTS_PRELOAD", False)

INSTALLED_APPS = [
    "masthead",
    "pagecache",
    "news",
    "comments",
    "mailing",
    "notifications",
    "commenters",
    "newsletters",
    "importers",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "pagecache.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "masthead.sites.SiteMiddleware",
]

ROOT_URLCONF = "masthead.urls"
CSRF_FAILURE_VIEW = "masthead.errors.csrf_failure"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "masthead" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "masthead.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL names another.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_var_dir() / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the write lock when their transaction starts and wait up to the
        # timeout for it, so concurrent writers queue instead of failing with "locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: files in var/cache by default, shared by the web server's processes and the worker
# on one machine (a cache in each process would keep serving a page after another process
# changed it); CACHE_URL=redis://host:6379/0 shares it between servers.
_cache_url = os.environ.get("CACHE_URL", "")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "masthead.cache.RedisCache",
            "LOCATION": _cache_url,
            "OPTIONS": {"timeout": env_float("MASTHEAD_CACHE_TIMEOUT", 0.5)},
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "masthead"),
        }
    }
elif _cache_url == "":
    CACHES = {
        "default": {
            "BACKEND": "masthead.cache.FileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
elif _cache_url == "locmem://":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
elif _cache_url == "dummy://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:
    raise ImproperlyConfigured(
        f"CACHE_URL={_cache_url!r} is not supported; use redis://host:port/db, locmem:// "
        "or dummy://."
    )

TASKS = {
    "default": {
        "BACKEND": os.environ.get("MASTHEAD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Email
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "masthead@localhost")
if "EMAIL_BACKEND" in os.environ:
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-us")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Without a separate media server (the single-machine case) the app serves uploads itself.
MASTHEAD_SERVE_MEDIA = env_bool("MASTHEAD_SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "wagtail": {"level": os.environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("MASTHEAD_SITE_NAME", "The Masthead Courier")
# No page calls a third-party host, the admin included: no avatars from Gravatar (staff
# may upload one in their account settings).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("MASTHEAD_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_FINDERS = []  # embeds are links on the page; nothing fetches third-party oEmbed
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
# Documents go out through Wagtail's view, which applies their collection's privacy (login,
# password, groups); never straight from storage. /media/documents/ is not served.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_I18N_ENABLED = False

# Feeds, sitemaps and structured data
MASTHEAD_FEED_CONTENT = os.environ.get("MASTHEAD_FEED_CONTENT", "full")
if MASTHEAD_FEED_CONTENT not in {"full", "summary"}:
    raise ImproperlyConfigured(
        f"MASTHEAD_FEED_CONTENT={MASTHEAD_FEED_CONTENT!r}: use full (whole articles in the "
        "feeds) or summary."
    )
# The "domain,date" of the tag: URIs that identify articles in feeds. Feed readers treat a
# new identifier as a new article, so it is fixed once and never follows the site's address.
MASTHEAD_FEED_ID_AUTHORITY = os.environ.get("MASTHEAD_FEED_ID_AUTHORITY") or (
    f"{urlsplit(WAGTAILADMIN_BASE_URL).hostname or 'localhost'},2024"
)
if not re.fullmatch(r"[A-Za-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?", MASTHEAD_FEED_ID_AUTHORITY):
    raise ImproperlyConfigured(
        f"MASTHEAD_FEED_ID_AUTHORITY={MASTHEAD_FEED_ID_AUTHORITY!r} is not a domain and a date, "
        "e.g. courier.example,2024."
    )
MASTHEAD_WEBSUB_HUB = os.environ.get("MASTHEAD_WEBSUB_HUB", "")

# Where `masthead ingest` files an article without a section on a site that has none yet
MASTHEAD_DEFAULT_SECTION = os.environ.get("MASTHEAD_DEFAULT_SECTION", "Uncategorized")

# Full-page cache for anonymous readers (docs/operations.md)
MASTHEAD_PAGE_CACHE = env_bool("MASTHEAD_PAGE_CACHE", True)
MASTHEAD_PAGE_CACHE_TTL = env_int("MASTHEAD_PAGE_CACHE_TTL", 3600)
MASTHEAD_PAGE_CACHE_LISTING_TTL = env_int("MASTHEAD_PAGE_CACHE_LISTING_TTL", 60)
MASTHEAD_PAGE_CACHE_STALE = env_int("MASTHEAD_PAGE_CACHE_STALE", 60)
MASTHEAD_PAGE_CACHE_RECHECK = env_float("MASTHEAD_PAGE_CACHE_RECHECK", 0.1)
MASTHEAD_PAGE_CACHE_VARIANTS = env_int("MASTHEAD_PAGE_CACHE_VARIANTS", 32)
if os.environ.get("WAGTAILFRONTENDCACHE_BACKEND"):
    # One CDN or proxy to purge, e.g. wagtail.contrib.frontend_cache.backends.HTTPBackend
    # with WAGTAILFRONTENDCACHE_LOCATION=http://varnish:8000 (see docs/operations.md).
    INSTALLED_APPS.append("wagtail.contrib.frontend_cache")
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": os.environ["WAGTAILFRONTENDCACHE_BACKEND"],
            **{
                key.removeprefix("WAGTAILFRONTENDCACHE_"): value
                for key, value in os.environ.items()
                if key.startswith("WAGTAILFRONTENDCACHE_") and key != "WAGTAILFRONTENDCACHE_BACKEND"
            },
        }
    }

# masthead
MASTHEAD_PAGE_SIZE = env_int("MASTHEAD_PAGE_SIZE", 12)
MASTHEAD_SCHEDULER_INTERVAL = env_int("MASTHEAD_SCHEDULER_INTERVAL", 15)
MASTHEAD_TASK_LEASE_SECONDS = env_int("MASTHEAD_TASK_LEASE_SECONDS", 600)
MASTHEAD_COMMENTS_MAX_DEPTH = env_int("MASTHEAD_COMMENTS_MAX_DEPTH", 5)
MASTHEAD_COMMENTS_PER_PAGE = env_int("MASTHEAD_COMMENTS_PER_PAGE", 50)
MASTHEAD_COMMENTS_MODERATION = os.environ.get("MASTHEAD_COMMENTS_MODERATION", "first")
# The known-commenter rule lets through only addresses their owners have confirmed.
MASTHEAD_COMMENTS_KNOWN_CONFIRMED_ONLY = env_bool("MASTHEAD_COMMENTS_KNOWN_CONFIRMED_ONLY", False)
MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = env_int("MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS", 0)
MASTHEAD_COMMENTS_EDIT_MINUTES = env_int("MASTHEAD_COMMENTS_EDIT_MINUTES", 15)
# Likes, sorting, live updates and long threads (see docs/settings.md, docs/thread.md)
MASTHEAD_COMMENTS_DISLIKES = env_bool("MASTHEAD_COMMENTS_DISLIKES", False)
MASTHEAD_COMMENTS_LIKE_RATE = os.environ.get("MASTHEAD_COMMENTS_LIKE_RATE", "120/600")
MASTHEAD_COMMENTS_LIKES_PER_NETWORK = env_int("MASTHEAD_COMMENTS_LIKES_PER_NETWORK", 5)
MASTHEAD_COMMENTS_LIVE = env_bool("MASTHEAD_COMMENTS_LIVE", True)
MASTHEAD_COMMENTS_LIVE_POLL = env_int("MASTHEAD_COMMENTS_LIVE_POLL", 15)
MASTHEAD_COMMENTS_LIVE_MAX_AGE = env_int("MASTHEAD_COMMENTS_LIVE_MAX_AGE", 10)
MASTHEAD_COMMENTS_REPLIES_SHOWN = env_int("MASTHEAD_COMMENTS_REPLIES_SHOWN", 3)


# Moderation pipeline (see docs/moderation.md)
if "MASTHEAD_COMMENT_CHECKS" in os.environ:
    MASTHEAD_COMMENT_CHECKS = env_list("MASTHEAD_COMMENT_CHECKS", [])
MASTHEAD_COMMENTS_MIN_SECONDS = env_float("MASTHEAD_COMMENTS_MIN_SECONDS", 3)
MASTHEAD_COMMENTS_FORM_MAX_AGE = env_int("MASTHEAD_COMMENTS_FORM_MAX_AGE", 3 * 24 * 3600)
MASTHEAD_COMMENTS_RATE_LIMITS = os.environ.get("MASTHEAD_COMMENTS_RATE_LIMITS", "5/60,30/3600")
MASTHEAD_COMMENTS_MAX_LINKS = env_int("MASTHEAD_COMMENTS_MAX_LINKS", 2)
MASTHEAD_COMMENTS_TOXICITY_THRESHOLD = env_float("MASTHEAD_COMMENTS_TOXICITY_THRESHOLD", 0.9)
MASTHEAD_COMMENTS_SPAM_THRESHOLD = env_float("MASTHEAD_COMMENTS_SPAM_THRESHOLD", 0.9)
MASTHEAD_COMMENTS_SPAM_HOLD_THRESHOLD = env_float("MASTHEAD_COMMENTS_SPAM_HOLD_THRESHOLD", 0)
MASTHEAD_COMMENTS_REPORTS_TO_HOLD = env_int("MASTHEAD_COMMENTS_REPORTS_TO_HOLD", 3)
MASTHEAD_COMMENTS_REPORT_RATE_LIMITS = os.environ.get(
    "MASTHEAD_COMMENTS_REPORT_RATE_LIMITS", "10/3600,30/86400"
)
MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS = os.environ.get(
    "MASTHEAD_COMMENTS_CHANGE_RATE_LIMITS", "10/600,30/3600"
)
MASTHEAD_COMMENTS_EDIT_RATE_LIMITS = os.environ.get(
    "MASTHEAD_COMMENTS_EDIT_RATE_LIMITS", "3/60,10/3600"
)
MASTHEAD_COMMENTS_NOTIFY = os.environ.get("MASTHEAD_COMMENTS_NOTIFY", "each")
MASTHEAD_COMMENTS_NOTIFY_EMAILS = env_list("MASTHEAD_COMMENTS_NOTIFY_EMAILS", [])
MASTHEAD_COMMENTS_DIGEST_MINUTES = env_int("MASTHEAD_COMMENTS_DIGEST_MINUTES", 60)
MASTHEAD_COMMENTS_PICKS_FIRST = env_bool("MASTHEAD_COMMENTS_PICKS_FIRST", True)
MASTHEAD_AKISMET_KEY = os.environ.get("MASTHEAD_AKISMET_KEY", "")
MASTHEAD_AKISMET_URL = os.environ.get("MASTHEAD_AKISMET_URL", "")
MASTHEAD_AKISMET_TIMEOUT = env_float("MASTHEAD_AKISMET_TIMEOUT", 3)

# Readers' own page: sign-in links and the session they start (see docs/privacy.md)
MASTHEAD_SELFSERVICE_LINK_MINUTES = env_int("MASTHEAD_SELFSERVICE_LINK_MINUTES", 30)
MASTHEAD_SELFSERVICE_SESSION_MINUTES = env_int("MASTHEAD_SELFSERVICE_SESSION_MINUTES", 30)

# Mail to readers: confirmation, reply notifications, following (see docs/notifications.md)
MASTHEAD_NOTIFICATIONS = env_bool("MASTHEAD_NOTIFICATIONS", True)
MASTHEAD_MAIL_FROM_NAME = os.environ.get("MASTHEAD_MAIL_FROM_NAME", "")
MASTHEAD_MAIL_FROM = os.environ.get("MASTHEAD_MAIL_FROM", "")
MASTHEAD_MAIL_CONFIRM_DAYS = env_int("MASTHEAD_MAIL_CONFIRM_DAYS", 7)
MASTHEAD_MAIL_UNCONFIRMED_HOURS = env_int("MASTHEAD_MAIL_UNCONFIRMED_HOURS", 24)
MASTHEAD_MAIL_PER_RANGE_PER_HOUR = env_int("MASTHEAD_MAIL_PER_RANGE_PER_HOUR", 5)
MASTHEAD_MAIL_BATCH_SIZE = env_int("MASTHEAD_MAIL_BATCH_SIZE", 100)
MASTHEAD_MAIL_MAX_ATTEMPTS = env_int("MASTHEAD_MAIL_MAX_ATTEMPTS", 10)
MASTHEAD_MAIL_RETRY_SECONDS = env_int("MASTHEAD_MAIL_RETRY_SECONDS", 60)
MASTHEAD_MAIL_LEASE_SECONDS = env_int("MASTHEAD_MAIL_LEASE_SECONDS", 600)
# At most this many mails a minute (0: as fast as the server takes them), for relays that
# throttle.
MASTHEAD_MAIL_PER_MINUTE = env_int("MASTHEAD_MAIL_PER_MINUTE", 0)
# Newsletter sign-ups one sender IP range (/24, /64) may make in an hour.
MASTHEAD_NEWSLETTER_SIGNUPS_PER_HOUR = env_int("MASTHEAD_NEWSLETTER_SIGNUPS_PER_HOUR", 20)
# A relay's bounce and complaint webhooks (django-anymail), served at
# /mail/webhooks/<relay>/tracking/ only when a shared secret is set: the relay sends it as
# HTTP basic auth ("user:password"), so nobody else can stop a reader's mail.
ANYMAIL = {"WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")}
MASTHEAD_NOTIFICATIONS_DIGEST_HOUR = env_int("MASTHEAD_NOTIFICATIONS_DIGEST_HOUR", 7)
