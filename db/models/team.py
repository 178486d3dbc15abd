"""Teams, officers, their absences and the cover named for a sergeant's absence."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, IntPK, Versioned, enum_column, utcnow
from db.enums import AbsenceKind, Role


class Team(Versioned, Base):
    __tablename__ = "team"

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    area: Mapped[str] = mapped_column(String(120), default="")

    officers: Mapped[list[Officer]] = relationship(
        back_populates="team", foreign_keys="Officer.team_id"
    )


class Officer(Versioned, Base):
    """Anyone who signs in. Hub officers and administrators may belong to no team."""

    __tablename__ = "officer"

    id: Mapped[IntPK]
    username: Mapped[str] = mapped_column(String(40), unique=True)
    forename: Mapped[str] = mapped_column(String(80))
    surname: Mapped[str] = mapped_column(String(80))
    collar_number: Mapped[str] = mapped_column(String(20), default="")
    role: Mapped[Role] = enum_column(Role)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    # The sergeant an offender manager's approvals go to.
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), index=True)
    # Deferred: read only when a password is checked (on PostgreSQL officers' roles may not
    # read the column; auth reads one's own through pillars_password_hash()).
    password_hash: Mapped[str] = mapped_column(String(255), deferred=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="officers", foreign_keys=[team_id])
    supervisor: Mapped[Officer | None] = relationship(
        remote_side="Officer.id", foreign_keys=[supervisor_id]
    )
    absences: Mapped[list[Absence]] = relationship(
        back_populates="officer", foreign_keys="Absence.officer_id"
    )

    @property
    def display_name(self) -> str:
        return f"{self.forename} {self.surname}"


class Absence(Versioned, Base):
    """A stretch of days an officer is off duty: leave, sickness, training, abstraction, court."""

    __tablename__ = "absence"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        Index("ix_absence_officer_dates", "officer_id", "starts_on", "ends_on"),
    )

    id: Mapped[IntPK]
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"))
    kind: Mapped[AbsenceKind] = enum_column(AbsenceKind)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    officer: Mapped[Officer] = relationship(back_populates="absences", foreign_keys=[officer_id])
    cover: Mapped[list[CoverArrangement]] = relationship(
        back_populates="absence", cascade="all, delete-orphan"
    )


class CoverArrangement(Versioned, Base):
    """The officer named to cover an absent sergeant's approvals, for all or part of the absence."""

    __tablename__ = "cover_arrangement"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[IntPK]
    absence_id: Mapped[int] = mapped_column(
        ForeignKey("absence.id", ondelete="CASCADE"), index=True
    )
    cover_officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    named_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    absence: Mapped[Absence] = relationship(back_populates="cover")
    cover_officer: Mapped[Officer] = relationship(foreign_keys=[cover_officer_id])
