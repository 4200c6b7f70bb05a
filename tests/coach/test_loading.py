"""Loading the coach's model (coach.loading) in each dtype, on a tiny random GPT-2 built in the test session."""

from __future__ import annotations

import pytest

from adaptivefit.coach import loading
from adaptivefit.coach.prompting import control_prefix


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int8", "auto"])
def test_loads_and_generates_in_each_dtype(settings, runners, tiny_model_dir, dtype):
    import torch

    runner = runners(settings, source=tiny_model_dir, dtype=dtype)
    assert runner.wait_ready(30), runner.status()
    assert runner.status()["dtype"] == loading.resolve_dtype(dtype)
    prefix = control_prefix("fail_set", "reduce_load", "strength", "beginner", "session")
    text = runner.generate_raw(prefix, seed="a")
    assert isinstance(text, str) and "\n" not in text
    assert runner.generate_raw(prefix, seed="a") == text  # deterministic per seed
    full = runner.generate_raw(prefix, max_new_tokens=12, min_new_tokens=12, seed="b")
    assert len(runner._tokenizer(full).input_ids) >= 6
    if dtype == "bfloat16":
        assert next(runner._model.parameters()).dtype == torch.bfloat16


def test_int8_replaces_conv1d_and_still_generates(settings, runners, tiny_model_dir):
    import torch
    from transformers.pytorch_utils import Conv1D

    runner = runners(settings, source=tiny_model_dir, dtype="int8")
    assert runner.wait_ready(30)
    kinds = {type(m).__name__ for m in runner._model.modules()}
    assert not any(isinstance(m, Conv1D) for m in runner._model.modules())
    assert not any(type(m) is torch.nn.Linear for m in runner._model.modules())
    assert "DynamicQuantizedLinear" in kinds or "Linear" in kinds
    prefix = control_prefix("too_easy", "increase_load", "strength", "advanced", "session")
    assert len(runner.generate_raw(prefix, max_new_tokens=10, min_new_tokens=10, seed=1)) > 0


def test_conv1d_to_linear_keeps_the_outputs(tiny_model_dir):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    ids = torch.tensor([[1, 5, 9, 33, 70]])
    with torch.inference_mode():
        before = model(input_ids=ids).logits
        assert loading.conv1d_to_linear(model) == 2 * 4  # per block: c_attn, c_proj, mlp.c_fc, mlp.c_proj
        after = model(input_ids=ids).logits
    assert torch.allclose(before, after, atol=1e-5)
