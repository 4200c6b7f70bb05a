"""The coach model's training loop: AdamW with warmup and a cosine schedule, for a time budget or a
number of steps, keeping the weights with the best held-out loss; torch's threads chosen by
measured speed (`ThreadTuner`).
"""

from __future__ import annotations

import math
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from adaptivefit.coach.evaluation import evaluate_loss
from adaptivefit.coach.tokenizer import Encoded, batch


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


def thread_options(threads: int | str) -> list[int]:
    if threads == "auto":
        return [1, 2] if (os.cpu_count() or 1) >= 2 else [1]
    count = int(threads)
    if count < 1:
        raise ValueError("threads must be at least 1, or auto")
    return [count]


@dataclass
class LoopResult:
    steps: int
    best_step: int  # the step whose weights the model holds now
    final_loss: float | None  # the smoothed training loss at the last step
    curve: list[tuple[int, float]]  # smoothed training loss every 50 steps
    eval_curve: list[tuple[int, float]]  # held-out loss at each checkpoint
    train_seconds: float


def train_loop(model, train_enc: Encoded, eval_enc: Encoded, pad_id: int, *, steps: int | None,
               minutes: float | None, batch_size: int, lr: float, seed: int, tuner: ThreadTuner,
               progress: bool) -> LoopResult:
    """Train `model` in place until `steps` or `minutes` (whichever ends first) and keep the best weights."""
    budget = minutes * 60 if minutes is not None else None
    return _Loop(model, train_enc, eval_enc, pad_id, steps=steps, budget=budget, batch_size=batch_size,
                 lr=lr, seed=seed, tuner=tuner, progress=progress).run()


class _Loop:
    def __init__(self, model, train_enc: Encoded, eval_enc: Encoded, pad_id: int, *, steps: int | None,
                 budget: float | None, batch_size: int, lr: float, seed: int, tuner: ThreadTuner,
                 progress: bool) -> None:
        import torch
        from tqdm.auto import tqdm

        self.model, self.train_enc, self.eval_enc, self.pad_id = model, train_enc, eval_enc, pad_id
        self.steps, self.budget, self.batch_size, self.lr = steps, budget, batch_size, lr
        self.tuner, self.progress = tuner, progress
        decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
            lr=lr, betas=(0.9, 0.98),
        )
        self.bar = tqdm(total=steps if steps is not None else round(budget), unit="step" if steps is not None else "s",
                        desc="training", disable=not progress, dynamic_ncols=True)
        self.rng = random.Random(seed)
        self.lengths = [len(ids) for ids in train_enc.ids]
        self.pending: list[list[int]] = []
        self.step, self.ema = 0, None
        self.curve: list[tuple[int, float]] = []
        self.step_seconds: float | None = None  # moving average of one iteration's wall time
        # Held-out loss at every tenth of the run from 30% on; the best weights are kept, so a
        # fast machine that fits more steps into the budget than the data bears does not overfit.
        self.checkpoints = [round(x / 10, 1) for x in range(3, 10)]
        self.eval_curve: list[tuple[int, float]] = []
        self.best: tuple[float, int, dict[str, Any]] | None = None
        self.start = 0.0

    def checkpoint(self) -> None:
        loss_now, _ = evaluate_loss(self.model, self.eval_enc, self.pad_id)
        self.model.train()
        self.eval_curve.append((self.step, round(loss_now, 4)))
        if self.eval_enc.ids and (self.best is None or loss_now < self.best[0]):
            state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            self.best = (loss_now, self.step, state)

    def done(self, elapsed: float) -> float:
        """The share of the run done, 0 to 1."""
        done = [self.step / self.steps] if self.steps is not None else []
        if self.budget is not None:
            # The schedule follows steps: the total is estimated from the recent speed, so a
            # slow start (or a busy machine) does not spend the warmup and the peak on a
            # handful of steps.
            seconds = self.step_seconds
            done.append(self.step / (self.step + (self.budget - elapsed) / seconds) if seconds else 0.0)
        return min(1.0, max(done))

    def run(self) -> LoopResult:
        self.model.train()
        self.start = time.monotonic()
        while True:
            now = time.monotonic()
            elapsed = now - self.start
            if (self.steps is not None and self.step >= self.steps) or (self.budget is not None and elapsed >= self.budget):
                break
            progress_now = self.done(elapsed)
            if self.checkpoints and progress_now >= self.checkpoints[0] and self.step > 0:
                while self.checkpoints and progress_now >= self.checkpoints[0]:
                    self.checkpoints.pop(0)
                self.checkpoint()
                now = time.monotonic()  # the evaluation is not part of the step's time
            self.one_step(progress_now, now)
            self.show()
        return self.finish()

    def one_step(self, progress_now: float, began: float) -> None:
        """One optimizer step; `began` is when this iteration started (for its measured time)."""
        import torch

        if not self.pending:
            self.pending = _batches(self.lengths, self.batch_size, self.rng)
        idx = self.pending.pop()
        input_ids, attention, labels = batch(self.train_enc, idx, self.pad_id)
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr * _lr_factor(progress_now)
        n_threads = self.tuner.choose()
        if n_threads != torch.get_num_threads():
            torch.set_num_threads(n_threads)
        step_start = time.monotonic()
        loss = self.model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.tuner.record(n_threads, time.monotonic() - step_start, int(input_ids.numel()))
        self.step += 1
        took = time.monotonic() - began
        self.step_seconds = took if self.step_seconds is None else 0.9 * self.step_seconds + 0.1 * took
        loss_value = loss.item()
        self.ema = loss_value if self.ema is None else 0.95 * self.ema + 0.05 * loss_value
        if self.step % 50 == 0:
            self.curve.append((self.step, round(self.ema, 3)))

    def show(self) -> None:
        if self.progress:
            target = self.step if self.steps is not None else min(round(time.monotonic() - self.start), self.bar.total)
            self.bar.update(target - self.bar.n)
            self.bar.set_postfix(loss=f"{self.ema:.3f}", step=self.step, refresh=False)

    def finish(self) -> LoopResult:
        self.bar.close()
        if self.step > 0:
            self.checkpoint()
        train_seconds = time.monotonic() - self.start
        best_step = self.step
        if self.best is not None and self.best[1] != self.step:
            self.model.load_state_dict(self.best[2])
            best_step = self.best[1]
        self.best = None
        return LoopResult(steps=self.step, best_step=best_step, final_loss=self.ema, curve=self.curve,
                          eval_curve=self.eval_curve, train_seconds=train_seconds)
