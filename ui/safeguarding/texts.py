"""The words of PPNs (public protection notices) as officers say them: grades with what each
means, the stages, the next step, the timeline from the concern to social care's decision.
DESIGN section 3, "PPNs": submitted within 24 hours of the concern, reviewed by the MASH, followed
up with children's social care, whose decision is recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.rules.ppn import STAGE_LABELS, STAGES
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.tables import Cell

if TYPE_CHECKING:
    from desktop.services.ppns import PpnSummary, SubjectView

GRADES = ("red", "amber", "green")
GRADE_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
GRADE_MEANINGS = {
    "red": "A child or vulnerable person may be at immediate risk of significant harm.",
    "amber": "A risk of harm that children's social care should assess soon.",
    "green": "A lower-level concern: for information, advice or early help.",
}
# A grade's look in tables and chips: (text colour, background), always with its word.
GRADE_COLOURS = {
    "red": ("#ffffff", "#a4001d"),
    "amber": ("#3d2400", "#f3b233"),
    "green": ("#ffffff", "#1d5e20"),
}
OPEN = "open"  # every stage but closed: the screen's default
STAGE_FILTERS = (OPEN, *STAGES)
FILTER_LABELS = {OPEN: "Open", **STAGE_LABELS}


def grade_label(grade: str) -> str:
    return GRADE_LABELS.get(grade, grade.capitalize())


def stage_cell(p: PpnSummary) -> Cell:
    if p.late:
        return Cell(f"{p.stage_label} · LATE", "alert")
    return Cell(p.stage_label, "muted" if p.stage == "closed" else "")


def next_step_cell(p: PpnSummary) -> Cell:
    return Cell(p.next_step, "alert" if p.late else "")


def one_line(text: str) -> str:
    return " ".join(text.split())


def subject_text(s: SubjectView) -> str:
    """ "Pip Plimsoll (child, partner's child, born 12/06/2015)"."""
    parts = ["child" if s.is_child else "adult"]
    if s.relationship:
        parts.append(s.relationship)
    if s.date_of_birth is not None:
        parts.append(f"born {fmt_date(s.date_of_birth)}")
    return f"{s.name} ({', '.join(parts)})"


def subjects_text(p: PpnSummary) -> str:
    return "\n".join(subject_text(s) for s in p.subjects) or "Nobody recorded"


def table_row(p: PpnSummary) -> list[str | Cell]:
    """The Safeguarding screen's row: the grade column is painted as a chip (model.py)."""
    concern = one_line(p.concern)
    return [
        p.reference,
        p.offender_name,
        Cell(grade_label(p.grade)),
        stage_cell(p),
        Cell(concern, tooltip=p.concern),
        p.raised_by,
        next_step_cell(p),
    ]


def record_row(p: PpnSummary) -> list[str | Cell]:
    """The record's PPN tab: one offender, so no reference or name."""
    return [
        Cell(grade_label(p.grade)),
        stage_cell(p),
        Cell(one_line(p.concern), tooltip=p.concern),
        fmt_timestamp(p.concern_at),
        p.raised_by,
        next_step_cell(p),
    ]


def timeline(p: PpnSummary) -> list[list[str | Cell]]:
    """Step, when, who or what: the concern, raised, submitted, the MASH review, the decision.
    A step not done yet says by when it is due."""
    rows: list[list[str | Cell]] = [
        ["Concern noticed", fmt_timestamp(p.concern_at), one_line(p.concern)],
        [
            "Raised",
            fmt_timestamp(p.raised_at) or "—",
            f"by {p.raised_by}" + (" from a visit" if p.visit_id else ""),
        ],
    ]
    if p.submitted_at is not None:
        ref = f", reference {p.submission_reference}" if p.submission_reference else ""
        rows.append(["Submitted", fmt_timestamp(p.submitted_at), f"by {p.submitted_by}{ref}"])
    else:
        due = f"due by {fmt_timestamp(p.submit_by)}"
        rows.append(
            [
                "Submitted",
                Cell("Not yet", "alert" if p.late else "warn"),
                Cell(due, "alert" if p.late else ""),
            ]
        )
    if p.mash_reviewed_at is not None:
        rows.append(["MASH review", fmt_date(p.mash_reviewed_at), p.mash_outcome])
    elif p.submitted_at is not None:
        rows.append(["MASH review", Cell("Not yet", "muted"), "Record it once the MASH has looked"])
    if p.social_care_decided_on is not None:
        rows.append(
            [
                "Social care's decision",
                fmt_date(p.social_care_decided_on),
                f"{p.social_care_decision} (source: {p.social_care_source})",
            ]
        )
    elif p.follow_up_due_on is not None:
        late = p.late and p.submitted_at is not None
        rows.append(
            [
                "Social care's decision",
                Cell("Not yet", "alert" if late else "muted"),
                Cell(f"follow-up due by {fmt_date(p.follow_up_due_on)}", "alert" if late else ""),
            ]
        )
    if p.closed_at is not None:
        rows.append(["Closed", fmt_timestamp(p.closed_at), ""])
    return rows


# -- what can be done with a PPN at its stage ----------------------------------------------

ACTIONS = ("edit", "submit", "mash", "decision")
ACTION_STATE = {
    "edit": "draft",
    "submit": "draft",
    "mash": "submitted",
    "decision": "awaiting_social_care",
}
WRONG_STAGE = {
    "edit": "Only a draft can be edited: what was submitted stays as it was sent.",
    "submit": "Only a draft is submitted; this one has been already.",
    "mash": "The MASH review is recorded once the PPN is submitted and before social care decides.",
    "decision": "Social care's decision is recorded after the MASH review.",
}
DONE = {
    "edit": "Draft PPN saved",
    "submit": "PPN recorded as submitted",
    "mash": "MASH review recorded",
    "decision": "Social care's decision recorded; the PPN is closed",
}


def available(p: PpnSummary | None, action: str) -> tuple[bool, str]:
    """Whether `action` can be done with the PPN now, and if not, why (a tooltip)."""
    if p is None:
        return False, "Choose a PPN first."
    if p.state == "closed":
        return False, "This PPN is closed."
    if p.state != ACTION_STATE[action]:
        return False, WRONG_STAGE[action]
    if not p.may_edit:
        return False, "You can read this PPN but not change it."
    return True, ""
