"""The coach model's tokenizer (coach.tokenizer), as saved with a tiny trained version."""

from __future__ import annotations

from adaptivefit.coach.prompting import PLACEHOLDERS


def test_control_codes_and_placeholders_are_single_tokens(trained):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(trained)
    for token in ("<event=fail_set>", "<action=reduce_load>", "<goal=strength>", "<level=beginner>",
                  "<scope=session>", *("{" + name + "}" for name in PLACEHOLDERS)):
        assert len(tokenizer(token, add_special_tokens=False)["input_ids"]) == 1, token
    # Control codes are special: a decoded generation never shows them; placeholders stay.
    ids = tokenizer("<event=fail_set> Drop to {weight_kg}.", add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(ids, skip_special_tokens=True).strip() == "Drop to {weight_kg}."
