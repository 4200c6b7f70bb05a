"""Leases in the database: at most one holder per name, lost by a holder that stops renewing.

A lease is one row of `scheduler_lease`. Taking it is a single conditional UPDATE ("the row is
free, expired, or already mine"), which the database applies atomically: on PostgreSQL a second
concurrent UPDATE waits for the first and then re-checks the condition, on SQLite writers are
serialised. A name never seen before has no row: the INSERT that creates it is decided by the
primary key, and the loser reads the IntegrityError as "someone else holds it".

Times come from the caller's clock (injectable for tests), so hosts sharing one database need
roughly synchronised clocks (NTP); a lease of a minute tolerates seconds of drift.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, insert, literal, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from adaptivefit.models.base import UTCDateTime, utcnow
from adaptivefit.models.scheduling import SchedulerLease

_LEASES = SchedulerLease.__table__
# The lease of the one process that runs the schedule.
SCHEDULER_LEASE = "scheduler"


def process_holder_id() -> str:
    """A name for this process that no other process, here or on another host, will use."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class LeaseInfo:
    name: str
    holder: str
    acquired_at: datetime
    renewed_at: datetime
    expires_at: datetime

    def active(self, now: datetime) -> bool:
        return self.expires_at > now


class Lease:
    """One named lease as seen by one would-be holder."""

    def __init__(self, engine: Engine, name: str, holder: str, seconds: float, *,
                 clock: Callable[[], datetime] = utcnow):
        if seconds <= 0:
            raise ValueError("a lease must last some time")
        self.engine = engine
        self.name = name
        self.holder = holder
        self.duration = timedelta(seconds=seconds)
        self._clock = clock
        self.expires_at: datetime | None = None

    def acquire(self) -> bool:
        """Take the lease, or renew it when already held. True when this holder has it now."""
        now = self._clock()
        expires = now + self.duration
        table = _LEASES
        mine = table.c.holder == self.holder
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(table)
                .where(table.c.name == self.name, or_(mine, table.c.expires_at <= now))
                .values(holder=self.holder, renewed_at=now, expires_at=expires,
                        acquired_at=case((mine, table.c.acquired_at), else_=literal(now, UTCDateTime())))
            ).rowcount == 1
            exists = taken or connection.execute(select(table.c.name).where(table.c.name == self.name)).first()
        if not taken and not exists:
            try:
                with self.engine.begin() as connection:
                    connection.execute(insert(table).values(name=self.name, holder=self.holder, acquired_at=now,
                                                            renewed_at=now, expires_at=expires))
                taken = True
            except IntegrityError:
                taken = False
        self.expires_at = expires if taken else None
        return taken

    def held(self) -> bool:
        """Whether this holder's last acquire or renewal is still in force by its own clock."""
        return self.expires_at is not None and self._clock() < self.expires_at

    def release(self) -> None:
        """Give the lease up at once (only if still ours), so another may take it without waiting."""
        now = self._clock()
        with self.engine.begin() as connection:
            connection.execute(
                update(_LEASES).where(_LEASES.c.name == self.name, _LEASES.c.holder == self.holder)
                .values(expires_at=now)
            )
        self.expires_at = None


def read_lease(engine: Engine, name: str) -> LeaseInfo | None:
    with engine.connect() as connection:
        row = connection.execute(select(_LEASES).where(_LEASES.c.name == name)).first()
    return LeaseInfo(row.name, row.holder, row.acquired_at, row.renewed_at, row.expires_at) if row else None
