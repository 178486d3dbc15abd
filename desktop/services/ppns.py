"""Public protection notices (PPNs): from the concern to children's social care's decision
(DESIGN section 3, "PPNs"; issue #7).

The dataclasses and method signatures below are what the screens, the visits service and the
reports call.

The life of a PPN (stored `Ppn.state`, plus the stage shown to people, `desktop.rules.ppn.stage`):
- raised (state DRAFT) from a visit or from the record: grade, the concern, when it was noticed,
  the children or adults concerned (from the household, or added by hand);
- submitted within `ppn_submit_hours` (policy, 24) of the concern (state SUBMITTED); the follow-up
  with children's social care is then due `ppn_follow_up_days` (policy, 7) after submission;
- the MASH review recorded (state AWAITING_SOCIAL_CARE): a PPN_FOLLOW_UP task appears in the
  inbox of the officer who raised it (else the offender's manager), due on the follow-up date;
- social care's decision, its date and its source recorded: the PPN closes (state CLOSED) and the
  follow-up task is done. A decision may arrive before the MASH review is recorded: it is
  recorded all the same and the PPN closes (the audit row says the review was not recorded).
Three PPNs whose concerns fall within `ppn_escalation.months` (3) for the same offender, or the
same household, raise one PPN_ESCALATION task for the offender's sergeant.

Who may do what (checked here, before anything is read or changed):
- read: whoever may read the offender's record (`permissions.read_refusal`, which honours cover);
- raise, edit a draft, submit, record the MASH review and the decision: offender managers,
  sergeants and team managers who may read the record. A PPN is often raised by the second
  officer of the crew, not the offender's manager. Hub officers and administrators are refused;
- acknowledge an escalation: the sergeant or team manager who owns it, or who covers the owner
  today (the cover chain of `desktop.services.cover`).

What was submitted stands: only a draft is edited. Every change is audited in its transaction
(ppn_raised, ppn_edited, ppn_submitted, ppn_mash_reviewed, ppn_decision_recorded, ppn_escalated,
ppn_escalation_acknowledged). Times are stored in UTC; the concern's day and time are typed in
London time.
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, or_, select, text
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from db.enums import (
    TASK_GROUP,
    PpnDecision,
    PpnGrade,
    PpnState,
    Role,
    TaskKind,
    TaskState,
    VisitOutcome,
)
from db.models import (
    Address,
    HouseholdMember,
    Offender,
    Officer,
    Ppn,
    PpnSubject,
    Task,
    Team,
    Visit,
)
from desktop.rules import ppn as rules
from desktop.rules.time_bands import LONDON, london_datetime
from desktop.rules.validation import Form, clean_text, excerpt
from desktop.rules.workdays import add_working_days
from desktop.services.actor import Actor
from desktop.services.approvals import (
    DECIDERS,
    approval_owner,
    check_version,
    conflict_after_race,
    d,
    officer_name,
    raise_if_invalid,
    stamp,
)
from desktop.services.core import take_write_lock
from desktop.services.cover import load_roster
from desktop.services.errors import NotFound, PermissionRefused, ServiceError
from desktop.services.permissions import OffenderSubject, load_subject, read_refusal
from desktop.services.policy import policy_int, policy_value

if TYPE_CHECKING:
    from desktop.services.core import Services


@dataclass(frozen=True)
class SubjectEntry:
    """A child or adult the PPN concerns: a household member (by id) or someone added by hand."""

    household_member_id: int | None = None
    name: str = ""  # required when household_member_id is None; ignored otherwise
    date_of_birth: str = ""  # dd/mm/yyyy or "" (unknown); hand-added only
    relationship: str = ""  # "daughter of partner", "neighbour's child"; hand-added only
    is_child: bool = True  # hand-added only; a household member is a child when under 18


@dataclass(frozen=True)
class PpnEntry:
    """What the officer types when raising or editing a draft PPN (text, as typed)."""

    grade: str  # "red" | "amber" | "green"
    concern: str  # required, max 4000, no bank/card/passport numbers
    concern_date: str  # dd/mm/yyyy, not in the future
    concern_time: str  # HH:MM (24-hour)
    subjects: tuple[SubjectEntry, ...] = ()  # at least one


@dataclass(frozen=True)
class SubjectView:
    """A child or adult a PPN concerns, as saved: a household member (`household_member_id`) or
    someone added by hand; `date_of_birth` is None when unknown."""

    name: str
    date_of_birth: dt.date | None
    relationship: str
    is_child: bool
    household_member_id: int | None


@dataclass(frozen=True)
class PpnSummary:
    """One PPN as a list shows it (the Safeguarding screen, the record's PPN tab)."""

    ppn_id: int
    version: int
    offender_id: int
    reference: str
    offender_name: str
    team_id: int
    team_name: str
    manager_name: str  # the offender's manager, "" when unallocated
    grade: str  # PpnGrade value
    state: str  # PpnState value (stored)
    stage: str  # desktop.rules.ppn stage: draft | due | submitted | awaiting_social_care | closed
    stage_label: str  # "Draft", "Due", "Submitted", "Awaiting social care", "Closed"
    concern: str
    concern_at: dt.datetime  # aware UTC
    raised_by_id: int
    raised_by: str  # officer's name
    subjects: tuple[SubjectView, ...]
    visit_id: int | None
    submit_by: dt.datetime  # concern_at + ppn_submit_hours (aware UTC)
    submitted_at: dt.datetime | None
    submitted_by: str
    submission_reference: str
    mash_reviewed_at: dt.datetime | None
    mash_outcome: str
    follow_up_due_on: dt.date | None
    social_care_decision: str
    social_care_decided_on: dt.date | None
    social_care_source: str
    closed_at: dt.datetime | None
    late: bool  # a step is overdue now (a breach): not submitted in time, or follow-up overdue
    next_step: str  # a sentence: "Submit by 14:30 on 23/11/2026.", "Closed on 20/11/2026."
    # whether the asking officer may move it on (raise-side roles who may read it; not closed);
    # its text, grade and people change only while the stage is draft or due
    may_edit: bool
    raised_at: dt.datetime | None = None  # when it was entered in Pillars (aware UTC)


@dataclass(frozen=True)
class PpnList:
    """The Safeguarding screen's PPNs (`list`), most urgent first, with the count of each stage
    before the stage filter, for the screen's stage buttons."""

    items: tuple[PpnSummary, ...]
    # stage -> count over the PPNs passing the grade and text filters, BEFORE the stage filter
    counts: dict[str, int] = field(default_factory=dict)


CONCERN_MAX = 4000
OUTCOME_MAX = 4000
DECISION_MAX = 4000
SOURCE_MAX = 200
REFERENCE_MAX = 60
NOTE_MAX = 2000
NAME_MAX = 160
RELATIONSHIP_MAX = 60
# A concern typed as older than this is a mistake in the date (a PPN is raised within hours of the
# concern); an old concern noticed late is raised with today's date and the story in the concern.
CONCERN_DAYS_BACK = 90
CHANGERS = frozenset({Role.OFFENDER_MANAGER.value, Role.SERGEANT.value, Role.TEAM_MANAGER.value})
GRADE_CHOICES = {grade.value: grade.label.capitalize() for grade in PpnGrade}
SCOPES = ("mine", "team")
_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_TIME = re.compile(r"([0-9]{1,2})[:.]?([0-9]{2})", re.ASCII)
_NEXT = {
    PpnState.DRAFT: "submit it first",
    PpnState.SUBMITTED: "record the MASH review, or social care's decision",
    PpnState.AWAITING_SOCIAL_CARE: "record children's social care's decision",
    PpnState.CLOSED: "nothing more is recorded on a closed PPN",
}


class PpnService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- reading ---------------------------------------------------------------------------------

    def list(
        self,
        actor: Actor,
        *,
        scope: str = "mine",  # "mine" (raised by me, or of offenders I manage) | "team"
        stages: frozenset[str] | None = None,  # None: every stage
        grade: str | None = None,
        text: str = "",  # matches reference, offender name, concern, subject names
        now: dt.datetime | None = None,  # default services.now()
    ) -> PpnList:
        """The PPNs the actor sees on the Safeguarding screen, most urgent first (late, then by
        the next deadline, then newest concern; closed ones last, newest first). "team": the
        actor's team (team managers: their teams; sergeants covering another team today: that
        team too). Hub officers and administrators have no such list (refused).

        `counts` counts each stage over the PPNs that pass the grade and text filters but BEFORE
        the stage filter, so the screen's stage buttons can show how many each would show."""
        if actor.role not in CHANGERS:
            raise PermissionRefused(
                f"{_article(actor.role_label)} {actor.role_label} has no PPNs to list: they are "
                "raised and followed up by the offender's officers. Open an offender's record to "
                "see theirs."
                if actor.role == Role.HUB_OFFICER.value
                else f"{_article(actor.role_label)} {actor.role_label} cannot see PPNs."
            )
        if scope not in SCOPES:
            raise ServiceError(f"There is no list of PPNs called “{scope}”: choose mine or team.")
        moment = now or self._services.now()
        where: ColumnElement[bool]
        if scope == "mine":
            where = or_(
                Ppn.raised_by_id == actor.officer_id, Offender.manager_id == actor.officer_id
            )
        else:
            teams = {t for t in (actor.team_id, *actor.covering_team_ids) if t is not None}
            where = Offender.team_id.in_(teams)
        with self._services.transaction() as session:
            found = _summaries(session, actor, where, moment)
        wanted_grade = clean_text(grade).casefold() if grade else ""
        needle = clean_text(text).casefold()
        kept = [
            s
            for s in found
            if (not wanted_grade or s.grade == wanted_grade)
            and (not needle or needle in _search_key(s))
        ]
        counts = {name: 0 for name in rules.STAGES}
        for summary in kept:
            counts[summary.stage] += 1
        if stages is not None:
            kept = [s for s in kept if s.stage in stages]
        return PpnList(items=tuple(sorted(kept, key=_urgency)), counts=counts)

    def for_offender(self, actor: Actor, offender_id: int) -> builtins.list[PpnSummary]:
        """Every PPN of one offender, newest concern first (the record's PPN tab)."""
        with self._services.transaction() as session:
            _require_read(actor, load_subject(session, offender_id))
            found = _summaries(session, actor, Ppn.offender_id == offender_id, self._now())
        return sorted(found, key=lambda s: (s.concern_at, s.ppn_id), reverse=True)

    def get(self, actor: Actor, ppn_id: int) -> PpnSummary:
        with self._services.transaction() as session:
            offender_id = session.scalar(select(Ppn.offender_id).where(Ppn.id == ppn_id))
            if offender_id is None:
                raise NotFound(f"There is no PPN number {ppn_id}.")
            _require_read(actor, load_subject(session, offender_id))
            (found,) = _summaries(session, actor, Ppn.id == ppn_id, self._now())
        return found

    def escalated(self, actor: Actor, task_id: int) -> builtins.list[PpnSummary]:
        """The PPNs behind an escalation task (those within the window that raised it), for the
        inbox's detail pane, earliest concern first. A household's PPN of an offender the actor
        may not read is left out."""
        with self._services.transaction() as session:
            task = session.get(Task, task_id)
            if task is None or task.kind != TaskKind.PPN_ESCALATION or task.offender_id is None:
                raise NotFound(f"There is no PPN escalation task number {task_id}.")
            _require_read(actor, load_subject(session, task.offender_id))
            ppn = session.get(Ppn, task.subject_id) if task.subject_id is not None else None
            if ppn is None:
                return []
            ids = {i for _, _, found in _windows(session, ppn).values() for i in found}
            found = _summaries(session, actor, Ppn.id.in_(ids or {ppn.id}), self._now())
        return sorted(found, key=lambda s: (s.concern_at, s.ppn_id))

    def household_choices(self, actor: Actor, offender_id: int) -> builtins.list[SubjectView]:
        """The offender's current household members (children first), for the raise dialog."""
        today = self._services.today()
        with self._services.transaction() as session:
            _require_read(actor, load_subject(session, offender_id))
            members = session.scalars(
                select(HouseholdMember).where(
                    HouseholdMember.offender_id == offender_id,
                    or_(HouseholdMember.from_date.is_(None), HouseholdMember.from_date <= today),
                    or_(HouseholdMember.to_date.is_(None), HouseholdMember.to_date >= today),
                )
            ).all()
            views = [
                SubjectView(
                    name=m.name,
                    date_of_birth=m.date_of_birth,
                    relationship=m.relationship_to_offender,
                    is_child=_is_child(m.date_of_birth, today),
                    household_member_id=m.id,
                )
                for m in members
            ]
        return sorted(
            views, key=lambda v: (not v.is_child, v.name.casefold(), v.household_member_id)
        )

    # -- changing ---------------------------------------------------------------------------------

    def raise_(
        self, actor: Actor, offender_id: int, entry: PpnEntry, *, visit_id: int | None = None
    ) -> int:
        """Raise a PPN (state DRAFT); returns its id. From a visit: the visit must be this
        offender's and its outcome recorded, and its `ppn_decision` becomes PPN_RAISED (any
        "no PPN needed" reason goes). The household is the postcode of the offender's current
        home address. May raise the escalation task (see `_escalate`)."""
        now, today = self._services.now(), self._services.today()
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                subject = load_subject(session, offender_id)
                _require_change(actor, subject)
                visit = _raising_visit(session, visit_id, subject) if visit_id is not None else None
                checked = _checked(session, entry, offender_id, today, now)
                ppn = Ppn(
                    offender_id=offender_id,
                    visit_id=visit_id,
                    household_key=_household_key(session, offender_id, today),
                    grade=checked.grade,
                    concern=checked.concern,
                    concern_at=checked.concern_at,
                    raised_by_id=actor.officer_id,
                    raised_at=now,
                    state=PpnState.DRAFT,
                    subjects=[PpnSubject(**s) for s in checked.subjects],
                    updated_by_id=actor.officer_id,
                    updated_at=now,
                )
                session.add(ppn)
                session.flush()
                detail: dict[str, Any] = {**_snapshot(ppn), "household": ppn.household_key}
                if visit is not None:
                    detail["visit_id"] = visit.id
                    if visit.ppn_decision != PpnDecision.PPN_RAISED or visit.ppn_decision_reason:
                        detail["visit_ppn_decision"] = [
                            visit.ppn_decision.value if visit.ppn_decision else None,
                            PpnDecision.PPN_RAISED.value,
                        ]
                        visit.ppn_decision = PpnDecision.PPN_RAISED
                        visit.ppn_decision_reason = ""
                        stamp(visit, actor, now)
                        session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "ppn_raised",
                    entity_type="ppn",
                    entity_id=ppn.id,
                    offender_id=offender_id,
                    detail=detail,
                )
                self._escalate(session, actor, ppn, subject, now, today)
                return ppn.id
        except StaleDataError:
            if visit_id is None:
                raise
            raise conflict_after_race(self._services, Visit, visit_id, "visit") from None

    def edit(self, actor: Actor, ppn_id: int, expected_version: int, entry: PpnEntry) -> None:
        """Change a draft (what was submitted is not changed afterwards)."""
        now, today = self._services.now(), self._services.today()
        try:
            with self._services.transaction() as session:
                ppn, _ = _opened(session, actor, ppn_id, expected_version)
                _require_state(ppn, {PpnState.DRAFT}, "changing it", "what was submitted stands")
                checked = _checked(session, entry, ppn.offender_id, today, now)
                before = _snapshot(ppn)
                with session.no_autoflush:  # one UPDATE, so the version moves by one
                    ppn.grade = checked.grade
                    ppn.concern = checked.concern
                    ppn.concern_at = checked.concern_at
                    ppn.subjects = [PpnSubject(**s) for s in checked.subjects]
                    stamp(ppn, actor, now)
                session.flush()
                after = _snapshot(ppn)
                changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
                self._audit(session, actor, ppn, "ppn_edited", {"changes": changes})
        except StaleDataError:
            raise conflict_after_race(self._services, Ppn, ppn_id, "PPN") from None

    def submit(
        self, actor: Actor, ppn_id: int, expected_version: int, *, reference: str = ""
    ) -> None:
        """Record that the PPN was submitted (now); sets the follow-up due date: policy
        `ppn_follow_up_days` after the day of submission."""
        now = self._services.now()
        try:
            with self._services.transaction() as session:
                ppn, _ = _opened(session, actor, ppn_id, expected_version)
                _require_state(ppn, {PpnState.DRAFT}, "submitting it", "it is submitted once")
                form = Form()
                typed = form.text(
                    "reference", reference, max_length=REFERENCE_MAX, label="submission reference"
                )
                raise_if_invalid(form)
                hours = policy_int(session, "ppn_submit_hours")
                ppn.state = PpnState.SUBMITTED
                ppn.submitted_at = now
                ppn.submitted_by_id = actor.officer_id
                ppn.submission_reference = typed
                ppn.follow_up_due_on = rules.follow_up_due(
                    now, policy_int(session, "ppn_follow_up_days")
                )
                stamp(ppn, actor, now)
                session.flush()
                late = now > rules.submit_by(ppn.concern_at, hours)
                self._audit(
                    session,
                    actor,
                    ppn,
                    "ppn_submitted",
                    {
                        "reference": typed,
                        "follow_up_due_on": ppn.follow_up_due_on,
                        "late": late,
                        "submit_by": rules.submit_by(ppn.concern_at, hours),
                    },
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Ppn, ppn_id, "PPN") from None

    def record_mash_review(
        self,
        actor: Actor,
        ppn_id: int,
        expected_version: int,
        *,
        reviewed_date: str,  # dd/mm/yyyy, not before submission's day, not in the future
        outcome: str,  # required
    ) -> None:
        """The MASH reviewed it: state AWAITING_SOCIAL_CARE, and the follow-up task is raised
        for the officer who raised the PPN (if still active; else the offender's manager, else
        the offender's sergeant), due on the follow-up day. A review dated today is stamped now;
        an earlier day at 12:00 London time (only the day is typed)."""
        now, today = self._services.now(), self._services.today()
        try:
            with self._services.transaction() as session:
                ppn, subject = _opened(session, actor, ppn_id, expected_version)
                _require_state(ppn, {PpnState.SUBMITTED}, "recording the MASH review")
                assert ppn.submitted_at is not None
                form = Form()
                day = _step_day(form, "reviewed_date", reviewed_date, ppn, today, "MASH review")
                text = form.text(
                    "outcome",
                    outcome,
                    max_length=OUTCOME_MAX,
                    required=True,
                    multiline=True,
                    label="outcome of the MASH review",
                )
                raise_if_invalid(form)
                assert day is not None
                reviewed_at = (
                    now
                    if day == today
                    else max(london_datetime(day, dt.time(12)).astimezone(dt.UTC), ppn.submitted_at)
                )
                ppn.state = PpnState.AWAITING_SOCIAL_CARE
                ppn.mash_reviewed_at = reviewed_at
                ppn.mash_outcome = text
                ppn.mash_reviewed_by_id = actor.officer_id
                stamp(ppn, actor, now)
                session.flush()
                task = self._follow_up_task(session, actor, ppn, subject, now)
                self._audit(
                    session,
                    actor,
                    ppn,
                    "ppn_mash_reviewed",
                    {
                        "reviewed_on": day,
                        "outcome": text,
                        "follow_up_task_id": task.id if task is not None else None,
                        "follow_up_due_on": ppn.follow_up_due_on,
                    },
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Ppn, ppn_id, "PPN") from None

    def record_decision(
        self,
        actor: Actor,
        ppn_id: int,
        expected_version: int,
        *,
        decision: str,  # required; DECISION_CHOICES suggests wordings, any text accepted
        decided_date: str,  # dd/mm/yyyy, not before submission's day, not in the future
        source: str,  # required: who said so ("Duty social worker, Fictionton CSC")
    ) -> None:
        """Children's social care decided: the PPN closes and its follow-up task is done (its
        comment is the decision). From SUBMITTED too: a decision can arrive before the MASH
        review is recorded, and the audit row says so."""
        now, today = self._services.now(), self._services.today()
        try:
            with self._services.transaction() as session:
                ppn, _ = _opened(session, actor, ppn_id, expected_version)
                _require_state(
                    ppn,
                    {PpnState.SUBMITTED, PpnState.AWAITING_SOCIAL_CARE},
                    "recording social care's decision",
                )
                form = Form()
                text = form.text(
                    "decision",
                    decision,
                    max_length=DECISION_MAX,
                    required=True,
                    multiline=True,
                    label="decision of children's social care",
                )
                day = _step_day(form, "decided_date", decided_date, ppn, today, "decision")
                said_by = form.text(
                    "source",
                    source,
                    max_length=SOURCE_MAX,
                    required=True,
                    label="source of the decision (who told you)",
                )
                raise_if_invalid(form)
                before_mash = ppn.state == PpnState.SUBMITTED
                ppn.state = PpnState.CLOSED
                ppn.social_care_decision = text
                ppn.social_care_decided_on = day
                ppn.social_care_source = said_by
                ppn.decision_recorded_by_id = actor.officer_id
                ppn.closed_at = now
                stamp(ppn, actor, now)
                done = []
                for task in session.scalars(_open_tasks(TaskKind.PPN_FOLLOW_UP, ppn.id)):
                    task.state = TaskState.DONE
                    task.completed_by_id = actor.officer_id
                    task.completed_at = now
                    task.comment = text
                    stamp(task, actor, now)
                    done.append(task.id)
                session.flush()
                detail: dict[str, Any] = {
                    "decision": text,
                    "decided_on": day,
                    "source": said_by,
                    "follow_up_tasks_done": done,
                }
                if before_mash:
                    detail["mash_review"] = "not recorded before the decision arrived"
                self._audit(session, actor, ppn, "ppn_decision_recorded", detail)
        except StaleDataError:
            raise conflict_after_race(self._services, Ppn, ppn_id, "PPN") from None

    def acknowledge_escalation(self, actor: Actor, task_id: int, note: str) -> None:
        """The sergeant (or their cover) has looked at an escalation: what was decided (required).
        The task is done; audited. Only the sergeant or team manager who owns the task, or who
        covers its owner today by the cover chain (DESIGN section 3, "Tasks and cover"), may."""
        now, today = self._services.now(), self._services.today()
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                task = session.get(Task, task_id)
                if task is None or task.kind != TaskKind.PPN_ESCALATION:
                    raise NotFound(f"There is no PPN escalation task number {task_id}.")
                if actor.role not in DECIDERS:
                    raise PermissionRefused(
                        "Only a sergeant or team manager acknowledges a PPN escalation; nothing "
                        "was saved."
                    )
                cover_for: int | None = None
                if task.owner_id != actor.officer_id:
                    decision = (
                        load_roster(session, today).decide(task.owner_id)
                        if task.owner_id is not None
                        else None
                    )
                    if decision is None or decision.cover_officer_id != actor.officer_id:
                        owner = officer_name(session, task.owner_id, "nobody")
                        raise PermissionRefused(
                            f"This escalation is {owner}'s and you are not covering for them "
                            "today; nothing was saved."
                        )
                    cover_for = task.owner_id
                if task.state != TaskState.OPEN:
                    who = officer_name(session, task.completed_by_id)
                    raise ServiceError(
                        f"This escalation was already acknowledged by {who} on "
                        f"{d(task.completed_at)}; nothing was changed."
                    )
                form = Form()
                text = form.text(
                    "note",
                    note,
                    max_length=NOTE_MAX,
                    required=True,
                    multiline=True,
                    label="note of what you decided",
                )
                raise_if_invalid(form)
                task.state = TaskState.DONE
                task.completed_by_id = actor.officer_id
                task.completed_at = now
                task.completed_as_cover_for_id = cover_for
                task.comment = text
                stamp(task, actor, now)
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "ppn_escalation_acknowledged",
                    entity_type="task",
                    entity_id=task.id,
                    offender_id=task.offender_id,
                    detail={
                        "note": text,
                        "ppn_id": task.subject_id,
                        **(
                            {"as_cover_for": officer_name(session, cover_for)}
                            if cover_for is not None
                            else {}
                        ),
                    },
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Task, task_id, "task") from None

    # -- helpers that need the services ---------------------------------------------------------

    def _now(self) -> dt.datetime:
        return self._services.now()

    def _audit(
        self, session: Session, actor: Actor, ppn: Ppn, action: str, detail: dict[str, Any]
    ) -> None:
        self._services.audit.record(
            session,
            actor,
            action,
            entity_type="ppn",
            entity_id=ppn.id,
            offender_id=ppn.offender_id,
            detail=detail,
        )

    def _follow_up_task(
        self, session: Session, actor: Actor, ppn: Ppn, subject: OffenderSubject, now: dt.datetime
    ) -> Task | None:
        """The PPN_FOLLOW_UP task for the raiser if still active, else the offender's manager,
        else whoever approves the offender's work. None when one is already open for this PPN."""
        if session.scalar(_open_tasks(TaskKind.PPN_FOLLOW_UP, ppn.id).limit(1)) is not None:
            return None
        raiser = session.get(Officer, ppn.raised_by_id)
        owner_id = raiser.id if raiser is not None and raiser.active else subject.manager_id
        if owner_id is None:
            owner_id = _approver_id(session, ppn.offender_id)
        assert ppn.follow_up_due_on is not None
        task = _task(
            TaskKind.PPN_FOLLOW_UP,
            ppn,
            subject,
            owner_id,
            f"Follow up PPN with children's social care: {subject.reference} "
            f"({_offender_name(session, ppn.offender_id)})",
            ppn.follow_up_due_on,
            actor,
            now,
        )
        session.add(task)
        session.flush()
        return task

    def _escalate(
        self,
        session: Session,
        actor: Actor,
        ppn: Ppn,
        subject: OffenderSubject,
        now: dt.datetime,
        today: dt.date,
    ) -> Task | None:
        """After `ppn` is raised: when its concern makes `ppn_escalation.count` PPNs within
        `ppn_escalation.months` for the offender, or for the household (the same postcode, any
        offender), and no escalation of this offender is open, a PPN_ESCALATION task for the
        offender's sergeant (`approval_owner`). It is due the next working day: a pattern of
        concerns around children needs a sergeant's eyes soon, but it is a review, not a
        deadline of the same day."""
        windows = _windows(session, ppn)
        if not windows:
            return None
        open_already = session.scalar(
            select(Task.id)
            .where(
                Task.kind == TaskKind.PPN_ESCALATION,
                Task.offender_id == ppn.offender_id,
                Task.state == TaskState.OPEN,
            )
            .limit(1)
        )
        if open_already is not None:
            return None
        count, months = _escalation_policy(session)
        basis = "offender" if "offender" in windows else "household"
        start, end, ids = windows[basis]
        month_words = "month" if months == 1 else "months"
        task = _task(
            TaskKind.PPN_ESCALATION,
            ppn,
            subject,
            _approver_id(session, ppn.offender_id),
            f"{_number(count).capitalize()} PPNs in {_number(months)} {month_words}: "
            f"{subject.reference} ({_offender_name(session, ppn.offender_id)})",
            add_working_days(today, 1),
            actor,
            now,
        )
        session.add(task)
        session.flush()
        self._services.audit.record(
            session,
            actor,
            "ppn_escalated",
            entity_type="task",
            entity_id=task.id,
            offender_id=ppn.offender_id,
            detail={
                "ppn_id": ppn.id,
                "basis": basis,
                "household": ppn.household_key,
                "window": [start, end],
                "ppns": sorted(ids),
                "owner": officer_name(session, task.owner_id, "nobody"),
            },
        )
        return task


# -- checking what was typed -------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    """A raise or an edit with every field checked (`_checked`): the grade, the concern and its
    moment in UTC, and the people concerned as PpnSubject columns."""

    grade: PpnGrade
    concern: str
    concern_at: dt.datetime  # aware UTC
    subjects: tuple[dict[str, Any], ...]  # PpnSubject columns


def _checked(
    session: Session, entry: PpnEntry, offender_id: int, today: dt.date, now: dt.datetime
) -> _Checked:
    """Every field of a raise or an edit, every problem at once (ValidationFailed)."""
    form = Form()
    grade = form.choice("grade", entry.grade, GRADE_CHOICES)
    concern = form.text(
        "concern", entry.concern, max_length=CONCERN_MAX, required=True, multiline=True
    )
    day = form.date(
        "concern_date",
        entry.concern_date,
        required=True,
        not_after=today,
        label="date of the concern",
    )
    earliest = today - dt.timedelta(days=CONCERN_DAYS_BACK)
    if day is not None and day < earliest:
        form.add(
            "concern_date",
            f"The date of the concern {day:%d/%m/%Y} is more than {CONCERN_DAYS_BACK} days ago; "
            "check it. A concern found out only now is raised with today's date, and the "
            "concern says when it happened.",
        )
        day = None
    time = _time(form, "concern_time", entry.concern_time, "time of the concern")
    at = london_datetime(day, time).astimezone(dt.UTC) if day and time is not None else None
    if at is not None and at > now + dt.timedelta(minutes=5):
        form.add("concern_time", "The concern cannot be later than now; check the time.")
    subjects = _subjects(session, form, entry.subjects, offender_id, today, day or today)
    raise_if_invalid(form)
    assert at is not None
    return _Checked(PpnGrade(grade), concern, at, subjects)


def _subjects(
    session: Session,
    form: Form,
    entries: Iterable[SubjectEntry],
    offender_id: int,
    today: dt.date,
    on: dt.date,
) -> tuple[dict[str, Any], ...]:
    """The people the PPN concerns: a household member must be this offender's (their name, date
    of birth and relationship are copied from the household, and they count as a child when
    under 18 on the concern's day); a hand-added one needs a name, and a date of birth (if any)
    not in the future."""
    entries = tuple(entries)
    if not entries:
        form.add(
            "subjects",
            "Name at least one child or adult the concern is about: choose them from the "
            "household or add them by name.",
        )
        return ()
    wanted = {e.household_member_id for e in entries if e.household_member_id is not None}
    members = (
        {
            m.id: m
            for m in session.scalars(select(HouseholdMember).where(HouseholdMember.id.in_(wanted)))
        }
        if wanted
        else {}
    )
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    for entry in entries:
        if entry.household_member_id is not None:
            member = members.get(entry.household_member_id)
            if member is None or member.offender_id != offender_id:
                form.add(
                    "subjects",
                    "Someone chosen is not in this offender's household; choose again from the "
                    "household list, or add them by name.",
                )
                continue
            if member.id not in seen:
                seen.add(member.id)
                found.append(
                    {
                        "household_member_id": member.id,
                        "name": member.name,
                        "date_of_birth": member.date_of_birth,
                        "relationship": member.relationship_to_offender[:RELATIONSHIP_MAX],
                        "is_child": _is_child(member.date_of_birth, on),
                    }
                )
            continue
        name = form.text(
            "subjects",
            entry.name,
            max_length=NAME_MAX,
            required=True,
            label="name of each person added by hand",
        )
        born = form.date(
            "subjects",
            entry.date_of_birth,
            required=False,
            not_after=today,
            label=f"date of birth of {name or 'a person added by hand'}",
        )
        relationship = form.text(
            "subjects", entry.relationship, max_length=RELATIONSHIP_MAX, label="relationship"
        )
        if name:
            found.append(
                {
                    "household_member_id": None,
                    "name": name,
                    "date_of_birth": born,
                    "relationship": relationship,
                    "is_child": bool(entry.is_child),
                }
            )
    return tuple(found)


def _time(form: Form, name: str, text: str, label: str) -> dt.time | None:
    """A time typed as HH:MM (also H:MM, HHMM, HH.MM), 24-hour. The visits service has the same
    reading in a private helper."""
    value = clean_text(text)
    if not value:
        form.add(name, f"Enter the {label} as HH:MM, for example 18:30.")
        return None
    match = _TIME.fullmatch(value)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        form.add(
            name,
            f"“{excerpt(value, 12)}” is not a time of day: enter the {label} as HH:MM, 00:00 "
            "to 23:59.",
        )
        return None
    return dt.time(int(match.group(1)), int(match.group(2)))


def _step_day(
    form: Form, name: str, text: str, ppn: Ppn, today: dt.date, what: str
) -> dt.date | None:
    """The day a step after submission happened: not before the day of submission, not after
    today."""
    assert ppn.submitted_at is not None
    submitted = _london_day(ppn.submitted_at)
    day = form.date(name, text, required=True, not_after=today, label=f"date of the {what}")
    if day is not None and day < submitted:
        form.add(
            name,
            f"The date of the {what} {day:%d/%m/%Y} is before the PPN was submitted on "
            f"{submitted:%d/%m/%Y}; check the date.",
        )
        return None
    return day


# -- permissions and states --------------------------------------------------------------------


def _article(words: str) -> str:
    return "An" if words[:1].lower() in "aeiou" else "A"


def _require_read(actor: Actor, subject: OffenderSubject) -> None:
    reason = read_refusal(actor, subject)
    if reason is not None:
        raise PermissionRefused(reason)


def _change_refusal(actor: Actor, subject: OffenderSubject) -> str | None:
    if actor.role not in CHANGERS:
        return (
            f"{_article(actor.role_label)} {actor.role_label} cannot raise or change PPNs: the "
            "offender's officers, their sergeant and team manager do. Nothing was saved."
        )
    reason = read_refusal(actor, subject)
    return f"{reason} Nothing was saved." if reason is not None else None


def _require_change(actor: Actor, subject: OffenderSubject) -> None:
    reason = _change_refusal(actor, subject)
    if reason is not None:
        raise PermissionRefused(reason)


def _opened(
    session: Session, actor: Actor, ppn_id: int, expected_version: int | None
) -> tuple[Ppn, OffenderSubject]:
    """The PPN to change, after the write lock, the permission and the version checks."""
    take_write_lock(session)
    ppn = session.get(Ppn, ppn_id)
    if ppn is None:
        raise NotFound(f"There is no PPN number {ppn_id}; nothing was saved.")
    subject = load_subject(session, ppn.offender_id)
    _require_change(actor, subject)
    check_version(session, ppn, expected_version, "PPN")
    return ppn, subject


def _where_it_stands(ppn: Ppn) -> str:
    if ppn.state == PpnState.DRAFT:
        return "This PPN has not been submitted yet"
    if ppn.state == PpnState.SUBMITTED:
        return f"This PPN was submitted on {d(ppn.submitted_at)}"
    if ppn.state == PpnState.AWAITING_SOCIAL_CARE:
        return f"The MASH review of this PPN was recorded on {d(ppn.mash_reviewed_at)}"
    return f"This PPN was closed on {d(ppn.closed_at)}"


def _require_state(ppn: Ppn, allowed: set[PpnState], doing: str, why: str = "") -> None:
    """Refuse a step the PPN's state does not allow, saying where it stands and what is next."""
    if ppn.state in allowed:
        return
    because = f" ({why})" if why and ppn.state != PpnState.DRAFT else ""
    raise ServiceError(
        f"{_where_it_stands(ppn)}, so {doing} is not possible now{because}: "
        f"{_NEXT[ppn.state]}. Nothing was saved."
    )


def _raising_visit(session: Session, visit_id: int, subject: OffenderSubject) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None or visit.offender_id != subject.offender_id:
        raise ServiceError(
            f"That visit is not a visit to {subject.reference}: raise the PPN from one of their "
            "visits or from their record. Nothing was saved."
        )
    if visit.occurred_at is None or visit.outcome in (VisitOutcome.PLANNED, VisitOutcome.CANCELLED):
        raise ServiceError(
            "Record the outcome of the visit before raising a PPN from it, or raise the PPN from "
            "the record. Nothing was saved."
        )
    return visit


# -- reading -----------------------------------------------------------------------------------


def _summaries(
    session: Session, actor: Actor, where: ColumnElement[bool], now: dt.datetime
) -> list[PpnSummary]:
    """The PPNs matching `where` that the actor may read, as lists show them: one query for the
    PPNs and their people, one for their subjects, whatever the number."""
    hours = policy_int(session, "ppn_submit_hours")
    manager, raiser, submitter = aliased(Officer), aliased(Officer), aliased(Officer)
    rows = session.execute(
        select(
            Ppn,
            Offender.reference,
            Offender.forename,
            Offender.surname,
            Offender.team_id,
            Team.name,
            Offender.manager_id,
            manager.forename,
            manager.surname,
            raiser.forename,
            raiser.surname,
            submitter.forename,
            submitter.surname,
        )
        .join(Offender, Offender.id == Ppn.offender_id)
        .join(Team, Team.id == Offender.team_id)
        .outerjoin(manager, manager.id == Offender.manager_id)
        .outerjoin(raiser, raiser.id == Ppn.raised_by_id)
        .outerjoin(submitter, submitter.id == Ppn.submitted_by_id)
        .where(where)
    ).all()
    readable = []
    for row in rows:
        subject = OffenderSubject(
            offender_id=row[0].offender_id,
            reference=row[1],
            team_id=row[4],
            team_name=row[5],
            manager_id=row[6],
            manager_name=f"{row[7]} {row[8]}" if row[7] is not None else "",
        )
        if read_refusal(actor, subject) is None:
            readable.append((row, subject, _change_refusal(actor, subject) is None))
    subjects: dict[int, list[PpnSubject]] = defaultdict(list)
    ids = [row[0].id for row, _, _ in readable]
    for chunk in range(0, len(ids), 5000):
        for person in session.scalars(
            select(PpnSubject)
            .where(PpnSubject.ppn_id.in_(ids[chunk : chunk + 5000]))
            .order_by(PpnSubject.id)
        ):
            subjects[person.ppn_id].append(person)
    return [
        _summary(
            row[0],
            subject,
            offender_name=f"{row[2]} {row[3]}",
            raised_by=f"{row[9]} {row[10]}" if row[9] is not None else "",
            submitted_by=f"{row[11]} {row[12]}" if row[11] is not None else "",
            subjects=subjects.get(row[0].id, []),
            may_change=may_change,
            now=now,
            hours=hours,
        )
        for row, subject, may_change in readable
    ]


def _summary(
    ppn: Ppn,
    subject: OffenderSubject,
    *,
    offender_name: str,
    raised_by: str,
    submitted_by: str,
    subjects: Iterable[PpnSubject],
    may_change: bool,
    now: dt.datetime,
    hours: int,
) -> PpnSummary:
    state = ppn.state.value
    stage = rules.stage(state, ppn.concern_at, now, hours)
    deadline = rules.submit_by(ppn.concern_at, hours)
    late = rules.overdue(
        state,
        ppn.concern_at,
        ppn.follow_up_due_on,
        ppn.social_care_decided_on is not None,
        now,
        hours,
    )
    return PpnSummary(
        ppn_id=ppn.id,
        version=ppn.version,
        offender_id=ppn.offender_id,
        reference=subject.reference,
        offender_name=offender_name,
        team_id=subject.team_id,
        team_name=subject.team_name,
        manager_name=subject.manager_name,
        grade=ppn.grade.value,
        state=state,
        stage=stage,
        stage_label=rules.STAGE_LABELS[stage],
        concern=ppn.concern,
        concern_at=ppn.concern_at,
        raised_by_id=ppn.raised_by_id,
        raised_by=raised_by,
        subjects=tuple(
            SubjectView(
                name=s.name,
                date_of_birth=s.date_of_birth,
                relationship=s.relationship,
                is_child=s.is_child,
                household_member_id=s.household_member_id,
            )
            for s in subjects
        ),
        visit_id=ppn.visit_id,
        submit_by=deadline,
        submitted_at=ppn.submitted_at,
        submitted_by=submitted_by,
        submission_reference=ppn.submission_reference,
        mash_reviewed_at=ppn.mash_reviewed_at,
        mash_outcome=ppn.mash_outcome,
        follow_up_due_on=ppn.follow_up_due_on,
        social_care_decision=ppn.social_care_decision,
        social_care_decided_on=ppn.social_care_decided_on,
        social_care_source=ppn.social_care_source,
        closed_at=ppn.closed_at,
        late=bool(late),
        next_step=_next_step(stage, deadline, ppn.follow_up_due_on, ppn.closed_at, late),
        may_edit=may_change and ppn.state != PpnState.CLOSED,
        raised_at=ppn.raised_at,
    )


def _next_step(
    stage: str,
    deadline: dt.datetime,
    follow_up_on: dt.date | None,
    closed_at: dt.datetime | None,
    late: list[str],
) -> str:
    """What is to be done next, in a sentence, with London times and dd/mm/yyyy dates."""
    by = f"{deadline.astimezone(LONDON):%H:%M} on {d(deadline)}"
    if stage == "draft":
        return f"Submit by {by}."
    if stage == "due":
        return f"Late: it was to be submitted by {by}. Submit it now."
    if stage == "closed":
        return f"Closed on {d(closed_at)}."
    if rules.FOLLOW_UP in late:
        return (
            f"Late: the follow-up with children's social care was due on {d(follow_up_on)}. "
            "Record their decision."
        )
    if stage == "submitted":
        return (
            "Record the MASH review; the follow-up with children's social care is due on "
            f"{d(follow_up_on)}."
        )
    return f"Follow up with children's social care by {d(follow_up_on)} and record their decision."


def _urgency(summary: PpnSummary) -> tuple[int, float, float, int]:
    """Late first, then by the next deadline (submission, or the end of the follow-up day), then
    the newest concern; closed last, the most recently closed first."""
    if summary.stage == "closed":
        closed = summary.closed_at or summary.concern_at
        return (2, -closed.timestamp(), 0.0, -summary.ppn_id)
    if summary.follow_up_due_on is not None and summary.stage != "draft":
        end = summary.follow_up_due_on + dt.timedelta(days=1)
        deadline = london_datetime(end, dt.time(0))
    else:
        deadline = summary.submit_by
    return (
        0 if summary.late else 1,
        deadline.timestamp(),
        -summary.concern_at.timestamp(),
        -summary.ppn_id,
    )


def _search_key(summary: PpnSummary) -> str:
    return "\n".join(
        [
            summary.reference,
            summary.offender_name,
            summary.concern,
            *(s.name for s in summary.subjects),
        ]
    ).casefold()


# -- escalation and tasks ----------------------------------------------------------------------


def _escalation_policy(session: Session) -> tuple[int, int]:
    """`ppn_escalation`'s count and months; a value that is not a whole number of at least one
    falls back to the default."""
    value = policy_value(session, "ppn_escalation")
    found = []
    for key, default in (("count", 3), ("months", 3)):
        try:
            found.append(max(1, int(value.get(key, default))))
        except (AttributeError, TypeError, ValueError):
            found.append(default)
    return found[0], found[1]


def _windows(session: Session, ppn: Ppn) -> dict[str, tuple[dt.date, dt.date, list[int]]]:
    """For "offender" and "household" (same non-empty household key, any offender): the
    escalation window `ppn`'s concern falls in, with the ids of the PPNs inside it; a basis with
    no escalation is left out."""
    count, months = _escalation_policy(session)
    newest = _london_day(ppn.concern_at)
    bases = {
        "offender": [
            (ppn_id, _london_day(concern_at))
            for ppn_id, concern_at in session.execute(
                select(Ppn.id, Ppn.concern_at).where(Ppn.offender_id == ppn.offender_id)
            )
        ],
        "household": [
            (ppn_id, _london_day(concern_at))
            for ppn_id, concern_at in _household_ppns(session, ppn)
        ],
    }
    found = {}
    for basis, days in bases.items():
        window = rules.escalation_window(
            [day for _, day in days], newest, count=count, months=months
        )
        if window is not None:
            start, end = window
            found[basis] = (start, end, [i for i, day in days if start <= day <= end])
    return found


def _household_ppns(session: Session, ppn: Ppn) -> list[tuple[int, dt.datetime]]:
    """(id, concern at) of every PPN about `ppn`'s household, whichever team manages its
    offenders (none without a household key). On PostgreSQL through `pillars_household_ppns`
    (migration 0004): an officer's own database role reads only the PPNs of offenders they may
    read, and the function answers only about a PPN whose offender they may read."""
    if not ppn.household_key:
        return []
    if session.get_bind().dialect.name == "postgresql":
        query: Any = text("SELECT id, concern_at FROM pillars_household_ppns(:ppn_id)")
    else:
        query = select(Ppn.id, Ppn.concern_at).where(Ppn.household_key == ppn.household_key)
    return [(ppn_id, at) for ppn_id, at in session.execute(query, {"ppn_id": ppn.id})]


def _open_tasks(kind: TaskKind, ppn_id: int) -> Any:
    return select(Task).where(
        Task.kind == kind,
        Task.subject_type == "ppn",
        Task.subject_id == ppn_id,
        Task.state == TaskState.OPEN,
    )


def _task(
    kind: TaskKind,
    ppn: Ppn,
    subject: OffenderSubject,
    owner_id: int | None,
    title: str,
    due_on: dt.date,
    actor: Actor,
    now: dt.datetime,
) -> Task:
    return Task(
        kind=kind,
        group=TASK_GROUP[kind],
        offender_id=ppn.offender_id,
        owner_id=owner_id,
        team_id=subject.team_id,
        subject_type="ppn",
        subject_id=ppn.id,
        title=title[:200],
        created_by_id=actor.officer_id,
        created_at=now,
        due_on=due_on,
        state=TaskState.OPEN,
        comment="",
        updated_by_id=actor.officer_id,
        updated_at=now,
    )


def _approver_id(session: Session, offender_id: int) -> int | None:
    """Who approves the offender's work (the manager's sergeant, ...); None when the team has
    no sergeant or team manager, so the task still records the escalation."""
    offender = session.get(Offender, offender_id)
    assert offender is not None
    try:
        return approval_owner(session, offender).id
    except ServiceError:
        return None


# -- small facts -------------------------------------------------------------------------------


def _london_day(at: dt.datetime) -> dt.date:
    return at.astimezone(LONDON).date()


def _is_child(born: dt.date | None, on: dt.date) -> bool:
    """Under 18 on `on`. An unknown date of birth is not taken as a child's: the officer adds a
    child whose age the household record lacks by hand, marked as a child."""
    if born is None:
        return False
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age < 18


def _number(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def _offender_name(session: Session, offender_id: int) -> str:
    row = session.execute(
        select(Offender.forename, Offender.surname).where(Offender.id == offender_id)
    ).one()
    return f"{row[0]} {row[1]}"


def _household_key(session: Session, offender_id: int, today: dt.date) -> str:
    """The postcode of the offender's current home address (the newest, if several), "" when
    there is none (no fixed abode)."""
    postcode = session.scalar(
        select(Address.postcode)
        .where(
            Address.offender_id == offender_id,
            Address.kind == "home",
            Address.from_date <= today,
            or_(Address.to_date.is_(None), Address.to_date >= today),
        )
        .order_by(Address.from_date.desc(), Address.id.desc())
        .limit(1)
    )
    return postcode or ""


def _snapshot(ppn: Ppn) -> dict[str, Any]:
    """What an edit may change, as the audit row shows it."""
    return {
        "grade": ppn.grade.value,
        "concern": ppn.concern,
        "concern_at": ppn.concern_at.astimezone(LONDON).strftime("%d/%m/%Y %H:%M"),
        "subjects": [s.name for s in ppn.subjects],
    }


DECISION_CHOICES: tuple[str, ...] = (
    "No further action",
    "Advice and information given to the family",
    "Early help offered",
    "Child and family assessment (section 17)",
    "Strategy discussion and section 47 enquiry",
    "Already open to children's social care",
)
