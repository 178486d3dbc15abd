"""Risk: yearly ARMS assessments with their factors, one RM2000 each, and risk management plans
with actions under the four pillars.

About one current plan in ten is left with a gap (a pillar without an action, or a present risk
factor nothing answers) so the record-quality checks have something true to find.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from desktop.demo.dates import DAY, add_months
from desktop.demo.names import (
    AGENCIES,
    CONTINGENCIES,
    EVIDENCE_ABSENT,
    EVIDENCE_PRESENT,
    EVIDENCE_PROTECTIVE,
    FACTOR_ACTIONS,
    LICENCE_CONDITIONS,
    PILLAR_ACTIONS,
)
from desktop.demo.world import Case, Row, World
from desktop.rules.policy_defaults import ARMS_PROTECTIVE_FACTORS, ARMS_RISK_FACTORS

LEVELS = ("low", "medium", "high", "very_high")
RISK_PRESENT = {"low": 0.12, "medium": 0.3, "high": 0.5, "very_high": 0.7}
PROTECTIVE_PRESENT = {"low": 0.75, "medium": 0.55, "high": 0.35, "very_high": 0.2}
# RM2000 combined score ranges for each category (1 low, 2-3 medium, 4-5 high, 6+ very high)
RM2000_SCORES = {"low": (1, 1), "medium": (2, 3), "high": (4, 5), "very_high": (6, 8)}
PILLARS = ("supervision", "monitoring_control", "interventions_treatment", "victim_safety")


def build_risk(world: World, progress: Callable[[str], None]) -> None:
    for case in world.cases:
        if case.new_conviction:
            continue
        _arms(world, case)
        _rm2000(world, case)
    progress("risk assessments")
    for case in world.cases:
        if case.arms:
            _plans(world, case)
    progress("risk management plans")


def _arms(world: World, case: Case) -> None:
    rng, on = world.rng, world.on
    first_possible = case.convicted_on + DAY * 20
    if rng.random() < 0.04:
        latest = on - DAY * rng.randint(366, 470)
    else:
        latest = on - DAY * rng.randint(5, 360)
    latest = min(max(latest, first_possible), on - DAY)
    dates = [latest]
    while True:
        earlier = dates[-1] - DAY * (365 + rng.randint(-25, 15))
        if earlier < max(first_possible, world.window_start - DAY * 30):
            break
        dates.append(earlier)
    dates.reverse()

    levels = [case.level]
    for _ in dates[1:]:
        previous = levels[-1]
        if case.reactive_since is None and rng.random() < 0.25:
            i = LEVELS.index(previous) + rng.choice((-1, 1))
            previous = LEVELS[min(max(i, 0), 3)]
        levels.append(previous)
    levels.reverse()

    for assessed, level in zip(dates, levels, strict=True):
        row = world.rows.add(
            "risk_assessment",
            offender_id=case.row["id"],
            kind="arms",
            assessed_on=assessed,
            assessor_id=case.om.id,
            level=level,
            next_review_on=add_months(assessed, 12),
            state="approved",
            rm2000_sexual=None,
            rm2000_violent=None,
            rm2000_combined=None,
            aggravating_factors=None,
            summary="",
            created_at=world.stamp(assessed),
        )
        world.decide(row, case.om, world.stamp(assessed + DAY * rng.randint(0, 3)))
        present = _factors(world, row["id"], level)
        row["summary"] = (
            f"Priority {level.replace('_', ' ')}: {len(present)} of {len(ARMS_RISK_FACTORS)} "
            "risk factors present."
        )
        case.arms.append(row)
        case.present_factors[row["id"]] = present


def _factors(world: World, assessment_id: int, level: str) -> list[str]:
    rng = world.rng
    present_codes: list[str] = []
    position = 0
    for code, label in ARMS_RISK_FACTORS:
        present = rng.random() < RISK_PRESENT[level]
        if present:
            present_codes.append(code)
        world.rows.add(
            "risk_factor",
            assessment_id=assessment_id,
            kind="risk",
            code=code,
            label=label,
            present=present,
            evidence=rng.choice(EVIDENCE_PRESENT if present else EVIDENCE_ABSENT),
            position=position,
        )
        position += 1
    for code, label in ARMS_PROTECTIVE_FACTORS:
        present = rng.random() < PROTECTIVE_PRESENT[level]
        world.rows.add(
            "risk_factor",
            assessment_id=assessment_id,
            kind="protective",
            code=code,
            label=label,
            present=present,
            evidence=rng.choice(EVIDENCE_PROTECTIVE if present else EVIDENCE_ABSENT),
            position=position,
        )
        position += 1
    return present_codes


def _rm2000(world: World, case: Case) -> None:
    rng, on = world.rng, world.on
    category = case.arms[0]["level"]
    if rng.random() < 0.3:
        i = LEVELS.index(category) + rng.choice((-1, 1))
        category = LEVELS[min(max(i, 0), 3)]
    combined = rng.randint(*RM2000_SCORES[category])
    violent = rng.randint(0, min(2, combined - 1))
    assessed = min(case.convicted_on + DAY * rng.randint(15, 60), on - DAY)
    row = world.rows.add(
        "risk_assessment",
        offender_id=case.row["id"],
        kind="rm2000",
        assessed_on=assessed,
        assessor_id=case.om.id,
        level=category,
        next_review_on=None,
        state="approved",
        rm2000_sexual=combined - violent,
        rm2000_violent=violent,
        rm2000_combined=combined,
        aggravating_factors=rng.randint(0, 3),
        summary=f"Static category {category.replace('_', ' ')} (combined score {combined}).",
        created_at=world.stamp(assessed),
    )
    world.decide(row, case.om, world.stamp(assessed + DAY * rng.randint(0, 2)))


def _plans(world: World, case: Case) -> None:
    rng, on = world.rng, world.on
    versions = min(len(case.arms), rng.randint(1, 3))
    based_on = case.arms[-versions:]
    licence = rng.choice(LICENCE_CONDITIONS)
    for number, assessment in enumerate(based_on, start=1):
        created = min(assessment["assessed_on"] + DAY * rng.randint(2, 20), on - DAY)
        latest = number == versions
        plan = world.rows.add(
            "risk_management_plan",
            offender_id=case.row["id"],
            plan_number=number,
            state="approved" if latest else "superseded",
            author_id=case.om.id,
            based_on_assessment_id=assessment["id"],
            contingency="" if latest and rng.random() < 0.05 else rng.choice(CONTINGENCIES),
            licence_conditions=licence,
            review_on=add_months(created, 12),
            created_at=world.stamp(created),
        )
        world.decide(plan, case.om, plan["created_at"] + dt.timedelta(hours=rng.randint(1, 30)))
        present = case.present_factors[assessment["id"]]
        _actions(
            world, case, plan, present, created, latest=latest, gap=latest and rng.random() < 0.1
        )
        case.plans.append(plan)


def _actions(
    world: World,
    case: Case,
    plan: Row,
    present: list[str],
    created: dt.date,
    *,
    latest: bool,
    gap: bool,
) -> None:
    rng, on = world.rng, world.on
    drafts: list[tuple[str, str, str | None]] = []
    for pillar in PILLARS:
        for text in rng.sample(PILLAR_ACTIONS[pillar], rng.randint(1, 2)):
            drafts.append((pillar, text, None))
    for factor in present:
        factor_pillar, factor_text = FACTOR_ACTIONS[factor]
        drafts.append((factor_pillar, factor_text, factor))
    if gap:
        if present and rng.random() < 0.5:
            dropped = rng.choice(present)
            drafts = [d for d in drafts if d[2] != dropped]
        else:
            dropped_pillar = rng.choice(PILLARS)
            drafts = [d for d in drafts if d[0] != dropped_pillar]
    drafts.sort(key=lambda d: PILLARS.index(d[0]))
    for position, (pillar, text, code) in enumerate(drafts):
        due = created + DAY * rng.randint(30, 270)
        if not latest:
            status = rng.choices(("done", "in_progress", "cancelled"), (60, 20, 20))[0]
        elif due < on:
            status = rng.choices(("done", "in_progress", "not_started"), (60, 30, 10))[0]
        else:
            status = rng.choices(("not_started", "in_progress"), (40, 60))[0]
        by_officer = rng.random() < 0.6
        world.rows.add(
            "plan_action",
            plan_id=plan["id"],
            pillar=pillar,
            description=text,
            owner_id=case.om.id if by_officer else None,
            owner_text="" if by_officer else rng.choice(AGENCIES),
            due_on=due,
            status=status,
            answers_factor=code,
            position=position,
        )
