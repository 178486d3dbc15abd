"""Risk assessments (ARMS and RM2000) and the factors an ARMS assessment records."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Approvable, Base, IntPK, Versioned, enum_column, utcnow
from db.enums import ApprovalState, AssessmentKind, FactorKind, RiskLevel


class RiskAssessment(Versioned, Approvable, Base):
    """One ARMS or RM2000 assessment. For ARMS `level` is the priority level; for RM2000, the
    static category derived from the scores and aggravating factors."""

    __tablename__ = "risk_assessment"
    __table_args__ = (Index("ix_risk_assessment_offender_date", "offender_id", "assessed_on"),)

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(ForeignKey("offender.id", ondelete="CASCADE"))
    kind: Mapped[AssessmentKind] = enum_column(AssessmentKind)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    level: Mapped[RiskLevel] = enum_column(RiskLevel)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[ApprovalState] = enum_column(ApprovalState, default=ApprovalState.DRAFT)
    rm2000_sexual: Mapped[int | None] = mapped_column(Integer)
    rm2000_violent: Mapped[int | None] = mapped_column(Integer)
    rm2000_combined: Mapped[int | None] = mapped_column(Integer)
    aggravating_factors: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    factors: Mapped[list[RiskFactor]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="RiskFactor.position"
    )


class RiskFactor(Base):
    """A dynamic risk factor or protective factor on an ARMS assessment: present or not, why.

    `code` and `label` are copied from the policy's factor list when the assessment is made, so an
    old assessment still reads as it was written after a force changes its form's wording."""

    __tablename__ = "risk_factor"

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("risk_assessment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FactorKind] = enum_column(FactorKind)
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    present: Mapped[bool] = mapped_column(default=False)
    evidence: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    assessment: Mapped[RiskAssessment] = relationship(back_populates="factors")
