"""Applicants, staff and documents the trainer tests share."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from adaptivefit.models import Role, Trainer, User
from adaptivefit.services.files import private_files
from adaptivefit.services.marketplace import trainer_applications

BIO = "Ten years coaching barbell strength for beginners and masters lifters, NSCA certified."
FORM = {"headline": "Strength coach for busy parents", "bio": BIO, "specialties": "strength, mobility"}
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
       b"endobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def png(with_metadata: bool = False) -> bytes:
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


def applied(session, user, **changes) -> Trainer:
    return trainer_applications.apply(session, user, {**FORM, **changes})


def private() -> list[str]:
    return sorted(p.name for p in private_files.private_dir().iterdir())
