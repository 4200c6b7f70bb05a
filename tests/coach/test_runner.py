"""The model runner (coach.runner): lazy loading in the background, older versions as a fallback,
the worker's threads; on a tiny random GPT-2 built in the test session."""

from __future__ import annotations

import dataclasses
import time

from adaptivefit.coach import versions
from tests.coach.tiny_model import build_model_dir


def test_a_newest_version_that_will_not_load_gives_way_to_an_older_one(settings, runners, tmp_path, tiny_tokenizer):
    root = tmp_path / "models"
    build_model_dir(root / "v1", tokenizer=tiny_tokenizer, created_at="2025-01-01T00:00:00Z")
    build_model_dir(root / "v2", tokenizer=tiny_tokenizer, created_at="2025-02-01T00:00:00Z")
    (root / "v2" / "config.json").write_text('{"model_type": "no-such-architecture"}')
    hidden = build_model_dir(root / ".v3.tmp", tokenizer=tiny_tokenizer, created_at="2025-03-01T00:00:00Z")
    s = dataclasses.replace(settings, coach_model_dir=root)
    assert versions.candidate_model_dirs(s) == [root / "v2", root / "v1"]  # the trainer's unfinished .tmp is skipped
    assert hidden.exists()
    runner = runners(s)
    assert runner.wait_ready(30)
    assert runner.status()["model_repo"] == str(root / "v1")


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


def test_the_worker_uses_the_configured_threads(settings, runners, tiny_model_dir):
    import torch

    runner = runners(settings, source=tiny_model_dir, threads=1)
    assert runner.wait_ready(30)
    assert runner._submit(torch.get_num_threads).result(5) == 1
