"""The coach's language model, run in this process on the CPU: words for the engine's numbers.

The model only writes the sentence; the numbers come from `Tweak.next` through placeholders
(`coach.prompting`), and every sentence passes `coach.guardrails` before anyone sees it. Any
failure -- no model, still loading, queue full, over the time budget, an exception, a rejected
sentence -- gives the template message instead, so the coach always answers.

The model loads and generates through `coach.runner` (one worker thread behind a bounded queue).
`write_message` is a coroutine that awaits the worker without blocking the event loop; it gives
up after `COACH_TIME_BUDGET_MS` and the worker stops a generation that has passed its deadline.
Which model is loaded is decided in `coach.versions` (`model_source`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from typing import Any

from adaptivefit.coach import guardrails
from adaptivefit.coach.messages import template_message
from adaptivefit.coach.prompting import fill, prompt_for
from adaptivefit.coach.runner import MAX_NEW_TOKENS, GenerationTimeout, ModelRunner, QueueFull
from adaptivefit.coach.types import Tweak
from adaptivefit.config import get_settings

log = logging.getLogger(__name__)


class CoachModel(ModelRunner):
    """The runner with the coach's words: a checked model message, or the template's."""

    def _fallback(self, tweak, event, exercise, goal, level, units, seed) -> tuple[str, bool]:
        return template_message(tweak, event, exercise=exercise, goal=goal, level=level, seed=seed, units=units), False

    def _accept(self, raw: str, tweak: Tweak, exercise: str, units: str) -> str | None:
        message = fill(raw, tweak, exercise, units)
        if message is None:
            return None
        reason = guardrails.check(message, tweak, exercise=exercise, units=units)
        if reason is None and not guardrails.direction_matches(message, tweak):
            reason = "does not point the action's way"  # e.g. "repeat the same" for progress_load
        if reason is not None:
            log.debug("coach model message rejected", extra={"reason": reason})
            return None
        return message.strip()

    def _start(self, tweak, event, goal, level, seed, timeout_ms):
        budget_s = (timeout_ms if timeout_ms is not None else self.time_budget_ms) / 1000
        cancelled = threading.Event()
        future = self._submit(
            self._generate, prompt_for(tweak, event, goal, level), MAX_NEW_TOKENS, seed, 0,
            time.monotonic() + budget_s, cancelled,
        )
        return future, cancelled, budget_s

    def _wanted(self, use_model: bool | None) -> bool:
        wanted = self.settings.coach_ai_default if use_model is None else use_model
        if not wanted:
            return False
        if self._state != "ready":
            self.warm_up()  # the first request starts loading; it gets a template meanwhile
            return False
        return True

    async def write_message(
        self, tweak: Tweak, event: str, *, exercise: str, goal: str | None, level: str | None, units: str = "kg",
        seed: str, timeout_ms: int | None = None, use_model: bool | None = None,
    ) -> tuple[str, bool]:
        """(message, ai_powered). Never raises for model trouble and never blocks the event loop:
        any failure gives the template message and False."""
        # The model cannot tell a bodyweight exercise: its load phrases always name a weight. The
        # templates have phrasings without one.
        if not self._wanted(use_model) or tweak.next.weight_kg <= 0:
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        try:
            future, cancelled, budget_s = self._start(tweak, event, goal, level, seed, timeout_ms)
        except QueueFull:
            log.info("coach model queue full; template used")
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        try:
            raw = await asyncio.wait_for(asyncio.wrap_future(future), timeout=budget_s)
        except (TimeoutError, asyncio.TimeoutError, asyncio.CancelledError) as exc:
            cancelled.set()
            future.cancel()
            if isinstance(exc, asyncio.CancelledError):
                raise
            log.info("coach model over its time budget; template used")
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        except GenerationTimeout:
            log.info("coach model over its time budget; template used")
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        except Exception:  # noqa: BLE001
            log.warning("coach model generation failed; template used", exc_info=True)
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        message = self._accept(raw, tweak, exercise, units)
        if message is None:
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        return message, True

    def write_message_sync(
        self, tweak: Tweak, event: str, *, exercise: str, goal: str | None, level: str | None, units: str = "kg",
        seed: str, timeout_ms: int | None = None, use_model: bool | None = None,
    ) -> tuple[str, bool]:
        """The same as `write_message` for code without an event loop (blocks the calling thread)."""
        if not self._wanted(use_model) or tweak.next.weight_kg <= 0:
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        try:
            future, cancelled, budget_s = self._start(tweak, event, goal, level, seed, timeout_ms)
            raw = future.result(timeout=budget_s)
        except QueueFull:
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        except concurrent.futures.TimeoutError:
            cancelled.set()
            future.cancel()
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        except GenerationTimeout:
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        except Exception:  # noqa: BLE001
            log.warning("coach model generation failed; template used", exc_info=True)
            return self._fallback(tweak, event, exercise, goal, level, units, seed)
        message = self._accept(raw, tweak, exercise, units)
        return (message, True) if message else self._fallback(tweak, event, exercise, goal, level, units, seed)


# --- the process's one model --------------------------------------------------------------------

_default: CoachModel | None = None
_default_lock = threading.Lock()


def get_coach_model() -> CoachModel:
    """This process's model runner, created on first call from `get_settings()` (not loaded yet)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = CoachModel(get_settings())
        return _default


def reset_coach_model() -> None:
    """Forget the process's runner (tests; or after the settings changed). Its worker is stopped."""
    global _default
    with _default_lock:
        old, _default = _default, None
    if old is not None:
        old.close()


def warm_up() -> None:
    get_coach_model().warm_up()


def status() -> dict[str, Any]:
    return get_coach_model().status()


async def write_message(
    tweak: Tweak, event: str, *, exercise: str, goal: str | None, level: str | None, units: str = "kg",
    seed: str, timeout_ms: int | None = None, use_model: bool | None = None,
) -> tuple[str, bool]:
    """(message, ai_powered) from the process's model, or the template message on any failure."""
    return await get_coach_model().write_message(
        tweak, event, exercise=exercise, goal=goal, level=level, units=units, seed=seed, timeout_ms=timeout_ms,
        use_model=use_model,
    )


def generate_raw(prefix: str, max_new_tokens: int = MAX_NEW_TOKENS, seed: str | int = 0,
                 min_new_tokens: int = 0) -> str:
    return get_coach_model().generate_raw(prefix, max_new_tokens, seed, min_new_tokens)
