"""Placeholder while the record service is written (a later commit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.services.core import Services


class RecordService:
    def __init__(self, services: Services) -> None:
        self._services = services
