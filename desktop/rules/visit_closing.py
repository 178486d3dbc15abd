"""No silent closing: a visit that saw children needs a PPN decision before its record is sent to
the sergeant (DESIGN section 3, "PPNs"; issue #7, item 4).

The officer chooses "PPN raised" (by raising a PPN from the visit) or "no PPN needed" with a
reason. The record of a visit that recorded children present cannot be submitted while:
- no decision is recorded;
- the decision is "PPN raised" but no PPN is linked to the visit;
- the decision is "no PPN needed" with no reason.
A visit that recorded no children (or did not say) needs no decision. The later choice wins: a
"no PPN needed" recorded after a PPN was raised stands, and so does a PPN raised after it.

Pure: plain values in, the refusal (a sentence saying what to do) or None out.
"""

from __future__ import annotations

PPN_RAISED = "ppn_raised"
NO_PPN_NEEDED = "no_ppn_needed"

DECISION_NEEDED = (
    "Children were present at this visit: raise a PPN or record why none is needed before "
    "submitting the record."
)
NO_LINKED_PPN = (
    "Children were present at this visit and a PPN is recorded as raised, but no PPN is linked to "
    "it: raise the PPN from the visit, or record why none is needed, before submitting the record."
)
REASON_NEEDED = (
    "Children were present at this visit and “no PPN needed” was recorded without a reason: record "
    "why no PPN is needed, or raise one, before submitting the record."
)


def submission_refusal(
    children_present: bool | None, decision: str | None, reason: str, has_linked_ppn: bool
) -> str | None:
    """Why the visit's record cannot be submitted yet, or None when nothing stands in the way.

    `decision` is a PpnDecision value ("ppn_raised", "no_ppn_needed") or None; `has_linked_ppn`
    says whether a PPN row names this visit."""
    if children_present is not True:
        return None
    if decision == PPN_RAISED:
        return None if has_linked_ppn else NO_LINKED_PPN
    if decision == NO_PPN_NEEDED:
        return None if reason.strip() else REASON_NEEDED
    return DECISION_NEEDED
