"""The offender and what hangs off the record: aliases, addresses, household, convictions, MAPPA."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, IntPK, Versioned, enum_column, utcnow
from db.enums import OffenderStatus, SentenceKind


class Offender(Versioned, Base):
    __tablename__ = "offender"
    __table_args__ = (
        CheckConstraint("mappa_category BETWEEN 1 AND 4", name="mappa_category_range"),
        CheckConstraint("mappa_level BETWEEN 1 AND 3", name="mappa_level_range"),
    )

    id: Mapped[IntPK]
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    forename: Mapped[str] = mapped_column(String(80))
    surname: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(20), default="")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    status: Mapped[OffenderStatus] = enum_column(OffenderStatus, default=OffenderStatus.COMMUNITY)
    status_since: Mapped[dt.date | None] = mapped_column(Date)
    # When the record says custody: the release date the prison gave. A date that has passed
    # while the status still says custody is the "release not recorded" breach.
    expected_release_on: Mapped[dt.date | None] = mapped_column(Date)
    mappa_category: Mapped[int] = mapped_column(Integer, default=1)
    mappa_level: Mapped[int] = mapped_column(Integer, default=1)
    registration_start: Mapped[dt.date] = mapped_column(Date)
    notification_end: Mapped[dt.date | None] = mapped_column(Date)
    notification_indefinite: Mapped[bool] = mapped_column(default=False)
    reactive_management: Mapped[bool] = mapped_column(default=False)
    no_fixed_abode: Mapped[bool] = mapped_column(default=False)
    # s85: the date the next periodic notification is due; every s84 change resets it.
    next_periodic_due: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    aliases: Mapped[list[Alias]] = relationship(
        back_populates="offender", cascade="all, delete-orphan", order_by="Alias.id"
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="offender", cascade="all, delete-orphan", order_by="Address.from_date"
    )
    household: Mapped[list[HouseholdMember]] = relationship(
        back_populates="offender", cascade="all, delete-orphan", order_by="HouseholdMember.id"
    )
    convictions: Mapped[list[Conviction]] = relationship(
        back_populates="offender", cascade="all, delete-orphan", order_by="Conviction.convicted_on"
    )
    mappa_history: Mapped[list[MappaChange]] = relationship(
        back_populates="offender", cascade="all, delete-orphan", order_by="MappaChange.changed_at"
    )

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"


class Alias(Base):
    __tablename__ = "alias"

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))

    offender: Mapped[Offender] = relationship(back_populates="aliases")


class Address(Versioned, Base):
    """An address the offender lives or stays at; `to_date` empty means current."""

    __tablename__ = "address"
    __table_args__ = (Index("ix_address_postcode", "postcode"),)

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="home")  # home | stay
    line1: Mapped[str] = mapped_column(String(120))
    line2: Mapped[str] = mapped_column(String(120), default="")
    town: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(10))
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)

    offender: Mapped[Offender] = relationship(back_populates="addresses")


class HouseholdMember(Versioned, Base):
    """Someone living at, or staying in, the offender's household. Children matter most."""

    __tablename__ = "household_member"

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    relationship_to_offender: Mapped[str] = mapped_column(String(60), default="")
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    from_date: Mapped[dt.date | None] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    offender: Mapped[Offender] = relationship(back_populates="household")


class Conviction(Versioned, Base):
    __tablename__ = "conviction"

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    offence: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(120), default="")
    convicted_on: Mapped[dt.date] = mapped_column(Date)
    sentenced_on: Mapped[dt.date | None] = mapped_column(Date)
    sentence_kind: Mapped[SentenceKind | None] = enum_column(SentenceKind, nullable=True)
    # Length of custody, or of a conditional discharge, in months; decides the s82 period.
    sentence_months: Mapped[int | None] = mapped_column(Integer)

    offender: Mapped[Offender] = relationship(back_populates="convictions")


class MappaChange(Base):
    """Every change of MAPPA category or level, with who made it and why."""

    __tablename__ = "mappa_change"

    id: Mapped[IntPK]
    offender_id: Mapped[int] = mapped_column(
        ForeignKey("offender.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    offender: Mapped[Offender] = relationship(back_populates="mappa_history")
