"""The coach's REST API as a client sees it: the original contract, validation, tokens and health."""

import json

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from adaptivefit.api import build_api
from adaptivefit.api import coach as coach_api
from adaptivefit.coach import rules
from adaptivefit.models import CoachTweak, Exercise, Goal, User
from adaptivefit.services.accounts import api_tokens

DOCUMENTED = {"event": "skip_set", "user_id": "test123", "context": {"set_number": 2},
              "user_data": {"fitness_level": "intermediate", "goals": ["strength"]}}


@pytest.fixture
def client(database):
    return TestClient(build_api())


def _member(session, *, name="Maya", level="beginner", coach_ai=False):
    user = User(email=f"{name.lower()}@example.com", name=name, fitness_level=level, coach_ai=coach_ai)
    session.add(user)
    session.flush()
    _, raw = api_tokens.create_token(session, user, "watch")
    session.commit()
    return user, {"Authorization": f"Bearer {raw}"}


def test_the_documented_example_returns_the_documented_shape(client):
    response = client.post("/api/event", json=DOCUMENTED)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["user_id"] == "test123" and body["event"] == "skip_set"
    assert body["ai_powered"] is False
    assert body["tweak"]["action"] == "reduce_volume"
    assert body["tweak"]["modifications"] == {"sets": -1, "rest_time": 30}
    assert body["tweak"]["reason"]
    assert set(body["next"]) == {"sets", "reps", "weight_kg", "rest_s"}
    # `next` is the whole prescription: the planned three sets less the skipped one.
    assert body["next"]["sets"] == 2
    assert body["message"].strip()


def test_next_holds_the_floor_for_a_failed_set(client):
    body = client.post("/api/event", json={"event": "fail_set", "context": {
        "planned_reps": 10, "completed_reps": 3, "load_kg": 100, "rpe": 10, "equipment": "barbell"}}).json()
    assert body["next"]["reps"] >= rules.rep_floor(10) == 8
    assert body["next"]["weight_kg"] < 100


def test_service_information_and_openapi_schema(client):
    info = client.get("/api").json()
    assert "POST /api/event" in info["endpoints"] and "skip_set" in info["events"]
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/event" in schema["paths"] and "EventIn" in schema["components"]["schemas"]
    events = schema["components"]["schemas"]["EventIn"]["properties"]["event"]
    assert set(events["enum"]) == {"skip_set", "struggle_set", "fail_set", "complete_set", "too_easy",
                                   "complete_workout", "start_workout"}


def test_an_unknown_event_names_the_allowed_ones(client):
    response = client.post("/api/event", json={**DOCUMENTED, "event": "dance"})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["event"] and "skip_set" in detail["msg"] and "start_workout" in detail["msg"]


@pytest.mark.parametrize("context, field", [
    ({"set_number": -1}, "set_number"),
    ({"load_kg": 5000}, "load_kg"),
    ({"rpe": 11}, "rpe"),
    ({"planned_reps": 0}, "planned_reps"),
    ({"rest_s": "long"}, "rest_s"),
])
def test_numbers_out_of_range_are_refused_with_the_field(client, context, field):
    response = client.post("/api/event", json={"event": "complete_set", "context": context})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["context", field]


def test_bad_bodies_get_a_4xx_with_a_reason(client):
    too_long = client.post("/api/event", json={**DOCUMENTED, "user_id": "x" * 129})
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["user_id"]
    malformed = client.post("/api/event", content=b'{"event": "skip_set",', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and "not valid JSON" in malformed.json()["error"]
    assert client.post("/api/event", json=[1, 2]).status_code == 400
    assert client.post("/api/event", content=b"event=skip_set",
                       headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    huge = client.post("/api/event", content=json.dumps({**DOCUMENTED, "pad": "x" * 70_000}),
                       headers={"Content-Type": "application/json"})
    assert huge.status_code == 413
    assert client.post("/api/event", json={"event": "skip_set", "context": {"rpe": "NaN"}}).status_code == 422


def test_without_a_token_nothing_is_read_or_stored(client, session):
    user, _ = _member(session)
    client.post("/api/event", json={**DOCUMENTED, "user_id": str(user.id)})
    assert session.exec(select(CoachTweak)).all() == []


def test_with_a_token_the_members_own_data_is_used_and_recorded(client, session):
    user, headers = _member(session, level="advanced")
    session.add(Goal(user_id=user.id, goal_type="hypertrophy"))
    session.commit()
    response = client.post("/api/event", headers=headers, json={
        "event": "struggle_set", "user_id": "someone-else",
        "context": {"planned_reps": 8, "completed_reps": 7, "load_kg": 80, "rpe": 9.5},
        "user_data": {"fitness_level": "beginner", "goals": ["endurance"]}})
    assert response.status_code == 200
    body = response.json()
    # The token decides whose call it is, not the body.
    assert body["user_id"] == str(user.id)
    stored = session.exec(select(CoachTweak)).one()
    assert stored.user_id == user.id and stored.source == "api" and stored.event == "struggle_set"
    assert stored.action == body["tweak"]["action"]
    # The member's records win over the posted user data.
    assert stored.context["fitness_level"] == "advanced" and stored.context["goals"] == ["hypertrophy"]


def test_a_bad_token_is_refused_and_someone_elses_exercise_too(client, session):
    assert client.post("/api/event", json=DOCUMENTED, headers={"Authorization": "Bearer nope"}).status_code == 401
    owner, _ = _member(session, name="Owner")
    private = Exercise(name="Owner's lunge", slug="owners-lunge", category="strength", primary_muscle="quads",
                       owner_id=owner.id)
    session.add(private)
    session.commit()
    _, headers = _member(session, name="Other")
    response = client.post("/api/event", headers=headers,
                           json={"event": "complete_set", "context": {"exercise_id": private.id}})
    assert response.status_code == 422 and "exercise_id" in response.json()["error"]


def test_health_reports_the_template_fallback_when_there_is_no_model(client):
    body = client.get("/api/health").json()
    assert body["model_available"] is False and body["fallback_enabled"] is True
    assert body["message_path"] == "templates" and body["device"] == "cpu"
    assert body["status"] == "degraded" and body["database"] is True


def test_the_coach_runs_alone_at_the_root(database):
    alone = TestClient(coach_api.build_app())
    assert alone.post("/event", json=DOCUMENTED).json()["tweak"]["action"] == "reduce_volume"
    assert "POST /event" in alone.get("/").json()["endpoints"]
    assert alone.get("/health").json()["fallback_enabled"] is True
    assert "/event" in alone.get("/openapi.json").json()["paths"]
