"""The coach model's runner: loads once per process, lazily, and generates on one worker thread.

Loading runs in a background thread (on first use or `warm_up()`), so start-up never waits for it.
Generation runs on one worker thread behind a bounded queue (`COACH_QUEUE_SIZE` jobs waiting or
running; beyond that a request is refused at once with QueueFull). The worker sets torch's
intra-op threads to `COACH_THREADS` (default 1; the setting is process-wide in torch), so
generating never takes every core from the web server, and it stops a generation that has passed
its deadline. The coach's words on top of this runner are `coach.lm`.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import inspect
import logging
import threading
import time
from pathlib import Path
from typing import Any

from adaptivefit.coach.loading import load_model, resolve_dtype
from adaptivefit.coach.versions import candidate_model_dirs, model_source
from adaptivefit.config import Settings, get_settings

log = logging.getLogger(__name__)

MAX_NEW_TOKENS = 40
TEMPERATURE = 0.7
TOP_K = 40
STATES = ("not_configured", "loading", "ready", "failed")


class QueueFull(Exception):
    """The generation queue is full; the caller should use a template now."""


class GenerationTimeout(Exception):
    """A generation passed its deadline (or its caller stopped waiting)."""


class ModelUnavailable(Exception):
    """No model is configured, or it failed to load."""


def _seed_int(seed: str | int) -> int:
    if isinstance(seed, int):
        return seed & 0x7FFF_FFFF_FFFF_FFFF
    return int.from_bytes(hashlib.sha256(str(seed).encode("utf-8")).digest()[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


class ModelRunner:
    """One model, loaded lazily in the background, generating on one worker thread.

    Arguments left as None come from the settings. `source` overrides `model_source(settings)`;
    pass a directory for tests and benches.
    """

    def __init__(
        self, settings: Settings | None = None, *, source: str | Path | None = None, dtype: str | None = None,
        threads: int | None = None, queue_size: int | None = None, time_budget_ms: int | None = None,
        temperature: float = TEMPERATURE, top_k: int = TOP_K,
    ) -> None:
        self.settings = settings or get_settings()
        self._source = str(source) if source is not None else model_source(self.settings)
        # Found by scanning COACH_MODEL_DIR (not named): if it fails to load, older versions are tried.
        self._scanned = source is None and not self.settings.coach_model
        self.dtype = resolve_dtype(dtype or self.settings.coach_dtype)
        self.threads = threads or self.settings.coach_threads
        self.queue_size = queue_size or self.settings.coach_queue_size
        self.time_budget_ms = time_budget_ms or self.settings.coach_time_budget_ms
        self.temperature = temperature
        self.top_k = top_k
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._state = "not_configured" if self._source is None else "idle"
        self._error: str | None = None
        self._model = None
        self._tokenizer = None
        self._stop_ids: frozenset[int] = frozenset()
        self._vocab_limit = 0
        self._cache_arg = "past_key_values"
        self._extra_args: dict[str, Any] = {}
        self._slots = threading.BoundedSemaphore(self.queue_size)
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        if self._source is None:
            self._loaded.set()

    # -- state --

    @property
    def state(self) -> str:
        return "loading" if self._state == "idle" else self._state

    @property
    def ready(self) -> bool:
        return self._state == "ready"

    def status(self) -> dict[str, Any]:
        """The model's state for health pages. Starts loading when it has not started yet."""
        self.warm_up()
        return {
            "model_available": self._state == "ready",
            "model_repo": self._source,
            "device": "cpu",
            "dtype": self.dtype,
            "state": self.state,
            "error": self._error,
        }

    def warm_up(self) -> None:
        """Start loading in a background thread (once); returns at once."""
        with self._lock:
            if self._state != "idle":
                return
            self._state = "loading"
        threading.Thread(target=self._load, name="coach-lm-load", daemon=True).start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until loading has finished (ready or failed); True when the model is ready."""
        self.warm_up()
        self._loaded.wait(timeout)
        return self._state == "ready"

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            import torch

            torch.set_num_threads(self.threads)
            model, tokenizer = self._load_first()
            vocab = list(range(len(tokenizer)))
            pieces = tokenizer.batch_decode([[i] for i in vocab])
            stop_ids = {i for i, piece in zip(vocab, pieces) if "\n" in piece}
            stop_ids.add(tokenizer.eos_token_id)
            self._model, self._tokenizer = model, tokenizer
            self._stop_ids = frozenset(stop_ids)
            self._vocab_limit = min(len(tokenizer), model.config.vocab_size)
            # transformers 5 names the KV cache `cache` (was `past_key_values`); `logits_to_keep`
            # spares the prompt step the full vocabulary projection for every prompt token.
            parameters = inspect.signature(model.forward).parameters
            self._cache_arg = "cache" if "cache" in parameters else "past_key_values"
            self._extra_args = {"logits_to_keep": 1} if "logits_to_keep" in parameters else {}
            self._state = "ready"
            log.info("coach model loaded", extra={"source": self._source, "dtype": self.dtype,
                                                  "seconds": round(time.perf_counter() - started, 2)})
        except Exception as exc:  # noqa: BLE001 - any failure leaves the templates in charge
            self._error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
            self._state = "failed"
            log.warning("coach model failed to load; templates only", extra={"source": self._source,
                                                                             "error": self._error})
        finally:
            self._loaded.set()

    def _load_first(self):
        sources = [self._source]
        if self._scanned:
            sources += [str(p) for p in candidate_model_dirs(self.settings) if str(p) != self._source]
        for index, source in enumerate(sources):
            try:
                loaded = load_model(source, self.dtype, token=self.settings.hf_token)
            except Exception as exc:
                if index == len(sources) - 1:
                    raise
                log.warning("coach model version failed to load; trying an older one",
                            extra={"source": source, "error": f"{type(exc).__name__}: {exc}"[:300]})
                continue
            self._source = source
            return loaded
        raise ModelUnavailable("no model to load")

    # -- the worker --

    def _worker_init(self) -> None:
        import torch

        torch.set_num_threads(self.threads)

    def _submit(self, fn, *args, **kwargs) -> concurrent.futures.Future:
        if not self._slots.acquire(blocking=False):
            raise QueueFull()
        try:
            with self._lock:
                if self._executor is None:
                    self._executor = concurrent.futures.ThreadPoolExecutor(
                        max_workers=1, thread_name_prefix="coach-lm", initializer=self._worker_init,
                    )
            future = self._executor.submit(fn, *args, **kwargs)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())  # on completion or cancel
        return future

    def close(self) -> None:
        """Stop the worker; queued jobs are cancelled."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def _generate(
        self, prefix: str, max_new_tokens: int, seed: str | int, min_new_tokens: int = 0,
        deadline: float | None = None, cancelled: threading.Event | None = None,
    ) -> str:
        """Runs on the worker: sample up to `max_new_tokens`, stop at end-of-text or a newline."""
        import torch

        if self._state != "ready":
            raise ModelUnavailable(self._error or self.state)
        model, tokenizer = self._model, self._tokenizer
        generator = torch.Generator().manual_seed(_seed_int(seed))
        input_ids = tokenizer(prefix, return_tensors="pt").input_ids
        limit = getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", 1024)
        max_new_tokens = max(0, min(max_new_tokens, limit - input_ids.shape[1]))
        stop = torch.tensor(sorted(self._stop_ids), dtype=torch.long)
        produced: list[int] = []
        past = None
        with torch.inference_mode():
            step_input = input_ids
            for step in range(max_new_tokens):
                if cancelled is not None and cancelled.is_set():
                    raise GenerationTimeout("cancelled")
                if deadline is not None and time.monotonic() > deadline:
                    raise GenerationTimeout("over the time budget")
                out = model(input_ids=step_input, use_cache=True, **{self._cache_arg: past}, **self._extra_args)
                past = getattr(out, self._cache_arg, None)
                logits = out.logits[0, -1, : self._vocab_limit].float()
                if step < min_new_tokens:
                    logits[stop] = float("-inf")
                if self.temperature <= 0:
                    token = int(torch.argmax(logits))
                else:
                    top = torch.topk(logits, min(self.top_k, logits.shape[0]))
                    probs = torch.softmax(top.values / self.temperature, dim=-1)
                    token = int(top.indices[torch.multinomial(probs, 1, generator=generator)])
                if token in self._stop_ids:
                    break
                produced.append(token)
                step_input = torch.tensor([[token]], dtype=torch.long)
        # Special tokens are kept: a control code in the output must fail the guardrails, not vanish.
        text = tokenizer.decode(produced, skip_special_tokens=False)
        return text.split("\n", 1)[0].strip()

    def generate_raw(self, prefix: str, max_new_tokens: int = MAX_NEW_TOKENS, seed: str | int = 0,
                     min_new_tokens: int = 0, timeout: float | None = None) -> str:
        """Blocking: the model's raw continuation of `prefix` (placeholders unfilled, no guardrails).
        Waits for loading; raises ModelUnavailable, QueueFull or TimeoutError. For bench and quality
        scripts, not for request handlers."""
        if not self.wait_ready():
            raise ModelUnavailable(self._error or self.state)
        future = self._submit(self._generate, prefix, max_new_tokens, seed, min_new_tokens)
        return future.result(timeout)

