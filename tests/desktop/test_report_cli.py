"""`pillars pack`, `pillars dashboard` and `pillars daily`, run in-process through `main([...])`:
the PDF written whole and read back with pypdf, the pack printed as the team's manager and
reprinted exactly, and bad values answered in one line with nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.models import AuditEvent, ScrutinyPack
from desktop.cli import main
from tests.desktop.factories import World, populate

# The command line uses the real clock; the world's offenders are registered well before this.
FORTNIGHT_ENDING = dt.date(2024, 6, 14)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


def _text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def _marked_and_numbered(pages: list[str]) -> None:
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text
        assert f"page {number} of {len(pages)}" in text.lower()


def test_pack_is_printed_as_the_team_manager_and_reprinted_exactly(
    db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "pack.pdf", tmp_path / "again.pdf"
    argv = ("pack", "--db", db_url, "--team", "alder", "--fortnight-ending", "2024-06-14")
    status, out, err = run(capsys, *argv, "--out", str(first))
    assert (status, err) == (0, "")
    assert out.startswith("Printed the peer-scrutiny pack for team Alder, fortnight ending 14/06")
    pages = _text(first)
    _marked_and_numbered(pages)
    assert any("Supervision" in page for page in pages)

    status, out, err = run(capsys, *argv, "--out", str(second))
    assert (status, err) == (0, "")
    assert out.startswith("Reprinted")
    assert second.read_bytes() == first.read_bytes()

    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            pack = session.scalars(select(ScrutinyPack)).one()
            assert pack.printed_by_id == world.dorian
            assert pack.fortnight_ending == FORTNIGHT_ENDING
            printed = session.scalars(
                select(AuditEvent.action).where(AuditEvent.entity_type == "scrutiny_pack")
            ).all()
    finally:
        engine.dispose()
    assert {"scrutiny_pack_printed", "scrutiny_pack_reprinted"} <= set(printed)


def test_pack_refuses_a_new_seed_for_a_printed_fortnight_and_writes_nothing(
    db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("pack", "--db", db_url, "--team", "Alder", "--fortnight-ending", "2024-06-14")
    assert run(capsys, *argv, "--out", str(tmp_path / "pack.pdf"))[0] == 0
    target = tmp_path / "other.pdf"
    status, out, err = run(capsys, *argv, "--seed", "7", "--out", str(target))
    assert status == 1 and out == ""
    assert "printed pack is never changed" in err and "without --seed" in err
    assert not target.exists()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--team", "Nowhere", "--fortnight-ending", "2024-06-14"), "no team called 'Nowhere'"),
        (("--team", "Alder", "--fortnight-ending", "14/06/2024"), "YYYY-MM-DD"),
        (("--team", "Alder", "--fortnight-ending", "2999-01-01"), "has not ended yet"),
        (("--team", "Alder", "--fortnight-ending", "2024-06-14", "--seed", "x"), "--seed"),
    ],
)
def test_pack_bad_values_are_one_line_and_nothing_written(
    db_url: str,
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    says: str,
) -> None:
    target = tmp_path / "pack.pdf"
    status, out, err = run(capsys, "pack", "--db", db_url, *argv, "--out", str(target))
    assert status == 1 and out == ""
    assert err.startswith("pillars: error: ") and says in err
    assert err.count("\n") == 1
    assert not target.exists()


def test_an_out_folder_that_does_not_exist_is_refused_before_anything_runs(
    db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ("pack", "--team", "Alder", "--fortnight-ending", "2024-06-14"),
        ("dashboard", "--month", "2024-06"),
        ("daily", "--on", "2024-06-12"),
    ):
        status, _, err = run(
            capsys, *argv, "--db", db_url, "--out", str(tmp_path / "missing" / "x.pdf")
        )
        assert status == 1 and "does not exist" in err


def test_dashboard_writes_a_marked_numbered_pdf_for_the_month(
    db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "dashboard.pdf"
    status, out, err = run(
        capsys, "dashboard", "--db", db_url, "--month", "2024-06", "--out", str(target)
    )
    assert (status, err) == (0, "")
    assert out == f"Wrote the dashboard for June 2024 to {target}\n"
    pages = _text(target)
    _marked_and_numbered(pages)
    assert "Alder" in pages[0] + (pages[1] if len(pages) > 1 else "")


@pytest.mark.parametrize("month", ["2024-13", "June 2024", "2024/06"])
def test_dashboard_bad_month_is_refused(
    db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str], month: str
) -> None:
    target = tmp_path / "dashboard.pdf"
    status, _, err = run(
        capsys, "dashboard", "--db", db_url, "--month", month, "--out", str(target)
    )
    assert status == 1 and "--month" in err and "YYYY-MM" in err
    assert not target.exists()


def test_daily_writes_the_sheet_for_the_day(
    db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "daily.pdf"
    status, out, err = run(
        capsys, "daily", "--db", db_url, "--on", "2024-06-12", "--out", str(target)
    )
    assert (status, err) == (0, "")
    assert out == f"Wrote the daily meeting sheet for Wednesday 12/06/2024 to {target}\n"
    pages = _text(target)
    _marked_and_numbered(pages)
    assert "12/06/2024" in pages[0]
