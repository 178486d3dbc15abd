"""The s82 notification period (Sexual Offences Act 2003): how long an offender must notify.

From the sentence: 30 months' custody or more, life, IPP, or hospital with a restriction order:
indefinite. More than 6 and under 30 months: 10 years. 6 months or less, or hospital without
restriction: 7 years. Caution: 2 years. Conditional discharge: its length. Anything else: 5 years.
Fixed periods halve for offenders under 18 at conviction. Indefinite notification may be reviewed
after 15 years (8 for a juvenile).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

INDEFINITE_KINDS = frozenset({"life", "ipp", "hospital_restriction"})


@dataclass(frozen=True)
class NotificationPeriod:
    """How long one conviction's notification requirement lasts (s82): a fixed number of months
    ending on `ends_on`, or indefinite and reviewable from `review_from`; `reason` is the rule
    applied, in words, for the record and the hub."""

    indefinite: bool
    months: int | None  # the fixed length, already halved for a juvenile
    ends_on: dt.date | None  # None when indefinite
    review_from: dt.date | None  # when an indefinite requirement may first be reviewed
    reason: str


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return relativedelta(on, date_of_birth).years


def notification_period(
    *,
    sentence_kind: str | None,
    sentence_months: int | None,
    starts_on: dt.date,
    date_of_birth: dt.date,
    convicted_on: dt.date,
) -> NotificationPeriod:
    """The period for one conviction. `starts_on` is the date the period runs from (the date of
    conviction, caution or finding, s82(6)); `sentence_months` is the custody length or, for a
    conditional discharge, the discharge's length."""
    juvenile = age_on(date_of_birth, convicted_on) < 18
    kind = sentence_kind or "other"
    if kind in INDEFINITE_KINDS or (kind == "custody" and (sentence_months or 0) >= 30):
        review_years = 8 if juvenile else 15
        return NotificationPeriod(
            indefinite=True,
            months=None,
            ends_on=None,
            review_from=starts_on + relativedelta(years=review_years),
            reason=_indefinite_reason(kind),
        )
    if kind == "custody":
        months = 120 if (sentence_months or 0) > 6 else 84
        reason = (
            "custody of more than 6 and under 30 months: 10 years"
            if months == 120
            else "custody of 6 months or less: 7 years"
        )
    elif kind == "hospital":
        months, reason = 84, "hospital order without restriction: 7 years"
    elif kind == "caution":
        months, reason = 24, "caution: 2 years"
    elif kind == "conditional_discharge":
        months = max(sentence_months or 0, 0)
        reason = f"conditional discharge: its length ({months} months)"
    else:
        months, reason = 60, "any other disposal: 5 years"
    # A conditional discharge's period is its own length; s82(2) halves only the table's periods.
    if juvenile and kind != "conditional_discharge":
        months //= 2
        reason += ", halved: under 18 at conviction"
    return NotificationPeriod(
        indefinite=False,
        months=months,
        ends_on=starts_on + relativedelta(months=months),
        review_from=None,
        reason=reason,
    )


def _indefinite_reason(kind: str) -> str:
    return {
        "life": "life sentence: indefinite",
        "ipp": "imprisonment for public protection: indefinite",
        "hospital_restriction": "hospital order with restriction: indefinite",
    }.get(kind, "custody of 30 months or more: indefinite")
