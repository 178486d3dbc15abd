"""The dashboard's words and numbers as a team manager reads them (DESIGN section 3, "Management
views"; issue #8 item 4): months by name, figures with their unit ("87%", "3 days"), the mark on
a figure worse than its benchmark or target, and the records behind a figure as table rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ui.widgets.dates import fmt_date
from ui.widgets.labels import plural
from ui.widgets.tables import Cell

if TYPE_CHECKING:
    from desktop.services.dashboard import DashboardRow, Metric, TraceLine, Value

CASELOAD = "caseload"  # the metric measured against the benchmark (policy caseload_benchmark)
NOTHING = "—"  # a percentage of nothing
WORSE = "▲"  # before a figure over the benchmark, overdue or late
TRACE_COLUMNS = ("Reference", "Name", "Team", "Offender manager", "Date", "Detail")
COUNTED_COLUMN = "Counted"


# -- months ----------------------------------------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before) the month holding `month`."""
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_label(month: dt.date) -> str:
    """ "June 2024"."""
    return f"{month:%B %Y}"


def short_month(month: dt.date) -> str:
    """ "Jun", for a chart's axis: twelve of them fit side by side (the axis title has the
    years)."""
    return f"{month:%b}"


# -- figures ---------------------------------------------------------------------------------------


def _number(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value)}"


def figure(metric: Metric, value: Value) -> str:
    """A figure with its unit: "12", "87%", "1 day", "4.5 days"; "—" when nothing to measure."""
    if value is None:
        return NOTHING
    if metric.unit == "%":
        return f"{value:.0f}%"
    if metric.unit == "days":
        return f"{_number(value)} day{'' if value == 1 else 's'}"
    return _number(value)


def worse(metric: Metric, value: Value, benchmark: int, *, manager: bool = True) -> str:
    """Why a figure is marked, or "" when it is not: `desktop.services.dashboard.mark`, the one
    rule the screen and the printed dashboard both use."""
    from desktop.services.dashboard import mark

    return mark(metric.key, value, benchmark, manager=manager)


def marked(metric: Metric, value: Value, benchmark: int, *, manager: bool = True) -> str:
    """The figure as shown in a table: with a sign before it when it is marked (the sign and
    bold type say it, not colour alone)."""
    text = figure(metric, value)
    return f"{WORSE} {text}" if worse(metric, value, benchmark, manager=manager) else text


def sort_key(value: Value) -> tuple[int, float]:
    """Figures in order, nothing-to-measure last."""
    return (1, 0.0) if value is None else (0, float(value))


def heading(label: str, width: int = 7) -> str:
    """A column heading over as many lines as keep it about `width` characters wide, so that
    eighteen figures fit across the screen."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


# -- where a figure comes from ---------------------------------------------------------------------


def scope_words(row: DashboardRow) -> str:
    """ "the force", "Alder team", "Ada Lovelace"."""
    if row.team_id is None and row.officer_id is None:
        return "the force"
    if row.officer_id is None:
        return f"{row.name} team"
    return row.name


def trace_title(metric: Metric, row: DashboardRow, month: dt.date, value: Value) -> str:
    """What the records pane shows: "Visits overdue, Alder team, June 2024: 3"."""
    return f"{metric.label}, {scope_words(row)}, {month_label(month)}: {figure(metric, value)}"


def trace_summary(metric: Metric, lines: Sequence[TraceLine]) -> str:
    """How the records make the figure: for a percentage, counted over all."""
    if not lines:
        return "No records behind this figure."
    if metric.unit == "%":
        counted = sum(1 for line in lines if line.counted)
        return (
            f"{counted} of {plural(len(lines), 'record')} counted "
            f"({figure(metric, 100 * counted / len(lines))})."
        )
    return f"{plural(len(lines), 'record')} behind this figure."


def trace_columns(metric: Metric) -> tuple[str, ...]:
    return (*TRACE_COLUMNS, COUNTED_COLUMN) if metric.unit == "%" else TRACE_COLUMNS


def trace_row(metric: Metric, line: TraceLine) -> list[str | Cell]:
    row: list[str | Cell] = [
        line.reference,
        line.name,
        line.team,
        line.manager or Cell("Unallocated", "muted"),
        fmt_date(line.when, NOTHING),
        Cell(line.detail, tooltip=line.detail),
    ]
    if metric.unit == "%":
        row.append(Cell("Counted") if line.counted else Cell("Not counted", "muted"))
    return row
