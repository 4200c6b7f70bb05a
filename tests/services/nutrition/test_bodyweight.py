from datetime import date, timedelta

from sqlmodel import select

from adaptivefit.models import FitnessData
from adaptivefit.services.nutrition.bodyweight import log_bodyweight, weight_trend
from tests.services.nutrition.nutrition_fixtures import NOW, make_user, refused


def test_one_weigh_in_per_local_day(session):
    user = make_user(session, timezone="Asia/Tokyo")
    first = log_bodyweight(session, user, 81.2, now=NOW)
    second = log_bodyweight(session, user, "80.6", now=NOW + timedelta(hours=2))
    assert second.id == first.id
    rows = session.exec(select(FitnessData).where(FitnessData.type == "bodyweight")).all()
    assert [r.data for r in rows] == [{"kg": 80.6}]
    log_bodyweight(session, user, 81, day=date(2026, 2, 20), now=NOW)
    assert len(session.exec(select(FitnessData).where(FitnessData.type == "bodyweight")).all()) == 2
    assert refused(log_bodyweight, session, user, 19.9, now=NOW) == {"kg": "Enter a weight from 20 to 400 kg."}
    assert refused(log_bodyweight, session, user, 401, now=NOW)["kg"]
    assert refused(log_bodyweight, session, user, 80, day=date(2026, 3, 5), now=NOW) == {
        "day": "Weigh-ins cannot be in the future."}


def test_weight_trend_is_an_ewma_that_carries_over_gaps(session):
    user = make_user(session)
    for day, kg in ((date(2026, 2, 24), 80.0), (date(2026, 2, 25), 81.0), (date(2026, 2, 27), 79.0)):
        log_bodyweight(session, user, kg, day=day, now=NOW)
    trend = weight_trend(session, user, days=30, now=NOW)
    assert trend == [
        {"date": date(2026, 2, 24), "weight": 80.0, "trend": 80.0},
        {"date": date(2026, 2, 25), "weight": 81.0, "trend": 80.1},
        {"date": date(2026, 2, 26), "weight": None, "trend": 80.1},
        {"date": date(2026, 2, 27), "weight": 79.0, "trend": 79.99},
    ]
    # A shorter window still starts from the settled trend of the days before it.
    assert weight_trend(session, user, days=3, now=NOW)[-1]["trend"] == 79.99
    assert weight_trend(session, make_user(session, "Bob"), now=NOW) == []

