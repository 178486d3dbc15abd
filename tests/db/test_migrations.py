"""The schema is the migrations: they run up and down on both databases and match the models."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from db import schema
from db.base import Base
from db.engine import make_engine


def test_upgrade_creates_every_model_table_and_downgrade_removes_them(empty_url: str) -> None:
    engine = make_engine(empty_url, create=True)
    try:
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables

        schema.downgrade(engine, "base")
        assert schema.current_revision(engine) is None
        inspect_after = inspect(engine)
        assert not set(Base.metadata.tables) & set(inspect_after.get_table_names())

        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_agree(engine) -> None:  # noqa: ANN001
    """`alembic check` autogenerates against the migrated database: any drift is a failure."""
    config = schema.alembic_config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.check(config)


def test_the_schema_head_constant_names_the_newest_migration() -> None:
    """Opening a database compares its revision with SCHEMA_HEAD without importing Alembic; a
    new migration must move the constant on."""
    assert schema.head_revision() == schema.SCHEMA_HEAD
