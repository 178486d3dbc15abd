"""The ViSOR hub: entering the statutory notifications offenders make, and processing them onto the
record (Sexual Offences Act 2003 ss83-86 and the 2012 Regulations; DESIGN section 3).

Entering (`HubService.enter`, hub officers only) checks what was typed with
`desktop.rules.validation.Form`, field by field and kind by kind (bank, card and passport details
are refused in every free-text field), and raises a Notification, state received, with `due_on`
the statutory deadline for the event from the clock engine (`desktop.rules.notification_clocks`),
and a hub Task (no owner: the hub's shared queue). The task is due by that deadline, or on the day
received when the deadline has already passed; foreign travel by the day before departure.

Processing (`process`) applies the notification to the record in one transaction: addresses,
name, status, the next periodic date (reset by every notification but foreign travel, s85 and
s86), the ARMS review brought forward after a move or a release, a visit within 3 days of
release, and for a transfer in the new offender's record and manager. `view` shows, before anyone
decides, the same sentences processing will carry out (`effects`): both come from one place,
`_Processing`, run either as a description or for real.

Two hub officers processing the same task at once: the decision takes SQLite's write lock first,
and the notification's version column settles PostgreSQL; exactly one succeeds and the other is
told who processed it and when. The version a caller passes is the notification's, not the
task's: claiming a task in the inbox restamps the task, never the notification.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from db.enums import (
    TASK_GROUP,
    ApprovalState,
    AssessmentKind,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    Role,
    SentenceKind,
    TaskKind,
    TaskState,
)
from db.models import (
    Address,
    Alias,
    AuditEvent,
    Conviction,
    MappaChange,
    Notification,
    Offender,
    Officer,
    RiskAssessment,
    Task,
    Team,
)
from desktop.rules import cadence
from desktop.rules.notification_clocks import (
    PAUSE_KINDS,
    RESETS_PERIODIC,
    Event,
    Pause,
    clocks,
    next_periodic_due,
    notification_period,
    qualifying_stay_date,
)
from desktop.rules.risk import review_brought_forward
from desktop.rules.validation import Form, clean_text, excerpt
from desktop.services.actor import Actor
from desktop.services.approvals import approval_owner, d, officer_name, raise_if_invalid, stamp
from desktop.services.core import take_write_lock
from desktop.services.errors import (
    LONDON,
    EditConflict,
    FieldError,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.inbox import refuse_if_claimed
from desktop.services.permissions import can_read_offender, load_subject, require_read
from desktop.services.policy import policy_int

if TYPE_CHECKING:
    from desktop.services.core import Services

K = NotificationKind

KIND_LABELS: dict[str, str] = {
    K.INITIAL: "Initial notification",
    K.CHANGE_OF_NAME: "Change of name",
    K.CHANGE_OF_ADDRESS: "Change of address",
    K.OTHER_ADDRESS_STAY: "Stay at another address",
    K.ADVANCE_NOTICE: "Advance notice of a change",
    K.RELEASE: "Release",
    K.PERIODIC: "Periodic notification",
    K.NO_FIXED_ABODE: "Weekly notification (no fixed abode)",
    K.FOREIGN_TRAVEL: "Foreign travel",
    K.FOREIGN_TRAVEL_CHANGE: "Change to foreign travel",
    K.HOUSEHOLD_WITH_CHILD: "Stay in a household with a child",
    K.TRANSFER_IN: "Transfer in from another force",
}
# What the event date of each kind is, in the words of the form.
EVENT_LABELS: dict[str, str] = {
    K.INITIAL: "date of conviction",
    K.CHANGE_OF_NAME: "date of the change of name",
    K.CHANGE_OF_ADDRESS: "date of the move",
    K.OTHER_ADDRESS_STAY: "first day of the stay",
    K.ADVANCE_NOTICE: "date the change is expected",
    K.RELEASE: "release date",
    K.PERIODIC: "date of the notification",
    K.NO_FIXED_ABODE: "date of the notification",
    K.FOREIGN_TRAVEL: "departure date",
    K.FOREIGN_TRAVEL_CHANGE: "new departure date",
    K.HOUSEHOLD_WITH_CHILD: "first day of the stay",
    K.TRANSFER_IN: "date of the move into the area",
}
RELEASED_FROM = {"custody": "Custody", "hospital": "Hospital"}
SENTENCE_KINDS = {"": "Not known", **{k.value: k.label.capitalize() for k in SentenceKind}}
MAPPA_CATEGORIES = {"1": "1 (RSO)", "2": "2 (violent)", "3": "3 (other dangerous)", "4": "4"}
# The kinds whose event date may lie after the day entered (they announce what is to come).
FUTURE_EVENTS = frozenset(
    {K.ADVANCE_NOTICE, K.FOREIGN_TRAVEL, K.FOREIGN_TRAVEL_CHANGE, K.HOUSEHOLD_WITH_CHILD}
)
ADDRESS_KEYS = ("line1", "line2", "town", "postcode")
TEXT_MAX = 200
NOTE_MAX = 2000
REFERENCE_PREFIX = "ZZ"  # the (fictional) force's ViSOR prefix: ZZ/<year>/<number>
REFERENCE_LENGTH = 30  # Offender.reference holds at most this: a longer one matches nobody
DAY = dt.timedelta(days=1)


# -- what the callers see -------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationEntry:
    """What a hub officer typed, as typed (dates dd/mm/yyyy). Which fields matter depends on
    `kind` (a NotificationKind value); the others are ignored. `event_on` is the kind's event
    (EVENT_LABELS): the conviction, the change, the release, the first day of a stay, the expected
    date of an advance notice, the departure. Field errors name these attributes."""

    kind: str
    reference: str = ""  # the offender's; empty for a transfer in
    event_on: str = ""  # periodic and weekly: defaults to the notified date
    notified_on: str = ""  # defaults to today
    note: str = ""  # anything else the hub officer wants kept, for every kind
    # change of name; transfer in (identity)
    forename: str = ""
    surname: str = ""
    # an address: change of address, release, stays, household with a child, transfer in
    line1: str = ""
    line2: str = ""
    town: str = ""
    postcode: str = ""
    no_fixed_abode: bool = False  # change of address or release: no address, only `where`
    where: str = ""  # where they can be found (no fixed abode; weekly notification)
    end_on: str = ""  # last day of a stay at another address / of the stay with a child
    expected_change: str = ""  # advance notice: what change is expected
    released_from: str = "custody"  # release: custody | hospital
    # foreign travel
    return_on: str = ""
    destinations: tuple[str, ...] = ()
    decided_on: str = ""  # the day the trip was decided, when fewer than 7 days before
    trip_id: int | None = None  # a change: the foreign travel notification it changes
    # transfer in
    from_force: str = ""
    previous_reference: str = ""
    date_of_birth: str = ""
    gender: str = ""
    team_id: int | None = None
    mappa_category: str = "1"
    offence: str = ""
    convicted_on: str = ""
    sentence_kind: str = ""  # a SentenceKind value, or "" when not known
    sentence_months: str = ""


@dataclass(frozen=True)
class ManagerChoice:
    """An offender manager a transfer in may be allocated to, with their caseload now."""

    officer_id: int
    name: str
    caseload: int


@dataclass(frozen=True)
class TripChoice:
    """A trip notified earlier, that a change to foreign travel may refer to."""

    notification_id: int
    departure: dt.date
    return_on: dt.date | None
    destinations: tuple[str, ...]
    label: str  # "departing 01/12/2026, returning 10/12/2026, to France, Spain"


@dataclass(frozen=True)
class NotificationView:
    """One hub task and its notification, as the detail pane and the process dialog show them."""

    task_id: int
    notification_id: int
    version: int  # the notification's: pass it to `process` and `reject`
    kind: str
    kind_label: str
    offender_id: int | None  # None for a transfer in not yet processed
    reference: str  # "" for a transfer in not yet processed
    name: str  # the offender's, or the identity a transfer in brings
    team_id: int | None
    team_name: str
    event_label: str  # what the event date is ("date of the move", ...)
    event_on: dt.date
    notified_on: dt.date
    due_on: dt.date | None  # the statutory deadline
    late: bool  # notified after the statutory deadline
    task_due_on: dt.date
    state: str  # a NotificationState value
    state_label: str
    details: tuple[tuple[str, str], ...]  # (label, value) in words, dates dd/mm/yyyy
    effects: tuple[str, ...]  # what processing does (or, once processed, what it did)
    note: str
    received_by: str
    received_at: dt.datetime
    decided_by: str  # who processed or rejected it ("" while received)
    decided_at: dt.datetime | None
    task_state: str
    comment: str  # the task's comment: the reason a notification was rejected
    can_process: bool
    why_not: str  # "" when the asking officer may process or reject it now
    managers: tuple[ManagerChoice, ...] = ()  # a transfer in: who may be allocated
    default_manager_id: int | None = None  # the least loaded of them


@dataclass(frozen=True)
class ProcessResult:
    """What processing a notification did (`process`): the record it changed, the effects in the
    words `view` used, and the follow-up task it raised (the visit after a release), if any."""

    task_id: int
    notification_id: int
    offender_id: int | None
    reference: str
    effects: tuple[str, ...]  # what was done, in the words `view` used
    follow_up_task_id: int | None = None  # the visit after a release


# -- words --------------------------------------------------------------------------------------

_DETAIL_LABELS = {
    "from": "Moved in on",
    "where": "Can be found",
    "no_fixed_abode": "No fixed abode",
    "forename": "Forename",
    "surname": "Surname",
    "previous_name": "Previous name",
    "reason": "Reason",
    "address": "Address",
    "start": "First day",
    "end": "Last day",
    "until": "Intended last day",
    "qualifying_on": "Stays reached 7 days on",
    "intended_days": "Intended days",
    "child_age": "Child's age",
    "change": "Expected change",
    "released_from": "Released from",
    "departure": "Departure",
    "return": "Return",
    "destinations": "Destinations",
    "decided_on": "Trip decided on",
    "previous_departure": "Previously departing",
    "previous_return": "Previously returning",
    "from_force": "Moving in from",
    "previous_reference": "Previous force's reference",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "mappa_category": "MAPPA category",
    "conviction": "Conviction",
}
_HIDDEN_KEYS = frozenset({"trip_notification_id"})
_ADDRESS_PARTS = frozenset(ADDRESS_KEYS)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def address_text(address: Mapping[str, Any]) -> str:
    """ "1 Example Road, Flat 2, Northvale ZZ1 1AA"."""
    lines = [str(address.get(k) or "").strip() for k in ("line1", "line2")]
    place = " ".join(str(address.get(k) or "").strip() for k in ("town", "postcode")).strip()
    return ", ".join(part for part in [*lines, place] if part)


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    if isinstance(value, Mapping):
        if "line1" in value:
            return address_text(value)
        return ", ".join(_value_text(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(v) for v in value)
    return str(value)


def detail_pairs(kind: str, details: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A notification's details as (label, value) pairs in words, dates dd/mm/yyyy: a flat
    address (a change of address, as the county demo writes it) becomes one "New home address"."""
    pairs: list[tuple[str, str]] = []
    flat_address = bool(details.get("line1"))
    if flat_address:
        pairs.append(("New home address", address_text(details)))
    for key, value in details.items():
        if key in _HIDDEN_KEYS or (flat_address and key in _ADDRESS_PARTS):
            continue
        if value in (None, "", [], {}):
            continue
        label = _DETAIL_LABELS.get(key, key.replace("_", " ").capitalize())
        if kind == K.CHANGE_OF_NAME and key in ("forename", "surname"):
            label = f"New {label.lower()}"
        pairs.append((label, _value_text(value)))
    return pairs


def summary_line(kind: str, details: Mapping[str, Any], note: str = "") -> str:
    """One line for a notification in a list (the record's Notifications tab): the kind, then
    every detail in words, then the note."""
    parts = [KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())]
    parts += [f"{label}: {value}" for label, value in detail_pairs(kind, details)]
    if note:
        parts.append(note)
    return "; ".join(parts)


# -- the deadlines --------------------------------------------------------------------------------


def offender_pauses(offender: Offender | None, kind: str, event_on: dt.date) -> list[Pause]:
    """The stretch the record says the offender is away (custody, hospital, abroad) since
    `status_since`: clocks do not run then (s84(5)). A release ends it on the release day."""
    if offender is None or offender.status.value not in PAUSE_KINDS:
        return []
    start = offender.status_since or event_on
    if kind == K.RELEASE:
        return [Pause(start, event_on, offender.status.value)] if start <= event_on else []
    return [Pause(start, None, offender.status.value)]


def statutory_due(
    kind: str,
    event_on: dt.date,
    notified_on: dt.date,
    *,
    today: dt.date,
    pauses: Sequence[Pause] = (),
    next_periodic: dt.date | None = None,
    details: Mapping[str, Any] | None = None,
) -> dt.date:
    """The deadline the offender had for this notification, from the clock engine. A periodic
    or weekly notification answers the periodic date the record holds (`next_periodic`)."""
    if kind in (K.PERIODIC, K.NO_FIXED_ABODE):
        return next_periodic or notified_on
    event = Event(kind, event_on, notified_on, dict(details or {}))
    judged = max(today, event_on, notified_on)
    for clock in clocks([event], pauses, on=judged):
        if clock.rule == kind and clock.event_on == event_on:
            return clock.due
    raise AssertionError(f"the clock engine gave no deadline for {kind}")  # pragma: no cover


def task_due(kind: str, statutory: dt.date, event_on: dt.date, received_on: dt.date) -> dt.date:
    """A hub task is due by the statutory deadline, or on the day received when that has passed;
    foreign travel by the day before departure (or the day received, if later)."""
    if kind in (K.FOREIGN_TRAVEL, K.FOREIGN_TRAVEL_CHANGE):
        return max(event_on - DAY, received_on)
    return max(statutory, received_on)


# -- the service ---------------------------------------------------------------------------------


class _LostRace(Exception):
    pass


class HubService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- looking things up for the entry dialog ----------------------------------------------

    def find_offender(self, actor: Actor, reference: str) -> tuple[int, str, str] | None:
        """(offender id, reference, name) for a reference as typed (any case, any spacing), or
        None when no offender has it."""
        _require_hub(actor, "look up offenders for a notification")
        wanted = _reference(reference)
        if not wanted or len(wanted) > REFERENCE_LENGTH:
            return None
        with self._services.transaction() as session:
            row = session.execute(
                select(Offender.id, Offender.reference, Offender.forename, Offender.surname).where(
                    func.upper(Offender.reference) == wanted
                )
            ).first()
            return None if row is None else (row[0], row[1], f"{row[2]} {row[3]}")

    def trips(self, actor: Actor, reference: str) -> list[TripChoice]:
        """The offender's notified trips that have not yet ended, earliest departure first, for
        a change to foreign travel to refer to."""
        _require_hub(actor, "look up trips")
        found = self.find_offender(actor, reference)
        if found is None:
            return []
        with self._services.transaction() as session:
            return _trips(session, found[0], self._services.today())

    def teams(self, actor: Actor) -> list[tuple[int, str]]:
        """(team id, name) of every team, by name: where a transfer in may be allocated."""
        _require_hub(actor, "allocate transfers in")
        with self._services.transaction() as session:
            return [
                (i, n) for i, n in session.execute(select(Team.id, Team.name).order_by(Team.name))
            ]

    # -- entering ------------------------------------------------------------------------------

    def enter(self, actor: Actor, entry: NotificationEntry) -> int:
        """Record a notification the offender made and raise its hub task; returns the task id.
        Hub officers only. ValidationFailed lists every bad field; nothing is saved then."""
        _require_hub(actor, "enter notifications")
        today, now = self._services.today(), self._services.now()
        with self._services.transaction() as session:
            checked = _check_entry(session, entry, today)
            offender = checked.offender
            statutory = statutory_due(
                entry.kind,
                checked.clock_event,
                checked.notified_on,
                today=today,
                pauses=offender_pauses(offender, entry.kind, checked.event_on),
                next_periodic=offender.next_periodic_due if offender is not None else None,
                details=checked.details,
            )
            notification = Notification(
                offender_id=offender.id if offender is not None else None,
                kind=K(entry.kind),
                event_on=checked.event_on,
                notified_on=checked.notified_on,
                due_on=statutory,
                details=checked.details,
                state=NotificationState.RECEIVED,
                received_by_id=actor.officer_id,
                received_at=now,
                note=checked.note,
                updated_by_id=actor.officer_id,
            )
            session.add(notification)
            session.flush()
            task = Task(
                kind=TaskKind.HUB_NOTIFICATION,
                group=TASK_GROUP[TaskKind.HUB_NOTIFICATION],
                offender_id=notification.offender_id,
                owner_id=None,
                team_id=offender.team_id if offender is not None else checked.team_id,
                subject_type="notification",
                subject_id=notification.id,
                title=_title(entry.kind, offender, checked)[:200],
                created_by_id=actor.officer_id,
                created_at=now,
                due_on=task_due(entry.kind, statutory, checked.clock_event, today),
                state=TaskState.OPEN,
                updated_by_id=actor.officer_id,
            )
            session.add(task)
            session.flush()
            self._services.audit.record(
                session,
                actor,
                "notification_entered",
                entity_type="notification",
                entity_id=notification.id,
                offender_id=notification.offender_id,
                detail={
                    "kind": entry.kind,
                    "task_id": task.id,
                    "event_on": checked.event_on,
                    "notified_on": checked.notified_on,
                    "due_on": statutory,
                    "task_due_on": task.due_on,
                    "late": checked.notified_on > statutory,
                },
            )
            return task.id

    # -- reading -------------------------------------------------------------------------------

    def view(self, actor: Actor, task_id: int) -> NotificationView:
        """The task's notification in words, with what processing it will do. Hub officers, and
        officers who may read the offender's record."""
        with self._services.transaction() as session:
            task, notification = _load(session, task_id)
            _require_view(session, actor, task)
            offender = _offender(session, notification.offender_id)
            managers = (
                _managers(session, task.team_id) if notification.kind == K.TRANSFER_IN else []
            )
            received = notification.state == NotificationState.RECEIVED
            if received:
                effects = _Processing(
                    self._services, session, actor, task, notification, offender, dry=True
                ).run(None)
            else:
                effects = _recorded_effects(session, notification)
            why_not = _why_not(session, actor, task, notification, self._services.now())
            team_name = session.scalar(select(Team.name).where(Team.id == task.team_id)) or ""
            return NotificationView(
                task_id=task.id,
                notification_id=notification.id,
                version=notification.version,
                kind=notification.kind.value,
                kind_label=KIND_LABELS[notification.kind],
                offender_id=notification.offender_id,
                reference=offender.reference if offender is not None else "",
                name=offender.full_name if offender is not None else _identity(notification),
                team_id=task.team_id,
                team_name=team_name,
                event_label=EVENT_LABELS[notification.kind],
                event_on=notification.event_on,
                notified_on=notification.notified_on,
                due_on=notification.due_on,
                late=notification.due_on is not None
                and notification.notified_on > notification.due_on,
                task_due_on=task.due_on,
                state=notification.state.value,
                state_label=notification.state.label.capitalize(),
                details=tuple(detail_pairs(notification.kind, notification.details or {})),
                effects=tuple(effects),
                note=notification.note,
                received_by=officer_name(session, notification.received_by_id, ""),
                received_at=notification.received_at,
                decided_by=officer_name(session, notification.processed_by_id, ""),
                decided_at=notification.processed_at,
                task_state=task.state.value,
                comment=task.comment,
                can_process=why_not is None,
                why_not=why_not or "",
                managers=tuple(managers),
                default_manager_id=_least_loaded(managers) if received else None,
            )

    # -- deciding ------------------------------------------------------------------------------

    def process(
        self, actor: Actor, task_id: int, expected_version: int, *, manager_id: int | None = None
    ) -> ProcessResult:
        """Apply the notification to the record (see the module notes and `view`'s effects),
        mark it processed and the task done; audited. `manager_id`, for a transfer in only: an
        active offender manager of the chosen team (default: the least loaded)."""
        _require_hub(actor, "process notifications")
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                task, notification = self._decide(session, actor, task_id, expected_version)
                now = self._services.now()
                notification.state = NotificationState.PROCESSED
                notification.processed_by_id = actor.officer_id
                notification.processed_at = now
                stamp(notification, actor, now)
                task.state = TaskState.DONE
                task.completed_by_id = actor.officer_id
                task.completed_at = now
                stamp(task, actor, now)
                try:
                    session.flush()  # the version check: the second of two officers stops here
                except StaleDataError:
                    raise _LostRace() from None
                offender = _offender(session, notification.offender_id)
                work = _Processing(self._services, session, actor, task, notification, offender)
                effects = work.run(manager_id)
                offender = work.offender
                assert offender is not None
                self._services.audit.record(
                    session,
                    actor,
                    "notification_processed",
                    entity_type="notification",
                    entity_id=notification.id,
                    offender_id=offender.id,
                    detail={
                        "kind": notification.kind.value,
                        "task_id": task.id,
                        "effects": effects,
                    },
                )
                return ProcessResult(
                    task_id=task.id,
                    notification_id=notification.id,
                    offender_id=offender.id,
                    reference=offender.reference,
                    effects=tuple(effects),
                    follow_up_task_id=work.follow_up_task_id,
                )
        except (_LostRace, StaleDataError):
            raise self._lost(task_id) from None

    def reject(self, actor: Actor, task_id: int, expected_version: int, reason: str) -> None:
        """Set aside a notification entered in error or twice: the notification is rejected, the
        task cancelled with `reason` (required) as its comment; audited. The record is not
        touched."""
        _require_hub(actor, "reject notifications")
        form = Form()
        text = form.text(
            "reason",
            reason,
            max_length=NOTE_MAX,
            required=True,
            multiline=True,
            label="reason (entered in error, a duplicate, ...)",
        )
        raise_if_invalid(form)
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                task, notification = self._decide(session, actor, task_id, expected_version)
                now = self._services.now()
                notification.state = NotificationState.REJECTED
                notification.processed_by_id = actor.officer_id
                notification.processed_at = now
                stamp(notification, actor, now)
                task.state = TaskState.CANCELLED
                task.completed_by_id = actor.officer_id
                task.completed_at = now
                task.comment = text
                stamp(task, actor, now)
                try:
                    session.flush()
                except StaleDataError:
                    raise _LostRace() from None
                self._services.audit.record(
                    session,
                    actor,
                    "notification_rejected",
                    entity_type="notification",
                    entity_id=notification.id,
                    offender_id=notification.offender_id,
                    detail={"kind": notification.kind.value, "task_id": task.id, "reason": text},
                )
        except (_LostRace, StaleDataError):
            raise self._lost(task_id) from None

    def _decide(
        self, session: Session, actor: Actor, task_id: int, expected_version: int
    ) -> tuple[Task, Notification]:
        """The task and notification about to be decided, once every refusal has been checked:
        claimed by someone else, already decided, changed since it was read."""
        task, notification = _load(session, task_id)
        refuse_if_claimed(session, task, actor, self._services.now())
        if notification.state != NotificationState.RECEIVED or task.state != TaskState.OPEN:
            raise ServiceError(_already_decided(session, task, notification))
        if notification.version != expected_version:
            raise EditConflict(
                "notification",
                officer_name(session, notification.updated_by_id),
                notification.updated_at,
            )
        return task, notification

    def _lost(self, task_id: int) -> ServiceError:
        """Who won the race the version columns caught: a notification still unprocessed lost
        on the offender's record (another desktop changed it meanwhile), so name its saver."""
        with self._services.transaction() as session:
            task, notification = _load(session, task_id)
            if notification.state == NotificationState.RECEIVED:
                offender = (
                    session.get(Offender, notification.offender_id)
                    if notification.offender_id is not None
                    else None
                )
                row, what = (
                    (offender, "record") if offender is not None else (notification, "notification")
                )
                return EditConflict(what, officer_name(session, row.updated_by_id), row.updated_at)
            return ServiceError(_already_decided(session, task, notification))


# -- permission and loading ----------------------------------------------------------------------


def _require_hub(actor: Actor, what: str) -> None:
    if actor.role != Role.HUB_OFFICER.value:
        raise PermissionRefused(
            f"Only hub officers {what}; you are signed in as {_article(actor.role_label)}. "
            "Nothing was changed."
        )


def _article(words: str) -> str:
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


def _require_view(session: Session, actor: Actor, task: Task) -> None:
    if actor.role == Role.HUB_OFFICER.value:
        return
    if task.offender_id is not None:
        require_read(actor, load_subject(session, task.offender_id))
    elif task.team_id is None or not can_read_offender(actor.role, actor.team_id, task.team_id):
        raise PermissionRefused(
            "Only hub officers and officers of the team it is allocated to can see a transfer "
            "in before it is processed."
        )


def _load(session: Session, task_id: int) -> tuple[Task, Notification]:
    task = session.get(Task, task_id)
    if task is None or task.kind != TaskKind.HUB_NOTIFICATION or task.subject_id is None:
        raise NotFound(f"There is no hub task number {task_id}.")
    notification = session.get(Notification, task.subject_id)
    if notification is None:
        raise NotFound(f"The notification hub task {task_id} is about is no longer on the system.")
    return task, notification


def _offender(session: Session, offender_id: int | None) -> Offender | None:
    if offender_id is None:
        return None
    return session.scalars(
        select(Offender)
        .where(Offender.id == offender_id)
        .options(selectinload(Offender.addresses), selectinload(Offender.aliases))
    ).one()


def _why_not(
    session: Session, actor: Actor, task: Task, notification: Notification, now: dt.datetime
) -> str | None:
    if actor.role != Role.HUB_OFFICER.value:
        return "Only hub officers process notifications."
    if notification.state != NotificationState.RECEIVED or task.state != TaskState.OPEN:
        return _already_decided(session, task, notification)
    try:
        refuse_if_claimed(session, task, actor, now)
    except ServiceError as claimed:
        return str(claimed)
    return None


def _already_decided(session: Session, task: Task, notification: Notification) -> str:
    verb = "rejected" if notification.state == NotificationState.REJECTED else "processed"
    if notification.state == NotificationState.RECEIVED:
        verb = task.state.label
    who = officer_name(session, notification.processed_by_id or task.completed_by_id, "someone")
    at = notification.processed_at or task.completed_at
    when = ""
    if at is not None:
        local = at.astimezone(LONDON) if at.tzinfo is not None else at
        when = f" at {local:%H:%M} on {local:%d/%m/%Y}"
    return f"{who} already {verb} this notification{when}. Nothing was changed."


def _identity(notification: Notification) -> str:
    details = notification.details or {}
    return f"{details.get('forename', '')} {details.get('surname', '')}".strip()


def _title(kind: str, offender: Offender | None, checked: _Checked) -> str:
    if kind == K.TRANSFER_IN:
        return (
            f"Transfer in from {checked.details.get('from_force', '')}: "
            f"{checked.details.get('surname', '')}, {checked.details.get('forename', '')}"
        )
    assert offender is not None
    who = f"{offender.reference} ({offender.full_name})"
    if kind == K.FOREIGN_TRAVEL:
        return f"Foreign travel departing {d(checked.event_on)}: {who}"
    return f"{KIND_LABELS[kind]}: {who}"


def _trips(session: Session, offender_id: int, today: dt.date) -> list[TripChoice]:
    rows = session.scalars(
        select(Notification)
        .where(
            Notification.offender_id == offender_id,
            Notification.kind.in_([K.FOREIGN_TRAVEL, K.FOREIGN_TRAVEL_CHANGE]),
            Notification.state != NotificationState.REJECTED,
        )
        .order_by(Notification.event_on, Notification.id)
    )
    found = []
    for n in rows:
        details = n.details or {}
        back = _iso(details.get("return"))
        if (back or n.event_on) < today:
            continue
        places = tuple(str(p) for p in details.get("destinations") or ())
        label = f"departing {d(n.event_on)}"
        if back is not None:
            label += f", returning {d(back)}"
        if places:
            label += f", to {', '.join(places)}"
        found.append(TripChoice(n.id, n.event_on, back, places, label))
    return found


def _iso(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)
    return None


# -- checking an entry --------------------------------------------------------------------------


@dataclass
class _Checked:
    """A NotificationEntry with every field checked (`_check_entry`): the offender (None for a
    transfer in, not on Pillars yet), the dates and the details stored on the notification. The
    statutory clock runs from `clock_on` when set (a travel change, a stay elsewhere), else from the
    event."""

    offender: Offender | None
    event_on: dt.date
    notified_on: dt.date
    details: dict[str, Any]
    note: str
    team_id: int | None = None
    clock_on: dt.date | None = None  # the day the clock runs from, when not the event's

    @property
    def clock_event(self) -> dt.date:
        return self.clock_on or self.event_on


def _reference(typed: str | None) -> str:
    """A reference as typed, upper case and without spaces, cleaned first: a NUL or an unpaired
    surrogate never reaches the database (PostgreSQL refuses NULs; neither driver encodes a
    surrogate)."""
    return "".join(clean_text(typed).split()).upper()


def _check_entry(session: Session, entry: NotificationEntry, today: dt.date) -> _Checked:
    """Every field of `entry` its kind needs, checked; ValidationFailed with them all."""
    form = Form()
    try:
        kind = K(entry.kind)
    except ValueError:
        raise ValidationFailed(
            [FieldError("kind", "Choose what kind of notification the offender made.")]
        ) from None
    offender = None
    if kind != K.TRANSFER_IN:
        typed = _reference(entry.reference)
        if not typed:
            form.add("reference", "Enter the offender's reference, for example ZZ/2019/004512.")
        else:
            if len(typed) <= REFERENCE_LENGTH:
                offender = session.scalars(
                    select(Offender)
                    .where(func.upper(Offender.reference) == typed)
                    .options(selectinload(Offender.addresses))
                ).first()
            if offender is None:
                form.add(
                    "reference",
                    f"No offender has the reference {excerpt(typed, REFERENCE_LENGTH)}: check "
                    "it, or enter a transfer in for someone new to the force.",
                )
    notified = form.date(
        "notified_on", entry.notified_on, required=False, not_after=today, label="notified date"
    )
    notified_on = notified or today
    event_label = EVENT_LABELS[kind]
    optional_event = kind in (K.PERIODIC, K.NO_FIXED_ABODE)
    event = form.date(
        "event_on",
        entry.event_on,
        required=not optional_event,
        not_after=None if kind in FUTURE_EVENTS else today,
        label=event_label,
    )
    event_on = event or notified_on
    note = form.text("note", entry.note, max_length=NOTE_MAX, multiline=True, label="note")
    details: dict[str, Any] = {}
    team_id = None

    def address() -> dict[str, str]:
        return {
            "line1": form.text(
                "line1", entry.line1, max_length=120, required=True, label="first line"
            ),
            "line2": form.text("line2", entry.line2, max_length=120, label="second line"),
            "town": form.text("town", entry.town, max_length=80, required=True),
            "postcode": form.postcode("postcode", entry.postcode),
        }

    def home_or_nowhere() -> None:
        if entry.no_fixed_abode:
            details["no_fixed_abode"] = True
            details["where"] = form.text(
                "where",
                entry.where,
                max_length=TEXT_MAX,
                required=True,
                label="place where they can be found",
            )
        else:
            details.update(address())

    if kind == K.CHANGE_OF_ADDRESS:
        home_or_nowhere()
        details["from"] = event_on.isoformat()
    elif kind == K.CHANGE_OF_NAME:
        details["forename"] = form.text(
            "forename", entry.forename, max_length=80, required=True, label="new forename"
        )
        details["surname"] = form.text(
            "surname", entry.surname, max_length=80, required=True, label="new surname"
        )
    elif kind == K.OTHER_ADDRESS_STAY:
        place = address()
        end = form.date("end_on", entry.end_on, required=False, label="last day of the stay")
        form.order("event_on", "end_on", event, end)
        details.update({"address": place, "start": event_on.isoformat()})
        if end is not None:
            details["end"] = end.isoformat()
        if form.ok and offender is not None:
            stays = [
                (a.from_date, a.to_date)
                for a in offender.addresses
                if a.kind == "stay" and _same_place(a, place)
            ]
            qualifying = qualifying_stay_date([*stays, (event_on, end)], as_of=today)
            if qualifying is None:
                form.add(
                    "end_on",
                    "Stays at one address need not be notified until they come to 7 days (in one "
                    "stay, or together within 12 months, s84(6)); this one does not yet.",
                )
            else:
                details["qualifying_on"] = qualifying.isoformat()
    elif kind == K.ADVANCE_NOTICE:
        details["change"] = form.text(
            "expected_change",
            entry.expected_change,
            max_length=TEXT_MAX,
            required=True,
            label="change expected",
        )
    elif kind == K.RELEASE:
        details["released_from"] = form.choice("released_from", entry.released_from, RELEASED_FROM)
        if entry.no_fixed_abode:
            home_or_nowhere()
        else:
            details["address"] = address()
    elif kind == K.NO_FIXED_ABODE:
        details["where"] = form.text(
            "where",
            entry.where,
            max_length=TEXT_MAX,
            required=True,
            label="place where they can be found this week",
        )
    elif kind in (K.FOREIGN_TRAVEL, K.FOREIGN_TRAVEL_CHANGE):
        back = form.date("return_on", entry.return_on, required=False, label="return date")
        form.order("event_on", "return_on", event, back)
        places = [
            form.text("destinations", place, max_length=80, label="destination")
            for place in entry.destinations
        ]
        places = [p for p in places if p]
        if kind == K.FOREIGN_TRAVEL:
            if not places and not form.has("destinations"):
                form.add("destinations", "Enter the countries the offender is travelling to.")
            if back is None and not form.has("return_on"):
                form.add("return_on", "Enter the return date as dd/mm/yyyy.")
            decided = form.date(
                "decided_on", entry.decided_on, required=False, label="date the trip was decided"
            )
            details.update({"departure": event_on.isoformat(), "destinations": places})
            details["return"] = back.isoformat() if back is not None else None
            if decided is not None:
                details["decided_on"] = decided.isoformat()
        else:
            trip = _changed_trip(session, form, entry.trip_id, offender)
            if trip is not None:
                before = trip.details or {}
                details.update(
                    {
                        "trip_notification_id": trip.id,
                        "previous_departure": trip.event_on.isoformat(),
                        "previous_return": before.get("return"),
                        "departure": event_on.isoformat(),
                        "return": back.isoformat() if back is not None else before.get("return"),
                        "destinations": places or list(before.get("destinations") or []),
                    }
                )
    elif kind == K.HOUSEHOLD_WITH_CHILD:
        place = address()
        until = form.date("end_on", entry.end_on, required=False, label="intended last day")
        form.order("event_on", "end_on", event, until)
        details.update({"address": place, "start": event_on.isoformat()})
        if until is not None:
            details["until"] = until.isoformat()
            details["intended_days"] = (until - event_on).days + 1
    elif kind == K.TRANSFER_IN:
        details.update(_check_identity(session, form, entry, today))
        details["address"] = address()
        team_id = entry.team_id
        if team_id is None or session.get(Team, team_id) is None:
            form.add("team_id", "Choose the team the offender is allocated to.")
    raise_if_invalid(form)
    clock_on = None
    if kind == K.FOREIGN_TRAVEL_CHANGE:
        # s86: a change is owed 24 hours before the departure it changes or the new one,
        # whichever comes first.
        clock_on = min(event_on, dt.date.fromisoformat(details["previous_departure"]))
    elif kind == K.OTHER_ADDRESS_STAY:
        clock_on = dt.date.fromisoformat(details["qualifying_on"])
    return _Checked(offender, event_on, notified_on, details, note, team_id, clock_on)


def _check_identity(
    session: Session, form: Form, entry: NotificationEntry, today: dt.date
) -> dict[str, Any]:
    """A transfer in's identity and, if known, the conviction it was registered for."""
    found: dict[str, Any] = {
        "forename": form.text("forename", entry.forename, max_length=80, required=True),
        "surname": form.text("surname", entry.surname, max_length=80, required=True),
    }
    born = form.date(
        "date_of_birth", entry.date_of_birth, required=True, not_after=today, label="date of birth"
    )
    found["date_of_birth"] = born.isoformat() if born is not None else None
    found["gender"] = form.text("gender", entry.gender, max_length=20)
    found["from_force"] = form.text(
        "from_force", entry.from_force, max_length=80, required=True, label="previous force"
    )
    found["previous_reference"] = form.text(
        "previous_reference", entry.previous_reference, max_length=30, label="previous reference"
    )
    category = form.choice("mappa_category", entry.mappa_category or "1", MAPPA_CATEGORIES)
    found["mappa_category"] = int(category) if category else 1
    offence = form.text("offence", entry.offence, max_length=200, label="offence")
    if offence or entry.convicted_on.strip():
        convicted = form.date(
            "convicted_on",
            entry.convicted_on,
            required=True,
            not_after=today,
            label="date of conviction",
        )
        if not offence:
            form.add("offence", "Enter the offence the offender was convicted of.")
        sentence = form.choice("sentence_kind", entry.sentence_kind, SENTENCE_KINDS)
        months = None
        if entry.sentence_months.strip():
            try:
                months = int(entry.sentence_months.strip())
                if not 0 < months < 1200:
                    raise ValueError
            except ValueError:
                form.add("sentence_months", "Enter the length of the sentence in whole months.")
        found["conviction"] = {
            "offence": offence,
            "convicted_on": convicted.isoformat() if convicted is not None else None,
            "sentence_kind": sentence or None,
            "sentence_months": months,
        }
    return found


def _changed_trip(
    session: Session, form: Form, trip_id: int | None, offender: Offender | None
) -> Notification | None:
    if offender is None:
        return None
    trip = session.get(Notification, trip_id) if trip_id is not None else None
    if (
        trip is None
        or trip.offender_id != offender.id
        or trip.kind not in (K.FOREIGN_TRAVEL, K.FOREIGN_TRAVEL_CHANGE)
        or trip.state == NotificationState.REJECTED
    ):
        form.add("trip_id", "Choose the trip, notified earlier, that has changed.")
        return None
    return trip


def _same_place(address: Address, place: Mapping[str, str]) -> bool:
    return (
        address.postcode == place["postcode"]
        and address.line1.casefold() == place["line1"].casefold()
    )


# -- processing ----------------------------------------------------------------------------------


def _managers(session: Session, team_id: int | None) -> list[ManagerChoice]:
    """Active offender managers of the team with their caseloads, least loaded first."""
    if team_id is None:
        return []
    load = (
        select(Offender.manager_id, func.count(Offender.id).label("n"))
        .group_by(Offender.manager_id)
        .subquery()
    )
    rows = session.execute(
        select(Officer.id, Officer.forename, Officer.surname, func.coalesce(load.c.n, 0))
        .outerjoin(load, load.c.manager_id == Officer.id)
        .where(
            Officer.team_id == team_id,
            Officer.role == Role.OFFENDER_MANAGER,
            Officer.active.is_(True),
        )
    )
    choices = [ManagerChoice(i, f"{f} {s}", int(n)) for i, f, s, n in rows]
    return sorted(choices, key=lambda m: (m.caseload, m.name, m.officer_id))


def _least_loaded(managers: Sequence[ManagerChoice]) -> int | None:
    return managers[0].officer_id if managers else None


def _recorded_effects(session: Session, notification: Notification) -> list[str]:
    """What processing did, as its audit row says."""
    if notification.state == NotificationState.REJECTED:
        return ["Rejected: nothing on the record was changed."]
    detail = session.scalar(
        select(AuditEvent.detail)
        .where(
            AuditEvent.action == "notification_processed",
            AuditEvent.entity_type == "notification",
            AuditEvent.entity_id == notification.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return [str(e) for e in (detail or {}).get("effects") or []]


@dataclass
class _Processing:
    """What processing one notification does to the record. With `dry` it only describes it
    (for `view`); otherwise it does it, in the caller's transaction, and says what it did. The
    sentences are the same either way: that is the point of one class for both."""

    services: Services
    session: Session
    actor: Actor
    task: Task
    notification: Notification
    offender: Offender | None
    dry: bool = False
    effects: list[str] = field(default_factory=list)
    follow_up_task_id: int | None = None
    today: dt.date = field(init=False)
    now: dt.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.today = self.services.today()
        self.now = self.services.now()

    def run(self, manager_id: int | None) -> list[str]:
        n = self.notification
        kind = n.kind
        details = n.details or {}
        if kind == K.TRANSFER_IN:
            self._transfer_in(details, manager_id)
            if self.offender is None:  # described before the record exists
                self._reset_periodic()
                return self.effects
        elif manager_id is not None:
            raise ValidationFailed(
                [FieldError("manager_id", "A manager is chosen only for a transfer in.")]
            )
        assert self.offender is not None
        if kind == K.CHANGE_OF_ADDRESS:
            self._set_home(details if details.get("line1") else None, details, n.event_on)
            self._review_forward(n.event_on, "change of address")
        elif kind == K.CHANGE_OF_NAME:
            self._rename(str(details.get("forename", "")), str(details.get("surname", "")))
        elif kind == K.RELEASE:
            self._release(details)
        elif kind == K.OTHER_ADDRESS_STAY:
            self._add_stay(details)
        elif kind == K.NO_FIXED_ABODE:
            self.say(f"Records where the offender can be found this week: {details.get('where')}.")
        elif kind in (K.FOREIGN_TRAVEL, K.FOREIGN_TRAVEL_CHANGE):
            self._trip(details)
        elif kind == K.HOUSEHOLD_WITH_CHILD:
            until = _iso(details.get("until"))
            self.say(
                "Keeps the stay in a household with a child at "
                f"{address_text(details.get('address') or {})} from {d(n.event_on)}"
                + (f" to {d(until)}" if until is not None else "")
                + " on this notification. The household is not the offender's own, so no "
                "household member is added."
            )
        elif kind == K.ADVANCE_NOTICE:
            due = n.due_on
            self.say(
                f"Records the advance notice of {details.get('change') or 'a change'} expected on "
                f"{d(n.event_on)}. Nothing else on the record changes until the change is "
                f"notified; if it has not happened, the offender must say so by {d(due)} (s84(4))."
            )
        elif kind == K.INITIAL:
            self.say(f"Records the initial notification after conviction on {d(n.event_on)}.")
        if kind in RESETS_PERIODIC:
            self._reset_periodic()
        elif kind in (K.FOREIGN_TRAVEL, K.FOREIGN_TRAVEL_CHANGE, K.ADVANCE_NOTICE):
            why = "s86" if kind != K.ADVANCE_NOTICE else "an advance notice by itself, s85"
            due = self.offender.next_periodic_due
            stays = f", {d(due)}" if due is not None else ""
            self.say(f"The next periodic notification date stays as it is{stays} ({why}).")
        return self.effects

    def say(self, sentence: str) -> None:
        self.effects.append(sentence)

    def _stamp(self, row: Any) -> None:
        stamp(row, self.actor, self.now)

    # addresses

    def _set_home(
        self, place: Mapping[str, Any] | None, details: Mapping[str, Any], from_date: dt.date
    ) -> None:
        """The new home from `from_date` (or no fixed abode when `place` is None): the current
        home closes the day before (or the day it started, if later)."""
        offender = self.offender
        assert offender is not None
        current = [a for a in offender.addresses if a.kind == "home" and a.to_date is None]
        same = [a for a in current if place is not None and _same_place(a, place)]
        if same:
            self.say(
                f"The home address {address_text(place or {})} is already on the record, from "
                f"{d(same[0].from_date)}: it stays as it is."
            )
            return
        for old in current:
            closes = max(old.from_date, from_date - DAY)
            self.say(f"Closes the home address {_address_of(old)} on {d(closes)}.")
            if not self.dry:
                old.to_date = closes
                self._stamp(old)
        if place is not None:
            self.say(f"Adds the home address {address_text(place)} from {d(from_date)}.")
            if not self.dry:
                offender.addresses.append(
                    Address(
                        kind="home",
                        **{k: str(place.get(k) or "") for k in ADDRESS_KEYS},
                        from_date=from_date,
                        updated_by_id=self.actor.officer_id,
                    )
                )
            if offender.no_fixed_abode:
                self.say("Clears “no fixed abode”.")
                if not self.dry:
                    offender.no_fixed_abode = False
                    self._stamp(offender)
        else:
            self.say(
                f"Marks the offender of no fixed abode from {d(from_date)} (can be found: "
                f"{details.get('where', '')}): weekly notification from now on."
            )
            if not self.dry and not offender.no_fixed_abode:
                offender.no_fixed_abode = True
                self._stamp(offender)

    def _add_stay(self, details: Mapping[str, Any]) -> None:
        place = details.get("address") or {}
        start = _iso(details.get("start")) or self.notification.event_on
        end = _iso(details.get("end"))
        until = f" to {d(end)}" if end is not None else ", still staying"
        self.say(f"Adds the stay at {address_text(place)} from {d(start)}{until}.")
        if not self.dry:
            assert self.offender is not None
            self.offender.addresses.append(
                Address(
                    kind="stay",
                    **{k: str(place.get(k) or "") for k in ADDRESS_KEYS},
                    from_date=start,
                    to_date=end,
                    updated_by_id=self.actor.officer_id,
                )
            )

    # name, release, travel

    def _rename(self, forename: str, surname: str) -> None:
        offender = self.offender
        assert offender is not None
        old, new = offender.full_name, f"{forename} {surname}"
        if old == new:
            self.say(f"The record already has the name {new}.")
            return
        self.say(f"Changes the name from {old} to {new}, keeping {old} as an alias.")
        if self.dry:
            return
        if old.casefold() not in {a.name.casefold() for a in offender.aliases}:
            offender.aliases.append(Alias(name=old))
        offender.forename, offender.surname = forename, surname
        self.notification.details = {**(self.notification.details or {}), "previous_name": old}
        self._stamp(offender)

    def _release(self, details: Mapping[str, Any]) -> None:
        offender = self.offender
        assert offender is not None
        released = self.notification.event_on
        place = str(details.get("released_from") or "custody")
        was = offender.status
        if was == OffenderStatus.COMMUNITY:
            self.say(f"The record already says community; the release on {d(released)} is kept.")
        else:
            self.say(
                f"Records the release from {place} on {d(released)}: status community from "
                f"{d(released)} (was {was.label})."
            )
        if offender.expected_release_on is not None:
            self.say(f"Clears the expected release date {d(offender.expected_release_on)}.")
        if not self.dry:
            offender.status = OffenderStatus.COMMUNITY
            offender.status_since = released
            offender.expected_release_on = None
            self._stamp(offender)
        home = details.get("address")
        if home or details.get("no_fixed_abode"):
            self._set_home(home if home else None, details, released)
        days = policy_int(self.session, "visit_after_release_days")
        due = released + dt.timedelta(days=days)
        owner = (
            self.session.get(Officer, offender.manager_id)
            if offender.manager_id is not None
            else approval_owner(self.session, offender)
        )
        assert owner is not None
        self.say(f"Asks {owner.display_name} to visit by {d(due)} (within {days} days of release).")
        if not self.dry:
            visit = Task(
                kind=TaskKind.RELEASE_VISIT,
                group=TASK_GROUP[TaskKind.RELEASE_VISIT],
                offender_id=offender.id,
                owner_id=owner.id,
                team_id=offender.team_id,
                subject_type="notification",
                subject_id=self.notification.id,
                title=f"Visit within {days} days of release: {offender.reference} "
                f"({offender.full_name})"[:200],
                created_by_id=self.actor.officer_id,
                created_at=self.now,
                due_on=due,
                state=TaskState.OPEN,
                updated_by_id=self.actor.officer_id,
            )
            self.session.add(visit)
            self.session.flush()
            self.follow_up_task_id = visit.id
        self._review_forward(released, "release")

    def _trip(self, details: Mapping[str, Any]) -> None:
        departure, back = _iso(details.get("departure")), _iso(details.get("return"))
        trip = f"departing {d(departure)}"
        if back is not None:
            trip += f", returning {d(back)}"
        places = details.get("destinations") or []
        if places:
            trip += f", to {', '.join(str(p) for p in places)}"
        if self.notification.kind == K.FOREIGN_TRAVEL:
            self.say(f"Records the trip on the record's notifications: {trip}.")
        else:
            before = f"departing {d(_iso(details.get('previous_departure')))}"
            self.say(f"Records the change to the trip {before}: now {trip}.")

    # the clocks that move

    def _review_forward(self, event_on: dt.date, reason: str) -> None:
        offender = self.offender
        assert offender is not None
        arms = self.session.scalars(
            select(RiskAssessment)
            .where(
                RiskAssessment.offender_id == offender.id,
                RiskAssessment.kind == AssessmentKind.ARMS,
                RiskAssessment.state == ApprovalState.APPROVED,
            )
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
            .limit(1)
        ).first()
        if arms is None:
            self.say("There is no approved ARMS to bring forward: one is needed.")
            return
        current = cadence.arms_review_due(
            arms.assessed_on, arms.next_review_on, policy_int(self.session, "arms_review_months")
        )
        moved = review_brought_forward(current, event_on)
        if moved == current:
            self.say(f"The ARMS review stays due on {d(current)}, already soon enough.")
        else:
            self.say(f"Brings the ARMS review forward from {d(current)} to {d(moved)}.")
        if not self.dry:
            self.session.flush()
            self.services.assessments.bring_review_forward(
                self.session, offender.id, event_on, actor=self.actor, reason=reason
            )

    def _reset_periodic(self) -> None:
        """s85: the next periodic date runs a year (a week while of no fixed abode) from this
        notification, unless a later notification already processed set it."""
        offender = self.offender  # None: a transfer in described before its record exists
        n = self.notification
        later = None
        if offender is not None:
            later = self.session.scalar(
                select(func.max(Notification.notified_on)).where(
                    Notification.offender_id == offender.id,
                    Notification.state == NotificationState.PROCESSED,
                    Notification.kind.in_([K(k) for k in RESETS_PERIODIC]),
                    Notification.id != n.id,
                )
            )
        if offender is not None and later is not None and later > n.notified_on:
            self.say(
                f"The next periodic notification date stays {d(offender.next_periodic_due)}: a "
                f"later notification, made on {d(later)}, already set it."
            )
            return
        details = n.details or {}
        weekly = (
            n.kind == K.NO_FIXED_ABODE
            or bool(details.get("no_fixed_abode"))
            or (
                offender is not None
                and offender.no_fixed_abode
                and not details.get("line1")
                and "address" not in details
            )
        )
        pauses = (
            []
            if n.kind in (K.RELEASE, K.TRANSFER_IN)
            else offender_pauses(offender, n.kind, n.event_on)
        )
        due = next_periodic_due(n.notified_on, pauses, weekly=weekly, on=self.today)
        span = "a week" if weekly else "a year"
        self.say(
            f"Next periodic notification due {d(due)}, {span} after this notification (s85"
            + (", no fixed abode: weekly)." if weekly else ").")
        )
        if not self.dry and offender is not None:
            offender.next_periodic_due = due
            self._stamp(offender)

    # transfer in

    def _transfer_in(self, details: Mapping[str, Any], manager_id: int | None) -> None:
        session, n = self.session, self.notification
        team = session.get(Team, self.task.team_id) if self.task.team_id is not None else None
        if team is None:
            raise ServiceError(
                "This transfer in has no team to allocate it to; reject it and enter it again "
                "with a team. Nothing was changed."
            )
        managers = _managers(session, team.id)
        if manager_id is not None and manager_id not in {m.officer_id for m in managers}:
            raise ValidationFailed(
                [
                    FieldError(
                        "manager_id",
                        f"Choose an active offender manager of {team.name} team. Nothing was "
                        "saved.",
                    )
                ]
            )
        chosen = manager_id if manager_id is not None else _least_loaded(managers)
        manager = next((m for m in managers if m.officer_id == chosen), None)
        born = _iso(details.get("date_of_birth"))
        assert born is not None
        conviction = details.get("conviction") or {}
        convicted = _iso(conviction.get("convicted_on"))
        reference = _next_reference(session, self.today)
        name = f"{details.get('forename', '')} {details.get('surname', '')}"
        who = (
            f"managed by {manager.name} ({manager.caseload} on their caseload now)"
            if manager is not None
            else f"unallocated: {team.name} team has no active offender manager"
        )
        self.say(
            f"Creates the record {reference} for {name} (born {d(born)}) in {team.name} team, "
            f"{who}; status community from {d(n.event_on)}."
        )
        period = None
        if convicted is not None:
            period = notification_period(
                sentence_kind=conviction.get("sentence_kind"),
                sentence_months=conviction.get("sentence_months"),
                starts_on=convicted,
                date_of_birth=born,
                convicted_on=convicted,
            )
            ends = "indefinite" if period.indefinite else f"ends {d(period.ends_on)}"
            self.say(
                f"Adds the conviction for {conviction.get('offence')} on {d(convicted)}; "
                f"notification period {ends} ({period.reason})."
            )
        else:
            self.say("No conviction was given: add it to the record to set the notification end.")
        place = details.get("address") or {}
        self.say(f"Adds the home address {address_text(place)} from {d(n.event_on)}.")
        if self.dry:
            return
        offender = Offender(
            reference=reference,
            forename=str(details.get("forename", "")),
            surname=str(details.get("surname", "")),
            date_of_birth=born,
            gender=str(details.get("gender") or ""),
            manager_id=chosen,
            team_id=team.id,
            status=OffenderStatus.COMMUNITY,
            status_since=n.event_on,
            mappa_category=int(details.get("mappa_category") or 1),
            mappa_level=1,
            registration_start=convicted or n.event_on,
            notification_end=period.ends_on if period is not None else None,
            notification_indefinite=bool(period is not None and period.indefinite),
            notes=f"Transferred in from {details.get('from_force', '')} "
            f"(their reference {details.get('previous_reference') or 'not given'}).",
            created_at=self.now,
            updated_by_id=self.actor.officer_id,
        )
        offender.addresses.append(
            Address(
                kind="home",
                **{k: str(place.get(k) or "") for k in ADDRESS_KEYS},
                from_date=n.event_on,
                updated_by_id=self.actor.officer_id,
            )
        )
        if convicted is not None:
            kind = conviction.get("sentence_kind")
            offender.convictions.append(
                Conviction(
                    offence=str(conviction.get("offence") or ""),
                    convicted_on=convicted,
                    sentence_kind=SentenceKind(kind) if kind else None,
                    sentence_months=conviction.get("sentence_months"),
                    updated_by_id=self.actor.officer_id,
                )
            )
        offender.mappa_history.append(
            MappaChange(
                category=offender.mappa_category,
                level=offender.mappa_level,
                changed_by_id=self.actor.officer_id,
                changed_at=self.now,
                reason=f"Transfer in from {details.get('from_force', '')}",
            )
        )
        session.add(offender)
        session.flush()
        n.offender_id = offender.id
        self.task.offender_id = offender.id
        self.offender = offender
        self.services.audit.record(
            session,
            self.actor,
            "offender_created",
            entity_type="offender",
            entity_id=offender.id,
            offender_id=offender.id,
            detail={
                "reference": reference,
                "transfer_in_from": details.get("from_force", ""),
                "team": team.name,
                "manager_id": chosen,
            },
        )


def _address_of(address: Address) -> str:
    return address_text({k: getattr(address, k) for k in ADDRESS_KEYS})


def _next_reference(session: Session, today: dt.date) -> str:
    """The next free reference of the year, shaped like the others: ZZ/2026/000042."""
    prefix = f"{REFERENCE_PREFIX}/{today.year}/"
    taken = session.scalars(select(Offender.reference).where(Offender.reference.like(f"{prefix}%")))
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:06d}"


__all__ = [
    "EVENT_LABELS",
    "KIND_LABELS",
    "HubService",
    "ManagerChoice",
    "NotificationEntry",
    "NotificationView",
    "ProcessResult",
    "TripChoice",
    "detail_pairs",
    "statutory_due",
    "summary_line",
    "task_due",
]
