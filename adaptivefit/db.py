"""Database engine and sessions for the domain (services, coach, jobs, tests).

Reflex keeps an engine of its own for `reflex db`; both read the same URL from config.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adaptivefit.config import ConfigError, get_settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; it is a property of the file and sticks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sqlalchemy.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 5}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sqlalchemy.create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": 5}
    )


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    return _engine_for(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction per user action: commit on success, roll back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def database_answers(engine: Engine | None = None) -> bool:
    try:
        with (engine or get_engine()).connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
        return True
    except Exception:
        return False


def check_database(url: str) -> None:
    """Raise ConfigError naming DATABASE_URL when the database does not answer."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except Exception as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"DATABASE_URL does not answer ({reason}).") from None
    finally:
        engine.dispose()


def check_redis(url: str) -> None:
    """Raise ConfigError naming REDIS_URL when Redis does not answer a PING."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except Exception as exc:
        raise ConfigError(f"REDIS_URL does not answer ({exc}).") from None
