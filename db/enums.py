"""The closed vocabularies of the domain, stored by value.

Values are lower-case snake case and stable: they appear in the database, in `--json` output and
in CSV files. Screens show `label`.
"""

from __future__ import annotations

import enum


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Role(_Labelled):
    OFFENDER_MANAGER = "offender_manager"
    SERGEANT = "sergeant"
    HUB_OFFICER = "hub_officer"
    TEAM_MANAGER = "team_manager"
    ADMINISTRATOR = "administrator"


class AbsenceKind(_Labelled):
    LEAVE = "leave"
    SICKNESS = "sickness"
    TRAINING = "training"
    ABSTRACTION = "abstraction"
    COURT = "court"


class OffenderStatus(_Labelled):
    COMMUNITY = "community"
    CUSTODY = "custody"
    HOSPITAL = "hospital"
    ABROAD = "abroad"


class RiskLevel(_Labelled):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class AssessmentKind(_Labelled):
    ARMS = "arms"
    RM2000 = "rm2000"


class FactorKind(_Labelled):
    RISK = "risk"
    PROTECTIVE = "protective"


class ApprovalState(_Labelled):
    """The life of anything a sergeant approves: an assessment, a plan, a visit record."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    SUPERSEDED = "superseded"


class Pillar(_Labelled):
    SUPERVISION = "supervision"
    MONITORING_CONTROL = "monitoring_control"
    INTERVENTIONS_TREATMENT = "interventions_treatment"
    VICTIM_SAFETY = "victim_safety"

    @property
    def label(self) -> str:
        return {
            "supervision": "Supervision",
            "monitoring_control": "Monitoring and control",
            "interventions_treatment": "Interventions and treatment",
            "victim_safety": "Victim safety",
        }[self.value]


class ActionStatus(_Labelled):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class VisitOutcome(_Labelled):
    PLANNED = "planned"
    COMPLETED = "completed"
    NO_ACCESS = "no_access"
    REFUSED_ENTRY = "refused_entry"
    CANCELLED = "cancelled"


class PpnDecision(_Labelled):
    """What an officer chose for a visit that recorded children present."""

    PPN_RAISED = "ppn_raised"
    NO_PPN_NEEDED = "no_ppn_needed"


class PpnGrade(_Labelled):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class PpnState(_Labelled):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_SOCIAL_CARE = "awaiting_social_care"
    CLOSED = "closed"


class NotificationKind(_Labelled):
    INITIAL = "initial"
    CHANGE_OF_NAME = "change_of_name"
    CHANGE_OF_ADDRESS = "change_of_address"
    OTHER_ADDRESS_STAY = "other_address_stay"
    ADVANCE_NOTICE = "advance_notice"
    RELEASE = "release"
    PERIODIC = "periodic"
    NO_FIXED_ABODE = "no_fixed_abode"
    FOREIGN_TRAVEL = "foreign_travel"
    FOREIGN_TRAVEL_CHANGE = "foreign_travel_change"
    HOUSEHOLD_WITH_CHILD = "household_with_child"
    TRANSFER_IN = "transfer_in"


class NotificationState(_Labelled):
    RECEIVED = "received"
    PROCESSED = "processed"
    REJECTED = "rejected"


class TaskKind(_Labelled):
    ASSESSMENT_APPROVAL = "assessment_approval"
    PLAN_APPROVAL = "plan_approval"
    VISIT_APPROVAL = "visit_approval"
    HUB_NOTIFICATION = "hub_notification"
    PPN_FOLLOW_UP = "ppn_follow_up"
    PPN_ESCALATION = "ppn_escalation"
    SCRUTINY_ACTION = "scrutiny_action"
    RELEASE_VISIT = "release_visit"


class TaskGroup(_Labelled):
    APPROVAL = "approval"
    HUB = "hub"
    FOLLOW_UP = "follow_up"


TASK_GROUP: dict[TaskKind, TaskGroup] = {
    TaskKind.ASSESSMENT_APPROVAL: TaskGroup.APPROVAL,
    TaskKind.PLAN_APPROVAL: TaskGroup.APPROVAL,
    TaskKind.VISIT_APPROVAL: TaskGroup.APPROVAL,
    TaskKind.HUB_NOTIFICATION: TaskGroup.HUB,
    TaskKind.PPN_FOLLOW_UP: TaskGroup.FOLLOW_UP,
    TaskKind.PPN_ESCALATION: TaskGroup.FOLLOW_UP,
    TaskKind.SCRUTINY_ACTION: TaskGroup.FOLLOW_UP,
    TaskKind.RELEASE_VISIT: TaskGroup.FOLLOW_UP,
}


class TaskState(_Labelled):
    OPEN = "open"
    DONE = "done"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class SentenceKind(_Labelled):
    """Disposal types that decide the s82 notification period."""

    CUSTODY = "custody"
    LIFE = "life"
    IPP = "ipp"
    HOSPITAL_RESTRICTION = "hospital_restriction"
    HOSPITAL = "hospital"
    CAUTION = "caution"
    CONDITIONAL_DISCHARGE = "conditional_discharge"
    COMMUNITY_ORDER = "community_order"
    SUSPENDED = "suspended"
    FINE = "fine"


class ScrutinyAnswer(_Labelled):
    """A reviewer's answer to one checklist question; stored in the item's checklist JSON, not
    in a column of its own, so a new answer needs no migration."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"
