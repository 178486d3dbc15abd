"""The default policy values. They are data: the `policy` table holds the values in force, and an
administrator may change them; these are what a new database starts with and what a rule falls
back to when a key is absent."""

from __future__ import annotations

from typing import Any

# Months between home visits by risk level (national practice as reported to the inspection).
VISIT_CADENCE_MONTHS = {"very_high": 1, "high": 3, "medium": 6, "low": 12}

# The default ARMS factor list. A force replaces the wording with its own form's: the codes are
# what plans link to, the labels what people read.
ARMS_RISK_FACTORS = [
    ("sexual_preoccupation", "Sexual preoccupation"),
    ("offence_related_sexual_interest", "Offence-related sexual interest"),
    ("emotional_congruence_with_children", "Emotional congruence with children"),
    ("hostile_orientation", "Hostile orientation"),
    ("poor_self_management", "Poor self-management"),
    ("negative_social_influences", "Negative social influences"),
    ("access_to_potential_victims", "Access to potential victims"),
]
ARMS_PROTECTIVE_FACTORS = [
    ("social_investment", "Social investment"),
    ("positive_social_influences", "Positive social influences"),
    ("intimate_relationship", "Intimate relationship"),
    ("commitment_to_desist", "Commitment to desist"),
]

DEFAULTS: dict[str, Any] = {
    "visit_cadence_months": VISIT_CADENCE_MONTHS,
    "reactive_management_after_years_low": 3,
    "evening_visit_share": 0.25,
    "visits_per_officer_per_day": 4,
    "first_visit_after_conviction_days": 7,
    "visit_after_release_days": 3,
    "failed_visits_before_warrant": 2,
    "arms_review_months": 12,
    "arms_factors": {
        "label": "Default factor list: replace with your force's ARMS form wording",
        "risk": [list(f) for f in ARMS_RISK_FACTORS],
        "protective": [list(f) for f in ARMS_PROTECTIVE_FACTORS],
    },
    "approval_due_working_days": 5,
    "ppn_submit_hours": 24,
    "ppn_follow_up_days": 7,
    "ppn_escalation": {"count": 3, "months": 3},
    "caseload_benchmark": 50,
    "claim_lapse_minutes": 30,
    "idle_lock_minutes": 15,
    "sign_in_attempts_before_lock": 5,
    "sign_in_lock_minutes": 15,
    "scrutiny": {
        "records_per_manager": 2,
        "risk_weights": {"very_high": 8, "high": 4, "medium": 2, "low": 1},
        "very_high_must_include_after_months": 3,
    },
}
