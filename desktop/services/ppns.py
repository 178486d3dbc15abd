"""Public protection notices (PPNs): from the concern to children's social care's decision
(DESIGN section 3, "PPNs"; issue #7).

CONTRACT (being implemented): the dataclasses and method signatures below are what the screens,
the visits service and the reports call. Bodies raise NotImplementedError until they land.

The life of a PPN (stored `Ppn.state`, plus the stage shown to people, `desktop.rules.ppn.stage`):
- raised (state DRAFT) from a visit or from the record: grade, the concern, when it was noticed,
  the children or adults concerned (from the household, or added by hand);
- submitted within `ppn_submit_hours` (policy, 24) of the concern (state SUBMITTED); the follow-up
  with children's social care is then due `ppn_follow_up_days` (policy, 7) after submission;
- the MASH review recorded (state AWAITING_SOCIAL_CARE): a PPN_FOLLOW_UP task appears in the
  inbox of the officer who raised it (else the offender's manager), due on the follow-up date;
- social care's decision, its date and its source recorded: the PPN closes (state CLOSED) and the
  follow-up task is done.
Three PPNs whose concerns fall within `ppn_escalation.months` (3) for the same offender, or the
same household, raise one PPN_ESCALATION task for the offender's sergeant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop.services.actor import Actor

if TYPE_CHECKING:
    from desktop.services.core import Services


@dataclass(frozen=True)
class SubjectEntry:
    """A child or adult the PPN concerns: a household member (by id) or someone added by hand."""

    household_member_id: int | None = None
    name: str = ""  # required when household_member_id is None; ignored otherwise
    date_of_birth: str = ""  # dd/mm/yyyy or "" (unknown); hand-added only
    relationship: str = ""  # "daughter of partner", "neighbour's child"; hand-added only
    is_child: bool = True  # hand-added only; a household member is a child when under 18


@dataclass(frozen=True)
class PpnEntry:
    """What the officer types when raising or editing a draft PPN (text, as typed)."""

    grade: str  # "red" | "amber" | "green"
    concern: str  # required, max 4000, no bank/card/passport numbers
    concern_date: str  # dd/mm/yyyy, not in the future
    concern_time: str  # HH:MM (24-hour)
    subjects: tuple[SubjectEntry, ...] = ()  # at least one


@dataclass(frozen=True)
class SubjectView:
    name: str
    date_of_birth: dt.date | None
    relationship: str
    is_child: bool
    household_member_id: int | None


@dataclass(frozen=True)
class PpnSummary:
    """One PPN as a list shows it (the Safeguarding screen, the record's PPN tab)."""

    ppn_id: int
    version: int
    offender_id: int
    reference: str
    offender_name: str
    team_id: int
    team_name: str
    manager_name: str  # the offender's manager, "" when unallocated
    grade: str  # PpnGrade value
    state: str  # PpnState value (stored)
    stage: str  # desktop.rules.ppn stage: draft | due | submitted | awaiting_social_care | closed
    stage_label: str  # "Draft", "Due", "Submitted", "Awaiting social care", "Closed"
    concern: str
    concern_at: dt.datetime  # aware UTC
    raised_by_id: int
    raised_by: str  # officer's name
    subjects: tuple[SubjectView, ...]
    visit_id: int | None
    submit_by: dt.datetime  # concern_at + ppn_submit_hours (aware UTC)
    submitted_at: dt.datetime | None
    submitted_by: str
    submission_reference: str
    mash_reviewed_at: dt.datetime | None
    mash_outcome: str
    follow_up_due_on: dt.date | None
    social_care_decision: str
    social_care_decided_on: dt.date | None
    social_care_source: str
    closed_at: dt.datetime | None
    late: bool  # a step is overdue now (a breach): not submitted in time, or follow-up overdue
    next_step: str  # a sentence: "Submit by 14:30 on 23/11/2026.", "Closed on 20/11/2026."
    may_edit: bool  # whether the asking officer may change it


@dataclass(frozen=True)
class PpnList:
    items: tuple[PpnSummary, ...]
    counts: dict[str, int] = field(default_factory=dict)  # stage -> count, over `items`


class PpnService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- reading ---------------------------------------------------------------------------------

    def list(
        self,
        actor: Actor,
        *,
        scope: str = "mine",  # "mine" (raised by me, or of offenders I manage) | "team"
        stages: frozenset[str] | None = None,  # None: every stage
        grade: str | None = None,
        text: str = "",  # matches reference, offender name, concern, subject names
        now: dt.datetime | None = None,  # default services.now()
    ) -> PpnList:
        """The PPNs the actor sees on the Safeguarding screen, most urgent first (late, then by
        the next deadline, then newest concern). "team": the actor's team (team managers: their
        teams; sergeants covering another team today: that team too)."""
        raise NotImplementedError

    def for_offender(self, actor: Actor, offender_id: int) -> list[PpnSummary]:
        """Every PPN of one offender, newest concern first (the record's PPN tab)."""
        raise NotImplementedError

    def get(self, actor: Actor, ppn_id: int) -> PpnSummary:
        raise NotImplementedError

    def escalated(self, actor: Actor, task_id: int) -> list[PpnSummary]:
        """The PPNs behind an escalation task (those within the window that raised it), for the
        inbox's detail pane."""
        raise NotImplementedError

    def household_choices(self, actor: Actor, offender_id: int) -> list[SubjectView]:
        """The offender's current household members (children first), for the raise dialog."""
        raise NotImplementedError

    # -- changing ---------------------------------------------------------------------------------

    def raise_(
        self, actor: Actor, offender_id: int, entry: PpnEntry, *, visit_id: int | None = None
    ) -> int:
        """Raise a PPN (state DRAFT); returns its id. From a visit: the visit must be this
        offender's, and its `ppn_decision` becomes PPN_RAISED. May raise the escalation task."""
        raise NotImplementedError

    def edit(self, actor: Actor, ppn_id: int, expected_version: int, entry: PpnEntry) -> None:
        """Change a draft (what was submitted is not changed afterwards)."""
        raise NotImplementedError

    def submit(
        self, actor: Actor, ppn_id: int, expected_version: int, *, reference: str = ""
    ) -> None:
        """Record that the PPN was submitted (now); sets the follow-up due date."""
        raise NotImplementedError

    def record_mash_review(
        self,
        actor: Actor,
        ppn_id: int,
        expected_version: int,
        *,
        reviewed_date: str,  # dd/mm/yyyy, not before submission's day, not in the future
        outcome: str,  # required
    ) -> None:
        """The MASH reviewed it: state AWAITING_SOCIAL_CARE, and the follow-up task is raised."""
        raise NotImplementedError

    def record_decision(
        self,
        actor: Actor,
        ppn_id: int,
        expected_version: int,
        *,
        decision: str,  # required; DECISION_CHOICES suggests wordings, any text accepted
        decided_date: str,  # dd/mm/yyyy, not before submission's day, not in the future
        source: str,  # required: who said so ("Duty social worker, Fictionton CSC")
    ) -> None:
        """Children's social care decided: the PPN closes and its follow-up task is done."""
        raise NotImplementedError

    def acknowledge_escalation(self, actor: Actor, task_id: int, note: str) -> None:
        """The sergeant (or their cover) has looked at an escalation: what was decided (required).
        The task is done; audited."""
        raise NotImplementedError


DECISION_CHOICES: tuple[str, ...] = (
    "No further action",
    "Advice and information given to the family",
    "Early help offered",
    "Child and family assessment (section 17)",
    "Strategy discussion and section 47 enquiry",
    "Already open to children's social care",
)
