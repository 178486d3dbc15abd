"""A 20-record scrutiny pack against bare reportlab drawing the same pages. Target: the pack takes
at most 1.5 times its floor (`on="ratio"`; DESIGN section 7).

On a private copy of the county demo, with the services' clock on the demo's day: a pack row for
the fortnight ending on the demo's day is added for `TEAM`, sampling `PER_MANAGER` records of each
of its offender managers in turn until there are `RECORDS` (by reference, so every run prints the
same records). The figure is `build_pack_pdf` inside an open transaction, as the scrutiny service
calls it: every record read with the record loader, laid out, and rendered to bytes; the median of
`RUNS` after one unmeasured run that pays for the imports and SQL compilation.

Floor: the same pages drawn with plain reportlab canvas calls, no services and no layout: every
run of text the pack's PDF holds (read back with pypdf before timing, with its font, size and
place) drawn with `drawString` on as many pages, and a rule under each, standing in for the
tables' lines, written with the pack's stream encoding (Flate, no ASCII85). The two alternate,
so a busy moment hits both.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

from tests.perf.county import BENCH_DAY, PASSWORD, bench_clock, sqlite_url
from tests.perf.harness import Measurement, NotReady, median

NAME = "scrutiny pack, 20 records"
TARGET = 1.5
TEAM_MANAGER = "tm01"
RECORDS = 20
PER_MANAGER = 2
RUNS = 3


@dataclass(frozen=True)
class _Run:
    """One run of text on a page: what it says, where, in which font."""

    text: str
    x: float
    y: float
    font: str
    size: float


def _sample(session, team_id: int) -> list[int]:
    """`PER_MANAGER` records of each offender manager of the team in turn, by reference."""
    from sqlalchemy import select

    from db.models import Offender

    rows = session.execute(
        select(Offender.id, Offender.manager_id)
        .where(Offender.team_id == team_id, Offender.manager_id.is_not(None))
        .order_by(Offender.manager_id, Offender.reference)
    ).all()
    by_manager: dict[int, list[int]] = {}
    for offender_id, manager_id in rows:
        by_manager.setdefault(manager_id, []).append(offender_id)
    picked: list[int] = []
    for ids in by_manager.values():
        picked += ids[:PER_MANAGER]
    return picked[:RECORDS]


def _add_pack(services, actor) -> int:
    from db.models import ScrutinyItem, ScrutinyPack

    with services.transaction() as session:
        ids = _sample(session, actor.team_id)
        if len(ids) < RECORDS:
            raise RuntimeError(f"{TEAM_MANAGER}'s team has only {len(ids)} managed records")
        pack = ScrutinyPack(
            team_id=actor.team_id,
            fortnight_ending=BENCH_DAY,
            seed=1,
            method={"text": f"Benchmark: {PER_MANAGER} records per offender manager."},
            items=[
                ScrutinyItem(offender_id=oid, position=i, reason="Benchmark sample")
                for i, oid in enumerate(ids, start=1)
            ],
        )
        session.add(pack)
        session.flush()
        return pack.id


def _print(services, actor, pack_id: int) -> tuple[float, bytes]:
    """Seconds to build the pack in an open transaction, and its bytes."""
    from db.models import ScrutinyPack
    from desktop.reports.pack import build_pack_pdf

    with services.transaction() as session:
        pack = session.get(ScrutinyPack, pack_id)
        started = time.perf_counter()
        pdf = build_pack_pdf(services, session, actor, pack)
        return time.perf_counter() - started, pdf


def _runs_of_text(pdf: bytes) -> list[list[_Run]]:
    """Every run of text on every page of `pdf`, with its place, font and size."""
    from pypdf import PdfReader

    pages: list[list[_Run]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[_Run] = []

        def visit(text, cm, tm, font, size, runs=runs):
            if not text.strip():
                return
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            name = str((font or {}).get("/BaseFont", "/Helvetica")).lstrip("/")
            runs.append(_Run(text.rstrip("\n"), x, y, name, size or 10))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def _floor(pages: list[list[_Run]]) -> tuple[float, bytes]:
    """Seconds for bare reportlab to draw the same text on the same number of pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfdoc import PDFStreamFilterZCompress
    from reportlab.pdfgen.canvas import Canvas

    started = time.perf_counter()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    # The same file the pack writes: page streams Flate-compressed, not then ASCII85-encoded
    # (desktop/reports/base.py), so the ratio compares drawing, not two encodings.
    canvas.setPageCompression(0)
    canvas._doc.defaultStreamFilters = [PDFStreamFilterZCompress()]
    for runs in pages:
        for run in runs:
            canvas.setFont(run.font, run.size)
            canvas.drawString(run.x, run.y, run.text)
            canvas.line(run.x, run.y - 3, run.x + 40, run.y - 3)
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - started, out.getvalue()


def measure(bench) -> list[Measurement]:
    try:
        from desktop.reports.pack import build_pack_pdf  # noqa: F401
    except ImportError:
        raise NotReady("desktop/reports has no pack yet") from None
    from desktop.services.core import Services

    services = Services(sqlite_url(bench.copy("pack")), clock=bench_clock)
    try:
        actor = services.auth.sign_in(TEAM_MANAGER, PASSWORD)
        pack_id = _add_pack(services, actor)
        _, pdf = _print(services, actor, pack_id)  # warm-up: imports, compiled SQL
        pages = _runs_of_text(pdf)
        _floor(pages)
        pack_s: list[float] = []
        floor_s: list[float] = []
        for _ in range(RUNS):
            pack_s.append(_print(services, actor, pack_id)[0])
            floor_s.append(_floor(pages)[0])
    finally:
        services.close()
    return [
        Measurement(
            name=NAME,
            value=median(pack_s) * 1000,
            unit="ms",
            floor=median(floor_s) * 1000,
            target=TARGET,
            on="ratio",
            note=f"{TEAM_MANAGER}'s team, {RECORDS} records, {len(pages)} pages, median of "
            f"{RUNS} after a warm-up; floor: bare reportlab canvas drawing the same "
            f"{sum(len(p) for p in pages)} runs of text on as many pages",
        )
    ]
