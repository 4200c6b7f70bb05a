"""/admin/jobs: the open background events act only for an admin a guarded handler saw."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

import adaptivefit.pages  # noqa: F401 - defines every state class
from adaptivefit import db
from adaptivefit.jobs import knowledge, registry
from adaptivefit.jobs.registry import JobSpec
from adaptivefit.models import JobRun, Role
from adaptivefit.services.accounts import auth
from adaptivefit.state import jobs as jobs_state
from adaptivefit.state.jobs import JobsState

HELPERS = ("_show", "_any_running", "_still_admin", "_poll")


class FakeJobsState:
    """What the handlers touch: vars, the session token, the client address, and `async with self`."""

    def __init__(self, token: str):
        self._auth = SimpleNamespace(session_token=token)
        self.router = SimpleNamespace(session=SimpleNamespace(client_ip="203.0.113.5"))
        self.jobs, self.runs, self.page, self.pages = [], [], 1, 1
        self.scheduler_text, self.scheduler_running = "", False
        self._admin_id, self._pending, self._watching = None, [], False
        for name in HELPERS:
            setattr(self, name, types.MethodType(getattr(JobsState, name), self))

    async def get_state(self, _cls):
        return self._auth

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        return False


def _call(name: str, state: FakeJobsState, *args):
    fn = JobsState.event_handlers[name].fn

    async def run():
        return await fn(state, *args)

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture
def people(session):
    admin, admin_token = auth.register(session, email="admin@example.com", password="an admin passphrase", name="Ada")
    admin.role = Role.ADMIN
    _member, member_token = auth.register(session, email="m@example.com", password="a member passphrase", name="Mem")
    session.commit()
    return SimpleNamespace(admin_id=admin.id, admin=admin_token, member=member_token)


@pytest.fixture
def fake_job(monkeypatch):
    calls = []

    def job(settings, *, now, progress):
        progress(1, 2, "half way")
        calls.append(now)
        return {"added": 2}

    monkeypatch.setitem(registry.JOBS, "fake", JobSpec("fake", "Fake job", "test", job, "jobs_export_cron",
                                                       timedelta(minutes=5)))
    monkeypatch.setattr(jobs_state, "POLL_SECONDS", 0.05)
    return calls


def _runs():
    with Session(db.get_engine()) as session:
        return session.exec(select(JobRun)).all()


def test_load_lists_every_job_and_says_no_scheduler_runs(people):
    state = FakeJobsState(people.admin)
    _call("load", state)
    assert [job["name"] for job in state.jobs] == list(registry.JOBS)
    assert state.jobs[0]["schedule"] == "weekly on Sunday at 03:00 UTC"
    assert not state.scheduler_running and "No scheduler is running" in state.scheduler_text
    assert state._admin_id == people.admin_id


def test_run_now_then_the_background_event_runs_the_job_for_that_admin(people, fake_job):
    state = FakeJobsState(people.admin)
    _call("load", state)
    follow_up = _call("run_now", state, "fake")
    assert follow_up == JobsState.run_pending and state._pending == ["fake"]
    toast = _call("run_pending", state)
    assert "Fake job: success." in str(toast)
    (run,) = _runs()
    assert (run.job, run.status, run.triggered_by) == ("fake", "success", f"user:{people.admin_id}")
    assert state._pending == [] and state.runs[0]["status"] == "success" and state.runs[0]["by"] == "Ada"
    assert next(job for job in state.jobs if job["name"] == "fake")["last_counts"] == "added 2"


def test_the_background_event_alone_runs_nothing(people, fake_job):
    state = FakeJobsState(people.admin)
    assert _call("run_pending", state) is None
    state._pending = ["fake"]  # as if set, but no guarded handler recorded an admin
    assert _call("run_pending", state) is None
    assert _runs() == [] and fake_job == []


def test_a_member_session_cannot_use_what_an_admin_recorded(people, fake_job):
    state = FakeJobsState(people.member)
    state._admin_id, state._pending = people.admin_id, ["fake"]
    assert _call("run_pending", state) is None
    assert _runs() == [] and fake_job == []


def test_run_now_refuses_an_unknown_job(people):
    state = FakeJobsState(people.admin)
    assert "no such job" in str(_call("run_now", state, "../etc")).lower()
    assert state._pending == []


def test_watch_needs_an_admin_seen_by_a_guarded_handler(people):
    state = FakeJobsState(people.member)
    assert _call("watch", state) is None and state.jobs == []


def test_a_run_started_elsewhere_shows_its_progress_and_is_followed_to_the_end(people, monkeypatch):
    monkeypatch.setattr(jobs_state, "POLL_SECONDS", 0.05)
    with Session(db.get_engine()) as session:
        run = knowledge.start_run(session, "pubmed", triggered_by="schedule")
        run.counts = {"progress": {"done": 3, "total": 12, "note": "topic sleep"}}
        session.add(run)
        session.commit()
        run_id = run.id
    state = FakeJobsState(people.admin)
    assert _call("load", state) == JobsState.watch
    pubmed = next(job for job in state.jobs if job["name"] == "pubmed")
    assert (pubmed["status"], pubmed["progress"], pubmed["percent"]) == ("running", "3 of 12: topic sleep", "25%")

    def finish():
        time.sleep(0.3)
        with Session(db.get_engine()) as session:
            knowledge.finish_run(session, session.get(JobRun, run_id), {"fetched": 9, "added": 4})
            session.commit()

    finisher = threading.Thread(target=finish)
    finisher.start()
    _call("watch", state)
    finisher.join()
    pubmed = next(job for job in state.jobs if job["name"] == "pubmed")
    assert (pubmed["status"], pubmed["last_counts"]) == ("success", "fetched 9, added 4")
    assert state.runs[0]["by"] == "schedule" and not state._watching


def test_two_jobs_asked_for_in_quick_succession_both_run(people, fake_job, monkeypatch):
    monkeypatch.setitem(registry.JOBS, "other", dataclasses.replace(registry.JOBS["fake"], name="other"))
    state = FakeJobsState(people.admin)
    _call("run_now", state, "fake")
    _call("run_now", state, "other")
    _call("run_pending", state)
    _call("run_pending", state)
    assert sorted(run.job for run in _runs()) == ["fake", "other"]
