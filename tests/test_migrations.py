"""The schema exists only through Alembic, and every migration goes down as well as up."""

import sqlalchemy
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import adaptivefit.models  # noqa: F401
from adaptivefit.cli import alembic_config

ORIGINAL_TABLES = {
    "users", "fitness_data", "goals", "training_programs", "equipment", "nutrition_goals",
    "food_entries", "trainers", "purchases", "payouts",
}


def _config(url):
    config = alembic_config(url)
    config.attributes["configure_logging"] = False
    return config


def _tables(url):
    engine = sqlalchemy.create_engine(url)
    try:
        return set(sqlalchemy.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_creates_the_whole_schema_as_the_models_describe_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(_config(url), "head")
    tables = _tables(url)
    assert ORIGINAL_TABLES <= tables
    assert tables == set(SQLModel.metadata.tables)
    engine = sqlalchemy.create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_every_user_owned_table_indexes_user_id(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    command.upgrade(_config(url), "head")
    engine = sqlalchemy.create_engine(url)
    inspector = sqlalchemy.inspect(engine)
    for table in inspector.get_table_names():
        columns = {c["name"] for c in inspector.get_columns(table)}
        if "user_id" in columns:
            indexed = {tuple(i["column_names"])[0] for i in inspector.get_indexes(table)}
            assert "user_id" in indexed, f"{table}.user_id has no index"
    engine.dispose()


def test_each_migration_downgrades_cleanly_one_step_at_a_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    config = _config(url)
    command.upgrade(config, "head")
    revisions = list(ScriptDirectory.from_config(config).walk_revisions())
    assert revisions, "there are no migrations"
    for _ in revisions:
        command.downgrade(config, "-1")
    assert _tables(url) == set()
    command.upgrade(config, "head")
    assert ORIGINAL_TABLES <= _tables(url)


def test_migrations_form_a_single_line():
    script = ScriptDirectory.from_config(_config("sqlite://"))
    assert len(script.get_heads()) == 1
