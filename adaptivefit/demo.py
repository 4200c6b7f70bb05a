"""A realistic demo: three accounts, the exercise library, equipment with pictures, six weeks of
a member's training, food, sleep and bodyweight, and an approved trainer with three published
programs (free, one-time and monthly). Running it again changes nothing.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from PIL import Image, ImageDraw, ImageFont
from sqlmodel import Session, select

from adaptivefit.models import (
    Equipment,
    Exercise,
    FitnessData,
    FoodEntry,
    Goal,
    NutritionGoal,
    Role,
    StripeEvent,
    TestPaymentObject,
    Trainer,
    TrainingProgram,
    User,
    Workout,
    WorkoutSet,
)
from adaptivefit.services.catalog import equipment_profiles, library
from adaptivefit.services.marketplace import program_builder, program_publishing
from adaptivefit.services.nutrition import foods
from adaptivefit.services.training import badges, plan_exercises, plans, records
from adaptivefit.services.accounts.passwords import hash_password
from adaptivefit.services.files.uploads import save_image

DEMO_ACCOUNTS = (
    ("member@adaptivefit.example", "Maya Member", Role.MEMBER),
    ("trainer@adaptivefit.example", "Theo Trainer", Role.TRAINER),
    ("admin@adaptivefit.example", "Ada Admin", Role.ADMIN),
)
HISTORY_WEEKS = 6

TYPE_COLOURS = {
    "free weight": (31, 158, 119),
    "machine": (58, 110, 196),
    "cable": (124, 82, 196),
    "bodyweight": (214, 122, 40),
    "cardio": (204, 64, 88),
    "accessory": (96, 110, 128),
}

# Push / pull / legs, with starting loads in kg for a trained intermediate lifter.
SESSIONS = {
    "Push": [("Barbell Bench Press", 60.0, 8), ("Barbell Overhead Press", 37.5, 8), ("Dumbbell Lateral Raise", 8.0, 12)],
    "Pull": [("Conventional Deadlift", 100.0, 5), ("Barbell Bent-Over Row", 55.0, 8), ("Pull-Up", 0.0, 8)],
    "Legs": [("Barbell Back Squat", 80.0, 6), ("Romanian Deadlift", 70.0, 8), ("Standing Calf Raise", 40.0, 12)],
}

MEALS = {
    "breakfast": [("Rolled oats with milk", 380, 18, 55, 9, 250, "g"), ("Greek yogurt with berries", 230, 20, 25, 5, 250, "g")],
    "lunch": [("Chicken breast, rice and broccoli", 620, 48, 70, 12, 450, "g"), ("Tuna wholegrain sandwich", 480, 32, 50, 14, 1, "serving")],
    "dinner": [("Salmon with potatoes and salad", 650, 40, 55, 26, 500, "g"), ("Beef chilli with beans", 590, 42, 48, 20, 450, "g")],
    "snack": [("Banana", 105, 1.3, 27, 0.4, 120, "g"), ("Whey protein shake", 120, 24, 3, 1.5, 30, "g")],
}


@dataclass
class DemoReport:
    created_accounts: dict[str, str] = field(default_factory=dict)  # email -> password
    existing_accounts: list[str] = field(default_factory=list)
    equipment_added: int = 0
    exercises_added: int = 0
    images_drawn: int = 0
    foods_added: int = 0
    history_created: bool = False


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType
        return ImageFont.load_default()


def draw_equipment_picture(name: str, kind: str) -> Image.Image:
    """A simple illustration card for an equipment item, drawn here rather than downloaded."""
    colour = TYPE_COLOURS.get(kind, (96, 110, 128))
    image = Image.new("RGB", (480, 270), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 60) for c in colour)
    for i in range(6):
        draw.ellipse([-60 + i * 100, 170 - (i % 2) * 40, 60 + i * 100, 290 - (i % 2) * 40], fill=light)
    draw.rounded_rectangle([150, 70, 330, 86], radius=6, fill="white")
    for x in (140, 318):
        draw.rounded_rectangle([x, 40, x + 22, 116], radius=6, fill="white")
    draw.text((240, 160), name, fill="white", font=_font(30), anchor="mm")
    draw.text((240, 200), kind.title(), fill="white", font=_font(18), anchor="mm")
    return image


def _ensure_accounts(session: Session, report: DemoReport) -> dict[Role, User]:
    users: dict[Role, User] = {}
    for email, name, role in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User(email=email, name=name, role=role, password_hash=hash_password(password))
            session.add(user)
            session.flush()
            report.created_accounts[email] = password
        else:
            report.existing_accounts.append(email)
        users[role] = user
    return users


def _ensure_pictures(session: Session, report: DemoReport) -> None:
    for item in session.exec(select(Equipment).where(Equipment.image.is_(None))).all():
        item.image = save_image(draw_equipment_picture(item.name, item.type))
        session.add(item)
        report.images_drawn += 1


TRAINER_PROFILE = {
    "headline": "Strength coach · 10 years · busy people, three sessions a week",
    "bio": "Strength coach for ten years; I help busy people get strong on three sessions a week.",
    "specialties": ["strength", "powerlifting", "beginners"],
}

# The demo trainer's programs: one free, one one-time and one monthly. Each day lists
# (exercise, sets, reps, load) and the weeks progress by RPE or reps.
PROGRAMS = (
    {
        "title": "Strong in 12 Hours",
        "description": "Four weeks of push, pull and legs, three hours a week, with RPE-guided loads. "
                       "For lifters who know the main barbell lifts and want a simple, steady progression.",
        "goal": "strength", "level": "intermediate", "weeks": 4, "price_kind": "one_time", "price": "29.00",
        "days": {day: [(name, 3, f"{reps}", "") for name, _load, reps in lifts] for day, lifts in SESSIONS.items()},
        "rpe": lambda week: 7 + 0.5 * (week - 1),
    },
    {
        "title": "Bodyweight Foundations",
        "description": "Four weeks of full-body sessions at home with no equipment: squats, push-ups, lunges "
                       "and bridges, with a few more reps each week. A first program for beginners.",
        "goal": "general_fitness", "level": "beginner", "weeks": 4, "price_kind": "free", "price": "",
        "days": {
            "Full Body A": [("Bodyweight Squat", 3, "10-15", ""), ("Push-Up", 3, "6-10", ""), ("Glute Bridge", 3, "12-15", "")],
            "Full Body B": [("Split Squat", 3, "8-12", ""), ("Pike Push-Up", 3, "6-8", ""), ("Superman Hold", 3, "10", "")],
        },
        "rpe": lambda week: 6.5 + 0.5 * (week - 1),
    },
    {
        "title": "Dumbbell Hypertrophy Club",
        "description": "An upper / lower split with dumbbells and a bench, built for muscle: rep ranges, "
                       "controlled tempo and steady weekly overload. New blocks are added for subscribers.",
        "goal": "hypertrophy", "level": "intermediate", "weeks": 4, "price_kind": "subscription", "price": "9.99",
        "days": {
            "Upper": [("Dumbbell Bench Press", 4, "8-12", ""), ("One-Arm Dumbbell Row", 4, "10-12", ""),
                      ("Seated Dumbbell Shoulder Press", 3, "10-12", ""), ("Dumbbell Lateral Raise", 3, "12-15", "")],
            "Lower": [("Dumbbell Walking Lunge", 3, "10-12", ""), ("Dumbbell Romanian Deadlift", 4, "8-12", ""),
                      ("Bulgarian Split Squat", 3, "8-10", ""), ("Single-Leg Calf Raise", 3, "12-15", "")],
        },
        "rpe": lambda week: 7 + 0.5 * (week - 1),
    },
)


def _ensure_trainer(session: Session, trainer_user: User, admin: User, now: datetime) -> None:
    """The demo trainer, approved and verified, so their programs are on the marketplace."""
    trainer = session.exec(select(Trainer).where(Trainer.user_id == trainer_user.id)).first()
    if trainer is None:
        trainer = Trainer(user_id=trainer_user.id, applied_at=now)
    wanted = {"status": "approved", "certification_verified": True, **TRAINER_PROFILE}
    if any(getattr(trainer, key) != value for key, value in wanted.items()) or trainer.id is None:
        for key, value in wanted.items():
            setattr(trainer, key, value)
        trainer.reviewed_at, trainer.reviewed_by = trainer.reviewed_at or now, trainer.reviewed_by or admin.id
        session.add(trainer)
        session.flush()


def _ensure_program(session: Session, trainer_user: User, spec: dict) -> TrainingProgram:
    """Create, fill and publish one demo program; one already published is left as it is."""
    program = session.exec(select(TrainingProgram).where(TrainingProgram.owner_id == trainer_user.id,
                                                         TrainingProgram.name == spec["title"])).first()
    if program is not None and program.current_version > 0:
        return program
    if program is None:
        program = program_builder.create_program(session, trainer_user, spec["title"])
    exercises = {e.name: e.id for e in session.exec(select(Exercise).where(Exercise.owner_id.is_(None))).all()}
    wanted = {exercises[name] for lifts in spec["days"].values() for name, *_ in lifts}
    needs = equipment_profiles.needed_equipment(session, wanted)
    program_builder.update_details(session, trainer_user, program.id, {
        "title": spec["title"], "description": spec["description"], "goal": spec["goal"], "level": spec["level"],
        "duration_weeks": str(spec["weeks"]), "equipment_ids": sorted(set().union(*needs.values())),
        "price_kind": spec["price_kind"], "price": spec["price"], "currency": "usd"})
    plan = program_publishing.draft_plan(session, program)
    if not plans.plan_view(session, trainer_user, plan.id).days:
        for week in range(1, spec["weeks"] + 1):
            for day_name, lifts in spec["days"].items():
                day = plans.add_day(session, trainer_user, plan.id, week=week, name=day_name)
                for name, sets, reps, load in lifts:
                    plan_exercises.add_plan_exercise(session, trainer_user, day.id, {
                        "exercise_id": str(exercises[name]), "sets": str(sets), "reps": reps, "load": load,
                        "target_rpe": f"{min(9.5, spec['rpe'](week)):g}", "rest_s": "150" if sets >= 4 else "90"})
    program_publishing.publish(session, trainer_user, program.id, changelog="First version.")
    return program


def _buy_with_the_test_card(session: Session, member: User, program: TrainingProgram) -> None:
    """The member buys the one-time program as members do without Stripe keys: a Checkout at the
    database's price, card 4242 on the test provider, and its webhook events applied by the webhook's
    own handlers (here in this transaction, since the app may not be running). So the purchase has
    its plan, the trainer's ledger sale and a payment an admin can refund.

    Never with Stripe keys: the demo does not buy anything from a real account.
    """
    from adaptivefit.services.payments import billing, checkout, simulated_checkout, webhook_events
    from adaptivefit.services.payments.simulated_delivery import pending_events
    from adaptivefit.services.payments.simulator import SimulatedGateway

    if not billing.test_mode():
        return
    url = checkout.start_program_checkout(session, member, program.id)
    gateway = SimulatedGateway(session)
    simulated_checkout.pay(gateway, url.split("?")[0].rstrip("/").rsplit("/", 1)[-1], {
        "card_number": "4242 4242 4242 4242", "expiry": "12 / 34", "cvc": "123", "name": member.name,
        "email": member.email})
    for event in pending_events(session):
        session.add(StripeEvent(id=event["id"], type=event["type"], created=datetime.fromtimestamp(event["created"], UTC)))
        webhook_events.apply(session, event, gateway=gateway)
        row = session.get(TestPaymentObject, event["id"])
        row.data = {**row.data, "delivered": True}
        session.add(row)
    session.flush()


def _ensure_history(session: Session, member: User, program: TrainingProgram, now: datetime) -> bool:
    if session.exec(select(Workout).where(Workout.user_id == member.id)).first() is not None:
        return False
    # What energy targets need: an intermediate lifter in her early thirties.
    member.date_of_birth = date(1994, 5, 12)
    member.sex, member.height_cm, member.fitness_level = "female", 168.0, "intermediate"
    session.add(member)
    rng = random.Random(20261124)
    exercises = {e.name: e for e in session.exec(select(Exercise).where(Exercise.owner_id.is_(None))).all()}
    start = (now - timedelta(weeks=HISTORY_WEEKS)).replace(hour=0, minute=0, second=0, microsecond=0)

    session.add(Goal(user_id=member.id, goal_type="strength", primary_goal_type="strength",
                     secondary_goal_type="hypertrophy", details={"target": "bench press 80 kg"}, priority=1))
    session.add(Goal(user_id=member.id, goal_type="body_composition", primary_goal_type="fat_loss",
                     details={"target_weight_kg": 68.0, "rate_kg_per_week": 0.25}, priority=2))
    session.add(NutritionGoal(user_id=member.id, calories=2200, protein_g=150, carbs_g=230, fat_g=75))
    _buy_with_the_test_card(session, member, program)
    plan_days = _push_pull_legs(session, member, exercises)

    order = list(SESSIONS)
    session_index = 0
    counter = iter(range(1, 10**9))
    for day in range(HISTORY_WEEKS * 7):
        day_start = start + timedelta(days=day)
        if day_start > now:
            break
        _log_a_day(session, member, rng, day, day_start)
        if day_start.weekday() not in (0, 2, 4):
            continue
        kind = order[session_index % len(order)]
        _log_a_workout(session, member, rng, kind, session_index // len(order), plan_days[kind],
                       day_start + timedelta(hours=18), exercises, counter)
        session_index += 1
    session.flush()
    records.rebuild_records(session, member.id)
    badges.evaluate(session, member, now=now)
    return True


def _push_pull_legs(session: Session, member: User, exercises: dict[str, Exercise]) -> dict[str, int]:
    """The member trains push / pull / legs from a plan at a full gym, with dumbbells at home too.

    Returns the plan's day ids by session name."""
    gym = equipment_profiles.create_profile(session, member, "Gym", [e.id for e in session.exec(select(Equipment)).all()])
    home_ids = [e.id for e in session.exec(select(Equipment).where(
        Equipment.name.in_(["Dumbbell", "Adjustable Bench", "Pull-up Bar", "Resistance Band"]))).all()]
    equipment_profiles.create_profile(session, member, "Home", home_ids)
    equipment_profiles.set_default(session, member, gym.id)
    plan = plans.create_plan(session, member, "Push Pull Legs")
    plans.set_active(session, member, plan.id)  # the history below follows this plan, not the bought one
    plan_days = {}
    for day_name, lifts in SESSIONS.items():
        day = plans.add_day(session, member, plan.id, week=1, name=day_name)
        plan_days[day_name] = day.id
        for exercise_name, _load, reps in lifts:
            plan_exercises.add_plan_exercise(session, member, day.id, {
                "exercise_id": str(exercises[exercise_name].id), "sets": "3", "reps": f"{reps}-{reps + 2}",
                "target_rpe": "8", "rest_s": "150" if reps <= 6 else "90"})
    plans.set_active(session, member, plan.id)
    return plan_days


def _log_a_day(session: Session, member: User, rng: random.Random, day: int, day_start: datetime) -> None:
    """Sleep and bodyweight every morning (weight drifts down a quarter kilo a week with noise), four meals."""
    sleep_hours = round(rng.gauss(7.3, 0.6), 1)
    session.add(FitnessData(user_id=member.id, type="sleep", recorded_at=day_start + timedelta(hours=7),
                            data={"hours": sleep_hours, "quality": rng.choice(["good", "fair", "good", "great"])}))
    weight = round(72.0 - 0.25 * day / 7 + rng.gauss(0, 0.3), 1)
    session.add(FitnessData(user_id=member.id, type="bodyweight", recorded_at=day_start + timedelta(hours=7, minutes=5),
                            data={"kg": weight}))
    for meal, hour in (("breakfast", 8), ("lunch", 13), ("snack", 16), ("dinner", 19)):
        name, kcal, protein, carbs, fat, qty, unit = rng.choice(MEALS[meal])
        eaten = day_start + timedelta(hours=hour)
        session.add(FoodEntry(user_id=member.id, food=name, name=name, calories=kcal, protein_g=protein,
                              carbs_g=carbs, fat_g=fat, quantity=qty, unit=unit, meal_type=meal, eaten_at=eaten))
        session.add(FitnessData(user_id=member.id, type="nutrition", recorded_at=eaten,
                                data={"meal": meal, "name": name, "calories": kcal, "protein_g": protein,
                                      "carbs_g": carbs, "fat_g": fat}))


def _log_a_workout(session: Session, member: User, rng: random.Random, kind: str, week: int, plan_day_id: int,
                   started: datetime, exercises: dict[str, Exercise], counter) -> None:
    workout = Workout(user_id=member.id, name=kind, started_at=started, plan_day_id=plan_day_id,
                      finished_at=started + timedelta(minutes=55 + rng.randint(0, 15)))
    session.add(workout)
    session.flush()
    minute = 0
    for exercise_name, base_load, reps in SESSIONS[kind]:
        exercise = exercises[exercise_name]
        # Small weekly progression, rounded to the 2.5 kg a barbell can be loaded in.
        load = base_load if base_load == 0 else math.floor((base_load * (1 + 0.025 * week)) / 2.5) * 2.5
        for set_number in range(1, 4):
            minute += 3
            done = reps - (1 if set_number == 3 and rng.random() < 0.3 else 0)
            rpe = min(10.0, 7.0 + set_number * 0.5 + rng.choice([0.0, 0.5]))
            logged = started + timedelta(minutes=minute)
            logged_set = WorkoutSet(workout_id=workout.id, user_id=member.id, exercise_id=exercise.id,
                                    client_id=f"demo-{next(counter)}", set_number=set_number, reps=done,
                                    load_kg=load, rpe=rpe, rest_s=150 if reps <= 6 else 90, logged_at=logged)
            session.add(logged_set)
            session.flush()
            # The same shape live logging writes, so the generic history reads alike.
            session.add(FitnessData(user_id=member.id, type="workout", recorded_at=logged,
                                    data={"set_id": logged_set.id, "workout_id": workout.id,
                                          "exercise_id": exercise.id, "exercise": exercise_name, "reps": done,
                                          "load_kg": load, "rpe": rpe, "rir": None, "set_type": "working"}))


def load_demo(session: Session, *, now: datetime | None = None) -> DemoReport:
    """Fill the database with the demo; safe to run again (it only adds what is missing)."""
    now = now or datetime.now(UTC)
    report = DemoReport()
    report.equipment_added, report.exercises_added = library.install_library(session)
    report.foods_added = foods.install_foods(session)
    _ensure_pictures(session, report)
    users = _ensure_accounts(session, report)
    _ensure_trainer(session, users[Role.TRAINER], users[Role.ADMIN], now)
    program = [_ensure_program(session, users[Role.TRAINER], spec) for spec in PROGRAMS][0]
    report.history_created = _ensure_history(session, users[Role.MEMBER], program, now)
    return report
