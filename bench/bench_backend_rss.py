"""Memory of the app's backend with the coach model loaded, and a message's latency through it.

Starts the real backend (`reflex run --env prod`, backend only) on a temporary database with the
shipped model installed, lets a Pro member's API call load the model, and prints the resident
memory (RSS) of every process of the backend's tree, before and after loading, with the time of
a few AI-written messages over HTTP.

    .venv/bin/python bench/bench_backend_rss.py
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_coach_api import BIN, ROOT, _port  # noqa: E402


def _rss_tree_mb(pid: int) -> float:
    total, queue = 0, [pid]
    while queue:
        current = queue.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, StopIteration):
            continue
        queue += [int(c) for c in children]
    return total / 1024


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def _post(url: str, body: dict, token: str) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-rss-"))
    port = _port()
    env = {**os.environ, "ADAPTIVEFIT_HOME": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "REFLEX_USE_NPM": "1",
           "REFLEX_TELEMETRY_ENABLED": "false", "REFLEX_CHECK_LATEST_VERSION": "false", "LOG_LEVEL": "WARNING",
           "PORT": str(port), "REFLEX_BACKEND_ONLY": "1", "SCHEDULER_ENABLED": "false",
           "COACH_TIME_BUDGET_MS": "2000"}
    for name in ("REDIS_URL", "REFLEX_FRONTEND_PORT", "REFLEX_BACKEND_PORT"):
        env.pop(name, None)
    for command in (["migrate"], ["coach-model"]):
        subprocess.run([str(BIN / "adaptivefit"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    token = subprocess.run([sys.executable, "-c", """
from adaptivefit.db import session_scope
from adaptivefit.models import User
from adaptivefit.services.accounts import api_tokens
with session_scope() as s:
    u = User(email="pro@example.com", name="Pro", coach_ai=True); s.add(u); s.flush()
    print(api_tokens.create_token(s, u, "bench")[1])
"""], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip()
    process = subprocess.Popen([str(BIN / "reflex"), "run", "--env", "prod", "--loglevel", "warning"], cwd=ROOT,
                               env=env, stdout=(folder / "app.log").open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}/api"
    try:
        for _ in range(300):
            try:
                _get(f"{base}/health")
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(3)
        before = _rss_tree_mb(process.pid)
        for _ in range(120):
            if _get(f"{base}/health")["model_available"]:
                break
            time.sleep(0.5)
        body = {"event": "struggle_set", "context": {"planned_reps": 8, "completed_reps": 6, "load_kg": 100,
                                                      "rpe": 10, "set_number": 2}}
        timings, ai = [], 0
        for i in range(20):
            started = time.perf_counter()
            answer = _post(f"{base}/event", {**body, "context": {**body["context"], "set_number": 1 + i % 5,
                                                                  "load_kg": 60 + i}}, token)
            timings.append((time.perf_counter() - started) * 1000)
            ai += answer["ai_powered"]
        after = _rss_tree_mb(process.pid)
        health = _get(f"{base}/health")
        print(f"backend process tree RSS: {before:.0f} MB before the model, {after:.0f} MB with it loaded "
              f"({health['dtype']}, {health['model_repo']})")
        print(f"POST /api/event as a Pro member (model path, over HTTP, stored): median "
              f"{statistics.median(timings):.0f} ms, max {max(timings):.0f} ms; {ai}/20 written by the model")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
