"""Strong and Hevy history imports, and our own CSV export read back in."""

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from adaptivefit.models import Exercise, FitnessData, User, Workout, WorkoutSet
from adaptivefit.services.catalog import library
from adaptivefit.services.training import history_io
from adaptivefit.services.core.access import ValidationFailed

# Strong's older export: comma separated, weights in the member's unit (pounds here).
STRONG_LB = b"""Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2023-01-15 08:30:00,Leg Day,1h 5m,Squat (Barbell),W,95,5,0,0,,Felt strong,
2023-01-15 08:30:00,Leg Day,1h 5m,Squat (Barbell),1,225,5,0,0,,Felt strong,8
2023-01-15 08:30:00,Leg Day,1h 5m,Squat (Barbell),2,225,5,0,0,,Felt strong,8.5
2023-01-15 08:30:00,Leg Day,1h 5m,Leg Press,1,360,10,0,0,,Felt strong,
2023-01-17 18:00:00,Push,45m,Bench Press (Barbell),1,185,5,0,0,"paused, first rep",,9
2023-01-17 18:00:00,Push,45m,Zottman Curl (Dumbbell),1,30,12,0,0,,,
"""

# Strong's newer export: semicolons, units in the header, a decimal comma.
STRONG_KG = """Workout #;Date;Workout Name;Duration (sec);Exercise Name;Set Order;Weight (kg);Reps;RPE;Distance (meters);Seconds;Notes;Workout Notes
1;2023-02-01 07:00:00;"Morning Pull";3600;"Deadlift (Barbell)";1;140,5;3;;;;"";""
1;2023-02-01 07:00:00;"Morning Pull";3600;"Deadlift (Barbell)";2;140,5;3;9;;;"";""
1;2023-02-01 07:00:00;"Morning Pull";3600;"Plank";1;0;;;;60;"";""
""".encode()

HEVY = b"""title,start_time,end_time,description,exercise_title,superset_id,exercise_notes,set_index,set_type,weight_kg,reps,distance_km,duration_seconds,rpe
"Upper A","15 Jan 2023, 08:30","15 Jan 2023, 09:40","Good session","Bench Press (Barbell)",,,0,warmup,60,8,,,
"Upper A","15 Jan 2023, 08:30","15 Jan 2023, 09:40","Good session","Bench Press (Barbell)",,"elbows in",1,normal,80,5,,,8
"Upper A","15 Jan 2023, 08:30","15 Jan 2023, 09:40","Good session","Bench Press (Barbell)",,,2,failure,80,4,,,10
"Upper A","15 Jan 2023, 08:30","15 Jan 2023, 09:40","Good session","Pull Up",,,0,normal,0,10,,,
"Upper A","15 Jan 2023, 08:30","15 Jan 2023, 09:40","Good session","Lat Pulldown (Cable)",,,0,dropset,55,12,,,
"Run","16 Jan 2023, 07:00","16 Jan 2023, 07:30",,"Running (Treadmill)",,,0,normal,,,5,1800,
"""

# Good rows and bad ones; each bad one names its line.
STRONG_WITH_BAD_ROWS = b"""Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,Workout Notes,RPE
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),1,100,5,0,0,,,
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),2,100,-5,0,0,,,
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),3,5000,5,0,0,,,
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),4,100,5,0,0,,,11
2023-13-45 18:00:00,Legs,50m,Squat (Barbell),1,100,5,0,0,,,
2023-03-01 18:00:00,Legs,50m,,1,100,5,0,0,,,
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),5,100,1500,0,0,,,
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),6,abc,5,0,0,,,
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),7,100,5,0,0,,,7.3

2023-03-01 18:00:00,Legs,50m,Leg Extension (Machine),1,40,12,0,0,,,
2023-03-01 18:00:00,Legs,50m,Squat (Barbell),7,100,5,0,0,,,
"""


@pytest.fixture
def member(session):
    library.install_library(session)
    user = User(email="sam@example.com", name="Sam")
    session.add(user)
    session.commit()
    return user


def _count(session, model, user):
    return session.exec(select(func.count()).select_from(model).where(model.user_id == user.id)).one()


def _sets(session, user):
    rows = session.exec(
        select(WorkoutSet, Workout, Exercise)
        .join(Workout, Workout.id == WorkoutSet.workout_id)
        .join(Exercise, Exercise.id == WorkoutSet.exercise_id)
        .where(WorkoutSet.user_id == user.id)
        .order_by(Workout.started_at, Workout.name, WorkoutSet.logged_at, WorkoutSet.id)
    ).all()
    return [(w.name, w.started_at, e.name, s.set_number, s.set_type, s.reps, round(s.load_kg, 4), s.rpe, s.rir, s.note)
            for s, w, e in rows]


def test_strong_import_in_pounds(session, member):
    report = history_io.import_history(session, member, STRONG_LB, units="lb")
    session.commit()
    assert report.format == "strong"
    assert (report.workouts, report.sets, report.bad_rows) == (2, 6, [])
    assert _count(session, Workout, member) == 2
    assert _count(session, WorkoutSet, member) == 6
    assert session.exec(select(func.count()).select_from(FitnessData).where(
        FitnessData.user_id == member.id, FitnessData.type == "workout")).one() == 6

    legs = session.exec(select(Workout).where(Workout.user_id == member.id, Workout.name == "Leg Day")).one()
    assert legs.started_at == datetime(2023, 1, 15, 8, 30, tzinfo=UTC)
    assert legs.finished_at == datetime(2023, 1, 15, 9, 35, tzinfo=UTC)
    assert legs.notes == "Felt strong"
    rows = _sets(session, member)
    squats = [r for r in rows if r[2] == "Barbell Back Squat"]
    assert [(r[3], r[4], r[5], r[6], r[7]) for r in squats] == [
        (1, "warmup", 5, 43.0913, None),  # 95 lb
        (2, "working", 5, 102.0583, 8.0),  # 225 lb
        (3, "working", 5, 102.0583, 8.5),
    ]
    assert any(r[2] == "Leg Press" and r[6] == pytest.approx(163.2933, abs=1e-3) for r in rows)
    bench = next(r for r in rows if r[2] == "Barbell Bench Press")
    assert bench[9] == "paused, first rep" and bench[7] == 9.0

    entry = session.exec(select(FitnessData).where(FitnessData.user_id == member.id)).first()
    # The same keys live logging writes.
    assert set(entry.data) == {"set_id", "workout_id", "exercise_id", "exercise", "reps", "load_kg", "rpe", "rir", "set_type"}
    logged = session.get(WorkoutSet, entry.data["set_id"])
    assert logged.user_id == member.id and entry.data["load_kg"] == logged.load_kg
    assert entry.recorded_at == logged.logged_at


def test_an_unknown_exercise_becomes_a_private_custom_exercise(session, member):
    report = history_io.import_history(session, member, STRONG_LB, units="lb")
    session.commit()
    assert report.unknown_exercises == ["Zottman Curl (Dumbbell)"]
    custom = session.exec(select(Exercise).where(Exercise.name == "Zottman Curl (Dumbbell)")).one()
    assert custom.owner_id == member.id
    assert (custom.category, custom.primary_muscle) == ("arms", "biceps")
    other = User(email="other@example.com", name="Other")
    session.add(other)
    session.flush()
    assert library.search_exercises(session, user_id=other.id, query="zottman").total == 0
    assert library.search_exercises(session, user_id=member.id, query="zottman").total == 1


def test_reimporting_the_same_file_adds_nothing(session, member):
    history_io.import_history(session, member, STRONG_LB, units="lb")
    session.commit()
    exercises = session.exec(select(func.count()).select_from(Exercise)).one()
    again = history_io.import_history(session, member, STRONG_LB, units="lb")
    session.commit()
    assert (again.workouts, again.sets, again.already_imported, again.unknown_exercises) == (0, 0, 6, [])
    assert _count(session, WorkoutSet, member) == 6
    assert _count(session, Workout, member) == 2
    assert _count(session, FitnessData, member) == 6
    assert session.exec(select(func.count()).select_from(Exercise)).one() == exercises


def test_bad_rows_are_reported_by_line_and_good_rows_import(session, member):
    report = history_io.import_history(session, member, STRONG_WITH_BAD_ROWS)
    session.commit()
    assert [line for line, _ in report.bad_rows] == [3, 4, 5, 6, 7, 8, 9, 10]
    reasons = dict(report.bad_rows)
    assert "reps" in reasons[3] and "below 0" in reasons[3]
    assert "1000 kg" in reasons[4]
    assert "RPE" in reasons[5]
    assert "date" in reasons[6]
    assert reasons[7] == "missing exercise name"
    assert "reps" in reasons[8] and "1000" in reasons[8]
    assert "weight" in reasons[9]
    assert "steps of 0.5" in reasons[10]
    assert report.sets == 3 and report.workouts == 1
    assert {r[2] for r in _sets(session, member)} == {"Barbell Back Squat", "Leg Extension"}


def test_semicolon_strong_with_units_in_the_header(session, member):
    # The member's unit is pounds, but the header says the weights are kilograms.
    report = history_io.import_history(session, member, STRONG_KG, units="lb", tz="Europe/Berlin")
    session.commit()
    assert (report.workouts, report.sets, report.bad_rows) == (1, 3, [])
    workout = session.exec(select(Workout).where(Workout.user_id == member.id)).one()
    assert workout.started_at == datetime(2023, 2, 1, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert workout.finished_at == datetime(2023, 2, 1, 7, 0, tzinfo=UTC)
    rows = _sets(session, member)
    assert [(r[2], r[5], r[6]) for r in rows[:2]] == [("Conventional Deadlift", 3, 140.5), ("Conventional Deadlift", 3, 140.5)]
    plank = rows[2]
    assert (plank[2], plank[5], plank[6], plank[9]) == ("Plank", 0, 0.0, "60 s")


def test_hevy_import(session, member):
    report = history_io.import_history(session, member, HEVY)
    session.commit()
    assert report.format == "hevy"
    assert (report.workouts, report.sets, report.bad_rows, report.unknown_exercises) == (2, 6, [], [])
    upper = session.exec(select(Workout).where(Workout.user_id == member.id, Workout.name == "Upper A")).one()
    assert upper.started_at == datetime(2023, 1, 15, 8, 30, tzinfo=UTC)
    assert upper.finished_at == datetime(2023, 1, 15, 9, 40, tzinfo=UTC)
    assert upper.notes == "Good session"
    rows = _sets(session, member)
    # A set to failure is a working set with nothing left in reserve.
    assert [(r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows if r[0] == "Upper A"] == [
        ("Barbell Bench Press", 1, "warmup", 8, 60.0, None, None),
        ("Barbell Bench Press", 2, "working", 5, 80.0, 8.0, None),
        ("Barbell Bench Press", 3, "working", 4, 80.0, 10.0, 0),
        ("Pull-Up", 1, "working", 10, 0.0, None, None),
        ("Lat Pulldown", 1, "drop", 12, 55.0, None, None),
    ]
    assert rows[1][9] == "elbows in"
    run = rows[-1]
    assert (run[2], run[5], run[9]) == ("Treadmill Run", 0, "1800 s; 5 km")
    assert _count(session, FitnessData, member) == 6
    assert history_io.import_history(session, member, HEVY).sets == 0


def test_export_then_import_into_another_user_reproduces_the_sets(session, member):
    history_io.import_history(session, member, STRONG_LB, units="lb")
    history_io.import_history(session, member, HEVY)
    workout = session.exec(select(Workout).where(Workout.user_id == member.id, Workout.name == "Push")).one()
    workout.name = "=HYPERLINK(\"x\")"
    session.add(workout)
    first = session.exec(select(WorkoutSet).where(WorkoutSet.workout_id == workout.id)).first()
    first.rir, first.note = 2, "-5 kg next time"
    session.add(first)
    session.commit()

    exported = history_io.export_history(session, member)
    text = exported.decode("utf-8")
    assert text.splitlines()[0] == "date,workout,exercise,set_number,set_type,reps,weight_kg,rpe,rir,note"
    assert "'=HYPERLINK" in text and "'-5 kg next time" in text

    other = User(email="jo@example.com", name="Jo")
    session.add(other)
    session.commit()
    report = history_io.import_history(session, other, exported)
    session.commit()
    assert report.format == "adaptivefit"
    assert report.bad_rows == []
    assert (report.workouts, report.sets) == (4, 12)
    assert _sets(session, other) == _sets(session, member)
    assert report.unknown_exercises == ["Zottman Curl (Dumbbell)"]
    copy = session.exec(select(Exercise).where(Exercise.name == "Zottman Curl (Dumbbell)", Exercise.owner_id == other.id)).one()
    assert copy.owner_id == other.id
    assert _count(session, FitnessData, other) == 12

    # Reading the export back into the account it came from adds nothing.
    back = history_io.import_history(session, member, exported)
    assert (back.workouts, back.sets, back.already_imported) == (0, 0, 12)


def test_an_import_is_one_transaction_for_the_caller(session, member):
    history_io.import_history(session, member, STRONG_LB, units="lb")
    session.rollback()
    assert _count(session, WorkoutSet, member) == 0
    assert _count(session, Workout, member) == 0
    assert _count(session, FitnessData, member) == 0
    assert session.exec(select(Exercise).where(Exercise.owner_id == member.id)).first() is None


def test_records_are_rebuilt_when_that_service_exists(session, member, monkeypatch):
    records = pytest.importorskip("adaptivefit.services.training.records")
    calls = []
    monkeypatch.setattr(records, "rebuild_records", lambda session_, user_id: calls.append(user_id))
    history_io.import_history(session, member, HEVY)
    assert calls == [member.id]
    history_io.import_history(session, member, HEVY)
    assert calls == [member.id]  # nothing new, nothing to redo


def test_rows_of_our_own_format_are_checked_too(session, member):
    data = (
        "date,workout,exercise,set_number,set_type,reps,weight_kg,rpe,rir,note\n"
        "2023-04-01T10:00:00+00:00,Pull,Pull-Up,1,working,8,0,,2,\n"
        "2023-04-01T10:00:00+00:00,Pull,Pull-Up,2,cluster,8,0,,,\n"
        "2023-04-01T10:00:00+00:00,Pull,Pull-Up,3,working,8,0,,12,\n"
        "2023-04-01T10:00:00+00:00,Pull,Pull-Up,0,working,8,0,,,\n"
        "2099-04-01T10:00:00+00:00,Pull,Pull-Up,1,working,8,0,,,\n"
    ).encode()
    report = history_io.import_history(session, member, data)
    assert report.sets == 1
    reasons = dict(report.bad_rows)
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "set type" in reasons[3] and "RIR" in reasons[4] and "set number" in reasons[5] and "date" in reasons[6]


@pytest.mark.parametrize(("data", "field"), [
    (b"", "file"),
    (b"name,calories\nApple,52\n", "file"),
])
def test_files_that_are_not_a_history_are_refused(session, member, data, field):
    with pytest.raises(ValidationFailed) as error:
        history_io.import_history(session, member, data)
    assert field in error.value.errors


def test_bad_units_or_time_zone_are_refused(session, member):
    with pytest.raises(ValidationFailed):
        history_io.import_history(session, member, HEVY, units="stone")
    with pytest.raises(ValidationFailed):
        history_io.import_history(session, member, HEVY, tz="Mars/Olympus")
