"""The peer-scrutiny pack as a reviewer reads it, checked by its text with pypdf (DESIGN section 3,
"Peer scrutiny"; issue #8 item 2): the marking and "Page x of y" on every page, the cover with the
sample and its method, a bookmarked section per record with all four pillars, long tables that
carry their header onto the next page, and the six-month window of history.

Each test draws the pack the way the scrutiny service will: a ScrutinyPack row with its items,
added and built inside one open transaction of the services."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table
from sqlalchemy import select

from db.enums import ApprovalState, VisitOutcome
from db.models import Offender, PlanAction, RiskManagementPlan, ScrutinyItem, ScrutinyPack, Visit
from desktop.reports.base import (
    CONTENT_WIDTH,
    FONT,
    HEADER_FILL,
    LONDON,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARKING,
    PAGE_HEIGHT,
    RULE,
    STRIPE_FILL,
    STYLES,
    Fixed,
    PrintInfo,
    Report,
    Squeezed,
    TickBox,
    _lines,
    data_table,
    day,
    day_time,
    facts_table,
    headed,
    para,
    text_width,
    warning,
    widths,
)
from desktop.reports.pack import NO_ACTIONS, build_pack_pdf
from desktop.rules.plan_gaps import PILLARS
from desktop.services.actor import Actor
from desktop.services.core import Services
from desktop.services.scrutiny import CHECKLIST
from tests.desktop.factories import PASSWORD, WORLD_NOW, WORLD_TODAY, World, populate, world_clock

METHOD = "Two records per offender manager, weighted by risk and by time since last scrutiny."
SEED = 4242
LONG_VISITS = 80
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
VISIT_TIME = dt.time(19, 15)


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


@pytest.fixture
def manager(services: Services) -> Actor:
    return services.auth.sign_in("dorian", PASSWORD)


def _sample(world: World) -> list[int]:
    return list(world.alder_offenders)


def _reason(position: int) -> str:
    return f"Fictional reason number {position}: weighted draw"


def _print(services: Services, actor: Actor, world: World, offender_ids: list[int]) -> bytes:
    """Add a pack for Alder's fortnight ending today and build it in the same transaction."""
    with services.transaction() as session:
        pack = ScrutinyPack(
            team_id=world.alder,
            fortnight_ending=WORLD_TODAY,
            seed=SEED,
            method={"text": METHOD},
            items=[
                ScrutinyItem(offender_id=oid, position=i, reason=_reason(i))
                for i, oid in enumerate(offender_ids, start=1)
            ],
        )
        session.add(pack)
        session.flush()
        return build_pack_pdf(services, session, actor, pack)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pages(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [_flat(page.extract_text()) for page in reader.pages]


def _sections(reader: PdfReader, pages: list[str]) -> dict[str, str]:
    """Outline title -> the text of the pages from its page to the next entry's."""
    entries = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    out: dict[str, str] = {}
    for i, (title, start) in enumerate(entries):
        end = entries[i + 1][1] if i + 1 < len(entries) else len(pages)
        out[title] = " ".join(pages[start:end])
    return out


def _titles(services: Services, offender_ids: list[int]) -> list[str]:
    with services.transaction() as session:
        rows = {
            o.id: f"{o.reference} {o.forename} {o.surname}"
            for o in session.scalars(select(Offender).where(Offender.id.in_(offender_ids)))
        }
    return [rows[i] for i in offender_ids]


def _marks_by_height(reader: PdfReader, index: int) -> list[float]:
    """The heights (points from the page's foot) at which the marking is drawn on a page."""
    found: list[float] = []

    def visit(text: str, cm: object, tm: list[float], *_: object) -> None:
        if MARKING in text:
            found.append(tm[5])

    reader.pages[index].extract_text(visitor_text=visit)
    return found


# -- every page ---------------------------------------------------------------------------------


def test_every_page_is_marked_top_and_bottom_and_numbered_of_the_total(
    services: Services, manager: Actor, world: World
) -> None:
    pdf = _print(services, manager, world, _sample(world))
    reader, pages = _pages(pdf)
    total = len(pages)
    assert total > len(_sample(world))  # a cover, then at least a page per record
    height = float(reader.pages[0].mediabox.height)
    printed = WORLD_NOW.astimezone(LONDON).strftime("%d/%m/%Y %H:%M")
    for index, text in enumerate(pages):
        assert text.count(MARKING) == 2, f"page {index + 1}"
        heights = _marks_by_height(reader, index)
        assert max(heights) > height - 20 * 72 / 25.4, f"page {index + 1}: no marking at the top"
        assert min(heights) < 20 * 72 / 25.4, f"page {index + 1}: no marking at the foot"
        assert re.findall(r"Page (\d+) of (\d+)", text) == [(str(index + 1), str(total))]
        assert "Team Alder" in text
        assert f"printed by {manager.display_name} on {printed}" in text


# -- the cover ----------------------------------------------------------------------------------


def test_the_cover_lists_the_sample_how_it_was_drawn_and_who_printed_it(
    services: Services, manager: Actor, world: World
) -> None:
    sample = _sample(world)
    pdf = _print(services, manager, world, sample)
    reader, pages = _pages(pdf)
    cover = _sections(reader, pages)["Cover and sample"]
    starts = WORLD_TODAY - dt.timedelta(days=13)
    assert f"{starts:%d/%m/%Y} to {WORLD_TODAY:%d/%m/%Y}" in cover
    assert METHOD in cover
    assert f"Seed {SEED}" in cover
    assert manager.display_name in cover
    for position, (oid, title) in enumerate(
        zip(sample, _titles(services, sample), strict=True), start=1
    ):
        record = services.records.open(manager, oid)
        reference, name = title.split(" ", 1)
        row = _flat(f"{position} {reference} {name} {record.manager or 'Unallocated'}")
        assert row in cover
        assert _reason(position) in cover
    # the earliest a position could be listed, in order
    assert [cover.index(t.split(" ", 1)[0]) for t in _titles(services, sample)] == sorted(
        cover.index(t.split(" ", 1)[0]) for t in _titles(services, sample)
    )


# -- one section per record ---------------------------------------------------------------------


def test_every_record_has_a_bookmarked_section_with_all_four_pillars(
    services: Services, manager: Actor, world: World
) -> None:
    sample = _sample(world)
    pdf = _print(services, manager, world, sample)
    reader, pages = _pages(pdf)
    sections = _sections(reader, pages)
    titles = _titles(services, sample)
    assert list(sections) == ["Cover and sample", *titles]
    for title in titles:
        text = sections[title]
        assert text.count(title) >= 1
        for label in PILLARS.values():
            assert label in text, f"{title}: no {label} heading"
        assert "Reviewer checklist" in text
        for _, question in CHECKLIST:
            assert question in text
    starts = [reader.get_destination_page_number(o) for o in reader.outline]
    assert starts == sorted(set(starts))  # each section starts on a page of its own


def test_the_plan_is_shown_pillar_by_pillar_and_an_empty_pillar_says_so(
    services: Services, manager: Actor, world: World
) -> None:
    sample = _sample(world)
    pdf = _print(services, manager, world, sample)
    reader, pages = _pages(pdf)
    sections = _sections(reader, pages)
    with services.transaction() as session:
        actions: dict[int, list[tuple[str, str]]] = {}
        for oid in sample:
            plan = session.scalars(
                select(RiskManagementPlan)
                .where(
                    RiskManagementPlan.offender_id == oid,
                    RiskManagementPlan.state == ApprovalState.APPROVED,
                )
                .order_by(RiskManagementPlan.plan_number.desc())
                .limit(1)
            ).one_or_none()
            actions[oid] = (
                [
                    (a.pillar.value, a.description)
                    for a in session.scalars(
                        select(PlanAction).where(PlanAction.plan_id == plan.id)
                    )
                ]
                if plan is not None
                else []
            )
    assert any(actions.values()), "the world should have at least one approved plan"
    assert any(not a for a in actions.values()), "and a record without one"
    for oid, title in zip(sample, _titles(services, sample), strict=True):
        text = sections[title]
        empty_pillars = [p for p in PILLARS if not any(pillar == p for pillar, _ in actions[oid])]
        assert text.count(NO_ACTIONS) == len(empty_pillars), title
        for pillar, description in actions[oid]:
            label = PILLARS[pillar]
            at = text.index(_flat(description))
            heading = text.rindex(label, 0, at)
            later = [text.find(other, heading + 1) for other in PILLARS.values() if other != label]
            assert all(i < 0 or i > at or i < heading for i in later), (title, description)


def test_quality_findings_and_breaches_are_those_the_record_shows(
    services: Services, manager: Actor, world: World
) -> None:
    sample = _sample(world)
    pdf = _print(services, manager, world, sample)
    reader, pages = _pages(pdf)
    sections = _sections(reader, pages)
    seen_breach = seen_finding = False
    for oid, title in zip(sample, _titles(services, sample), strict=True):
        record = services.records.open(manager, oid)
        text = sections[title]
        assert f"{record.quality.passed} of {record.quality.checks} checks passed" in text
        for finding in record.quality.findings:
            assert _flat(finding.text) in text, (title, finding.text)
            seen_finding = True
        for breach in record.breaches:
            assert _flat(breach.text) in text, (title, breach.text)
            seen_breach = True
        for task in record.tasks:
            assert _flat(task.title) in text
    assert seen_breach and seen_finding  # the world has both (Barnaby's release, Horatio)


# -- long tables and the six months -------------------------------------------------------------


def _shown(on: dt.date) -> str:
    """How a visit at 19:15 UTC on `on` is shown: in London time, dd/mm/yyyy HH:MM."""
    at = dt.datetime.combine(on, VISIT_TIME, tzinfo=dt.UTC).astimezone(LONDON)
    return at.strftime("%d/%m/%Y %H:%M")


def _add_visits(db_url: str, services: Services, world: World, offender_id: int) -> list[dt.date]:
    """LONG_VISITS completed visits every other day back from yesterday, and one seven months
    ago that the pack must leave out. Returns the dates of the recent ones."""
    recent = [WORLD_TODAY - dt.timedelta(days=2 * i + 1) for i in range(LONG_VISITS)]
    old = WORLD_TODAY - relativedelta(months=7)
    with services.transaction() as session:
        for on in [*recent, old]:
            at = dt.datetime.combine(on, VISIT_TIME, tzinfo=dt.UTC)
            session.add(
                Visit(
                    offender_id=offender_id,
                    planned_at=at,
                    occurred_at=at,
                    officer1_id=world.bram,
                    officer2_id=world.ada,
                    outcome=VisitOutcome.COMPLETED,
                    children_present=False,
                    record_state=ApprovalState.APPROVED,
                )
            )
    return recent


def test_a_long_visits_table_splits_across_pages_with_its_header_repeated(
    db_url: str, services: Services, manager: Actor, world: World
) -> None:
    recent = _add_visits(db_url, services, world, world.percival)
    old = WORLD_TODAY - relativedelta(months=7)
    pdf = _print(services, manager, world, [world.zebedee, world.percival])
    reader, pages = _pages(pdf)
    title = _titles(services, [world.percival])[0]
    start = next(reader.get_destination_page_number(o) for o in reader.outline if o.title == title)
    section = pages[start:]
    header = "Date Outcome Officers Announced Children present Record"
    with_header = [i for i, text in enumerate(section) if header in text]
    assert len(with_header) >= 2, "the visits table should run over pages, header on each"
    text = " ".join(section)
    shown = [_shown(on) for on in recent]
    for when in shown:
        assert when in text
    assert f"{old:%d/%m/%Y}" not in text
    # every page the table runs onto has its header above its first visit row
    for i in with_header[1:]:
        page = section[i]
        first_row = min(page.find(when) for when in shown if when in page)
        assert page.index(header) < first_row


# -- the report base on its own -----------------------------------------------------------------


def _report(story: list) -> list[str]:
    info = PrintInfo("Fictional report", "Alder", "a fictional period", "Nobody Real", WORLD_NOW)
    return _pages(Report(info).render(story))[1]


@pytest.mark.parametrize("room_mm", [20, 60])
def test_a_heading_is_never_left_alone_at_the_foot_of_a_page(room_mm: int) -> None:
    """With little room left the heading and its table start the next page; with room enough the
    table starts under its heading and runs on, its header repeated."""
    filler = Spacer(1, FRAME_HEIGHT - room_mm * mm)
    rows = [[f"Fictional row {n}", "Yes"] for n in range(1, 61)]
    table = data_table(["What", "Seen"], rows, widths(4, 1))
    pages = _report([para("Opening words"), filler, headed(para("Visits heading", "h2"), table)])
    where = next(i for i, text in enumerate(pages) if "Visits heading" in text)
    assert "Fictional row 1 " in pages[where]
    assert where == (1 if room_mm < 40 else 0)
    assert all("What Seen" in text for text in pages[where:])
    assert sum(f"Fictional row {n} " in " ".join(pages) for n in range(1, 61)) == 60


# -- the report base: text as reportlab's Paragraph sets it, for less ------------------------------

WORDS = ("Fictional", "a", "Plimsoll", "Quillfeather", "visit", "(no)", "access;", "12/06/2024")


def _runs(pdf: bytes) -> list[tuple[str, float, float, str, float]]:
    """Every run of text with its place (rounded to 0.01 pt), font and size, page by page."""
    runs: list[tuple[str, float, float, str, float]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text: str, cm: list[float], tm: list[float], font: dict, size: float) -> None:
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                name = str((font or {}).get("/BaseFont", ""))
                runs.append((text.strip(), round(x, 2), round(y, 2), name, size))

        page.extract_text(visitor_text=visit)
    return runs


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=30),
    room=st.floats(min_value=60, max_value=400),
    style=st.sampled_from(["cell", "cell_head", "body", "warning"]),
)
def test_cell_text_breaks_where_a_paragraph_breaks_it(
    words: list[str], room: float, style: str
) -> None:
    text = " ".join(words)
    cell = _lines(text, style, room)
    paragraph = Paragraph(text, STYLES[style])
    paragraph.wrap(room, 10_000)
    expected = [" ".join(line[1]) for line in paragraph.blPara.lines]
    if isinstance(cell, str):
        assert cell.split("\n") == expected
        # a line squeezed to fit gives up what the Paragraph's does, spread over its spaces
        squeezed = [
            extra / (len(words) - 1) if extra < -1e-8 else 0.0
            for extra, words in paragraph.blPara.lines
        ]
        spaces = cell.word_spaces if isinstance(cell, Squeezed) else (0.0,) * len(expected)
        assert spaces == pytest.approx(squeezed, abs=1e-9)
    else:  # left to a Paragraph: a word is wider than the room
        assert any(
            text_width(w, STYLES[style].fontName, STYLES[style].fontSize) > room for w in words
        )
    unsqueezed = _lines(text, style, room, squeeze=False)  # as a centred column has it
    assert isinstance(unsqueezed, str) == (isinstance(cell, str) and not isinstance(cell, Squeezed))


def test_a_line_that_fits_only_squeezed_is_drawn_as_a_paragraph_draws_it() -> None:
    """Text a hair too wide for its column stays on its line with its spaces narrowed, as a
    Paragraph sets it: the same runs in the same places, with the same word spacing."""
    text = "Fictional Quillfeather visit"
    room = text_width(text, FONT, STYLES["cell"].fontSize) - 0.05
    col_widths = [room + 8, CONTENT_WIDTH - room - 8]
    cell = _lines(text, "cell", room)
    assert isinstance(cell, Squeezed) and cell == text and cell.word_spaces[0] < 0
    ours = _report_pdf([data_table(["Note", "Other"], [[text, "Fictional"]], col_widths)])
    theirs = _report_pdf(
        [
            Table(
                [
                    [Paragraph(h, STYLES["cell_head"]) for h in ("Note", "Other")],
                    [Paragraph(text, STYLES["cell"]), Paragraph("Fictional", STYLES["cell"])],
                ],
                colWidths=col_widths,
                hAlign="LEFT",
                style=[
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    *[
                        (side, (0, 0), (-1, -1), pad)
                        for side, pad in [
                            ("TOPPADDING", 3),
                            ("BOTTOMPADDING", 3),
                            ("LEFTPADDING", 4),
                            ("RIGHTPADDING", 4),
                        ]
                    ],
                ],
            )
        ]
    )
    assert _runs(ours) == _runs(theirs)
    assert _word_spacing(ours) == _word_spacing(theirs) == [round(cell.word_spaces[0], 4)]


def _word_spacing(pdf: bytes) -> list[float]:
    """Every word spacing other than none set on the pages (Tw), rounded to 0.0001 pt."""
    found: list[float] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        stream = page.get_contents().get_data().decode("latin-1")
        found += [round(float(v), 4) for v in re.findall(r"(-?[\d.]+) Tw", stream) if float(v)]
    return found


def test_tables_and_text_land_where_paragraphs_put_them() -> None:
    """The same story drawn with reportlab's own Paragraphs in every cell and for every line of
    text gives the same runs of text, in the same places, fonts and sizes."""
    long = " ".join(WORDS * 4)
    header = ["Date", "What happened", "Seen"]
    rows = [["12/06/2024", long, "Yes"], ["13/06/2024", "Fictional visit", "No"]]
    col_widths = widths(Fixed(25 * mm), 3, Fixed(18 * mm))
    ours = _report_pdf(
        [
            para("A fictional heading", "h2"),
            para("A note about nothing real.", "note"),
            warning("No fictional actions under this pillar"),
            para(long),
            warning(long),
            data_table(header, rows, col_widths, centre=(2,)),
            facts_table([("Offender manager", "Ada Quillfeather"), ("Notes", long)]),
        ]
    )
    centre = ParagraphStyle("c", parent=STYLES["cell"], alignment=1)
    head_centre = ParagraphStyle("hc", parent=STYLES["cell_head"], alignment=1)
    table = Table(
        [
            [
                Paragraph(h, head_centre if i == 2 else STYLES["cell_head"])
                for i, h in enumerate(header)
            ],
            *[
                [Paragraph(v, centre if i == 2 else STYLES["cell"]) for i, v in enumerate(row)]
                for row in rows
            ],
        ],
        colWidths=col_widths,
        repeatRows=1,
        hAlign="LEFT",
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            *[
                (side, (0, 0), (-1, -1), pad)
                for side, pad in [
                    ("TOPPADDING", 3),
                    ("BOTTOMPADDING", 3),
                    ("LEFTPADDING", 4),
                    ("RIGHTPADDING", 4),
                ]
            ],
        ],
    )
    facts = Table(
        [
            [Paragraph(label, STYLES["cell_head"]), Paragraph(value, STYLES["cell"])]
            for label, value in [("Offender manager", "Ada Quillfeather"), ("Notes", long)]
        ],
        colWidths=[42 * mm, CONTENT_WIDTH - 42 * mm],
        hAlign="LEFT",
        style=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ],
    )
    theirs = _report_pdf(
        [
            Paragraph("A fictional heading", STYLES["h2"]),
            Paragraph("A note about nothing real.", STYLES["note"]),
            Paragraph("No fictional actions under this pillar", STYLES["warning"]),
            Paragraph(long, STYLES["body"]),
            Paragraph(long, STYLES["warning"]),
            table,
            facts,
        ]
    )
    assert _runs(ours) == _runs(theirs)


def test_text_the_font_cannot_encode_is_drawn_as_reportlab_draws_it() -> None:
    """A letter outside Helvetica's encoding (a fictional Polish name) still prints the rest of
    the line, exactly as reportlab's own drawing does."""
    name = "Zofia Łukasiewicz-Ōtani"
    ours = _report_pdf([para(name), data_table(["Name"], [[name]], [CONTENT_WIDTH])])
    theirs = _report_pdf(
        [
            Paragraph(name, STYLES["body"]),
            Table(
                [[Paragraph("Name", STYLES["cell_head"])], [name]],
                colWidths=[CONTENT_WIDTH],
                hAlign="LEFT",
                style=[
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 9.5, 12),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ],
            ),
        ]
    )
    assert [r[0] for r in _runs(ours)] == [r[0] for r in _runs(theirs)]
    assert any("ukasiewicz" in r[0] for r in _runs(ours))


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2100, 12, 31),
        timezones=st.just(dt.UTC),
    )
)
def test_dates_read_dd_mm_yyyy_in_london_time(moment: dt.datetime) -> None:
    """Dates and moments print as dd/mm/yyyy and dd/mm/yyyy HH:MM, a moment in London time
    (British Summer Time included), whether stored with its zone or naive UTC."""
    here = moment.astimezone(LONDON)
    assert day(moment.date()) == moment.strftime("%d/%m/%Y")
    assert day(moment) == day(moment.replace(tzinfo=None)) == here.strftime("%d/%m/%Y")
    assert (
        day_time(moment) == day_time(moment.replace(tzinfo=None)) == here.strftime("%d/%m/%Y %H:%M")
    )


def _painted(pdf: bytes) -> tuple[list[tuple[float, ...]], ...]:
    """Every rectangle on every page (place and size, rounded to 0.01 pt), every straight line
    (its two ends) and every fill and stroke colour set (rounded to 0.001), read from the pages'
    drawing operators."""
    number = r"(-?(?:\d+\.?\d*|\.\d+))"
    boxes: list[tuple[float, ...]] = []
    lines: list[tuple[float, ...]] = []
    colours: set[tuple[float, ...]] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        stream = page.get_contents().get_data().decode("latin-1")
        for found in re.finditer(" ".join([number] * 4) + " re", stream):
            boxes.append(tuple(round(float(v), 2) for v in found.groups()))
        for found in re.finditer(f"{number} {number} m {number} {number} l", stream):
            lines.append(tuple(round(float(v), 2) for v in found.groups()))
        for found in re.finditer(" ".join([number] * 3) + " (?:rg|RG)", stream):
            colours.add(tuple(round(float(v), 3) for v in found.groups()))
    return sorted(boxes), sorted(lines), sorted(colours)


def test_fills_grid_and_tick_boxes_land_where_reportlab_draws_them() -> None:
    """A table's header fill, its stripes, its grid and its tick boxes are painted where
    reportlab's own Table paints them, in the same colours (they are written as a few paths,
    not a canvas call each: issue #10)."""
    questions = [f"Fictional question {i} (about nothing real)" for i in range(1, 6)]
    col_widths = widths(1, Fixed(15 * mm), Fixed(15 * mm))
    ours = _report_pdf(
        [
            data_table(
                ["Question", "Yes", "No"],
                [[q, TickBox(), TickBox()] for q in questions],
                col_widths,
                centre=(1, 2),
            )
        ]
    )
    centre = ParagraphStyle("c", parent=STYLES["cell_head"], alignment=1)
    theirs = _report_pdf(
        [
            Table(
                [
                    [Paragraph("Question", STYLES["cell_head"])]
                    + [Paragraph(h, centre) for h in ("Yes", "No")],
                    *[[Paragraph(q, STYLES["cell"]), TickBox(), TickBox()] for q in questions],
                ],
                colWidths=col_widths,
                hAlign="LEFT",
                style=[
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                    ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                    *[("BACKGROUND", (0, r), (-1, r), STRIPE_FILL) for r in range(2, 6, 2)],
                    *[
                        (side, (0, 0), (-1, -1), pad)
                        for side, pad in [
                            ("TOPPADDING", 3),
                            ("BOTTOMPADDING", 3),
                            ("LEFTPADDING", 4),
                            ("RIGHTPADDING", 4),
                        ]
                    ],
                ],
            )
        ]
    )
    our_boxes, our_lines, our_colours = _painted(ours)
    their_boxes, their_lines, their_colours = _painted(theirs)
    assert our_boxes == their_boxes
    assert len(our_boxes) == 1 + 2 + 2 * len(questions)  # header, two stripes, the tick boxes
    assert our_lines == their_lines
    grid = (len(questions) + 2) + 4  # the rules across (and above and below) and down
    page_rules = 2  # under the header and above the footer
    assert len(our_lines) == grid + page_rules
    # the plain Table also sets its cells' default black before each Paragraph, painting nothing
    assert our_colours == [c for c in their_colours if c != (0.0, 0.0, 0.0)]
    assert _runs(ours) == _runs(theirs)


def _report_pdf(story: list) -> bytes:
    info = PrintInfo("Fictional report", "Alder", "a fictional period", "Nobody Real", WORLD_NOW)
    return Report(info).render(story)
