"""Exactly one scheduler: the database lease, handover, and jobs that never run twice at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from tests.conftest import run_async
from adaptivefit import db
from adaptivefit.config import get_settings
from adaptivefit.jobs import registry, scheduler as scheduler_module
from adaptivefit.jobs.lease import SCHEDULER_LEASE, Lease, read_lease
from adaptivefit.jobs.registry import JobSpec
from adaptivefit.jobs.scheduler import LeaseScheduler, fire_job, schedule_triggers
from adaptivefit.models import JobRun, SchedulerJob
from tests.conftest import PROJECT_ROOT
from tests.test_postgres_redis import postgres_url  # noqa: F401 - the fixture that starts PostgreSQL

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LEASE = 60


class Clock:
    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def candidates(database, clock):
    """Two would-be schedulers on one database; their own renewal threads kept out of the way."""
    made = []

    def make(name: str, **kwargs) -> LeaseScheduler:
        kwargs = {"triggers": schedule_triggers(get_settings()), "lease_seconds": LEASE, "clock": clock,
                  "interval": 3600} | kwargs
        candidate = LeaseScheduler(db.get_engine(), holder=name, **kwargs)
        made.append(candidate)
        return candidate

    yield make
    for candidate in made:
        candidate.stop()


def _state(candidate: LeaseScheduler):
    return candidate.scheduler.state if candidate.scheduler is not None else None


def test_only_one_of_two_candidates_holds_the_lease(candidates):
    a, b = candidates("a"), candidates("b")
    assert a.tick() is True and a.is_leader and _state(a) == STATE_RUNNING
    assert b.tick() is False and not b.is_leader
    # Only the holder ever starts APScheduler.
    assert b.scheduler is None
    assert read_lease(db.get_engine(), SCHEDULER_LEASE).holder == "a"


def test_the_leader_stores_every_job_with_its_next_run(candidates):
    a = candidates("a")
    a.tick()
    with Session(db.get_engine()) as session:
        stored = dict(session.exec(select(SchedulerJob.id, SchedulerJob.next_run_time)).all())
    assert set(stored) == set(registry.JOBS)
    # Sunday 03:00 UTC by cron's reckoning (APScheduler's own from_crontab would say Monday).
    assert datetime.fromtimestamp(stored["pubmed"], UTC).strftime("%A %H:%M") == "Sunday 03:00"


def test_the_other_takes_over_when_the_holder_stops_renewing(candidates, clock):
    a, b = candidates("a"), candidates("b")
    assert a.tick()
    clock.advance(LEASE - 1)
    assert not b.tick()
    clock.advance(2)  # a's lease ran out a second ago: a crashed, or hung
    assert not a.is_leader  # by its own clock a knows it may not run jobs any more
    assert b.tick() and b.is_leader and _state(b) == STATE_RUNNING
    assert not a.tick()
    assert _state(a) == STATE_PAUSED and not a.is_leader


def test_a_holder_that_renews_in_time_keeps_the_lease(candidates, clock):
    a, b = candidates("a"), candidates("b")
    for _ in range(5):
        assert a.tick()
        clock.advance(LEASE / 3)
        assert not b.tick()
    assert a.is_leader


def test_a_holder_that_cannot_renew_pauses_its_scheduler_at_once(candidates, monkeypatch):
    a = candidates("a")
    assert a.tick()

    def unreachable():
        raise OperationalError("UPDATE scheduler_lease", {}, Exception("database is locked"))

    monkeypatch.setattr(a.lease, "acquire", unreachable)
    assert not a.tick()
    assert _state(a) == STATE_PAUSED and not a.is_leader


def test_a_leader_regaining_the_lease_resumes(candidates, clock):
    a, b = candidates("a"), candidates("b")
    a.tick()
    clock.advance(LEASE + 1)
    b.tick()
    a.tick()
    b.stop()
    assert a.tick() and _state(a) == STATE_RUNNING


def test_stopping_gives_the_lease_up_at_once(candidates):
    a, b = candidates("a"), candidates("b")
    a.start()
    assert a.is_leader and not b.tick()
    a.stop()
    assert a.scheduler is None
    assert b.tick()  # no waiting for the lease to run out


def test_a_changed_schedule_is_stored_and_an_unchanged_one_keeps_its_next_run(candidates, clock):
    a = candidates("a")
    a.tick()
    with Session(db.get_engine()) as session:
        before = dict(session.exec(select(SchedulerJob.id, SchedulerJob.next_run_time)).all())
    a.stop()
    triggers = schedule_triggers(get_settings())
    triggers["knowledge_export"] = scheduler_module.crontab.cron_trigger("15 7 * * *")
    clock.advance(3600)
    b = candidates("b", triggers=triggers)
    assert b.tick()
    with Session(db.get_engine()) as session:
        after = dict(session.exec(select(SchedulerJob.id, SchedulerJob.next_run_time)).all())
    assert after["pubmed"] == before["pubmed"]
    assert datetime.fromtimestamp(after["knowledge_export"], UTC).strftime("%H:%M") == "07:15"


def test_concurrent_acquisition_never_yields_two_holders(database):
    engine, now = db.get_engine(), Clock()
    for round_ in range(10):
        # Even rounds race to INSERT a new row; odd rounds race to UPDATE the expired one.
        name = f"race-{round_ // 2}"
        now.advance(LEASE + 1)
        leases = [Lease(engine, name, f"holder-{i}", LEASE, clock=now) for i in range(6)]
        barrier, results = threading.Barrier(len(leases)), []

        def contend(lease):
            barrier.wait()
            results.append(lease.acquire())

        threads = [threading.Thread(target=contend, args=(lease,)) for lease in leases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(results) == [False] * 5 + [True], f"round {round_}"


def test_concurrent_schedulers_elect_one_leader(candidates):
    group = [candidates(f"s{i}") for i in range(4)]
    barrier, results = threading.Barrier(len(group)), {}

    def contend(candidate):
        barrier.wait()
        results[candidate.holder] = candidate.tick()

    threads = [threading.Thread(target=contend, args=(c,)) for c in group]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(results.values()) == 1
    assert sum(c.scheduler is not None for c in group) == 1


def _slow_job(monkeypatch, name: str, started: threading.Event, release: threading.Event):
    def slow(settings, *, now, progress):
        started.set()
        release.wait(10)
        return {"added": 1}

    monkeypatch.setitem(registry.JOBS, name, JobSpec(name, "Slow", "test", slow, "jobs_export_cron",
                                                     timedelta(minutes=5)))


def test_a_job_fired_by_two_schedulers_at_once_runs_once(database, monkeypatch, caplog):
    started, release = threading.Event(), threading.Event()
    _slow_job(monkeypatch, "slow", started, release)
    first = threading.Thread(target=fire_job, args=("slow",))
    first.start()
    assert started.wait(10)
    fire_job("slow")  # the second scheduler's fire: refused, logged, not raised
    release.set()
    first.join(10)
    with Session(db.get_engine()) as session:
        assert len(session.exec(select(JobRun).where(JobRun.job == "slow")).all()) == 1
    assert "Scheduled run of slow not started" in caplog.text


def test_with_two_schedulers_running_only_the_leader_runs_jobs(database, monkeypatch):
    ran = []

    def quick(settings, *, now, progress):
        ran.append(threading.current_thread().name)
        return {"added": 0}

    monkeypatch.setitem(registry.JOBS, "quick", JobSpec("quick", "Quick", "test", quick, "jobs_export_cron",
                                                        timedelta(minutes=1)))
    triggers = {"quick": IntervalTrigger(seconds=1, timezone=UTC)}
    a = LeaseScheduler(db.get_engine(), triggers=triggers, lease_seconds=LEASE, holder="a")
    b = LeaseScheduler(db.get_engine(), triggers=triggers, lease_seconds=LEASE, holder="b")
    try:
        a.start()
        b.start()
        deadline = time.monotonic() + 15
        while len(ran) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        a.stop()
        b.stop()
    assert len(ran) >= 2
    assert b.scheduler is None and not b.is_leader  # b never scheduled anything
    with Session(db.get_engine()) as session:
        runs = session.exec(select(JobRun).where(JobRun.job == "quick")).all()
    assert len(runs) == len(ran) and {r.triggered_by for r in runs} == {"schedule"}


def test_the_lifespan_task_holds_the_lease_while_the_app_runs(database):
    async def serve():
        async with scheduler_module.scheduler_lifespan():
            lease = read_lease(db.get_engine(), SCHEDULER_LEASE)
            assert lease.active(datetime.now(UTC))
        return read_lease(db.get_engine(), SCHEDULER_LEASE)

    after = run_async(serve())
    assert not after.active(datetime.now(UTC))


def test_the_scheduler_process_runs_until_sigterm(database, tmp_path):
    env = {**os.environ, "DATABASE_URL": database, "ADAPTIVEFIT_HOME": str(tmp_path), "LOG_FORMAT": "logfmt"}
    process = subprocess.Popen([sys.executable, "-m", "adaptivefit.jobs.scheduler"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "running the schedule" in line, process.stderr.read() if process.poll() is not None else line
        assert read_lease(db.get_engine(), SCHEDULER_LEASE).active(datetime.now(UTC))
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Scheduler stopped." in process.stdout.read()
    assert not read_lease(db.get_engine(), SCHEDULER_LEASE).active(datetime.now(UTC))


# -- the same lease on PostgreSQL ---------------------------------------------------------------

@pytest.mark.postgres
def test_the_lease_on_postgresql_elects_one_holder_and_hands_over(postgres_url):  # noqa: F811
    from alembic import command

    from adaptivefit.cli import alembic_config

    config = alembic_config(postgres_url)
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    engine = db.make_engine(postgres_url)
    try:
        now = Clock()
        for round_ in range(4):
            now.advance(LEASE + 1)
            leases = [Lease(engine, "pg-race", f"holder-{i}", LEASE, clock=now) for i in range(6)]
            barrier, results = threading.Barrier(len(leases)), []

            def contend(lease):
                barrier.wait()
                results.append(lease.acquire())

            threads = [threading.Thread(target=contend, args=(lease,)) for lease in leases]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert sorted(results) == [False] * 5 + [True], f"round {round_}"
        holder = next(lease for lease in leases if lease.held())
        other = next(lease for lease in leases if lease is not holder)
        assert holder.acquire() and not other.acquire()  # renewing is no new race
        holder.release()
        assert other.acquire()
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("DELETE FROM scheduler_lease"))
        engine.dispose()
