"""Who is on duty on a day: every active officer, whether absent, the cover named for them, and
who covers an absent sergeant's or team manager's approvals by the cover chain of DESIGN
section 3 (`desktop.services.cover.load_roster`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from db.enums import Role
from db.models import Absence, CoverArrangement, Officer, Team
from desktop.services.cover import load_roster

if TYPE_CHECKING:
    from desktop.services.core import Services

_ROLE_ORDER = {role: position for position, role in enumerate(Role)}
APPROVERS = frozenset({Role.SERGEANT, Role.TEAM_MANAGER})  # whose absence needs cover


@dataclass(frozen=True)
class OfficerDuty:
    """One active officer on a day, as `pillars users` lists them: whether absent, until when, the
    cover named for them, and who sees their approvals by the cover chain."""

    username: str
    name: str
    role: str  # a db.enums.Role value
    team: str | None  # the team's name; None for hub officers and administrators without one
    absent: bool
    absence_kind: str | None  # a db.enums.AbsenceKind value when absent
    absent_until: dt.date | None  # the last day of the absence that covers the day
    # The username of the officer a CoverArrangement names for that day.
    named_cover: str | None
    # Who sees an absent sergeant's or team manager's approvals that day by the whole chain
    # (username; None when nobody can, when on duty, and for absent officers of other roles),
    # and by which link: named_cover, team_sergeant, other_team_sergeant, team_manager, nobody.
    covered_by: str | None = None
    cover_link: str | None = None


class UserService:
    """Officers and their absences. No permission check: only the command line calls this, and
    it runs with the database's own credentials, which already see everything."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def officers(self, on: dt.date | None = None) -> list[OfficerDuty]:
        """Every active officer on `on` (default: today in Europe/London), sorted by team name
        (officers without a team last), then role in the order of db.enums.Role, then username.

        When two absences overlap the day, the one ending last gives the kind and end date; when
        two cover arrangements do, the one named last wins."""
        day = on or self._services.today()
        covers_day = (Absence.starts_on <= day) & (Absence.ends_on >= day)
        with self._services.transaction() as session:
            officers = session.execute(
                select(
                    Officer.id,
                    Officer.username,
                    Officer.forename,
                    Officer.surname,
                    Officer.role,
                    Team.name,
                )
                .outerjoin(Team, Officer.team_id == Team.id)
                .where(Officer.active.is_(True))
            ).all()
            absences = session.execute(
                select(Absence.officer_id, Absence.kind, Absence.ends_on)
                .where(covers_day)
                .order_by(Absence.ends_on, Absence.id)
            ).all()
            covers = session.execute(
                select(Absence.officer_id, Officer.username)
                .select_from(CoverArrangement)
                .join(Absence, CoverArrangement.absence_id == Absence.id)
                .join(Officer, CoverArrangement.cover_officer_id == Officer.id)
                .where(
                    covers_day,
                    CoverArrangement.starts_on <= day,
                    CoverArrangement.ends_on >= day,
                )
                .order_by(CoverArrangement.named_at, CoverArrangement.id)
            ).all()
            roster = load_roster(session, day)

        # Later rows overwrite earlier ones: the absence ending last, the cover named last.
        absence_of = {officer_id: (kind, ends_on) for officer_id, kind, ends_on in absences}
        cover_of = {officer_id: username for officer_id, username in covers}
        usernames = {officer_id: username for officer_id, username, *_ in officers}
        duties = []
        for officer_id, username, forename, surname, role, team in officers:
            kind, until = absence_of.get(officer_id, (None, None))
            covered_by = link = None
            if officer_id in absence_of and Role(role) in APPROVERS:
                decision = roster.decide(officer_id)
                link = decision.link
                if decision.cover_officer_id is not None:
                    covered_by = usernames.get(decision.cover_officer_id)
            duties.append(
                OfficerDuty(
                    username=username,
                    name=f"{forename} {surname}",
                    role=Role(role).value,
                    team=team,
                    absent=officer_id in absence_of,
                    absence_kind=kind.value if kind is not None else None,
                    absent_until=until,
                    named_cover=cover_of.get(officer_id),
                    covered_by=covered_by,
                    cover_link=link,
                )
            )
        duties.sort(
            key=lambda d: (d.team is None, d.team or "", _ROLE_ORDER[Role(d.role)], d.username)
        )
        return duties
