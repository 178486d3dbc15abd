"""`pillars inbox --as USERNAME [--on DATE] --json`: what an officer sees, cover included."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from db.engine import make_engine, session_factory
from db.enums import AbsenceKind
from db.models import Absence, CoverArrangement
from desktop.cli import main
from tests.desktop.factories import add_pending_approvals, populate

TASK_KEYS = ["id", "kind", "offender", "owner", "covering_for", "due", "overdue"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_inbox_json_shows_cover_for_an_absent_sergeant(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    world = populate(db_url)
    pending = add_pending_approvals(db_url, world)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            absence = Absence(
                officer_id=world.cora,
                kind=AbsenceKind.SICKNESS,
                starts_on=dt.date(2024, 6, 10),
                ends_on=dt.date(2024, 6, 14),
            )
            absence.cover.append(
                CoverArrangement(
                    cover_officer_id=world.hattie,
                    starts_on=dt.date(2024, 6, 10),
                    ends_on=dt.date(2024, 6, 14),
                )
            )
            session.add(absence)
    finally:
        engine.dispose()

    status, out, err = run(
        capsys, "inbox", "--db", db_url, "--as", "hattie", "--on", "2024-06-12", "--json"
    )
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert document["on"] == "2024-06-12" and document["officer"] == "hattie"
    tasks = {t["id"]: t for t in document["tasks"]}
    assert all(list(t) == TASK_KEYS for t in document["tasks"])
    assert tasks[pending.plan_task] == {
        "id": pending.plan_task,
        "kind": "plan_approval",
        "offender": world.references["zebedee"],
        "owner": "Cora Pennywhistle",
        "covering_for": "Cora Pennywhistle",
        "due": "2024-06-19",
        "overdue": False,
    }
    dues = [t["due"] for t in document["tasks"]]
    assert dues == sorted(dues)

    # the week after, Cora is back: her tasks are hers again
    status, out, _ = run(capsys, "inbox", "--db", db_url, "--as", "cora", "--on", "2024-06-17")
    assert status == 0
    assert "Inbox of Cora Pennywhistle (cora) on 17/06/2024" in out
    assert world.references["zebedee"] in out and "covering" not in out
    status, out, _ = run(capsys, "inbox", "--db", db_url, "--as", "hattie", "--on", "2024-06-12")
    assert "You are covering for Cora Pennywhistle, absent until 14/06/2024" in out


def test_inbox_for_an_unknown_officer_is_one_line_and_exit_1(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(db_url)
    status, out, err = run(capsys, "inbox", "--db", db_url, "--as", "nobody_here", "--json")
    assert (status, out) == (1, "")
    assert err.strip() == "pillars: error: --as: no active officer has the username 'nobody_here'."
