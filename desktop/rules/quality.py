"""Record-quality checks: the automatic findings shown on the record, in the caseload, in the
peer-scrutiny pack and on the dashboard (DESIGN section 3).

`quality_findings` takes plain facts about one record on one day and runs each check that applies
to it. Every check that fails gives exactly one finding; a check that does not apply (the plan's
contents when there is no plan at all, visits for an offender in custody or under reactive
management) is not counted. So `checks == passed + len(findings)` and the score is
`round(100 * passed / checks)` (half up; 100 when nothing applies).

The checks, in the order findings are listed (finding codes in brackets):

- risk: there is an approved ARMS (arms_missing, arms_not_approved);
- risk: the approved ARMS's review date has not passed (arms_review_overdue);
- plan: there is an approved plan (plan_missing, plan_not_approved);
- plan: its review date is set and has not passed (plan_review_overdue);
- plan: every pillar has at least one action (plan_pillar_without_action);
- plan: every present risk factor is answered by an action (plan_factor_unanswered);
- plan: it has a contingency (plan_no_contingency);
- visits: the next home visit is not overdue (visit_overdue);
- address: a current home address is recorded (no_current_address), or, for an offender of no
  fixed abode, a notification in the last 7 days (nfa_weekly_notification_missing);
- notifications: none received is past its deadline unprocessed (notification_unprocessed);
- ppn: none is still unsubmitted after 24 hours (ppn_not_submitted);
- ppn: no follow-up with children's social care is overdue (ppn_follow_up_overdue).

The plan's checks read the plan in force: the newest approved version, else the version being
worked on (which then fails "approved"). Findings about the plan all have area "plan".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop.rules.plan_gaps import (
    FACTOR_UNANSWERED,
    NO_CONTINGENCY,
    PILLAR_WITHOUT_ACTION,
    Gap,
)

NFA_NOTIFICATION_DAYS = 7
SEVERITIES = ("high", "medium", "low")


@dataclass(frozen=True, slots=True)
class ArmsFacts:
    """The ARMS in force: the newest approved one, else the newest of any state."""

    level: str
    state: str  # an ApprovalState value
    next_review_on: dt.date | None


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """The plan in force: the newest approved version, else the version being worked on."""

    approved: bool
    state: str  # an ApprovalState value
    review_on: dt.date | None
    gaps: Sequence[Gap]  # plan_gaps() of this version against the present risk factors


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """Everything the checks need about one offender's record on the day `on`, gathered by the
    services (record, caseload, pack, dashboard) so the checks stay pure. The defaults describe a
    record with nothing on it."""

    on: dt.date
    latest_arms: ArmsFacts | None = None
    current_plan: PlanFacts | None = None
    has_current_address: bool = False
    no_fixed_abode: bool = False
    last_nfa_notification_on: dt.date | None = None  # newest no-fixed-abode notification
    visit_next_due: dt.date | None = None  # None: no routine visit due (custody, reactive)
    visit_overdue: bool = False
    unprocessed_notifications_past_due: int = 0
    ppns_unsubmitted_past_24h: int = 0
    ppns_follow_up_overdue: int = 0


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed check (see the module's table): `code` names it, `text` is the sentence the
    record, the caseload, the pack and the dashboard show."""

    code: str
    area: str  # risk | plan | visits | address | notifications | ppn
    severity: str  # high | medium | low
    text: str


@dataclass(frozen=True, slots=True)
class QualityReport:
    """What `quality_findings` returns: the findings in the module's order, and the score
    `round(100 * passed / checks)` with `checks == passed + len(findings)`."""

    findings: list[Finding] = field(default_factory=list)
    score: int = 100
    checks: int = 0
    passed: int = 0

    def in_area(self, area: str) -> list[Finding]:
        return [f for f in self.findings if f.area == area]


def score(passed: int, checks: int) -> int:
    """round(100 * passed / checks), halves rounded up; 100 when there were no checks."""
    if checks <= 0:
        return 100
    return (200 * passed + checks) // (2 * checks)


def quality_findings(facts: RecordFacts) -> QualityReport:
    """Run every check that applies to the record (see the module's table)."""
    on = facts.on
    results: list[Finding | None] = []

    arms = facts.latest_arms
    if arms is None:
        results.append(
            Finding("arms_missing", "risk", "high", "There is no ARMS assessment on the record.")
        )
    elif arms.state != "approved":
        waiting = arms.state == "submitted"
        results.append(
            Finding(
                "arms_not_approved",
                "risk",
                "low" if waiting else "medium",
                "The ARMS assessment is waiting for a sergeant's approval."
                if waiting
                else f"The ARMS assessment is not approved (it is {_state(arms.state)}).",
            )
        )
    else:
        results.append(None)
    if arms is not None and arms.state == "approved":
        if arms.next_review_on is not None and arms.next_review_on < on:
            results.append(
                Finding(
                    "arms_review_overdue",
                    "risk",
                    "high",
                    f"The ARMS review was due on {arms.next_review_on:%d/%m/%Y}.",
                )
            )
        else:
            results.append(None)

    plan = facts.current_plan
    if plan is None:
        results.append(Finding("plan_missing", "plan", "high", "There is no risk management plan."))
    else:
        if plan.approved:
            results.append(None)
        else:
            waiting = plan.state == "submitted"
            results.append(
                Finding(
                    "plan_not_approved",
                    "plan",
                    "low" if waiting else "medium",
                    "The risk management plan is waiting for a sergeant's approval."
                    if waiting
                    else "No version of the risk management plan has been approved "
                    f"(the newest is {_state(plan.state)}).",
                )
            )
        if plan.review_on is None:
            results.append(
                Finding("plan_review_overdue", "plan", "medium", "The plan has no review date.")
            )
        elif plan.review_on < on:
            results.append(
                Finding(
                    "plan_review_overdue",
                    "plan",
                    "medium",
                    f"The plan's review was due on {plan.review_on:%d/%m/%Y}.",
                )
            )
        else:
            results.append(None)
        empty = [g for g in plan.gaps if g.code == PILLAR_WITHOUT_ACTION]
        results.append(
            Finding(
                "plan_pillar_without_action",
                "plan",
                "medium",
                "; ".join(g.text for g in empty) + ".",
            )
            if empty
            else None
        )
        unanswered = [g for g in plan.gaps if g.code == FACTOR_UNANSWERED]
        results.append(
            Finding(
                "plan_factor_unanswered",
                "plan",
                "high",
                "; ".join(g.text for g in unanswered) + ".",
            )
            if unanswered
            else None
        )
        results.append(
            Finding("plan_no_contingency", "plan", "medium", "The plan has no contingency.")
            if any(g.code == NO_CONTINGENCY for g in plan.gaps)
            else None
        )

    if facts.visit_next_due is not None:
        results.append(
            Finding(
                "visit_overdue",
                "visits",
                "high",
                f"A home visit was due by {facts.visit_next_due:%d/%m/%Y}.",
            )
            if facts.visit_overdue or facts.visit_next_due < on
            else None
        )

    if facts.no_fixed_abode:
        last = facts.last_nfa_notification_on
        stale = last is None or (on - last).days > NFA_NOTIFICATION_DAYS
        results.append(
            Finding(
                "nfa_weekly_notification_missing",
                "address",
                "medium",
                "No fixed abode: no weekly notification has been recorded"
                + (f" since {last:%d/%m/%Y}." if last is not None else "."),
            )
            if stale
            else None
        )
    else:
        results.append(
            None
            if facts.has_current_address
            else Finding(
                "no_current_address", "address", "high", "No current home address is recorded."
            )
        )

    results.append(
        _count_finding(
            facts.unprocessed_notifications_past_due,
            "notification_unprocessed",
            "notifications",
            "high",
            "notification is past its deadline and not processed",
            "notifications are past their deadlines and not processed",
        )
    )
    results.append(
        _count_finding(
            facts.ppns_unsubmitted_past_24h,
            "ppn_not_submitted",
            "ppn",
            "high",
            "PPN was not submitted within 24 hours",
            "PPNs were not submitted within 24 hours",
        )
    )
    results.append(
        _count_finding(
            facts.ppns_follow_up_overdue,
            "ppn_follow_up_overdue",
            "ppn",
            "medium",
            "PPN follow-up with children's social care is overdue",
            "PPN follow-ups with children's social care are overdue",
        )
    )

    findings = [r for r in results if r is not None]
    checks = len(results)
    passed = checks - len(findings)
    return QualityReport(
        findings=findings, score=score(passed, checks), checks=checks, passed=passed
    )


def _count_finding(
    count: int, code: str, area: str, severity: str, one: str, many: str
) -> Finding | None:
    if count <= 0:
        return None
    text = f"1 {one}." if count == 1 else f"{count} {many}."
    return Finding(code, area, severity, text)


def _state(state: str) -> str:
    return state.replace("_", " ")
