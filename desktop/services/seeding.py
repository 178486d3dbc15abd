"""Bulk loading of generated rows into an empty database, for `pillars demo`.

The generator hands over plain rows per table with their primary keys already assigned; this
writes them with Core executemany in one transaction (all or nothing), in foreign-key order, and
refuses a database that already holds anyone, so a demo can never be mixed into real records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text

from db.base import Base, UtcDateTime
from db.models import Offender, Officer
from desktop.services.errors import ServiceError

BATCH = 5000
LARGE_TABLE = 5000
# Tables whose existing rows are kept, matched by this column: a policy value an administrator
# already set wins over the demo's default. Every other table must be empty.
KEEP_EXISTING = {"policy": "key"}
# The audit log is not demo data, and may already record the database being created.
NOT_DEMO_DATA = frozenset({"audit_event"})


class DatabaseNotEmpty(ServiceError):
    """The database already holds offenders or officers; nothing was written."""


def ensure_empty(engine: Engine, where: str) -> None:
    with engine.connect() as conn:
        _ensure_empty(conn, where)


def _ensure_empty(conn: Connection, where: str) -> None:
    offenders = conn.scalar(select(func.count()).select_from(Offender)) or 0
    officers = conn.scalar(select(func.count()).select_from(Officer)) or 0
    if offenders or officers:
        raise DatabaseNotEmpty(
            f"the database {where} already holds {offenders} offenders and {officers} officers: "
            "demo data goes only into an empty database"
        )
    for table in Base.metadata.sorted_tables:
        if table.name in KEEP_EXISTING or table.name in NOT_DEMO_DATA:
            continue
        rows = conn.scalar(select(func.count()).select_from(table)) or 0
        if rows:
            raise DatabaseNotEmpty(
                f"the database {where} already holds {rows} rows in {table.name}: demo data "
                "goes only into an empty database"
            )


def write_rows(
    engine: Engine,
    tables: Mapping[str, Sequence[dict[str, Any]]],
    *,
    where: str,
    stamp: dt.datetime,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Insert every row of `tables` (table name -> rows with ids) in one transaction and return
    how many were written. A column a row leaves out gets its scalar default; a timestamp whose
    default is "now" gets `stamp` instead, so the same rows always make the same database."""
    unknown = set(tables) - set(Base.metadata.tables)
    if unknown:
        raise ValueError(f"no such tables: {', '.join(sorted(unknown))}")
    written = 0
    with engine.begin() as conn:
        _ensure_empty(conn, where)
        for table in Base.metadata.sorted_tables:
            rows = tables.get(table.name)
            if not rows:
                continue
            if progress is not None and len(rows) >= LARGE_TABLE:
                progress(f"writing {table.name} ({len(rows):,} rows)")
            if table.name in KEEP_EXISTING:
                rows = _without_existing(conn, table, rows, KEEP_EXISTING[table.name])
                if not rows:
                    continue
            complete = _complete(table, rows, stamp)
            statement = insert(table)
            for start in range(0, len(complete), BATCH):
                conn.execute(statement, complete[start : start + BATCH])
            written += len(rows)
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, [name for name, rows in tables.items() if rows])
    return written


def _without_existing(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], key: str
) -> list[dict[str, Any]]:
    """The rows whose `key` the table does not hold yet, numbered after its highest id (nothing
    refers to these tables by id)."""
    held = set(conn.scalars(select(table.c[key])).all())
    highest = conn.scalar(select(func.max(table.c.id))) or 0
    fresh = [row for row in rows if row[key] not in held]
    return [{**row, "id": highest + i} for i, row in enumerate(fresh, start=1)]


def _complete(table: Table, rows: Sequence[dict[str, Any]], stamp: dt.datetime) -> list[dict]:
    """Every row with the same keys, covering every column that has a default."""
    keys = set(rows[0])
    for row in rows:
        if len(row) != len(keys) or row.keys() != keys:
            raise ValueError(f"rows for {table.name} do not all name the same columns")
    unknown = keys - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    extra: dict[str, Any] = {}
    for column in table.columns:
        if column.name in keys or column.default is None:
            continue
        default = column.default
        if getattr(default, "is_scalar", False):
            extra[column.name] = default.arg  # type: ignore[attr-defined]
        elif isinstance(column.type, UtcDateTime):
            extra[column.name] = stamp
        elif column.name in ("details", "method", "checklist", "detail"):
            extra[column.name] = {}
        else:
            raise ValueError(f"{table.name}.{column.name} needs a value from the generator")
    if not extra:
        return list(rows)
    return [{**row, **extra} for row in rows]


def _advance_sequences(conn: Connection, names: Sequence[str]) -> None:
    """Ids were given by the generator, so each PostgreSQL id sequence must be moved past them
    or the next record the application creates would collide."""
    for name in sorted(names):
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f'(SELECT MAX(id) FROM "{name}"))'
            ),
            {"table": name},
        )
