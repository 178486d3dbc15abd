"""Sign-in, the idle-lock unlock, sign-out, and the lockout after repeated failures.

A failed attempt is committed (its counter and its audit row) before the refusal is raised, so a
person cannot get round the lockout by failing inside a transaction that rolls back. The counter
is written with a plain UPDATE that leaves the officer row's version alone: signing in is not an
edit, and must not make an administrator's open edit of that officer conflict.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import column, func, select, table, text, update
from sqlalchemy.orm import Session, configure_mappers

from db.enums import Role
from db.models import Officer, Team
from desktop.rules.validation import clean_text
from desktop.services.actor import Actor
from desktop.services.errors import AccountLocked, NotFound, ServiceError, SignInRefused
from desktop.services.passwords import hash_password, verify_password
from desktop.services.policy import policy_int

if TYPE_CHECKING:
    from desktop.services.core import Services

WRONG_CREDENTIALS = "Wrong username or password."
INACTIVE = (
    "This account is no longer active. Ask an administrator if you still need to use Pillars."
)


def actor_for(officer: Officer) -> Actor:
    return Actor(
        officer_id=officer.id,
        username=officer.username,
        display_name=officer.display_name,
        role=officer.role.value,
        team_id=officer.team_id,
        team_name=officer.team.name if officer.team is not None else "",
    )


UNKNOWN_USERNAME = "(unknown)"
# The officer table's sign-in columns without the ORM: the early check reads them while the
# models are still loading (issue #10).
_OFFICER = table("officer", column("id"), column("username"), column("password_hash"))


@dataclass(frozen=True)
class _EarlyCheck:
    """A password checked before the sign-in's transaction: against `stored`, the hash the
    officer `officer_id` had then (None: no such username; the dummy hash was spent)."""

    officer_id: int | None
    stored: str
    verified: bool


@cache
def _dummy_hash() -> str:
    """A hash of a random secret nobody knows, only for spending scrypt time on a username that
    does not exist. Made on first need, not at import: start-up should not pay for it."""
    return hash_password(secrets.token_urlsafe(16))


class AuthService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def prepare(self) -> None:
        """Get ready for the first sign-in before anyone signs in: importing this module loads
        the models, signing in writes through the audit service (loaded here too), and the ORM
        configures every mapper on its first query (about 50 ms): all of it would otherwise be
        part of that sign-in (issue #10). Writes nothing; safe to call from any thread."""
        _ = self._services.audit
        configure_mappers()

    def sign_in(self, username: str, password: str) -> Actor:
        """The signed-in officer. Raises SignInRefused (the same message for an unknown user and
        a wrong password) or AccountLocked."""
        typed = (username or "").strip()
        # A username no database can hold (a NUL, an unpaired surrogate, a control character)
        # belongs to nobody: refused like an unknown one, never looked up as typed.
        storable = clean_text(typed) == typed
        early = self._check_early(typed, password) if storable else None
        refusal: ServiceError | None = None
        actor: Actor | None = None
        with self._services.transaction() as session:
            officer = self._find(session, typed) if storable else None
            if officer is None:
                if early is None or early.officer_id is not None:
                    # Spend the same scrypt time as a real check, so the response time does
                    # not tell which usernames exist.
                    verify_password(password or "", _dummy_hash())
                # Not the text typed: people type their password into the username box, and
                # the audit log must never hold one.
                self._services.audit.record(
                    session,
                    None,
                    "sign_in_failed",
                    username=UNKNOWN_USERNAME,
                    detail={"reason": "unknown username"},
                )
                refusal = SignInRefused(WRONG_CREDENTIALS)
            else:
                refusal = self._check(session, officer, password, action="sign_in", early=early)
                if refusal is None:
                    actor = self._with_cover(session, actor_for(officer))
        if refusal is not None:
            raise refusal
        assert actor is not None
        return actor

    def _check_early(self, username: str, password: str) -> _EarlyCheck:
        """Check the password before the sign-in's transaction, reading the hash with the
        table's columns only: scrypt lets other threads run, so on a desktop that has just
        started it runs beside the loading of the models, which the transaction then waits for
        (issue #10: about a tenth of a second of start-up). Nothing is decided here: the
        transaction locks the officer's row and uses this answer only if the row is the same
        officer with the same hash; otherwise it checks again."""
        with self._services.transaction() as session:
            officer_id = None
            if username:
                officer_id = session.scalar(
                    select(_OFFICER.c.id).where(_OFFICER.c.username == username)
                )
                if officer_id is None:
                    officer_id = session.scalar(
                        select(_OFFICER.c.id)
                        .where(func.lower(_OFFICER.c.username) == username.lower())
                        .order_by(_OFFICER.c.id)
                        .limit(1)
                    )
            stored = _stored_hash(session, officer_id) if officer_id is not None else None
        if stored is None:
            verify_password(password or "", _dummy_hash())
            return _EarlyCheck(None, "", False)
        return _EarlyCheck(officer_id, stored, verify_password(password or "", stored))

    def actor_named(self, username: str) -> Actor:
        """The active officer with this username, as the command line acts for them (it runs with
        the database's own credentials, so no password). NotFound naming the username otherwise."""
        typed = username.strip()
        if clean_text(typed) != typed:
            raise NotFound(f"--as: no active officer has the username {username!r}.")
        with self._services.transaction() as session:
            officer = session.scalars(
                select(Officer).where(func.lower(Officer.username) == typed.lower())
            ).first()
            if officer is None or not officer.active:
                raise NotFound(f"--as: no active officer has the username {username!r}.")
            return self._with_cover(session, actor_for(officer))

    def team_manager_of(self, team_name: str) -> Actor:
        """The active team manager of the team called `team_name` (any case), as the command
        line acts for them when it prints the team's scrutiny pack: DESIGN gives packs to the
        team manager. NotFound naming the teams there are, or saying the team has no manager."""
        with self._services.transaction() as session:
            wanted = team_name.strip().lower()
            teams = {name: i for name, i in session.execute(select(Team.name, Team.id))}
            team_id = next((i for name, i in teams.items() if name.lower() == wanted), None)
            if team_id is None:
                known = ", ".join(sorted(teams)) or "none yet"
                raise NotFound(f"--team: there is no team called {team_name!r}; teams: {known}.")
            managers = session.scalars(
                select(Officer)
                .where(
                    Officer.team_id == team_id,
                    Officer.role == Role.TEAM_MANAGER,
                    Officer.active.is_(True),
                )
                .order_by(Officer.username)
            ).all()
            if not managers:
                raise NotFound(
                    f"--team: team {team_name!r} has no active team manager, and packs are "
                    "printed by the team's manager; an administrator can assign one."
                )
            return self._with_cover(session, actor_for(managers[0]))

    def unlock(self, actor: Actor, password: str) -> None:
        """Re-entry after the idle lock: the same officer types their password again."""
        refusal: ServiceError | None = None
        with self._services.transaction() as session:
            officer = session.get(Officer, actor.officer_id, with_for_update=True)
            if officer is None:
                refusal = SignInRefused(WRONG_CREDENTIALS)
            else:
                refusal = self._check(session, officer, password, action="unlock")
        if refusal is not None:
            raise refusal

    def sign_out(self, actor: Actor) -> None:
        with self._services.transaction() as session:
            self._services.audit.record(session, actor, "sign_out")

    def idle_lock_minutes(self) -> int:
        with self._services.transaction() as session:
            return max(1, policy_int(session, "idle_lock_minutes"))

    # -- internals -----------------------------------------------------------------------------

    def _with_cover(self, session: Session, actor: Actor) -> Actor:
        """`actor` with the teams they cover today (see Actor.covering_team_ids)."""
        if actor.role not in (Role.SERGEANT.value, Role.TEAM_MANAGER.value):
            return actor
        from desktop.services.cover import load_roster

        roster = load_roster(session, self._services.today())
        teams = {
            officer.team_id
            for officer in roster.officers
            if officer.team_id is not None
            and officer.team_id != actor.team_id
            and officer.officer_id != actor.officer_id
            and roster.decide(officer.officer_id).cover_officer_id == actor.officer_id
        }
        return replace(actor, covering_team_ids=frozenset(teams)) if teams else actor

    def _find(self, session: Session, username: str) -> Officer | None:
        if not username:
            return None
        officer = session.scalars(
            select(Officer).where(Officer.username == username).with_for_update()
        ).one_or_none()
        if officer is None:
            officer = session.scalars(
                select(Officer)
                .where(func.lower(Officer.username) == username.lower())
                .order_by(Officer.id)  # the same officer as the early check's
                .with_for_update()
            ).first()
        return officer

    def _check(
        self,
        session: Session,
        officer: Officer,
        password: str,
        *,
        action: str,
        early: _EarlyCheck | None = None,
    ) -> ServiceError | None:
        """Verify the password and keep the counters; return the refusal to raise, if any,
        after the transaction (with the failure's audit row and counter) has committed. `early`
        is taken as the verdict only for this officer's current hash."""
        now = self._services.now()
        audit = self._services.audit
        actor = actor_for(officer)
        failed = officer.failed_sign_ins or 0
        if officer.locked_until is not None:
            if now < officer.locked_until:
                audit.record(
                    session,
                    actor,
                    f"{action}_failed",
                    entity_type="officer",
                    entity_id=officer.id,
                    detail={"reason": "account locked", "locked_until": officer.locked_until},
                )
                return AccountLocked(officer.locked_until)
            failed = 0  # the lock has run out: a fresh set of attempts

        stored = _stored_hash(session, officer.id)
        if early is not None and early.officer_id == officer.id and early.stored == stored:
            verified = early.verified
        else:
            verified = verify_password(password or "", stored)
        if not verified:
            failed += 1
            attempts = max(1, policy_int(session, "sign_in_attempts_before_lock"))
            locked_until = None
            if failed >= attempts:
                minutes = max(1, policy_int(session, "sign_in_lock_minutes"))
                locked_until = now + dt.timedelta(minutes=minutes)
            self._set_counters(session, officer.id, failed, locked_until)
            detail: dict[str, object] = {"reason": "wrong password", "failed_attempts": failed}
            if locked_until is not None:
                detail["locked_until"] = locked_until
            audit.record(
                session,
                actor,
                f"{action}_failed",
                entity_type="officer",
                entity_id=officer.id,
                detail=detail,
            )
            if locked_until is not None:
                return AccountLocked(locked_until)
            return SignInRefused(WRONG_CREDENTIALS)

        if not officer.active:
            audit.record(
                session,
                actor,
                f"{action}_failed",
                entity_type="officer",
                entity_id=officer.id,
                detail={"reason": "account not active"},
            )
            return SignInRefused(INACTIVE)

        if failed or officer.locked_until is not None:
            self._set_counters(session, officer.id, 0, None)
        audit.record(session, actor, action, entity_type="officer", entity_id=officer.id)
        return None

    @staticmethod
    def _set_counters(
        session: Session, officer_id: int, failed: int, locked_until: dt.datetime | None
    ) -> None:
        session.execute(
            update(Officer)
            .where(Officer.id == officer_id)
            .values(
                failed_sign_ins=failed,
                locked_until=locked_until,
                updated_at=Officer.updated_at,  # not an edit: keep the "changed at" of the record
            )
            .execution_options(synchronize_session=False)
        )


def _stored_hash(session: Session, officer_id: int) -> str:
    """The officer's password hash. On PostgreSQL through `pillars_password_hash()` (migration
    0003): an officer's own database role may read its own hash and no one else's, and the
    owner's connection reads any."""
    if session.get_bind().dialect.name == "postgresql":
        stored = session.scalar(text("SELECT pillars_password_hash(:id)"), {"id": officer_id})
    else:
        stored = session.scalar(select(_OFFICER.c.password_hash).where(_OFFICER.c.id == officer_id))
    return stored if stored is not None else ""
