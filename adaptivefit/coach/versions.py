"""Model versions on disk: what the trainer writes and the runner loads.

The trainer (`coach.trainer`) writes each run to `<out>/v<YYYYmmddHHMMSS>/` (model, tokenizer and
metadata.json with its data hash and whether it `passed` its bar), under a temporary name renamed
once complete. The runner (`coach.lm`) loads `COACH_MODEL` (a directory, or a hub id passed as is to
`from_pretrained` with `HF_TOKEN`), else the newest valid, passing version under `COACH_MODEL_DIR`.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from adaptivefit.config import Settings, get_settings

VERSION_PREFIX = "v"
VERSION_FORMAT = "%Y%m%d%H%M%S"
TOKENIZER_FILES = (("tokenizer.json",), ("vocab.json", "merges.txt"))

_VERSION_DIR = re.compile(r"^v\d{14}$")


# --- the trainer's versions -------------------------------------------------------------------

def versions(out_dir: str | Path) -> list[Path]:
    """The complete version directories under `out_dir`, oldest first."""
    out = Path(out_dir)
    if not out.is_dir():
        return []
    return sorted(p for p in out.iterdir()
                  if p.is_dir() and _VERSION_DIR.match(p.name) and (p / "metadata.json").is_file())


def read_metadata(version_dir: str | Path) -> dict[str, Any]:
    return json.loads((Path(version_dir) / "metadata.json").read_text(encoding="utf-8"))


def latest_version(out_dir: str | Path, *, passed_only: bool = False) -> Path | None:
    """The newest version directory (optionally the newest that passed its bar), or None."""
    for path in reversed(versions(out_dir)):
        if not passed_only:
            return path
        try:
            if read_metadata(path).get("passed"):
                return path
        except (OSError, ValueError):
            continue
    return None


def needs_training(out_dir: str | Path, data_hash: str) -> bool:
    """False when the newest version under `out_dir` was trained on exactly this data."""
    newest = latest_version(out_dir)
    if newest is None:
        return True
    try:
        return read_metadata(newest).get("data_hash") != data_hash
    except (OSError, ValueError):
        return True


def new_version_name(out: Path, now: datetime) -> str:
    """v<UTC timestamp>, a second later while that name is taken."""
    while True:
        name = VERSION_PREFIX + now.strftime(VERSION_FORMAT)
        if not (out / name).exists() and not (out / f".{name}.tmp").exists():
            return name
        now += timedelta(seconds=1)


# --- finding a model to load ------------------------------------------------------------------


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


# The default model, trained for the project by coach/trainer.py and shipped in the repository
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

