"""Who may read and edit an offender's record.

The rules are pure functions over plain values so the whole matrix can be tested without a
database; `require_read` and `require_edit` raise `PermissionRefused` with a sentence that says
what was refused and why. A refusal is raised before anything is changed.

- offender manager: reads the offenders of their own team; edits only those they manage.
- sergeant: reads their team; edits nothing on the record (they approve work instead).
- team manager: reads their team and the whole force; edits nothing on the record.
- hub officer: reads the whole force (they process notifications for everyone); edits nothing.
- administrator: users and policy only; no offender records.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from db.enums import Role
from db.models import Offender, Officer, Team
from desktop.services.actor import Actor
from desktop.services.errors import NotFound, PermissionRefused

TEAM_READERS = frozenset({Role.OFFENDER_MANAGER.value, Role.SERGEANT.value})
FORCE_READERS = frozenset({Role.TEAM_MANAGER.value, Role.HUB_OFFICER.value})


@dataclass(frozen=True)
class OffenderSubject:
    """What a permission decision needs to know about one offender."""

    offender_id: int
    reference: str
    team_id: int
    team_name: str
    manager_id: int | None
    manager_name: str  # "" when unallocated


def can_read_offender(role: str, actor_team_id: int | None, offender_team_id: int) -> bool:
    if role in FORCE_READERS:
        return True
    if role in TEAM_READERS:
        return actor_team_id is not None and actor_team_id == offender_team_id
    return False


def can_edit_offender(role: str, actor_officer_id: int, manager_id: int | None) -> bool:
    return role == Role.OFFENDER_MANAGER.value and manager_id == actor_officer_id


def reads_offender_records(role: str) -> bool:
    return role in TEAM_READERS or role in FORCE_READERS


def read_refusal(actor: Actor, subject: OffenderSubject) -> str | None:
    """Why `actor` may not read the record, or None when they may."""
    if can_read_offender(actor.role, actor.team_id, subject.team_id):
        return None
    if subject.team_id in actor.covering_team_ids:
        return None  # covering an absent sergeant of that team: they must see the work
    if not reads_offender_records(actor.role):
        return (
            f"An {actor.role_label} manages users and policy and cannot open offender records; "
            f"{subject.reference} was not opened."
            if actor.role == Role.ADMINISTRATOR.value
            else f"The {actor.role_label} role cannot open offender records."
        )
    yours = f"you are in {actor.team_name} team" if actor.team_name else "you are not in a team"
    return (
        f"Only {subject.team_name} team officers can open {subject.team_name} team offender "
        f"{subject.reference}; {yours}."
    )


def edit_refusal(actor: Actor, subject: OffenderSubject) -> str | None:
    """Why `actor` may not edit the record, or None when they may."""
    if can_edit_offender(actor.role, actor.officer_id, subject.manager_id):
        return None
    reason = read_refusal(actor, subject)
    if reason is not None:
        return reason
    managed = (
        f"is managed by {subject.manager_name}"
        if subject.manager_id is not None
        else "is not allocated to an offender manager"
    )
    lead = "Only the offender's manager can edit this record"
    if actor.role != Role.OFFENDER_MANAGER.value:
        return f"{lead}; a {actor.role_label} can read it but not change it."
    return f"{lead}; {subject.team_name} team offender {subject.reference} {managed}."


def require_read(actor: Actor, subject: OffenderSubject) -> None:
    reason = read_refusal(actor, subject)
    if reason is not None:
        raise PermissionRefused(reason)


def require_edit(actor: Actor, subject: OffenderSubject) -> None:
    reason = edit_refusal(actor, subject)
    if reason is not None:
        raise PermissionRefused(reason)


def load_subject(session: Session, offender_id: int) -> OffenderSubject:
    """The permission facts of one offender. Unknown id: NotFound."""
    manager = aliased(Officer)
    row = session.execute(
        select(
            Offender.id,
            Offender.reference,
            Offender.team_id,
            Team.name,
            Offender.manager_id,
            manager.forename,
            manager.surname,
        )
        .join(Team, Team.id == Offender.team_id)
        .outerjoin(manager, manager.id == Offender.manager_id)
        .where(Offender.id == offender_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no offender record number {offender_id}.")
    manager_name = f"{row[5]} {row[6]}" if row[4] is not None and row[5] is not None else ""
    return OffenderSubject(
        offender_id=row[0],
        reference=row[1],
        team_id=row[2],
        team_name=row[3],
        manager_id=row[4],
        manager_name=manager_name,
    )
