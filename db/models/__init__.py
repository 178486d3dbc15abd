"""Every model, imported so that `Base.metadata` knows the whole schema."""

from db.base import Base
from db.models.audit import AuditEvent
from db.models.notification import Notification
from db.models.offender import Address, Alias, Conviction, HouseholdMember, MappaChange, Offender
from db.models.plan import PlanAction, RiskManagementPlan
from db.models.policy import Policy
from db.models.ppn import Ppn, PpnSubject
from db.models.risk import RiskAssessment, RiskFactor
from db.models.scrutiny import ScrutinyItem, ScrutinyPack
from db.models.task import Task
from db.models.team import Absence, CoverArrangement, Officer, Team
from db.models.visit import Visit

__all__ = [
    "Absence",
    "Address",
    "Alias",
    "AuditEvent",
    "Base",
    "Conviction",
    "CoverArrangement",
    "HouseholdMember",
    "MappaChange",
    "Notification",
    "Offender",
    "Officer",
    "PlanAction",
    "Policy",
    "Ppn",
    "PpnSubject",
    "RiskAssessment",
    "RiskFactor",
    "RiskManagementPlan",
    "ScrutinyItem",
    "ScrutinyPack",
    "Task",
    "Team",
    "Visit",
]
