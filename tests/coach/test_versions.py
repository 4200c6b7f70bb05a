"""Model versions on disk (coach.versions): what the trainer writes, what the runner finds and loads."""

from __future__ import annotations

import dataclasses
import json

from adaptivefit.coach import versions
from adaptivefit.coach.dataset import build_dataset
from tests.coach.tiny_model import build_model_dir
from tests.coach.tiny_training import tiny_phrases


def test_find_model_dir_picks_the_newest_passing_version(settings, tiny_model_root):
    s = dataclasses.replace(settings, coach_model_dir=tiny_model_root)
    # v5 is newest but truncated, v4 has no weights, v3 failed its checks: v2 it is.
    assert versions.find_model_dir(s) == tiny_model_root / "v2"
    assert versions.candidate_model_dirs(s) == [tiny_model_root / "v2", tiny_model_root / "v1"]
    assert versions.model_source(s) == str(tiny_model_root / "v2")


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
    assert versions.find_model_dir(s) == root / "v10"


def test_explicit_model_and_nothing_configured(settings, tiny_model_root, tmp_path):
    assert versions.find_model_dir(settings) is None
    assert versions.model_source(settings) is None
    explicit = dataclasses.replace(settings, coach_model=str(tiny_model_root / "v1"))
    assert versions.find_model_dir(explicit) == tiny_model_root / "v1"
    hub = dataclasses.replace(settings, coach_model="some-org/coach-gpt2", hf_token="hf_x")
    assert versions.find_model_dir(hub) is None
    assert versions.model_source(hub) == "some-org/coach-gpt2"  # passed through to from_pretrained
    missing = dataclasses.replace(settings, coach_model=str(tmp_path / "nowhere"))
    assert versions.model_source(missing) == str(tmp_path / "nowhere")


def test_the_shipped_default_model_is_installed_once_and_found(settings, tmp_path, tiny_tokenizer):
    shipped = tmp_path / "shipped"
    build_model_dir(shipped / "v20260101000000", tokenizer=tiny_tokenizer)
    installed = versions.install_default_model(settings, shipped=shipped)
    assert installed == settings.coach_model_dir / "v20260101000000"
    assert versions.find_model_dir(settings) == installed
    # A passing version is there now: nothing is copied again.
    assert versions.install_default_model(settings, shipped=shipped) is None
    assert [p.name for p in settings.coach_model_dir.iterdir()] == ["v20260101000000"]


def test_the_repository_ships_a_passing_default_model():
    shipped = [p for p in versions.SHIPPED_MODELS.iterdir() if versions._version_info(p) is not None]
    assert len(shipped) == 1
    metadata = json.loads((shipped[0] / "metadata.json").read_text())
    assert metadata["passed"] is True and metadata["metrics"]["perplexity"] <= 6
    assert sum(f.stat().st_size for f in shipped[0].iterdir()) <= 25 * 1024 * 1024


def test_needs_training_only_for_new_data(trained, tmp_path):
    meta = json.loads((trained / "metadata.json").read_text())
    assert versions.needs_training(trained.parent, meta["data_hash"]) is False
    assert versions.needs_training(trained.parent, build_dataset(tiny_phrases()[:-1]).data_hash) is True
    assert versions.needs_training(tmp_path / "nothing-here", meta["data_hash"]) is True
    assert versions.latest_version(trained.parent) == trained


def test_latest_version_skips_unfinished_directories(trained, tmp_path):
    import shutil

    shutil.copytree(trained, tmp_path / "v20200101000000")
    (tmp_path / "v20990101000000").mkdir()  # no metadata: not a version
    (tmp_path / ".v20990101000001.tmp").mkdir()
    assert versions.latest_version(tmp_path) == tmp_path / "v20200101000000"
    assert versions.latest_version(tmp_path, passed_only=True) is None  # the tiny model did not pass
