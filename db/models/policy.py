"""Policy values an administrator can change: cadences, clocks, factor lists, sampling method."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, IntPK, Versioned


class Policy(Versioned, Base):
    __tablename__ = "policy"

    id: Mapped[IntPK]
    key: Mapped[str] = mapped_column(String(80), unique=True)
    value: Mapped[Any] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")
