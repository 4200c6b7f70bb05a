"""Loading the coach's language model on the CPU, in the dtype that decodes fastest here: int8
by default, through dynamic quantisation of every linear layer (GPT-2's Conv1D converted first).
"""

from __future__ import annotations

import inspect
import warnings
from pathlib import Path
from typing import Any

from adaptivefit.coach.prompting import EOS

DTYPES = ("float32", "bfloat16", "int8")
# "auto" resolves to int8, by measurement (bench/bench_coach_model.py, 1 torch thread, 40 new
# tokens, median; a shared 2-core AMD EPYC VM whose single-thread memory bandwidth is ~5 GB/s, so
# token-by-token decoding is bound by reading the weights):
#   DistilGPT-2 shape (6x768, vocab 50,257): float32 2.6-3.0 s, bfloat16 1.7-2.2 s, int8 0.39-0.72 s
#   small 4x256, vocab 50,257:               float32 0.49-0.67 s, bfloat16 0.26-0.33 s, int8 0.24-0.29 s
#   trained 4x256 coach model, vocab 1,711:  float32 181 ms, bfloat16 248 ms, int8 96 ms
# int8 is the fastest at every size (the float32 vocabulary projection alone takes ~30 ms a token
# for DistilGPT-2 against ~4 ms in int8) and its resident set is between bfloat16's and float32's
# (DistilGPT-2 shape: +379 MB against +301 MB and +450 MB). The trained model still passes its
# guardrails and direction checks in int8 (bench/coach_quality.py). Only the 2-layer, 32-wide
# test toy is quicker in float32 (33 against 44 ms), where per-token Python overhead dominates.
AUTO_DTYPE = "int8"


def resolve_dtype(dtype: str) -> str:
    dtype = (dtype or "auto").lower()
    if dtype == "auto":
        return AUTO_DTYPE
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be auto or one of {DTYPES}, not {dtype!r}")
    return dtype


def conv1d_to_linear(model) -> int:
    """Replace GPT-2's `Conv1D` layers (x @ W + b, W stored in x out) by equivalent `nn.Linear`
    (W transposed), in place, so dynamic quantisation can see them. Returns how many it replaced."""
    import torch
    from transformers.pytorch_utils import Conv1D

    replaced = 0
    parents = [(name, module) for name, module in model.named_modules()]
    for _, parent in parents:
        for child_name, child in list(parent.named_children()):
            if isinstance(child, Conv1D):
                in_features, out_features = child.weight.shape
                linear = torch.nn.Linear(in_features, out_features, bias=child.bias is not None,
                                         dtype=child.weight.dtype)
                with torch.no_grad():
                    linear.weight.copy_(child.weight.t())
                    if child.bias is not None:
                        linear.bias.copy_(child.bias)
                setattr(parent, child_name, linear)
                replaced += 1
    return replaced


def quantize_int8(model):
    """Dynamic int8 quantisation of every Linear (Conv1D converted first); returns the new model."""
    import torch

    conv1d_to_linear(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notices
        from torch.ao.quantization import quantize_dynamic

        # In place: a copy would hold the float32 and int8 weights at once.
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def _release_freed_memory() -> None:
    """Hand the replaced float32 weights' memory back to the OS (glibc keeps freed heap otherwise)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim


def load_model(source: str, dtype: str = "auto", token: str | None = None):
    """(model, tokenizer) from a directory or hub id, in eval mode, in `dtype` (resolved)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no progress bars in server logs
    dtype = resolve_dtype(dtype)
    local = Path(source).is_dir()
    common: dict[str, Any] = {"local_files_only": True} if local else {"token": token}
    tokenizer = AutoTokenizer.from_pretrained(source, **common)
    torch_dtype = torch.bfloat16 if dtype == "bfloat16" else torch.float32
    if dtype == "int8" and "disable_mmap" in inspect.signature(PreTrainedModel.from_pretrained).parameters:
        # Read, not mapped: quantising touches every float32 weight, and the embeddings left in
        # float32 would keep the whole file's pages mapped and counted in the resident set.
        common["disable_mmap"] = True
    model = AutoModelForCausalLM.from_pretrained(
        source, dtype=torch_dtype, low_cpu_mem_usage=True, use_safetensors=True if local else None, **common,
    )
    model.eval()
    if dtype == "int8":
        model = quantize_int8(model)
        _release_freed_memory()
    if tokenizer.eos_token_id is None:
        tokenizer.eos_token = EOS
    return model, tokenizer
