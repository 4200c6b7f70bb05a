"""Members of every role, the shipped library, pictures and forms, shared by the equipment tests."""

import io
import re

import pytest
from PIL import Image
from sqlmodel import select

from adaptivefit.models import Equipment, Exercise, Role, User
from adaptivefit.services.catalog import library
from adaptivefit.services.core.access import Actor
from adaptivefit.services.files.uploads import upload_dir

RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.webp")


def make_user(session, name, role=Role.MEMBER):
    user = User(email=f"{name.lower()}@example.com", name=name, role=role)
    session.add(user)
    session.flush()
    return user


def actor(user):
    return Actor(id=user.id, role=user.role, name=user.name, email=user.email)


@pytest.fixture
def people(session):
    library.install_library(session)
    return {
        "member": make_user(session, "Maya"),
        "other": make_user(session, "Omar"),
        "trainer": make_user(session, "Theo", Role.TRAINER),
        "moderator": make_user(session, "Mona", Role.MODERATOR),
        "admin": make_user(session, "Ada", Role.ADMIN),
    }


def equipment_ids(session, *names):
    rows = dict(session.exec(select(Equipment.name, Equipment.id).where(Equipment.name.in_(names))).all())
    assert len(rows) == len(names)
    return [rows[n] for n in names]


def exercise(session, name):
    return session.exec(select(Exercise).where(Exercise.name == name)).one()


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def picture(fmt="PNG", size=(1600, 900), color=(30, 120, 200), mode="RGB", **options):
    return encode(Image.new(mode, size, color), fmt, **options)


def files():
    folder = upload_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def form(**overrides):
    fields = {"name": "Sandbag", "type": "free weight", "description": "A bag of sand with handles."}
    fields.update(overrides)
    return fields
