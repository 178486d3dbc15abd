"""The Team screen's words: duty, cover and absences as a sergeant would say them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.widgets.dates import fmt_date
from ui.widgets.labels import humanise
from ui.widgets.tables import Cell

if TYPE_CHECKING:
    from desktop.services.team import AbsenceView, CoverChoice, CoverView, TeamMember

WHEN = {"current": "Now", "upcoming": "Coming", "recent": "Ended"}
APPROVERS = ("sergeant", "team_manager")


def titled(name: str, role: str | None) -> str:
    """ "Sgt Cora Pennywhistle"; a team manager by name and role."""
    if role == "sergeant":
        return f"Sgt {name}"
    if role == "team_manager":
        return f"{name} (team manager)"
    return name


def duty_cell(member: TeamMember) -> Cell:
    if member.on_duty:
        return Cell("On duty")
    kind = humanise(member.absence_kind)
    return Cell(f"Absent: {kind} until {fmt_date(member.absent_until)}", "warn")


def cover_cell(member: TeamMember) -> Cell:
    """Who sees an absent sergeant's approvals today and by which link, or whom an officer on
    duty covers; the chain's own sentence in the tooltip."""
    link, name, tip = member.cover_link, member.covered_by or "", member.cover_reason
    if link is None:
        if member.covering:
            return Cell(f"Covering for {', '.join(member.covering)}")
        return Cell("")
    if link == "named_cover":
        return Cell(f"Cover: {titled(name, member.covered_by_role)} (named)", tooltip=tip)
    if link == "team_sergeant":
        return Cell(f"Cover: Sgt {name}, another sergeant of the team", tooltip=tip)
    if link == "other_team_sergeant":
        team = f" of {member.covered_by_team} team" if member.covered_by_team else ""
        return Cell(f"Cover: Sgt {name}{team}, as no sergeant of the team is on duty", tooltip=tip)
    if link == "team_manager":
        return Cell(f"Cover: {name}, the team manager", tooltip=tip)
    return Cell("No cover: nobody is on duty to see their approvals", "alert", tooltip=tip)


def cover_span(cover: CoverView) -> str:
    days = f"{fmt_date(cover.starts_on)} to {fmt_date(cover.ends_on)}"
    return f"{titled(cover.name, cover.role)}, {days}"


def named_cover_cell(absence: AbsenceView) -> Cell:
    if absence.covers:
        return Cell("; ".join(cover_span(c) for c in absence.covers))
    if absence.role in APPROVERS:
        return Cell("None named: the cover chain decides", "muted")
    return Cell("Not needed", "muted")


def absence_row(absence: AbsenceView) -> list[Cell]:
    tone = "muted" if absence.when == "recent" else ""
    return [
        Cell(WHEN.get(absence.when, ""), tone),
        Cell(absence.name, tone),
        Cell(humanise(absence.kind), tone),
        Cell(fmt_date(absence.starts_on), tone),
        Cell(fmt_date(absence.ends_on), tone),
        Cell(" ".join(absence.note.split()), tone, tooltip=absence.note),
        named_cover_cell(absence),
    ]


def choice_text(choice: CoverChoice) -> str:
    team = f", {choice.team} team" if choice.team else ""
    text = f"{titled(choice.name, choice.role)}{team}"
    return f"{text}: away ({choice.away})" if choice.away else text
