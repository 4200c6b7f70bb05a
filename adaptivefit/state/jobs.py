"""/admin/jobs: the scheduled jobs, their recent runs, and "Run now". Admins only.

"Run now" follows the pattern of the workout page's coach messages: the guarded `run_now`
checks the caller and records what to run in backend vars; the background `run_pending` (open
to call, like every background event, since the guard cannot read other states there) acts only
on what a guarded handler recorded. The job runs in a thread of its own, never on the event
loop, and the page polls its JobRun every second until it ends. Each poll resolves the session
token again, so a signed-out or demoted admin stops seeing the page's data at once.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import reflex as rx

from adaptivefit.config import get_settings
from adaptivefit.db import session_scope
from adaptivefit.jobs import overview
from adaptivefit.jobs.registry import JOBS, JobRefused, run_job
from adaptivefit.models import JobRun, Role
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.paging import requested_page
from adaptivefit.state.guard import actor, public, require_role, resolve_actor

POLL_SECONDS = 1.0
# One thread per job at most (a job never runs twice at once), kept apart from asyncio's default
# pool so a long job never holds a thread the other handlers need.
_JOB_THREADS = ThreadPoolExecutor(max_workers=len(JOBS), thread_name_prefix="adaptivefit-job")


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _job_row(job: overview.JobStatus) -> dict[str, str]:
    last = job.last
    done, total, note = overview.progress_of(job.running)
    percent = min(100, round(100 * done / total)) if total else 0
    return {
        "name": job.name, "title": job.title, "description": job.description, "cron": job.cron,
        "schedule": job.schedule, "next_run": _utc(job.next_run),
        "next_source": "from the scheduler" if job.next_run_from_store else "from the schedule",
        "status": "running" if job.running else (last.status if last else "never run"),
        "last_when": _utc(last.started_at) if last else "never",
        "last_counts": overview.counts_text(last.counts) if last else "",
        "last_error": (last.error or "")[:300] if last else "",
        "running": "yes" if job.running else "",
        "progress": (f"{done} of {total}" + (f": {note}" if note else "")) if total else "Starting…",
        "percent": f"{percent}%", "percent_value": str(percent),
    }


def _run_row(run: JobRun, starters: dict[str, str]) -> dict[str, str]:
    spec = JOBS.get(run.job)
    return {
        "id": str(run.id), "job": spec.title if spec else run.job, "started": _utc(run.started_at),
        "finished": _utc(run.finished_at) if run.finished_at else "—",
        "duration": overview.duration_text(run) or "—", "status": run.status,
        "counts": "" if run.status == "running" else overview.counts_text(run.counts),
        "error": (run.error or "")[:300], "by": starters.get(run.triggered_by, run.triggered_by),
    }


def _view(page: int) -> dict:
    settings, now = get_settings(), utcnow()
    with session_scope() as session:
        scheduler = overview.scheduler_status(session, settings, now=now)
        jobs = overview.job_statuses(session, settings, now=now)
        runs, pages = overview.recent_runs(session, page=page)
        text = overview.scheduler_text(scheduler)
        starters = overview.starters(session, runs)
        return {"jobs": [_job_row(job) for job in jobs], "runs": [_run_row(run, starters) for run in runs],
                "page": min(page, pages), "pages": pages, "scheduler_text": text, "scheduler_running": scheduler.running}


def _run_in_thread(name: str, user_id: int) -> tuple[bool, str]:
    """Run the job (in a job thread); (ok, message) for the toast."""
    try:
        run_id = run_job(name, triggered_by=f"user:{user_id}")
    except JobRefused as refused:
        return False, str(refused)
    with session_scope() as session:
        run = session.get(JobRun, run_id)
        status, error = run.status, run.error
    title = JOBS[name].title if name in JOBS else name
    if status == "failed":
        return False, f"{title} failed: {error[:200]}"
    return True, f"{title}: {status}."


class JobsState(rx.State):
    jobs: list[dict[str, str]] = []
    runs: list[dict[str, str]] = []
    page: int = 1
    pages: int = 1
    scheduler_text: str = ""
    scheduler_running: bool = False
    # The admin a guarded handler saw, and the jobs they asked to run: read by the background events.
    _admin_id: int | None = None
    _pending: list[str] = []
    _watching: bool = False

    def _show(self, view: dict) -> None:
        self.jobs, self.runs = view["jobs"], view["runs"]
        self.page, self.pages = view["page"], view["pages"]
        self.scheduler_text, self.scheduler_running = view["scheduler_text"], view["scheduler_running"]

    def _any_running(self) -> bool:
        return any(job["running"] for job in self.jobs)

    @rx.event
    @require_role(Role.ADMIN)
    async def load(self):
        self._admin_id = actor().id
        self._show(await asyncio.to_thread(_view, self.page))
        if self._any_running():
            return JobsState.watch

    @rx.event
    @require_role(Role.ADMIN)
    async def go_to_page(self, page: int):
        self._show(await asyncio.to_thread(_view, requested_page(page)))

    @rx.event
    @require_role(Role.ADMIN)
    async def run_now(self, name: str):
        if name not in JOBS:
            return rx.toast.error("There is no such job.")
        self._admin_id, self._pending = actor().id, [*self._pending, name]
        self.jobs = [{**job, "running": "yes", "status": "running", "progress": "Starting…", "percent": "0%",
                      "percent_value": "0"} if job["name"] == name else job for job in self.jobs]
        return JobsState.run_pending

    async def _still_admin(self) -> bool:
        """Resolve the session token again, as the guard does: background events cannot use the guard."""
        from adaptivefit.state.auth import AuthState

        async with self:
            token = (await self.get_state(AuthState)).session_token
            address = self.router.session.client_ip or ""
        caller = await asyncio.to_thread(resolve_actor, token, address) if token else None
        return caller is not None and caller.role == Role.ADMIN

    async def _poll(self, running) -> bool:
        """Refresh the view every second while `running()` holds; False when the caller lost access."""
        while True:
            if not await self._still_admin():
                return False
            async with self:
                page = self.page
            view = await asyncio.to_thread(_view, page)
            async with self:
                self._show(view)
                busy = running()
            if not busy:
                return True
            await asyncio.sleep(POLL_SECONDS)

    @rx.event(background=True)
    @public
    async def run_pending(self):
        """Runs the job a guarded `run_now` recorded, in a job thread, and shows its progress."""
        async with self:
            name, admin_id = (self._pending[0] if self._pending else ""), self._admin_id
            self._pending = self._pending[1:]
        if not name or admin_id is None or not await self._still_admin():
            return
        result = asyncio.get_running_loop().run_in_executor(_JOB_THREADS, _run_in_thread, name, admin_id)
        await self._poll(lambda: not result.done())
        ok, message = await result
        await self._poll(lambda: False)
        return rx.toast.success(message) if ok else rx.toast.error(message)

    @rx.event(background=True)
    @public
    async def watch(self):
        """Follows runs started elsewhere (the schedule, the command line) for an admin who has the page open."""
        async with self:
            if self._watching or self._admin_id is None:
                return
            self._watching = True
        try:
            await self._poll(lambda: self._any_running())
        finally:
            async with self:
                self._watching = False
