"""RM2000 categories and ARMS review dates: worked examples and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.rules.risk import (
    LEVELS,
    aggravation_steps,
    arms_next_review,
    level_rank,
    raise_levels,
    review_brought_forward,
    rm2000_category,
    rm2000_result,
)

scores = st.integers(min_value=0, max_value=40)
aggravating = st.integers(min_value=0, max_value=4)
levels = st.sampled_from(LEVELS)
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


@pytest.mark.parametrize(
    ("score", "category"),
    [(0, "low"), (1, "low"), (2, "medium"), (3, "medium"), (4, "high"), (5, "high")]
    + [(6, "very_high"), (7, "very_high"), (30, "very_high")],
)
def test_category_bands(score: int, category: str) -> None:
    assert rm2000_category(score) == category


def test_negative_score_and_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        rm2000_category(-1)
    with pytest.raises(ValueError):
        aggravation_steps(5)
    with pytest.raises(ValueError):
        aggravation_steps(-1)
    with pytest.raises(ValueError):
        raise_levels("low", -1)
    with pytest.raises(ValueError):
        raise_levels("severe", 1)


def test_aggravating_factors_raise_the_sexual_category() -> None:
    assert [aggravation_steps(n) for n in range(5)] == [0, 0, 1, 1, 2]
    # sexual 2 (medium): two aggravating factors make it high, four make it very high
    assert rm2000_result(2, 0, 0).sexual_category == "medium"
    assert rm2000_result(2, 0, 2).sexual_category == "high"
    assert rm2000_result(2, 0, 3).sexual_category == "high"
    assert rm2000_result(2, 0, 4).sexual_category == "very_high"
    assert rm2000_result(5, 0, 4).sexual_category == "very_high"  # capped


def test_worked_result() -> None:
    result = rm2000_result(3, 2, 2)
    assert result.sexual_category == "high"  # medium raised one
    assert result.violent_category == "medium"  # no aggravation on the violent scale
    assert result.combined_score == 5
    assert result.combined_category == "very_high"  # 5 is high, raised one


def test_raise_levels_caps() -> None:
    assert raise_levels("low", 0) == "low"
    assert raise_levels("low", 2) == "high"
    assert raise_levels("high", 5) == "very_high"


@given(scores, scores)
def test_category_is_monotone_in_score(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert level_rank(rm2000_category(lo)) <= level_rank(rm2000_category(hi))


@given(scores, scores, aggravating, aggravating)
def test_aggravation_never_lowers(sexual: int, violent: int, a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    low, high = rm2000_result(sexual, violent, lo), rm2000_result(sexual, violent, hi)
    assert level_rank(low.sexual_category) <= level_rank(high.sexual_category)
    assert level_rank(low.combined_category) <= level_rank(high.combined_category)
    base = rm2000_category(sexual)
    assert level_rank(rm2000_result(sexual, violent, lo).sexual_category) >= level_rank(base)


@given(scores, scores, aggravating)
def test_combined_is_never_below_either_scale(sexual: int, violent: int, agg: int) -> None:
    result = rm2000_result(sexual, violent, agg)
    assert result.combined_score == sexual + violent
    assert level_rank(result.combined_category) >= level_rank(result.sexual_category)
    assert level_rank(result.combined_category) >= level_rank(result.violent_category)


@given(levels, st.integers(min_value=0, max_value=6))
def test_raising_never_lowers_and_moves_at_most_steps(level: str, steps: int) -> None:
    raised = raise_levels(level, steps)
    assert level_rank(level) <= level_rank(raised) <= level_rank(level) + steps


# -- ARMS review dates ---------------------------------------------------------------------------


def test_review_worked_examples() -> None:
    assessed = dt.date(2024, 6, 12)
    assert arms_next_review(assessed) == dt.date(2025, 6, 12)
    assert arms_next_review(assessed, requested=dt.date(2024, 12, 1)) == dt.date(2024, 12, 1)
    assert arms_next_review(assessed, requested=dt.date(2026, 1, 1)) == dt.date(2025, 6, 12)
    assert arms_next_review(assessed, requested=dt.date(2024, 1, 1)) == assessed
    assert arms_next_review(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert arms_next_review(assessed, months=6) == dt.date(2024, 12, 12)


def test_brought_forward_examples() -> None:
    # a release on 01/07/2024 brings a review due 12/06/2025 to 01/08/2024
    assert review_brought_forward(dt.date(2025, 6, 12), dt.date(2024, 7, 1)) == dt.date(2024, 8, 1)
    # a review already sooner stays
    assert review_brought_forward(dt.date(2024, 7, 10), dt.date(2024, 7, 1)) == dt.date(2024, 7, 10)
    assert review_brought_forward(None, dt.date(2024, 7, 1)) == dt.date(2024, 8, 1)
    assert review_brought_forward(
        dt.date(2025, 6, 12), dt.date(2024, 7, 1), within_months=2
    ) == dt.date(2024, 9, 1)


@given(days, st.one_of(st.none(), days), st.integers(min_value=1, max_value=24))
def test_review_never_later_than_default_nor_before_assessment(
    assessed: dt.date, requested: dt.date | None, months: int
) -> None:
    default = arms_next_review(assessed, months=months)
    review = arms_next_review(assessed, months=months, requested=requested)
    assert assessed <= review <= default
    if requested is not None and assessed <= requested <= default:
        assert review == requested


@given(days, days, st.integers(min_value=1, max_value=12))
def test_bringing_forward_never_puts_a_review_off(
    current: dt.date, event: dt.date, within: int
) -> None:
    moved = review_brought_forward(current, event, within_months=within)
    assert moved <= current
    assert moved == current or moved > event
