"""Policy values in force: the `policy` table's value for a key, else the default.

The defaults live in `desktop.rules.policy_defaults`; an administrator's value in the table wins.
A dictionary value is merged over its default key by key, so a force that changes only one visit
cadence still has the other three.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Policy
from desktop.rules.policy_defaults import DEFAULTS


def policy_value(session: Session, key: str) -> Any:
    """The value in force for `key`. Raises KeyError for a key that has no default either."""
    default = DEFAULTS.get(key)
    stored = session.scalar(select(Policy.value).where(Policy.key == key))
    if stored is None:
        if key not in DEFAULTS:
            raise KeyError(f"no policy value or default for {key!r}")
        return copy.deepcopy(default)
    if isinstance(default, dict) and isinstance(stored, dict):
        merged = copy.deepcopy(default)
        merged.update(stored)
        return merged
    return stored


def policy_int(session: Session, key: str) -> int:
    """An integer policy value; a stored value that is not a whole number falls back to the
    default rather than breaking sign-in or the caseload."""
    value = policy_value(session, key)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = int(DEFAULTS[key])
    return number


def visit_cadence_months(session: Session) -> dict[str, int]:
    """Months between home visits by risk level (RiskLevel values as keys)."""
    raw = policy_value(session, "visit_cadence_months")
    defaults = DEFAULTS["visit_cadence_months"]
    cadence: dict[str, int] = {}
    for level, months in defaults.items():
        try:
            cadence[level] = max(1, int(raw.get(level, months)))
        except (TypeError, ValueError):
            cadence[level] = months
    return cadence
