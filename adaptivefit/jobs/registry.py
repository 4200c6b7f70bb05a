"""The scheduled jobs, and `run_job`: the one way any of them runs (schedule, CLI, admin page).

Each job is a `JobSpec`: a title, a function `(settings, *, now, progress) -> counts`, the
setting holding its crontab schedule, and a timeout. The scheduler, `adaptivefit jobs` and
/admin/jobs all read `JOBS`, so a new job (the marketplace's payouts) is one more entry here
and one more `JOBS_*_CRON` setting.

`run_job` records every run as a `JobRun` (start, end, status, counts, error) and never raises
for a job's own failure: the run is recorded as failed with the error. A job holds the lease
"job:<name>" while it runs (jobs/lease.py), so a second start of the same job, from a second
scheduler, the CLI or the page, is refused with `JobAlreadyRunning` until the first finishes
or goes silent for the job's timeout (progress reports renew it). A job that has nothing to do
raises `JobSkipped`; its run is recorded as "skipped", which, unlike "success", does not move
the job's incremental cursor.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import col, select

from adaptivefit.coach import evidence
from adaptivefit.config import Settings, get_settings
from adaptivefit.db import get_engine, session_scope
from adaptivefit.jobs import curated, knowledge, payouts, pubmed, retrain, scrapers
from adaptivefit.jobs.http import Fetcher, RateLimiter
from adaptivefit.jobs.lease import Lease
from adaptivefit.jobs.pubmed_topics import TOPICS
from adaptivefit.jobs.youtube import SEARCH_QUERIES
from adaptivefit.models import JobRun
from adaptivefit.models.base import utcnow

log = logging.getLogger("adaptivefit.jobs.registry")

EXPORT_JOB = "knowledge_export"
RETRAIN_JOB = "coach_retrain"
PAYOUTS_JOB = "payouts"
SKIPPED = "skipped"
ERROR_MAX = 4000
ABANDONED = "The run stopped without finishing (its process ended, or it was silent past the job's timeout)."


class Progress(Protocol):
    def __call__(self, done: int, total: int, note: str = "") -> None: ...


JobFunction = Callable[..., dict[str, Any]]


class JobSkipped(Exception):
    """The job had nothing to do; the message says why and is shown with the run."""


class JobRefused(Exception):
    """A run was not started. The message is one sentence fit to show."""


class UnknownJob(JobRefused):
    pass


class JobAlreadyRunning(JobRefused):
    def __init__(self, message: str, run_id: int | None = None):
        super().__init__(message)
        self.run_id = run_id


@dataclass(frozen=True)
class JobSpec:
    name: str
    title: str
    description: str
    run: JobFunction
    cron_setting: str  # the Settings field with the crontab schedule
    timeout: timedelta

    @property
    def cron_variable(self) -> str:
        return self.cron_setting.upper()

    def cron(self, settings: Settings) -> str:
        return getattr(settings, self.cron_setting)


# -- where the jobs reach out: replaced by a local transport in tests ----------------------------

def pubmed_fetcher(settings: Settings) -> Fetcher:
    return pubmed.ncbi_fetcher(settings)


def youtube_fetcher(settings: Settings) -> Fetcher:
    # Quota, not rate, is YouTube's limit; a few requests a second keeps the run polite.
    return Fetcher(rate_limiter=RateLimiter.per_second(5))


def knowledge_dir(settings: Settings) -> Path:
    """Where the knowledge export goes and the coach's retraining reads it."""
    return settings.base_dir / "var" / "knowledge"


# -- the jobs -------------------------------------------------------------------------------------

def run_pubmed_job(settings: Settings, *, now: datetime, progress: Progress) -> dict[str, Any]:
    counts = knowledge.new_counts()
    with pubmed_fetcher(settings) as fetcher, session_scope() as session:
        for done, topic in enumerate(TOPICS):
            progress(done, len(TOPICS), f"topic {topic.key}")
            knowledge.add_counts(counts, scrapers.run_pubmed(session, fetcher, settings, now=now, topics=(topic,)))
        evidence.reload(session)  # the coach cites what was just stored
    progress(len(TOPICS), len(TOPICS), "all topics searched")
    return counts


def run_feeds_job(settings: Settings, *, now: datetime, progress: Progress) -> dict[str, Any]:
    channels = len(settings.youtube_channels)
    if not channels:
        raise JobSkipped("No channels to read: YOUTUBE_CHANNELS is not set.")
    progress(0, channels, f"reading {channels} channel feeds")
    with youtube_fetcher(settings) as fetcher, session_scope() as session:
        counts = scrapers.run_feeds(session, fetcher, settings, now=now)
    progress(channels, channels, "all feeds read")
    return counts


def run_youtube_job(settings: Settings, *, now: datetime, progress: Progress) -> dict[str, Any]:
    if not settings.youtube_api_key:
        raise JobSkipped("The YouTube Data API needs a key: YOUTUBE_API_KEY is not set.")
    counts = knowledge.new_counts()
    queries = list(SEARCH_QUERIES.items())
    with youtube_fetcher(settings) as fetcher, session_scope() as session:
        for done, (category, query) in enumerate(queries):
            progress(done, len(queries), f"searching {category}")
            knowledge.add_counts(counts, scrapers.run_youtube(session, fetcher, settings, now=now,
                                                              queries={category: query}))
    progress(len(queries), len(queries), "all categories searched")
    return counts


def run_export_job(settings: Settings, *, now: datetime, progress: Progress) -> dict[str, Any]:
    with session_scope() as session:
        curated.seed_curated(session, now=now)  # the shipped phrases join the knowledge base first
        paths = knowledge.export_jsonl(session, knowledge_dir(settings))
    per_source = {}
    for source, path in paths.items():
        with path.open("rb") as handle:
            per_source[source] = sum(1 for _ in handle)
    return {"records": sum(per_source.values()), **per_source}


def run_retrain_job(settings: Settings, *, now: datetime, progress: Progress) -> dict[str, Any]:
    with session_scope() as session:
        phrases, files = retrain.training_inputs(session, knowledge_dir(settings))
    progress(0, 2, "comparing the training data with the newest model")
    digest = retrain.data_hash(files, phrases)
    if not retrain.needs_training(settings.coach_model_dir, digest):
        raise JobSkipped("The training data has not changed since the newest model version.")
    progress(1, 2, "training a new model version")
    version = retrain.train_in_child(settings.coach_model_dir, files, phrases=phrases)
    progress(2, 2, f"trained {version.name}")
    return {"trained": 1, "passed": int(retrain.version_passed(version)), "knowledge_files": len(files),
            "version": version.name}


def run_payouts_job(settings: Settings, *, now: datetime, progress: Progress) -> dict[str, Any]:
    try:
        return payouts.pay_last_month(settings, now=now, progress=progress)
    except payouts.NothingToPay as nothing:
        raise JobSkipped(str(nothing)) from None


JOBS: dict[str, JobSpec] = {spec.name: spec for spec in (
    JobSpec(scrapers.PUBMED_JOB, "PubMed articles", "New articles on each training and nutrition topic.",
            run_pubmed_job, "jobs_pubmed_cron", timedelta(hours=2)),
    JobSpec(scrapers.FEEDS_JOB, "YouTube channel feeds", "The newest videos of the configured channels.",
            run_feeds_job, "jobs_feeds_cron", timedelta(minutes=30)),
    JobSpec(scrapers.YOUTUBE_JOB, "YouTube search", "Videos found through the YouTube Data API (needs a key).",
            run_youtube_job, "jobs_youtube_cron", timedelta(hours=1)),
    JobSpec(EXPORT_JOB, "Knowledge export", "The visible knowledge base as JSONL files for training.",
            run_export_job, "jobs_export_cron", timedelta(minutes=30)),
    JobSpec(RETRAIN_JOB, "Coach retraining", "A new coach model version, only when its data changed.",
            run_retrain_job, "jobs_retrain_cron", timedelta(hours=4)),
    JobSpec(PAYOUTS_JOB, "Marketplace payouts", "Last month's trainer payouts from the ledger, sent when owed.",
            run_payouts_job, "jobs_payouts_cron", timedelta(minutes=30)),
)}


# -- running one ---------------------------------------------------------------------------------

class _Reporter:
    """A job's progress: passed on to the caller and kept on the running JobRun, for the page."""

    def __init__(self, run_id: int, lock: Lease, forward: Progress | None):
        self.run_id, self.lock, self.forward = run_id, lock, forward

    def __call__(self, done: int, total: int, note: str = "") -> None:
        if self.forward is not None:
            self.forward(done, total, note)
        try:
            self.lock.acquire()  # still alive: the lease outlasts the job's timeout from now
            with session_scope() as session:
                run = session.get(JobRun, self.run_id)
                if run is not None and run.status == "running":
                    run.counts = {**run.counts, "progress": {"done": done, "total": total, "note": note[:200]}}
                    session.add(run)
        except Exception:  # progress is a courtesy; the job goes on without it
            log.warning("Could not record the progress of run %s", self.run_id, exc_info=True)


def get_job(name: str) -> JobSpec:
    spec = JOBS.get(name)
    if spec is None:
        raise UnknownJob(f"There is no job called {name!r}; the jobs are {', '.join(JOBS)}.")
    return spec


def running_run(session, name: str) -> JobRun | None:
    return session.exec(select(JobRun).where(JobRun.job == name, JobRun.status == "running")
                        .order_by(col(JobRun.started_at).desc()).limit(1)).first()


def _refusal(spec: JobSpec) -> JobAlreadyRunning:
    with session_scope() as session:
        run = running_run(session, spec.name)
    if run is None:
        return JobAlreadyRunning(f"{spec.title} is starting already.")
    started = run.started_at.strftime("%Y-%m-%d %H:%M UTC")
    return JobAlreadyRunning(f"{spec.title} is already running (run {run.id}, started {started} by "
                             f"{run.triggered_by}).", run.id)


def run_job(name: str, *, triggered_by: str = "schedule", now: datetime | None = None,
            progress: Progress | None = None, settings: Settings | None = None) -> int:
    """Run one job now, in this thread, and return its JobRun id (see the module docstring).

    `triggered_by` is "schedule", "manual" or "user:<id>"; `progress(done, total, note)`, when
    given, hears the job's progress as the page does. Raises UnknownJob or JobAlreadyRunning
    (both JobRefused) when no run starts.
    """
    spec = get_job(name)
    settings = settings or get_settings()
    started = now or utcnow()
    lock = Lease(get_engine(), f"job:{name}", f"run:{secrets.token_hex(8)}", spec.timeout.total_seconds())
    if not lock.acquire():
        raise _refusal(spec)
    try:
        with session_scope() as session:
            for stale in session.exec(select(JobRun).where(JobRun.job == name, JobRun.status == "running")):
                knowledge.finish_run(session, stale, {k: v for k, v in stale.counts.items() if k != "progress"},
                                     error=ABANDONED, now=started)
            run_id = knowledge.start_run(session, name, triggered_by=triggered_by[:32], now=started).id
        log.info("Job %s started (run %s, by %s)", name, run_id, triggered_by)
        counts: dict[str, Any] = {}
        error, skipped = "", ""
        try:
            counts = dict(spec.run(settings, now=started, progress=_Reporter(run_id, lock, progress)) or {})
        except JobSkipped as skip:
            skipped = str(skip)
        except Exception as exc:
            log.exception("Job %s failed (run %s)", name, run_id)
            error = (f"{type(exc).__name__}: {exc}")[:ERROR_MAX]
        except BaseException as exc:  # stopped from outside: record it, then let it stop us
            _finish(run_id, {}, f"Interrupted ({type(exc).__name__}).", "")
            raise
        status = _finish(run_id, counts, error, skipped)
        log.info("Job %s finished: %s", name, status, extra={"counts": counts})
        return run_id
    finally:
        try:
            lock.release()
        except Exception:  # the lease then runs out on its own
            log.warning("Could not release the lease of job %s", name, exc_info=True)


def _finish(run_id: int, counts: dict[str, Any], error: str, skipped: str) -> str:
    with session_scope() as session:
        run = session.get(JobRun, run_id)
        knowledge.finish_run(session, run, {"reason": skipped} if skipped else counts, error=error,
                             now=max(utcnow(), run.started_at))
        if skipped:
            run.status = SKIPPED
            session.add(run)
        return run.status
