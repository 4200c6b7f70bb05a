"""Reflex configuration. Settings come from adaptivefit.config, the one reader of the environment."""

import os
import sys

import reflex as rx

from adaptivefit.config import ConfigError, apply_reflex_environment, get_settings
from adaptivefit.db import check_database, check_redis

apply_reflex_environment()

try:
    settings = get_settings()
    # Every Reflex entry point (run, db, export) stops here with one sentence when the
    # database or Redis does not answer, instead of a traceback later.
    check_database(settings.database_url)
    if settings.redis_url:
        check_redis(settings.redis_url)
except ConfigError as error:
    print(f"Adaptive Fit cannot start: {error}", file=sys.stderr)
    raise SystemExit(2) from None

# Reflex serves and stores uploads in the same folder the services write to.
os.environ.setdefault("REFLEX_UPLOADED_FILES_DIR", str(settings.upload_dir))

config = rx.Config(
    app_name="adaptivefit",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # A backend-only process (scaling the backend apart from the built frontend) has no frontend port.
    frontend_port=None if os.environ.get("REFLEX_BACKEND_ONLY", "").lower() in ("1", "true", "yes") else settings.port,
    backend_port=settings.port,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="jade", gray_color="slate", radius="large")
        ),
    ],
)
