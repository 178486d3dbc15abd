"""The screens the main window offers, in navigation order, each with its keyboard shortcut.
Later issues add Inbox, Safeguarding, Scrutiny, Dashboard and Team here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.caseload.screen import CaseloadScreen
from ui.context import AppContext
from ui.visits.screen import VisitsScreen


@dataclass(frozen=True)
class ScreenSpec:
    key: str  # remembered in the settings as the last screen
    title: str
    shortcut: str
    icon: str
    build: Callable[[AppContext], QWidget]


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec("caseload", "Caseload", "Ctrl+1", "caseload", CaseloadScreen),
    ScreenSpec("visits", "Visits", "Ctrl+2", "visits", VisitsScreen),
)
