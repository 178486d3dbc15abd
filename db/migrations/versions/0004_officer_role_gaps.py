"""Row-level security gaps: facts a rule must count across teams, read without the rows behind
them; and a locked or inactive officer's role reads nothing (issue #9 item 1)

Migration 0003 lets an officer's own PostgreSQL role read only the offenders their Pillars role
may, and every row about them. Walking every screen over such a connection
(tests/db/test_officer_role_walk.py) found three rules that must count rows about offenders the
officer may not read, and silently counted fewer:

- the crew's duty (DESIGN section 3, "Visits"; desktop/services/visits.py): a visit planned or
  moved is refused when either officer already has the day's most visits, or another visit
  within the hour, and the crew picker shows each officer's visits that day. An officer of
  Alder on the crew of a Birch visit (a second officer from another team) was invisible to the
  Alder planner, so the visit was planned an hour's clash on top of it.
  `pillars_crew_visits(officers, from, to)`: the crew's visits in one day - id, times and the
  two officers; no offender, no notes.
- a household's PPNs ("three PPNs within 3 months for the same offender or household escalate to
  the sergeant"; desktop/services/ppns.py): the household is every offender at the postcode,
  whichever team manages them, so a third PPN raised in one team about a household already
  reported twice by another did not escalate. `pillars_household_ppns(ppn_id)`: the ids and
  concern times of the PPNs about that PPN's household; no offender, grade or text.
- the open approvals each officer owns, on the Team screen (desktop/services/team.py), which an
  administrator uses to choose cover: an administrator's role reads no task at all (tasks are
  about offenders), so every count was 0. `pillars_open_approvals(officers)`: a count per owner.

Each is a SECURITY DEFINER function as in 0003 (it reads as the migrating role, which row-level
security does not bind), granted to `pillars_officer` only, and hands back counts, times and ids,
never an offender's row. Since such a function sees every row, each checks its caller itself,
as the service that calls it does, so that psql gets no more than the app's use case:
- `pillars_crew_visits`: an officer who plans visits (offender managers, sergeants and team
  managers: visits.py `_require_planner`; a hub officer's role reads every visit anyway), and a
  period of one day at most (`_crew_visits` asks for one Europe/London day, 25 hours when the
  clocks go back): not the force's schedule of unannounced visits in one call;
- `pillars_household_ppns`: takes the PPN whose escalation is being worked out (ppns.py
  `_windows`), not a postcode, and answers only when the caller's role reads that PPN's offender
  under 0003's offender policy: nobody can sweep postcodes for where PPNs about children exist;
- `pillars_open_approvals`: the Team screen's users (team.py `_require_manager`): an
  administrator for any officer, a sergeant or team manager for their own team's
  (0003's `pillars_manages_officer`).
An officer's role that may not gets no rows, as the app shows a role nothing it may not read.

Who the officer is (0003's `pillars_me()`) becomes "an active officer whose account is not locked":
an officer whose account is locked after too many failed sign-ins (`officer.locked_until` later
than the server's now(); desktop/services/auth.py), or who has left (not active, NULL already in
0003), reads no offender, PPN, visit or task row from psql, and every function above answers
nothing. Signing in must still work over that role - read one's own officer row and password hash,
count a failure, say "locked until HH:MM", unlock when the time has passed - so those paths use
`pillars_my_account()`, the officer of the connection whatever the account's state: the officer
row's update policy (SELECT ... FOR UPDATE checks it too), the audit log's insert policy and
`pillars_password_hash()` (so an inactive officer signing in over their role is now told the
account is not active, as over the owner's connection, not "wrong password"). A role whose account
locks while its desktop is open reads nothing until the lock runs out.

The services call the three functions on PostgreSQL whatever the connection (on SQLite the plain
query reads every row anyway). The owner's connection - the command line, or a desktop on a
database without officers' roles - is not an officer's role (`pillars_owner_session()`, which
`pillars_password_hash()` now shares), so the functions answer it in full, as row-level security
lets it read every row; only the one-day period applies to it too. SQLite has no roles: a no-op
there.

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

# The owner's connection (the command line, a desktop without database roles): answered in full.
OWNER = "(SELECT pillars_owner_session())"
# The caller's officer row, for the functions' own checks (0003's functions filter by it too).
ME = "officer me WHERE me.id = (SELECT pillars_me())"
# 0003's offender policy: the offender `o` is one the caller's role may read.
READABLE_OFFENDER = (
    "(o.team_id = ANY ((SELECT pillars_readable_team_ids())::bigint[]) "
    "OR o.id = ANY ((SELECT pillars_crewed_offender_ids())::bigint[]))"
)

# (name, arguments, result, body), made as in 0003.
FUNCTIONS = [
    (
        # Whether the connection is not an officer's login role: not a plain member of the group
        # (the owner that made the group is an ADMIN member on PostgreSQL 16; desktop/services/
        # database.py `connected_as_officer` asks the same). Row-level security does not bind it.
        "pillars_owner_session",
        "",
        "boolean",
        f"""SELECT NOT EXISTS (
               SELECT 1 FROM pg_auth_members m
               JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
               WHERE g.rolname = '{GROUP}' AND u.rolname = session_user
                 AND NOT m.admin_option)""",
    ),
    (
        # The officer whose login role this connection is, active or not, locked or not: the
        # only active officer with that username (lower-cased), else the only officer with it.
        "pillars_my_account",
        "",
        "bigint",
        """SELECT CASE WHEN count(*) FILTER (WHERE active) = 1 THEN min(id) FILTER (WHERE active)
                       WHEN count(*) = 1 THEN min(id) END
           FROM officer WHERE lower(username) = session_user::text""",
    ),
    (
        # Replaces 0003's: the officer whose rights apply, only while active and not locked.
        "pillars_me",
        "",
        "bigint",
        """SELECT id FROM officer
           WHERE id = (SELECT pillars_my_account()) AND active
             AND (locked_until IS NULL OR locked_until <= now())""",
    ),
    (
        # Replaces 0003's: one's own hash whatever the account's state (sign-in checks it before
        # saying the account is locked or inactive).
        "pillars_password_hash",
        "officer_id bigint",
        "text",
        f"""SELECT password_hash FROM officer
           WHERE id = officer_id AND (id = (SELECT pillars_my_account()) OR {OWNER})""",
    ),
    (
        "pillars_crew_visits",
        "officer_ids bigint[], starts timestamptz, ends timestamptz",
        "TABLE (id bigint, planned_at timestamptz, occurred_at timestamptz, "
        "officer1_id bigint, officer2_id bigint)",
        f"""SELECT v.id, v.planned_at, v.occurred_at, v.officer1_id, v.officer2_id
           FROM visit v
           WHERE ({OWNER} OR EXISTS (
                     SELECT 1 FROM {ME}
                     AND (me.role IN ('offender_manager', 'sergeant', 'team_manager')
                          OR (SELECT pillars_reads_force()))))
             AND ends - starts <= interval '25 hours'
             AND v.outcome <> 'cancelled'
             AND (v.officer1_id = ANY (officer_ids) OR v.officer2_id = ANY (officer_ids))
             AND ((v.planned_at >= starts AND v.planned_at < ends)
                  OR (v.occurred_at >= starts AND v.occurred_at < ends))""",
    ),
    (
        "pillars_household_ppns",
        "ppn_id bigint",
        "TABLE (id bigint, concern_at timestamptz)",
        f"""SELECT h.id, h.concern_at
           FROM ppn p
           JOIN offender o ON o.id = p.offender_id
           JOIN ppn h ON h.household_key = p.household_key
           WHERE p.id = pillars_household_ppns.ppn_id AND p.household_key <> ''
             AND ({OWNER} OR ((SELECT pillars_me()) IS NOT NULL AND {READABLE_OFFENDER}))""",
    ),
    (
        "pillars_open_approvals",
        "officer_ids bigint[]",
        "TABLE (owner_id bigint, open_approvals bigint)",
        f"""SELECT t.owner_id, count(*) FROM task t
           WHERE t.owner_id IN (
                     SELECT x FROM unnest(officer_ids) x
                     WHERE {OWNER} OR ((SELECT pillars_me()) IS NOT NULL
                                       AND pillars_manages_officer(x)))
             AND t."group" = 'approval' AND t.state = 'open'
           GROUP BY t.owner_id""",
    ),
]
NEW = (
    "pillars_owner_session",
    "pillars_my_account",
    "pillars_crew_visits",
    "pillars_household_ppns",
    "pillars_open_approvals",
)

# 0003's definitions, restored by the downgrade.
RESTORED = [
    (
        "pillars_me",
        "",
        "bigint",
        """SELECT min(id) FROM officer
           WHERE lower(username) = session_user::text AND active
           HAVING count(*) = 1""",
    ),
    (
        "pillars_password_hash",
        "officer_id bigint",
        "text",
        f"""SELECT password_hash FROM officer
           WHERE id = officer_id AND (id = (SELECT pillars_me()) OR NOT EXISTS (
               SELECT 1 FROM pg_auth_members m
               JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
               WHERE g.rolname = '{GROUP}' AND u.rolname = session_user))""",
    ),
]


def _policies(me: str) -> list[str]:
    """0003's sign-in policies with `me` as the officer: their own row's counters (checked by
    sign-in's SELECT ... FOR UPDATE too) and audit rows in their own name."""
    own_row = f"id = (SELECT {me}())"
    return [
        f"ALTER POLICY pillars_own_counters ON officer USING ({own_row}) WITH CHECK ({own_row})",
        "ALTER POLICY pillars_append ON audit_event "
        f"WITH CHECK (officer_id IS NULL OR officer_id = (SELECT {me}()))",
    ]


def _signature(name: str, args: str) -> str:
    types = ", ".join(arg.strip().split(" ", 1)[1] for arg in args.split(",")) if args else ""
    return f"{name}({types})"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _create(functions: list[tuple[str, str, str, str]]) -> None:
    schema = str(op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar())
    for name, args, result, body in functions:
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}({args}) RETURNS {result} "
            f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp "
            f"AS $fn$ {body} $fn$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {_signature(name, args)} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {_signature(name, args)} TO {GROUP}")


def upgrade() -> None:
    if not _postgresql():
        return
    # This migration's first draft (a development database of its morning) took a postcode.
    op.execute("DROP FUNCTION IF EXISTS pillars_household_ppns(text)")
    _create(FUNCTIONS)
    for statement in _policies("pillars_my_account"):
        op.execute(statement)


def downgrade() -> None:
    if not _postgresql():
        return
    _create(RESTORED)
    for statement in _policies("pillars_me"):
        op.execute(statement)
    for name, args, _result, _body in reversed(FUNCTIONS):
        if name in NEW:
            op.execute(f"DROP FUNCTION IF EXISTS {_signature(name, args)}")
