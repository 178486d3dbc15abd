"""Public protection notices: raised when a child or vulnerable adult may be at risk."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as orm_relationship

from db.base import Base, IntPK, Versioned, enum_column, utcnow
from db.enums import PpnGrade, PpnState


class Ppn(Versioned, Base):
    __tablename__ = "ppn"
    __table_args__ = (Index("ix_ppn_offender_concern", "offender_id", "concern_at"),)

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(ForeignKey("offender.id", ondelete="CASCADE"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"), index=True)
    household_key: Mapped[str] = mapped_column(String(20), default="")  # postcode of the household
    grade: Mapped[PpnGrade] = enum_column(PpnGrade)
    concern: Mapped[str] = mapped_column(Text)
    concern_at: Mapped[dt.datetime]
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    raised_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[PpnState] = enum_column(PpnState, default=PpnState.DRAFT)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    # the reference the MASH or the submission form gave, if any
    submission_reference: Mapped[str] = mapped_column(String(60), default="", server_default="")
    mash_reviewed_at: Mapped[dt.datetime | None]
    mash_outcome: Mapped[str] = mapped_column(Text, default="")
    mash_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    follow_up_due_on: Mapped[dt.date | None] = mapped_column(Date)
    social_care_decision: Mapped[str] = mapped_column(Text, default="")
    social_care_decided_on: Mapped[dt.date | None] = mapped_column(Date)
    social_care_source: Mapped[str] = mapped_column(String(200), default="")
    decision_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    closed_at: Mapped[dt.datetime | None]

    subjects: Mapped[list[PpnSubject]] = orm_relationship(
        back_populates="ppn", cascade="all, delete-orphan", order_by="PpnSubject.id"
    )


class PpnSubject(Base):
    """A child or adult the PPN concerns, from the household or added by hand."""

    __tablename__ = "ppn_subject"

    id: Mapped[IntPK]
    ppn_id: Mapped[int] = mapped_column(ForeignKey("ppn.id", ondelete="CASCADE"), index=True)
    household_member_id: Mapped[int | None] = mapped_column(ForeignKey("household_member.id"))
    name: Mapped[str] = mapped_column(String(160))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    is_child: Mapped[bool] = mapped_column(default=True)
    # how the person is connected ("daughter of partner"): typed for someone added by hand, copied
    # from the household record for a household member when the PPN is raised
    relationship: Mapped[str] = mapped_column(String(60), default="", server_default="")

    ppn: Mapped[Ppn] = orm_relationship(back_populates="subjects")
