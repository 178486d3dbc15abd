"""Approving one task, end to end through the service, on SQLite. Target: at most 30 ms (absolute);
the ratio to the floor is reported too.

On a private copy of the county demo, with the services' clock on the demo's day: `SERGEANT`
(present that day) signs in and `services.approvals.approve(actor, task_id)` is timed for
`COUNT` of the open approval tasks they own, one call each, after two unmeasured calls that warm
SQLAlchemy's caches. A task the service refuses (the sergeant was on the visit's crew, say) is
skipped, not timed. The figure is the median.

Floor: the same file through the bare `sqlite3` module, with the pragmas the app's engine sets
(WAL is the file's own; `synchronous=NORMAL`): `UPDATE task SET state='done' WHERE id=?` and a
commit, on as many other open tasks, median. The two alternate, so a busy moment hits both.
"""

from __future__ import annotations

import sqlite3
import time

from tests.perf.county import PASSWORD, bench_clock, sqlite_url
from tests.perf.harness import Measurement, NotReady, median

SERGEANT = "sgt03"
COUNT = 30
WARM_UP = 2


def _open_tasks(path, sergeant_id: int) -> tuple[list[int], list[int]]:
    """(approval tasks the sergeant owns, other open tasks for the floor), by id."""
    with sqlite3.connect(path) as conn:
        own = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM task WHERE owner_id = ? AND state = 'open' "
                "AND \"group\" = 'approval' ORDER BY id",
                (sergeant_id,),
            )
        ]
        others = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM task WHERE state = 'open' AND (owner_id IS NULL OR owner_id != ?) "
                "ORDER BY id",
                (sergeant_id,),
            )
        ]
    conn.close()
    return own, others


def measure(bench) -> list[Measurement]:
    from desktop.services.core import Services
    from desktop.services.errors import ServiceError

    path = bench.copy("approve")
    services = Services(sqlite_url(path), clock=bench_clock)
    if not hasattr(services, "approvals"):
        services.close()
        raise NotReady("Services has no approvals service")
    floor_db = sqlite3.connect(path)
    try:
        floor_db.execute("PRAGMA synchronous=NORMAL")
        floor_db.execute("PRAGMA busy_timeout=5000")
        actor = services.auth.sign_in(SERGEANT, PASSWORD)
        own, others = _open_tasks(path, actor.officer_id)
        approve_ms: list[float] = []
        floor_ms: list[float] = []
        refused = 0
        for task_id in own:
            if len(approve_ms) >= COUNT:
                break
            started = time.perf_counter()
            try:
                services.approvals.approve(actor, task_id)
            except ServiceError:
                refused += 1
                continue
            approve_ms.append((time.perf_counter() - started) * 1000)

            other = others.pop(0)
            started = time.perf_counter()
            floor_db.execute("UPDATE task SET state = 'done' WHERE id = ?", (other,))
            floor_db.commit()
            floor_ms.append((time.perf_counter() - started) * 1000)
    finally:
        floor_db.close()
        services.close()
    approve_ms, floor_ms = approve_ms[WARM_UP:], floor_ms[WARM_UP:]
    if len(approve_ms) < COUNT - WARM_UP:
        raise RuntimeError(
            f"{SERGEANT} could approve only {len(approve_ms)} tasks ({refused} refused)"
        )
    return [
        Measurement(
            name="approve one task (SQLite)",
            value=median(approve_ms),
            unit="ms",
            floor=median(floor_ms),
            target=30,
            note=f"{SERGEANT}, median of {len(approve_ms)} after {WARM_UP} warm-up "
            f"({refused} refused, not timed); floor: bare sqlite3 UPDATE + commit",
        )
    ]
