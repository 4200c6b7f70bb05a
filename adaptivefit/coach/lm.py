"""The coach's language model, run in this process on the CPU: words for the engine's numbers.

The model only writes the sentence; the numbers come from `Tweak.next` through placeholders
(`coach.prompting`), and every sentence passes `coach.guardrails` before anyone sees it. Any
failure -- no model, still loading, queue full, over the time budget, an exception, a rejected
sentence -- gives the template message instead, so the coach always answers.

Threads. The model loads once per process, lazily, in a background thread (on first use or
`warm_up()`), so start-up never waits for it. Generation runs on one worker thread behind a
bounded queue (`COACH_QUEUE_SIZE` jobs waiting or running; beyond that a request is refused at
once and gets a template). The worker sets torch's intra-op threads to `COACH_THREADS` (default 1;
the setting is process-wide in torch), so generating never takes every core from the web server.
`write_message` is a coroutine that awaits the worker without blocking the event loop; it gives
up after `COACH_TIME_BUDGET_MS` and the worker stops a generation that has passed its deadline.

Where the model comes from (`model_source`): `COACH_MODEL` (a directory, or a hub id passed as
is to `from_pretrained` with `HF_TOKEN`), else the newest passing version under
`COACH_MODEL_DIR` (`find_model_dir`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import inspect
import json
import logging
import re
import shutil
import struct
import threading
import time
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

from adaptivefit.coach import guardrails
from adaptivefit.coach.messages import template_message
from adaptivefit.coach.prompting import EOS, fill, prompt_for
from adaptivefit.coach.types import Tweak
from adaptivefit.config import Settings, get_settings

log = logging.getLogger(__name__)

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
MAX_NEW_TOKENS = 40
TEMPERATURE = 0.7
TOP_K = 40
STATES = ("not_configured", "loading", "ready", "failed")
TOKENIZER_FILES = (("tokenizer.json",), ("vocab.json", "merges.txt"))


class QueueFull(Exception):
    """The generation queue is full; the caller should use a template now."""


class GenerationTimeout(Exception):
    """A generation passed its deadline (or its caller stopped waiting)."""


class ModelUnavailable(Exception):
    """No model is configured, or it failed to load."""


# --- finding a model ---------------------------------------------------------------------------


def _safetensors_ok(path: Path) -> bool:
    """A cheap check that a safetensors file is whole: its header parses and the data is all there."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            (header_len,) = struct.unpack("<Q", handle.read(8))
            if header_len <= 0 or 8 + header_len > size:
                return False
            header = json.loads(handle.read(header_len))
        ends = [entry["data_offsets"][1] for key, entry in header.items() if key != "__metadata__"]
        return 8 + header_len + max(ends, default=0) <= size
    except (OSError, ValueError, KeyError, TypeError, IndexError, struct.error):
        return False


def _version_info(folder: Path) -> tuple[float, str] | None:
    """(created_at timestamp, name) of a valid, passing version folder; None when it is not one."""
    if folder.name.startswith(".") or not folder.is_dir() or not (folder / "config.json").is_file():
        return None  # hidden: a version still being written (the trainer's ".v….tmp")
    if not any(all((folder / name).is_file() for name in files) for files in TOKENIZER_FILES):
        return None
    weights = folder / "model.safetensors"
    if not weights.is_file() or not _safetensors_ok(weights):
        return None
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(metadata, dict) or metadata.get("passed") is not True:
        return None
    created = 0.0
    raw = metadata.get("created_at")
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            created = moment.timestamp() if moment.tzinfo else moment.replace(tzinfo=None).timestamp()
        except ValueError:
            created = 0.0
    return created, folder.name


def _name_key(name: str) -> tuple:
    """Natural order for version names: v2 < v10, 2025-01-02 < 2025-01-10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name) if part)


def candidate_model_dirs(settings: Settings | None = None) -> list[Path]:
    """Valid, passing versions under COACH_MODEL_DIR, newest first (by created_at, then name)."""
    settings = settings or get_settings()
    root = Path(settings.coach_model_dir)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        info = _version_info(folder)
        if info is not None:
            found.append((info[0], _name_key(info[1]), folder))
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [folder for _, _, folder in found]


def find_model_dir(settings: Settings | None = None) -> Path | None:
    """The model directory to load: COACH_MODEL when it is a directory, else the newest valid
    passing version under COACH_MODEL_DIR; None when there is none (or COACH_MODEL is a hub id)."""
    settings = settings or get_settings()
    if settings.coach_model:
        path = Path(settings.coach_model).expanduser()
        return path.resolve() if path.is_dir() else None
    candidates = candidate_model_dirs(settings)
    return candidates[0] if candidates else None


# The default model, trained for the project by coach/train.py and shipped in the repository
# (about 15 MB), so a fresh machine's coach writes from its first start.
SHIPPED_MODELS = Path(__file__).resolve().parent.parent.parent / "coach-model"


def install_default_model(settings: Settings | None = None, *, shipped: Path = SHIPPED_MODELS) -> Path | None:
    """Copy the shipped model into COACH_MODEL_DIR unless a passing version is there already.

    Returns the installed version's folder, or None when nothing was copied. A version is copied
    under a hidden name and renamed, so a reader never sees half of it.
    """
    settings = settings or get_settings()
    if candidate_model_dirs(settings) or not shipped.is_dir():
        return None
    versions = sorted((f for f in shipped.iterdir() if _version_info(f) is not None),
                      key=lambda f: _name_key(f.name), reverse=True)
    if not versions:
        return None
    root = Path(settings.coach_model_dir)
    root.mkdir(parents=True, exist_ok=True)
    target = root / versions[0].name
    if target.exists():  # a failing or broken copy of the same version: replace it
        shutil.rmtree(target)
    staging = root / f".{versions[0].name}.installing"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(versions[0], staging)
    staging.rename(target)
    return target


def model_source(settings: Settings | None = None) -> str | None:
    """What `from_pretrained` is given: a directory (as a string) or a hub id; None if nothing."""
    settings = settings or get_settings()
    if settings.coach_model:
        given = settings.coach_model
        path = Path(given).expanduser()
        if path.exists() or path.is_absolute() or given.startswith((".", "~")):
            return str(path.resolve())  # a local path (if it is not a model, loading fails visibly)
        return given  # a hub id, e.g. "org/coach-model"
    found = find_model_dir(settings)
    return str(found) if found else None


# --- loading -------------------------------------------------------------------------------------


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


def _seed_int(seed: str | int) -> int:
    if isinstance(seed, int):
        return seed & 0x7FFF_FFFF_FFFF_FFFF
    return int.from_bytes(hashlib.sha256(str(seed).encode("utf-8")).digest()[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


# --- the runner ----------------------------------------------------------------------------------


class CoachModel:
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

    # -- the coach's words --

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
