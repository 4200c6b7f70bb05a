"""The coach's monthly retraining: a new model version only when its training data changed.

The data are the shipped coaching phrases plus the knowledge base's latest JSONL export; their
hash is compared with the newest version's (`coach.train.needs_training`). Training itself runs
in a child process, `python -m adaptivefit.jobs.retrain OUT [FILE.jsonl ...]`, at low CPU
priority: the scheduler lives in a web worker, and training would otherwise keep torch (hundreds
of megabytes) loaded there for good and take both cores from the people using the app.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from adaptivefit.coach import train as coach_train

CHILD_TIMEOUT_S = 3 * 3600
NICENESS = 10


def data_hash(knowledge: Sequence[Path]) -> str:
    return coach_train.current_data_hash(knowledge=list(knowledge))


def needs_training(out_dir: Path, digest: str) -> bool:
    return coach_train.needs_training(out_dir, digest)


def train_version(out_dir: Path, knowledge: Sequence[Path]) -> Path:
    """The one call into the training pipeline: a change of its signature is fixed here."""
    return coach_train.train(out_dir, knowledge=list(knowledge), progress=False)


def version_passed(version: Path) -> bool:
    try:
        return bool(coach_train.read_metadata(version).get("passed"))
    except (OSError, ValueError):
        return False


def train_in_child(out_dir: Path, knowledge: Sequence[Path], *, timeout: float = CHILD_TIMEOUT_S) -> Path:
    """Run `train_version` in a child process and return the version directory it made."""
    result = subprocess.run(
        [sys.executable, "-m", "adaptivefit.jobs.retrain", str(out_dir), *map(str, knowledge)],
        capture_output=True, text=True, timeout=timeout,
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"training stopped with exit code {result.returncode}: {tail[0][:500]}")
    lines = result.stdout.strip().splitlines()
    version = Path(lines[-1]) if lines else None
    if version is None or not version.is_dir():
        raise RuntimeError("training finished without naming a model version")
    return version


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m adaptivefit.jobs.retrain OUT_DIR [KNOWLEDGE.jsonl ...]", file=sys.stderr)
        return 2
    os.nice(NICENESS)
    print(train_version(Path(args[0]), [Path(a) for a in args[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
