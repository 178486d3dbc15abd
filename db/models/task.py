"""Work waiting for someone: approvals for a sergeant, notifications for the hub, follow-ups."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IntPK, Versioned, enum_column, utcnow
from db.enums import TaskGroup, TaskKind, TaskState


class Task(Versioned, Base):
    """A task belongs to an officer (`owner_id`) or, for hub work, to the hub queue (no owner).

    Cover is not stored here: who sees an absent sergeant's task is computed for the day, so the
    task returns to its owner when the owner is back. Who completed it, and as whose cover, is.
    """

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_owner_state", "owner_id", "state"),
        Index("ix_task_group_state", "group", "state"),
        Index("ix_task_subject", "subject_type", "subject_id"),
        # The inbox's order over the open tasks (migration 0005).
        Index("ix_task_state_due", "state", "due_on", "created_at", "id"),
    )

    id: Mapped[IntPK]
    kind: Mapped[TaskKind] = enum_column(TaskKind)
    group: Mapped[TaskGroup] = enum_column(TaskGroup)
    offender_id: Mapped[int | None] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    due_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[TaskState] = enum_column(TaskState, default=TaskState.OPEN)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    claimed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    completed_at: Mapped[dt.datetime | None]
    completed_as_cover_for_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    comment: Mapped[str] = mapped_column(Text, default="")
