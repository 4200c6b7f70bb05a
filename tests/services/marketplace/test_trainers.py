"""Who is a trainer, and the public profile anyone may read."""

from __future__ import annotations

import pytest

from adaptivefit.models import TrainingProgram
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.marketplace import trainer_review, trainers
from tests.services.marketplace.trainer_fixtures import (  # noqa: F401 - fixture
    BIO,
    FORM,
    applied,
    people,
)


def _program(session, owner, name, **fields) -> TrainingProgram:
    program = TrainingProgram(owner_id=owner.id, name=name, **{"status": "published", **fields})
    session.add(program)
    session.flush()
    return program


def test_only_approved_trainers_have_a_public_profile(session, people):
    trainer = applied(session, people["Ann"])
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainers.public_profile(session, trainer.id)
    trainer_review.reject(session, people["Mo"], trainer.id, "Not yet.")
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainers.public_profile(session, trainer.id)
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainers.public_profile(session, 12345)


def test_the_public_profile_lists_only_published_visible_programs_with_a_weighted_rating(session, people):
    ann, bob = people["Ann"], people["Bob"]
    trainer = applied(session, ann)
    trainer_review.approve(session, people["Mo"], trainer.id)
    _program(session, ann, "Strong 5x5", price_kind="one_time", price_cents=2900, currency="eur", rating_avg=5.0,
             rating_count=3, level="intermediate", duration_weeks=8)
    _program(session, ann, "Mobility basics", rating_avg=3.0, rating_count=1)
    _program(session, ann, "Draft plan", status="draft", rating_avg=1.0, rating_count=50)
    _program(session, ann, "Hidden plan", hidden=True, hidden_reason="Copied", rating_avg=1.0, rating_count=50)
    _program(session, ann, "Old plan", status="unpublished")
    _program(session, bob, "Bob's plan")

    profile = trainers.public_profile(session, trainer.id)
    assert (profile.name, profile.headline, profile.bio, profile.verified) == ("Ann", FORM["headline"], BIO, True)
    assert profile.specialties == ["strength", "mobility"]
    assert [p.title for p in profile.programs] == ["Strong 5x5", "Mobility basics"]
    first = profile.programs[0]
    assert (first.price_kind, first.price_cents, first.currency, first.level, first.duration_weeks) == (
        "one_time", 2900, "eur", "intermediate", 8)
    assert (profile.rating_avg, profile.rating_count) == (4.5, 4)
