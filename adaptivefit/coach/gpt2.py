"""The coach's GPT-2: a new small model from scratch, or a local GPT-2-family base to fine-tune
(`--base` / COACH_BASE_MODEL) with the control codes and placeholders added to its tokenizer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from adaptivefit.coach.prompting import EOS
from adaptivefit.coach.tokenizer import add_tokens


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
    add_tokens(tokenizer, controls, control_mode)
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
