"""The screens the main window offers, in navigation order, each with its keyboard shortcut and
the roles that see it.

Each screen's module is imported when the window builds it, so that signing in does not pay for
screens the officer's role does not show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.context import AppContext

EVERYONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ScreenSpec:
    """One screen the main window offers: its title, shortcut and icon, the roles that see it, and
    `build`, which imports the screen's module only when the window makes it."""

    key: str  # remembered in the settings as the last screen
    title: str
    shortcut: str
    icon: str
    build: Callable[[AppContext], QWidget]
    roles: frozenset[str] = EVERYONE  # db.enums.Role values; empty: every role

    def shown_to(self, role: str) -> bool:
        return not self.roles or role in self.roles


def _caseload(ctx: AppContext) -> QWidget:
    from ui.caseload.screen import CaseloadScreen

    return CaseloadScreen(ctx)


def _visits(ctx: AppContext) -> QWidget:
    from ui.visits.screen import VisitsScreen

    return VisitsScreen(ctx)


def _inbox(ctx: AppContext) -> QWidget:
    from ui.inbox.screen import InboxScreen

    return InboxScreen(ctx)


def _team(ctx: AppContext) -> QWidget:
    from ui.team.screen import TeamScreen

    return TeamScreen(ctx)


def _safeguarding(ctx: AppContext) -> QWidget:
    from ui.safeguarding.screen import SafeguardingScreen

    return SafeguardingScreen(ctx)


def _scrutiny(ctx: AppContext) -> QWidget:
    from ui.scrutiny.screen import ScrutinyScreen

    return ScrutinyScreen(ctx)


def _dashboard(ctx: AppContext) -> QWidget:
    from ui.dashboard.screen import DashboardScreen

    return DashboardScreen(ctx)


def _daily(ctx: AppContext) -> QWidget:
    from ui.daily.screen import DailyScreen

    return DailyScreen(ctx)


MANAGEMENT = frozenset({"sergeant", "team_manager"})

SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec("caseload", "Caseload", "Ctrl+1", "caseload", _caseload),
    ScreenSpec("visits", "Visits", "Ctrl+2", "visits", _visits),
    ScreenSpec("inbox", "Inbox", "Ctrl+3", "inbox", _inbox),
    ScreenSpec(
        "team",
        "Team",
        "Ctrl+4",
        "team",
        _team,
        roles=frozenset({"sergeant", "team_manager", "administrator"}),
    ),
    ScreenSpec(
        "safeguarding",
        "Safeguarding",
        "Ctrl+5",
        "safeguarding",
        _safeguarding,
        roles=frozenset({"offender_manager", "sergeant", "team_manager"}),
    ),
    ScreenSpec(
        "scrutiny", "Scrutiny", "Ctrl+6", "scrutiny", _scrutiny, roles=frozenset({"team_manager"})
    ),
    ScreenSpec("dashboard", "Dashboard", "Ctrl+7", "dashboard", _dashboard, roles=MANAGEMENT),
    ScreenSpec("daily", "Daily sheet", "Ctrl+8", "daily", _daily, roles=MANAGEMENT),
)
