"""The words and dates of the Scrutiny screen: which fortnight, the sample's rows, a pack's rows,
the findings' rows (DESIGN section 3, "Peer scrutiny": fortnightly, for a team).

Fortnights end on alternate Fridays, counted from Friday 05/01/2024: the screen offers the most
recent one ending today or earlier, and the ones before it. DESIGN leaves the day open; Fridays
close the working fortnight, and the service only refuses a fortnight that has not ended."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.labels import plural, risk_label
from ui.widgets.tables import Cell

if TYPE_CHECKING:
    from desktop.services.scrutiny import AdjustmentView, ItemView, PackSummary, SampleLine

FORTNIGHT_ANCHOR = dt.date(2024, 1, 5)  # a Friday: every 14 days from it a fortnight ends
FORTNIGHT = dt.timedelta(days=14)
FORTNIGHTS_OFFERED = 26  # a year of fortnights in the chooser
MUST = " (must include)"

SAMPLE_COLUMNS = ("Reference", "Offender", "Offender manager", "Risk", "In the sample because")
CHANGE_COLUMNS = ("Change", "Reference", "Offender", "Reason")
ITEM_COLUMNS = ("#", "Reference", "Offender", "Reviewed", "Tasks")
PACK_COLUMNS = ("Fortnight", "Printed", "Records", "Reviewed", "Drawn by", "Seed")


def latest_fortnight_ending(today: dt.date) -> dt.date:
    """The last day of the most recent fortnight ending today or earlier."""
    return today - dt.timedelta(days=(today - FORTNIGHT_ANCHOR).days % 14)


def fortnight_endings(today: dt.date, count: int = FORTNIGHTS_OFFERED) -> list[dt.date]:
    """The fortnights offered, newest first."""
    latest = latest_fortnight_ending(today)
    return [latest - FORTNIGHT * n for n in range(count)]


def period(ending: dt.date) -> str:
    """ "fortnight 25/05/2024 to 07/06/2024"."""
    return f"fortnight {fmt_date(ending - FORTNIGHT + dt.timedelta(days=1))} to {fmt_date(ending)}"


def pack_file_name(team: str, ending: dt.date) -> str:
    return f"scrutiny-pack-{team}-{ending.isoformat()}.pdf"


def manager_text(name: str) -> str:
    return name or "Unallocated"


def why_cell(line: SampleLine) -> Cell:
    """Must-includes say so first, in the warning colour."""
    if line.must_include:
        return Cell(f"Must include: {line.reason.removesuffix(MUST)}", "warn")
    return Cell(line.reason[:1].upper() + line.reason[1:])


def sample_row(line: SampleLine) -> list[str | Cell]:
    return [
        line.reference,
        line.name,
        manager_text(line.manager),
        risk_label(line.risk),
        why_cell(line),
    ]


def added_row(
    reference: str, name: str, manager: str, risk: str | None, reason: str
) -> list[str | Cell]:
    return [
        reference,
        name,
        manager_text(manager),
        risk_label(risk),
        Cell(f"Added by you: {reason}", "ok"),
    ]


def printed_text(summary: PackSummary) -> str:
    if summary.printed_at is None:
        return "Not printed"
    return f"{fmt_timestamp(summary.printed_at)} by {summary.printed_by}"


def pack_row(summary: PackSummary) -> list[str | Cell]:
    return [
        period(summary.fortnight_ending).removeprefix("fortnight "),
        Cell(printed_text(summary), "" if summary.printed_at else "muted"),
        str(summary.records),
        Cell(
            f"{summary.reviewed} of {summary.records}",
            "" if summary.reviewed == summary.records or summary.printed_at is None else "warn",
        ),
        summary.created_by,
        str(summary.seed),
    ]


def pack_heading(summary: PackSummary) -> str:
    return (
        f"{summary.team_name} team pack, {period(summary.fortnight_ending)}: "
        f"{plural(summary.records, 'record')}, printed {printed_text(summary)}; "
        f"{summary.reviewed} of {summary.records} reviewed."
    )


def tasks_text(item: ItemView) -> str:
    """Whom the item's action tasks went to (DESIGN: an action is a task for the manager)."""
    if not item.action_task_ids:
        return "No tasks raised"
    who = item.manager or "whoever approves the record's work"
    return f"{plural(len(item.action_task_ids), 'task')} raised for {who}"


def number(item: ItemView) -> int:
    """The record's number in the pack, as printed (positions are stored from 0)."""
    return item.position + 1


def item_row(item: ItemView) -> list[str | Cell]:
    reviewed = (
        Cell(fmt_date(item.reviewed_at), tooltip=f"Reviewed by {item.reviewer}")
        if item.reviewed_at is not None
        else Cell("Not yet", "warn")
    )
    return [
        str(number(item)),
        item.reference,
        item.name,
        reviewed,
        str(len(item.action_task_ids)) if item.action_task_ids else "",
    ]


def change_row(kind: str, reference: str, name: str, reason: str, problem: str = "") -> list[Cell]:
    tone = "alert" if problem else ""
    return [
        Cell(kind, tone),
        Cell(reference, tone),
        Cell(name, tone),
        Cell(f"{reason} — {problem}" if problem else reason, tone, problem),
    ]


def adjustment_lines(title: str, adjustments: tuple[AdjustmentView, ...]) -> list[str]:
    return [f"{title} {a.reference} {a.name}: {a.reason}" for a in adjustments]
