"""The daily team management meeting sheet (DESIGN section 3, "Management views"; issue #8 item 5).

For one day and one team (or the force): releases today and in the next 7 days (and releases
whose date has passed with the release not recorded), departures abroad in the next 7 days, new
convictions not yet visited, overdue visits, overdue approvals, and PPNs not submitted.

Who may read it: team managers (any team, or the force) and sergeants (their own team).
Offender managers, hub officers and administrators are refused. `actor=None` is the command line
(`pillars daily`), which runs with the database's own credentials and sees the whole force.

CONTRACT: signatures and dataclasses are fixed (screens and the command build against them);
the bodies are being written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.services.actor import Actor

if TYPE_CHECKING:
    from desktop.services.core import Services

LOOK_AHEAD_DAYS = 7


@dataclass(frozen=True)
class DailyLine:
    offender_id: int | None
    reference: str
    name: str
    team: str
    manager: str  # "" when unallocated
    when: dt.date | dt.datetime | None  # the date the line is about (release day, due day, ...)
    detail: str  # one sentence a meeting reads aloud
    late: bool = False  # past its date: shown first and marked


@dataclass(frozen=True)
class DailySection:
    key: str  # "releases", "departures", "new_convictions", "overdue_visits",
    # "overdue_approvals", "ppns_not_submitted"
    title: str
    lines: tuple[DailyLine, ...]  # late first, then by date
    empty_text: str  # what the sheet says when there is nothing, e.g. "No releases due."


@dataclass(frozen=True)
class DailySheet:
    on: dt.date
    team_id: int | None  # None: the whole force
    team_name: str  # "All teams" for the force
    sections: tuple[DailySection, ...]  # in the order above
    made_at: dt.datetime  # UTC
    made_by: str  # the actor's display name, or "pillars daily (command line)"


class DailyService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def sheet(
        self, actor: Actor | None, on: dt.date | None = None, *, team_id: int | None = None
    ) -> DailySheet:
        """The sheet for `on` (default today). A sergeant always gets their own team; a team
        manager the team asked for, or the force."""
        raise NotImplementedError

    def pdf(
        self, actor: Actor | None, on: dt.date | None = None, *, team_id: int | None = None
    ) -> bytes:
        """The sheet as a PDF (desktop.reports.daily)."""
        raise NotImplementedError
