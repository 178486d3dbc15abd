"""The monthly performance dashboard (DESIGN section 3, "Management views"; issue #8 item 4).

Per team and per offender manager, for one calendar month: caseload against the benchmark,
visits due / done on time / overdue, ARMS and plan currency, approval and hub backlogs with
their age, PPN timeliness, notification breaches, and scrutiny findings over time. Every figure
can be traced to the records behind it (`trace`).

Who may read it: team managers (any team, and the force), sergeants (their own team only; the
force row is not theirs). Offender managers, hub officers and administrators are refused.
`actor=None` is the command line (`pillars dashboard`), which runs with the database's own
credentials and sees the whole force.

CONTRACT: signatures and dataclasses are fixed (screens and the command build against them);
the bodies are being written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.services.actor import Actor

if TYPE_CHECKING:
    from desktop.services.core import Services

Value = int | float | None  # None: nothing to measure (a percentage of nothing)


@dataclass(frozen=True)
class Metric:
    key: str  # stable: stored nowhere, but tests, the PDF and the screen use it
    label: str  # a short column heading, e.g. "Visits overdue"
    unit: str  # "" a count, "%" a percentage, "days" an age in working days
    # One sentence: what is counted, as of when (the screen's tooltip, the PDF's notes).
    explains: str
    higher_is_worse: bool = False  # caseload over benchmark, backlogs, breaches, overdue


@dataclass(frozen=True)
class DashboardRow:
    team_id: int | None  # None: the force row
    officer_id: int | None  # None: a team or the force row
    name: str  # the team's name, the officer's display name, or "Force"
    values: Mapping[str, Value]  # Metric.key -> value, every metric present


@dataclass(frozen=True)
class FindingsMonth:
    """Scrutiny findings entered in one month, for one team (or the force: team_id None)."""

    month: dt.date  # the month's first day
    team_id: int | None
    reviewed: int  # records whose findings were entered that month
    answers: Mapping[str, int]  # scrutiny.ANSWERS key ("yes", "partly", "no", ...) -> count
    actions_raised: int  # SCRUTINY_ACTION tasks created that month
    actions_open: int  # of those, still open on the dashboard's as_of day


@dataclass(frozen=True)
class Dashboard:
    month: dt.date  # the month's first day
    as_of: dt.date  # the month's last day, or today while the month is still running
    benchmark: int  # caseload benchmark (policy caseload_benchmark, 50)
    metrics: tuple[Metric, ...]  # in the order shown
    force: DashboardRow | None  # None for a sergeant
    teams: tuple[DashboardRow, ...]  # by team name
    managers: tuple[DashboardRow, ...]  # offender managers, by team name then name
    # The 12 months ending with `month`, oldest first; per team and for the force.
    findings: tuple[FindingsMonth, ...]
    made_at: dt.datetime  # UTC
    made_by: str  # the actor's display name, or "pillars dashboard (command line)"


@dataclass(frozen=True)
class TraceLine:
    """One record behind a figure."""

    offender_id: int | None  # None when the thing counted has no offender
    reference: str
    name: str
    team: str
    manager: str  # "" when unallocated
    when: dt.date | None  # the date that put it in the figure (due day, raised day, ...)
    detail: str  # one sentence: why it counts, e.g. "Home visit due 03/11/2026, done 05/11/2026"
    counted: bool = True  # for a percentage: in the numerator (False: only in the denominator)


class DashboardService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def build(
        self, actor: Actor | None, month: dt.date, *, team_id: int | None = None
    ) -> Dashboard:
        """The dashboard for the month holding `month` (any day of it; not a future month).
        `team_id` narrows it to one team (its row and its managers); a sergeant always gets
        their own team."""
        raise NotImplementedError

    def trace(
        self,
        actor: Actor | None,
        month: dt.date,
        metric: str,
        *,
        team_id: int | None = None,
        officer_id: int | None = None,
    ) -> list[TraceLine]:
        """The records behind one figure: the force's (no team, no officer), a team's, or an
        offender manager's. For a count, len(lines) equals the figure; for a percentage, the
        counted lines over all lines; for an age, the lines are the items aged."""
        raise NotImplementedError

    def pdf(self, actor: Actor | None, month: dt.date, *, team_id: int | None = None) -> bytes:
        """The dashboard as a PDF (desktop.reports.dashboard); printing is audited."""
        raise NotImplementedError
