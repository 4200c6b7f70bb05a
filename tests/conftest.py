"""Fixtures shared by the unit tests: a private environment and a migrated SQLite database."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from sqlmodel import Session

from adaptivefit import config, db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

ENV_VARS = (
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "UPLOAD_DIR", "ADAPTIVEFIT_HOME", "PORT",
    "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET",
    "COACH_MODEL_DIR", "COACH_BASE_MODEL", "LOG_LEVEL", "LOG_FORMAT",
)


def shared_data_missing(*paths: Path) -> bool:
    """True when the shared test data is absent: a skip on a developer's machine, a failure in CI,
    where ../shared sits beside the clone and a missing file means the tests would prove nothing."""
    missing = [p for p in paths if not p.exists()]
    if missing and os.environ.get("CI"):
        raise RuntimeError(f"shared test data is missing in CI: {missing[0]}")
    return bool(missing)


def reset_caches() -> None:
    config.get_settings.cache_clear()
    db._engine_for.cache_clear()


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment rooted in a temporary folder; returns a setter for variables."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADAPTIVEFIT_HOME", str(tmp_path))
    reset_caches()

    def set_vars(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        reset_caches()

    yield set_vars
    reset_caches()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One database brought to the newest migration; each test gets a copy of it."""
    from alembic import command

    from adaptivefit.cli import alembic_config

    path = tmp_path_factory.mktemp("template") / "template.db"
    config_ = alembic_config(f"sqlite:///{path}")
    config_.attributes["configure_logging"] = False
    command.upgrade(config_, "head")
    return path


@pytest.fixture
def database(env, tmp_path, migrated_template) -> str:
    path = tmp_path / "adaptivefit.db"
    shutil.copy(migrated_template, path)
    url = f"sqlite:///{path}"
    env(DATABASE_URL=url, UPLOAD_DIR=str(tmp_path / "uploads"))
    return url


@pytest.fixture
def session(database):
    with Session(db.get_engine(), expire_on_commit=False) as session_:
        yield session_


def run_async(coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread, where asyncio.run refuses to start."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
