"""The signed-in officer, as every service call receives it for its permission checks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The signed-in officer, made at sign-in and passed to every service call, which checks its
    permissions against it. `covering_team_ids` is worked out once, for the day of signing in."""

    officer_id: int
    username: str
    display_name: str
    role: str  # a db.enums.Role value, e.g. offender_manager, sergeant, team_manager
    team_id: int | None
    team_name: str  # "" when the officer has no team (hub, administration)
    # Teams whose records a sergeant or team manager may read because, on the day they signed
    # in, the cover chain gives them the approvals of an absent officer of that team.
    covering_team_ids: frozenset[int] = frozenset()

    @property
    def role_label(self) -> str:
        return self.role.replace("_", " ")
