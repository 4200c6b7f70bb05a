"""The PostgreSQL and Redis paths, against real servers started here on loopback."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import Session, SQLModel, func, select

import adaptivefit.models  # noqa: F401
from adaptivefit.cli import alembic_config
from adaptivefit.models import User, WorkoutSet
from adaptivefit.demo import load_demo
from tests.conftest import PROJECT_ROOT


def _missing(what: str):
    # scripts/test installs both; a bare `pytest` on a machine without them skips, CI fails.
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed (scripts/test installs it from Debian)")
    pytest.skip(f"{what} is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped while starting")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


@pytest.fixture(scope="module")
def postgres_url():
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        _missing("PostgreSQL")
    bin_dir = os.path.dirname(binaries[-1])
    # Straight under /tmp: pytest's own temporary folders are closed to other users.
    data = Path(tempfile.mkdtemp(prefix="adaptivefit-pg-"))
    # PostgreSQL refuses to run as root; Debian's package creates the postgres user for this.
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_user, f"{bin_dir}/initdb", "-D", str(data / "db"), "-A", "trust", "-U", "fit"],
                   check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*as_user, f"{bin_dir}/postgres", "-D", str(data / "db"), "-p", str(port), "-h", "127.0.0.1",
         "-k", str(data), "-c", "fsync=off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server, "PostgreSQL")
        time.sleep(0.5)
        yield f"postgresql+psycopg://fit@127.0.0.1:{port}/postgres"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_url():
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("Redis")
    port = _free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    try:
        _wait_for_port(port, server, "Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _config(url):
    config = alembic_config(url)
    config.attributes["configure_logging"] = False
    return config


@pytest.mark.postgres
def test_migrations_go_up_and_down_on_postgresql(postgres_url):
    config = _config(postgres_url)
    command.upgrade(config, "head")
    engine = sqlalchemy.create_engine(postgres_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    command.downgrade(config, "base")
    assert set(sqlalchemy.inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    engine.dispose()


@pytest.mark.postgres
def test_demo_loads_on_postgresql_and_is_idempotent(postgres_url, env, tmp_path):
    command.upgrade(_config(postgres_url), "head")
    env(DATABASE_URL=postgres_url, UPLOAD_DIR=str(tmp_path / "uploads"))
    engine = sqlalchemy.create_engine(postgres_url)
    for _ in range(2):
        with Session(engine) as session:
            load_demo(session)
            session.commit()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 3
        assert session.exec(select(func.count()).select_from(WorkoutSet)).one() >= 100
    engine.dispose()


def _check(**extra):
    environment = {**os.environ, **extra}
    return subprocess.run([sys.executable, "-m", "adaptivefit.cli", "check"], cwd=PROJECT_ROOT,
                          env=environment, capture_output=True, text=True, timeout=120)


@pytest.mark.postgres
@pytest.mark.redis
def test_check_accepts_live_postgresql_and_redis(postgres_url, redis_url, tmp_path):
    result = _check(DATABASE_URL=postgres_url, REDIS_URL=redis_url, ADAPTIVEFIT_HOME=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "postgresql+psycopg://fit@127.0.0.1" in result.stdout and "Redis state manager" in result.stdout


@pytest.mark.redis
def test_reflex_keeps_state_in_redis_when_redis_url_is_set(redis_url, tmp_path):
    """The app's Reflex configuration selects the Redis state manager from REDIS_URL."""
    code = (
        "import rxconfig, reflex as rx;"
        "from reflex.istate.manager import StateManager;"
                "m = StateManager.create();"
        "print(type(m).__name__)"
    )
    environment = {**os.environ, "REDIS_URL": redis_url, "ADAPTIVEFIT_HOME": str(tmp_path),
                   "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "StateManagerRedis"
