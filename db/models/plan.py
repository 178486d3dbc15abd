"""Risk management plans (MAPPA guidance, chapter 12) and their actions under the four pillars."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Approvable, Base, IntPK, Versioned, enum_column, utcnow
from db.enums import ActionStatus, ApprovalState, Pillar


class RiskManagementPlan(Versioned, Approvable, Base):
    """One version of an offender's plan. The current plan is the newest approved version; a
    draft or submitted version is the work in progress. Approved versions are never edited."""

    __tablename__ = "risk_management_plan"
    __table_args__ = (UniqueConstraint("offender_id", "plan_number", name="offender_plan_number"),)

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    plan_number: Mapped[int] = mapped_column(Integer)
    state: Mapped[ApprovalState] = enum_column(ApprovalState, default=ApprovalState.DRAFT)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    based_on_assessment_id: Mapped[int | None] = mapped_column(ForeignKey("risk_assessment.id"))
    contingency: Mapped[str] = mapped_column(Text, default="")
    licence_conditions: Mapped[str] = mapped_column(Text, default="")
    review_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAction.position"
    )


class PlanAction(Versioned, Base):
    __tablename__ = "plan_action"

    id: Mapped[IntPK]
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("risk_management_plan.id", ondelete="CASCADE"), index=True
    )
    pillar: Mapped[Pillar] = enum_column(Pillar)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    owner_text: Mapped[str] = mapped_column(String(120), default="")  # an agency, not an officer
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = enum_column(ActionStatus, default=ActionStatus.NOT_STARTED)
    answers_factor: Mapped[str | None] = mapped_column(String(60))  # RiskFactor.code
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[RiskManagementPlan] = relationship(back_populates="actions")
