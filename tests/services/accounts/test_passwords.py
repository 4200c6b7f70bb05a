from adaptivefit.services.accounts.passwords import hash_password, password_problem, verify_password


def test_bcrypt_hash_at_cost_12_verifies_only_the_right_password():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$2b$12$")
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("correct horse batterz", hashed)
    assert not verify_password("anything", None)


def test_long_passwords_count_in_full_not_truncated_at_72_bytes():
    base = "é" * 64  # 128 bytes in UTF-8: past bcrypt's limit
    hashed = hash_password(base, cost=4)
    assert verify_password(base, hashed)
    assert not verify_password(base[:-1] + "e", hashed)
    assert not verify_password("a" * 72 + "extra", hash_password("a" * 72 + "other", cost=4))


def test_rules_follow_800_63b():
    assert password_problem("short") == "Use at least 8 characters."
    assert password_problem("x" * 257) == "Use at most 256 characters."
    assert password_problem("a" * 64 + "ü日本語 😀") is None  # long and any characters
    assert password_problem("no composition rules here") is None
    assert "common" in password_problem("password1")
    assert "common" in password_problem("Qwertyuiop")
    assert "common" in password_problem("iloveyou")
    assert password_problem("maya.runner@example.com", email="maya.runner@example.com") is not None
    assert password_problem("aaaaaaaaaa") is not None


def test_the_shipped_list_has_at_least_ten_thousand_passwords():
    from adaptivefit.services.accounts.passwords import _common_passwords

    assert len(_common_passwords()) >= 10_000
