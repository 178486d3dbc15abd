"""Who sees an absent sergeant's tasks on a given day: the cover chain of DESIGN section 3.

For one owner and one day, the first link that gives someone on duty:

1. the owner, when on duty ("owner"): a returning sergeant gets their unfinished tasks back,
   because cover is computed for the day and never stored as a transfer;
2. the officer named to cover this absence for that day ("named_cover"), if on duty themselves.
   A named cover who is absent too is passed over, and the chain goes on: their own absence
   leaves the owner's tasks with nobody otherwise;
3. another sergeant of the owner's team on duty ("team_sergeant");
4. a sergeant of another team on duty ("other_team_sergeant");
5. the team manager of the owner's team, if on duty ("team_manager");
6. nobody ("nobody"): the tasks stay unrouted and show in the team managers' view of overdue and
   escalated work until someone is back.

Never the owner while absent, never an absent officer, never an inactive one, and never an officer
in `exclude`: the authors of the work (its assessor, author or crew, and whoever submitted it), who
may not decide it (four eyes). An owner who is an author is passed over like an absent one. "On
duty" means not absent that day (leave, sickness, training, abstraction, court); shift patterns are
not modelled. When several officers fit one link, the choice is deterministic: the least loaded if
a load (open tasks by officer) is given, then the lowest username, then the lowest id. Two named
covers for the same day: the arrangement that started last (the narrower, later one), then the
lowest username. All of one owner's tasks go to one officer, so "as whose cover" is one answer.

Who decided, and as whose cover, is recorded by the approval service from `CoverDecision`: the
owner, the cover officer and the link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "LINKS",
    "CoverDecision",
    "NamedCover",
    "OfficerOnDuty",
    "Router",
    "cover_for",
    "covering",
    "route_tasks",
]

LINKS = (
    "owner",
    "named_cover",
    "team_sergeant",
    "other_team_sergeant",
    "team_manager",
    "nobody",
)
SERGEANT = "sergeant"
TEAM_MANAGER = "team_manager"


@dataclass(frozen=True, slots=True)
class OfficerOnDuty:
    """An officer as the cover chain sees them: role, team, and absences as (first day, last day)
    pairs, both inclusive, like the Absence rows. `name` is for the texts; the username stands in
    when it is empty. An inactive officer is never on duty."""

    officer_id: int
    username: str
    role: str  # a Role value
    team_id: int | None
    absences: tuple[tuple[dt.date, dt.date], ...] = ()
    active: bool = True
    name: str = ""

    def on_duty(self, day: dt.date) -> bool:
        return self.active and not any(start <= day <= end for start, end in self.absences)

    @property
    def label(self) -> str:
        return self.name or self.username


@dataclass(frozen=True, slots=True)
class NamedCover:
    """The officer named to cover an absent officer's tasks from `start` to `end` (inclusive):
    a CoverArrangement with the absent officer taken from its Absence."""

    absent_officer_id: int
    cover_officer_id: int
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class CoverDecision:
    """Who sees `owner_id`'s tasks on `day`, by which link of the chain, in a sentence."""

    owner_id: int
    day: dt.date
    cover_officer_id: int | None  # None only when the link is "nobody"
    link: str  # one of LINKS
    text: str

    @property
    def is_cover(self) -> bool:
        """Someone other than the owner acts, as the owner's cover."""
        return self.link not in ("owner", "nobody")


class _Roster:
    """The officers and named covers of one computation, indexed once."""

    def __init__(
        self,
        officers: Iterable[OfficerOnDuty],
        named_covers: Iterable[NamedCover],
        load: Mapping[int, int] | None,
    ) -> None:
        self.by_id = {o.officer_id: o for o in officers}
        self.named = list(named_covers)
        self.load = load or {}

    def _order(self, officer: OfficerOnDuty) -> tuple[int, str, int]:
        return (self.load.get(officer.officer_id, 0), officer.username, officer.officer_id)

    def first(
        self,
        day: dt.date,
        owner_id: int,
        role: str,
        *,
        team_id: int | None,
        same_team: bool,
        exclude: frozenset[int] = frozenset(),
    ) -> OfficerOnDuty | None:
        fits = [
            o
            for o in self.by_id.values()
            if o.role == role
            and o.officer_id != owner_id
            and o.officer_id not in exclude
            and o.on_duty(day)
            and ((o.team_id == team_id) if same_team else (team_id is None or o.team_id != team_id))
        ]
        return min(fits, key=self._order, default=None)

    def named_for(
        self, owner_id: int, day: dt.date, exclude: frozenset[int] = frozenset()
    ) -> tuple[OfficerOnDuty | None, list[OfficerOnDuty]]:
        """The named cover on duty, if any, and the named covers passed over as absent."""
        arrangements = [
            n
            for n in self.named
            if n.absent_officer_id == owner_id
            and n.start <= day <= n.end
            and n.cover_officer_id != owner_id
            and n.cover_officer_id not in exclude
            and n.cover_officer_id in self.by_id
        ]
        arrangements.sort(
            key=lambda n: (-n.start.toordinal(), self.by_id[n.cover_officer_id].username)
        )
        named = list(dict.fromkeys(self.by_id[n.cover_officer_id] for n in arrangements))
        on_duty = [o for o in named if o.on_duty(day)]
        absent = [o for o in named if not o.on_duty(day)]
        return (on_duty[0] if on_duty else None), absent

    def bearing(self, owner_id: int, day: dt.date, decision: CoverDecision) -> frozenset[int]:
        """The officers whose exclusion could change `decision`, made for `owner_id` on `day`
        with nobody excluded: the covers named for the owner that day (on duty or not: the words
        name those absent too) and the officer chosen (the owner, when on duty). Excluding anyone
        else changes nothing: a link before the chosen one had nobody who fits, and at the
        chosen link the choice is the first of those who fit, whoever else is left out."""
        named = {
            n.cover_officer_id
            for n in self.named
            if n.absent_officer_id == owner_id and n.start <= day <= n.end
        }
        chosen = {decision.cover_officer_id} if decision.cover_officer_id is not None else set()
        return frozenset(named | chosen)

    def decide(
        self, owner_id: int, day: dt.date, exclude: frozenset[int] = frozenset()
    ) -> CoverDecision:
        owner = self.by_id.get(owner_id)
        who = owner.label if owner else f"Officer {owner_id}"
        when = day.strftime("%d/%m/%Y")
        on_duty = owner is not None and owner.on_duty(day)
        if on_duty and owner_id not in exclude:
            return CoverDecision(
                owner_id, day, owner_id, "owner", f"{who} is on duty on {when}: their own tasks."
            )
        team_id = owner.team_id if owner else None
        named, passed_over = self.named_for(owner_id, day, exclude)
        absent = f"{who} may not decide their own work" if on_duty else f"{who} is absent on {when}"
        if passed_over and named is None:
            names = ", ".join(o.label for o in passed_over)
            absent += f" (the named cover, {names}, is absent too)"
        if named is not None:
            return CoverDecision(
                owner_id,
                day,
                named.officer_id,
                "named_cover",
                f"{absent}: {named.label} covers, named for this absence.",
            )
        links: list[tuple[str, OfficerOnDuty | None, str]] = []
        if team_id is not None:
            links.append(
                (
                    "team_sergeant",
                    self.first(
                        day, owner_id, SERGEANT, team_id=team_id, same_team=True, exclude=exclude
                    ),
                    "a sergeant of the same team",
                )
            )
        links.append(
            (
                "other_team_sergeant",
                self.first(
                    day, owner_id, SERGEANT, team_id=team_id, same_team=False, exclude=exclude
                ),
                "a sergeant of another team, as no sergeant of the team is on duty"
                if team_id is not None
                else "a sergeant on duty",
            )
        )
        if team_id is not None:
            links.append(
                (
                    "team_manager",
                    self.first(
                        day,
                        owner_id,
                        TEAM_MANAGER,
                        team_id=team_id,
                        same_team=True,
                        exclude=exclude,
                    ),
                    "the team manager, as no sergeant is on duty",
                )
            )
        for link, officer, why in links:
            if officer is not None:
                return CoverDecision(
                    owner_id,
                    day,
                    officer.officer_id,
                    link,
                    f"{absent}: {officer.label}, {why}, covers.",
                )
        return CoverDecision(
            owner_id,
            day,
            None,
            "nobody",
            f"{absent} and nobody can cover: no named cover, sergeant or team manager is on "
            "duty. Their tasks are unrouted and escalate to the team managers' view.",
        )


def cover_for(
    owner_id: int,
    day: dt.date,
    officers: Iterable[OfficerOnDuty],
    named_covers: Iterable[NamedCover] = (),
    *,
    load: Mapping[int, int] | None = None,
    exclude: Iterable[int] = (),
) -> CoverDecision:
    """Who sees `owner_id`'s tasks on `day` (see the module notes for the chain). An owner not
    among `officers` counts as absent; with no team, only sergeants of any team and named cover
    can step in. Officers in `exclude` (the work's authors) are passed over at every link."""
    return _Roster(officers, named_covers, load).decide(owner_id, day, frozenset(exclude))


class Router:
    """The chain's answer for one task at a time, as `route_tasks` gives it for many: the chain
    runs once per owner, and again only for a task with an author who could change the answer
    (`_Roster.bearing`), each such set of authors once. For a caller that routes rows as it reads
    them, without building the lists `route_tasks` takes (issue #10: a sergeant's inbox routes
    ten thousand tasks)."""

    def __init__(
        self,
        day: dt.date,
        officers: Iterable[OfficerOnDuty],
        named_covers: Iterable[NamedCover] = (),
        *,
        load: Mapping[int, int] | None = None,
    ) -> None:
        self.day = day
        self._roster = _Roster(officers, named_covers, load)
        self._plain: dict[int, tuple[CoverDecision, frozenset[int]]] = {}
        self._decided: dict[tuple[int, frozenset[int]], CoverDecision] = {}

    def plain(self, owner_id: int) -> tuple[CoverDecision, frozenset[int]]:
        """Where a task of `owner_id` goes when none of its authors could change that, and the
        officers who could (`_Roster.bearing`): a caller routing many rows may keep these and
        call the router only for a task with one of them among its authors."""
        known = self._plain.get(owner_id)
        if known is None:
            decision = self._roster.decide(owner_id, self.day)
            known = (decision, self._roster.bearing(owner_id, self.day, decision))
            self._plain[owner_id] = known
        return known

    def __call__(self, owner_id: int, exclude: Iterable[int] = ()) -> CoverDecision:
        """Where a task of `owner_id` whose authors are `exclude` goes (four eyes)."""
        known = self._plain.get(owner_id) or self.plain(owner_id)
        if iter(exclude) is exclude:  # a one-pass iterator: read it once
            exclude = frozenset(exclude)
        if not exclude or known[1].isdisjoint(exclude):
            return known[0]
        key = (owner_id, frozenset(exclude))
        found = self._decided.get(key)
        if found is None:
            found = self._decided[key] = self._roster.decide(owner_id, self.day, key[1])
        return found


def route_tasks(
    tasks: Iterable[tuple[int, int]],
    day: dt.date,
    officers: Iterable[OfficerOnDuty],
    named_covers: Iterable[NamedCover] = (),
    *,
    load: Mapping[int, int] | None = None,
    excludes: Mapping[int, Iterable[int]] | None = None,
) -> dict[int, CoverDecision]:
    """The decision for each (task id, owner id) on `day`: every task of one owner goes the same
    way, and back to the owner on the first day they are on duty again, except that a task whose
    authors (`excludes[task id]`) include that officer goes on down the chain (four eyes). The
    chain runs once per owner (`Router`)."""
    route = Router(day, officers, named_covers, load=load)
    excludes = excludes or {}
    return {task_id: route(owner_id, excludes.get(task_id, ())) for task_id, owner_id in tasks}


def covering(
    officer_id: int,
    day: dt.date,
    officers: Iterable[OfficerOnDuty],
    named_covers: Iterable[NamedCover] = (),
    *,
    owners: Iterable[int] | None = None,
    load: Mapping[int, int] | None = None,
) -> list[int]:
    """The owners whose tasks `officer_id` sees on `day` as their cover, by username. `owners`
    are the officers whose tasks are routed (default: every sergeant among `officers`)."""
    roster = _Roster(officers, named_covers, load)
    if owners is None:
        candidates = [o.officer_id for o in roster.by_id.values() if o.role == SERGEANT]
    else:
        candidates = list(dict.fromkeys(owners))
    found = [
        owner_id
        for owner_id in candidates
        if owner_id != officer_id and roster.decide(owner_id, day).cover_officer_id == officer_id
    ]

    def order(owner_id: int) -> tuple[str, int]:
        owner = roster.by_id.get(owner_id)
        return (owner.username if owner else "", owner_id)

    return sorted(found, key=order)
