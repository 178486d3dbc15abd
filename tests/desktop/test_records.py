"""The offender record: reading it (audited, permission-checked) and the edits an offender
manager makes, with validation, bank-detail refusal and optimistic locking."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import SentenceKind
from db.models import Address, AuditEvent, Conviction, HouseholdMember, Offender
from desktop.services.core import Services
from desktop.services.errors import EditConflict, NotFound, PermissionRefused, ValidationFailed
from desktop.services.records import (
    AddressEdit,
    HouseholdEdit,
    IdentityEdit,
    address_edit_for,
    build_record,
    build_records,
    household_edit_for,
    identity_edit_for,
)
from tests.desktop.factories import (
    PASSWORD,
    WORLD_TODAY,
    World,
    add_pending_approvals,
    populate,
    world_clock,
)

CARD = "4539 1488 0343 6467"  # passes the Luhn check; a well-known test number
BANK = "sort code 12-34-56, account 12345678"
TODAY = WORLD_TODAY


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _session(db_url: str):
    engine = make_engine(db_url)
    return engine, session_factory(engine)()


def _audit_actions(db_url: str) -> list[str]:
    engine, session = _session(db_url)
    with session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    engine.dispose()
    return actions


# -- reading ------------------------------------------------------------------------------------


def test_open_is_audited_and_complete(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    record = services.records.open(ada, world.zebedee)
    assert _audit_actions(db_url)[-1] == "record_viewed"
    assert record.offender_id == world.zebedee and record.version >= 1
    assert record.reference == "ZZ/2019/004512"
    assert record.name == "Zebedee Plimsoll" and record.age == 44
    assert record.team == "Alder" and record.manager == "Ada Quillfeather"
    assert record.aliases == ["Zeb Plimsoll", "Zebedee Plimsole"]
    assert record.can_edit
    assert [a.postcode for a in record.addresses] == ["ZZ3 4QT", "ZZ1 1AA"]
    assert record.addresses[0].current and not record.addresses[1].current
    assert record.current_address is not None and record.current_address.postcode == "ZZ3 4QT"
    children = [m for m in record.household if m.is_child]
    assert [m.name for m in children] == ["Pip Plimsoll"] and children[0].age == 9
    assert [c.indefinite for c in record.convictions] == [True]
    assert [a.level for a in record.assessments] == ["high", "medium"]
    assert record.assessments[0].assessor == "Ada Quillfeather"
    assert sum(f.present for f in record.assessments[0].factors) == 2
    assert record.plan is not None and len(record.plan.actions) == 4
    assert record.plan.actions[1].pillar_label == "Monitoring and control"
    assert record.plan.decided_by == "Cora Pennywhistle"
    assert record.visits[0].outcome == "planned"  # newest first: the one still to come
    assert record.visits[1].officers == "Ada Quillfeather and Bramwell Tiddlecombe"
    assert record.last_seen == TODAY - relativedelta(months=2)
    assert record.next_visit_due == TODAY + relativedelta(months=1)
    assert record.breaches == [] and record.tasks == []
    assert record.risk_level == "high"


def test_open_shows_tasks_breaches_ppns_notifications(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    horatio = services.records.open(ada, world.horatio)
    assert [t.owner for t in horatio.tasks] == ["Cora Pennywhistle", "Ada Quillfeather"]
    assert horatio.tasks[0].overdue and not horatio.tasks[1].overdue
    assert [b.rule for b in horatio.breaches] == ["ppn_not_submitted"]
    assert [p.state for p in horatio.ppns] == ["draft"]
    elsie = services.auth.sign_in("elsie", PASSWORD)
    ignatius = services.records.open(elsie, world.ignatius)
    assert ignatius.notifications[0].kind == "change_of_address"
    assert "ZZ6 2EE" in ignatius.notifications[0].summary
    assert ignatius.tasks[0].owner == "Hub"
    assert not ignatius.can_edit


def _add_convictions(db_url: str, offender_id: int) -> None:
    engine, session = _session(db_url)
    convicted = dt.date(2020, 3, 1)
    with session, session.begin():
        offender = session.get(Offender, offender_id)
        assert offender is not None
        offender.convictions.clear()
        offender.date_of_birth = dt.date(1990, 1, 1)
        for offence, kind, months in [
            ("Thirty months", SentenceKind.CUSTODY, 30),
            ("Twelve months", SentenceKind.CUSTODY, 12),
            ("Six months", SentenceKind.CUSTODY, 6),
            ("Caution", SentenceKind.CAUTION, None),
            ("Discharge", SentenceKind.CONDITIONAL_DISCHARGE, 18),
            ("Fine", SentenceKind.FINE, None),
        ]:
            session.add(
                Conviction(
                    offender_id=offender_id,
                    offence=offence,
                    convicted_on=convicted,
                    sentence_kind=kind,
                    sentence_months=months,
                )
            )
    engine.dispose()


def test_records_read_together_are_each_the_record_read_alone(
    services: Services, world: World, db_url: str
) -> None:
    """The scrutiny pack reads its sample in one go: each record must be exactly what the record
    window shows, whatever else is read with it (pending approvals, PPNs, custody, a Birch
    record among Alder's), in the order asked."""
    add_pending_approvals(db_url, world)
    cora = services.auth.sign_in("cora", PASSWORD)
    wanted = [world.ignatius, *world.alder_offenders, world.cuthbert, world.zebedee]
    with services.transaction() as session:
        today, now = services.today(), services.now()
        together = build_records(session, cora, wanted, today=today, now=now)
        alone = [build_record(session, cora, oid, today=today, now=now) for oid in wanted]
    assert [r.offender_id for r in together] == wanted
    assert together == alone
    assert any(r.pending_approvals for r in together) and any(r.ppns for r in together)
    assert any(r.breaches for r in together) and any(r.plan for r in together)


def test_reading_records_together_refuses_an_unknown_one(services: Services, world: World) -> None:
    cora = services.auth.sign_in("cora", PASSWORD)
    today, now = services.today(), services.now()
    with services.transaction() as session, pytest.raises(NotFound, match="number 999999"):
        build_records(session, cora, [world.zebedee, 999_999], today=today, now=now)


def test_conviction_periods_follow_s82(services: Services, world: World, db_url: str) -> None:
    _add_convictions(db_url, world.percival)
    bram = services.auth.sign_in("bram", PASSWORD)
    periods = {c.offence: c for c in services.records.open(bram, world.percival).convictions}
    convicted = dt.date(2020, 3, 1)
    assert periods["Thirty months"].indefinite
    assert periods["Thirty months"].notification_ends is None
    assert "Indefinite" in periods["Thirty months"].period_text
    assert "01/03/2035" in periods["Thirty months"].period_text  # review after 15 years
    expected = {
        "Twelve months": (10, 0),
        "Six months": (7, 0),
        "Caution": (2, 0),
        "Discharge": (1, 6),
        "Fine": (5, 0),
    }
    for offence, (years, months) in expected.items():
        view = periods[offence]
        assert not view.indefinite
        assert view.notification_ends == convicted + relativedelta(years=years, months=months)
    assert periods["Twelve months"].period_text.startswith("10 years, to 01/03/2030")
    assert periods["Discharge"].period_text.startswith("1 year 6 months")


def test_juvenile_periods_are_halved(services: Services, world: World, db_url: str) -> None:
    _add_convictions(db_url, world.percival)
    engine, session = _session(db_url)
    with session, session.begin():
        session.get(Offender, world.percival).date_of_birth = dt.date(2004, 1, 1)  # 16 then
    engine.dispose()
    bram = services.auth.sign_in("bram", PASSWORD)
    periods = {c.offence: c for c in services.records.open(bram, world.percival).convictions}
    convicted = dt.date(2020, 3, 1)
    assert periods["Twelve months"].notification_ends == convicted + relativedelta(years=5)
    assert periods["Caution"].notification_ends == convicted + relativedelta(years=1)
    assert periods["Discharge"].notification_ends == convicted + relativedelta(months=18)
    assert "halved" in periods["Six months"].period_text
    assert "may be reviewed from 01/03/2028" in periods["Thirty months"].period_text


# -- permissions --------------------------------------------------------------------------------


def _identity(services: Services, actor, offender_id: int, **changes: str):
    record = services.records.open(actor, offender_id)
    edit = dataclasses.replace(identity_edit_for(record), **changes)
    return services.records.update_identity(actor, offender_id, record.version, edit)


def test_permission_matrix(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    saved = _identity(services, ada, world.zebedee, gender="male (stated)")
    assert saved.gender == "male (stated)"

    # a colleague's offender: readable, not editable, and the refusal says who manages it
    record = services.records.open(ada, world.percival)
    assert not record.can_edit
    with pytest.raises(PermissionRefused) as refused:
        services.records.update_identity(
            ada, world.percival, record.version, identity_edit_for(record)
        )
    assert str(refused.value) == (
        "Only the offender's manager can edit this record; Alder team offender ZZ/2021/010010 "
        "is managed by Bramwell Tiddlecombe."
    )

    cora = services.auth.sign_in("cora", PASSWORD)
    record = services.records.open(cora, world.zebedee)
    assert not record.can_edit
    with pytest.raises(PermissionRefused, match="sergeant can read it"):
        services.records.update_identity(
            cora, world.zebedee, record.version, identity_edit_for(record)
        )

    fenn = services.auth.sign_in("fenn", PASSWORD)
    with pytest.raises(PermissionRefused, match="administrator"):
        services.records.open(fenn, world.zebedee)
    with pytest.raises(PermissionRefused):
        services.records.history(fenn, world.zebedee)

    dorian = services.auth.sign_in("dorian", PASSWORD)
    assert services.records.open(dorian, world.cuthbert).team == "Birch"
    elsie = services.auth.sign_in("elsie", PASSWORD)
    assert services.records.open(elsie, world.zebedee).reference == "ZZ/2019/004512"

    gus = services.auth.sign_in("gus", PASSWORD)
    with pytest.raises(PermissionRefused) as other_team:
        services.records.open(gus, world.zebedee)
    assert "Alder team" in str(other_team.value) and "Birch team" in str(other_team.value)
    with pytest.raises(NotFound):
        services.records.open(ada, 999_999)

    # nothing of a refusal was written: one identity change and the views only
    actions = _audit_actions(db_url)
    assert actions.count("identity_changed") == 1


def test_unallocated_offender_refusal_says_so(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    record = services.records.open(ada, world.mortimer)
    with pytest.raises(PermissionRefused, match="not allocated"):
        services.records.update_identity(
            ada, world.mortimer, record.version, identity_edit_for(record)
        )


# -- identity -----------------------------------------------------------------------------------


def test_identity_change_is_saved_audited_and_in_history(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    before = services.records.open(ada, world.zebedee)
    saved = _identity(
        services,
        ada,
        world.zebedee,
        forename="  Zebedee ",
        surname="Plimsoll-Smythe",
        date_of_birth="14/3/1980",
        aliases="Zeb Plimsoll\n\nZed Smythe\nzeb plimsoll\n",
        notes="Now works days.",
    )
    assert saved.surname == "Plimsoll-Smythe" and saved.forename == "Zebedee"
    assert saved.aliases == ["Zeb Plimsoll", "Zed Smythe"]
    assert saved.version == before.version + 1
    history = services.records.history(ada, world.zebedee)
    assert history[0].action == "identity_changed" and history[0].username == "ada"
    assert "surname: Plimsoll → Plimsoll-Smythe" in history[0].detail_text
    assert "Zed Smythe" in history[0].detail_text
    assert "forename" not in history[0].detail_text  # unchanged once trimmed
    # the same form again changes nothing and is not audited as a change
    again = services.records.update_identity(
        ada, world.zebedee, saved.version, identity_edit_for(saved)
    )
    assert again.version == saved.version
    actions = [row.action for row in services.records.history(ada, world.zebedee)]
    assert actions.count("identity_changed") == 1


def test_alias_only_change_moves_the_version(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    before = services.records.open(ada, world.zebedee)
    saved = _identity(services, ada, world.zebedee, aliases="")
    assert saved.aliases == [] and saved.version == before.version + 1


def test_identity_validation_lists_every_field_and_saves_nothing(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    record = services.records.open(ada, world.zebedee)
    edit = IdentityEdit(
        forename="",
        surname="x" * 81,
        date_of_birth="31/02/1980",
        gender="g" * 21,
        aliases="a" * 161,
        notes=f"Card {CARD}",
    )
    with pytest.raises(ValidationFailed) as failed:
        services.records.update_identity(ada, world.zebedee, record.version, edit)
    fields = [e.field for e in failed.value.errors]
    assert fields == ["forename", "surname", "date_of_birth", "gender", "aliases", "notes"]
    assert "payment card" in failed.value.errors[-1].message
    after = services.records.open(ada, world.zebedee)
    assert after.version == record.version and after.surname == "Plimsoll"
    assert "identity_changed" not in _audit_actions(db_url)


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("", "Enter the date of birth"),
        ("14/03/80", "in full"),
        ("yesterday", "not a date"),
        ("01/01/2099", "cannot be later"),
        ("01/01/1850", "before"),
    ],
)
def test_date_of_birth_problems(services: Services, world: World, typed: str, problem: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    with pytest.raises(ValidationFailed) as failed:
        _identity(services, ada, world.zebedee, date_of_birth=typed)
    assert [e.field for e in failed.value.errors] == ["date_of_birth"]
    assert problem in failed.value.errors[0].message


@pytest.mark.parametrize("typed", ["1980-03-14", "14/03/1980", "14/3/1980", "14.03.1980"])
def test_date_formats_accepted(services: Services, world: World, typed: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    assert _identity(services, ada, world.zebedee, date_of_birth=typed).date_of_birth == (
        dt.date(1980, 3, 14)
    )


# -- bank, card and passport details in every free-text field ------------------------------------

IDENTITY_TEXT = ["forename", "surname", "gender", "aliases", "notes"]
ADDRESS_TEXT = ["line1", "line2", "town"]
HOUSEHOLD_TEXT = ["name", "relationship", "notes"]


@pytest.mark.parametrize("secret", [CARD, BANK, "Passport number 123456789"])
def test_bank_details_refused_everywhere(
    services: Services, world: World, db_url: str, secret: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    record = services.records.open(ada, world.zebedee)
    base = identity_edit_for(record)
    for name in IDENTITY_TEXT:
        edit = dataclasses.replace(base, **{name: f"Ab {secret}"})
        with pytest.raises(ValidationFailed) as failed:
            services.records.update_identity(ada, world.zebedee, record.version, edit)
        assert [e.field for e in failed.value.errors] == [name]
        assert "must not be stored in Pillars" in failed.value.errors[0].message

    address = address_edit_for(record.addresses[0])
    for name in ADDRESS_TEXT:
        edit = dataclasses.replace(address, **{name: f"Ab {secret}"})
        with pytest.raises(ValidationFailed) as failed:
            services.records.save_address(ada, world.zebedee, edit)
        assert [e.field for e in failed.value.errors] == [name]

    member = household_edit_for(record.household[0])
    new_member = dataclasses.replace(member, member_id=None, expected_version=None)
    for edit_base in (member, new_member):
        for name in HOUSEHOLD_TEXT:
            edit = dataclasses.replace(edit_base, **{name: f"Ab {secret}"})
            with pytest.raises(ValidationFailed) as failed:
                services.records.save_household_member(ada, world.zebedee, edit)
            assert [e.field for e in failed.value.errors] == [name]

    after = services.records.open(ada, world.zebedee)
    assert after.version == record.version and after.addresses == record.addresses
    assert after.household == record.household
    engine, session = _session(db_url)
    with session:
        stored = " ".join(str(d) for d in session.scalars(select(AuditEvent.detail)))
    engine.dispose()
    assert "12345678" not in stored and "4539" not in stored


# -- addresses ----------------------------------------------------------------------------------


def _address(**values: str | int | None) -> AddressEdit:
    defaults: dict = dict(
        address_id=None,
        expected_version=None,
        kind="home",
        line1="12 Pudding Lane",
        line2="",
        town="Northvale",
        postcode="zz7 1xy",
        from_date="01/06/2024",
        to_date="",
    )
    defaults.update(values)
    return AddressEdit(**defaults)


def test_new_home_address_closes_the_previous(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    record = services.records.save_address(ada, world.zebedee, _address())
    assert record.addresses[0].postcode == "ZZ7 1XY" and record.addresses[0].current
    previous = next(a for a in record.addresses if a.postcode == "ZZ3 4QT")
    assert previous.to_date == dt.date(2024, 5, 31) and not previous.current
    history = services.records.history(ada, world.zebedee)
    assert history[0].action == "address_saved"
    assert "7 Marmalade Lane, ZZ3 4QT to 31/05/2024" in history[0].detail_text


def test_a_change_of_address_brings_the_arms_review_forward(
    services: Services, world: World
) -> None:
    """A move is a change of circumstances: the approved ARMS's review comes forward to a month
    after the move; correcting the current address's details is not a move and moves nothing."""
    ada = services.auth.sign_in("ada", PASSWORD)

    def review_in_force() -> dt.date | None:
        record = services.records.open(ada, world.zebedee)
        arms = next(a for a in record.assessments if a.kind == "arms" and a.state == "approved")
        return arms.next_review_on

    before = review_in_force()
    assert before == TODAY + relativedelta(months=6)
    current = services.records.open(ada, world.zebedee).addresses[0]
    services.records.save_address(
        ada, world.zebedee, dataclasses.replace(address_edit_for(current), line2="Flat 2")
    )
    assert review_in_force() == before

    services.records.save_address(ada, world.zebedee, _address())
    assert review_in_force() == dt.date(2024, 7, 1)
    actions = [h.action for h in services.records.history(ada, world.zebedee)]
    assert "arms_review_brought_forward" in actions


def test_new_home_clears_no_fixed_abode(services: Services, world: World, db_url: str) -> None:
    engine, session = _session(db_url)
    with session, session.begin():
        session.get(Offender, world.mortimer).manager_id = world.ada
    engine.dispose()
    ada = services.auth.sign_in("ada", PASSWORD)
    assert services.records.open(ada, world.mortimer).no_fixed_abode
    record = services.records.save_address(ada, world.mortimer, _address())
    assert not record.no_fixed_abode and record.current_address is not None


def test_edit_an_address_and_a_stay(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    record = services.records.open(ada, world.zebedee)
    current = record.addresses[0]
    edit = dataclasses.replace(address_edit_for(current), line2="Flat 2", postcode="ZZ3 4qt")
    saved = services.records.save_address(ada, world.zebedee, edit)
    assert saved.addresses[0].line2 == "Flat 2"
    assert saved.addresses[0].version == current.version + 1
    stay = _address(kind="Staying at", line1="Caravan 4", postcode="ZZ8 8AA", to_date="20/06/2024")
    saved = services.records.save_address(ada, world.zebedee, stay)
    assert any(a.kind == "stay" for a in saved.addresses)
    assert saved.current_address is not None and saved.current_address.line1 == "7 Marmalade Lane"


def test_address_validation_lists_every_field(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    bad = _address(kind="castle", line1="", town="", postcode="ZZ1", from_date="", to_date="x")
    with pytest.raises(ValidationFailed) as failed:
        services.records.save_address(ada, world.zebedee, bad)
    assert [e.field for e in failed.value.errors] == [
        "kind",
        "line1",
        "town",
        "postcode",
        "from_date",
        "to_date",
    ]
    backwards = _address(from_date="10/06/2024", to_date="01/06/2024")
    with pytest.raises(ValidationFailed) as failed:
        services.records.save_address(ada, world.zebedee, backwards)
    assert [e.field for e in failed.value.errors] == ["to_date"]
    older = _address(from_date="01/01/2020")
    with pytest.raises(ValidationFailed, match="needs an end date"):
        services.records.save_address(ada, world.zebedee, older)


def test_address_of_another_offender_is_not_found(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    other = services.records.open(ada, world.horatio).addresses[0]
    with pytest.raises(NotFound):
        services.records.save_address(ada, world.zebedee, address_edit_for(other))


# -- household ----------------------------------------------------------------------------------


def test_household_add_edit_remove(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    edit = HouseholdEdit(
        member_id=None,
        expected_version=None,
        name="Dot Plimsoll",
        relationship="niece",
        date_of_birth="2020-02-02",
        from_date="01/06/2024",
        to_date="",
        notes="Stays weekends.",
    )
    record = services.records.save_household_member(ada, world.zebedee, edit)
    dot = next(m for m in record.household if m.name == "Dot Plimsoll")
    assert dot.is_child and dot.age == 4 and dot.relationship == "niece"
    changed = services.records.save_household_member(
        ada, world.zebedee, dataclasses.replace(household_edit_for(dot), relationship="great-niece")
    )
    dot2 = next(m for m in changed.household if m.name == "Dot Plimsoll")
    assert dot2.relationship == "great-niece" and dot2.version == dot.version + 1
    with pytest.raises(EditConflict):
        services.records.remove_household_member(ada, world.zebedee, dot.member_id, dot.version)
    removed = services.records.remove_household_member(
        ada, world.zebedee, dot2.member_id, dot2.version
    )
    assert all(m.name != "Dot Plimsoll" for m in removed.household)
    actions = [r.action for r in services.records.history(ada, world.zebedee)][:3]
    assert actions == [
        "household_member_removed",
        "household_member_saved",
        "household_member_saved",
    ]


def test_household_validation(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    edit = HouseholdEdit(
        member_id=None,
        expected_version=None,
        name=" ",
        relationship="r" * 61,
        date_of_birth="32/01/2020",
        from_date="02/02/2024",
        to_date="01/02/2024",
        notes="",
    )
    with pytest.raises(ValidationFailed) as failed:
        services.records.save_household_member(ada, world.zebedee, edit)
    assert [e.field for e in failed.value.errors] == [
        "name",
        "relationship",
        "date_of_birth",
        "to_date",
    ]


# -- two desktops -------------------------------------------------------------------------------


def test_concurrent_edit_conflict(services: Services, world: World, db_url: str) -> None:
    """Two desktops load the record; the first saves; the second is refused, told who changed it,
    and the first one's change stands."""
    second = Services(db_url, clock=lambda: world_clock() + dt.timedelta(minutes=5))
    try:
        ada = services.auth.sign_in("ada", PASSWORD)
        ada_again = second.auth.sign_in("ada", PASSWORD)
        mine = services.records.open(ada, world.zebedee)
        theirs = second.records.open(ada_again, world.zebedee)
        services.records.update_identity(
            ada,
            world.zebedee,
            mine.version,
            dataclasses.replace(identity_edit_for(mine), notes="First desktop's note."),
        )
        with pytest.raises(EditConflict) as conflict:
            second.records.update_identity(
                ada_again,
                world.zebedee,
                theirs.version,
                dataclasses.replace(identity_edit_for(theirs), notes="Second desktop's note."),
            )
        assert conflict.value.changed_by == "Ada Quillfeather"
        assert conflict.value.changed_at == world_clock()
        assert "Ada Quillfeather changed this record" in str(conflict.value)
        assert second.records.open(ada_again, world.zebedee).notes == "First desktop's note."

        # the same for an address, saved by another officer's desktop
        address = address_edit_for(theirs.addresses[0])
        services.records.save_address(
            ada, world.zebedee, dataclasses.replace(address, line2="Upstairs")
        )
        with pytest.raises(EditConflict, match="changed this address"):
            second.records.save_address(
                ada_again, world.zebedee, dataclasses.replace(address, line2="Downstairs")
            )
        assert services.records.open(ada, world.zebedee).addresses[0].line2 == "Upstairs"
    finally:
        second.close()


def test_lost_race_is_a_conflict(services: Services, world: World, db_url: str) -> None:
    """The version check in the UPDATE itself: the row moves on between the service's own check
    and its write (here, a direct write from another connection inside the same moment)."""
    ada = services.auth.sign_in("ada", PASSWORD)
    record = services.records.open(ada, world.zebedee)
    engine, session = _session(db_url)
    try:
        from sqlalchemy import event

        fired = False

        @event.listens_for(services.engine, "before_cursor_execute")
        def _meddle(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
            nonlocal fired
            if not fired and statement.lstrip().upper().startswith("UPDATE OFFENDER"):
                fired = True
                with session.begin():
                    other = session.get(Offender, world.zebedee)
                    other.notes = "Sneaked in"
                    other.updated_by_id = world.bram

        if services.engine.dialect.name == "sqlite":
            pytest.skip("SQLite holds the write lock: another writer cannot get in mid-save")
        with pytest.raises(EditConflict) as conflict:
            services.records.update_identity(
                ada,
                world.zebedee,
                record.version,
                dataclasses.replace(identity_edit_for(record), notes="Mine"),
            )
        assert conflict.value.changed_by == "Bramwell Tiddlecombe"
        event.remove(services.engine, "before_cursor_execute", _meddle)
    finally:
        session.close()
        engine.dispose()
    assert services.records.open(ada, world.zebedee).notes == "Sneaked in"


def test_saves_stamp_the_officer(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    _identity(services, ada, world.zebedee, notes="Stamped.")
    services.records.save_address(ada, world.zebedee, _address())
    engine, session = _session(db_url)
    with session:
        assert session.get(Offender, world.zebedee).updated_by_id == world.ada
        stamped = session.scalars(
            select(Address.updated_by_id).where(
                Address.offender_id == world.zebedee, Address.postcode.in_(["ZZ7 1XY", "ZZ3 4QT"])
            )
        ).all()
        assert set(stamped) == {world.ada}
        assert session.scalars(select(HouseholdMember)).first() is not None
    engine.dispose()
