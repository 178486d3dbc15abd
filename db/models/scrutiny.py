"""Fortnightly peer scrutiny: the sampled pack and what the reviewer found on each record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, IntPK, Versioned, utcnow


class ScrutinyPack(Versioned, Base):
    __tablename__ = "scrutiny_pack"

    id: Mapped[IntPK]
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    fortnight_ending: Mapped[dt.date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    method: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    printed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    printed_at: Mapped[dt.datetime | None]
    # The PDF as printed, so a past pack can be reprinted exactly.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    items: Mapped[list[ScrutinyItem]] = relationship(
        back_populates="pack", cascade="all, delete-orphan", order_by="ScrutinyItem.position"
    )


class ScrutinyItem(Versioned, Base):
    __tablename__ = "scrutiny_item"
    __table_args__ = (UniqueConstraint("pack_id", "offender_id", name="pack_offender"),)

    id: Mapped[IntPK]
    pack_id: Mapped[int] = mapped_column(ForeignKey("scrutiny_pack.id", ondelete="CASCADE"))
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")  # why it is in the sample
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comments: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    reviewed_at: Mapped[dt.datetime | None]

    pack: Mapped[ScrutinyPack] = relationship(back_populates="items")
