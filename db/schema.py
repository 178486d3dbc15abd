"""The schema is made and changed only by the Alembic migrations in `db/migrations/`.

Alembic is imported only to change the schema or to explain a mismatch: opening a database whose
schema is at `SCHEMA_HEAD` reads one row with plain SQL, which keeps start-up fast.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from db.errors import NotAPillarsDatabase, SchemaOutOfDate, SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("pillars.db")

MIGRATIONS = Path(__file__).with_name("migrations")

# The newest migration's revision. tests/db/test_migrations.py fails when a new migration is
# added without moving this on.
SCHEMA_HEAD = "0005"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """The revision in `alembic_version`, read with plain SQL; None when there is no such table
    (an empty or foreign database, which `check_current` then explains through Alembic)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        if "alembic_version" in str(exc.orig):
            return None
        raise


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    log.info("schema upgraded to %s", revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def check_current(engine: Engine, where: str) -> None:
    """Refuse a database this code cannot safely use: empty, older, or newer than the code."""
    if _stored_revision(engine) == SCHEMA_HEAD:
        return
    from alembic.script import ScriptDirectory

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
