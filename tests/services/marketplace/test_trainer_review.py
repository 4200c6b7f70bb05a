"""Reviewing applications: the queue, approving, rejecting, and an admin's commission override."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from adaptivefit.models import AuditEvent, AuthSession, Role, Trainer, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.files import private_files
from adaptivefit.services.marketplace import trainer_applications, trainer_certificates, trainer_review, trainers
from tests.services.marketplace.trainer_fixtures import (  # noqa: F401 - fixture
    BIO,
    FORM,
    PDF,
    applied,
    people,
)


def test_the_queue_is_oldest_first_with_certificates_a_moderator_can_open(session, people):
    ann, bob = people["Ann"], people["Bob"]
    bob_trainer = applied(session, bob)
    ann_trainer = applied(session, ann)
    bob_trainer.applied_at = utcnow() - timedelta(days=2)
    session.add(bob_trainer)
    certificate = trainer_certificates.add_certificate(session, ann, "CSCS", PDF)
    queue = trainer_review.review_queue(session, people["Mo"])
    assert [row.name for row in queue.rows] == ["Bob", "Ann"]
    assert queue.counts == {"pending": 2, "approved": 0, "rejected": 0}
    row = queue.rows[1]
    assert (row.email, row.headline, row.bio, row.specialties) == ("ann@example.com", FORM["headline"], BIO,
                                                                    ["strength", "mobility"])
    [shown] = row.certificates
    assert shown.title == "CSCS" and shown.is_pdf
    # Signed for the owner, so the route (which signs against the record's owner) accepts it.
    assert shown.url == private_files.sign_url(certificate.file_name, ann.id)
    assert ann_trainer.id == row.trainer_id
    assert trainer_review.review_queue(session, people["Ada"], "approved").rows == []


@pytest.mark.parametrize("name", ["Ann", "Bob"])
def test_members_and_the_applicant_cannot_review(session, people, name):
    trainer = applied(session, people["Ann"])
    with pytest.raises(PermissionDenied):
        trainer_review.review_queue(session, people[name])
    with pytest.raises(PermissionDenied):
        trainer_review.approve(session, people[name], trainer.id)
    with pytest.raises(PermissionDenied):
        trainer_review.reject(session, people[name], trainer.id, "No.")
    assert session.get(Trainer, trainer.id).status == "pending"


def test_nobody_reviews_their_own_application(session, people):
    # A trainer made moderator before their application was decided.
    mo = people["Mo"]
    trainer = Trainer(user_id=mo.id, headline="Coach", bio=BIO, specialties=["strength"], applied_at=utcnow())
    session.add(trainer)
    session.flush()
    with pytest.raises(PermissionDenied, match="your own application"):
        trainer_review.approve(session, mo, trainer.id)
    with pytest.raises(PermissionDenied, match="your own application"):
        trainer_review.reject(session, mo, trainer.id, "Not me")
    # Another moderator may, and staff keep their role.
    trainer_review.approve(session, people["Ada"], trainer.id)
    assert session.get(User, mo.id).role == Role.MODERATOR


def test_approval_makes_a_member_a_verified_trainer_without_signing_them_out(session, people):
    ann, mo = people["Ann"], people["Mo"]
    trainer = applied(session, ann)
    signed_in = AuthSession(user_id=ann.id, token_hash="a" * 64, expires_at=utcnow() + timedelta(days=1))
    session.add(signed_in)
    session.flush()
    trainer_review.approve(session, mo, trainer.id)
    session.refresh(ann)
    assert ann.role == Role.TRAINER
    assert (trainer.status, trainer.certification_verified, trainer.reviewed_by) == ("approved", True, mo.id)
    assert trainer.reviewed_at is not None
    assert session.get(AuthSession, signed_in.id).revoked_at is None
    assert trainers.is_approved_trainer(session, ann.id)
    assert trainers.public_profile(session, trainer.id).verified
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "trainer_approved")).one()
    assert (event.user_id, event.actor_id) == (ann.id, mo.id)
    with pytest.raises(ValidationFailed, match="already approved"):
        trainer_review.approve(session, mo, trainer.id)


def test_a_rejection_needs_a_reason_that_the_applicant_then_reads(session, people):
    ann, mo = people["Ann"], people["Mo"]
    trainer = applied(session, ann)
    for reason, message in (("   ", "Say why"), ("r" * 1001, "1,000 characters")):
        with pytest.raises(ValidationFailed) as refused:
            trainer_review.reject(session, mo, trainer.id, reason)
        assert message in refused.value.errors["reason"]
    assert session.get(Trainer, trainer.id).status == "pending"

    trainer_review.reject(session, mo, trainer.id, "Please upload your CSCS certificate.")
    mine = trainer_applications.my_application(session, ann)
    assert (mine.status, mine.rejection_reason) == ("rejected", "Please upload your CSCS certificate.")
    assert session.get(User, ann.id).role == Role.MEMBER
    assert session.exec(select(AuditEvent).where(AuditEvent.event == "trainer_rejected")).one().actor_id == mo.id
    assert trainer_review.review_queue(session, mo, "rejected").rows[0].rejection_reason.startswith("Please upload")

    # Applying again puts it back in the queue with the reason cleared.
    again = applied(session, ann)
    assert (again.status, again.rejection_reason) == ("pending", "")
    assert [row.name for row in trainer_review.review_queue(session, mo).rows] == ["Ann"]


def test_unknown_applications_are_refused_as_such(session, people):
    for trainer_id in (999, "1", None):
        with pytest.raises(ValidationFailed, match="No such application"):
            trainer_review.approve(session, people["Mo"], trainer_id)
    with pytest.raises(ValidationFailed):
        trainer_review.review_queue(session, people["Mo"], "everything")


def test_an_admin_overrides_the_commission_and_clears_it_again(session, people):
    trainer = applied(session, people["Ann"])
    with pytest.raises(PermissionDenied):
        trainer_review.set_commission_override(session, people["Mo"], trainer.id, "10")
    for raw, message in (("ten", "percent from 0 to 100"), ("150", "from 0 to 100"), ("12.345", "two decimals")):
        with pytest.raises(ValidationFailed) as refused:
            trainer_review.set_commission_override(session, people["Ada"], trainer.id, raw)
        assert message in refused.value.errors["commission_percent"]
    assert trainer_review.set_commission_override(session, people["Ada"], trainer.id, " 12.5% ").commission_percent \
        == Decimal("12.50")
    assert trainer_review.set_commission_override(session, people["Ada"], trainer.id, "").commission_percent is None
    events = session.exec(select(AuditEvent).where(AuditEvent.event == "trainer_commission_changed")).all()
    assert [(e.details["from"], e.details["to"]) for e in events] == [(None, "12.50"), ("12.50", None)]
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainer_review.set_commission_override(session, people["Ada"], 999, "10")


@pytest.mark.parametrize(("asked", "shown"), [(0, 1), ("x", 1), (2, 2), (7, 2)])
def test_the_queue_pages_like_every_list(session, people, asked, shown):
    for n in range(trainer_review.PAGE_SIZE + 1):
        someone = User(email=f"applicant{n}@example.com", name=f"Applicant {n}")
        session.add(someone)
        session.flush()
        applied(session, someone)
    queue = trainer_review.review_queue(session, people["Mo"], "pending", asked)
    assert (queue.page, queue.pages, queue.total) == (shown, 2, trainer_review.PAGE_SIZE + 1)
