"""Moderators hide a program with a reason and search the list."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit.models import AuditEvent
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.marketplace import program_builder, program_moderation, programs
from tests.services.marketplace.marketplace_fixtures import (  # noqa: F401 - fixture
    as_actor,
    build,
    people,
)


def test_moderators_hide_with_a_reason_the_trainer_sees(session, people):
    trainer, moderator = people["trainer"], as_actor(people["moderator"])
    program = build(session, trainer)
    with pytest.raises(ValidationFailed) as failed:
        program_moderation.hide(session, moderator, program.id, "  ")
    assert "reason" in failed.value.errors
    with pytest.raises(PermissionDenied):
        program_moderation.hide(session, as_actor(people["rival"]), program.id, "spite")
    program_moderation.hide(session, moderator, program.id, "Unsafe loading advice in week 1")
    assert programs.visible_program(session, people["member"], program.id) is None
    view = program_builder.builder_view(session, trainer, program.id)
    assert view.hidden and view.hidden_reason == "Unsafe loading advice in week 1"
    mine = program_builder.list_mine(session, trainer)
    assert mine[0].hidden and mine[0].hidden_reason == "Unsafe loading advice in week 1"
    with pytest.raises(ValidationFailed):
        programs.checkout_offer(session, people["member"].id, program.id)
    found = program_moderation.moderation_list(session, moderator, "strong")
    assert found.total == 1 and found.rows[0].hidden and found.rows[0].trainer_name == "Theo Person"
    program_moderation.unhide(session, moderator, program.id)
    assert programs.visible_program(session, people["member"], program.id) is not None
    events = [e.event for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert events == ["program_hidden", "program_unhidden"]
    with pytest.raises(PermissionDenied):
        program_moderation.moderation_list(session, as_actor(people["member"]))


@pytest.mark.parametrize(("asked", "shown"), [(0, 1), (-3, 1), ("x", 1), (None, 1), (2, 2), (9, 2)])
def test_the_list_pages_like_every_list(session, people, asked, shown):
    for n in range(programs.MODERATION_PAGE_SIZE + 1):
        build(session, people["trainer"], f"Program {n}")
    found = program_moderation.moderation_list(session, as_actor(people["moderator"]), "", asked)
    assert (found.page, found.pages, found.total) == (shown, 2, programs.MODERATION_PAGE_SIZE + 1)
    assert len(found.rows) == (programs.MODERATION_PAGE_SIZE if shown == 1 else 1)
