from datetime import date, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import ExpenditureEstimate, FitnessData
from adaptivefit.services.nutrition import expenditure
from adaptivefit.services.nutrition.expenditure import estimate_expenditure, suggest_calorie_update
from adaptivefit.services.nutrition.targets import set_goal
from tests.services.nutrition.nutrition_fixtures import NOW, make_user, simulate


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_expenditure_estimate_recovers_a_known_expenditure_after_four_weeks(session, seed):
    user = make_user(session)
    simulate(session, user, seed=seed)
    estimate = estimate_expenditure(session, user, now=NOW)
    assert estimate == pytest.approx(2600, rel=0.05)


def test_expenditure_needs_two_weeks_of_intake_and_weigh_ins(session):
    user = make_user(session)
    simulate(session, user, seed=1, days=13)
    assert estimate_expenditure(session, user, now=NOW) is None
    assert expenditure.record_estimate(session, user, now=NOW) is None
    other = make_user(session, "Bob")
    simulate(session, other, seed=1, days=20)
    # Weigh-ins only over the last ten days: not enough span.
    for row in session.exec(select(FitnessData).where(FitnessData.user_id == other.id,
                                                      FitnessData.recorded_at < NOW - timedelta(days=10))).all():
        session.delete(row)
    session.flush()
    assert estimate_expenditure(session, other, now=NOW) is None


def test_suggestion_only_past_100_kcal_and_applying_it(session):
    user = make_user(session, sex="male", height_cm=180, date_of_birth=date(1990, 1, 1))
    simulate(session, user, seed=2)
    estimate = estimate_expenditure(session, user, now=NOW)
    form = {"activity": "moderate", "goal": "lose", "rate_kg_per_week": "0.5", "weight_kg": 85}
    goal = set_goal(session, user, {**form, "calories": str(round(estimate - 550 + 90))}, now=NOW)
    assert suggest_calorie_update(session, user, now=NOW) is None
    assert expenditure.apply_suggestion(session, user, now=NOW) is None

    set_goal(session, user, {**form, "calories": "2500"}, now=NOW)
    suggestion = suggest_calorie_update(session, user, now=NOW)
    assert suggestion["current"] == 2500
    assert suggestion["suggested"] == round(estimate - 550)
    assert suggestion["expenditure"] == round(estimate) and suggestion["adjustment"] == -550
    assert "kcal" in suggestion["message"]

    applied = expenditure.apply_suggestion(session, user, now=NOW)
    assert applied.id == goal.id and applied.calories == round(estimate - 550)
    assert applied.protein_g == 170 and applied.fat_g == round(applied.calories * 0.25 / 9)
    assert applied.carbs_g == round((applied.calories - 170 * 4 - applied.calories * 0.25) / 4)
    (stored,) = expenditure.expenditure_history(session, user)
    assert stored.applied and stored.kcal_per_day == pytest.approx(estimate, abs=0.1)
    assert suggest_calorie_update(session, user, now=NOW) is None
    assert session.exec(select(ExpenditureEstimate)).all() == [stored]


def test_record_estimate_builds_a_history(session):
    user = make_user(session)
    simulate(session, user, seed=3)
    first = expenditure.record_estimate(session, user, now=NOW - timedelta(days=1))
    second = expenditure.record_estimate(session, user, now=NOW)
    assert [e.id for e in expenditure.expenditure_history(session, user)] == [first.id, second.id]
    assert not second.applied and second.window_days == 28



def test_the_daily_estimate_is_kept_once_per_local_day_of_the_member(session):
    # Kiritimati is UTC+14: 10:30 UTC on 1 March is already 2 March there, a new day for the member.
    user = make_user(session, timezone="Pacific/Kiritimati")
    simulate(session, user, seed=3)
    first = expenditure.record_daily_estimate(session, user, now=NOW)
    assert first is not None
    assert expenditure.record_daily_estimate(session, user, now=NOW + timedelta(minutes=30)) is None
    next_day = expenditure.record_daily_estimate(session, user, now=NOW + timedelta(hours=1, minutes=30))
    assert next_day is not None and next_day.computed_at.date() == first.computed_at.date()
    assert [expenditure.estimate_day(user, e) for e in expenditure.expenditure_history(session, user)] == [
        date(2026, 3, 1), date(2026, 3, 2)]
    assert expenditure.record_daily_estimate(session, make_user(session, "Bob"), now=NOW) is None
