"""Home visits: what is due, the week's plan, planning, moving and cancelling a visit, recording
its outcome and sending the record to the sergeant; the scheduler run; failed-access flags.

The rules live in `desktop.rules` (windows in `visit_windows`, bands in `time_bands`, placing in
`scheduler`); this module gathers their facts from the database in a few queries over the whole
scope at once, checks permissions and every field, and audits every change.

Who may do what:
- plan, move, cancel: the offender's manager, or a sergeant or team manager of the offender's team;
- record an outcome, a PPN decision, and submit the record: an officer on the crew, or the
  offender's manager;
- see visits (the week, one visit, what is due): officers of the team (an offender manager sees
  their own caseload's due visits; sergeants and team managers the team's).

Planning checks (every bad field is listed; nothing is saved): a date and a time from 07:00 to
21:59 that are not in the past; two different officers, both active and on duty that day (no
absence recorded), neither already on `visits_per_officer_per_day` visits that day nor on another
visit within an hour; inside the offender's visit window, on a visit day (not a Sunday or a bank
holiday), or else a reason in `outside_window_reason`; an announced visit has a reason; an
unannounced one never falls on the weekday and time band of the previous visit to the offender;
one planned visit per offender at a time (move it rather than plan a second).

No silent closing (issue #7, item 4): the record of a visit that saw children is not submitted
until the officer has raised a PPN from it or recorded why none is needed
(`desktop.rules.visit_closing`; `desktop.services.visit_ppn`).

Times: a visit is planned in Europe/London wall time and stored in UTC; views give London times.

The scheduler run (`schedule`) writes one audit row for the whole run (counts, dates, seed and the
new visits' ids), not one per visit: at county scale a row per visit would multiply the run's time
many times over through the audit chain's lock, and the summary names every visit it created.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false, insert, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.enums import (
    ApprovalState,
    OffenderStatus,
    PpnDecision,
    Role,
    TaskKind,
    VisitOutcome,
)
from db.models import (
    Absence,
    Address,
    Offender,
    Officer,
    Team,
    Visit,
)
from desktop.rules import scheduler as scheduler_rules
from desktop.rules.time_bands import (
    BAND_LABELS,
    EARLIEST_VISIT,
    EVENING,
    LATEST_VISIT,
    LONDON,
    band_of,
    describe_pattern,
    london_datetime,
)
from desktop.rules.validation import Form, clean_text, excerpt
from desktop.rules.visit_windows import (
    VisitWindow,
    visit_window,
)
from desktop.services.actor import Actor
from desktop.services.approvals import (
    check_version,
    conflict_after_race,
    raise_if_invalid,
    stamp,
    submit_for_approval,
)
from desktop.services.core import take_write_lock
from desktop.services.errors import NotFound, PermissionRefused, ServiceError
from desktop.services.permissions import (
    OffenderSubject,
    can_read_offender,
    load_subject,
    require_read,
)
from desktop.services.policy import policy_int, policy_value
from desktop.services.visit_facts import (
    Case,
    VisitFlags,
    flags_of,
    gather_cases,
    start_of_day,
    visit_flags,
    visit_policy,
)
from desktop.services.visit_ppn import (
    NO_PPN_REASON_MAX,
    NO_PPN_REASON_MIN_WORDS,
    LinkedPpn,
    closing_refusal,
    has_linked_ppn,
    linked_ppns,
)

if TYPE_CHECKING:
    from desktop.services.core import Services
    from desktop.services.visit_export import VisitExport

REASON_MAX = 2000
HOME_MAX = 4000
NOTES_MAX = 10_000
CLASH_MINUTES = scheduler_rules.CLASH_MINUTES
CREW_ROLES = frozenset({Role.OFFENDER_MANAGER, Role.SERGEANT, Role.TEAM_MANAGER})
PLANNERS = frozenset({Role.SERGEANT.value, Role.TEAM_MANAGER.value})
OUTCOME_CHOICES = {
    VisitOutcome.COMPLETED.value: "Completed",
    VisitOutcome.NO_ACCESS.value: "No access",
    VisitOutcome.REFUSED_ENTRY.value: "Refused entry",
    VisitOutcome.CANCELLED.value: "Cancelled",
}
CHILDREN_CHOICES = {"yes": "Yes", "no": "No"}
_TIME = re.compile(r"([0-9]{1,2})[:.]?([0-9]{2})", re.ASCII)


# -- what the screens and the command line receive -----------------------------------------------


@dataclass(frozen=True)
class VisitView:
    """One visit as the planner, its dialogs and the inbox show it: times in Europe/London, the
    crew, its window, its record and PPN decision, and what the asking officer may do with it
    (`can_change`, `can_record`, `can_submit`)."""

    visit_id: int
    version: int
    offender_id: int
    reference: str
    name: str  # the offender's name (never in the calendar export)
    at: dt.datetime  # planned start, Europe/London
    band: str  # morning | afternoon | evening
    officers: tuple[str, str]  # usernames
    officer_names: tuple[str, str]  # display names
    announced: bool
    announced_reason: str
    outcome: str  # a VisitOutcome value
    record_state: str  # an ApprovalState value
    postcode_district: str  # "ZZ3"; "" when no current home address
    window_start: dt.date | None
    window_end: dt.date | None
    outside_window_reason: str = ""
    purpose: str = "routine"  # routine | pre_sentence | post_release
    occurred_at: dt.datetime | None = None  # Europe/London
    home_circumstances: str = ""
    children_present: bool | None = None
    notes: str = ""
    return_comment: str = ""  # the sergeant's comment when the record was returned
    manager: str = ""  # the offender manager's username, "" when unallocated
    can_change: bool = False  # the asking officer may move or cancel it (it is still planned)
    can_record: bool = False  # ... may record its outcome (planned, draft or returned)
    can_submit: bool = False  # ... may send the record for approval (outcome recorded, draft,
    # and a PPN decision when children were present)
    ppn_decision: str | None = None  # a PpnDecision value; None when none is recorded
    ppn_decision_reason: str = ""  # why no PPN is needed
    ppns: tuple[LinkedPpn, ...] = ()  # the PPNs raised from this visit, oldest first
    submit_blocked: str = ""  # why the record cannot be submitted for want of a PPN decision

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.band, self.band)

    @property
    def inside_window(self) -> bool:
        day = self.at.date()
        return (self.window_start is None or self.window_start <= day) and (
            self.window_end is None or day <= self.window_end
        )


@dataclass(frozen=True)
class DayPlan:
    """One day of a WeekPlan: its visits, whether it is a bank holiday, and which of the team's
    officers are off duty."""

    date: dt.date
    bank_holiday: bool
    off_duty: list[str]  # display names of the team's officers off duty that day
    visits: list[VisitView]

    @property
    def visit_day(self) -> bool:
        return not self.bank_holiday and self.date.weekday() in scheduler_rules.VISIT_WEEKDAYS


@dataclass(frozen=True)
class WeekPlan:
    """Seven days of planned visits from `week_start` (`week`): one officer's, or the whole team's
    when `officer` is None."""

    week_start: dt.date
    officer: str | None  # the username whose week it is; None for the whole team
    team: str
    days: list[DayPlan]


@dataclass(frozen=True)
class DueVisit:
    """An offender whose visit window is open, opens soon or has passed (`due`), with their next
    planned visit if there is one and the failed attempts since they were last seen (s96B)."""

    offender_id: int
    reference: str
    name: str
    manager: str  # display name, "" when unallocated
    window_start: dt.date
    window_end: dt.date
    reason: str  # routine | pre_sentence | post_release | overdue
    last_seen: dt.date | None
    overdue: bool
    planned_visit: VisitView | None  # the next planned visit, if one is planned
    due: dt.date | None = None
    purpose: str = "routine"
    manager_username: str = ""
    failed_attempts: int = 0
    warrant_consideration: bool = False


@dataclass(frozen=True)
class CrewChoice:
    """An officer of the offender's team who could crew a visit on a day (`crew_choices`): whether
    on duty, why not, and how many visits they already have that day."""

    username: str
    name: str
    role: str
    team: str
    on_duty: bool
    absence: str  # "leave", "sickness", ... when off duty; "" when on duty
    visits_that_day: int
    is_manager: bool


@dataclass
class VisitEdit:
    """A visit as typed on the planner. `visit_id` and `expected_version` for a move."""

    date: str = ""  # dd/mm/yyyy or yyyy-mm-dd
    time: str = ""  # HH:MM, 24-hour, Europe/London
    officer1: str = ""  # username
    officer2: str = ""  # username
    announced: bool = False
    announced_reason: str = ""
    outside_window_reason: str = ""  # why outside the window, or on a Sunday or bank holiday
    visit_id: int | None = None
    expected_version: int | None = None


@dataclass
class OutcomeEdit:
    """A visit's outcome as typed (date dd/mm/yyyy, time HH:MM Europe/London), saved by
    `record_outcome` against `expected_version`; children present is required for a completed
    visit."""

    expected_version: int | None = None
    outcome: str = ""  # completed | no_access | refused_entry | cancelled
    occurred_date: str = ""
    occurred_time: str = ""
    officer1: str = ""  # the two officers present (usernames)
    officer2: str = ""
    home_circumstances: str = ""
    children_present: str = ""  # "yes" | "no" | "" (required for a completed visit)
    notes: str = ""


# -- the facts a window needs, gathered for a whole scope at once ---------------------------------


def postcode_district(postcode: str) -> str:
    """The outward code of a postcode: "ZZ3 4QT" -> "ZZ3"."""
    text = postcode.strip().upper()
    if " " in text:
        return text.split()[0]
    return text[:-3] if len(text) > 4 else text


def evening_share(session: Session) -> float:
    try:
        share = float(policy_value(session, "evening_visit_share"))
    except (TypeError, ValueError):
        share = 0.25
    return min(max(share, 0.0), 1.0)


# -- officers and their duty ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Officer:
    """An officer as the planner checks a crew against them: role, team and whether still active."""

    id: int
    username: str
    name: str
    role: str
    team_id: int | None
    team: str
    active: bool


def _officers(session: Session) -> dict[int, _Officer]:
    return {
        row[0]: _Officer(
            row[0], row[1], f"{row[2]} {row[3]}", str(row[4]), row[5], row[6] or "", bool(row[7])
        )
        for row in session.execute(
            select(
                Officer.id,
                Officer.username,
                Officer.forename,
                Officer.surname,
                Officer.role,
                Officer.team_id,
                Team.name,
                Officer.active,
            ).outerjoin(Team, Team.id == Officer.team_id)
        )
    }


def _absences(
    session: Session, first: dt.date, last: dt.date, officer_ids: Collection[int] | None = None
) -> dict[int, dict[dt.date, str]]:
    """officer id -> day -> absence kind, for the days from `first` to `last`."""
    stmt = select(Absence.officer_id, Absence.kind, Absence.starts_on, Absence.ends_on).where(
        Absence.starts_on <= last, Absence.ends_on >= first
    )
    if officer_ids is not None:
        stmt = stmt.where(Absence.officer_id.in_(list(officer_ids)))
    off: dict[int, dict[dt.date, str]] = defaultdict(dict)
    for officer_id, kind, starts, ends in session.execute(stmt):
        day = max(starts, first)
        while day <= min(ends, last):
            off[officer_id].setdefault(day, str(kind))
            day += dt.timedelta(days=1)
    return off


def _holidays(first: dt.date, last: dt.date) -> frozenset[dt.date]:
    return scheduler_rules.england_and_wales_bank_holidays(range(first.year, last.year + 1))


# -- the service ----------------------------------------------------------------------------------


class VisitService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- reading ----------------------------------------------------------------------------------

    def due(
        self, actor: Actor | None, on: dt.date | None = None, *, horizon_days: int = 28
    ) -> list[DueVisit]:
        """Offenders whose visit window is open on `on` (default today), opens within
        `horizon_days`, or has passed: an offender manager's own caseload, a sergeant's or team
        manager's team, the whole force for the command line (no actor). Soonest end first."""
        day = on or self._services.today()
        with self._services.transaction() as session:
            where = _due_scope(actor)
            cases = gather_cases(session, day, where)
            policy = visit_policy(session)
            threshold = policy_int(session, "failed_visits_before_warrant")
            horizon = day + dt.timedelta(days=max(0, horizon_days))
            due: list[tuple[Case, VisitFlags]] = []
            for case in cases.values():
                flags = flags_of(case, day, policy, threshold)
                if flags.window is not None and flags.window.start <= horizon:
                    due.append((case, flags))
            planned_ids = [min(c.planned)[1] for c, _ in due if c.planned]
            views = {
                v.offender_id: v
                for v in _views(session, actor, _visits_by_id(session, planned_ids), day)
            }
        result = []
        for case, flags in due:
            window = flags.window
            assert window is not None
            result.append(
                DueVisit(
                    offender_id=case.offender_id,
                    reference=case.reference,
                    name=case.name,
                    manager=case.manager_name,
                    window_start=window.start,
                    window_end=window.end,
                    reason=window.reason,
                    last_seen=case.last_seen,
                    overdue=window.overdue,
                    planned_visit=views.get(case.offender_id),
                    due=window.due,
                    purpose=window.purpose,
                    manager_username=case.manager_username or "",
                    failed_attempts=flags.failed_attempts,
                    warrant_consideration=flags.warrant_consideration,
                )
            )
        result.sort(key=lambda d: (d.window_end, d.reference))
        return result

    def flags_for(
        self, session: Session, offender_ids: Collection[int] | None, on: dt.date | None = None
    ) -> dict[int, VisitFlags]:
        """Visit flags for each offender (all offenders when `offender_ids` is None), inside the
        caller's transaction: not seen since, failed attempts, warrant consideration, next due."""
        day = on or self._services.today()
        if offender_ids is not None and not offender_ids:
            return {}
        where = Offender.id.in_(list(offender_ids)) if offender_ids is not None else None
        return visit_flags(session, where, day)

    def flags(self, actor: Actor, offender_id: int, on: dt.date | None = None) -> VisitFlags:
        """`flags_for` one offender, refused like opening their record."""
        with self._services.transaction() as session:
            require_read(actor, load_subject(session, offender_id))
            return self.flags_for(session, [offender_id], on)[offender_id]

    def get(self, actor: Actor, visit_id: int) -> VisitView:
        """One visit, refused like opening the offender's record."""
        with self._services.transaction() as session:
            visit = _visit(session, visit_id)
            _require_visit_read(actor, load_subject(session, visit.offender_id), visit)
            return _views(session, actor, [visit], self._services.today(), self._services.now())[0]

    def for_offender(self, actor: Actor, offender_id: int) -> list[VisitView]:
        """Every visit to one offender, newest first."""
        with self._services.transaction() as session:
            require_read(actor, load_subject(session, offender_id))
            visits = list(
                session.scalars(
                    select(Visit)
                    .where(Visit.offender_id == offender_id)
                    .order_by(Visit.planned_at.desc(), Visit.id.desc())
                )
            )
            return _views(session, actor, visits, self._services.today(), self._services.now())

    def week(self, actor: Actor, officer_username: str | None, week_start: dt.date) -> WeekPlan:
        """Seven days from `week_start`: the visits of one officer (either place on the crew), or
        with no officer named, an offender manager's own week and a sergeant's or team manager's
        whole team. Officers of the same team may see each other's week."""
        if actor.role not in (Role.OFFENDER_MANAGER.value, *PLANNERS) or actor.team_id is None:
            raise PermissionRefused(
                f"The {actor.role_label} role has no visit planner: visits are planned by "
                "offender managers, sergeants and team managers of a team."
            )
        last = week_start + dt.timedelta(days=6)
        with self._services.transaction() as session:
            officers = _officers(session)
            by_name = {o.username.casefold(): o for o in officers.values()}
            wanted: _Officer | None = None
            if officer_username:
                wanted = by_name.get(officer_username.strip().casefold())
                if wanted is None:
                    raise NotFound(f"There is no officer with the username {officer_username!r}.")
                if wanted.id != actor.officer_id and wanted.team_id != actor.team_id:
                    raise PermissionRefused(
                        f"Only officers of {wanted.team or 'their'} team can see "
                        f"{wanted.name}'s visits; you are in {actor.team_name} team."
                    )
            elif actor.role == Role.OFFENDER_MANAGER.value:
                wanted = officers[actor.officer_id]
            team_id = wanted.team_id if wanted is not None else actor.team_id
            stmt = select(Visit).where(
                Visit.planned_at >= start_of_day(week_start),
                Visit.planned_at < start_of_day(last + dt.timedelta(days=1)),
            )
            if wanted is not None:
                stmt = stmt.where(
                    or_(Visit.officer1_id == wanted.id, Visit.officer2_id == wanted.id)
                )
            else:
                stmt = stmt.join(Offender, Offender.id == Visit.offender_id).where(
                    Offender.team_id == team_id
                )
            visits = list(session.scalars(stmt.order_by(Visit.planned_at, Visit.id)))
            teams = _offender_teams(session, {v.offender_id for v in visits})
            visits = [  # another team's offender only when the asking officer is on the crew
                v
                for v in visits
                if can_read_offender(actor.role, actor.team_id, teams[v.offender_id])
                or actor.officer_id in (v.officer1_id, v.officer2_id)
            ]
            views = _views(session, actor, visits, self._services.today(), self._services.now())
            team_officers = [o for o in officers.values() if o.team_id == team_id and o.active]
            off = _absences(session, week_start, last, [o.id for o in team_officers])
        holidays = _holidays(week_start, last)
        days = []
        for n in range(7):
            day = week_start + dt.timedelta(days=n)
            days.append(
                DayPlan(
                    date=day,
                    bank_holiday=day in holidays,
                    off_duty=sorted(o.name for o in team_officers if day in off.get(o.id, {})),
                    visits=[v for v in views if v.at.date() == day],
                )
            )
        team_name = wanted.team if wanted is not None else actor.team_name
        return WeekPlan(
            week_start=week_start,
            officer=wanted.username if wanted is not None else None,
            team=team_name,
            days=days,
        )

    def crew_choices(self, actor: Actor, offender_id: int, day: dt.date) -> list[CrewChoice]:
        """The officers of the offender's team who could crew a visit on `day`, the manager
        first, then offender managers, sergeants and the team manager, each saying whether they
        are on duty and how many visits they already have that day."""
        with self._services.transaction() as session:
            subject = load_subject(session, offender_id)
            require_read(actor, subject)
            officers = [
                o
                for o in _officers(session).values()
                if o.team_id == subject.team_id and o.active and o.role in CREW_ROLES
            ]
            off = _absences(session, day, day, [o.id for o in officers])
            counts = _visit_counts(session, day, [o.id for o in officers])
        order = {Role.OFFENDER_MANAGER.value: 0, Role.SERGEANT.value: 1, Role.TEAM_MANAGER.value: 2}
        officers.sort(key=lambda o: (o.id != subject.manager_id, order.get(o.role, 3), o.name))
        return [
            CrewChoice(
                username=o.username,
                name=o.name,
                role=o.role,
                team=o.team,
                on_duty=day not in off.get(o.id, {}),
                absence=off.get(o.id, {}).get(day, ""),
                visits_that_day=counts.get(o.id, 0),
                is_manager=o.id == subject.manager_id,
            )
            for o in officers
        ]

    # -- planning ---------------------------------------------------------------------------------

    def plan(self, actor: Actor, offender_id: int, edit: VisitEdit) -> int:
        """Plan a visit to the offender; returns the new visit's id (see the module's checks)."""
        with self._services.transaction() as session:
            subject = load_subject(session, offender_id)
            _require_planner(actor, subject)
            offender = session.get(Offender, offender_id)
            assert offender is not None
            if offender.status != OffenderStatus.COMMUNITY:
                raise ServiceError(
                    f"{subject.reference} is in {offender.status.label}: a home visit cannot be "
                    "planned until they are back in the community."
                )
            # Two desktops planning at the same moment queue here (SQLite's write lock; the
            # offender's row on PostgreSQL), so the second finds the first's visit.
            take_write_lock(session)
            session.scalar(select(Offender.id).where(Offender.id == offender_id).with_for_update())
            existing = session.scalars(
                select(Visit)
                .where(
                    Visit.offender_id == offender_id,
                    Visit.outcome == VisitOutcome.PLANNED,
                    Visit.planned_at >= self._services.now(),
                )
                .order_by(Visit.planned_at)
                .limit(1)
            ).first()
            if existing is not None:
                raise ServiceError(
                    f"{subject.reference} already has a visit planned for "
                    f"{existing.planned_at.astimezone(LONDON):%d/%m/%Y at %H:%M}; move that visit "
                    "instead of planning a second."
                )
            today = self._services.today()
            case = gather_cases(session, today, Offender.id == offender_id)[offender_id]
            window = visit_window(case.facts(), today, visit_policy(session))
            checked = self._check_plan(session, case, edit, window_of(window), None)
            visit = Visit(
                offender_id=offender_id,
                planned_at=checked.at.astimezone(dt.UTC),
                window_start=window.start if window else None,
                window_end=window.end if window else None,
                outside_window_reason=checked.outside_window_reason,
                officer1_id=checked.officer1.id,
                officer2_id=checked.officer2.id,
                announced=edit.announced,
                announced_reason=checked.announced_reason,
                purpose=window.purpose if window else "routine",
                outcome=VisitOutcome.PLANNED,
                record_state=ApprovalState.DRAFT,
                planned_by_id=actor.officer_id,
                created_at=self._services.now(),
                updated_by_id=actor.officer_id,
            )
            session.add(visit)
            session.flush()
            self._services.audit.record(
                session,
                actor,
                "visit_planned",
                entity_type="visit",
                entity_id=visit.id,
                offender_id=offender_id,
                detail={
                    "at": checked.at.isoformat(),
                    "officers": [checked.officer1.username, checked.officer2.username],
                    "announced": edit.announced,
                    **({"announced_reason": checked.announced_reason} if edit.announced else {}),
                    **(
                        {"outside_window_reason": checked.outside_window_reason}
                        if checked.outside_window_reason
                        else {}
                    ),
                },
            )
            return visit.id

    def move(self, actor: Actor, edit: VisitEdit) -> None:
        """Change a planned visit's day, time, crew or announcement (same checks as planning)."""
        if edit.visit_id is None:
            raise NotFound("Choose the visit to move.")
        visit_id = edit.visit_id
        try:
            with self._services.transaction() as session:
                visit = _visit(session, visit_id)
                subject = load_subject(session, visit.offender_id)
                _require_planner(actor, subject)
                check_version(session, visit, edit.expected_version, "visit")
                _require_planned(visit, "moved")
                today = self._services.today()
                case = gather_cases(session, today, Offender.id == visit.offender_id)[
                    visit.offender_id
                ]
                window = (visit.window_start, visit.window_end)
                if window == (None, None):
                    current = visit_window(case.facts(), today, visit_policy(session))
                    window = window_of(current)
                checked = self._check_plan(session, case, edit, window, visit.id)
                before = _snapshot(session, visit)
                visit.planned_at = checked.at.astimezone(dt.UTC)
                visit.officer1_id = checked.officer1.id
                visit.officer2_id = checked.officer2.id
                visit.announced = edit.announced
                visit.announced_reason = checked.announced_reason
                visit.outside_window_reason = checked.outside_window_reason
                now = self._services.now()
                stamp(visit, actor, now)
                session.flush()
                after = _snapshot(session, visit)
                changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
                self._services.audit.record(
                    session,
                    actor,
                    "visit_moved",
                    entity_type="visit",
                    entity_id=visit.id,
                    offender_id=visit.offender_id,
                    detail={"changes": changes},
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Visit, visit_id, "visit") from None

    def cancel(
        self, actor: Actor, visit_id: int, expected_version: int | None, reason: str
    ) -> None:
        """Withdraw a planned visit with a reason. A cancelled plan is not a visit record: it is
        never submitted for approval, and the offender is due a visit again."""
        try:
            with self._services.transaction() as session:
                visit = _visit(session, visit_id)
                subject = load_subject(session, visit.offender_id)
                _require_planner(actor, subject)
                check_version(session, visit, expected_version, "visit")
                _require_planned(visit, "cancelled")
                form = Form()
                text = form.text(
                    "reason",
                    reason,
                    max_length=REASON_MAX,
                    required=True,
                    multiline=True,
                    label="reason for cancelling",
                )
                raise_if_invalid(form)
                visit.outcome = VisitOutcome.CANCELLED
                visit.notes = text
                stamp(visit, actor, self._services.now())
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "visit_cancelled",
                    entity_type="visit",
                    entity_id=visit.id,
                    offender_id=visit.offender_id,
                    detail={"at": visit.planned_at.astimezone(LONDON).isoformat(), "reason": text},
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Visit, visit_id, "visit") from None

    # -- recording --------------------------------------------------------------------------------

    def record_outcome(self, actor: Actor, visit_id: int, edit: OutcomeEdit) -> None:
        """Record what happened: outcome, time, the two officers present, home circumstances,
        children present and notes. The record stays a draft until `submit_record`.

        Children present is the safeguarding hook: a visit that saw children needs a PPN decision
        before its record can be submitted (`submit_record`). Recording the outcome never
        touches the decision: one recorded stays when children present changes to no, and a
        change to yes asks for nothing until the record is submitted."""
        try:
            with self._services.transaction() as session:
                visit = _visit(session, visit_id)
                subject = load_subject(session, visit.offender_id)
                _require_visit_read(actor, subject, visit)
                check_version(session, visit, edit.expected_version, "visit")
                if not _record_open(visit):
                    raise ServiceError(_not_recordable(visit))
                officers = _officers(session)
                by_name = {o.username.casefold(): o for o in officers.values()}
                now = self._services.now()
                form = Form()
                outcome = form.choice("outcome", edit.outcome, OUTCOME_CHOICES)
                day = form.date(
                    "occurred_date",
                    edit.occurred_date,
                    required=True,
                    not_after=self._services.today(),
                    label="date of the visit",
                )
                time = _parse_time(form, "occurred_time", edit.occurred_time, "time of the visit")
                at = london_datetime(day, time) if day is not None and time is not None else None
                if at is not None and at > now + dt.timedelta(minutes=5):
                    form.add(
                        "occurred_time", "The visit cannot be recorded as happening later than now."
                    )
                crew = _crew_fields(form, by_name, edit.officer1, edit.officer2)
                if day is not None and crew is not None:
                    off = _absences(session, day, day, [c.id for c in crew])
                    for name, officer in zip(("officer1", "officer2"), crew, strict=True):
                        kind = off.get(officer.id, {}).get(day)
                        if kind:
                            form.add(
                                name,
                                f"{officer.name} is recorded as off duty ({kind}) on "
                                f"{day:%d/%m/%Y}; name the officers who were there.",
                            )
                completed = outcome == VisitOutcome.COMPLETED.value
                home = form.text(
                    "home_circumstances",
                    edit.home_circumstances,
                    max_length=HOME_MAX,
                    required=completed,
                    multiline=True,
                    label="home circumstances",
                )
                children: bool | None = None
                typed = clean_text(edit.children_present)
                if typed or completed:
                    if not typed:
                        form.add(
                            "children_present",
                            "Say whether children were present: yes or no.",
                        )
                    else:
                        children = form.choice("children_present", typed, CHILDREN_CHOICES) == "yes"
                notes = form.text(
                    "notes",
                    edit.notes,
                    max_length=NOTES_MAX,
                    required=outcome not in ("", VisitOutcome.COMPLETED.value),
                    multiline=True,
                    label="notes saying what happened",
                )
                # who may record is decided by the crew as stored, never the crew just typed
                allowed = {visit.officer1_id, visit.officer2_id, subject.manager_id}
                if actor.officer_id not in allowed:
                    raise PermissionRefused(
                        "Only an officer on the visit's crew or the offender's manager can "
                        f"record the outcome of a visit to {subject.reference}."
                    )
                if (
                    crew is not None
                    and actor.officer_id not in {c.id for c in crew}
                    and actor.officer_id != subject.manager_id
                ):
                    form.add(
                        "officer1",
                        "An officer on the crew who records the outcome must be one of the two "
                        "officers present; only the offender's manager may record a visit they "
                        "were not on (four eyes: the record's author cannot approve it).",
                    )
                raise_if_invalid(form)
                assert at is not None and crew is not None
                before = _snapshot(session, visit)
                visit.outcome = VisitOutcome(outcome)
                visit.occurred_at = at.astimezone(dt.UTC)
                visit.officer1_id, visit.officer2_id = crew[0].id, crew[1].id
                visit.home_circumstances = home
                visit.children_present = children
                visit.notes = notes
                visit.record_state = ApprovalState.DRAFT
                stamp(visit, actor, now)
                session.flush()
                after = _snapshot(session, visit)
                changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
                self._services.audit.record(
                    session,
                    actor,
                    "visit_outcome_recorded",
                    entity_type="visit",
                    entity_id=visit.id,
                    offender_id=visit.offender_id,
                    detail={"changes": changes},
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Visit, visit_id, "visit") from None

    def record_no_ppn_needed(
        self, actor: Actor, visit_id: int, expected_version: int | None, reason: str
    ) -> None:
        """Record that the visit needs no PPN, and why (issue #7, item 4: a visit that saw
        children is not closed silently; `desktop.rules.visit_closing`).

        Who may: as for recording the outcome, an officer on the crew or the offender's manager,
        once the outcome is recorded and while the record is open (a draft, or returned), as for
        raising a PPN from the visit. The reason is required, a few words at least, and refused
        like all free text when it holds bank, card or passport details.

        The later choice wins: this replaces a PPN raised earlier (the PPN itself stays), and a
        PPN raised later replaces this; the audit (`visit_ppn_decision` here, `ppn_raised`
        there) keeps each with what it replaced. "PPN raised" is never recorded here: raising a
        PPN from the visit (`PpnService.raise_`) sets it."""
        try:
            with self._services.transaction() as session:
                visit = _visit(session, visit_id)
                subject = load_subject(session, visit.offender_id)
                _require_on_record(actor, subject, visit, "record the PPN decision for")
                check_version(session, visit, expected_version, "visit")
                if not _record_open(visit):
                    raise ServiceError(_not_recordable(visit))
                if visit.outcome == VisitOutcome.PLANNED or visit.occurred_at is None:
                    raise ServiceError(
                        "Record the outcome of the visit before recording that no PPN is needed. "
                        "Nothing was saved."
                    )
                form = Form()
                text = form.text(
                    "reason",
                    reason,
                    max_length=NO_PPN_REASON_MAX,
                    required=True,
                    multiline=True,
                    label="reason no PPN is needed",
                )
                if text and len(text.split()) < NO_PPN_REASON_MIN_WORDS:
                    form.add(
                        "reason",
                        "Say in a few words why no PPN is needed: who the children were with "
                        "and why they are not at risk.",
                    )
                raise_if_invalid(form)
                before = {
                    "decision": visit.ppn_decision.value if visit.ppn_decision else None,
                    "reason": visit.ppn_decision_reason or "",
                }
                visit.ppn_decision = PpnDecision.NO_PPN_NEEDED
                visit.ppn_decision_reason = text
                stamp(visit, actor, self._services.now())
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "visit_ppn_decision",
                    entity_type="visit",
                    entity_id=visit.id,
                    offender_id=visit.offender_id,
                    detail={
                        "decision": PpnDecision.NO_PPN_NEEDED.value,
                        "reason": text,
                        "before": before,
                    },
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Visit, visit_id, "visit") from None

    def submit_record(self, actor: Actor, visit_id: int, expected_version: int | None) -> int:
        """Send a recorded visit to the sergeant: record state submitted and a visit-approval task
        for the manager's sergeant (else a sergeant of the team, else its team manager), due in
        `approval_due_working_days` working days. Returns the task's id.

        Refused while the visit saw children and has no PPN decision (issue #7, item 4:
        `desktop.rules.visit_closing`), saying what to do."""
        try:
            with self._services.transaction() as session:
                visit = _visit(session, visit_id)
                subject = load_subject(session, visit.offender_id)
                _require_on_record(actor, subject, visit, "submit the record of")
                check_version(session, visit, expected_version, "visit")
                if visit.outcome == VisitOutcome.PLANNED or visit.occurred_at is None:
                    raise ServiceError(
                        "Record the outcome of the visit before sending it for approval."
                    )
                if visit.record_state not in (ApprovalState.DRAFT, ApprovalState.RETURNED):
                    raise ServiceError(_not_recordable(visit))
                refusal = closing_refusal(visit, has_linked_ppn(session, visit.id))
                if refusal is not None:
                    raise ServiceError(f"{refusal} Nothing was submitted.")
                offender = session.get(Offender, visit.offender_id)
                assert offender is not None
                task = submit_for_approval(
                    self._services,
                    session,
                    actor,
                    offender,
                    visit,
                    state_column="record_state",
                    kind=TaskKind.VISIT_APPROVAL,
                    subject_type="visit",
                    what="visit record",
                    action="visit_record_submitted",
                    detail={"outcome": visit.outcome.value},
                )
                return task.id
        except StaleDataError:
            raise conflict_after_race(self._services, Visit, visit_id, "visit") from None

    # -- the scheduler ----------------------------------------------------------------------------

    def schedule(
        self,
        start: dt.date,
        weeks: int,
        seed: int,
        *,
        persist: bool = True,
        actor: Actor | None = None,
    ) -> scheduler_rules.SchedulePlan:
        """Plan the next visit of every offender whose window opens by the end of the period
        (`weeks` weeks from `start`), force-wide. With `persist`, the planned visits are saved and
        one audit row sums up the run; without, nothing is written (a dry run, and what the
        benchmark times). Re-running never duplicates: an offender with a visit planned on or
        after `start` is not planned again, and that visit counts toward the daily limits."""
        if weeks < 1 or weeks > 26:
            raise ServiceError(f"Plan between 1 and 26 weeks at a time, not {weeks}.")
        if actor is not None and actor.role not in PLANNERS:
            raise PermissionRefused(
                "Only a sergeant or team manager runs the visit scheduler for the force."
            )
        today = self._services.today()
        if persist and start < today:
            raise ServiceError(
                f"Visits cannot be planned in the past: the plan starts on {start:%d/%m/%Y}, "
                f"before today ({today:%d/%m/%Y})."
            )
        end = start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
        with self._services.transaction() as session:
            inputs = self.schedule_inputs(session, start, end)
            plan = inputs.plan(seed)
            problems = inputs.check(plan)
            if problems:
                # a guard against a bug in the scheduler: never save a plan that breaks a rule
                raise ServiceError(
                    f"The scheduler broke {len(problems)} rule(s), so nothing was saved; first: "
                    f"{problems[0]}. Please report this."
                )
            if persist:
                new_ids = self._save(session, actor, plan) if plan.planned else []
                self._services.audit.record(
                    session,
                    actor,
                    "visits_scheduled",
                    entity_type="visit",
                    detail=_run_detail(plan, start, end, seed, new_ids),
                    username="" if actor is not None else "pillars schedule",
                )
        return plan

    def schedule_inputs(self, session: Session, start: dt.date, end: dt.date) -> ScheduleInputs:
        """Everything the scheduler needs for the days from `start` to `end`, force-wide: one
        request per offender whose window opens by the period's last visit day (or ends inside
        the period) and who has no visit planned from `start` on; the officers who crew visits
        (offender managers and sergeants of a team) with their days off; the visits already
        planned in the period; and the policy values."""
        cases = gather_cases(session, start, None)
        policy = visit_policy(session)
        officers = _officers(session)
        crew = [
            o
            for o in officers.values()
            if o.active
            and o.team_id is not None
            and o.role in (Role.OFFENDER_MANAGER.value, Role.SERGEANT.value)
        ]
        off = _absences(session, start, end, [o.id for o in crew])
        duties = [
            scheduler_rules.OfficerDuty(o.username, o.team, o.role, frozenset(off.get(o.id, {})))
            for o in crew
        ]
        holidays = _holidays(start, end)
        last_day = scheduler_rules.last_visit_day(start, end, holidays)
        requests = []
        for case in cases.values():
            if case.planned:
                continue
            window = visit_window(case.facts(), start, policy)
            if window is None or window.start > end:
                continue
            if window.start > last_day and window.end > end:
                continue  # opens on the plan's last days, none a visit day: the next run's

            requests.append(
                scheduler_rules.VisitRequest(
                    offender_ref=case.reference,
                    offender_id=case.offender_id,
                    window_start=window.start,
                    window_end=window.end,
                    manager=case.manager_username,
                    team=case.team,
                    previous=case.previous_pattern(),
                    postcode_district=postcode_district(case.postcode),
                    purpose=window.purpose,
                )
            )
        now = self._services.now()
        return ScheduleInputs(
            requests=requests,
            officers=duties,
            already_planned=_planned_in(session, officers, start, end),
            start=start,
            end=end,
            daily_limit=policy_int(session, "visits_per_officer_per_day"),
            evening_share=evening_share(session),
            bank_holidays=holidays,
            earliest=now if start <= self._services.today() else None,
        )

    def _save(
        self, session: Session, actor: Actor | None, plan: scheduler_rules.SchedulePlan
    ) -> list[int]:
        """Insert the planned visits in one statement; their new ids, in order."""
        ids = {
            username: officer_id
            for officer_id, username in session.execute(select(Officer.id, Officer.username))
        }
        now = self._services.now()
        planner = actor.officer_id if actor is not None else None
        rows = [
            {
                "offender_id": v.offender_id,
                "planned_at": v.at.astimezone(dt.UTC),
                "window_start": v.window_start,
                "window_end": v.window_end,
                "outside_window_reason": v.outside_window_reason,
                "officer1_id": ids[v.officers[0]],
                "officer2_id": ids[v.officers[1]],
                "announced": False,
                "announced_reason": "",
                "purpose": v.purpose,
                "outcome": VisitOutcome.PLANNED,
                "record_state": ApprovalState.DRAFT,
                "planned_by_id": planner,
                "created_at": now,
                "updated_at": now,
                "updated_by_id": planner,
                "version": 1,
            }
            for v in plan.planned
        ]
        return sorted(session.scalars(insert(Visit).returning(Visit.id), rows))

    # -- calendar export --------------------------------------------------------------------------

    def export(
        self, officer_username: str, *, start: dt.date | None = None, actor: Actor | None = None
    ) -> VisitExport:
        """The officer's planned visits from `start` (default today) as an iCalendar file, with
        how many there are (see `desktop.services.visit_export`)."""
        from desktop.services.visit_export import export_visits

        return export_visits(self._services, officer_username, start=start, actor=actor)

    def export_ics(
        self, officer_username: str, *, start: dt.date | None = None, actor: Actor | None = None
    ) -> bytes:
        """`export`'s .ics bytes alone."""
        return self.export(officer_username, start=start, actor=actor).data

    # -- checks -----------------------------------------------------------------------------------

    def _check_plan(
        self,
        session: Session,
        case: Case,
        edit: VisitEdit,
        window: tuple[dt.date | None, dt.date | None],
        visit_id: int | None,
    ) -> _Checked:
        now = self._services.now()
        officers = _officers(session)
        by_name = {o.username.casefold(): o for o in officers.values()}
        form = Form()
        day = form.date("date", edit.date, required=True, label="date of the visit")
        if day is not None and day < self._services.today():
            form.add("date", f"{day:%d/%m/%Y} has already passed; plan the visit from today on.")
            day = None
        time = _parse_time(form, "time", edit.time, "time of the visit")
        if time is not None and not EARLIEST_VISIT <= time <= LATEST_VISIT:
            form.add(
                "time",
                f"Plan a home visit between {EARLIEST_VISIT:%H:%M} and {LATEST_VISIT:%H:%M}.",
            )
        at = london_datetime(day, time) if day is not None and time is not None else None
        if at is not None and at <= now and not form.has("time"):
            form.add("time", f"{at:%H:%M} on {at:%d/%m/%Y} has already passed.")
        crew = _crew_fields(form, by_name, edit.officer1, edit.officer2)
        announced_reason = form.text(
            "announced_reason",
            edit.announced_reason if edit.announced else "",
            max_length=REASON_MAX,
            required=edit.announced,
            multiline=True,
            label="reason the visit is announced",
        )
        outside_reason = form.text(
            "outside_window_reason",
            edit.outside_window_reason,
            max_length=REASON_MAX,
            multiline=True,
            label="reason for planning outside the window",
        )
        if day is not None and at is not None:
            start, end = window
            outside = (start is not None and day < start) or (end is not None and day > end)
            holidays = _holidays(day, day)
            if outside and not outside_reason and not form.has("outside_window_reason"):
                form.add(
                    "outside_window_reason",
                    f"{day:%d/%m/%Y} is outside the visit window "
                    f"({_shown(start)} to {_shown(end)}); choose a day inside it or give the "
                    "reason.",
                )
            elif (
                (day in holidays or day.weekday() not in scheduler_rules.VISIT_WEEKDAYS)
                and not outside_reason
                and not form.has("outside_window_reason")
            ):
                what = "a bank holiday" if day in holidays else "a Sunday"
                form.add(
                    "outside_window_reason",
                    f"{day:%d/%m/%Y} is {what}, when visits are not normally made; choose "
                    "another day or give the reason.",
                )
            if not edit.announced and not form.has("time"):
                previous = case.previous_pattern()
                if previous is not None and previous == (day.weekday(), band_of(at.time())):
                    form.add(
                        "time",
                        f"The previous visit to {case.reference} was on a "
                        f"{describe_pattern(previous)}; choose another day or time band so that "
                        "the pattern cannot be predicted.",
                    )
        if day is not None and at is not None and crew is not None:
            _check_crew_day(session, form, crew, day, at, visit_id)
        raise_if_invalid(form)
        assert at is not None and crew is not None
        return _Checked(at, crew[0], crew[1], announced_reason, outside_reason)


@dataclass(frozen=True)
class ScheduleInputs:
    """What one scheduler run works from (see `VisitService.schedule_inputs`)."""

    requests: list[scheduler_rules.VisitRequest]
    officers: list[scheduler_rules.OfficerDuty]
    already_planned: list[scheduler_rules.PlannedVisit]
    start: dt.date
    end: dt.date
    daily_limit: int
    evening_share: float
    bank_holidays: frozenset[dt.date]
    earliest: dt.datetime | None  # now, when the plan starts today

    def plan(self, seed: int) -> scheduler_rules.SchedulePlan:
        return scheduler_rules.plan_visits(
            self.requests,
            self.officers,
            start=self.start,
            end=self.end,
            seed=seed,
            daily_limit=self.daily_limit,
            evening_share=self.evening_share,
            bank_holidays=self.bank_holidays,
            already_planned=self.already_planned,
            earliest=self.earliest,
        )

    def check(self, plan: scheduler_rules.SchedulePlan) -> list[str]:
        """Every rule `plan` breaks (none, unless the scheduler has a bug)."""
        return scheduler_rules.check_plan(
            plan,
            self.requests,
            self.officers,
            daily_limit=self.daily_limit,
            bank_holidays=self.bank_holidays,
            already_planned=self.already_planned,
        )


@dataclass(frozen=True)
class _Checked:
    """A VisitEdit with every field checked: the moment of the visit (Europe/London), the two
    officers, and the reasons given for an announced visit or one outside its window."""

    at: dt.datetime
    officer1: _Officer
    officer2: _Officer
    announced_reason: str
    outside_window_reason: str


def window_of(window: VisitWindow | None) -> tuple[dt.date | None, dt.date | None]:
    return (window.start, window.end) if window is not None else (None, None)


def _shown(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day is not None else "open"


def _parse_time(form: Form, name: str, text: str, label: str) -> dt.time | None:
    value = clean_text(text)
    if not value:
        form.add(name, f"Enter the {label} as HH:MM, for example 18:30.")
        return None
    match = _TIME.fullmatch(value)
    if match is None:
        form.add(
            name, f"“{excerpt(value, 12)}” is not a time: enter the {label} as HH:MM, e.g. 18:30."
        )
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        form.add(name, f"“{value}” is not a time of day: use the 24-hour clock, 00:00 to 23:59.")
        return None
    return dt.time(hour, minute)


def _crew_fields(
    form: Form, by_name: dict[str, _Officer], first: str, second: str
) -> tuple[_Officer, _Officer] | None:
    crew: list[_Officer] = []
    for name, typed, which in (("officer1", first, "first"), ("officer2", second, "second")):
        value = clean_text(typed)
        if not value:
            form.add(name, f"Choose the {which} officer: every visit is double crewed.")
            continue
        officer = by_name.get(value.casefold())
        if officer is None:
            form.add(name, f"There is no officer with the username “{excerpt(value, 40)}”.")
        elif not officer.active:
            form.add(name, f"{officer.name} no longer has an active account.")
        elif officer.team_id is None or officer.role not in CREW_ROLES:
            form.add(
                name,
                f"{officer.name} is {_article(officer.role.replace('_', ' '))} and does not "
                "crew home visits.",
            )
        else:
            crew.append(officer)
    if len(crew) == 2 and crew[0].id == crew[1].id:
        form.add(
            "officer2",
            "The two officers must be different people: every visit is double crewed.",
        )
        return None
    return (crew[0], crew[1]) if len(crew) == 2 else None


def _check_crew_day(
    session: Session,
    form: Form,
    crew: tuple[_Officer, _Officer],
    day: dt.date,
    at: dt.datetime,
    visit_id: int | None,
) -> None:
    """Both on duty that day, under the daily limit, and not on another visit within the hour."""
    off = _absences(session, day, day, [c.id for c in crew])
    limit = policy_int(session, "visits_per_officer_per_day")
    # a visit already recorded counts at the time it happened, a planned one at its plan
    start, end = start_of_day(day), start_of_day(day + dt.timedelta(days=1))
    others = [
        (visit_id, when, first, second)
        for visit_id, planned, occurred, first, second in _crew_visits(
            session, [c.id for c in crew], day
        )
        if start <= (when := occurred or planned) < end
    ]
    for name, officer in zip(("officer1", "officer2"), crew, strict=True):
        kind = off.get(officer.id, {}).get(day)
        if kind:
            form.add(name, f"{officer.name} is off duty ({kind}) on {day:%d/%m/%Y}.")
            continue
        theirs = [row for row in others if row[0] != visit_id and officer.id in (row[2], row[3])]
        if len(theirs) >= limit:
            form.add(
                name,
                f"{officer.name} already has {len(theirs)} visits on {day:%d/%m/%Y}, the most "
                "one officer is planned for in a day.",
            )
            continue
        for row in theirs:
            gap = abs((row[1] - at).total_seconds()) / 60
            if gap < CLASH_MINUTES:
                form.add(
                    name,
                    f"{officer.name} has another visit at "
                    f"{row[1].astimezone(LONDON):%H:%M} that day; leave at least an hour "
                    "between visits.",
                )
                break


def _article(words: str) -> str:
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def _require_visit_read(actor: Actor, subject: OffenderSubject, visit: Visit) -> None:
    """An officer on the crew may see (and record) the visit even when it is another team's
    offender; anyone else needs to be able to open the offender's record."""
    if actor.officer_id in (visit.officer1_id, visit.officer2_id):
        return
    require_read(actor, subject)


def _offender_teams(session: Session, offender_ids: set[int]) -> dict[int, int]:
    if not offender_ids:
        return {}
    return dict(
        session.execute(  # type: ignore[arg-type]
            select(Offender.id, Offender.team_id).where(Offender.id.in_(offender_ids))
        ).all()
    )


def _require_planner(actor: Actor, subject: OffenderSubject) -> None:
    require_read(actor, subject)
    if actor.role == Role.OFFENDER_MANAGER.value and subject.manager_id == actor.officer_id:
        return
    if actor.role in PLANNERS and actor.team_id == subject.team_id:
        return
    managed = (
        f"managed by {subject.manager_name}"
        if subject.manager_id is not None
        else "not allocated to an offender manager"
    )
    raise PermissionRefused(
        f"Only the offender's manager, or a sergeant or team manager of {subject.team_name} "
        f"team, can plan, move or cancel visits to {subject.reference}, who is {managed}."
    )


def _may_plan(actor: Actor | None, subject_team: int, manager_id: int | None) -> bool:
    if actor is None:
        return False
    if actor.role == Role.OFFENDER_MANAGER.value:
        return manager_id == actor.officer_id
    return actor.role in PLANNERS and actor.team_id == subject_team


def _require_on_record(actor: Actor, subject: OffenderSubject, visit: Visit, doing: str) -> None:
    """Recording a visit (its outcome, its PPN decision, its submission) is for an officer on
    the crew as stored or the offender's manager."""
    _require_visit_read(actor, subject, visit)
    if actor.officer_id not in {visit.officer1_id, visit.officer2_id, subject.manager_id}:
        raise PermissionRefused(
            "Only an officer on the visit's crew or the offender's manager can "
            f"{doing} a visit to {subject.reference}."
        )


def _record_open(visit: Visit) -> bool:
    """The visit's record can still be written: a draft or returned, and not a plan cancelled
    before it happened."""
    return visit.record_state in (ApprovalState.DRAFT, ApprovalState.RETURNED) and not (
        visit.outcome == VisitOutcome.CANCELLED and visit.occurred_at is None
    )


def _require_planned(visit: Visit, verb: str) -> None:
    if visit.outcome != VisitOutcome.PLANNED:
        raise ServiceError(
            f"This visit is {visit.outcome.label}, no longer planned, so it cannot be {verb}."
        )


def _not_recordable(visit: Visit) -> str:
    if visit.outcome == VisitOutcome.CANCELLED and visit.occurred_at is None:
        return "This visit was cancelled before it happened; plan a new visit instead."
    return (
        f"This visit record is {visit.record_state.label}; it can no longer be changed "
        "unless the sergeant returns it."
    )


def _visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"There is no visit number {visit_id}.")
    return visit


def _visits_by_id(session: Session, ids: Iterable[int]) -> list[Visit]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(session.scalars(select(Visit).where(Visit.id.in_(wanted))))


def _visit_counts(session: Session, day: dt.date, officer_ids: list[int]) -> dict[int, int]:
    start, end = start_of_day(day), start_of_day(day + dt.timedelta(days=1))
    counts: dict[int, int] = defaultdict(int)
    for _id, planned, _occurred, first, second in _crew_visits(session, officer_ids, day):
        if start <= planned < end:
            for officer_id in {first, second}:
                if officer_id in officer_ids:
                    counts[officer_id] += 1
    return dict(counts)


def _crew_visits(
    session: Session, officer_ids: list[int], day: dt.date
) -> list[tuple[int, dt.datetime, dt.datetime | None, int | None, int | None]]:
    """(id, planned at, occurred at, officer 1, officer 2) of every visit not cancelled, planned
    or held on `day`, with one of the officers on its crew, whichever team's offender it is: the
    duty rules count them all. On PostgreSQL through `pillars_crew_visits` (migration 0004),
    since an officer's own database role reads only the visits of offenders they may read; the
    function answers an officer who plans visits (or reads the force), for one day at most."""
    start, end = start_of_day(day), start_of_day(day + dt.timedelta(days=1))
    query: Any = (
        text(
            "SELECT id, planned_at, occurred_at, officer1_id, officer2_id "
            "FROM pillars_crew_visits(CAST(:ids AS bigint[]), :starts, :ends)"
        )
        if session.get_bind().dialect.name == "postgresql"
        else select(
            Visit.id, Visit.planned_at, Visit.occurred_at, Visit.officer1_id, Visit.officer2_id
        ).where(
            Visit.outcome != VisitOutcome.CANCELLED,
            or_(Visit.officer1_id.in_(officer_ids), Visit.officer2_id.in_(officer_ids)),
            or_(
                (Visit.planned_at >= start) & (Visit.planned_at < end),
                (Visit.occurred_at >= start) & (Visit.occurred_at < end),
            ),
        )
    )
    rows = session.execute(query, {"ids": officer_ids, "starts": start, "ends": end})
    return [(i, planned, occurred, first, second) for i, planned, occurred, first, second in rows]


def _planned_in(
    session: Session, officers: dict[int, _Officer], start: dt.date, end: dt.date
) -> list[scheduler_rules.PlannedVisit]:
    """Visits already planned in the period, as the scheduler counts them."""
    rows = session.execute(
        select(
            Visit.offender_id,
            Offender.reference,
            Visit.planned_at,
            Visit.officer1_id,
            Visit.officer2_id,
        )
        .join(Offender, Offender.id == Visit.offender_id)
        .where(
            Visit.outcome == VisitOutcome.PLANNED,
            Visit.planned_at >= start_of_day(start),
            Visit.planned_at < start_of_day(end + dt.timedelta(days=1)),
        )
    ).all()
    planned = []
    for offender_id, reference, at, first, second in rows:
        local = at.astimezone(LONDON)
        planned.append(
            scheduler_rules.PlannedVisit(
                offender_ref=reference,
                offender_id=offender_id,
                at=local,
                officers=(
                    officers[first].username if first in officers else str(first),
                    officers[second].username if second in officers else str(second),
                ),
                band=band_of(local.time()),
            )
        )
    return planned


def _run_detail(
    plan: scheduler_rules.SchedulePlan,
    start: dt.date,
    end: dt.date,
    seed: int,
    visit_ids: list[int],
) -> dict[str, Any]:
    evenings = sum(1 for v in plan.planned if v.band == EVENING)
    return {
        "from": start,
        "to": end,
        "seed": seed,
        "planned": len(plan.planned),
        "evening": evenings,
        "unplaceable": len(plan.unplaceable),
        "visit_ids": visit_ids,
    }


def _snapshot(session: Session, visit: Visit) -> dict[str, Any]:
    names = {
        row[0]: row[1]
        for row in session.execute(
            select(Officer.id, Officer.username).where(
                Officer.id.in_([visit.officer1_id, visit.officer2_id])
            )
        )
    }
    return {
        "at": visit.planned_at.astimezone(LONDON).isoformat() if visit.planned_at else None,
        "officers": [names.get(visit.officer1_id), names.get(visit.officer2_id)],
        "announced": visit.announced,
        "announced_reason": visit.announced_reason,
        "outside_window_reason": visit.outside_window_reason,
        "outcome": visit.outcome.value,
        "occurred_at": visit.occurred_at.astimezone(LONDON).isoformat()
        if visit.occurred_at
        else None,
        "home_circumstances": visit.home_circumstances[:200],
        "children_present": visit.children_present,
        "notes": visit.notes[:200],
        "record_state": visit.record_state.value,
    }


def _due_scope(actor: Actor | None) -> ColumnElement[bool] | None:
    if actor is None:
        return None
    if actor.role == Role.OFFENDER_MANAGER.value:
        return Offender.manager_id == actor.officer_id
    if actor.role in PLANNERS:
        return Offender.team_id == actor.team_id if actor.team_id is not None else false()
    raise PermissionRefused(
        f"The {actor.role_label} role has no visits due: visits are planned by offender "
        "managers, sergeants and team managers."
    )


def _views(
    session: Session,
    actor: Actor | None,
    visits: list[Visit],
    today: dt.date,
    now: dt.datetime | None = None,
) -> list[VisitView]:
    """Views of `visits`, with names, districts, the PPNs raised from them (their stage as at
    `now`, default the end of `today`) and what the asking officer may do."""
    if not visits:
        return []
    ppns = linked_ppns(
        session, [v.id for v in visits], now or start_of_day(today + dt.timedelta(days=1))
    )
    offender_ids = {v.offender_id for v in visits}
    offenders = {
        row[0]: row
        for row in session.execute(
            select(
                Offender.id,
                Offender.reference,
                Offender.forename,
                Offender.surname,
                Offender.team_id,
                Offender.manager_id,
            ).where(Offender.id.in_(offender_ids))
        )
    }
    postcodes: dict[int, str] = {}
    for offender_id, postcode in session.execute(
        select(Address.offender_id, Address.postcode)
        .where(
            Address.offender_id.in_(offender_ids),
            Address.kind == "home",
            Address.from_date <= today,
            (Address.to_date.is_(None)) | (Address.to_date >= today),
        )
        .order_by(Address.from_date, Address.id)
    ):
        postcodes[offender_id] = postcode
    officer_ids = {v.officer1_id for v in visits} | {v.officer2_id for v in visits}
    officer_ids |= {row[5] for row in offenders.values() if row[5] is not None}
    people = {
        row[0]: (row[1], f"{row[2]} {row[3]}")
        for row in session.execute(
            select(Officer.id, Officer.username, Officer.forename, Officer.surname).where(
                Officer.id.in_(officer_ids)
            )
        )
    }
    views = []
    for v in visits:
        offender = offenders[v.offender_id]
        first = people.get(v.officer1_id, ("?", "?"))
        second = people.get(v.officer2_id, ("?", "?"))
        at = v.planned_at.astimezone(LONDON)
        planned = v.outcome == VisitOutcome.PLANNED
        on_record = actor is not None and actor.officer_id in {
            v.officer1_id,
            v.officer2_id,
            offender[5],
        }
        open_record = _record_open(v)
        manager = people.get(offender[5], ("", ""))[0] if offender[5] is not None else ""
        blocked = closing_refusal(v, v.id in ppns) or ""
        views.append(
            VisitView(
                visit_id=v.id,
                version=v.version,
                offender_id=v.offender_id,
                reference=offender[1],
                name=f"{offender[2]} {offender[3]}",
                at=at,
                band=band_of(at.time()),
                officers=(first[0], second[0]),
                officer_names=(first[1], second[1]),
                announced=v.announced,
                announced_reason=v.announced_reason,
                outcome=v.outcome.value,
                record_state=v.record_state.value,
                postcode_district=postcode_district(postcodes.get(v.offender_id, "")),
                window_start=v.window_start,
                window_end=v.window_end,
                outside_window_reason=v.outside_window_reason,
                purpose=v.purpose,
                occurred_at=v.occurred_at.astimezone(LONDON) if v.occurred_at else None,
                home_circumstances=v.home_circumstances,
                children_present=v.children_present,
                notes=v.notes,
                return_comment=v.return_comment,
                manager=manager,
                can_change=planned and _may_plan(actor, offender[4], offender[5]),
                can_record=on_record and open_record,
                can_submit=on_record
                and open_record
                and not planned
                and v.occurred_at is not None
                and not blocked,
                ppn_decision=v.ppn_decision.value if v.ppn_decision is not None else None,
                ppn_decision_reason=v.ppn_decision_reason or "",
                ppns=ppns.get(v.id, ()),
                submit_blocked=blocked,
            )
        )
    views.sort(key=lambda view: (view.at, view.visit_id))
    return views
