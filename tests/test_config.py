import os
import stat
import subprocess
import sys

import pytest

from adaptivefit.config import ConfigError, get_settings
from adaptivefit.db import check_database, check_redis
from tests.conftest import PROJECT_ROOT


def test_defaults_need_no_settings(env, tmp_path):
    settings = get_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'adaptivefit.db'}"
    assert settings.redis_url is None
    assert settings.stripe_secret_key is None
    assert settings.upload_dir == tmp_path / "uploaded_files"


def test_secret_key_is_generated_once_and_kept_private(env, tmp_path):
    first = get_settings().secret_key
    key_file = tmp_path / ".secret_key"
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    env()  # forget the cached settings, as a restart would
    assert get_settings().secret_key == first


def test_given_secret_key_wins_and_short_one_is_refused(env):
    env(SECRET_KEY="k" * 40)
    assert get_settings().secret_key == "k" * 40
    env(SECRET_KEY="short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        get_settings()


@pytest.mark.parametrize(
    ("url", "word"),
    [("not a url", "DATABASE_URL"), ("mysql://u:p@localhost/db", "DATABASE_URL")],
)
def test_bad_database_url_names_the_variable(env, url, word):
    env(DATABASE_URL=url)
    with pytest.raises(ConfigError, match=word):
        get_settings()


def test_plain_postgresql_url_uses_the_installed_driver(env):
    env(DATABASE_URL="postgresql://app:secret@db.internal:5432/fit")
    settings = get_settings()
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert "secret" not in settings.public_database_url


@pytest.mark.parametrize("url", ["http://localhost:6379", "redis://", "redis://host:notaport/0", "localhost:6379"])
def test_malformed_redis_url_names_the_variable(env, url):
    env(REDIS_URL=url)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        get_settings()


def test_unreachable_database_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError) as caught:
        check_database("postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    assert str(caught.value).startswith("DATABASE_URL does not answer")
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        check_database(f"sqlite:///{tmp_path}/missing-folder/x.db")


def test_unreachable_redis_is_one_sentence():
    with pytest.raises(ConfigError, match="REDIS_URL does not answer"):
        check_redis("redis://127.0.0.1:1/0")


def _run(args, **extra_env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(extra_env)
    return subprocess.run(args, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_check_command_stops_with_one_clear_sentence():
    result = _run([sys.executable, "-m", "adaptivefit.cli", "check"],
                  DATABASE_URL="postgresql://nobody:x@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Adaptive Fit cannot start: DATABASE_URL does not answer")
    assert "Traceback" not in result.stderr


def test_reflex_entry_point_refuses_malformed_redis_url_without_traceback():
    reflex = os.path.join(os.path.dirname(sys.executable), "reflex")
    result = _run([reflex, "db", "status"], REDIS_URL="http://nope")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Adaptive Fit cannot start: REDIS_URL is malformed" in output
    assert "Traceback" not in output


def test_reflex_entry_point_refuses_an_unreachable_database_without_traceback():
    reflex = os.path.join(os.path.dirname(sys.executable), "reflex")
    result = _run([reflex, "db", "status"], DATABASE_URL="postgresql://nobody:x@127.0.0.1:1/none")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Adaptive Fit cannot start: DATABASE_URL does not answer" in output
    assert "Traceback" not in output
