"""MAPPA category and level: changed by the offender's manager or a sergeant or team manager of
the team, with a reason, and kept as a history of who changed what and when.

Category: 1 registered sexual offender, 2 violent offender, 3 other dangerous offender,
4 terrorist. Level: 1 ordinary agency management, 2 and 3 multi-agency management.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.enums import Role
from db.models import MappaChange, Offender
from desktop.rules.validation import Form, clean_text
from desktop.services.actor import Actor
from desktop.services.approvals import (
    check_version,
    conflict_after_race,
    officer_names,
    raise_if_invalid,
    stamp,
)
from desktop.services.errors import PermissionRefused
from desktop.services.permissions import (
    OffenderSubject,
    can_edit_offender,
    load_subject,
    read_refusal,
    require_read,
)

if TYPE_CHECKING:
    from desktop.services.core import Services

CATEGORIES = {
    "1": "1: registered sexual offender",
    "2": "2: violent offender",
    "3": "3: other dangerous offender",
    "4": "4: terrorist",
}
LEVELS = {"1": "1", "2": "2", "3": "3"}
REASON_MAX = 2_000


@dataclass(frozen=True)
class MappaChangeView:
    """One change of MAPPA category and level in the offender's history (the record lists them
    newest first): the new values, who changed them, when (UTC) and why."""

    category: int
    level: int
    changed_by: str
    changed_at: dt.datetime
    reason: str


def mappa_refusal(actor: Actor, subject: OffenderSubject) -> str | None:
    """Why `actor` may not change the offender's MAPPA, or None when they may: the offender's
    manager, or a sergeant or team manager of the offender's team."""
    if can_edit_offender(actor.role, actor.officer_id, subject.manager_id):
        return None
    reason = read_refusal(actor, subject)
    if reason is not None:
        return reason
    if actor.role in (Role.SERGEANT.value, Role.TEAM_MANAGER.value):
        if actor.team_id == subject.team_id:
            return None
        return (
            f"Only {subject.team_name} team's sergeants and team manager, or the offender's "
            f"manager, can change the MAPPA of {subject.reference}."
        )
    return (
        f"Only the offender's manager, or a sergeant or team manager of {subject.team_name} "
        f"team, can change the MAPPA of {subject.reference}."
    )


class MappaService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def change(
        self,
        actor: Actor,
        offender_id: int,
        expected_version: int,
        category: str,
        level: str,
        reason: str,
    ) -> None:
        """Set the MAPPA category (1-4) and level (1-3) with a reason; the offender record's
        `expected_version` guards against a change made meanwhile."""
        try:
            with self._services.transaction() as session:
                subject = load_subject(session, offender_id)
                refusal = mappa_refusal(actor, subject)
                if refusal is not None:
                    raise PermissionRefused(refusal)
                offender = session.get(Offender, offender_id)
                assert offender is not None
                check_version(session, offender, expected_version, "record")
                form = Form()
                new_category = _choice(form, "category", category, CATEGORIES, "category")
                new_level = _choice(form, "level", level, LEVELS, "level")
                text = form.text(
                    "reason", reason, max_length=REASON_MAX, required=True, multiline=True
                )
                if (
                    form.ok
                    and new_category == offender.mappa_category
                    and new_level == offender.mappa_level
                ):
                    form.add(
                        "level",
                        f"MAPPA is already category {new_category}, level {new_level}; "
                        "nothing to change.",
                    )
                raise_if_invalid(form)
                assert new_category is not None and new_level is not None
                now = self._services.now()
                before = [offender.mappa_category, offender.mappa_level]
                offender.mappa_category = new_category
                offender.mappa_level = new_level
                stamp(offender, actor, now)
                session.add(
                    MappaChange(
                        offender_id=offender_id,
                        category=new_category,
                        level=new_level,
                        changed_by_id=actor.officer_id,
                        changed_at=now,
                        reason=text,
                    )
                )
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "mappa_changed",
                    entity_type="offender",
                    entity_id=offender_id,
                    offender_id=offender_id,
                    detail={
                        "changes": {
                            "mappa_category": [before[0], new_category],
                            "mappa_level": [before[1], new_level],
                        },
                        "reason": text,
                    },
                )
        except StaleDataError:
            raise conflict_after_race(self._services, Offender, offender_id, "record") from None

    def history(self, actor: Actor, offender_id: int) -> list[MappaChangeView]:
        """Every MAPPA change, newest first."""
        with self._services.transaction() as session:
            require_read(actor, load_subject(session, offender_id))
            return history_in(session, offender_id)


def history_in(session: Session, offender_id: int) -> list[MappaChangeView]:
    rows = list(
        session.scalars(
            select(MappaChange)
            .where(MappaChange.offender_id == offender_id)
            .order_by(MappaChange.changed_at.desc(), MappaChange.id.desc())
        )
    )
    names = officer_names(session, {r.changed_by_id for r in rows if r.changed_by_id is not None})
    return [
        MappaChangeView(
            category=r.category,
            level=r.level,
            changed_by=names.get(r.changed_by_id, "") if r.changed_by_id is not None else "",
            changed_at=r.changed_at,
            reason=r.reason,
        )
        for r in rows
    ]


def _choice(form: Form, name: str, typed: str, options: dict[str, str], what: str) -> int | None:
    value = clean_text(typed).split(":")[0].strip()
    if value not in options:
        form.add(name, f"Choose the MAPPA {what}: {', '.join(options)}.")
        return None
    return int(value)
