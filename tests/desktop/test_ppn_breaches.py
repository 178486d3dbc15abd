"""PPN steps as breaches (issue #7 item 2): the submission and the follow-up with children's
social care, worked examples of the pure rule, and the caseload (the sergeant's team view), the
record and `pillars due` agreeing on a world with a late PPN and an overdue follow-up, on both
databases."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.engine import make_engine, session_factory
from db.enums import PpnGrade, PpnState
from db.models import Ppn
from desktop.rules import breaches
from desktop.rules.breaches import ClockFacts, PpnFacts
from desktop.services.core import Services
from tests.desktop.factories import PASSWORD, WORLD_NOW, WORLD_TODAY, World, populate, world_clock

UTC = dt.UTC
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def _facts(*ppns: PpnFacts) -> ClockFacts:
    """An offender with nothing owed but their PPNs (the hub's periodic date well ahead)."""
    return ClockFacts(
        events=(),
        pauses=(),
        status="community",
        next_periodic_due=dt.date(2099, 1, 1),
        ppns=ppns,
    )


def _rules(facts: ClockFacts, on: dt.date, now: dt.datetime | None = None) -> list[str]:
    return [b.rule for b in breaches.breaches_on(facts, on, now=now)]


# -- worked examples (pure) -----------------------------------------------------------------------

# Submitted at 10:00 on 13/11/2026 (GMT): the follow-up is due on 20/11/2026.
CONCERN = dt.datetime(2026, 11, 13, 8, 0, tzinfo=UTC)
FOLLOW_UP_DAY = dt.date(2026, 11, 20)


def test_a_decision_recorded_on_the_follow_up_day_is_no_breach() -> None:
    decided = PpnFacts(CONCERN, "closed", FOLLOW_UP_DAY, decided=True, ppn_id=1)
    assert _rules(_facts(decided), dt.date(2026, 11, 22)) == []
    # recorded as a decision on an open PPN (state not yet closed): still met
    recorded = PpnFacts(CONCERN, "awaiting_social_care", FOLLOW_UP_DAY, decided=True, ppn_id=1)
    assert _rules(_facts(recorded), dt.date(2026, 11, 22)) == []


def test_no_decision_by_the_end_of_the_follow_up_day_is_a_breach_from_london_midnight() -> None:
    waiting = _facts(PpnFacts(CONCERN, "awaiting_social_care", FOLLOW_UP_DAY, ppn_id=7))
    last_moment = dt.datetime(2026, 11, 20, 23, 59, 59, tzinfo=UTC)  # GMT: London is UTC
    assert _rules(waiting, FOLLOW_UP_DAY, now=last_moment) == []
    assert _rules(waiting, FOLLOW_UP_DAY) == []  # judged for the day: its end
    midnight = dt.datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    [breach] = breaches.breaches_on(waiting, dt.date(2026, 11, 21), now=midnight)
    assert (breach.rule, breach.due, breach.ppn_id) == (
        breaches.PPN_FOLLOW_UP_OVERDUE,
        FOLLOW_UP_DAY,
        7,
    )
    assert breach.statute == "force policy (PPN follow-up within the policy's days)"
    assert breach.text == (
        "The follow-up with children's social care of a PPN for a concern on 13/11/2026 was due "
        "by 20/11/2026 and no decision is recorded."
    )
    # submitted, MASH review not yet recorded: the follow-up is owed all the same
    submitted = _facts(PpnFacts(CONCERN, "submitted", FOLLOW_UP_DAY, ppn_id=7))
    assert _rules(submitted, dt.date(2026, 11, 21)) == [breaches.PPN_FOLLOW_UP_OVERDUE]


def test_in_summer_the_follow_up_day_ends_at_midnight_bst() -> None:
    """Follow-up due 20/06/2024: 23:30 UTC that day is 00:30 BST on 21/06, already late."""
    waiting = _facts(
        PpnFacts(dt.datetime(2024, 6, 12, 9, 0, tzinfo=UTC), "submitted", dt.date(2024, 6, 20))
    )
    assert _rules(waiting, dt.date(2024, 6, 20), dt.datetime(2024, 6, 20, 22, 59, tzinfo=UTC)) == []
    assert _rules(waiting, dt.date(2024, 6, 21), dt.datetime(2024, 6, 20, 23, 30, tzinfo=UTC)) == [
        breaches.PPN_FOLLOW_UP_OVERDUE
    ]


def test_submitted_late_and_followed_up_late_is_two_breaches() -> None:
    """One PPN: not submitted within 24 hours (a breach while it stays a draft), submitted on
    15/11 so its follow-up is due 22/11, and no decision by then (a second breach). A step done
    late is history: once submitted, the first breach is no longer outstanding. Two PPNs of one
    offender late in both ways stand as two breaches together."""
    concern = dt.datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
    draft = PpnFacts(concern, "draft", ppn_id=1)
    assert _rules(_facts(draft), dt.date(2026, 11, 14), concern + 24 * HOUR) == []
    [late] = breaches.breaches_on(_facts(draft), dt.date(2026, 11, 14), now=concern + 25 * HOUR)
    assert (late.rule, late.due, late.ppn_id) == (
        breaches.PPN_NOT_SUBMITTED,
        dt.date(2026, 11, 14),
        1,
    )
    submitted = PpnFacts(concern, "submitted", dt.date(2026, 11, 22), ppn_id=1)
    assert _rules(_facts(submitted), dt.date(2026, 11, 22)) == []
    assert _rules(_facts(submitted), dt.date(2026, 11, 23)) == [breaches.PPN_FOLLOW_UP_OVERDUE]

    other = PpnFacts(dt.datetime(2026, 11, 21, 9, 0, tzinfo=UTC), "draft", ppn_id=2)
    found = breaches.breaches_on(_facts(submitted, other), dt.date(2026, 11, 23))
    assert [(b.rule, b.due, b.ppn_id) for b in found] == [
        (breaches.PPN_FOLLOW_UP_OVERDUE, dt.date(2026, 11, 22), 1),  # by the end of 22/11
        (breaches.PPN_NOT_SUBMITTED, dt.date(2026, 11, 22), 2),  # by 09:00 on 22/11
    ]


def test_clocks_still_running_say_when_they_fall_due() -> None:
    concern = dt.datetime(2026, 11, 21, 15, 30, tzinfo=UTC)
    running = breaches.ppn_clocks(
        [
            PpnFacts(concern, "draft", ppn_id=3),
            PpnFacts(CONCERN, "awaiting_social_care", FOLLOW_UP_DAY + 5 * DAY, ppn_id=4),
            PpnFacts(CONCERN, "closed", FOLLOW_UP_DAY, decided=True, ppn_id=5),
        ],
        dt.date(2026, 11, 22),
        now=dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
    )
    assert [(c.ppn_id, c.rule, c.due, c.late) for c in running] == [
        (3, breaches.PPN_SUBMISSION, dt.date(2026, 11, 22), False),
        (4, breaches.PPN_FOLLOW_UP, dt.date(2026, 11, 25), False),
    ]
    assert running[0].deadline == concern + 24 * HOUR
    assert running[0].text == (
        "A PPN for a concern on 21/11/2026 is to be submitted by 15:30 on 22/11/2026, 24 hours "
        "after it."
    )
    assert running[1].deadline == dt.datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert running[1].text.endswith("is due by 25/11/2026.")


@given(
    due=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    offset=st.integers(-3 * 24 * 60, 3 * 24 * 60),
)
@settings(max_examples=300, deadline=None)
def test_a_follow_up_is_late_exactly_after_the_london_midnight_ending_its_day(
    due: dt.date, offset: int
) -> None:
    """Whatever the season, the follow-up is late from the London midnight that ends its day
    (its `deadline`) on, and a clock still running before; the breach and the clock agree."""
    concern = dt.datetime.combine(due - 8 * DAY, dt.time(12), tzinfo=UTC)
    ppn = PpnFacts(concern, "awaiting_social_care", due, ppn_id=9)
    [at_due] = breaches.ppn_clocks([ppn], due)
    now = at_due.deadline + dt.timedelta(minutes=offset)
    [clock] = breaches.ppn_clocks([ppn], due, now=now)
    assert clock.deadline.astimezone(breaches.LONDON).time() == dt.time(0)
    assert clock.deadline.astimezone(breaches.LONDON).date() == due + DAY
    assert clock.late == (now >= clock.deadline)
    assert clock.rule == (breaches.PPN_FOLLOW_UP_OVERDUE if clock.late else breaches.PPN_FOLLOW_UP)
    found = breaches.breaches_on(_facts(ppn), now.astimezone(breaches.LONDON).date(), now=now)
    assert [b.rule for b in found] == ([breaches.PPN_FOLLOW_UP_OVERDUE] if clock.late else [])


# -- on both databases: the caseload, the record and `pillars due` agree ---------------------------


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def add_ppn(db_url: str, offender_id: int, raised_by_id: int, **values: object) -> int:
    """One PPN written straight to the database (the world's clock: 12/06/2024 10:00 UTC)."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            ppn = Ppn(
                **{
                    "offender_id": offender_id,
                    "grade": PpnGrade.RED,
                    "concern": "Fictional concern: a child seen at the address of a friend.",
                    "raised_by_id": raised_by_id,
                    "household_key": "ZZ9 9ZZ",
                    **values,
                }
            )
            session.add(ppn)
            session.flush()
            return ppn.id
    finally:
        engine.dispose()


def add_overdue_follow_up(db_url: str, world: World) -> int:
    """Zebedee's PPN: submitted on 02/06, reviewed by the MASH, follow-up due 09/06, no decision."""
    return add_ppn(
        db_url,
        world.zebedee,
        world.ada,
        concern_at=WORLD_NOW - 11 * DAY,
        raised_at=WORLD_NOW - 11 * DAY,
        state=PpnState.AWAITING_SOCIAL_CARE,
        submitted_at=WORLD_NOW - 10 * DAY,
        submitted_by_id=world.ada,
        mash_reviewed_at=WORLD_NOW - 8 * DAY,
        mash_outcome="Passed to children's social care.",
        follow_up_due_on=WORLD_TODAY - 3 * DAY,
    )


def test_the_sergeants_team_view_the_record_and_the_report_agree_on_late_ppns(
    services: Services, world: World, db_url: str
) -> None:
    """Horatio's draft PPN is 30 hours old; Zebedee's follow-up was due 09/06; Percival's was
    decided on time; Quentin's falls due on 14/06. The sergeant's team caseload counts each late
    step as a breach, the record lists it with its PPN, the record-quality check counts it, and
    `pillars due` lists it naming the PPN and the officer who raised it."""
    zebedee_ppn = add_overdue_follow_up(db_url, world)
    add_ppn(
        db_url,
        world.percival,
        world.bram,
        grade=PpnGrade.GREEN,
        concern_at=WORLD_NOW - 11 * DAY,
        raised_at=WORLD_NOW - 11 * DAY,
        state=PpnState.CLOSED,
        submitted_at=WORLD_NOW - 10 * DAY,
        follow_up_due_on=WORLD_TODAY - 3 * DAY,
        social_care_decision="No further action",
        social_care_decided_on=WORLD_TODAY - 3 * DAY,
        social_care_source="Duty social worker, Fictionton CSC",
        closed_at=WORLD_NOW - 3 * DAY,
    )
    quentin_ppn = add_ppn(
        db_url,
        world.quentin,
        world.ada,
        grade=PpnGrade.AMBER,
        concern_at=WORLD_NOW - 4 * DAY,
        raised_at=WORLD_NOW - 4 * DAY,
        state=PpnState.SUBMITTED,
        submitted_at=WORLD_NOW - 4 * DAY + 3 * HOUR,
        follow_up_due_on=WORLD_TODAY + 2 * DAY,
    )

    cora = services.auth.sign_in("cora", PASSWORD)
    rows = {r.offender_id: r for r in services.caseload.load(cora, "team").rows}
    report = services.due.report()
    in_report = Counter(i.offender for i in report.breaches)
    for offender_id, row in rows.items():
        record = services.records.open(cora, offender_id)
        assert row.breaches == len(record.breaches) == in_report[row.reference], row.name
        late = [b for b in record.breaches if b.rule.startswith("ppn_")]
        assert sorted(p.ppn_id for p in record.ppns if p.late) == sorted(
            b.ppn_id for b in late if b.ppn_id is not None
        )
        ppn_findings = [f for f in record.quality.findings if "PPN" in f.text]
        assert bool(ppn_findings) == bool(late), row.name
        assert row.quality_findings == len(record.quality.findings)

    zebedee = services.records.open(cora, world.zebedee)
    assert [(b.rule, b.due, b.ppn_id) for b in zebedee.breaches] == [
        ("ppn_follow_up_overdue", WORLD_TODAY - 3 * DAY, zebedee_ppn)
    ]
    assert rows[world.percival].breaches == 0 and rows[world.quentin].breaches == 0
    assert {(i.offender, i.rule) for i in report.breaches if i.rule.startswith("ppn_")} == {
        (world.references["horatio"], "ppn_not_submitted"),
        (world.references["zebedee"], "ppn_follow_up_overdue"),
    }
    follow_up = next(i for i in report.breaches if i.rule == "ppn_follow_up_overdue")
    assert (follow_up.ppn_id, follow_up.grade, follow_up.officer) == (
        zebedee_ppn,
        "red",
        "Ada Quillfeather",
    )
    assert follow_up.manager == "Ada Quillfeather" and follow_up.team == "Alder"
    assert follow_up.concern_at == WORLD_NOW - 11 * DAY
    assert follow_up.deadline == dt.datetime(2024, 6, 9, 23, 0, tzinfo=UTC)  # midnight BST
    [running] = [i for i in report.due if i.ppn_id == quentin_ppn]
    assert (running.rule, running.date, running.officer) == (
        "ppn_follow_up",
        WORLD_TODAY + 2 * DAY,
        "Ada Quillfeather",
    )


def test_the_follow_up_becomes_a_breach_when_its_day_is_over(
    services: Services, world: World, db_url: str
) -> None:
    """Judged on the follow-up day it is a clock still running; the day after, a breach."""
    add_overdue_follow_up(db_url, world)
    reference = world.references["zebedee"]
    on_the_day = services.due.report(on=WORLD_TODAY - 3 * DAY)
    assert [(i.rule, i.date) for i in on_the_day.due if i.offender == reference] == [
        ("ppn_follow_up", WORLD_TODAY - 3 * DAY)
    ]
    assert not [i for i in on_the_day.breaches if i.offender == reference]
    day_after = services.due.report(on=WORLD_TODAY - 2 * DAY)
    assert [i.rule for i in day_after.breaches if i.offender == reference] == [
        "ppn_follow_up_overdue"
    ]
    # the other team's sergeant does not see it in her team's breach column
    hattie = services.auth.sign_in("hattie", PASSWORD)
    assert all(r.breaches == 0 for r in services.caseload.load(hattie, "team").rows)
