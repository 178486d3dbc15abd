"""A small first set of statutory breaches for one offender on one day.

A later issue replaces this with the full notification-clock engine; until then these four rules
are what the caseload and the record show. Each breach is shown from the day after its deadline.

- release not recorded: the record still says custody after the expected release date;
- periodic notification overdue (s85): the annual date has passed while living in the community
  and no periodic notification has been received;
- PPN not submitted: a PPN still in draft more than 24 hours after the concern.

A notification the offender made but the hub has not yet processed is not the offender's breach:
it is an overdue hub task, shown as such and counted by the record-quality checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

RELEASE_NOT_RECORDED = "release_not_recorded"
PERIODIC_OVERDUE = "periodic_notification_overdue"
PPN_NOT_SUBMITTED = "ppn_not_submitted"


@dataclass(frozen=True, slots=True)
class Breach:
    rule: str  # one of the constants above
    due: dt.date  # the deadline that was missed
    text: str  # a sentence for the screen


@dataclass(frozen=True, slots=True)
class PendingNotification:
    kind: str  # a NotificationKind value
    due_on: dt.date | None


def breaches_on(
    on: dt.date,
    *,
    status: str,
    expected_release_on: dt.date | None,
    next_periodic_due: dt.date | None,
    received_notifications: Iterable[PendingNotification] = (),
    draft_ppn_concerns: Iterable[dt.datetime] = (),
    now: dt.datetime | None = None,
    ppn_submit_hours: int = 24,
) -> list[Breach]:
    """Every breach standing on `on`, oldest deadline first. `now` (aware) decides the PPN rule;
    without it, the end of `on` in UTC is used."""
    found: list[Breach] = []
    if status == "custody" and expected_release_on is not None and expected_release_on < on:
        found.append(
            Breach(
                RELEASE_NOT_RECORDED,
                expected_release_on,
                f"Release from custody expected on {_d(expected_release_on)} has not been "
                "recorded: the offender's whereabouts and risk are unknown.",
            )
        )
    received = list(received_notifications)
    periodic_made = any(n.kind == "periodic" for n in received)
    if (
        status == "community"
        and next_periodic_due is not None
        and next_periodic_due < on
        and not periodic_made
    ):
        found.append(
            Breach(
                PERIODIC_OVERDUE,
                next_periodic_due,
                f"Periodic notification was due by {_d(next_periodic_due)} and has not been made.",
            )
        )
    moment = now or end_of_london_day(on)
    limit = dt.timedelta(hours=ppn_submit_hours)
    for concern_at in draft_ppn_concerns:
        deadline = concern_at + limit
        if moment > deadline:
            found.append(
                Breach(
                    PPN_NOT_SUBMITTED,
                    deadline.astimezone(LONDON).date(),
                    f"A PPN for a concern on {_d(concern_at.astimezone(LONDON).date())} was not "
                    f"submitted within {ppn_submit_hours} hours.",
                )
            )
    found.sort(key=lambda b: b.due)
    return found


def end_of_london_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` as people in England live it (the next London midnight), UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON).astimezone(
        dt.UTC
    ) - dt.timedelta(microseconds=1)


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
