"""The append-only audit log: every sign-in, record view and change, hash-chained."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IntPK, utcnow


class AuditEvent(Base):
    """One audited event. `hash` covers this row's content and the previous row's hash, so an
    edited or deleted row breaks the chain from that point on."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_offender", "offender_id", "id"),
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        # Inserted without RETURNING: on PostgreSQL an officer's own role may append rows it may
        # not read back (a failed sign-in's), and RETURNING would need to read them.
        {"implicit_returning": False},
    )

    id: Mapped[IntPK]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    username: Mapped[str] = mapped_column(String(40), default="")
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[int | None] = mapped_column(Integer)
    offender_id: Mapped[int | None] = mapped_column(Integer)  # no FK: the log outlives records
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Unique: each row has exactly one successor, so two writers racing on the same tail cannot
    # fork the chain; one of them fails and retries.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
