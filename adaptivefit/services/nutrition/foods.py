"""The food database: names, the shipped table, search, barcodes and which foods a member may see.

Every food holds its nutrients per 100 g (services/nutrition/macros.py does the arithmetic); the
amounts a food is weighed in live in portions.py, members' own foods in custom_foods.py and
recipes in recipes.py.

Search answers from the `name_lower` index (see `search_foods` for how it stays fast on a
few hundred thousand foods), and sees the shared database plus the member's own foods only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from adaptivefit.models import Food, FoodEntry
from adaptivefit.models.base import utcnow
from adaptivefit.services.catalog.library import load_shipped
from adaptivefit.services.core.inputs import as_id
from adaptivefit.services.nutrition.macros import MAIN, OPTIONAL

SHIPPED_SOURCE = "adaptivefit"
MEMBER_SOURCE = "custom"
RECENT_DAYS = 90

NAME_MAX = 200
_QUERY_MAX = 100
# Prefix hits are read in index order and re-ranked shortest first; this bounds how many.
_PREFIX_CAP = 200
# A substring search must read the whole index for a rare word; it stops after this many hits.
_SUBSTRING_CAP = 200
_RECENT_CAP = 100
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class FoodHit:
    id: int
    name: str
    brand: str
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    servings: list[dict[str, Any]]
    is_recipe: bool
    is_mine: bool
    recent: bool
    grams_per_ml: float | None = None


def normalise_name(text: str) -> str:
    """Lower-cased, accents stripped, whitespace collapsed: the form `name_lower` and queries share."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def visible_to(user_id: int | None):
    """The foods a member may see and use: the shared database and their own."""
    if user_id is None:
        return Food.owner_id.is_(None)
    return or_(Food.owner_id.is_(None), Food.owner_id == user_id)


def visible_food(session: Session, user: Any, food_id: object) -> Food | None:
    """The food with this id when the member may use it (shared, or their own), else None."""
    key = as_id(food_id)
    food = session.get(Food, key) if key is not None else None
    return food if food is not None and food.owner_id in (None, user.id) else None


def install_foods(session: Session) -> int:
    """Load the shipped food table (adaptivefit/data/foods.json); foods already there are kept.

    Returns how many were added.
    """
    present = set(session.exec(
        select(Food.name_lower).where(Food.source == SHIPPED_SOURCE, Food.owner_id.is_(None))
    ).all())
    added = 0
    for item in load_shipped("foods.json"):
        name_lower = normalise_name(item["name"])[:NAME_MAX]
        if name_lower in present:
            continue
        session.add(Food(
            name=item["name"][:NAME_MAX], name_lower=name_lower, brand=item.get("brand", ""),
            **{name: float(item[name]) for name in MAIN},
            **{name: item.get(name) for name in OPTIONAL},
            servings=[{"name": s["name"], "grams": float(s["grams"])} for s in item.get("servings", [])],
            grams_per_ml=item.get("grams_per_ml"), source=SHIPPED_SOURCE,
        ))
        present.add(name_lower)
        added += 1
    session.flush()
    return added


def _hit(food: Food, user_id: int | None, recent: bool) -> FoodHit:
    return FoodHit(
        id=food.id, name=food.name, brand=food.brand, kcal=food.kcal, protein_g=food.protein_g,
        carbs_g=food.carbs_g, fat_g=food.fat_g, servings=list(food.servings or []), is_recipe=food.is_recipe,
        is_mine=user_id is not None and food.owner_id == user_id, recent=recent, grams_per_ml=food.grams_per_ml,
    )


def _tier(name_lower: str, query: str, words: list[str]) -> int | None:
    """1 exact, 2 prefix, 3 a word starts with the query, 4 every word somewhere; None: no match."""
    if name_lower == query:
        return 1
    if name_lower.startswith(query):
        return 2
    if not all(word in name_lower for word in words):
        return None
    tokens = _WORD.findall(name_lower)
    return 3 if all(any(token.startswith(word) for token in tokens) for word in words) else 4


def _recent_foods(session: Session, user_id: int, now: datetime) -> list[int]:
    """The member's foods of the last 90 days, most often logged first, then most recently."""
    count = func.count(FoodEntry.id)
    rows = session.exec(
        select(FoodEntry.food_id, count)
        .where(FoodEntry.user_id == user_id, FoodEntry.eaten_at >= now - timedelta(days=RECENT_DAYS),
               FoodEntry.food_id.is_not(None))
        .group_by(FoodEntry.food_id)
        .order_by(count.desc(), func.max(FoodEntry.eaten_at).desc())
        .limit(_RECENT_CAP)
    ).all()
    return [food_id for food_id, _ in rows]


def search_foods(
    session: Session, user_id: int | None, query: str, *, limit: int = 20, now: datetime | None = None
) -> list[FoodHit]:
    """Foods for a search box, best first; an empty query gives the member's recent foods.

    Order: the member's recent and frequent foods that match (most logged first), then an exact
    name, then names starting with the query, then names with a word starting with it, then names
    holding it anywhere; within a rank shorter names first. A barcode-shaped query looks up the
    barcode instead.

    Why it stays fast on a large table: exact and prefix matches are one range read of the
    `name_lower` index (`name_lower >= q AND name_lower < q || U+FFFF`), at most _PREFIX_CAP rows.
    Only when those give fewer than `limit` foods does a substring search run, and it reads ids
    from the same index alone (a covering scan of short rows, not the table) and stops after
    _SUBSTRING_CAP hits; the full rows are then fetched by id. A rare or nonsense word still reads
    the whole index once: that is the worst case `bench/bench_foods.py` measures.
    """
    now = now or utcnow()
    limit = max(1, min(limit, 100))
    text = normalise_name(query)[:_QUERY_MAX]
    if text.replace(" ", "").isdigit() and 8 <= len(text.replace(" ", "")) <= 14:
        food = food_by_barcode(session, user_id, text)
        return [_hit(food, user_id, False)] if food else []
    words = sorted(set(text.split()), key=text.index)
    recent_ids = _recent_foods(session, user_id, now) if user_id is not None else []
    hits: list[FoodHit] = []
    seen: set[int] = set()
    if recent_ids:
        foods = {f.id: f for f in session.exec(select(Food).where(Food.id.in_(recent_ids), visible_to(user_id))).all()}
        for food_id in recent_ids:
            food = foods.get(food_id)
            if food and (not text or _tier(food.name_lower, text, words) is not None):
                hits.append(_hit(food, user_id, True))
                seen.add(food_id)
    if not text:
        return hits[:limit]
    ranked: list[tuple[tuple[int, int, str], Food]] = []

    def rank(foods) -> None:
        for food in foods:
            tier = _tier(food.name_lower, text, words)
            if food.id not in seen and tier is not None:
                seen.add(food.id)
                ranked.append(((tier, len(food.name_lower), food.name_lower), food))

    rank(session.exec(
        select(Food)
        .where(Food.name_lower >= text, Food.name_lower < text + "\uffff", visible_to(user_id))
        .order_by(Food.name_lower)
        .limit(_PREFIX_CAP)
    ).all())
    if len(hits) + len(ranked) < limit:
        longest = max(words, key=len)
        ids = select(Food.id).where(Food.name_lower.contains(longest, autoescape=True)).limit(_SUBSTRING_CAP)
        rank(session.exec(select(Food).where(Food.id.in_(ids.scalar_subquery()), visible_to(user_id))).all())
    ranked.sort(key=lambda pair: pair[0])
    hits += [_hit(food, user_id, False) for _, food in ranked]
    return hits[:limit]


def _barcode_variants(code: str) -> list[str]:
    """The code as given, and as EAN-13/UPC-A/GTIN-14 spell it with or without leading zeros."""
    bare = code.lstrip("0") or "0"
    variants = [code, bare] + [bare.zfill(width) for width in (8, 12, 13, 14)]
    return list(dict.fromkeys(v for v in variants if 8 <= len(v) <= 14))


def clean_barcode(code: object) -> str | None:
    """Digits only, 8 to 14 of them (EAN-8, UPC-A, EAN-13, GTIN-14), else None."""
    text = "".join(str(code or "").split())
    return text if text.isdigit() and 8 <= len(text) <= 14 else None


def food_by_barcode(session: Session, user_id: int | None, code: str) -> Food | None:
    """The food with this barcode that the member may see; their own first, the exact spelling first."""
    clean = clean_barcode(code)
    if clean is None:
        return None
    variants = _barcode_variants(clean)
    foods = session.exec(select(Food).where(Food.barcode.in_(variants), visible_to(user_id))).all()
    if not foods:
        return None
    return min(foods, key=lambda f: (f.owner_id is None, variants.index(f.barcode), f.id))

