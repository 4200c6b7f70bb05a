"""The coach model's training pipeline, end to end on a tiny dataset and a tiny model (seconds)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from adaptivefit.coach import train as T
from adaptivefit.coach.phrases import ANY, COMBINATIONS, load_phrases
from adaptivefit.coach.prompting import EOS, PLACEHOLDERS, control_prefix

TINY = dict(layers=1, width=32, heads=2, threads=1, eval_samples=8, progress=False, use_settings_base=False)


def tiny_phrases():
    """Two phrases written for any goal and level per (event, action), and one per goal: 51."""
    phrases = load_phrases()
    picked = []
    for event, action in COMBINATIONS:
        mine = [p for p in phrases if (p.event, p.action) == (event, action)]
        picked += [p for p in mine if p.goal == ANY and p.level == ANY][:2]
        picked += [p for p in mine if p.goal == "strength" and p.level == ANY][:1]
    return picked


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("phrases") / "phrases.json"
    path.write_text(json.dumps([p.to_dict() for p in tiny_phrases()]))
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("models")
    return T.train(out, steps=20, phrases=tiny_phrases(), **TINY)


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


def test_control_codes_and_placeholders_are_single_tokens(trained):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(trained)
    for token in ("<event=fail_set>", "<action=reduce_load>", "<goal=strength>", "<level=beginner>",
                  "<scope=session>", *("{" + name + "}" for name in PLACEHOLDERS)):
        assert len(tokenizer(token, add_special_tokens=False)["input_ids"]) == 1, token
    # Control codes are special: a decoded generation never shows them; placeholders stay.
    ids = tokenizer("<event=fail_set> Drop to {weight_kg}.", add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(ids, skip_special_tokens=True).strip() == "Drop to {weight_kg}."


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
    assert meta["passed"] is (metrics["perplexity"] <= T.MAX_PERPLEXITY and metrics["format_pass"] >= 0.9
                              and metrics["action_match"] >= T.MIN_ACTION_MATCH)
    assert meta["passed"] is False  # twenty steps of a 1-layer model cannot clear the bar
    assert meta["base"] is None and meta["steps"] == 20 and meta["train_seconds"] >= 0
    # the held-out loss is followed during the run and the best weights kept
    assert 0 < meta["best_step"] <= 20 and meta["training"]["eval_curve"][-1][0] == 20
    best = min(loss for _, loss in meta["training"]["eval_curve"])
    assert metrics["eval_loss"] == pytest.approx(best, abs=1e-3)


def test_the_eval_split_is_disjoint_from_train_and_stratified():
    dataset = T.build_dataset(tiny_phrases())
    train_texts = {e.text for e in dataset.train}
    eval_texts = {e.text for e in dataset.eval}
    assert eval_texts and not train_texts & eval_texts
    assert all(e.line.startswith(e.prefix) and e.line.endswith(EOS) for e in dataset.train + dataset.eval)

    full = T.build_dataset()
    held = {e.key[:2] for e in full.eval}
    assert held == set(COMBINATIONS)  # every (event, action) gives some phrases to the held-out set
    assert 0.08 <= full.n_eval_phrases / full.n_phrases <= 0.12


def test_any_phrases_are_shown_under_concrete_goals_and_levels():
    dataset = T.build_dataset(tiny_phrases())
    for e in dataset.train + dataset.eval:
        assert "<goal=any>" not in e.prefix and "<level=any>" not in e.prefix


def test_the_data_hash_is_stable_and_follows_the_data():
    phrases = tiny_phrases()
    first = T.build_dataset(phrases).data_hash
    assert T.build_dataset(phrases).data_hash == first == T.current_data_hash(phrases)
    assert T.build_dataset(phrases[:-1]).data_hash != first


def test_needs_training_only_for_new_data(trained, tmp_path):
    meta = json.loads((trained / "metadata.json").read_text())
    assert T.needs_training(trained.parent, meta["data_hash"]) is False
    assert T.needs_training(trained.parent, T.build_dataset(tiny_phrases()[:-1]).data_hash) is True
    assert T.needs_training(tmp_path / "nothing-here", meta["data_hash"]) is True
    assert T.latest_version(trained.parent) == trained


def test_latest_version_skips_unfinished_directories(trained, tmp_path):
    import shutil

    shutil.copytree(trained, tmp_path / "v20200101000000")
    (tmp_path / "v20990101000000").mkdir()  # no metadata: not a version
    (tmp_path / ".v20990101000001.tmp").mkdir()
    assert T.latest_version(tmp_path) == tmp_path / "v20200101000000"
    assert T.latest_version(tmp_path, passed_only=True) is None  # the tiny model did not pass


def test_knowledge_lines_join_behind_their_source_as_a_minority(tmp_path):
    kb = tmp_path / "kb.jsonl"
    records = [{"source": "PubMed", "title": f"Study {i} on rest intervals", "abstract": "Longer rest helped. " * 40}
               for i in range(200)]
    records.append({"text": "Progressive overload is a principle of training."})
    kb.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    dataset = T.build_dataset(tiny_phrases(), [kb])
    knowledge = [e for e in dataset.train if e.kind == "knowledge"]
    assert knowledge and dataset.n_knowledge == len(knowledge)
    assert len(knowledge) <= T.KNOWLEDGE_MAX_SHARE * len(dataset.train) + 1
    assert {e.prefix for e in knowledge} <= {"<source=pubmed>\n", "<source=kb>\n"}
    assert all(len(e.text) <= T.KNOWLEDGE_CHUNK_CHARS + 1 for e in knowledge)
    assert all(e.kind == "phrase" for e in dataset.eval)
    assert dataset.data_hash != T.build_dataset(tiny_phrases()).data_hash

    export = tmp_path / "youtube_knowledge.jsonl"  # the knowledge export's shape
    export.write_text("\n".join(json.dumps(r) for r in [
        {"id": 1, "source": "youtube", "title": "Squat depth", "text": "Sit between your heels. See https://x.example/a",
         "url": "https://x.example/v"},
        {"id": 2, "source": "youtube", "title": "", "text": None},  # nothing to learn: skipped
    ]))
    [line] = T.load_knowledge([export])
    assert line.prefix == "<source=youtube>\n" and line.text == "Squat depth. Sit between your heels. See"

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok"}\n["not", "an", "object"]\n')
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        T.build_dataset(tiny_phrases(), [bad])


def test_format_check():
    assert T.format_ok("Drop to {weight_kg} for {reps} reps.")
    assert not T.format_ok("")
    assert not T.format_ok("Drop to 60 kg.")
    assert not T.format_ok("Rest {rest_minutes} now.")
    assert not T.format_ok("Rest {rest_s seconds.")
    assert not T.format_ok("<action=deload> Easy week.")


def test_fine_tunes_from_a_local_base(trained, tmp_path):
    version = T.train(tmp_path, steps=3, phrases=tiny_phrases(), base=trained, **{**TINY, "use_settings_base": True})
    meta = json.loads((version / "metadata.json").read_text())
    assert meta["base"] == str(trained)
    assert meta["architecture"]["n_embd"] == 32

    with pytest.raises(ValueError, match="not a local model directory"):
        T.train(tmp_path, steps=1, phrases=tiny_phrases(), base=tmp_path / "missing", **TINY)


def test_the_base_model_setting_is_used(env, trained, tmp_path):
    env(COACH_BASE_MODEL=str(trained), COACH_MODEL_DIR=str(tmp_path / "models"))
    version = T.train(steps=2, phrases=tiny_phrases(), **{**TINY, "use_settings_base": True})
    assert version.parent == tmp_path / "models"
    assert json.loads((version / "metadata.json").read_text())["base"] == str(trained)


def test_cli(tiny_file, tmp_path, capsys):
    args = ["--phrases", str(tiny_file), "--out", str(tmp_path), "--steps", "3", "--layers", "1", "--width", "32",
            "--heads", "2", "--threads", "1", "--eval-samples", "4", "--scratch", "--quiet"]
    assert T.main(args) == 0
    [version] = T.versions(tmp_path)
    assert str(version) in capsys.readouterr().out
    assert T.main([*args, "--if-changed"]) == 0
    assert T.versions(tmp_path) == [version]  # same data: nothing trained

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{**tiny_phrases()[0].to_dict(), "text": "Lift 100 kg."}]))
    assert T.main([*args, "--phrases", str(bad)]) == 2
    assert "literal digit" in capsys.readouterr().err


def test_thread_tuner_picks_the_faster_setting():
    tuner = T.ThreadTuner([1, 2], warm=1, probe_len=2, probe_every=10)
    speed = {1: 1.0, 2: 4.0}  # seconds per step: one thread is faster here
    chosen = []
    for _ in range(40):
        n = tuner.choose()
        chosen.append(n)
        tuner.record(n, speed[n], 100)
    assert set(chosen[:6]) == {1, 2}  # both tried
    assert chosen[-5:].count(1) >= 3 and tuner.best() == 1
    assert tuner.used[1] > tuner.used[2]
    assert T.ThreadTuner([2]).choose() == 2
