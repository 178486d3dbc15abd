"""Files loaded at run time: icons, the stylesheet."""

from pathlib import Path

RESOURCES = Path(__file__).parent
