"""Crash safety (#9 item 3): a process killed with SIGKILL in the middle of a burst of writes
leaves a database that opens, passes its integrity check, holds every change that was committed
and no half of any change. Done repeatedly, in a subprocess, on SQLite and PostgreSQL.

The writer records one-day absences through the real service, each a change of two rows in one
transaction (the absence and its audit row), and prints each absence's id once its transaction
has committed. The parent kills it at a random moment of the burst, then checks: every printed
id is there; every absence has its audit row and every audit row its absence; the audit chain
verifies; and the next writer carries on where the killed one stopped."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import func, select, text

from db.engine import make_engine
from db.models import Absence, AuditEvent
from desktop.services.core import Services
from tests.desktop.factories import populate, world_clock

KILLS = 4
FIRST_DAY = dt.date(2030, 1, 1)
REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from desktop.services.core import Services
    from desktop.services.team import AbsenceEntry
    from tests.desktop.factories import PASSWORD, world_clock

    url, first_day, officer_id = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), int(sys.argv[3])
    services = Services(url, clock=world_clock)
    actor = services.auth.sign_in("cora", PASSWORD)
    print("ready", flush=True)
    for n in range(100_000):
        day = (first_day + dt.timedelta(days=n)).isoformat()
        entry = AbsenceEntry(officer_id=officer_id, kind="training", starts_on=day, ends_on=day,
                             note="crash test burst")
        print(services.team.record_absence(actor, entry), flush=True)
    """
)


def _kill_mid_burst(db_url: str, first_day: str, officer_id: int, rng: random.Random) -> list[int]:
    """Start a writer, let it commit for a random moment, SIGKILL it; the ids it reported."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url, first_day, str(officer_id)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
    time.sleep(rng.uniform(0.3, 1.2))
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err
    return [int(line) for line in out.split()]


def _integrity(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.scalars(text("PRAGMA integrity_check")).all() == ["ok"]
                assert conn.scalars(text("PRAGMA foreign_key_check")).all() == []
            else:
                assert conn.scalar(text("SELECT 1")) == 1
    finally:
        engine.dispose()


def _next_free_day(db_url: str) -> dt.date:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            last = conn.scalar(
                select(func.max(Absence.ends_on)).where(Absence.note == "crash test burst")
            )
    finally:
        engine.dispose()
    return FIRST_DAY if last is None else last + dt.timedelta(days=1)


def _absences_and_audits(db_url: str) -> tuple[set[int], set[int]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            absences = set(
                conn.scalars(select(Absence.id).where(Absence.note == "crash test burst"))
            )
            audited = set(
                conn.scalars(
                    select(AuditEvent.entity_id).where(AuditEvent.action == "absence_recorded")
                )
            )
    finally:
        engine.dispose()
    return absences, {i for i in audited if i is not None}


def test_sigkill_mid_burst_keeps_every_commit_and_no_half_change(db_url: str) -> None:
    world = populate(db_url)
    rng = random.Random(20261122)
    reported: list[int] = []
    for _ in range(KILLS):
        # Each writer starts the day after the last one the writers before it committed.
        first_day = _next_free_day(db_url).isoformat()
        reported += _kill_mid_burst(db_url, first_day, world.ada, rng)
        _integrity(db_url)
        absences, audited = _absences_and_audits(db_url)
        assert set(reported) <= absences, "a committed change was lost"
        assert absences == audited, "half a change: an absence without its audit row, or back"
    # Each writer committed some and was killed with more to come: mid-burst, not before or after.
    assert len(reported) >= KILLS, "the writers never got going"

    services = Services(db_url, clock=world_clock)
    try:
        assert services.audit.verify().ok
        # The database carries on: the next write after the last kill commits.
        from desktop.services.team import AbsenceEntry
        from tests.desktop.factories import PASSWORD

        actor = services.auth.sign_in("cora", PASSWORD)
        after = services.team.record_absence(
            actor,
            AbsenceEntry(
                officer_id=world.ada,
                kind="training",
                starts_on=_next_free_day(db_url).isoformat(),
                ends_on=_next_free_day(db_url).isoformat(),
                note="crash test burst",
            ),
        )
        assert services.audit.verify().ok
    finally:
        services.close()
    absences, audited = _absences_and_audits(db_url)
    assert after in absences and absences == audited
