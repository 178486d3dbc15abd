"""Accounts: teams, officers and their passwords (DESIGN section 2: the administrator's job).

The command line calls these with the database's own credentials (`actor` None, audited as
"cli"): that is how the first administrator and the first teams are made on a new database. An
administrator signed in to the app may call them too, nobody else; on a shared PostgreSQL
database only over the owner's connection (an officer's own role may not add officers or roles),
so over an officer's role they are refused at once.

One password per officer. On a shared PostgreSQL database each officer connects as their own
login role (migration 0003's row-level security), so adding an officer also makes that role, and
setting a password sets both the Pillars password and the role's, in the same transaction: either
both change or neither does. The role name is the username in lower case.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.enums import Role
from db.models import Officer, Team
from desktop.rules.validation import Form
from desktop.services import database
from desktop.services.errors import FieldError, NotFound, PermissionRefused, ValidationFailed
from desktop.services.passwords import hash_password

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.core import Services

log = logging.getLogger("pillars.services")

MIN_PASSWORD_LENGTH = 12  # NCSC: length beats complexity rules; three random words pass
CLI = "cli"
_ROLES = {role.value: role.label for role in Role}
# Who must belong to a team: their caseload, approvals or team view is the team's.
_TEAM_ROLES = frozenset({Role.OFFENDER_MANAGER, Role.SERGEANT, Role.TEAM_MANAGER})


@dataclass(frozen=True)
class OfficerEntry:
    """A new officer as typed on the command line (or a future administrator's form)."""

    username: str
    forename: str
    surname: str
    role: str  # a db.enums.Role value or label: "offender manager", "sergeant", …
    team: str = ""  # a team's name; needed for offender managers, sergeants and team managers
    supervisor: str = ""  # the username of the sergeant an offender manager's approvals go to
    collar_number: str = ""


def check_new_password(password: str, username: str) -> None:
    """Refuse a password too short to resist guessing, or one that is the username."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters (three random "
            "words make a good one)."
        )
    elif password.strip().casefold() == username.strip().casefold():
        problems.append("The password must not be the username.")
    if problems:
        raise ValidationFailed([FieldError("password", problems[0])])


class AccountService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def add_team(self, actor: Actor | None, name: str, area: str = "") -> str:
        """A new team. Refused: a blank or over-long name, or one another team has (any case).
        Returns a sentence saying what was done."""
        _require_administrator(actor)
        form = Form()
        name = form.text("name", name, max_length=80, required=True, label="team name")
        area = form.text("area", area, max_length=120)
        _raise(form)
        with self._services.transaction() as session:
            _require_owner(session)
            if _team_named(session, name) is not None:
                raise ValidationFailed([FieldError("name", f"There is already a team {name}.")])
            team = Team(name=name, area=area)
            session.add(team)
            session.flush()
            self._services.audit.record(
                session,
                actor,
                "team_created",
                entity_type="team",
                entity_id=team.id,
                detail={"name": name, "area": area},
                username=CLI,
            )
        log.info("team %s created", name)
        return f"Team {name} added."

    def add_officer(self, actor: Actor | None, entry: OfficerEntry, password: str) -> str:
        """A new officer who can sign in with `password`; on PostgreSQL also their own login
        role with the same password (the connection must be the database owner's, which has
        CREATEROLE). Refused, changing nothing: a username taken (any case) or one that cannot
        be a role name; a missing name; an unknown role; no team for a role that needs one, or
        an unknown team; a supervisor who is not an active sergeant of that team; a weak
        password. Returns a sentence saying what was done."""
        _require_administrator(actor)
        form = Form()
        username = entry.username.strip()
        try:
            database.role_name(username)
            storable = True
        except database.DatabaseProblem:
            storable = False
            form.add(
                "username",
                "A username is a letter then up to 39 letters, digits, dots, hyphens or "
                "underscores (it is also the officer's database role name).",
            )
        forename = form.text("forename", entry.forename, max_length=80, required=True)
        surname = form.text("surname", entry.surname, max_length=80, required=True)
        role_value = form.choice("role", entry.role, _ROLES)
        collar = form.text("collar_number", entry.collar_number, max_length=20)
        try:
            check_new_password(password, username)
        except ValidationFailed as refused:
            form.add("password", refused.errors[0].message)
        role = Role(role_value) if role_value else None
        # every problem at once: the ones needing the database are found too, then refused
        with self._services.transaction() as session:
            _require_owner(session)
            if storable:
                _check_username_free(session, form, username)
            team = _team_for(session, form, role, entry.team)
            supervisor_id = _supervisor_for(session, form, role, team, entry.supervisor)
            _raise(form)
            assert role is not None  # a form without problems chose one
            officer = Officer(
                username=username,
                forename=forename,
                surname=surname,
                collar_number=collar,
                role=role,
                team_id=team.id if team is not None else None,
                supervisor_id=supervisor_id,
                password_hash=hash_password(password),
            )
            session.add(officer)
            session.flush()
            made_role = database.set_role_password(session, username, password)
            self._services.audit.record(
                session,
                actor,
                "officer_created",
                entity_type="officer",
                entity_id=officer.id,
                detail={
                    "username": username,
                    "role": role.value,
                    "team": team.name if team is not None else None,
                    "database_role": made_role,
                },
                username=CLI,
            )
        log.info("officer %s created (%s)", username, role.value)
        where = f" in {team.name}" if team is not None else ""
        sentence = f"Officer {username} ({forename} {surname}, {role.label}{where}) added"
        if made_role:
            return f"{sentence}, with the database role {made_role}: one password for both."
        return f"{sentence}."

    def set_password(self, actor: Actor | None, username: str, password: str) -> str:
        """Give an active officer a new password (they forgot it, or were locked out): clears
        the failed sign-ins and the lock; on PostgreSQL sets their login role's password too
        (making the role if it is missing). Returns a sentence saying what was done."""
        _require_administrator(actor)
        check_new_password(password, username)
        with self._services.transaction() as session:
            _require_owner(session)
            officer = session.scalars(
                select(Officer)
                .where(
                    func.lower(Officer.username) == username.strip().lower(),
                    Officer.active.is_(True),
                )
                .order_by(Officer.id)
            ).first()
            if officer is None:
                raise NotFound(f"There is no active officer with the username {username!r}.")
            session.execute(
                update(Officer)
                .where(Officer.id == officer.id)
                .values(
                    password_hash=hash_password(password),
                    failed_sign_ins=0,
                    locked_until=None,
                    version=Officer.version + 1,
                )
                .execution_options(synchronize_session=False)
            )
            made_role = database.set_role_password(session, officer.username, password)
            self._services.audit.record(
                session,
                actor,
                "password_set",
                entity_type="officer",
                entity_id=officer.id,
                detail={"username": officer.username, "database_role": made_role},
                username=CLI,
            )
        log.info("password set for %s", officer.username)
        both = f" and its database role {made_role}'s" if made_role else ""
        return f"Password of {officer.username}{both} set; any lock on the account is lifted."


def _require_administrator(actor: Actor | None) -> None:
    if actor is not None and actor.role != Role.ADMINISTRATOR:
        raise PermissionRefused(
            "Only an administrator adds teams and officers or sets their passwords; nothing "
            "was changed."
        )


def _require_owner(session: Session) -> None:
    if database.connected_as_officer(session):
        raise PermissionRefused(
            "Teams, officers and passwords are changed with the database owner's connection "
            "(pillars team add / pillars user add / pillars user password); an officer's own "
            "database role may not. Nothing was changed."
        )


def _raise(form: Form) -> None:
    if not form.ok:
        raise ValidationFailed([FieldError(p.field, p.message) for p in form.problems])


def _check_username_free(session: Session, form: Form, username: str) -> None:
    taken = session.scalars(
        select(Officer.username).where(func.lower(Officer.username) == username.lower())
    ).first()
    if taken is not None:
        form.add("username", f"{taken} is already an officer's username.")
    elif database.role_exists(session, username):
        # roles are the server's: another database's officer, or another program's
        form.add(
            "username",
            f"The database server already has a role {username.lower()} (another Pillars "
            "database's officer, or another program's); choose another username, or remove "
            "that role first if it is no longer used.",
        )


def _team_named(session: Session, name: str) -> Team | None:
    return session.scalars(
        select(Team).where(func.lower(Team.name) == name.strip().lower()).order_by(Team.id)
    ).first()


def _team_for(session: Session, form: Form, role: Role | None, name: str) -> Team | None:
    name = (name or "").strip()
    if not name:
        if role is not None and role in _TEAM_ROLES:
            article = "An" if role.label[:1] in "aeiou" else "A"
            form.add("team", f"{article} {role.label} belongs to a team: give its name.")
        return None
    team = _team_named(session, name)
    if team is None:
        teams = ", ".join(session.scalars(select(Team.name).order_by(Team.name))) or "none yet"
        form.add("team", f"There is no team {name!r} (teams: {teams}).")
    return team


def _supervisor_for(
    session: Session, form: Form, role: Role | None, team: Team | None, username: str
) -> int | None:
    username = (username or "").strip()
    if not username:
        return None
    if role is None:
        return None
    if role != Role.OFFENDER_MANAGER:
        form.add("supervisor", "Only an offender manager has a supervising sergeant.")
        return None
    found = session.execute(
        select(Officer.id, Officer.role, Officer.team_id, Officer.active)
        .where(func.lower(Officer.username) == username.lower())
        .order_by(Officer.active.desc(), Officer.id)
    ).first()
    if (
        found is None
        or not found.active
        or found.role != Role.SERGEANT
        or (team is not None and found.team_id != team.id)
    ):
        team_words = f" of {team.name}" if team is not None else ""
        form.add("supervisor", f"{username} is not an active sergeant{team_words}.")
        return None
    return int(found.id)
