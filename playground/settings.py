"""Settings: every value comes from an environment variable through a strict helper.

SQLite and a local Redis by default, so one can check out the code, `make run`,
and it works; DATABASE_URL and REDIS_URL point it at real services.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from worker.queues import queue_names
from worker.slots import cpu_slots

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


DEBUG = envbool("DEBUG", "False")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

MAKE_A_KEY = "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"


def secret_key() -> str:
    """The key that signs every session (a browser's identity and an instructor's rights):
    whoever knows it can forge them, so no key is written in the repository.

    1. SECRET_KEY, when set, must be long and random (the placeholder in
       deploy/production.env is refused).
    2. Without one, DEBUG=True makes up a key for this process (sessions end on restart),
       and so does a pytest session (pytest sets PYTEST_VERSION; tests/conftest.py hands
       the key to the processes it starts). `make run` keeps a key under var/.
    3. Otherwise the app does not start.
    """
    key = os.getenv("SECRET_KEY", "")
    if key:
        if len(key) < 50 or len(set(key)) < 5:
            raise ImproperlyConfigured(
                "SECRET_KEY is a placeholder or too weak: use 50 or more random characters, "
                f"e.g. the output of {MAKE_A_KEY}."
            )
        return key
    if DEBUG or os.getenv("PYTEST_VERSION"):
        return secrets.token_urlsafe(50)
    raise ImproperlyConfigured(
        f"SECRET_KEY is not set. Set it to 50 or more random characters (e.g. {MAKE_A_KEY}) "
        "in the environment or the env file (see deploy/production.env); `make run` makes "
        "one for you under var/, and DEBUG=True runs without one for local development."
    )


SECRET_KEY = secret_key()

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
    "playground.csp.ContentSecurityPolicyMiddleware",
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

# Requests that change state with the session cookie must come from our own origin: the
# pages send the csrftoken cookie back as X-CSRFToken (frontend/static/js/api.js), and any
# unsafe request whose Origin is another site's is refused (playground.api.endpoint).
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")  # e.g. https://playground.example.org
CSRF_FAILURE_VIEW = "playground.api.csrf_failure"  # a JSON sentence for the API

# Behind a TLS proxy (deploy/production.env): HTTPS only, cookies never sent in clear.
# The proxy must set X-Forwarded-Proto itself, overwriting what a client sent.
if envbool("TRUST_X_FORWARDED_PROTO", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

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
        # Redis Pub/Sub: a notice streams to every web process that follows its log. The
        # list-based layer pops each message in four round trips, one at a time, and during
        # a workshop's burst of joins notices waited there for seconds (bench/workshop_load).
        # Pub/Sub keeps nothing for a process that is away: the store is the record, and a
        # socket that sees a gap reads it from there.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": "playground"},
    }
}
# Pub/Sub loses notices without a word: Redis drops a subscriber that falls behind (a
# paused or overloaded web process) and the layer resubscribes silently. A lost notice with
# nothing after it shows no gap, so each web process checks the store of every log its
# sockets watch (one small query per log, not per socket) once no notice came for this
# many seconds, until the log ends: a watcher gets a run's end at most this late.
EVENT_QUIET_SECONDS = envint("EVENT_QUIET_SECONDS", "10")

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True  # outcomes live in the database, not a result backend
# The run queues by kind: CPU workers take one, GPU workers the other (worker/queues.py:
# CELERY_QUEUE and CELERY_GPU_QUEUE). A task sent without a queue goes to the CPU one.
RUN_QUEUES = queue_names()
CELERY_TASK_DEFAULT_QUEUE = RUN_QUEUES["cpu"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one job at a time per slot: a long run never hoards others
# Slots per worker: by default one per usable core, within memory (worker/slots.py); a
# worker started with --concurrency (a GPU worker's slots) says so itself.
CELERY_WORKER_CONCURRENCY = envint("WORKER_CONCURRENCY", str(cpu_slots()))
CELERY_TASK_ACKS_LATE = True  # a task taken by a worker that dies goes back to the queue
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that loses the broker (Redis restarting) connects again by itself, for as long as
# it takes (None: Celery's "retry forever"; the default gives up after 100 tries and the
# worker exits). What it trains meanwhile goes on: Celery's opt-in to cancel late-acked tasks
# on a connection loss stays off, as the run's state lives in the database, not the message.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
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
# has lapsed goes back to the queue, so a dead worker never leaves a run "running".
RUN_LEASE_SECONDS = envint("RUN_LEASE_SECONDS", "30")
RUN_REAP_INTERVAL_SECONDS = envint("RUN_REAP_INTERVAL_SECONDS", "10")
# A running run saves its whole state to the database every RUN_CHECKPOINT_SECONDS, so a
# worker that dies costs at most that much training: the next worker resumes from it. A
# run whose workers were lost RUN_MAX_ATTEMPTS times fails instead (it may be what kills
# them). RUN_KEPT_CHECKPOINTS weight snapshots, early to late, stay after it finishes.
RUN_CHECKPOINT_SECONDS = envint("RUN_CHECKPOINT_SECONDS", "5")
RUN_MAX_ATTEMPTS = envint("RUN_MAX_ATTEMPTS", "3")
RUN_KEPT_CHECKPOINTS = envint("RUN_KEPT_CHECKPOINTS", "10")
# A run handed to the task queue and not taken this long after is sent again (its message may
# be lost); the sweeper sends every such run at once when it sees that Redis restarted.
RUN_RESEND_SECONDS = envint("RUN_RESEND_SECONDS", "60")
# Runs handed to each run queue (CPU, GPU) ahead of its workers, at most: the rest wait in
# the database, where the lifecycle picks them in rounds across browsers.
RUN_QUEUE_AHEAD = envint("RUN_QUEUE_AHEAD", "1")
# A run's estimated work (parameters × batch × length × steps) from which it goes to the GPU
# queue rather than the CPU one (runs/routing.py). The default is about ten seconds of one
# core for a large model (an LSTM 2×128 step, 1.3e9, took 137 ms here): the lessons' runs,
# up to 4e10, train on CPU workers; an LSTM 2×128 of 300 steps (3.8e11) on a GPU.
RUN_GPU_COST = envint("RUN_GPU_COST", str(10**11))

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

# Heavy work (checking uploads, building exports) runs outside the web process
# (playground.work_pool): this many processes per web process, and this many more jobs
# waiting for one; past that a job is refused with a 503 that says try again.
WORK_PROCESSES = envint("WORK_PROCESSES", "1")
WORK_QUEUE = envint("WORK_QUEUE", "2")
# A look inside a run's model (POST /api/runs/{id}/look) runs in the web process, so it is
# refused above this many parameters x input steps (x2 with interventions): about 1.5 s
# here; an LSTM of 1,024 units reading 1,000 steps (4.2e9) took 30 s.
LOOK_MAX_COST = envint("LOOK_MAX_COST", 200_000_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
