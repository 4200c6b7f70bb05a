"""What `adaptivefit jobs list` and /admin/jobs show: each job's schedule and runs, and who schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from adaptivefit.config import Settings
from adaptivefit import crontab
from adaptivefit.services.core.paging import window
from adaptivefit.jobs.lease import SCHEDULER_LEASE
from adaptivefit.jobs.registry import JOBS, running_run
from adaptivefit.models import JobRun, SchedulerJob, SchedulerLease, User

RUNS_PER_PAGE = 15


@dataclass(frozen=True)
class SchedulerStatus:
    enabled: bool  # SCHEDULER_ENABLED in this process
    holder: str  # the process holding the lease, "" when none does
    expires_at: datetime | None

    @property
    def running(self) -> bool:
        return bool(self.holder)


@dataclass(frozen=True)
class JobStatus:
    name: str
    title: str
    description: str
    cron: str
    cron_variable: str
    schedule: str  # the cron in words
    next_run: datetime | None
    next_run_from_store: bool  # read from the running scheduler's job store, not computed
    last: JobRun | None
    running: JobRun | None


def scheduler_status(session: Session, settings: Settings, *, now: datetime) -> SchedulerStatus:
    lease = session.get(SchedulerLease, SCHEDULER_LEASE)
    if lease is None or lease.expires_at <= now:
        return SchedulerStatus(settings.scheduler_enabled, "", None)
    return SchedulerStatus(settings.scheduler_enabled, lease.holder, lease.expires_at)


def job_statuses(session: Session, settings: Settings, *, now: datetime) -> list[JobStatus]:
    stored: dict[str, float | None] = {}
    if scheduler_status(session, settings, now=now).running:
        stored = dict(session.exec(select(SchedulerJob.id, SchedulerJob.next_run_time)).all())
    statuses = []
    for spec in JOBS.values():
        cron = spec.cron(settings)
        timestamp = stored.get(spec.name)
        next_run = datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else crontab.next_fire_time(cron, now)
        last = session.exec(select(JobRun).where(JobRun.job == spec.name, JobRun.status != "running")
                            .order_by(col(JobRun.started_at).desc()).limit(1)).first()
        statuses.append(JobStatus(spec.name, spec.title, spec.description, cron, spec.cron_variable,
                                  crontab.describe(cron), next_run, timestamp is not None, last,
                                  running_run(session, spec.name)))
    return statuses


def scheduler_text(scheduler) -> str:
    """What an admin reads about the scheduler: whether jobs fire, and what to do when they do not."""
    if scheduler.running:
        return f"The scheduler is running in {scheduler.holder}; jobs fire on their schedules."
    if scheduler.enabled:
        return ("No scheduler is running, so no job fires on its schedule: a web worker should take the "
                "scheduler lease within a minute; if this stays, see the logs. Run now still works.")
    return ("No scheduler is running, so no job fires on its schedule: this app runs with "
            "SCHEDULER_ENABLED=false, so start `adaptivefit scheduler`. Run now still works.")


def recent_runs(session: Session, *, page: int = 1, per_page: int = RUNS_PER_PAGE) -> tuple[list[JobRun], int]:
    """One page of runs, newest first, and how many pages there are."""
    total = session.exec(select(func.count()).select_from(JobRun)).one()
    shown = window(page, total, per_page)
    rows = session.exec(select(JobRun).order_by(col(JobRun.started_at).desc(), col(JobRun.id).desc())
                        .offset(shown.offset).limit(shown.limit)).all()
    return list(rows), shown.pages


def counts_text(counts: dict[str, Any]) -> str:
    """"added 3, skipped 2": zero counts left out ("fetched 0" when all are), the running progress always."""
    shown = {key: value for key, value in counts.items() if key != "progress"}
    nonzero = {key: value for key, value in shown.items() if value not in (0, "", None)}
    return ", ".join(str(value) if key == "reason" else f"{key.replace('_', ' ')} {value}"
                     for key, value in (nonzero or dict(list(shown.items())[:1])).items())


def starters(session: Session, runs: list[JobRun]) -> dict[str, str]:
    """Who started each run, in words: "schedule", "manual" (the command line) or the person's name."""
    people = {}
    for run in runs:
        kind, _, user_id = run.triggered_by.partition(":")
        if kind == "user" and user_id.isdigit():
            people[run.triggered_by] = int(user_id)
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(set(people.values())))).all()) \
        if people else {}
    return {run.triggered_by: names.get(people.get(run.triggered_by), run.triggered_by) for run in runs}


def progress_of(run: JobRun | None) -> tuple[int, int, str]:
    """(done, total, note) of a running job, (0, 0, "") before its first report."""
    progress = (run.counts or {}).get("progress") if run is not None else None
    if not isinstance(progress, dict):
        return 0, 0, ""
    try:
        return int(progress.get("done", 0)), int(progress.get("total", 0)), str(progress.get("note", ""))
    except (TypeError, ValueError):
        return 0, 0, ""


def duration_text(run: JobRun) -> str:
    if run.finished_at is None:
        return ""
    seconds = max(0, round((run.finished_at - run.started_at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
