"""Dates as the users write them (dd/mm/yyyy) and timestamps in Europe/London."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def fmt_date(value: dt.date | None, empty: str = "") -> str:
    """`dd/mm/yyyy`, or `empty` for no date."""
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        value = to_london(value).date()
    return value.strftime("%d/%m/%Y")


def to_london(value: dt.datetime) -> dt.datetime:
    """Stored timestamps are UTC; a naive one is taken to be UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LONDON)


def fmt_timestamp(value: dt.datetime | None, empty: str = "") -> str:
    """`dd/mm/yyyy HH:MM` in Europe/London."""
    if value is None:
        return empty
    return to_london(value).strftime("%d/%m/%Y %H:%M")


def date_text_for_edit(value: dt.date | None) -> str:
    """What an edit field starts with: the same text a person would type."""
    return fmt_date(value)


def parse_typed_date(text: str) -> dt.date | None:
    """The date a person has typed so far, or None while it is not (yet) a whole date: for live
    previews only; the services validate what is saved."""
    from desktop.rules.validation import InvalidField, parse_date

    try:
        return parse_date(text, "date", required=False)
    except InvalidField:
        return None
