"""How the marketplace reads: one price on every page, ratings, counts and prescriptions."""

from __future__ import annotations

import pytest

from adaptivefit.services.marketplace import display, listing, program_builder, program_moderation
from adaptivefit.services.marketplace.trainers import public_profile, trainer_for_user
from tests.services.marketplace.marketplace_fixtures import (  # noqa: F401 - fixture
    as_actor,
    build,
    people,
)


@pytest.mark.parametrize(("kind", "price", "currency", "text"), [
    ("one_time", "29.00", "usd", "$29.00"),
    ("subscription", "9.99", "eur", "€9.99/month"),
    ("one_time", "1234.50", "cad", "CA$1,234.50"),
])
def test_a_program_page_a_trainer_page_and_the_studio_show_one_price_the_same_way(session, people, kind, price,
                                                                                  currency, text):
    trainer = people["trainer"]
    program = build(session, trainer, "Priced", price_kind=kind, price=price, currency=currency)
    on_program_page = display.program_page_view(listing.program_page(session, None, program.id))["price"]
    profile = public_profile(session, trainer_for_user(session, trainer.id).id)
    on_trainer_page = display.profile_view(profile)["programs"][0]["price"]
    on_marketplace = display.browse_view(listing.browse(session))["cards"][0]["price"]
    in_studio = display.studio_row(program_builder.list_mine(session, trainer)[0])["price"]
    listed = program_moderation.moderation_list(session, as_actor(people["moderator"])).rows[0]
    in_moderation = display.moderation_row(listed)["price"]
    assert on_program_page == on_trainer_page == on_marketplace == in_studio == in_moderation == text


def test_the_builder_shows_the_price_as_an_edit_field_reads_it(session, people):
    program = build(session, people["trainer"], "Priced", price_kind="one_time", price="1234.50", currency="usd")
    view = program_builder.builder_view(session, people["trainer"], program.id)
    assert display.builder_view(view, [])["form"]["price"] == "1234.50"


def test_ratings_and_counts_read_as_before():
    assert display.stars(4.2, 5) == "★★★★☆ 4.2 (5)" and display.stars(0, 0) == "No ratings yet"
    assert display.rating_short(4.25, 3) == "4.2 ★ (3)" and display.rating_short(0, 0) == "No ratings yet"
    assert (display.count(1, "week"), display.count(3, "week"), display.count(0, "sale")) == ("1 week", "3 weeks",
                                                                                                "0 sales")


def test_a_planned_exercise_reads_like_a_lifters_notebook():
    base = {"sets": 4, "reps_min": 6, "reps_max": 8, "load_kg": None, "percent_1rm": 75.0, "target_rpe": None,
            "target_rir": 2, "rest_s": 150}
    assert display.prescription(base) == "4 × 6-8 @ 75% 1RM · 2 RIR · rest 150 s"
    assert display.prescription({**base, "reps_min": 5, "reps_max": 5, "percent_1rm": None, "load_kg": 82.5,
                                 "target_rir": None, "target_rpe": 8.5}) == "4 × 5 @ 82.5 kg · RPE 8.5 · rest 150 s"
