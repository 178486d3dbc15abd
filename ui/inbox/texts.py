"""Words for what the inbox service returns: groups, ages, due dates and claims, each colour
paired with a word (DESIGN section 3: overdue tasks escalate; a task being worked is claimed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ui.widgets.dates import fmt_date, to_london
from ui.widgets.labels import plural

if TYPE_CHECKING:
    from desktop.services.inbox import BacklogLine, InboxItem

APPROVAL, HUB, FOLLOW_UP, ESCALATION = "approval", "hub", "follow_up", "escalation"
GROUP_TITLES = {
    APPROVAL: "&Approvals",
    HUB: "&Hub",
    FOLLOW_UP: "&Follow-ups",
    ESCALATION: "&Escalation",
}
EMPTY_GROUP = {
    APPROVAL: "No approvals waiting for you today.",
    HUB: "No notifications waiting for the hub today.",
    FOLLOW_UP: "No follow-ups for you today.",
    ESCALATION: "No overdue approvals in your teams today, and none without cover.",
}
# The groups each role works; a group with tasks in it shows whatever the role.
ROLE_GROUPS: dict[str, tuple[str, ...]] = {
    "offender_manager": (FOLLOW_UP,),
    "sergeant": (APPROVAL, FOLLOW_UP),
    "team_manager": (APPROVAL, FOLLOW_UP, ESCALATION),
    "hub_officer": (HUB,),
}
UNROUTED = "Nobody can cover these today"


def group_title(group: str, count: int) -> str:
    return f"{GROUP_TITLES.get(group, group)} ({count})"


def age_text(days: int) -> str:
    return "Raised today" if days <= 0 else plural(days, "working day")


def due_text(item: InboxItem, today: dt.date) -> tuple[str, str]:
    """The due date with, when overdue, how late in words; and its tone."""
    due = fmt_date(item.due_on)
    if item.overdue:
        late = f"by {plural(item.overdue_days, 'working day')}" if item.overdue_days else ""
        return f"{due} · Overdue {late}".rstrip(), "alert"
    if item.due_on == today:
        return f"{due} · Due today", "warn"
    return due, ""


def clock(value: dt.datetime | None) -> str:
    return to_london(value).strftime("%H:%M") if value is not None else ""


def claimed_text(name: str, since: dt.datetime | None) -> str:
    when = f" since {clock(since)}" if since is not None else ""
    return f"Being worked on by {name}{when}"


def state_text(item: InboxItem) -> tuple[str, str]:
    """Open, "Claimed by you" or "Being worked on by X", and its tone."""
    if item.claimed_by_me:
        return "Claimed by you", "ok"
    if item.claimed_by_other:
        return f"Being worked on by {item.claimed_by}", "warn"
    return "Open", ""


def offender_text(item: InboxItem) -> str:
    if not item.reference:
        return item.offender_name or "Not yet on Pillars"
    return f"{item.reference} {item.offender_name}".strip()


def backlog_text(lines: Sequence[BacklogLine]) -> str:
    """Open and overdue approvals per owner, the absent ones marked."""
    if not lines:
        return ""
    parts = []
    for line in lines:
        who = f"{line.owner} (absent)" if line.absent else line.owner
        overdue = f"{line.overdue} overdue" if line.overdue else "none overdue"
        parts.append(f"{who}: {line.open} open, {overdue}")
    return "Approvals backlog: " + "; ".join(parts) + "."
