"""Statutory notifications (s83-s85 and the 2012 Regulations), processed by the hub."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IntPK, Versioned, enum_column, utcnow
from db.enums import NotificationKind, NotificationState


class Notification(Versioned, Base):
    """What was notified, when the event happened and when it was notified.

    `offender_id` is empty only for a transfer in whose offender is not yet on the system; the
    details then carry the identity the hub creates the record from. `details` holds what varies by
    kind: the new address, the travel dates and destinations, the household with a child.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_offender_event", "offender_id", "event_on"),)

    id: Mapped[IntPK]
    offender_id: Mapped[int | None] = mapped_column(ForeignKey("offender.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = enum_column(NotificationKind)
    event_on: Mapped[dt.date] = mapped_column(Date)
    notified_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # the statutory deadline for this event
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[NotificationState] = enum_column(
        NotificationState, default=NotificationState.RECEIVED
    )
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    processed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    processed_at: Mapped[dt.datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
