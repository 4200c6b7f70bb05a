"""Trainer applications: what an applicant is told, what a moderator may do, what the public sees."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image, PngImagePlugin
from sqlmodel import select

from adaptivefit.models import AuditEvent, AuthSession, Role, Trainer, TrainerCertificate, TrainingProgram, User
from adaptivefit.models.base import utcnow
from adaptivefit.services.files import private_files
from adaptivefit.services.marketplace import trainers
from adaptivefit.services.core.access import PermissionDenied, ValidationFailed
from adaptivefit.services.files.uploads import upload_dir

BIO = "Ten years coaching barbell strength for beginners and masters lifters, NSCA certified."
FORM = {"headline": "Strength coach for busy parents", "bio": BIO, "specialties": "strength, mobility"}
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
       b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def _png(with_metadata: bool = False) -> bytes:
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if with_metadata:
        info.add_text("Author", "Ann Applicant, 12 Secret Street")
    Image.new("RGB", (120, 80), (10, 120, 200)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def _user(session, name: str, role: str = Role.MEMBER) -> User:
    user = User(email=f"{name.lower()}@example.com", name=name, role=role)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def people(session):
    return {name: _user(session, name, role) for name, role in (
        ("Ann", Role.MEMBER), ("Bob", Role.MEMBER), ("Mo", Role.MODERATOR), ("Ada", Role.ADMIN),
    )}


def _applied(session, user, **changes) -> Trainer:
    return trainers.apply(session, user, {**FORM, **changes})


def _private() -> list[str]:
    return sorted(p.name for p in private_files.private_dir().iterdir())


# --- applying ------------------------------------------------------------------------------


def test_an_empty_application_says_what_each_field_needs(session, people):
    with pytest.raises(ValidationFailed) as refused:
        trainers.apply(session, people["Ann"], {"headline": "  ", "bio": "", "specialties": " , ,"})
    assert set(refused.value.errors) == {"headline", "bio", "specialties"}
    assert "headline" in refused.value.errors["headline"].lower()
    assert "at least one specialty" in refused.value.errors["specialties"]
    assert trainers.my_application(session, people["Ann"]) is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"headline": "x" * 121}, "headline", "120 characters or fewer"),
    ({"bio": "Short bio."}, "bio", "at least 50 characters"),
    ({"bio": "b" * 4001}, "bio", "4,000 characters or fewer"),
    ({"specialties": ",".join(f"skill {i}" for i in range(9))}, "specialties", "up to 8"),
    ({"specialties": "strength, " + "y" * 41}, "specialties", "40 characters or fewer"),
])
def test_each_limit_is_explained_at_its_field(session, people, changes, field, message):
    with pytest.raises(ValidationFailed) as refused:
        _applied(session, people["Ann"], **changes)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]


def test_an_application_waits_for_review_and_is_audited(session, people):
    ann = people["Ann"]
    trainer = _applied(session, ann, specialties=" Strength ,mobility, strength,  kettlebell  sport ")
    assert trainer.status == "pending" and trainer.applied_at is not None
    assert trainer.specialties == ["Strength", "mobility", "kettlebell sport"]
    mine = trainers.my_application(session, ann)
    assert (mine.status, mine.headline, mine.bio) == ("pending", FORM["headline"], BIO)
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "trainer_applied")).one()
    assert event.user_id == ann.id
    assert not trainers.is_approved_trainer(session, ann.id)
    assert trainers.trainer_for_user(session, ann.id).id == trainer.id


def test_correcting_a_pending_application_keeps_its_place_in_the_queue(session, people):
    first = _applied(session, people["Ann"])
    applied_at = first.applied_at
    second = _applied(session, people["Ann"], headline="Kettlebell coach")
    assert second.id == first.id and second.applied_at == applied_at and second.headline == "Kettlebell coach"


@pytest.mark.parametrize("name", ["Mo", "Ada"])
def test_staff_accounts_do_not_apply(session, people, name):
    with pytest.raises(PermissionDenied, match="Staff accounts"):
        _applied(session, people[name])
    assert trainers.trainer_for_user(session, people[name].id) is None


def test_an_approved_trainer_edits_their_profile_instead_of_applying_again(session, people):
    trainer = _applied(session, people["Ann"])
    trainers.approve(session, people["Mo"], trainer.id)
    with pytest.raises(PermissionDenied, match="already a verified trainer"):
        _applied(session, people["Ann"])
    updated = trainers.update_profile(session, people["Ann"], {**FORM, "headline": "Marathon coach"})
    assert (updated.status, updated.headline) == ("approved", "Marathon coach")
    with pytest.raises(PermissionDenied):
        trainers.update_profile(session, people["Bob"], FORM)


# --- certificates --------------------------------------------------------------------------


def test_a_pdf_is_kept_as_it_is_in_the_private_folder(session, people):
    ann = people["Ann"]
    _applied(session, ann)
    certificate = trainers.add_certificate(session, ann, "NSCA CSCS", PDF, "../../cert.pdf")
    assert certificate.content_type == "application/pdf"
    assert private_files.NAME.fullmatch(certificate.file_name) and certificate.file_name.endswith(".pdf")
    assert private_files.path_of(certificate.file_name).read_bytes() == PDF
    assert _private() == [certificate.file_name]
    assert not any(upload_dir().iterdir())
    assert private_files.owner_of(session, certificate.file_name) == ann.id


def test_a_picture_is_redrawn_without_its_metadata(session, people):
    ann = people["Ann"]
    _applied(session, ann)
    certificate = trainers.add_certificate(session, ann, "First aid", _png(with_metadata=True), "scan.png")
    assert certificate.content_type == "image/webp" and certificate.file_name.endswith(".webp")
    stored = private_files.path_of(certificate.file_name).read_bytes()
    assert b"Secret Street" not in stored
    with Image.open(io.BytesIO(stored)) as picture:
        assert picture.format == "WEBP" and picture.size == (120, 80)


@pytest.mark.parametrize(("data", "message"), [
    (b"This is a text file pretending to be a PDF.\n", "Choose a PDF, JPEG, PNG or WebP file."),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Choose a PDF, JPEG, PNG or WebP file."),
    (PDF[:40], "could not be read"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "could not be read"),
    (b"", "Choose a file"),
    (b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"%%EOF", "larger than 5 MB"),
])
def test_a_file_that_is_not_what_it_claims_is_refused_and_not_kept(session, people, data, message):
    ann = people["Ann"]
    _applied(session, ann)
    with pytest.raises(ValidationFailed) as refused:
        trainers.add_certificate(session, ann, "Certificate", data, "cert.pdf")
    assert message in refused.value.errors["certificate"]
    assert _private() == []
    assert session.exec(select(TrainerCertificate)).all() == []


def test_certificates_need_a_title_an_application_and_stop_at_five(session, people):
    ann = people["Ann"]
    with pytest.raises(ValidationFailed, match="application first"):
        trainers.add_certificate(session, ann, "CSCS", PDF)
    _applied(session, ann)
    with pytest.raises(ValidationFailed) as refused:
        trainers.add_certificate(session, ann, "  ", PDF)
    assert "title" in refused.value.errors["certificate_title"]
    for number in range(5):
        trainers.add_certificate(session, ann, f"Course {number}", PDF)
    with pytest.raises(ValidationFailed, match="up to 5"):
        trainers.add_certificate(session, ann, "One more", PDF)
    assert len(_private()) == 5


def test_only_the_owner_removes_a_certificate_and_its_file_goes(session, people):
    ann, bob = people["Ann"], people["Bob"]
    _applied(session, ann)
    _applied(session, bob)
    certificate = trainers.add_certificate(session, ann, "CSCS", PDF)
    with pytest.raises(ValidationFailed, match="No such certificate"):
        trainers.remove_certificate(session, bob, certificate.id)
    assert _private() == [certificate.file_name]
    trainers.remove_certificate(session, ann, certificate.id)
    assert _private() == [] and trainers.my_application(session, ann).certificates == []


# --- review --------------------------------------------------------------------------------


def test_the_queue_is_oldest_first_with_certificates_a_moderator_can_open(session, people):
    ann, bob = people["Ann"], people["Bob"]
    bob_trainer = _applied(session, bob)
    ann_trainer = _applied(session, ann)
    bob_trainer.applied_at = utcnow() - timedelta(days=2)
    session.add(bob_trainer)
    certificate = trainers.add_certificate(session, ann, "CSCS", PDF)
    queue = trainers.review_queue(session, people["Mo"])
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
    assert trainers.review_queue(session, people["Ada"], "approved").rows == []


@pytest.mark.parametrize("name", ["Ann", "Bob"])
def test_members_and_the_applicant_cannot_review(session, people, name):
    trainer = _applied(session, people["Ann"])
    with pytest.raises(PermissionDenied):
        trainers.review_queue(session, people[name])
    with pytest.raises(PermissionDenied):
        trainers.approve(session, people[name], trainer.id)
    with pytest.raises(PermissionDenied):
        trainers.reject(session, people[name], trainer.id, "No.")
    assert session.get(Trainer, trainer.id).status == "pending"


def test_nobody_reviews_their_own_application(session, people):
    # A trainer made moderator before their application was decided.
    mo = people["Mo"]
    trainer = Trainer(user_id=mo.id, headline="Coach", bio=BIO, specialties=["strength"], applied_at=utcnow())
    session.add(trainer)
    session.flush()
    with pytest.raises(PermissionDenied, match="your own application"):
        trainers.approve(session, mo, trainer.id)
    with pytest.raises(PermissionDenied, match="your own application"):
        trainers.reject(session, mo, trainer.id, "Not me")
    # Another moderator may, and staff keep their role.
    trainers.approve(session, people["Ada"], trainer.id)
    assert session.get(User, mo.id).role == Role.MODERATOR


def test_approval_makes_a_member_a_verified_trainer_without_signing_them_out(session, people):
    ann, mo = people["Ann"], people["Mo"]
    trainer = _applied(session, ann)
    signed_in = AuthSession(user_id=ann.id, token_hash="a" * 64, expires_at=utcnow() + timedelta(days=1))
    session.add(signed_in)
    session.flush()
    trainers.approve(session, mo, trainer.id)
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
        trainers.approve(session, mo, trainer.id)


def test_a_rejection_needs_a_reason_that_the_applicant_then_reads(session, people):
    ann, mo = people["Ann"], people["Mo"]
    trainer = _applied(session, ann)
    for reason, message in (("   ", "Say why"), ("r" * 1001, "1,000 characters")):
        with pytest.raises(ValidationFailed) as refused:
            trainers.reject(session, mo, trainer.id, reason)
        assert message in refused.value.errors["reason"]
    assert session.get(Trainer, trainer.id).status == "pending"

    trainers.reject(session, mo, trainer.id, "Please upload your CSCS certificate.")
    mine = trainers.my_application(session, ann)
    assert (mine.status, mine.rejection_reason) == ("rejected", "Please upload your CSCS certificate.")
    assert session.get(User, ann.id).role == Role.MEMBER
    assert session.exec(select(AuditEvent).where(AuditEvent.event == "trainer_rejected")).one().actor_id == mo.id
    assert trainers.review_queue(session, mo, "rejected").rows[0].rejection_reason.startswith("Please upload")

    # Applying again puts it back in the queue with the reason cleared.
    again = _applied(session, ann)
    assert (again.status, again.rejection_reason) == ("pending", "")
    assert [row.name for row in trainers.review_queue(session, mo).rows] == ["Ann"]


def test_unknown_applications_are_refused_as_such(session, people):
    for trainer_id in (999, "1", None):
        with pytest.raises(ValidationFailed, match="No such application"):
            trainers.approve(session, people["Mo"], trainer_id)
    with pytest.raises(ValidationFailed):
        trainers.review_queue(session, people["Mo"], "everything")


# --- the public profile --------------------------------------------------------------------


def _program(session, owner, name, **fields) -> TrainingProgram:
    program = TrainingProgram(owner_id=owner.id, name=name, **{"status": "published", **fields})
    session.add(program)
    session.flush()
    return program


def test_only_approved_trainers_have_a_public_profile(session, people):
    trainer = _applied(session, people["Ann"])
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainers.public_profile(session, trainer.id)
    trainers.reject(session, people["Mo"], trainer.id, "Not yet.")
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainers.public_profile(session, trainer.id)
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainers.public_profile(session, 12345)


def test_the_public_profile_lists_only_published_visible_programs_with_a_weighted_rating(session, people):
    ann, bob = people["Ann"], people["Bob"]
    trainer = _applied(session, ann)
    trainers.approve(session, people["Mo"], trainer.id)
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


# --- commission ----------------------------------------------------------------------------


def test_an_admin_overrides_the_commission_and_clears_it_again(session, people):
    trainer = _applied(session, people["Ann"])
    with pytest.raises(PermissionDenied):
        trainers.set_commission_override(session, people["Mo"], trainer.id, "10")
    for raw, message in (("ten", "percent from 0 to 100"), ("150", "from 0 to 100"), ("12.345", "two decimals")):
        with pytest.raises(ValidationFailed) as refused:
            trainers.set_commission_override(session, people["Ada"], trainer.id, raw)
        assert message in refused.value.errors["commission_percent"]
    assert trainers.set_commission_override(session, people["Ada"], trainer.id, " 12.5% ").commission_percent \
        == Decimal("12.50")
    assert trainers.set_commission_override(session, people["Ada"], trainer.id, "").commission_percent is None
    events = session.exec(select(AuditEvent).where(AuditEvent.event == "trainer_commission_changed")).all()
    assert [(e.details["from"], e.details["to"]) for e in events] == [(None, "12.50"), ("12.50", None)]
    with pytest.raises(ValidationFailed, match="No such trainer"):
        trainers.set_commission_override(session, people["Ada"], 999, "10")
