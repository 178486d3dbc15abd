"""The declarative base every model shares, with a naming convention and reusable column types."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always handed back timezone-aware.

    SQLite keeps no zone, so without this a value read back would be naive and compare wrongly
    against an aware one; PostgreSQL keeps `timestamptz` and behaves the same way through it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where a UTC timestamp is required")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enum_column(enum_cls: type[enum.Enum], **kwargs: Any) -> Any:
    """An enum stored by its value as a plain string with a CHECK constraint, on both databases."""
    return mapped_column(
        Enum(
            enum_cls,
            values_callable=lambda members: [m.value for m in members],
            native_enum=False,
            create_constraint=True,
            validate_strings=True,
            length=max(len(m.value) for m in enum_cls),
            name=enum_cls.__name__.lower(),
        ),
        **kwargs,
    )


IntPK = Annotated[
    int, mapped_column(Integer().with_variant(BigInteger(), "postgresql"), primary_key=True)
]
Str40 = Annotated[str, mapped_column(String(40))]
Str120 = Annotated[str, mapped_column(String(120))]
Str255 = Annotated[str, mapped_column(String(255))]
Timestamp = Annotated[dt.datetime, mapped_column(UtcDateTime())]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UtcDateTime()}


class Versioned:
    """Rows that two desktops may edit: a save against a stale version is refused (optimistic lock).

    SQLAlchemy adds `AND version = :old` to every UPDATE and raises StaleDataError when no row
    matched; the services turn that into a message naming who changed the record.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    # Who saved last, for the "changed by" message on a conflict. No foreign key: it would tie
    # every table to officer in a cycle (officer -> team -> officer).
    updated_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Approvable:
    """Work a sergeant approves or returns: who decided, when, and as whose cover (four eyes)."""

    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    decided_as_cover_for_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    return_comment: Mapped[str] = mapped_column(String(2000), default="")
