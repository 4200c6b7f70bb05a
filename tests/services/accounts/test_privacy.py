import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from adaptivefit.models import (
    ApiToken,
    CoachTweak,
    AuditEvent,
    AuthSession,
    Equipment,
    Exercise,
    FitnessData,
    FoodEntry,
    Goal,
    LoginThrottle,
    NutritionGoal,
    PasswordResetToken,
    Payout,
    Purchase,
    RecoveryCode,
    Trainer,
    TrainingProgram,
    User,
    Workout,
    WorkoutSet,
)
from adaptivefit.models.base import utcnow
from adaptivefit.services.accounts import privacy
from adaptivefit.services.core import audit
from adaptivefit.services.files.avatars import set_avatar
from adaptivefit.services.files.uploads import upload_dir

EXPECTED_FILES = {
    "README.txt", "profile.json", "sessions.json", "fitness_data.json", "goals.json", "workouts.json",
    "workout_sets.json", "food_entries.json", "nutrition_goals.json", "purchases.json", "training_programs.json",
    "trainer.json", "payouts.json", "api_tokens.json", "audit_events.json", "exercises.json",
    "plans.json", "plan_days.json", "plan_exercises.json", "equipment_profiles.json", "equipment_profile_items.json",
    "personal_records.json", "achievements.json", "foods.json", "recipe_ingredients.json",
    "expenditure_estimates.json", "coach_tweaks.json", "program_reviews.json", "checkouts.json",
    "trainer_certificates.json",
}


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Person:
    user: User
    email: str
    name: str
    ip: str
    secrets: list[str] = field(default_factory=list)
    program: TrainingProgram | None = None
    trainer: Trainer | None = None


def _fill(session, *, tag: str, ip: str, with_payouts: bool = True) -> Person:
    """A member with a record of every kind the app holds, each marked with `tag`."""
    email = f"{tag.lower()}.quixotic@example.com"
    name = f"{tag} Quixotic"
    password_hash = f"$2b$04${tag}PasswordHashNeverExported000000000000000000000"[:60]
    totp_secret = f"{tag.upper()}TOTPSECRETBASE32XX"
    user = User(email=email, name=name, password_hash=password_hash, totp_secret=totp_secret, totp_enabled=True,
                totp_last_step=58_000_123, units="lb", timezone="Europe/Oslo", date_of_birth=date(1988, 3, 9),
                sex="female", height_cm=168.0, allow_coach_training=True)
    session.add(user)
    session.flush()
    uid = user.id
    now = utcnow()
    secrets = [password_hash, totp_secret, _hash(f"{tag}-session"), _hash(f"{tag}-api"), _hash(f"{tag}-recovery"),
               _hash(f"{tag}-reset"), f"acct_{tag}Stripe"]
    shared = session.exec(select(Exercise).where(Exercise.slug == "shared-squat")).first()
    if shared is None:
        shared = Exercise(name="Squat", slug="shared-squat", category="strength", primary_muscle="quads")
        session.add(shared)
    private = Exercise(name=f"{tag} secret lunge", slug=f"{tag.lower()}-lunge", category="strength",
                       primary_muscle="glutes", owner_id=uid)
    session.add(private)
    session.flush()
    workout = Workout(user_id=uid, name=f"{tag} leg day", notes=f"{tag} felt strong")
    session.add(workout)
    session.flush()
    trainer = Trainer(user_id=uid, bio=f"{tag} coaches powerlifting", specialties=[f"{tag}-strength"],
                      stripe_account_id=f"acct_{tag}Stripe", commission_percent=Decimal("12.50"))
    session.add(trainer)
    program = TrainingProgram(owner_id=uid, name=f"{tag} 12-week strength", price_cents=4900)
    session.add(program)
    session.flush()
    session.add_all([
        WorkoutSet(workout_id=workout.id, user_id=uid, exercise_id=shared.id, client_id=f"{tag}-1", set_number=1, reps=5, load_kg=100.0),
        WorkoutSet(workout_id=workout.id, user_id=uid, exercise_id=private.id, client_id=f"{tag}-2", set_number=2, reps=8, load_kg=40.0),
        FitnessData(user_id=uid, type="bodyweight", data={"kg": 61.5, "note": f"{tag} morning"}),
        FitnessData(user_id=uid, type="sleep", data={"hours": 7.5}),
        Goal(user_id=uid, goal_type="strength", details={"target": f"{tag} 2x bodyweight squat"}),
        FoodEntry(user_id=uid, name=f"{tag} porridge", calories=350, protein_g=12, carbs_g=60, fat_g=6,
                  quantity=1, unit="bowl", meal_type="breakfast"),
        NutritionGoal(user_id=uid, calories=2200, protein_g=140, carbs_g=250, fat_g=70),
        AuthSession(user_id=uid, token_hash=_hash(f"{tag}-session"), user_agent=f"{tag}Browser/1.0", ip_address=ip,
                    expires_at=now + timedelta(days=30)),
        ApiToken(user_id=uid, name=f"{tag} watch sync", prefix="af_abc", token_hash=_hash(f"{tag}-api")),
        RecoveryCode(user_id=uid, code_hash=_hash(f"{tag}-recovery")),
        PasswordResetToken(user_id=uid, token_hash=_hash(f"{tag}-reset"), expires_at=now + timedelta(hours=1)),
        LoginThrottle(scope="account", key=privacy.throttle_key(email), failures=3),
        Equipment(name=f"Kettlebell #{uid}", type="free_weight", created_by=uid),
        CoachTweak(user_id=uid, workout_id=workout.id, exercise_id=shared.id, event="struggle_set",
                   action="add_rest", message=f"{tag} take a longer rest", status="accepted"),
    ])
    if with_payouts:
        session.add(Payout(trainer_id=trainer.id, amount_cents=12_345, period_start=now - timedelta(days=30), period_end=now))
    audit.record(session, "login_ok", user_id=uid, ip_address=ip, email=email)
    audit.record(session, "password_changed", user_id=uid, ip_address=ip)
    session.flush()
    return Person(user=user, email=email, name=name, ip=ip, secrets=secrets, program=program, trainer=trainer)


@pytest.fixture
def people(session):
    zelda = _fill(session, tag="Zelda", ip="203.0.113.77")
    other = _fill(session, tag="Otto", ip="198.51.100.23")
    # Each bought the other's program; Zelda, an admin, once changed Otto's role.
    session.add(Purchase(user_id=zelda.user.id, program_id=other.program.id, kind="subscription", amount_cents=2_999,
                         stripe_subscription_id="sub_1NqHiddenFromExport"))
    session.add(Purchase(user_id=other.user.id, program_id=zelda.program.id, kind="one_time", amount_cents=4_900))
    audit.record(session, "role_changed", user_id=other.user.id, actor_id=zelda.user.id, ip_address=zelda.ip,
                 new_role="trainer", by=zelda.email)
    set_avatar(session, zelda.user, _png(), ip_address=zelda.ip)
    set_avatar(session, other.user, _png(), ip_address=other.ip)
    session.commit()
    return zelda, other


def _open(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        return {name: opened.read(name) for name in opened.namelist()}


# --- export -------------------------------------------------------------------------------


def test_export_holds_every_kind_of_record_as_json(session, people):
    zelda, _ = people
    files = _open(privacy.export_user_data(session, zelda.user, ip_address=zelda.ip))
    assert set(files) == EXPECTED_FILES | {f"uploads/{zelda.user.avatar}"}
    data = {name: json.loads(body) for name, body in files.items() if name.endswith(".json")}

    profile = data["profile.json"]
    assert profile["email"] == zelda.email and profile["name"] == zelda.name
    assert profile["date_of_birth"] == "1988-03-09" and profile["height_cm"] == 168.0 and profile["units"] == "lb"
    assert profile["allow_coach_training"] is True and profile["avatar"] == zelda.user.avatar
    assert datetime.fromisoformat(profile["created_at"]).utcoffset() == timedelta(0)
    assert not {"password_hash", "totp_secret", "totp_last_step"} & set(profile)

    def names(file, key="name"):
        return {row[key] for row in data[file]}

    assert names("workouts.json") == {"Zelda leg day"}
    assert {row["reps"] for row in data["workout_sets.json"]} == {5, 8}
    assert {row["type"] for row in data["fitness_data.json"]} == {"bodyweight", "sleep"}
    assert data["goals.json"][0]["details"] == {"target": "Zelda 2x bodyweight squat"}
    assert names("food_entries.json") == {"Zelda porridge"}
    assert names("coach_tweaks.json", "message") == {"Zelda take a longer rest"}
    assert data["nutrition_goals.json"][0]["calories"] == 2200
    assert [row["amount_cents"] for row in data["purchases.json"]] == [2_999]
    assert names("training_programs.json") == {"Zelda 12-week strength"}
    assert data["trainer.json"][0]["bio"] == "Zelda coaches powerlifting"
    assert data["trainer.json"][0]["commission_percent"] == "12.50"
    assert [row["amount_cents"] for row in data["payouts.json"]] == [12_345]
    assert names("api_tokens.json") == {"Zelda watch sync"}
    assert names("exercises.json") == {"Zelda secret lunge"}
    assert {row["user_agent"] for row in data["sessions.json"]} == {"ZeldaBrowser/1.0"}
    assert {"login_ok", "password_changed", "avatar_changed"} <= {row["event"] for row in data["audit_events.json"]}
    for row in data["sessions.json"] + data["api_tokens.json"]:
        assert "token_hash" not in row
        datetime.fromisoformat(row["created_at"])

    with Image.open(io.BytesIO(files[f"uploads/{zelda.user.avatar}"])) as picture:
        assert picture.size == (256, 256)
    readme = files["README.txt"].decode()
    for name in EXPECTED_FILES - {"README.txt"}:
        assert name in readme


def test_export_leaves_out_secrets_and_other_people(session, people):
    zelda, other = people
    archive = privacy.export_user_data(session, zelda.user)
    contents = b"".join(_open(archive).values()) + archive
    # The payment processor's subscription id stays on the books, but is not the member's to download.
    for secret in zelda.secrets + other.secrets + ["sub_1NqHiddenFromExport"]:
        assert secret.encode() not in contents, secret
    for trace in ("Otto leg day", "Otto porridge", "Otto secret lunge", "OttoBrowser", other.email, other.ip, "Otto watch sync"):
        assert trace.encode() not in contents, trace


def test_export_is_audited(session, people):
    zelda, _ = people
    privacy.export_user_data(session, zelda.user, ip_address=zelda.ip)
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "data_exported")).one()
    assert event.user_id == zelda.user.id and event.ip_address == zelda.ip


def test_an_empty_account_exports_empty_lists(session):
    user = User(email="new@example.com", name="New")
    session.add(user)
    session.flush()
    files = _open(privacy.export_user_data(session, user))
    assert set(files) == EXPECTED_FILES
    assert json.loads(files["workouts.json"]) == []


# --- erasure ------------------------------------------------------------------------------


def _all_rows(session) -> dict[str, list[dict]]:
    return {
        table.name: [dict(row) for row in session.execute(sa_select(table)).mappings()]
        for table in SQLModel.metadata.sorted_tables
    }


def _user_columns() -> list[tuple[str, str]]:
    return [
        (column.table.name, column.name)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "users" for fk in column.foreign_keys)
    ]


def test_erasure_leaves_nothing_personal_anywhere(session, people):
    zelda, other = people
    uid, avatar = zelda.user.id, zelda.user.avatar
    assert (upload_dir() / avatar).is_file()
    before = _all_rows(session)
    assert zelda.email in json.dumps(before, default=str)  # the search below can find what it looks for

    privacy.erase_account(session, zelda.user, ip_address=zelda.ip)
    session.commit()
    session.expire_all()

    rows = _all_rows(session)
    dump = json.dumps(rows, default=str)
    for trace in [zelda.email, zelda.name, zelda.ip, "Zelda", "zelda", privacy.throttle_key(zelda.email), *zelda.secrets]:
        assert trace not in dump, (trace, [row for rows in rows.values() for row in rows if trace in json.dumps(row, default=str)])
    assert uid not in {row["id"] for row in rows["users"]}
    for table, column in _user_columns():
        assert uid not in {row[column] for row in rows[table]}, f"{table}.{column}"
    assert not (upload_dir() / avatar).exists()


def test_accounting_records_survive_without_the_person(session, people):
    zelda, other = people
    uid, trainer_id = zelda.user.id, zelda.trainer.id
    privacy.erase_account(session, zelda.user)
    session.commit()
    session.expire_all()

    purchase = session.exec(select(Purchase).where(Purchase.amount_cents == 2_999)).one()
    assert purchase.user_id is None and purchase.currency == "usd" and purchase.kind == "subscription"
    trainer = session.get(Trainer, trainer_id)
    assert trainer is not None
    assert (trainer.user_id, trainer.bio, trainer.specialties, trainer.stripe_account_id) == (None, "", [], None)
    assert [p.amount_cents for p in session.exec(select(Payout).where(Payout.trainer_id == trainer_id))] == [12_345]
    # Otto's purchase of Zelda's program stays on the books; the deleted program is no longer linked.
    bought = session.exec(select(Purchase).where(Purchase.user_id == other.user.id)).one()
    # Equipment Zelda added stays in the shared catalogue, no longer linked to her.
    assert session.exec(select(Equipment).where(Equipment.name == f"Kettlebell #{uid}")).one().created_by is None
    assert bought.amount_cents == 4_900 and bought.program_id is None

    log = session.exec(select(AuditEvent)).all()
    assert all(uid not in (event.user_id, event.actor_id) for event in log)
    deleted = [event for event in log if event.event == "account_deleted"]
    assert len(deleted) == 1
    assert (deleted[0].user_id, deleted[0].actor_id, deleted[0].ip_address, deleted[0].details) == (None, None, "", {})
    # What Zelda did to Otto's account is still about Otto, but no longer says who did it.
    role_change = next(event for event in log if event.event == "role_changed")
    assert role_change.user_id == other.user.id and role_change.actor_id is None and role_change.details == {}


def test_a_trainer_without_payouts_is_deleted(session):
    person = _fill(session, tag="Ida", ip="192.0.2.5", with_payouts=False)
    trainer_id = person.trainer.id
    privacy.erase_account(session, person.user)
    session.commit()
    assert session.get(Trainer, trainer_id) is None


def test_the_other_members_data_is_untouched(session, people):
    zelda, other = people
    before = {name: [row for row in rows if "Otto" in json.dumps(row, default=str)]
              for name, rows in _all_rows(session).items()}
    oid = other.user.id
    owned_before = {(t, c): sum(1 for row in _all_rows(session)[t] if row[c] == oid) for t, c in _user_columns()}

    privacy.erase_account(session, zelda.user)
    session.commit()
    session.expire_all()

    after = _all_rows(session)
    for name, rows in before.items():
        for row in rows:
            if name == "audit_events" and row["event"] == "role_changed":
                continue  # scrubbed because Zelda did it; checked above
            assert row in after[name], (name, row)
    owned_after = {(t, c): sum(1 for row in after[t] if row[c] == oid) for t, c in _user_columns()}
    assert owned_after == owned_before
    assert (upload_dir() / other.user.avatar).is_file()
    refreshed = session.get(User, oid)
    assert refreshed.email == other.email and refreshed.password_hash == other.secrets[0]
    assert session.exec(select(LoginThrottle).where(LoginThrottle.key == privacy.throttle_key(other.email))).one()


def test_erasure_uses_the_normalised_email_for_the_sign_in_throttle(session):
    user = User(email="ivy@example.com", name="Ivy")
    session.add(user)
    session.add(LoginThrottle(scope="account", key=hashlib.sha256(b"ivy@example.com").hexdigest(), failures=2))
    session.add(LoginThrottle(scope="address", key="192.0.2.44", failures=2))
    session.flush()
    privacy.erase_account(session, user)
    session.commit()
    assert [row.scope for row in session.exec(select(LoginThrottle))] == ["address"]


# --- a table added later cannot be forgotten ------------------------------------------------


def test_every_table_that_points_at_a_user_is_exported_and_erased():
    exported = {kind.model.__tablename__ for kind in privacy.EXPORTS}
    not_exported = {(c.class_.__tablename__, c.key) for c in privacy.NOT_EXPORTED}
    erased = {(c.class_.__tablename__, c.key) for c in privacy.ERASE_DELETE + privacy.ERASE_DETACH + privacy.ERASE_SPECIAL}
    for table, column in _user_columns():
        assert table in exported or (table, column) in not_exported, f"{table}.{column} is not in the export"
        assert (table, column) in erased, f"{table}.{column} is not handled by erasure"


# --- trainer certificates (private files) ---------------------------------------------------

_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _certificates(session, person: Person) -> list[str]:
    from adaptivefit.services.files import private_files
    from adaptivefit.services.marketplace import trainer_certificates

    names = [trainer_certificates.add_certificate(session, person.user, f"{person.name} CSCS", _PDF).file_name,
             trainer_certificates.add_certificate(session, person.user, f"{person.name} first aid", _png()).file_name]
    session.commit()
    assert all(private_files.path_of(name).is_file() for name in names)
    return names


def test_export_includes_the_certificates_and_their_records(session, people):
    zelda, other = people
    mine, theirs = _certificates(session, zelda), _certificates(session, other)
    files = _open(privacy.export_user_data(session, zelda.user))
    assert {f"photos/{name}" for name in mine} <= set(files)
    assert not {f"photos/{name}" for name in theirs} & set(files)
    assert files[f"photos/{mine[0]}"] == _PDF
    rows = json.loads(files["trainer_certificates.json"])
    assert sorted(row["file_name"] for row in rows) == sorted(mine)
    assert {row["title"] for row in rows} == {"Zelda Quixotic CSCS", "Zelda Quixotic first aid"}


@pytest.mark.parametrize("with_payouts", [True, False])
def test_erasure_deletes_the_certificates_files_and_records(session, with_payouts):
    from adaptivefit.models import TrainerCertificate
    from adaptivefit.services.files import private_files

    person = _fill(session, tag="Cora", ip="192.0.2.9", with_payouts=with_payouts)
    other = _fill(session, tag="Olaf", ip="192.0.2.10", with_payouts=False)
    mine, theirs = _certificates(session, person), _certificates(session, other)
    privacy.erase_account(session, person.user)
    session.commit()
    assert not any(private_files.path_of(name).exists() for name in mine)
    assert all(private_files.path_of(name).is_file() for name in theirs)
    left = session.exec(select(TrainerCertificate)).all()
    assert sorted(c.file_name for c in left) == sorted(theirs)
    assert "Cora" not in json.dumps(_all_rows(session), default=str)
