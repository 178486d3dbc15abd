"""Fortnightly peer scrutiny: drawing a team's sample, saving and printing the pack, and entering
the reviewer's findings (DESIGN section 3, "Peer scrutiny"; issue #8 items 1 and 3).

Who may do it: the team manager of the team (the team in their `Officer.team_id`, as the
caseload's team view scopes them). Everyone else is refused, before anything is read or changed:
sergeants and offender managers (their own records are what is scrutinised), hub officers, and
administrators, who cannot open offender records at all.

The sample (`draw`, not saved) is `desktop.rules.sampling` over the team's candidates:
- the team's offenders in the community (status community), registered on the fortnight's last
  day (registration started, notification not ended). Records in custody, in hospital or abroad
  have no visits or clocks running; the team manager adds one by hand, with a reason, when it
  should be looked at;
- risk: the level of the newest ARMS assessed by the fortnight's last day that was approved (it
  may since have been superseded);
- last scrutinised: the latest fortnight ending, before this one, of a printed pack (any team's)
  that held the record;
- previous fortnight: the pack for the fortnight ending 14 days earlier (the printed one, else the
  newest drawn).
The seed defaults to the fortnight's last day as yyyymmdd (`sampling.default_seed`), so the same
team and fortnight give the same sample until the records change.

The pack (`create_pack`) is the sample drawn again with the same seed inside the saving
transaction, adjusted by the team manager: a line removed or an offender of the team added, each
with a required reason. An added record's item reason reads "added by <name>: <reason>"; removed
lines are kept in the pack's `method` JSON and in the audit. A pack once printed is never changed:
a printed pack for the same team and fortnight refuses a new one (reprint it instead), and a new
pack replaces any pack of that fortnight not yet printed.

Printing (`print_pack`) builds the PDF through `desktop.reports.pack.build_pack_pdf` inside the
transaction, with `printed_by_id` and `printed_at` already set on the pack, and keeps the bytes;
every later print returns those bytes exactly (a reprint). Each print is audited once per record
in the pack, so the record's own history shows it was printed.

Findings (`record_findings`) are entered for a record of a printed pack: an answer to every
checklist question (`CHECKLIST`, answers `ANSWERS`), comments, and actions. Each action becomes
an open SCRUTINY_ACTION task for the offender's manager (unallocated: whoever approves the
record's work, `approvals.approval_owner`), due `ACTION_DUE_WORKING_DAYS` working days later; an
action whose task already exists (same title) is not raised again when findings are re-entered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from db.enums import (
    TASK_GROUP,
    ApprovalState,
    AssessmentKind,
    OffenderStatus,
    Role,
    ScrutinyAnswer,
    TaskKind,
    TaskState,
)
from db.models import (
    Offender,
    Officer,
    RiskAssessment,
    ScrutinyItem,
    ScrutinyPack,
    Task,
    Team,
)
from desktop.rules import sampling
from desktop.rules.validation import Form, excerpt
from desktop.rules.workdays import add_working_days
from desktop.services.actor import Actor
from desktop.services.approvals import (
    approval_owner,
    check_version,
    conflict_after_race,
    d,
    officer_names,
    raise_if_invalid,
    stamp,
)
from desktop.services.core import take_write_lock
from desktop.services.errors import (
    FieldError,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.policy import policy_value
from desktop.services.visit_facts import newest_first

if TYPE_CHECKING:
    from desktop.services.core import Services

# The reviewer's checklist, printed in the pack and answered when findings are entered. Keys are
# stored with the findings: never change one, add a new key instead.
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("arms", "Is the ARMS assessment in date, approved and supported by evidence?"),
    (
        "plan_factors",
        "Does the plan answer every risk factor found present, under the right pillar?",
    ),
    ("plan_actions", "Are the plan's actions specific, owned, dated and moving?"),
    ("contingency", "Is there a realistic contingency plan, and are licence conditions recorded?"),
    ("visits", "Are home visits in cadence, double crewed, unannounced and varied?"),
    ("visit_records", "Do visit records describe home circumstances and who was present?"),
    ("ppns", "Were concerns for children raised as PPNs, submitted in time and followed up?"),
    ("notifications", "Is the address current and every notification processed in time?"),
    ("mappa", "Are the MAPPA category and level right for the risk?"),
    ("defensible", "Would the record show a newcomer the risk and what is being done about it?"),
)
# Stored answer (a db.enums.ScrutinyAnswer value) -> what people read, in the order printed.
ANSWERS: dict[str, str] = {
    ScrutinyAnswer.YES.value: "Yes",
    ScrutinyAnswer.PARTLY.value: "Partly",
    ScrutinyAnswer.NO.value: "No",
    ScrutinyAnswer.NOT_APPLICABLE.value: "N/A",
}
# A constant, not policy: no policy key exists for it yet (DESIGN leaves the time open).
ACTION_DUE_WORKING_DAYS = 10
FORTNIGHT = dt.timedelta(days=14)
REASON_MAX = 150  # the item's reason column holds 200, with "added by <name>: " in front
COMMENTS_MAX = 4000
ACTION_MAX = 300
ACTIONS_MAX = 20
TASK_SUBJECT = "scrutiny_item"
CANDIDATE_STATUSES = (OffenderStatus.COMMUNITY,)
Progress = Callable[[int, int], None]  # (records done, records in the pack)


# -- what the screens and the report receive ---------------------------------------------------


@dataclass(frozen=True)
class SampleLine:
    """One record in a drawn sample, with its risk and why it was drawn; `must_include` when the
    policy requires it (a very-high-risk record not scrutinised within the last 3 months, by
    default)."""

    offender_id: int
    reference: str
    name: str
    manager: str  # the offender manager's name, "" when unallocated
    manager_id: int | None
    risk: str | None  # RiskLevel value of the ARMS in force, None when none is approved
    reason: str  # why it is in the sample, a sentence
    must_include: bool


@dataclass(frozen=True)
class PackSummary:
    """A saved pack in one line, for the scrutiny screen's list: who made it and when, whether and
    when it was printed (times UTC), and how many of its records have findings."""

    pack_id: int
    version: int
    team_id: int
    team_name: str
    fortnight_ending: dt.date
    seed: int
    created_at: dt.datetime
    created_by: str
    printed_at: dt.datetime | None
    printed_by: str  # "" until printed
    records: int
    reviewed: int  # records with findings entered


@dataclass(frozen=True)
class Sample:
    """A drawn sample, not saved."""

    team_id: int
    team_name: str
    fortnight_ending: dt.date
    seed: int
    lines: tuple[SampleLine, ...]  # by manager name (unallocated last), must-includes first
    method_text: str
    candidates: int  # how many records the sample was drawn from
    printed: PackSummary | None  # the fortnight's printed pack: no new one can be made


@dataclass(frozen=True)
class Adjustment:
    """A line the team manager removes from the sample, or an offender of the team they add."""

    offender_id: int
    reason: str  # required, as typed


@dataclass(frozen=True)
class AdjustmentView:
    """A line the team manager removed from the sample, or an offender they added, with their
    reason, as kept in the pack's method."""

    offender_id: int
    reference: str
    name: str
    reason: str
    by: str


@dataclass(frozen=True)
class ItemView:
    """One record of a saved pack and the reviewer's findings on it: checklist answers, comments,
    and actions with the tasks raised from them. `version` is the row's version column."""

    item_id: int
    version: int
    offender_id: int
    reference: str
    name: str
    manager: str
    position: int
    reason: str
    checklist: dict[str, str]  # CHECKLIST key -> ANSWERS key; empty until findings are entered
    comments: str
    actions: tuple[str, ...]
    action_task_ids: tuple[int, ...]  # the tasks raised from this item's actions
    reviewer: str  # "" until findings are entered
    reviewed_at: dt.datetime | None


@dataclass(frozen=True)
class PackView:
    """One saved pack whole, for the screen and the printed PDF: the method and the scrutiny policy
    the sample was drawn with, the team manager's adjustments, and every item."""

    summary: PackSummary
    method_text: str
    policy: dict[str, Any]  # the scrutiny policy values the sample was drawn with
    removed: tuple[AdjustmentView, ...]
    added: tuple[AdjustmentView, ...]
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class _Record:
    """An offender of the sample or the pack, with the manager's name and the team, read for many at
    once by `_records`."""

    offender_id: int
    reference: str
    name: str
    manager_id: int | None
    manager: str
    team_id: int


class ScrutinyService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- the sample -------------------------------------------------------------------------------

    def draw(
        self, actor: Actor, team_id: int, fortnight_ending: dt.date, seed: int | None = None
    ) -> Sample:
        """The sample for the team and the fortnight ending on `fortnight_ending` (today or
        earlier); nothing is saved."""
        with self._services.transaction() as session:
            team = _team(session, team_id)
            _require_team_manager(actor, team)
            self._check_fortnight(fortnight_ending)
            return self._draw(session, team, fortnight_ending, seed)

    def create_pack(
        self,
        actor: Actor,
        team_id: int,
        fortnight_ending: dt.date,
        seed: int | None = None,
        *,
        remove: Sequence[Adjustment] = (),
        add: Sequence[Adjustment] = (),
    ) -> int:
        """Save the fortnight's pack: the sample for `seed`, less `remove`, plus `add`; returns
        its id. Field errors name `remove:<offender id>` or `add:<offender id>`."""
        with self._services.transaction() as session:
            take_write_lock(session)
            team = _team(session, team_id)
            _require_team_manager(actor, team)
            self._check_fortnight(fortnight_ending)
            if (printed := _printed_pack(session, team_id, fortnight_ending)) is not None:
                raise ServiceError(
                    f"The {team.name} team pack for the fortnight ending {d(fortnight_ending)} "
                    f"was printed on {d(printed.printed_at)} by "
                    f"{_name(session, printed.printed_by_id)}; a printed pack is never changed. "
                    "Reprint it from the past packs instead; nothing was saved."
                )
            sample = self._draw(session, team, fortnight_ending, seed)
            lines, removed, added = _adjusted(session, actor, team, sample, remove, add)
            replaced = list(
                session.scalars(
                    select(ScrutinyPack.id).where(
                        ScrutinyPack.team_id == team_id,
                        ScrutinyPack.fortnight_ending == fortnight_ending,
                        ScrutinyPack.printed_at.is_(None),
                    )
                )
            )
            if replaced:
                session.execute(delete(ScrutinyItem).where(ScrutinyItem.pack_id.in_(replaced)))
                session.execute(delete(ScrutinyPack).where(ScrutinyPack.id.in_(replaced)))
            now = self._services.now()
            pack = ScrutinyPack(
                team_id=team_id,
                fortnight_ending=fortnight_ending,
                seed=sample.seed,
                method={
                    "policy": _policy(session).as_dict(),
                    "text": sample.method_text,
                    "removed": removed,
                    "added": added,
                    "drawn_from": sample.candidates,
                    "created_by_id": actor.officer_id,
                    "created_by": actor.display_name,
                },
                created_at=now,
            )
            stamp(pack, actor, now)
            for position, (offender_id, reason) in enumerate(lines):
                pack.items.append(
                    ScrutinyItem(
                        offender_id=offender_id,
                        position=position,
                        reason=reason[:200],
                        updated_by_id=actor.officer_id,
                        updated_at=now,
                    )
                )
            session.add(pack)
            session.flush()
            self._services.audit.record(
                session,
                actor,
                "scrutiny_pack_created",
                entity_type="scrutiny_pack",
                entity_id=pack.id,
                detail={
                    "team": team.name,
                    "fortnight_ending": fortnight_ending,
                    "seed": sample.seed,
                    "offender_ids": [offender_id for offender_id, _ in lines],
                    "removed": removed,
                    "added": added,
                    "replaced_unprinted_packs": replaced,
                },
            )
            return pack.id

    # -- packs ------------------------------------------------------------------------------------

    def packs(self, actor: Actor, team_id: int) -> list[PackSummary]:
        """The team's packs, newest fortnight first."""
        with self._services.transaction() as session:
            team = _team(session, team_id)
            _require_team_manager(actor, team)
            packs = session.scalars(
                select(ScrutinyPack)
                .where(ScrutinyPack.team_id == team_id)
                .options(selectinload(ScrutinyPack.items))
                .order_by(
                    ScrutinyPack.fortnight_ending.desc(),
                    ScrutinyPack.created_at.desc(),
                    ScrutinyPack.id.desc(),
                )
            ).all()
            names = officer_names(session, {p.printed_by_id for p in packs if p.printed_by_id})
            return [_summary(p, team, names) for p in packs]

    def pack(self, actor: Actor, pack_id: int) -> PackView:
        with self._services.transaction() as session:
            pack, team = self._pack(session, actor, pack_id)
            return _view(session, pack, team)

    def print_pack(self, actor: Actor, pack_id: int, progress: Progress | None = None) -> bytes:
        """The pack's PDF: built and kept on the first print, the kept bytes on every later one.
        `progress(done, total)` is called, on the calling thread, as each record's pages are
        drawn (the records are read together first, in a fraction of the time); once with done
        == total for a reprint."""
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                pack, team = self._pack(session, actor, pack_id)
                reprint = pack.printed_at is not None and pack.pdf is not None
                if reprint:
                    assert pack.pdf is not None
                    pdf = bytes(pack.pdf)
                    if progress is not None:
                        progress(len(pack.items), len(pack.items))
                else:
                    from desktop.reports.pack import build_pack_pdf

                    now = self._services.now()
                    pack.printed_by_id = actor.officer_id
                    pack.printed_at = now
                    pdf = build_pack_pdf(self._services, session, actor, pack, progress)
                    pack.pdf = pdf
                    stamp(pack, actor, now)
                    session.flush()
                for item in pack.items:
                    self._services.audit.record(
                        session,
                        actor,
                        "scrutiny_pack_reprinted" if reprint else "scrutiny_pack_printed",
                        entity_type="scrutiny_pack",
                        entity_id=pack.id,
                        offender_id=item.offender_id,
                        detail={
                            "team": team.name,
                            "fortnight_ending": pack.fortnight_ending,
                            "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                        },
                    )
                return pdf
        except StaleDataError:
            raise conflict_after_race(
                self._services, ScrutinyPack, pack_id, "scrutiny pack"
            ) from None

    # -- findings ---------------------------------------------------------------------------------

    def record_findings(
        self,
        actor: Actor,
        item_id: int,
        expected_version: int | None,
        checklist: Mapping[str, str],
        comments: str,
        actions: Sequence[str],
    ) -> ItemView:
        """Enter (or correct) the reviewer's findings on one record of a printed pack; each new
        action becomes a task for the offender's manager. Returns the item as saved."""
        try:
            with self._services.transaction() as session:
                take_write_lock(session)
                item = session.get(ScrutinyItem, item_id)
                if item is None:
                    raise NotFound(
                        f"There is no scrutiny pack record number {item_id}; nothing was saved."
                    )
                pack, team = self._pack(session, actor, item.pack_id)
                if pack.printed_at is None:
                    raise ServiceError(
                        "This pack has not been printed yet: print it and review the records on "
                        "paper first, then enter the findings. Nothing was saved."
                    )
                check_version(session, item, expected_version, "scrutiny findings")
                answers, text, wanted = _checked_findings(checklist, comments, actions)
                offender = session.get(Offender, item.offender_id)
                assert offender is not None
                created = self._raise_actions(session, actor, item, offender, wanted)
                now = self._services.now()
                item.checklist = answers
                item.comments = text
                item.actions = "\n".join(wanted)
                item.reviewer_id = actor.officer_id
                item.reviewed_at = now
                stamp(item, actor, now)
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "scrutiny_findings_recorded",
                    entity_type="scrutiny_item",
                    entity_id=item.id,
                    offender_id=item.offender_id,
                    detail={
                        "pack_id": pack.id,
                        "team": team.name,
                        "fortnight_ending": pack.fortnight_ending,
                        "checklist": answers,
                        "comments": text,
                        "actions": wanted,
                        "tasks_created": created,
                    },
                )
                return _view(session, pack, team, only=item.id).items[0]
        except StaleDataError:
            raise conflict_after_race(
                self._services, ScrutinyItem, item_id, "scrutiny findings"
            ) from None

    # -- helpers ----------------------------------------------------------------------------------

    def _check_fortnight(self, fortnight_ending: dt.date) -> None:
        today = self._services.today()
        if not isinstance(fortnight_ending, dt.date) or isinstance(fortnight_ending, dt.datetime):
            raise ValidationFailed(
                [FieldError("fortnight_ending", "Choose the fortnight's last day as a date.")]
            )
        if fortnight_ending > today:
            raise ValidationFailed(
                [
                    FieldError(
                        "fortnight_ending",
                        f"The fortnight ending {d(fortnight_ending)} has not ended yet: choose "
                        f"a fortnight ending today ({d(today)}) or earlier. Nothing was saved.",
                    )
                ]
            )

    def _draw(
        self, session: Session, team: Team, fortnight_ending: dt.date, seed: int | None
    ) -> Sample:
        chosen_seed = sampling.default_seed(fortnight_ending) if seed is None else int(seed)
        records, candidates = _candidates(session, team.id, fortnight_ending)
        drawn = sampling.draw_sample(
            candidates,
            team_id=team.id,
            fortnight_ending=fortnight_ending,
            seed=chosen_seed,
            policy=_policy(session),
        )
        risk = {c.offender_id: c.risk_level for c in candidates}
        lines = [
            SampleLine(
                offender_id=r.offender_id,
                reference=records[r.offender_id].reference,
                name=records[r.offender_id].name,
                manager=records[r.offender_id].manager,
                manager_id=r.manager_id,
                risk=risk[r.offender_id],
                reason=r.reason,
                must_include=r.must_include,
            )
            for r in drawn.records
        ]
        lines.sort(key=lambda line: _manager_order(line.manager_id, line.manager))
        printed = _printed_pack(session, team.id, fortnight_ending)
        return Sample(
            team_id=team.id,
            team_name=team.name,
            fortnight_ending=fortnight_ending,
            seed=chosen_seed,
            lines=tuple(lines),
            method_text=drawn.method_text,
            candidates=len(candidates),
            printed=(
                _summary(printed, team, officer_names(session, {printed.printed_by_id or 0}))
                if printed is not None
                else None
            ),
        )

    def _pack(self, session: Session, actor: Actor, pack_id: int) -> tuple[ScrutinyPack, Team]:
        pack = session.scalars(
            select(ScrutinyPack)
            .where(ScrutinyPack.id == pack_id)
            .options(selectinload(ScrutinyPack.items))
        ).one_or_none()
        if pack is None:
            raise NotFound(f"There is no scrutiny pack number {pack_id}; nothing was changed.")
        team = _team(session, pack.team_id)
        _require_team_manager(actor, team)
        return pack, team

    def _raise_actions(
        self,
        session: Session,
        actor: Actor,
        item: ScrutinyItem,
        offender: Offender,
        actions: list[str],
    ) -> list[int]:
        """Open a task for each action that has none yet; the new tasks' ids."""
        existing = set(
            session.scalars(
                select(Task.title).where(
                    Task.subject_type == TASK_SUBJECT, Task.subject_id == item.id
                )
            )
        )
        wanted = [a for a in actions if _task_title(offender, a) not in existing]
        if not wanted:
            return []
        owner = _action_owner(session, offender)
        due = add_working_days(self._services.today(), ACTION_DUE_WORKING_DAYS)
        tasks = [
            Task(
                kind=TaskKind.SCRUTINY_ACTION,
                group=TASK_GROUP[TaskKind.SCRUTINY_ACTION],
                offender_id=offender.id,
                owner_id=owner,
                team_id=offender.team_id,
                subject_type=TASK_SUBJECT,
                subject_id=item.id,
                title=_task_title(offender, action),
                created_by_id=actor.officer_id,
                created_at=self._services.now(),
                due_on=due,
                state=TaskState.OPEN,
                updated_by_id=actor.officer_id,
            )
            for action in wanted
        ]
        session.add_all(tasks)
        session.flush()
        return [task.id for task in tasks]


# -- permissions ---------------------------------------------------------------------------------


def _require_team_manager(actor: Actor, team: Team) -> None:
    """Only the team's own team manager; raised before anything is read or changed."""
    if actor.role == Role.TEAM_MANAGER.value and actor.team_id == team.id:
        return
    if actor.role == Role.ADMINISTRATOR.value:
        raise PermissionRefused(
            "An administrator manages users and policy and cannot open offender records, so "
            "cannot draw, print or review peer-scrutiny packs. Nothing was changed."
        )
    if actor.role == Role.TEAM_MANAGER.value:
        yours = f"{actor.team_name} team" if actor.team_name else "no team"
        raise PermissionRefused(
            f"Only the team manager of {team.name} team draws, prints and reviews its "
            f"peer-scrutiny packs; you manage {yours}. Nothing was changed."
        )
    article = "An" if actor.role_label[:1] in "aeiou" else "A"
    raise PermissionRefused(
        f"Peer-scrutiny packs are drawn, printed and reviewed by the team manager; {article} "
        f"{actor.role_label} cannot. Nothing was changed."
    )


# -- reading -------------------------------------------------------------------------------------


def _team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"There is no team number {team_id}; nothing was changed.")
    return team


def _name(session: Session, officer_id: int | None) -> str:
    return officer_names(session, {officer_id}).get(officer_id, "someone") if officer_id else ""


def _policy(session: Session) -> sampling.ScrutinyPolicy:
    return sampling.ScrutinyPolicy.from_value(policy_value(session, "scrutiny"))


def _manager_order(manager_id: int | None, manager: str) -> tuple[bool, str, int]:
    return (manager_id is None, manager.casefold(), manager_id or 0)


def _printed_pack(session: Session, team_id: int, fortnight_ending: dt.date) -> ScrutinyPack | None:
    return session.scalars(
        select(ScrutinyPack)
        .where(
            ScrutinyPack.team_id == team_id,
            ScrutinyPack.fortnight_ending == fortnight_ending,
            ScrutinyPack.printed_at.is_not(None),
        )
        .order_by(ScrutinyPack.printed_at)
        .limit(1)
    ).first()


def _records(session: Session, *conditions: Any) -> dict[int, _Record]:
    manager = aliased(Officer)
    rows = session.execute(
        select(
            Offender.id,
            Offender.reference,
            Offender.forename,
            Offender.surname,
            Offender.manager_id,
            manager.forename,
            manager.surname,
            Offender.team_id,
        )
        .outerjoin(manager, manager.id == Offender.manager_id)
        .where(*conditions)
    )
    return {
        row[0]: _Record(
            offender_id=row[0],
            reference=row[1],
            name=f"{row[2]} {row[3]}",
            manager_id=row[4],
            manager=f"{row[5]} {row[6]}" if row[5] is not None else "",
            team_id=row[7],
        )
        for row in rows
    }


def _candidates(
    session: Session, team_id: int, ending: dt.date
) -> tuple[dict[int, _Record], list[sampling.Candidate]]:
    """The team's records the sample is drawn from, with the facts the rule weighs."""
    records = _records(
        session,
        Offender.team_id == team_id,
        Offender.status.in_(CANDIDATE_STATUSES),
        Offender.registration_start <= ending,
        or_(
            Offender.notification_indefinite.is_(True),
            Offender.notification_end.is_(None),
            Offender.notification_end >= ending,
        ),
    )
    if not records:
        return records, []
    ids = list(records)
    ranked = (
        select(
            RiskAssessment.offender_id.label("offender_id"),
            RiskAssessment.level.label("level"),
            newest_first(RiskAssessment),
        )
        .where(
            RiskAssessment.offender_id.in_(ids),
            RiskAssessment.kind == AssessmentKind.ARMS,
            RiskAssessment.state.in_([ApprovalState.APPROVED, ApprovalState.SUPERSEDED]),
            RiskAssessment.assessed_on <= ending,
        )
        .subquery()
    )
    risk = {
        offender_id: str(level)
        for offender_id, level in session.execute(
            select(ranked.c.offender_id, ranked.c.level).where(ranked.c.rank == 1)
        )
    }
    last: dict[int, dt.date] = {
        offender_id: day
        for offender_id, day in session.execute(
            select(ScrutinyItem.offender_id, func.max(ScrutinyPack.fortnight_ending))
            .join(ScrutinyPack, ScrutinyPack.id == ScrutinyItem.pack_id)
            .where(
                ScrutinyItem.offender_id.in_(ids),
                ScrutinyPack.printed_at.is_not(None),
                ScrutinyPack.fortnight_ending < ending,
            )
            .group_by(ScrutinyItem.offender_id)
        )
    }
    previous_pack = session.scalars(
        select(ScrutinyPack.id)
        .where(
            ScrutinyPack.team_id == team_id,
            ScrutinyPack.fortnight_ending == ending - FORTNIGHT,
        )
        .order_by(ScrutinyPack.printed_at.is_(None), ScrutinyPack.id.desc())
        .limit(1)
    ).first()
    previous = set(
        session.scalars(
            select(ScrutinyItem.offender_id).where(ScrutinyItem.pack_id == previous_pack)
        )
        if previous_pack is not None
        else ()
    )
    candidates = [
        sampling.Candidate(
            offender_id=record.offender_id,
            manager_id=record.manager_id,
            risk_level=risk.get(record.offender_id),
            last_scrutinised=last.get(record.offender_id),
            in_previous_pack=record.offender_id in previous,
        )
        for record in records.values()
    ]
    return records, candidates


def _summary(pack: ScrutinyPack, team: Team, names: dict[int, str]) -> PackSummary:
    method = pack.method or {}
    return PackSummary(
        pack_id=pack.id,
        version=pack.version,
        team_id=team.id,
        team_name=team.name,
        fortnight_ending=pack.fortnight_ending,
        seed=pack.seed,
        created_at=pack.created_at,
        created_by=str(method.get("created_by", "")),
        printed_at=pack.printed_at,
        printed_by=names.get(pack.printed_by_id, "") if pack.printed_by_id else "",
        records=len(pack.items),
        reviewed=sum(1 for item in pack.items if item.reviewed_at is not None),
    )


def _view(session: Session, pack: ScrutinyPack, team: Team, only: int | None = None) -> PackView:
    items = [item for item in pack.items if only is None or item.id == only]
    records = _records(session, Offender.id.in_([item.offender_id for item in items]))
    names = officer_names(
        session, {i for i in [pack.printed_by_id, *(x.reviewer_id for x in items)] if i}
    )
    tasks: dict[int, list[int]] = {}
    for task_id, subject_id in session.execute(
        select(Task.id, Task.subject_id)
        .where(
            Task.subject_type == TASK_SUBJECT,
            Task.subject_id.in_([item.id for item in items]),
        )
        .order_by(Task.id)
    ):
        tasks.setdefault(subject_id or 0, []).append(task_id)
    method = pack.method or {}

    def adjustments(key: str) -> tuple[AdjustmentView, ...]:
        return tuple(
            AdjustmentView(
                offender_id=int(entry.get("offender_id", 0)),
                reference=str(entry.get("reference", "")),
                name=str(entry.get("name", "")),
                reason=str(entry.get("reason", "")),
                by=str(entry.get("by", "")),
            )
            for entry in method.get(key, [])
            if isinstance(entry, dict)
        )

    return PackView(
        summary=_summary(pack, team, names),
        method_text=str(method.get("text", "")),
        policy=dict(method.get("policy", {})),
        removed=adjustments("removed"),
        added=adjustments("added"),
        items=tuple(
            ItemView(
                item_id=item.id,
                version=item.version,
                offender_id=item.offender_id,
                reference=records[item.offender_id].reference,
                name=records[item.offender_id].name,
                manager=records[item.offender_id].manager,
                position=item.position,
                reason=item.reason,
                checklist=dict(item.checklist or {}),
                comments=item.comments,
                actions=tuple(line for line in item.actions.split("\n") if line),
                action_task_ids=tuple(tasks.get(item.id, [])),
                reviewer=names.get(item.reviewer_id, "") if item.reviewer_id else "",
                reviewed_at=item.reviewed_at,
            )
            for item in items
        ),
    )


# -- changing ------------------------------------------------------------------------------------


def _adjusted(
    session: Session,
    actor: Actor,
    team: Team,
    sample: Sample,
    remove: Sequence[Adjustment],
    add: Sequence[Adjustment],
) -> tuple[list[tuple[int, str]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The pack's lines (offender id, reason) after the team manager's changes, and the removed
    and added entries as kept in the pack's method. ValidationFailed lists every problem."""
    form = Form()
    in_sample = {line.offender_id: line for line in sample.lines}
    removed: list[dict[str, Any]] = []
    for change in remove:
        field = f"remove:{change.offender_id}"
        reason = form.text(
            field, change.reason, max_length=REASON_MAX, required=True, label="reason to remove it"
        )
        line = in_sample.get(change.offender_id)
        if line is None:
            form.add(
                field,
                "This record is not in the sample as drawn now (the records changed since it "
                "was shown): draw the sample again. Nothing was saved.",
            )
        elif any(entry["offender_id"] == line.offender_id for entry in removed):
            form.add(field, f"{line.reference} is removed twice; remove it once.")
        elif reason:
            removed.append(
                {
                    "offender_id": line.offender_id,
                    "reference": line.reference,
                    "name": line.name,
                    "reason": reason,
                    "was": line.reason,
                    "by": actor.display_name,
                }
            )
    wanted = [change.offender_id for change in add]
    records = _records(session, Offender.id.in_(wanted)) if wanted else {}
    added: list[dict[str, Any]] = []
    manager_of: dict[int, tuple[int | None, str]] = {}
    for change in add:
        field = f"add:{change.offender_id}"
        reason = form.text(
            field, change.reason, max_length=REASON_MAX, required=True, label="reason to add it"
        )
        record = records.get(change.offender_id)
        if record is None or record.team_id != team.id:
            form.add(
                field,
                f"Only offenders of {team.name} team can be added to its pack; this one is "
                "not. Nothing was saved.",
            )
        elif change.offender_id in in_sample:
            form.add(field, f"{record.reference} is already in the sample.")
        elif any(entry["offender_id"] == record.offender_id for entry in added):
            form.add(field, f"{record.reference} is added twice; add it once.")
        elif reason:
            added.append(
                {
                    "offender_id": record.offender_id,
                    "reference": record.reference,
                    "name": record.name,
                    "reason": reason,
                    "by": actor.display_name,
                }
            )
            manager_of[record.offender_id] = (record.manager_id, record.manager)
    raise_if_invalid(form)
    gone = {entry["offender_id"] for entry in removed}
    lines = [
        (_manager_order(line.manager_id, line.manager), line.offender_id, line.reason)
        for line in sample.lines
        if line.offender_id not in gone
    ]
    lines += [
        (
            _manager_order(*manager_of[entry["offender_id"]]),
            entry["offender_id"],
            f"added by {actor.display_name}: {entry['reason']}",
        )
        for entry in added
    ]
    if not lines:
        raise ValidationFailed(
            [
                FieldError(
                    "remove",
                    "A pack needs at least one record: keep a line of the sample or add one. "
                    "Nothing was saved.",
                )
            ]
        )
    lines.sort(key=lambda line: line[0])  # stable: the sample's order within each manager
    return [(offender_id, reason) for _, offender_id, reason in lines], removed, added


def _checked_findings(
    checklist: Mapping[str, str], comments: str, actions: Sequence[str]
) -> tuple[dict[str, str], str, list[str]]:
    form = Form()
    questions = dict(CHECKLIST)
    answers: dict[str, str] = {}
    for key in checklist:
        if key not in questions:
            form.add("checklist", f"“{excerpt(str(key), 40)}” is not a question of the checklist.")
    for key, _question in CHECKLIST:
        given = checklist.get(key)
        if given is None or not str(given).strip():
            form.add(key, "Answer this question: yes, partly, no or N/A.")
            continue
        answers[key] = form.choice(key, given, ANSWERS)
    text = form.text("comments", comments, max_length=COMMENTS_MAX, multiline=True)
    wanted: list[str] = []
    for action in actions:
        value = form.text("actions", action, max_length=ACTION_MAX, label="action")
        if value and value.casefold() not in {w.casefold() for w in wanted}:
            wanted.append(value)
    if len(wanted) > ACTIONS_MAX:
        form.add("actions", f"Enter at most {ACTIONS_MAX} actions for one record.")
    raise_if_invalid(form)
    return answers, text, wanted


def _task_title(offender: Offender, action: str) -> str:
    title = f"Scrutiny action: {offender.reference}: {action}"
    return title if len(title) <= 200 else title[:199] + "…"


def _action_owner(session: Session, offender: Offender) -> int:
    """The offender's manager; for an unallocated record (or a manager who has left), whoever
    approves the record's work."""
    if offender.manager_id is not None:
        manager = session.get(Officer, offender.manager_id)
        if manager is not None and manager.active:
            return manager.id
    return approval_owner(session, offender).id
