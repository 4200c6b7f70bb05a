"""Importing foods into the shared database from Open Food Facts, USDA FoodData Central and wger.

Each importer turns its source's records into one shape and hands them to `_store`, which adds a
food or merges it into the one already there: the same source record, the same barcode, or the
same normalised name and brand. A record that cannot be used (no name, one of kcal, protein,
carbs or fat missing, values out of range, a line that is not JSON) is listed in the report
with its reason; nothing is dropped silently. Nothing here commits: the caller's transaction does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from adaptivefit.models import Food
from adaptivefit.services.nutrition.foods import clean_barcode, normalise_name
from adaptivefit.services.nutrition.portions import MAX_GRAMS

KJ_PER_KCAL = 4.184
_NAME_MAX = 200
_BRAND_MAX = 120
_SERVING_NAME_MAX = 60
_ATTRIBUTION_MAX = 300
# Imports are checked more loosely than a member's own food: labels round, so pure fats may
# say 900-something kcal and macros may add up to a little over 100 g.
_KCAL_MAX = 1000.0
_MACROS_SUM_MAX = 105.0
_SODIUM_MG_MAX = 40_000.0
_LABELS = {"kcal": "kcal", "protein_g": "protein", "carbs_g": "carbs", "fat_g": "fat"}


@dataclass
class FoodImportReport:
    added: int = 0
    merged: int = 0
    bad: list[tuple[str, str]] = field(default_factory=list)  # (record id or line, reason)


@dataclass
class _Record:
    label: str
    name: str
    brand: str
    barcode: str | None
    values: dict[str, float | None]  # kcal, protein_g, carbs_g, fat_g, fibre_g, sugar_g, ...
    servings: list[dict[str, Any]]
    source: str
    external_id: str
    attribution: str


def _float(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _problem(record: _Record) -> str | None:
    """Why a record cannot be stored, or None."""
    if not record.name:
        return "no product name"
    missing = [label for key, label in _LABELS.items() if record.values.get(key) is None]
    if missing:
        return "no " + ", ".join(missing) + " per 100 g"
    values = record.values
    if not 0 <= values["kcal"] <= _KCAL_MAX:
        return f"kcal per 100 g out of range ({values['kcal']:g})"
    for key in ("protein_g", "carbs_g", "fat_g", "fibre_g", "sugar_g", "saturated_fat_g"):
        if values.get(key) is not None and not 0 <= values[key] <= 100:
            return f"{key.removesuffix('_g').replace('_', ' ')} per 100 g out of range ({values[key]:g})"
    if values.get("sodium_mg") is not None and not 0 <= values["sodium_mg"] <= _SODIUM_MG_MAX:
        return f"sodium per 100 g out of range ({values['sodium_mg']:g} mg)"
    if values["protein_g"] + values["carbs_g"] + values["fat_g"] > _MACROS_SUM_MAX:
        return "protein, carbs and fat add up to more than 100 g per 100 g"
    return None


def _serving(name: object, grams: object) -> dict[str, Any] | None:
    weight = _float(grams)
    label = " ".join(str(name or "").split())[:_SERVING_NAME_MAX]
    if weight is None or not 0 < weight <= MAX_GRAMS:
        return None
    return {"name": label or f"1 serving ({weight:g} g)", "grams": weight}


def _find(session: Session, record: _Record) -> Food | None:
    shared = Food.owner_id.is_(None)
    found = session.exec(
        select(Food).where(shared, Food.source == record.source, Food.external_id == record.external_id)
    ).first()
    if found is None and record.barcode:
        found = session.exec(select(Food).where(shared, Food.barcode == record.barcode)).first()
    if found is None:
        brand = normalise_name(record.brand)
        name_lower = normalise_name(record.name)[:_NAME_MAX]
        candidates = session.exec(select(Food).where(shared, Food.name_lower == name_lower))
        found = next((food for food in candidates if normalise_name(food.brand) == brand), None)
    return found


def _store(session: Session, record: _Record, report: FoodImportReport) -> None:
    reason = _problem(record)
    if reason:
        report.bad.append((record.label, reason))
        return
    food = _find(session, record)
    if food is None:
        food = Food(name="", name_lower="", kcal=0, protein_g=0, carbs_g=0, fat_g=0, servings=[])
        session.add(food)
        report.added += 1
    else:
        report.merged += 1
    food.name = record.name[:_NAME_MAX]
    food.name_lower = normalise_name(record.name)[:_NAME_MAX]
    food.brand = record.brand[:_BRAND_MAX]
    food.barcode = record.barcode or food.barcode
    for key, value in record.values.items():
        setattr(food, key, value)
    by_name = {normalise_name(s["name"]): s for s in food.servings or []}
    by_name |= {normalise_name(s["name"]): s for s in record.servings}
    food.servings = list(by_name.values())
    food.source, food.external_id = record.source, record.external_id[:64]
    food.attribution = record.attribution[:_ATTRIBUTION_MAX]
    session.flush()


def _text(data: bytes | str) -> str:
    return data.decode("utf-8-sig") if isinstance(data, bytes) else data


# Open Food Facts ---------------------------------------------------------------------------

_OFF_VALUES = {
    "protein_g": "proteins_100g", "carbs_g": "carbohydrates_100g", "fat_g": "fat_100g",
    "fibre_g": "fiber_100g", "sugar_g": "sugars_100g", "saturated_fat_g": "saturated-fat_100g",
}


def _off_record(item: Any, label: str) -> _Record | str:
    """A record from one OFF API response or bare product; a reason string when it is none."""
    if not isinstance(item, dict):
        return "not a product object"
    product = item.get("product") if isinstance(item.get("product"), dict) else item
    code = str(item.get("code") or product.get("code") or product.get("_id") or "").strip()
    if item.get("status") in (0, "0") or ("product" in item and not isinstance(item["product"], dict)):
        return item.get("status_verbose") or "product not found"
    nutriments = product.get("nutriments") if isinstance(product.get("nutriments"), dict) else {}

    def value(key: str) -> float | None:
        # A `fields=` filtered response puts nutriment keys on the product itself.
        return _float(nutriments.get(key, product.get(key)))

    kcal = value("energy-kcal_100g")
    if kcal is None:
        kilojoules = value("energy-kj_100g")
        kilojoules = value("energy_100g") if kilojoules is None else kilojoules  # OFF keeps energy_100g in kJ
        kcal = None if kilojoules is None else kilojoules / KJ_PER_KCAL
    values = {"kcal": kcal} | {key: value(off_key) for key, off_key in _OFF_VALUES.items()}
    sodium = value("sodium_100g")
    salt = value("salt_100g")
    values["sodium_mg"] = sodium * 1000 if sodium is not None else (salt * 400 if salt is not None else None)
    names = (" ".join(str(product.get(k) or "").split()) for k in ("product_name", "product_name_en", "generic_name"))
    name = next((n for n in names if n), "")
    brand = str(product.get("brands") or "").split(",")[0].strip()
    serving = _serving(product.get("serving_size"), product.get("serving_quantity"))
    return _Record(
        label=code or label, name=name, brand=brand, barcode=clean_barcode(code), values=values,
        servings=[serving] if serving else [], source="openfoodfacts", external_id=code or label,
        attribution=f"Open Food Facts (ODbL), product {code}" if code else "Open Food Facts (ODbL)",
    )


def _looks_like_json_lines(text: str) -> bool:
    """True when one of the first few lines is a JSON object by itself."""
    lines = [line for line in text.splitlines()[:10] if line.strip()]
    for line in lines[:5]:
        try:
            if isinstance(json.loads(line), dict):
                return True
        except json.JSONDecodeError:
            continue
    return False


def _off_items(text: str, filename: str, report: FoodImportReport) -> list[tuple[str, Any]]:
    """(label, item) pairs from one JSON document (object or list) or from JSON Lines."""
    jsonl = filename.lower().endswith((".jsonl", ".ndjson"))
    if not jsonl:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            jsonl = _looks_like_json_lines(text)
            if not jsonl:
                report.bad.append((filename or "file", f"not valid JSON ({error.msg}, line {error.lineno})"))
                return []
        else:
            if isinstance(document, dict) and isinstance(document.get("products"), list):
                document = document["products"]  # a search response
            if isinstance(document, list):
                return [(f"item {n}", item) for n, item in enumerate(document, start=1)]
            return [("item 1", document)]
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as error:
            report.bad.append((f"line {number}", f"not valid JSON ({error.msg})"))
    return items


def import_off(session: Session, data: bytes | str, *, filename: str = "") -> FoodImportReport:
    """Open Food Facts products: an API response, a list of them or of products, or JSON Lines."""
    report = FoodImportReport()
    try:
        text = _text(data)
    except UnicodeDecodeError:
        report.bad.append((filename or "file", "not UTF-8 text"))
        return report
    for label, item in _off_items(text, filename, report):
        record = _off_record(item, label)
        if isinstance(record, str):
            code = str(item.get("code") or "") if isinstance(item, dict) else ""
            report.bad.append((code or label, record))
        else:
            _store(session, record, report)
    return report


# USDA FoodData Central -------------------------------------------------------------------

_USDA_LISTS = ("FoundationFoods", "SRLegacyFoods", "BrandedFoods", "SurveyFoods")
_USDA_VALUES = {"203": "protein_g", "205": "carbs_g", "204": "fat_g", "291": "fibre_g", "269": "sugar_g",
                "606": "saturated_fat_g"}
# Energy by preference: kcal as analysed, then the Atwater specific and general factors, then kJ.
_USDA_ENERGY = ("208", "958", "957", "268")
_GRAMS_PER = {"g": 1.0, "mg": 0.001, "ug": 1e-6, "µg": 1e-6}


def _usda_amounts(food: dict) -> dict[str, tuple[float, str]]:
    amounts = {}
    for entry in food.get("foodNutrients") or ():
        nutrient = entry.get("nutrient") or {}
        number = str(nutrient.get("number") or "")
        amount = _float(entry.get("amount"))
        if number and amount is not None:
            amounts[number] = (amount, str(nutrient.get("unitName") or "").lower())
    return amounts


def _usda_record(food: Any, label: str) -> _Record | str:
    if not isinstance(food, dict):
        return "not a food object"
    fdc_id = str(food.get("fdcId") or "").strip()
    amounts = _usda_amounts(food)
    kcal = None
    for number in _USDA_ENERGY:
        if number in amounts:
            amount, unit = amounts[number]
            kcal = amount / KJ_PER_KCAL if unit == "kj" else amount
            break
    values: dict[str, float | None] = {"kcal": kcal}
    for number, key in _USDA_VALUES.items():
        amount, unit = amounts.get(number, (None, "g"))
        values[key] = None if amount is None or unit not in _GRAMS_PER else amount * _GRAMS_PER[unit]
    sodium, unit = amounts.get("307", (None, "mg"))
    values["sodium_mg"] = None if sodium is None or unit not in _GRAMS_PER else sodium * _GRAMS_PER[unit] * 1000
    servings = []
    for portion in food.get("foodPortions") or ():
        description = str(portion.get("portionDescription") or "").strip()
        if not description or description.lower() == "quantity not specified":
            measure = str((portion.get("measureUnit") or {}).get("name") or "")
            parts = [f"{_float(portion.get('amount')) or 1:g}", "" if measure == "undetermined" else measure,
                     str(portion.get("modifier") or "")]
            description = " ".join(p for p in parts if p)
        serving = _serving(description, portion.get("gramWeight"))
        if serving:
            servings.append(serving)
    if str(food.get("servingSizeUnit") or "").lower() in ("g", "grm"):
        serving = _serving(food.get("householdServingFullText"), food.get("servingSize"))
        if serving:
            servings.append(serving)
    return _Record(
        label=f"FDC {fdc_id}" if fdc_id else label, name=" ".join(str(food.get("description") or "").split()),
        brand=str(food.get("brandName") or food.get("brandOwner") or "").strip(),
        barcode=clean_barcode(food.get("gtinUpc")), values=values, servings=servings, source="usda",
        external_id=fdc_id or label, attribution=f"USDA FoodData Central (public domain), FDC {fdc_id}",
    )


def import_usda(session: Session, data: bytes | str | dict) -> FoodImportReport:
    """A FoodData Central download ({"FoundationFoods": [...]}, SR Legacy, Branded or Survey)."""
    report = FoodImportReport()
    try:
        document = json.loads(_text(data)) if isinstance(data, (bytes, str)) else data
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        report.bad.append(("file", f"not valid JSON ({getattr(error, 'msg', error)})"))
        return report
    foods = next((document[key] for key in _USDA_LISTS if isinstance(document, dict) and key in document), None)
    if not isinstance(foods, list):
        report.bad.append(("file", "no FoundationFoods, SRLegacyFoods, BrandedFoods or SurveyFoods list"))
        return report
    for number, food in enumerate(foods, start=1):
        record = _usda_record(food, f"item {number}")
        if isinstance(record, str):
            report.bad.append((f"item {number}", record))
        else:
            _store(session, record, report)
    return report


# wger ---------------------------------------------------------------------------------------


def import_wger_ingredients(session: Session, data: bytes | str | list) -> FoodImportReport:
    """wger's `nutrition.ingredient` fixture records, with their `ingredientweightunit` servings.

    wger gives energy in kcal and the rest in grams per 100 g, sodium included.
    """
    report = FoodImportReport()
    try:
        records = json.loads(_text(data)) if isinstance(data, (bytes, str)) else data
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        report.bad.append(("file", f"not valid JSON ({getattr(error, 'msg', error)})"))
        return report
    if not isinstance(records, list):
        report.bad.append(("file", "not a list of wger fixture records"))
        return report
    servings: dict[Any, list[dict[str, Any]]] = {}
    for record in records:
        fields = record.get("fields") or {} if isinstance(record, dict) else {}
        if isinstance(record, dict) and record.get("model") == "nutrition.ingredientweightunit":
            serving = _serving(fields.get("name"), fields.get("gram"))
            if serving:
                servings.setdefault(fields.get("ingredient"), []).append(serving)
    for record in records:
        if not isinstance(record, dict) or record.get("model") != "nutrition.ingredient":
            continue
        fields = record.get("fields") or {}
        label = f"ingredient {record.get('pk')}"
        sodium = _float(fields.get("sodium"))
        values = {
            "kcal": _float(fields.get("energy")), "protein_g": _float(fields.get("protein")),
            "carbs_g": _float(fields.get("carbohydrates")), "fat_g": _float(fields.get("fat")),
            "fibre_g": _float(fields.get("fiber")), "sugar_g": _float(fields.get("carbohydrates_sugar")),
            "saturated_fat_g": _float(fields.get("fat_saturated")),
            "sodium_mg": None if sodium is None else sodium * 1000,
        }
        author = " ".join(str(fields.get("license_author") or "").split())
        origin = str(fields.get("source_name") or "").strip()
        attribution = "wger" + (f", by {author}" if author else "")
        if origin and origin.lower() != "wger":
            attribution += f" (from {origin})"
        _store(session, _Record(
            label=label, name=" ".join(str(fields.get("name") or "").split()),
            brand=str(fields.get("brand") or "").strip(), barcode=clean_barcode(fields.get("code")), values=values,
            servings=servings.get(record.get("pk"), []), source="wger",
            external_id=str(fields.get("uuid") or record.get("pk")), attribution=attribution,
        ), report)
    return report

