"""The visit facts of a whole scope at once, and the flags the caseload, the record, `pillars due`,
the daily sheet and the dashboard show from them: not seen since, failed attempts in a row, the
s96B warrant flag, the visit window and the next planned visit.

Split from `desktop.services.visits` (the planner) so that the caseload, which opens first after
signing in, loads these queries without the planner's modules (issue #10: start-up). The planner
reads the same facts from here, so the caseload and the scheduler always agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from db.base import UtcDateTime
from db.enums import (
    ApprovalState,
    AssessmentKind,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    VisitOutcome,
)
from db.models import (
    Address,
    Conviction,
    Notification,
    Offender,
    Officer,
    RiskAssessment,
    Team,
    Visit,
)
from desktop.rules.time_bands import LONDON, Pattern, pattern_of
from desktop.rules.visit_windows import (
    VisitFacts,
    VisitPolicy,
    VisitWindow,
    failed_attempts,
    visit_window,
)
from desktop.services.policy import policy_int, visit_cadence_months

ATTEMPTS = (VisitOutcome.COMPLETED, VisitOutcome.NO_ACCESS, VisitOutcome.REFUSED_ENTRY)
FAILED = (VisitOutcome.NO_ACCESS, VisitOutcome.REFUSED_ENTRY)


@dataclass(frozen=True)
class VisitFlags:
    """What the caseload and the record show about visits for one offender."""

    last_seen: dt.date | None  # "not seen since"
    failed_attempts: int  # no access / refused entry in a row since the last completed visit
    warrant_consideration: bool  # s96B: consider a warrant to enter
    window: VisitWindow | None = None
    next_visit_due: dt.date | None = None  # the window's due date; None when none is due
    visit_overdue: bool = False
    next_planned: dt.datetime | None = None  # the next planned visit, Europe/London


@dataclass
class Case:
    """One offender with everything their visit window and flags need, read for a whole scope at
    once by `gather_cases`; the caseload, the record, the planner and the management views start
    from it."""

    offender_id: int
    reference: str
    name: str
    team_id: int
    team: str
    status: str
    manager_id: int | None
    manager_username: str | None
    manager_name: str
    registration_start: dt.date
    reactive: bool
    status_since: dt.date | None
    risk_level: str | None = None
    last_seen: dt.date | None = None
    released_on: dt.date | None = None
    convicted_on: dt.date | None = None
    sentenced_on: dt.date | None = None
    sentence_recorded: bool = False
    postcode: str = ""
    last_attempt: dt.datetime | None = None  # the latest visit that took place or was tried
    # failed attempts (no access, refused entry) since the last completed visit: (when, outcome)
    failures: list[tuple[dt.datetime, str]] = field(default_factory=list)
    planned: list[tuple[dt.datetime, int]] = field(default_factory=list)  # (at, visit id)

    def facts(self) -> VisitFacts:
        return VisitFacts(
            risk_level=self.risk_level,
            registration_start=self.registration_start,
            status=self.status,
            reactive=self.reactive,
            last_seen=self.last_seen,
            released_on=self.released_on,
            convicted_on=self.convicted_on,
            sentenced_on=self.sentenced_on,
            sentence_recorded=self.sentence_recorded,
        )

    def outcomes_newest_first(self) -> list[str]:
        return [o for _, o in sorted(self.failures, key=lambda a: a[0], reverse=True)]

    def previous_pattern(self) -> Pattern | None:
        """The weekday and band of the previous visit (the latest that took place or was
        tried; cancelled and planned visits do not count)."""
        return pattern_of(self.last_attempt) if self.last_attempt is not None else None


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in England, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)


def london_day(at: dt.datetime) -> dt.date:
    return at.astimezone(LONDON).date()


def visit_policy(session: Session) -> VisitPolicy:
    return VisitPolicy(
        cadence_months=visit_cadence_months(session),
        first_visit_days=policy_int(session, "first_visit_after_conviction_days"),
        release_visit_days=policy_int(session, "visit_after_release_days"),
    )


def _scoped(stmt: Any, offender_col: Any, where: ColumnElement[bool] | None) -> Any:
    if where is None:
        return stmt
    return stmt.join(Offender, Offender.id == offender_col).where(where)


def gather_cases(
    session: Session,
    on: dt.date,
    where: ColumnElement[bool] | None,
    risk_levels: Mapping[int, str] | None = None,
) -> dict[int, Case]:
    """Every offender matching `where` (all when None) with the facts their window needs on
    `on`, their last visit and failed attempts since the last completed one, and their planned
    visits from `on`. One query per kind of fact, aggregated in SQL where it can be.
    `risk_levels`: the level of each offender's newest approved ARMS (RiskLevel values) when the
    caller has read them already for the same offenders, as the caseload has; read here if not."""
    manager = Officer
    rows = session.execute(
        select(
            Offender.id,
            Offender.reference,
            Offender.forename,
            Offender.surname,
            Offender.team_id,
            Team.name,
            Offender.status,
            Offender.status_since,
            Offender.manager_id,
            manager.username,
            manager.forename,
            manager.surname,
            Offender.registration_start,
            Offender.reactive_management,
        )
        .join(Team, Team.id == Offender.team_id)
        .outerjoin(manager, manager.id == Offender.manager_id)
        .where(where if where is not None else Offender.id.is_not(None))
    ).all()
    cases: dict[int, Case] = {}
    for row in rows:
        cases[row[0]] = Case(
            offender_id=row[0],
            reference=row[1],
            name=f"{row[2]} {row[3]}",
            team_id=row[4],
            team=row[5],
            status=str(row[6]),
            status_since=row[7],
            manager_id=row[8],
            manager_username=row[9],
            manager_name=f"{row[10]} {row[11]}" if row[10] is not None else "",
            registration_start=row[12],
            reactive=bool(row[13]),
        )
    if not cases:
        return cases

    if risk_levels is None:
        risk_levels = _newest_arms_levels(session, where)
    for offender_id, level in risk_levels.items():
        if offender_id in cases:
            cases[offender_id].risk_level = level

    end_of_on = start_of_day(on + dt.timedelta(days=1))
    when = func.coalesce(Visit.occurred_at, Visit.planned_at, type_=UtcDateTime())
    for offender_id, seen_at in session.execute(
        _scoped(select(Visit.offender_id, func.max(Visit.occurred_at)), Visit.offender_id, where)
        .where(
            Visit.outcome == VisitOutcome.COMPLETED,
            Visit.occurred_at.is_not(None),
            Visit.occurred_at < end_of_on,
        )
        .group_by(Visit.offender_id)
    ):
        if offender_id in cases and seen_at is not None:
            cases[offender_id].last_seen = london_day(seen_at)
    for offender_id, last_at in session.execute(
        _scoped(select(Visit.offender_id, func.max(when)), Visit.offender_id, where)
        .where(Visit.outcome.in_(ATTEMPTS), when < end_of_on)
        .group_by(Visit.offender_id)
    ):
        if offender_id in cases:
            cases[offender_id].last_attempt = last_at
    completed = (
        _scoped(
            select(Visit.offender_id.label("offender_id"), func.max(when).label("at")),
            Visit.offender_id,
            where,
        )
        .where(Visit.outcome == VisitOutcome.COMPLETED, when < end_of_on)
        .group_by(Visit.offender_id)
        .subquery()
    )
    for offender_id, at, outcome in session.execute(
        _scoped(select(Visit.offender_id, when, Visit.outcome), Visit.offender_id, where)
        .outerjoin(completed, completed.c.offender_id == Visit.offender_id)
        .where(
            Visit.outcome.in_(FAILED),
            when < end_of_on,
            or_(completed.c.at.is_(None), when > completed.c.at),
        )
    ):
        if offender_id in cases:
            cases[offender_id].failures.append((at, str(outcome)))
    for offender_id, visit_id, planned_at in session.execute(
        _scoped(
            select(Visit.offender_id, Visit.id, Visit.planned_at), Visit.offender_id, where
        ).where(Visit.outcome == VisitOutcome.PLANNED, Visit.planned_at >= start_of_day(on))
    ):
        if offender_id in cases:
            cases[offender_id].planned.append((planned_at, visit_id))

    for offender_id, released in session.execute(
        _scoped(
            select(Notification.offender_id, func.max(Notification.event_on)),
            Notification.offender_id,
            where,
        )
        .where(
            Notification.kind == NotificationKind.RELEASE,
            Notification.state != NotificationState.REJECTED,
            Notification.event_on <= on,
        )
        .group_by(Notification.offender_id)
    ):
        case = cases.get(offender_id)
        if (
            case is not None
            and released is not None
            and case.status == OffenderStatus.COMMUNITY.value
            and (case.status_since is None or released >= case.status_since)
        ):
            case.released_on = released

    for offender_id, convicted, sentenced, kind in session.execute(
        _scoped(
            select(
                Conviction.offender_id,
                Conviction.convicted_on,
                Conviction.sentenced_on,
                Conviction.sentence_kind,
            ),
            Conviction.offender_id,
            where,
        ).order_by(Conviction.convicted_on, Conviction.id)
    ):
        case = cases.get(offender_id)
        if case is not None and convicted <= on:
            case.convicted_on, case.sentenced_on = convicted, sentenced  # the newest wins
            case.sentence_recorded = kind is not None

    for offender_id, postcode in session.execute(
        _scoped(select(Address.offender_id, Address.postcode), Address.offender_id, where)
        .where(
            Address.kind == "home",
            Address.from_date <= on,
            (Address.to_date.is_(None)) | (Address.to_date >= on),
        )
        .order_by(Address.from_date, Address.id)
    ):
        if offender_id in cases:
            cases[offender_id].postcode = postcode
    return cases


def newest_first(assessment: Any) -> Any:
    """Each offender's assessments numbered newest first, as `rank` (1: the one that counts):
    by the day assessed, then the later entry. `assessment` is the RiskAssessment model or its
    table's columns."""
    return (
        func.row_number()
        .over(
            partition_by=assessment.offender_id,
            order_by=(assessment.assessed_on.desc(), assessment.id.desc()),
        )
        .label("rank")
    )


def _newest_arms_levels(session: Session, where: ColumnElement[bool] | None) -> dict[int, str]:
    """The level of the newest approved ARMS of every offender matching `where`."""
    latest = (
        _scoped(
            select(
                RiskAssessment.offender_id.label("offender_id"),
                RiskAssessment.level.label("level"),
                newest_first(RiskAssessment),
            ),
            RiskAssessment.offender_id,
            where,
        )
        .where(
            RiskAssessment.kind == AssessmentKind.ARMS,
            RiskAssessment.state == ApprovalState.APPROVED,
        )
        .subquery()
    )
    return {
        offender_id: str(level)
        for offender_id, level in session.execute(
            select(latest.c.offender_id, latest.c.level).where(latest.c.rank == 1)
        )
    }


def visit_flags(
    session: Session,
    where: ColumnElement[bool] | None,
    on: dt.date,
    risk_levels: Mapping[int, str] | None = None,
) -> dict[int, VisitFlags]:
    """Visit flags for every offender matching `where` (a condition on Offender; all when None),
    inside the caller's transaction. The caseload and the record read "not seen since", the next
    visit due and the warrant flag from here, so they always agree with the scheduler."""
    cases = gather_cases(session, on, where, risk_levels)
    policy = visit_policy(session)
    threshold = policy_int(session, "failed_visits_before_warrant")
    return {oid: flags_of(case, on, policy, threshold) for oid, case in cases.items()}


def flags_of(case: Case, on: dt.date, policy: VisitPolicy, threshold: int) -> VisitFlags:
    window = visit_window(case.facts(), on, policy)
    failed = failed_attempts(case.outcomes_newest_first())
    planned = min(case.planned)[0] if case.planned else None
    return VisitFlags(
        last_seen=case.last_seen,
        failed_attempts=failed,
        warrant_consideration=failed >= max(1, threshold),
        window=window,
        next_visit_due=window.due if window is not None else None,
        visit_overdue=window is not None and window.overdue,
        next_planned=planned.astimezone(LONDON) if planned is not None else None,
    )
