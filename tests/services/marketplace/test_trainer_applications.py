"""Applying to become a trainer: what an applicant is told, and an approved trainer's profile edits."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adaptivefit.models import AuditEvent
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.marketplace import trainer_applications, trainer_review, trainers
from tests.services.marketplace.trainer_fixtures import (  # noqa: F401 - fixture
    BIO,
    FORM,
    applied,
    people,
)


def test_an_empty_application_says_what_each_field_needs(session, people):
    with pytest.raises(ValidationFailed) as refused:
        trainer_applications.apply(session, people["Ann"], {"headline": "  ", "bio": "", "specialties": " , ,"})
    assert set(refused.value.errors) == {"headline", "bio", "specialties"}
    assert "headline" in refused.value.errors["headline"].lower()
    assert "at least one specialty" in refused.value.errors["specialties"]
    assert trainer_applications.my_application(session, people["Ann"]) is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"headline": "x" * 121}, "headline", "120 characters or fewer"),
    ({"bio": "Short bio."}, "bio", "at least 50 characters"),
    ({"bio": "b" * 4001}, "bio", "4,000 characters or fewer"),
    ({"specialties": ",".join(f"skill {i}" for i in range(9))}, "specialties", "up to 8"),
    ({"specialties": "strength, " + "y" * 41}, "specialties", "40 characters or fewer"),
])
def test_each_limit_is_explained_at_its_field(session, people, changes, field, message):
    with pytest.raises(ValidationFailed) as refused:
        applied(session, people["Ann"], **changes)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]


def test_an_application_waits_for_review_and_is_audited(session, people):
    ann = people["Ann"]
    trainer = applied(session, ann, specialties=" Strength ,mobility, strength,  kettlebell  sport ")
    assert trainer.status == "pending" and trainer.applied_at is not None
    assert trainer.specialties == ["Strength", "mobility", "kettlebell sport"]
    mine = trainer_applications.my_application(session, ann)
    assert (mine.status, mine.headline, mine.bio) == ("pending", FORM["headline"], BIO)
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "trainer_applied")).one()
    assert event.user_id == ann.id
    assert not trainers.is_approved_trainer(session, ann.id)
    assert trainers.trainer_for_user(session, ann.id).id == trainer.id


def test_correcting_a_pending_application_keeps_its_place_in_the_queue(session, people):
    first = applied(session, people["Ann"])
    applied_at = first.applied_at
    second = applied(session, people["Ann"], headline="Kettlebell coach")
    assert second.id == first.id and second.applied_at == applied_at and second.headline == "Kettlebell coach"


@pytest.mark.parametrize("name", ["Mo", "Ada"])
def test_staff_accounts_do_not_apply(session, people, name):
    with pytest.raises(PermissionDenied, match="Staff accounts"):
        applied(session, people[name])
    assert trainers.trainer_for_user(session, people[name].id) is None


def test_an_approved_trainer_edits_their_profile_instead_of_applying_again(session, people):
    trainer = applied(session, people["Ann"])
    trainer_review.approve(session, people["Mo"], trainer.id)
    with pytest.raises(PermissionDenied, match="already a verified trainer"):
        applied(session, people["Ann"])
    updated = trainer_applications.update_profile(session, people["Ann"], {**FORM, "headline": "Marathon coach"})
    assert (updated.status, updated.headline) == ("approved", "Marathon coach")
    with pytest.raises(PermissionDenied):
        trainer_applications.update_profile(session, people["Bob"], FORM)
