"""A tiny training setup for the pipeline's tests: a one-layer model and 51 phrases (seconds)."""

from __future__ import annotations

from adaptivefit.coach.phrases import ANY, COMBINATIONS, load_phrases

TINY = dict(layers=1, width=32, heads=2, threads=1, eval_samples=8, progress=False, use_settings_base=False)


def tiny_phrases():
    """Two phrases written for any goal and level per (event, action), and one per goal: 51."""
    phrases = load_phrases()
    picked = []
    for event, action in COMBINATIONS:
        mine = [p for p in phrases if (p.event, p.action) == (event, action)]
        picked += [p for p in mine if p.goal == ANY and p.level == ANY][:2]
        picked += [p for p in mine if p.goal == "strength" and p.level == ANY][:1]
    return picked
