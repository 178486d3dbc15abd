"""Peer-scrutiny sampling: which records of a team go into a fortnight's pack (DESIGN section 3,
"Peer scrutiny"; issue #8 item 1).

The rule, with the policy `scrutiny` values (`desktop.rules.policy_defaults`) in brackets:

1. every very-high-risk record not scrutinised in the last [very_high_must_include_after_months
   = 3] months is always included ("must include");
2. then, per offender manager, records are drawn at random without replacement until the manager
   has [records_per_manager = 2] records in the sample. Must-includes count towards that number;
   a manager with more must-includes than that keeps them all and has none drawn. Records with no
   manager form one group of their own ("unallocated");
3. each record's chance is its weight: the risk weight of its ARMS level [risk_weights] times
   (1 + the whole months since it was last scrutinised, at most `MONTHS_CAP`); a record never
   scrutinised counts as `MONTHS_CAP` months. A record with no approved ARMS is weighted like the
   highest risk level: nobody knows its risk, which is itself worth a look;
4. a record in the previous fortnight's sample is drawn only when its manager has no other record
   left to draw ("unless it must").

The draw is reproducible: the same candidates, policy, team, fortnight and seed give the same
sample on any machine and Python run (`random.Random` seeded with a string is stable; `hash()`
of a string is not, so it is never used). Candidates are taken in offender-id order and managers
in id order (unallocated last), so the order they arrive in does not matter.

Plain data in, plain data out: risk levels are RiskLevel values ("very_high", "high", "medium",
"low") as strings.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta

from desktop.rules.policy_defaults import DEFAULTS

MONTHS_CAP = 24  # months since last scrutiny stop adding weight here; never scrutinised = this
VERY_HIGH = "very_high"
RISK_ORDER = ("very_high", "high", "medium", "low")
UNASSESSED = "no approved ARMS"


def risk_label(level: str | None) -> str:
    """'very high risk', 'medium risk'; 'no approved ARMS' when there is none."""
    return f"{level.replace('_', ' ')} risk" if level else UNASSESSED


def shown(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One record that may be sampled."""

    offender_id: int
    manager_id: int | None  # None: unallocated (one group)
    risk_level: str | None  # RiskLevel value of the ARMS in force; None when none is approved
    last_scrutinised: dt.date | None  # fortnight ending of the newest printed pack holding it
    in_previous_pack: bool = False  # in the sample of the fortnight before this one


@dataclass(frozen=True, slots=True)
class ScrutinyPolicy:
    """The `scrutiny` policy: records drawn per manager each fortnight, each risk level's
    weight in the draw, and how many months a very-high-risk record may go unscrutinised
    before it must be included."""

    records_per_manager: int
    risk_weights: Mapping[str, float]  # RiskLevel value -> weight
    very_high_must_include_after_months: int

    @classmethod
    def from_value(cls, raw: Any) -> ScrutinyPolicy:
        """The policy `scrutiny` value as stored; a missing or unusable entry falls back to its
        default, so a bad value never stops a pack being drawn."""
        default = DEFAULTS["scrutiny"]
        raw = raw if isinstance(raw, Mapping) else {}

        def whole(key: str) -> int:
            try:
                return max(0, int(raw.get(key, default[key])))
            except (TypeError, ValueError):
                return int(default[key])

        given = raw.get("risk_weights")
        given = given if isinstance(given, Mapping) else {}
        weights: dict[str, float] = {}
        for level in RISK_ORDER:
            try:
                weights[level] = max(0.0, float(given.get(level, default["risk_weights"][level])))
            except (TypeError, ValueError):
                weights[level] = float(default["risk_weights"][level])
        return cls(
            records_per_manager=whole("records_per_manager"),
            risk_weights=weights,
            very_high_must_include_after_months=whole("very_high_must_include_after_months"),
        )

    def as_dict(self) -> dict[str, Any]:
        """The values as they are kept with a pack (JSON)."""
        return {
            "records_per_manager": self.records_per_manager,
            "risk_weights": dict(self.risk_weights),
            "very_high_must_include_after_months": self.very_high_must_include_after_months,
        }

    def risk_weight(self, level: str | None) -> float:
        if level is None or level not in self.risk_weights:
            return max(self.risk_weights.values(), default=1.0)
        return self.risk_weights[level]


DEFAULT_POLICY = ScrutinyPolicy.from_value(DEFAULTS["scrutiny"])


@dataclass(frozen=True, slots=True)
class SampledRecord:
    """One record drawn into a fortnight's pack, with the sentence saying why it was drawn
    and whether the rules required it."""

    offender_id: int
    manager_id: int | None
    reason: str  # a sentence: "drawn: high risk, last scrutinised 14/01/2026"
    must_include: bool


@dataclass(frozen=True)
class DrawnSample:
    """A team's fortnightly sample: the records in pack order, the method in words (printed
    in the pack) and the seed that reproduces the draw."""

    records: tuple[SampledRecord, ...]  # by manager (id order, unallocated last), must first
    method_text: str
    seed: int


def default_seed(fortnight_ending: dt.date) -> int:
    """The seed used when none is given: the fortnight's last day as yyyymmdd. The team is part
    of the generator's seed string, so two teams' samples for one fortnight are independent."""
    return fortnight_ending.year * 10000 + fortnight_ending.month * 100 + fortnight_ending.day


def months_since(last: dt.date | None, on: dt.date) -> int:
    """Whole months from `last` to `on`, at most MONTHS_CAP; never scrutinised is MONTHS_CAP."""
    if last is None:
        return MONTHS_CAP
    gap = relativedelta(on, last)
    return max(0, min(MONTHS_CAP, gap.years * 12 + gap.months))


def weight(candidate: Candidate, on: dt.date, policy: ScrutinyPolicy) -> float:
    return policy.risk_weight(candidate.risk_level) * (
        1 + months_since(candidate.last_scrutinised, on)
    )


def must_include(candidate: Candidate, on: dt.date, policy: ScrutinyPolicy) -> bool:
    """Very high risk and not scrutinised within the policy's months before `on`."""
    if candidate.risk_level != VERY_HIGH:
        return False
    if candidate.last_scrutinised is None:
        return True
    months = policy.very_high_must_include_after_months
    return candidate.last_scrutinised <= on - relativedelta(months=months)


def draw_sample(
    candidates: Iterable[Candidate],
    *,
    team_id: int,
    fortnight_ending: dt.date,
    seed: int,
    policy: ScrutinyPolicy = DEFAULT_POLICY,
) -> DrawnSample:
    """The sample for one team and fortnight (see the module's rules)."""
    rng = random.Random(f"{seed}:{team_id}:{fortnight_ending.isoformat()}")
    groups: dict[int | None, list[Candidate]] = {}
    for candidate in sorted(_unique(candidates), key=lambda c: c.offender_id):
        groups.setdefault(candidate.manager_id, []).append(candidate)
    order = sorted(groups, key=lambda m: (m is None, m or 0))
    records: list[SampledRecord] = []
    for manager_id in order:
        group = groups[manager_id]
        musts = [c for c in group if must_include(c, fortnight_ending, policy)]
        for c in musts:
            records.append(SampledRecord(c.offender_id, manager_id, _must_reason(c), True))
        wanted = max(0, policy.records_per_manager - len(musts))
        rest = [c for c in group if c not in musts]
        fresh = [c for c in rest if not c.in_previous_pack]
        repeats = [c for c in rest if c.in_previous_pack]
        for pool, again in ((fresh, False), (repeats, True)):
            while wanted and pool:
                weights = [weight(c, fortnight_ending, policy) for c in pool]
                picked = pool.pop(_pick(rng, weights))
                reason = _drawn_reason(picked, again)
                records.append(SampledRecord(picked.offender_id, manager_id, reason, False))
                wanted -= 1
    return DrawnSample(tuple(records), method_text(policy, seed), seed)


def method_text(policy: ScrutinyPolicy, seed: int) -> str:
    """How the sample was drawn, in plain English from the policy values (the pack's cover)."""
    per = policy.records_per_manager
    months = policy.very_high_must_include_after_months
    weights = ", ".join(
        f"{level.replace('_', ' ')} {_number(policy.risk_weights[level])}" for level in RISK_ORDER
    )
    records = "record" if per == 1 else "records"
    return (
        f"Every very-high-risk record not scrutinised in the last {months} months is included. "
        f"Then records are drawn at random until each offender manager has {per} {records} in "
        "the sample (records with no manager are drawn as one group; the very-high-risk "
        "records count towards their manager's number). A record's chance is its risk weight "
        f"({weights}; a record with no approved ARMS is weighted like the highest) times one "
        "plus the months since it was last scrutinised, counted up to "
        f"{MONTHS_CAP} (never scrutinised counts as {MONTHS_CAP}). A record in the previous "
        "fortnight's sample is drawn again only when its manager has no other record left. "
        f"Drawn with seed {seed}: the same seed gives the same sample from the same records."
    )


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    seen: dict[int, Candidate] = {}
    for candidate in candidates:
        seen.setdefault(candidate.offender_id, candidate)
    return list(seen.values())


def _pick(rng: random.Random, weights: Sequence[float]) -> int:
    """An index chosen with probability proportional to its weight (uniform when all are 0)."""
    total = sum(weights)
    if total <= 0:
        return rng.randrange(len(weights))
    point = rng.random() * total
    for index, w in enumerate(weights):
        point -= w
        if point < 0 and w > 0:
            return index
    return max(i for i, w in enumerate(weights) if w > 0)  # rounding at the very top


def _must_reason(candidate: Candidate) -> str:
    last = candidate.last_scrutinised
    since = f"not scrutinised since {shown(last)}" if last else "never scrutinised"
    return f"{risk_label(candidate.risk_level)}, {since} (must include)"


def _drawn_reason(candidate: Candidate, again: bool) -> str:
    last = candidate.last_scrutinised
    when = f"last scrutinised {shown(last)}" if last else "never scrutinised"
    reason = f"drawn: {risk_label(candidate.risk_level)}, {when}"
    if again:
        group = "unallocated record" if candidate.manager_id is None else "record of this manager"
        reason += f"; in the previous fortnight's sample too: no other {group} left"
    return reason


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
