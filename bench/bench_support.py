"""What the bench scripts share: a private, migrated SQLite database and median timing."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path


def prepare_environment(folder: Path) -> str:
    """Point the app's settings at a fresh database in `folder`; returns its URL."""
    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ["ADAPTIVEFIT_HOME"] = str(folder)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    from adaptivefit import config, db

    config.get_settings.cache_clear()
    db._engine_for.cache_clear()
    return url


def migrate(url: str) -> None:
    from alembic import command

    from adaptivefit.cli import alembic_config

    alembic = alembic_config(url)
    alembic.attributes["configure_logging"] = False
    command.upgrade(alembic, "head")


def median_ms(runs: int, action) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)
