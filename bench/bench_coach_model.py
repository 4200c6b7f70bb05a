"""How fast the coach's language model writes a message, and how much memory it holds, per dtype.

For each dtype (float32, bfloat16, int8) a fresh subprocess loads the model through
`adaptivefit.coach.lm.CoachModel` (so the resident set is that dtype's alone), then times a full
40-new-token message (min_new_tokens=40, so every run is full length) with 1 and with 2 torch
threads, and prints the median and p90 in ms with the process's RSS after loading.

    .venv/bin/python bench/bench_coach_model.py [MODEL_DIR] [--runs 15] [--random]

Without MODEL_DIR the newest passing version under COACH_MODEL_DIR is used; when there is none
(or with --random), two random GPT-2 models are built in a temporary folder and both measured:
one shaped like DistilGPT-2 (6 layers, 768 wide, vocabulary 50,257) and a small one (4 layers,
256 wide, the same vocabulary).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_support import prepare_environment  # noqa: E402

DTYPES = ("float32", "bfloat16", "int8")
THREADS = (1, 2)
NEW_TOKENS = 40
PREFIX = "<event=struggle_set> <action=reduce_load> <goal=strength> <level=intermediate> <scope=session>\n"


def rss_mb() -> float:
    """This process's resident set in MB (psutil when installed, else /proc/self/status)."""
    try:
        import psutil

        return psutil.Process().memory_info().rss / 2**20
    except ImportError:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def worker(model_dir: str, dtype: str, runs: int) -> dict:
    """In a subprocess: load once in `dtype`, time `runs` full messages per thread count."""
    import torch  # noqa: F401 - imported before the baseline, as the app has it imported

    from adaptivefit.coach import lm
    from adaptivefit.config import get_settings

    baseline = rss_mb()
    runner = lm.CoachModel(get_settings(), source=model_dir, dtype=dtype, queue_size=4)
    started = time.perf_counter()
    if not runner.wait_ready(600):
        return {"error": runner.status()["error"]}
    load_s = time.perf_counter() - started
    loaded = rss_mb()
    runner.generate_raw(PREFIX, NEW_TOKENS, seed="first", min_new_tokens=NEW_TOKENS)
    running = rss_mb()  # every weight touched once: the steady resident set
    timings = {}
    for threads in THREADS:
        runner.threads = threads
        runner._submit(runner._worker_init).result()  # the worker's torch threads
        for warm in range(2):
            runner.generate_raw(PREFIX, NEW_TOKENS, seed=f"warm{warm}", min_new_tokens=NEW_TOKENS)
        ms = []
        for run in range(runs):
            t0 = time.perf_counter()
            runner.generate_raw(PREFIX, NEW_TOKENS, seed=run, min_new_tokens=NEW_TOKENS)
            ms.append((time.perf_counter() - t0) * 1000)
        timings[threads] = {"median": statistics.median(ms), "p90": percentile(ms, 0.9)}
    runner.close()
    return {"load_s": load_s, "rss_base_mb": baseline, "rss_load_mb": loaded, "rss_mb": running,
            "timings": timings}


def measure(model_dir: Path, runs: int) -> dict[str, dict]:
    results = {}
    for dtype in DTYPES:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", str(model_dir), dtype, "--runs", str(runs)],
            capture_output=True, text=True,
        )
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        results[dtype] = json.loads(lines[-1]) if out.returncode == 0 and lines else {
            "error": (out.stderr.strip().splitlines() or ["no output"])[-1]}
    return results


def print_table(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    header = f"{'dtype':<9} {'load s':>7} {'RSS MB':>7} {'+model':>7}"
    for threads in THREADS:
        header += f" {f'{threads}t median':>10} {f'{threads}t p90':>8}"
    print(header)
    for dtype, r in results.items():
        if "error" in r:
            print(f"{dtype:<9} failed: {r['error']}")
            continue
        row = f"{dtype:<9} {r['load_s']:>7.2f} {r['rss_mb']:>7.0f} {r['rss_mb'] - r['rss_base_mb']:>7.0f}"
        for threads in THREADS:
            t = r["timings"][str(threads)] if str(threads) in r["timings"] else r["timings"][threads]
            row += f" {t['median']:>10.0f} {t['p90']:>8.0f}"
        print(row)
    print(f"(ms for {NEW_TOKENS} new tokens; RSS after loading and one message; +model = over the process "
          "before loading, i.e. with torch and transformers imported)")


def build_random(folder: Path, name: str, n_layer: int, n_embd: int, n_head: int) -> Path:
    from tests.coach.tiny_model import build_model_dir

    return build_model_dir(folder / name, n_layer=n_layer, n_embd=n_embd, n_head=n_head, vocab_size=50257,
                           n_positions=1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", nargs="?", help="a model directory (default: the newest passing version)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--random", action="store_true", help="measure random DistilGPT-2-shaped and small models")
    parser.add_argument("--worker", nargs=2, metavar=("DIR", "DTYPE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    try:
        run(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the random models are hundreds of MB


def run(args: argparse.Namespace, folder: Path) -> None:
    prepare_environment(folder)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.runs)))
        return

    from adaptivefit.coach import versions

    model_dir = Path(args.model_dir) if args.model_dir else (None if args.random else versions.find_model_dir())
    if model_dir is not None:
        print_table(f"coach model {model_dir}", measure(model_dir, args.runs))
        return
    print("No coach model found: measuring random GPT-2 models built in", folder)
    for name, shape in (("distilgpt2-shaped", (6, 768, 12)), ("small-4x256", (4, 256, 4))):
        started = time.perf_counter()
        path = build_random(folder, name, *shape)
        print(f"built {name} (n_layer={shape[0]}, n_embd={shape[1]}, vocab 50257) in "
              f"{time.perf_counter() - started:.1f} s")
        print_table(name, measure(path, args.runs))


if __name__ == "__main__":
    main()
