"""Statutory deadlines from the database: worked examples on both databases, the caseload, the
record and `pillars due` agreeing, and the pure breach rules (the hub's periodic date, what is
outstanding, the PPN deadline)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from db.engine import make_engine, session_factory
from db.enums import NotificationKind, NotificationState, OffenderStatus, SentenceKind
from db.models import Conviction, Notification, Offender
from desktop.rules import breaches
from desktop.rules.breaches import ClockFacts
from desktop.rules.notification_clocks import Event, Pause
from desktop.services.core import Services
from desktop.services.due import DueReport, clocks_for
from tests.desktop.factories import PASSWORD, WORLD_TODAY, World, populate, world_clock
from tests.desktop.test_notification_clocks import days, events_, pauses_

TODAY = WORLD_TODAY
DAY = dt.timedelta(days=1)
YEAR = relativedelta(years=1)


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _write(db_url: str, change: Callable[[Session], None]) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            change(session)
    finally:
        engine.dispose()


def _notify(
    offender_id: int,
    kind: NotificationKind,
    event_on: dt.date,
    notified_on: dt.date,
    *,
    state: NotificationState = NotificationState.PROCESSED,
    details: dict[str, object] | None = None,
) -> Notification:
    return Notification(
        offender_id=offender_id,
        kind=kind,
        event_on=event_on,
        notified_on=notified_on,
        due_on=event_on + 3 * DAY,
        state=state,
        details=details or {},
    )


def _set_periodic(db_url: str, offender_id: int, last_notified: dt.date, stored: dt.date) -> None:
    """A periodic notification made on `last_notified`, processed; the hub's date `stored`."""

    def change(session: Session) -> None:
        session.add(_notify(offender_id, NotificationKind.PERIODIC, last_notified, last_notified))
        offender = session.get(Offender, offender_id)
        assert offender is not None
        offender.next_periodic_due = stored

    _write(db_url, change)


def _everywhere(services: Services, world: World, attr: str) -> tuple[list[str], int, list[str]]:
    """One offender's breaches (rules) in the record, the caseload's count, and the report's
    rules: the three places an officer sees them."""
    elsie = services.auth.sign_in("elsie", PASSWORD)
    offender_id = getattr(world, attr)
    record = services.records.open(elsie, offender_id)
    row = next(
        r for r in services.caseload.load(elsie, "force").rows if r.offender_id == offender_id
    )
    reference = world.references[attr]
    report = services.due.report()
    return (
        [b.rule for b in record.breaches],
        row.breaches,
        [i.rule for i in report.breaches if i.offender == reference],
    )


def _due(report: DueReport, world: World, attr: str) -> list[tuple[str, dt.date]]:
    return [(i.rule, i.date) for i in report.due if i.offender == world.references[attr]]


# -- worked examples on both databases ------------------------------------------------------------


def test_a_change_of_address_notified_late_then_processed_is_history_not_a_breach(
    services: Services, world: World, db_url: str
) -> None:
    moved = TODAY - 20 * DAY  # due by TODAY - 17; notified 5 days late
    _write(
        db_url,
        lambda s: s.add(
            _notify(
                world.percival,
                NotificationKind.CHANGE_OF_ADDRESS,
                moved,
                TODAY - 12 * DAY,
                details={"line1": "2 Fictional Row", "postcode": "ZZ4 9ZZ"},
            )
        ),
    )
    assert _everywhere(services, world, "percival") == ([], 0, [])
    with services.transaction() as session:
        history = clocks_for(session, Offender.id == world.percival, TODAY)[world.percival]
    late = next(c for c in history if c.rule == "change_of_address")
    assert (late.due, late.satisfied_on, late.state, late.late) == (
        moved + 3 * DAY,
        TODAY - 12 * DAY,
        "breach",
        True,
    )
    assert "made late, on 31/05/2024" in late.text
    # the change resets the periodic year from the day it was notified
    periodic = next(c for c in history if c.rule == "periodic")
    assert periodic.due == TODAY - 12 * DAY + YEAR and periodic.state == "due"


def test_a_periodic_notification_overdue_is_a_breach_everywhere(
    services: Services, world: World, db_url: str
) -> None:
    last = TODAY - YEAR - 10 * DAY
    _set_periodic(db_url, world.percival, last, last + YEAR)
    assert _everywhere(services, world, "percival") == (["periodic"], 1, ["periodic"])
    item = next(i for i in services.due.report().breaches if i.offender == "ZZ/2021/010010")
    assert item.date == TODAY - 10 * DAY
    assert item.statute == "s85(1), s85(3)-(4)"
    assert item.text == (
        "Periodic notification, a year after the notification on 02/06/2023, was due by "
        "02/06/2024 and has not been made."
    )
    assert (item.name, item.team, item.manager) == (
        "Percival Gumboot",
        "Alder",
        "Bramwell Tiddlecombe",
    )


def test_a_trip_abroad_over_the_anniversary_carries_the_periodic_date_on(
    services: Services, world: World, db_url: str
) -> None:
    """s85(3): the year ended on TODAY - 5 while the offender was abroad (TODAY - 10 to TODAY - 1),
    so the notification is due 3 days after the return: not a breach, due in 2 days."""
    last = TODAY - YEAR - 5 * DAY
    _set_periodic(db_url, world.percival, last, last + YEAR)
    trip = {"departure": (TODAY - 10 * DAY).isoformat(), "return": (TODAY - DAY).isoformat()}
    _write(
        db_url,
        lambda s: s.add(
            _notify(
                world.percival,
                NotificationKind.FOREIGN_TRAVEL,
                TODAY - 10 * DAY,
                TODAY - 30 * DAY,
                details={**trip, "destinations": ["Freedonia (fictional)"]},
            )
        ),
    )
    assert _everywhere(services, world, "percival") == ([], 0, [])
    report = services.due.report()
    assert _due(report, world, "percival") == [("periodic", TODAY + 2 * DAY)]
    item = next(i for i in report.due if i.offender == world.references["percival"])
    assert "falls while the offender is abroad (to 11/06/2024)" in item.text


def test_custody_over_the_anniversary_carries_the_periodic_date_on(
    services: Services, world: World, db_url: str
) -> None:
    """Past custody from the sentence (the conviction) to the day the record says the offender
    came back: the year ended inside it, so the date is 3 days after the release."""
    last = TODAY - YEAR - 30 * DAY
    _set_periodic(db_url, world.percival, last, last + YEAR)

    def sentence(session: Session) -> None:
        session.add(
            Conviction(
                offender_id=world.percival,
                offence="Fictional offence under s.7 Invented Act",
                convicted_on=TODAY - 220 * DAY,
                sentenced_on=TODAY - 200 * DAY,
                sentence_kind=SentenceKind.CUSTODY,
                sentence_months=12,
            )
        )
        offender = session.get(Offender, world.percival)
        assert offender is not None
        offender.status_since = TODAY - DAY

    _write(db_url, sentence)
    assert _everywhere(services, world, "percival") == ([], 0, [])
    assert _due(services.due.report(), world, "percival") == [("periodic", TODAY + 2 * DAY)]


def test_an_old_sentence_whose_release_is_not_known_does_not_pause_the_years_since(
    services: Services, world: World, db_url: str
) -> None:
    """Custody ten years ago, its release not on the record; back in custody (a recall) for 60
    days. The periodic date 100 days ago fell in the community: it is a breach, not paused."""
    last = TODAY - YEAR - 100 * DAY
    _set_periodic(db_url, world.percival, last, last + YEAR)

    def recall(session: Session) -> None:
        session.add(
            Conviction(
                offender_id=world.percival,
                offence="Fictional offence under s.3 Madeup Act",
                convicted_on=TODAY - relativedelta(years=10),
                sentenced_on=TODAY - relativedelta(years=10),
                sentence_kind=SentenceKind.CUSTODY,
                sentence_months=40,
            )
        )
        offender = session.get(Offender, world.percival)
        assert offender is not None
        offender.status = OffenderStatus.CUSTODY
        offender.status_since = TODAY - 60 * DAY

    _write(db_url, recall)
    assert _everywhere(services, world, "percival") == (["periodic"], 1, ["periodic"])
    item = next(i for i in services.due.report().breaches if i.rule == "periodic")
    assert item.date == TODAY - 100 * DAY


def test_custody_now_holds_the_periodic_date_and_the_unrecorded_release_is_a_breach(
    services: Services, world: World, db_url: str
) -> None:
    """Barnaby: in custody on the record, release expected 5 days ago. His periodic date has
    passed too, but it fell while in custody: only the unrecorded release is a breach."""

    def stale(session: Session) -> None:
        offender = session.get(Offender, world.barnaby)
        assert offender is not None
        offender.next_periodic_due = TODAY - 30 * DAY

    _write(db_url, stale)
    assert _everywhere(services, world, "barnaby") == (
        ["release_not_recorded"],
        1,
        ["release_not_recorded"],
    )
    report = services.due.report()
    item = next(i for i in report.breaches if i.offender == world.references["barnaby"])
    assert (item.date, item.statute) == (TODAY - 5 * DAY, "s84(1)(d)")
    assert "07/06/2024 has not been recorded" in item.text


def test_a_received_notification_not_yet_processed_is_not_the_offenders_breach(
    services: Services, world: World, db_url: str
) -> None:
    """The offender notified on time; the hub has not processed it, so the date on the record is
    stale. That is the hub's backlog, not the offender's breach."""
    last = TODAY - YEAR - 2 * DAY
    _set_periodic(db_url, world.percival, last, last + YEAR)
    assert _everywhere(services, world, "percival")[1] == 1  # before the notification
    _write(
        db_url,
        lambda s: s.add(
            _notify(
                world.percival,
                NotificationKind.PERIODIC,
                last + YEAR,
                TODAY - 4 * DAY,
                state=NotificationState.RECEIVED,
            )
        ),
    )
    assert _everywhere(services, world, "percival") == ([], 0, [])
    # Ignatius's change of address waits for the hub past its deadline: an open task only.
    assert _everywhere(services, world, "ignatius") == ([], 0, [])


def test_the_caseload_the_record_and_the_report_agree_on_the_test_world(
    services: Services, world: World
) -> None:
    elsie = services.auth.sign_in("elsie", PASSWORD)
    rows = services.caseload.load(elsie, "force").rows
    report = services.due.report()
    in_report = Counter(i.offender for i in report.breaches)
    for row in rows:
        record = services.records.open(elsie, row.offender_id)
        assert row.breaches == len(record.breaches) == in_report[row.reference], row.name
    assert {row.name for row in rows if row.breaches} == {"Barnaby Custard", "Horatio Fiddlesticks"}
    assert [(i.offender, i.rule) for i in report.breaches] == [
        (world.references["barnaby"], "release_not_recorded"),
        (world.references["horatio"], "ppn_not_submitted"),
    ]
    # overdue visits: the caseload's own flags
    overdue = sorted((row.next_visit_due, row.reference) for row in rows if row.visit_overdue)
    assert [(v.date, v.offender) for v in report.overdue_visits] == overdue
    assert overdue  # Horatio, at least


def test_the_report_as_json(services: Services, world: World) -> None:
    doc = services.due.report(within_days=160).as_json()
    assert set(doc) == {"breaches", "due", "overdue_visits"}
    for item in doc["breaches"] + doc["due"]:
        ppn = {"ppn_id", "grade", "concern_at", "deadline", "officer"}
        assert set(item) == {
            "offender",
            "name",
            "team",
            "manager",
            "rule",
            "date",
            "statute",
            "text",
        } | (ppn if item["rule"].startswith("ppn_") else set())
    for item in doc["overdue_visits"]:
        assert set(item) == {
            "offender",
            "name",
            "team",
            "manager",
            "rule",
            "date",
            "last_seen",
            "text",
        }
        assert item["rule"] == "visit_overdue"
    horatio = next(v for v in doc["overdue_visits"] if v["name"] == "Horatio Fiddlesticks")
    assert horatio["last_seen"] == (TODAY - relativedelta(months=3)).isoformat()
    assert "last seen 12/03/2024" in horatio["text"]
    for section in doc.values():
        keys = [(item["date"], item["offender"]) for item in section]
        assert keys == sorted(keys)
    # the hub's periodic date 5 months on is inside 160 days and not inside 7
    zebedee = world.references["zebedee"]
    periodic = [i for i in doc["due"] if i["offender"] == zebedee]
    assert [(i["rule"], i["date"]) for i in periodic] == [
        ("periodic", (TODAY + relativedelta(months=5)).isoformat())
    ]
    assert not [i for i in services.due.report().due if i.offender == zebedee]


def test_the_report_on_another_day(services: Services, world: World) -> None:
    """Judged on an earlier day: the day before Barnaby's expected release, and before the concern
    behind Horatio's PPN, so neither is a breach yet."""
    report = services.due.report(on=TODAY - 6 * DAY)
    assert report.on == TODAY - 6 * DAY
    assert [i.rule for i in report.breaches] == []
    # the day before: Horatio's PPN is still to be submitted, by 05:00 BST on 12/06
    report = services.due.report(on=TODAY - DAY)
    assert [(i.offender, i.rule, i.date) for i in report.due] == [
        (world.references["horatio"], "ppn_submission", TODAY)
    ]
    assert report.due[0].text == (
        "A PPN for a concern on 11/06/2024 is to be submitted by 05:00 on 12/06/2024, 24 hours "
        "after it."
    )
    with pytest.raises(ValueError, match="days ahead"):
        services.due.report(within_days=-1)


# -- the breach rules (pure) ----------------------------------------------------------------------


def facts(**changes: object) -> ClockFacts:
    base: dict[str, object] = {
        "events": (),
        "pauses": (),
        "status": "community",
        "next_periodic_due": TODAY + 100 * DAY,
    }
    base.update(changes)
    return ClockFacts(**base)  # type: ignore[arg-type]


def test_release_not_recorded() -> None:
    held = facts(status="custody", expected_release_on=TODAY - DAY)
    found = breaches.breaches_on(held, TODAY)
    assert [(b.rule, b.due) for b in found] == [(breaches.RELEASE_NOT_RECORDED, TODAY - DAY)]
    assert "11/06/2024" in found[0].text
    assert not breaches.breaches_on(facts(status="custody", expected_release_on=TODAY), TODAY)


def test_the_hub_date_stands_alone_without_history() -> None:
    found = breaches.breaches_on(facts(next_periodic_due=TODAY - 3 * DAY), TODAY)
    assert [(b.rule, b.due) for b in found] == [("periodic", TODAY - 3 * DAY)]
    assert found[0].text == (
        "Periodic notification was due by 09/06/2024 and has not been made (the date on the "
        "record)."
    )
    weekly = breaches.breaches_on(
        facts(next_periodic_due=TODAY - 3 * DAY, no_fixed_abode=True), TODAY
    )
    assert [b.rule for b in weekly] == ["no_fixed_abode"]


def test_the_hub_date_passing_while_away_runs_on_to_3_days_after() -> None:
    abroad = facts(
        next_periodic_due=TODAY - 3 * DAY,
        pauses=(Pause(TODAY - 5 * DAY, TODAY - DAY, "abroad"),),
    )
    assert breaches.breaches_on(abroad, TODAY) == []
    [clock] = breaches.statutory_clocks(abroad, TODAY)
    assert (clock.due, clock.state) == (TODAY + 2 * DAY, "due")
    held = facts(
        next_periodic_due=TODAY - 3 * DAY,
        status="hospital",
        pauses=(Pause(TODAY - 10 * DAY, None, "hospital"),),
    )
    [clock] = breaches.statutory_clocks(held, TODAY)
    assert (clock.due, clock.state, clock.paused) == (TODAY + 3 * DAY, "due", True)
    assert "in hospital" in clock.text


def test_the_later_of_the_engines_date_and_the_hubs_is_the_open_link() -> None:
    older = Event("periodic", TODAY - YEAR - 5 * DAY, TODAY - YEAR - 5 * DAY)
    newer = Event("periodic", TODAY - 20 * DAY, TODAY - 20 * DAY)
    # the hub's date is later than the history it holds: the hub knows of a notification
    assert breaches.breaches_on(facts(events=(older,), next_periodic_due=TODAY + DAY), TODAY) == []
    # a notification newer than the hub's date (received, not yet processed) wins
    stale = facts(events=(older, newer), next_periodic_due=TODAY - 5 * DAY)
    assert breaches.breaches_on(stale, TODAY) == []
    periodic = [c for c in breaches.statutory_clocks(stale, TODAY) if c.satisfied_on is None]
    assert [c.due for c in periodic] == [TODAY - 20 * DAY + YEAR]
    # both passed: the later of the two is the deadline missed
    both = facts(events=(older,), next_periodic_due=TODAY - 2 * DAY)
    assert [b.due for b in breaches.breaches_on(both, TODAY)] == [TODAY - 2 * DAY]
    # without a date on the record the engine's chain stands
    engine = facts(events=(older,), next_periodic_due=None)
    assert [b.due for b in breaches.breaches_on(engine, TODAY)] == [TODAY - 5 * DAY]


def test_a_late_notification_is_not_outstanding_but_an_unnotified_one_is() -> None:
    late = Event("change_of_name", TODAY - 10 * DAY, TODAY - 2 * DAY)
    assert breaches.breaches_on(facts(events=(late,)), TODAY) == []
    told = Event("advance_notice", TODAY - 10 * DAY)  # the move never happened; nobody said
    [breach] = breaches.breaches_on(facts(events=(told,)), TODAY)
    assert (breach.rule, breach.due) == ("advance_notice", TODAY - 4 * DAY)


def test_a_late_ppn_is_a_breach_dated_in_england() -> None:
    """A concern at 00:30 on 05/06/2024 in England is 23:30 on 04/06 in UTC: the breach speaks
    of 05/06 and falls due on 06/06, as an officer counts the days."""
    concern = dt.datetime(2024, 6, 4, 23, 30, tzinfo=dt.UTC)  # 00:30 BST on 05/06/2024
    found = breaches.breaches_on(facts(draft_ppn_concerns=(concern,)), dt.date(2024, 6, 7))
    assert [(b.rule, b.due) for b in found] == [(breaches.PPN_NOT_SUBMITTED, dt.date(2024, 6, 6))]
    assert "concern on 05/06/2024" in found[0].text
    assert "within 24 hours" in found[0].text


def test_without_a_clock_the_day_ends_at_london_midnight() -> None:
    """Judged for a day with no clock, the day ends at midnight in England: a deadline at 00:30
    BST the next day (23:30 UTC on the day) has not passed yet."""
    concern = dt.datetime(2024, 6, 4, 23, 30, tzinfo=dt.UTC)  # deadline 23:30 UTC on 05/06
    assert breaches.end_of_london_day(dt.date(2024, 6, 5)) == dt.datetime(
        2024, 6, 5, 22, 59, 59, 999999, tzinfo=dt.UTC
    )
    assert not breaches.breaches_on(facts(draft_ppn_concerns=(concern,)), dt.date(2024, 6, 5))
    now = dt.datetime(2024, 6, 5, 23, 31, tzinfo=dt.UTC)
    assert breaches.late_ppns([concern], dt.date(2024, 6, 5), now=now)


@given(
    events=events_(),
    pauses=pauses_(),
    on=days,
    stored=st.none() | days,
    status=st.sampled_from([s.value for s in OffenderStatus]),
    nfa=st.booleans(),
    period=st.none() | days,
)
@settings(max_examples=300, deadline=None)
def test_the_quick_paths_give_the_same_breaches_as_the_whole_history(
    events: list[Event],
    pauses: list[Pause],
    on: dt.date,
    stored: dt.date | None,
    status: str,
    nfa: bool,
    period: dt.date | None,
) -> None:
    """`breaches_on` skips the history that cannot matter (clocks already met, and the whole
    engine while the hub's date holds): the answer is the same as from every clock."""
    whole = facts(
        events=tuple(events),
        pauses=tuple(pauses),
        status=status,
        next_periodic_due=stored,
        no_fixed_abode=nfa,
        period_ends_on=period,
    )
    every_clock = breaches.statutory_clocks(whole, on)
    expected = sorted(breaches.outstanding(every_clock), key=lambda b: (b.due, b.rule, b.text))
    assert breaches.breaches_on(whole, on) == expected
    assert breaches.due_between(
        breaches.statutory_clocks(whole, on, met=False), on, on + 7 * DAY
    ) == breaches.due_between(every_clock, on, on + 7 * DAY)


@given(events=events_(), pauses=pauses_(), on=days, stored=days)
@settings(max_examples=200, deadline=None)
def test_the_open_periodic_link_is_never_before_the_hubs_date(
    events: list[Event], pauses: list[Pause], on: dt.date, stored: dt.date
) -> None:
    found = breaches.statutory_clocks(
        facts(events=tuple(events), pauses=tuple(pauses), next_periodic_due=stored), on
    )
    for clock in found:
        if clock.rule in breaches.PERIODIC_RULES and clock.satisfied_on is None:
            assert clock.due >= stored
