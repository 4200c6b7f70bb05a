"""Reading a training-history CSV: Strong's and Hevy's exports and our own, told apart by the header.

Rows with impossible values are reported by line number and left out; the others come back as
`Row`s in kg and UTC, ready for `history_io` to write.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.core.units import from_display
from adaptivefit.services.training.workout_sets import MAX_REST_S, NOTE_MAX, SET_TYPES

MAX_REPS = 1000
MAX_LOAD_KG = 1000.0

# Our set types are live logging's (warmup, working, drop); a set to failure is a working set with 0 RIR.
STRONG_SET_TYPES = {"w": ("warmup", None), "d": ("drop", None), "f": ("working", 0)}
HEVY_SET_TYPES = {"normal": ("working", None), "warmup": ("warmup", None), "dropset": ("drop", None),
                  "failure": ("working", 0)}


@dataclass
class HistoryImport:
    workouts: int = 0
    sets: int = 0
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    unknown_exercises: list[str] = field(default_factory=list)  # names that became private exercises
    already_imported: int = 0
    format: str = ""


class BadRow(Exception):
    """A row that cannot be imported; the message says why, for the report."""


@dataclass
class Row:
    line: int
    cells: tuple[str, ...]
    started_at: datetime
    finished_at: datetime | None
    workout: str
    workout_notes: str
    exercise: str
    set_type: str
    reps: int
    load_kg: float
    rpe: float | None = None
    rir: int | None = None
    note: str = ""
    set_number: int | None = None
    rest_s: int = 0


# --- reading cells -------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _header_key(cell: str) -> tuple[str, str]:
    """A header cell as (name, unit): "Weight (kg)" -> ("weight", "kg")."""
    text = cell.strip().strip('"').lower()
    match = re.fullmatch(r"(.*?)\s*\(([^)]*)\)", text)
    return (match.group(1).strip(), match.group(2).strip()) if match else (text, "")


def _number(value: str, what: str, *, low: float = 0, high: float | None = None, integer: bool = False):
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise BadRow(f"{what} {value.strip()!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise BadRow(f"{what} {value.strip()!r} is not a number")
    if integer and number != int(number):
        raise BadRow(f"{what} {value.strip()!r} is not a whole number")
    if number < low:
        raise BadRow(f"{what} {value.strip()} is below {low:g}")
    if high is not None and number > high:
        raise BadRow(f"{what} {value.strip()} is above {high:g}")
    return int(number) if integer else number


def _optional(value: str, what: str, **limits):
    return _number(value, what, **limits) if value.strip() else None


def _rpe(value: str) -> float | None:
    rpe = _optional(value, "RPE", low=1, high=10)
    if rpe is not None and not (rpe * 2).is_integer():
        raise BadRow(f"RPE {value.strip()} is not in steps of 0.5")
    return rpe


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y-%m-%d %I:%M %p",
    "%d %b %Y, %H:%M",
    "%d %b %Y %H:%M",
    "%d %B %Y, %H:%M",
    "%Y-%m-%d",
)


def _when(value: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A file's date-time as aware UTC; a time without a zone is in the member's zone."""
    text = re.sub(r"\s+", " ", value.replace("\u202f", " ")).strip()
    if not text:
        raise BadRow("missing date")
    parsed = None
    for pattern in _TIME_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise BadRow(f"date {text!r} is not a date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    parsed = parsed.astimezone(UTC)
    if parsed.year < 1970 or parsed > now + timedelta(days=1):
        raise BadRow(f"date {text!r} is out of range")
    return parsed


def _duration_s(value: str, unit: str) -> int | None:
    """Strong's workout duration: "1h 5m", "45m", "1:05:00" or plain seconds; None when unreadable."""
    text = value.strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        seconds = float(text) * (60 if unit in ("min", "minutes") else 1)
    elif re.fullmatch(r"\d+:\d{1,2}(:\d{1,2})?", text):
        parts = [int(p) for p in text.split(":")]
        seconds = parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) == 3 else 0)
    else:
        found = {unit: number for number, unit in re.findall(r"(\d+)\s*(h|m|s)\b", text.replace("min", "m"))}
        if not found:
            return None
        seconds = int(found.get("h", 0)) * 3600 + int(found.get("m", 0)) * 60 + int(found.get("s", 0))
    return int(seconds) if 0 <= seconds <= 24 * 3600 else None


def _extras_note(note: str, seconds: float | None, distance: float | None, distance_unit: str) -> str:
    """A set's own note plus what has no column of ours (time, distance), so nothing is lost."""
    parts = [note.strip()] if note.strip() else []
    if seconds:
        parts.append(f"{seconds:g} s")
    if distance:
        parts.append(f"{distance:g} {distance_unit}".strip())
    return "; ".join(parts)[:NOTE_MAX]


def _reps(value: str, seconds: float | None, distance: float | None) -> int:
    if not value.strip():
        if seconds or distance:
            return 0
        raise BadRow("missing reps")
    return _number(value, "reps", high=MAX_REPS, integer=True)


def _load(value: str, unit: str) -> float:
    if not value.strip():
        return 0.0
    weight = _number(value, "weight")
    kg = from_display(weight, "lb") if unit in ("lb", "lbs") else weight
    if kg > MAX_LOAD_KG:
        raise BadRow(f"weight {value.strip()} {unit} is over {MAX_LOAD_KG:g} kg")
    return round(kg, 4)


# --- the three formats ---------------------------------------------------------------------------


def _strong_row(get, units: dict[str, str], default_unit: str, zone: ZoneInfo, now: datetime) -> Row | None:
    exercise = get("exercise name")
    order = get("set order").lower()
    if order == "rest timer":
        return None
    if not exercise:
        raise BadRow("missing exercise name")
    started = _when(get("date"), zone, now)
    duration = _duration_s(get("duration"), units.get("duration", ""))
    seconds = _optional(get("seconds"), "seconds")
    distance = _optional(get("distance"), "distance")
    weight_unit = (get("weight unit") or units.get("weight") or default_unit).lower()
    set_type, rir = STRONG_SET_TYPES.get(order, ("working", None))
    return Row(
        line=0, cells=(), started_at=started,
        finished_at=started + timedelta(seconds=duration) if duration else None,
        workout=get("workout name"), workout_notes=get("workout notes"), exercise=exercise,
        set_type=set_type, rir=rir,
        reps=_reps(get("reps"), seconds, distance), load_kg=_load(get("weight"), weight_unit), rpe=_rpe(get("rpe")),
        note=_extras_note(get("notes"), seconds, distance, get("distance unit") or units.get("distance", "")),
    )


def _hevy_row(get, units: dict[str, str], default_unit: str, zone: ZoneInfo, now: datetime) -> Row:
    exercise = get("exercise_title")
    if not exercise:
        raise BadRow("missing exercise name")
    started = _when(get("start_time"), zone, now)
    finished = _when(get("end_time"), zone, now) if get("end_time") else None
    seconds = _optional(get("duration_seconds"), "duration")
    distance_unit = "mi" if get("distance_miles") else "km"
    distance = _optional(get("distance_km") or get("distance_miles"), "distance")
    weight_unit = "lb" if get("weight_lbs") and not get("weight_kg") else "kg"
    set_type, rir = HEVY_SET_TYPES.get(get("set_type").lower(), ("working", None))
    return Row(
        line=0, cells=(), started_at=started, finished_at=finished if finished and finished > started else None,
        workout=get("title"), workout_notes=get("description"), exercise=exercise,
        set_type=set_type, rir=rir, reps=_reps(get("reps"), seconds, distance),
        load_kg=_load(get("weight_kg") or get("weight_lbs"), weight_unit), rpe=_rpe(get("rpe")),
        note=_extras_note(get("exercise_notes"), seconds, distance, distance_unit),
    )


def _own_text(value: str) -> str:
    """Undo the export's guard against spreadsheet formulas."""
    return value[1:] if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r" else value


def _own_row(get, units: dict[str, str], default_unit: str, zone: ZoneInfo, now: datetime) -> Row:
    exercise = _own_text(get("exercise"))
    if not exercise:
        raise BadRow("missing exercise name")
    set_type = get("set_type").lower() or "working"
    if set_type not in SET_TYPES:
        raise BadRow(f"set type {get('set_type')!r} is not one of {', '.join(SET_TYPES)}")
    reps = get("reps")
    if not reps:
        raise BadRow("missing reps")
    return Row(
        line=0, cells=(), started_at=_when(get("date"), zone, now), finished_at=None,
        workout=_own_text(get("workout")), workout_notes="", exercise=exercise, set_type=set_type,
        reps=_number(reps, "reps", high=MAX_REPS, integer=True), load_kg=_load(get("weight_kg"), "kg"),
        rpe=_rpe(get("rpe")), rir=_optional(get("rir"), "RIR", high=10, integer=True),
        note=_own_text(get("note"))[:NOTE_MAX],
        set_number=_optional(get("set_number"), "set number", low=1, high=10_000, integer=True),
    )


FORMATS = (
    ("adaptivefit", {"date", "workout", "exercise", "set_number", "weight_kg"}, _own_row),
    ("strong", {"date", "workout name", "exercise name", "set order"}, _strong_row),
    ("hevy", {"title", "start_time", "exercise_title"}, _hevy_row),
)


def parse(text: str, units: str, zone: ZoneInfo, report: HistoryImport) -> list[Row]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ValidationFailed({"file": "The file is empty."})
    keys = [_header_key(cell) for cell in header]
    names = [name for name, _ in keys]
    found = next(((fmt, parse) for fmt, needed, parse in FORMATS if needed <= set(names)), None)
    if found is None:
        raise ValidationFailed({"file": "This is not a Strong, Hevy or Adaptive Fit history export (unknown columns)."})
    report.format, parse_row = found
    column_units = {name: unit for name, unit in keys if unit}
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    now = datetime.now(UTC)
    rows: list[Row] = []
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue

        def get(name: str, cells=cells) -> str:
            position = index.get(name)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        try:
            row = parse_row(get, column_units, units, zone, now)
        except BadRow as exc:
            report.bad_rows.append((start, str(exc)))
            continue
        if row is None:
            # Newer Strong versions write the rest after a set as a row of its own.
            if rows and re.fullmatch(r"\d{1,5}(\.\d+)?", get("seconds")):
                rows[-1].rest_s = min(int(float(get("seconds"))), MAX_REST_S)
            continue
        row.line, row.cells = start, tuple(cell.strip() for cell in cells)
        row.workout = (row.workout or "Workout")[:120]
        row.exercise = re.sub(r"\s+", " ", row.exercise)[:120]
        rows.append(row)
    return rows
