"""Icons from resources/icons/*.svg, loaded once each."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from resources import RESOURCES


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(RESOURCES / "icons" / f"{name}.svg"))
