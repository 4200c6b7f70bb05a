"""How fast food search answers over a 300,000-food database, and how fast a food is logged.

Builds a temporary SQLite database (migrated with Alembic), bulk-inserts 300,000 foods with
names generated from word lists (a few percent private to other members), and a member with
90 days of food entries; then prints the median server time in ms of `search_foods` for
exact, prefix, word, substring, rare, nonsense and barcode queries and the member's recent
foods, and of `diary.log_food` with its commit.

    .venv/bin/python bench/bench_foods.py [--foods 300000] [--runs 15]
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

CHUNK = 5000
DAYS = 90
PRIVATE_SHARE = 0.03

BASES = (
    "chicken breast", "chicken thigh", "turkey mince", "beef mince", "pork loin", "lamb chop", "salmon fillet",
    "tuna", "cod fillet", "prawns", "mackerel", "sardines", "egg", "egg white", "tofu", "tempeh", "seitan",
    "greek yoghurt", "natural yoghurt", "skyr", "cottage cheese", "cheddar", "mozzarella", "feta", "parmesan",
    "whole milk", "semi-skimmed milk", "oat drink", "almond drink", "soya drink", "butter", "olive oil",
    "rapeseed oil", "peanut butter", "almond butter", "hummus", "rolled oats", "granola", "muesli",
    "cornflakes", "white rice", "brown rice", "basmati rice", "quinoa", "couscous", "bulgur wheat", "pasta",
    "wholewheat pasta", "spaghetti", "noodles", "white bread", "wholemeal bread", "sourdough", "bagel",
    "tortilla wrap", "pitta bread", "crumpet", "potato", "sweet potato", "chips", "lentils", "chickpeas",
    "kidney beans", "black beans", "baked beans", "edamame", "broccoli", "spinach", "kale", "carrot", "peas",
    "sweetcorn", "tomato", "cucumber", "pepper", "onion", "mushrooms", "courgette", "avocado", "apple",
    "banana", "orange", "strawberries", "blueberries", "raspberries", "grapes", "mango", "pineapple", "pear",
    "dates", "raisins", "almonds", "walnuts", "cashews", "peanuts", "pumpkin seeds", "chia seeds",
    "dark chocolate", "milk chocolate", "protein bar", "whey protein", "rice cakes", "crisps", "popcorn",
    "ice cream", "orange juice", "apple juice", "cola", "lemonade", "honey", "jam", "maple syrup", "ketchup",
    "mayonnaise", "pesto", "soup", "pizza", "lasagne", "curry", "chilli con carne", "burrito", "sushi",
)
STYLES = (
    "", "", "", "organic", "free range", "light", "reduced fat", "high protein", "low sugar", "unsweetened",
    "smoked", "roasted", "spicy", "classic", "original", "wholegrain", "gluten free", "vegan", "fresh", "frozen",
    "british", "italian", "thai", "mexican", "garden", "farmhouse", "premium", "value", "extra mature", "mini",
)
FORMS = (
    "", "", "", "", "raw", "cooked", "grilled", "boiled", "baked", "fried", "steamed", "canned", "dried",
    "sliced", "diced", "in tomato sauce", "with herbs", "with garlic", "in brine", "ready meal", "snack pot",
    "family pack", "multipack", "with chilli", "lemon & pepper", "honey glazed", "sea salt", "barbecue",
)
BRANDS = tuple(f"{a} {b}" for a in ("Green", "Happy", "Golden", "Nordic", "Sunny", "Urban", "Little", "Wild")
               for b in ("Farm", "Kitchen", "Valley", "Harvest", "Foods", "Pantry", "Mill", "Dairy"))
# Only a handful of names hold this word, so searching it reads the whole index to find them.
RARE = "yuzu"






def _name(rng: random.Random) -> str:
    parts = [rng.choice(STYLES), rng.choice(BASES)]
    name = " ".join(p for p in parts if p)
    form = rng.choice(FORMS)
    return (name + (f", {form}" if form else "")).capitalize()


def _fill_foods(session, count: int, owners: list[int], now: datetime) -> tuple[int, list[int], str]:
    """Bulk-insert the foods; returns how many are private, a pool of shared ids, and one barcode."""
    from adaptivefit.models import Food
    from adaptivefit.services.nutrition.foods import normalise_name

    rng = random.Random(42)
    rows, private, shared_ids, barcode = [], 0, [], ""
    plain = [base.capitalize() for base in BASES] + [f"{RARE.capitalize()} sorbet", f"Mango and {RARE} juice"]
    for food_id in range(1, count + 1):
        name = plain[food_id - 1] if food_id <= len(plain) else _name(rng)
        owner = rng.choice(owners) if rng.random() < PRIVATE_SHARE and food_id > len(plain) else None
        private += owner is not None
        code = "".join(rng.choices("0123456789", k=13)) if rng.random() < 0.6 else None
        if owner is None:
            shared_ids.append(food_id)
            barcode = barcode or (code or "")
        protein, carbs = round(rng.uniform(0, 30), 1), round(rng.uniform(0, 60), 1)
        fat = round(rng.uniform(0, min(40, 100 - protein - carbs)), 1)
        rows.append({
            "id": food_id, "name": name, "name_lower": normalise_name(name),
            "brand": rng.choice(BRANDS) if rng.random() < 0.7 else "", "barcode": code,
            "kcal": round(4 * protein + 4 * carbs + 9 * fat), "protein_g": protein, "carbs_g": carbs, "fat_g": fat,
            "fibre_g": round(rng.uniform(0, 8), 1), "sugar_g": round(rng.uniform(0, carbs), 1),
            "saturated_fat_g": round(fat / 3, 1), "sodium_mg": round(rng.uniform(0, 900)),
            "servings": [{"name": "1 portion", "grams": rng.choice((30, 50, 80, 125, 150, 250))}],
            "grams_per_ml": None, "source": "openfoodfacts" if code else "adaptivefit", "external_id": code,
            "attribution": "", "owner_id": owner, "is_recipe": False, "created_at": now,
        })
        if len(rows) == CHUNK:
            session.execute(Food.__table__.insert(), rows)
            rows = []
    if rows:
        session.execute(Food.__table__.insert(), rows)
    return private, shared_ids, barcode


def _fill_entries(session, user_id: int, shared_ids: list[int], now: datetime) -> int:
    """90 days of meals from about 60 favourite foods (some far more often than others)."""
    from adaptivefit.models import FoodEntry

    rng = random.Random(7)
    favourites = rng.sample(shared_ids[len(BASES):], 50) + shared_ids[:10]
    weights = [1 / (rank + 1) for rank in range(len(favourites))]
    rows = []
    for day in range(DAYS):
        for meal, hour in (("breakfast", 7), ("lunch", 12), ("dinner", 19), ("snack", 16)):
            for food_id in rng.choices(favourites, weights, k=rng.randint(1, 3)):
                rows.append({
                    "user_id": user_id, "food": "", "food_id": food_id, "photo": None, "name": f"food {food_id}",
                    "calories": 300.0, "protein_g": 20.0, "carbs_g": 30.0, "fat_g": 10.0, "quantity": 100.0,
                    "unit": "g", "meal_type": meal, "eaten_at": now - timedelta(days=day, hours=24 - hour),
                })
    session.execute(FoodEntry.__table__.insert(), rows)
    return len(rows)




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--foods", type=int, default=300_000, help="foods in the database")
    parser.add_argument("--runs", type=int, default=15, help="runs per figure (the median is shown)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="adaptivefit-bench-") as folder:
        url = prepare_environment(Path(folder))

        from sqlalchemy import text
        from sqlmodel import Session

        from adaptivefit import db
        from adaptivefit.models import User
        from adaptivefit.services.nutrition.foods import search_foods

        started = time.perf_counter()
        migrate(url)
        engine = db.get_engine()
        now = datetime.now(UTC)
        with Session(engine, expire_on_commit=False) as session:
            member = User(email="bench@example.com", name="Bench Member")
            others = [User(email=f"other{n}@example.com", name=f"Other {n}") for n in range(20)]
            session.add_all([member, *others])
            session.flush()
            private, shared_ids, barcode = _fill_foods(session, args.foods, [o.id for o in others], now)
            entries = _fill_entries(session, member.id, shared_ids, now)
            session.commit()
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
        fill_s = time.perf_counter() - started

        queries = {
            "exact (chicken breast)": "chicken breast",
            "prefix (chick)": "chick",
            "two words (greek yog)": "greek yog",
            "word inside (grilled)": "grilled",
            "substring (oghur)": "oghur",
            f"rare word ({RARE})": RARE,
            "nonsense (xqzvw)": "xqzvw",
            "barcode (13 digits)": barcode,
            "empty: recent foods": "",
        }
        figures: list[tuple[str, float, int]] = []
        with Session(engine, expire_on_commit=False) as session:
            for label, query in queries.items():
                hits = search_foods(session, member.id, query)
                ms = median_ms(args.runs, lambda q=query: search_foods(session, member.id, q))
                figures.append((f"search_foods: {label}", ms, len(hits)))
            plan = session.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM foods WHERE name_lower LIKE '%xqzvw%' LIMIT 200"
            )).all()

        from adaptivefit.services.nutrition import diary

        def log_one():
            with Session(engine, expire_on_commit=False) as session:
                diary.log_food(session, session.get(User, member.id), food_id=shared_ids[0], quantity="150",
                               unit="g", meal_type="lunch")
                session.commit()

        figures.append(("diary.log_food + commit", median_ms(args.runs, log_one), 1))

        size_mb = Path(folder, "bench.db").stat().st_size / 1e6
        print(f"Data: {args.foods:,} foods ({private:,} private to other members), {entries:,} food entries "
              f"over {DAYS} days; {size_mb:.0f} MB")
        print(f"Setup: migrate + bulk insert {fill_s:.1f} s; median of {args.runs} runs, SQLite, one process")
        print("Substring scan plan: " + "; ".join(str(row[-1]) for row in plan))
        print()
        width = max(len(name) for name, _, _ in figures)
        print(f"{'measure'.ljust(width)}  {'ms':>8}  {'hits':>4}")
        print(f"{'-' * width}  {'-' * 8}  {'-' * 4}")
        for name, ms, hits in figures:
            print(f"{name.ljust(width)}  {ms:8.1f}  {hits:>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
