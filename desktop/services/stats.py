"""Counts over the whole database, for `pillars stats` and for checking a demo build."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, select

from db.enums import (
    NotificationState,
    OffenderStatus,
    PpnState,
    Role,
    TaskGroup,
    TaskState,
    VisitOutcome,
)
from db.models import Notification, Offender, Officer, Ppn, Task, Team, Visit

if TYPE_CHECKING:
    from desktop.services.core import Services


def _count(model: type[Any], *where: ColumnElement[bool]) -> Any:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def _open_tasks(group: TaskGroup) -> Any:
    return _count(Task, Task.group == group, Task.state == TaskState.OPEN)


class StatsService:
    """Whole-database counts. No permission check: only the command line calls this, and it runs
    with the database's own credentials, which already see everything."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def counts(self) -> dict[str, Any]:
        """A JSON-ready dict whose keys never change (the README documents them): every status
        and role is present, 0 when there is none. Officers are the active ones. One SELECT of
        COUNT subqueries, so the numbers are of one moment even on PostgreSQL."""
        scalars: dict[str, Any] = {
            "teams": _count(Team),
            "offenders": _count(Offender),
            **{f"status.{s.value}": _count(Offender, Offender.status == s) for s in OffenderStatus},
            **{
                f"role.{r.value}": _count(Officer, Officer.role == r, Officer.active.is_(True))
                for r in Role
            },
            "open_approval_tasks": _open_tasks(TaskGroup.APPROVAL),
            "open_hub_tasks": _open_tasks(TaskGroup.HUB),
            "open_follow_up_tasks": _open_tasks(TaskGroup.FOLLOW_UP),
            "open_ppns": _count(Ppn, Ppn.state != PpnState.CLOSED),
            "visits_planned": _count(Visit, Visit.outcome == VisitOutcome.PLANNED),
            "notifications_unprocessed": _count(
                Notification, Notification.state == NotificationState.RECEIVED
            ),
        }
        with self._services.transaction() as session:
            row = session.execute(
                select(*(c.label(f"c{i}") for i, c in enumerate(scalars.values())))
            )
            values = dict(zip(scalars, (int(v) for v in row.one()), strict=True))
        return {
            "teams": values["teams"],
            "offenders": values["offenders"],
            "offenders_by_status": {s.value: values[f"status.{s.value}"] for s in OffenderStatus},
            "officers": {r.value: values[f"role.{r.value}"] for r in Role},
            "open_approval_tasks": values["open_approval_tasks"],
            "open_hub_tasks": values["open_hub_tasks"],
            "open_follow_up_tasks": values["open_follow_up_tasks"],
            "open_ppns": values["open_ppns"],
            "visits_planned": values["visits_planned"],
            "notifications_unprocessed": values["notifications_unprocessed"],
        }
