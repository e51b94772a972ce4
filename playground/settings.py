"""Settings: every value comes from an environment variable through a strict helper.

SQLite and a local Redis by default, so one can check out the code, `make run`,
and it works; DATABASE_URL and REDIS_URL point it at real services.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state (SQLite, embedded Redis, collected static); git-ignored
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)


def envbool(name, default):
    value = os.getenv(name, default=default)
    if value not in ("", "True", "False"):
        raise ImproperlyConfigured(f"Unexpected value {name}={value}, use 'True' or 'False'")
    return value == "True"


def envint(name, default):
    value = os.getenv(name, default=default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={value}, use a whole number") from None


def envlist(name, default):
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


SECRET_KEY = os.getenv("SECRET_KEY", "dev-only-secret-change-me-in-production")
DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "playground.runs",
    "playground.datasets",
    "playground.workshops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "playground.urls"
ASGI_APPLICATION = "playground.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "playground.workshops.context.joined_workshop",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'playground.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: wait for the lock instead of failing,
    # take it up front (IMMEDIATE) so two writers never deadlock, and let readers read (WAL).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests share their database with a live server and worker, so it must be a file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Browser identity without accounts: the session (a signed cookie) holds an owner id.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 365
SESSION_COOKIE_SAMESITE = "Lax"  # a cross-site form cannot post as the run's owner

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "frontend" / "static",
    # Plotly.js ships inside the plotly package: no CDN, so workshops work offline.
    ("plotly", Path(__import__("plotly").__file__).parent / "package_data"),
]
WHITENOISE_USE_FINDERS = True  # serve straight from the sources; no collectstatic needed

# Redis carries the Celery queue and the channel layer (notifications only: the DB is the record).
REDIS_URL = os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # A workshop board sends each update to every screen in the room at once: room for
        # a burst (the default, 100, drops notices; screens then re-read a snapshot).
        "CONFIG": {"hosts": [REDIS_URL], "prefix": "playground", "capacity": 1000},
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True  # outcomes live in the database, not a result backend
CELERY_TASK_DEFAULT_QUEUE = os.getenv("CELERY_QUEUE", "runs")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one job at a time per slot: a long run never hoards others
CELERY_TASK_ACKS_LATE = True  # a task taken by a worker that dies goes back to the queue
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# What one request may cost, at most (bad input never becomes a 500, and no request waits
# long on the broker):
# 1. bodies up to 2.5 MB and 1,000 form fields (an upload's file is limited apart, while it
#    streams in); past them the API answers 413 or 400 with a sentence;
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# 2. a publish gives up on an unreachable or stuck broker after seconds (then the retry
#    policy above) and the view answers 503; the socket timeout stays above the worker's
#    1 s blocking poll;
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# 3. the sweeper asks the workers who is there every HEALTH_HEARTBEAT_SECONDS and leaves the
#    answer in Redis, where /api/health reads it: health never waits on the broker.
HEALTH_HEARTBEAT_SECONDS = envint("HEALTH_HEARTBEAT_SECONDS", "2")

# A running run's worker renews its lease every RUN_LEASE_SECONDS / 6; a run whose lease
# has lapsed is marked failed, so a dead worker never leaves a run "running".
RUN_LEASE_SECONDS = envint("RUN_LEASE_SECONDS", "30")
RUN_REAP_INTERVAL_SECONDS = envint("RUN_REAP_INTERVAL_SECONDS", "10")
# Runs handed to the task queue ahead of the workers, at most: the rest wait in the
# database, where the lifecycle picks them in rounds across browsers.
RUN_QUEUE_AHEAD = envint("RUN_QUEUE_AHEAD", "1")

# What one browser may ask of the shared machine (workshops add their own quotas).
BROWSER_ACTIVE_RUNS = envint("BROWSER_ACTIVE_RUNS", "3")  # queued or training at once
BROWSER_QUEUED_STEPS = envint("BROWSER_QUEUED_STEPS", "30000")  # steps not yet trained
BROWSER_UPLOADS = envint("BROWSER_UPLOADS", "20")  # uploads kept at once
BROWSER_UPLOAD_BYTES = envint("BROWSER_UPLOAD_BYTES", str(20 * 2**20))  # their bytes
# A script that drops its cookies is a new browser each time: new identities per client
# address a minute, at most.
NEW_IDENTITIES_PER_MINUTE = envint("NEW_IDENTITIES_PER_MINUTE", "10")
# Days a finished run, or an upload, is kept before the sweeper deletes it (0: forever).
RUN_RETENTION_DAYS = envint("RUN_RETENTION_DAYS", "30")
UPLOAD_RETENTION_DAYS = envint("UPLOAD_RETENTION_DAYS", "30")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
