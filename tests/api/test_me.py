from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from adaptivefit.api import build_api
from adaptivefit.api.auth import api_actor
from adaptivefit.models import Role, User
from adaptivefit.services.accounts import api_tokens


def _user_with_token(session, name="Maya", role=Role.MEMBER):
    user = User(email=f"{name.lower()}@example.com", name=name, role=role)
    session.add(user)
    session.flush()
    token, raw = api_tokens.create_token(session, user, "test")
    session.commit()
    return user, token, raw


def _bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def client(database):
    return TestClient(build_api())


def test_me_with_a_valid_token(session, client):
    user, _, raw = _user_with_token(session, role=Role.TRAINER)
    response = client.get("/api/me", headers=_bearer(raw))
    assert response.status_code == 200
    assert response.json() == {"id": user.id, "name": "Maya", "email": "maya@example.com", "role": "trainer"}
    # The route's own transaction recorded the use.
    session.expire_all()
    assert api_tokens.list_tokens(session, user)[0].last_used_at is not None


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer    "},
    {"Authorization": "Basic bWF5YTpzZWNyZXQ="},
    {"Authorization": "Bearer garbage"},
    {"Authorization": "Bearer afp_not-a-real-token-at-all-000000000000000"},
])
def test_me_without_a_usable_token_is_401_with_a_reason(session, client, headers):
    _user_with_token(session)
    response = client.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(session, client):
    user, token, raw = _user_with_token(session)
    api_tokens.revoke_token(session, user, token.id)
    session.commit()
    response = client.get("/api/me", headers=_bearer(raw))
    assert response.status_code == 401 and "revoked" in response.json()["error"]


def test_a_suspended_users_token_is_401(session, client):
    user, _, raw = _user_with_token(session)
    assert client.get("/api/me", headers=_bearer(raw)).status_code == 200
    user.is_suspended = True
    session.add(user)
    session.commit()
    response = client.get("/api/me", headers=_bearer(raw))
    assert response.status_code == 401 and response.json()["error"]


def test_the_raw_token_is_nowhere_in_the_database(session, client, database):
    _, _, raw = _user_with_token(session)
    assert client.get("/api/me", headers=_bearer(raw)).status_code == 200
    path = Path(database.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert stored and raw.encode() not in stored and raw[8:].encode() not in stored


def test_wrong_method_is_a_json_405(client):
    response = client.post("/api/me")
    assert response.status_code == 405 and response.json()["error"]


async def _admins_only(request: Request) -> JSONResponse:
    actor = await api_actor(request, Role.ADMIN)
    return JSONResponse({"id": actor.id, "ip": actor.ip_address})


@pytest.mark.parametrize(("role", "status"), [
    (Role.MEMBER, 403), (Role.TRAINER, 403), (Role.MODERATOR, 403), (Role.ADMIN, 200),
])
def test_api_actor_refuses_roles_with_a_json_403(session, database, role, status):
    api = build_api()
    api.router.routes.append(Route("/api/admins-only", _admins_only, methods=["GET"]))
    user, _, raw = _user_with_token(session, role=role)
    response = TestClient(api).get("/api/admins-only", headers=_bearer(raw))
    assert response.status_code == status
    if status == 403:
        assert response.json() == {"error": "Your account does not have permission to do this."}
    else:
        assert response.json()["id"] == user.id and response.json()["ip"]
    assert TestClient(api).get("/api/admins-only").status_code == 401
