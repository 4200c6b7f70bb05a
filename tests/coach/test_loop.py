"""The coach model's training loop (coach.loop)."""

from __future__ import annotations

from adaptivefit.coach.loop import ThreadTuner


def test_thread_tuner_picks_the_faster_setting():
    tuner = ThreadTuner([1, 2], warm=1, probe_len=2, probe_every=10)
    speed = {1: 1.0, 2: 4.0}  # seconds per step: one thread is faster here
    chosen = []
    for _ in range(40):
        n = tuner.choose()
        chosen.append(n)
        tuner.record(n, speed[n], 100)
    assert set(chosen[:6]) == {1, 2}  # both tried
    assert chosen[-5:].count(1) >= 3 and tuner.best() == 1
    assert tuner.used[1] > tuner.used[2]
    assert ThreadTuner([2]).choose() == 2
