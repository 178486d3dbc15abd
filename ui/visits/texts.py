"""Words and tones for what the visit service returns: screens never show `no_access` or
`pre_sentence`, and every colour comes with a word.

Typed dates and times are parsed here only for live hints (the weekday beside a date, the
officers on duty that day); the service validates what is saved."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from desktop.rules.time_bands import BAND_LABELS, WEEKDAY_NAMES, band_of
from desktop.rules.visit_windows import REASON_LABELS
from ui.widgets import palette
from ui.widgets.dates import fmt_date

if TYPE_CHECKING:
    from desktop.services.visits import DueVisit, VisitView

OUTCOME_LABELS = {
    "planned": "Planned",
    "completed": "Completed",
    "no_access": "No access",
    "refused_entry": "Refused entry",
    "cancelled": "Cancelled",
}
# What can be recorded, in the order the outcome dialog offers it.
RECORDED_OUTCOMES = ("completed", "no_access", "refused_entry", "cancelled")
RECORD_LABELS = {
    "draft": "record not submitted",
    "submitted": "awaiting approval",
    "approved": "record approved",
    "returned": "record returned",
    "superseded": "record superseded",
}
PURPOSE_LABELS = {
    "routine": "Routine",
    "pre_sentence": "Before sentence",
    "post_release": "After release",
}
ABSENCE_LABELS = {
    "leave": "on leave",
    "sickness": "off sick",
    "training": "on training",
    "abstraction": "abstracted",
    "court": "at court",
}
ROLE_WORDS = {
    "offender_manager": "offender manager",
    "sergeant": "sergeant",
    "team_manager": "team manager",
}
WARRANT_TEXT = "Consider s96B warrant"
WARRANT_TIP = (
    "Two or more failed attempts in a row (no access or refused entry) since the last completed "
    "visit: consider applying for a warrant to enter for a risk assessment (s96B)."
)
DATE_HINT = "dd/mm/yyyy"
TIME_HINT = "HH:MM"

# Tones beyond the shared palette's: "info" for work waiting on someone else, "ok" for done.
FOREGROUND = {**palette.FOREGROUND, "info": "#174a78"}
BACKGROUND = {
    **palette.BACKGROUND,
    "ok": "#e7f3e7",
    "info": "#e6eef7",
    "muted": "#eef0f2",
}

_DATE = re.compile(r"\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\s*")
_ISO = re.compile(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*")
_TIME = re.compile(r"\s*([0-9]{1,2})[:.]?([0-9]{2})\s*")


def parse_day(text: str) -> dt.date | None:
    """A whole date as typed (dd/mm/yyyy, or yyyy-mm-dd), else None."""
    match = _DATE.fullmatch(text)
    try:
        if match is not None:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _ISO.fullmatch(text)
        if match is not None:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


def parse_clock(text: str) -> dt.time | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekday(day: dt.date) -> str:
    return WEEKDAY_NAMES[day.weekday()]


def long_day(day: dt.date) -> str:
    """'Thursday 13/06/2024'."""
    return f"{weekday(day)} {fmt_date(day)}"


def band_word(time: dt.time) -> str:
    return BAND_LABELS[band_of(time)]


def when_text(view: VisitView) -> str:
    """'Thu 13/06/2024 18:30 (evening)'."""
    return f"{weekday(view.at.date())[:3]} {fmt_date(view.at.date())} {view.at:%H:%M} ({view.band})"


def crew_text(view: VisitView, joiner: str = " and ") -> str:
    return joiner.join(view.officer_names)


def window_text(start: dt.date | None, end: dt.date | None) -> str:
    if start is None and end is None:
        return "No window"
    return f"{fmt_date(start, 'open')} to {fmt_date(end, 'open')}"


def announced_text(view: VisitView) -> str:
    if view.announced:
        return f"Announced: {view.announced_reason}" if view.announced_reason else "Announced"
    return "Unannounced"


def purpose_text(purpose: str) -> str:
    return PURPOSE_LABELS.get(purpose, purpose.replace("_", " ").capitalize())


def reason_text(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " ").capitalize())


def role_words(role: str) -> str:
    return ROLE_WORDS.get(role, role.replace("_", " "))


def absence_words(kind: str) -> str:
    return ABSENCE_LABELS.get(kind, kind.replace("_", " ") or "absent")


def visit_state(view: VisitView, now: dt.datetime) -> tuple[str, str]:
    """The visit's outcome and its record's state in words, with the tone that goes with them:
    alert for a failed attempt or a returned record, warn for work still to do, info while the
    sergeant has it, ok once approved, muted when cancelled."""
    outcome, record = view.outcome, view.record_state
    if outcome == "planned":
        if view.at < now:
            return "Planned: outcome not yet recorded", "warn"
        return "Planned", ""
    if outcome == "cancelled" and view.occurred_at is None:
        return "Cancelled", "muted"
    text = f"{OUTCOME_LABELS.get(outcome, outcome)}, {RECORD_LABELS.get(record, record)}"
    if outcome in ("no_access", "refused_entry") or record == "returned":
        return text, "alert"
    if record == "draft":
        return text, "warn"
    if record == "submitted":
        return text, "info"
    if record == "approved":
        return text, "ok" if outcome == "completed" else "muted"
    return text, ""


def outside_window_text(view: VisitView) -> str:
    """Why the visit is planned where it is, when that is outside its window ("" when inside)."""
    if view.outside_window_reason:
        place = "Outside the window" if not view.inside_window else "Reason for the day"
        return f"{place}: {view.outside_window_reason}"
    if not view.inside_window:
        return "Outside the window"
    return ""


def failed_text(count: int) -> str:
    """No access or refused entry since the last completed visit."""
    if count <= 0:
        return "None"
    return "1 failed attempt" if count == 1 else f"{count} failed attempts in a row"


def due_reason_text(due: DueVisit) -> str:
    """'Overdue since 12/04/2024' (routine), 'Overdue (after release)', 'Routine', 'Before
    sentence', 'After release'. The tooltip (`due_reason_tip`) has the whole story."""
    if due.overdue:
        if due.purpose != "routine":
            return f"Overdue ({purpose_text(due.purpose).lower()})"
        return f"Overdue since {fmt_date(due.due)}" if due.due is not None else "Overdue"
    return reason_text(due.reason)


def due_reason_tip(due: DueVisit) -> str:
    """'Overdue since 12/04/2024: a routine visit'."""
    when = fmt_date(due.due)
    what = purpose_text(due.purpose).lower()
    if due.overdue:
        return f"Overdue since {when}: the {what} visit was due then." if when else "Overdue"
    return f"The {what} visit is due by {when}." if when else ""


NOT_DECIDED = "Not decided: required before the record can be submitted"


def ppn_decision_text(view: VisitView) -> tuple[str, str]:
    """A visit's PPN decision in words, with its tone (issue #7, item 4): "PPN raised: amber,
    submitted", "No PPN needed: <reason>", or "Not decided: required before the record can be
    submitted" (warn) while the record cannot be submitted for want of one."""
    raised = "; ".join(f"{p.grade}, {p.stage_label.lower()}" for p in view.ppns)
    if view.ppn_decision == "no_ppn_needed" and view.ppn_decision_reason.strip():
        text = f"No PPN needed: {view.ppn_decision_reason}"
        if raised:
            text += f"\nA PPN raised from this visit earlier stays on record: {raised}."
        return text, "ok"
    if view.ppn_decision == "ppn_raised" and raised:
        return f"PPN raised: {raised}", "ok"
    return NOT_DECIDED, "warn"
