from sqlmodel import func, select

from adaptivefit.models import FitnessData, PlanExercise, ProgramVersion, Role, Trainer, TrainingProgram, User, WorkoutSet
from adaptivefit.demo import load_demo
from adaptivefit.services.accounts.passwords import verify_password
from adaptivefit.services.files.uploads import upload_dir


def _counts(session):
    return {
        model.__name__: session.exec(select(func.count()).select_from(model)).one()
        for model in (User, WorkoutSet, FitnessData, Trainer, TrainingProgram, ProgramVersion, PlanExercise)
    }


def test_demo_fills_a_fresh_database_and_prints_working_passwords(session):
    report = load_demo(session)
    session.commit()
    assert len(report.created_accounts) == 3
    roles = {u.email: u.role for u in session.exec(select(User)).all()}
    assert sorted(roles.values()) == sorted([Role.MEMBER, Role.TRAINER, Role.ADMIN])
    for email, password in report.created_accounts.items():
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.password_hash.startswith("$2b$12$")
        assert verify_password(password, user.password_hash)
    assert report.history_created
    sets = session.exec(select(func.count()).select_from(WorkoutSet)).one()
    workout_records = session.exec(select(func.count()).select_from(FitnessData).where(FitnessData.type == "workout")).one()
    assert sets >= 100 and workout_records == sets
    assert {"sleep", "bodyweight", "nutrition"} <= set(session.exec(select(FitnessData.type).distinct()).all())
    assert report.images_drawn > 0 and len(list(upload_dir().glob("*.png"))) == report.images_drawn


def test_demo_is_idempotent(session):
    load_demo(session)
    session.commit()
    before = _counts(session)
    again = load_demo(session)
    session.commit()
    assert again.created_accounts == {} and not again.history_created
    assert _counts(session) == before


def test_demo_passwords_differ_between_installations(session):
    first = load_demo(session).created_accounts
    assert len(set(first.values())) == 3


def test_demo_trainer_is_approved_with_a_free_a_one_time_and_a_monthly_program(session):
    from adaptivefit.services.marketplace import listing

    load_demo(session)
    session.commit()
    trainer_user = session.exec(select(User).where(User.email == "trainer@adaptivefit.example")).one()
    trainer = session.exec(select(Trainer).where(Trainer.user_id == trainer_user.id)).one()
    assert trainer.status == "approved" and trainer.certification_verified and trainer.headline
    found = listing.browse(session, sort="price_low")
    rows = found.cards
    assert found.total == 3
    assert [(r.price_kind, r.price) for r in rows] == [("free", "Free"), ("subscription", "$9.99/month"),
                                                       ("one_time", "$29.00")]
    for row in rows:
        page = listing.program_page(session, None, row.id)
        assert page.version == 1 and page.week_one and all(day["exercises"] for day in page.week_one)
        assert page.summary["weeks"] == 4
    free = listing.browse(session, equipment_ids=[]).cards
    assert [r.title for r in free] == ["Bodyweight Foundations"]
