"""Statutory deadlines from the database: the facts the deadline engine needs, read for one
offender or for the whole force in a few queries, and the force-wide report behind `pillars due`.

The caseload, the record and the report all call `breaches_for`, so they always show the same
breaches. The rules are in `desktop.rules.notification_clocks` (every reading of the Act) and
`desktop.rules.breaches` (the hub's periodic date; what counts as outstanding; the PPN deadline).

How the database becomes the engine's facts, and what the schema does not know:

- Events: every notification that was not rejected, with its kind, event day and the day it was
  notified. A notification received but not yet processed counts as made: the offender notified,
  and the hub's backlog is not the offender's breach (it is an overdue hub task). For foreign
  travel the event day is the departure in the details (`"departure"`, ISO), else the event day.
  An advance notice is discharged by its details' `"happened_on"`, else by the first change of
  name or address notified for a day from 2 days before the date given; the offender's notice that
  the change did not happen is read from its details' `"not_happened_notified_on"` (the notice
  itself is not that). Pillars infers no event that was never notified: a move found on a visit
  starts no clock until the hub enters it.
- Pauses (s84(5), s85(3)-(4)): a trip abroad from its departure to its return (a trip without a
  return date pauses only while the record says abroad); the status custody, hospital or abroad
  from `status_since` while it lasts; past custody, from each custodial conviction's sentencing
  date (hospital orders: in hospital) to the first release notified on or after it, else, for the
  latest such sentence only, to the day the record says the offender came back to the community
  (when that falls within the sentence's length), or on through today while the record says
  custody or hospital with no date since when. The schema keeps no custody history: remand
  before sentence, recall, custody for other matters and hospital admissions outside a hospital
  order are not known, and an older sentence whose release is not known pauses nothing. A change
  to notified travel is not linked to its trip: the trip pauses by its first dates. Where this
  matters most, the periodic date, the hub's date on the record stands in (see
  `desktop.rules.breaches`).
- The notification period (s82, `desktop.rules.periods`): the latest end among the convictions;
  none (the duties run on) when one is indefinite or not yet sentenced; the record's own end when
  no conviction is recorded.
- No fixed abode, the expected release and the hub's next periodic date: from the offender.
- PPNs not closed: a draft against the policy's `ppn_submit_hours`; one submitted with no social
  care decision against the follow-up day stored on it (`desktop.rules.breaches.ppn_clocks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, String, select, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from db.enums import NotificationKind, NotificationState, OffenderStatus, PpnState
from db.models import Conviction, Notification, Offender, Officer, Ppn, Team
from desktop.rules.breaches import (
    LONDON,
    Breach,
    ClockFacts,
    PpnClock,
    PpnFacts,
    breaches_on,
    due_between,
    end_of_london_day,
    hub_date_holds,
    outstanding,
    ppn_clocks,
    statutory_clocks,
)
from desktop.rules.notification_clocks import Clock, Event, Pause
from desktop.rules.periods import notification_period
from desktop.services.policy import policy_int
from desktop.services.visit_facts import visit_flags

if TYPE_CHECKING:
    from desktop.services.core import Services

DAY = dt.timedelta(days=1)
TRAVEL = frozenset({NotificationKind.FOREIGN_TRAVEL.value, NotificationKind.FOREIGN_TRAVEL_CHANGE})
CHANGES = frozenset({NotificationKind.CHANGE_OF_ADDRESS.value, NotificationKind.CHANGE_OF_NAME})
AWAY = frozenset(s.value for s in OffenderStatus if s != OffenderStatus.COMMUNITY)
# Sentences served away, and where: a hospital order is time detained in hospital.
HELD = {
    "custody": "custody",
    "life": "custody",
    "ipp": "custody",
    "hospital": "hospital",
    "hospital_restriction": "hospital",
}


# -- the engine's facts, from the database ---------------------------------------------------------


@dataclass
class _Notified:
    """One notification the hub recorded for the offender (not a rejected one): its kind, the
    event's day and the day it was notified, as the notification clocks read them."""

    kind: str
    event_on: dt.date
    notified_on: dt.date
    details: Mapping[str, Any]


@dataclass
class _Offender:
    """The facts of one offender that the breach rules and the statutory clocks read, gathered
    for the whole scope in a few queries."""

    status: str
    status_since: dt.date | None
    expected_release_on: dt.date | None
    no_fixed_abode: bool
    next_periodic_due: dt.date | None
    date_of_birth: dt.date
    notification_end: dt.date | None
    notification_indefinite: bool
    notified: list[_Notified] = field(default_factory=list)
    # (convicted, sentenced, sentence kind, months)
    convictions: list[tuple[dt.date, dt.date | None, str | None, int | None]] = field(
        default_factory=list
    )
    ppns: list[PpnFacts] = field(default_factory=list)  # not closed


def _text(column: Any) -> Any:
    """A column read as its stored string, skipping the enum conversion (faster for many rows)."""
    return type_coerce(column, String)


def _scoped(stmt: Any, offender_col: Any, where: ColumnElement[bool] | None) -> Any:
    if where is None:
        return stmt
    return stmt.join(Offender, Offender.id == offender_col).where(where)


def clock_facts(
    session: Session, where: ColumnElement[bool] | None, on: dt.date
) -> dict[int, ClockFacts]:
    """The clock facts of every offender matching `where` (a condition on Offender; everyone when
    None) on `on`, by offender id: a few queries whatever the number of offenders."""
    conn = session.connection()
    offenders = _read_offenders(conn, where)
    _read_history(conn, offenders, sorted(offenders))
    return {offender_id: _facts(o, on) for offender_id, o in offenders.items()}


def clocks_for(
    session: Session, where: ColumnElement[bool] | None, on: dt.date
) -> dict[int, list[Clock]]:
    """Every statutory clock on `on` of every offender matching `where`, by offender id, earliest
    due first (met, due and breached; a late notification is a met-late clock for the history)."""
    return {oid: statutory_clocks(f, on) for oid, f in clock_facts(session, where, on).items()}


def breaches_for(
    session: Session,
    where: ColumnElement[bool] | None,
    on: dt.date,
    now: dt.datetime | None = None,
) -> dict[int, list[Breach]]:
    """The breaches standing on `on` of every offender matching `where`, by offender id (an empty
    list when none), oldest deadline first. `now` decides the PPN deadline; without it, the end of
    `on` in England. The caseload, the record and `DueService.report` all read this.

    The notification history is read only for the offenders it can matter to: those whose
    periodic date on the record has passed (or is not set), and those with a notification still
    open (an advance notice, or one dated after `on`). For everyone else `breaches_on` does not
    look at the history (see there), so leaving it out changes nothing and saves most of the
    rows."""
    conn = session.connection()
    hours = policy_int(session, "ppn_submit_hours")
    offenders = _read_offenders(conn, where)
    open_ids = set(
        conn.execute(
            _scoped(select(Notification.offender_id).distinct(), Notification.offender_id, where)
            .where(Notification.state != NotificationState.REJECTED)
            .where(
                (Notification.kind == NotificationKind.ADVANCE_NOTICE)
                | (Notification.notified_on > on)
            )
        ).scalars()
    )
    wanted = sorted(
        oid
        for oid, o in offenders.items()
        if oid in open_ids or not hub_date_holds(o.next_periodic_due, on)
    )
    _read_history(conn, offenders, wanted)
    return {
        oid: breaches_on(_facts(o, on), on, now=now, ppn_submit_hours=hours)
        for oid, o in offenders.items()
    }


def _read_offenders(conn: Connection, where: ColumnElement[bool] | None) -> dict[int, _Offender]:
    """The offenders matching `where`, with their PPNs not closed."""
    offenders: dict[int, _Offender] = {}
    stmt = select(
        Offender.id,
        _text(Offender.status),
        Offender.status_since,
        Offender.expected_release_on,
        Offender.no_fixed_abode,
        Offender.next_periodic_due,
        Offender.date_of_birth,
        Offender.notification_end,
        Offender.notification_indefinite,
    )
    for offender_id, *columns in conn.execute(stmt if where is None else stmt.where(where)):
        offenders[offender_id] = _Offender(*columns)
    if offenders:
        for offender_id, ppn_id, concern_at, state, follow_up_due_on, decided_on in conn.execute(
            _scoped(
                select(
                    Ppn.offender_id,
                    Ppn.id,
                    Ppn.concern_at,
                    _text(Ppn.state),
                    Ppn.follow_up_due_on,
                    Ppn.social_care_decided_on,
                ),
                Ppn.offender_id,
                where,
            )
            .where(Ppn.state != PpnState.CLOSED)
            .order_by(Ppn.concern_at, Ppn.id)
        ):
            offenders[offender_id].ppns.append(
                PpnFacts(concern_at, state, follow_up_due_on, decided_on is not None, ppn_id)
            )
    return offenders


def _read_history(conn: Connection, offenders: dict[int, _Offender], ids: list[int]) -> None:
    """The notifications (not rejected) and convictions of the offenders `ids`."""
    for chunk in _chunks(ids):
        for offender_id, kind, event_on, notified_on, details in conn.execute(
            select(
                Notification.offender_id,
                _text(Notification.kind),
                Notification.event_on,
                Notification.notified_on,
                Notification.details,
            )
            .where(
                Notification.offender_id.in_(chunk),
                Notification.state != NotificationState.REJECTED,
            )
            .order_by(Notification.event_on, Notification.id)
        ):
            offenders[offender_id].notified.append(
                _Notified(kind, event_on, notified_on, details or {})
            )
        for offender_id, *conviction in conn.execute(
            select(
                Conviction.offender_id,
                Conviction.convicted_on,
                Conviction.sentenced_on,
                _text(Conviction.sentence_kind),
                Conviction.sentence_months,
            ).where(Conviction.offender_id.in_(chunk))
        ):
            offenders[offender_id].convictions.append(tuple(conviction))  # type: ignore[arg-type]


def _chunks(ids: list[int], size: int = 5000) -> list[list[int]]:
    """`ids` in slices small enough for any database's limit on bound parameters."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _facts(o: _Offender, on: dt.date) -> ClockFacts:
    return ClockFacts(
        events=tuple(_events(o.notified)),
        pauses=tuple(_pauses(o, on)),
        status=o.status,
        no_fixed_abode=bool(o.no_fixed_abode),
        period_ends_on=_period_ends_on(o),
        expected_release_on=o.expected_release_on,
        next_periodic_due=o.next_periodic_due,
        ppns=tuple(o.ppns),
    )


def _events(notified: list[_Notified]) -> Iterable[Event]:
    """One engine event per notification (see the module notes)."""
    for n in notified:
        if n.kind in TRAVEL:
            yield Event(
                n.kind, _date(n.details.get("departure")) or n.event_on, n.notified_on, n.details
            )
        elif n.kind == NotificationKind.ADVANCE_NOTICE:
            happened = _date(n.details.get("happened_on")) or next(
                (
                    c.event_on
                    for c in notified
                    if c.kind in CHANGES and c.event_on >= n.event_on - 2 * DAY
                ),
                None,
            )
            told = _date(n.details.get("not_happened_notified_on"))
            yield Event(n.kind, n.event_on, told, {**n.details, "happened_on": happened})
        else:
            yield Event(n.kind, n.event_on, n.notified_on, n.details)


def _pauses(o: _Offender, on: dt.date) -> Iterable[Pause]:
    """Trips abroad, the status while away, and past custody (see the module notes)."""
    for n in o.notified:
        if n.kind != NotificationKind.FOREIGN_TRAVEL:
            continue
        departure = _date(n.details.get("departure")) or n.event_on
        back = _date(n.details.get("return"))
        if back is not None and back >= departure:
            yield Pause(departure, back, "abroad")
    away = o.status in AWAY
    if away:
        yield Pause(min(o.status_since or on, on), None, o.status)
    releases = sorted(n.event_on for n in o.notified if n.kind == NotificationKind.RELEASE)
    sentences = sorted(
        (sentenced, HELD[kind], months)
        for _convicted, sentenced, kind, months in o.convictions
        if kind in HELD and sentenced is not None and sentenced <= on
    )
    for i, (sentenced, where, months) in enumerate(sentences):
        released = next((r for r in releases if r >= sentenced), None)
        if released is None and i == len(sentences) - 1:
            released = _back_since(o, sentenced, months)
        if released is not None:
            yield Pause(sentenced, released, where)
        elif away and o.status_since is None and o.status != OffenderStatus.ABROAD.value:
            yield Pause(sentenced, None, where)  # still serving it, since when is not known


def _back_since(o: _Offender, sentenced: dt.date, months: int | None) -> dt.date | None:
    """For the latest sentence served away, with no release notified: the day the record says the
    offender came back to the community, when that can be its end (not before the sentence, nor
    after its full length)."""
    since = o.status_since
    if o.status in AWAY or since is None or since < sentenced:
        return None
    if months is not None and since > sentenced + relativedelta(months=months):
        return None
    return since


def _period_ends_on(o: _Offender) -> dt.date | None:
    """The end of the s82 notification period: the latest among the convictions. The period of a
    conviction never changes, so each is worked out once per process (`_conviction_period`)."""
    if not o.convictions:
        return None if o.notification_indefinite else o.notification_end
    ends = []
    for convicted, _sentenced, kind, months in o.convictions:
        if kind is None:
            return None  # not sentenced yet: the period is not known
        ends_on = _conviction_period(kind, months, convicted, o.date_of_birth)
        if ends_on is None:
            return None
        ends.append(ends_on)
    return max(ends)


@lru_cache(maxsize=1 << 16)
def _conviction_period(
    kind: str, months: int | None, convicted: dt.date, date_of_birth: dt.date
) -> dt.date | None:
    """The end of one conviction's s82 period (None: indefinite)."""
    return notification_period(
        sentence_kind=kind,
        sentence_months=months,
        starts_on=convicted,
        date_of_birth=date_of_birth,
        convicted_on=convicted,
    ).ends_on


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# -- the force-wide report -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueItem:
    """A statutory deadline, or a PPN step, of one offender."""

    offender: str  # the reference
    name: str  # "Forename Surname"
    team: str
    manager: str  # "" when unallocated
    # a clock's rule, "release_not_recorded", or a PPN step: "ppn_not_submitted" and
    # "ppn_follow_up_overdue" (breaches), "ppn_submission" and "ppn_follow_up" (still in time)
    rule: str
    date: dt.date  # the due date (missed, for a breach)
    statute: str
    text: str
    # a PPN step only:
    ppn_id: int | None = None
    grade: str = ""  # a PpnGrade value
    concern_at: dt.datetime | None = None
    deadline: dt.datetime | None = None  # the moment the step is late (a follow-up: day's end)
    officer: str = ""  # who raised the PPN, whose step it is

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "offender": self.offender,
            "name": self.name,
            "team": self.team,
            "manager": self.manager,
            "rule": self.rule,
            "date": self.date.isoformat(),
            "statute": self.statute,
            "text": self.text,
        }
        if self.ppn_id is not None:
            document |= {
                "ppn_id": self.ppn_id,
                "grade": self.grade,
                "concern_at": _london_iso(self.concern_at),
                "deadline": _london_iso(self.deadline),
                "officer": self.officer,
            }
        return document


@dataclass(frozen=True, slots=True)
class OverdueVisit:
    """An offender whose home visit is overdue, by the caseload's visit rules."""

    offender: str
    name: str
    team: str
    manager: str
    date: dt.date  # the visit was due by
    last_seen: dt.date | None  # the last completed visit
    text: str
    rule: str = "visit_overdue"

    def as_json(self) -> dict[str, Any]:
        return {
            "offender": self.offender,
            "name": self.name,
            "team": self.team,
            "manager": self.manager,
            "rule": self.rule,
            "date": self.date.isoformat(),
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "text": self.text,
        }


@dataclass(frozen=True)
class DueReport:
    """What `pillars due` prints for a scope on a day: every outstanding breach, the deadlines
    falling due within the window, and the offenders whose home visit is overdue."""

    on: dt.date
    within_days: int
    breaches: list[DueItem]  # every outstanding breach
    due: list[DueItem]  # deadlines not yet met from `on` to `on + within_days`
    overdue_visits: list[OverdueVisit]

    def as_json(self) -> dict[str, Any]:
        """{"breaches": [...], "due": [...], "overdue_visits": [...]}: each item names the
        offender (reference), name, team, manager, rule, date (ISO) and text; clocks add the
        statute, visits the day last seen (ISO, or null); a PPN step adds ppn_id, grade,
        concern_at and deadline (ISO 8601 with the London offset) and officer (who raised it)."""
        return {
            "breaches": [item.as_json() for item in self.breaches],
            "due": [item.as_json() for item in self.due],
            "overdue_visits": [item.as_json() for item in self.overdue_visits],
        }


class DueService:
    """The force's statutory deadlines. No permission check: only the command line calls this,
    and it runs with the database's own credentials, which already see everything."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def report(self, on: dt.date | None = None, *, within_days: int = 7) -> DueReport:
        """Every breach, every deadline due from `on` (default today) to `on + within_days` (the
        statutory clocks and the PPN steps: submissions and follow-ups), and every overdue home
        visit, force-wide; each list by date, then reference. The PPN steps are judged now when
        `on` is today's default, else at the end of `on` in England."""
        if within_days < 0:
            raise ValueError(f"within_days is a number of days ahead, not {within_days}")
        day = on or self._services.today()
        now = self._services.now() if on is None else end_of_london_day(day)
        last = day + dt.timedelta(days=within_days)
        with self._services.transaction() as session:
            who = _who(session)
            hours = policy_int(session, "ppn_submit_hours")
            breaches: list[DueItem] = []
            due: list[DueItem] = []
            steps: list[tuple[int, PpnClock]] = []
            for offender_id, facts in clock_facts(session, None, day).items():
                found = statutory_clocks(facts, day, met=False)
                for b in outstanding(found):
                    breaches.append(DueItem(*who[offender_id], b.rule, b.due, b.statute, b.text))
                for c in due_between(found, day, last):
                    due.append(DueItem(*who[offender_id], c.rule, c.due, c.statute, c.text))
                for step in ppn_clocks(facts.all_ppns(), day, now=now, ppn_submit_hours=hours):
                    if step.late or step.due <= last:
                        steps.append((offender_id, step))
            ppns = _ppn_details(session, [step.ppn_id for _o, step in steps])
            for offender_id, step in steps:
                grade, officer = ppns.get(step.ppn_id or 0, ("", ""))
                item = DueItem(
                    *who[offender_id],
                    step.rule,
                    step.due,
                    step.statute,
                    step.text,
                    step.ppn_id,
                    grade,
                    step.concern_at,
                    step.deadline,
                    officer,
                )
                (breaches if step.late else due).append(item)
            visits = []
            for offender_id, flags in visit_flags(session, None, day).items():
                if flags.visit_overdue and flags.next_visit_due is not None:
                    seen = flags.last_seen
                    text = f"Home visit was due by {flags.next_visit_due:%d/%m/%Y}; " + (
                        f"last seen {seen:%d/%m/%Y}." if seen else "never seen."
                    )
                    visits.append(OverdueVisit(*who[offender_id], flags.next_visit_due, seen, text))
        breaches.sort(key=lambda i: (i.date, i.offender, i.rule, i.text))
        due.sort(key=lambda i: (i.date, i.offender, i.rule, i.text))
        visits.sort(key=lambda i: (i.date, i.offender))
        return DueReport(day, within_days, breaches, due, visits)


def _ppn_details(session: Session, ppn_ids: list[int | None]) -> dict[int, tuple[str, str]]:
    """PPN id -> (grade, the name of the officer who raised it)."""
    found: dict[int, tuple[str, str]] = {}
    ids = sorted({i for i in ppn_ids if i is not None})
    for chunk in _chunks(ids):
        for ppn_id, grade, forename, surname in session.execute(
            select(Ppn.id, _text(Ppn.grade), Officer.forename, Officer.surname)
            .join(Officer, Officer.id == Ppn.raised_by_id)
            .where(Ppn.id.in_(chunk))
        ):
            found[ppn_id] = (grade, f"{forename} {surname}")
    return found


def _london_iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(LONDON).isoformat() if moment is not None else None


def _who(session: Session) -> dict[int, tuple[str, str, str, str]]:
    """Offender id -> (reference, name, team, manager's name or "")."""
    return {
        offender_id: (
            reference,
            f"{forename} {surname}",
            team,
            f"{manager_forename} {manager_surname}" if manager_forename is not None else "",
        )
        for (
            offender_id,
            reference,
            forename,
            surname,
            team,
            manager_forename,
            manager_surname,
        ) in session.execute(
            select(
                Offender.id,
                Offender.reference,
                Offender.forename,
                Offender.surname,
                Team.name,
                Officer.forename,
                Officer.surname,
            )
            .join(Team, Team.id == Offender.team_id)
            .outerjoin(Officer, Officer.id == Offender.manager_id)
        )
    }
