"""The cover chain for an absent sergeant's tasks: every link, and properties."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.rules.cover import (
    LINKS,
    CoverDecision,
    NamedCover,
    OfficerOnDuty,
    cover_for,
    covering,
    route_tasks,
)

D = dt.date
TODAY = D(2024, 6, 12)
WEEK = (D(2024, 6, 10), D(2024, 6, 14))  # absent all week
TEAM_A, TEAM_B = 1, 2

# Team A: sergeants alice and bob, team manager tina, offender manager olly.
# Team B: sergeants carol and dave, team manager uma.
ALICE, BOB, TINA, OLLY, CAROL, DAVE, UMA = 11, 12, 13, 14, 21, 22, 23


def roster(*absent: int, inactive: tuple[int, ...] = ()) -> list[OfficerOnDuty]:
    people = [
        (ALICE, "alice", "sergeant", TEAM_A, "Sgt Alice Archer"),
        (BOB, "bob", "sergeant", TEAM_A, "Sgt Bob Baker"),
        (TINA, "tina", "team_manager", TEAM_A, "Insp Tina Tumblewick"),
        (OLLY, "olly", "offender_manager", TEAM_A, "PC Olly Owen"),
        (CAROL, "carol", "sergeant", TEAM_B, "Sgt Carol Cole"),
        (DAVE, "dave", "sergeant", TEAM_B, "Sgt Dave Dunn"),
        (UMA, "uma", "team_manager", TEAM_B, "Insp Uma Udall"),
    ]
    return [
        OfficerOnDuty(
            officer_id,
            username,
            role,
            team,
            absences=(WEEK,) if officer_id in absent else (),
            active=officer_id not in inactive,
            name=name,
        )
        for officer_id, username, role, team, name in people
    ]


def test_owner_on_duty_sees_their_own_tasks() -> None:
    decision = cover_for(ALICE, TODAY, roster())
    assert decision == CoverDecision(
        ALICE, TODAY, ALICE, "owner", "Sgt Alice Archer is on duty on 12/06/2024: their own tasks."
    )
    assert not decision.is_cover


def test_named_cover_first() -> None:
    named = [NamedCover(ALICE, CAROL, *WEEK)]
    decision = cover_for(ALICE, TODAY, roster(ALICE), named)
    assert (decision.cover_officer_id, decision.link) == (CAROL, "named_cover")
    assert decision.is_cover
    assert decision.text == (
        "Sgt Alice Archer is absent on 12/06/2024: Sgt Carol Cole covers, named for this absence."
    )


def test_a_named_cover_need_not_be_a_sergeant() -> None:
    named = [NamedCover(ALICE, OLLY, *WEEK)]
    assert cover_for(ALICE, TODAY, roster(ALICE), named).cover_officer_id == OLLY


def test_named_cover_only_for_the_days_named() -> None:
    named = [NamedCover(ALICE, CAROL, D(2024, 6, 13), D(2024, 6, 14))]
    assert cover_for(ALICE, TODAY, roster(ALICE), named).link == "team_sergeant"
    assert cover_for(ALICE, D(2024, 6, 13), roster(ALICE), named).link == "named_cover"


def test_named_cover_absent_too_falls_through_and_says_so() -> None:
    named = [NamedCover(ALICE, CAROL, *WEEK)]
    decision = cover_for(ALICE, TODAY, roster(ALICE, CAROL), named)
    assert (decision.cover_officer_id, decision.link) == (BOB, "team_sergeant")
    assert decision.text == (
        "Sgt Alice Archer is absent on 12/06/2024 (the named cover, Sgt Carol Cole, is absent "
        "too): Sgt Bob Baker, a sergeant of the same team, covers."
    )


def test_the_later_of_two_named_covers_wins() -> None:
    named = [NamedCover(ALICE, DAVE, *WEEK), NamedCover(ALICE, CAROL, TODAY, TODAY)]
    assert cover_for(ALICE, TODAY, roster(ALICE), named).cover_officer_id == CAROL
    assert cover_for(ALICE, D(2024, 6, 13), roster(ALICE), named).cover_officer_id == DAVE
    # if the later one is absent, the earlier one still covers before the chain goes on
    assert cover_for(ALICE, TODAY, roster(ALICE, CAROL), named).cover_officer_id == DAVE


def test_no_named_cover_another_sergeant_of_the_team() -> None:
    decision = cover_for(ALICE, TODAY, roster(ALICE))
    assert (decision.cover_officer_id, decision.link) == (BOB, "team_sergeant")


def test_both_sergeants_of_a_team_absent_a_sergeant_of_another_team() -> None:
    decision = cover_for(ALICE, TODAY, roster(ALICE, BOB))
    assert (decision.cover_officer_id, decision.link) == (CAROL, "other_team_sergeant")
    assert "a sergeant of another team, as no sergeant of the team is on duty" in decision.text
    # the least loaded first, then the lowest username
    loaded = cover_for(ALICE, TODAY, roster(ALICE, BOB), load={CAROL: 40, DAVE: 3})
    assert loaded.cover_officer_id == DAVE
    assert (
        cover_for(ALICE, TODAY, roster(ALICE, BOB), load={CAROL: 3, DAVE: 3}).cover_officer_id
        == CAROL
    )


def test_load_chooses_within_the_team_first() -> None:
    officers = [*roster(ALICE), OfficerOnDuty(15, "zoe", "sergeant", TEAM_A)]
    assert cover_for(ALICE, TODAY, officers).cover_officer_id == BOB
    decision = cover_for(ALICE, TODAY, officers, load={BOB: 9, 15: 2, CAROL: 0})
    assert (decision.cover_officer_id, decision.link) == (15, "team_sergeant")


def test_every_sergeant_absent_the_team_manager() -> None:
    decision = cover_for(ALICE, TODAY, roster(ALICE, BOB, CAROL, DAVE))
    assert (decision.cover_officer_id, decision.link) == (TINA, "team_manager")
    assert decision.text == (
        "Sgt Alice Archer is absent on 12/06/2024: Insp Tina Tumblewick, the team manager, as no "
        "sergeant is on duty, covers."
    )


def test_never_another_teams_manager_nobody_when_the_team_manager_is_absent_too() -> None:
    decision = cover_for(ALICE, TODAY, roster(ALICE, BOB, CAROL, DAVE, TINA))
    assert (decision.cover_officer_id, decision.link) == (None, "nobody")
    assert (
        "nobody can cover" in decision.text
        and "escalate to the team managers' view" in decision.text
    )
    assert not decision.is_cover


def test_never_an_inactive_officer() -> None:
    decision = cover_for(ALICE, TODAY, roster(ALICE, inactive=(BOB,)))
    assert decision.cover_officer_id == CAROL
    named = [NamedCover(ALICE, BOB, *WEEK)]
    assert cover_for(ALICE, TODAY, roster(ALICE, inactive=(BOB,)), named).cover_officer_id == CAROL
    # an owner who has left is absent every day
    assert cover_for(ALICE, TODAY, roster(inactive=(ALICE,))).cover_officer_id == BOB


def test_never_the_owner_even_if_named() -> None:
    named = [NamedCover(ALICE, ALICE, *WEEK)]
    assert cover_for(ALICE, TODAY, roster(ALICE), named).cover_officer_id == BOB


def test_an_unknown_owner_goes_to_any_sergeant_on_duty() -> None:
    decision = cover_for(99, TODAY, roster(BOB))
    assert (decision.cover_officer_id, decision.link) == (ALICE, "other_team_sergeant")
    assert decision.text.startswith("Officer 99 is absent on 12/06/2024")
    assert cover_for(99, TODAY, roster(ALICE, BOB, CAROL, DAVE)).link == "nobody"


def test_tasks_return_to_their_owner_when_back() -> None:
    tasks = [(101, ALICE), (102, ALICE), (103, BOB)]
    named = [NamedCover(ALICE, CAROL, *WEEK)]
    during = route_tasks(tasks, TODAY, roster(ALICE), named)
    assert {t: (d.cover_officer_id, d.link) for t, d in during.items()} == {
        101: (CAROL, "named_cover"),
        102: (CAROL, "named_cover"),
        103: (BOB, "owner"),
    }
    back = route_tasks(tasks, D(2024, 6, 17), roster(ALICE), named)
    assert {t: (d.cover_officer_id, d.link) for t, d in back.items()} == {
        101: (ALICE, "owner"),
        102: (ALICE, "owner"),
        103: (BOB, "owner"),
    }


def test_covering_lists_whom_an_officer_covers_today() -> None:
    officers = roster(ALICE, CAROL)
    assert covering(BOB, TODAY, officers) == [ALICE]
    assert covering(DAVE, TODAY, officers) == [CAROL]
    assert covering(ALICE, TODAY, officers) == []
    assert covering(BOB, D(2024, 6, 17), officers) == []  # both back: nobody covered
    # both sergeants of team A away: carol covers both, by username
    assert covering(CAROL, TODAY, roster(ALICE, BOB)) == [ALICE, BOB]
    # the owners whose tasks are routed may be given
    assert covering(BOB, TODAY, officers, owners=[ALICE, OLLY, ALICE]) == [ALICE]
    assert covering(TINA, TODAY, roster(ALICE, BOB, CAROL, DAVE)) == [ALICE, BOB]


# -- properties ----------------------------------------------------------------------------------

DAYS = [D(2024, 6, 10) + dt.timedelta(days=i) for i in range(10)]


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[OfficerOnDuty], list[NamedCover]]:
    officers: list[OfficerOnDuty] = []
    next_id = 1
    for team in range(1, draw(st.integers(1, 3)) + 1):
        roles = ["sergeant"] * draw(st.integers(1, 3)) + ["team_manager"] * draw(st.integers(0, 1))
        roles += ["offender_manager"] * draw(st.integers(0, 2))
        for role in roles:
            absences = []
            for _ in range(draw(st.integers(0, 2))):
                start = draw(st.sampled_from(DAYS))
                absences.append((start, start + dt.timedelta(days=draw(st.integers(0, 5)))))
            officers.append(
                OfficerOnDuty(
                    next_id,
                    f"u{draw(st.integers(0, 999)):03d}-{next_id}",
                    role,
                    team,
                    tuple(absences),
                    active=draw(st.integers(0, 9)) > 0,
                )
            )
            next_id += 1
    ids = [o.officer_id for o in officers]
    named = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.sampled_from(DAYS))
        named.append(
            NamedCover(
                draw(st.sampled_from(ids)),
                draw(st.sampled_from(ids)),
                start,
                start + dt.timedelta(days=draw(st.integers(0, 5))),
            )
        )
    return officers, named


@given(world=rosters(), day=st.sampled_from(DAYS), seed=st.integers(0, 2**16), loaded=st.booleans())
@settings(max_examples=300, deadline=None)
def test_the_chain_always_picks_someone_on_duty_never_the_absent_owner(
    world: tuple[list[OfficerOnDuty], list[NamedCover]], day: dt.date, seed: int, loaded: bool
) -> None:
    officers, named = world
    by_id = {o.officer_id: o for o in officers}
    rng = random.Random(seed)
    load = {o.officer_id: rng.randrange(5) for o in officers} if loaded else None
    for owner in officers:
        decision = cover_for(owner.officer_id, day, officers, named, load=load)
        assert decision.link in LINKS and decision.owner_id == owner.officer_id
        if owner.on_duty(day):
            assert (decision.cover_officer_id, decision.link) == (owner.officer_id, "owner")
            continue
        on_duty = [o for o in officers if o.on_duty(day) and o.officer_id != owner.officer_id]
        sergeants = [o for o in on_duty if o.role == "sergeant"]
        if decision.cover_officer_id is None:
            assert decision.link == "nobody"
            assert not sergeants
            assert not [
                o for o in on_duty if o.role == "team_manager" and o.team_id == owner.team_id
            ]
            continue
        cover = by_id[decision.cover_officer_id]
        assert cover.on_duty(day) and cover.officer_id != owner.officer_id
        named_on_duty = [
            n
            for n in named
            if n.absent_officer_id == owner.officer_id
            and n.start <= day <= n.end
            and n.cover_officer_id in {o.officer_id for o in on_duty}
        ]
        assert (decision.link == "named_cover") == bool(named_on_duty)
        if decision.link == "team_sergeant":
            assert cover.role == "sergeant" and cover.team_id == owner.team_id
        if decision.link == "other_team_sergeant":
            assert cover.role == "sergeant" and cover.team_id != owner.team_id
            assert not [o for o in sergeants if o.team_id == owner.team_id]
        if decision.link == "team_manager":
            assert cover.role == "team_manager" and cover.team_id == owner.team_id
            assert not sergeants
        if load is not None and decision.link in ("team_sergeant", "other_team_sergeant"):
            same = [
                o
                for o in sergeants
                if (o.team_id == owner.team_id) == (decision.link == "team_sergeant")
            ]
            assert load[cover.officer_id] == min(load[o.officer_id] for o in same)

        # deterministic, whatever the order of the facts
        shuffled, shuffled_named = list(officers), list(named)
        rng.shuffle(shuffled)
        rng.shuffle(shuffled_named)
        assert cover_for(owner.officer_id, day, shuffled, shuffled_named, load=load) == decision


@given(world=rosters(), day=st.sampled_from(DAYS))
@settings(max_examples=150, deadline=None)
def test_covering_and_route_tasks_agree_with_cover_for(
    world: tuple[list[OfficerOnDuty], list[NamedCover]], day: dt.date
) -> None:
    officers, named = world
    sergeants = [o.officer_id for o in officers if o.role == "sergeant"]
    decisions = {s: cover_for(s, day, officers, named) for s in sergeants}
    routed = route_tasks([(1000 + s, s) for s in sergeants], day, officers, named)
    assert {t - 1000: d for t, d in routed.items()} == decisions
    for officer in officers:
        covered = covering(officer.officer_id, day, officers, named)
        assert set(covered) == {
            s
            for s, d in decisions.items()
            if d.is_cover and d.cover_officer_id == officer.officer_id
        }
        if not officer.on_duty(day):
            assert covered == []


def test_an_author_is_passed_over_at_every_link() -> None:
    """Four eyes: the officers whose work it is never see it to decide, owner included."""
    # the owner on duty but on the crew: the next sergeant of the team
    decision = cover_for(ALICE, TODAY, roster(), exclude={ALICE})
    assert (decision.cover_officer_id, decision.link) == (BOB, "team_sergeant")
    assert decision.text.startswith("Sgt Alice Archer may not decide their own work")
    # the named cover wrote it: on down the chain
    named = [NamedCover(ALICE, CAROL, *WEEK)]
    decision = cover_for(ALICE, TODAY, roster(ALICE), named, exclude={CAROL})
    assert (decision.cover_officer_id, decision.link) == (BOB, "team_sergeant")
    # both team sergeants excluded or away: another team's sergeant, then the team manager
    decision = cover_for(ALICE, TODAY, roster(ALICE), exclude={BOB})
    assert decision.link == "other_team_sergeant"
    decision = cover_for(ALICE, TODAY, roster(ALICE, CAROL, DAVE), exclude={BOB})
    assert (decision.cover_officer_id, decision.link) == (TINA, "team_manager")


def test_route_tasks_sends_one_owners_tasks_apart_only_for_their_authors() -> None:
    routed = route_tasks([(1, ALICE), (2, ALICE)], TODAY, roster(), excludes={2: {ALICE}})
    assert routed[1].cover_officer_id == ALICE and routed[2].cover_officer_id == BOB


@settings(max_examples=200, deadline=None)
@given(
    absent=st.sets(st.sampled_from([ALICE, BOB, TINA, CAROL, DAVE, UMA])),
    exclude=st.sets(st.sampled_from([ALICE, BOB, TINA, OLLY, CAROL, DAVE, UMA])),
)
def test_never_an_excluded_or_absent_officer(absent: set[int], exclude: set[int]) -> None:
    decision = cover_for(ALICE, TODAY, roster(*absent), exclude=exclude)
    assert decision.cover_officer_id not in exclude
    assert decision.cover_officer_id is None or decision.cover_officer_id not in absent
