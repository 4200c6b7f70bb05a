"""Assembles the app: theme, pages, the /api routes and logging. No logic lives here."""

import asyncio
import logging

import reflex as rx

from adaptivefit import pages  # noqa: F401 - registers every page
from adaptivefit.api import build_api
from adaptivefit.api.middleware import tune_garbage_collector
from adaptivefit.coach import evidence, lm
from adaptivefit.config import get_settings
from adaptivefit.db import session_scope
from adaptivefit.jobs.scheduler import scheduler_lifespan
from adaptivefit.logs import configure_logging

settings = get_settings()
configure_logging(settings.log_level, settings.log_format)
log = logging.getLogger("adaptivefit.app")

app = rx.App(
    head_components=[
        rx.el.link(rel="manifest", href="/manifest.json"),
        rx.el.meta(name="theme-color", content="#1f9e77"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
    ],
    api_transformer=build_api(),
)


def _reload_evidence() -> None:
    with session_scope() as session:
        evidence.reload(session)


async def warm_coach() -> None:
    """Load the coach's model and its evidence index beside start-up: never waited for, never fatal."""
    # The worker has compiled and mounted everything by now: what lives now lives for good.
    tune_garbage_collector()
    for step in (lm.warm_up, _reload_evidence):
        try:
            await asyncio.to_thread(step)
        except Exception:
            # The templates and the shipped studies still serve the coach meanwhile.
            log.warning("Warming up the coach failed at %s", step.__name__, exc_info=True)


app.register_lifespan_task(warm_coach)
# Every worker competes for the scheduler's database lease; only its holder runs the schedule.
if settings.scheduler_enabled:
    app.register_lifespan_task(scheduler_lifespan)
