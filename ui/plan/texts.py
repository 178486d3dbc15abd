"""The words the plan editor shows about a version: which one it is and what state it is in, a
plan as plain text (what was typed, kept on screen after a conflict), and one action in a line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.labels import action_status_label, pillar_label

if TYPE_CHECKING:
    from desktop.services.plans import PlanDraftView, PlanEdit, PlanEditorData


def version_status(view: PlanDraftView, data: PlanEditorData, *, editing: bool) -> str:
    """One or two sentences: which version this is, its state, and what is in force."""
    number = f"Version {view.plan_number}"
    current = data.current
    in_force = (
        f" The approved version {current.plan_number} stays in force until this one is approved."
        if current is not None and current.plan_id != view.plan_id
        else ""
    )
    if view.state == "approved":
        by = f" by {view.decided_by}" if view.decided_by else ""
        when = f" on {fmt_date(view.decided_at)}" if view.decided_at else ""
        return f"{number}: APPROVED{by}{when}, in force. Approved versions cannot be changed" + (
            "; start a new draft to change the plan." if data.can_edit else "."
        )
    if view.state == "superseded":
        return f"{number}: superseded by a later approved version (kept as it was approved)."
    if view.state == "submitted":
        when = f" on {fmt_timestamp(view.submitted_at)}" if view.submitted_at else ""
        return (
            f"{number}: submitted{when}, awaiting a sergeant's approval; it cannot be changed "
            f"meanwhile.{in_force}"
        )
    author = f" by {view.author}" if view.author else ""
    if view.state == "returned":
        by = f" by {view.decided_by}" if view.decided_by else ""
        return (
            f"{number}: RETURNED{by}. Change what the sergeant asks, then submit it again."
            + in_force
        )
    what = "being written" if editing else "a draft, not yet submitted"
    return f"{number}: DRAFT, {what}{author}.{in_force}"


def action_line(action: Any, owner: str, factor: str) -> str:
    """An action in one line: description — owner, due date, status, the factor it answers."""
    due = action.due_on if isinstance(action.due_on, str) else fmt_date(action.due_on)
    parts = [
        f"owner {owner}" if owner else "no owner",
        f"due {due}" if due else "no due date",
        action_status_label(action.status),
        f"answers {factor}" if factor else "answers no factor",
    ]
    return f"{action.description.strip() or '(no description)'} — {', '.join(parts)}"


def edit_as_text(edit: PlanEdit, owner_name: Any, factor_label: Any) -> str:
    """The plan as typed, for the person to copy back after reloading someone else's save."""
    lines = [
        f"Contingency: {edit.contingency.strip() or '(blank)'}",
        f"Licence conditions and orders: {edit.licence_conditions.strip() or '(blank)'}",
        f"Review by: {edit.review_on.strip() or '(blank)'}",
    ]
    for a in edit.actions:
        line = action_line(a, owner_name(a.owner), factor_label(a.answers_factor))
        lines.append(f"{pillar_label(a.pillar)}: {line}")
    return "\n".join(lines)
