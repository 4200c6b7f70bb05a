"""Browsing the marketplace, a program's page, and buyers' reviews."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit.models import Role, TrainingProgram
from adaptivefit.services.catalog import equipment_profiles, library
from adaptivefit.services.marketplace import listing, program_moderation, program_publishing
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from tests.services.marketplace.marketplace_fixtures import build, buy, equipment_ids, make_trainer, make_user


PUSH_UP = ("Push-Up", "3", "10", "")
BENCH = ("Barbell Bench Press", "5", "5", "75%")  # a barbell and a flat bench
CURL = ("Dumbbell Curl", "3", "12", "12")  # a dumbbell


@pytest.fixture
def shop(session):
    """Programs whose exercises need exactly the equipment ticked (publishing adds what they need)."""
    library.install_library(session)
    theo, rita = make_trainer(session, "Theo"), make_trainer(session, "Rita")
    barbell = equipment_ids(session, "Barbell", "Flat Bench")
    dumbbell = equipment_ids(session, "Dumbbell")
    made = {
        "bodyweight": build(session, theo, "Bodyweight Basics", goal="general_fitness", level="beginner",
                            duration_weeks="4", exercises=(PUSH_UP,)),
        "barbell": build(session, theo, "Barbell Strength", goal="strength", level="intermediate", duration_weeks="12",
                         equipment_ids=barbell, price_kind="one_time", price="29.00", exercises=(BENCH,)),
        "dumbbell": build(session, rita, "Dumbbell Hypertrophy", goal="hypertrophy", level="advanced",
                          duration_weeks="8", equipment_ids=dumbbell, price_kind="subscription", price="9.99",
                          exercises=(CURL,)),
        "mixed": build(session, rita, "Power Mix", goal="powerlifting", level="advanced", duration_weeks="16",
                       equipment_ids=barbell + dumbbell, price_kind="one_time", price="49.00", exercises=(BENCH, CURL)),
    }
    return {"theo": theo, "rita": rita, "barbell_kit": barbell, "dumbbell_kit": dumbbell, **made}


def _titles(rows):
    return sorted(r.title for r in rows)


def test_only_listed_programs_are_browsed(session, shop):
    draft = build(session, shop["theo"], "Unfinished", publish=False)
    hidden = build(session, shop["theo"], "Hidden One")
    program_moderation.hide(session, Actor(id=make_user(session, "Mo", Role.MODERATOR).id, role=Role.MODERATOR), hidden.id,
                  "Copied content")
    unpublished = build(session, shop["theo"], "Withdrawn")
    program_publishing.unpublish(session, shop["theo"], unpublished.id)
    suspended = make_trainer(session, "Sam")
    build(session, suspended, "Suspended Trainer's")
    from adaptivefit.models import Trainer

    row = session.exec(select(Trainer).where(Trainer.user_id == suspended.id)).one()
    row.status = "rejected"
    session.add(row)
    found = listing.browse(session)
    rows, total = found.cards, found.total
    assert total == 4 and _titles(rows) == ["Barbell Strength", "Bodyweight Basics", "Dumbbell Hypertrophy",
                                            "Power Mix"]
    assert draft.id not in {r.id for r in rows}


def test_each_filter_cuts_the_list(session, shop):
    def titles(**filters):
        found = listing.browse(session, **filters)
        rows = found.cards
        assert found.total == len(rows)
        return _titles(rows)

    assert titles(query="barbell") == ["Barbell Strength"]
    assert titles(query="DUMBBELL hyper") == ["Dumbbell Hypertrophy"]
    assert titles(query="100%_") == []
    assert titles(goal="strength") == ["Barbell Strength"]
    assert titles(level="advanced") == ["Dumbbell Hypertrophy", "Power Mix"]
    assert titles(min_weeks=8, max_weeks=12) == ["Barbell Strength", "Dumbbell Hypertrophy"]
    assert titles(price="free") == ["Bodyweight Basics"]
    assert titles(price="paid") == ["Barbell Strength", "Dumbbell Hypertrophy", "Power Mix"]
    assert titles(max_price_cents=2900) == ["Barbell Strength", "Bodyweight Basics", "Dumbbell Hypertrophy"]
    assert titles(goal="strength", level="beginner") == []


def test_equipment_filter_keeps_programs_whose_needs_are_a_subset(session, shop):
    def titles(ids):
        return _titles(listing.browse(session, equipment_ids=ids).cards)

    assert titles([]) == ["Bodyweight Basics"]
    assert titles(shop["dumbbell_kit"]) == ["Bodyweight Basics", "Dumbbell Hypertrophy"]
    assert titles(shop["barbell_kit"]) == ["Barbell Strength", "Bodyweight Basics"]
    assert titles(shop["barbell_kit"] + shop["dumbbell_kit"]) == ["Barbell Strength", "Bodyweight Basics",
                                                          "Dumbbell Hypertrophy", "Power Mix"]
    member = make_user(session, "Maya")
    assert listing.my_equipment_ids(session, member) is None
    home = equipment_profiles.create_profile(session, member, "Home", shop["dumbbell_kit"] + shop["barbell_kit"][:1])
    equipment_profiles.set_unavailable(session, member, home.id, shop["barbell_kit"][0], True)
    assert listing.my_equipment_ids(session, member) == shop["dumbbell_kit"]


def test_sorts_and_rating_filter(session, shop):
    for key, sales, avg, count in (("bodyweight", 50, 4.0, 3), ("barbell", 10, 4.8, 5), ("dumbbell", 70, 0, 0),
                                   ("mixed", 5, 3.0, 1)):
        program = session.get(TrainingProgram, shop[key].id)
        program.sales_count, program.rating_avg, program.rating_count = sales, avg, count
        session.add(program)
    session.flush()

    def order(sort, **filters):
        return [r.title for r in listing.browse(session, sort=sort, **filters).cards]

    assert order("popular") == ["Dumbbell Hypertrophy", "Bodyweight Basics", "Barbell Strength", "Power Mix"]
    assert order("rating")[:2] == ["Barbell Strength", "Bodyweight Basics"]
    assert order("price_low") == ["Bodyweight Basics", "Dumbbell Hypertrophy", "Barbell Strength", "Power Mix"]
    assert order("price_high")[0] == "Power Mix"
    assert order("newest")[0] == "Power Mix"
    assert order("rating", min_rating=4) == ["Barbell Strength", "Bodyweight Basics"]


def test_paging_totals(session, shop):
    for n in range(7):
        build(session, shop["theo"], f"Extra {n}")
    pages = [listing.browse(session, page=n, page_size=5, sort="newest") for n in (1, 2, 3)]
    first, second, third = (found.cards for found in pages)
    assert [found.total for found in pages] == [11, 11, 11] and len(first) == 5 and len(second) == 5
    assert len(third) == 1 and [(found.page, found.pages) for found in pages] == [(1, 3), (2, 3), (3, 3)]
    assert not {r.id for r in first} & {r.id for r in second}
    assert first[0].trainer_name == "Theo Person" and first[0].price == "Free"


def test_program_page_shows_week_one_and_hides_unlisted_programs(session, shop):
    from adaptivefit.services.training import plans

    theo = shop["theo"]
    program = shop["barbell"]
    plans.add_day(session, theo, program.draft_plan_id, week=2, name="Week two day")
    program_publishing.publish(session, theo, program.id)
    page = listing.program_page(session, None, program.id)
    assert page.title == "Barbell Strength" and page.price == "$29.00" and page.trainer_name == "Theo Person"
    assert page.verified and page.trainer_headline == "Theo coaches" and page.version == 2
    assert [d["name"] for d in page.week_one] == ["Day A"]
    assert page.week_one[0]["exercises"][0]["exercise_name"] == "Barbell Bench Press"
    assert page.equipment == ["Barbell", "Flat Bench"]
    assert not page.has_access and not page.can_review
    monthly = listing.program_page(session, None, shop["dumbbell"].id)
    assert monthly.price == "$9.99/month"
    program_publishing.unpublish(session, theo, program.id)
    assert listing.program_page(session, None, program.id) is None
    assert listing.program_page(session, theo, program.id).is_owner


def test_only_buyers_review_once_each_and_can_edit(session, shop):
    program = shop["bodyweight"]
    buyer, other, stranger = make_user(session, "Bea"), make_user(session, "Otto"), make_user(session, "Sue")
    with pytest.raises(PermissionDenied):
        listing.upsert_review(session, stranger, program.id, 5, "Great")
    with pytest.raises(PermissionDenied):
        listing.upsert_review(session, shop["theo"], program.id, 5, "My own is great")
    buy(session, buyer, program)
    buy(session, other, program)
    refunded = make_user(session, "Rae")
    buy(session, refunded, program, status="refunded")
    with pytest.raises(PermissionDenied):
        listing.upsert_review(session, refunded, program.id, 1, "")
    with pytest.raises(ValidationFailed) as failed:
        listing.upsert_review(session, buyer, program.id, 6, "x" * 2001)
    assert set(failed.value.errors) == {"rating", "body"}

    listing.upsert_review(session, buyer, program.id, 5, "Loved it")
    listing.upsert_review(session, other, program.id, 2, "Too easy")
    saved = session.get(TrainingProgram, program.id)
    assert (saved.rating_count, saved.rating_avg) == (2, 3.5)
    listing.upsert_review(session, buyer, program.id, "4", "Loved it, mostly")
    saved = session.get(TrainingProgram, program.id)
    assert (saved.rating_count, saved.rating_avg) == (2, 3.0)
    page = listing.program_page(session, buyer, program.id)
    assert page.can_review and page.my_review.rating == 4 and page.reviews_total == 2
    assert {(r.author, r.body, r.mine) for r in page.reviews} == {("Bea", "Loved it, mostly", True),
                                                                  ("Otto", "Too easy", False)}
    listing.delete_review(session, buyer, program.id)
    saved = session.get(TrainingProgram, program.id)
    assert (saved.rating_count, saved.rating_avg) == (1, 2.0)


def test_moderators_remove_a_review_with_a_reason_and_the_rating_follows(session, shop):
    from adaptivefit.models import AuditEvent, ProgramReview

    program = shop["bodyweight"]
    fan, troll = make_user(session, "Fay"), make_user(session, "Tom")
    for person in (fan, troll):
        buy(session, person, program)
    listing.upsert_review(session, fan, program.id, 5, "Solid basics")
    listing.upsert_review(session, troll, program.id, 1, "Buy my program instead: example.com")
    spam = session.exec(select(ProgramReview).where(ProgramReview.user_id == troll.id)).one()
    moderator = make_user(session, "Mod", Role.MODERATOR)
    as_mod = Actor(id=moderator.id, role=Role.MODERATOR, name=moderator.name)
    for someone in (fan, shop["theo"]):  # neither a buyer nor the program's trainer may take reviews down
        with pytest.raises(PermissionDenied):
            listing.remove_review(session, Actor(id=someone.id, role=someone.role), spam.id, "mine")
    with pytest.raises(ValidationFailed) as failed:
        listing.remove_review(session, as_mod, spam.id, "  ")
    assert failed.value.errors == {"reason": "Say why the review is removed."}
    assert session.get(TrainingProgram, program.id).rating_count == 2

    listing.remove_review(session, as_mod, spam.id, "Advertising another product")
    saved = session.get(TrainingProgram, program.id)
    assert (saved.rating_count, saved.rating_avg) == (1, 5.0)
    assert [r.body for r in listing.list_reviews(session, program.id).rows] == ["Solid basics"]
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "review_removed")).one()
    assert (event.user_id, event.actor_id, event.details["reason"]) == (troll.id, moderator.id,
                                                                         "Advertising another product")


@pytest.mark.parametrize(("asked", "shown"), [(0, 1), (-2, 1), ("two", 1), (None, 1), ("2", 2), (99, 2)])
def test_every_page_request_is_clamped_to_the_pages_there_are(session, shop, asked, shown):
    found = listing.browse(session, page=asked, page_size=3, sort="newest")
    assert (found.page, found.pages, found.total) == (shown, 2, 4)
    assert len(found.cards) == (3 if shown == 1 else 1)
    reviews = listing.list_reviews(session, shop["barbell"].id, page=asked)
    assert (reviews.page, reviews.pages, reviews.rows) == (1, 1, [])
