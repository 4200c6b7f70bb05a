"""The coach's words from its language model (coach.lm) on a tiny random GPT-2 built in the test session."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import run_async
from adaptivefit import config
from adaptivefit.coach import guardrails, lm
from adaptivefit.coach.messages import template_message
from adaptivefit.coach.prompting import control_prefix
from adaptivefit.coach.runner import ModelUnavailable, QueueFull
from adaptivefit.coach.types import ACTIONS, EVENTS, Prescription, Tweak

TWEAK = Tweak(action="reduce_load", reason="test", modifications={},
              next=Prescription(sets=3, reps=8, weight_kg=82.5, rest_s=150))
CONTEXT = dict(exercise="Back Squat", goal="strength", level="beginner", units="kg", seed="user-1|fail_set|2")


def template_for(tweak=TWEAK, event="fail_set", **context):
    ctx = {**CONTEXT, **context}
    return template_message(tweak, event, exercise=ctx["exercise"], goal=ctx["goal"], level=ctx["level"],
                            seed=ctx["seed"], units=ctx["units"])


def slow_forward(runner: lm.CoachModel, seconds: float, threads: list | None = None):
    """Make each forward pass of the loaded model take at least `seconds` (sleeping, like a
    torch kernel, without the GIL)."""

    def hook(module, args, kwargs):
        if threads is not None:
            threads.append(threading.current_thread().name)
        time.sleep(seconds)

    return runner._model.register_forward_pre_hook(hook, with_kwargs=True)


# --- no model, a broken model, the process's model ---------------------------------------------


def test_broken_model_dir_fails_and_falls_back(settings, runners, tiny_model_root):
    s = dataclasses.replace(settings, coach_model=str(tiny_model_root / "v5"))  # truncated safetensors
    runner = runners(s)
    assert not runner.wait_ready(30)
    status = runner.status()
    assert status["state"] == "failed" and not status["model_available"] and status["error"]
    assert status["model_repo"] == str(tiny_model_root / "v5")
    assert run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)
    with pytest.raises(ModelUnavailable):
        runner.generate_raw("<event=fail_set>\n")


def test_missing_model_is_not_configured_and_falls_back(settings, runners):
    runner = runners(settings)
    status = runner.status()
    assert status["state"] == "not_configured" and status["model_repo"] is None and not status["model_available"]
    assert run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)
    assert runner.write_message_sync(TWEAK, "fail_set", **CONTEXT) == (template_for(), False)


def test_process_runner_comes_from_the_settings(settings, env, tmp_path, tiny_model_root):
    env(COACH_MODEL_DIR=str(tmp_path / "empty"))
    lm.reset_coach_model()
    try:
        assert lm.status()["state"] == "not_configured"
        assert run_async(lm.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)
        env(COACH_MODEL_DIR=str(tiny_model_root))
        lm.reset_coach_model()
        assert lm.status()["model_repo"] == str(tiny_model_root / "v2")
        assert lm.get_coach_model().wait_ready(30)
        assert isinstance(lm.generate_raw("<event=skip_set>\n", max_new_tokens=5), str)
    finally:
        lm.reset_coach_model()


# --- writing messages ----------------------------------------------------------------------------


def test_first_request_while_loading_gets_a_template(settings, runners, tiny_model_dir):
    runner = runners(settings, source=tiny_model_dir)
    assert run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)
    assert runner.wait_ready(30)  # ... and started the loading


def test_a_valid_generation_is_filled_and_used(settings, runners, tiny_model_dir, monkeypatch):
    runner = runners(settings, source=tiny_model_dir)
    assert runner.wait_ready(30)
    prompts = []

    def fake(prefix, *args):
        prompts.append(prefix)
        return "Drop to {weight_kg} and own {reps} clean reps."

    monkeypatch.setattr(runner, "_generate", fake)
    message, ai = run_async(runner.write_message(TWEAK, "fail_set", **{**CONTEXT, "units": "lb"}))
    assert (message, ai) == ("Drop to 181.9 lb and own 8 clean reps.", True)
    assert prompts == [control_prefix("fail_set", "reduce_load", "strength", "beginner", "session")]
    assert runner.write_message_sync(TWEAK, "fail_set", **CONTEXT) == ("Drop to 82.5 kg and own 8 clean reps.", True)


@pytest.mark.parametrize("raw", [
    "Go heavier: {weight_kg} for {reps}.",  # contradicts reduce_load
    "Drop to {weight} for {reps}.",  # unknown placeholder
    "Drop to 60 kg for {reps} reps.",  # a number of its own
    "Drop to {weight_kg} for {reps",  # broken braces
    "Good set. {reps} reps at {weight_kg} next.",  # passes the guardrails, but says nothing of going lighter
    "",
])
def test_a_bad_generation_falls_back(settings, runners, tiny_model_dir, monkeypatch, raw):
    runner = runners(settings, source=tiny_model_dir)
    assert runner.wait_ready(30)
    monkeypatch.setattr(runner, "_generate", lambda *args: raw)
    assert run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)


def test_an_exception_falls_back(settings, runners, tiny_model_dir, monkeypatch):
    runner = runners(settings, source=tiny_model_dir)
    assert runner.wait_ready(30)

    def boom(*args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(runner, "_generate", boom)
    assert run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)


def test_model_path_can_be_switched_off(settings, runners, tiny_model_dir):
    runner = runners(dataclasses.replace(settings, coach_ai_default=False), source=tiny_model_dir)
    assert run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)
    assert runner._model is None and runner._state == "idle"  # not even loaded
    runner = runners(settings, source=tiny_model_dir)
    assert runner.wait_ready(30)
    assert run_async(runner.write_message(TWEAK, "fail_set", use_model=False, **CONTEXT)) == (template_for(), False)


def test_random_model_output_never_reaches_a_member_unchecked(settings, runners, tiny_model_dir):
    """Noise from a random model is either rejected or passes the guardrails: the answer always does."""
    runner = runners(settings, source=tiny_model_dir, time_budget_ms=5000)
    assert runner.wait_ready(30)

    async def many():
        results = []
        for i, (event, action) in enumerate(itertools.islice(itertools.product(EVENTS, ACTIONS), 0, None, 3)):
            tweak = dataclasses.replace(TWEAK, action=action)
            message, ai = await runner.write_message(tweak, event, **{**CONTEXT, "seed": f"s{i}"})
            results.append((tweak, message, ai))
        return results

    results = run_async(many())
    assert len(results) == 21
    for tweak, message, ai in results:
        assert guardrails.check(message, tweak, exercise="Back Squat") is None, (message, ai)
        assert message.strip()


def test_generation_runs_off_the_event_loop(settings, runners, tiny_model_dir):
    runner = runners(settings, source=tiny_model_dir, time_budget_ms=10_000)
    assert runner.wait_ready(30)
    threads: list[str] = []
    slow_forward(runner, 0.01, threads)  # >= 10 ms per token: a long generation

    async def main():
        ticks = 0
        stop = asyncio.Event()

        async def ticker():
            nonlocal ticks
            while not stop.is_set():
                await asyncio.sleep(0.005)
                ticks += 1

        task = asyncio.create_task(ticker())
        started = time.perf_counter()
        tweak = dataclasses.replace(TWEAK, action="maintain")
        result = await runner.write_message(tweak, "complete_set", **CONTEXT)
        elapsed = time.perf_counter() - started
        stop.set()
        await task
        return result, ticks, elapsed

    (message, _), ticks, elapsed = run_async(main())
    assert message
    assert threads and all(name.startswith("coach-lm") for name in threads)
    assert threading.current_thread().name not in threads
    # The loop kept ticking while the worker generated (at least a third of the possible ticks).
    assert ticks >= max(3, int(elapsed / 0.005 / 3)), (ticks, elapsed)


def test_queue_full_answers_at_once_with_a_template(settings, runners, tiny_model_dir):
    runner = runners(settings, source=tiny_model_dir, queue_size=2, time_budget_ms=5000)
    assert runner.wait_ready(30)
    gate = threading.Event()
    blockers = [runner._submit(gate.wait, 10), runner._submit(gate.wait, 10)]  # one running, one waiting
    try:
        started = time.perf_counter()
        result = run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT))
        assert time.perf_counter() - started < 0.2
        assert result == (template_for(), False)
        with pytest.raises(QueueFull):
            runner.generate_raw("<event=fail_set>\n")
    finally:
        gate.set()
    for blocker in blockers:
        blocker.result(5)
    time.sleep(0.05)  # the slots come back once the jobs are done
    assert isinstance(runner.generate_raw("<event=fail_set>\n", max_new_tokens=3), str)


def test_over_the_time_budget_falls_back_and_the_worker_stops(settings, runners, tiny_model_dir):
    runner = runners(settings, source=tiny_model_dir, time_budget_ms=5000)
    assert runner.wait_ready(30)
    calls: list[str] = []
    slow_forward(runner, 0.05, calls)  # 40 tokens would take 2 s

    started = time.perf_counter()
    result = run_async(runner.write_message(TWEAK, "fail_set", timeout_ms=120, **CONTEXT))
    assert time.perf_counter() - started < 1.0
    assert result == (template_for(), False)
    time.sleep(0.3)
    count = len(calls)
    assert count < 12  # stopped at its deadline, not after 40 tokens
    time.sleep(0.2)
    assert len(calls) == count
    # A timed-out sync call falls back too.
    assert runner.write_message_sync(TWEAK, "fail_set", timeout_ms=60, **CONTEXT) == (template_for(), False)


def test_coach_settings_are_read_and_checked(settings, env):
    assert (settings.coach_model, settings.coach_dtype, settings.coach_threads, settings.coach_time_budget_ms,
            settings.coach_queue_size, settings.coach_ai_default) == (None, "auto", 1, 400, 8, True)
    env(COACH_MODEL="org/coach", HF_TOKEN="hf_abc", COACH_DTYPE="INT8", COACH_THREADS="2",
        COACH_TIME_BUDGET_MS="800", COACH_QUEUE_SIZE="3", COACH_AI="off")
    s = config.get_settings()
    assert (s.coach_model, s.hf_token, s.coach_dtype, s.coach_threads, s.coach_time_budget_ms, s.coach_queue_size,
            s.coach_ai_default) == ("org/coach", "hf_abc", "int8", 2, 800, 3, False)
    for name, value in (("COACH_DTYPE", "fp16"), ("COACH_THREADS", "0"), ("COACH_QUEUE_SIZE", "many")):
        env(**{name: value})
        with pytest.raises(config.ConfigError, match=name):
            config.load_settings()
        env(**{name: "1" if name != "COACH_DTYPE" else "auto"})


def test_coach_package_never_imports_reflex():
    package = Path(lm.__file__).parent
    for path in package.glob("*.py"):
        text = path.read_text()
        assert "import reflex" not in text and "from reflex" not in text, path.name


