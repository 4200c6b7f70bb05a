"""Assembles the app: theme, pages, the /api routes and logging. No logic lives here."""

import reflex as rx

from adaptivefit import pages  # noqa: F401 - registers every page
from adaptivefit.api import build_api
from adaptivefit.config import get_settings
from adaptivefit.jobs.scheduler import scheduler_lifespan
from adaptivefit.logs import configure_logging

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)

app = rx.App(
    head_components=[
        rx.el.link(rel="manifest", href="/manifest.json"),
        rx.el.meta(name="theme-color", content="#1f9e77"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
    ],
    api_transformer=build_api(),
)

# Every worker competes for the scheduler's database lease; only its holder runs the schedule.
if settings.scheduler_enabled:
    app.register_lifespan_task(scheduler_lifespan)
