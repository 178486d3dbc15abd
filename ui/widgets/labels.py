"""Words for the stored values: screens never show `very_high` or `offender_manager`."""

from __future__ import annotations

from desktop.rules.plan_gaps import PILLARS as _PILLARS

RISK_LABELS = {"very_high": "Very high", "high": "High", "medium": "Medium", "low": "Low"}
RISK_ORDER = {"very_high": 4, "high": 3, "medium": 2, "low": 1}

STATUS_LABELS = {
    "community": "Community",
    "custody": "In custody",
    "hospital": "In hospital",
    "abroad": "Abroad",
}

ROLE_LABELS = {
    "offender_manager": "Offender manager",
    "sergeant": "Sergeant",
    "hub_officer": "Hub officer",
    "team_manager": "Team manager",
    "administrator": "Administrator",
}

MAPPA_CATEGORIES = {1: "RSO", 2: "Violent", 3: "Other dangerous", 4: "Terrorist"}


def risk_label(level: str | None) -> str:
    return RISK_LABELS.get(level or "", "Not assessed")


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", humanise(status))


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", humanise(role))


def mappa_label(
    category: int | None, level: int | None, *, short: bool = False, long: bool = False
) -> str:
    """`Cat 1 / Level 2`; short: `C1 / L2` (a table cell); long: `Category 1 (RSO), level 2`."""
    if category is None and level is None:
        return "—"
    if short:
        return (
            f"C{category if category is not None else '?'} / L{level if level is not None else '?'}"
        )
    if long:
        kind = MAPPA_CATEGORIES.get(category or 0, "")
        kind = f" ({kind})" if kind else ""
        return f"MAPPA category {category}{kind}, level {level}"
    cat = f"Cat {category}" if category is not None else "Cat ?"
    lvl = f"Level {level}" if level is not None else "Level ?"
    return f"{cat} / {lvl}"


def humanise(value: object) -> str:
    """`no_access` → `No access`; None → ``."""
    if value is None:
        return ""
    text = str(getattr(value, "value", value)).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


# The four pillars in their order (the rule module holds the one list).
PILLAR_LABELS: dict[str, str] = dict(_PILLARS)

ACTION_STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "cancelled": "Cancelled",
}

# A finding's severity as a word and the tone that goes with it.
SEVERITY = {"high": ("High", "alert"), "medium": ("Medium", "warn"), "low": ("Low", "muted")}

APPROVAL_STATE_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted, awaiting approval",
    "approved": "Approved",
    "returned": "Returned",
    "superseded": "Superseded",
}


def pillar_label(pillar: str | None) -> str:
    return PILLAR_LABELS.get(pillar or "", humanise(pillar))


def action_status_label(status: str | None) -> str:
    return ACTION_STATUS_LABELS.get(status or "", humanise(status))


def approval_state_label(state: str | None) -> str:
    return APPROVAL_STATE_LABELS.get(state or "", humanise(state))
