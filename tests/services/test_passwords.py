import pytest

from adaptivefit.services.passwords import PasswordTooLong, hash_password, verify_password


def test_bcrypt_hash_at_cost_12_verifies_only_the_right_password():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$2b$12$")
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("correct horse batterz", hashed)
    assert not verify_password("anything", None)


def test_password_past_72_bytes_is_refused_not_truncated():
    long_password = "é" * 37  # 74 bytes in UTF-8
    with pytest.raises(PasswordTooLong):
        hash_password(long_password)
    hashed = hash_password("a" * 72, cost=4)
    assert not verify_password("a" * 72 + "extra", hashed)
