"""The cover chain of `desktop.rules.cover` fed from the database: who is on duty on a day, the
cover named for each absence, and who therefore sees each open approval.

Read-only and without permission checks: the inbox, the approvals, the Team screen and the
`users --on` command call it inside their own transactions and decide what each officer may see.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import Role, TaskGroup, TaskState
from db.models import (
    Absence,
    CoverArrangement,
    Officer,
    RiskAssessment,
    RiskManagementPlan,
    Task,
    Visit,
)
from desktop.rules.cover import CoverDecision, NamedCover, OfficerOnDuty, cover_for, route_tasks

__all__ = ["Roster", "approval_authors", "load_roster"]


@dataclass(frozen=True)
class Roster:
    """Every active officer with their absences around one day, and the covers named then."""

    day: dt.date
    officers: tuple[OfficerOnDuty, ...]
    named: tuple[NamedCover, ...]

    @property
    def by_id(self) -> dict[int, OfficerOnDuty]:
        return {o.officer_id: o for o in self.officers}

    def on_duty(self, officer_id: int) -> bool:
        officer = self.by_id.get(officer_id)
        return officer is not None and officer.on_duty(self.day)

    def decide(self, owner_id: int, exclude: Iterable[int] = ()) -> CoverDecision:
        return cover_for(owner_id, self.day, self.officers, self.named, exclude=exclude)

    def route(
        self, tasks: Iterable[tuple[int, int]], excludes: Mapping[int, Iterable[int]]
    ) -> dict[int, CoverDecision]:
        return route_tasks(tasks, self.day, self.officers, self.named, excludes=excludes)


def load_roster(session: Session, day: dt.date) -> Roster:
    """The roster for `day`: officers who can approve (sergeants and team managers) and anyone
    named as cover, with the absences that hold `day`."""
    absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for officer_id, starts, ends in session.execute(
        select(Absence.officer_id, Absence.starts_on, Absence.ends_on).where(
            Absence.starts_on <= day, Absence.ends_on >= day
        )
    ):
        absences[officer_id].append((starts, ends))
    named = tuple(
        NamedCover(absent_id, cover_id, starts, ends)
        for absent_id, cover_id, starts, ends in session.execute(
            select(
                Absence.officer_id,
                CoverArrangement.cover_officer_id,
                CoverArrangement.starts_on,
                CoverArrangement.ends_on,
            )
            .join(Absence, CoverArrangement.absence_id == Absence.id)
            .where(CoverArrangement.starts_on <= day, CoverArrangement.ends_on >= day)
        )
    )
    wanted = {c.cover_officer_id for c in named}
    officers = tuple(
        OfficerOnDuty(
            officer_id=officer_id,
            username=username,
            role=Role(role).value,
            team_id=team_id,
            absences=tuple(absences.get(officer_id, ())),
            active=bool(active),
            name=f"{forename} {surname}",
        )
        for officer_id, username, role, team_id, active, forename, surname in session.execute(
            select(
                Officer.id,
                Officer.username,
                Officer.role,
                Officer.team_id,
                Officer.active,
                Officer.forename,
                Officer.surname,
            ).where(Officer.role.in_([Role.SERGEANT, Role.TEAM_MANAGER]) | Officer.id.in_(wanted))
        )
    )
    return Roster(day, officers, named)


def approval_authors(session: Session, tasks: Iterable[Task]) -> dict[int, set[int]]:
    """For each approval task, the officers whose work it is: whoever submitted it, and the
    assessor, the plan's author or the visit's crew. The cover chain passes over them."""
    tasks = [t for t in tasks if t.group == TaskGroup.APPROVAL]
    authors: dict[int, set[int]] = {
        t.id: ({t.created_by_id} if t.created_by_id is not None else set()) for t in tasks
    }
    by_type: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for t in tasks:
        if t.subject_id is not None:
            by_type[t.subject_type][t.subject_id].append(t.id)
    queries = {
        "risk_assessment": lambda ids: select(
            RiskAssessment.id, RiskAssessment.assessor_id, RiskAssessment.assessor_id
        ).where(RiskAssessment.id.in_(ids)),
        "risk_management_plan": lambda ids: select(
            RiskManagementPlan.id, RiskManagementPlan.author_id, RiskManagementPlan.author_id
        ).where(RiskManagementPlan.id.in_(ids)),
        "visit": lambda ids: select(Visit.id, Visit.officer1_id, Visit.officer2_id).where(
            Visit.id.in_(ids)
        ),
    }
    for subject_type, subjects in by_type.items():
        query = queries.get(subject_type)
        if query is None:
            continue
        ids = list(subjects)
        for start in range(0, len(ids), 900):  # SQLite's limit on bound parameters
            for subject_id, first, second in session.execute(query(ids[start : start + 900])):
                for task_id in subjects[subject_id]:
                    authors[task_id].update(i for i in (first, second) if i is not None)
    return authors


def open_approvals(session: Session) -> list[Task]:
    """Every open approval task, oldest due first."""
    return list(
        session.scalars(
            select(Task)
            .where(Task.group == TaskGroup.APPROVAL, Task.state == TaskState.OPEN)
            .order_by(Task.due_on, Task.id)
        )
    )
