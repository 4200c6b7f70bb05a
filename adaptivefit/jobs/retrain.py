"""The coach's monthly retraining: a new model version only when its training data changed.

The data are the curated coaching phrases a moderator has not hidden (`curated.visible_phrases`)
plus the knowledge base's latest JSONL export; their hash is compared with the newest version's
(`coach.versions.needs_training`). Training itself runs in a child process,
`python -m adaptivefit.jobs.retrain OUT [FILE.jsonl ...] [--phrases PHRASES.json]`, at low CPU
priority: the scheduler lives in a web worker, and training would otherwise keep torch (hundreds
of megabytes) loaded there for good and take both cores from the people using the app. The
parent hands the child its phrases in a file, so both build the same dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from adaptivefit.coach import dataset as coach_dataset, trainer, versions
from adaptivefit.coach.phrases import Phrase
from adaptivefit.jobs import curated
from adaptivefit.services.knowledge.store import EXPORT_FILES

CHILD_TIMEOUT_S = 3 * 3600
NICENESS = 10


def knowledge_files(directory: Path) -> list[Path]:
    """The non-empty JSONL exports to mix in, less the curated export: its phrases train as phrases."""
    curated_export = EXPORT_FILES[curated.SOURCE]
    return sorted(p for p in Path(directory).glob("*.jsonl") if p.name != curated_export and p.stat().st_size > 0)


def training_inputs(session: Session, directory: Path) -> tuple[list[Phrase], list[Path]]:
    """What the retraining trains on: (the visible curated phrases, the knowledge files)."""
    return curated.visible_phrases(session), knowledge_files(directory)


def dataset(knowledge: Sequence[Path], phrases: Sequence[Phrase] | None = None) -> coach_dataset.Dataset:
    """The dataset a training run on these inputs builds (phrases default to the shipped file)."""
    return coach_dataset.build_dataset(phrases, list(knowledge))


def data_hash(knowledge: Sequence[Path], phrases: Sequence[Phrase] | None = None) -> str:
    return dataset(knowledge, phrases).data_hash


def needs_training(out_dir: Path, digest: str) -> bool:
    return versions.needs_training(out_dir, digest)


def train_version(out_dir: Path, knowledge: Sequence[Path], phrases: Path | None = None) -> Path:
    """The one call into the training pipeline: a change of its signature is fixed here."""
    extra = {} if phrases is None else {"phrases": phrases}
    return trainer.train(out_dir, knowledge=list(knowledge), progress=False, **extra)


def version_passed(version: Path) -> bool:
    try:
        return bool(versions.read_metadata(version).get("passed"))
    except (OSError, ValueError):
        return False


def _run_child(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adaptivefit.jobs.retrain", *args],
                          capture_output=True, text=True, timeout=timeout)


def train_in_child(out_dir: Path, knowledge: Sequence[Path], *, phrases: Sequence[Phrase] | None = None,
                   timeout: float = CHILD_TIMEOUT_S) -> Path:
    """Run `train_version` in a child process and return the version directory it made.

    `phrases` (default: the shipped file) reach the child as a phrase file of the shipped format.
    """
    args = [str(out_dir), *map(str, knowledge)]
    if phrases is None:
        result = _run_child(args, timeout)
    else:
        with tempfile.TemporaryDirectory(prefix="adaptivefit-retrain-") as folder:
            phrase_file = Path(folder) / "coach_phrases.json"
            phrase_file.write_text(json.dumps([p.to_dict() for p in phrases], ensure_ascii=False), encoding="utf-8")
            result = _run_child([*args, "--phrases", str(phrase_file)], timeout)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"training stopped with exit code {result.returncode}: {tail[0][:500]}")
    lines = result.stdout.strip().splitlines()
    version = Path(lines[-1]) if lines else None
    if version is None or not version.is_dir():
        raise RuntimeError("training finished without naming a model version")
    return version


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adaptivefit.jobs.retrain")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("knowledge", nargs="*", type=Path, metavar="KNOWLEDGE.jsonl")
    parser.add_argument("--phrases", type=Path, help="a phrase file to train on instead of the shipped one")
    args = parser.parse_args(argv)
    os.nice(NICENESS)
    print(train_version(args.out_dir, args.knowledge, phrases=args.phrases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
