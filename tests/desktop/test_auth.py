"""Sign-in, lockout after five failures, unlock after the idle lock, sign-out; all audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, update

from db.engine import make_engine, session_factory
from db.models import AuditEvent, Officer, Policy
from desktop.services.auth import AuthService
from desktop.services.core import Services
from desktop.services.errors import AccountLocked, SignInRefused
from tests.desktop.factories import PASSWORD, WORLD_NOW, World, populate


class Clock:
    def __init__(self) -> None:
        self.now = WORLD_NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(db_url: str, world: World, clock: Clock) -> Iterator[Services]:
    s = Services(db_url, clock=clock)
    yield s
    s.close()


def _audit(db_url: str) -> list[AuditEvent]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def _officer(db_url: str, officer_id: int) -> Officer:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            officer = session.get(Officer, officer_id)
            assert officer is not None
            return officer
    finally:
        engine.dispose()


def test_sign_in_returns_the_actor_and_is_audited(
    services: Services, world: World, db_url: str
) -> None:
    actor = services.auth.sign_in("ada", PASSWORD)
    assert actor.officer_id == world.ada
    assert actor.username == "ada"
    assert actor.display_name == "Ada Quillfeather"
    assert actor.role == "offender_manager"
    assert actor.team_id == world.alder and actor.team_name == "Alder"
    hub = services.auth.sign_in("  elsie ", PASSWORD)
    assert hub.team_id is None and hub.team_name == ""
    events = _audit(db_url)
    assert [(e.action, e.officer_id) for e in events] == [
        ("sign_in", world.ada),
        ("sign_in", world.elsie),
    ]


def test_preparing_writes_nothing_and_may_run_during_a_sign_in(
    services: Services, world: World, db_url: str
) -> None:
    """The desktop prepares sign-in in the background while the officer types (issue #10); a
    quick officer signs in while that still runs: both finish, only the sign-in is audited."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        prepared = pool.submit(services.auth.prepare)
        signed_in = pool.submit(services.auth.sign_in, "ada", PASSWORD)
        prepared.result()
        actor = signed_in.result()
    assert actor.officer_id == world.ada and actor.team_name == "Alder"
    assert [(e.action, e.officer_id) for e in _audit(db_url)] == [("sign_in", world.ada)]
    assert Officer.__mapper__.configured
    services.auth.prepare()  # again, as when the dialog reconnects: still nothing written
    assert len(_audit(db_url)) == 1


def test_unknown_user_and_wrong_password_get_the_same_message(
    services: Services, world: World, db_url: str
) -> None:
    with pytest.raises(SignInRefused) as unknown:
        services.auth.sign_in("nobody", PASSWORD)
    with pytest.raises(SignInRefused) as wrong:
        services.auth.sign_in("ada", "wrong")
    assert str(unknown.value) == str(wrong.value) == "Wrong username or password."
    assert not isinstance(wrong.value, AccountLocked)
    events = _audit(db_url)
    assert [(e.action, e.username, e.officer_id) for e in events] == [
        ("sign_in_failed", "(unknown)", None),
        ("sign_in_failed", "ada", world.ada),
    ]
    assert all("wrong" not in str(e.detail.values()) or "password" in str(e.detail) for e in events)
    assert _officer(db_url, world.ada).failed_sign_ins == 1


def test_a_password_typed_into_the_username_box_never_reaches_the_audit_log(
    services: Services, world: World, db_url: str
) -> None:
    with pytest.raises(SignInRefused):
        services.auth.sign_in("Secr3t-Passw0rd!", "ada")
    events = _audit(db_url)
    assert events[-1].username == "(unknown)"
    assert all("Secr3t" not in f"{e.username} {e.detail}" for e in events)


def test_inactive_officer_is_refused_clearly(services: Services, world: World, db_url: str) -> None:
    engine = make_engine(db_url)
    with session_factory(engine)() as session, session.begin():
        session.get(Officer, world.bram).active = False
    engine.dispose()
    with pytest.raises(SignInRefused, match="no longer active"):
        services.auth.sign_in("bram", PASSWORD)
    with pytest.raises(SignInRefused, match="Wrong username or password"):
        services.auth.sign_in("bram", "wrong")


def test_lockout_at_exactly_five_and_unlock_after_fifteen_minutes(
    services: Services, world: World, clock: Clock, db_url: str
) -> None:
    version = _officer(db_url, world.ada).version
    for _ in range(4):
        with pytest.raises(SignInRefused) as refused:
            services.auth.sign_in("ada", "wrong")
        assert not isinstance(refused.value, AccountLocked)
    with pytest.raises(AccountLocked) as locked:
        services.auth.sign_in("ada", "wrong")
    assert locked.value.until == WORLD_NOW + dt.timedelta(minutes=15)
    # Locked: even the right password is refused, until the lock runs out.
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked):
        services.auth.sign_in("ada", PASSWORD)
    clock.advance(seconds=1)
    actor = services.auth.sign_in("ada", PASSWORD)
    assert actor.officer_id == world.ada
    officer = _officer(db_url, world.ada)
    assert officer.failed_sign_ins == 0 and officer.locked_until is None
    assert officer.version == version  # counters are not edits
    actions = [e.action for e in _audit(db_url)]
    assert actions == ["sign_in_failed"] * 6 + ["sign_in"]


def test_a_success_resets_the_counter(services: Services, world: World) -> None:
    for _ in range(4):
        with pytest.raises(SignInRefused):
            services.auth.sign_in("ada", "wrong")
    services.auth.sign_in("ada", PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInRefused) as refused:
            services.auth.sign_in("ada", "wrong")
        assert not isinstance(refused.value, AccountLocked)


def test_policy_changes_the_lockout(services: Services, world: World, db_url: str) -> None:
    engine = make_engine(db_url)
    with session_factory(engine)() as session, session.begin():
        session.add(Policy(key="sign_in_attempts_before_lock", value=2))
        session.add(Policy(key="sign_in_lock_minutes", value=60))
        session.add(Policy(key="idle_lock_minutes", value=5))
    engine.dispose()
    with pytest.raises(SignInRefused):
        services.auth.sign_in("ada", "wrong")
    with pytest.raises(AccountLocked) as locked:
        services.auth.sign_in("ada", "wrong")
    assert locked.value.until == WORLD_NOW + dt.timedelta(minutes=60)
    assert services.auth.idle_lock_minutes() == 5


def test_idle_lock_default(services: Services) -> None:
    assert services.auth.idle_lock_minutes() == 15


def test_unlock(services: Services, world: World, db_url: str) -> None:
    actor = services.auth.sign_in("cora", PASSWORD)
    services.auth.unlock(actor, PASSWORD)
    with pytest.raises(SignInRefused, match="Wrong username or password"):
        services.auth.unlock(actor, "wrong")
    for _ in range(3):
        with pytest.raises(SignInRefused):
            services.auth.unlock(actor, "wrong")
    with pytest.raises(AccountLocked):
        services.auth.unlock(actor, "wrong")
    with pytest.raises(AccountLocked):
        services.auth.sign_in("cora", PASSWORD)
    services.auth.sign_out(actor)
    actions = [e.action for e in _audit(db_url)]
    assert actions == ["sign_in", "unlock"] + ["unlock_failed"] * 5 + ["sign_in_failed", "sign_out"]
    assert services.audit.verify().ok


def _set_password_hash(services: Services, officer_id: int, password: str) -> None:
    from desktop.services.passwords import hash_password

    with services.transaction() as session:
        session.execute(
            update(Officer)
            .where(Officer.id == officer_id)
            .values(password_hash=hash_password(password))
        )


@pytest.mark.parametrize("typed", ["old", "new"])
def test_a_password_changed_during_the_sign_in_is_checked_against_the_new_one(
    services: Services, world: World, db_url: str, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    """The password is checked before the sign-in's transaction, while the app is still loading
    (issue #10); the transaction takes that answer only for the hash it then finds. An
    administrator resetting the password in between: the old one is refused and counted, the
    new one lets the officer in."""
    old, new = PASSWORD, "a-brand-new-passphrase"
    early = AuthService._check_early

    def then_reset(self: AuthService, username: str, password: str) -> object:
        answer = early(self, username, password)
        _set_password_hash(services, world.ada, new)
        return answer

    monkeypatch.setattr(AuthService, "_check_early", then_reset)
    if typed == "old":
        with pytest.raises(SignInRefused):
            services.auth.sign_in("ada", old)
        assert _officer(db_url, world.ada).failed_sign_ins == 1
        assert _audit(db_url)[-1].action == "sign_in_failed"
    else:
        assert services.auth.sign_in("ada", new).officer_id == world.ada
        assert _audit(db_url)[-1].action == "sign_in"
