"""The food database: amounts and their nutrients, search, barcodes, members' own foods and recipes.

Every food holds its nutrients per 100 g. An amount is a quantity in a unit: grams, ounces,
millilitres (only for foods that know their density) or one of the food's named servings.

Search answers from the `name_lower` index (see `search_foods` for how it stays fast on a
few hundred thousand foods), and sees the shared database plus the member's own foods only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from adaptivefit.models import Food, FoodEntry, RecipeIngredient
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.catalog.library import load_shipped

UNITS = ("g", "oz", "ml")
OZ_IN_G = 28.349523125
MAX_GRAMS = 5000.0
SHIPPED_SOURCE = "adaptivefit"
MEMBER_SOURCE = "custom"
RECENT_DAYS = 90

_NAME_MAX = 200
_BRAND_MAX = 120
_SERVING_NAME_MAX = 60
_QUERY_MAX = 100
# Prefix hits are read in index order and re-ranked shortest first; this bounds how many.
_PREFIX_CAP = 200
# A substring search must read the whole index for a rare word; it stops after this many hits.
_SUBSTRING_CAP = 200
_RECENT_CAP = 100
_MAX_SERVINGS = 100
_MAX_INGREDIENTS = 100
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Nutrients:
    """What an amount of food holds. The four main values are always known; the rest may not be."""

    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    fibre_g: float | None = None
    sugar_g: float | None = None
    saturated_fat_g: float | None = None
    sodium_mg: float | None = None


_OPTIONAL = ("fibre_g", "sugar_g", "saturated_fat_g", "sodium_mg")
_MAIN = ("kcal", "protein_g", "carbs_g", "fat_g")


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


def _number(value: object) -> float | None:
    """A finite number from a number or text ("1,5" too), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _serving_grams(food: Any, unit: str) -> float | None:
    wanted = normalise_name(unit)
    for serving in food.servings or ():
        if normalise_name(str(serving.get("name", ""))) == wanted:
            return _number(serving.get("grams"))
    return None


def units_for(food: Any) -> list[str]:
    """The units an amount of this food may be given in, for a unit picker."""
    units = ["g", "oz"] + (["ml"] if food.grams_per_ml else [])
    return units + [str(s["name"]) for s in food.servings or () if s.get("name")]


def unit_name(food: Any, unit: str) -> str:
    """The unit as stored: g, oz or ml in lower case, or the food's own spelling of a serving."""
    if unit.lower() in UNITS:
        return unit.lower()
    wanted = normalise_name(unit)
    return next((str(s["name"]) for s in food.servings or () if normalise_name(str(s.get("name", ""))) == wanted), unit)


def grams_for(food: Any, quantity: object, unit: str) -> float:
    """How many grams `quantity` `unit` of this food weighs; refuses what cannot be meant."""
    amount = _number(quantity)
    unit = (unit or "").strip()
    errors: dict[str, str] = {}
    if amount is None:
        errors["quantity"] = "Enter the amount as a number, like 150 or 1.5."
    elif amount <= 0:
        errors["quantity"] = "Enter an amount above zero."
    if unit.lower() == "g":
        per_unit = 1.0
    elif unit.lower() == "oz":
        per_unit = OZ_IN_G
    elif unit.lower() == "ml":
        per_unit = food.grams_per_ml
        if not per_unit:
            errors["unit"] = "This food has no known density: weigh it in grams or ounces, or pick a serving."
    else:
        per_unit = _serving_grams(food, unit) if unit else None
        if not per_unit or per_unit <= 0:
            millilitres = ", millilitres" if food.grams_per_ml else ""
            errors["unit"] = f"Choose grams, ounces{millilitres} or a serving of this food."
    if errors:
        raise ValidationFailed(errors)
    grams = amount * per_unit
    if grams > MAX_GRAMS:
        raise ValidationFailed({"quantity": f"That is over {MAX_GRAMS / 1000:g} kg; log it as separate entries."})
    return grams


def nutrients_for(food: Any, grams: float) -> Nutrients:
    """Nutrients in `grams` of a food. Unrounded: the display rounds (kcal to 1, the rest to 0.1)."""
    factor = grams / 100.0
    values = {name: getattr(food, name) * factor for name in _MAIN}
    for name in _OPTIONAL:
        per_100 = getattr(food, name, None)
        values[name] = None if per_100 is None else per_100 * factor
    return Nutrients(**values)


def _visible(user_id: int | None):
    if user_id is None:
        return Food.owner_id.is_(None)
    return or_(Food.owner_id.is_(None), Food.owner_id == user_id)


def install_foods(session: Session) -> int:
    """Load the shipped food table (adaptivefit/data/foods.json); foods already there are kept.

    Returns how many were added.
    """
    present = set(session.exec(
        select(Food.name_lower).where(Food.source == SHIPPED_SOURCE, Food.owner_id.is_(None))
    ).all())
    added = 0
    for item in load_shipped("foods.json"):
        name_lower = normalise_name(item["name"])[:_NAME_MAX]
        if name_lower in present:
            continue
        session.add(Food(
            name=item["name"][:_NAME_MAX], name_lower=name_lower, brand=item.get("brand", ""),
            **{name: float(item[name]) for name in _MAIN},
            **{name: item.get(name) for name in _OPTIONAL},
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
        foods = {f.id: f for f in session.exec(select(Food).where(Food.id.in_(recent_ids), _visible(user_id))).all()}
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
        .where(Food.name_lower >= text, Food.name_lower < text + "\uffff", _visible(user_id))
        .order_by(Food.name_lower)
        .limit(_PREFIX_CAP)
    ).all())
    if len(hits) + len(ranked) < limit:
        longest = max(words, key=len)
        ids = select(Food.id).where(Food.name_lower.contains(longest, autoescape=True)).limit(_SUBSTRING_CAP)
        rank(session.exec(select(Food).where(Food.id.in_(ids.scalar_subquery()), _visible(user_id))).all())
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
    foods = session.exec(select(Food).where(Food.barcode.in_(variants), _visible(user_id))).all()
    if not foods:
        return None
    return min(foods, key=lambda f: (f.owner_id is None, variants.index(f.barcode), f.id))


def _text(form: dict, name: str, limit: int, errors: dict[str, str], *, required: bool, label: str) -> str:
    value = form.get(name)
    text = " ".join(str(value).split()) if value is not None else ""
    if required and not text:
        errors[name] = f"Enter {label}."
    elif len(text) > limit:
        errors[name] = f"Keep {label} to {limit} characters."
    return text


def _amount(
    form: dict, name: str, low: float, high: float, errors: dict[str, str], *, required: bool,
    missing: str = "Enter the amount in 100 g.",
) -> float | None:
    value = form.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = missing
        return None
    number = _number(value)
    if number is None:
        errors[name] = "Enter a number, like 12.5."
    elif not low <= number <= high:
        errors[name] = f"Enter a value between {low:g} and {high:g}."
    else:
        return number
    return None


def create_custom_food(session: Session, user: Any, form: dict[str, Any]) -> Food:
    """A food of the member's own, nutrients per 100 g; seen by them alone.

    Form fields: name, brand?, barcode?, kcal, protein_g, carbs_g, fat_g, fibre_g?, sugar_g?,
    saturated_fat_g?, sodium_mg?, serving_name? with serving_grams?, grams_per_ml?.
    """
    errors: dict[str, str] = {}
    name = _text(form, "name", _NAME_MAX, errors, required=True, label="a name")
    brand = _text(form, "brand", _BRAND_MAX, errors, required=False, label="the brand")
    values = {"kcal": _amount(form, "kcal", 0, 900, errors, required=True)}
    values |= {n: _amount(form, n, 0, 100, errors, required=True) for n in ("protein_g", "carbs_g", "fat_g")}
    values |= {n: _amount(form, n, 0, 100, errors, required=False) for n in ("fibre_g", "sugar_g", "saturated_fat_g")}
    values["sodium_mg"] = _amount(form, "sodium_mg", 0, 40_000, errors, required=False)
    protein, carbs, fat = values["protein_g"], values["carbs_g"], values["fat_g"]
    if None not in (protein, carbs, fat) and protein + carbs + fat > 100:
        errors["fat_g"] = "Protein, carbs and fat add up to more than 100 g in 100 g."
    if carbs is not None and values["sugar_g"] is not None and values["sugar_g"] > carbs:
        errors["sugar_g"] = "Sugars are part of the carbs: enter no more than the carbs."
    if fat is not None and values["saturated_fat_g"] is not None and values["saturated_fat_g"] > fat:
        errors["saturated_fat_g"] = "Saturated fat is part of the fat: enter no more than the fat."
    barcode = None
    if str(form.get("barcode") or "").strip():
        barcode = clean_barcode(form["barcode"])
        if barcode is None:
            errors["barcode"] = "Enter the 8 to 14 digits under the barcode."
        elif session.exec(select(Food.id).where(Food.owner_id == user.id, Food.barcode == barcode)).first():
            errors["barcode"] = "You already have a food with this barcode."
    servings = []
    serving_name = _text(form, "serving_name", _SERVING_NAME_MAX, errors, required=False, label="the serving name")
    serving_grams = _amount(form, "serving_grams", 0, MAX_GRAMS, errors, required=bool(serving_name),
                            missing="Enter the serving's weight in grams.")
    if serving_grams is not None:
        if serving_grams <= 0:
            errors["serving_grams"] = "Enter the serving's weight in grams, above zero."
        elif not serving_name:
            errors["serving_name"] = "Name the serving, like 1 slice."
        elif normalise_name(serving_name) in UNITS:
            errors["serving_name"] = "Name the serving, like 1 slice (not a unit)."
        else:
            servings.append({"name": serving_name, "grams": serving_grams})
    grams_per_ml = _amount(form, "grams_per_ml", 0.1, 5, errors, required=False)
    if errors:
        raise ValidationFailed(errors)
    food = Food(
        name=name, name_lower=normalise_name(name), brand=brand, barcode=barcode, **values, servings=servings,
        grams_per_ml=grams_per_ml, source=MEMBER_SOURCE, owner_id=user.id,
    )
    session.add(food)
    session.flush()
    return food


def _recipes_containing(session: Session, recipe_id: int) -> set[int]:
    """The recipe and every recipe that holds it as an ingredient, however deep."""
    found, frontier = {recipe_id}, {recipe_id}
    while frontier:
        frontier = set(session.exec(
            select(RecipeIngredient.recipe_id).where(RecipeIngredient.food_id.in_(frontier))
        ).all()) - found
        found |= frontier
    return found


def recipe_per_100(parts: list[tuple[Any, float]]) -> dict[str, float | None]:
    """Nutrients per 100 g of a mix of (food, grams).

    A nutrient some ingredient does not state counts as nothing from that ingredient; it stays
    unknown only when no ingredient states it.
    """
    total_grams = sum(grams for _, grams in parts)
    amounts = [nutrients_for(food, grams) for food, grams in parts]
    per_100: dict[str, float | None] = {n: sum(getattr(a, n) for a in amounts) * 100 / total_grams for n in _MAIN}
    for n in _OPTIONAL:
        known = [getattr(a, n) for a in amounts if getattr(a, n) is not None]
        per_100[n] = sum(known) * 100 / total_grams if known else None
    return per_100


def check_recipe(
    session: Session, user: Any, name: str, ingredients: list[tuple[int, float]], servings: int, *,
    recipe: Food | None = None,
) -> tuple[str, list[tuple[Food, float]]]:
    """The recipe's clean name and its (food, grams), or ValidationFailed with every reason at once."""
    errors: dict[str, str] = {}
    if recipe is not None and (recipe.owner_id != user.id or not recipe.is_recipe):
        raise ValidationFailed({"recipe": "That recipe could not be found."})
    clean_name = _text({"name": name}, "name", _NAME_MAX, errors, required=True, label="a name")
    if isinstance(servings, bool) or not isinstance(servings, int) or not 1 <= servings <= _MAX_SERVINGS:
        errors["servings"] = f"Enter how many servings it makes, a whole number from 1 to {_MAX_SERVINGS}."
    amounts: list[tuple[int, float]] = []
    for food_id, grams in ingredients or ():
        amount = _number(grams)
        if not isinstance(food_id, int) or isinstance(food_id, bool):
            errors["ingredients"] = "Pick each ingredient from the food list."
            break
        if amount is None or not 0 < amount <= MAX_GRAMS:
            errors["ingredients"] = f"Give each ingredient a weight above 0 and up to {MAX_GRAMS:g} g."
            break
        amounts.append((food_id, amount))
    if not amounts and "ingredients" not in errors:
        errors["ingredients"] = "Add at least one ingredient."
    elif len(amounts) > _MAX_INGREDIENTS:
        errors["ingredients"] = f"A recipe holds at most {_MAX_INGREDIENTS} ingredients."
    foods: dict[int, Food] = {}
    if amounts and "ingredients" not in errors:
        ids = {food_id for food_id, _ in amounts}
        foods = {f.id: f for f in session.exec(select(Food).where(Food.id.in_(ids), _visible(user.id))).all()}
        if len(foods) != len(ids):
            errors["ingredients"] = "An ingredient is not among the foods you can use."
        elif recipe is not None and ids & _recipes_containing(session, recipe.id):
            errors["ingredients"] = "A recipe cannot hold itself, nor a recipe that holds it."
    if errors:
        raise ValidationFailed(errors)
    return clean_name, [(foods[food_id], grams) for food_id, grams in amounts]


def save_recipe(
    session: Session, user: Any, name: str, ingredients: list[tuple[int, float]], servings: int, *,
    recipe: Food | None = None, entered: list[tuple[float, str]] | None = None,
) -> Food:
    """A recipe of the member's own: its nutrients per 100 g from its ingredients (food id, grams),
    and a "1 serving" of the total weight divided by `servings`.

    With `recipe` (one of the member's recipes), that recipe is rewritten in place: entries already
    logged keep their snapshot. `entered` holds how each ingredient's amount was given (quantity,
    unit), kept beside its grams.
    """
    clean_name, parts = check_recipe(session, user, name, ingredients, servings, recipe=recipe)
    if recipe is None:
        recipe = Food(name=clean_name, name_lower="", kcal=0, protein_g=0, carbs_g=0, fat_g=0, source=MEMBER_SOURCE,
                      owner_id=user.id, is_recipe=True)
    else:
        for old in session.exec(select(RecipeIngredient).where(RecipeIngredient.recipe_id == recipe.id)).all():
            session.delete(old)
    recipe.name, recipe.name_lower = clean_name, normalise_name(clean_name)
    for n, value in recipe_per_100(parts).items():
        setattr(recipe, n, value)
    recipe.servings = [{"name": "1 serving", "grams": sum(grams for _, grams in parts) / servings}]
    session.add(recipe)
    session.flush()
    given = entered if entered is not None and len(entered) == len(parts) else [(None, None)] * len(parts)
    session.add_all(RecipeIngredient(recipe_id=recipe.id, food_id=food.id, grams=grams, quantity=quantity, unit=unit)
                    for (food, grams), (quantity, unit) in zip(parts, given))
    session.flush()
    return recipe


def create_recipe(
    session: Session, user: Any, name: str, ingredients: list[tuple[int, float]], servings: int
) -> Food:
    """A new recipe of the member's own from (food id, grams) ingredients; see `save_recipe`."""
    return save_recipe(session, user, name, ingredients, servings)
