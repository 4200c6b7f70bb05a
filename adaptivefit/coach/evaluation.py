"""How good a trained coach model is, and the bar a version must clear to be `passed`.

The held-out loss and perplexity are measured on the message tokens (not the prefix). The format
check generates greedily for up to EVAL_SAMPLES held-out prefixes: each text must be non-empty, use
only known placeholders and contain no digit and no markup (`format_pass`); it also measures
whether they follow the asked action (`action_match`) and pass the app's guardrails, greedy and
sampled (see `quality_check`). `passed` = perplexity <= MAX_PERPLEXITY, format_pass >=
MIN_FORMAT_PASS and action_match >= MIN_ACTION_MATCH.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from typing import Any, Sequence

from adaptivefit.coach import guardrails
from adaptivefit.coach.dataset import Dataset, Example
from adaptivefit.coach.prompting import EOS, PLACEHOLDERS, fill
from adaptivefit.coach.tokenizer import CONTROL, FIELD, Encoded, batch
from adaptivefit.coach.types import Prescription, Tweak

# The bar a version must clear to be `passed` (the runner only loads versions that passed, see
# coach.versions).
# Perplexity is measured on the message tokens of held-out phrases. For scale: an untrained
# model scores about the vocabulary size (1,700 from scratch), token frequencies alone
# (metrics.unigram_perplexity) about 150, and runs that stopped early 40-90. Default runs whose
# messages followed the asked action (action_match 1.0) measured 4.2-4.4; runs whose conditioning
# was visibly off (a reduce_load prefix answered "go up to ...") measured 5.1-7.7. 6 keeps a
# margin over the good runs and, with `action_match` (the conditioning, measured directly: the
# training phrase nearest to each greedy generation was written for the asked action) and
# `format_pass` (the app can fill it), turns away the bad ones.
MAX_PERPLEXITY = 6.0
MIN_FORMAT_PASS = 0.9
MIN_ACTION_MATCH = 0.9
EVAL_SAMPLES = 100
MAX_NEW_TOKENS = 40
# How the app samples (coach.runner): the check measures sampled generations too, as members see them.
SAMPLE_TEMPERATURE = 0.7
SAMPLE_TOP_K = 40


def evaluate_loss(model, enc: Encoded, pad_id: int, batch_size: int = 64) -> tuple[float, int]:
    """Mean cross-entropy per message token over `enc`, and the number of tokens."""
    import torch
    import torch.nn.functional as F

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(enc.ids), batch_size):
            idx = list(range(start, min(start + batch_size, len(enc.ids))))
            input_ids, attention, labels = batch(enc, idx, pad_id)
            logits = model(input_ids=input_ids, attention_mask=attention).logits
            shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
            shift_labels = labels[:, 1:].reshape(-1)
            total += F.cross_entropy(shift_logits, shift_labels, ignore_index=-100, reduction="sum").item()
            count += int((shift_labels != -100).sum())
    return (total / count if count else float("nan")), count


def unigram_perplexity(train: Encoded, held: Encoded, vocab_size: int) -> float:
    """The perplexity of token frequencies alone (add-one smoothed): the no-context baseline."""
    counts: Counter[int] = Counter()
    for seq, start in zip(train.ids, train.starts):
        counts.update(seq[start:])
    total = sum(counts.values()) + vocab_size
    nll, n = 0.0, 0
    for seq, start in zip(held.ids, held.starts):
        for tok in seq[start:]:
            nll -= math.log((counts[tok] + 1) / total)
            n += 1
    return math.exp(nll / n) if n else float("nan")


def format_ok(text: str) -> bool:
    """A generation the app could use: non-empty, known placeholders only, no digit, no markup."""
    text = text.strip()
    if not text or re.search(r"\d", text):
        return False
    names = FIELD.findall(text)
    if any(name not in PLACEHOLDERS for name in names):
        return False
    rest = FIELD.sub("", text)
    return not any(ch in rest for ch in "{}<>") and "endoftext" not in rest


def _parse_prefix(prefix: str) -> dict[str, str]:
    return dict(m.group(0)[1:-1].split("=", 1) for m in CONTROL.finditer(prefix))


_CHECK_NEXT = Prescription(sets=3, reps=8, weight_kg=60.0, rest_s=90)


def _guardrails_ok(text: str, prefix: str) -> tuple[bool, bool]:
    """(passes `guardrails.check`, direction matches) once filled with an ordinary prescription."""
    fields = _parse_prefix(prefix)
    tweak = Tweak(action=fields.get("action", "maintain"), reason="", modifications={}, next=_CHECK_NEXT,
                  scope=fields.get("scope", "session"))
    filled = fill(text, tweak, "Barbell Back Squat")
    if not filled:
        return False, False
    return (guardrails.check(filled, tweak, exercise="Barbell Back Squat") is None,
            guardrails.direction_matches(filled, tweak))


def generate(model, tokenizer, prefixes: Sequence[str], *, max_new_tokens: int = MAX_NEW_TOKENS,
             sample: bool = False, progress: bool = False) -> list[str]:
    """Generations for `prefixes`, greedy or sampled the way the app samples (SAMPLE_TEMPERATURE,
    SAMPLE_TOP_K), batched by prompt length so no padding is needed."""
    import torch
    from tqdm.auto import tqdm

    model.eval()
    eos_id = tokenizer.convert_tokens_to_ids(EOS)
    encoded = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in prefixes]
    by_len: dict[int, list[int]] = defaultdict(list)
    for i, ids in enumerate(encoded):
        by_len[len(ids)].append(i)
    out = [""] * len(prefixes)
    bar = tqdm(total=len(prefixes), desc="checking", unit="msg", disable=not progress, leave=False)
    with torch.no_grad():
        for indices in by_len.values():
            for start in range(0, len(indices), 32):
                chunk = indices[start: start + 32]
                input_ids = torch.tensor([encoded[i] for i in chunk])
                how = {"do_sample": True, "temperature": SAMPLE_TEMPERATURE, "top_k": SAMPLE_TOP_K} if sample \
                    else {"do_sample": False}
                result = model.generate(
                    input_ids=input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=max_new_tokens,
                    eos_token_id=eos_id, pad_token_id=eos_id, **how,
                )
                for row, i in enumerate(chunk):
                    new = result[row, input_ids.shape[1]:].tolist()
                    if eos_id in new:
                        new = new[: new.index(eos_id)]
                    out[i] = tokenizer.decode(new, skip_special_tokens=True).strip()
                bar.update(len(chunk))
    bar.close()
    return out


_WORD = re.compile(r"\{[a-z_]+\}|[a-z']+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def action_matches(texts: Sequence[str], actions: Sequence[str], reference: Sequence[Example]) -> list[bool]:
    """For each generated text, whether the training phrase nearest to it (word overlap) was
    written for the action it was asked for: the model's conditioning, measured."""
    by_text: dict[str, set[str]] = defaultdict(set)
    for e in reference:
        if e.kind == "phrase":
            by_text[e.text].add(e.key[1])
    pool = [(_words(t), acts) for t, acts in by_text.items()]
    result = []
    for text, action in zip(texts, actions):
        words = _words(text)
        best, best_actions = -1.0, set()
        for ref, acts in pool:
            score = len(words & ref) / (len(words | ref) or 1)
            if score > best:
                best, best_actions = score, set(acts)
            elif score == best:
                best_actions |= acts
        result.append(bool(words) and action in best_actions)
    return result


def _score(texts: Sequence[str], prefixes: Sequence[str], reference: Sequence[Example]) -> dict[str, float]:
    ok = [format_ok(t) for t in texts]
    guards = [_guardrails_ok(t, p) if good else (False, False) for t, p, good in zip(texts, prefixes, ok)]
    actions = [_parse_prefix(p).get("action", "") for p in prefixes]
    matched = action_matches(texts, actions, reference) if reference else [False] * len(texts)
    known = {e.text for e in reference}
    n = len(texts)
    return {
        "format_pass": sum(ok) / n,
        "guardrails_pass": sum(g for g, _ in guards) / n,
        "direction_match": sum(d for _, d in guards) / n,
        "action_match": sum(matched) / n,
        "copied": sum(t in known for t in texts) / n,
    }


def quality_check(model, tokenizer, held: Sequence[Example], *, samples: int, seed: int,
                  reference: Sequence[Example] = (), progress: bool = False) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Generate for up to `samples` distinct held-out phrase prefixes and score the texts.

    Greedy generations give `format_pass` (the share the app could fill, see `format_ok`),
    `guardrails_pass` (also passes `guardrails.check` once filled), `direction_match` (the words
    point the action's way, `guardrails.direction_matches`), `action_match` (the nearest
    training phrase in `reference` was written for the asked action: the conditioning works) and
    `copied` (repeats a training phrase word for word). `sampled` holds the same for sampled
    generations, as the app makes them.
    """
    import torch

    prefixes = sorted({e.prefix for e in held if e.kind == "phrase"})
    rng = random.Random(seed)
    if len(prefixes) > samples:
        prefixes = rng.sample(prefixes, samples)
    if not prefixes:
        empty = dict.fromkeys(("format_pass", "guardrails_pass", "direction_match", "action_match", "copied"), 0.0)
        return {**empty, "sampled": dict(empty), "n_checked": 0}, []
    texts = generate(model, tokenizer, prefixes, progress=progress)
    torch.manual_seed(seed)
    sampled = generate(model, tokenizer, prefixes, sample=True, progress=progress)
    metrics: dict[str, Any] = _score(texts, prefixes, reference)
    metrics["sampled"] = {k: round(v, 4) for k, v in _score(sampled, prefixes, reference).items()}
    metrics["n_checked"] = len(texts)
    shown = [{"prefix": p.strip(), "text": t, "sampled": s} for p, t, s in zip(prefixes[:10], texts[:10], sampled[:10])]
    return metrics, shown


def measure(
    model, tokenizer, dataset: Dataset, train_enc: Encoded, eval_enc: Encoded, pad_id: int, *,
    final_loss: float | None, eval_samples: int, seed: int, max_perplexity: float, min_pass: float,
    min_action_match: float, progress: bool,
) -> tuple[dict[str, Any], bool, list[dict[str, str]]]:
    """(metrics, passed, sample generations) of a trained model; `final_loss` is the run's last
    smoothed training loss."""
    eval_loss, eval_tokens = evaluate_loss(model, eval_enc, pad_id)
    perplexity = math.exp(eval_loss) if eval_tokens else float("nan")
    quality, samples = quality_check(model, tokenizer, dataset.eval, samples=eval_samples, seed=seed,
                                     reference=dataset.train, progress=progress)
    metrics = {
        "eval_loss": round(eval_loss, 4) if eval_tokens else None,
        "perplexity": round(perplexity, 3) if eval_tokens else None,
        "format_pass": round(quality["format_pass"], 4),
        "guardrails_pass": round(quality["guardrails_pass"], 4),
        "direction_match": round(quality["direction_match"], 4),
        "action_match": round(quality["action_match"], 4),
        "copied": round(quality["copied"], 4),
        "sampled": quality["sampled"],
        "n_checked": quality["n_checked"],
        "unigram_perplexity": round(unigram_perplexity(train_enc, eval_enc, len(tokenizer)), 2)
        if eval_tokens else None,
        "final_train_loss": round(final_loss, 4) if final_loss is not None else None,
        "eval_tokens": eval_tokens,
    }
    passed = bool(eval_tokens and perplexity <= max_perplexity and quality["format_pass"] >= min_pass
                  and quality["action_match"] >= min_action_match)
    return metrics, passed, samples
