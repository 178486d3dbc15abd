"""Placeholder while the caseload service is written (next commit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.services.core import Services


class CaseloadService:
    def __init__(self, services: Services) -> None:
        self._services = services
