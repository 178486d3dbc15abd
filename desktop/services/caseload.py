"""The caseload: one row per offender an officer can see, with every clock that matters.

Built from a handful of aggregate queries (latest approved ARMS, last completed visit, open task
counts, pending notifications, draft PPNs, releases), each over the whole scope at once and joined
here by offender id: never one query per offender, so the force view of a few thousand offenders
loads in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from db.enums import (
    ApprovalState,
    AssessmentKind,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    PpnState,
    Role,
    TaskState,
    VisitOutcome,
)
from db.models import (
    Address,
    Alias,
    Notification,
    Offender,
    Officer,
    Ppn,
    RiskAssessment,
    Task,
    Visit,
)
from desktop.rules import breaches as breach_rules
from desktop.rules import cadence
from desktop.services.actor import Actor
from desktop.services.errors import PermissionRefused
from desktop.services.policy import policy_int, visit_cadence_months

if TYPE_CHECKING:
    from desktop.services.core import Services

LONDON = ZoneInfo("Europe/London")


class Scope(StrEnum):
    MINE = "mine"
    TEAM = "team"
    FORCE = "force"

    @property
    def label(self) -> str:
        return {"mine": "My caseload", "team": "Team", "force": "Whole force"}[self.value]


_SCOPES_BY_ROLE: dict[str, list[Scope]] = {
    Role.OFFENDER_MANAGER.value: [Scope.MINE, Scope.TEAM],
    Role.SERGEANT.value: [Scope.TEAM],
    Role.TEAM_MANAGER.value: [Scope.TEAM, Scope.FORCE],
    Role.HUB_OFFICER.value: [Scope.FORCE],
    Role.ADMINISTRATOR.value: [],
}


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    offender_id: int
    reference: str
    name: str  # "Forename Surname"
    aliases: str  # "; "-joined, "" when none
    postcode: str  # current home postcode, "" when none (no fixed abode)
    risk_level: str | None  # RiskLevel value of the latest approved ARMS, None when none
    mappa_category: int
    mappa_level: int
    status: str  # OffenderStatus value
    manager: str  # manager's display name, "" when unallocated
    manager_id: int | None
    last_seen: dt.date | None  # date of the last completed visit
    next_visit_due: dt.date | None  # None when reactive management or not in the community
    visit_overdue: bool
    arms_review_due: dt.date | None
    arms_overdue: bool
    open_tasks: int
    breaches: int
    # The release date when the latest status change was a release: the newest release
    # notification (received or processed; not rejected) on or after status_since.
    released_on: dt.date | None
    reactive_management: bool
    search_key: str  # lowercase reference, name, aliases, postcode with and without its space
    no_fixed_abode: bool = False
    surname: str = ""  # for sorting by surname


@dataclass(frozen=True)
class Caseload:
    scope: Scope
    rows: list[CaseloadRow]
    benchmark: int  # policy caseload_benchmark, default 50
    on: dt.date


class CaseloadService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def allowed_scopes(self, actor: Actor) -> list[Scope]:
        """OM: mine, team; sergeant: team; team manager: team, force; hub: force; admin: none."""
        return list(_SCOPES_BY_ROLE.get(actor.role, []))

    def default_scope(self, actor: Actor) -> Scope:
        scopes = self.allowed_scopes(actor)
        if not scopes:
            raise PermissionRefused(
                f"An {actor.role_label} has no caseload: offender records are not open to the "
                f"{actor.role_label} role."
                if actor.role == Role.ADMINISTRATOR.value
                else f"The {actor.role_label} role has no caseload."
            )
        return scopes[0]

    def load(self, actor: Actor, scope: Scope | str, *, on: dt.date | None = None) -> Caseload:
        """Every offender in `scope` with their clocks on `on` (default today), sorted by name."""
        wanted = self._check_scope(actor, scope)
        day = on or self._services.today()
        with self._services.transaction() as session:
            condition = _scope_condition(actor, wanted)
            rows = _build_rows(
                session, condition, day, self._services.now() if on is None else None
            )
            benchmark = policy_int(session, "caseload_benchmark")
        return Caseload(scope=wanted, rows=rows, benchmark=benchmark, on=day)

    def _check_scope(self, actor: Actor, scope: Scope | str) -> Scope:
        allowed = self.allowed_scopes(actor)
        try:
            wanted = Scope(scope)
        except ValueError:
            raise PermissionRefused(f"{scope!r} is not a caseload view.") from None
        if wanted not in allowed:
            if not allowed:
                self.default_scope(actor)  # raises the role's own message
            names = ", ".join(s.label.lower() for s in allowed)
            role = actor.role_label
            article = "An" if role[:1] in "aeiou" else "A"
            raise PermissionRefused(
                f"{article} {role} cannot see the {wanted.label.lower()} caseload; "
                f"the views open to you are: {names}."
            )
        return wanted


def _scope_condition(actor: Actor, scope: Scope) -> ColumnElement[bool] | None:
    if scope is Scope.MINE:
        return Offender.manager_id == actor.officer_id
    if scope is Scope.TEAM:
        return Offender.team_id == actor.team_id if actor.team_id is not None else false()
    return None


def _scoped(stmt: Any, offender_col: Any, condition: ColumnElement[bool] | None) -> Any:
    if condition is None:
        return stmt
    return stmt.join(Offender, Offender.id == offender_col).where(condition)


def _build_rows(
    session: Session,
    condition: ColumnElement[bool] | None,
    on: dt.date,
    now: dt.datetime | None,
) -> list[CaseloadRow]:
    cadence_months = visit_cadence_months(session)
    review_months = policy_int(session, "arms_review_months")
    first_visit_days = policy_int(session, "first_visit_after_conviction_days")
    release_visit_days = policy_int(session, "visit_after_release_days")
    ppn_hours = policy_int(session, "ppn_submit_hours")

    offender_stmt = select(
        Offender.id,
        Offender.reference,
        Offender.forename,
        Offender.surname,
        Offender.mappa_category,
        Offender.mappa_level,
        Offender.status,
        Offender.status_since,
        Offender.manager_id,
        Offender.registration_start,
        Offender.reactive_management,
        Offender.no_fixed_abode,
        Offender.expected_release_on,
        Offender.next_periodic_due,
        Officer.forename,
        Officer.surname,
    ).outerjoin(Officer, Officer.id == Offender.manager_id)
    if condition is not None:
        offender_stmt = offender_stmt.where(condition)
    offenders = session.execute(offender_stmt).all()
    if not offenders:
        return []

    aliases: dict[int, list[str]] = defaultdict(list)
    for offender_id, name in session.execute(
        _scoped(select(Alias.offender_id, Alias.name), Alias.offender_id, condition).order_by(
            Alias.id
        )
    ):
        aliases[offender_id].append(name)

    postcodes: dict[int, str] = {}
    for offender_id, postcode in session.execute(
        _scoped(select(Address.offender_id, Address.postcode), Address.offender_id, condition)
        .where(
            Address.kind == "home",
            Address.from_date <= on,
            (Address.to_date.is_(None)) | (Address.to_date >= on),
        )
        .order_by(Address.from_date, Address.id)
    ):
        postcodes[offender_id] = postcode  # the newest current home address wins

    latest = (
        _scoped(
            select(
                RiskAssessment.offender_id.label("offender_id"),
                RiskAssessment.level.label("level"),
                RiskAssessment.assessed_on.label("assessed_on"),
                RiskAssessment.next_review_on.label("next_review_on"),
                func.row_number()
                .over(
                    partition_by=RiskAssessment.offender_id,
                    order_by=(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc()),
                )
                .label("rank"),
            ),
            RiskAssessment.offender_id,
            condition,
        )
        .where(
            RiskAssessment.kind == AssessmentKind.ARMS,
            RiskAssessment.state == ApprovalState.APPROVED,
        )
        .subquery()
    )
    arms: dict[int, tuple[str, dt.date, dt.date | None]] = {
        offender_id: (level.value if hasattr(level, "value") else level, assessed, review)
        for offender_id, level, assessed, review in session.execute(
            select(
                latest.c.offender_id, latest.c.level, latest.c.assessed_on, latest.c.next_review_on
            ).where(latest.c.rank == 1)
        )
    }

    seen_at = func.max(Visit.occurred_at)
    last_seen: dict[int, dt.date] = {}
    for offender_id, at in session.execute(
        _scoped(select(Visit.offender_id, seen_at), Visit.offender_id, condition)
        .where(
            Visit.outcome == VisitOutcome.COMPLETED,
            Visit.occurred_at.is_not(None),
            Visit.occurred_at < _start_of_london_day(on + dt.timedelta(days=1)),
        )
        .group_by(Visit.offender_id)
    ):
        if at is not None:
            last_seen[offender_id] = london_date(at)

    open_tasks: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            _scoped(select(Task.offender_id, func.count()), Task.offender_id, condition)
            .where(Task.state == TaskState.OPEN, Task.offender_id.is_not(None))
            .group_by(Task.offender_id)
        ).all()
    )

    pending: dict[int, list[breach_rules.PendingNotification]] = defaultdict(list)
    for offender_id, kind, due_on in session.execute(
        _scoped(
            select(Notification.offender_id, Notification.kind, Notification.due_on),
            Notification.offender_id,
            condition,
        ).where(
            Notification.state == NotificationState.RECEIVED,
            Notification.due_on.is_not(None),
            Notification.due_on < on,
        )
    ):
        pending[offender_id].append(breach_rules.PendingNotification(str(kind), due_on))

    draft_ppns: dict[int, list[dt.datetime]] = defaultdict(list)
    for offender_id, concern_at in session.execute(
        _scoped(select(Ppn.offender_id, Ppn.concern_at), Ppn.offender_id, condition).where(
            Ppn.state == PpnState.DRAFT
        )
    ):
        draft_ppns[offender_id].append(concern_at)

    releases: dict[int, dt.date] = dict(
        session.execute(  # type: ignore[arg-type]
            _scoped(
                select(Notification.offender_id, func.max(Notification.event_on)),
                Notification.offender_id,
                condition,
            )
            .where(
                Notification.kind == NotificationKind.RELEASE,
                Notification.state != NotificationState.REJECTED,
                Notification.event_on <= on,
            )
            .group_by(Notification.offender_id)
        ).all()
    )

    community = OffenderStatus.COMMUNITY.value
    rows: list[CaseloadRow] = []
    for (
        offender_id,
        reference,
        forename,
        surname,
        mappa_category,
        mappa_level,
        status,
        status_since,
        manager_id,
        registration_start,
        reactive,
        no_fixed_abode,
        expected_release_on,
        next_periodic_due,
        manager_forename,
        manager_surname,
    ) in offenders:
        status_value = str(status)
        name = f"{forename} {surname}"
        alias_list = aliases.get(offender_id, [])
        postcode = postcodes.get(offender_id, "")
        risk = arms.get(offender_id)
        risk_level = risk[0] if risk else None
        seen = last_seen.get(offender_id)
        release = releases.get(offender_id)
        released_on = (
            release
            if release is not None
            and status_value == community
            and (status_since is None or release >= status_since)
            else None
        )
        due = cadence.next_visit_due(
            risk_level,
            seen,
            registration_start,
            bool(reactive),
            cadence_months,
            in_community=status_value == community,
            released_on=released_on,
            first_visit_days=first_visit_days,
            release_visit_days=release_visit_days,
        )
        review_due = cadence.arms_review_due(
            risk[1] if risk else None, risk[2] if risk else None, review_months
        )
        found = breach_rules.breaches_on(
            on,
            status=status_value,
            expected_release_on=expected_release_on,
            next_periodic_due=next_periodic_due,
            received_notifications=pending.get(offender_id, ()),
            draft_ppn_concerns=draft_ppns.get(offender_id, ()),
            now=now,
            ppn_submit_hours=ppn_hours,
        )
        joined_aliases = "; ".join(alias_list)
        rows.append(
            CaseloadRow(
                offender_id=offender_id,
                reference=reference,
                name=name,
                aliases=joined_aliases,
                postcode=postcode,
                risk_level=risk_level,
                mappa_category=mappa_category,
                mappa_level=mappa_level,
                status=status_value,
                manager=(
                    f"{manager_forename} {manager_surname}" if manager_forename is not None else ""
                ),
                manager_id=manager_id,
                last_seen=seen,
                next_visit_due=due,
                visit_overdue=cadence.is_overdue(due, on),
                arms_review_due=review_due,
                arms_overdue=cadence.arms_overdue(review_due, on, has_arms=risk is not None),
                open_tasks=open_tasks.get(offender_id, 0),
                breaches=len(found),
                released_on=released_on,
                reactive_management=bool(reactive),
                search_key=search_key(reference, name, alias_list, postcode),
                no_fixed_abode=bool(no_fixed_abode),
                surname=surname,
            )
        )
    rows.sort(key=lambda r: (r.surname.casefold(), r.name.casefold(), r.reference))
    return rows


def search_key(reference: str, name: str, aliases: list[str], postcode: str) -> str:
    """What a filter box matches against: reference, name, aliases, and the postcode both as
    written ("zz3 4qt") and without its space ("zz34qt")."""
    parts = [reference, name, *aliases]
    if postcode:
        parts += [postcode, postcode.replace(" ", "")]
    return " ".join(parts).lower()


def _start_of_london_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)


def london_date(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(LONDON).date()
