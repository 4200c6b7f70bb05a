"""`adaptivefit jobs list`, `adaptivefit jobs run NAME` and `adaptivefit scheduler`."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from adaptivefit import cli, db
from adaptivefit.jobs import registry, scheduler
from adaptivefit.jobs.registry import JobSpec
from adaptivefit.models import JobRun


def _job(monkeypatch, name, fn):
    monkeypatch.setitem(registry.JOBS, name, JobSpec(name, name.title(), "test", fn, "jobs_export_cron",
                                                     timedelta(minutes=5)))


def test_jobs_list_shows_every_job_with_its_schedule_and_last_run(database, monkeypatch, capsys):
    _job(monkeypatch, "fake", lambda settings, *, now, progress: {"added": 3, "skipped": 1})
    assert cli.main(["jobs", "run", "fake"]) == 0
    capsys.readouterr()
    assert cli.main(["jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert "Scheduler: not running" in out
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert set(lines) == set(registry.JOBS)
    assert "0 3 * * 0 (weekly on Sunday at 03:00 UTC)" in lines["pubmed"] and "never run" in lines["pubmed"]
    assert "success" in lines["fake"] and "added 3, skipped 1" in lines["fake"]


def test_jobs_run_prints_progress_and_counts(database, monkeypatch, capsys):
    def job(settings, *, now, progress):
        progress(1, 2, "first half")
        progress(2, 2, "second half")
        return {"fetched": 4, "added": 2, "errors": 0}

    _job(monkeypatch, "fake", job)
    assert cli.main(["jobs", "run", "fake"]) == 0
    out = capsys.readouterr().out
    assert "[1/2] first half\n[2/2] second half\n" in out
    assert "fake: success in 0 s (run 1)" in out and "fetched 4, added 2" in out
    with Session(db.get_engine()) as session:
        assert session.exec(select(JobRun)).one().triggered_by == "manual"


def test_a_partial_run_exits_0_and_a_failed_one_exits_1(database, monkeypatch, capsys):
    _job(monkeypatch, "partial", lambda settings, *, now, progress: {"fetched": 4, "errors": 1})
    assert cli.main(["jobs", "run", "partial"]) == 0
    assert "partial: partial" in capsys.readouterr().out

    def broken(settings, *, now, progress):
        raise ValueError("bad answer")

    _job(monkeypatch, "broken", broken)
    assert cli.main(["jobs", "run", "broken"]) == 1
    captured = capsys.readouterr()
    assert "broken: failed" in captured.out and "ValueError: bad answer" in captured.err


def test_an_unknown_job_exits_2(database, capsys):
    assert cli.main(["jobs", "run", "nope"]) == 2
    assert "no job called 'nope'" in capsys.readouterr().err


def test_a_job_already_running_exits_1(database, monkeypatch, capsys):
    started, release = threading.Event(), threading.Event()

    def slow(settings, *, now, progress):
        started.set()
        release.wait(10)
        return {}

    _job(monkeypatch, "slow", slow)
    first = threading.Thread(target=registry.run_job, args=("slow",))
    first.start()
    try:
        assert started.wait(10)
        assert cli.main(["jobs", "run", "slow"]) == 1
        assert "Slow is already running" in capsys.readouterr().err
    finally:
        release.set()
        first.join(10)


def test_the_scheduler_command_runs_the_scheduler(monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "main", lambda: calls.append(1) or 0)
    assert cli.main(["scheduler"]) == 0 and calls == [1]


@pytest.mark.parametrize("argv", [["jobs"], ["jobs", "run"]])
def test_jobs_needs_a_subcommand_and_a_name(argv):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
