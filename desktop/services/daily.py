"""The daily team management meeting sheet (DESIGN section 3, "Management views"; issue #8 item 5).

For one day and one team (or the force): releases today and in the next 7 days (and releases
whose date has passed with the release not recorded), departures abroad in the next 7 days, new
convictions not yet visited, overdue visits, overdue approvals, and PPNs not submitted.

Who may read it: team managers (any team, or the force) and sergeants (their own team).
Offender managers, hub officers and administrators are refused, before anything is read.
`actor=None` is the command line (`pillars daily`), which runs with the database's own credentials
and sees the whole force (or the team it asks for).

Every section reads its rule from where the rest of Pillars reads it, so the sheet says what the
caseload, the record and `pillars due` say:

- releases: the expected release date on the record, from `on` to `on + LOOK_AHEAD_DAYS`; a date
  already passed while the record still says custody is `release_not_recorded` (s84(1)(d),
  `desktop.rules.notification_clocks`), late, whenever it passed;
- departures: foreign travel notified (received or processed, not rejected; the 2012
  Regulations), departing from `on` to `on + LOOK_AHEAD_DAYS`, as last changed;
- new convictions: the newest conviction of the last `NEW_DAYS` days (or, with no conviction
  then, a registration begun in those days, as for a transfer in) with no completed home visit
  since; late when the first visit is overdue by the visit rules (`desktop.rules.visit_windows`:
  before sentence, or within 7 days of conviction);
- overdue visits: the caseload's visit flags (`desktop.services.visit_facts.visit_flags`);
- overdue approvals: open approval tasks past their due day, with the owner, the working days
  overdue and, when the owner is absent, who covers today (the inbox's cover chain);
- PPNs not submitted: drafts, late after `ppn_submit_hours` (`desktop.rules.breaches.ppn_clocks`).

The sheet is judged now when `on` is today, else at the end of `on` in England (as `pillars due`).
Printing the PDF is audited (`daily_sheet_printed`): the sheet names offenders and leaves the app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, String, select, type_coerce
from sqlalchemy.orm import Session

from db.enums import NotificationKind, NotificationState, OffenderStatus, PpnState, Role, TaskGroup
from db.models import Conviction, Notification, Offender, Officer, Ppn, Task, Team
from desktop.rules.breaches import LONDON, PpnFacts, end_of_london_day, ppn_clocks
from desktop.rules.notification_clocks import release_not_recorded
from desktop.rules.visit_windows import PRE_SENTENCE, REASON_LABELS
from desktop.rules.workdays import working_days_between
from desktop.services.actor import Actor
from desktop.services.approvals import d, officer_names
from desktop.services.cover import load_roster
from desktop.services.errors import NotFound, PermissionRefused
from desktop.services.inbox import KIND_LABELS, _open_approvals, _route
from desktop.services.policy import policy_int
from desktop.services.visit_facts import VisitFlags, visit_flags

if TYPE_CHECKING:
    from desktop.services.core import Services

LOOK_AHEAD_DAYS = 7
NEW_DAYS = 28  # "new": convicted, or registered, in the last four weeks
FORCE = "All teams"
COMMAND_LINE = "pillars daily (command line)"
READERS = frozenset({Role.SERGEANT.value, Role.TEAM_MANAGER.value})
AWAY = (OffenderStatus.CUSTODY, OffenderStatus.HOSPITAL)

# (key, title, what the sheet says when there is nothing), in the order of the sheet
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("releases", "Releases", "No releases due, and none overdue."),
    ("departures", "Departures abroad", "No departures abroad notified."),
    ("new_convictions", "New convictions not yet visited", "No new convictions awaiting a visit."),
    ("overdue_visits", "Overdue home visits", "No home visits overdue."),
    ("overdue_approvals", "Overdue approvals", "No approvals overdue."),
    ("ppns_not_submitted", "PPNs not submitted", "No PPNs waiting to be submitted."),
)

# what each section's date is, for the heading of its date column
WHEN_LABELS = {
    "releases": "Release",
    "departures": "Departs",
    "new_convictions": "Since",
    "overdue_visits": "Due by",
    "overdue_approvals": "Due by",
    "ppns_not_submitted": "Submit by",
}


@dataclass(frozen=True)
class DailyLine:
    """One offender's line in a section of the daily meeting sheet: who, their team and manager, the
    date it is about and a sentence for the meeting. Late lines come first and are marked."""

    offender_id: int | None
    reference: str
    name: str
    team: str
    manager: str  # "" when unallocated
    when: dt.date | dt.datetime | None  # the date the line is about (release day, due day, ...)
    detail: str  # one sentence a meeting reads aloud
    late: bool = False  # past its date: shown first and marked


@dataclass(frozen=True)
class DailySection:
    """One part of the daily sheet (see the module's list): its lines, late first then by date, and
    what the sheet says when it has none."""

    key: str  # "releases", "departures", "new_convictions", "overdue_visits",
    # "overdue_approvals", "ppns_not_submitted"
    title: str
    lines: tuple[DailyLine, ...]  # late first, then by date
    empty_text: str  # what the sheet says when there is nothing, e.g. "No releases due."


@dataclass(frozen=True)
class DailySheet:
    """The daily meeting sheet for one team or the force on `on` (see the module's notes), as the
    screen shows it and `desktop.reports.daily` prints it, with who made it and when (UTC)."""

    on: dt.date
    team_id: int | None  # None: the whole force
    team_name: str  # "All teams" for the force
    sections: tuple[DailySection, ...]  # in the order above
    made_at: dt.datetime  # UTC
    made_by: str  # the actor's display name, or "pillars daily (command line)"

    def section(self, key: str) -> DailySection:
        return next(s for s in self.sections if s.key == key)


class DailyService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def teams(self, actor: Actor | None) -> list[tuple[int, str]]:
        """(team id, name) of the teams `actor` may choose, by name: every team for a team
        manager and the command line, their own for a sergeant; others are refused."""
        _require_reader(actor)
        with self._services.transaction() as session:
            query = select(Team.id, Team.name).order_by(Team.name)
            if actor is not None and actor.role == Role.SERGEANT.value:
                query = query.where(Team.id == actor.team_id)
            return [(team_id, name) for team_id, name in session.execute(query)]

    def sheet(
        self, actor: Actor | None, on: dt.date | None = None, *, team_id: int | None = None
    ) -> DailySheet:
        """The sheet for `on` (default today). A sergeant always gets their own team; a team
        manager the team asked for, or the force."""
        wanted = _team_for(actor, team_id)
        today = self._services.today()
        day = on or today
        now = self._services.now() if day == today else end_of_london_day(day)
        with self._services.transaction() as session:
            return _Builder(session, wanted, day, now).sheet(
                actor.display_name if actor is not None else COMMAND_LINE, self._services.now()
            )

    def pdf(
        self, actor: Actor | None, on: dt.date | None = None, *, team_id: int | None = None
    ) -> bytes:
        """The sheet as a PDF (desktop.reports.daily). Printing is audited, with the offenders
        the sheet names."""
        from desktop.reports.daily import build_daily_pdf

        sheet = self.sheet(actor, on, team_id=team_id)
        data = build_daily_pdf(sheet)
        with self._services.transaction() as session:
            self._services.audit.record(
                session,
                actor,
                "daily_sheet_printed",
                entity_type="team" if sheet.team_id is not None else "",
                entity_id=sheet.team_id,
                detail={
                    "on": sheet.on,
                    "team": sheet.team_name,
                    "lines": {s.key: len(s.lines) for s in sheet.sections},
                    "offender_ids": _ids(line for s in sheet.sections for line in s.lines),
                },
                username="pillars daily",
            )
        return data


# -- who may read it -------------------------------------------------------------------------------


def _require_reader(actor: Actor | None) -> None:
    if actor is None or actor.role in READERS:
        return
    role = actor.role_label
    raise PermissionRefused(
        f"The daily meeting sheet is for sergeants and team managers; "
        f"{'an' if role[:1] in 'aeiou' else 'a'} {role} cannot open it."
    )


def _team_for(actor: Actor | None, team_id: int | None) -> int | None:
    """The team the sheet is for (None: the force), or PermissionRefused before anything is read."""
    _require_reader(actor)
    if actor is None or actor.role == Role.TEAM_MANAGER.value:
        return team_id
    if actor.team_id is None:
        raise PermissionRefused(
            "You are not in a team, so there is no team sheet for you: ask an administrator to "
            "put you in your team."
        )
    if team_id is not None and team_id != actor.team_id:
        raise PermissionRefused(
            f"A sergeant sees the daily meeting sheet of their own team only ({actor.team_name}); "
            "another team's was not opened."
        )
    return actor.team_id


# -- building the sheet ----------------------------------------------------------------------------


def _text(column: Any) -> Any:
    """A column read as its stored string, skipping the enum conversion."""
    return type_coerce(column, String)


class _Builder:
    """One sheet, read in the caller's transaction with a few queries over the whole scope."""

    def __init__(self, session: Session, team_id: int | None, day: dt.date, now: dt.datetime):
        self.session, self.team_id, self.day, self.now = session, team_id, day, now
        self.last = day + dt.timedelta(days=LOOK_AHEAD_DAYS)
        self.where: ColumnElement[bool] | None = (
            Offender.team_id == team_id if team_id is not None else None
        )
        self.who: dict[int, tuple[str, str, str, str]] = {}

    def sheet(self, made_by: str, made_at: dt.datetime) -> DailySheet:
        team_name = FORCE
        if self.team_id is not None:
            team_name = self.session.scalar(select(Team.name).where(Team.id == self.team_id)) or ""
            if not team_name:
                raise NotFound(f"There is no team number {self.team_id}; no sheet was made.")
        self.who = self._who()
        flags = visit_flags(self.session, self.where, self.day)
        found = {
            "releases": self._releases(),
            "departures": self._departures(),
            "new_convictions": self._new_convictions(flags),
            "overdue_visits": self._overdue_visits(flags),
            "overdue_approvals": self._overdue_approvals(),
            "ppns_not_submitted": self._ppns(),
        }
        sections = tuple(
            DailySection(key, title, tuple(sorted(found[key], key=_order)), empty)
            for key, title, empty in SECTIONS
        )
        return DailySheet(self.day, self.team_id, team_name, sections, made_at, made_by)

    # -- reading ----------------------------------------------------------------------------------

    def _scoped(self, stmt: Any, offender_col: Any) -> Any:
        if self.where is None:
            return stmt
        return stmt.join(Offender, Offender.id == offender_col).where(self.where)

    def _who(self) -> dict[int, tuple[str, str, str, str]]:
        """Offender id -> (reference, name, team, manager's name or "")."""
        stmt = (
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
        if self.where is not None:
            stmt = stmt.where(self.where)
        return {
            oid: (ref, f"{fore} {sur}", team, f"{mfore} {msur}" if mfore is not None else "")
            for oid, ref, fore, sur, team, mfore, msur in self.session.execute(stmt)
        }

    def _line(
        self, offender_id: int, when: dt.date | dt.datetime | None, detail: str, late: bool
    ) -> DailyLine:
        reference, name, team, manager = self.who[offender_id]
        return DailyLine(offender_id, reference, name, team, manager, when, detail, late)

    def _releases(self) -> list[DailyLine]:
        """Expected releases from today to the look-ahead, and passed ones still unrecorded."""
        visit_days = policy_int(self.session, "visit_after_release_days")
        lines = []
        for offender_id, status, expected in self.session.execute(
            self._with_where(
                select(Offender.id, _text(Offender.status), Offender.expected_release_on).where(
                    Offender.status.in_(AWAY),
                    Offender.expected_release_on.is_not(None),
                    Offender.expected_release_on <= self.last,
                )
            )
        ):
            place = "custody" if status == OffenderStatus.CUSTODY.value else "hospital"
            if release_not_recorded(status, expected, self.day) is not None:
                days = (self.day - expected).days
                detail = (
                    f"Release date {d(expected)} passed {_days(days)} ago: release not recorded. "
                    "The offender's whereabouts and risk are unknown until it is."
                )
                lines.append(self._line(offender_id, expected, detail, True))
            elif expected >= self.day:
                detail = (
                    f"Release from {place} expected {_when(expected, self.day)}; home visit "
                    f"within {_days(visit_days)} of release, by "
                    f"{d(expected + dt.timedelta(days=visit_days))}."
                )
                lines.append(self._line(offender_id, expected, detail, False))
        return lines

    def _with_where(self, stmt: Any) -> Any:
        return stmt if self.where is None else stmt.where(self.where)

    def _departures(self) -> list[DailyLine]:
        """Trips notified (not rejected) departing from today to the look-ahead, each as last
        changed: a change names the trip it changes (`trip_notification_id`)."""
        columns = (
            Notification.id,
            Notification.offender_id,
            _text(Notification.kind),
            Notification.event_on,
            Notification.notified_on,
            _text(Notification.state),
            Notification.details,
        )
        open_ = Notification.state != NotificationState.REJECTED
        changes = list(
            self.session.execute(
                self._scoped(select(*columns), Notification.offender_id).where(
                    open_, Notification.kind == NotificationKind.FOREIGN_TRAVEL_CHANGE
                )
            )
        )
        changed_ids = {_int((c.details or {}).get("trip_notification_id")) for c in changes}
        trips = list(
            self.session.execute(
                self._scoped(select(*columns), Notification.offender_id).where(
                    open_,
                    Notification.kind == NotificationKind.FOREIGN_TRAVEL,
                    (Notification.event_on.between(self.day, self.last))
                    | Notification.id.in_([i for i in changed_ids if i is not None]),
                )
            )
        )
        # a change's trip, up to the first notification of it; the latest change stands
        parent = {c.id: _int((c.details or {}).get("trip_notification_id")) for c in changes}

        def root(notification_id: int) -> int:
            seen = set()
            while parent.get(notification_id) is not None and notification_id not in seen:
                seen.add(notification_id)
                notification_id = parent[notification_id]  # type: ignore[assignment]
            return notification_id

        latest: dict[int, Any] = {t.id: t for t in trips}
        for c in sorted(changes, key=lambda c: (c.notified_on, c.id)):
            latest[root(c.id)] = c
        lines = []
        for n in latest.values():
            details = n.details or {}
            departure = _date(details.get("departure")) or n.event_on
            if not self.day <= departure <= self.last or n.offender_id not in self.who:
                continue
            back = _date(details.get("return"))
            places = ", ".join(str(p) for p in details.get("destinations") or ()) or "abroad"
            detail = f"Departs {_when(departure, self.day)} to {places}"
            detail += f", returning {d(back)}." if back is not None else "; no return date given."
            before = _date(details.get("previous_departure"))
            if before is not None and before != departure:
                detail += f" Changed from a departure on {d(before)}."
            if n.state == NotificationState.RECEIVED.value:
                detail += " The notification is waiting for the hub."
            lines.append(self._line(n.offender_id, departure, detail, False))
        return lines

    def _new_convictions(self, flags: dict[int, VisitFlags]) -> list[DailyLine]:
        """The newest conviction of the last NEW_DAYS days, or a registration begun then with no
        conviction in those days, with no completed home visit since."""
        first = self.day - dt.timedelta(days=NEW_DAYS)
        newest: dict[int, tuple[dt.date, dt.date | None, str | None, str]] = {}
        for offender_id, convicted, sentenced, kind, offence in self.session.execute(
            self._scoped(
                select(
                    Conviction.offender_id,
                    Conviction.convicted_on,
                    Conviction.sentenced_on,
                    _text(Conviction.sentence_kind),
                    Conviction.offence,
                ),
                Conviction.offender_id,
            )
            .where(Conviction.convicted_on.between(first, self.day))
            .order_by(Conviction.convicted_on, Conviction.id)
        ):
            newest[offender_id] = (convicted, sentenced, kind, offence)  # the newest wins
        lines = []
        for offender_id, (convicted, sentenced, kind, offence) in newest.items():
            if sentenced is not None and sentenced <= self.day:
                sentence = f"sentenced {d(sentenced)}"
            elif sentenced is not None:
                sentence = f"to be sentenced {d(sentenced)}"
            else:
                sentence = "sentence recorded" if kind is not None else "not yet sentenced"
            said = f"Convicted {d(convicted)} of {offence.rstrip('.')}; {sentence}"
            line = self._unvisited(offender_id, convicted, said, flags)
            if line is not None:
                lines.append(line)
        for offender_id, registered in self.session.execute(
            self._with_where(
                select(Offender.id, Offender.registration_start).where(
                    Offender.registration_start.between(first, self.day)
                )
            )
        ):
            if offender_id not in newest:
                said = f"Registered {d(registered)} with no recent conviction recorded"
                line = self._unvisited(offender_id, registered, said, flags)
                if line is not None:
                    lines.append(line)
        return lines

    def _unvisited(
        self, offender_id: int, since: dt.date, said: str, flags: dict[int, VisitFlags]
    ) -> DailyLine | None:
        """The line for someone new, or None once a home visit was completed since `since`."""
        f = flags.get(offender_id)
        if f is not None and f.last_seen is not None and f.last_seen >= since:
            return None
        seen = f.last_seen if f is not None else None
        text = said + (f"; not visited since, last seen {d(seen)}." if seen else "; never visited.")
        window = f.window if f is not None else None
        if window is None:
            text += " No home visit is due while the record says custody, hospital or abroad."
        elif window.overdue:
            text += f" A home visit was due by {d(window.due)}: overdue."
        else:
            before = " (before sentence)" if window.purpose == PRE_SENTENCE else ""
            text += f" Home visit due by {d(window.due)}{before}."
        return self._line(offender_id, since, text, window is not None and window.overdue)

    def _overdue_visits(self, flags: dict[int, VisitFlags]) -> list[DailyLine]:
        """The caseload's overdue home visits."""
        lines = []
        for offender_id, f in flags.items():
            window = f.window
            if not f.visit_overdue or window is None or offender_id not in self.who:
                continue
            late_by = (self.day - window.due).days
            text = (
                f"Home visit ({REASON_LABELS[window.purpose].lower()}) was due by {d(window.due)}, "
                f"{_days(late_by)} ago; "
            )
            text += f"last seen {d(f.last_seen)}." if f.last_seen else "never seen."
            if f.next_planned is not None:
                text += f" Planned for {d(f.next_planned)}."
            else:
                text += " No visit planned."
            if f.warrant_consideration:
                text += (
                    f" {f.failed_attempts} failed attempts in a row: consider a warrant to enter "
                    "(s96B)."
                )
            lines.append(self._line(offender_id, window.due, text, True))
        return lines

    def _overdue_approvals(self) -> list[DailyLine]:
        """Open approval tasks past their due day, with who has them today (the inbox's cover
        chain: an absent owner's cover, or nobody)."""
        in_scope = Task.offender_id.in_(self._with_where(select(Offender.id)))
        approvals = _open_approvals(
            self.session, [Task.group == TaskGroup.APPROVAL, Task.due_on < self.day, in_scope]
        )
        if not approvals:
            return []
        routes = _route(load_roster(self.session, self.day), approvals)
        tasks = {
            row.id: row
            for row in self.session.execute(
                select(Task.id, Task.kind, Task.offender_id, Task.owner_id, Task.due_on).where(
                    Task.id.in_([a.task_id for a in approvals])
                )
            )
        }
        people = {a.owner_id for a in approvals if a.owner_id is not None}
        people |= {r.cover_officer_id for r in routes.values() if r.cover_officer_id is not None}
        names = officer_names(self.session, people)
        lines = []
        for task_id, task in tasks.items():
            if task.offender_id not in self.who:
                continue
            overdue = max(1, working_days_between(task.due_on, self.day))
            owner = names.get(task.owner_id, "nobody") if task.owner_id is not None else "nobody"
            text = (
                f"{KIND_LABELS.get(task.kind, 'Approval')} was due by {d(task.due_on)}: "
                f"{overdue} working day{'s' if overdue != 1 else ''} overdue, with {owner}"
            )
            route = routes.get(task_id)
            if route is not None and route.link == "nobody":
                text += ", who is absent, and nobody can cover today."
            elif route is not None and route.is_cover and route.cover_officer_id is not None:
                text += f", who is absent: {names.get(route.cover_officer_id, '')} covers today."
            else:
                text += "."
            lines.append(self._line(task.offender_id, task.due_on, text, True))
        return lines

    def _ppns(self) -> list[DailyLine]:
        """Draft PPNs, late after the policy's hours from the concern."""
        hours = policy_int(self.session, "ppn_submit_hours")
        lines = []
        for ppn_id, offender_id, concern_at, grade, forename, surname in self.session.execute(
            self._scoped(
                select(
                    Ppn.id,
                    Ppn.offender_id,
                    Ppn.concern_at,
                    _text(Ppn.grade),
                    Officer.forename,
                    Officer.surname,
                ).join(Officer, Officer.id == Ppn.raised_by_id),
                Ppn.offender_id,
            ).where(Ppn.state == PpnState.DRAFT)
        ):
            facts = PpnFacts(concern_at, "draft", ppn_id=ppn_id)
            for clock in ppn_clocks([facts], self.day, now=self.now, ppn_submit_hours=hours):
                text = f"{grade.capitalize()} PPN raised by {forename} {surname}. {clock.text}"
                lines.append(self._line(offender_id, clock.deadline, text, clock.late))
        return lines


# -- words and order -------------------------------------------------------------------------------


def _order(line: DailyLine) -> tuple[bool, dt.datetime, str, str]:
    """Late first, then by date (a day before a moment on it), then reference."""
    when = line.when
    if when is None:
        moment = dt.datetime.max.replace(tzinfo=dt.UTC)
    elif isinstance(when, dt.datetime):
        moment = when.astimezone(dt.UTC)
    else:
        moment = dt.datetime.combine(when, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)
    return (not line.late, moment, line.reference, line.detail)


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _when(day: dt.date, today: dt.date) -> str:
    """ "today (Sunday 22/11/2026)", "tomorrow (...)", "on Friday 27/11/2026 (in 5 days)"."""
    gap = (day - today).days
    named = f"{day:%A} {d(day)}"
    if gap == 0:
        return f"today ({named})"
    if gap == 1:
        return f"tomorrow ({named})"
    return f"on {named} (in {_days(gap)})"


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _ids(lines: Iterable[DailyLine]) -> list[int]:
    return sorted({line.offender_id for line in lines if line.offender_id is not None})
