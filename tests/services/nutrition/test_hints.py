from datetime import timedelta

from adaptivefit.models import Workout
from adaptivefit.services.nutrition.diary import log_food
from adaptivefit.services.nutrition.hints import daily_hints
from tests.services.nutrition.nutrition_fixtures import DAY, NOW, at, make_food, make_user, set_targets


def test_hints_nudge_towards_targets_then_protein_energy_and_fibre(session):
    user = make_user(session)
    shake = make_food(session, "Shake", kcal=100, protein=2, carbs=20, fat=1, fibre=0)
    assert daily_hints(session, user, DAY, now=NOW) == [
        "Set your calorie and macro targets to see how your day adds up."]

    set_targets(session, user, calories=2500, protein=150, carbs=300, fat=80)
    log_food(session, user, food_id=shake.id, quantity=1300, unit="g", meal_type="lunch", eaten_at=at(DAY, 12))
    hints = daily_hints(session, user, DAY, now=NOW)
    assert len(hints) == 2
    assert hints[0].startswith("Protein is at 26 g of your 150 g target")
    assert hints[1].startswith("Fibre is at 0 g today")
    # Before evening, low protein is no news yet.
    morning = at(DAY, 11)
    assert [h for h in daily_hints(session, user, DAY, now=morning) if h.startswith("Protein")] == []

    session.add(Workout(user_id=user.id, name="Push", started_at=at(DAY, 17)))
    session.flush()
    hints = daily_hints(session, user, DAY, now=NOW)
    assert any(h.startswith("You trained today and have eaten 1,300 of your 2,500 kcal") for h in hints)

    # Enough eaten, protein and fibre: nothing to say.
    steak = make_food(session, "Steak and beans", kcal=200, protein=25, carbs=10, fat=6, fibre=5)
    log_food(session, user, food_id=steak.id, quantity=500, unit="g", meal_type="dinner", eaten_at=at(DAY, 19))
    assert daily_hints(session, user, DAY, now=NOW) == []
    for hint in daily_hints(session, user, DAY + timedelta(days=1), now=NOW):
        assert "diagnos" not in hint and "disorder" not in hint
