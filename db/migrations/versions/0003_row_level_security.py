"""Row-level security on PostgreSQL: each officer's own database role sees only what their Pillars
role may read, and the audit table takes inserts only (issue #9 item 1)

On a shared PostgreSQL server each officer connects as a login role of their own, a member of the
group role `pillars_officer` this migration makes (`desktop.services.database.create_officer_role`
makes the login roles). The tables stay owned by the role that runs the migrations, which row-level
security does not bind: `pillars db upgrade`, the command line, `pillars demo` and pg_dump run as
that owner and see everything.

Who the officer is: `pillars_me()` is the active officer whose username, lower-cased, is the
connection's `session_user`. Not `current_user`: inside these SECURITY DEFINER functions
`current_user` is the function's owner, and `session_user` is the login, which a non-superuser
cannot change (SET ROLE changes only `current_user`).

What an officer's role reads (desktop/services/permissions.py):
- offender managers and sergeants: the offenders of their own team; team managers and hub
  officers: every team's; administrators: no offender at all;
- a sergeant also reads every team one of whose sergeants or team manager is absent today
  (Europe/London date, the absence table), or is no longer active while no sergeant of the team
  is on duty. This is the precondition of the cover chain (desktop/rules/cover.py: an approver
  off duty, and cover leaving the team only when named for an absence or when none of the team's
  sergeants is on duty), not the chain itself: the app gives those approvals to ONE officer,
  chosen by named cover, then duty, then the lightest load, and a load-based tie-break cannot be
  recomputed in a policy. So on such a day every sergeant of the force may read that team from
  psql, while the app lets only the chosen cover open its records. A documented superset; team
  managers read the force anyway;
- an officer on the crew of a visit reads that visit's offender, as the visits service lets a
  crew member of another team see and record the visit (visits.py `_require_visit_read`). The
  database cannot tell the visit's slice of the record from the rest, so such a crew member may
  read the whole of that offender's record from psql: a second documented superset.

Every table holding offender data follows `offender`: a row is visible, and may be written, when
its offender is (`EXISTS (SELECT 1 FROM offender o WHERE o.id = offender_id)`, which the
offender policy filters in turn; plan actions, risk factors and PPN subjects through their
parent). A notification or task without an offender (a transfer in not yet on the system) is for
the force's readers, and a task also for its team. The finer rules (only the offender's manager
edits, four eyes) stay in the services; the database refuses only rows outside what the officer
may read. No officer may delete an offender: no use case does, and it would cascade through the
whole record.

Colleagues' names, teams, policy values, absences and cover are readable by every officer (the
app shows them); absences and cover arrangements are written by sergeants and team managers for
their own team and administrators for any (desktop/services/team.py). An officer may update only
the sign-in counters of their own officer row (column privileges); team and policy are read-only
to officers: no use case writes them yet, and when user administration arrives it needs its own
grant here.

The audit log (desktop/services/audit.py): `audit_event` is granted SELECT and INSERT only, so an
officer can neither change nor delete a row (PostgreSQL answers "permission denied"). An officer
reads the rows about offenders they may read and the rows without an offender that are theirs or
nobody's (a failed sign-in with an unknown username) - they must see the rows they write, because
SQLAlchemy's INSERT ... RETURNING is checked against the SELECT policy - and inserts only rows in
their own name or none. Since an officer cannot see the whole log, the chain's tail is read through
`pillars_audit_tail()`, which sees every row; reading it from the filtered table would fork the
chain. `pillars audit-verify` needs the owner's connection for the same reason.

Performance: the per-statement facts (me, my teams, my crewed offenders, whether I read the force)
are read once per query as InitPlans (`(SELECT f())`). A child row's correlated EXISTS costs one
primary-key lookup of its offender (microseconds), which team managers and hub officers skip. On
the county demo under load, a team caseload over an offender manager's own role took about 1.5 to
1.9 times as long as over the owner's connection, the force caseload of a hub officer about 1.2.

A later migration that adds a table must grant it to `pillars_officer` and give it a policy
(tests/db/test_row_level_security.py fails until it does). SQLite has no roles: a no-op there.
The group role is cluster-wide and shared by every Pillars database on the server, so the
downgrade removes this database's grants, policies and functions and leaves the role.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUP = "pillars_officer"

# Tables whose rows belong to an offender, with the condition that says a row's offender is one
# the officer may read (the offender's own policy filters the subquery).
# Team managers and hub officers read every offender: the InitPlan answers once for all rows.
FORCE = "(SELECT pillars_reads_force())"
OF_OFFENDER = f"({FORCE} OR EXISTS (SELECT 1 FROM offender o WHERE o.id = offender_id))"
CHILD_TABLES = {
    "alias": OF_OFFENDER,
    "address": OF_OFFENDER,
    "household_member": OF_OFFENDER,
    "conviction": OF_OFFENDER,
    "mappa_change": OF_OFFENDER,
    "risk_assessment": OF_OFFENDER,
    "risk_management_plan": OF_OFFENDER,
    "visit": OF_OFFENDER,
    "ppn": OF_OFFENDER,
    "scrutiny_item": OF_OFFENDER,
    "plan_action": "EXISTS (SELECT 1 FROM risk_management_plan p WHERE p.id = plan_id)",
    "risk_factor": "EXISTS (SELECT 1 FROM risk_assessment a WHERE a.id = assessment_id)",
    "ppn_subject": "EXISTS (SELECT 1 FROM ppn p WHERE p.id = ppn_id)",
    "notification": f"{OF_OFFENDER} OR (offender_id IS NULL AND (SELECT pillars_reads_force()))",
    "task": (
        f"{OF_OFFENDER} OR (offender_id IS NULL AND ((SELECT pillars_reads_force()) "
        "OR team_id = ANY ((SELECT pillars_readable_team_ids())::bigint[])))"
    ),
    "scrutiny_pack": "pillars_may_read_team(team_id)",
}
OFFENDER_POLICY = (
    "team_id = ANY ((SELECT pillars_readable_team_ids())::bigint[]) "
    "OR id = ANY ((SELECT pillars_crewed_offender_ids())::bigint[])"
)
MANAGES_ABSENCE = "pillars_manages_officer(officer_id)"
MANAGES_COVER = (
    "EXISTS (SELECT 1 FROM absence a WHERE a.id = absence_id "
    "AND pillars_manages_officer(a.officer_id))"
)
# Rows about no offender: an officer's own; the ones nobody wrote (the command line's, failed
# sign-ins, which may hold what was typed) only to those who read the force. Audit rows are
# inserted without RETURNING (db/models/audit.py), so writing one never needs to read it back.
AUDIT_READ = (
    "CASE WHEN offender_id IS NULL THEN officer_id = (SELECT pillars_me()) "
    "OR (officer_id IS NULL AND (SELECT pillars_reads_force())) "
    f"ELSE {OF_OFFENDER} END"
)
AUDIT_INSERT = "officer_id IS NULL OR officer_id = (SELECT pillars_me())"
OFFICER_OWN_ROW = "id = (SELECT pillars_me())"

# Privileges of the group role, by table. Every table of the schema appears here or in the test
# that checks nothing was forgotten.
WRITABLE = [*CHILD_TABLES, "absence", "cover_arrangement"]
# DELETE only where a use case removes rows (an alias, an address or a household member
# corrected, a draft's actions and factors, a PPN's people, a pack not yet printed, absences and
# cover): nobody deletes an assessment, a plan, a visit, a PPN, a notification or a task.
DELETABLE = {
    "alias",
    "address",
    "household_member",
    "plan_action",
    "risk_factor",
    "ppn_subject",
    "scrutiny_pack",
    "scrutiny_item",
    "absence",
    "cover_arrangement",
}
# A printed pack and its items are never removed (reprints are exact).
NOT_PRINTED = {
    "scrutiny_pack": "printed_at IS NULL",
    "scrutiny_item": "EXISTS (SELECT 1 FROM scrutiny_pack k WHERE k.id = pack_id "
    "AND k.printed_at IS NULL)",
}
GRANTS = {
    **{
        table: "SELECT, INSERT, UPDATE" + (", DELETE" if table in DELETABLE else "")
        for table in WRITABLE
    },
    "offender": "SELECT, INSERT, UPDATE",
    "audit_event": "SELECT, INSERT",
    # Every column but password_hash (granted column by column in `upgrade`): colleagues' names
    # are needed, their password hashes never; one's own is checked through
    # pillars_password_hash().
    "officer": "UPDATE (failed_sign_ins, locked_until, updated_at)",
    "team": "SELECT",
    "policy": "SELECT",
    "alembic_version": "SELECT",
}
SEQUENCED = [*WRITABLE, "offender", "audit_event"]

# (name, arguments, result, body). Each reads as the migrating role (SECURITY DEFINER), so the
# policies that call them never recurse into other policies. A SECURITY DEFINER function is never
# inlined: `(SELECT pillars_me())` runs it once per query, a bare `pillars_me()` once per row.
# `pillars_crewed_offender_ids` holds only offenders of teams the officer does not read anyway
# (usually none): the offender policy's `id = ANY (...)` scans the array for every row.
FUNCTIONS = [
    (
        "pillars_me",
        "",
        "bigint",
        """SELECT min(id) FROM officer
           WHERE lower(username) = session_user::text AND active
           HAVING count(*) = 1""",
    ),
    (
        "pillars_readable_team_ids",
        "",
        "bigint[]",
        """WITH me AS (SELECT role, team_id FROM officer WHERE id = (SELECT pillars_me())),
                london AS (SELECT (now() AT TIME ZONE 'Europe/London')::date AS today),
                approver AS (
                    SELECT o.team_id, o.role, o.active, EXISTS (
                               SELECT 1 FROM absence ab WHERE ab.officer_id = o.id
                               AND london.today BETWEEN ab.starts_on AND ab.ends_on) AS absent
                    FROM officer o, london
                    WHERE o.role IN ('sergeant', 'team_manager') AND o.team_id IS NOT NULL)
           SELECT coalesce(array_agg(t.id ORDER BY t.id), '{}') FROM team t, me
           WHERE me.role IN ('team_manager', 'hub_officer')
              OR (me.role IN ('offender_manager', 'sergeant') AND t.id = me.team_id)
              OR (me.role = 'sergeant' AND (
                    EXISTS (SELECT 1 FROM approver a WHERE a.team_id = t.id AND a.absent)
                    OR (EXISTS (SELECT 1 FROM approver a WHERE a.team_id = t.id AND NOT a.active)
                        AND NOT EXISTS (
                            SELECT 1 FROM approver a
                            WHERE a.team_id = t.id AND a.role = 'sergeant'
                              AND a.active AND NOT a.absent))))""",
    ),
    (
        "pillars_may_read_team",
        "team_id bigint",
        "boolean",
        "SELECT coalesce(team_id = ANY (pillars_readable_team_ids()), false)",
    ),
    (
        "pillars_crewed_offender_ids",
        "",
        "bigint[]",
        """SELECT coalesce(array_agg(DISTINCT o.id), '{}') FROM (
               SELECT offender_id FROM visit WHERE officer1_id = (SELECT pillars_me())
               UNION ALL
               SELECT offender_id FROM visit WHERE officer2_id = (SELECT pillars_me())) crewed
           JOIN offender o ON o.id = crewed.offender_id
           WHERE NOT o.team_id = ANY ((SELECT pillars_readable_team_ids())::bigint[])""",
    ),
    (
        "pillars_reads_force",
        "",
        "boolean",
        """SELECT coalesce((SELECT role IN ('team_manager', 'hub_officer') FROM officer
                            WHERE id = (SELECT pillars_me())), false)""",
    ),
    (
        "pillars_manages_officer",
        "officer_id bigint",
        "boolean",
        """SELECT coalesce((
             SELECT me.role = 'administrator'
                 OR (me.role IN ('sergeant', 'team_manager') AND me.team_id = them.team_id)
             FROM officer me, officer them
             WHERE me.id = (SELECT pillars_me()) AND them.id = pillars_manages_officer.officer_id
           ), false)""",
    ),
    (
        "pillars_audit_tail",
        "",
        "text",
        "SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1",
    ),
    (
        # An officer's role reads its own password hash only (sign-in checks it), no one
        # else's; a connection that is not an officer's role (the owner's) reads any.
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
# Granted on officer column by column: every column but the password hash.
GRANT_OFFICER_COLUMNS = f"""
DO $$ BEGIN
    EXECUTE (
        SELECT format('GRANT SELECT (%s) ON officer TO {GROUP}', string_agg(quote_ident(column_name), ', '))
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'officer'
          AND column_name <> 'password_hash'
    );
END $$
"""

CREATE_GROUP = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{GROUP}') THEN
        BEGIN
            CREATE ROLE {GROUP} NOLOGIN;
        EXCEPTION
            -- another database on this server made it at the same moment
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'the role running the upgrade may not create the group role {GROUP}'
                USING HINT = 'give it CREATEROLE (ALTER ROLE ... CREATEROLE), or have a '
                             'superuser run: CREATE ROLE {GROUP} NOLOGIN';
        END;
    END IF;
END $$
"""


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _schema() -> str:
    return str(op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar())


def upgrade() -> None:
    if not _postgresql():
        return
    schema = _schema()
    op.execute(CREATE_GROUP)
    op.execute(
        "DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO "
        f"{GROUP}', current_database()); END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {GROUP}")
    for name, args, result, body in FUNCTIONS:
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}({args}) RETURNS {result} "
            f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp "
            f"AS $fn$ {body} $fn$"
        )
        signature = f"{name}({args.split(' ')[-1] if args else ''})"
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {GROUP}")
    for table, privileges in GRANTS.items():
        op.execute(f"GRANT {privileges} ON {table} TO {GROUP}")
    op.execute(GRANT_OFFICER_COLUMNS)
    for table in SEQUENCED:
        op.execute(
            f"DO $$ BEGIN EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO {GROUP}', "
            f"pg_get_serial_sequence('{table}', 'id')); END $$"
        )

    def policy(table: str, name: str, command: str, using: str | None, check: str | None) -> None:
        clauses = f" USING ({using})" if using else ""
        clauses += f" WITH CHECK ({check})" if check else ""
        op.execute(f"CREATE POLICY {name} ON {table} FOR {command} TO {GROUP}{clauses}")

    for table in [*CHILD_TABLES, "offender", "audit_event", "officer", "absence"]:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE cover_arrangement ENABLE ROW LEVEL SECURITY")
    policy("offender", "pillars_readable", "ALL", OFFENDER_POLICY, OFFENDER_POLICY)
    for table, condition in CHILD_TABLES.items():
        policy(table, "pillars_readable", "ALL", condition, condition)
    policy("audit_event", "pillars_read", "SELECT", AUDIT_READ, None)
    policy("audit_event", "pillars_append", "INSERT", None, AUDIT_INSERT)
    policy("officer", "pillars_read", "SELECT", "true", None)
    policy("officer", "pillars_own_counters", "UPDATE", OFFICER_OWN_ROW, OFFICER_OWN_ROW)
    policy("absence", "pillars_read", "SELECT", "true", None)
    policy("absence", "pillars_manage", "ALL", MANAGES_ABSENCE, MANAGES_ABSENCE)
    policy("cover_arrangement", "pillars_read", "SELECT", "true", None)
    policy("cover_arrangement", "pillars_manage", "ALL", MANAGES_COVER, MANAGES_COVER)
    for table, condition in NOT_PRINTED.items():
        op.execute(
            f"CREATE POLICY pillars_keep_printed ON {table} AS RESTRICTIVE FOR DELETE "
            f"TO {GROUP} USING ({condition})"
        )


def downgrade() -> None:
    if not _postgresql():
        return
    schema = _schema()
    for table in [*CHILD_TABLES, "offender", "audit_event", "officer", "absence"]:
        _drop_policies(table)
    _drop_policies("cover_arrangement")
    for table in GRANTS:
        op.execute(f"REVOKE ALL ON {table} FROM {GROUP}")
    for table in SEQUENCED:
        op.execute(
            f"DO $$ BEGIN EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM {GROUP}', "
            f"pg_get_serial_sequence('{table}', 'id')); END $$"
        )
    for name, args, _result, _body in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {name}({args.split(' ')[-1] if args else ''})")
    op.execute(f"REVOKE USAGE ON SCHEMA {schema} FROM {GROUP}")
    op.execute(
        "DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM "
        f"{GROUP}', current_database()); END $$"
    )


def _drop_policies(table: str) -> None:
    op.execute(
        f"""DO $$ DECLARE p record; BEGIN
            FOR p IN SELECT policyname FROM pg_policies
                     WHERE schemaname = current_schema() AND tablename = '{table}'
                       AND policyname LIKE 'pillars%' LOOP
                EXECUTE format('DROP POLICY %I ON {table}', p.policyname);
            END LOOP;
        END $$"""
    )
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
