"""Home visits: planned, double crewed, mostly unannounced; the record a sergeant approves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Approvable, Base, IntPK, Versioned, enum_column, utcnow
from db.enums import ApprovalState, PpnDecision, VisitOutcome


class Visit(Versioned, Approvable, Base):
    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("officer1_id <> officer2_id", name="double_crewed"),
        Index("ix_visit_offender_planned", "offender_id", "planned_at"),
        Index("ix_visit_planned_at", "planned_at"),
    )

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(ForeignKey("offender.id", ondelete="CASCADE"))
    planned_at: Mapped[dt.datetime]
    window_start: Mapped[dt.date | None] = mapped_column(Date)
    window_end: Mapped[dt.date | None] = mapped_column(Date)
    outside_window_reason: Mapped[str] = mapped_column(Text, default="")
    officer1_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    officer2_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    announced: Mapped[bool] = mapped_column(default=False)
    announced_reason: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(
        String(40), default="routine"
    )  # routine | pre_sentence | post_release
    outcome: Mapped[VisitOutcome] = enum_column(VisitOutcome, default=VisitOutcome.PLANNED)
    occurred_at: Mapped[dt.datetime | None]
    home_circumstances: Mapped[str] = mapped_column(Text, default="")
    children_present: Mapped[bool | None]
    ppn_decision: Mapped[PpnDecision | None] = enum_column(PpnDecision, nullable=True)
    ppn_decision_reason: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    record_state: Mapped[ApprovalState] = enum_column(ApprovalState, default=ApprovalState.DRAFT)
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
