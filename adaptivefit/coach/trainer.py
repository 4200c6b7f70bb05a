"""Train the coach's small language model: one run, from the phrases to a saved version.

The model writes the one or two sentences that explain a tweak. It never sees a number: its
training text is the curated phrases of `coach.phrases`, each behind the control prefix of
`coach.prompting` (event, action, goal, level, scope), with the placeholders `{reps}`,
`{weight_kg}`, ... left in for the app to fill. Optional knowledge-base records (JSONL with
"text", or "title"/"abstract") are mixed in behind their own `<source=...>` prefix, always as a
minority so the coaching messages stay what the model is best at.

One run:

1. builds the dataset (`coach.dataset`): every phrase behind its prefix; a phrase written for
   "any" goal or level is repeated under concrete goals and levels so the conditioning is
   learned; `eval_share` of the phrases is held out (stratified by event and action; whole
   phrases, so no text is in both splits), and the lines are hashed;
2. trains a byte-level BPE tokenizer on the text (`coach.tokenizer`), or takes a local
   GPT-2-family model and its tokenizer (`--base` / COACH_BASE_MODEL, `coach.gpt2`); the control
   codes (`<event=...>` ...) are single special tokens and the placeholders single tokens;
3. trains GPT-2 (default 4 layers x 256 wide, 4 heads, 128 positions) with AdamW, warmup and a
   cosine schedule, for a time budget (`--minutes`, default 3) or a number of steps (`coach.loop`);
4. measures the held-out loss and perplexity (on the message tokens, not the prefix) and a
   format check, and decides whether the version `passed` its bar (`coach.evaluation`);
5. saves `<out>/v<YYYYmmddHHMMSS>/`: model.safetensors, config.json, generation_config.json,
   the tokenizer and metadata.json (data hash, sizes, architecture, metrics, `passed`).

A version directory appears complete or not at all (it is written under a temporary name and
renamed). `coach.versions.needs_training(out, hash)` tells a scheduler whether the data changed
since the newest version; `train(..., if_changed=True)` does that check itself.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Sequence

from adaptivefit.coach.dataset import DEFAULT_EVAL_SHARE, DEFAULT_SEED, Dataset, build_dataset
from adaptivefit.coach.evaluation import (
    EVAL_SAMPLES,
    MAX_NEW_TOKENS,
    MAX_PERPLEXITY,
    MIN_ACTION_MATCH,
    MIN_FORMAT_PASS,
    measure,
)
from adaptivefit.coach.gpt2 import load_base, new_model
from adaptivefit.coach.loop import LoopResult, ThreadTuner, thread_options, train_loop
from adaptivefit.coach.phrases import Phrase, load_phrases
from adaptivefit.coach.prompting import EOS
from adaptivefit.coach.tokenizer import bpe_texts, control_tokens, encode, train_tokenizer
from adaptivefit.coach.versions import latest_version, needs_training, new_version_name

DEFAULT_MINUTES = 3.0


def _resolve(out_dir: str | Path | None, base: str | Path | None, use_settings: bool) -> tuple[Path, str | None]:
    if out_dir is None or (base is None and use_settings):
        from adaptivefit.config import get_settings

        settings = get_settings()
        if out_dir is None:
            out_dir = settings.coach_model_dir
        if base is None and use_settings:
            base = settings.coach_base_model
    return Path(out_dir), (str(base) if base else None)


def train(
    out_dir: str | Path | None = None,
    *,
    minutes: float | None = None,
    steps: int | None = None,
    layers: int = 4,
    width: int = 256,
    heads: int = 4,
    n_positions: int = 128,
    base: str | Path | None = None,
    use_settings_base: bool = True,
    knowledge: Sequence[str | Path] = (),
    phrases: Sequence[Phrase] | str | Path | None = None,
    seed: int = DEFAULT_SEED,
    eval_share: float = DEFAULT_EVAL_SHARE,
    min_pass: float = MIN_FORMAT_PASS,
    max_perplexity: float = MAX_PERPLEXITY,
    min_action_match: float = MIN_ACTION_MATCH,
    batch_size: int = 8,
    lr: float | None = None,
    dropout: float = 0.1,
    vocab_size: int = 6000,
    control_mode: str = "special",
    eval_samples: int = EVAL_SAMPLES,
    threads: int | str = "auto",
    if_changed: bool = False,
    progress: bool = True,
) -> Path:
    """Train one version and return its directory (see the module's docstring).

    Without `minutes` and `steps` the budget is DEFAULT_MINUTES; with `steps` alone, exactly
    that many optimizer steps; with both, whichever ends first. `base` (default: the setting
    COACH_BASE_MODEL unless `use_settings_base` is False) fine-tunes a local GPT-2-family model
    instead of training from scratch. With `if_changed`, an unchanged dataset returns the newest
    existing version without training.
    """
    import torch

    minutes = _budget(control_mode, minutes, steps)
    out, base_path = _resolve(out_dir, base, use_settings_base)
    if isinstance(phrases, (str, Path)):
        phrases = load_phrases(phrases)

    started = time.monotonic()
    dataset = build_dataset(phrases, knowledge, seed=seed, eval_share=eval_share)
    if if_changed and not needs_training(out, dataset.data_hash):
        existing = latest_version(out)
        assert existing is not None
        return existing

    tuner = ThreadTuner(thread_options(threads))
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(tuner.choose())
    torch.manual_seed(seed)
    try:
        tokenizer, model, lr = _tokenizer_and_model(
            dataset, base_path, lr=lr, layers=layers, width=width, heads=heads, n_positions=n_positions,
            dropout=dropout, vocab_size=vocab_size, control_mode=control_mode)
        pad_id = tokenizer.convert_tokens_to_ids(EOS)
        train_enc = encode(tokenizer, dataset.train, n_positions)
        eval_enc = encode(tokenizer, dataset.eval, n_positions)
        run = train_loop(model, train_enc, eval_enc, pad_id, steps=steps, minutes=minutes, batch_size=batch_size,
                         lr=lr, seed=seed, tuner=tuner, progress=progress)
        metrics, passed, samples = measure(
            model, tokenizer, dataset, train_enc, eval_enc, pad_id, final_loss=run.final_loss,
            eval_samples=eval_samples, seed=seed, max_perplexity=max_perplexity, min_pass=min_pass,
            min_action_match=min_action_match, progress=progress)
        name, now, tmp = _stage(out, model, tokenizer, pad_id)
        training = {"batch_size": batch_size, "lr": lr, "dropout": dropout, "seed": seed, "eval_share": eval_share,
                    "minutes": minutes, "max_steps": steps, "threads": threads,
                    "steps_by_threads": {str(k): v for k, v in sorted(tuner.used.items())}}
        thresholds = {"max_perplexity": max_perplexity, "min_format_pass": min_pass,
                      "min_action_match": min_action_match}
        metadata = _metadata(name, now, dataset, model, run, n_positions=n_positions, control_mode=control_mode,
                             training=training, metrics=metrics, thresholds=thresholds, passed=passed,
                             base=base_path, started=started, samples=samples)
        return _publish(out, name, tmp, metadata)
    finally:
        torch.set_num_threads(previous_threads)


def _budget(control_mode: str, minutes: float | None, steps: int | None) -> float | None:
    """The time budget in minutes (DEFAULT_MINUTES when neither a budget nor steps is given)."""
    if control_mode not in ("special", "plain"):
        raise ValueError("control_mode must be 'special' or 'plain'")
    if minutes is None and steps is None:
        minutes = DEFAULT_MINUTES
    if steps is not None and steps < 1:
        raise ValueError("steps must be at least 1")
    if minutes is not None and minutes <= 0:
        raise ValueError("minutes must be positive")
    return minutes


def _tokenizer_and_model(dataset: Dataset, base_path: str | None, *, lr: float | None, layers: int, width: int,
                         heads: int, n_positions: int, dropout: float, vocab_size: int, control_mode: str):
    """(tokenizer, model, peak learning rate): a base fine-tuned gently, a new model trained harder."""
    controls = control_tokens(dataset.sources)
    if base_path:
        tokenizer, model = load_base(base_path, controls, control_mode)
        lr = 3e-4 if lr is None else lr
    else:
        tokenizer = train_tokenizer(bpe_texts(dataset, control_mode), vocab_size=vocab_size,
                                    n_positions=n_positions, controls=controls, control_mode=control_mode)
        model = new_model(tokenizer, layers=layers, width=width, heads=heads, n_positions=n_positions,
                          dropout=dropout)
        lr = 2e-3 if lr is None else lr
    tokenizer.model_max_length = n_positions
    return tokenizer, model, lr


def _stage(out: Path, model, tokenizer, pad_id: int) -> tuple[str, datetime, Path]:
    """Save the model and tokenizer under a hidden temporary name: (version name, its time, the folder)."""
    from transformers import GenerationConfig

    out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    name = new_version_name(out, now)
    tmp = out / f".{name}.tmp"
    model.generation_config = GenerationConfig(
        bos_token_id=pad_id, eos_token_id=pad_id, pad_token_id=pad_id, do_sample=False,
        max_new_tokens=MAX_NEW_TOKENS,
    )
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    return name, now, tmp


def _metadata(name: str, now: datetime, dataset: Dataset, model, run: LoopResult, *, n_positions: int,
              control_mode: str, training: dict[str, Any], metrics: dict[str, Any], thresholds: dict[str, float],
              passed: bool, base: str | None, started: float, samples: list[dict[str, str]]) -> dict[str, Any]:
    cfg = model.config
    return {
        "version": name,
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "data_hash": dataset.data_hash,
        "n_lines": len(dataset.train) + len(dataset.eval),
        "n_train": len(dataset.train),
        "n_eval": len(dataset.eval),
        "n_phrases": dataset.n_phrases,
        "n_eval_phrases": dataset.n_eval_phrases,
        "n_knowledge": dataset.n_knowledge,
        "knowledge_sources": list(dataset.sources),
        "architecture": {
            "model_type": cfg.model_type, "n_layer": cfg.n_layer, "n_embd": cfg.n_embd, "n_head": cfg.n_head,
            "n_positions": cfg.n_positions, "max_length": n_positions, "vocab_size": cfg.vocab_size,
            "n_params": sum(p.numel() for p in model.parameters()), "control_tokens": control_mode,
        },
        "training": {**training, "loss_curve": run.curve, "eval_curve": run.eval_curve},
        "metrics": metrics,
        "thresholds": thresholds,
        "passed": passed,
        "base": base,
        "train_seconds": round(run.train_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "steps": run.steps,
        "best_step": run.best_step,
        "samples": samples,
    }


def _publish(out: Path, name: str, tmp: Path, metadata: dict[str, Any]) -> Path:
    """Write the metadata and rename the staged folder into place: the version appears whole."""
    (tmp / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    for item in tmp.iterdir():  # the weights are written owner-only; the app may run as another user
        item.chmod(0o644)
    target = out / name
    try:
        tmp.rename(target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
