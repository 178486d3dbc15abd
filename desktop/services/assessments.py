"""Risk assessments: ARMS (dynamic risk and protective factors, priority level, next review) and
RM2000 (static scores and category), drafted by the offender manager and approved by a sergeant.

The factor list is policy data (`arms_factors`): codes that plans link to, labels people read. The
default is labelled as a default for a force to replace with its own form's wording. An
assessment copies the labels it was made with, so an old one still reads as written.

Life of an ARMS: `save_arms` creates a draft, or changes a draft or returned one; `submit_arms`
sends it to the sergeant (an approval task, see `desktop.services.approvals`); the sergeant
approves (the previous approved ARMS is then superseded) or returns it with a comment, and a
returned one is changed and submitted again. Only one ARMS is worked on at a time: a new one is
refused while another is a draft, returned or waiting.

RM2000 is scored, not judged: `save_rm2000` derives the categories (`desktop.rules.risk`) and
submits it for approval in the same step, with the same task kind as ARMS, so a sergeant checks
the scoring (four eyes). A returned RM2000 is corrected by recording a new one, which
supersedes it.

Review dates: the default is `arms_review_months` (12) after the assessment; the assessor may
bring it forward, never put it off; `bring_review_forward` is what processing a release or a
change of address calls to bring the approved ARMS's review forward.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from db.enums import ApprovalState, AssessmentKind, FactorKind, RiskLevel, TaskKind
from db.models import Offender, RiskAssessment, RiskFactor
from desktop.rules import cadence
from desktop.rules.plan_gaps import FactorFacts
from desktop.rules.policy_defaults import DEFAULTS
from desktop.rules.risk import (
    AGGRAVATING_MAX,
    LEVEL_LABELS,
    arms_default_review,
    review_brought_forward,
    rm2000_result,
)
from desktop.rules.validation import Form, clean_text, excerpt
from desktop.services.actor import Actor
from desktop.services.approvals import (
    check_version,
    conflict_after_race,
    d,
    raise_if_invalid,
    stamp,
    submit_for_approval,
)
from desktop.services.core import take_write_lock
from desktop.services.errors import NotFound, ServiceError
from desktop.services.permissions import load_subject, require_edit, require_read
from desktop.services.policy import policy_int, policy_value

if TYPE_CHECKING:
    from desktop.services.core import Services

SUMMARY_MAX = 10_000
EVIDENCE_MAX = 4_000
RM2000_SCORE_MAX = 30
WORKING = (ApprovalState.DRAFT, ApprovalState.RETURNED)
OPEN = (ApprovalState.DRAFT, ApprovalState.RETURNED, ApprovalState.SUBMITTED)
FIXED = (ApprovalState.APPROVED, ApprovalState.SUPERSEDED)
DEFAULT_LIST_LABEL = str(DEFAULTS["arms_factors"]["label"])


@dataclass(frozen=True)
class FactorList:
    """The ARMS factor list from policy (`arms_factors`): risk and protective factors as (code,
    label), in the form's order. Plans link to the codes; people read the labels."""

    label: str  # e.g. "Default factor list: replace with your force's ARMS form wording"
    risk: list[tuple[str, str]]  # (code, label), in the form's order
    protective: list[tuple[str, str]]

    def labels(self) -> dict[str, str]:
        return dict(self.risk + self.protective)

    def kinds(self) -> dict[str, str]:
        return {code: "risk" for code, _ in self.risk} | {
            code: "protective" for code, _ in self.protective
        }


@dataclass(frozen=True)
class FactorEdit:
    """One factor of an ARMS form as ticked and typed: present or not, and the evidence for it."""

    code: str
    present: bool
    evidence: str
    label: str = ""  # filled by the service's forms; ignored on save
    kind: str = "risk"  # "risk" | "protective"; filled by the service's forms


@dataclass(frozen=True)
class ArmsEdit:
    """An ARMS form as typed. `next_review_on` blank means the policy default."""

    assessment_id: int | None
    expected_version: int | None
    assessed_on: str
    level: str  # low | medium | high | very_high (the labels are accepted too)
    next_review_on: str
    summary: str
    factors: list[FactorEdit]
    state: str = "new"  # shown, not saved: new | draft | returned
    return_comment: str = ""  # the sergeant's comment on a returned assessment


@dataclass(frozen=True)
class Rm2000Edit:
    """An RM2000 form as typed, checked by `save_rm2000`: the sexual and violent scores, the
    aggravating factors (0 to 4) and the assessment date (dd/mm/yyyy), all as strings."""

    sexual: str
    violent: str
    aggravating: str
    assessed_on: str


def factor_list_from(value: Any) -> FactorList:
    """The factor list from a policy value; anything malformed in it is skipped rather than
    breaking the form (an administrator's typo must not stop assessments)."""

    def pairs(raw: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if not isinstance(raw, list):
            return found
        for item in raw:
            if isinstance(item, list | tuple) and len(item) == 2:
                code, label = (str(v).strip() for v in item)
                if code and label and code not in {c for c, _ in found}:
                    found.append((code[:60], label[:200]))
        return found

    if not isinstance(value, dict):
        value = DEFAULTS["arms_factors"]
    risk = pairs(value.get("risk"))
    protective = [p for p in pairs(value.get("protective")) if p[0] not in dict(risk)]
    label = str(value.get("label") or DEFAULT_LIST_LABEL)
    return FactorList(label=label, risk=risk, protective=protective)


def factor_list_in(session: Session) -> FactorList:
    return factor_list_from(policy_value(session, "arms_factors"))


def arms_in_force(session: Session, offender_id: int) -> RiskAssessment | None:
    """The ARMS a plan answers: the newest approved, else the newest not superseded."""
    rows = list(
        session.scalars(
            select(RiskAssessment)
            .where(
                RiskAssessment.offender_id == offender_id,
                RiskAssessment.kind == AssessmentKind.ARMS,
                RiskAssessment.state != ApprovalState.SUPERSEDED,
            )
            .options(selectinload(RiskAssessment.factors))
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
        )
    )
    approved = next((a for a in rows if a.state == ApprovalState.APPROVED), None)
    return approved or (rows[0] if rows else None)


def present_risk_factors(session: Session, offender_id: int) -> list[FactorFacts]:
    """The risk factors (not protective) present in the ARMS in force, in the form's order."""
    arms = arms_in_force(session, offender_id)
    if arms is None:
        return []
    return [
        FactorFacts(f.code, f.label)
        for f in sorted(arms.factors, key=lambda f: f.position)
        if f.present and f.kind == FactorKind.RISK
    ]


class AssessmentService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- ARMS ------------------------------------------------------------------------------------

    def factor_list(self) -> FactorList:
        with self._services.transaction() as session:
            return factor_list_in(session)

    def new_arms_form(self, actor: Actor, offender_id: int) -> ArmsEdit:
        """The form to write an ARMS with. When a draft or returned ARMS is being worked on, that
        one (to continue it); otherwise a new form dated today, its factors as the latest
        assessment left them (all absent when there is none)."""
        with self._services.transaction() as session:
            require_read(actor, load_subject(session, offender_id))
            factors = factor_list_in(session)
            months = policy_int(session, "arms_review_months")
            working = session.scalars(
                select(RiskAssessment)
                .where(
                    RiskAssessment.offender_id == offender_id,
                    RiskAssessment.kind == AssessmentKind.ARMS,
                    RiskAssessment.state.in_(WORKING),
                )
                .options(selectinload(RiskAssessment.factors))
                .order_by(RiskAssessment.id.desc())
                .limit(1)
            ).first()
            if working is not None:
                return _form_for(working, factors, months)
            latest = session.scalars(
                select(RiskAssessment)
                .where(
                    RiskAssessment.offender_id == offender_id,
                    RiskAssessment.kind == AssessmentKind.ARMS,
                )
                .options(selectinload(RiskAssessment.factors))
                .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
                .limit(1)
            ).first()
            before = {f.code: f for f in latest.factors} if latest is not None else {}
            return ArmsEdit(
                assessment_id=None,
                expected_version=None,
                assessed_on=self._services.today().strftime("%d/%m/%Y"),
                level=latest.level.value if latest is not None else "",
                next_review_on="",
                summary="",
                factors=[
                    FactorEdit(
                        code,
                        bool(before[code].present) if code in before else False,
                        before[code].evidence if code in before else "",
                        label,
                        kind,
                    )
                    for kind, pairs in (("risk", factors.risk), ("protective", factors.protective))
                    for code, label in pairs
                ],
            )

    def arms_form(self, actor: Actor, assessment_id: int) -> ArmsEdit:
        """An existing ARMS as its form (to continue a draft, or to read one)."""
        with self._services.transaction() as session:
            assessment = self._assessment(session, assessment_id)
            require_read(actor, load_subject(session, assessment.offender_id))
            return _form_for(
                assessment, factor_list_in(session), policy_int(session, "arms_review_months")
            )

    def save_arms(self, actor: Actor, offender_id: int, edit: ArmsEdit) -> int:
        """Create a draft ARMS, or change a draft or returned one; returns its id."""
        row_id = edit.assessment_id
        try:
            with self._services.transaction() as session:
                require_edit(actor, load_subject(session, offender_id))
                assessment_id = self._save_arms_in(session, actor, offender_id, edit)
                session.flush()
                return assessment_id
        except StaleDataError:
            if row_id is None:
                raise
            raise conflict_after_race(
                self._services, RiskAssessment, row_id, "assessment"
            ) from None

    def _save_arms_in(
        self, session: Session, actor: Actor, offender_id: int, edit: ArmsEdit
    ) -> int:
        now, today = self._services.now(), self._services.today()
        assessment: RiskAssessment | None = None
        if edit.assessment_id is not None:
            assessment = self._assessment(session, edit.assessment_id)
            if assessment.offender_id != offender_id or assessment.kind != AssessmentKind.ARMS:
                raise NotFound("That ARMS assessment is not on this record; reload the record.")
            check_version(session, assessment, edit.expected_version, "assessment")
            _require_working(assessment)
        else:
            _refuse_second(session, offender_id, AssessmentKind.ARMS)
        factors = factor_list_in(session)
        months = policy_int(session, "arms_review_months")

        form = Form()
        assessed_on = form.date(
            "assessed_on", edit.assessed_on, required=True, not_after=today, label="assessment date"
        )
        level = form.choice("level", edit.level, LEVEL_LABELS)
        requested = form.date(
            "next_review_on", edit.next_review_on, required=False, label="next review date"
        )
        if assessed_on is not None and requested is not None:
            default = arms_default_review(assessed_on, months=months)
            if requested < assessed_on:
                form.add(
                    "next_review_on",
                    f"The next review date {d(requested)} is before the assessment date "
                    f"{d(assessed_on)}.",
                )
            elif requested > default:
                form.add(
                    "next_review_on",
                    f"The review can be brought forward but not put off: the latest is "
                    f"{d(default)}, {months} months after the assessment.",
                )
        summary = form.text("summary", edit.summary, max_length=SUMMARY_MAX, multiline=True)
        labels, kinds = factors.labels(), factors.kinds()
        typed: dict[str, tuple[bool, str]] = {}
        for i, factor in enumerate(edit.factors):
            name = f"factors[{i}]"
            code = clean_text(factor.code)
            if code not in labels:
                form.add(
                    f"{name}.code",
                    f"“{excerpt(code, 40)}” is not a factor on the ARMS form in use; reload the "
                    "form.",
                )
                continue
            if code in typed:
                form.add(f"{name}.code", f"{labels[code]} is on the form twice.")
                continue
            evidence = form.text(
                f"{name}.evidence",
                factor.evidence,
                max_length=EVIDENCE_MAX,
                multiline=True,
                label=f"evidence for {labels[code]}",
            )
            if factor.present and not evidence and not form.has(f"{name}.evidence"):
                form.add(
                    f"{name}.evidence",
                    f"Enter the evidence for {labels[code]}: it is marked present.",
                )
            typed[code] = (bool(factor.present), evidence)
        raise_if_invalid(form)
        assert assessed_on is not None
        next_review = requested or arms_default_review(assessed_on, months=months)

        rows = []
        for position, (code, label) in enumerate(factors.risk + factors.protective):
            present, evidence = typed.get(code, (False, ""))
            rows.append((code, label, FactorKind(kinds[code]), present, evidence, position))
        values: dict[str, Any] = {
            "assessed_on": assessed_on,
            "level": RiskLevel(level),
            "next_review_on": next_review,
            "summary": summary,
        }
        if assessment is None:
            assessment = RiskAssessment(
                offender_id=offender_id,
                kind=AssessmentKind.ARMS,
                assessor_id=actor.officer_id,
                state=ApprovalState.DRAFT,
                created_at=now,
                **values,
            )
            for code, label, kind, present, evidence, position in rows:
                assessment.factors.append(
                    RiskFactor(
                        kind=kind,
                        code=code,
                        label=label,
                        present=present,
                        evidence=evidence,
                        position=position,
                    )
                )
            session.add(assessment)
            stamp(assessment, actor, now)
            session.flush()
            detail: dict[str, Any] = {
                "new": {k: _audit(v) for k, v in values.items() if k != "summary"},
                "present": [r[0] for r in rows if r[3]],
            }
        else:
            changes = {
                k: [_audit(getattr(assessment, k)), _audit(v)]
                for k, v in values.items()
                if getattr(assessment, k) != v
            }
            if "summary" in changes:
                changes["summary"] = ["(changed)", "(changed)"]
            existing = {f.code: f for f in assessment.factors}
            factor_changes: dict[str, Any] = {}
            for code, label, kind, present, evidence, position in rows:
                old = existing.pop(code, None)
                if old is None:
                    assessment.factors.append(
                        RiskFactor(
                            kind=kind,
                            code=code,
                            label=label,
                            present=present,
                            evidence=evidence,
                            position=position,
                        )
                    )
                    factor_changes[code] = ["(not on the form)", _presence(present)]
                    continue
                if old.present != present:
                    factor_changes[code] = [_presence(old.present), _presence(present)]
                elif old.evidence != evidence:
                    factor_changes[code] = "evidence changed"
                old.present, old.evidence, old.label, old.position, old.kind = (
                    present,
                    evidence,
                    label,
                    position,
                    kind,
                )
            for gone in existing.values():
                assessment.factors.remove(gone)
                factor_changes[gone.code] = "no longer on the form"
            for k, v in values.items():
                setattr(assessment, k, v)
            if not changes and not factor_changes:
                return assessment.id
            stamp(assessment, actor, now)
            detail = {"changes": changes}
            if factor_changes:
                detail["factors"] = factor_changes
        session.flush()
        self._services.audit.record(
            session,
            actor,
            "arms_saved",
            entity_type="risk_assessment",
            entity_id=assessment.id,
            offender_id=offender_id,
            detail=detail,
        )
        return assessment.id

    def submit_arms(self, actor: Actor, assessment_id: int, expected_version: int) -> None:
        """Send a draft or returned ARMS to the sergeant: state submitted and an approval task."""
        try:
            with self._services.transaction() as session:
                assessment = self._assessment(session, assessment_id)
                require_edit(actor, load_subject(session, assessment.offender_id))
                if assessment.kind != AssessmentKind.ARMS:
                    raise ServiceError("An RM2000 is submitted when it is recorded.")
                check_version(session, assessment, expected_version, "assessment")
                _require_working(assessment)
                offender = session.get(Offender, assessment.offender_id)
                assert offender is not None
                self._submit(session, actor, offender, assessment, "ARMS", "arms_submitted")
                session.flush()
        except StaleDataError:
            raise conflict_after_race(
                self._services, RiskAssessment, assessment_id, "assessment"
            ) from None

    # -- RM2000 ------------------------------------------------------------------------------------

    def save_rm2000(self, actor: Actor, offender_id: int, edit: Rm2000Edit) -> int:
        """Record an RM2000 and submit it for approval in one step (see the module's notes);
        returns the assessment id. The stored level is the combined category."""
        with self._services.transaction() as session:
            require_edit(actor, load_subject(session, offender_id))
            _refuse_second(session, offender_id, AssessmentKind.RM2000)
            form = Form()
            assessed_on = form.date(
                "assessed_on",
                edit.assessed_on,
                required=True,
                not_after=self._services.today(),
                label="assessment date",
            )
            sexual = _whole(form, "sexual", edit.sexual, RM2000_SCORE_MAX, "sexual score")
            violent = _whole(form, "violent", edit.violent, RM2000_SCORE_MAX, "violent score")
            aggravating = _whole(
                form, "aggravating", edit.aggravating, AGGRAVATING_MAX, "aggravating factors"
            )
            raise_if_invalid(form)
            assert assessed_on is not None and None not in (sexual, violent, aggravating)
            assert sexual is not None and violent is not None and aggravating is not None
            result = rm2000_result(sexual, violent, aggravating)
            now = self._services.now()
            assessment = RiskAssessment(
                offender_id=offender_id,
                kind=AssessmentKind.RM2000,
                assessed_on=assessed_on,
                assessor_id=actor.officer_id,
                level=RiskLevel(result.combined_category),
                state=ApprovalState.DRAFT,
                rm2000_sexual=sexual,
                rm2000_violent=violent,
                rm2000_combined=result.combined_score,
                aggravating_factors=aggravating,
                created_at=now,
            )
            session.add(assessment)
            stamp(assessment, actor, now)
            session.flush()
            self._services.audit.record(
                session,
                actor,
                "rm2000_recorded",
                entity_type="risk_assessment",
                entity_id=assessment.id,
                offender_id=offender_id,
                detail={
                    "assessed_on": assessed_on,
                    "sexual": sexual,
                    "violent": violent,
                    "aggravating_factors": aggravating,
                    "sexual_category": result.sexual_category,
                    "violent_category": result.violent_category,
                    "combined": result.combined_score,
                    "combined_category": result.combined_category,
                },
            )
            returned = session.scalars(
                select(RiskAssessment)
                .where(
                    RiskAssessment.offender_id == offender_id,
                    RiskAssessment.kind == AssessmentKind.RM2000,
                    RiskAssessment.state == ApprovalState.RETURNED,
                )
                .order_by(RiskAssessment.id)
            ).all()
            for old in returned:
                old.state = ApprovalState.SUPERSEDED
                stamp(old, actor, now)
                session.flush()
                self._services.audit.record(
                    session,
                    actor,
                    "rm2000_superseded",
                    entity_type="risk_assessment",
                    entity_id=old.id,
                    offender_id=offender_id,
                    detail={"state": ["returned", "superseded"], "replaced_by": assessment.id},
                )
            offender = session.get(Offender, offender_id)
            assert offender is not None
            self._submit(session, actor, offender, assessment, "RM2000", "rm2000_submitted")
            return assessment.id

    # -- review dates --------------------------------------------------------------------------

    def bring_review_forward(
        self,
        session: Session,
        offender_id: int,
        event_on: dt.date,
        *,
        actor: Actor | None = None,
        reason: str = "",
    ) -> dt.date | None:
        """After a release or a change of address on `event_on`, bring the approved ARMS's next
        review forward (`desktop.rules.risk.review_brought_forward`), in the caller's
        transaction, audited. Returns the review date now in force (None: no approved ARMS)."""
        arms = session.scalars(
            select(RiskAssessment)
            .where(
                RiskAssessment.offender_id == offender_id,
                RiskAssessment.kind == AssessmentKind.ARMS,
                RiskAssessment.state == ApprovalState.APPROVED,
            )
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.id.desc())
            .limit(1)
        ).first()
        if arms is None:
            return None
        current = cadence.arms_review_due(
            arms.assessed_on, arms.next_review_on, policy_int(session, "arms_review_months")
        )
        moved = review_brought_forward(current, event_on)
        if moved == arms.next_review_on:
            return moved
        before = arms.next_review_on
        arms.next_review_on = moved
        stamp(arms, actor, self._services.now())
        session.flush()
        detail: dict[str, Any] = {"changes": {"next_review_on": [_audit(before), _audit(moved)]}}
        detail["event_on"] = event_on.isoformat()
        if reason:
            detail["reason"] = reason
        self._services.audit.record(
            session,
            actor,
            "arms_review_brought_forward",
            entity_type="risk_assessment",
            entity_id=arms.id,
            offender_id=offender_id,
            detail=detail,
            username="" if actor is not None else "system",
        )
        return moved

    # -- internals -------------------------------------------------------------------------------

    def _assessment(self, session: Session, assessment_id: int) -> RiskAssessment:
        assessment = session.get(RiskAssessment, assessment_id)
        if assessment is None:
            raise NotFound(f"There is no assessment number {assessment_id}.")
        return assessment

    def _submit(
        self,
        session: Session,
        actor: Actor,
        offender: Offender,
        assessment: RiskAssessment,
        what: str,
        action: str,
    ) -> None:
        submit_for_approval(
            self._services,
            session,
            actor,
            offender,
            assessment,
            state_column="state",
            kind=TaskKind.ASSESSMENT_APPROVAL,
            subject_type="risk_assessment",
            what=what,
            action=action,
        )


def _form_for(assessment: RiskAssessment, factors: FactorList, months: int) -> ArmsEdit:
    stored = {f.code: f for f in assessment.factors}
    kinds = factors.kinds()
    listed = factors.risk + factors.protective
    rows = [
        FactorEdit(
            code,
            bool(stored[code].present) if code in stored else False,
            stored[code].evidence if code in stored else "",
            label,
            kinds[code],
        )
        for code, label in listed
    ]
    # factors the assessment has that the form in use no longer lists, so nothing is hidden
    rows += [
        FactorEdit(f.code, f.present, f.evidence, f.label, f.kind.value)
        for f in sorted(assessment.factors, key=lambda f: f.position)
        if f.code not in kinds
    ]
    default = arms_default_review(assessment.assessed_on, months=months)
    review = assessment.next_review_on
    return ArmsEdit(
        assessment_id=assessment.id,
        expected_version=assessment.version,
        assessed_on=d(assessment.assessed_on),
        level=assessment.level.value,
        next_review_on="" if review is None or review == default else d(review),
        summary=assessment.summary,
        factors=rows,
        state=assessment.state.value,
        return_comment=assessment.return_comment,
    )


def _require_working(assessment: RiskAssessment) -> None:
    if assessment.state in FIXED:
        raise ServiceError("Approved assessments cannot be changed; start a new assessment.")
    if assessment.state == ApprovalState.SUBMITTED:
        raise ServiceError(
            f"This assessment was submitted for approval on {d(assessment.submitted_at)}; it "
            "cannot be changed until a sergeant approves or returns it."
        )


def _refuse_second(session: Session, offender_id: int, kind: AssessmentKind) -> None:
    """One assessment of a kind is worked on at a time. Two desktops recording one at the same
    moment queue here (SQLite's write lock; PostgreSQL's lock on the offender's row) so that the
    second finds the first and is refused, instead of both being saved."""
    take_write_lock(session)
    session.scalar(select(Offender.id).where(Offender.id == offender_id).with_for_update())
    # a returned RM2000 is corrected by recording a new one (which supersedes it), so only a
    # draft or submitted RM2000 stands in the way
    states = (
        OPEN
        if kind == AssessmentKind.ARMS
        else tuple(s for s in OPEN if s != ApprovalState.RETURNED)
    )
    other = session.scalars(
        select(RiskAssessment)
        .where(
            RiskAssessment.offender_id == offender_id,
            RiskAssessment.kind == kind,
            RiskAssessment.state.in_(states),
        )
        .limit(1)
    ).first()
    if other is None:
        return
    name = "ARMS" if kind == AssessmentKind.ARMS else "RM2000"
    if other.state == ApprovalState.SUBMITTED:
        raise ServiceError(
            f"An {name} dated {d(other.assessed_on)} is waiting for a sergeant's approval; a new "
            "one can be recorded once it is approved or returned. Nothing was saved."
        )
    raise ServiceError(
        f"An {name} dated {d(other.assessed_on)} is already being written ({other.state.label}); "
        "continue that one. Nothing was saved."
    )


def _whole(form: Form, name: str, text: str, maximum: int, label: str) -> int | None:
    typed = clean_text(text)
    if not typed:
        form.add(name, f"Enter the {label}, a whole number from 0 to {maximum}.")
        return None
    # at most 9 digits before int(): a long run of digits would exceed what int() reads
    if not (typed.isascii() and typed.isdigit() and len(typed) <= 9) or int(typed) > maximum:
        form.add(
            name,
            f"“{excerpt(typed)}” is not a valid {label}: enter a whole number from 0 to {maximum}.",
        )
        return None
    return int(typed)


def _presence(present: bool) -> str:
    return "present" if present else "absent"


def _audit(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value
