"""The fortnightly peer-scrutiny pack (issue #8 item 2; DESIGN section 3, "Peer scrutiny").

A cover page with the team, the fortnight, the sample and how it was drawn, and who printed it
when; then one section per sampled record, each on a new page with its own bookmark: summary,
MAPPA, ARMS with its factors, the current plan pillar by pillar (all four pillars always, a pillar
without actions said so in a warning), visits and PPNs of the last six months, open tasks and
breaches, the automatic record-quality findings, and a reviewer checklist with room to write: the
scrutiny service's own `CHECKLIST` and `ANSWERS`, the questions the findings are entered against.

The sample's records are read together with `desktop.services.records.build_records`, the same
read model the record screen and `pillars show` use, so the pack shows what the app shows: the
same breaches, plan gaps and quality findings. The caller (the scrutiny service) has checked the
actor's permission, holds the transaction, audits the printing and stores the bytes for exact
reprints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ScrutinyPack, Team
from desktop.reports.base import (
    CONTENT_WIDTH,
    DATE,
    DATE_TIME,
    RULE,
    Bookmark,
    Fixed,
    PrintInfo,
    Report,
    RuledLines,
    RunningTitle,
    TickBox,
    data_table,
    day,
    day_time,
    facts_table,
    headed,
    london,
    para,
    warning,
    widths,
    words,
)
from desktop.rules.plan_gaps import PILLARS
from desktop.services.actor import Actor
from desktop.services.records import (
    AssessmentView,
    HouseholdView,
    OffenderRecord,
    build_records,
)
from desktop.services.scrutiny import ANSWERS, CHECKLIST

if TYPE_CHECKING:
    from desktop.services.core import Services

TITLE = "Peer-scrutiny pack"
FORTNIGHT_DAYS = 14
HISTORY_MONTHS = 6  # visits and PPNs shown: DESIGN section 3, "of the last 6 months"
NO_ACTIONS = "No actions under this pillar"

STATUS_WORDS = {
    "community": "In the community",
    "custody": "In custody",
    "hospital": "In hospital",
    "abroad": "Abroad",
}
MAPPA_CATEGORY_WORDS = {
    1: "registered sexual offender",
    2: "violent offender",
    3: "other dangerous offender",
    4: "terrorist or terrorism-connected offender",
}
AREA_WORDS = {"ppn": "PPNs", "visits": "Visits", "notifications": "Notifications"}


def fortnight_text(ending: dt.date) -> str:
    """The fortnight a pack covers: the 14 days ending on `ending`, "dd/mm/yyyy to dd/mm/yyyy"."""
    starts = ending - dt.timedelta(days=FORTNIGHT_DAYS - 1)
    return f"{day(starts)} to {day(ending)}"


def risk_words(level: str | None) -> str:
    return words(level, "Not assessed")


def build_pack_pdf(
    services: Services,
    session: Session,
    actor: Actor,
    pack: ScrutinyPack,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The pack as PDF bytes, read inside the caller's open transaction with `session`.

    Printed by `actor`, at `services.now()`; each record's clocks, findings and the six months of
    history are computed for `services.today()`. Pending changes in the session are flushed first:
    the record loader re-reads everything, and must see what this transaction has written."""
    session.flush()
    items = [(i.offender_id, i.reason) for i in sorted(pack.items, key=lambda i: i.position)]
    team = session.scalar(select(Team.name).where(Team.id == pack.team_id)) or ""
    fortnight = fortnight_text(pack.fortnight_ending)
    seed, method = pack.seed, dict(pack.method or {})
    today, now = services.today(), services.now()
    read = build_records(session, actor, [oid for oid, _ in items], today=today, now=now)
    records = [(record, reason) for record, (_, reason) in zip(read, items, strict=True)]
    info = PrintInfo(
        title=f"{TITLE}: team {team}, fortnight {fortnight}",
        team=team,
        period=f"fortnight {fortnight}",
        printed_by=actor.display_name,
        printed_at=now,
    )
    since = today - relativedelta(months=HISTORY_MONTHS)
    story = _cover(info, fortnight, seed, method, records)
    for position, (record, reason) in enumerate(records, start=1):
        story.append(PageBreak())
        story += _section(position, record, reason, since)
        if progress is not None:
            story.append(_Drawn(progress, position, len(records)))
    return Report(info).render(story)


class _Drawn(Flowable):
    """Says how far the drawing has got: `progress(done, total)` once the pages up to here are
    laid out (the records are read together before, in a fraction of the time)."""

    def __init__(self, progress: Callable[[int, int], None], done: int, total: int) -> None:
        super().__init__()
        self.progress, self.done, self.total = progress, done, total

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.progress(self.done, self.total)


# -- the cover ----------------------------------------------------------------------------------


def _cover(
    info: PrintInfo,
    fortnight: str,
    seed: int,
    method: dict[str, object],
    records: list[tuple[OffenderRecord, str]],
) -> list[Flowable]:
    managers = {r.manager or "Unallocated" for r, _ in records}
    sample = data_table(
        ["#", "Reference", "Name", "Offender manager", "Risk", "Why sampled"],
        [
            [
                str(i),
                r.reference,
                r.name,
                r.manager or "Unallocated",
                risk_words(r.risk_level),
                reason or "Not recorded",
            ]
            for i, (r, reason) in enumerate(records, start=1)
        ],
        widths(Fixed(8 * mm), Fixed(30 * mm), 28, 28, Fixed(19 * mm), 40),
    )
    method_text = str(method.get("text") or "").strip()
    story: list[Flowable] = [
        Bookmark("Cover and sample", "cover"),
        para(TITLE, "title"),
        facts_table(
            [
                ("Team", info.team),
                ("Fortnight", fortnight),
                ("Records sampled", f"{len(records)}, {_managers_text(len(managers))}"),
                ("Printed by", info.printed_by),
                ("Printed on", day_time(info.printed_at)),
            ]
        ),
        Spacer(1, 6 * mm),
        headed(para("The sample", "h2"), sample if records else warning("The sample is empty.")),
        headed(
            para("How the sample was drawn", "h2"),
            para(method_text) if method_text else warning("The method was not recorded."),
            para(f"Seed {seed}: drawing again with the same seed gives the same sample.", "note"),
        ),
    ]
    return story


def _managers_text(count: int) -> str:
    return f"from {count} offender manager{'' if count == 1 else 's'}"


# -- one record ---------------------------------------------------------------------------------


def _section(position: int, record: OffenderRecord, reason: str, since: dt.date) -> list[Flowable]:
    title = f"{record.reference} {record.name}"
    return [
        Bookmark(title, f"record-{position}"),
        RunningTitle(title),
        para(title, "h1"),
        para(f"Record {position} of the sample. Why sampled: {reason or 'not recorded'}.", "note"),
        *_summary(record),
        _mappa(record),
        *_arms(record),
        *_plan(record),
        _visits(record, since),
        _ppns(record, since),
        _tasks_and_breaches(record),
        _quality(record),
        *_checklist(),
    ]


def _summary(record: OffenderRecord) -> list[Flowable]:
    address = record.current_address
    if record.no_fixed_abode:
        where = "No fixed abode"
    elif address is not None:
        where = ", ".join(
            p for p in (address.line1, address.line2, address.town, address.postcode) if p
        )
        where += f" (since {day(address.from_date)})"
    else:
        where = ""
    status = STATUS_WORDS.get(record.status, words(record.status))
    if record.status_since:
        status += f" since {day(record.status_since)}"
    if record.expected_release_on and record.status == "custody":
        status += f"; release date given {day(record.expected_release_on)}"
    if record.released_on:
        status += f"; released {day(record.released_on)}"
    if record.notification_indefinite:
        ends = "Indefinite"
    else:
        ends = day(record.notification_end, "Not recorded")
    seen = day(record.last_seen, "Never seen")
    due = day(record.next_visit_due, "No routine visit due")
    if record.visit_overdue:
        due += " (overdue)"
    children = [h for h in record.household if h.is_child and h.to_date is None]
    pairs: list[tuple[str, str | Flowable]] = [
        ("Date of birth", f"{day(record.date_of_birth)} (age {record.age})"),
        ("Gender", record.gender or "Not recorded"),
        ("Also known as", "; ".join(record.aliases) or "No aliases"),
        ("Status", status),
        ("Home address", where or warning("No current home address is recorded.")),
        ("Team", record.team),
        ("Offender manager", record.manager or warning("Unallocated: no offender manager.")),
        ("Registered since", day(record.registration_start)),
        ("Notification ends", ends),
        ("Risk (ARMS)", risk_words(record.risk_level)),
        ("Last seen", seen),
        ("Next visit due", due),
        ("Children in household", ", ".join(_member(h) for h in children) or "None recorded"),
    ]
    if record.reactive_management:
        pairs.append(("Management", "Reactive: no routine home visits"))
    if record.warrant_consideration:
        pairs.append(
            (
                "Warrant",
                warning(
                    f"{record.failed_attempts} failed visits in a row: consider a warrant to "
                    "enter for risk assessment (s96B)."
                ),
            )
        )
    convictions = (
        data_table(
            ["Offence", "Court", "Convicted", "Sentenced", "Sentence", "Notification period"],
            [
                [
                    c.offence,
                    c.court,
                    day(c.convicted_on),
                    day(c.sentenced_on),
                    _sentence(c.sentence_kind, c.sentence_months),
                    c.period_text,
                ]
                for c in record.convictions
            ],
            widths(30, 18, DATE, DATE, 18, 32),
        )
        if record.convictions
        else warning("No convictions are recorded.")
    )
    return [
        headed(para("Summary", "h2"), facts_table(pairs)),
        headed(para("Offences and convictions", "h2"), convictions),
    ]


def _member(h: HouseholdView) -> str:
    bits = [b for b in (h.relationship, f"age {h.age}" if h.age is not None else "") if b]
    return f"{h.name} ({', '.join(bits)})" if bits else h.name


def _sentence(kind: str | None, months: int | None) -> str:
    if kind is None:
        return "Not recorded"
    text = words(kind)
    return f"{text}, {months} months" if months else text


def _mappa(record: OffenderRecord) -> Flowable:
    category = MAPPA_CATEGORY_WORDS.get(record.mappa_category, "")
    content: list[Flowable] = [
        para(
            f"Category {record.mappa_category} ({category}), level {record.mappa_level}."
            if category
            else f"Category {record.mappa_category}, level {record.mappa_level}."
        )
    ]
    if record.mappa_history:
        content.append(
            data_table(
                ["Changed", "Category", "Level", "By", "Why"],
                [
                    [day(h.changed_at), str(h.category), str(h.level), h.changed_by, h.reason]
                    for h in record.mappa_history
                ],
                widths(DATE, Fixed(19 * mm), Fixed(14 * mm), 30, 50),
                centre=(1, 2),
            )
        )
    return headed(para("MAPPA", "h2"), *content)


def _arms_in_force(record: OffenderRecord) -> AssessmentView | None:
    """The newest approved ARMS, else the newest not superseded (as the record screen)."""
    arms = [a for a in record.assessments if a.kind == "arms"]
    approved = next((a for a in arms if a.state == "approved"), None)
    return approved or next((a for a in arms if a.state != "superseded"), None)


def _arms(record: OffenderRecord) -> list[Flowable]:
    heading = para("ARMS assessment", "h2")
    arms = _arms_in_force(record)
    if arms is None:
        return [headed(heading, warning("There is no ARMS assessment on the record."))]
    state = words(arms.state)
    if arms.decided_by and arms.state == "approved":
        state += f" by {arms.decided_by}"
    content: list[Flowable] = [
        facts_table(
            [
                ("Priority level", risk_words(arms.level)),
                ("Assessed", f"{day(arms.assessed_on)} by {arms.assessor or 'unknown'}"),
                ("State", state),
                ("Next review", day(arms.next_review_on, "Not set")),
            ]
        )
    ]
    if arms.state != "approved":
        content.append(warning("This assessment is not approved: there is no approved ARMS."))
    rm2000 = next((a for a in record.assessments if a.kind == "rm2000"), None)
    if rm2000 is not None:
        content.append(
            para(
                f"RM2000 static risk: {risk_words(rm2000.level)} "
                f"({day(rm2000.assessed_on)}, {words(rm2000.state).lower()}).",
                "note",
            )
        )
    blocks: list[Flowable] = [headed(heading, *content)]
    for kind, label in (("risk", "Dynamic risk factors"), ("protective", "Protective factors")):
        factors = [f for f in arms.factors if f.kind == kind]
        body: Flowable = (
            data_table(
                ["Factor", "Present", "Evidence"],
                [[f.label, "Yes" if f.present else "No", f.evidence] for f in factors],
                widths(36, Fixed(18 * mm), 60),
                centre=(1,),
            )
            if factors
            else warning(f"No {label.lower()} are recorded on this assessment.")
        )
        blocks.append(headed(para(label, "h3"), body))
    return blocks


def _plan(record: OffenderRecord) -> list[Flowable]:
    plan = record.plan
    heading = para("Risk management plan", "h2")
    if plan is None:
        intro: list[Flowable] = [warning("There is no approved risk management plan.")]
    else:
        decided = (
            f", approved by {plan.decided_by} on {day(plan.decided_at)}" if plan.decided_by else ""
        )
        intro = [
            para(
                f"Plan version {plan.plan_number}{decided}; review due "
                f"{day(plan.review_on, 'not set')}."
            )
        ]
    for gap in record.plan_gaps:
        intro.append(warning(gap.text))
    factor_labels = {
        f.code: f.label for a in record.assessments if a.kind == "arms" for f in a.factors if f.code
    }
    blocks: list[Flowable] = [headed(heading, *intro)]
    actions = plan.actions if plan is not None else []
    for pillar, label in PILLARS.items():
        mine = [a for a in actions if a.pillar == pillar]
        body: Flowable = (
            data_table(
                ["Action", "Owner", "Due", "Status", "Answers"],
                [
                    [
                        a.description,
                        a.owner or "Not named",
                        day(a.due_on, "No date"),
                        words(a.status),
                        factor_labels.get(a.answers_factor or "", a.answers_factor or ""),
                    ]
                    for a in mine
                ],
                widths(44, 22, DATE, Fixed(23 * mm), 22),
            )
            if mine
            else warning(NO_ACTIONS)
        )
        blocks.append(headed(para(label, "h3"), body))
    contingency = plan.contingency.strip() if plan is not None else ""
    licence = plan.licence_conditions.strip() if plan is not None else ""
    blocks.append(
        headed(
            para("Contingency plan", "h3"),
            para(contingency) if contingency else warning("No contingency plan is recorded."),
        )
    )
    blocks.append(
        headed(
            para("Licence conditions and orders in force", "h3"),
            para(licence) if licence else para("None recorded.", "note"),
        )
    )
    return blocks


def _visits(record: OffenderRecord, since: dt.date) -> Flowable:
    visits = [v for v in record.visits if london(v.occurred_at or v.planned_at).date() >= since]
    heading = para(f"Visits since {day(since)}", "h2")
    if not visits:
        return headed(heading, warning(f"No visits recorded or planned since {day(since)}."))
    table = data_table(
        ["Date", "Outcome", "Officers", "Announced", "Children present", "Record"],
        [
            [
                day_time(v.occurred_at or v.planned_at),
                words(v.outcome),
                v.officers,
                "Yes" if v.announced else "No",
                _yes_no(v.children_present),
                words(v.record_state),
            ]
            for v in visits
        ],
        widths(DATE_TIME, Fixed(22 * mm), 60, Fixed(22 * mm), Fixed(20 * mm), 22),
        centre=(3, 4),
    )
    return headed(heading, table)


def _yes_no(value: bool | None) -> str:
    return "Not recorded" if value is None else ("Yes" if value else "No")


def _ppns(record: OffenderRecord, since: dt.date) -> Flowable:
    ppns = [p for p in record.ppns if london(p.concern_at).date() >= since]
    heading = para(f"PPNs since {day(since)}", "h2")
    if not ppns:
        return headed(heading, para(f"No PPNs raised since {day(since)}.", "note"))
    table = data_table(
        [
            "Date of concern",
            "Grade",
            "What the concern was",
            "State",
            "Submitted",
            "Follow-up due",
            "Decision",
        ],
        [
            [
                day_time(p.concern_at),
                words(p.grade),
                p.concern,
                words(p.state),
                day_time(p.submitted_at, "Not submitted"),
                day(p.follow_up_due_on, "None"),
                p.social_care_decision or "None recorded",
            ]
            for p in ppns
        ],
        widths(Fixed(24 * mm), Fixed(15 * mm), 40, 20, Fixed(24 * mm), DATE, 30),
    )
    return headed(heading, table)


def _tasks_and_breaches(record: OffenderRecord) -> Flowable:
    content: list[Flowable] = []
    if record.tasks:
        content.append(
            data_table(
                ["Open task", "With", "Due", "Overdue"],
                [
                    [t.title or words(t.kind), t.owner, day(t.due_on), "Yes" if t.overdue else "No"]
                    for t in record.tasks
                ],
                widths(60, 40, DATE, Fixed(19 * mm)),
                centre=(3,),
            )
        )
    else:
        content.append(para("No open tasks.", "note"))
    if record.breaches:
        content.append(para("Breaches", "h3"))
        content.append(
            data_table(
                ["Deadline", "Breach", "Statute"],
                [[day(b.due), b.text, b.statute] for b in record.breaches],
                widths(DATE, 75, 22),
            )
        )
    else:
        content.append(para("No breaches standing.", "note"))
    return headed(para("Open tasks and breaches", "h2"), *content)


def _quality(record: OffenderRecord) -> Flowable:
    q = record.quality
    content: list[Flowable] = [para(f"Score {q.score}%: {q.passed} of {q.checks} checks passed.")]
    if q.findings:
        content.append(
            data_table(
                ["Severity", "Area", "Finding"],
                [
                    [words(f.severity), AREA_WORDS.get(f.area, words(f.area)), f.text]
                    for f in q.findings
                ],
                widths(Fixed(20 * mm), Fixed(26 * mm), 74),
            )
        )
    else:
        content.append(para("No findings: every check that applies passed.", "note"))
    return headed(para("Record-quality findings", "h2"), *content)


def _checklist() -> list[Flowable]:
    """The scrutiny service's checklist (`CHECKLIST`, answered with `ANSWERS`), the questions the
    findings are entered against, with a box to tick under each answer."""
    answers = list(ANSWERS.values())
    rows = [[question, *(TickBox() for _ in answers)] for _, question in CHECKLIST]
    box = Fixed(15 * mm)
    table = data_table(
        ["Question", *answers],
        rows,
        widths(1, *(box for _ in answers)),
        centre=range(1, len(answers) + 1),
    )
    table.setStyle(TableStyle([("VALIGN", (1, 1), (-1, -1), "MIDDLE")]))
    return [
        PageBreak(),
        headed(para("Reviewer checklist", "h2"), table),
        headed(para("Comments", "h3"), RuledLines(7)),
        headed(
            para("Actions for the offender manager (what, by whom, by when)", "h3"), RuledLines(5)
        ),
        Spacer(1, 4 * mm),
        _signature(),
    ]


def _signature() -> Table:
    cells = [para("Reviewed by", "cell_head"), "", para("Date", "cell_head"), ""]
    table = Table([cells], colWidths=widths(16, 44, 8, 32, total=CONTENT_WIDTH))
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (1, 0), (1, 0), 0.5, RULE),
                ("LINEBELOW", (3, 0), (3, 0), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table
