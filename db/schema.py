"""The schema is made and changed only by the Alembic migrations in `db/migrations/`."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from db.errors import NotAPillarsDatabase, SchemaOutOfDate, SchemaTooNew

log = logging.getLogger("pillars.db")

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    log.info("schema upgraded to %s", revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def check_current(engine: Engine, where: str) -> None:
    """Refuse a database this code cannot safely use: empty, older, or newer than the code."""
    revision = current_revision(engine)
    head = head_revision()
    if revision == head:
        return
    if revision is None:
        if inspect(engine).get_table_names():
            raise NotAPillarsDatabase(f"{where} holds tables but is not a Pillars database")
        raise SchemaOutOfDate(
            f"the database {where} is empty: create it with 'pillars db upgrade --db URL' "
            "or 'pillars demo --db URL'"
        )
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    if revision not in known:
        raise SchemaTooNew(
            f"the database {where} was made by a newer version of Pillars (schema {revision}); "
            "install the newer Pillars to open it"
        )
    raise SchemaOutOfDate(
        f"the database {where} has an older schema ({revision}); run 'pillars db upgrade --db URL'"
    )
