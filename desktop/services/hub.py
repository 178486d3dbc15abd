"""Placeholder: filled in by the #6 work."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.services.core import Services


class HubService:
    def __init__(self, services: Services) -> None:
        self._services = services
