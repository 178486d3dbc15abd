"""The daily meeting sheet as a PDF (issue #8 item 5; DESIGN section 3, "Management views").

The sheet a team's morning meeting works through: a title naming the day, a line of counts, then
one headed section per `DailySection` in the sheet's order, its lines as a table (late lines
first, marked "LATE" in words as well as in colour, so the mark survives a black-and-white
printer), or the section's empty text. Every page carries the marking, "Page x of y", the team,
the day and who printed it when (`desktop.reports.base.Report`).

The caller (`DailyService.pdf`) has checked the reader's permission, built the sheet and audits
the printing; this module only draws.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from desktop.reports.base import (
    BOLD,
    DATE,
    STYLES,
    WARNING_INK,
    Cell,
    Fixed,
    PrintInfo,
    Report,
    data_table,
    day,
    day_time,
    headed,
    para,
    warning,
    widths,
)
from desktop.services.daily import LOOK_AHEAD_DAYS, WHEN_LABELS, DailySection, DailySheet

TITLE = "Daily meeting sheet"
LATE = "LATE"
COLUMNS = widths(Fixed(14 * mm), DATE, 1.35, 1.05, 2.8)


def sheet_title(on: dt.date) -> str:
    """ "Daily meeting sheet: Sunday 22/11/2026"."""
    return f"{TITLE}: {on:%A} {day(on)}"


def build_daily_pdf(sheet: DailySheet) -> bytes:
    """The sheet as PDF bytes, A4."""
    title = sheet_title(sheet.on)
    info = PrintInfo(
        title=title,
        team=sheet.team_name or "All teams",
        period=f"{sheet.on:%A} {day(sheet.on)}",
        printed_by=sheet.made_by,
        printed_at=sheet.made_at,
    )
    story: list[Flowable] = [para(title, "title"), para(_scope_line(sheet), "note")]
    late = sum(1 for s in sheet.sections for line in s.lines if line.late)
    if late:
        story.append(
            warning(
                f"{late} {'line is' if late == 1 else 'lines are'} LATE: past their "
                "date. They are listed first in each section."
            )
        )
    story.append(Spacer(0, 2 * mm))
    story.append(para(" \u00b7 ".join(f"{s.title}: {len(s.lines)}" for s in sheet.sections)))
    for section in sheet.sections:
        story.append(_section(section, force=sheet.team_id is None))
    return Report(info).render(story)


def _scope_line(sheet: DailySheet) -> str:
    whose = "every team" if sheet.team_id is None else f"team {sheet.team_name}"
    return (
        f"For {whose}: releases and departures abroad from {day(sheet.on)} to "
        f"{day(sheet.on + dt.timedelta(days=LOOK_AHEAD_DAYS))}, new convictions not yet "
        "visited, overdue home visits and approvals, and PPNs not submitted, as they stood when "
        "printed."
    )


def _section(section: DailySection, *, force: bool) -> Flowable:
    """A heading with the count, then the lines (a team's sheet leaves out the team, which is
    the same on every line), or the empty text."""
    heading = para(f"{section.title} ({len(section.lines)})", "h2")
    if not section.lines:
        return headed(heading, para(section.empty_text, "note"))
    header = (
        "",
        WHEN_LABELS.get(section.key, "Date"),
        "Offender",
        "Team and manager" if force else "Manager",
        "What to know",
    )
    rows: list[list[Cell]] = [
        [
            _late() if line.late else "",
            _when(line.when),
            f"{line.reference}\n{line.name}" if line.reference else line.name,
            (f"{line.team}\n" if force else "") + (line.manager or "Unallocated"),
            line.detail,
        ]
        for line in section.lines
    ]
    return headed(heading, data_table(header, rows, COLUMNS))


_LATE_STYLE = ParagraphStyle("late", parent=STYLES["cell"], fontName=BOLD, textColor=WARNING_INK)


def _late() -> Paragraph:
    """The mark of a late line: the word, in bold and in the warning colour."""
    return Paragraph(LATE, _LATE_STYLE)


def _when(value: dt.date | dt.datetime | None) -> str:
    if isinstance(value, dt.datetime):
        return day_time(value).replace(" ", "\n", 1)
    return day(value)
