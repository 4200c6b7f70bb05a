"""The bar a trained coach model must clear (coach.evaluation)."""

from __future__ import annotations

from adaptivefit.coach import evaluation as E


def test_format_check():
    assert E.format_ok("Drop to {weight_kg} for {reps} reps.")
    assert not E.format_ok("")
    assert not E.format_ok("Drop to 60 kg.")
    assert not E.format_ok("Rest {rest_minutes} now.")
    assert not E.format_ok("Rest {rest_s seconds.")
    assert not E.format_ok("<action=deload> Easy week.")
