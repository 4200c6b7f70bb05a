"""The in-process model runner (coach.lm) on a tiny random GPT-2 built in the test session."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import run_async
from adaptivefit import config
from adaptivefit.coach import guardrails, lm
from adaptivefit.coach.messages import template_message
from adaptivefit.coach.prompting import control_prefix
from adaptivefit.coach.types import ACTIONS, EVENTS, Prescription, Tweak
from tests.coach.tiny_model import build_model_dir, tiny_model_dir, tiny_model_root, tiny_tokenizer  # noqa: F401 - fixtures

TWEAK = Tweak(action="reduce_load", reason="test", modifications={},
              next=Prescription(sets=3, reps=8, weight_kg=82.5, rest_s=150))
CONTEXT = dict(exercise="Back Squat", goal="strength", level="beginner", units="kg", seed="user-1|fail_set|2")


def template_for(tweak=TWEAK, event="fail_set", **context):
    ctx = {**CONTEXT, **context}
    return template_message(tweak, event, exercise=ctx["exercise"], goal=ctx["goal"], level=ctx["level"],
                            seed=ctx["seed"], units=ctx["units"])


COACH_VARS = ("COACH_MODEL", "HF_TOKEN", "COACH_DTYPE", "COACH_THREADS", "COACH_TIME_BUDGET_MS",
              "COACH_QUEUE_SIZE", "COACH_AI")


@pytest.fixture
def settings(env, tmp_path, monkeypatch):
    """Settings of a clean environment whose COACH_MODEL_DIR is empty."""
    for name in COACH_VARS:
        monkeypatch.delenv(name, raising=False)
    env(COACH_MODEL_DIR=str(tmp_path / "no-models"))
    return config.get_settings()


@pytest.fixture
def runners():
    made = []

    def make(settings, **kwargs) -> lm.CoachModel:
        runner = lm.CoachModel(settings, **kwargs)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.close()


def slow_forward(runner: lm.CoachModel, seconds: float, threads: list | None = None):
    """Make each forward pass of the loaded model take at least `seconds` (sleeping, like a
    torch kernel, without the GIL)."""

    def hook(module, args, kwargs):
        if threads is not None:
            threads.append(threading.current_thread().name)
        time.sleep(seconds)

    return runner._model.register_forward_pre_hook(hook, with_kwargs=True)


# --- finding a model -----------------------------------------------------------------------------


def test_find_model_dir_picks_the_newest_passing_version(settings, tiny_model_root):
    s = dataclasses.replace(settings, coach_model_dir=tiny_model_root)
    # v5 is newest but truncated, v4 has no weights, v3 failed its checks: v2 it is.
    assert lm.find_model_dir(s) == tiny_model_root / "v2"
    assert lm.candidate_model_dirs(s) == [tiny_model_root / "v2", tiny_model_root / "v1"]
    assert lm.model_source(s) == str(tiny_model_root / "v2")


def test_find_model_dir_orders_by_name_without_dates_and_skips_bad_metadata(settings, tmp_path, tiny_tokenizer):
    root = tmp_path / "models"
    for name in ("v2", "v10", "v9"):
        build_model_dir(root / name, tokenizer=tiny_tokenizer)
        (root / name / "metadata.json").write_text(json.dumps({"passed": True}))
    (root / "v11").mkdir()
    (root / "v12").mkdir()
    for item in (root / "v10").iterdir():
        (root / "v12" / item.name).write_bytes(item.read_bytes())
    (root / "v12" / "metadata.json").write_text("{not json")
    (root / "notes.txt").write_text("not a version")
    s = dataclasses.replace(settings, coach_model_dir=root)
    assert lm.find_model_dir(s) == root / "v10"


def test_a_newest_version_that_will_not_load_gives_way_to_an_older_one(settings, runners, tmp_path, tiny_tokenizer):
    root = tmp_path / "models"
    build_model_dir(root / "v1", tokenizer=tiny_tokenizer, created_at="2025-01-01T00:00:00Z")
    build_model_dir(root / "v2", tokenizer=tiny_tokenizer, created_at="2025-02-01T00:00:00Z")
    (root / "v2" / "config.json").write_text('{"model_type": "no-such-architecture"}')
    hidden = build_model_dir(root / ".v3.tmp", tokenizer=tiny_tokenizer, created_at="2025-03-01T00:00:00Z")
    s = dataclasses.replace(settings, coach_model_dir=root)
    assert lm.candidate_model_dirs(s) == [root / "v2", root / "v1"]  # the trainer's unfinished .tmp is skipped
    assert hidden.exists()
    runner = runners(s)
    assert runner.wait_ready(30)
    assert runner.status()["model_repo"] == str(root / "v1")


def test_explicit_model_and_nothing_configured(settings, tiny_model_root, tmp_path):
    assert lm.find_model_dir(settings) is None
    assert lm.model_source(settings) is None
    explicit = dataclasses.replace(settings, coach_model=str(tiny_model_root / "v1"))
    assert lm.find_model_dir(explicit) == tiny_model_root / "v1"
    hub = dataclasses.replace(settings, coach_model="some-org/coach-gpt2", hf_token="hf_x")
    assert lm.find_model_dir(hub) is None
    assert lm.model_source(hub) == "some-org/coach-gpt2"  # passed through to from_pretrained
    missing = dataclasses.replace(settings, coach_model=str(tmp_path / "nowhere"))
    assert lm.model_source(missing) == str(tmp_path / "nowhere")


# --- loading -------------------------------------------------------------------------------------


def test_loading_is_lazy_and_in_the_background(settings, runners, tiny_model_dir):
    runner = runners(settings, source=tiny_model_dir, dtype="float32")
    assert runner._model is None and runner.state == "loading"
    started = time.perf_counter()
    runner.warm_up()
    assert time.perf_counter() - started < 0.05  # returns at once
    assert runner.wait_ready(30)
    status = runner.status()
    assert status == {"model_available": True, "model_repo": str(tiny_model_dir), "device": "cpu",
                      "dtype": "float32", "state": "ready", "error": None}


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int8", "auto"])
def test_loads_and_generates_in_each_dtype(settings, runners, tiny_model_dir, dtype):
    import torch

    runner = runners(settings, source=tiny_model_dir, dtype=dtype)
    assert runner.wait_ready(30), runner.status()
    assert runner.status()["dtype"] == lm.resolve_dtype(dtype)
    prefix = control_prefix("fail_set", "reduce_load", "strength", "beginner", "session")
    text = runner.generate_raw(prefix, seed="a")
    assert isinstance(text, str) and "\n" not in text
    assert runner.generate_raw(prefix, seed="a") == text  # deterministic per seed
    full = runner.generate_raw(prefix, max_new_tokens=12, min_new_tokens=12, seed="b")
    assert len(runner._tokenizer(full).input_ids) >= 6
    if dtype == "bfloat16":
        assert next(runner._model.parameters()).dtype == torch.bfloat16


def test_int8_replaces_conv1d_and_still_generates(settings, runners, tiny_model_dir):
    import torch
    from transformers.pytorch_utils import Conv1D

    runner = runners(settings, source=tiny_model_dir, dtype="int8")
    assert runner.wait_ready(30)
    kinds = {type(m).__name__ for m in runner._model.modules()}
    assert not any(isinstance(m, Conv1D) for m in runner._model.modules())
    assert not any(type(m) is torch.nn.Linear for m in runner._model.modules())
    assert "DynamicQuantizedLinear" in kinds or "Linear" in kinds
    prefix = control_prefix("too_easy", "increase_load", "strength", "advanced", "session")
    assert len(runner.generate_raw(prefix, max_new_tokens=10, min_new_tokens=10, seed=1)) > 0


def test_conv1d_to_linear_keeps_the_outputs(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    ids = torch.tensor([[1, 5, 9, 33, 70]])
    with torch.inference_mode():
        before = model(input_ids=ids).logits
        assert lm.conv1d_to_linear(model) == 2 * 4  # per block: c_attn, c_proj, mlp.c_fc, mlp.c_proj
        after = model(input_ids=ids).logits
    assert torch.allclose(before, after, atol=1e-5)


def test_broken_model_dir_fails_and_falls_back(settings, runners, tiny_model_root):
    s = dataclasses.replace(settings, coach_model=str(tiny_model_root / "v5"))  # truncated safetensors
    runner = runners(s)
    assert not runner.wait_ready(30)
    status = runner.status()
    assert status["state"] == "failed" and not status["model_available"] and status["error"]
    assert status["model_repo"] == str(tiny_model_root / "v5")
    assert run_async(runner.write_message(TWEAK, "fail_set", **CONTEXT)) == (template_for(), False)
    with pytest.raises(lm.ModelUnavailable):
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
    assert (message, ai) == ("Drop to 182 lb and own 8 clean reps.", True)
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
        with pytest.raises(lm.QueueFull):
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


def test_the_worker_uses_the_configured_threads(settings, runners, tiny_model_dir):
    import torch

    runner = runners(settings, source=tiny_model_dir, threads=1)
    assert runner.wait_ready(30)
    assert runner._submit(torch.get_num_threads).result(5) == 1


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


def test_the_shipped_default_model_is_installed_once_and_found(settings, tmp_path, tiny_tokenizer):
    shipped = tmp_path / "shipped"
    build_model_dir(shipped / "v20260101000000", tokenizer=tiny_tokenizer)
    installed = lm.install_default_model(settings, shipped=shipped)
    assert installed == settings.coach_model_dir / "v20260101000000"
    assert lm.find_model_dir(settings) == installed
    # A passing version is there now: nothing is copied again.
    assert lm.install_default_model(settings, shipped=shipped) is None
    assert [p.name for p in settings.coach_model_dir.iterdir()] == ["v20260101000000"]


def test_the_repository_ships_a_passing_default_model():
    versions = [p for p in lm.SHIPPED_MODELS.iterdir() if lm._version_info(p) is not None]
    assert len(versions) == 1
    metadata = json.loads((versions[0] / "metadata.json").read_text())
    assert metadata["passed"] is True and metadata["metrics"]["perplexity"] <= 6
    assert sum(f.stat().st_size for f in versions[0].iterdir()) <= 25 * 1024 * 1024
