"""A tiny random GPT-2 coach model, built locally: no hub, no download.

The tokenizer is a byte-level BPE trained here on the coach's own template lines (in the real
prompt format), wrapped as a transformers fast tokenizer with "<|endoftext|>" as eos/bos/pad.
The model has random weights, so what it writes is noise: exactly what the runner's guardrails
and fallbacks must survive. The bench uses `build_model_dir` for bigger random shapes.

As a pytest fixture: `from tests.coach.tiny_model import tiny_model_root` in a test module, then
ask for `tiny_model_root` (a folder of versions, see below) or `tiny_model_dir` (one version).
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adaptivefit.coach.messages import TEMPLATES
from adaptivefit.coach.prompting import EOS, control_prefix, training_line
from adaptivefit.coach.types import ACTIONS, EVENTS, FITNESS_LEVELS, GOALS, SCOPES


def template_corpus() -> list[str]:
    """Training lines in the real prompt format, a few hundred, from the template phrasings."""
    lines = []
    contexts = itertools.cycle(itertools.product(EVENTS, GOALS, FITNESS_LEVELS, SCOPES))
    for action in ACTIONS:
        for template in TEMPLATES[action]:
            for _ in range(2):
                event, goal, level, scope = next(contexts)
                lines.append(training_line(control_prefix(event, action, goal, level, scope), template.text))
    return lines


def build_tokenizer(lines: list[str] | None = None, vocab_size: int = 600):
    """A byte-level BPE tokenizer trained on `lines`, as a transformers fast tokenizer."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(lines or template_corpus(), vocab_size=vocab_size, min_frequency=2,
                            special_tokens=[EOS], show_progress=False)
    return PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token=EOS, bos_token=EOS, pad_token=EOS,
                                   unk_token=EOS)


def build_model_dir(
    folder: Path, *, n_layer: int = 2, n_embd: int = 32, n_head: int = 2, vocab_size: int | None = None,
    passed: bool = True, created_at: str | None = None, tokenizer=None, seed: int = 0, n_positions: int = 256,
) -> Path:
    """Write a random GPT-2 model version into `folder` (config, safetensors, tokenizer, metadata)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = tokenizer or build_tokenizer()
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=vocab_size or len(tokenizer), n_positions=n_positions, n_embd=n_embd, n_layer=n_layer,
        n_head=n_head, bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    model = GPT2LMHeadModel(config).eval()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    metadata = {
        "passed": passed,
        "created_at": created_at or datetime.now(UTC).isoformat(),
        "base_model": "random-gpt2",
        "note": "random weights for tests and benchmarks",
    }
    (folder / "metadata.json").write_text(json.dumps(metadata))
    return folder


@pytest.fixture(scope="session")
def tiny_tokenizer():
    return build_tokenizer()


@pytest.fixture(scope="session")
def tiny_model_root(tmp_path_factory, tiny_tokenizer) -> Path:
    """A COACH_MODEL_DIR with versions: v1 (passed, oldest), v2 (passed, newest valid), v3 (newer
    but failed its checks), v4 (newest but missing its weights), v5 (newest, corrupt weights)."""
    root = tmp_path_factory.mktemp("coach-models")
    build_model_dir(root / "v1", tokenizer=tiny_tokenizer, created_at="2025-01-01T00:00:00+00:00")
    build_model_dir(root / "v2", tokenizer=tiny_tokenizer, created_at="2025-03-01T00:00:00+00:00", seed=1)
    build_model_dir(root / "v3", tokenizer=tiny_tokenizer, created_at="2025-04-01T00:00:00+00:00", passed=False)
    v4 = build_model_dir(root / "v4", tokenizer=tiny_tokenizer, created_at="2025-05-01T00:00:00+00:00")
    (v4 / "model.safetensors").unlink()
    v5 = build_model_dir(root / "v5", tokenizer=tiny_tokenizer, created_at="2025-06-01T00:00:00+00:00")
    data = (v5 / "model.safetensors").read_bytes()
    (v5 / "model.safetensors").write_bytes(data[: len(data) // 2])  # truncated: a broken copy
    return root


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_model_root) -> Path:
    return tiny_model_root / "v2"
