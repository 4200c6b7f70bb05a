"""The coach model's tokenizer: a byte-level BPE trained on the messages, the control codes
(`<event=...>` ...) as single special tokens and the placeholders as single tokens; and the
encoding of training lines with where each message starts (the loss is counted from there).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from adaptivefit.coach.dataset import Dataset, Example
from adaptivefit.coach.prompting import EOS, PLACEHOLDERS, control_prefix
from adaptivefit.coach.types import ACTIONS, EVENTS, FITNESS_LEVELS, GOALS, SCOPES

CONTROL = re.compile(r"<[a-z_]+=[^<>\s]+>")
FIELD = re.compile(r"\{([^{}]*)\}")
_PLACEHOLDER_TOKENS = tuple("{" + name + "}" for name in PLACEHOLDERS)


def control_tokens(extra_sources: Iterable[str] = ()) -> list[str]:
    """Every control code the prompt format can produce (and the knowledge sources')."""
    tokens: list[str] = []
    columns = (EVENTS, ACTIONS, GOALS, FITNESS_LEVELS, SCOPES)
    for values in itertools.zip_longest(*columns):
        args = [v if v is not None else col[0] for v, col in zip(values, columns)]
        tokens.extend(CONTROL.findall(control_prefix(*args)))
    tokens.extend(f"<source={s}>" for s in extra_sources)
    return list(dict.fromkeys(tokens))


def add_tokens(tokenizer, controls: Sequence[str], control_mode: str) -> None:
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
    add_tokens(tokenizer, controls, control_mode)
    return tokenizer


def bpe_texts(dataset: Dataset, control_mode: str) -> list[str]:
    """What the BPE merges are learnt from: messages (placeholders cut out, they are tokens of
    their own) and knowledge text; the prefixes too when the control codes are plain text."""
    texts = []
    for e in itertools.chain(dataset.train, dataset.eval):
        body = FIELD.sub(" ", e.text)
        texts.append(e.prefix + body if control_mode == "plain" else body)
    return texts


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


def batch(enc: Encoded, idx: Sequence[int], pad_id: int):
    """The lines `idx` of `enc` as padded tensors: input ids, attention mask, labels (-100 outside the message)."""
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
