import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import ApiToken, AuditEvent, Role, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.accounts import api_tokens
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed


def _user(session, name="Maya", role=Role.MEMBER, **extra):
    user = User(email=f"{name.lower()}@example.com", name=name, role=role, **extra)
    session.add(user)
    session.flush()
    return user


def _tokens_state(session):
    session.expire_all()
    tokens = [(t.id, t.user_id, t.revoked_at) for t in session.exec(select(ApiToken).order_by(ApiToken.id))]
    events = [e.id for e in session.exec(select(AuditEvent))]
    return tokens, events


def test_a_token_is_shown_once_and_stored_only_as_its_hash(session):
    user = _user(session)
    token, raw = api_tokens.create_token(session, user, "  Watch sync  ", ip_address="203.0.113.9")
    assert raw.startswith(api_tokens.TOKEN_PREFIX) and len(raw) >= len("afp_") + 43
    assert token.prefix == raw[:8] and token.name == "Watch sync"
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = session.exec(select(ApiToken)).one()
    assert raw not in (stored.token_hash, stored.prefix, stored.name)
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.event == "api_token_created")).all()
    assert event.user_id == user.id and event.ip_address == "203.0.113.9"
    assert event.details["token_id"] == token.id and raw not in str(event.details)


def test_every_token_is_different(session):
    user = _user(session)
    raws = {api_tokens.create_token(session, user, f"t{n}")[1] for n in range(5)}
    assert len(raws) == 5


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_name_must_be_1_to_80_characters(session, name):
    user = _user(session)
    with pytest.raises(ValidationFailed) as refused:
        api_tokens.create_token(session, user, name)
    assert "name" in refused.value.errors
    assert _tokens_state(session) == ([], [])
    assert api_tokens.create_token(session, user, "x" * 80)[0].name == "x" * 80


def test_at_most_20_active_tokens(session):
    user = _user(session)
    made = [api_tokens.create_token(session, user, f"token {n}")[0] for n in range(api_tokens.MAX_ACTIVE_TOKENS)]
    before = _tokens_state(session)
    with pytest.raises(ValidationFailed):
        api_tokens.create_token(session, user, "one too many")
    assert _tokens_state(session) == before
    # Another user's allowance is their own.
    api_tokens.create_token(session, _user(session, "Ben"), "mine")
    api_tokens.revoke_token(session, user, made[0].id)
    api_tokens.create_token(session, user, "room again")


def test_suspended_users_cannot_create_tokens(session):
    user = _user(session, is_suspended=True)
    with pytest.raises(PermissionDenied):
        api_tokens.create_token(session, user, "nope")
    assert _tokens_state(session) == ([], [])


def test_list_shows_active_tokens_newest_first(session):
    user, other = _user(session), _user(session, "Ben")
    older, _ = api_tokens.create_token(session, user, "older")
    older.created_at = utcnow() - timedelta(days=2)
    revoked, _ = api_tokens.create_token(session, user, "revoked")
    newer, _ = api_tokens.create_token(session, user, "newer")
    api_tokens.create_token(session, other, "not mine")
    api_tokens.revoke_token(session, user, revoked.id)
    session.flush()
    assert [t.name for t in api_tokens.list_tokens(session, user)] == ["newer", "older"]


def test_revoke_stops_the_token_and_is_audited(session):
    user = _user(session)
    token, raw = api_tokens.create_token(session, user, "laptop")
    assert api_tokens.resolve_token(session, raw).id == user.id
    api_tokens.revoke_token(session, user, token.id, ip_address="198.51.100.7")
    assert api_tokens.resolve_token(session, raw) is None
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.event == "api_token_revoked")).all()
    assert event.user_id == user.id and event.details["token_id"] == token.id
    with pytest.raises(ValidationFailed):
        api_tokens.revoke_token(session, user, token.id)


def test_nobody_revokes_another_users_token(session):
    owner, intruder = _user(session), _user(session, "Ben", Role.ADMIN)
    token, raw = api_tokens.create_token(session, owner, "phone")
    before = _tokens_state(session)
    for token_id in (token.id, 999_999):
        with pytest.raises(ValidationFailed) as refused:
            api_tokens.revoke_token(session, intruder, token_id)
        assert refused.value.errors == {"token": "No such token."}
    assert _tokens_state(session) == before
    assert api_tokens.resolve_token(session, raw).id == owner.id


def test_resolve_gives_the_owner_with_their_current_role(session):
    user = _user(session, role=Role.TRAINER)
    _, raw = api_tokens.create_token(session, user, "cli")
    actor = api_tokens.resolve_token(session, raw)
    assert (actor.id, actor.role, actor.name, actor.email) == (user.id, "trainer", "Maya", "maya@example.com")
    user.role = Role.MODERATOR
    session.add(user)
    session.flush()
    assert api_tokens.resolve_token(session, raw).role == "moderator"


@pytest.mark.parametrize("raw", ["", "afp_", "afp_nothing-like-a-real-token", "garbage", "afp_" + "x" * 500])
def test_unknown_tokens_resolve_to_nobody(session, raw):
    api_tokens.create_token(session, _user(session), "real")
    assert api_tokens.resolve_token(session, raw) is None


def test_tokens_of_suspended_or_erased_users_resolve_to_nobody(session):
    suspended, erased = _user(session), _user(session, "Ben")
    _, suspended_raw = api_tokens.create_token(session, suspended, "a")
    _, erased_raw = api_tokens.create_token(session, erased, "b")
    suspended.is_suspended = True
    session.add(suspended)
    session.delete(erased)
    session.flush()
    session.expire_all()
    assert api_tokens.resolve_token(session, suspended_raw) is None
    assert api_tokens.resolve_token(session, erased_raw) is None


def test_last_used_is_written_at_most_once_a_minute(session):
    token, raw = api_tokens.create_token(session, _user(session), "sync")
    assert token.last_used_at is None
    start = utcnow()
    api_tokens.resolve_token(session, raw, now=start)
    assert token.last_used_at == start
    api_tokens.resolve_token(session, raw, now=start + timedelta(seconds=59))
    assert token.last_used_at == start
    later = start + timedelta(minutes=1)
    api_tokens.resolve_token(session, raw, now=later)
    assert token.last_used_at == later


def test_revoke_all_tokens_on_suspension(session):
    user, other = _user(session), _user(session, "Ben")
    raws = [api_tokens.create_token(session, user, f"t{n}")[1] for n in range(3)]
    _, other_raw = api_tokens.create_token(session, other, "kept")
    assert api_tokens.revoke_all_tokens(session, user.id) == 3
    assert all(api_tokens.resolve_token(session, raw) is None for raw in raws)
    assert api_tokens.resolve_token(session, other_raw) is not None
    assert api_tokens.list_tokens(session, user) == []
