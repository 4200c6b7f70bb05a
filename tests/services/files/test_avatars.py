import inspect
import io
import re
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin
from sqlmodel import select

from adaptivefit.models import AuditEvent, User
from adaptivefit.services.core.access import ValidationFailed
from adaptivefit.services.files.avatars import (
    AVATAR_SIZE,
    MAX_AVATAR_BYTES,
    process_avatar,
    remove_avatar,
    set_avatar,
)
from adaptivefit.services.files.uploads import upload_dir

RANDOM_NAME = re.compile(r"[0-9a-f]{32}\.(webp|png)")


@pytest.fixture
def user(session):
    user = User(email="maya@example.com", name="Maya")
    session.add(user)
    session.flush()
    return user


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _picture(fmt="PNG", size=(640, 480), color=(200, 40, 40), mode="RGB", **options) -> bytes:
    return _encode(Image.new(mode, size, color), fmt, **options)


def _noise(size=(400, 400)) -> bytes:
    """A PNG that does not compress away, so a cut-off copy loses real image data."""
    return _encode(Image.frombytes("RGB", size, bytes((i * 7919) % 251 for i in range(size[0] * size[1] * 3))), "PNG")


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny file that claims enormous dimensions: the classic decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")


def _files() -> list[str]:
    return sorted(path.name for path in upload_dir().iterdir())


def _reason(data) -> str:
    with pytest.raises(ValidationFailed) as caught:
        process_avatar(data)
    assert list(caught.value.errors) == ["avatar"]
    return caught.value.errors["avatar"]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_png_jpeg_and_webp_become_a_256_square_under_a_random_name(session, user, fmt):
    name = set_avatar(session, user, _picture(fmt, size=(900, 300)), ip_address="198.51.100.4")
    assert RANDOM_NAME.fullmatch(name)
    assert user.avatar == name
    assert _files() == [name]
    with Image.open(upload_dir() / name) as stored:
        assert stored.size == (AVATAR_SIZE, AVATAR_SIZE)
        assert stored.mode == "RGB"
        assert stored.format in ("WEBP", "PNG")
    session.expire_all()
    assert session.get(User, user.id).avatar == name
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "avatar_changed")).one()
    assert event.user_id == user.id and event.ip_address == "198.51.100.4"


def test_a_new_picture_replaces_the_old_file(session, user):
    first = set_avatar(session, user, _picture("PNG"))
    second = set_avatar(session, user, _picture("PNG"))
    assert first != second
    assert _files() == [second]
    assert user.avatar == second


def test_the_picture_is_cropped_from_the_centre(session, user):
    # A wide picture: red | green | blue in thirds. The square keeps the green middle.
    image = Image.new("RGB", (900, 300), (255, 0, 0))
    image.paste((0, 255, 0), (300, 0, 600, 300))
    image.paste((0, 0, 255), (600, 0, 900, 300))
    result = process_avatar(_encode(image, "PNG"))
    for point in [(5, 5), (128, 128), (250, 250)]:
        red, green, blue = result.getpixel(point)
        assert green > 200 and red < 40 and blue < 40


def test_phone_orientation_is_applied_and_metadata_dropped(session, user):
    # Stored landscape, red on the left: a phone held upright says "turn 90 degrees clockwise".
    image = Image.new("RGB", (300, 150), (255, 0, 0))
    image.paste((0, 0, 255), (150, 0, 300, 150))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SecretCam"
    exif[0x013B] = "Maya Lindqvist"
    photo = _encode(image, "JPEG", exif=exif.tobytes(), quality=95, icc_profile=b"ICC-PRIVATE-PROFILE")
    assert not {"exif", "icc_profile", "xmp"} & set(process_avatar(photo).info)
    name = set_avatar(session, user, photo)
    raw = (upload_dir() / name).read_bytes()
    assert b"SecretCam" not in raw and b"Maya" not in raw and b"Exif" not in raw
    with Image.open(upload_dir() / name) as stored:
        assert not stored.getexif()
        stored = stored.convert("RGB")
        # Turned upright, red is on top and blue below.
        top_right, bottom_left = stored.getpixel((235, 20)), stored.getpixel((20, 235))
    assert top_right[0] > 200 and top_right[2] < 60
    assert bottom_left[2] > 200 and bottom_left[0] < 60


def test_text_chunks_and_colour_profiles_do_not_survive(session, user):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 1 Secret Lane")
    data = _encode(Image.new("RGB", (300, 300), (10, 20, 30)), "PNG", pnginfo=info, icc_profile=b"ICC-PRIVATE-PROFILE")
    raw = (upload_dir() / set_avatar(session, user, data)).read_bytes()
    assert b"Secret Lane" not in raw and b"ICC-PRIVATE" not in raw


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "L", "CMYK", "1", "I;16"])
def test_any_colour_mode_comes_out_rgb(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    color = {"RGBA": (0, 0, 0, 0), "LA": (0, 0), "CMYK": (0, 0, 0, 0), "1": 1, "I;16": 3000}.get(mode, 90)
    result = process_avatar(_picture(fmt, size=(320, 200), color=color, mode=mode))
    assert result.mode == "RGB" and result.size == (AVATAR_SIZE, AVATAR_SIZE)


def test_transparent_areas_become_white_not_black():
    result = process_avatar(_picture("PNG", color=(0, 0, 0, 0), mode="RGBA"))
    assert result.getpixel((128, 128)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"just some text, honestly a picture\n" * 20, "JPEG, PNG or WebP"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
         b'<script>alert(1)</script></svg>', "JPEG, PNG or WebP"),
        (_picture("GIF"), "JPEG, PNG or WebP"),
        (_picture("BMP"), "JPEG, PNG or WebP"),
        (_picture("TIFF"), "JPEG, PNG or WebP"),
        (b"", "Choose a picture"),
        (b"\x89PNG\r\n\x1a\n", "could not be read"),
        (b"\xff\xd8\xff" + _picture("PNG"), "could not be read"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 garbage", "could not be read"),
    ],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(data, reason):
    assert reason in _reason(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_files_are_refused(fmt):
    whole = _noise() if fmt == "PNG" else _encode(Image.open(io.BytesIO(_noise())), fmt, quality=95)
    assert process_avatar(whole).size == (AVATAR_SIZE, AVATAR_SIZE)
    assert "could not be read" in _reason(whole[: len(whole) // 2])


def test_a_png_with_a_broken_checksum_is_refused():
    data = bytearray(_noise())
    data[len(data) // 2] ^= 0xFF
    assert "could not be read" in _reason(bytes(data))


def test_the_size_limit_is_five_megabytes():
    picture = _picture("PNG")
    exactly = picture + b"\0" * (MAX_AVATAR_BYTES - len(picture))
    assert process_avatar(exactly).size == (AVATAR_SIZE, AVATAR_SIZE)
    assert "larger than 5 MB" in _reason(exactly + b"\0")
    assert "larger than 5 MB" in _reason(b"\xff\xd8\xff" + b"\0" * (20 * 1024 * 1024))


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (20_000, 20_000), (10_000, 4_001)])
def test_decompression_bombs_are_refused_without_decoding(width, height):
    bomb = _png_header_only(width, height)
    assert len(bomb) < 2_000
    assert "megapixels" in _reason(bomb)


def test_a_real_picture_over_the_pixel_cap_is_refused():
    data = _encode(Image.new("1", (7_000, 6_000), 1), "PNG")
    assert len(data) < MAX_AVATAR_BYTES
    assert "megapixels" in _reason(data)


@pytest.mark.parametrize("data", ["a string", None, 12345, ["\x89PNG"]])
def test_non_bytes_input_is_refused(data):
    assert "Choose a picture" in _reason(data)


def test_a_refused_upload_keeps_the_current_picture(session, user):
    current = set_avatar(session, user, _picture("PNG"))
    with pytest.raises(ValidationFailed):
        set_avatar(session, user, b"<svg/>")
    assert user.avatar == current
    assert _files() == [current]
    assert len(session.exec(select(AuditEvent)).all()) == 1


def test_a_users_file_name_cannot_reach_the_file_system(session, user, tmp_path):
    # The API takes bytes only: there is no file name to smuggle a path through.
    parameters = set(inspect.signature(set_avatar).parameters)
    assert parameters == {"session", "user", "data", "ip_address"}
    with pytest.raises(TypeError):
        set_avatar(session, user, _picture("PNG"), filename="../../etc/passwd")
    # Even a path planted in the database is never followed outside the upload folder.
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    user.avatar = "../victim.txt"
    name = set_avatar(session, user, _picture("PNG"))
    assert victim.read_text() == "keep me"
    assert (upload_dir() / name).parent.resolve() == upload_dir().resolve()
    user.avatar = "../victim.txt"
    remove_avatar(session, user)
    assert victim.exists()


def test_remove_avatar_deletes_the_file(session, user):
    name = set_avatar(session, user, _picture("WEBP"))
    remove_avatar(session, user)
    assert user.avatar is None
    assert name not in _files()
    session.expire_all()
    assert session.get(User, user.id).avatar is None
    remove_avatar(session, user)  # nothing to remove is not an error
