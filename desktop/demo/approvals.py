"""The approval backlog: the inspection's 993 records waiting for a sergeant.

Every record submitted in the last two days is still waiting (nobody could have approved it yet);
the rest are drawn from what was submitted in the last two months, weighted so that more than half
belong to sergeants who are away today, which is how the backlog grew.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from desktop.demo.dates import add_working_days
from desktop.demo.world import Case, Row, World
from desktop.rules.policy_defaults import DEFAULTS

ABSENT_SHARE = 0.52
DUE_WORKING_DAYS = int(DEFAULTS["approval_due_working_days"])
SUBJECTS = {
    "visit_approval": ("visit", "Approve visit record"),
    "assessment_approval": ("risk_assessment", "Approve ARMS assessment"),
    "plan_approval": ("risk_management_plan", "Approve risk management plan"),
}

Candidate = tuple[str, Row, Case]


def build_approvals(world: World, progress: Callable[[str], None]) -> None:
    rng, now = world.rng, world.now
    since, fresh = now - dt.timedelta(days=60), now - dt.timedelta(days=2)
    candidates: list[Candidate] = []
    for case in world.cases:
        for visit in case.visits:
            if visit["outcome"] in ("completed", "no_access", "refused_entry") and (
                visit["submitted_at"] >= since
            ):
                candidates.append(("visit_approval", visit, case))
        if case.arms and case.arms[-1]["submitted_at"] >= since:
            candidates.append(("assessment_approval", case.arms[-1], case))
        if case.plans and case.plans[-1]["submitted_at"] >= since:
            candidates.append(("plan_approval", case.plans[-1], case))

    total = world.scale.approvals
    away = {
        m.id for m in world.officers.values() if m.role == "sergeant" and not m.on_duty(world.on)
    }
    forced = [c for c in candidates if c[1]["submitted_at"] >= fresh]
    rest = [c for c in candidates if c[1]["submitted_at"] < fresh]
    owned_by_away = [c for c in rest if c[2].om.supervisor_id in away]
    others = [c for c in rest if c[2].om.supervisor_id not in away]
    assert len(forced) <= total, "more fresh submissions than the backlog holds"
    chosen = list(forced)
    already = sum(1 for c in forced if c[2].om.supervisor_id in away)
    want_away = max(0, math.ceil(total * ABSENT_SHARE) - already)
    want_away = min(want_away, len(owned_by_away), total - len(chosen))
    chosen += rng.sample(owned_by_away, want_away)
    remaining = total - len(chosen)
    if remaining > len(others):
        taken = {id(c[1]) for c in chosen}
        spare = [c for c in owned_by_away if id(c[1]) not in taken]
        chosen += others + rng.sample(spare, remaining - len(others))
    else:
        chosen += rng.sample(others, remaining)
    assert len(chosen) == total, f"only {len(chosen)} records could wait for approval"

    for kind, row, case in chosen:
        _await(world, kind, row, case)
    progress("approval tasks")


def _await(world: World, kind: str, row: Row, case: Case) -> None:
    """Put `row` back to submitted, undecided, with an open task for the sergeant."""
    row["decided_by_id"] = None
    row["decided_at"] = None
    row["decided_as_cover_for_id"] = None
    if kind == "visit_approval":
        row["record_state"] = "submitted"
    else:
        row["state"] = "submitted"
    if kind == "plan_approval" and len(case.plans) > 1:
        case.plans[-2]["state"] = "approved"  # still the plan in force until this one is
    subject_type, verb = SUBJECTS[kind]
    what = f"{verb} v{row['plan_number']}" if kind == "plan_approval" else verb
    created = row["submitted_at"]
    world.add_task(
        kind=kind,
        offender_id=case.row["id"],
        owner_id=case.om.supervisor_id,
        team_id=case.team.id,
        subject_type=subject_type,
        subject_id=row["id"],
        title=f"{what}: {case.label}",
        created_at=created,
        due_on=add_working_days(created.date(), DUE_WORKING_DAYS),
    )
