"""The s82 notification period: worked examples and the juvenile halving."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from desktop.rules.periods import age_on, notification_period

CONVICTED = dt.date(2020, 3, 1)
ADULT = dt.date(1980, 6, 15)
JUVENILE = dt.date(2004, 6, 15)  # 15 at conviction


def period(kind: str | None, months: int | None = None, born: dt.date = ADULT):
    return notification_period(
        sentence_kind=kind,
        sentence_months=months,
        starts_on=CONVICTED,
        date_of_birth=born,
        convicted_on=CONVICTED,
    )


@pytest.mark.parametrize(
    "kind, months, years, extra_months",
    [
        ("custody", 29, 10, 0),
        ("custody", 12, 10, 0),
        ("custody", 7, 10, 0),
        ("custody", 6, 7, 0),
        ("custody", 1, 7, 0),
        ("hospital", None, 7, 0),
        ("caution", None, 2, 0),
        ("conditional_discharge", 18, 1, 6),
        ("conditional_discharge", 36, 3, 0),
        ("community_order", None, 5, 0),
        ("suspended", 12, 5, 0),
        ("fine", None, 5, 0),
        (None, None, 5, 0),
    ],
)
def test_fixed_periods_for_adults(
    kind: str | None, months: int | None, years: int, extra_months: int
) -> None:
    result = period(kind, months)
    assert not result.indefinite
    assert result.months == years * 12 + extra_months
    assert result.ends_on == CONVICTED + relativedelta(years=years, months=extra_months)
    assert result.review_from is None


@pytest.mark.parametrize(
    "kind, months",
    [
        ("custody", 30),
        ("custody", 120),
        ("life", None),
        ("ipp", None),
        ("hospital_restriction", None),
    ],
)
def test_indefinite(kind: str, months: int | None) -> None:
    result = period(kind, months)
    assert result.indefinite and result.ends_on is None and result.months is None
    assert result.review_from == dt.date(2035, 3, 1)  # 15 years
    assert period(kind, months, born=JUVENILE).review_from == dt.date(2028, 3, 1)  # 8 years


def test_juvenile_examples() -> None:
    assert period("custody", 12, born=JUVENILE).ends_on == dt.date(2025, 3, 1)  # 10 → 5 years
    assert period("custody", 6, born=JUVENILE).months == 42  # 7 years → 3 years 6 months
    assert period("caution", born=JUVENILE).ends_on == dt.date(2021, 3, 1)  # 2 → 1 year
    assert period("fine", born=JUVENILE).months == 30  # 5 years → 2 years 6 months
    # a conditional discharge lasts its own length, juvenile or not
    assert period("conditional_discharge", 18, born=JUVENILE).months == 18
    assert "halved" in period("caution", born=JUVENILE).reason


def test_eighteenth_birthday_on_conviction_day_is_an_adult() -> None:
    born = dt.date(2002, 3, 1)
    assert age_on(born, CONVICTED) == 18
    assert period("caution", born=born).months == 24
    assert period("caution", born=born + dt.timedelta(days=1)).months == 12


fixed_sentences = st.one_of(
    st.tuples(st.just("custody"), st.integers(min_value=0, max_value=29)),
    st.tuples(
        st.sampled_from(["hospital", "caution", "community_order", "suspended", "fine"]),
        st.none() | st.integers(min_value=0, max_value=60),
    ),
)


@given(
    sentence=fixed_sentences,
    convicted=st.dates(min_value=dt.date(1997, 9, 1), max_value=dt.date(2040, 1, 1)),
    age_days=st.integers(min_value=10 * 365, max_value=80 * 365),
)
def test_fixed_periods_halve_under_18(
    sentence: tuple[str, int | None], convicted: dt.date, age_days: int
) -> None:
    kind, months = sentence
    born = convicted - dt.timedelta(days=age_days)
    as_juvenile = notification_period(
        sentence_kind=kind,
        sentence_months=months,
        starts_on=convicted,
        date_of_birth=born,
        convicted_on=convicted,
    )
    as_adult = notification_period(
        sentence_kind=kind,
        sentence_months=months,
        starts_on=convicted,
        date_of_birth=convicted - relativedelta(years=30),
        convicted_on=convicted,
    )
    assert not as_adult.indefinite and not as_juvenile.indefinite
    assert as_adult.months is not None and as_juvenile.months is not None
    if age_on(born, convicted) < 18:
        assert as_juvenile.months == as_adult.months // 2
    else:
        assert as_juvenile.months == as_adult.months
    assert as_juvenile.ends_on == convicted + relativedelta(months=as_juvenile.months)


@given(
    months=st.integers(min_value=30, max_value=600),
    born=st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2010, 1, 1)),
)
def test_thirty_months_or_more_is_indefinite_at_any_age(months: int, born: dt.date) -> None:
    convicted = dt.date(2024, 1, 1)
    assert notification_period(
        sentence_kind="custody",
        sentence_months=months,
        starts_on=convicted,
        date_of_birth=born,
        convicted_on=convicted,
    ).indefinite
