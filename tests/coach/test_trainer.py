"""The coach model's training run (coach.trainer), end to end on a tiny dataset and a tiny model (seconds)."""

from __future__ import annotations

import json
import re

import pytest

from adaptivefit.coach import evaluation, trainer
from adaptivefit.coach.prompting import EOS, control_prefix
from tests.coach.tiny_training import TINY, tiny_phrases


def test_a_run_makes_one_complete_versioned_directory(trained):
    assert re.fullmatch(r"v\d{14}", trained.name)
    names = {p.name for p in trained.iterdir()}
    assert {"model.safetensors", "config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "metadata.json"} <= names
    assert [p.name for p in trained.parent.iterdir()] == [trained.name]  # no temporary left over


def test_the_model_and_tokenizer_load_with_auto_classes_and_generate(trained):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(trained)
    tokenizer = AutoTokenizer.from_pretrained(trained)
    assert tokenizer.eos_token == EOS and tokenizer.pad_token == EOS
    assert model.config.n_layer == 1 and model.config.n_embd == 32
    prefix = control_prefix("fail_set", "reduce_load", "strength", "beginner", "session")
    ids = tokenizer(prefix, return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=5, do_sample=False, pad_token_id=tokenizer.eos_token_id)
    assert out.shape[1] > ids["input_ids"].shape[1]
    assert isinstance(tokenizer.decode(out[0], skip_special_tokens=True), str)
    with torch.no_grad():
        assert model(**ids).logits.shape[-1] == len(tokenizer)


def test_metadata_records_data_metrics_and_the_bar(trained):
    meta = json.loads((trained / "metadata.json").read_text())
    assert meta["version"] == trained.name
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["created_at"])
    assert re.fullmatch(r"[0-9a-f]{64}", meta["data_hash"])
    assert meta["n_lines"] == meta["n_train"] + meta["n_eval"] and meta["n_eval"] > 0
    assert meta["architecture"]["n_layer"] == 1 and meta["architecture"]["vocab_size"] > 0
    metrics = meta["metrics"]
    for key in ("eval_loss", "perplexity", "format_pass"):
        assert isinstance(metrics[key], float)
    assert metrics["perplexity"] == pytest.approx(2.718281828 ** metrics["eval_loss"], rel=1e-3)
    assert 0 <= metrics["format_pass"] <= 1
    assert set(metrics["sampled"]) >= {"format_pass", "guardrails_pass", "action_match"}
    assert meta["passed"] is (metrics["perplexity"] <= evaluation.MAX_PERPLEXITY and metrics["format_pass"] >= 0.9
                              and metrics["action_match"] >= evaluation.MIN_ACTION_MATCH)
    assert meta["passed"] is False  # twenty steps of a 1-layer model cannot clear the bar
    assert meta["base"] is None and meta["steps"] == 20 and meta["train_seconds"] >= 0
    # the held-out loss is followed during the run and the best weights kept
    assert 0 < meta["best_step"] <= 20 and meta["training"]["eval_curve"][-1][0] == 20
    best = min(loss for _, loss in meta["training"]["eval_curve"])
    assert metrics["eval_loss"] == pytest.approx(best, abs=1e-3)


def test_fine_tunes_from_a_local_base(trained, tmp_path):
    version = trainer.train(tmp_path, steps=3, phrases=tiny_phrases(), base=trained, **{**TINY, "use_settings_base": True})
    meta = json.loads((version / "metadata.json").read_text())
    assert meta["base"] == str(trained)
    assert meta["architecture"]["n_embd"] == 32

    with pytest.raises(ValueError, match="not a local model directory"):
        trainer.train(tmp_path, steps=1, phrases=tiny_phrases(), base=tmp_path / "missing", **TINY)


def test_the_base_model_setting_is_used(env, trained, tmp_path):
    env(COACH_BASE_MODEL=str(trained), COACH_MODEL_DIR=str(tmp_path / "models"))
    version = trainer.train(steps=2, phrases=tiny_phrases(), **{**TINY, "use_settings_base": True})
    assert version.parent == tmp_path / "models"
    assert json.loads((version / "metadata.json").read_text())["base"] == str(trained)
