"""Peer-scrutiny sampling (desktop.rules.sampling): worked examples of each rule, then the
properties a team manager relies on, checked with hypothesis over random teams."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.rules.policy_defaults import DEFAULTS
from desktop.rules.sampling import (
    MONTHS_CAP,
    Candidate,
    DrawnSample,
    ScrutinyPolicy,
    default_seed,
    draw_sample,
    method_text,
    months_since,
    must_include,
)

ENDING = dt.date(2026, 11, 20)  # a Friday: the fortnight's last day
TEAM = 7
POLICY = ScrutinyPolicy.from_value(DEFAULTS["scrutiny"])


def draw(
    candidates: list[Candidate], seed: int = 1, policy: ScrutinyPolicy = POLICY
) -> DrawnSample:
    return draw_sample(candidates, team_id=TEAM, fortnight_ending=ENDING, seed=seed, policy=policy)


def ids(sample: DrawnSample) -> list[int]:
    return [r.offender_id for r in sample.records]


def reasons(sample: DrawnSample) -> dict[int, str]:
    return {r.offender_id: r.reason for r in sample.records}


# -- worked examples ------------------------------------------------------------------------------


def test_a_very_high_risk_record_not_scrutinised_for_three_months_is_always_included() -> None:
    candidates = [
        Candidate(1, 10, "very_high", dt.date(2026, 7, 2)),  # over 3 months ago
        Candidate(2, 10, "very_high", None),  # never
        Candidate(3, 10, "very_high", ENDING - dt.timedelta(days=60)),  # 2 months ago: not forced
        Candidate(4, 10, "very_high", dt.date(2026, 8, 20)),  # exactly 3 months: forced
        *[Candidate(i, 10, "high", None) for i in range(5, 12)],
    ]
    for seed in range(30):
        sample = draw(candidates, seed)
        musts = {r.offender_id for r in sample.records if r.must_include}
        assert musts == {1, 2, 4}
        # three must-includes already exceed the manager's two: nothing else is drawn
        assert set(ids(sample)) == {1, 2, 4}
    words = reasons(draw(candidates))
    assert words[1] == "very high risk, not scrutinised since 02/07/2026 (must include)"
    assert words[2] == "very high risk, never scrutinised (must include)"


def test_must_includes_count_towards_the_managers_number() -> None:
    candidates = [
        Candidate(1, 10, "very_high", None),
        *[Candidate(i, 10, "low", None) for i in range(2, 9)],
    ]
    sample = draw(candidates)
    assert len(sample.records) == POLICY.records_per_manager
    assert sample.records[0].offender_id == 1 and sample.records[0].must_include
    assert not sample.records[1].must_include


def test_each_manager_gets_their_number_drawn_and_a_small_caseload_all_of_it() -> None:
    candidates = [
        *[Candidate(i, 10, "medium", None) for i in range(1, 9)],  # Ada: 8 records
        Candidate(20, 11, "low", None),  # Bram: 1 record
        *[Candidate(i, None, "high", None) for i in range(30, 34)],  # unallocated: 4
    ]
    sample = draw(candidates)
    per_manager = Counter(r.manager_id for r in sample.records)
    assert per_manager == {10: 2, 11: 1, None: 2}
    # grouped by manager in id order, the unallocated group last
    assert [r.manager_id for r in sample.records] == [10, 10, 11, None, None]


def test_a_record_from_the_previous_fortnight_is_drawn_again_only_when_it_must_be() -> None:
    candidates = [
        Candidate(1, 10, "very_high", dt.date(2026, 10, 1), in_previous_pack=True),
        Candidate(2, 10, "very_high", dt.date(2026, 10, 1), in_previous_pack=True),
        Candidate(3, 10, "low", dt.date(2026, 11, 6)),
    ]
    for seed in range(30):
        sample = draw(candidates, seed)
        assert ids(sample)[0] == 3  # the one fresh record first, however light its weight
        assert len(sample.records) == 2
    again = reasons(draw(candidates))[ids(draw(candidates))[1]]
    assert again == (
        "drawn: very high risk, last scrutinised 01/10/2026; in the previous fortnight's "
        "sample too: no other record of this manager left"
    )


def test_reasons_say_the_risk_and_when_the_record_was_last_scrutinised() -> None:
    sample = draw(
        [
            Candidate(1, 10, "high", dt.date(2026, 1, 14)),
            Candidate(2, 11, "medium", None),
            Candidate(3, 12, None, None),
        ]
    )
    assert reasons(sample) == {
        1: "drawn: high risk, last scrutinised 14/01/2026",
        2: "drawn: medium risk, never scrutinised",
        3: "drawn: no approved ARMS, never scrutinised",
    }


def test_heavier_records_are_drawn_more_often() -> None:
    """High risk never scrutinised weighs 4 x 25 = 100; low risk scrutinised last fortnight
    (printed, so not in this draw's previous pack) weighs 1 x 1 = 1."""
    one_each = ScrutinyPolicy.from_value({**DEFAULTS["scrutiny"], "records_per_manager": 1})
    candidates = [
        Candidate(1, 10, "low", ENDING - dt.timedelta(days=14)),
        Candidate(2, 10, "high", None),
    ]
    drawn = Counter(ids(draw(candidates, seed, one_each))[0] for seed in range(400))
    assert drawn[2] > drawn[1] * 20
    assert drawn[1] > 0  # light, but never impossible


def test_weights_come_from_the_policy() -> None:
    """With the low weight raised above the high one, the low-risk record wins instead."""
    flipped = ScrutinyPolicy.from_value(
        {"records_per_manager": 1, "risk_weights": {"low": 50, "high": 1}}
    )
    candidates = [Candidate(1, 10, "low", None), Candidate(2, 10, "high", None)]
    drawn = Counter(ids(draw(candidates, seed, flipped))[0] for seed in range(300))
    assert drawn[1] > drawn[2] * 10


def test_months_since_last_scrutiny_are_counted_whole_and_capped() -> None:
    assert months_since(None, ENDING) == MONTHS_CAP
    assert months_since(dt.date(2026, 10, 20), ENDING) == 1
    assert months_since(dt.date(2026, 10, 21), ENDING) == 0
    assert months_since(dt.date(2020, 1, 1), ENDING) == MONTHS_CAP


def test_the_must_include_months_are_a_policy_value() -> None:
    record = Candidate(1, 10, "very_high", dt.date(2026, 7, 15))  # four months before
    assert must_include(record, ENDING, POLICY)
    six = ScrutinyPolicy.from_value({"very_high_must_include_after_months": 6})
    assert not must_include(record, ENDING, six)
    assert not must_include(Candidate(2, 10, "high", None), ENDING, POLICY)


def test_the_method_text_says_how_the_sample_was_drawn_from_the_policy_values() -> None:
    text = method_text(POLICY, 20261120)
    assert "not scrutinised in the last 3 months" in text
    assert "each offender manager has 2 records" in text
    assert "very high 8, high 4, medium 2, low 1" in text
    assert "seed 20261120" in text
    other = ScrutinyPolicy.from_value(
        {"records_per_manager": 1, "very_high_must_include_after_months": 6}
    )
    changed = method_text(other, 5)
    assert "last 6 months" in changed and "has 1 record in" in changed


def test_an_unusable_policy_value_falls_back_to_the_default() -> None:
    broken = ScrutinyPolicy.from_value(
        {"records_per_manager": "two", "risk_weights": {"high": "heavy"}, "extra": 1}
    )
    assert broken == POLICY
    assert ScrutinyPolicy.from_value(None) == POLICY


def test_the_default_seed_is_the_fortnights_last_day() -> None:
    assert default_seed(ENDING) == 20261120


def test_the_same_seed_gives_the_same_sample_and_another_team_another() -> None:
    candidates = [Candidate(i, 10 + i % 3, "medium", None) for i in range(1, 40)]
    assert ids(draw(candidates, 99)) == ids(draw(list(reversed(candidates)), 99))
    samples = {
        tuple(
            ids(
                draw_sample(
                    candidates, team_id=team, fortnight_ending=ENDING, seed=99, policy=POLICY
                )
            )
        )
        for team in range(1, 8)
    }
    assert len(samples) > 1


# -- properties ---------------------------------------------------------------------------------

LEVELS = st.sampled_from([None, "low", "medium", "high", "very_high"])
LAST = st.one_of(st.none(), st.dates(min_value=dt.date(2023, 1, 1), max_value=ENDING))


@st.composite
def teams(draw_: st.DrawFn) -> list[Candidate]:
    count = draw_(st.integers(min_value=0, max_value=30))
    offender_ids = draw_(
        st.lists(
            st.integers(min_value=1, max_value=500), min_size=count, max_size=count, unique=True
        )
    )
    return [
        Candidate(
            offender_id=oid,
            manager_id=draw_(st.sampled_from([None, 1, 2, 3, 4])),
            risk_level=draw_(LEVELS),
            last_scrutinised=draw_(LAST),
            in_previous_pack=draw_(st.booleans()),
        )
        for oid in offender_ids
    ]


POLICIES = st.builds(
    lambda per, months, weights: ScrutinyPolicy.from_value(
        {
            "records_per_manager": per,
            "very_high_must_include_after_months": months,
            "risk_weights": dict(zip(["very_high", "high", "medium", "low"], weights, strict=True)),
        }
    ),
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=12),
    st.lists(st.integers(min_value=0, max_value=10), min_size=4, max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(candidates=teams(), seed=st.integers(min_value=0, max_value=2**32), policy=POLICIES)
def test_sampling_properties(
    candidates: list[Candidate], seed: int, policy: ScrutinyPolicy
) -> None:
    sample = draw(candidates, seed, policy)
    chosen = ids(sample)
    by_id = {c.offender_id: c for c in candidates}

    # reproducible, whatever order the candidates come in
    assert chosen == ids(draw(list(reversed(candidates)), seed, policy))
    # a subset of the candidates, nobody twice
    assert set(chosen) <= set(by_id) and len(chosen) == len(set(chosen))
    # every must-include is there and marked so
    musts = {c.offender_id for c in candidates if must_include(c, ENDING, policy)}
    assert {r.offender_id for r in sample.records if r.must_include} == musts
    # no manager gets more than their number, apart from must-includes
    for manager in {c.manager_id for c in candidates}:
        group = [c for c in candidates if c.manager_id == manager]
        in_sample = [r for r in sample.records if r.manager_id == manager]
        drawn = [r for r in in_sample if not r.must_include]
        forced = len(in_sample) - len(drawn)
        assert len(drawn) == min(max(0, policy.records_per_manager - forced), len(group) - forced)
        # a previous-fortnight record is drawn only when no fresh record of the manager was left
        picked = {r.offender_id for r in drawn}
        fresh_left = [
            c
            for c in group
            if not c.in_previous_pack and c.offender_id not in picked and c.offender_id not in musts
        ]
        if any(by_id[r.offender_id].in_previous_pack for r in drawn):
            assert not fresh_left
    # every record carries a reason
    assert all(r.reason for r in sample.records)
