"""How fast the marketplace pages through thousands of programs.

Builds a temporary SQLite database (migrated with Alembic) with the equipment library, 200
approved trainers (and 20 not approved) and bulk-inserts programs with random goals, levels,
lengths, prices, ratings, sales and required equipment (a tenth hidden, drafts or unpublished);
then prints the median server time in ms of `listing.browse` for the first page, a deep
page, each sort, each filter, a text search and the "equipment I have" subset rule.

    .venv/bin/python bench/bench_marketplace.py [--programs 5000] [--runs 15]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import median_ms, migrate, prepare_environment  # noqa: E402

WORDS = ("Strong", "Lean", "Power", "Athletic", "Home", "Barbell", "Dumbbell", "Minimalist", "Summer", "Total",
         "Foundations", "Hypertrophy", "Shred", "Engine", "Builder", "Club", "Blueprint", "Basics", "Peak", "Flow")


def _fill(session, count: int, now: datetime) -> list[int]:
    from sqlmodel import select

    from adaptivefit.models import Equipment, ProgramEquipment, Role, Trainer, TrainingProgram, User
    from adaptivefit.services.catalog import library
    from adaptivefit.services.marketplace.programs import GOALS, LEVELS

    library.install_library(session)
    equipment = list(session.exec(select(Equipment.id)).all())
    rng = random.Random(7)
    owners = []
    for n in range(220):
        user = User(email=f"trainer{n}@bench.example", name=f"Trainer {n}", role=Role.TRAINER)
        session.add(user)
        session.flush()
        session.add(Trainer(user_id=user.id, status="approved" if n < 200 else "pending",
                            certification_verified=n % 3 == 0))
        owners.append(user.id)
    session.flush()
    programs, links = [], []
    for n in range(count):
        kind = rng.choice(("free", "one_time", "one_time", "subscription"))
        status = rng.choices(("published", "draft", "unpublished"), (90, 6, 4))[0]
        rated = rng.random() < 0.7
        programs.append({
            "owner_id": rng.choice(owners), "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n}",
            "description": "A program generated for the benchmark. " * 5, "exercises": {}, "price_kind": kind,
            "price_cents": 0 if kind == "free" else rng.choice((499, 999, 1499, 1999, 2900, 4900)), "currency": "usd",
            "status": status, "goal": rng.choice(GOALS), "level": rng.choice(LEVELS),
            "duration_weeks": rng.randint(1, 16), "current_version": 1 if status != "draft" else 0,
            "published_at": now - timedelta(minutes=n), "hidden": rng.random() < 0.03, "hidden_reason": "",
            "rating_avg": round(rng.uniform(2.5, 5.0), 2) if rated else 0.0, "rating_count": rng.randint(1, 300) if rated else 0,
            "sales_count": rng.randint(0, 5000), "created_at": now, "updated_at": now,
        })
    session.bulk_insert_mappings(TrainingProgram, programs)
    session.flush()
    ids = list(session.exec(select(TrainingProgram.id).order_by(TrainingProgram.id)).all())
    for program_id in ids:
        for equipment_id in rng.sample(equipment, rng.choice((0, 0, 1, 2, 3, 4))):
            links.append({"program_id": program_id, "equipment_id": equipment_id})
    session.bulk_insert_mappings(ProgramEquipment, links)
    session.commit()
    return equipment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-marketplace-"))
    url = prepare_environment(folder)
    migrate(url)
    from sqlmodel import Session

    from adaptivefit import db
    from adaptivefit.services.marketplace import listing

    now = datetime.now(UTC)
    with Session(db.get_engine()) as session:
        started = time.perf_counter()
        equipment = _fill(session, args.programs, now)
        print(f"seeded {args.programs} programs in {time.perf_counter() - started:.1f} s")
        listed = listing.browse(session).total
        print(f"listed: {listed}")
        home = equipment[:6]
        cases = {
            "first page, popular": {},
            "page 50, popular": {"page": 50},
            "sort rating": {"sort": "rating"},
            "sort newest": {"sort": "newest"},
            "sort price_low": {"sort": "price_low"},
            "sort price_high, page 20": {"sort": "price_high", "page": 20},
            "goal + level": {"goal": "strength", "level": "beginner"},
            "weeks 5-8": {"min_weeks": 5, "max_weeks": 8},
            "free only": {"price": "free"},
            "under $10": {"max_price_cents": 1000},
            "rating >= 4.5": {"min_rating": 4.5},
            "search 'power'": {"query": "power"},
            "search nothing matches": {"query": "zzzz"},
            "equipment I have (6 items)": {"equipment_ids": home},
            "bodyweight only": {"equipment_ids": []},
            "everything at once": {"query": "strong", "goal": "hypertrophy", "level": "intermediate",
                                   "equipment_ids": home, "max_weeks": 12, "min_rating": 3, "sort": "rating"},
        }
        width = max(len(name) for name in cases)
        print(f"{'browse()':<{width}}  median ms  (matches)")
        for name, filters in cases.items():
            total = listing.browse(session, **filters).total
            ms = median_ms(args.runs, lambda f=filters: listing.browse(session, **f))
            print(f"{name:<{width}}  {ms:9.2f}  ({total})")


if __name__ == "__main__":
    main()
