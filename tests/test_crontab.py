"""Schedules read as cron reads them, and bad ones refused at start-up with the variable's name."""

from datetime import UTC, datetime

import pytest

from adaptivefit.config import ConfigError, get_settings
from adaptivefit.crontab import cron_trigger, cron_weekdays, describe, next_fire_time

# A Wednesday.
NOW = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
CRON_VARIABLES = ("JOBS_PUBMED_CRON", "JOBS_FEEDS_CRON", "JOBS_YOUTUBE_CRON", "JOBS_EXPORT_CRON", "JOBS_RETRAIN_CRON")


@pytest.fixture
def clean_env(env, monkeypatch):
    for name in (*CRON_VARIABLES, "SCHEDULER_ENABLED", "SCHEDULER_LEASE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    return env


@pytest.mark.parametrize(("expr", "when"), [
    ("0 3 * * 0", "Sunday 2026-01-11 03:00"),  # cron's 0 is Sunday
    ("0 3 * * 7", "Sunday 2026-01-11 03:00"),
    ("0 5 * * 1", "Monday 2026-01-12 05:00"),
    ("30 4 * * *", "Thursday 2026-01-08 04:30"),
    ("0 2 1 * *", "Sunday 2026-02-01 02:00"),
    ("0 9 * * 1-5", "Thursday 2026-01-08 09:00"),
    ("0 9 * * sat,sun", "Saturday 2026-01-10 09:00"),
    ("0 9 * * 6-7", "Saturday 2026-01-10 09:00"),
    ("@weekly", "Sunday 2026-01-11 00:00"),
])
def test_schedules_fire_when_cron_would(expr, when):
    assert next_fire_time(expr, NOW).strftime("%A %Y-%m-%d %H:%M") == when


def test_weekday_fields_expand_like_cron():
    assert cron_weekdays("*/2") == {0, 2, 4, 6}
    assert cron_weekdays("1-7") == {0, 1, 2, 3, 4, 5, 6}
    assert cron_weekdays("sun,wed") == {0, 3}


@pytest.mark.parametrize("expr", ["0 3 * *", "61 3 * * *", "0 3 * * 8", "0 3 * * fri-mon", "0 3 1 * 1", "nonsense"])
def test_bad_schedules_are_refused(expr):
    with pytest.raises(ValueError):
        cron_trigger(expr)


def test_schedules_in_words():
    assert describe("0 3 * * 0") == "weekly on Sunday at 03:00 UTC"
    assert describe("30 4 * * *") == "daily at 04:30 UTC"
    assert describe("0 2 1 * *") == "monthly on day 1 at 02:00 UTC"
    assert describe("*/5 * * * *") == "cron */5 * * * *"


def test_the_schedule_settings_have_defaults_and_can_be_changed(clean_env):
    settings = get_settings()
    assert (settings.jobs_pubmed_cron, settings.jobs_feeds_cron, settings.jobs_youtube_cron,
            settings.jobs_export_cron, settings.jobs_retrain_cron) == (
        "0 3 * * 0", "30 4 * * *", "0 5 * * 1", "0 6 * * *", "0 2 1 * *")
    assert settings.scheduler_enabled is True and settings.scheduler_lease_seconds == 60
    clean_env(JOBS_EXPORT_CRON="15 7 * * *", SCHEDULER_ENABLED="false", SCHEDULER_LEASE_SECONDS="30")
    settings = get_settings()
    assert settings.jobs_export_cron == "15 7 * * *"
    assert settings.scheduler_enabled is False and settings.scheduler_lease_seconds == 30


@pytest.mark.parametrize("variable", CRON_VARIABLES)
def test_a_bad_schedule_is_a_config_error_naming_the_variable(clean_env, variable):
    clean_env(**{variable: "every sunday"})
    with pytest.raises(ConfigError, match=variable):
        get_settings()


@pytest.mark.parametrize(("variable", "value"), [("SCHEDULER_ENABLED", "maybe"), ("SCHEDULER_LEASE_SECONDS", "1")])
def test_bad_scheduler_settings_name_the_variable(clean_env, variable, value):
    clean_env(**{variable: value})
    with pytest.raises(ConfigError, match=variable):
        get_settings()
