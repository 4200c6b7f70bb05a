"""The scheduler's tables: leases that keep work to one process, and APScheduler's job store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, Unicode, func
from sqlmodel import Field, SQLModel

from adaptivefit.models.base import UTCDateTime


class SchedulerLease(SQLModel, table=True):
    """Who may act until when: the row "scheduler" elects the one process that runs the schedule;
    a row "job:<name>" is held while that job runs, so it never runs twice at once.

    Taken with one conditional UPDATE (free, expired, or already mine) or, for a new name, an
    INSERT that the primary key lets only one process win (see jobs/lease.py).
    """

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=64)
    # "<host>:<pid>:<random>" for a scheduler process, "run:<random>" for a job run.
    holder: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    # A row written without times is already expired, so free to take.
    acquired_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, server_default=func.now()))
    renewed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, server_default=func.now()))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, server_default=func.now()))


class SchedulerJob(SQLModel, table=True):
    """APScheduler's `SQLAlchemyJobStore` table, declared here so Alembic creates and owns it.

    The columns are APScheduler 3's own (apscheduler/jobstores/sqlalchemy.py); the store only
    creates the table when it is missing, so it finds this one and uses it as is. Rows are
    written by APScheduler alone: a job's pickled state and its next run as a UTC timestamp.
    """

    __tablename__ = "apscheduler_jobs"

    id: str = Field(sa_column=Column(Unicode(191), primary_key=True))
    next_run_time: float | None = Field(default=None, sa_column=Column(Float(25), index=True))
    job_state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
