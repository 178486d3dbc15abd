"""The append-only audit log: every sign-in, record view and change, hash-chained.

Each row's `hash` is a SHA-256 over a canonical JSON of its own content and the previous row's
hash, so editing, inserting or deleting a row inside the log breaks the chain from that row on,
and `verify` names the first row where it breaks. Rows are written in the caller's transaction,
so an audited change and its audit row commit or roll back together.

What the chain alone cannot show: rows cut off the END of the log (or the whole log) leave a
shorter chain that still verifies. Detecting that needs the newest id and hash kept somewhere
the database's users cannot write (a backup, a log file, a second system); that anchor belongs to
the trust work still to come. On PostgreSQL the table is insert-only for officers' own database
roles (migration 0003): they can neither change nor delete a row, and `verify` needs the owner's
connection, since an officer's role sees only the rows about what they may read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from db.models import AuditEvent
from desktop.services.actor import Actor
from desktop.services.core import take_write_lock
from desktop.services.errors import PermissionRefused
from desktop.services.permissions import load_subject, require_read

if TYPE_CHECKING:
    from desktop.services.core import Services

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key that serialises writers of the chain's tail ("PILA" in ASCII).
AUDIT_LOCK_KEY = 0x50494C41
# Keys that must never reach the log, whatever a caller passes in `detail`.
_FORBIDDEN_DETAIL_KEYS = frozenset({"password", "password_hash", "new_password", "hash"})
HISTORY_LIMIT = 500


@dataclass(frozen=True)
class AuditRow:
    """One line of an offender's audit trail as the record's history shows it (`history`): when
    (UTC), who, the action, and its detail in words."""

    at: dt.datetime
    username: str
    action: str
    detail_text: str


@dataclass(frozen=True)
class VerifyResult:
    """What `verify` found (`pillars audit-verify`): whether the hash chain holds over its `rows`
    rows, else the first row that does not fit and why."""

    ok: bool
    rows: int
    first_broken_id: int | None
    reason: str
    # The newest row when the chain holds: an administrator keeps its hash (an anchor) outside
    # the database, so that a later check proves no row up to it was removed (see `verify`).
    last_id: int | None = None
    last_hash: str | None = None


def canonical_hash(
    *,
    prev_hash: str,
    at: dt.datetime,
    officer_id: int | None,
    username: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    offender_id: int | None,
    detail: dict[str, Any],
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            at.astimezone(dt.UTC).isoformat(),
            officer_id,
            username,
            action,
            entity_type,
            entity_id,
            offender_id,
            detail,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _clean_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail exactly as the JSON column will hand it back (dates become ISO strings), so the
    hash computed now matches the one `verify` recomputes later."""
    if not detail:
        return {}
    cleaned = {str(k): v for k, v in detail.items() if str(k).lower() not in _FORBIDDEN_DETAIL_KEYS}
    return json.loads(json.dumps(cleaned, default=_json_default, sort_keys=True))


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def detail_text(action: str, detail: dict[str, Any]) -> str:
    """One line a person can read: changed fields as "field: before → after", the rest as
    "key: value"."""
    parts: list[str] = []
    changes = detail.get("changes")
    if isinstance(changes, dict):
        for field, change in changes.items():
            label = field.replace("_", " ")
            if isinstance(change, list) and len(change) == 2:
                before, after = (_show(v) for v in change)
                parts.append(f"{label}: {before} → {after}")
            else:
                parts.append(f"{label}: {_show(change)}")
    for key, value in detail.items():
        if key == "changes":
            continue
        parts.append(f"{key.replace('_', ' ')}: {_show(value)}")
    return "; ".join(parts)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "(none)"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


class AuditService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def record(
        self,
        session: Session,
        actor: Actor | None,
        action: str,
        *,
        entity_type: str = "",
        entity_id: int | None = None,
        offender_id: int | None = None,
        detail: dict[str, Any] | None = None,
        username: str = "",
    ) -> None:
        """Append one event in the caller's transaction. `username` is for events without an
        actor (a failed sign-in); with an actor, the actor's username is used."""
        session.flush()
        # No other writer can append between our read of the tail and our insert.
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
            # An officer's own database role sees only some rows (row-level security); the
            # function reads the true tail, or the chain would fork (migration 0003).
            tail = session.scalar(text("SELECT pillars_audit_tail()"))
        else:
            take_write_lock(session)
            tail = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
        prev_hash = tail or GENESIS_HASH
        at = self._services.now().astimezone(dt.UTC)
        officer_id = actor.officer_id if actor is not None else None
        name = (actor.username if actor is not None else username)[:40]
        clean = _clean_detail(detail)
        digest = canonical_hash(
            prev_hash=prev_hash,
            at=at,
            officer_id=officer_id,
            username=name,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            offender_id=offender_id,
            detail=clean,
        )
        session.add(
            AuditEvent(
                at=at,
                officer_id=officer_id,
                username=name,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                offender_id=offender_id,
                detail=clean,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        session.flush()

    def history(
        self, actor: Actor, offender_id: int, *, limit: int = HISTORY_LIMIT
    ) -> list[AuditRow]:
        """The offender's audit trail, newest first; refused like opening the record."""
        with self._services.transaction() as session:
            return self.history_in(session, actor, offender_id, limit=limit)

    def history_in(
        self, session: Session, actor: Actor, offender_id: int, *, limit: int = HISTORY_LIMIT
    ) -> list[AuditRow]:
        require_read(actor, load_subject(session, offender_id))
        rows = session.execute(
            select(AuditEvent.at, AuditEvent.username, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.offender_id == offender_id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).all()
        return [
            AuditRow(
                at=at,
                username=username,
                action=action,
                detail_text=detail_text(action, detail or {}),
            )
            for at, username, action, detail in rows
        ]

    def verify(self, anchor: str | None = None) -> VerifyResult:
        """Recompute the whole chain, oldest first; name the first row that does not fit.

        A chain cannot show rows cut from its end: the rows left still follow each other. So
        `anchor`, the hash of the newest row at an earlier check (kept outside the database, or
        at least its first 32 characters, so that no forged chain can be made to match it), must
        be found in the chain: if it is not, rows up to
        that point were removed or changed and the check fails."""
        wanted = (anchor or "").strip().lower()
        if anchor is not None and not (32 <= len(wanted) <= 64 and _is_hex(wanted)):
            raise ValueError(
                "an anchor is the hash an earlier check printed: 64 hex digits (at least the "
                "first 32); check it was copied whole"
            )
        with self._services.transaction() as session:
            _refuse_an_officers_role(session)
            result = session.execute(
                select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000)
            )
            try:
                count, broken, last, anchored = _walk(result.scalars(), wanted)
            finally:
                result.close()
        if broken is not None:
            return VerifyResult(ok=False, rows=count, first_broken_id=broken[0], reason=broken[1])
        if wanted and not anchored:
            return VerifyResult(
                ok=False,
                rows=count,
                first_broken_id=None,
                reason=f"no row has the anchor hash {wanted[:12]}…: rows up to it were removed "
                "or changed since it was taken (or the anchor was mistyped)",
            )
        return VerifyResult(
            ok=True,
            rows=count,
            first_broken_id=None,
            reason="",
            last_id=last[0] if last else None,
            last_hash=last[1] if last else None,
        )


def _refuse_an_officers_role(session: Session) -> None:
    """An officer's own PostgreSQL role reads only some audit rows (migration 0003), so the chain
    it sees has gaps: checking it would cry wolf. Only the owner's connection checks."""
    from desktop.services.database import connected_as_officer

    if connected_as_officer(session):
        raise PermissionRefused(
            "The audit log can be checked only with the database owner's connection: an "
            "officer's own role reads only some of its rows. Nothing was checked."
        )


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


def _walk(
    events: Iterable[AuditEvent], anchor: str = ""
) -> tuple[int, tuple[int, str] | None, tuple[int, str] | None, bool]:
    """Rows seen; the first broken row's id and why (None when the chain holds); the last row's
    id and hash; whether a row's hash starts with `anchor`."""
    count = 0
    expected_prev = GENESIS_HASH
    last: tuple[int, str] | None = None
    anchored = False
    for event in events:
        count += 1
        if event.prev_hash != expected_prev:
            return (
                count,
                (
                    event.id,
                    f"audit row {event.id} does not follow the row before it: a row before it "
                    "was deleted, inserted or changed",
                ),
                last,
                anchored,
            )
        recomputed = canonical_hash(
            prev_hash=event.prev_hash,
            at=event.at,
            officer_id=event.officer_id,
            username=event.username,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            offender_id=event.offender_id,
            detail=event.detail or {},
        )
        if recomputed != event.hash:
            changed = (event.id, f"audit row {event.id} was changed after it was written")
            return count, changed, last, anchored
        expected_prev = event.hash
        last = (event.id, event.hash)
        anchored = anchored or bool(anchor and event.hash.startswith(anchor))
    return count, None, last, anchored
