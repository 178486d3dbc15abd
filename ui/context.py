"""The application context every window receives: no globals.

It holds the services (once the database is open), the signed-in officer, the settings and the
background runner. Tests build one with their own settings file and services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from ui.background import BackgroundRunner

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.core import Services

DEFAULT_IDLE_LOCK_MINUTES = 15


@dataclass
class AppContext:
    """What every window receives instead of globals (see the module's notes): the settings and the
    runner from the start, the services once the database is open, the officer once signed in."""

    settings: QSettings
    runner: BackgroundRunner
    url: str = ""
    services: Services | None = None
    actor: Actor | None = None
    # Milliseconds of no keyboard or mouse input before the window locks; from policy at sign-in.
    idle_lock_ms: int = DEFAULT_IDLE_LOCK_MINUTES * 60_000

    @property
    def svc(self) -> Services:
        if self.services is None:
            raise RuntimeError("the database is not open yet")
        return self.services

    @property
    def officer(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("nobody is signed in")
        return self.actor

    @property
    def location(self) -> str:
        return self.services.location if self.services is not None else self.url

    def close(self) -> None:
        """Wait for running work, then let go of the database."""
        self.runner.shutdown()
        if self.services is not None:
            self.services.close()
            self.services = None
