"""The Team screen's use cases: who of a team is on duty on a day, who covers an absent sergeant's
or team manager's approvals and why, recording absences and naming cover (DESIGN section 3,
"Tasks and cover"; issue #6 item 4).

Who may do what:
- see a team's roster, record, change and cancel its officers' absences, and name or remove cover
  for them: the team's sergeants and team managers, and administrators (any team);
- everyone else is refused, before anything is read or changed.

Cover is never stored as a transfer of tasks: `load_roster(session, day).decide(owner)` works out
for each day who sees an absent officer's approvals (named cover; another sergeant of the team
on duty; a sergeant of another team on duty; the team manager), so a sergeant who is back gets
their unfinished tasks back the same day. A named cover:
- is an active sergeant or team manager of any team, and not the absent officer;
- is on duty on every day named (an absence of their own in those days is refused, saying which);
- covers days inside the absence, and days no other named cover of that absence already holds;
- is named only for the absence of a sergeant or team manager, whose approvals are what is covered.

Changing an absence's dates trims its named covers to the new dates (a cover left with no day is
removed) and says so in the audit row; lengthening it does not lengthen them.

Every change is audited in the same transaction: absence_recorded, absence_changed,
absence_cancelled, cover_named, cover_removed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.enums import AbsenceKind, Role, TaskGroup, TaskState
from db.models import Absence, CoverArrangement, Officer, Task, Team
from desktop.rules.validation import Form
from desktop.services.actor import Actor
from desktop.services.approvals import (
    check_version,
    conflict_after_race,
    d,
    raise_if_invalid,
    stamp,
)
from desktop.services.core import take_write_lock
from desktop.services.cover import load_roster
from desktop.services.errors import NotFound, PermissionRefused, ServiceError

if TYPE_CHECKING:
    from desktop.services.core import Services

NOTE_MAX = 2000
UPCOMING_DAYS = 60  # absences starting this many days ahead are shown
RECENT_DAYS = 14  # ... and those that ended this many days ago
MANAGERS = frozenset({Role.SERGEANT.value, Role.TEAM_MANAGER.value})
APPROVERS = frozenset({Role.SERGEANT, Role.TEAM_MANAGER})  # own approvals, so may need cover
KIND_CHOICES = {kind.value: kind.label.capitalize() for kind in AbsenceKind}
ROLE_ORDER = {
    Role.TEAM_MANAGER: 0,
    Role.SERGEANT: 1,
    Role.OFFENDER_MANAGER: 2,
    Role.HUB_OFFICER: 3,
    Role.ADMINISTRATOR: 4,
}


# -- what the screen receives ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamChoice:
    """A team the signed-in officer may manage on the Team screen (`teams`)."""

    team_id: int
    name: str


@dataclass(frozen=True)
class CoverView:
    """One named cover of an absence."""

    arrangement_id: int
    version: int
    officer_id: int
    username: str
    name: str
    role: str  # a Role value
    starts_on: dt.date
    ends_on: dt.date
    named_by: str  # a name, "" when not known


@dataclass(frozen=True)
class AbsenceView:
    """One absence of a team's officer around the roster's day, with the covers named for it;
    `when` places it against that day (current, upcoming or recent). `version` is the row's version
    column."""

    absence_id: int
    version: int
    officer_id: int
    username: str
    name: str
    role: str  # a Role value
    kind: str  # an AbsenceKind value
    starts_on: dt.date
    ends_on: dt.date
    note: str
    recorded_by: str  # a name, "" when not known
    when: str  # "current", "upcoming" or "recent", against the roster's day
    covers: tuple[CoverView, ...]


@dataclass(frozen=True)
class TeamMember:
    """One active officer of the team on the roster's day."""

    officer_id: int
    username: str
    name: str
    role: str  # a Role value
    on_duty: bool
    absence_kind: str | None  # an AbsenceKind value when absent
    absent_until: dt.date | None  # the last day of the absence (the one ending last)
    # For an absent sergeant or team manager: who sees their approvals that day, by which link of
    # the chain (named_cover, team_sergeant, other_team_sergeant, team_manager, nobody) and why,
    # in the chain's own sentence. None / "" otherwise.
    covered_by_id: int | None
    covered_by: str | None  # the cover's name
    covered_by_role: str | None
    covered_by_team: str | None
    cover_link: str | None
    cover_reason: str
    open_approvals: int  # open approval tasks they own
    covering: tuple[str, ...]  # names of the absent officers whose approvals they see that day


@dataclass(frozen=True)
class TeamRoster:
    """The Team screen for one team on the day `day` (`roster`): its active officers on duty or
    absent with who covers them, and the absences around that day."""

    team_id: int
    team: str
    day: dt.date
    members: tuple[TeamMember, ...]
    absences: tuple[AbsenceView, ...]  # current, upcoming (60 days), recent (14 days); by start


@dataclass(frozen=True)
class CoverChoice:
    """An officer who could be named as cover, and whether they are away on some of the days."""

    officer_id: int
    name: str
    role: str
    team: str  # "" when none
    away: str  # "" when on duty on every day of the absence; else their absences in words


@dataclass
class AbsenceEntry:
    """An absence as typed: dates as dd/mm/yyyy (or yyyy-mm-dd), the kind's value or label."""

    officer_id: int | None = None
    kind: str = ""
    starts_on: str = ""
    ends_on: str = ""
    note: str = ""


def _open_approvals(session: Session, officer_ids: list[int]) -> dict[int, int]:
    """How many open approval tasks each officer owns. On PostgreSQL through
    `pillars_open_approvals` (migration 0004): an administrator's own database role reads no task
    (tasks are about offenders), yet chooses cover by these counts. The function counts only the
    officers the caller manages (`_require_manager`): any for an administrator, their own team's
    for a sergeant or team manager."""
    query: Any = (
        text("SELECT owner_id, open_approvals FROM pillars_open_approvals(CAST(:ids AS bigint[]))")
        if session.get_bind().dialect.name == "postgresql"
        else select(Task.owner_id, func.count())
        .where(
            Task.owner_id.in_(officer_ids),
            Task.group == TaskGroup.APPROVAL,
            Task.state == TaskState.OPEN,
        )
        .group_by(Task.owner_id)
    )
    return {owner: count for owner, count in session.execute(query, {"ids": officer_ids})}


# -- the service -----------------------------------------------------------------------------------


class TeamService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def teams(self, actor: Actor) -> list[TeamChoice]:
        """The teams `actor` may manage: their own for a sergeant or team manager, every team for
        an administrator, none for anyone else."""
        with self._services.transaction() as session:
            query = select(Team.id, Team.name).order_by(Team.name)
            if actor.role != Role.ADMINISTRATOR.value:
                if actor.role not in MANAGERS or actor.team_id is None:
                    return []
                query = query.where(Team.id == actor.team_id)
            return [TeamChoice(team_id, name) for team_id, name in session.execute(query)]

    def roster(self, actor: Actor, team_id: int, day: dt.date | None = None) -> TeamRoster:
        """The team on `day` (default today): its active officers on duty or absent, who covers
        each absent sergeant or team manager and why, open approvals owned, and the team's
        absences around the day with their named covers."""
        day = day or self._services.today()
        with self._services.transaction() as session:
            team = _team(session, team_id)
            _require_manager(actor, team)
            officers = list(
                session.scalars(
                    select(Officer).where(Officer.team_id == team_id, Officer.active.is_(True))
                )
            )
            ids = [o.id for o in officers]
            open_approvals = _open_approvals(session, ids)
            absences = list(
                session.scalars(
                    select(Absence)
                    .where(
                        Absence.officer_id.in_(ids),
                        Absence.ends_on >= day - dt.timedelta(days=RECENT_DAYS),
                        Absence.starts_on <= day + dt.timedelta(days=UPCOMING_DAYS),
                    )
                    .order_by(Absence.starts_on, Absence.id)
                )
            )
            roster = load_roster(session, day)
            decisions = {
                o.officer_id: roster.decide(o.officer_id)
                for o in roster.officers
                if o.role in MANAGERS and o.active and not o.on_duty(day)
            }
            covering: dict[int, list[str]] = defaultdict(list)
            by_id = roster.by_id
            for owner_id, chosen in decisions.items():
                if chosen.cover_officer_id is not None:
                    covering[chosen.cover_officer_id].append(by_id[owner_id].label)
            people = _people(
                session, {c.cover_officer_id for c in decisions.values() if c.cover_officer_id}
            )
            # The absence ending last speaks for the day, as in `UserService.officers`.
            current_absence = {
                a.officer_id: a
                for a in sorted(absences, key=lambda a: (a.ends_on, a.id))
                if a.starts_on <= day <= a.ends_on
            }
            members = []
            for officer in officers:
                current = current_absence.get(officer.id)
                decision = decisions.get(officer.id) if officer.role in APPROVERS else None
                cover = (
                    people.get(decision.cover_officer_id)
                    if decision is not None and decision.cover_officer_id is not None
                    else None
                )
                members.append(
                    TeamMember(
                        officer_id=officer.id,
                        username=officer.username,
                        name=officer.display_name,
                        role=officer.role.value,
                        on_duty=current is None,
                        absence_kind=current.kind.value if current else None,
                        absent_until=current.ends_on if current else None,
                        covered_by_id=cover.id if cover else None,
                        covered_by=cover.name if cover else None,
                        covered_by_role=cover.role if cover else None,
                        covered_by_team=cover.team if cover else None,
                        cover_link=decision.link if decision else None,
                        cover_reason=decision.text if decision else "",
                        open_approvals=open_approvals.get(officer.id, 0),
                        covering=tuple(sorted(covering.get(officer.id, ()))),
                    )
                )
            members.sort(key=lambda m: (ROLE_ORDER[Role(m.role)], m.name, m.officer_id))
            views = _absence_views(session, absences, officers, day)
            return TeamRoster(team.id, team.name, day, tuple(members), tuple(views))

    def cover_choices(self, actor: Actor, absence_id: int) -> list[CoverChoice]:
        """Every active sergeant and team manager who could cover the absence (any team, the
        absence's own team first), saying who is away on some of its days."""
        with self._services.transaction() as session:
            absence = _absence(session, absence_id)
            owner = _officer(session, absence.officer_id)
            _require_manager(actor, owner.team)
            rows = session.execute(
                select(Officer, Team.name)
                .outerjoin(Team, Team.id == Officer.team_id)
                .where(
                    Officer.active.is_(True),
                    Officer.role.in_(list(APPROVERS)),
                    Officer.id != owner.id,
                )
            ).all()
            away = _away(session, [o.id for o, _ in rows], absence.starts_on, absence.ends_on)
            choices = [
                CoverChoice(o.id, o.display_name, o.role.value, team or "", away.get(o.id, ""))
                for o, team in rows
            ]
            choices.sort(
                key=lambda c: (
                    c.team != (owner.team.name if owner.team else ""),
                    bool(c.away),
                    c.role != Role.SERGEANT.value,
                    c.name,
                )
            )
            return choices

    # -- absences ------------------------------------------------------------------------------

    def record_absence(self, actor: Actor, entry: AbsenceEntry) -> int:
        """Record an absence of an officer of the actor's team; returns its id."""
        _require_role(actor)
        with self._services.transaction() as session:
            take_write_lock(session)
            form = Form()
            if entry.officer_id is None:
                form.add("officer_id", "Choose the officer who is away.")
                self._checked(session, form, entry)
            assert entry.officer_id is not None
            officer = _officer(session, entry.officer_id)
            _require_manager(actor, officer.team, officer)
            kind, starts, ends, note = self._checked(session, form, entry, officer)
            now = self._services.now()
            absence = Absence(
                officer_id=officer.id,
                kind=AbsenceKind(kind),
                starts_on=starts,
                ends_on=ends,
                note=note,
                recorded_by_id=actor.officer_id,
                recorded_at=now,
                updated_by_id=actor.officer_id,
                updated_at=now,
            )
            session.add(absence)
            session.flush()
            self._services.audit.record(
                session,
                actor,
                "absence_recorded",
                entity_type="absence",
                entity_id=absence.id,
                detail={"officer": officer.username, **_snapshot(absence)},
            )
            return absence.id

    def change_absence(
        self, actor: Actor, absence_id: int, expected_version: int | None, entry: AbsenceEntry
    ) -> None:
        """Change an absence's kind, dates or note. The officer stays: an absence recorded for the
        wrong officer is cancelled and recorded again."""
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                absence = _absence(session, absence_id)
                officer = _officer(session, absence.officer_id)
                _require_manager(actor, officer.team, officer)
                check_version(session, absence, expected_version, "absence")
                form = Form()
                if entry.officer_id is not None and entry.officer_id != officer.id:
                    form.add(
                        "officer_id",
                        f"This absence is {officer.display_name}'s and stays theirs: cancel it "
                        "and record one for the other officer.",
                    )
                kind, starts, ends, note = self._checked(session, form, entry, officer, absence.id)
                before = _snapshot(absence)
                with session.no_autoflush:  # one UPDATE, so the version moves by one
                    absence.kind = AbsenceKind(kind)
                    absence.starts_on, absence.ends_on, absence.note = starts, ends, note
                    trimmed = _trim_covers(session, absence)
                    stamp(absence, actor, self._services.now())
                session.flush()
                after = _snapshot(absence)
                changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
                self._services.audit.record(
                    session,
                    actor,
                    "absence_changed",
                    entity_type="absence",
                    entity_id=absence.id,
                    detail={
                        "officer": officer.username,
                        "changes": changes,
                        **({"cover_trimmed": trimmed} if trimmed else {}),
                    },
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Absence, absence_id, "absence") from None

    def cancel_absence(self, actor: Actor, absence_id: int, expected_version: int | None) -> None:
        """Remove an absence that will not happen (or was recorded in error), with its covers."""
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                absence = _absence(session, absence_id)
                officer = _officer(session, absence.officer_id)
                _require_manager(actor, officer.team, officer)
                check_version(session, absence, expected_version, "absence")
                detail = {
                    "officer": officer.username,
                    **_snapshot(absence),
                    "covers": [_cover_words(session, c) for c in absence.cover],
                }
                session.delete(absence)
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "absence_cancelled",
                    entity_type="absence",
                    entity_id=absence_id,
                    detail=detail,
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Absence, absence_id, "absence") from None

    # -- named cover ----------------------------------------------------------------------------

    def name_cover(
        self,
        actor: Actor,
        absence_id: int,
        cover_officer_id: int | None,
        starts_on: dt.date | str,
        ends_on: dt.date | str,
    ) -> int:
        """Name who covers the absent sergeant's or team manager's approvals on those days (see
        the module notes for the checks); returns the arrangement's id."""
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                absence = _absence(session, absence_id)
                owner = _officer(session, absence.officer_id)
                _require_manager(actor, owner.team, owner)
                if owner.role not in APPROVERS:
                    raise ServiceError(
                        f"Cover is named for a sergeant's or team manager's absence, whose "
                        f"approvals the cover then sees. {owner.display_name} is an "
                        f"{owner.role.label} and has no approvals to cover; nothing was saved."
                    )
                form = Form()
                starts = form.date("starts_on", _typed(starts_on), required=True, label="first day")
                ends = form.date("ends_on", _typed(ends_on), required=True, label="last day")
                _in_order(form, starts, ends)
                within = f"{d(absence.starts_on)} to {d(absence.ends_on)}"
                for name, day in (("starts_on", starts), ("ends_on", ends)):
                    if day is not None and not absence.starts_on <= day <= absence.ends_on:
                        form.add(
                            name,
                            f"{d(day)} is outside the absence ({within}): cover is named for "
                            "days of the absence.",
                        )
                cover = None
                if cover_officer_id is None:
                    form.add("cover_officer_id", "Choose the sergeant or team manager who covers.")
                else:
                    cover = session.get(Officer, cover_officer_id)
                    problem = _cover_problem(session, owner, cover, starts, ends, form.ok)
                    if problem:
                        form.add("cover_officer_id", problem)
                if form.ok and starts is not None and ends is not None:
                    for other in absence.cover:
                        if other.starts_on <= ends and starts <= other.ends_on:
                            form.add(
                                "starts_on",
                                f"{_cover_words(session, other)} is already named for these "
                                "days; remove that cover first, or name this one for other days.",
                            )
                raise_if_invalid(form)
                assert cover is not None and starts is not None and ends is not None
                now = self._services.now()
                arrangement = CoverArrangement(
                    absence_id=absence.id,
                    cover_officer_id=cover.id,
                    starts_on=starts,
                    ends_on=ends,
                    named_by_id=actor.officer_id,
                    named_at=now,
                    updated_by_id=actor.officer_id,
                    updated_at=now,
                )
                session.add(arrangement)
                # The absence's version moves too, so two people naming cover for the same days
                # at once cannot both succeed.
                stamp(absence, actor, now)
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "cover_named",
                    entity_type="cover_arrangement",
                    entity_id=arrangement.id,
                    detail={
                        "absence_id": absence.id,
                        "absent_officer": owner.username,
                        "cover_officer": cover.username,
                        "starts_on": starts,
                        "ends_on": ends,
                    },
                )
                return arrangement.id
        except StaleDataError:
            raise conflict_after_race(self._services, Absence, absence_id, "absence") from None

    def remove_cover(self, actor: Actor, arrangement_id: int, expected_version: int | None) -> None:
        """Withdraw a named cover: from then on the chain decides who covers those days."""
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                arrangement = session.get(CoverArrangement, arrangement_id)
                if arrangement is None:
                    raise NotFound(
                        "This named cover is no longer recorded (someone removed it, or the "
                        "absence was cancelled); nothing was changed. Reload the team."
                    )
                owner = _officer(session, arrangement.absence.officer_id)
                _require_manager(actor, owner.team, owner)
                check_version(session, arrangement, expected_version, "named cover")
                detail = {
                    "absence_id": arrangement.absence_id,
                    "absent_officer": owner.username,
                    "cover_officer": _officer(session, arrangement.cover_officer_id).username,
                    "starts_on": arrangement.starts_on,
                    "ends_on": arrangement.ends_on,
                }
                stamp(arrangement.absence, actor, self._services.now())
                session.delete(arrangement)
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "cover_removed",
                    entity_type="cover_arrangement",
                    entity_id=arrangement_id,
                    detail=detail,
                )
        except StaleDataError:
            raise conflict_after_race(
                self._services, CoverArrangement, arrangement_id, "named cover"
            ) from None

    # -- checks ----------------------------------------------------------------------------------

    def _checked(
        self,
        session: Session,
        form: Form,
        entry: AbsenceEntry,
        officer: Officer | None = None,
        absence_id: int | None = None,
    ) -> tuple[str, dt.date, dt.date, str]:
        """The entry's fields checked, every problem at once; ValidationFailed when any."""
        kind = form.choice("kind", entry.kind, KIND_CHOICES)
        starts = form.date("starts_on", entry.starts_on, required=True, label="first day")
        ends = form.date("ends_on", entry.ends_on, required=True, label="last day")
        _in_order(form, starts, ends)
        note = form.text("note", entry.note, max_length=NOTE_MAX, multiline=True)
        if officer is not None and starts is not None and ends is not None and form.ok:
            clash = session.scalars(
                select(Absence)
                .where(
                    Absence.officer_id == officer.id,
                    Absence.starts_on <= ends,
                    Absence.ends_on >= starts,
                    Absence.id != (absence_id or 0),
                )
                .order_by(Absence.starts_on)
                .limit(1)
            ).first()
            if clash is not None:
                form.add(
                    "starts_on",
                    f"{officer.display_name} already has {clash.kind.label} recorded from "
                    f"{d(clash.starts_on)} to {d(clash.ends_on)}, which overlaps "
                    f"{d(starts)} to {d(ends)}. Change that absence instead, or choose other days.",
                )
        raise_if_invalid(form)
        assert starts is not None and ends is not None
        return kind, starts, ends, note


# -- helpers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    """An officer named on the roster (who recorded an absence, who was named as cover), read for
    many at once by `_people`."""

    id: int
    username: str
    name: str
    role: str
    team: str


def _people(session: Session, ids: set[int]) -> dict[int, _Person]:
    if not ids:
        return {}
    return {
        row[0]: _Person(row[0], row[1], f"{row[2]} {row[3]}", Role(row[4]).value, row[5] or "")
        for row in session.execute(
            select(
                Officer.id,
                Officer.username,
                Officer.forename,
                Officer.surname,
                Officer.role,
                Team.name,
            )
            .outerjoin(Team, Team.id == Officer.team_id)
            .where(Officer.id.in_(ids))
        )
    }


def _team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"There is no team number {team_id}.")
    return team


def _officer(session: Session, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise NotFound(f"There is no officer number {officer_id}; nothing was saved.")
    return officer


def _absence(session: Session, absence_id: int) -> Absence:
    absence = session.get(Absence, absence_id)
    if absence is None:
        raise NotFound(
            "This absence is no longer recorded (someone cancelled it); nothing was changed. "
            "Reload the team."
        )
    return absence


def _require_role(actor: Actor) -> None:
    if actor.role != Role.ADMINISTRATOR.value and actor.role not in MANAGERS:
        raise PermissionRefused(
            "Only sergeants, team managers and administrators manage absences and cover; an "
            f"{actor.role_label} cannot. Nothing was changed."
        )


def _require_manager(actor: Actor, team: Team | None, officer: Officer | None = None) -> None:
    """Sergeants and team managers manage their own team; administrators any team (and officers
    without one). Raised before anything is read or changed."""
    _require_role(actor)
    if actor.role == Role.ADMINISTRATOR.value:
        return
    if team is None or team.id != actor.team_id:
        theirs = f"{team.name} team" if team is not None else "no team"
        who = (
            f"{officer.display_name} is in {theirs}" if officer is not None else f"This is {theirs}"
        )
        yours = f"{actor.team_name} team" if actor.team_name else "no team"
        raise PermissionRefused(
            f"{who}, and a {actor.role_label} manages the absences and cover of their own team "
            f"only ({yours}). Ask a sergeant of that team or an administrator; nothing was "
            "changed."
        )


def _in_order(form: Form, starts: dt.date | None, ends: dt.date | None) -> None:
    if starts is not None and ends is not None and ends < starts and not form.has("ends_on"):
        form.add("ends_on", f"The last day {d(ends)} is before the first day {d(starts)}.")


def _typed(value: dt.date | str | None) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return value or ""


def _snapshot(absence: Absence) -> dict[str, Any]:
    return {
        "kind": absence.kind.value,
        "starts_on": absence.starts_on,
        "ends_on": absence.ends_on,
        "note": absence.note,
    }


def _cover_words(session: Session, cover: CoverArrangement) -> str:
    name = _officer(session, cover.cover_officer_id).display_name
    return f"{name} ({d(cover.starts_on)} to {d(cover.ends_on)})"


def _away(
    session: Session, officer_ids: list[int], starts: dt.date, ends: dt.date
) -> dict[int, str]:
    """For each officer with an absence in [starts, ends]: those absences in words."""
    found: dict[int, list[str]] = defaultdict(list)
    if not officer_ids:
        return {}
    for officer_id, kind, first, last in session.execute(
        select(Absence.officer_id, Absence.kind, Absence.starts_on, Absence.ends_on)
        .where(
            Absence.officer_id.in_(officer_ids),
            Absence.starts_on <= ends,
            Absence.ends_on >= starts,
        )
        .order_by(Absence.starts_on)
    ):
        found[officer_id].append(f"{AbsenceKind(kind).label} {d(first)} to {d(last)}")
    return {officer_id: ", ".join(words) for officer_id, words in found.items()}


def _cover_problem(
    session: Session,
    owner: Officer,
    cover: Officer | None,
    starts: dt.date | None,
    ends: dt.date | None,
    dates_ok: bool,
) -> str:
    """Why `cover` cannot cover `owner` from `starts` to `ends`, or ""."""
    if cover is None:
        return "That officer is not recorded; choose the sergeant or team manager who covers."
    if cover.id == owner.id:
        return f"{owner.display_name} is the one away and cannot cover their own absence."
    if not cover.active:
        return f"{cover.display_name} no longer works in Pillars; choose someone else."
    if cover.role not in APPROVERS:
        return (
            f"{cover.display_name} is an {cover.role.label}: cover is a sergeant or a team "
            "manager, who may approve work."
        )
    if dates_ok and starts is not None and ends is not None:
        away = _away(session, [cover.id], starts, ends).get(cover.id)
        if away:
            return (
                f"{cover.display_name} is away themselves ({away}), so cannot cover "
                f"{d(starts)} to {d(ends)}. Choose someone else, or name them for days they "
                "are on duty."
            )
    return ""


def _trim_covers(session: Session, absence: Absence) -> list[str]:
    """Fit the absence's named covers to its (new) dates; the covers changed, in words."""
    changed = []
    for cover in list(absence.cover):
        if cover.starts_on >= absence.starts_on and cover.ends_on <= absence.ends_on:
            continue
        before = _cover_words(session, cover)
        starts = max(cover.starts_on, absence.starts_on)
        ends = min(cover.ends_on, absence.ends_on)
        if starts > ends:
            absence.cover.remove(cover)
            changed.append(f"{before} removed")
        else:
            cover.starts_on, cover.ends_on = starts, ends
            changed.append(f"{before} now {d(starts)} to {d(ends)}")
    return changed


def _absence_views(
    session: Session, absences: list[Absence], officers: list[Officer], day: dt.date
) -> list[AbsenceView]:
    by_id = {o.id: o for o in officers}
    ids = {a.recorded_by_id for a in absences if a.recorded_by_id is not None}
    covers = [c for a in absences for c in a.cover]
    ids |= {c.named_by_id for c in covers if c.named_by_id is not None}
    people = _people(session, ids | {c.cover_officer_id for c in covers})
    views = []
    for a in absences:
        officer = by_id[a.officer_id]
        when = (
            "current"
            if a.starts_on <= day <= a.ends_on
            else ("upcoming" if a.starts_on > day else "recent")
        )
        cover_views = tuple(
            CoverView(
                arrangement_id=c.id,
                version=c.version,
                officer_id=c.cover_officer_id,
                username=people[c.cover_officer_id].username,
                name=people[c.cover_officer_id].name,
                role=people[c.cover_officer_id].role,
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                named_by=people[c.named_by_id].name if c.named_by_id in people else "",
            )
            for c in sorted(a.cover, key=lambda c: (c.starts_on, c.id))
        )
        views.append(
            AbsenceView(
                absence_id=a.id,
                version=a.version,
                officer_id=a.officer_id,
                username=officer.username,
                name=officer.display_name,
                role=officer.role.value,
                kind=a.kind.value,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                note=a.note,
                recorded_by=people[a.recorded_by_id].name if a.recorded_by_id in people else "",
                when=when,
                covers=cover_views,
            )
        )
    return views
