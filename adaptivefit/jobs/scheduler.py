"""Exactly one scheduler: APScheduler runs the jobs only in the process holding the database lease.

Reflex starts one backend process per worker, and each starts a `LeaseScheduler` (the app's
lifespan, behind SCHEDULER_ENABLED), as may `adaptivefit scheduler` on any host. All of them
contend for the lease row "scheduler" (jobs/lease.py) every lease/3 seconds:

- the one that takes it starts APScheduler (a `BackgroundScheduler` whose jobs live in the
  database job store, `apscheduler_jobs`, so a run that fell due while no scheduler was up runs
  once when one is back) and renews the lease at each tick;
- a holder whose renewal fails (the database did not answer, or another process holds the row)
  pauses its APScheduler at once, and its executor refuses any job once the lease it last renewed
  has run out by its own clock, so two processes never both run the schedule;
- a holder that crashes stops renewing; the others take over when its lease expires;
- a holder that stops gives the lease up at once.

Behind the lease, `registry.run_job` refuses a second run of a job that is still running, so a
manual run and a scheduled one cannot overlap either.

`python -m adaptivefit.jobs.scheduler` (or `adaptivefit scheduler`) runs a LeaseScheduler in the
foreground until SIGTERM or Ctrl-C, whatever SCHEDULER_ENABLED says: deployments that set it to
false for the web workers run this process instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy.engine import Engine

from adaptivefit.config import ConfigError, Settings, get_settings
from adaptivefit import crontab
from adaptivefit.jobs.lease import SCHEDULER_LEASE, Lease, process_holder_id
from adaptivefit.jobs.registry import JOBS, JobRefused, run_job
from adaptivefit.models.base import utcnow

log = logging.getLogger("adaptivefit.jobs.scheduler")

JOBSTORE_TABLE = "apscheduler_jobs"
# Stored in the job store by reference, so the name must be the module's, never "__main__".
FIRE_JOB = "adaptivefit.jobs.scheduler:fire_job"


def fire_job(name: str) -> None:
    """What APScheduler calls: one scheduled run; a refusal or an error is logged, never raised."""
    try:
        run_job(name, triggered_by="schedule")
    except JobRefused as refused:
        log.warning("Scheduled run of %s not started: %s", name, refused)
    except Exception:
        log.exception("Scheduled run of %s could not be recorded", name)


def schedule_triggers(settings: Settings) -> dict[str, BaseTrigger]:
    return {name: crontab.cron_trigger(spec.cron(settings)) for name, spec in JOBS.items()}


class _LeaderOnlyExecutor(ThreadPoolExecutor):
    """Runs a due job only while its process holds the lease: the last word before a job starts."""

    def __init__(self, may_run: Callable[[], bool], max_workers: int):
        super().__init__(max_workers)
        self._may_run = may_run

    def submit_job(self, job, run_times):
        if not self._may_run():
            log.warning("Not running %s: this process no longer holds the scheduler lease", job.id)
            return
        super().submit_job(job, run_times)


class LeaseScheduler:
    """One candidate scheduler. `start()` ticks once and then every lease/3 seconds in a thread."""

    def __init__(
        self,
        engine: Engine,
        *,
        triggers: Mapping[str, BaseTrigger],
        lease_seconds: float = 60,
        holder: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        interval: float | None = None,
    ):
        self.engine = engine
        self.triggers = dict(triggers)
        self.holder = holder or process_holder_id()
        self.lease = Lease(engine, SCHEDULER_LEASE, self.holder, lease_seconds, clock=clock)
        self.interval = interval if interval is not None else lease_seconds / 3
        self._leading = False
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs) -> LeaseScheduler:
        from adaptivefit.db import get_engine

        settings = settings or get_settings()
        return cls(get_engine(), triggers=schedule_triggers(settings),
                   lease_seconds=settings.scheduler_lease_seconds, **kwargs)

    @property
    def is_leader(self) -> bool:
        """Holding the lease, by this process's clock, and running the schedule."""
        return self._leading and self.lease.held()

    @property
    def scheduler(self) -> BackgroundScheduler | None:
        return self._scheduler

    def tick(self) -> bool:
        """Take or renew the lease and start or pause APScheduler to match. True when leading."""
        with self._lock:
            try:
                held = self.lease.acquire()
            except Exception:
                log.warning("Could not reach the database to renew the scheduler lease", exc_info=True)
                held = False
            if held and not self._leading:
                self._lead()
            elif not held and self._leading:
                self._step_down()
            return self._leading

    def _lead(self) -> None:
        try:
            if self._scheduler is None:
                self._scheduler = BackgroundScheduler(
                    jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBSTORE_TABLE)},
                    executors={"default": _LeaderOnlyExecutor(lambda: self.is_leader, max(1, len(self.triggers)))},
                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
                    timezone=UTC,
                )
                self._scheduler.start(paused=True)
            self._sync_jobs()
            self._leading = True
            self._scheduler.resume()
            log.info("This process (%s) now runs the job schedule", self.holder)
        except Exception:
            log.exception("Could not start the job scheduler; giving the lease up")
            self._leading = False
            if self._scheduler is not None:
                self._scheduler.pause()
            with contextlib.suppress(Exception):
                self.lease.release()

    def _step_down(self) -> None:
        self._leading = False
        if self._scheduler is not None:
            self._scheduler.pause()
        log.warning("This process (%s) lost the scheduler lease and paused its schedule", self.holder)

    def _sync_jobs(self) -> None:
        """Make the stored schedule match this process's triggers, keeping each unchanged job's next run."""
        scheduler = self._scheduler
        for job in scheduler.get_jobs():
            if job.id not in self.triggers:
                job.remove()
        for name, trigger in self.triggers.items():
            job = scheduler.get_job(name)
            if job is None:
                scheduler.add_job(FIRE_JOB, trigger, args=[name], id=name, name=name, replace_existing=True)
            elif str(job.trigger) != str(trigger):
                job.reschedule(trigger)

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stopping.clear()
            self.tick()
            self._thread = threading.Thread(target=self._loop, name="adaptivefit-scheduler-lease", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stopping.wait(self.interval):
            self.tick()

    def stop(self) -> None:
        """Stop scheduling and give the lease up. Jobs already running finish in their threads."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=30)
        with self._lock:
            if self._scheduler is not None:
                self._scheduler.shutdown(wait=False)
                self._scheduler = None
            self._leading = False
            try:
                self.lease.release()
            except Exception:  # it runs out on its own
                log.warning("Could not release the scheduler lease", exc_info=True)


@contextlib.asynccontextmanager
async def scheduler_lifespan() -> AsyncIterator[None]:
    """The web backend's lifespan task: a LeaseScheduler for as long as the worker runs."""
    scheduler = LeaseScheduler.from_settings()
    await asyncio.to_thread(scheduler.start)
    try:
        yield
    finally:
        await asyncio.to_thread(scheduler.stop)


def main(argv: Sequence[str] | None = None) -> int:
    from adaptivefit.logs import configure_logging

    try:
        settings = get_settings()
    except ConfigError as error:
        print(f"Adaptive Fit cannot start: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    scheduler = LeaseScheduler.from_settings(settings)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    scheduler.start()
    role = "running the schedule" if scheduler.is_leader else "standing by (another process holds the lease)"
    print(f"Scheduler {scheduler.holder} started, {role}; stop it with SIGTERM or Ctrl-C.", flush=True)
    while not stopping.wait(1):
        pass
    scheduler.stop()
    print("Scheduler stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
