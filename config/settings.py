"""
Settings for Recommendation Tracker, read from environment variables.

Development needs nothing set (`make run` sets DJANGO_DEBUG=true and SITE_URL). Production
sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, SITE_URL and DATABASE_URL; see .env.example.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_cache, env_float, env_identity_providers, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in production, or set DJANGO_DEBUG=true for development."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# A form refused by the CSRF check (usually a page left open too long) gets a page in the site's layout.
CSRF_FAILURE_VIEW = "tracker.views.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Single sign-on through organisations' OpenID Connect identity providers (tracker/sso.py): allauth speaks the
    # protocol; who may sign in, and as what, is the tracker's own sign-in rules.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Two-factor authentication for password sign-ins (tracker/two_factor.py): django-otp's authenticator-app (TOTP)
    # and recovery-code (static) devices, with their throttling; the sign-in steps are the tracker's own.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tracker.middleware.private_responses",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages, so the sign-in page can say why the session ended.
    "tracker.middleware.IdleSignOut",
    # A password session of someone whose role came to need two-factor since they signed in ends (tracker.two_factor).
    "tracker.middleware.SecondFactorRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the login view's failed attempts and turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tracker.context_processors.navigation",
            ],
        },
    },
]

# SQLite needs no set-up; PostgreSQL comes from DATABASE_URL (postgres://user:pass@host:5432/name).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one request writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Every cache (trends' ended months, the action lists' filter form) is this process's memory, unless CACHE_URL
# names a Redis server (redis://127.0.0.1:6379/0) that every host shares. CACHE_KEY_PREFIX keeps apart the
# keys of several sites, test runs or benchmarks that share one Redis database.
CACHES = {"default": env_cache("CACHE_URL", key_prefix=os.environ.get("CACHE_KEY_PREFIX", "tracker"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tracker.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracker:home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Single sign-on (README "Single sign-on"): the identity providers offered as "Sign in with <organisation>" beside the
# password form, each from variables of its own (config.env.env_identity_providers); none by default. An admin
# switches a provider off, and says who gets which role and force, in the admin's "Identity providers".
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": env_identity_providers("TRACKER_SSO_PROVIDERS", "TRACKER_SSO")}}
SOCIALACCOUNT_ADAPTER = "tracker.views.sso.SingleSignOnAdapter"
SOCIALACCOUNT_STORE_TOKENS = False  # the tracker calls nothing on the user's behalf: no access token is kept
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("TRACKER_SSO_TIMEOUT_SECONDS", 5)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence files are private: they live outside STATIC_ROOT and are served by a view that checks access.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "tracker.storage.EvidenceStorage"},  # removes what a failed write left
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Recommendation Tracker <tracker@localhost>")
# The address the site is served at. Links in emails, calendar feeds and the API are built from it, never from
# a request's Host header (which a client chooses). `make run` sets it from HOST and PORT; production must set
# it (tracker/checks.py refuses to start without it).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Shared workstations (tracker/sessions.py): a session unused for TRACKER_IDLE_TIMEOUT_MINUTES ends (0: never), and
# the page warns TRACKER_IDLE_WARNING_SECONDS before, offering to stay signed in. Typing and clicking in an open page
# count as use. SESSION_COOKIE_AGE above is the limit however busy the session.
TRACKER_IDLE_TIMEOUT_MINUTES = env_int("TRACKER_IDLE_TIMEOUT_MINUTES", 30)
TRACKER_IDLE_WARNING_SECONDS = env_int("TRACKER_IDLE_WARNING_SECONDS", 120)
if TRACKER_IDLE_TIMEOUT_MINUTES < 0 or TRACKER_IDLE_WARNING_SECONDS < 0:
    raise ImproperlyConfigured("TRACKER_IDLE_TIMEOUT_MINUTES and TRACKER_IDLE_WARNING_SECONDS must be 0 or more.")
# The sign-in log (SignInEvent) keeps this many days; `manage.py prune_sign_in_log`, run nightly, deletes the rest.
# Never fewer than the 90 days the account page and the admin's user page show (tracker.models.SIGN_IN_LOG_DAYS).
TRACKER_SIGN_IN_LOG_KEEP_DAYS = env_int("TRACKER_SIGN_IN_LOG_KEEP_DAYS", 365)
if TRACKER_SIGN_IN_LOG_KEEP_DAYS < 90:
    raise ImproperlyConfigured(
        "TRACKER_SIGN_IN_LOG_KEEP_DAYS must be 90 or more: the account page shows the last 90 days of the sign-in log."
    )

# Two-factor authentication (tracker/two_factor.py): required of reviewers and admins who sign in with a password,
# offered to everyone else with one. The authenticator app shows the site under OTP_TOTP_ISSUER. A wrong code makes
# the next try wait 1, 2, 4, 8… seconds (django-otp's throttling, per device); a right one resets it.
OTP_TOTP_ISSUER = os.environ.get("TRACKER_TWO_FACTOR_ISSUER", "Recommendation Tracker")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# How long the code step of a sign-in may wait after the password, before the password must be typed again.
TRACKER_TWO_FACTOR_STEP_SECONDS = 10 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp): the site's own scripts, styles, fonts and images only. base.html's
# inline scripts carry the request's nonce. style-src-attr lets style="" attributes through (never <style>
# elements, never script): the dashboard's bar chart sets each bar's length with one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],  # a <style> element only with the request's nonce
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # data: for base.html's empty favicon
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Sign-in protection (django-axes and tracker/signin.py). Five failed sign-ins for one username from one address
# lock that pair; TRACKER_ACCOUNT_FAILURE_LIMIT failed sign-ins for one username from any addresses lock the
# account from everywhere and email its holder. Either lock lasts 15 minutes after the last counted failure
# (HTTP 429 and templates/registration/locked_out.html), or until an admin unlocks it; attempts while locked
# check no password and are not counted; signing in clears that address's count, not other addresses'.
AXES_FAILURE_LIMIT = 5
TRACKER_ACCOUNT_FAILURE_LIMIT = env_int("TRACKER_ACCOUNT_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "tracker.signin.AccountAndAddressHandler"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "tracker.views.errors.sign_in_locked"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address: REMOTE_ADDR, or behind proxies the address the outermost one appended to X-Forwarded-For.
# TRACKER_TRUSTED_PROXIES is how many proxies in front of gunicorn each append to X-Forwarded-For (0: the header
# is never read; 1 by default behind DJANGO_BEHIND_TLS_PROXY). Too many lets a client choose its address.
AXES_CLIENT_IP_CALLABLE = "tracker.signin.client_address"
TRACKER_TRUSTED_PROXIES = env_int(
    "TRACKER_TRUSTED_PROXIES", 1 if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False) and not DEBUG else 0
)
if TRACKER_TRUSTED_PROXIES < 0 or TRACKER_ACCOUNT_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured(
        "TRACKER_TRUSTED_PROXIES must be 0 or more, and TRACKER_ACCOUNT_FAILURE_LIMIT 1 or more."
    )
# No "AXES: BEGIN version …" banner at every start (each manage.py command); failed sign-ins and lock-outs are
# still logged as warnings by the "axes" logger (the username and address masked, as axes does by default).
AXES_VERBOSE = False


# History is append-only: the admin shows past versions but never offers to revert to one.
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # "Forbidden (Permission denied): /dashboard/" is one line: a refusal is expected, its traceback is noise.
    "filters": {"refusals_without_traceback": {"()": "config.log_filters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["refusals_without_traceback"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# How many days ahead "due soon" looks, and when reminders go out.
DUE_SOON_DAYS = env_int("TRACKER_DUE_SOON_DAYS", 30)

# Themes: how alike two recommendations' wording must be (0–1, Dice coefficient of their content words)
# to be grouped as one theme, and whether PSD leads see which other forces got the same recommendation.
THEME_SIMILARITY_THRESHOLD = env_float("TRACKER_THEME_SIMILARITY", 0.62)
THEMES_SHOW_OTHER_FORCES_TO_PSD_LEADS = env_bool("TRACKER_SHOW_OTHER_FORCES_TO_PSD_LEADS", default=False)


# REST API (Django REST framework, tracker/api/): token or session sign-in, JSON only, 50 results a page.
# The OpenAPI schema (drf-spectacular) and its Swagger UI are served to signed-in users only, with the
# UI's files from drf-spectacular-sidecar: nothing loads from a CDN.
REST_FRAMEWORK = {
    # Token first, so an anonymous request gets 401 with "WWW-Authenticate: Token" rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Recommendation Tracker API",
    "DESCRIPTION": (
        "Read-only access to reports, recommendations, actions and their history, scoped like the web pages; "
        "status changes go through the same workflow rules. Sign in with `Authorization: Token <key>` "
        "(get a key at /api/token/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "tracker.models.DatePrecision",
        "RecommendationKindEnum": "tracker.models.Recommendation.Kind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# A change's reason is the user's own words (a completion note, a reason to reopen): keep it whole.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
