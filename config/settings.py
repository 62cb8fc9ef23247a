"""One environment-driven settings module.

Environment variables:
  DATABASE_URL          e.g. postgres://user@127.0.0.1:5432/caseassess (default: SQLite in var/)
  DJANGO_SECRET_KEY     required when DJANGO_DEBUG is off
  DJANGO_DEBUG          "1" for development (the demo turns it on)
  DJANGO_ALLOWED_HOSTS  comma-separated
  CASEASSESS_SECURE     "1" in production: Secure cookies, HSTS, SSL redirect
  CASEASSESS_REQUIRE_2FA  "1" requires a TOTP code after the password (default: on, off when DJANGO_DEBUG=1)
  CASEASSESS_PROXY_COUNT  reverse proxies in front of the app whose X-Forwarded-For is trusted (default 0)
  DATABASE_REPLICA_URL  a PostgreSQL read replica for reports and exports (docs/deploy.md)
  CASEASSESS_BACKUP_KEY   secret (32+ characters) that signs backups; kept apart from them (docs/security.md)
  CASEASSESS_SQLITE_BUSY_SECONDS  how long a SQLite write waits for the lock before "try again" (default 5)
  CASEASSESS_SITE_URL   the address people open, used in links printed by commands (default http://127.0.0.1:8000)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CASEASSESS_VAR_DIR", BASE_DIR / "var"))
# Findings' small-numbers rule: a percentage on fewer answers than this carries a caution mark and
# never feeds a key finding; kappa needs this many double-assessed cases (docs/method.md).
REPORT_MIN_N = int(os.environ.get("CASEASSESS_REPORT_MIN_N", "10"))
KAPPA_MIN_CASES = int(os.environ.get("CASEASSESS_KAPPA_MIN_CASES", "10"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or (
    "dev-only-insecure-key-caseassess-not-for-production"
    if DEBUG or os.environ.get("CASEASSESS_TESTING") or "pytest" in sys.modules
    else ""
)
# No key set: commands that need none (validate_instrument, migrate, setup_site ...) still
# run; anything that signs (sessions, the web server) stops with one line from manage.py
# or config/wsgi.py saying what to set (UNCONFIGURED_HELP below).
UNCONFIGURED_HELP = "Set DJANGO_SECRET_KEY to a long random value (or DJANGO_DEBUG=1 for development on this machine)."
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "caseassess.govuk",
    "caseassess.accounts",
    "caseassess.audit",
    "caseassess.instruments",
    "caseassess.inspections",
    "caseassess.assessments",
    "caseassess.reporting",
    "caseassess.sampling",
    "django_tasks",
    "django_tasks_db",
    "caseassess.jobs",
    "caseassess.api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "caseassess.accounts.middleware.SessionLimitMiddleware",
    "caseassess.accounts.middleware.TwoFactorMiddleware",
    "caseassess.assessments.kept.KeptAnswersMarkerMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "caseassess.govuk.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
    "caseassess.govuk.busy.BusyDatabaseMiddleware",
    "caseassess.govuk.poll.PollMiddleware",
    "caseassess.audit.middleware.RefusedAccessMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "caseassess.govuk.jinja.environment"},
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'caseassess.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        # WAL: readers (pages, backups) never block the writer. A write waits at most the busy
        # timeout for the lock - well under gunicorn's 30 s request timeout - and then the user
        # gets "Sorry, the service is busy" (503, caseassess.govuk.busy), not a 500.
        {
            "timeout": float(os.environ.get("CASEASSESS_SQLITE_BUSY_SECONDS", "5")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
# SQLite only, opt-in: the web's background answers import writes whole cases in parts of
# this many answers (one transaction each) so that saves get the single write lock between
# them. 0 (the default): one transaction, all or nothing even if the worker is killed;
# saves during a large import then get "Sorry, the service is busy" and the browser keeps
# and re-sends them (docs/deploy.md, "SQLite and large web imports").
CASEASSESS_SQLITE_IMPORT_PART_ROWS = int(os.environ.get("CASEASSESS_SQLITE_IMPORT_PART_ROWS", "0"))

# Background work (imports from the web, PDF exports, count rebuilds): django-tasks with
# its database backend; `manage.py db_worker` runs the tasks (scripts/demo.sh starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Read replica (docs/deploy.md): report and export reads go to a PostgreSQL hot standby
# when DATABASE_REPLICA_URL is set; writes, and reads inside a write transaction, stay on
# the primary (caseassess/dbrouter.py). Tests mirror the replica onto the default database.
DATABASE_ROUTERS = ["caseassess.dbrouter.ReplicaRouter"]
CASEASSESS_READ_REPLICA = bool(os.environ.get("DATABASE_REPLICA_URL"))
if CASEASSESS_READ_REPLICA:
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
elif os.environ.get("CASEASSESS_TESTING") or "pytest" in sys.modules:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "inspections:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Sign-in throttling (docs/security.md): 10 failures for one username from one address
# lock that pair for 15 minutes. The address is REMOTE_ADDR; X-Forwarded-For is read only
# when CASEASSESS_PROXY_COUNT proxies are configured in front of the application.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "caseassess.accounts.security.client_ip"
AXES_LOCKOUT_CALLABLE = "caseassess.accounts.views.locked_out"
CASEASSESS_PROXY_COUNT = int(os.environ.get("CASEASSESS_PROXY_COUNT", "0"))
# Two-factor sign-in (TOTP). On unless switched off; the demo (DJANGO_DEBUG=1) defaults to off.
CASEASSESS_REQUIRE_2FA = os.environ.get("CASEASSESS_REQUIRE_2FA", "0" if DEBUG else "1") == "1"
OTP_TOTP_ISSUER = "caseassess"

# NCSC password guidance: length and a deny-list, no composition rules, no expiry.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_build"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "caseassess" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTRUMENTS_DIR = BASE_DIR / "instruments"
SITE_URL = os.environ.get("CASEASSESS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CASEASSESS_INVITATION_DAYS = 7  # one-time links to set a password and enrol two-factor

# Sessions: 30 minutes idle (refreshed on each request), 12 hours absolute.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Answers kept after the session ended (caseassess/assessments/kept.py, docs/security.md):
# only for a browser whose signed-in session ended less than KEPT_ANSWERS_WINDOW seconds ago.
KEPT_ANSWERS_WINDOW = 4 * 60 * 60
KEPT_MAX_FORMS = 5
KEPT_MAX_BYTES = 64 * 1024
# GOV.UK-styled pages for a failed CSRF check (a tab left open while signing in elsewhere).
CSRF_FAILURE_VIEW = "caseassess.govuk.errors.csrf_failure"
SECURE = os.environ.get("CASEASSESS_SECURE", "0") == "1"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
# A load balancer's health check may speak plain HTTP to the web process (docs/deploy.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Backups are signed (HMAC-SHA256) with this key; it is never written into a backup.
CASEASSESS_BACKUP_KEY = os.environ.get("CASEASSESS_BACKUP_KEY", "")

if os.environ.get("CASEASSESS_TESTING") or "pytest" in sys.modules:
    # Fast hashing in tests only; production keeps Django's PBKDF2 default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    CASEASSESS_BACKUP_KEY = CASEASSESS_BACKUP_KEY or "test-only-backup-signing-key-0123456789abcdef"
