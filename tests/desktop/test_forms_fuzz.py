"""Every form of the services under bad input (issue #9 item 7; DESIGN section 4, "Bad input
everywhere"): hypothesis mixes sensible values with hostile text (empty, white space, 10,000
characters, control characters, NUL, unpaired surrogates, bidi marks, emoji, SQL-ish quotes),
impossible dates (31/02/2024, 00/00/0000, year 1, year 9999), odd numbers and bank, card and
passport details, field by field.

Whatever is typed, a save either succeeds and reads back as the cleaned text, or is refused with
ValidationFailed: at least one field error, each a short sentence that does not quote a card or
bank number back, and nothing in the database changed (every table's row count and the sum of its
versions, the audit log included). Anything else escaping (a crash, a database error) fails.

Each test builds one synthetic world and runs its examples against it, on SQLite and on
PostgreSQL (which refuses NUL bytes). Successes change the world as they would for a person, so
each test restores what the next example needs (a draft to edit, a visit to cancel).

Entry points covered, by service: team (record_absence, change_absence, name_cover), visits
(plan, move, cancel, record_outcome, record_no_ppn_needed), ppns (raise_, edit, submit,
record_mash_review, record_decision, list's search), assessments (save_arms, save_rm2000), plans
(save_draft), hub (enter, find_offender, trips, reject), mappa (change), records
(update_identity, save_address, save_household_member), approvals (return_), scrutiny
(create_pack's adjustments, record_findings) and auth (sign_in).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import Base
from db.enums import NotificationKind, PpnState, VisitOutcome
from db.models import (
    Absence,
    HouseholdMember,
    MappaChange,
    Notification,
    Offender,
    Ppn,
    RiskAssessment,
    RiskManagementPlan,
    Task,
    Visit,
)
from desktop.rules import validation as v
from desktop.services.actor import Actor
from desktop.services.assessments import ArmsEdit, FactorEdit, Rm2000Edit
from desktop.services.core import Services
from desktop.services.errors import SignInRefused, ValidationFailed
from desktop.services.hub import NotificationEntry
from desktop.services.plans import ActionEdit, PlanEdit
from desktop.services.ppns import PpnEntry, SubjectEntry
from desktop.services.records import AddressEdit, HouseholdEdit, IdentityEdit
from desktop.services.scrutiny import CHECKLIST, Adjustment
from desktop.services.team import AbsenceEntry
from desktop.services.visits import OutcomeEdit, VisitEdit
from tests.desktop.factories import (
    PASSWORD,
    World,
    add_pending_approvals,
    populate,
    world_clock,
)

T = TypeVar("T")
TODAY = dt.date(2024, 6, 12)  # the world's today, a Wednesday; its clock says 10:00 UTC


# -- what people type --------------------------------------------------------------------------
class Long(str):
    """A text of thousands of characters that hypothesis reports in a few words."""

    def __repr__(self) -> str:
        return f"Long({self[:8]!r} ... {len(self)} characters)"


CARD = "4539 1488 0343 6467"  # fictional, passes the Luhn check
ODD = [
    "",
    " ",
    "\t \n \r\n ",
    "\x00",
    "Ada\x00Lovelace",
    "\ud800",
    "a\udfffb",
    "\u202eevil\u202c",
    "\u200f\u05e9\u05dc\u05d5\u05dd\u200e",
    "\u200b",
    "\ufeff \u200b",
    "😀👨\u200d👩\u200d👧",
    "Robert'); DROP TABLE offender;--",
    "' OR '1'='1",
    "%_\\",
    "<b>bold</b>&amp;",
    "\x1b[31mred\x07",
    "NULL",
    "e\u0301\u0301\u0301",
    "\u2028line\u2029",
    "Zoë O’Brien-Ñúñez",
]
SECRETS = [
    CARD,
    "4539-1488-0343-6467",
    "paid with 4539148803436467",
    "sort code 12-34-56 account 12345678",
    "12 34 56 87654321",
    "Passport no. 123456789",
]
SECRET_DIGITS = ["4539148803436467", "12345678", "87654321", "123456789"]
BAD_DATES = [
    "31/02/2024",
    "00/00/0000",
    "99999",
    "01/01/0001",
    "0001-01-01",
    "31/12/9999",
    "9999-12-31",
    "01/01/9999",
    "29/02/2023",
    "-1/06/2024",
    "12/06/24",
    "2024-13-01",
    "12/06/2024\x00",
    "１２/０６/２０２４",
    "31/12/1899",
    "12/06/2024 10:00",
    CARD,
]
BAD_TIMES = ["25:00", "24:00", "7:5", "99:99", "-1:00", "14:00\x00", "１４:００", "2pm", "14:60"]
NUMBERS = ["-1", "0", "99999999999999999999", "1e3", "٣", "²", "0x10", " 7 ", "1_0", "3.5"]
HUGE_NUMBER = Long("9" * 5000)  # more digits than int() reads by default (4300)


_odd_characters = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zs", "Zl", "Lu", "Ll", "So"])
odd_text = st.one_of(
    st.sampled_from(ODD + SECRETS),
    st.text(_odd_characters, max_size=30),
    st.sampled_from(["x", "ab ", "4", "\x00", "😀"]).map(lambda s: Long(s * (10_000 // len(s)))),
    st.just(Long("a" * 5_000 + f" {CARD} " + "b" * 5_000)),
)


@dataclass(frozen=True)
class Mix:
    """A field's sensible values and its hostile ones."""

    good: st.SearchStrategy[Any]
    bad: st.SearchStrategy[Any]


def text_or(*sensible: str) -> Mix:
    return Mix(st.sampled_from(sensible), odd_text)


def date_or(*sensible: str) -> Mix:
    return Mix(st.sampled_from(sensible), st.one_of(st.sampled_from(BAD_DATES), odd_text))


def time_or(*sensible: str) -> Mix:
    return Mix(st.sampled_from(sensible), st.one_of(st.sampled_from(BAD_TIMES), odd_text))


def number_or(*sensible: str) -> Mix:
    return Mix(st.sampled_from(sensible), st.sampled_from([*NUMBERS, HUGE_NUMBER]))


def mixed(**fields: Mix | st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Values for a form's fields: sensible ones but for a chosen few (often none, often one,
    sometimes all), so that saves get through too and read back hostile text that is allowed
    (emoji, bidi marks, quotes)."""
    mixes = [name for name, f in fields.items() if isinstance(f, Mix)]

    @st.composite
    def values(draw: st.DrawFn) -> dict[str, Any]:
        hostile = draw(st.sets(st.sampled_from(mixes), max_size=len(mixes))) if mixes else set()
        return {
            name: draw(
                field
                if not isinstance(field, Mix)
                else field.bad
                if name in hostile
                else field.good
            )
            for name, field in fields.items()
        }

    return values()


def builds(form: Callable[..., T], **fields: Mix | st.SearchStrategy[Any]) -> st.SearchStrategy[T]:
    return mixed(**fields).map(lambda values: form(**values))


def fuzz(examples: int = 25, **fields: Mix | st.SearchStrategy[Any]) -> Callable[..., Any]:
    """`given` for a loop inside a test that has built its world once: `body` is called with
    the fields' values as keyword arguments."""

    def decorate(body: Callable[..., None]) -> Callable[[], None]:
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(mixed(**fields))
        def run(values: dict[str, Any]) -> None:
            body(**values)

        return run

    return decorate


# -- the checks ----------------------------------------------------------------------------------


def assert_good_refusal(refused: ValidationFailed) -> None:
    """At least one field error, each a short sentence that quotes no card or bank number."""
    assert refused.errors, "refused without saying which field"
    for problem in refused.errors:
        message = problem.message
        assert problem.field, message
        assert message and message == message.strip(), repr(message)
        assert message[0].isupper() or message[0] in "0123456789“", repr(message)
        assert message.endswith((".", "?")), repr(message)
        assert len(message) <= 500, f"{problem.field}: a message of {len(message)} characters"
        assert v.find_bank_details(message) is None, message
        digits = re.sub(r"[^0-9]", "", message)
        assert not any(secret in digits for secret in SECRET_DIGITS), message
        message.encode("utf-8")  # shown and logged: no unpaired surrogates


def cleaned(typed: str, *, multiline: bool = False) -> str:
    return v.clean_text(typed, multiline=multiline)


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What a save that succeeded returned."""

    value: T


class Fuzz:
    """One synthetic world, its services, and a fingerprint of everything stored."""

    def __init__(self, db_url: str) -> None:
        self.world: World = populate(db_url)
        self.services = Services(db_url, clock=world_clock)
        self._actors: dict[str, Actor] = {}

    def close(self) -> None:
        self.services.close()

    def actor(self, username: str) -> Actor:
        if username not in self._actors:
            self._actors[username] = self.services.auth.sign_in(username, PASSWORD)
        return self._actors[username]

    def session(self) -> Session:
        return Session(self.services.engine)

    def row(self, model: type[T], row_id: int) -> T:
        with self.session() as session:
            found = session.get(model, row_id)
            assert found is not None
            session.expunge(found)
            return found

    def version(self, model: type[Any], row_id: int) -> int:
        return int(self.row(model, row_id).version)

    def fingerprint(self) -> dict[str, tuple[int, ...]]:
        """Every table's row count and the sum of its versions: an insert, a delete or a
        versioned update anywhere changes it."""
        found: dict[str, tuple[int, ...]] = {}
        with self.services.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                columns: list[Any] = [func.count()]
                if "version" in table.c:
                    columns.append(func.coalesce(func.sum(table.c.version), 0))
                found[table.name] = tuple(conn.execute(select(*columns).select_from(table)).one())
        return found

    def attempt(self, call: Callable[[], T]) -> Saved[T] | None:
        """The call's result, or None when it was refused well and changed nothing."""
        before = self.fingerprint()
        try:
            saved = Saved(call())
        except ValidationFailed as refused:
            assert_good_refusal(refused)
            assert self.fingerprint() == before, "a refused save changed the database"
            event("refused")
            return None
        event("saved")  # --hypothesis-show-statistics: how often each loop gets through
        return saved


@pytest.fixture
def fz(db_url: str) -> Any:
    made = Fuzz(db_url)
    yield made
    made.close()


def _typed(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# -- team: absences and named cover -------------------------------------------------------------


def test_absences_and_cover_under_bad_input(fz: Fuzz) -> None:
    w, team = fz.world, fz.services.team
    cora, dorian = fz.actor("cora"), fz.actor("dorian")
    days = date_or("17/06/2024", "2024-06-18", "1/7/2024", "20.06.2024", "03/07/2024")
    changing = team.record_absence(
        cora, AbsenceEntry(w.bram, "training", "01/08/2024", "02/08/2024")
    )
    away = team.record_absence(dorian, AbsenceEntry(w.cora, "leave", "01/07/2024", "10/07/2024"))

    @fuzz(
        kind=text_or("leave", "Sickness", "TRAINING", "abstracted"),
        starts=days,
        ends=days,
        note=text_or("", "Booked in March", "Course at HQ; back Monday"),
    )
    def absences(kind: str, starts: str, ends: str, note: str) -> None:
        entry = AbsenceEntry(w.ada, kind, starts, ends, note)
        saved = fz.attempt(lambda: team.record_absence(cora, entry))
        if saved is not None:
            assert fz.row(Absence, saved.value).note == cleaned(note, multiline=True)
        version = fz.version(Absence, changing)
        entry = AbsenceEntry(None, kind, starts, ends, note)
        fz.attempt(lambda: team.change_absence(cora, changing, version, entry))

    @fuzz(starts=date_or("01/07/2024", "2024-07-05"), ends=date_or("03/07/2024", "10/07/2024"))
    def cover(starts: str, ends: str) -> None:
        fz.attempt(lambda: team.name_cover(dorian, away, w.hattie, starts, ends))

    absences()
    cover()


# -- visits -----------------------------------------------------------------------------------


def _planned(fz: Fuzz, offender_id: int) -> Visit | None:
    with fz.session() as session:
        found = session.scalars(
            select(Visit).where(
                Visit.offender_id == offender_id, Visit.outcome == VisitOutcome.PLANNED
            )
        ).first()
        if found is not None:
            session.expunge(found)
        return found


GOOD_PLAN = VisitEdit("13/06/2024", "15:30", "ada", "bram", True, "Appointment agreed")


def test_planning_and_cancelling_visits_under_bad_input(fz: Fuzz) -> None:
    w, visits, ada = fz.world, fz.services.visits, fz.actor("ada")

    def ensure_planned(offender_id: int) -> Visit:
        visit = _planned(fz, offender_id)
        if visit is None:
            visits.plan(ada, offender_id, GOOD_PLAN)
            visit = _planned(fz, offender_id)
        assert visit is not None
        return visit

    @fuzz(
        date=date_or("13/06/2024", "2024-06-14", "17/6/2024", "11/06/2024"),
        time=time_or("15:30", "1030", "19.45", "06:00"),
        officer1=text_or("ada", "ADA", "cora", "elsie"),
        officer2=text_or("bram", " bram ", "ada"),
        announced=st.booleans(),
        reason=text_or("", "Appointment agreed with his solicitor"),
        outside=text_or("", "Offender away the rest of the month"),
    )
    def plan_and_move(
        date: str,
        time: str,
        officer1: str,
        officer2: str,
        announced: bool,
        reason: str,
        outside: str,
    ) -> None:
        edit = VisitEdit(date, time, officer1, officer2, announced, reason, outside)
        planned = fz.attempt(lambda: visits.plan(ada, w.horatio, edit))
        if planned is not None:
            visit_id = planned.value
            saved = fz.row(Visit, visit_id)
            assert saved.announced_reason == (cleaned(reason, multiline=True) if announced else "")
            assert saved.outside_window_reason == cleaned(outside, multiline=True)
            visits.cancel(ada, visit_id, saved.version, "Planned only to be moved")
        moving = ensure_planned(w.quentin)
        moved = replace(edit, visit_id=moving.id, expected_version=moving.version)
        fz.attempt(lambda: visits.move(ada, moved))

    @fuzz(reason=text_or("Offender in hospital", "Crew needed for a warrant"))
    def cancel(reason: str) -> None:
        visit = ensure_planned(w.quentin)
        if fz.attempt(lambda: visits.cancel(ada, visit.id, visit.version, reason)) is not None:
            assert fz.row(Visit, visit.id).notes == cleaned(reason, multiline=True)

    plan_and_move()
    cancel()


def test_recording_visits_under_bad_input(fz: Fuzz) -> None:
    w, visits, ada = fz.world, fz.services.visits, fz.actor("ada")
    visit = _planned(fz, w.zebedee)
    assert visit is not None

    @fuzz(
        outcome=text_or("completed", "No access", "refused_entry", "cancelled"),
        day=date_or("12/06/2024", "2024-06-11", "13/06/2024"),
        time=time_or("09:00", "0815", "10:30"),
        officer1=text_or("ada", "bram"),
        officer2=text_or("bram", "cora"),
        home=text_or("Tidy flat; partner present", ""),
        children=text_or("yes", "No", ""),
        notes=text_or("", "Seen at the door", "Nobody answered; card left"),
    )
    def outcome(
        outcome: str,
        day: str,
        time: str,
        officer1: str,
        officer2: str,
        home: str,
        children: str,
        notes: str,
    ) -> None:
        edit = OutcomeEdit(
            fz.version(Visit, visit.id),
            outcome,
            day,
            time,
            officer1,
            officer2,
            home,
            children,
            notes,
        )
        if fz.attempt(lambda: visits.record_outcome(ada, visit.id, edit)) is not None:
            saved = fz.row(Visit, visit.id)
            assert saved.home_circumstances == cleaned(home, multiline=True)
            assert saved.notes == cleaned(notes, multiline=True)

    @fuzz(reason=text_or("The children were with their mother at the school gate."))
    def no_ppn(reason: str) -> None:
        version = fz.version(Visit, visit.id)
        if fz.attempt(lambda: visits.record_no_ppn_needed(ada, visit.id, version, reason)):
            saved = fz.row(Visit, visit.id)
            assert saved.ppn_decision_reason == cleaned(reason, multiline=True)

    outcome()
    finished = OutcomeEdit(
        fz.version(Visit, visit.id), "completed", "12/06/2024", "09:00", "ada", "bram", "Tidy", "no"
    )
    visits.record_outcome(ada, visit.id, finished)
    no_ppn()


# -- PPNs ---------------------------------------------------------------------------------------

GOOD_PPN = PpnEntry(
    "amber", "Child seen at the window", "12/06/2024", "08:30", (SubjectEntry(name="Child A"),)
)


def _ppn_in(fz: Fuzz, offender_id: int, state: PpnState) -> Ppn:
    """A PPN of the offender in `state`, made through the service when there is none."""
    with fz.session() as session:
        found = session.scalars(
            select(Ppn).where(Ppn.offender_id == offender_id, Ppn.state == state)
        ).first()
        if found is not None:
            session.expunge(found)
            return found
    ppns, ada = fz.services.ppns, fz.actor("ada")
    ppn_id = ppns.raise_(ada, offender_id, GOOD_PPN)
    if state != PpnState.DRAFT:
        ppns.submit(ada, ppn_id, fz.version(Ppn, ppn_id), reference="MASH/1")
    if state == PpnState.AWAITING_SOCIAL_CARE:
        ppns.record_mash_review(
            ada, ppn_id, fz.version(Ppn, ppn_id), reviewed_date="12/06/2024", outcome="Seen"
        )
    return fz.row(Ppn, ppn_id)


def test_ppns_under_bad_input(fz: Fuzz) -> None:
    w, ppns, ada = fz.world, fz.services.ppns, fz.actor("ada")
    with fz.session() as session:
        member = session.scalars(
            select(HouseholdMember.id).where(HouseholdMember.offender_id == w.zebedee)
        ).first()
    subject = builds(
        SubjectEntry,
        household_member_id=Mix(st.sampled_from([None, member]), st.sampled_from([999_999, -1])),
        name=text_or("Child A", "Neighbour's son"),
        date_of_birth=date_or("", "01/02/2015", "2019-09-30"),
        relationship=text_or("", "daughter of partner"),
        is_child=st.booleans(),
    )
    entries = builds(
        PpnEntry,
        grade=text_or("red", "Amber", "GREEN"),
        concern=text_or("Child at the address overnight", "Bruise seen on a child's arm"),
        concern_date=date_or("12/06/2024", "2024-06-10", "01/05/2024", "01/01/2024"),
        concern_time=time_or("08:30", "0715", "23.59"),
        subjects=Mix(st.lists(subject, min_size=1, max_size=2).map(tuple), st.just(())),
    )

    @fuzz(entry=entries)
    def raise_and_edit(entry: PpnEntry) -> None:
        raised = fz.attempt(lambda: ppns.raise_(ada, w.zebedee, entry))
        if raised is not None:
            saved = fz.row(Ppn, raised.value)
            assert saved.concern == cleaned(entry.concern, multiline=True)
        draft = _ppn_in(fz, w.zebedee, PpnState.DRAFT)
        fz.attempt(lambda: ppns.edit(ada, draft.id, draft.version, entry))

    @fuzz(
        reference=text_or("", "MASH/2024/118"),
        day=date_or("12/06/2024", "2024-06-12", "11/06/2024"),
        words=text_or("Referred to children's social care", "No further action"),
        source=text_or("Duty social worker, Fictionton CSC"),
    )
    def later_steps(reference: str, day: str, words: str, source: str) -> None:
        draft = _ppn_in(fz, w.zebedee, PpnState.DRAFT)
        if fz.attempt(lambda: ppns.submit(ada, draft.id, draft.version, reference=reference)):
            assert fz.row(Ppn, draft.id).submission_reference == cleaned(reference)
        sent = _ppn_in(fz, w.zebedee, PpnState.SUBMITTED)
        fz.attempt(
            lambda: ppns.record_mash_review(
                ada, sent.id, sent.version, reviewed_date=day, outcome=words
            )
        )
        waiting = _ppn_in(fz, w.zebedee, PpnState.AWAITING_SOCIAL_CARE)
        fz.attempt(
            lambda: ppns.record_decision(
                ada, waiting.id, waiting.version, decision=words, decided_date=day, source=source
            )
        )
        found = ppns.list(ada, scope="team", text=words)
        assert all(isinstance(item.concern, str) for item in found.items)

    raise_and_edit()
    later_steps()


# -- assessments --------------------------------------------------------------------------------


def test_assessments_under_bad_input(fz: Fuzz) -> None:
    w, assessments = fz.world, fz.services.assessments
    ada, cora = fz.actor("ada"), fz.actor("cora")
    form = assessments.new_arms_form(ada, w.zebedee)
    draft_id = assessments.save_arms(
        ada, w.zebedee, replace(form, assessed_on="12/06/2024", level="high")
    )
    codes = [f.code for f in form.factors]
    factor = builds(
        FactorEdit,
        code=Mix(st.sampled_from(codes), odd_text),
        present=st.booleans(),
        evidence=text_or("", "Said so at the last visit"),
    )

    @fuzz(
        assessed_on=date_or("12/06/2024", "2024-05-01", "13/06/2024"),
        level=text_or("low", "Very high", "HIGH", "medium"),
        next_review=date_or("", "01/12/2024", "2025-06-12", "01/01/2024"),
        summary=text_or("", "Stable; engaging with treatment"),
        factors=st.lists(factor, max_size=4),
    )
    def arms(
        assessed_on: str, level: str, next_review: str, summary: str, factors: list[FactorEdit]
    ) -> None:
        edit = ArmsEdit(
            draft_id,
            fz.version(RiskAssessment, draft_id),
            assessed_on,
            level,
            next_review,
            summary,
            factors,
        )
        if fz.attempt(lambda: assessments.save_arms(ada, w.zebedee, edit)) is not None:
            assert fz.row(RiskAssessment, draft_id).summary == cleaned(summary, multiline=True)

    @fuzz(
        sexual=number_or("0", "3", "7"),
        violent=number_or("0", "1", "2"),
        aggravating=number_or("0", "2"),
        assessed_on=date_or("12/06/2024", "2024-01-31"),
    )
    def rm2000(sexual: str, violent: str, aggravating: str, assessed_on: str) -> None:
        edit = Rm2000Edit(sexual, violent, aggravating, assessed_on)
        if fz.attempt(lambda: assessments.save_rm2000(ada, w.quentin, edit)) is not None:
            # submitted for approval; returned, it no longer stands in the next one's way
            pending = fz.services.approvals.pending_for_offender(cora, w.quentin)
            fz.services.approvals.return_(cora, pending[-1].task_id, "Check the scores")

    arms()
    rm2000()


# -- plans --------------------------------------------------------------------------------------


def test_plan_drafts_under_bad_input(fz: Fuzz) -> None:
    w, plans, ada = fz.world, fz.services.plans, fz.actor("ada")
    plan_id = plans.start_draft(ada, w.zebedee)
    action = builds(
        ActionEdit,
        action_id=st.just(None),
        pillar=text_or("supervision", "Victim safety", "interventions_and_treatment"),
        description=text_or("Fortnightly home visit", "Check the phone"),
        owner=Mix(
            st.sampled_from([f"officer:{w.ada}", f"officer: {w.bram}", "Probation Service"]),
            st.one_of(
                st.sampled_from(["officer:", "officer:²", "officer:-1", "officer:" + HUGE_NUMBER]),
                odd_text,
            ),
        ),
        due_on=date_or("30/06/2024", "2024-07-31"),
        status=text_or("", "not_started", "In progress", "done"),
        answers_factor=text_or("", "sexual_preoccupation", "Access to potential victims"),
    )

    @fuzz(
        contingency=text_or("", "Recall to custody if contact with children"),
        licence=text_or("", "SHPO: no unsupervised contact with under-18s"),
        review_on=date_or("", "12/12/2024", "2025-01-31"),
        actions=st.lists(action, max_size=3),
    )
    def save(contingency: str, licence: str, review_on: str, actions: list[ActionEdit]) -> None:
        edit = PlanEdit(
            fz.version(RiskManagementPlan, plan_id), contingency, licence, review_on, actions
        )
        if fz.attempt(lambda: plans.save_draft(ada, plan_id, edit)) is not None:
            saved = fz.row(RiskManagementPlan, plan_id)
            assert saved.contingency == cleaned(contingency, multiline=True)
            assert saved.licence_conditions == cleaned(licence, multiline=True)

    save()


# -- the hub ------------------------------------------------------------------------------------


def test_hub_entries_under_bad_input(fz: Fuzz) -> None:
    w, hub, elsie = fz.world, fz.services.hub, fz.actor("elsie")
    reference = fz.row(Offender, w.zebedee).reference
    kinds = [k.value for k in NotificationKind if k != NotificationKind.INITIAL]
    days = date_or("12/06/2024", "10/06/2024", "2024-06-20", "01/07/2024", "01/01/2024")
    entries = builds(
        NotificationEntry,
        kind=Mix(st.sampled_from(kinds), odd_text),
        reference=Mix(st.sampled_from([reference, reference.lower(), " zz / 2019 "]), odd_text),
        event_on=days,
        notified_on=date_or("", "12/06/2024", "11/06/2024"),
        note=text_or("", "Came to the front desk"),
        forename=text_or("Bartholomew"),
        surname=text_or("Quibble"),
        line1=text_or("1 Nowhere Lane"),
        line2=text_or("", "Flat 2"),
        town=text_or("Fictionton"),
        postcode=text_or("ZZ1 1AA", "zz34qt", "ZZ1"),
        no_fixed_abode=st.booleans(),
        where=text_or("Under the railway arches"),
        end_on=days,
        expected_change=text_or("Moving in with his sister"),
        released_from=text_or("custody", "Hospital"),
        return_on=days,
        destinations=Mix(
            st.lists(st.sampled_from(["Ruritania", "Freedonia"]), max_size=2).map(tuple),
            st.lists(odd_text, max_size=3).map(tuple),
        ),
        decided_on=date_or("", "10/06/2024"),
        trip_id=st.sampled_from([None, 999_999]),
        from_force=text_or("Fictionshire Constabulary"),
        previous_reference=text_or("", "FS/2011/000042"),
        date_of_birth=date_or("01/01/1980"),
        gender=text_or("", "male"),
        team_id=st.sampled_from([None, w.alder, 999_999]),
        mappa_category=text_or("1", "2", "5"),
        offence=text_or("", "Sexual assault"),
        convicted_on=date_or("", "01/02/2015"),
        sentence_kind=text_or("", "custody"),
        sentence_months=number_or("", "18", "36"),
    )

    @fuzz(entry=entries, examples=40)
    def enter(entry: NotificationEntry) -> None:
        entered = fz.attempt(lambda: hub.enter(elsie, entry))
        if entered is not None:
            notification = fz.row(Notification, fz.row(Task, entered.value).subject_id or 0)
            assert notification.note == cleaned(entry.note, multiline=True)
        found = hub.find_offender(elsie, entry.reference)
        assert found is None or found[1] == reference
        assert isinstance(hub.trips(elsie, entry.reference), list)

    @fuzz(reason=text_or("Entered twice", "Entered for the wrong offender"))
    def reject(reason: str) -> None:
        task_id = hub.enter(elsie, NotificationEntry("periodic", reference=reference))
        notification_id = fz.row(Task, task_id).subject_id or 0
        version = fz.version(Notification, notification_id)
        if fz.attempt(lambda: hub.reject(elsie, task_id, version, reason)) is not None:
            assert fz.row(Task, task_id).comment == cleaned(reason, multiline=True)

    enter()
    reject()


# -- MAPPA --------------------------------------------------------------------------------------


def test_mappa_changes_under_bad_input(fz: Fuzz) -> None:
    w, mappa, ada = fz.world, fz.services.mappa, fz.actor("ada")

    @fuzz(
        category=text_or("1", "2", "3: other dangerous offender", "4"),
        level=text_or("1", "2", "3"),
        reason=text_or("Agreed at the MAPPA meeting", "Level raised after a new conviction"),
    )
    def change(category: str, level: str, reason: str) -> None:
        version = fz.version(Offender, w.zebedee)
        if fz.attempt(lambda: mappa.change(ada, w.zebedee, version, category, level, reason)):
            with fz.session() as session:
                newest = session.scalars(
                    select(MappaChange.reason)
                    .where(MappaChange.offender_id == w.zebedee)
                    .order_by(MappaChange.id.desc())
                ).first()
            assert newest == cleaned(reason, multiline=True)

    change()


# -- the offender's record ------------------------------------------------------------------------


def test_record_edits_under_bad_input(fz: Fuzz) -> None:
    w, records, ada = fz.world, fz.services.records, fz.actor("ada")
    names = text_or("Zebedee", "Zoë", "O'Brien-Smith")

    @fuzz(
        forename=names,
        surname=names,
        born=date_or("01/02/1980", "1979-12-31", "12/06/2025"),
        gender=text_or("", "male", "female"),
        aliases=text_or("", "Zeb\nZed Smith", "Zeb\nzeb"),
        notes=text_or("", "Prefers to be called Zeb"),
    )
    def identity(
        forename: str, surname: str, born: str, gender: str, aliases: str, notes: str
    ) -> None:
        edit = IdentityEdit(forename, surname, born, gender, aliases, notes)
        version = fz.version(Offender, w.zebedee)
        saved = fz.attempt(lambda: records.update_identity(ada, w.zebedee, version, edit))
        if saved is not None:
            assert (saved.value.forename, saved.value.notes) == (
                cleaned(forename),
                cleaned(notes, multiline=True),
            )

    days = date_or("", "01/03/2024", "2024-05-31", "01/01/2024")
    line = text_or("1 Nowhere Lane", "Flat 2, 3 Elsewhere Road")

    @fuzz(
        kind=text_or("stay", "Staying at"),
        line1=line,
        town=text_or("Fictionton"),
        postcode=text_or("ZZ1 1AA", "zz34qt"),
        starts=days,
        ends=days,
    )
    def address(kind: str, line1: str, town: str, postcode: str, starts: str, ends: str) -> None:
        edit = AddressEdit(None, None, kind, line1, "", town, postcode, starts, ends)
        fz.attempt(lambda: records.save_address(ada, w.zebedee, edit))

    @fuzz(
        name=names,
        relationship=text_or("", "partner's daughter"),
        born=days,
        starts=days,
        ends=days,
        notes=text_or("", "Stays at weekends"),
    )
    def household(
        name: str, relationship: str, born: str, starts: str, ends: str, notes: str
    ) -> None:
        edit = HouseholdEdit(None, None, name, relationship, born, starts, ends, notes)
        fz.attempt(lambda: records.save_household_member(ada, w.zebedee, edit))

    identity()
    address()
    household()


# -- approvals, scrutiny and signing in ----------------------------------------------------------


def test_returning_work_under_bad_input(fz: Fuzz) -> None:
    w, approvals = fz.world, fz.services.approvals
    ada, cora = fz.actor("ada"), fz.actor("cora")
    work = add_pending_approvals(fz.services.url, w)
    task = [work.arms_task]

    @fuzz(comment=text_or("Add the evidence for the second factor."))
    def return_(comment: str) -> None:
        if fz.attempt(lambda: approvals.return_(cora, task[0], comment)) is None:
            return
        assert fz.row(Task, task[0]).comment == cleaned(comment, multiline=True)
        fz.services.assessments.submit_arms(ada, work.arms, fz.version(RiskAssessment, work.arms))
        pending = approvals.pending_for_offender(cora, w.zebedee)
        task[0] = next(
            p.task_id
            for p in pending
            if (p.subject_type, p.subject_id) == ("risk_assessment", work.arms)
        )

    return_()


def test_scrutiny_findings_under_bad_input(fz: Fuzz) -> None:
    w, scrutiny, dorian = fz.world, fz.services.scrutiny, fz.actor("dorian")
    fortnight = dt.date(2024, 6, 7)
    sample = scrutiny.draw(dorian, w.alder, fortnight)
    drawn = sample.lines[0].offender_id
    spare = next(
        o
        for o in (w.zebedee, w.quentin, w.horatio, w.percival, w.barnaby, w.mortimer)
        if o not in {line.offender_id for line in sample.lines}
    )

    @fuzz(removed=text_or("Reviewed last fortnight"), added=text_or("New manager asked for it"))
    def adjust(removed: str, added: str) -> None:
        changes = {"remove": [Adjustment(drawn, removed)], "add": [Adjustment(spare, added)]}
        fz.attempt(lambda: scrutiny.create_pack(dorian, w.alder, fortnight, **changes))

    questions = st.sampled_from([key for key, _ in CHECKLIST])  # the program's, never typed

    @fuzz(
        checklist=Mix(
            st.dictionaries(questions, st.sampled_from(["yes", "Partly", "N/A", "no"])),
            st.dictionaries(questions, odd_text, min_size=1),
        ),
        comments=text_or("", "Plan does not answer access to victims"),
        actions=Mix(
            st.lists(st.sampled_from(["Update the contingency plan", "Visit sooner"])),
            st.lists(odd_text, min_size=1, max_size=3),
        ),
    )
    def findings(checklist: dict[str, str], comments: str, actions: list[str]) -> None:
        answered = {key: "yes" for key, _ in CHECKLIST} | checklist
        item = scrutiny.pack(dorian, pack_id).items[0]
        fz.attempt(
            lambda: scrutiny.record_findings(
                dorian, item.item_id, item.version, answered, comments, actions
            )
        )

    adjust()
    pack_id = scrutiny.create_pack(dorian, w.alder, fortnight)
    scrutiny.print_pack(dorian, pack_id)
    findings()


def test_signing_in_under_bad_input(fz: Fuzz) -> None:
    auth = fz.services.auth
    usernames = Mix(st.sampled_from(["ada", " CORA ", "elsie"]), odd_text)

    @fuzz(username=usernames, password=text_or(PASSWORD, "wrong"))
    def sign_in(username: str, password: str) -> None:
        try:
            actor = auth.sign_in(username, password)
        except SignInRefused as refused:
            assert str(refused) and v.find_bank_details(str(refused)) is None
        else:
            assert actor.username == username.strip().casefold()

    sign_in()


@pytest.mark.parametrize("username", ["ada\ud800", "ada\x00"])
def test_a_username_no_database_can_hold_is_refused(fz: Fuzz, username: str) -> None:
    """An unpaired surrogate cannot be encoded by either driver, and PostgreSQL refuses a NUL:
    such a username belongs to nobody and is refused like an unknown one, not looked up (nor
    taken for "ada")."""
    with pytest.raises(SignInRefused):
        fz.services.auth.sign_in(username, PASSWORD)
