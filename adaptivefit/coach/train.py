"""Train the coach's small language model: `python -m adaptivefit.coach.train` (or `adaptivefit-train`).

The model writes the one or two sentences that explain a tweak. It never sees a number: its
training text is the curated phrases of `coach.phrases`, each behind the control prefix of
`coach.prompting` (event, action, goal, level, scope), with the placeholders `{reps}`,
`{weight_kg}`, ... left in for the app to fill. Optional knowledge-base records (JSONL with
"text", or "title"/"abstract") are mixed in behind their own `<source=...>` prefix, always as a
minority so the coaching messages stay what the model is best at.

One run:

1. builds the dataset (every phrase behind its prefix; a phrase written for "any" goal or level
   is repeated under concrete goals and levels so the conditioning is learned), holds out
   `eval_share` of the phrases (stratified by event and action; whole phrases, so no text is in
   both splits), and hashes the lines;
2. trains a byte-level BPE tokenizer on the text, or takes a local GPT-2-family model and its
   tokenizer (`--base` / COACH_BASE_MODEL); the control codes (`<event=...>` ...) are single
   special tokens and the placeholders single tokens;
3. trains GPT-2 (default 4 layers x 256 wide, 4 heads, 128 positions) with AdamW, warmup and a
   cosine schedule, for a time budget (`--minutes`, default 3) or a number of steps;
4. measures the held-out loss and perplexity (on the message tokens, not the prefix) and a
   format check: greedy generations for up to 100 held-out prefixes must be non-empty, use only
   known placeholders and contain no digit and no markup (`format_pass`); it also measures
   whether they follow the asked action (`action_match`) and pass the app's guardrails, greedy
   and sampled (see `quality_check`). `passed` = perplexity <= MAX_PERPLEXITY, format_pass >=
   MIN_FORMAT_PASS and action_match >= MIN_ACTION_MATCH;
5. saves `<out>/v<YYYYmmddHHMMSS>/`: model.safetensors, config.json, generation_config.json,
   the tokenizer and metadata.json (data hash, sizes, architecture, metrics, `passed`).

A version directory appears complete or not at all (it is written under a temporary name and
renamed). `needs_training(out, hash)` tells a scheduler whether the data changed since the newest
version; `train(..., if_changed=True)` does that check itself.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Sequence

from adaptivefit.coach import guardrails
from adaptivefit.coach.phrases import ANY, Phrase, load_phrases, validate
from adaptivefit.coach.prompting import EOS, PLACEHOLDERS, control_prefix, fill, training_line
from adaptivefit.coach.types import ACTIONS, EVENTS, FITNESS_LEVELS, GOALS, SCOPES, Prescription, Tweak

DEFAULT_MINUTES = 3.0
DEFAULT_SEED = 1234
DEFAULT_EVAL_SHARE = 0.1
# The bar a version must clear to be `passed` (coach.lm only loads versions that passed).
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
KNOWLEDGE_MAX_SHARE = 0.2  # knowledge lines at most this share of the training lines
GENERIC_EXPANSIONS = 4  # (goal, level) pairs a phrase for any goal and any level is repeated under
EVAL_SAMPLES = 100
MAX_NEW_TOKENS = 40
# How the app samples (coach.lm): the check measures sampled generations too, as members see them.
SAMPLE_TEMPERATURE = 0.7
SAMPLE_TOP_K = 40
KNOWLEDGE_CHUNK_CHARS = 400
VERSION_PREFIX = "v"
VERSION_FORMAT = "%Y%m%d%H%M%S"

_CONTROL = re.compile(r"<[a-z_]+=[^<>\s]+>")
_PLACEHOLDER_TOKENS = tuple("{" + name + "}" for name in PLACEHOLDERS)
_FIELD = re.compile(r"\{([^{}]*)\}")
_SOURCE_NAME = re.compile(r"[^a-z0-9_-]+")
_VERSION_DIR = re.compile(r"^v\d{14}$")


# ---------------------------------------------------------------------------------------------
# The dataset


@dataclass(frozen=True)
class Example:
    """One training line: its prompt and its text (placeholders kept)."""

    prefix: str
    text: str
    kind: str = "phrase"  # "phrase" or "knowledge"
    key: tuple[str, ...] = ()  # (event, action, goal, level, scope) for phrases, (source,) for knowledge

    @property
    def line(self) -> str:
        return training_line(self.prefix, self.text)


@dataclass
class Dataset:
    train: list[Example]
    eval: list[Example]
    data_hash: str
    n_phrases: int
    n_eval_phrases: int
    n_knowledge: int = 0
    sources: tuple[str, ...] = ()

    @property
    def lines(self) -> list[str]:
        return [e.line for e in itertools.chain(self.train, self.eval)]


def _expansions(phrase: Phrase, rng: random.Random) -> list[tuple[str, str]]:
    goals = GOALS if phrase.goal == ANY else (phrase.goal,)
    levels = FITNESS_LEVELS if phrase.level == ANY else (phrase.level,)
    pairs = [(g, lv) for g in goals for lv in levels]
    if phrase.goal == ANY and phrase.level == ANY:
        pairs = rng.sample(pairs, min(GENERIC_EXPANSIONS, len(pairs)))
    return pairs


def expand(phrase: Phrase, rng: random.Random) -> list[Example]:
    """The training lines of one phrase: one per concrete (goal, level) it is shown under."""
    return [
        Example(control_prefix(phrase.event, phrase.action, goal, level, phrase.scope), phrase.text,
                "phrase", (phrase.event, phrase.action, goal, level, phrase.scope))
        for goal, level in _expansions(phrase, rng)
    ]


def split_phrases(phrases: Sequence[Phrase], eval_share: float, rng: random.Random) -> tuple[list[Phrase], list[Phrase]]:
    """Hold out about `eval_share` of the phrases, spread over the (event, action) strata.

    Within each stratum the phrases are shuffled; the held-out set takes the phrases that come
    earliest relative to their stratum's size, so each stratum gives its share (a small dataset
    gives one phrase from as many strata as it can).
    """
    if not 0 <= eval_share < 1:
        raise ValueError("eval_share must be at least 0 and below 1")
    n_eval = round(len(phrases) * eval_share)
    if eval_share > 0 and len(phrases) >= 2:
        n_eval = min(max(n_eval, 1), len(phrases) - 1)
    strata: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, p in enumerate(phrases):
        strata[(p.event, p.action)].append(i)
    ranked = []
    for indices in strata.values():
        rng.shuffle(indices)
        ranked.extend(((pos + rng.random()) / len(indices), i) for pos, i in enumerate(indices))
    ranked.sort()
    held = {i for _, i in ranked[:n_eval]}
    return ([p for i, p in enumerate(phrases) if i not in held], [p for i, p in enumerate(phrases) if i in held])


def _source_name(raw: str) -> str:
    return _SOURCE_NAME.sub("_", raw.strip().lower()).strip("_") or "knowledge"


def _clean_knowledge(text: str) -> str:
    text = re.sub(r"(?:https?://|www\.)\S+", " ", text.replace(EOS, " "))
    text = text.replace("{", "(").replace("}", ")").replace("<", "(").replace(">", ")")
    return " ".join(text.split())


def _chunks(text: str, size: int = KNOWLEDGE_CHUNK_CHARS) -> list[str]:
    """Sentence-aligned pieces of at most about `size` characters."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    chunks, current = [], ""
    for sentence in sentences:
        while len(sentence) > size:  # a run-on sentence: cut at a space
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > 0 else size
            if current:
                chunks.append(current)
                current = ""
            chunks.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > size:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return [c for c in chunks if c]


def _record_text(record: dict[str, Any]) -> str:
    """A record's words: its title, then its "text" (or, without one, its "abstract")."""
    def words(key: str) -> str:
        value = record.get(key)
        if not isinstance(value, str) or not value.strip():
            return ""
        value = value.strip()
        return value if value.endswith((".", "!", "?")) else value + "."

    body = words("text") or words("abstract")
    return " ".join(part for part in (words("title"), body) if part)


def load_knowledge(paths: Iterable[str | Path]) -> list[Example]:
    """Knowledge-base records as training lines behind `<source=...>`.

    Each line of a JSONL file is an object with a "title" and/or "text" (or "abstract"); its
    "source" (else the file's name) names the prefix. Links are dropped and long texts cut into
    sentence-aligned pieces. Blank lines and records without words are skipped; a line that is
    not a JSON object is an error naming the file and line.
    """
    examples = []
    for path in paths:
        path = Path(path)
        with path.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise ValueError(f"{path}:{number}: expected a JSON object")
                text = _clean_knowledge(_record_text(record))
                if not text:
                    continue
                source = _source_name(str(record.get("source") or path.stem))
                prefix = f"<source={source}>\n"
                examples.extend(Example(prefix, chunk, "knowledge", (source,)) for chunk in _chunks(text))
    return examples


def data_hash(lines: Iterable[str]) -> str:
    """sha256 of the training lines (sorted, so the order they were shuffled in does not count)."""
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def build_dataset(
    phrases: Sequence[Phrase] | None = None,
    knowledge: Iterable[str | Path] = (),
    *,
    seed: int = DEFAULT_SEED,
    eval_share: float = DEFAULT_EVAL_SHARE,
    knowledge_max_share: float = KNOWLEDGE_MAX_SHARE,
) -> Dataset:
    """The shuffled training and held-out lines for these phrases (default: the shipped ones)."""
    phrases = list(load_phrases() if phrases is None else phrases)
    if not phrases:
        raise ValueError("there are no phrases to train on")
    errors = validate(phrases)
    if errors:
        shown = "; ".join(errors[:5])
        raise ValueError(f"{len(errors)} problem(s) in the phrases: {shown}")
    rng = random.Random(seed)
    train_phrases, eval_phrases = split_phrases(phrases, eval_share, rng)
    train = [e for p in train_phrases for e in expand(p, rng)]
    held = [e for p in eval_phrases for e in expand(p, rng)]

    extra = load_knowledge(knowledge)
    if extra:
        cap = int(len(train) * knowledge_max_share / (1 - knowledge_max_share)) if knowledge_max_share < 1 else len(extra)
        if len(extra) > cap:
            extra = rng.sample(extra, cap)
    train.extend(extra)
    rng.shuffle(train)
    rng.shuffle(held)
    lines = [e.line for e in itertools.chain(train, held)]
    return Dataset(
        train=train, eval=held, data_hash=data_hash(lines), n_phrases=len(phrases),
        n_eval_phrases=len(eval_phrases), n_knowledge=len(extra),
        sources=tuple(sorted({e.key[0] for e in extra})),
    )


def current_data_hash(
    phrases: Sequence[Phrase] | None = None, knowledge: Iterable[str | Path] = (), *,
    seed: int = DEFAULT_SEED, eval_share: float = DEFAULT_EVAL_SHARE,
) -> str:
    """The data hash a training run with these inputs would record (for `needs_training`)."""
    return build_dataset(phrases, knowledge, seed=seed, eval_share=eval_share).data_hash


# ---------------------------------------------------------------------------------------------
# Versions on disk


def versions(out_dir: str | Path) -> list[Path]:
    """The complete version directories under `out_dir`, oldest first."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    return sorted(p for p in out.iterdir()
                  if p.is_dir() and _VERSION_DIR.match(p.name) and (p / "metadata.json").is_file())


def read_metadata(version_dir: str | Path) -> dict[str, Any]:
    return json.loads((Path(version_dir) / "metadata.json").read_text(encoding="utf-8"))


def latest_version(out_dir: str | Path, *, passed_only: bool = False) -> Path | None:
    """The newest version directory (optionally the newest that passed its bar), or None."""
    for path in reversed(versions(out_dir)):
        if not passed_only:
            return path
        try:
            if read_metadata(path).get("passed"):
                return path
        except (OSError, ValueError):
            continue
    return None


def needs_training(out_dir: str | Path, data_hash: str) -> bool:
    """False when the newest version under `out_dir` was trained on exactly this data."""
    newest = latest_version(out_dir)
    if newest is None:
        return True
    try:
        return read_metadata(newest).get("data_hash") != data_hash
    except (OSError, ValueError):
        return True


def _new_version_name(out: Path, now: datetime) -> str:
    """v<UTC timestamp>, a second later while that name is taken."""
    while True:
        name = VERSION_PREFIX + now.strftime(VERSION_FORMAT)
        if not (out / name).exists() and not (out / f".{name}.tmp").exists():
            return name
        now += timedelta(seconds=1)


# ---------------------------------------------------------------------------------------------
# Tokenizer and model


def control_tokens(extra_sources: Iterable[str] = ()) -> list[str]:
    """Every control code the prompt format can produce (and the knowledge sources')."""
    tokens: list[str] = []
    columns = (EVENTS, ACTIONS, GOALS, FITNESS_LEVELS, SCOPES)
    for values in itertools.zip_longest(*columns):
        args = [v if v is not None else col[0] for v, col in zip(values, columns)]
        tokens.extend(_CONTROL.findall(control_prefix(*args)))
    tokens.extend(f"<source={s}>" for s in extra_sources)
    return list(dict.fromkeys(tokens))


def _add_tokens(tokenizer, controls: Sequence[str], control_mode: str) -> None:
    from tokenizers import AddedToken

    if control_mode == "special":
        tokenizer.add_tokens([AddedToken(t, special=True, normalized=False) for t in controls], special_tokens=True)
    tokenizer.add_tokens([AddedToken(t, normalized=False) for t in _PLACEHOLDER_TOKENS])


def train_tokenizer(texts: Iterable[str], *, vocab_size: int, n_positions: int, controls: Sequence[str],
                    control_mode: str = "special", progress: bool = False):
    """A byte-level BPE tokenizer trained on `texts`, wrapped for transformers."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    core.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=2, special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=progress,
    )
    core.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, bos_token=EOS, eos_token=EOS, pad_token=EOS, unk_token=None,
        model_max_length=n_positions,
    )
    _add_tokens(tokenizer, controls, control_mode)
    return tokenizer


def _bpe_texts(dataset: Dataset, control_mode: str) -> list[str]:
    """What the BPE merges are learnt from: messages (placeholders cut out, they are tokens of
    their own) and knowledge text; the prefixes too when the control codes are plain text."""
    texts = []
    for e in itertools.chain(dataset.train, dataset.eval):
        body = _FIELD.sub(" ", e.text)
        texts.append(e.prefix + body if control_mode == "plain" else body)
    return texts


def load_base(base: str | Path, controls: Sequence[str], control_mode: str):
    """A local GPT-2-family model and its tokenizer, with the control codes and placeholders added."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(base).expanduser()
    if not (path.is_dir() and (path / "config.json").is_file()):
        raise ValueError(f"the base model {base} is not a local model directory (with config.json)")
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    if model.config.model_type not in ("gpt2",):
        raise ValueError(f"the base model {base} is a {model.config.model_type}, not a GPT-2-family model")
    if tokenizer.eos_token != EOS:
        tokenizer.add_tokens([EOS], special_tokens=True)
        tokenizer.eos_token = EOS
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    _add_tokens(tokenizer, controls, control_mode)
    if len(tokenizer) != model.get_input_embeddings().weight.shape[0]:
        model.resize_token_embeddings(len(tokenizer))
    eos_id = tokenizer.convert_tokens_to_ids(EOS)
    model.config.eos_token_id = model.config.bos_token_id = model.config.pad_token_id = eos_id
    model.loss_type = "ForCausalLM"
    return tokenizer, model


def new_model(tokenizer, *, layers: int, width: int, heads: int, n_positions: int, dropout: float = 0.1):
    from transformers import GPT2Config, GPT2LMHeadModel

    if width % heads:
        raise ValueError("--width must be a multiple of --heads")
    eos_id = tokenizer.convert_tokens_to_ids(EOS)
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=n_positions, n_embd=width, n_layer=layers, n_head=heads,
        bos_token_id=eos_id, eos_token_id=eos_id, pad_token_id=eos_id,
        resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout,
    )
    model = GPT2LMHeadModel(config)
    model.loss_type = "ForCausalLM"  # transformers cannot infer it from the class name and warns
    return model


@dataclass
class Encoded:
    ids: list[list[int]]
    starts: list[int]  # index of the first message token of each line (the loss starts there)
    examples: list[Example] = field(default_factory=list)


def encode(tokenizer, examples: Sequence[Example], max_len: int) -> Encoded:
    ids, starts = [], []
    prefix_ids: dict[str, list[int]] = {}
    for e in examples:
        line = tokenizer(e.line, add_special_tokens=False)["input_ids"][:max_len]
        if e.prefix not in prefix_ids:
            prefix_ids[e.prefix] = tokenizer(e.prefix, add_special_tokens=False)["input_ids"]
        head = prefix_ids[e.prefix]
        start = len(head) if line[: len(head)] == head else 0
        ids.append(line)
        starts.append(min(start, len(line) - 1))
    return Encoded(ids, starts, list(examples))


def _batch(enc: Encoded, idx: Sequence[int], pad_id: int):
    import torch

    width = max(len(enc.ids[i]) for i in idx)
    input_ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(idx), width), dtype=torch.long)
    labels = torch.full((len(idx), width), -100, dtype=torch.long)
    for row, i in enumerate(idx):
        seq = enc.ids[i]
        input_ids[row, : len(seq)] = torch.tensor(seq)
        attention[row, : len(seq)] = 1
        labels[row, enc.starts[i]: len(seq)] = torch.tensor(seq[enc.starts[i]:])
    return input_ids, attention, labels


def _lr_factor(progress: float, warmup: float = 0.03, floor: float = 0.1) -> float:
    """Linear warmup over the first `warmup` of the run, then cosine down to `floor` of the peak.

    The schedule follows the run's progress (steps done / steps, or seconds / budget), so a
    time-budgeted run warms up and decays whatever speed the machine has today.
    """
    if progress < warmup:
        return max(progress / warmup, 0.02)
    t = (min(1.0, progress) - warmup) / (1 - warmup)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t))


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """One epoch of batches: shuffled, then sorted by length inside windows of 50 batches (less
    padding), and the batches shuffled again."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start: start + window], key=lambda i: lengths[i])
        batches.extend(chunk[i: i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def evaluate_loss(model, enc: Encoded, pad_id: int, batch_size: int = 64) -> tuple[float, int]:
    """Mean cross-entropy per message token over `enc`, and the number of tokens."""
    import torch
    import torch.nn.functional as F

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(enc.ids), batch_size):
            idx = list(range(start, min(start + batch_size, len(enc.ids))))
            input_ids, attention, labels = _batch(enc, idx, pad_id)
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


# ---------------------------------------------------------------------------------------------
# The format check


def format_ok(text: str) -> bool:
    """A generation the app could use: non-empty, known placeholders only, no digit, no markup."""
    text = text.strip()
    if not text or re.search(r"\d", text):
        return False
    names = _FIELD.findall(text)
    if any(name not in PLACEHOLDERS for name in names):
        return False
    rest = _FIELD.sub("", text)
    return not any(ch in rest for ch in "{}<>") and "endoftext" not in rest


def _parse_prefix(prefix: str) -> dict[str, str]:
    return dict(m.group(0)[1:-1].split("=", 1) for m in _CONTROL.finditer(prefix))


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


class ThreadTuner:
    """Chooses torch's intra-op threads (1 or 2) by measured speed while training.

    On a machine whose cores are shared, two threads can be several times slower than one (they
    wait for each other while other processes hold the cores): measured here with the default
    model under load, 130 steps in 3 minutes with 2 threads against 890 with 1. On an idle
    machine 2 are faster. So the warm-up steps run on the first option, then each option is
    timed for a few steps (seconds per token) and the fastest is used. The others are re-timed
    every `probe_every` steps in case the load changed; a probe that loses doubles the interval
    (up to 8x), and a probe step more than twice as slow as the best ends its probe at once, so
    a hopeless option costs little.
    """

    def __init__(self, options: Sequence[int], *, warm: int = 4, probe_len: int = 3, probe_every: int = 60):
        self.options = list(dict.fromkeys(options))
        self.warm, self.probe_len, self.base_interval = warm, probe_len, probe_every
        self.interval = probe_every
        self.samples: dict[int, list[float]] = {o: [] for o in self.options}
        self.plan: list[int] = []
        self.steps = 0
        self.next_probe = 0
        self.probing_from: int | None = None  # the best option when a re-timing probe began
        self.used: Counter[int] = Counter()

    def _cost(self, option: int) -> float:
        values = sorted(self.samples[option])
        return values[len(values) // 2] if values else math.inf

    def best(self) -> int:
        return min(self.options, key=self._cost)

    def choose(self) -> int:
        if len(self.options) == 1 or self.steps < self.warm:
            return self.options[0]
        if not self.plan:
            untried = [o for o in self.options if not self.samples[o]]
            if untried:
                self.plan = [untried[0]] * self.probe_len
            elif self.steps >= self.next_probe:
                best = self.best()
                self.plan = [o for o in self.options if o != best for _ in range(self.probe_len)]
                self.probing_from = best
        return self.plan[0] if self.plan else self.best()

    def record(self, threads: int, seconds: float, tokens: int) -> None:
        self.steps += 1
        self.used[threads] += 1
        if self.steps <= self.warm:
            return
        cost = seconds / max(tokens, 1)
        self.samples[threads] = (self.samples[threads] + [cost])[-self.probe_len:]
        if self.plan and self.plan[0] == threads:
            self.plan.pop(0)
            others = [self._cost(o) for o in self.options if o != threads and self.samples[o]]
            if others and cost > 2 * min(others):
                self.plan = [o for o in self.plan if o != threads]  # hopeless: stop probing it
            if not self.plan:  # a probe has just ended
                if self.probing_from is not None:
                    lost = self.best() == self.probing_from
                    self.interval = min(self.interval * 2, self.base_interval * 8) if lost else self.base_interval
                self.probing_from = None
                self.next_probe = self.steps + self.interval


def _thread_options(threads: int | str) -> list[int]:
    if threads == "auto":
        return [1, 2] if (os.cpu_count() or 1) >= 2 else [1]
    count = int(threads)
    if count < 1:
        raise ValueError("threads must be at least 1, or auto")
    return [count]


# ---------------------------------------------------------------------------------------------
# Training


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
    from tqdm.auto import tqdm
    from transformers import GenerationConfig

    if control_mode not in ("special", "plain"):
        raise ValueError("control_mode must be 'special' or 'plain'")
    if minutes is None and steps is None:
        minutes = DEFAULT_MINUTES
    if steps is not None and steps < 1:
        raise ValueError("steps must be at least 1")
    if minutes is not None and minutes <= 0:
        raise ValueError("minutes must be positive")
    out, base_path = _resolve(out_dir, base, use_settings_base)
    if isinstance(phrases, (str, Path)):
        phrases = load_phrases(phrases)

    started = time.monotonic()
    dataset = build_dataset(phrases, knowledge, seed=seed, eval_share=eval_share)
    if if_changed and not needs_training(out, dataset.data_hash):
        existing = latest_version(out)
        assert existing is not None
        return existing

    tuner = ThreadTuner(_thread_options(threads))
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(tuner.choose())
    torch.manual_seed(seed)
    try:
        controls = control_tokens(dataset.sources)
        if base_path:
            tokenizer, model = load_base(base_path, controls, control_mode)
            lr = 3e-4 if lr is None else lr
        else:
            tokenizer = train_tokenizer(_bpe_texts(dataset, control_mode), vocab_size=vocab_size,
                                        n_positions=n_positions, controls=controls, control_mode=control_mode)
            model = new_model(tokenizer, layers=layers, width=width, heads=heads, n_positions=n_positions,
                              dropout=dropout)
            lr = 2e-3 if lr is None else lr
        tokenizer.model_max_length = n_positions
        pad_id = tokenizer.convert_tokens_to_ids(EOS)
        train_enc = encode(tokenizer, dataset.train, n_positions)
        eval_enc = encode(tokenizer, dataset.eval, n_positions)

        # -- the loop
        decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
        optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
            lr=lr, betas=(0.9, 0.98),
        )
        budget = minutes * 60 if minutes is not None else None
        bar = tqdm(total=steps if steps is not None else round(budget), unit="step" if steps is not None else "s",
                   desc="training", disable=not progress, dynamic_ncols=True)
        rng = random.Random(seed)
        lengths = [len(ids) for ids in train_enc.ids]
        pending: list[list[int]] = []
        step, ema, loss_value = 0, None, float("nan")
        curve: list[tuple[int, float]] = []
        model.train()
        loop_start = time.monotonic()
        step_seconds: float | None = None  # moving average of one iteration's wall time
        # Held-out loss at every tenth of the run from 30% on; the best weights are kept, so a
        # fast machine that fits more steps into the budget than the data bears does not overfit.
        checkpoints = [round(x / 10, 1) for x in range(3, 10)]
        eval_curve: list[tuple[int, float]] = []
        best: tuple[float, int, dict[str, Any]] | None = None

        def checkpoint() -> None:
            nonlocal best
            loss_now, _ = evaluate_loss(model, eval_enc, pad_id)
            model.train()
            eval_curve.append((step, round(loss_now, 4)))
            if eval_enc.ids and (best is None or loss_now < best[0]):
                best = (loss_now, step, {k: v.detach().clone() for k, v in model.state_dict().items()})

        while True:
            now = time.monotonic()
            elapsed = now - loop_start
            if (steps is not None and step >= steps) or (budget is not None and elapsed >= budget):
                break
            done = [step / steps] if steps is not None else []
            if budget is not None:
                # The schedule follows steps: the total is estimated from the recent speed, so a
                # slow start (or a busy machine) does not spend the warmup and the peak on a
                # handful of steps.
                done.append(step / (step + (budget - elapsed) / step_seconds) if step_seconds else 0.0)
            progress_now = min(1.0, max(done))
            if checkpoints and progress_now >= checkpoints[0] and step > 0:
                while checkpoints and progress_now >= checkpoints[0]:
                    checkpoints.pop(0)
                checkpoint()
                now = time.monotonic()  # the evaluation is not part of the step's time
            if not pending:
                pending = _batches(lengths, batch_size, rng)
            idx = pending.pop()
            input_ids, attention, labels = _batch(train_enc, idx, pad_id)
            for group in optimizer.param_groups:
                group["lr"] = lr * _lr_factor(progress_now)
            n_threads = tuner.choose()
            if n_threads != torch.get_num_threads():
                torch.set_num_threads(n_threads)
            step_start = time.monotonic()
            loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            tuner.record(n_threads, time.monotonic() - step_start, int(input_ids.numel()))
            step += 1
            took = time.monotonic() - now
            step_seconds = took if step_seconds is None else 0.9 * step_seconds + 0.1 * took
            loss_value = loss.item()
            ema = loss_value if ema is None else 0.95 * ema + 0.05 * loss_value
            if step % 50 == 0:
                curve.append((step, round(ema, 3)))
            if progress:
                target = step if steps is not None else min(round(time.monotonic() - loop_start), bar.total)
                bar.update(target - bar.n)
                bar.set_postfix(loss=f"{ema:.3f}", step=step, refresh=False)
        bar.close()
        if step > 0:
            checkpoint()
        train_seconds = time.monotonic() - loop_start
        best_step = step
        if best is not None and best[1] != step:
            model.load_state_dict(best[2])
            best_step = best[1]
        best = None

        # -- measure
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
            "final_train_loss": round(ema, 4) if ema is not None else None,
            "eval_tokens": eval_tokens,
        }
        passed = bool(eval_tokens and perplexity <= max_perplexity and quality["format_pass"] >= min_pass
                      and quality["action_match"] >= min_action_match)

        # -- save
        out.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC).replace(microsecond=0)
        name = _new_version_name(out, now)
        tmp = out / f".{name}.tmp"
        model.generation_config = GenerationConfig(
            bos_token_id=pad_id, eos_token_id=pad_id, pad_token_id=pad_id, do_sample=False,
            max_new_tokens=MAX_NEW_TOKENS,
        )
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        cfg = model.config
        metadata = {
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
            "training": {"batch_size": batch_size, "lr": lr, "dropout": dropout, "seed": seed, "eval_share": eval_share,
                         "minutes": minutes, "max_steps": steps, "threads": threads,
                         "steps_by_threads": {str(k): v for k, v in sorted(tuner.used.items())},
                         "loss_curve": curve, "eval_curve": eval_curve},
            "metrics": metrics,
            "thresholds": {"max_perplexity": max_perplexity, "min_format_pass": min_pass,
                           "min_action_match": min_action_match},
            "passed": passed,
            "base": base_path,
            "train_seconds": round(train_seconds, 1),
            "total_seconds": round(time.monotonic() - started, 1),
            "steps": step,
            "best_step": best_step,
            "samples": samples,
        }
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
    finally:
        torch.set_num_threads(previous_threads)


# ---------------------------------------------------------------------------------------------
# The command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adaptivefit-train",
        description="Train the coach's message model into <out>/v<timestamp>/ and print its metrics.",
    )
    parser.add_argument("--out", help="where versions go (default: COACH_MODEL_DIR, var/coach-models)")
    parser.add_argument("--minutes", type=float, help=f"training time budget (default {DEFAULT_MINUTES:g} "
                                                      "unless --steps is given)")
    parser.add_argument("--steps", type=int, help="optimizer steps (with --minutes: whichever ends first)")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--positions", type=int, default=128, help="context length (default 128)")
    parser.add_argument("--base", help="a local GPT-2-family model directory to fine-tune (default: COACH_BASE_MODEL)")
    parser.add_argument("--scratch", action="store_true", help="train from scratch even if COACH_BASE_MODEL is set")
    parser.add_argument("--knowledge", nargs="+", default=[], metavar="FILE.jsonl",
                        help="knowledge-base records to mix in (a minority of the lines)")
    parser.add_argument("--phrases", help="a phrase file to use instead of the shipped one")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--eval-share", type=float, default=DEFAULT_EVAL_SHARE)
    parser.add_argument("--min-pass", type=float, default=MIN_FORMAT_PASS,
                        help=f"format_pass a version needs to pass (default {MIN_FORMAT_PASS})")
    parser.add_argument("--max-perplexity", type=float, default=MAX_PERPLEXITY,
                        help=f"held-out perplexity a version must not exceed (default {MAX_PERPLEXITY:g})")
    parser.add_argument("--min-action-match", type=float, default=MIN_ACTION_MATCH,
                        help=f"action_match a version needs to pass (default {MIN_ACTION_MATCH})")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, help="peak learning rate (default 2e-3 from scratch, 3e-4 from a base)")
    parser.add_argument("--dropout", type=float, default=0.1, help="dropout of a model trained from scratch")
    parser.add_argument("--vocab-size", type=int, default=6000, help="BPE vocabulary when training from scratch")
    parser.add_argument("--control-tokens", choices=("special", "plain"), default="special",
                        help="control codes as single special tokens (default) or as plain text")
    parser.add_argument("--eval-samples", type=int, default=EVAL_SAMPLES)
    parser.add_argument("--threads", default="auto",
                        help="torch threads: a number, or auto (default: 1 or 2, whichever trains faster now)")
    parser.add_argument("--if-changed", action="store_true",
                        help="do nothing when the newest version was trained on the same data")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        path = train(
            args.out, minutes=args.minutes, steps=args.steps, layers=args.layers, width=args.width,
            heads=args.heads, n_positions=args.positions, base=None if args.scratch else args.base,
            use_settings_base=not args.scratch, knowledge=args.knowledge, phrases=args.phrases, seed=args.seed,
            eval_share=args.eval_share, min_pass=args.min_pass, max_perplexity=args.max_perplexity,
            min_action_match=args.min_action_match,
            batch_size=args.batch_size, lr=args.lr, dropout=args.dropout, vocab_size=args.vocab_size,
            control_mode=args.control_tokens, eval_samples=args.eval_samples, threads=args.threads,
            if_changed=args.if_changed, progress=not args.quiet,
        )
    except (ValueError, OSError) as exc:
        print(f"adaptivefit-train: {exc}", file=sys.stderr)
        return 2
    meta = read_metadata(path)
    m = meta["metrics"]
    print(f"{path}\n  lines {meta['n_lines']} (train {meta['n_train']}, eval {meta['n_eval']}), "
          f"{meta['steps']} steps in {meta['train_seconds']:.0f} s\n"
          f"  eval loss {m['eval_loss']}, perplexity {m['perplexity']}, format_pass {m['format_pass']}, "
          f"guardrails_pass {m['guardrails_pass']}, action_match {m['action_match']}\n  passed: {meta['passed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
