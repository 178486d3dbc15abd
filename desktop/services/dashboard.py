"""The monthly performance dashboard (DESIGN section 3, "Management views"; issue #8 item 4).

Per team and per offender manager, for one calendar month: caseload against the benchmark,
visits due / done on time / overdue, ARMS and plan currency, approval and hub backlogs with
their age, PPN timeliness, notification breaches, and scrutiny findings over time. Every figure
can be traced to the records behind it (`trace`).

Who may read it: team managers (any team, and the force), sergeants (their own team only; the
force row is not theirs). Offender managers, hub officers and administrators are refused.
`actor=None` is the command line (`pillars dashboard`), which runs with the database's own
credentials and sees the whole force.

How the figures are made (each metric's `explains` says it in one sentence):

- A month is judged "as of" its last day, or today while it is still running. What the schema
  dates is reconstructed for that day: registration, ARMS and plan approvals (superseded versions
  are kept), task creation and completion, visits, PPN steps, notifications and findings. What it
  does not date is read as it is now, and the explanation says so: who manages an offender, the
  offender's team and status, and the risk level the visit cadence runs on.
- Every figure comes from the rule the rest of Pillars uses: visit windows and "overdue" from
  `visit_facts.visit_flags` (the caseload's and `pillars due`'s), statutory clocks from
  `due.clocks_for` and `due.breaches_for`, ARMS review dates from `rules.cadence`, the PPN
  deadline from `rules.ppn`, task ages in working days as the inbox counts them.
- Every metric is a list of items (the records behind it) read for the whole force in a handful
  of queries; a row's value is worked out from the items of its team or manager, so `trace`
  returns exactly the lines a figure was counted from: a count is the number of lines, a
  percentage the counted lines over all lines, an age the oldest line's age (lines oldest first).
- A manager's row holds what belongs to their offenders (tasks and backlogs on those offenders
  too); a team's row everything of the team's offenders, allocated or not (and hub tasks of the
  team with no offender); the force row everything.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, String, or_, select, type_coerce
from sqlalchemy.orm import Session

from db.enums import (
    ApprovalState,
    AssessmentKind,
    Role,
    TaskGroup,
    TaskKind,
    TaskState,
    VisitOutcome,
)
from db.models import (
    Notification,
    Offender,
    Officer,
    Ppn,
    RiskAssessment,
    RiskManagementPlan,
    ScrutinyItem,
    ScrutinyPack,
    Task,
    Team,
    Visit,
)
from desktop.rules import cadence
from desktop.rules import ppn as ppn_rules
from desktop.rules.breaches import PPN_RULES, end_of_london_day
from desktop.rules.workdays import working_days_between
from desktop.services.actor import Actor
from desktop.services.due import breaches_for, clocks_for
from desktop.services.errors import NotFound, PermissionRefused, ServiceError
from desktop.services.policy import policy_int
from desktop.services.visit_facts import london_day, start_of_day, visit_flags

if TYPE_CHECKING:
    from desktop.services.core import Services

Value = int | float | None  # None: nothing to measure (a percentage of nothing)

COMMAND_LINE = "pillars dashboard (command line)"
ALL_TEAMS = "All teams"
FINDINGS_MONTHS = 12
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Metric:
    """One figure of the monthly dashboard: its column heading, unit and one-sentence
    definition, and whether a higher value is the worse one (marked on screen and in the PDF)."""

    key: str  # stable: stored nowhere, but tests, the PDF and the screen use it
    label: str  # a short column heading, e.g. "Visits overdue"
    unit: str  # "" a count, "%" a percentage, "days" an age in working days
    # One sentence: what is counted, as of when (the screen's tooltip, the PDF's notes).
    explains: str
    higher_is_worse: bool = False  # caseload over benchmark, backlogs, breaches, overdue


@dataclass(frozen=True)
class DashboardRow:
    """One row of the dashboard (the force, a team or an offender manager): every metric's
    value by its key."""

    team_id: int | None  # None: the force row
    officer_id: int | None  # None: a team or the force row
    name: str  # the team's name, the officer's display name, or "Force"
    values: Mapping[str, Value]  # Metric.key -> value, every metric present


@dataclass(frozen=True)
class FindingsMonth:
    """Scrutiny findings entered in one month, for one team (or the force: team_id None)."""

    month: dt.date  # the month's first day
    team_id: int | None
    reviewed: int  # records whose findings were entered that month
    answers: Mapping[str, int]  # scrutiny.ANSWERS key ("yes", "partly", "no", ...) -> count
    actions_raised: int  # SCRUTINY_ACTION tasks created that month
    actions_open: int  # of those, still open on the dashboard's as_of day


@dataclass(frozen=True)
class Dashboard:
    """A month's dashboard as the screen and the PDF show it, for what the actor may see:
    the force row (team managers), team rows, manager rows and twelve months of findings."""

    month: dt.date  # the month's first day
    as_of: dt.date  # the month's last day, or today while the month is still running
    benchmark: int  # caseload benchmark (policy caseload_benchmark, 50)
    metrics: tuple[Metric, ...]  # in the order shown
    force: DashboardRow | None  # None for a sergeant
    teams: tuple[DashboardRow, ...]  # by team name
    managers: tuple[DashboardRow, ...]  # offender managers, by team name then name
    # The 12 months ending with `month`, oldest first; per team and for the force.
    findings: tuple[FindingsMonth, ...]
    made_at: dt.datetime  # UTC
    made_by: str  # the actor's display name, or "pillars dashboard (command line)"


@dataclass(frozen=True)
class TraceLine:
    """One record behind a figure."""

    offender_id: int | None  # None when the thing counted has no offender
    reference: str
    name: str
    team: str
    manager: str  # "" when unallocated
    when: dt.date | None  # the date that put it in the figure (due day, raised day, ...)
    detail: str  # one sentence: why it counts, e.g. "Home visit due 03/11/2026, done 05/11/2026"
    counted: bool = True  # for a percentage: in the numerator (False: only in the denominator)


# -- the metrics ------------------------------------------------------------------------------

NOW_NOTE = "allocation and team as they are now"

METRICS: tuple[Metric, ...] = (
    Metric(
        "caseload",
        "Caseload",
        "",
        "Offenders registered on the month's last day (today while it runs) whose notification "
        f"period had not ended: a manager's allocated ones, a team's all ({NOW_NOTE}).",
    ),
    Metric(
        "over_benchmark",
        "Over benchmark",
        "",
        "Offenders beyond the caseload benchmark: a manager's caseload less the benchmark (0 when "
        "under it), summed over the managers for a team or the force; the trace lists the most "
        "recently registered.",
        higher_is_worse=True,
    ),
    Metric(
        "visits_due",
        "Visits due",
        "",
        "Home visits falling due in the month, by the visit windows as they stood when the month "
        "began (risk level, status and reactive management as they are now).",
    ),
    Metric(
        "visits_on_time",
        "Visits on time",
        "",
        "Of the visits due in the month, those done (a completed home visit) on or before the "
        "day they were due.",
    ),
    Metric(
        "visits_overdue",
        "Visits overdue",
        "",
        "Offenders whose home visit was overdue on the month's last day (today while it runs), "
        "as the caseload and pillars due count it.",
        higher_is_worse=True,
    ),
    Metric(
        "arms_current_pct",
        "ARMS current",
        "%",
        "Share of the caseload with an approved ARMS assessment whose review date had not passed "
        "on the month's last day (superseded assessments count for the days they were in force).",
    ),
    Metric(
        "plan_current_pct",
        "Plan current",
        "%",
        "Share of the caseload with an approved risk management plan whose review date had not "
        "passed on the month's last day (superseded versions count for the days they were in "
        "force).",
    ),
    Metric(
        "approvals_open",
        "Approvals open",
        "",
        "Approval tasks (ARMS, plans, visit records) raised by the month's last day and not "
        "decided by then.",
        higher_is_worse=True,
    ),
    Metric(
        "approvals_oldest_days",
        "Oldest approval",
        "days",
        "Age in working days, on the month's last day, of the oldest approval task still open "
        "then.",
        higher_is_worse=True,
    ),
    Metric(
        "hub_open",
        "Hub open",
        "",
        "Hub tasks (notifications to process) raised by the month's last day and not done by then.",
        higher_is_worse=True,
    ),
    Metric(
        "hub_oldest_days",
        "Oldest hub task",
        "days",
        "Age in working days, on the month's last day, of the oldest hub task still open then.",
        higher_is_worse=True,
    ),
    Metric(
        "ppn_on_time_pct",
        "PPNs on time",
        "%",
        "Share of the PPNs whose concern fell in the month that were submitted within the "
        "policy's hours (24) of it; one not yet submitted whose deadline is still ahead is left "
        "out.",
    ),
    Metric(
        "ppn_follow_up_late",
        "PPN follow-ups late",
        "",
        "PPN follow-ups with children's social care due in the month whose decision was not "
        "recorded by the end of the day they were due.",
        higher_is_worse=True,
    ),
    Metric(
        "notification_breaches",
        "Notification breaches",
        "",
        "Statutory notification deadlines falling in the month that were missed: notified late, "
        "or not notified by the month's end (today while it runs), release not recorded "
        "included.",
        higher_is_worse=True,
    ),
    Metric(
        "findings_reviewed",
        "Records scrutinised",
        "",
        "Records whose peer-scrutiny findings were entered in the month.",
    ),
    Metric(
        "findings_no",
        "Scrutiny “no” answers",
        "",
        "Checklist questions answered “no” in the findings entered in the month.",
        higher_is_worse=True,
    ),
    Metric(
        "actions_raised",
        "Actions raised",
        "",
        "Scrutiny actions (tasks for the offender's manager) raised in the month.",
    ),
    Metric(
        "actions_open",
        "Actions open",
        "",
        "Scrutiny actions, raised in any month, still open on the month's last day.",
        higher_is_worse=True,
    ),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}

# Figures marked on the screen and in the PDF when above none: something overdue or late (DESIGN
# section 3: visits in cadence, PPN follow-ups, statutory notification deadlines), with the words
# a screen reader says. The caseload is marked over the benchmark, for an offender manager only:
# a team's or the force's caseload is a total, which their "over benchmark" figure measures.
LATE_WORDS: dict[str, str] = {
    "over_benchmark": "Offenders over the benchmark",
    "visits_overdue": "Overdue",
    "ppn_follow_up_late": "Late",
    "notification_breaches": "Deadlines missed",
}


def mark(metric_key: str, value: Value, benchmark: int, *, manager: bool) -> str:
    """Why a figure is marked, in words, or "" when it is not (the one rule the screen and the
    PDF both use). `manager`: the figure is an offender manager's."""
    if value is None:
        return ""
    if metric_key == "caseload":
        return f"Over the benchmark of {benchmark}" if manager and value > benchmark else ""
    if metric_key in LATE_WORDS and value > 0:
        return LATE_WORDS[metric_key]
    return ""


# -- the records behind a figure --------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One record behind a figure: the offender, team and manager it counts for, its day and
    a line of detail; `counted` False when it is in a percentage's base but not its count."""

    offender_id: int | None
    team_id: int | None
    manager_id: int | None
    when: dt.date | None
    detail: str
    counted: bool = True
    age: int | None = None  # working days, for an age metric


@dataclass(frozen=True)
class _Who:
    """The offender facts every metric reads once per build: reference, name, team, manager
    and notification period."""

    reference: str
    name: str
    team_id: int
    manager_id: int | None
    registration_start: dt.date
    notification_end: dt.date | None
    indefinite: bool


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day is not None else ""


def _text(column: Any) -> Any:
    return type_coerce(column, String)


def _value(metric: Metric, listed: list[_Item]) -> Value:
    """A figure from the items behind it: their number, the counted share in per cent, or the
    greatest age."""
    if metric.unit == "%":
        return 100 * sum(1 for i in listed if i.counted) / len(listed) if listed else None
    if metric.unit == "days":
        return max((i.age or 0 for i in listed), default=None)
    return len(listed)


class _Month:
    """Everything behind the figures of one month, read for the whole force on demand (each
    metric's items once), inside the caller's transaction."""

    def __init__(self, session: Session, month: dt.date, today: dt.date, now: dt.datetime) -> None:
        self.session = session
        self.first = month.replace(day=1)
        self.last = self.first + relativedelta(months=1) - DAY
        self.as_of = min(self.last, today)
        self.today, self.now = today, now
        self.cutoff = end_of_london_day(self.as_of)  # the last moment of as_of
        # statutory deadlines of the month are judged the day after it, or today while it runs
        self.judged_on = min(today, self.last + DAY)
        self.benchmark = policy_int(session, "caseload_benchmark")
        self.month_start = start_of_day(self.first)
        self.month_end = start_of_day(self.last + DAY)
        self._raw: dict[str, list[_Item]] = {}

    # -- reference data ------------------------------------------------------------------------

    @cached_property
    def offenders(self) -> dict[int, _Who]:
        return {
            row[0]: _Who(row[1], f"{row[2]} {row[3]}", *row[4:])
            for row in self.session.execute(
                select(
                    Offender.id,
                    Offender.reference,
                    Offender.forename,
                    Offender.surname,
                    Offender.team_id,
                    Offender.manager_id,
                    Offender.registration_start,
                    Offender.notification_end,
                    Offender.notification_indefinite,
                )
            )
        }

    def item(
        self,
        offender_id: int | None,
        when: dt.date | None,
        detail: str,
        *,
        counted: bool = True,
        age: int | None = None,
        team_id: int | None = None,
    ) -> _Item:
        who = self.offenders.get(offender_id) if offender_id is not None else None
        return _Item(
            offender_id,
            who.team_id if who is not None else team_id,
            who.manager_id if who is not None else None,
            when,
            detail,
            counted,
            age,
        )

    @cached_property
    def population(self) -> list[int]:
        """The offenders on the books on as_of: registered, notification period not ended."""
        on = self.as_of
        return sorted(
            oid
            for oid, w in self.offenders.items()
            if w.registration_start <= on
            and (w.indefinite or w.notification_end is None or w.notification_end >= on)
        )

    # -- caseload ------------------------------------------------------------------------------

    def caseload(self) -> list[_Item]:
        return [
            self.item(
                oid,
                self.offenders[oid].registration_start,
                f"Registered since {_d(self.offenders[oid].registration_start)}.",
            )
            for oid in self.population
        ]

    def over_benchmark(self) -> list[_Item]:
        by_manager: dict[int, list[int]] = defaultdict(list)
        for oid in self.population:
            manager = self.offenders[oid].manager_id
            if manager is not None:
                by_manager[manager].append(oid)
        items = []
        for ids in by_manager.values():
            ids.sort(key=lambda oid: (self.offenders[oid].registration_start, oid))
            for place, oid in enumerate(ids[self.benchmark :], start=self.benchmark + 1):
                start = self.offenders[oid].registration_start
                items.append(
                    self.item(
                        oid,
                        start,
                        f"Number {place} of {len(ids)} on the caseload (benchmark "
                        f"{self.benchmark}), registered {_d(start)}.",
                    )
                )
        return items

    # -- visits --------------------------------------------------------------------------------

    def visits_due(self) -> list[_Item]:
        return [item for item, _on_time in self._visits_due]

    def visits_on_time(self) -> list[_Item]:
        return [item for item, on_time in self._visits_due if on_time]

    @cached_property
    def _visits_due(self) -> list[tuple[_Item, bool]]:
        """The visits due in the month, each with whether it was done on time."""
        before = visit_flags(self.session, None, self.first - DAY)
        due = {
            oid: f.next_visit_due
            for oid, f in before.items()
            if f.next_visit_due is not None and self.first <= f.next_visit_due <= self.last
        }
        done: dict[int, dt.date] = {}
        for oid, at in self.session.execute(
            select(Visit.offender_id, Visit.occurred_at)
            .where(
                Visit.outcome == VisitOutcome.COMPLETED,
                Visit.occurred_at >= self.month_start,
                Visit.occurred_at < min(self.month_end, start_of_day(self.as_of + DAY)),
            )
            .order_by(Visit.occurred_at)
        ):
            if at is not None:
                done.setdefault(oid, london_day(at))
        items = []
        for oid, day in due.items():
            visited = done.get(oid)
            on_time = visited is not None and visited <= day
            if visited is None:
                detail = f"Home visit due {_d(day)}; not done by {_d(self.as_of)}."
            else:
                late = "" if on_time else " (late)"
                detail = f"Home visit due {_d(day)}, done {_d(visited)}{late}."
            items.append((self.item(oid, day, detail), on_time))
        return items

    def visits_overdue(self) -> list[_Item]:
        items = []
        for oid, f in visit_flags(self.session, None, self.as_of).items():
            if f.visit_overdue and f.next_visit_due is not None:
                seen = f"last seen {_d(f.last_seen)}" if f.last_seen else "never seen"
                detail = f"Home visit due by {_d(f.next_visit_due)}; {seen}."
                items.append(self.item(oid, f.next_visit_due, detail))
        return items

    # -- ARMS and plans ------------------------------------------------------------------------

    def arms_current_pct(self) -> list[_Item]:
        months = policy_int(self.session, "arms_review_months")
        in_force: dict[int, tuple[dt.date, dt.date | None]] = {}
        for oid, assessed, review in self.session.execute(
            select(
                RiskAssessment.offender_id,
                RiskAssessment.assessed_on,
                RiskAssessment.next_review_on,
            )
            .where(
                RiskAssessment.kind == AssessmentKind.ARMS,
                RiskAssessment.state.in_([ApprovalState.APPROVED, ApprovalState.SUPERSEDED]),
                RiskAssessment.assessed_on <= self.as_of,
                or_(RiskAssessment.decided_at.is_(None), RiskAssessment.decided_at <= self.cutoff),
            )
            .order_by(RiskAssessment.assessed_on, RiskAssessment.id)
        ):
            in_force[oid] = (assessed, review)  # the newest wins
        items = []
        for oid in self.population:
            arms = in_force.get(oid)
            if arms is None:
                items.append(self.item(oid, None, "No approved ARMS assessment.", counted=False))
                continue
            review = cadence.arms_review_due(arms[0], arms[1], months)
            current = not cadence.arms_overdue(review, self.as_of, has_arms=True)
            state = "in date" if current else "overdue"
            detail = f"ARMS of {_d(arms[0])}, review due {_d(review)}: {state}."
            items.append(self.item(oid, review, detail, counted=current))
        return items

    def plan_current_pct(self) -> list[_Item]:
        decided = RiskManagementPlan.decided_at
        in_force: dict[int, tuple[int, dt.date | None]] = {}
        for oid, number, review in self.session.execute(
            select(
                RiskManagementPlan.offender_id,
                RiskManagementPlan.plan_number,
                RiskManagementPlan.review_on,
            )
            .where(
                RiskManagementPlan.state.in_([ApprovalState.APPROVED, ApprovalState.SUPERSEDED]),
                or_(
                    decided <= self.cutoff,
                    decided.is_(None) & (RiskManagementPlan.created_at <= self.cutoff),
                ),
            )
            .order_by(RiskManagementPlan.plan_number)
        ):
            in_force[oid] = (number, review)  # the newest version wins
        items = []
        for oid in self.population:
            plan = in_force.get(oid)
            if plan is None:
                items.append(self.item(oid, None, "No approved plan.", counted=False))
                continue
            number, review = plan
            current = review is not None and not cadence.is_overdue(review, self.as_of)
            if review is None:
                detail = f"Plan version {number} has no review date."
            else:
                state = "in date" if current else "overdue"
                detail = f"Plan version {number}, review due {_d(review)}: {state}."
            items.append(self.item(oid, review, detail, counted=current))
        return items

    # -- backlogs ------------------------------------------------------------------------------

    def _open_tasks(self, where: ColumnElement[bool], what: str) -> list[_Item]:
        """Tasks raised by as_of and not completed by then, oldest first, aged in working days
        as the inbox ages them."""
        rows = self.session.execute(
            select(Task.offender_id, Task.team_id, Task.title, Task.created_at)
            .where(
                where,
                Task.created_at <= self.cutoff,
                or_(Task.state == TaskState.OPEN, Task.completed_at > self.cutoff),
            )
            .order_by(Task.created_at, Task.id)
        )
        items = []
        for oid, team_id, title, created_at in rows:
            raised = london_day(created_at)
            age = max(0, working_days_between(raised, self.as_of))
            detail = f"{what} raised {_d(raised)}, {age} working days old: {title}"
            items.append(self.item(oid, raised, detail, age=age, team_id=team_id))
        return items

    def approvals_open(self) -> list[_Item]:
        return self._open_tasks(Task.group == TaskGroup.APPROVAL, "Approval")

    def approvals_oldest_days(self) -> list[_Item]:
        return self.raw("approvals_open")

    def hub_open(self) -> list[_Item]:
        return self._open_tasks(Task.group == TaskGroup.HUB, "Hub task")

    def hub_oldest_days(self) -> list[_Item]:
        return self.raw("hub_open")

    # -- PPNs and notifications ----------------------------------------------------------------

    def ppn_on_time_pct(self) -> list[_Item]:
        hours = policy_int(self.session, "ppn_submit_hours")
        items = []
        for oid, concern_at, submitted_at in self.session.execute(
            select(Ppn.offender_id, Ppn.concern_at, Ppn.submitted_at)
            .where(
                Ppn.concern_at >= self.month_start,
                Ppn.concern_at < self.month_end,
                Ppn.concern_at <= self.now,
            )
            .order_by(Ppn.concern_at, Ppn.id)
        ):
            deadline = ppn_rules.submit_by(concern_at, hours)
            if submitted_at is None and deadline >= self.now:
                continue  # still in time: judged once submitted or late
            on_time = submitted_at is not None and submitted_at <= deadline
            concern = london_day(concern_at)
            if submitted_at is None:
                detail = f"Concern on {_d(concern)}; not submitted within {hours} hours."
            else:
                within = "within" if on_time else "later than"
                detail = (
                    f"Concern on {_d(concern)}; submitted {_d(london_day(submitted_at))}, "
                    f"{within} {hours} hours."
                )
            items.append(self.item(oid, concern, detail, counted=on_time))
        return items

    def ppn_follow_up_late(self) -> list[_Item]:
        items = []
        for oid, due, decided, state in self.session.execute(
            select(
                Ppn.offender_id, Ppn.follow_up_due_on, Ppn.social_care_decided_on, _text(Ppn.state)
            )
            .where(Ppn.follow_up_due_on >= self.first, Ppn.follow_up_due_on <= self.last)
            .order_by(Ppn.follow_up_due_on, Ppn.id)
        ):
            if decided is not None and decided > due:
                detail = f"Follow-up due {_d(due)}; decision recorded {_d(decided)}."
            elif decided is None and state in ppn_rules.OPEN_STATES and due < self.today:
                detail = f"Follow-up due {_d(due)}; no decision recorded."
            else:
                continue
            items.append(self.item(oid, due, detail))
        return items

    def notification_breaches(self) -> list[_Item]:
        """The engine's clocks on `judged_on` for the offenders who can have a breach in the
        month: one outstanding then, or a notification made from the month's first day (a
        deadline met late is met by a notification after it)."""
        on = self.judged_on
        outstanding = breaches_for(self.session, None, on)
        candidates = {
            oid for oid, found in outstanding.items() if any(b.rule not in PPN_RULES for b in found)
        }
        candidates |= set(
            self.session.scalars(
                select(Notification.offender_id)
                .where(Notification.notified_on >= self.first, Notification.notified_on <= on)
                .distinct()
            )
        )
        candidates.discard(None)  # type: ignore[arg-type]
        items = []
        for chunk in _chunks(sorted(candidates)):
            for oid, found in clocks_for(self.session, Offender.id.in_(chunk), on).items():
                for clock in found:
                    if clock.state == "breach" and self.first <= clock.due <= self.last:
                        items.append(self.item(oid, clock.due, clock.text))
        return items

    # -- scrutiny ------------------------------------------------------------------------------

    @cached_property
    def _reviewed(self) -> list[tuple[int, int, dt.datetime, dict[str, Any], dt.date]]:
        """(offender, team of the pack, reviewed at, checklist, fortnight ending) of the records
        reviewed in the 12 months ending with this one."""
        start = start_of_day(self.first - relativedelta(months=FINDINGS_MONTHS - 1))
        return [
            (oid, team_id, at, dict(checklist or {}), ending)
            for oid, team_id, at, checklist, ending in self.session.execute(
                select(
                    ScrutinyItem.offender_id,
                    ScrutinyPack.team_id,
                    ScrutinyItem.reviewed_at,
                    ScrutinyItem.checklist,
                    ScrutinyPack.fortnight_ending,
                )
                .join(ScrutinyPack, ScrutinyPack.id == ScrutinyItem.pack_id)
                .where(ScrutinyItem.reviewed_at >= start, ScrutinyItem.reviewed_at < self.month_end)
                .order_by(ScrutinyItem.reviewed_at, ScrutinyItem.id)
            )
        ]

    @cached_property
    def _actions(self) -> list[tuple[int | None, int | None, dt.datetime, str, bool]]:
        """(offender, team, raised at, title, open on as_of) of every scrutiny action raised by
        the month's end."""
        return [
            (
                oid,
                team_id,
                created,
                title,
                state == "open" or (done is not None and done > self.cutoff),
            )
            for oid, team_id, created, title, state, done in self.session.execute(
                select(
                    Task.offender_id,
                    Task.team_id,
                    Task.created_at,
                    Task.title,
                    _text(Task.state),
                    Task.completed_at,
                )
                .where(Task.kind == TaskKind.SCRUTINY_ACTION, Task.created_at <= self.cutoff)
                .order_by(Task.created_at, Task.id)
            )
        ]

    def _in_month(self, at: dt.datetime) -> bool:
        return self.month_start <= at < self.month_end

    def findings_reviewed(self) -> list[_Item]:
        from desktop.services.scrutiny import ANSWERS

        items = []
        for oid, team_id, at, checklist, ending in self._reviewed:
            if self._in_month(at):
                noes = sum(1 for a in checklist.values() if a == "no")
                detail = (
                    f"Findings entered {_d(london_day(at))} (fortnight ending {_d(ending)}): "
                    f"{noes} answered {ANSWERS['no']}."
                )
                items.append(self.item(oid, london_day(at), detail, team_id=team_id))
        return items

    def findings_no(self) -> list[_Item]:
        from desktop.services.scrutiny import CHECKLIST

        questions = dict(CHECKLIST)
        items = []
        for oid, team_id, at, checklist, _ending in self._reviewed:
            if self._in_month(at):
                for key, answer in checklist.items():
                    if answer == "no":
                        detail = f"“{questions.get(key, key)}” answered No."
                        items.append(self.item(oid, london_day(at), detail, team_id=team_id))
        return items

    def actions_raised(self) -> list[_Item]:
        return [
            self.item(oid, london_day(at), f"Raised {_d(london_day(at))}: {title}", team_id=team_id)
            for oid, team_id, at, title, _open in self._actions
            if self._in_month(at)
        ]

    def actions_open(self) -> list[_Item]:
        return [
            self.item(
                oid,
                london_day(at),
                f"Raised {_d(london_day(at))}, open on {_d(self.as_of)}: {title}",
                team_id=team_id,
            )
            for oid, team_id, at, title, is_open in self._actions
            if is_open
        ]

    def findings_months(self, team_ids: Iterable[int | None]) -> list[FindingsMonth]:
        """The 12 months ending with this one, per team (and the force: None), oldest first."""
        from desktop.services.scrutiny import ANSWERS

        months = [self.first - relativedelta(months=n) for n in range(FINDINGS_MONTHS - 1, -1, -1)]

        def month_of(at: dt.datetime) -> dt.date:
            return london_day(at).replace(day=1)

        result = []
        for team_id in team_ids:
            for month in months:
                reviewed = [
                    r for r in self._reviewed if team_id in (None, r[1]) and month_of(r[2]) == month
                ]
                answers = dict.fromkeys(ANSWERS, 0)
                for r in reviewed:
                    for answer in r[3].values():
                        answers[answer] = answers.get(answer, 0) + 1
                raised = [
                    a
                    for a in self._actions
                    if team_id in (None, self._team_of(a[0], a[1])) and month_of(a[2]) == month
                ]
                result.append(
                    FindingsMonth(
                        month=month,
                        team_id=team_id,
                        reviewed=len(reviewed),
                        answers=answers,
                        actions_raised=len(raised),
                        actions_open=sum(1 for a in raised if a[4]),
                    )
                )
        return result

    def _team_of(self, offender_id: int | None, team_id: int | None) -> int | None:
        who = self.offenders.get(offender_id) if offender_id is not None else None
        return who.team_id if who is not None else team_id

    # -- all of it -----------------------------------------------------------------------------

    def raw(self, key: str) -> list[_Item]:
        """The items of metric `key`, each metric read once."""
        if key not in self._raw:
            self._raw[key] = getattr(self, key)()
        return self._raw[key]

    def items(self, key: str) -> list[_Item]:
        """The items of metric `key` in the order traced: oldest first for an age, else by
        date and reference."""
        found = self.raw(key)
        if METRIC_BY_KEY[key].unit == "days":
            return sorted(found, key=lambda i: -(i.age or 0))  # oldest first, stable
        return sorted(found, key=lambda i: (i.when or dt.date.min, self._reference(i)))

    def _reference(self, item: _Item) -> str:
        who = self.offenders.get(item.offender_id) if item.offender_id is not None else None
        return who.reference if who is not None else ""


def team_of(dashboard: Dashboard) -> str:
    """What the dashboard covers, for its running lines: the team's name when it shows one team,
    else "All teams"."""
    return dashboard.teams[0].name if len(dashboard.teams) == 1 else ALL_TEAMS


def _chunks(ids: list[int], size: int = 5000) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# -- who may see what -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """What the actor may see on the dashboard: one team or all, and whether the force row
    and the force's findings."""

    team_id: int | None  # None: every team
    force: bool  # the force row and the force's findings


def _refuse_role(actor: Actor) -> None:
    if actor.role in (Role.TEAM_MANAGER.value, Role.SERGEANT.value):
        return
    article = "An" if actor.role_label[:1] in "aeiou" else "A"
    raise PermissionRefused(
        "The monthly dashboard is for team managers and sergeants; "
        f"{article.lower()} {actor.role_label} cannot open it. Nothing was read."
    )


def _scope(actor: Actor | None, team_id: int | None) -> _Scope:
    """The teams `actor` may see: a team manager or the command line any team and the force, a
    sergeant their own team only. Raised before anything is read."""
    if actor is None or actor.role == Role.TEAM_MANAGER.value:
        return _Scope(team_id, True)
    _refuse_role(actor)
    if actor.team_id is None:
        raise PermissionRefused(
            "A sergeant sees their own team's dashboard, and you are not in a team. "
            "Nothing was read."
        )
    if team_id is not None and team_id != actor.team_id:
        raise PermissionRefused(
            f"A sergeant sees only their own team's dashboard ({actor.team_name} team); "
            "another team's was not opened."
        )
    return _Scope(actor.team_id, False)


# -- the service ------------------------------------------------------------------------------


class DashboardService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def _month(self, month: dt.date) -> dt.date:
        first = month.replace(day=1)
        if first > self._services.today():
            raise ServiceError(
                f"The dashboard for {first:%B %Y} cannot be made before the month has begun; "
                "choose this month or an earlier one."
            )
        return first

    def build(
        self, actor: Actor | None, month: dt.date, *, team_id: int | None = None
    ) -> Dashboard:
        """The dashboard for the month holding `month` (any day of it; not a future month).
        `team_id` narrows it to one team (its row and its managers); a sergeant always gets
        their own team. A team manager and the command line keep the force row when narrowed,
        for comparison."""
        scope = _scope(actor, team_id)
        first = self._month(month)
        with self._services.transaction() as session:
            teams = self._teams(session, scope.team_id)
            m = _Month(session, first, self._services.today(), self._services.now())
            items = {metric.key: m.items(metric.key) for metric in METRICS}
            managers = self._managers(session, teams, m)
            findings = m.findings_months(
                ([None] if scope.force else []) + [team.id for team in teams]
            )
            benchmark = m.benchmark
            as_of = m.as_of

        by_team = {key: _grouped(found, lambda i: i.team_id) for key, found in items.items()}
        # A manager's figures are their offenders in their own team: one moved to another team
        # with offenders still allocated in the old one does not carry those into the new team's
        # dashboard (a sergeant would otherwise see another team's records through a trace).
        by_manager = {
            key: _grouped(found, lambda i: (i.manager_id, i.team_id))
            for key, found in items.items()
        }

        def row(team: int | None, officer: int | None, name: str) -> DashboardRow:
            values = {
                metric.key: _value(
                    metric,
                    items[metric.key]
                    if team is None and officer is None
                    else (by_manager if officer is not None else by_team)[metric.key].get(
                        (officer, team) if officer is not None else team, []
                    ),
                )
                for metric in METRICS
            }
            return DashboardRow(team, officer, name, values)

        return Dashboard(
            month=first,
            as_of=as_of,
            benchmark=benchmark,
            metrics=METRICS,
            force=row(None, None, "Force") if scope.force else None,
            teams=tuple(row(team.id, None, team.name) for team in teams),
            managers=tuple(row(team_id, oid, name) for oid, team_id, name in managers),
            findings=tuple(findings),
            made_at=self._services.now().astimezone(dt.UTC),
            made_by=actor.display_name if actor is not None else COMMAND_LINE,
        )

    def trace(
        self,
        actor: Actor | None,
        month: dt.date,
        metric: str,
        *,
        team_id: int | None = None,
        officer_id: int | None = None,
    ) -> list[TraceLine]:
        """The records behind one figure: the force's (no team, no officer), a team's, or an
        offender manager's. For a count, len(lines) equals the figure; for a percentage, the
        counted lines over all lines; for an age, the lines are the items aged (oldest first)."""
        if metric not in METRIC_BY_KEY:
            raise NotFound(f"There is no dashboard figure called “{metric}”.")
        if actor is not None:
            _refuse_role(actor)
        first = self._month(month)
        with self._services.transaction() as session:
            if officer_id is not None:
                officer = session.get(Officer, officer_id)
                if officer is None:
                    raise NotFound(f"There is no officer number {officer_id}.")
                team_id = officer.team_id
            if team_id is None and actor is not None and actor.role == Role.SERGEANT.value:
                raise PermissionRefused(
                    "The force's figures are for team managers; a sergeant sees their own "
                    "team's. Nothing was read."
                )
            _scope(actor, team_id)
            if team_id is not None:
                self._teams(session, team_id)  # NotFound for an unknown team
            m = _Month(session, first, self._services.today(), self._services.now())
            found = _matching(m.items(metric), team_id, officer_id)
            return self._lines(session, m, found)

    def pdf(self, actor: Actor | None, month: dt.date, *, team_id: int | None = None) -> bytes:
        """The dashboard as a PDF (desktop.reports.dashboard); printing is audited."""
        dashboard = self.build(actor, month, team_id=team_id)
        from desktop.reports.dashboard import build_dashboard_pdf  # reportlab: only when printing

        data = build_dashboard_pdf(dashboard)
        team_name = team_of(dashboard)
        with self._services.transaction() as session:
            self._services.audit.record(
                session,
                actor,
                "dashboard_printed",
                entity_type="dashboard",
                detail={
                    "month": dashboard.month.strftime("%Y-%m"),
                    "as_of": dashboard.as_of,
                    "team": team_name,
                },
                username=COMMAND_LINE[:40] if actor is None else "",
            )
        return data

    # -- reading -------------------------------------------------------------------------------

    def _teams(self, session: Session, team_id: int | None) -> list[Team]:
        stmt = select(Team).order_by(Team.name)
        if team_id is not None:
            stmt = stmt.where(Team.id == team_id)
        teams = list(session.scalars(stmt))
        if team_id is not None and not teams:
            raise NotFound(f"There is no team number {team_id}.")
        return teams

    def _managers(
        self, session: Session, teams: list[Team], m: _Month
    ) -> list[tuple[int, int, str]]:
        """(officer id, team id, name) of the teams' offender managers: the active ones, and any
        who have left with offenders still allocated to them; by team name, then name."""
        order = {team.id: i for i, team in enumerate(teams)}
        allocated = {w.manager_id for w in m.offenders.values()}
        rows = session.execute(
            select(
                Officer.id, Officer.team_id, Officer.forename, Officer.surname, Officer.active
            ).where(Officer.role == Role.OFFENDER_MANAGER, Officer.team_id.in_(list(order)))
        )
        found = [
            (oid, team_id, f"{forename} {surname}", surname)
            for oid, team_id, forename, surname, active in rows
            if team_id is not None and (active or oid in allocated)
        ]
        found.sort(key=lambda r: (order[r[1]], r[3].casefold(), r[2].casefold(), r[0]))
        return [(oid, team_id, name) for oid, team_id, name, _ in found]

    def _lines(self, session: Session, m: _Month, items: list[_Item]) -> list[TraceLine]:
        teams = dict(session.execute(select(Team.id, Team.name)).all())
        names = {
            oid: f"{forename} {surname}"
            for oid, forename, surname in session.execute(
                select(Officer.id, Officer.forename, Officer.surname)
            )
        }
        lines = []
        for i in items:
            who = m.offenders.get(i.offender_id) if i.offender_id is not None else None
            lines.append(
                TraceLine(
                    offender_id=i.offender_id,
                    reference=who.reference if who is not None else "",
                    name=who.name if who is not None else "",
                    team=teams.get(i.team_id, "") if i.team_id is not None else "",
                    manager=names.get(i.manager_id, "") if i.manager_id is not None else "",
                    when=i.when,
                    detail=i.detail,
                    counted=i.counted,
                )
            )
        return lines


def _matching(items: list[_Item], team_id: int | None, officer_id: int | None) -> list[_Item]:
    if officer_id is not None:  # their offenders in their team (`team_id` is the officer's)
        return [i for i in items if i.manager_id == officer_id and i.team_id == team_id]
    if team_id is not None:
        return [i for i in items if i.team_id == team_id]
    return items


def _grouped(items: list[_Item], key: Callable[[_Item], Hashable]) -> dict[Hashable, list[_Item]]:
    groups: dict[Hashable, list[_Item]] = defaultdict(list)
    for i in items:
        groups[key(i)].append(i)
    return groups
