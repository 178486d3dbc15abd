"""One offender's record: reading it whole, and the edits an offender manager makes to identity,
addresses and household.

Edits arrive as the raw text the person typed (`IdentityEdit`, `AddressEdit`, `HouseholdEdit`);
the service checks every field with `desktop.rules.validation` and refuses the whole save with a
`ValidationFailed` listing each bad field. A save made against a version someone else has since
changed is refused with `EditConflict` naming them: compared up front, and caught again from
SQLAlchemy's version check for the race between two desktops saving at the same moment. Every
change is audited with the fields it changed, before and after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from db.enums import (
    ApprovalState,
    AssessmentKind,
    FactorKind,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    Pillar,
    TaskGroup,
    TaskState,
)
from db.models import (
    Address,
    Alias,
    HouseholdMember,
    MappaChange,
    Notification,
    Offender,
    Officer,
    Ppn,
    PpnSubject,
    RiskAssessment,
    RiskFactor,
    RiskManagementPlan,
    Task,
    Team,
    Visit,
)
from desktop.rules import cadence
from desktop.rules import ppn as ppn_rules
from desktop.rules.breaches import Breach
from desktop.rules.periods import age_on, notification_period
from desktop.rules.plan_gaps import PILLARS, ActionFacts, FactorFacts, Gap, plan_gaps
from desktop.rules.quality import ArmsFacts, QualityReport, quality_findings
from desktop.rules.risk import rm2000_result
from desktop.rules.validation import Form
from desktop.services.actor import Actor
from desktop.services.approvals import (
    PendingApproval,
    check_version,
    officer_name,
    pending_in_many,
    stamp,
)
from desktop.services.audit import AuditRow
from desktop.services.caseload import late_ppn_counts, quality_facts
from desktop.services.due import breaches_for
from desktop.services.errors import (
    EditConflict,
    FieldError,
    NotFound,
    ValidationFailed,
)
from desktop.services.mappa import MappaChangeView
from desktop.services.permissions import can_edit_offender, load_subject, require_edit, require_read
from desktop.services.policy import policy_int
from desktop.services.ppns import SubjectView
from desktop.services.visit_facts import VisitFlags, visit_flags

if TYPE_CHECKING:
    from desktop.services.core import Services

ADDRESS_KINDS = {"home": "Home", "stay": "Staying at"}
# Who `show` reads the record as: nobody signed in, so nothing is editable or decidable.
CLI_ACTOR = Actor(
    officer_id=0,
    username="cli",
    display_name="command line",
    role="command_line",
    team_id=None,
    team_name="",
)
NOTES_MAX = 10_000
ALIAS_MAX = 160
AUDIT_TEXT_MAX = 200  # longest before/after value kept in an audit row's detail


# -- the read model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressView:
    """One address on the record, current ones first, then newest: `current` when its dates include
    the record's day. `version` is the row's version column, quoted back as
    AddressEdit.expected_version."""

    address_id: int
    version: int
    kind: str  # "home" | "stay"
    line1: str
    line2: str
    town: str
    postcode: str
    from_date: dt.date
    to_date: dt.date | None
    current: bool


@dataclass(frozen=True)
class HouseholdView:
    """One member of the offender's household: `age` on the record's day (None when the date of
    birth is unknown) and `is_child` when under 18."""

    member_id: int
    version: int
    name: str
    relationship: str
    date_of_birth: dt.date | None
    age: int | None
    is_child: bool
    from_date: dt.date | None
    to_date: dt.date | None
    notes: str


@dataclass(frozen=True)
class ConvictionView:
    """One conviction on the record, newest first, with the s82 notification period it gives
    (`period_text`, in the words of `desktop.rules.periods`)."""

    offence: str
    court: str
    convicted_on: dt.date
    sentenced_on: dt.date | None
    sentence_kind: str | None  # a SentenceKind value
    sentence_months: int | None
    period_text: str  # e.g. "10 years, to 01/03/2031 (custody of more than 6 and under 30 ...)"
    notification_ends: dt.date | None
    indefinite: bool


@dataclass(frozen=True)
class FactorView:
    """One factor of an ARMS assessment: risk or protective, present or not, and the evidence
    typed."""

    kind: str  # "risk" | "protective"
    label: str
    present: bool
    evidence: str
    code: str = ""


@dataclass(frozen=True)
class AssessmentView:
    """One ARMS or RM2000 assessment on the record, in any approval state; the RM2000 scores are
    None for an ARMS. `version` is the row's version column."""

    assessment_id: int
    kind: str  # "arms" | "rm2000"
    assessed_on: dt.date
    assessor: str
    level: str  # a RiskLevel value
    next_review_on: dt.date | None
    state: str  # an ApprovalState value
    factors: list[FactorView]
    rm2000_sexual: int | None
    rm2000_violent: int | None
    rm2000_combined: int | None
    aggravating_factors: int | None = None
    version: int = 0
    return_comment: str = ""
    decided_by: str = ""


@dataclass(frozen=True)
class ActionView:
    """One action of the record's plan, with its owner's name (an officer's, or another
    agency's)."""

    pillar: str  # a Pillar value
    pillar_label: str
    description: str
    owner: str
    due_on: dt.date | None
    status: str  # an ActionStatus value
    answers_factor: str | None


@dataclass(frozen=True)
class PlanView:
    """The newest approved version of the offender's plan, with its actions, as the record shows it
    (OffenderRecord.plan is None when no version is approved yet)."""

    plan_number: int
    state: str
    review_on: dt.date | None
    contingency: str
    licence_conditions: str
    decided_by: str
    decided_at: dt.datetime | None
    actions: list[ActionView]


@dataclass(frozen=True)
class VisitView:
    """One visit on the record, newest first, planned or done: times in UTC, both officers' names,
    and the approval state of the visit record (`record_state`)."""

    visit_id: int
    planned_at: dt.datetime
    occurred_at: dt.datetime | None
    outcome: str  # a VisitOutcome value
    officers: str  # "Ada Quillfeather and Bramwell Tiddlecombe"
    announced: bool
    children_present: bool | None
    record_state: str
    notes: str


@dataclass(frozen=True)
class PpnView:
    """One PPN in full, as the record's PPN tab and `pillars show` give it."""

    ppn_id: int
    grade: str
    state: str  # a PpnState value (stored)
    concern: str
    concern_at: dt.datetime
    submitted_at: dt.datetime | None
    follow_up_due_on: dt.date | None
    social_care_decision: str
    stage: str = ""  # desktop.rules.ppn.stage: draft | due | submitted | awaiting_social_care | ...
    stage_label: str = ""  # "Draft", "Due", "Awaiting social care", ...
    raised_by: str = ""  # the officer's name
    raised_at: dt.datetime | None = None
    subjects: tuple[SubjectView, ...] = ()  # the children or adults concerned
    submit_by: dt.datetime | None = None  # the concern + ppn_submit_hours
    submitted_by: str = ""
    submission_reference: str = ""
    mash_reviewed_at: dt.datetime | None = None
    mash_outcome: str = ""
    mash_reviewed_by: str = ""
    social_care_decided_on: dt.date | None = None
    social_care_source: str = ""
    decision_recorded_by: str = ""
    closed_at: dt.datetime | None = None
    visit_id: int | None = None
    late: bool = False  # a step is overdue: among the record's breaches


@dataclass(frozen=True)
class NotificationView:
    """One notification the offender made, as the record lists it: the event, the day notified, the
    day the hub must process it by, and what changed in a line."""

    kind: str  # a NotificationKind value
    event_on: dt.date
    notified_on: dt.date
    due_on: dt.date | None
    state: str
    summary: str


@dataclass(frozen=True)
class TaskView:
    """One open task about the offender, as the record lists it: whose it is ("Hub" for the hub
    queue), when it is due, and whether that has passed."""

    task_id: int
    kind: str  # a TaskKind value
    title: str
    owner: str  # "Hub" for the hub queue
    due_on: dt.date
    state: str
    overdue: bool


@dataclass(frozen=True)
class OffenderRecord:
    """One offender's record whole, as `open` reads it for the record window and `pillars show`:
    identity, risk, plan, visits, PPNs, notifications, open tasks, breaches and quality, with the
    clocks worked out for the day `on`. `can_edit` says whether the reader may change it."""

    offender_id: int
    version: int
    reference: str
    forename: str
    surname: str
    name: str
    date_of_birth: dt.date
    age: int
    gender: str
    status: str  # an OffenderStatus value
    status_since: dt.date | None
    expected_release_on: dt.date | None
    team: str
    manager: str  # "" when unallocated
    manager_id: int | None
    mappa_category: int
    mappa_level: int
    registration_start: dt.date
    notification_end: dt.date | None
    notification_indefinite: bool
    reactive_management: bool
    no_fixed_abode: bool
    notes: str
    aliases: list[str]
    addresses: list[AddressView]
    household: list[HouseholdView]
    convictions: list[ConvictionView]
    assessments: list[AssessmentView]
    plan: PlanView | None
    visits: list[VisitView]
    ppns: list[PpnView]
    notifications: list[NotificationView]
    tasks: list[TaskView]
    breaches: list[Breach]
    last_seen: dt.date | None
    next_visit_due: dt.date | None
    can_edit: bool
    visit_overdue: bool = False
    failed_attempts: int = 0  # no access / refused entry in a row since the last completed visit
    warrant_consideration: bool = False  # s96B: consider a warrant to enter for risk assessment
    team_id: int = 0
    risk_level: str | None = None  # the latest approved ARMS level
    next_periodic_due: dt.date | None = None
    released_on: dt.date | None = None
    on: dt.date | None = None  # the day the record's clocks were computed for
    quality: QualityReport = field(default_factory=QualityReport)  # record-quality checks
    plan_gaps: list[Gap] = field(default_factory=list)  # of the plan in force (see quality)
    mappa_history: list[MappaChangeView] = field(default_factory=list)  # newest first
    pending_approvals: list[PendingApproval] = field(default_factory=list)  # oldest first

    @property
    def current_address(self) -> AddressView | None:
        return next((a for a in self.addresses if a.current and a.kind == "home"), None)


# -- edits: the raw text typed ------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityEdit:
    """The identity form as typed (date of birth dd/mm/yyyy, one alias a line), saved by
    `update_identity` against the record's version."""

    forename: str
    surname: str
    date_of_birth: str
    gender: str
    aliases: str  # one per line
    notes: str


@dataclass(frozen=True)
class AddressEdit:
    """An address form as typed (dates dd/mm/yyyy); `address_id` and `expected_version` are None for
    a new address."""

    address_id: int | None
    expected_version: int | None
    kind: str  # "home" | "stay"
    line1: str
    line2: str
    town: str
    postcode: str
    from_date: str
    to_date: str


@dataclass(frozen=True)
class HouseholdEdit:
    """A household member's form as typed (dates dd/mm/yyyy); `member_id` and `expected_version` are
    None for someone new."""

    member_id: int | None
    expected_version: int | None
    name: str
    relationship: str
    date_of_birth: str
    from_date: str
    to_date: str
    notes: str


def identity_edit_for(record: OffenderRecord) -> IdentityEdit:
    """The identity form filled from a record, as the person would see it."""
    return IdentityEdit(
        forename=record.forename,
        surname=record.surname,
        date_of_birth=record.date_of_birth.strftime("%d/%m/%Y"),
        gender=record.gender,
        aliases="\n".join(record.aliases),
        notes=record.notes,
    )


def address_edit_for(view: AddressView) -> AddressEdit:
    return AddressEdit(
        address_id=view.address_id,
        expected_version=view.version,
        kind=view.kind,
        line1=view.line1,
        line2=view.line2,
        town=view.town,
        postcode=view.postcode,
        from_date=view.from_date.strftime("%d/%m/%Y"),
        to_date=view.to_date.strftime("%d/%m/%Y") if view.to_date else "",
    )


def household_edit_for(view: HouseholdView) -> HouseholdEdit:
    return HouseholdEdit(
        member_id=view.member_id,
        expected_version=view.version,
        name=view.name,
        relationship=view.relationship,
        date_of_birth=view.date_of_birth.strftime("%d/%m/%Y") if view.date_of_birth else "",
        from_date=view.from_date.strftime("%d/%m/%Y") if view.from_date else "",
        to_date=view.to_date.strftime("%d/%m/%Y") if view.to_date else "",
        notes=view.notes,
    )


# -- the service --------------------------------------------------------------------------------


@dataclass
class _Target:
    """The versioned row a save is about, for the conflict message after a lost race."""

    model: Any = None
    row_id: int | None = None
    what: str = "record"


ChangeFn = Callable[[Session, Offender, "_Target"], "dict[str, Any] | None"]


class _LostRace(Exception):
    def __init__(self, target: _Target) -> None:
        self.target = target


class RecordService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # reading

    def open(self, actor: Actor, offender_id: int) -> OffenderRecord:
        """The whole record, if `actor` may read it; the view is audited."""
        with self._services.transaction() as session:
            subject = load_subject(session, offender_id)
            require_read(actor, subject)
            self._services.audit.record(
                session,
                actor,
                "record_viewed",
                entity_type="offender",
                entity_id=offender_id,
                offender_id=offender_id,
            )
            return self._build(session, actor, offender_id)

    def history(self, actor: Actor, offender_id: int) -> list[AuditRow]:
        return self._services.audit.history(actor, offender_id)

    def show(self, reference: str) -> dict[str, Any]:
        """One offender's record as JSON-ready data with stable keys (`pillars show --json`; the
        keys are listed in the README). No actor: the command line runs with the database's own
        credentials, so it is audited as "record_exported" by "cli". Dates are ISO 8601.
        Unknown reference: NotFound "no offender with reference X"."""
        wanted = " ".join((reference or "").split())
        with self._services.transaction() as session:
            offender_id = session.scalar(select(Offender.id).where(Offender.reference == wanted))
            if offender_id is None:
                raise NotFound(f"no offender with reference {wanted or repr(reference)}")
            self._services.audit.record(
                session,
                None,
                "record_exported",
                entity_type="offender",
                entity_id=offender_id,
                offender_id=offender_id,
                username="cli",
                detail={"reference": wanted},
            )
            record = self._build(session, CLI_ACTOR, offender_id)
        return record_document(record)

    # editing

    def update_identity(
        self, actor: Actor, offender_id: int, expected_version: int, edit: IdentityEdit
    ) -> OffenderRecord:
        def change(session: Session, offender: Offender, target: _Target) -> dict[str, Any] | None:
            target.model, target.row_id, target.what = Offender, offender.id, "record"
            check_version(session, offender, expected_version, "record")
            today = self._services.today()
            form = Form()
            forename = form.text("forename", edit.forename, max_length=80, required=True)
            surname = form.text("surname", edit.surname, max_length=80, required=True)
            born = form.date(
                "date_of_birth",
                edit.date_of_birth,
                required=True,
                not_after=today,
                label="date of birth",
            )
            gender = form.text("gender", edit.gender, max_length=20)
            aliases = form.lines("aliases", edit.aliases, max_length=ALIAS_MAX, label="alias")
            notes = form.text("notes", edit.notes, max_length=NOTES_MAX, multiline=True)
            _raise_if_invalid(form)
            assert born is not None
            changes: dict[str, Any] = {}
            for name, value in (
                ("forename", forename),
                ("surname", surname),
                ("date_of_birth", born),
                ("gender", gender),
                ("notes", notes),
            ):
                before = getattr(offender, name)
                if before != value:
                    changes[name] = [_audit_value(before), _audit_value(value)]
                    setattr(offender, name, value)
            current_aliases = [a.name for a in offender.aliases]
            if current_aliases != aliases:
                changes["aliases"] = [current_aliases, aliases]
                keep = {a.name: a for a in offender.aliases}
                offender.aliases = [
                    keep.pop(name) if name in keep else Alias(name=name) for name in aliases
                ]
            if not changes:
                return None
            stamp(offender, actor, self._services.now())
            return {
                "action": "identity_changed",
                "entity_type": "offender",
                "entity_id": offender.id,
                "detail": {"changes": changes},
            }

        return self._save(actor, offender_id, change)

    def save_address(self, actor: Actor, offender_id: int, edit: AddressEdit) -> OffenderRecord:
        """Add or change an address. A new current home address (no end date) closes the
        previous current home address the day before the new one starts (or on the day it
        started, if that is later), and clears "no fixed abode"."""

        def change(session: Session, offender: Offender, target: _Target) -> dict[str, Any] | None:
            address = self._child(session, Address, edit.address_id, offender.id, "address")
            target.model, target.what = Address, "address"
            if address is not None:
                target.row_id = address.id
                check_version(session, address, edit.expected_version, "address")
            form = Form()
            kind = form.choice("kind", edit.kind, ADDRESS_KINDS)
            line1 = form.text(
                "line1", edit.line1, max_length=120, required=True, label="first line"
            )
            line2 = form.text("line2", edit.line2, max_length=120, label="second line")
            town = form.text("town", edit.town, max_length=80, required=True)
            postcode = form.postcode("postcode", edit.postcode)
            from_date = form.date("from_date", edit.from_date, required=True, label="from date")
            to_date = form.date("to_date", edit.to_date, required=False, label="to date")
            form.order("from_date", "to_date", from_date, to_date)
            others = [
                a
                for a in offender.addresses
                if a.kind == "home"
                and a.to_date is None
                and (address is None or a.id != address.id)
            ]
            becomes_current_home = kind == "home" and to_date is None
            if becomes_current_home and from_date is not None:
                for other in others:
                    if other.from_date >= from_date:
                        form.add(
                            "to_date",
                            f"{other.line1}, {other.postcode} is the current home address from "
                            f"{other.from_date:%d/%m/%Y}; an earlier home address needs an end "
                            "date.",
                        )
            _raise_if_invalid(form)
            assert from_date is not None
            values = {
                "kind": kind,
                "line1": line1,
                "line2": line2,
                "town": town,
                "postcode": postcode,
                "from_date": from_date,
                "to_date": to_date,
            }
            detail: dict[str, Any] = {}
            if address is None:
                address = Address(offender_id=offender.id, **values)
                offender.addresses.append(address)
                detail["new"] = {k: _audit_value(v) for k, v in values.items()}
            else:
                changes = {
                    k: [_audit_value(getattr(address, k)), _audit_value(v)]
                    for k, v in values.items()
                    if getattr(address, k) != v
                }
                if not changes:
                    return None
                for k, v in values.items():
                    setattr(address, k, v)
                detail["changes"] = changes
            stamp(address, actor, self._services.now())
            if becomes_current_home:
                closed = []
                for other in others:
                    other.to_date = max(other.from_date, from_date - dt.timedelta(days=1))
                    stamp(other, actor, self._services.now())
                    closed.append(f"{other.line1}, {other.postcode} to {other.to_date:%d/%m/%Y}")
                if closed:
                    detail["closed"] = closed
                moved_home = bool(closed) or offender.no_fixed_abode
                if offender.no_fixed_abode:
                    offender.no_fixed_abode = False
                    stamp(offender, actor, self._services.now())
                    detail["no_fixed_abode"] = [True, False]
                if moved_home and from_date is not None:
                    # A change of address is a change of circumstances: the ARMS review comes
                    # forward (DESIGN, Risk), in this transaction and audited on its own.
                    session.flush()
                    self._services.assessments.bring_review_forward(
                        session, offender.id, from_date, actor=actor, reason="change of address"
                    )
            session.flush()
            target.row_id = address.id
            return {
                "action": "address_saved",
                "entity_type": "address",
                "entity_id": address.id,
                "detail": detail,
            }

        return self._save(actor, offender_id, change)

    def save_household_member(
        self, actor: Actor, offender_id: int, edit: HouseholdEdit
    ) -> OffenderRecord:
        def change(session: Session, offender: Offender, target: _Target) -> dict[str, Any] | None:
            member = self._child(
                session, HouseholdMember, edit.member_id, offender.id, "household member"
            )
            target.model, target.what = HouseholdMember, "household member"
            if member is not None:
                target.row_id = member.id
                check_version(session, member, edit.expected_version, "household member")
            today = self._services.today()
            form = Form()
            name = form.text("name", edit.name, max_length=160, required=True)
            relationship = form.text("relationship", edit.relationship, max_length=60)
            born = form.date(
                "date_of_birth",
                edit.date_of_birth,
                required=False,
                not_after=today,
                label="date of birth",
            )
            from_date = form.date("from_date", edit.from_date, required=False, label="from date")
            to_date = form.date("to_date", edit.to_date, required=False, label="to date")
            form.order("from_date", "to_date", from_date, to_date)
            notes = form.text("notes", edit.notes, max_length=NOTES_MAX, multiline=True)
            _raise_if_invalid(form)
            values = {
                "name": name,
                "relationship_to_offender": relationship,
                "date_of_birth": born,
                "from_date": from_date,
                "to_date": to_date,
                "notes": notes,
            }
            detail: dict[str, Any] = {}
            if member is None:
                member = HouseholdMember(offender_id=offender.id, **values)
                offender.household.append(member)
                detail["new"] = {
                    _field_name(k): _audit_value(v) for k, v in values.items() if k != "notes"
                }
            else:
                changes = {
                    _field_name(k): [_audit_value(getattr(member, k)), _audit_value(v)]
                    for k, v in values.items()
                    if getattr(member, k) != v
                }
                if not changes:
                    return None
                for k, v in values.items():
                    setattr(member, k, v)
                detail["changes"] = changes
            stamp(member, actor, self._services.now())
            session.flush()
            target.row_id = member.id
            return {
                "action": "household_member_saved",
                "entity_type": "household_member",
                "entity_id": member.id,
                "detail": detail,
            }

        return self._save(actor, offender_id, change)

    def remove_household_member(
        self, actor: Actor, offender_id: int, member_id: int, expected_version: int
    ) -> OffenderRecord:
        """Take someone off the household. A person a PPN names is kept, with today as the end
        date, so the PPN still says who it was about; anyone else is deleted."""

        def change(session: Session, offender: Offender, target: _Target) -> dict[str, Any] | None:
            member = self._child(
                session, HouseholdMember, member_id, offender.id, "household member"
            )
            assert member is not None
            target.model, target.row_id, target.what = (
                HouseholdMember,
                member.id,
                "household member",
            )
            check_version(session, member, expected_version, "household member")
            named_by_ppn = session.scalar(
                select(PpnSubject.id).where(PpnSubject.household_member_id == member.id).limit(1)
            )
            detail: dict[str, Any] = {"name": member.name}
            if named_by_ppn is not None:
                today = self._services.today()
                if member.to_date is None or member.to_date > today:
                    member.to_date = max(today, member.from_date or today)
                    stamp(member, actor, self._services.now())
                detail["kept_because"] = "named in a PPN"
                detail["to_date"] = _audit_value(member.to_date)
            else:
                offender.household.remove(member)
                session.delete(member)
            return {
                "action": "household_member_removed",
                "entity_type": "household_member",
                "entity_id": member.id,
                "detail": detail,
            }

        return self._save(actor, offender_id, change)

    # -- internals ------------------------------------------------------------------------------

    def _save(self, actor: Actor, offender_id: int, change: ChangeFn) -> OffenderRecord:
        target = _Target()
        try:
            with self._services.transaction() as session:
                subject = load_subject(session, offender_id)
                require_edit(actor, subject)
                offender = session.scalars(
                    select(Offender)
                    .where(Offender.id == offender_id)
                    .options(selectinload(Offender.aliases), selectinload(Offender.addresses))
                    .options(selectinload(Offender.household))
                ).one()
                try:
                    audit = change(session, offender, target)
                    session.flush()
                except StaleDataError:
                    raise _LostRace(target) from None
                if audit is not None:
                    self._services.audit.record(
                        session,
                        actor,
                        audit["action"],
                        entity_type=audit["entity_type"],
                        entity_id=audit["entity_id"],
                        offender_id=offender_id,
                        detail=audit["detail"],
                    )
                return self._build(session, actor, offender_id)
        except _LostRace as lost:
            raise self._conflict_after_race(lost.target, offender_id) from None

    def _child(
        self, session: Session, model: Any, row_id: int | None, offender_id: int, what: str
    ) -> Any:
        if row_id is None:
            return None
        row = session.get(model, row_id)
        if row is None or row.offender_id != offender_id:
            raise NotFound(
                f"That {what} is no longer on this record: someone may have removed it. "
                "Nothing was saved; reload the record."
            )
        return row

    def _conflict_after_race(self, target: _Target, offender_id: int) -> Exception:
        """Who won the race: the row this save was about, else the offender's record."""
        with self._services.transaction() as session:
            row = None
            if target.model is not None and target.row_id is not None:
                row = session.get(target.model, target.row_id)
                if row is None and target.model is not Offender:
                    return NotFound(
                        f"Someone removed this {target.what} after you opened it; nothing was "
                        "saved."
                    )
            what = target.what
            if row is None:
                row, what = session.get(Offender, offender_id), "record"
            if row is None:
                return NotFound(f"There is no offender record number {offender_id}.")
            return EditConflict(what, officer_name(session, row.updated_by_id), row.updated_at)

    def _build(self, session: Session, actor: Actor, offender_id: int) -> OffenderRecord:
        return build_record(
            session,
            actor,
            offender_id,
            today=self._services.today(),
            now=self._services.now(),
        )


# -- building the read model --------------------------------------------------------------------


def build_record(
    session: Session, actor: Actor, offender_id: int, *, today: dt.date, now: dt.datetime
) -> OffenderRecord:
    """The read model of one offender (no permission check: callers check first)."""
    return build_records(session, actor, [offender_id], today=today, now=now)[0]


def build_records(
    session: Session,
    actor: Actor,
    offender_ids: Sequence[int],
    *,
    today: dt.date,
    now: dt.datetime,
) -> list[OffenderRecord]:
    """The read models of several offenders, in the order given, each exactly what `build_record`
    gives, read with a fixed number of queries however many there are (the scrutiny pack reads
    its sample so: 20 records one at a time cost 20 times the queries). No permission check:
    callers check first. An id with no offender raises NotFound."""
    session.expire_all()  # read what this transaction wrote, not stale loaded copies
    ids = list(dict.fromkeys(offender_ids))
    offenders = {
        o.id: o
        for o in session.scalars(
            select(Offender)
            .where(Offender.id.in_(ids))
            .options(
                selectinload(Offender.aliases),
                selectinload(Offender.addresses),
                selectinload(Offender.household),
                selectinload(Offender.convictions),
            )
        )
    }
    for offender_id in ids:
        if offender_id not in offenders:
            raise NotFound(f"There is no offender record number {offender_id}.")
    rows = _RecordRows.read(session, ids)
    teams = dict(
        session.execute(
            select(Team.id, Team.name).where(Team.id.in_({o.team_id for o in offenders.values()}))
        ).all()
    )
    officer_ids: set[int] = {o.manager_id for o in offenders.values() if o.manager_id is not None}
    for mine in rows.values():
        officer_ids |= mine.officer_ids()
    names = {
        officer_id: f"{forename} {surname}"
        for officer_id, forename, surname in session.execute(
            select(Officer.id, Officer.forename, Officer.surname).where(Officer.id.in_(officer_ids))
        )
    }
    # Last seen, the next visit due and the warrant flag: the visit rules, as the caseload; the
    # breaches as the caseload and `pillars due` compute them.
    scope = Offender.id.in_(ids)
    flags = visit_flags(session, scope, today)
    found = breaches_for(session, scope, today, now)
    shared = _Shared(
        today=today,
        now=now,
        names=names,
        arms_review_months=policy_int(session, "arms_review_months"),
        ppn_submit_hours=policy_int(session, "ppn_submit_hours"),
    )
    # the open approvals, read again for the records that have one, all together
    pending = pending_in_many(
        session,
        actor,
        [i for i in ids if any(t.group == TaskGroup.APPROVAL for t in rows[i].tasks)],
        today=today,
    )
    return [
        _record(
            actor,
            offenders[offender_id],
            rows[offender_id],
            teams.get(offenders[offender_id].team_id) or "",
            flags.get(offender_id),
            found.get(offender_id, []),
            pending.get(offender_id, []),
            shared,
        )
        for offender_id in offender_ids
    ]


@dataclass
class _RecordRows:
    """One offender's rows beyond the offender itself, newest first where a record lists them."""

    assessments: list[RiskAssessment] = field(default_factory=list)
    factors: dict[int, list[FactorView]] = field(default_factory=dict)  # by assessment, in order
    plan: RiskManagementPlan | None = None  # the newest approved plan
    plan_in_force: RiskManagementPlan | None = None  # that, else the newest not superseded
    visits: list[Visit] = field(default_factory=list)
    ppns: list[Ppn] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)  # open, by due date
    mappa: list[MappaChange] = field(default_factory=list)

    @staticmethod
    def read(session: Session, ids: list[int]) -> dict[int, _RecordRows]:
        """The rows of every offender in `ids`: one query per kind of row for them all."""
        out = {offender_id: _RecordRows() for offender_id in ids}
        for a in session.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.offender_id.in_(ids))
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        ):
            out[a.offender_id].assessments.append(a)
        # The factors as plain rows, not ORM objects: eleven to an ARMS, they were half the
        # objects a scrutiny pack's records made, and a fifth of reading them (issue #10).
        for assessment_id, offender_id, kind, label, present, evidence, code in session.execute(
            select(
                RiskFactor.assessment_id,
                RiskAssessment.offender_id,
                RiskFactor.kind,
                RiskFactor.label,
                RiskFactor.present,
                RiskFactor.evidence,
                RiskFactor.code,
            )
            .join(RiskAssessment, RiskAssessment.id == RiskFactor.assessment_id)
            .where(RiskAssessment.offender_id.in_(ids))
            .order_by(RiskFactor.assessment_id, RiskFactor.position, RiskFactor.id)
        ):
            out[offender_id].factors.setdefault(assessment_id, []).append(
                FactorView(kind.value, label, present, evidence, code)
            )
        for plan in session.scalars(
            select(RiskManagementPlan)
            .where(
                RiskManagementPlan.offender_id.in_(ids),
                RiskManagementPlan.state != ApprovalState.SUPERSEDED,
            )
            .options(selectinload(RiskManagementPlan.actions))
            .order_by(RiskManagementPlan.plan_number.desc())
        ):
            mine = out[plan.offender_id]
            if mine.plan is None and plan.state == ApprovalState.APPROVED:
                mine.plan = plan
            if mine.plan_in_force is None:
                mine.plan_in_force = plan
        for mine in out.values():
            mine.plan_in_force = mine.plan or mine.plan_in_force
        for v in session.scalars(
            select(Visit)
            .where(Visit.offender_id.in_(ids))
            .order_by(Visit.planned_at.desc(), Visit.id.desc())
        ):
            out[v.offender_id].visits.append(v)
        for p in session.scalars(
            select(Ppn)
            .where(Ppn.offender_id.in_(ids))
            .options(selectinload(Ppn.subjects))
            .order_by(Ppn.concern_at.desc(), Ppn.id.desc())
        ):
            out[p.offender_id].ppns.append(p)
        for n in session.scalars(
            select(Notification)
            .where(Notification.offender_id.in_(ids))
            .order_by(Notification.event_on.desc(), Notification.id.desc())
        ):
            if n.offender_id is not None:
                out[n.offender_id].notifications.append(n)
        for t in session.scalars(
            select(Task)
            .where(Task.offender_id.in_(ids), Task.state == TaskState.OPEN)
            .order_by(Task.due_on, Task.id)
        ):
            if t.offender_id is not None:
                out[t.offender_id].tasks.append(t)
        for m in session.scalars(
            select(MappaChange)
            .where(MappaChange.offender_id.in_(ids))
            .order_by(MappaChange.changed_at.desc(), MappaChange.id.desc())
        ):
            out[m.offender_id].mappa.append(m)
        return out

    def officer_ids(self) -> set[int]:
        """Every officer the record names: assessors, deciders, visiting officers, task owners,
        the PPN steps' officers and the plan's action owners and decider."""
        ids = {a.assessor_id for a in self.assessments if a.assessor_id is not None}
        ids |= {a.decided_by_id for a in self.assessments if a.decided_by_id is not None}
        ids |= {v.officer1_id for v in self.visits} | {v.officer2_id for v in self.visits}
        ids |= {t.owner_id for t in self.tasks if t.owner_id is not None}
        ids |= {m.changed_by_id for m in self.mappa if m.changed_by_id is not None}
        ids |= {
            i
            for p in self.ppns
            for i in (
                p.raised_by_id,
                p.submitted_by_id,
                p.mash_reviewed_by_id,
                p.decision_recorded_by_id,
            )
            if i is not None
        }
        if self.plan is not None:
            ids |= {a.owner_id for a in self.plan.actions if a.owner_id is not None}
            if self.plan.decided_by_id is not None:
                ids.add(self.plan.decided_by_id)
        return ids


@dataclass(frozen=True)
class _Shared:
    """What every record of one read shares: the day and moment, officers' names, policy."""

    today: dt.date
    now: dt.datetime
    names: dict[int, str]
    arms_review_months: int
    ppn_submit_hours: int


def _record(
    actor: Actor,
    offender: Offender,
    rows: _RecordRows,
    team_name: str,
    flags: VisitFlags | None,
    found: list[Breach],
    pending: list[PendingApproval],
    shared: _Shared,
) -> OffenderRecord:
    today, now, names = shared.today, shared.now, shared.names
    assessments, plan, plan_in_force = rows.assessments, rows.plan, rows.plan_in_force
    visits, ppns, notifications, tasks = rows.visits, rows.ppns, rows.notifications, rows.tasks

    # clocks, as the caseload computes them
    latest_arms = next(
        (
            a
            for a in assessments
            if a.kind == AssessmentKind.ARMS and a.state == ApprovalState.APPROVED
        ),
        None,
    )
    last_seen = flags.last_seen if flags is not None else None
    releases = [
        n.event_on
        for n in notifications
        if n.kind == NotificationKind.RELEASE
        and n.state != NotificationState.REJECTED
        and n.event_on <= today
    ]
    release = max(releases, default=None)
    in_community = offender.status == OffenderStatus.COMMUNITY
    released_on = (
        release
        if release is not None
        and in_community
        and (offender.status_since is None or release >= offender.status_since)
        else None
    )
    next_due = flags.next_visit_due if flags is not None else None

    def current(a: Address) -> bool:
        return a.from_date <= today and (a.to_date is None or a.to_date >= today)

    # record quality, with the same facts the caseload's score uses
    arms_rows = [a for a in assessments if a.kind == AssessmentKind.ARMS]
    arms_in_force = latest_arms or next(
        (a for a in arms_rows if a.state != ApprovalState.SUPERSEDED), None
    )
    present = (
        [
            FactorFacts(f.code, f.label)
            for f in rows.factors.get(arms_in_force.id, [])
            if f.present and f.kind == FactorKind.RISK.value
        ]
        if arms_in_force is not None
        else []
    )
    arms_facts = None
    if arms_in_force is not None:
        review = arms_in_force.next_review_on
        if arms_in_force.state == ApprovalState.APPROVED:
            review = cadence.arms_review_due(
                arms_in_force.assessed_on, review, shared.arms_review_months
            )
        arms_facts = ArmsFacts(arms_in_force.level.value, arms_in_force.state.value, review)
    plan_actions = (
        [
            ActionFacts(a.pillar.value, a.description, a.due_on, a.status.value, a.answers_factor)
            for a in sorted(
                plan_in_force.actions,
                key=lambda a: (list(PILLARS).index(a.pillar.value), a.position, a.id),
            )
        ]
        if plan_in_force is not None
        else []
    )
    gaps = (
        plan_gaps(plan_actions, present, plan_in_force.contingency, plan_in_force.review_on, today)
        if plan_in_force is not None
        else []
    )
    nfa_notified = [
        n.event_on
        for n in notifications
        if n.kind == NotificationKind.NO_FIXED_ABODE
        and n.state != NotificationState.REJECTED
        and n.event_on <= today
    ]
    late_submissions, late_follow_ups = late_ppn_counts(found)
    quality = quality_findings(
        quality_facts(
            today,
            arms=arms_facts,
            plan=(
                plan_in_force.id,
                plan_in_force.state.value,
                plan_in_force.review_on,
                bool(plan_in_force.contingency.strip()),
            )
            if plan_in_force is not None
            else None,
            actions=plan_actions,
            present_factors=present,
            has_current_address=any(current(a) and a.kind == "home" for a in offender.addresses),
            no_fixed_abode=offender.no_fixed_abode,
            last_nfa_notification_on=max(nfa_notified, default=None),
            visit_next_due=next_due,
            unprocessed_notifications_past_due=sum(
                1
                for n in notifications
                if n.state == NotificationState.RECEIVED
                and n.due_on is not None
                and n.due_on < today
            ),
            ppns_unsubmitted_past_24h=late_submissions,
            ppns_follow_up_overdue=late_follow_ups,
        )
    )

    addresses = sorted(
        offender.addresses, key=lambda a: (not current(a), -a.from_date.toordinal(), -a.id)
    )
    manager = names.get(offender.manager_id, "") if offender.manager_id is not None else ""

    return OffenderRecord(
        offender_id=offender.id,
        version=offender.version,
        reference=offender.reference,
        forename=offender.forename,
        surname=offender.surname,
        name=offender.full_name,
        date_of_birth=offender.date_of_birth,
        age=age_on(offender.date_of_birth, today),
        gender=offender.gender,
        status=offender.status.value,
        status_since=offender.status_since,
        expected_release_on=offender.expected_release_on,
        team=team_name,
        manager=manager,
        manager_id=offender.manager_id,
        mappa_category=offender.mappa_category,
        mappa_level=offender.mappa_level,
        registration_start=offender.registration_start,
        notification_end=offender.notification_end,
        notification_indefinite=offender.notification_indefinite,
        reactive_management=offender.reactive_management,
        no_fixed_abode=offender.no_fixed_abode,
        notes=offender.notes,
        aliases=[a.name for a in offender.aliases],
        addresses=[
            AddressView(
                address_id=a.id,
                version=a.version,
                kind=a.kind,
                line1=a.line1,
                line2=a.line2,
                town=a.town,
                postcode=a.postcode,
                from_date=a.from_date,
                to_date=a.to_date,
                current=current(a),
            )
            for a in addresses
        ],
        household=[_household_view(m, today) for m in offender.household],
        convictions=[
            _conviction_view(c, offender.date_of_birth)
            for c in sorted(offender.convictions, key=lambda c: c.convicted_on, reverse=True)
        ],
        assessments=[
            AssessmentView(
                assessment_id=a.id,
                kind=a.kind.value,
                assessed_on=a.assessed_on,
                assessor=names.get(a.assessor_id, "") if a.assessor_id is not None else "",
                level=a.level.value,
                next_review_on=a.next_review_on,
                state=a.state.value,
                factors=rows.factors.get(a.id, []),
                rm2000_sexual=a.rm2000_sexual,
                rm2000_violent=a.rm2000_violent,
                rm2000_combined=a.rm2000_combined,
                aggravating_factors=a.aggravating_factors,
                version=a.version,
                return_comment=a.return_comment,
                decided_by=names.get(a.decided_by_id, "") if a.decided_by_id is not None else "",
            )
            for a in assessments
        ],
        plan=_plan_view(plan, names) if plan is not None else None,
        visits=[
            VisitView(
                visit_id=v.id,
                planned_at=v.planned_at,
                occurred_at=v.occurred_at,
                outcome=v.outcome.value,
                officers=f"{names.get(v.officer1_id, '?')} and {names.get(v.officer2_id, '?')}",
                announced=v.announced,
                children_present=v.children_present,
                record_state=v.record_state.value,
                notes=v.notes,
            )
            for v in visits
        ],
        ppns=_ppn_views(
            ppns,
            offender.household,
            names,
            {b.ppn_id for b in found if b.ppn_id is not None},
            now,
            shared.ppn_submit_hours,
        ),
        notifications=[
            NotificationView(
                kind=n.kind.value,
                event_on=n.event_on,
                notified_on=n.notified_on,
                due_on=n.due_on,
                state=n.state.value,
                summary=_notification_summary(n),
            )
            for n in notifications
        ],
        tasks=[
            TaskView(
                task_id=t.id,
                kind=t.kind.value,
                title=t.title,
                owner=names.get(t.owner_id, "") if t.owner_id is not None else "Hub",
                due_on=t.due_on,
                state=t.state.value,
                overdue=t.due_on < today,
            )
            for t in tasks
        ],
        breaches=found,
        last_seen=last_seen,
        next_visit_due=next_due,
        visit_overdue=flags.visit_overdue if flags is not None else False,
        failed_attempts=flags.failed_attempts if flags is not None else 0,
        warrant_consideration=flags.warrant_consideration if flags is not None else False,
        can_edit=can_edit_offender(actor.role, actor.officer_id, offender.manager_id),
        team_id=offender.team_id,
        risk_level=latest_arms.level.value if latest_arms else None,
        next_periodic_due=offender.next_periodic_due,
        released_on=released_on,
        on=today,
        quality=quality,
        plan_gaps=gaps,
        mappa_history=[
            MappaChangeView(
                category=m.category,
                level=m.level,
                changed_by=names.get(m.changed_by_id, "") if m.changed_by_id is not None else "",
                changed_at=m.changed_at,
                reason=m.reason,
            )
            for m in rows.mappa
        ],
        pending_approvals=pending,
    )


# -- the record as JSON (pillars show) ----------------------------------------------------------


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _arms_document(a: AssessmentView | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "assessed_on": _iso(a.assessed_on),
        "assessor": a.assessor,
        "level": a.level,
        "state": a.state,
        "next_review_on": _iso(a.next_review_on),
        "decided_by": a.decided_by,
        "factors": [
            {
                "code": f.code,
                "label": f.label,
                "kind": f.kind,
                "present": f.present,
                "evidence": f.evidence,
            }
            for f in a.factors
        ],
    }


def _rm2000_document(a: AssessmentView | None) -> dict[str, Any] | None:
    if a is None:
        return None
    categories: dict[str, Any] = {}
    if a.rm2000_sexual is not None and a.rm2000_violent is not None:
        result = rm2000_result(a.rm2000_sexual, a.rm2000_violent, a.aggravating_factors or 0)
        categories = {
            "sexual_category": result.sexual_category,
            "violent_category": result.violent_category,
            "combined_category": result.combined_category,
        }
    return {
        "assessed_on": _iso(a.assessed_on),
        "assessor": a.assessor,
        "state": a.state,
        "level": a.level,
        "sexual": a.rm2000_sexual,
        "violent": a.rm2000_violent,
        "combined": a.rm2000_combined,
        "aggravating_factors": a.aggravating_factors,
        **categories,
    }


def _in_force(views: list[AssessmentView], kind: str) -> AssessmentView | None:
    """The newest approved assessment of a kind, else the newest not superseded."""
    of_kind = [a for a in views if a.kind == kind]
    approved = next((a for a in of_kind if a.state == ApprovalState.APPROVED.value), None)
    return approved or next((a for a in of_kind if a.state != ApprovalState.SUPERSEDED.value), None)


def record_document(record: OffenderRecord) -> dict[str, Any]:
    """`pillars show --json`: the record with stable keys (see the README's "Command line")."""
    plan = record.plan
    plan_doc: dict[str, Any] | None = None
    if plan is not None:
        plan_doc = {
            "plan_number": plan.plan_number,
            "state": plan.state,
            "review_on": _iso(plan.review_on),
            "decided_by": plan.decided_by,
            "decided_at": _iso(plan.decided_at),
            "contingency": plan.contingency,
            "licence_conditions": plan.licence_conditions,
            "pillars": {
                pillar: [
                    {
                        "description": a.description,
                        "owner": a.owner,
                        "due_on": _iso(a.due_on),
                        "status": a.status,
                        "answers_factor": a.answers_factor,
                    }
                    for a in plan.actions
                    if a.pillar == pillar
                ]
                for pillar in PILLARS
            },
            "gaps": [
                {"code": g.code, "pillar": g.pillar, "factor": g.factor, "text": g.text}
                for g in record.plan_gaps
            ],
        }
    return {
        "reference": record.reference,
        "name": record.name,
        "date_of_birth": _iso(record.date_of_birth),
        "status": record.status,
        "status_since": _iso(record.status_since),
        "team": record.team,
        "manager": record.manager,
        "mappa": {
            "category": record.mappa_category,
            "level": record.mappa_level,
            "history": [
                {
                    "category": h.category,
                    "level": h.level,
                    "changed_by": h.changed_by,
                    "changed_at": _iso(h.changed_at),
                    "reason": h.reason,
                }
                for h in record.mappa_history
            ],
        },
        "risk": {
            "arms": _arms_document(_in_force(record.assessments, AssessmentKind.ARMS.value)),
            "rm2000": _rm2000_document(_in_force(record.assessments, AssessmentKind.RM2000.value)),
        },
        "plan": plan_doc,
        "last_seen": _iso(record.last_seen),
        "next_visit_due": _iso(record.next_visit_due),
        "visit_overdue": record.visit_overdue,
        "failed_visit_attempts": record.failed_attempts,
        "warrant_consideration": record.warrant_consideration,
        "visits": [
            {
                "planned_at": _iso(v.planned_at),
                "occurred_at": _iso(v.occurred_at),
                "outcome": v.outcome,
                "officers": v.officers,
                "announced": v.announced,
                "children_present": v.children_present,
                "record_state": v.record_state,
            }
            for v in record.visits
        ],
        "ppns": [_ppn_document(p) for p in record.ppns],
        "notifications": [
            {
                "kind": n.kind,
                "event_on": _iso(n.event_on),
                "notified_on": _iso(n.notified_on),
                "due_on": _iso(n.due_on),
                "state": n.state,
                "summary": n.summary,
            }
            for n in record.notifications
        ],
        "open_tasks": [
            {
                "kind": t.kind,
                "title": t.title,
                "owner": t.owner,
                "due_on": _iso(t.due_on),
                "overdue": t.overdue,
            }
            for t in record.tasks
        ],
        "breaches": [
            {"rule": b.rule, "due": _iso(b.due), "statute": b.statute, "text": b.text}
            for b in record.breaches
        ],
        "quality": {
            "score": record.quality.score,
            "checks": record.quality.checks,
            "passed": record.quality.passed,
            "findings": [
                {"code": f.code, "area": f.area, "severity": f.severity, "text": f.text}
                for f in record.quality.findings
            ],
        },
    }


def _ppn_views(
    ppns: list[Ppn],
    household: list[HouseholdMember],
    names: dict[int, str],
    late: set[int],
    now: dt.datetime,
    hours: int,
) -> list[PpnView]:
    """The PPNs in full: who did each step, the stage people see (`desktop.rules.ppn.stage`), and
    whether a step is overdue (`late`: the PPNs among the record's breaches). A subject from the
    household has the household record's relationship."""
    relationship = {m.id: m.relationship_to_offender for m in household}

    def name(officer_id: int | None) -> str:
        return names.get(officer_id, "") if officer_id is not None else ""

    views = []
    for p in ppns:
        stage = ppn_rules.stage(p.state.value, p.concern_at, now, hours)
        views.append(
            PpnView(
                ppn_id=p.id,
                grade=p.grade.value,
                state=p.state.value,
                concern=p.concern,
                concern_at=p.concern_at,
                submitted_at=p.submitted_at,
                follow_up_due_on=p.follow_up_due_on,
                social_care_decision=p.social_care_decision,
                stage=stage,
                stage_label=ppn_rules.STAGE_LABELS[stage],
                raised_by=name(p.raised_by_id),
                raised_at=p.raised_at,
                subjects=tuple(
                    SubjectView(
                        name=s.name,
                        date_of_birth=s.date_of_birth,
                        relationship=relationship.get(s.household_member_id, "")
                        if s.household_member_id is not None
                        else s.relationship,
                        is_child=s.is_child,
                        household_member_id=s.household_member_id,
                    )
                    for s in p.subjects
                ),
                submit_by=ppn_rules.submit_by(p.concern_at, hours),
                submitted_by=name(p.submitted_by_id),
                submission_reference=p.submission_reference,
                mash_reviewed_at=p.mash_reviewed_at,
                mash_outcome=p.mash_outcome,
                mash_reviewed_by=name(p.mash_reviewed_by_id),
                social_care_decided_on=p.social_care_decided_on,
                social_care_source=p.social_care_source,
                decision_recorded_by=name(p.decision_recorded_by_id),
                closed_at=p.closed_at,
                visit_id=p.visit_id,
                late=p.id in late,
            )
        )
    return views


def _ppn_document(p: PpnView) -> dict[str, Any]:
    return {
        "grade": p.grade,
        "state": p.state,
        "concern_at": _iso(p.concern_at),
        "submitted_at": _iso(p.submitted_at),
        "follow_up_due_on": _iso(p.follow_up_due_on),
        "social_care_decision": p.social_care_decision,
        "ppn_id": p.ppn_id,
        "stage": p.stage,
        "stage_label": p.stage_label,
        "late": p.late,
        "concern": p.concern,
        "raised_by": p.raised_by,
        "raised_at": _iso(p.raised_at),
        "subjects": [
            {
                "name": s.name,
                "child": s.is_child,
                "date_of_birth": _iso(s.date_of_birth),
                "relationship": s.relationship,
            }
            for s in p.subjects
        ],
        "submit_by": _iso(p.submit_by),
        "submitted_by": p.submitted_by,
        "submission_reference": p.submission_reference,
        "mash_reviewed_at": _iso(p.mash_reviewed_at),
        "mash_reviewed_by": p.mash_reviewed_by,
        "mash_outcome": p.mash_outcome,
        "social_care_decided_on": _iso(p.social_care_decided_on),
        "social_care_source": p.social_care_source,
        "decision_recorded_by": p.decision_recorded_by,
        "closed_at": _iso(p.closed_at),
        "visit_id": p.visit_id,
    }


def _household_view(m: HouseholdMember, today: dt.date) -> HouseholdView:
    age = age_on(m.date_of_birth, today) if m.date_of_birth is not None else None
    return HouseholdView(
        member_id=m.id,
        version=m.version,
        name=m.name,
        relationship=m.relationship_to_offender,
        date_of_birth=m.date_of_birth,
        age=age,
        is_child=age is not None and age < 18,
        from_date=m.from_date,
        to_date=m.to_date,
        notes=m.notes,
    )


def _conviction_view(c: Any, date_of_birth: dt.date) -> ConvictionView:
    kind = c.sentence_kind.value if c.sentence_kind is not None else None
    period = notification_period(
        sentence_kind=kind,
        sentence_months=c.sentence_months,
        starts_on=c.convicted_on,
        date_of_birth=date_of_birth,
        convicted_on=c.convicted_on,
    )
    if period.indefinite:
        review = (
            f"; may be reviewed from {period.review_from:%d/%m/%Y}" if period.review_from else ""
        )
        text = f"Indefinite ({period.reason}){review}"
    else:
        months = period.months or 0
        length = _months_text(months)
        ends = f", to {period.ends_on:%d/%m/%Y}" if period.ends_on else ""
        text = f"{length}{ends} ({period.reason})"
    return ConvictionView(
        offence=c.offence,
        court=c.court,
        convicted_on=c.convicted_on,
        sentenced_on=c.sentenced_on,
        sentence_kind=kind,
        sentence_months=c.sentence_months,
        period_text=text,
        notification_ends=period.ends_on,
        indefinite=period.indefinite,
    )


def _months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    if rest == 0 and years:
        return f"{years} year{'s' if years != 1 else ''}"
    if years == 0:
        return f"{rest} month{'s' if rest != 1 else ''}"
    return f"{years} year{'s' if years != 1 else ''} {rest} month{'s' if rest != 1 else ''}"


def _plan_view(plan: RiskManagementPlan, names: dict[int, str]) -> PlanView:
    return PlanView(
        plan_number=plan.plan_number,
        state=plan.state.value,
        review_on=plan.review_on,
        contingency=plan.contingency,
        licence_conditions=plan.licence_conditions,
        decided_by=names.get(plan.decided_by_id, "") if plan.decided_by_id is not None else "",
        decided_at=plan.decided_at,
        actions=[
            ActionView(
                pillar=a.pillar.value,
                pillar_label=Pillar(a.pillar).label,
                description=a.description,
                owner=(names.get(a.owner_id, "") if a.owner_id is not None else "") or a.owner_text,
                due_on=a.due_on,
                status=a.status.value,
                answers_factor=a.answers_factor,
            )
            for a in plan.actions
        ],
    )


def _notification_summary(n: Notification) -> str:
    """One line for the record's Notifications tab: the kind and its details in words (a trip's
    dates and destinations, a new address), as the hub shows them."""
    from desktop.services.hub import summary_line

    return summary_line(n.kind.value, n.details if isinstance(n.details, dict) else {}, n.note)


def _raise_if_invalid(form: Form) -> None:
    if not form.ok:
        raise ValidationFailed([FieldError(p.field, p.message) for p in form.problems])


def _field_name(column: str) -> str:
    return "relationship" if column == "relationship_to_offender" else column


def _audit_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > AUDIT_TEXT_MAX:
        return value[: AUDIT_TEXT_MAX - 1] + "…"
    return value
