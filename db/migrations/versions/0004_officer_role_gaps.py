"""Row-level security gaps: facts a rule must count across teams, read without the rows behind
them (issue #9 item 1)

Migration 0003 lets an officer's own PostgreSQL role read only the offenders their Pillars role
may, and every row about them. Walking every screen over such a connection
(tests/db/test_officer_role_walk.py) found three rules that must count rows about offenders the
officer may not read, and silently counted fewer:

- the crew's duty (DESIGN section 3, "Visits"; desktop/services/visits.py): a visit planned or
  moved is refused when either officer already has the day's most visits, or another visit
  within the hour, and the crew picker shows each officer's visits that day. An officer of
  Alder on the crew of a Birch visit (a second officer from another team) was invisible to the
  Alder planner, so the visit was planned an hour's clash on top of it.
  `pillars_crew_visits(officers, from, to)`: the crew's visits in a period - id, times and the
  two officers; no offender, no notes.
- a household's PPNs ("three PPNs within 3 months for the same offender or household escalate to
  the sergeant"; desktop/services/ppns.py): the household is every offender at the postcode,
  whichever team manages them, so a third PPN raised in one team about a household already
  reported twice by another did not escalate. `pillars_household_ppns(household_key)`: the ids
  and concern times of the PPNs about that household; no offender, grade or text.
- the open approvals each officer owns, on the Team screen (desktop/services/team.py), which an
  administrator uses to choose cover: an administrator's role reads no task at all (tasks are
  about offenders), so every count was 0. `pillars_open_approvals(officers)`: a count per owner.

Each is a SECURITY DEFINER function as in 0003 (it reads as the migrating role, which row-level
security does not bind), granted to `pillars_officer` only, and hands back counts, times and ids,
never an offender's row: the principle of 0003 stands, an officer's role reads no offender,
PPN, visit or task row their Pillars role may not. The services call them on PostgreSQL only
(on SQLite, and over the owner's connection, the plain query reads every row anyway; the owner
may call them too). SQLite has no roles: a no-op there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUP = "pillars_officer"

# (name, arguments, result, body), made as in 0003.
FUNCTIONS = [
    (
        "pillars_crew_visits",
        "officer_ids bigint[], starts timestamptz, ends timestamptz",
        "TABLE (id bigint, planned_at timestamptz, occurred_at timestamptz, "
        "officer1_id bigint, officer2_id bigint)",
        """SELECT v.id, v.planned_at, v.occurred_at, v.officer1_id, v.officer2_id
           FROM visit v
           WHERE v.outcome <> 'cancelled'
             AND (v.officer1_id = ANY (officer_ids) OR v.officer2_id = ANY (officer_ids))
             AND ((v.planned_at >= starts AND v.planned_at < ends)
                  OR (v.occurred_at >= starts AND v.occurred_at < ends))""",
    ),
    (
        "pillars_household_ppns",
        "household_key text",
        "TABLE (id bigint, concern_at timestamptz)",
        """SELECT p.id, p.concern_at FROM ppn p
           WHERE p.household_key = pillars_household_ppns.household_key
             AND pillars_household_ppns.household_key <> ''""",
    ),
    (
        "pillars_open_approvals",
        "officer_ids bigint[]",
        "TABLE (owner_id bigint, open_approvals bigint)",
        """SELECT t.owner_id, count(*) FROM task t
           WHERE t.owner_id = ANY (officer_ids) AND t."group" = 'approval' AND t.state = 'open'
           GROUP BY t.owner_id""",
    ),
]


def _signature(name: str, args: str) -> str:
    types = ", ".join(arg.strip().split(" ", 1)[1] for arg in args.split(",")) if args else ""
    return f"{name}({types})"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    schema = str(op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar())
    for name, args, result, body in FUNCTIONS:
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}({args}) RETURNS {result} "
            f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp "
            f"AS $fn$ {body} $fn$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {_signature(name, args)} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {_signature(name, args)} TO {GROUP}")


def downgrade() -> None:
    if not _postgresql():
        return
    for name, args, _result, _body in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {_signature(name, args)}")
