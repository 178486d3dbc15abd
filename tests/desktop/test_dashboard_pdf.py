"""The monthly dashboard as printed, read back by its text with pypdf and rendered with pdftoppm
(issue #8 item 4): every page marked and numbered, the figures the service built, late figures
marked without relying on colour, a sergeant's print holding only their team, and the notes."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from desktop.reports.dashboard import build_dashboard_pdf, is_marked, shown
from desktop.services.core import Services
from desktop.services.dashboard import METRIC_BY_KEY, METRICS, Dashboard, DashboardRow
from tests.desktop.factories import PASSWORD, World, populate, world_clock
from tests.desktop.test_dashboard import MAY, add_two_months


@pytest.fixture
def services(db_url: str) -> Iterator[tuple[Services, World]]:
    world = populate(db_url)
    add_two_months(db_url, world)
    services = Services(db_url, clock=world_clock)
    yield services, world
    services.close()


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_every_page_is_marked_and_numbered_and_says_the_month_and_who_printed_it(
    services: tuple[Services, World],
) -> None:
    s, _ = services
    dorian = s.auth.sign_in("dorian", PASSWORD)
    texts = pages(s.dashboard.pdf(dorian, MAY))
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2, number
        assert f"Page {number} of {len(texts)}" in text
        assert "Monthly dashboard: May 2024" in text
        assert "All teams · May 2024 · printed by Dorian Mothersole on 12/06/2024" in text
    assert "As of 31/05/2024 (the month's last day)" in flat(texts[0])


def test_the_tables_show_the_figures_the_service_built_with_late_ones_marked(
    services: tuple[Services, World],
) -> None:
    s, w = services
    board = s.dashboard.build(None, MAY)
    text = flat(" ".join(pages(build_dashboard_pdf(board))))
    assert board.force is not None
    for row in [board.force, *board.teams, *board.managers]:
        figures = [
            shown(m, row.values[m.key]) + (" *" if is_marked(m, row, board.benchmark) else "")
            for m in METRICS
            if m.key in ("caseload", "over_benchmark", "visits_due", "visits_on_time")
        ]
        assert f"{row.name} {' '.join(figures)}" in text, row.name
    breaches = board.force.values["notification_breaches"]
    assert breaches and is_marked(METRIC_BY_KEY["notification_breaches"], board.force, 50)
    assert f"{w.display_names['ada']}" in text and "Offender managers: Birch" in text
    for heading in ("Caseload against the benchmark: Alder", "Peer-scrutiny findings"):
        assert heading in text


def test_a_sergeants_print_holds_only_their_team(services: tuple[Services, World]) -> None:
    s, w = services
    texts = pages(s.dashboard.pdf(s.auth.sign_in("hattie", PASSWORD), MAY))
    text = flat(" ".join(texts))
    assert "Team Birch · May 2024 · printed by Hattie Bumblesworth" in text
    assert "Force and teams" not in text and "Alder" not in text
    assert w.display_names["gus"] in text and w.display_names["ada"] not in text


def test_the_notes_say_what_every_figure_counts(services: tuple[Services, World]) -> None:
    s, _ = services
    text = flat(" ".join(pages(s.dashboard.pdf(None, MAY))))
    notes = text[text.index("What each figure counts") :]
    for metric in METRICS:
        assert metric.label in notes
        assert flat(metric.explains)[:40] in notes, metric.key


def test_shown_and_marked_figures() -> None:
    pct, count = METRIC_BY_KEY["arms_current_pct"], METRIC_BY_KEY["visits_overdue"]
    caseload = METRIC_BY_KEY["caseload"]
    manager = DashboardRow(1, 7, "Ada", {"caseload": 51, "visits_overdue": 0})
    team = DashboardRow(1, None, "Alder", {"caseload": 51, "visits_overdue": 2})
    assert shown(pct, 87.5) == "87.5%" and shown(pct, None) == "\u2013"
    assert shown(count, 3) == "3" and shown(METRIC_BY_KEY["hub_oldest_days"], 12) == "12"
    assert is_marked(caseload, manager, 50) and not is_marked(caseload, manager, 51)
    assert not is_marked(caseload, team, 50)  # a team's caseload has no benchmark
    assert is_marked(count, team, 50) and not is_marked(count, manager, 50)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_every_page_renders_with_its_marking_and_content(
    services: tuple[Services, World], tmp_path: Path
) -> None:
    s, _ = services
    data = s.dashboard.pdf(None, MAY)
    (tmp_path / "dashboard.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(tmp_path / "dashboard.pdf"), str(tmp_path / "p")],
        check=True,
    )
    rendered = sorted(tmp_path.glob("p-*.png"))
    assert len(rendered) == len(PdfReader(io.BytesIO(data)).pages)
    for path in rendered:
        with Image.open(path) as image:
            grey = image.convert("L")
            width, height = grey.size
            assert grey.width > grey.height  # landscape
            top = grey.crop((0, 0, width, height // 12))
            body = grey.crop((0, height // 8, width, height * 7 // 8))
            assert top.getextrema()[0] < 128, path.name  # the marking is printed
            assert body.getextrema()[0] < 128, path.name  # and something under it


def test_the_title_names_the_month(services: tuple[Services, World]) -> None:
    s, _ = services
    board: Dashboard = s.dashboard.build(None, dt.date(2024, 6, 3))
    first = flat(pages(build_dashboard_pdf(board))[0])
    assert "Monthly dashboard: June 2024" in first
    assert re.search(r"As of 12/06/2024 \(today: the month is still running\)", first)
