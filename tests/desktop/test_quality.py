"""Record-quality checks: findings and a score per record."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from desktop.rules.plan_gaps import ActionFacts, FactorFacts, plan_gaps
from desktop.rules.quality import (
    ArmsFacts,
    PlanFacts,
    QualityReport,
    RecordFacts,
    quality_findings,
    score,
)

ON = dt.date(2024, 6, 12)
SOON = ON + dt.timedelta(days=30)


def good_record() -> RecordFacts:
    return RecordFacts(
        on=ON,
        latest_arms=ArmsFacts("high", "approved", SOON),
        current_plan=PlanFacts(True, "approved", SOON, []),
        has_current_address=True,
        visit_next_due=SOON,
    )


def codes(report: QualityReport) -> list[str]:
    return [f.code for f in report.findings]


def test_a_record_in_order_scores_100() -> None:
    report = quality_findings(good_record())
    assert report.findings == []
    assert report.score == 100 and report.checks == report.passed == 12


def test_nothing_on_record() -> None:
    report = quality_findings(RecordFacts(on=ON))
    # no ARMS, no plan (plan contents not applicable), no address; no visit is due
    assert codes(report) == ["arms_missing", "plan_missing", "no_current_address"]
    assert report.checks == 6 and report.passed == 3 and report.score == 50
    assert {f.severity for f in report.findings} == {"high"}


def test_arms_findings() -> None:
    waiting = dataclasses.replace(good_record(), latest_arms=ArmsFacts("high", "submitted", None))
    assert codes(quality_findings(waiting)) == ["arms_not_approved"]
    assert quality_findings(waiting).findings[0].severity == "low"
    draft = dataclasses.replace(good_record(), latest_arms=ArmsFacts("high", "draft", None))
    assert quality_findings(draft).findings[0].severity == "medium"
    overdue = dataclasses.replace(
        good_record(), latest_arms=ArmsFacts("high", "approved", ON - dt.timedelta(days=1))
    )
    report = quality_findings(overdue)
    assert codes(report) == ["arms_review_overdue"]
    assert report.findings[0].text == "The ARMS review was due on 11/06/2024."
    assert report.score == 92  # 11 of 12


def test_plan_findings_come_from_its_gaps() -> None:
    factors = [FactorFacts("hostile_orientation", "Hostile orientation")]
    actions = [ActionFacts("supervision", "Office", SOON, "in_progress", None)]
    gaps = plan_gaps(actions, factors, "", ON - dt.timedelta(days=2), ON)
    facts = dataclasses.replace(
        good_record(), current_plan=PlanFacts(False, "draft", ON - dt.timedelta(days=2), gaps)
    )
    report = quality_findings(facts)
    assert codes(report) == [
        "plan_not_approved",
        "plan_review_overdue",
        "plan_pillar_without_action",
        "plan_factor_unanswered",
        "plan_no_contingency",
    ]
    assert {f.area for f in report.findings} == {"plan"}
    pillars = report.findings[2].text
    assert "No action under Monitoring and control" in pillars and "Victim safety" in pillars
    assert "Hostile orientation" in report.findings[3].text
    assert report.in_area("plan") == report.findings


def test_plan_without_review_date() -> None:
    facts = dataclasses.replace(good_record(), current_plan=PlanFacts(True, "approved", None, []))
    assert codes(quality_findings(facts)) == ["plan_review_overdue"]


def test_visits_address_notifications_ppns() -> None:
    facts = dataclasses.replace(
        good_record(),
        visit_next_due=ON - dt.timedelta(days=3),
        visit_overdue=True,
        has_current_address=False,
        unprocessed_notifications_past_due=2,
        ppns_unsubmitted_past_24h=1,
        ppns_follow_up_overdue=3,
    )
    report = quality_findings(facts)
    assert codes(report) == [
        "visit_overdue",
        "no_current_address",
        "notification_unprocessed",
        "ppn_not_submitted",
        "ppn_follow_up_overdue",
    ]
    assert report.findings[2].text == "2 notifications are past their deadlines and not processed."
    assert report.findings[3].text == "1 PPN was not submitted within 24 hours."
    assert {f.area for f in report.findings} == {"visits", "address", "notifications", "ppn"}


def test_no_visit_due_is_not_a_check() -> None:
    facts = dataclasses.replace(good_record(), visit_next_due=None)
    report = quality_findings(facts)
    assert report.checks == 11 and report.score == 100


def test_no_fixed_abode_expects_a_weekly_notification_not_an_address() -> None:
    nfa = dataclasses.replace(good_record(), has_current_address=False, no_fixed_abode=True)
    assert codes(quality_findings(nfa)) == ["nfa_weekly_notification_missing"]
    recent = dataclasses.replace(nfa, last_nfa_notification_on=ON - dt.timedelta(days=7))
    assert codes(quality_findings(recent)) == []
    stale = dataclasses.replace(nfa, last_nfa_notification_on=ON - dt.timedelta(days=8))
    assert quality_findings(stale).findings[0].text.endswith("since 04/06/2024.")


def test_score_rounding() -> None:
    assert score(0, 0) == 100
    assert score(1, 8) == 13  # 12.5 rounds up
    assert score(7, 8) == 88  # 87.5 rounds up
    assert score(2, 3) == 67
    assert score(3, 3) == 100


# -- properties ----------------------------------------------------------------------------------

dates = st.one_of(st.none(), st.dates(ON - dt.timedelta(days=60), ON + dt.timedelta(days=60)))
states = st.sampled_from(["draft", "submitted", "approved", "returned"])
facts_st = st.builds(
    RecordFacts,
    on=st.just(ON),
    latest_arms=st.one_of(st.none(), st.builds(ArmsFacts, st.just("high"), states, dates)),
    current_plan=st.one_of(
        st.none(),
        st.builds(
            PlanFacts,
            st.booleans(),
            states,
            dates,
            st.lists(
                st.builds(
                    ActionFacts,
                    st.sampled_from(["supervision", "victim_safety"]),
                    st.just("x"),
                    dates,
                    st.just("in_progress"),
                    st.none(),
                )
            ).map(lambda actions: plan_gaps(actions, [], "", ON, ON)),
        ),
    ),
    has_current_address=st.booleans(),
    no_fixed_abode=st.booleans(),
    last_nfa_notification_on=dates,
    visit_next_due=dates,
    visit_overdue=st.booleans(),
    unprocessed_notifications_past_due=st.integers(0, 3),
    ppns_unsubmitted_past_24h=st.integers(0, 3),
    ppns_follow_up_overdue=st.integers(0, 3),
)


@given(facts_st)
def test_score_and_counts_agree(facts: RecordFacts) -> None:
    report = quality_findings(facts)
    assert report.checks == report.passed + len(report.findings)
    assert 0 <= report.score <= 100
    assert report.score == round(100 * report.passed / report.checks) or (
        abs(report.score - 100 * report.passed / report.checks) == 0.5
    )
    assert all(f.severity in ("high", "medium", "low") for f in report.findings)
    assert len({f.code for f in report.findings}) == len(report.findings)


@given(facts_st)
def test_fixing_the_plan_never_lowers_the_score(facts: RecordFacts) -> None:
    fixed = dataclasses.replace(facts, current_plan=PlanFacts(True, "approved", SOON, []))
    assert not quality_findings(fixed).in_area("plan")
    if facts.current_plan is not None:
        assert quality_findings(fixed).score >= quality_findings(facts).score
