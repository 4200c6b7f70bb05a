"""Throughput and latency of POST /api/event (engine + API, no model), side by side in one run.

Servers answer the same JSON on loopback, one after another under the same load:
  1. the coach route mounted in the real app: `reflex run --env prod`, backend only (granian;
     one worker without Redis),
  2. the coach alone: `granian adaptivefit.api.coach:app`, one worker and two (what a separate,
     stateless coach deployment runs: a worker per core),
  3. a stock FastAPI + uvicorn service (bench/fastapi_coach.py), two workers and one.
Load: wrk (Debian package `wrk`), 2 threads, 100 connections, 15 s after a 3 s warm-up, the
documented skip_set body. Prints requests/s and the p50/p99 latency wrk reports.

    apt-get install -y wrk && .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/bench_coach_api.py [--duration 15] [--connections 100]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BODY = ('{"event": "skip_set", "user_id": "test123", "context": {"set_number": 2}, '
        '"user_data": {"fitness_level": "intermediate", "goals": ["strength"]}}')


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            request = urllib.request.Request(url, data=BODY.encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def _wrk(url: str, duration: int, connections: int, script: Path) -> dict:
    subprocess.run(["wrk", "-t2", "-c", str(connections), "-d3s", "-s", str(script), url],
                   capture_output=True, check=True)
    out = subprocess.run(["wrk", "-t2", "-c", str(connections), f"-d{duration}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "non_2xx": int(errors.group(1)) if errors else 0}


def _start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=100)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    folder = Path(tempfile.mkdtemp(prefix="bench-coach-api-"))
    script = folder / "post.lua"
    script.write_text(f"wrk.method = 'POST'\nwrk.body = [[{BODY}]]\nwrk.headers['Content-Type'] = 'application/json'\n")
    env = {**os.environ, "ADAPTIVEFIT_HOME": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "REFLEX_USE_NPM": "1",
           "REFLEX_TELEMETRY_ENABLED": "false", "REFLEX_CHECK_LATEST_VERSION": "false", "LOG_LEVEL": "WARNING"}
    for name in ("REDIS_URL", "REFLEX_FRONTEND_PORT", "REFLEX_BACKEND_PORT"):
        env.pop(name, None)
    subprocess.run([str(BIN / "adaptivefit"), "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    servers = []
    port = _port()
    servers.append(("Reflex app, mounted route (granian)", [str(BIN / "reflex"), "run", "--env", "prod",
                    "--loglevel", "warning"], port))
    port = _port()
    servers.append(("Coach alone, Starlette (granian)", [str(BIN / "granian"), "--interface", "asgi", "--host",
                    "127.0.0.1", "--port", str(port), "--log-level", "warning", "adaptivefit.api.coach:app"], port))
    port = _port()
    servers.append(("Coach alone, Starlette (granian, 2 workers)", [str(BIN / "granian"), "--interface", "asgi",
                    "--workers", "2", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                    "adaptivefit.api.coach:app"], port))
    port = _port()
    servers.append(("Stock FastAPI + uvicorn, 2 workers", [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port",
                    str(port), "--workers", "2", "--log-level", "warning", "--app-dir", str(ROOT / "bench"),
                    "fastapi_coach:app"], port))
    port = _port()
    servers.append(("Stock FastAPI + uvicorn", [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                    "--log-level", "warning", "--app-dir", str(ROOT / "bench"), "fastapi_coach:app"], port))
    results = []
    for name, cmd, port in servers:
        # rxconfig.py takes both of Reflex's ports from PORT.
        process = _start(cmd, {**env, "PORT": str(port), "REFLEX_BACKEND_ONLY": "1"}, folder / f"{port}.log")
        try:
            url = f"http://127.0.0.1:{port}/api/event" if "granian" not in cmd[0] else f"http://127.0.0.1:{port}/event"
            _wait(url)
            results.append((name, _wrk(url, args.duration, args.connections, script)))
        finally:
            _stop(process)
    print(f"POST /api/event, skip_set body, {args.connections} connections, {args.duration} s, wrk -t2 on 2 cores")
    print(f"{'server':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in results:
        print(f"{name:40} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['non_2xx']:8d}")
    stock = results[-1][1]["rps"]
    for name, r in results[:-1]:
        print(f"{name}: {r['rps'] / stock:.1f}x the stock FastAPI service")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
