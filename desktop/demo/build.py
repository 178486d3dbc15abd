"""Build a demo database: create and migrate it if needed, refuse one in use, generate, write.

Generation is deterministic: one `random.Random(seed)` and dates derived from `on`, never the real
clock, so the same seed and day always give the same database, down to the password hashes.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from db import schema
from db.engine import describe, make_engine, translated_errors
from db.errors import SchemaOutOfDate
from desktop.demo.approvals import build_approvals
from desktop.demo.notifications import build_notifications
from desktop.demo.offenders import build_offenders
from desktop.demo.risk import build_risk
from desktop.demo.staff import build_staff
from desktop.demo.visits import build_visits
from desktop.demo.world import SCALES, World
from desktop.services import seeding

log = logging.getLogger("pillars.demo")


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` wrote, for `pillars demo` to report: the counts of teams, offenders,
    officers and open tasks, the day the data treats as today (`on`), and the seconds it took."""

    scale: str
    seed: int
    on: dt.date
    teams: int
    offenders: int
    officers: int
    open_approval_tasks: int
    open_hub_tasks: int
    seconds: float


class DemoRefused(Exception):
    """The database already holds offenders or officers; nothing was changed."""


def _quiet(_line: str) -> None:
    pass


def _check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(
            f"unknown demo scale {scale!r}: use 'team' (one team of about 600 offenders) or "
            "'county' (four teams, 2,346 offenders)"
        )


def generate(scale: str, seed: int, on: dt.date, progress: Callable[[str], None] = _quiet) -> World:
    """Every row of the demo, in memory. Raises ValueError for an unknown scale."""
    _check_scale(scale)
    world = World(SCALES[scale], seed, on)
    build_staff(world)
    progress("officers")
    build_offenders(world, progress)
    build_risk(world, progress)
    build_visits(world, progress)
    build_notifications(world, progress)
    build_approvals(world, progress)
    return world


def build_demo(
    url: str,
    *,
    scale: str,
    seed: int,
    on: dt.date,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill the database at `url` with demo data treating `on` as today.

    A missing SQLite file is created and an empty or older database is migrated first. Raises
    ValueError for an unknown scale (before touching anything), DemoRefused for a database that
    already holds offenders or officers, and db.errors.DatabaseProblem when the database cannot be
    used. Everything is written in one transaction: all of it or nothing."""
    _check_scale(scale)
    if isinstance(on, dt.datetime):
        on = on.date()
    say = progress or _quiet
    started = time.perf_counter()
    where = describe(url)
    with translated_errors(url):
        engine = make_engine(url, create=True)
        try:
            try:
                schema.check_current(engine, where)
            except SchemaOutOfDate:
                say("schema")
                schema.upgrade(engine)
            seeding.ensure_empty(engine, where)
            world = generate(scale, seed, on, say)
            written = seeding.write_rows(
                engine, world.rows.tables, where=where, stamp=world.now, progress=say
            )
        except seeding.DatabaseNotEmpty as exc:
            raise DemoRefused(str(exc)) from None
        finally:
            engine.dispose()
    tasks = world.rows.tables.get("task", [])
    summary = DemoSummary(
        scale=scale,
        seed=seed,
        on=on,
        teams=len(world.teams),
        offenders=len(world.cases),
        officers=len(world.officers),
        open_approval_tasks=sum(1 for t in tasks if t["group"] == "approval"),
        open_hub_tasks=sum(1 for t in tasks if t["group"] == "hub"),
        seconds=round(time.perf_counter() - started, 2),
    )
    log.info(
        "demo %s (seed %s, on %s): %s rows in %.1f s", scale, seed, on, written, summary.seconds
    )
    say(f"done: {written:,} rows in {summary.seconds:.0f} s")
    return summary
