"""The PPN decision of a visit that saw children, read from the database (issue #7, item 4; the
rule itself is `desktop.rules.visit_closing`).

"PPN raised" is never recorded by hand: raising a PPN from the visit (`PpnService.raise_` with
`visit_id`) sets it. "No PPN needed" is recorded with a reason by
`VisitService.record_no_ppn_needed`. The helpers here run inside the caller's transaction: the PPNs
linked to visits (for the views) and the refusal that stops `submit_record`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Ppn, Visit
from desktop.rules import ppn as ppn_rules
from desktop.rules.visit_closing import submission_refusal
from desktop.services.policy import policy_int

NO_PPN_REASON_MAX = 2000
NO_PPN_REASON_MIN_WORDS = 3  # "a few words", not "n/a"


@dataclass(frozen=True)
class LinkedPpn:
    """A PPN raised from the visit, as the visit's Safeguarding section shows it."""

    ppn_id: int
    grade: str  # PpnGrade value
    stage: str  # desktop.rules.ppn stage: draft | due | submitted | awaiting_social_care | closed
    stage_label: str  # "Draft", "Due", ...
    concern_at: dt.datetime  # aware UTC


def linked_ppns(
    session: Session, visit_ids: Collection[int], now: dt.datetime
) -> dict[int, tuple[LinkedPpn, ...]]:
    """The PPNs raised from each visit, oldest first; visits with none are left out."""
    if not visit_ids:
        return {}
    rows = session.execute(
        select(Ppn.visit_id, Ppn.id, Ppn.grade, Ppn.state, Ppn.concern_at)
        .where(Ppn.visit_id.in_(list(visit_ids)))
        .order_by(Ppn.concern_at, Ppn.id)
    ).all()
    if not rows:
        return {}
    hours = policy_int(session, "ppn_submit_hours")
    found: dict[int, list[LinkedPpn]] = defaultdict(list)
    for visit_id, ppn_id, grade, state, concern_at in rows:
        assert visit_id is not None  # the query asked for visits' PPNs
        stage = ppn_rules.stage(str(state), concern_at, now, hours)
        found[visit_id].append(
            LinkedPpn(
                ppn_id=ppn_id,
                grade=str(grade),
                stage=stage,
                stage_label=ppn_rules.STAGE_LABELS.get(stage, stage),
                concern_at=concern_at,
            )
        )
    return {visit_id: tuple(ppns) for visit_id, ppns in found.items()}


def closing_refusal(visit: Visit, has_linked_ppn: bool) -> str | None:
    """Why the visit's record cannot be submitted yet for want of a PPN decision, or None."""
    return submission_refusal(
        visit.children_present,
        visit.ppn_decision.value if visit.ppn_decision is not None else None,
        visit.ppn_decision_reason or "",
        has_linked_ppn,
    )


def has_linked_ppn(session: Session, visit_id: int) -> bool:
    return session.scalar(select(Ppn.id).where(Ppn.visit_id == visit_id).limit(1)) is not None
