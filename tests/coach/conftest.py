"""Fixtures of the coach's tests: a member with a plan, a tiny model built locally, model runners, a
tiny trained version."""

from __future__ import annotations

from pathlib import Path

import pytest

from adaptivefit import config
from adaptivefit.coach import lm, trainer
from tests.coach.coach_gym import gym  # noqa: F401 - fixture
from tests.coach.tiny_model import tiny_model_dir, tiny_model_root, tiny_tokenizer  # noqa: F401 - fixtures
from tests.coach.tiny_training import TINY, tiny_phrases

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


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> Path:
    """A version trained for twenty steps on a tiny dataset (a few seconds)."""
    out = tmp_path_factory.mktemp("models")
    return trainer.train(out, steps=20, phrases=tiny_phrases(), **TINY)
