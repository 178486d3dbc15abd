"""Offenders: identity, conviction and sentence, notification period, status, addresses, household,
aliases and MAPPA history.

The sentence decides the rest: the s82 notification period (from `desktop.rules.periods`, so no
offender's period has already ended), when a custodial sentence let them out, and so when their
community history starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dateutil.relativedelta import relativedelta

from desktop.demo.dates import DAY, years_before
from desktop.demo.names import (
    BUILDINGS,
    CHILD_FORENAMES,
    FEMALE_FORENAMES,
    INWARD_LETTERS,
    LATER_OFFENCES,
    MALE_FORENAMES,
    OFFENCES,
    RELATIONS_ADULT,
    RELATIONS_CHILD,
    STREET_KINDS,
    STREET_ROOTS,
    SURNAMES,
)
from desktop.demo.world import Case, Member, World
from desktop.rules.periods import notification_period

# kind, weight, the lengths in months it may have
SENTENCES: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("custody", 46, (4, 6, 8, 10, 12, 16, 18, 20, 24, 28, 30, 36, 42, 48, 60, 72, 84, 96, 120)),
    ("suspended", 14, (6, 9, 12, 18, 24)),
    ("community_order", 16, ()),
    ("life", 2, ()),
    ("ipp", 2, ()),
    ("hospital_restriction", 1, ()),
    ("hospital", 1, ()),
    ("caution", 7, ()),
    ("conditional_discharge", 4, (12, 18, 24, 36)),
    ("fine", 7, ()),
)
CROWN_COURT = ("custody", "life", "ipp", "hospital_restriction")
MEASURED = ("custody", "suspended", "conditional_discharge")  # kinds whose length is recorded
LEVEL_SHARES = (("very_high", 0.04), ("high", 0.18), ("medium", 0.38))
# chance of MAPPA level 2 and of level 3, by risk level
MAPPA_LEVELS = {
    "very_high": (0.5, 0.2),
    "high": (0.22, 0.01),
    "medium": (0.05, 0.0),
    "low": (0.0, 0.0),
}


def build_offenders(world: World, progress: Callable[[str], None]) -> None:
    total = world.scale.offenders
    managers = _caseloads(world, total)
    levels = _levels(world, total)
    kinds = _designations(world, total)
    used_refs: set[str] = set()
    for i in range(total):
        case = _offender(world, managers[i], levels[i], kinds[i], used_refs)
        world.cases.append(case)
        if (i + 1) % 600 == 0 and i + 1 < total:
            progress(f"offenders {i + 1}/{total}")
    progress(f"offenders {total}/{total}")
    _reactive(world)


def _caseloads(world: World, total: int) -> list[Member]:
    """Each offender manager holds between 52 and 68, summing to `total`, in a shuffled order."""
    rng = world.rng
    oms = [om for team in world.teams for om in world.oms[team.id]]
    counts = [rng.randint(52, 68) for _ in oms]
    while sum(counts) != total:
        i = rng.randrange(len(counts))
        step = 1 if sum(counts) < total else -1
        if 52 <= counts[i] + step <= 68:
            counts[i] += step
    managers = [om for om, n in zip(oms, counts, strict=True) for _ in range(n)]
    rng.shuffle(managers)
    return managers


def _levels(world: World, total: int) -> list[str]:
    levels: list[str] = []
    for level, share in LEVEL_SHARES:
        levels += [level] * round(total * share)
    levels += ["low"] * (total - len(levels))
    world.rng.shuffle(levels)
    return levels


def _designations(world: World, total: int) -> list[str]:
    """Which offenders carry the special situations the data must show."""
    scale = world.scale
    counts = [
        ("new", scale.new_convictions),
        ("custody_today", 2),
        ("custody_week", 5),
        ("custody", round(total * 0.03) - 7),
        ("unrecorded", 1),
        ("hospital", round(total * 0.005)),
        ("abroad", round(total * 0.005)),
        ("nfa", round(total * 0.005)),
        ("recent_release", scale.hub_quota["release"]),
    ]
    kinds: list[str] = []
    for kind, n in counts:
        kinds += [kind] * n
    kinds += ["ordinary"] * (total - len(kinds))
    world.rng.shuffle(kinds)
    return kinds


def _offender(world: World, om: Member, level: str, kind: str, used_refs: set[str]) -> Case:
    rng, on = world.rng, world.on
    assert om.team is not None
    team = om.team
    male = rng.random() < 0.96
    forename = rng.choice(MALE_FORENAMES if male else FEMALE_FORENAMES)
    surname = rng.choice(SURNAMES)

    legal = _legal_history(world, kind)
    convicted, sentenced, sentence_kind, months, dob, released = legal
    period = notification_period(
        sentence_kind=sentence_kind,
        sentence_months=months,
        starts_on=convicted,
        date_of_birth=dob,
        convicted_on=convicted,
    )
    assert period.ends_on is None or period.ends_on > on, "a demo offender is still registered"

    while True:
        reference = f"ZZ/{convicted.year}/{rng.randrange(1, 999999):06d}"
        if reference not in used_refs:
            used_refs.add(reference)
            break

    status, status_since, expected_release, away_since = "community", None, None, None
    community_from = released or convicted
    if kind in ("custody", "custody_today", "custody_week", "unrecorded"):
        status, status_since, expected_release = "custody", sentenced, released
        away_since = sentenced
        community_from = convicted
    elif kind == "hospital":
        away_since = max(community_from + DAY * 30, on - DAY * rng.randint(30, 400))
        away_since = min(away_since, on - DAY * 10)
        status, status_since = "hospital", away_since
    elif kind == "abroad":
        away_since = on - DAY * rng.randint(2, 20)
        status, status_since = "abroad", away_since
    if status == "community":
        status_since = community_from

    category = 1
    roll = rng.random()
    if roll < 0.005:
        category = 3
    elif roll < 0.02:
        category = 2
    chance2, chance3 = MAPPA_LEVELS[level]
    roll = rng.random()
    mappa_level = 3 if roll < chance3 else 2 if roll < chance3 + chance2 else 1

    row = world.rows.add(
        "offender",
        reference=reference,
        forename=forename,
        surname=surname,
        date_of_birth=dob,
        gender="male" if male else "female",
        manager_id=om.id,
        team_id=team.id,
        status=status,
        status_since=status_since,
        expected_release_on=expected_release if status == "custody" else None,
        mappa_category=category,
        mappa_level=mappa_level,
        registration_start=convicted,
        notification_end=period.ends_on,
        notification_indefinite=period.indefinite,
        reactive_management=False,
        no_fixed_abode=kind == "nfa",
        next_periodic_due=None,
        notes="",
        created_at=world.stamp(max(convicted, world.window_start)),
    )
    case = Case(
        row=row,
        om=om,
        team=team,
        level=level,
        convicted_on=convicted,
        sentenced_on=sentenced,
        community_from=community_from,
        away_since=away_since,
        released_on=released if status == "community" else None,
        new_conviction=kind == "new",
        recent_release=kind == "recent_release",
    )
    _convictions(world, case, sentenced, sentence_kind, months)
    _addresses(world, case, kind == "nfa")
    _household(world, case, kind == "nfa")
    _aliases(world, case)
    _mappa(world, case, category, mappa_level)
    return case


def _legal_history(
    world: World, kind: str
) -> tuple[dt.date, dt.date | None, str | None, int | None, dt.date, dt.date | None]:
    """Conviction date, sentencing date, sentence, date of birth and (if custodial and already
    over, or due) the release date, drawn so that the notification period is still running."""
    rng, on = world.rng, world.on
    if kind == "new":
        convicted = on - DAY * rng.randint(1, 14)
        sentenced = on + DAY * rng.randint(7, 60) if rng.random() < 0.7 else None
        born = _born(world, convicted, _adult_age(world, 19))
        return convicted, sentenced, None, None, born, None
    if kind in ("custody", "custody_today", "custody_week", "unrecorded", "recent_release"):
        release = {
            "custody_today": on,
            "custody_week": on + DAY * rng.randint(1, 7),
            "custody": on + DAY * rng.randint(8, 400),
            "unrecorded": on - DAY * 12,
            "recent_release": on - DAY * rng.randint(1, 20),
        }[kind]
        half = (max(release, on) - on).days + rng.randint(60, 1200)
        custody_months = max(2, round(2 * half / 30.44))
        sentenced = release - DAY * half
        convicted = sentenced - DAY * rng.randint(0, 60)
        born = _born(world, convicted, _adult_age(world, 19))
        return convicted, sentenced, "custody", custody_months, born, release

    weights = [w for _, w, _ in SENTENCES]
    for _ in range(200):
        sentence_kind, _, lengths = rng.choices(SENTENCES, weights)[0]
        months = rng.choice(lengths) if lengths else None
        juvenile = rng.random() < 0.03
        age = rng.randint(14, 17) if juvenile else _adult_age(world)
        probe = notification_period(
            sentence_kind=sentence_kind,
            sentence_months=months,
            starts_on=on,
            date_of_birth=on - relativedelta(years=age, days=30),
            convicted_on=on,
        )
        longest = 15.0 if probe.indefinite else (probe.months or 0) / 12 - 0.06
        shortest = {"life": 6.5, "ipp": 6.5, "hospital_restriction": 2.5, "hospital": 1.5}.get(
            sentence_kind, 0.1
        )
        if sentence_kind == "custody" and months:
            shortest = months / 24 + 0.3
        shortest = max(shortest, 19 - age + 0.05)
        longest = min(longest, 15.0, 80 - age - 0.05)
        if shortest > longest:
            continue
        years = rng.uniform(shortest, longest)
        convicted = years_before(on, years)
        dob = _born(world, convicted, age)
        custodial = sentence_kind in ("custody", "life", "ipp", "hospital_restriction", "hospital")
        sentenced = (
            convicted
            if sentence_kind in ("caution", "conditional_discharge")
            else (convicted + DAY * rng.randint(0, 42))
        )
        released = None
        if custodial:
            if sentence_kind == "custody" and months:
                served_days = round(months * 30.44 / 2)
            else:
                served_days = round(rng.uniform(shortest - 0.3, years - 0.2) * 365.25)
            released = sentenced + DAY * max(served_days, 30)
            if released > on - DAY * 20:
                continue
        period = notification_period(
            sentence_kind=sentence_kind,
            sentence_months=months,
            starts_on=convicted,
            date_of_birth=dob,
            convicted_on=convicted,
        )
        if period.ends_on is not None and period.ends_on <= on + DAY * 7:
            continue
        if not 19 <= _age(dob, on) <= 80:
            continue
        return convicted, sentenced, sentence_kind, months, dob, released
    raise AssertionError("no sentence fits: the draw ranges are inconsistent")


def _adult_age(world: World, youngest: int = 18) -> int:
    return int(world.rng.triangular(youngest, 72, 30))


def _born(world: World, convicted: dt.date, age: int) -> dt.date:
    return convicted - relativedelta(years=age) - DAY * world.rng.randint(1, 360)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _convictions(
    world: World, case: Case, sentenced: dt.date | None, kind: str | None, months: int | None
) -> None:
    rng = world.rng
    towns = case.team.towns
    world.rows.add(
        "conviction",
        offender_id=case.row["id"],
        offence=rng.choice(OFFENCES),
        court=f"{rng.choice(towns)} {'Crown' if kind in CROWN_COURT else 'Magistrates'}' Court",
        convicted_on=case.convicted_on,
        sentenced_on=sentenced,
        sentence_kind=kind,
        sentence_months=months if kind in MEASURED else None,
    )
    earliest = case.community_from + DAY * 180
    latest = world.on - DAY * 30
    if case.row["status"] == "community" and earliest < latest and rng.random() < 0.2:
        convicted = earliest + DAY * rng.randrange((latest - earliest).days)
        later_kind = rng.choice(("community_order", "fine", "suspended"))
        world.rows.add(
            "conviction",
            offender_id=case.row["id"],
            offence=rng.choice(LATER_OFFENCES),
            court=f"{rng.choice(towns)} Magistrates' Court",
            convicted_on=convicted,
            sentenced_on=convicted + DAY * rng.randint(0, 28),
            sentence_kind=later_kind,
            sentence_months=rng.choice((6, 12)) if later_kind == "suspended" else None,
        )


def street_address(
    world: World, case_team_towns: tuple[str, ...], districts: tuple[int, ...]
) -> dict[str, str]:
    rng = world.rng
    street = f"{rng.choice(STREET_ROOTS)} {rng.choice(STREET_KINDS)}"
    if rng.random() < 0.2:
        line1 = f"Flat {rng.randint(1, 24)}, {rng.choice(STREET_ROOTS)} {rng.choice(BUILDINGS)}"
        line2 = f"{rng.randint(1, 120)} {street}"
    else:
        line1, line2 = f"{rng.randint(1, 180)} {street}", ""
    letters = rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS)
    postcode = f"ZZ{rng.choice(districts)} {rng.randint(1, 9)}{letters}"
    return {
        "line1": line1,
        "line2": line2,
        "town": rng.choice(case_team_towns),
        "postcode": postcode,
    }


def _addresses(world: World, case: Case, no_fixed_abode: bool) -> None:
    rng, on = world.rng, world.on
    first_from = case.convicted_on - DAY * rng.randint(100, 2500)
    until = case.away_since if case.row["status"] == "custody" and case.away_since else on
    nfa_since = on - DAY * rng.randint(20, 180) if no_fixed_abode else None
    if nfa_since is not None:
        until = nfa_since
    span_start = max(case.community_from, case.convicted_on) + DAY * 10
    moves: list[dt.date] = []
    if (until - span_start).days > 40:
        count = rng.choices((0, 1, 2), (50, 35, 15))[0]
        moves = sorted(
            {span_start + DAY * rng.randrange((until - span_start).days - 20) for _ in range(count)}
        )
    starts = [first_from, *moves]
    for i, from_date in enumerate(starts):
        to_date = starts[i + 1] if i + 1 < len(starts) else nfa_since
        if to_date is not None and to_date <= from_date:
            continue
        case.addresses.append(
            world.rows.add(
                "address",
                offender_id=case.row["id"],
                kind="home",
                **street_address(world, case.team.towns, case.team.districts),
                from_date=from_date,
                to_date=to_date,
            )
        )


def _household(world: World, case: Case, no_fixed_abode: bool) -> None:
    if no_fixed_abode or not case.addresses:
        return
    rng, on = world.rng, world.on
    home_from = case.addresses[-1]["from_date"]
    members: list[tuple[str, str, dt.date | None, dt.date]] = []
    if rng.random() < 0.25:
        case.has_child_household = True
        partner_surname = rng.choice(SURNAMES)
        if rng.random() < 0.7:
            members.append(
                (
                    f"{rng.choice(FEMALE_FORENAMES)} {partner_surname}",
                    "partner",
                    _born(world, on, rng.randint(22, 55)) if rng.random() < 0.5 else None,
                    home_from + DAY * rng.randint(0, 200),
                )
            )
        for _ in range(rng.choices((1, 2, 3), (50, 35, 15))[0]):
            child_born = on - DAY * rng.randint(120, 16 * 365)
            members.append(
                (
                    f"{rng.choice(CHILD_FORENAMES)} {partner_surname}",
                    rng.choice(RELATIONS_CHILD),
                    child_born,
                    max(home_from, child_born),
                )
            )
    else:
        for _ in range(rng.choices((0, 1, 2, 3), (35, 35, 20, 10))[0]):
            members.append(
                (
                    f"{rng.choice(FEMALE_FORENAMES + MALE_FORENAMES)} {rng.choice(SURNAMES)}",
                    rng.choice(RELATIONS_ADULT),
                    _born(world, on, rng.randint(19, 80)) if rng.random() < 0.5 else None,
                    home_from + DAY * rng.randint(0, 400),
                )
            )
    for name, relation, born, joined in members[:4]:
        case.household.append(
            world.rows.add(
                "household_member",
                offender_id=case.row["id"],
                name=name,
                relationship_to_offender=relation,
                date_of_birth=born,
                from_date=min(joined, on - DAY),
                to_date=None,
                notes="",
            )
        )


def _aliases(world: World, case: Case) -> None:
    rng = world.rng
    if rng.random() >= 0.2:
        return
    forename, surname = case.row["forename"], case.row["surname"]
    pool = MALE_FORENAMES if case.row["gender"] == "male" else FEMALE_FORENAMES
    forms = [
        f"{rng.choice(pool)} {surname}",
        f"{forename} {rng.choice(SURNAMES)}",
        f"{forename[0]}. {surname}",
    ]
    for name in rng.sample(forms, rng.randint(1, 2)):
        world.rows.add("alias", offender_id=case.row["id"], name=name)


def _mappa(world: World, case: Case, category: int, level: int) -> None:
    rng, on = world.rng, world.on
    oid, om = case.row["id"], case.om.id
    changes: list[tuple[dt.date, int, str]] = [
        (case.convicted_on, 1, f"Registered: category {category}, level 1.")
    ]
    first = case.convicted_on + DAY * 30
    if (on - first).days > 60:
        if level > 1:
            day = first + DAY * rng.randrange((on - first).days - 14)
            changes.append((day, level, f"Raised to level {level} at the MAPPA meeting."))
        elif rng.random() < 0.08:
            day = first + DAY * rng.randrange((on - first).days - 40)
            changes.append((day, 2, "Raised to level 2 after a change of circumstances."))
            changes.append((day + DAY * rng.randint(20, 35), 1, "Managed at level 1 again."))
    for day, mappa_level, reason in changes:
        world.rows.add(
            "mappa_change",
            offender_id=oid,
            category=category,
            level=mappa_level,
            changed_by_id=om,
            changed_at=world.stamp(min(day, on - DAY)),
            reason=reason,
        )


def _reactive(world: World) -> None:
    """About 12% of offenders at low risk in the community for three years or more move to
    reactive management: no routine visits from the day they moved."""
    rng, on = world.rng, world.on
    for case in world.cases:
        if (
            case.level != "low"
            or case.row["status"] != "community"
            or case.new_conviction
            or case.recent_release
        ):
            continue
        settled = max(case.community_from, case.convicted_on) + relativedelta(years=3)
        if settled < on - DAY * 30 and rng.random() < 0.12:
            case.reactive_since = settled + DAY * rng.randrange(min(300, (on - settled).days - 20))
            case.row["reactive_management"] = True
