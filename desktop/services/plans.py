"""The risk management plan editor: one current plan per offender, in versions.

A version is a DRAFT while the offender manager writes it, SUBMITTED while a sergeant looks at it,
then APPROVED (the current plan; the one before becomes SUPERSEDED) or RETURNED with a comment (and
written on, and submitted again). Approved and superseded versions are never changed: any save or
submit against one is refused with "Approved plan versions cannot be changed; start a new draft".

Choices this module makes:
- `start_draft` copies the current approved version (contingency, licence conditions, review date
  and every action) into a new version numbered one more than the highest so far. When a draft or
  returned version already exists it returns that one's id instead (the "edit plan" button
  simply continues it); while a version is waiting for approval it refuses, naming the version.
- `save_draft` replaces the draft's actions with the edited list, keeping the rows whose
  `action_id` is given; nested fields are named `actions[<index>].<field>` in ValidationFailed.
- An action's owner is `officer:<id>` (an active officer of the offender's team) or the name of
  another agency as free text. Owner, description and due date are required (DESIGN: every action
  has an owner, a due date and a status); a blank status means not started.
- An action may answer one risk factor present in the ARMS in force (the newest approved ARMS,
  else the newest one): its code, or its label as shown.
- Submitting needs a review date and at least one action; the gaps do not stop a submission (the
  sergeant sees them and decides).
- `compare` matches actions of two versions pillar by pillar: first the same description (case
  and spacing ignored), then, of those left, the same answered factor; a matched pair is "same"
  or "changed", the rest "removed" (only in `a`) or "added" (only in `b`). `a` is the "before".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from db.enums import ActionStatus, ApprovalState, Pillar, Role, TaskKind
from db.models import Offender, Officer, PlanAction, RiskManagementPlan
from desktop.rules.plan_gaps import PILLARS, ActionFacts, FactorFacts, Gap, plan_gaps
from desktop.rules.validation import Form, InvalidField, clean_text, excerpt, parse_date
from desktop.services.actor import Actor
from desktop.services.approvals import (
    check_version,
    conflict_after_race,
    d,
    officer_names,
    raise_if_invalid,
    stamp,
    submit_for_approval,
)
from desktop.services.assessments import arms_in_force, factor_list_in, present_risk_factors
from desktop.services.errors import FieldError, NotFound, ServiceError, ValidationFailed
from desktop.services.permissions import (
    can_edit_offender,
    load_subject,
    require_edit,
    require_read,
)

if TYPE_CHECKING:
    from desktop.services.core import Services

TEXT_MAX = 10_000
DESCRIPTION_MAX = 2_000
OWNER_TEXT_MAX = 120
OFFICER_PREFIX = "officer:"
STATUSES: dict[str, str] = {s.value: s.label.capitalize() for s in ActionStatus}
IMMUTABLE = "Approved plan versions cannot be changed; start a new draft"
WORKING = (ApprovalState.DRAFT, ApprovalState.RETURNED)


# -- views ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanActionView:
    """One action of a plan version as the editor and the record show it: pillar, owner (an officer
    or another agency), due date, status and the risk factor it answers. `version` is the row's
    version column."""

    action_id: int
    version: int
    pillar: str  # a Pillar value
    description: str
    owner_id: int | None
    owner_text: str  # another agency, when the owner is not an officer
    owner_name: str  # the officer's name, else owner_text
    due_on: dt.date | None
    status: str  # an ActionStatus value
    answers_factor: str | None  # a risk factor code
    pillar_label: str = ""
    answers_label: str = ""  # the factor's label, "" when none

    @property
    def owner(self) -> str:
        """The owner as an ActionEdit carries it."""
        return f"{OFFICER_PREFIX}{self.owner_id}" if self.owner_id is not None else self.owner_text


@dataclass(frozen=True)
class PlanDraftView:
    """One version of an offender's plan, in any state: `plan_number` is the number people see,
    `version` the row's version column that a save quotes (PlanEdit.expected_version)."""

    plan_id: int
    version: int
    plan_number: int
    state: str  # an ApprovalState value
    return_comment: str
    contingency: str
    licence_conditions: str
    review_on: dt.date | None
    actions: list[PlanActionView]
    author: str = ""
    submitted_at: dt.datetime | None = None
    decided_by: str = ""
    decided_at: dt.datetime | None = None

    def in_pillar(self, pillar: str) -> list[PlanActionView]:
        return [a for a in self.actions if a.pillar == pillar]


@dataclass(frozen=True)
class PlanVersionSummary:
    """One version in the plan editor's history list: its number, state, author and who decided it,
    when."""

    plan_id: int
    plan_number: int
    state: str
    decided_by: str
    decided_at: dt.datetime | None
    author: str


@dataclass(frozen=True)
class PlanEditorData:
    """Everything the plan editor shows for one offender (`editor`): the version being worked on,
    the current and the waiting one, the choices of owner and factor, the gaps on the day `on`, and
    every version, newest first."""

    offender_id: int
    reference: str
    name: str
    can_edit: bool  # the signed-in officer manages this offender
    draft: PlanDraftView | None  # the DRAFT or RETURNED version being worked on
    current: PlanDraftView | None  # the newest approved version
    submitted: PlanDraftView | None  # a version waiting for approval
    present_factors: list[tuple[str, str]]  # (code, label) of present risk factors
    owners: list[tuple[int, str]]  # (officer id, name): the team's officers
    gaps: list[Gap]  # of the draft if any, else of the current version
    versions: list[PlanVersionSummary]  # newest first
    on: dt.date | None = None  # the day the gaps were worked out for
    pillars: tuple[tuple[str, str], ...] = tuple(PILLARS.items())
    statuses: tuple[tuple[str, str], ...] = tuple(STATUSES.items())


# -- edits ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionEdit:
    """One action as typed in the plan editor (due date dd/mm/yyyy); `action_id` is None for a new
    action. See the module's notes for the owner and the factor it answers."""

    action_id: int | None
    pillar: str
    description: str
    owner: str  # "officer:<id>" or another agency's name
    due_on: str
    status: str
    answers_factor: str  # a present factor's code (or label); "" for none


@dataclass(frozen=True)
class PlanEdit:
    """The plan editor's form as typed, saved by `save_draft` over the draft whose version is
    `expected_version`; a save against a version changed since is refused."""

    expected_version: int
    contingency: str
    licence_conditions: str
    review_on: str
    actions: list[ActionEdit]


def plan_edit_for(view: PlanDraftView) -> PlanEdit:
    """The editor's form filled from a version, as the person would see it."""
    return PlanEdit(
        expected_version=view.version,
        contingency=view.contingency,
        licence_conditions=view.licence_conditions,
        review_on=d(view.review_on),
        actions=[
            ActionEdit(
                action_id=a.action_id,
                pillar=a.pillar,
                description=a.description,
                owner=a.owner,
                due_on=d(a.due_on),
                status=a.status,
                answers_factor=a.answers_factor or "",
            )
            for a in view.actions
        ],
    )


# -- comparison -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One of a plan's text fields in the two versions `compare` sets side by side (the review date
    as dd/mm/yyyy)."""

    name: str  # contingency | licence_conditions | review_on
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class ActionChange:
    """One action of a pillar in a comparison: matched in both versions (same or changed), or in one
    only (added: `before` is None; removed: `after` is None)."""

    pillar: str
    change: str  # added | removed | changed | same
    before: PlanActionView | None
    after: PlanActionView | None


@dataclass(frozen=True)
class PlanComparison:
    """Two versions of one plan side by side (`compare`; `a` is the before): the text fields, then
    the actions pillar by pillar, matched as the module's notes say."""

    a: PlanDraftView
    b: PlanDraftView
    fields: list[FieldChange]
    actions: list[ActionChange]


# -- pure helpers ---------------------------------------------------------------------------------


def action_facts(view: PlanActionView) -> ActionFacts:
    return ActionFacts(view.pillar, view.description, view.due_on, view.status, view.answers_factor)


def gaps_of(view: PlanDraftView, factors: Sequence[FactorFacts], on: dt.date) -> list[Gap]:
    return plan_gaps(
        [action_facts(a) for a in view.actions], factors, view.contingency, view.review_on, on
    )


def _factor_facts(present: Sequence[tuple[str, str] | FactorFacts]) -> list[FactorFacts]:
    return [p if isinstance(p, FactorFacts) else FactorFacts(p[0], p[1]) for p in present]


def _lenient_date(text: str) -> dt.date | None:
    try:
        return parse_date(text, "date", required=False)
    except InvalidField:
        return None


def _match_choice(text: str, options: dict[str, str]) -> str | None:
    typed = clean_text(text).casefold()
    for value, label in options.items():
        if typed in (value.casefold(), label.casefold()):
            return value
    return None


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def compare_views(a: PlanDraftView, b: PlanDraftView) -> PlanComparison:
    """The two versions side by side (see the module's notes for how actions are matched)."""
    fields = [
        FieldChange("contingency", a.contingency, b.contingency),
        FieldChange("licence_conditions", a.licence_conditions, b.licence_conditions),
        FieldChange("review_on", d(a.review_on), d(b.review_on)),
    ]
    changes: list[ActionChange] = []
    for pillar in PILLARS:
        before, after = a.in_pillar(pillar), b.in_pillar(pillar)
        pairs: dict[int, PlanActionView] = {}  # index in `after` -> its match in `before`
        left = list(before)
        for i, new in enumerate(after):
            old = next((o for o in left if _norm(o.description) == _norm(new.description)), None)
            if old is not None:
                pairs[i] = old
                left.remove(old)
        for i, new in enumerate(after):
            if i in pairs or not new.answers_factor:
                continue
            old = next((o for o in left if o.answers_factor == new.answers_factor), None)
            if old is not None:
                pairs[i] = old
                left.remove(old)
        for i, new in enumerate(after):
            old = pairs.get(i)
            if old is None:
                changes.append(ActionChange(pillar, "added", None, new))
            else:
                kind = "same" if _same_action(old, new) else "changed"
                changes.append(ActionChange(pillar, kind, old, new))
        changes += [ActionChange(pillar, "removed", old, None) for old in left]
    return PlanComparison(a=a, b=b, fields=fields, actions=changes)


def _same_action(a: PlanActionView, b: PlanActionView) -> bool:
    return (a.description, a.owner, a.due_on, a.status, a.answers_factor or None) == (
        b.description,
        b.owner,
        b.due_on,
        b.status,
        b.answers_factor or None,
    )


# -- the service ----------------------------------------------------------------------------------


class PlanService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def editor(self, actor: Actor, offender_id: int) -> PlanEditorData:
        """Everything the plan editor shows for one offender; the view is audited."""
        with self._services.transaction() as session:
            require_read(actor, load_subject(session, offender_id))
            self._services.audit.record(
                session,
                actor,
                "plan_viewed",
                entity_type="offender",
                entity_id=offender_id,
                offender_id=offender_id,
            )
            return self._editor_in(session, actor, offender_id)

    def gaps_for(
        self,
        edit: PlanEdit,
        present_factors: Sequence[tuple[str, str] | FactorFacts],
        on: dt.date | None = None,
    ) -> list[Gap]:
        """The gaps of the plan as typed so far (no database: called on every keystroke).
        Half-typed dates count as no date; a status or factor not (yet) recognised as none."""
        factors = _factor_facts(present_factors)
        by_label = {f.label.casefold(): f.code for f in factors}
        codes = {f.code for f in factors}
        actions = []
        for a in edit.actions:
            pillar = _match_choice(a.pillar, PILLARS) or clean_text(a.pillar)
            status = _match_choice(a.status, STATUSES) or ActionStatus.NOT_STARTED.value
            typed_factor = clean_text(a.answers_factor)
            factor = (
                typed_factor
                if typed_factor in codes
                else by_label.get(typed_factor.casefold(), typed_factor or None)
            )
            actions.append(
                ActionFacts(pillar, a.description or "", _lenient_date(a.due_on), status, factor)
            )
        return plan_gaps(
            actions,
            factors,
            edit.contingency or "",
            _lenient_date(edit.review_on),
            on or self._services.today(),
        )

    def start_draft(self, actor: Actor, offender_id: int) -> int:
        """A new draft copied from the current approved version (see the module's notes). Two
        desktops starting one at the same moment both get the draft that won."""
        try:
            return self._start_draft(actor, offender_id)
        except IntegrityError:  # the other desktop's draft took this plan number first
            return self._start_draft(actor, offender_id)

    def _start_draft(self, actor: Actor, offender_id: int) -> int:
        with self._services.transaction() as session:
            require_edit(actor, load_subject(session, offender_id))
            plans = list(
                session.scalars(
                    select(RiskManagementPlan)
                    .where(RiskManagementPlan.offender_id == offender_id)
                    .options(selectinload(RiskManagementPlan.actions))
                    .order_by(RiskManagementPlan.plan_number.desc())
                )
            )
            working = next((p for p in plans if p.state in WORKING), None)
            if working is not None:
                return working.id
            waiting = next((p for p in plans if p.state == ApprovalState.SUBMITTED), None)
            if waiting is not None:
                raise ServiceError(
                    f"Version {waiting.plan_number} of the plan is waiting for a sergeant's "
                    "approval; a new draft can be started once it is approved or returned."
                )
            current = next((p for p in plans if p.state == ApprovalState.APPROVED), None)
            now = self._services.now()
            arms = arms_in_force(session, offender_id)
            number = (
                session.scalar(
                    select(func.max(RiskManagementPlan.plan_number)).where(
                        RiskManagementPlan.offender_id == offender_id
                    )
                )
                or 0
            ) + 1
            draft = RiskManagementPlan(
                offender_id=offender_id,
                plan_number=number,
                state=ApprovalState.DRAFT,
                author_id=actor.officer_id,
                based_on_assessment_id=arms.id if arms is not None else None,
                contingency=current.contingency if current else "",
                licence_conditions=current.licence_conditions if current else "",
                review_on=current.review_on if current else None,
                created_at=now,
            )
            if current is not None:
                for position, action in enumerate(current.actions):
                    draft.actions.append(
                        PlanAction(
                            pillar=action.pillar,
                            description=action.description,
                            owner_id=action.owner_id,
                            owner_text=action.owner_text,
                            due_on=action.due_on,
                            status=action.status,
                            answers_factor=action.answers_factor,
                            position=position,
                            updated_by_id=actor.officer_id,
                        )
                    )
            session.add(draft)
            stamp(draft, actor, now)
            session.flush()
            self._services.audit.record(
                session,
                actor,
                "plan_draft_started",
                entity_type="risk_management_plan",
                entity_id=draft.id,
                offender_id=offender_id,
                detail={
                    "plan_number": number,
                    "copied_from": current.plan_number if current is not None else None,
                },
            )
            return draft.id

    def save_draft(self, actor: Actor, plan_id: int, edit: PlanEdit) -> PlanEditorData:
        """Save the editor's content into a DRAFT or RETURNED version (see the module's notes);
        returns the editor's data as saved."""
        try:
            with self._services.transaction() as session:
                plan = self._plan(session, plan_id)
                require_edit(actor, load_subject(session, plan.offender_id))
                check_version(session, plan, edit.expected_version, "plan")
                _require_working(plan)
                self._save_in(session, actor, plan, edit)
                session.flush()
                return self._editor_in(session, actor, plan.offender_id)
        except StaleDataError:
            raise conflict_after_race(self._services, RiskManagementPlan, plan_id, "plan") from None

    def submit(self, actor: Actor, plan_id: int, expected_version: int) -> None:
        """Send a draft or returned version to the sergeant: state submitted and a task."""
        try:
            with self._services.transaction() as session:
                plan = self._plan(session, plan_id)
                require_edit(actor, load_subject(session, plan.offender_id))
                check_version(session, plan, expected_version, "plan")
                _require_working(plan)
                problems = []
                if plan.review_on is None:
                    problems.append(
                        ("review_on", "Enter the plan's review date before submitting.")
                    )
                if not plan.actions:
                    problems.append(("actions", "Add at least one action before submitting."))
                if problems:
                    raise ValidationFailed([FieldError(f, m) for f, m in problems])
                offender = session.get(Offender, plan.offender_id)
                assert offender is not None
                factors = present_risk_factors(session, plan.offender_id)
                gaps = gaps_of(self._view(session, plan), factors, self._services.today())
                submit_for_approval(
                    self._services,
                    session,
                    actor,
                    offender,
                    plan,
                    state_column="state",
                    kind=TaskKind.PLAN_APPROVAL,
                    subject_type="risk_management_plan",
                    what=f"risk management plan v{plan.plan_number}",
                    action="plan_submitted",
                    detail={"plan_number": plan.plan_number, "gaps": [g.code for g in gaps]},
                )
        except StaleDataError:
            raise conflict_after_race(self._services, RiskManagementPlan, plan_id, "plan") from None

    def version(self, actor: Actor, plan_id: int) -> PlanDraftView:
        with self._services.transaction() as session:
            plan = self._plan(session, plan_id)
            require_read(actor, load_subject(session, plan.offender_id))
            return self._view(session, plan)

    def compare(self, actor: Actor, plan_id_a: int, plan_id_b: int) -> PlanComparison:
        """Two versions of one offender's plan side by side; `a` is the "before"."""
        with self._services.transaction() as session:
            a, b = self._plan(session, plan_id_a), self._plan(session, plan_id_b)
            if a.offender_id != b.offender_id:
                raise ServiceError("Only two versions of the same offender's plan can be compared.")
            require_read(actor, load_subject(session, a.offender_id))
            return compare_views(self._view(session, a), self._view(session, b))

    # -- internals -------------------------------------------------------------------------------

    def _plan(self, session: Session, plan_id: int) -> RiskManagementPlan:
        plan = session.get(RiskManagementPlan, plan_id)
        if plan is None:
            raise NotFound(f"There is no plan version number {plan_id}.")
        return plan

    def _save_in(
        self, session: Session, actor: Actor, plan: RiskManagementPlan, edit: PlanEdit
    ) -> None:
        now = self._services.now()
        offender = session.get(Offender, plan.offender_id)
        assert offender is not None
        team_officers = dict(_team_officers(session, offender.team_id))
        factors = present_risk_factors(session, plan.offender_id)
        factor_codes = {f.code: f.label for f in factors}
        factor_labels = {f.label.casefold(): f.code for f in factors}
        existing = {a.id: a for a in plan.actions}

        form = Form()
        contingency = form.text(
            "contingency", edit.contingency, max_length=TEXT_MAX, multiline=True
        )
        licence = form.text(
            "licence_conditions",
            edit.licence_conditions,
            max_length=TEXT_MAX,
            multiline=True,
            label="licence conditions or orders",
        )
        review_on = form.date("review_on", edit.review_on, required=False, label="review date")
        rows: list[dict[str, Any]] = []
        kept: set[int] = set()
        for i, typed in enumerate(edit.actions):
            name = f"actions[{i}]"
            if typed.action_id is not None:
                if typed.action_id not in existing or typed.action_id in kept:
                    raise NotFound(
                        "An action you edited is no longer on this plan: someone may have "
                        "changed it. Reload the plan."
                    )
                kept.add(typed.action_id)
            pillar = _match_choice(typed.pillar, PILLARS)
            if pillar is None:
                form.add(f"{name}.pillar", f"Choose one of: {', '.join(PILLARS.values())}.")
            description = form.text(
                f"{name}.description",
                typed.description,
                max_length=DESCRIPTION_MAX,
                required=True,
                multiline=True,
                label="action",
            )
            owner_id, owner_text = None, ""
            owner = clean_text(typed.owner)
            if owner.startswith(OFFICER_PREFIX):
                raw_id = owner[len(OFFICER_PREFIX) :].strip()
                # ASCII digits only ("²" is a digit to isdigit() but not to int()), and few
                if (
                    raw_id.isascii()
                    and raw_id.isdigit()
                    and len(raw_id) <= 9
                    and (int(raw_id) in team_officers)
                ):
                    owner_id = int(raw_id)
                else:
                    form.add(
                        f"{name}.owner",
                        "That officer is not in this offender's team; choose an officer of "
                        "the team or type another agency's name.",
                    )
            else:
                owner_text = form.text(
                    f"{name}.owner",
                    typed.owner,
                    max_length=OWNER_TEXT_MAX,
                    required=True,
                    label="owner (an officer, or another agency's name)",
                )
            due_on = form.date(f"{name}.due_on", typed.due_on, required=True, label="due date")
            status = (
                ActionStatus.NOT_STARTED.value
                if not clean_text(typed.status)
                else _match_choice(typed.status, STATUSES)
            )
            if status is None:
                form.add(f"{name}.status", f"Choose one of: {', '.join(STATUSES.values())}.")
            factor_typed = clean_text(typed.answers_factor)
            factor: str | None = None
            if factor_typed:
                factor = (
                    factor_typed
                    if factor_typed in factor_codes
                    else factor_labels.get(factor_typed.casefold())
                )
                if factor is None:
                    listed = ", ".join(f.label for f in factors) or "none are present"
                    form.add(
                        f"{name}.answers_factor",
                        f"“{excerpt(factor_typed, 60)}” is not a risk factor present in the ARMS "
                        f"in force ({listed}); choose one of those or none.",
                    )
            rows.append(
                {
                    "action_id": typed.action_id,
                    "pillar": Pillar(pillar) if pillar else None,
                    "description": description,
                    "owner_id": owner_id,
                    "owner_text": owner_text,
                    "due_on": due_on,
                    "status": ActionStatus(status) if status else None,
                    "answers_factor": factor,
                    "position": i,
                }
            )
        raise_if_invalid(form)

        changes: dict[str, Any] = {}
        for attr, text in (("contingency", contingency), ("licence_conditions", licence)):
            if getattr(plan, attr) != text:
                changes[attr] = [_short(getattr(plan, attr)), _short(text)]
                setattr(plan, attr, text)
        if plan.review_on != review_on:
            changes["review_on"] = [_iso(plan.review_on), _iso(review_on)]
            plan.review_on = review_on
        added: list[str] = []
        changed: list[str] = []
        reordered = False
        for row in rows:
            action_id = row.pop("action_id")
            if action_id is None:
                plan.actions.append(PlanAction(updated_by_id=actor.officer_id, **row))
                added.append(_short(row["description"]))
                continue
            action = existing[action_id]
            differs = {k for k, v in row.items() if getattr(action, k) != v}
            for k in differs:
                setattr(action, k, row[k])
            reordered = reordered or "position" in differs
            if differs - {"position"}:
                stamp(action, actor, now)
                changed.append(_short(action.description))
        removed = [_short(a.description) for a_id, a in existing.items() if a_id not in kept]
        for a_id, action in existing.items():
            if a_id not in kept:
                plan.actions.remove(action)
                session.delete(action)
        if not (changes or added or changed or removed or reordered):
            return
        stamp(plan, actor, now)
        session.flush()
        detail: dict[str, Any] = {"plan_number": plan.plan_number}
        if changes:
            detail["changes"] = changes
        for key, values in (("added", added), ("changed", changed), ("removed", removed)):
            if values:
                detail[f"actions_{key}"] = values
        if reordered and not (added or changed or removed):
            detail["actions_reordered"] = True
        self._services.audit.record(
            session,
            actor,
            "plan_draft_saved",
            entity_type="risk_management_plan",
            entity_id=plan.id,
            offender_id=plan.offender_id,
            detail=detail,
        )

    def _view(
        self,
        session: Session,
        plan: RiskManagementPlan,
        names: dict[int, str] | None = None,
        factor_labels: dict[str, str] | None = None,
    ) -> PlanDraftView:
        if names is None:
            ids = {a.owner_id for a in plan.actions if a.owner_id is not None}
            ids |= {i for i in (plan.author_id, plan.decided_by_id) if i is not None}
            names = officer_names(session, ids)
        labels = factor_labels if factor_labels is not None else factor_list_in(session).labels()
        return plan_view(plan, names, labels)

    def _editor_in(self, session: Session, actor: Actor, offender_id: int) -> PlanEditorData:
        session.expire_all()
        subject = load_subject(session, offender_id)
        offender = session.get(Offender, offender_id)
        assert offender is not None
        plans = list(
            session.scalars(
                select(RiskManagementPlan)
                .where(RiskManagementPlan.offender_id == offender_id)
                .options(selectinload(RiskManagementPlan.actions))
                .order_by(RiskManagementPlan.plan_number.desc())
            )
        )
        factors = present_risk_factors(session, offender_id)
        team = _team_officers(session, offender.team_id)
        ids: set[int] = set()
        for p in plans:
            ids |= {a.owner_id for a in p.actions if a.owner_id is not None}
            ids |= {i for i in (p.author_id, p.decided_by_id) if i is not None}
        names = officer_names(session, ids) | dict(team)
        labels = factor_list_in(session).labels() | {f.code: f.label for f in factors}
        draft_row = next((p for p in plans if p.state in WORKING), None)
        current_row = next((p for p in plans if p.state == ApprovalState.APPROVED), None)
        submitted_row = next((p for p in plans if p.state == ApprovalState.SUBMITTED), None)
        draft = plan_view(draft_row, names, labels) if draft_row else None
        current = plan_view(current_row, names, labels) if current_row else None
        submitted = plan_view(submitted_row, names, labels) if submitted_row else None
        today = self._services.today()
        shown = draft or current
        return PlanEditorData(
            offender_id=offender_id,
            reference=subject.reference,
            name=offender.full_name,
            can_edit=can_edit_offender(actor.role, actor.officer_id, subject.manager_id),
            draft=draft,
            current=current,
            submitted=submitted,
            present_factors=[(f.code, f.label) for f in factors],
            owners=team,
            gaps=gaps_of(shown, factors, today) if shown is not None else [],
            versions=[
                PlanVersionSummary(
                    plan_id=p.id,
                    plan_number=p.plan_number,
                    state=p.state.value,
                    decided_by=names.get(p.decided_by_id, "") if p.decided_by_id else "",
                    decided_at=p.decided_at,
                    author=names.get(p.author_id, "") if p.author_id else "",
                )
                for p in plans
            ],
            on=today,
        )


def plan_view(
    plan: RiskManagementPlan, names: dict[int, str], factor_labels: dict[str, str]
) -> PlanDraftView:
    """One version as the editor and the comparison show it."""
    return PlanDraftView(
        plan_id=plan.id,
        version=plan.version,
        plan_number=plan.plan_number,
        state=plan.state.value,
        return_comment=plan.return_comment,
        contingency=plan.contingency,
        licence_conditions=plan.licence_conditions,
        review_on=plan.review_on,
        actions=[
            PlanActionView(
                action_id=a.id,
                version=a.version,
                pillar=a.pillar.value,
                description=a.description,
                owner_id=a.owner_id,
                owner_text=a.owner_text,
                owner_name=(names.get(a.owner_id, "") if a.owner_id is not None else "")
                or a.owner_text,
                due_on=a.due_on,
                status=a.status.value,
                answers_factor=a.answers_factor,
                pillar_label=PILLARS[a.pillar.value],
                answers_label=factor_labels.get(a.answers_factor or "", a.answers_factor or ""),
            )
            for a in sorted(
                plan.actions,
                key=lambda a: (list(PILLARS).index(a.pillar.value), a.position, a.id or 0),
            )
        ],
        author=names.get(plan.author_id, "") if plan.author_id is not None else "",
        submitted_at=plan.submitted_at,
        decided_by=names.get(plan.decided_by_id, "") if plan.decided_by_id is not None else "",
        decided_at=plan.decided_at,
    )


def _team_officers(session: Session, team_id: int) -> list[tuple[int, str]]:
    """Officers who may own an action: the team's active officers, by surname."""
    rows = session.execute(
        select(Officer.id, Officer.forename, Officer.surname)
        .where(
            Officer.team_id == team_id,
            Officer.active.is_(True),
            Officer.role.in_([Role.OFFENDER_MANAGER, Role.SERGEANT, Role.TEAM_MANAGER]),
        )
        .order_by(Officer.surname, Officer.forename, Officer.id)
    )
    return [(officer_id, f"{forename} {surname}") for officer_id, forename, surname in rows]


def _require_working(plan: RiskManagementPlan) -> None:
    if plan.state in (ApprovalState.APPROVED, ApprovalState.SUPERSEDED):
        raise ServiceError(IMMUTABLE)
    if plan.state == ApprovalState.SUBMITTED:
        raise ServiceError(
            f"Version {plan.plan_number} of the plan was submitted for approval on "
            f"{d(plan.submitted_at)}; it cannot be changed until a sergeant approves or "
            "returns it."
        )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _short(text: str | None, limit: int = 80) -> str:
    one_line = " ".join((text or "").split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
