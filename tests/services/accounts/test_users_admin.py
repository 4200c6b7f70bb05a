from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from adaptivefit.models import ApiToken, AuditEvent, AuthSession, Role, User
from adaptivefit.services.accounts import api_tokens, auth, users_admin
from adaptivefit.services.core.access import Actor, PermissionDenied, ValidationFailed
from adaptivefit.services.core.audit import record

ROLES = ("member", "trainer", "moderator", "admin")


def _user(session, name, role=Role.MEMBER, **extra):
    user = User(email=f"{name.lower().replace(' ', '.')}@example.com", name=name, role=role, **extra)
    session.add(user)
    session.flush()
    return user


def _actor(user):
    return Actor(id=user.id, role=user.role, name=user.name, email=user.email, ip_address="203.0.113.9")


@pytest.fixture
def people(session):
    """One user of each role, a second admin (so demoting one is allowed) and a target member."""
    found = {role: _user(session, role.capitalize(), role) for role in ROLES}
    found["admin2"] = _user(session, "Second Admin", Role.ADMIN)
    found["moderator2"] = _user(session, "Second Moderator", Role.MODERATOR)
    found["target"] = _user(session, "Target Person", Role.MEMBER)
    return found


def _state(session):
    """Everything these services may write, to compare before and after a refused call."""
    session.expire_all()
    users = [(u.id, u.role, u.is_suspended, u.updated_at) for u in session.exec(select(User).order_by(User.id))]
    sessions = [(s.id, s.revoked_at) for s in session.exec(select(AuthSession).order_by(AuthSession.id))]
    tokens = [(t.id, t.revoked_at) for t in session.exec(select(ApiToken).order_by(ApiToken.id))]
    events = [(e.id, e.event) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    return users, sessions, tokens, events


def _events(session, event):
    return session.exec(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.id)).all()


def _call(session, people, action, actor_key, target_key):
    actor = _actor(people[actor_key])
    target = people[target_key].id
    if action == "list_users":
        return users_admin.list_users(session, actor)
    if action == "change_role":
        return users_admin.change_role(session, actor, target, Role.TRAINER)
    if action == "suspend":
        return users_admin.suspend(session, actor, target, "Spam in comments")
    if action == "reinstate":
        return users_admin.reinstate(session, actor, target)
    if action == "audit_log":
        return users_admin.audit_log(session, actor)
    raise AssertionError(action)


# (function, acting role, target, allowed?) - the wger habit: every role against every function,
# plus the object-scope rules.
ACCESS = [
    ("list_users", "member", "target", False),
    ("list_users", "trainer", "target", False),
    ("list_users", "moderator", "target", True),
    ("list_users", "admin", "target", True),
    ("change_role", "member", "target", False),
    ("change_role", "trainer", "target", False),
    ("change_role", "moderator", "target", False),
    ("change_role", "admin", "target", True),
    ("change_role", "admin", "admin", False),  # an admin cannot remove their own admin role
    ("change_role", "admin", "admin2", True),
    ("suspend", "member", "target", False),
    ("suspend", "trainer", "target", False),
    ("suspend", "moderator", "target", True),
    ("suspend", "admin", "target", True),
    ("suspend", "moderator", "trainer", True),
    ("suspend", "moderator", "admin", False),
    ("suspend", "moderator", "moderator", False),  # self
    ("suspend", "moderator", "moderator2", False),
    ("suspend", "admin", "admin", False),
    ("suspend", "admin", "moderator", True),
    ("suspend", "admin", "admin2", True),
    ("reinstate", "member", "target", False),
    ("reinstate", "trainer", "target", False),
    ("reinstate", "moderator", "target", True),
    ("reinstate", "admin", "target", True),
    ("reinstate", "moderator", "admin2", False),
    ("reinstate", "moderator", "moderator2", False),
    ("reinstate", "admin", "moderator2", True),
    ("reinstate", "admin", "admin2", True),
    ("audit_log", "member", "target", False),
    ("audit_log", "trainer", "target", False),
    ("audit_log", "moderator", "target", False),
    ("audit_log", "admin", "target", True),
]

AUDITED = {"change_role": "role_changed", "suspend": "suspended", "reinstate": "reinstated"}


@pytest.mark.parametrize(("action", "actor_key", "target_key", "allowed"), ACCESS)
def test_access(session, people, action, actor_key, target_key, allowed):
    if action == "reinstate":
        people[target_key].is_suspended = True
        session.add(people[target_key])
        session.flush()
    before = _state(session)
    if not allowed:
        with pytest.raises(PermissionDenied):
            _call(session, people, action, actor_key, target_key)
        assert _state(session) == before
        return
    result = _call(session, people, action, actor_key, target_key)
    if action in AUDITED:
        assert isinstance(result, User) and result.id == people[target_key].id
        (event,) = _events(session, AUDITED[action])
        assert event.user_id == people[target_key].id and event.actor_id == people[actor_key].id
        assert event.ip_address == "203.0.113.9"
    else:
        assert _state(session) == before


def test_self_suspension_is_refused_for_an_admin_too(session, people):
    before = _state(session)
    with pytest.raises(PermissionDenied):
        users_admin.suspend(session, _actor(people["admin"]), people["admin"].id, "testing")
    assert _state(session) == before


def test_the_last_admin_cannot_be_demoted(session, people):
    # Two admins demote each other at once: the first demotion lands, and the second, made by an
    # actor resolved before it, must not leave the app without an admin.
    users_admin.change_role(session, _actor(people["admin2"]), people["admin"].id, Role.MEMBER)
    before = _state(session)
    with pytest.raises(PermissionDenied):
        users_admin.change_role(session, _actor(people["admin"]), people["admin2"].id, Role.MEMBER)
    assert _state(session) == before


def test_the_last_active_admin_cannot_be_suspended(session, people):
    people["admin2"].is_suspended = True
    session.add(people["admin2"])
    session.flush()
    stale = Actor(id=people["admin2"].id, role=Role.ADMIN)
    before = _state(session)
    with pytest.raises(PermissionDenied):
        users_admin.suspend(session, stale, people["admin"].id, "Leaving")
    with pytest.raises(PermissionDenied):
        users_admin.change_role(session, stale, people["admin"].id, Role.MEMBER)
    assert _state(session) == before


def test_no_actor_is_refused(session, people):
    with pytest.raises(PermissionDenied):
        users_admin.list_users(session, None)


@pytest.mark.parametrize("action", ["change_role", "suspend", "reinstate"])
def test_unknown_user_is_a_validation_error(session, people, action):
    admin = _actor(people["admin"])
    before = _state(session)
    with pytest.raises(ValidationFailed) as refused:
        if action == "change_role":
            users_admin.change_role(session, admin, 999_999, Role.TRAINER)
        elif action == "suspend":
            users_admin.suspend(session, admin, 999_999, "why")
        else:
            users_admin.reinstate(session, admin, 999_999)
    assert refused.value.errors == {"user": "No such user."}
    assert _state(session) == before


def test_change_role_records_from_and_to_and_revokes_the_targets_sessions(session, people):
    target, bystander = people["target"], people["trainer"]
    target_token = auth.start_session(session, target)
    bystander_token = auth.start_session(session, bystander)
    assert auth.resolve_session(session, target_token).role == Role.MEMBER

    users_admin.change_role(session, _actor(people["admin"]), target.id, Role.MODERATOR)

    assert session.get(User, target.id).role == Role.MODERATOR
    assert auth.resolve_session(session, target_token) is None
    assert auth.resolve_session(session, bystander_token) is not None
    (event,) = _events(session, "role_changed")
    assert event.details["from"] == "member" and event.details["to"] == "moderator"
    assert event.details["sessions_revoked"] == 1


def test_change_role_refuses_an_unknown_role(session, people):
    before = _state(session)
    with pytest.raises(ValidationFailed) as refused:
        users_admin.change_role(session, _actor(people["admin"]), people["target"].id, "superuser")
    assert "role" in refused.value.errors
    assert _state(session) == before


def test_suspension_revokes_sessions_and_api_tokens_at_once(session, people):
    target = people["target"]
    first = auth.start_session(session, target)
    second = auth.start_session(session, target)
    _, raw = api_tokens.create_token(session, target, "Watch sync")
    assert auth.resolve_session(session, first) and api_tokens.resolve_token(session, raw)

    users_admin.suspend(session, _actor(people["moderator"]), target.id, "  Spam in comments  ")

    assert auth.resolve_session(session, first) is None and auth.resolve_session(session, second) is None
    assert api_tokens.resolve_token(session, raw) is None
    session.expire_all()
    assert all(s.revoked_at is not None for s in session.exec(select(AuthSession)))
    assert all(t.revoked_at is not None for t in session.exec(select(ApiToken)))
    (event,) = _events(session, "suspended")
    assert event.details == {"reason": "Spam in comments", "sessions_revoked": 2, "api_tokens_revoked": 1}

    # Reinstating lifts the suspension, but what was revoked stays revoked.
    users_admin.reinstate(session, _actor(people["moderator"]), target.id)
    assert session.get(User, target.id).is_suspended is False
    assert auth.resolve_session(session, first) is None and api_tokens.resolve_token(session, raw) is None
    assert len(_events(session, "reinstated")) == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_suspension_needs_a_reason_of_at_most_500_characters(session, people, reason):
    before = _state(session)
    with pytest.raises(ValidationFailed) as refused:
        users_admin.suspend(session, _actor(people["admin"]), people["target"].id, reason)
    assert "reason" in refused.value.errors
    assert _state(session) == before


def test_a_500_character_reason_is_accepted(session, people):
    users_admin.suspend(session, _actor(people["admin"]), people["target"].id, "x" * 500)
    assert session.get(User, people["target"].id).is_suspended


def test_suspending_twice_or_reinstating_an_active_user_is_refused(session, people):
    admin, target = _actor(people["admin"]), people["target"].id
    with pytest.raises(ValidationFailed):
        users_admin.reinstate(session, admin, target)
    users_admin.suspend(session, admin, target, "Spam")
    before = _state(session)
    with pytest.raises(ValidationFailed):
        users_admin.suspend(session, admin, target, "Spam again")
    assert _state(session) == before


def test_search_is_case_insensitive_on_name_and_email(session, people):
    _user(session, "Maya Lopez")
    moderator = _actor(people["moderator"])
    by_name = users_admin.list_users(session, moderator, query="MAYA")
    by_email = users_admin.list_users(session, moderator, query="lopez@EXAMPLE")
    assert [r.name for r in by_name.rows] == ["Maya Lopez"] == [r.name for r in by_email.rows]
    row = by_name.rows[0]
    assert row.email == "maya.lopez@example.com" and row.role == "member"
    assert row.is_suspended is False and row.totp_enabled is False and row.created_at.tzinfo is not None


def test_like_wildcards_in_the_search_are_plain_text(session, people):
    _user(session, "Full 100% Effort")
    _user(session, "Full 1000 Effort")
    _user(session, "snake_case fan")
    _user(session, "snakeXcase fan")
    _user(session, "back\\slash")
    moderator = _actor(people["moderator"])
    assert [r.name for r in users_admin.list_users(session, moderator, query="100%").rows] == ["Full 100% Effort"]
    assert [r.name for r in users_admin.list_users(session, moderator, query="%").rows] == ["Full 100% Effort"]
    assert [r.name for r in users_admin.list_users(session, moderator, query="snake_").rows] == ["snake_case fan"]
    assert [r.name for r in users_admin.list_users(session, moderator, query="k\\s").rows] == ["back\\slash"]


def test_filters_by_role_and_suspension(session, people):
    people["trainer"].is_suspended = True
    session.add(people["trainer"])
    session.flush()
    admin = _actor(people["admin"])
    admins = users_admin.list_users(session, admin, role="admin")
    assert sorted(r.name for r in admins.rows) == ["Admin", "Second Admin"]
    assert [r.name for r in users_admin.list_users(session, admin, suspended=True).rows] == ["Trainer"]
    assert users_admin.list_users(session, admin, suspended=False).total == 6
    assert users_admin.list_users(session, admin, role="trainer", suspended=False).total == 0
    with pytest.raises(ValidationFailed):
        users_admin.list_users(session, admin, role="root")


def test_pagination_happens_on_the_server(session, people):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for number in range(30):
        _user(session, f"Lifter {number:02d}", created_at=start + timedelta(minutes=number))
    moderator = _actor(people["moderator"])
    first = users_admin.list_users(session, moderator, query="lifter")
    assert (first.total, first.pages, first.page, len(first.rows)) == (30, 2, 1, users_admin.PAGE_SIZE)
    assert first.rows[0].name == "Lifter 29"  # newest first
    second = users_admin.list_users(session, moderator, query="lifter", page=2)
    assert len(second.rows) == 5 and second.rows[-1].name == "Lifter 00"
    assert users_admin.list_users(session, moderator, query="lifter", page=99).page == 2
    assert users_admin.list_users(session, moderator, query="lifter", page=-3).page == 1
    empty = users_admin.list_users(session, moderator, query="nobody at all")
    assert (empty.total, empty.pages, empty.page, empty.rows) == (0, 1, 1, [])


def _event_at(session, event, when, user=None, actor=None, **details):
    row = AuditEvent(event=event, user_id=user and user.id, actor_id=actor and actor.id,
                     details=details, created_at=when)
    session.add(row)
    session.flush()
    return row


def test_audit_log_is_newest_first_and_filters(session, people):
    admin, moderator, target = people["admin"], people["moderator"], people["target"]
    day = datetime(2025, 3, 1, tzinfo=UTC)
    login = _event_at(session, "login_ok", day, user=target, actor=target)
    suspended = _event_at(session, "suspended", day + timedelta(days=1), user=target, actor=moderator, reason="Spam")
    changed = _event_at(session, "role_changed", day + timedelta(days=2), user=moderator, actor=admin,
                        **{"from": "member", "to": "moderator"})
    viewer = _actor(admin)

    rows, total = users_admin.audit_log(session, viewer)
    assert total == 3 and [r.id for r in rows] == [changed.id, suspended.id, login.id]
    assert rows[1].user_email == "target.person@example.com" and rows[1].actor_email == "moderator@example.com"
    assert rows[1].details == {"reason": "Spam"} and rows[1].event == "suspended"

    assert [r.id for r in users_admin.audit_log(session, viewer, event="suspended")[0]] == [suspended.id]
    # About the moderator or done by them.
    by_or_about = users_admin.audit_log(session, viewer, user_query="MODERATOR@")[0]
    assert [r.id for r in by_or_about] == [changed.id, suspended.id]
    assert [r.id for r in users_admin.audit_log(session, viewer, user_query="Target Pers")[0]] == [suspended.id, login.id]
    assert users_admin.audit_log(session, viewer, user_query="%")[1] == 0

    ranged, count = users_admin.audit_log(session, viewer, since=day + timedelta(hours=1),
                                          until=day + timedelta(days=2))
    assert count == 1 and [r.id for r in ranged] == [suspended.id]
    assert users_admin.audit_log(session, viewer, since=day + timedelta(days=2))[1] == 1


def test_audit_log_paginates_and_validates(session, people):
    viewer = _actor(people["admin"])
    for _ in range(users_admin.PAGE_SIZE + 3):
        record(session, "login_failed", user_id=people["target"].id)
    session.flush()
    first, total = users_admin.audit_log(session, viewer)
    second, _ = users_admin.audit_log(session, viewer, page=2)
    assert total == users_admin.PAGE_SIZE + 3 and len(first) == users_admin.PAGE_SIZE and len(second) == 3
    assert not {r.id for r in first} & {r.id for r in second}
    with pytest.raises(ValidationFailed):
        users_admin.audit_log(session, viewer, event="not_an_event")
    with pytest.raises(ValidationFailed):
        users_admin.audit_log(session, viewer, since=datetime(2025, 1, 1))
    with pytest.raises(ValidationFailed):
        users_admin.audit_log(session, viewer, since=datetime(2025, 1, 2, tzinfo=UTC),
                              until=datetime(2025, 1, 1, tzinfo=UTC))


def test_audit_rows_of_erased_or_anonymous_users_have_empty_emails(session, people):
    gone = _user(session, "Soon Gone")
    record(session, "account_deleted", user_id=gone.id)
    record(session, "login_failed", ip_address="198.51.100.7", email_hash="abc")
    session.flush()
    session.delete(gone)
    session.flush()
    session.expire_all()
    rows, total = users_admin.audit_log(session, _actor(people["admin"]))
    assert total == 2
    assert all(r.user_email == "" and r.actor_email == "" for r in rows)
    assert {r.ip_address for r in rows} == {"", "198.51.100.7"}


def test_only_an_admin_gives_the_ai_coach_tier(session, people):
    member = people["member"]
    for who in ("moderator", "trainer", "member"):
        with pytest.raises(PermissionDenied):
            users_admin.set_coach_ai(session, _actor(people[who]), member.id, True)
    assert member.coach_ai is False
    users_admin.set_coach_ai(session, _actor(people["admin"]), member.id, True)
    assert session.get(User, member.id).coach_ai is True
    row = next(r for r in users_admin.list_users(session, _actor(people["admin"])).rows if r.id == member.id)
    assert row.coach_ai is True
    assert session.exec(select(AuditEvent).where(AuditEvent.event == "coach_ai_changed")).one().details == {"enabled": True}
