"""The `pillars` command: the desktop app, demo data, and tools for scripts and administrators.

Every subcommand takes `--db URL` (default: `PILLARS_DB_URL`, else the SQLite file in the user's
data directory). Exit status: 0 done; 1 a problem, told in one line on stderr as
`pillars: error: ...` (a database missing, locked, unreachable or of another version, a bad
value); 2 a usage error from argparse; 130 interrupted. `--json` output is stable and documented
in the README; dates in it are ISO 8601.
"""

from __future__ import annotations

# Start-up (issue #10): SQLAlchemy loads here, its objects kept out of the collector's passes.
from desktop.lasting import lasting

with lasting():
    import argparse
    import contextlib
    import datetime as dt
    import io
    import json
    import logging
    import os
    import sys
    from collections.abc import Callable, Sequence
    from dataclasses import asdict
    from typing import TYPE_CHECKING, Any, TextIO

    from sqlalchemy.exc import DBAPIError

    from db import engine as db_engine
    from db.errors import DatabaseProblem
    from desktop.services.errors import LONDON, ServiceError

if TYPE_CHECKING:
    from desktop.services.core import Services

log = logging.getLogger("pillars.cli")

PROG = "pillars"


class BadArgument(Exception):
    """A value on the command line that parses but cannot be used; the message names the option."""


# -- entry point --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error, as argparse does
    handler = _StderrHandler(logging.WARNING)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
    logging.getLogger("pillars").addHandler(handler)
    try:
        command: Callable[[argparse.Namespace], int] = getattr(args, "command", open_app)
        return command(args)
    except (DatabaseProblem, ServiceError, BadArgument) as exc:
        return _fail(str(exc))
    except DBAPIError as exc:
        # A driver error nothing below explained: a table dropped by hand, a PostgreSQL role
        # without rights on it. Still one line; the details go to the log.
        log.debug("unexplained database error", exc_info=True)
        return _fail(str(db_engine.explain_operational_error(exc, _url(args))))
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 1  # the reader of our output went away (`pillars users | head`)
    finally:
        logging.getLogger("pillars").removeHandler(handler)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit does not fail too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


class _StderrHandler(logging.Handler):
    """Log records as one line each on whatever `sys.stderr` is when they are emitted."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


# -- arguments ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    db_option = argparse.ArgumentParser(add_help=False)
    db_option.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="sqlite:///FILE or postgresql+psycopg://USER@HOST/NAME "
        "(default: PILLARS_DB_URL, else the file in your data directory)",
    )
    on_option = argparse.ArgumentParser(add_help=False)
    on_option.add_argument(
        "--on", metavar="DATE", help="the day to use, YYYY-MM-DD (default: today)"
    )
    json_option = argparse.ArgumentParser(add_help=False)
    json_option.add_argument(
        "--json", action="store_true", help="print JSON (stable keys, ISO dates) instead of a table"
    )

    parser = argparse.ArgumentParser(
        prog=PROG,
        parents=[db_option],
        description="Pillars: offender management for MOSOVO teams. "
        "With no command, opens the desktop app.",
    )
    commands = parser.add_subparsers(metavar="COMMAND")

    gui = commands.add_parser("gui", parents=[db_option], help="open the desktop app (default)")
    gui.set_defaults(command=open_app)

    demo = commands.add_parser(
        "demo",
        parents=[db_option, on_option],
        help="fill a new or empty database with synthetic demo data",
        description="Fill a new or empty database with synthetic, fictional demo data. "
        "The same seed gives the same data.",
    )
    demo.add_argument(
        "--scale",
        choices=["team", "county"],
        default="team",
        help="one team of about 600 offenders, or the county's four teams (default: team)",
    )
    demo.add_argument("--seed", metavar="N", default="1", help="random seed (default: 1)")
    demo.set_defaults(command=run_demo)

    stats = commands.add_parser(
        "stats",
        parents=[db_option, json_option],
        help="counts of teams, offenders, officers, tasks",
    )
    stats.set_defaults(command=run_stats)

    users = commands.add_parser(
        "users",
        parents=[db_option, on_option, json_option],
        help="officers on a day: role, team, absence and named cover",
    )
    users.set_defaults(command=run_users)

    inbox = commands.add_parser(
        "inbox",
        parents=[db_option, on_option, json_option],
        help="the tasks an officer sees on a day, with cover for absent sergeants",
        description="The open tasks an officer sees on a day: their own, the approvals they hold "
        "as cover for an absent sergeant (the cover chain: named cover, another sergeant of the "
        "team, a sergeant of another team, the team manager), the hub queue for hub officers; "
        "sorted by due date.",
    )
    inbox.add_argument("--as", dest="username", metavar="USERNAME", required=True)
    inbox.set_defaults(command=run_inbox)

    due = commands.add_parser(
        "due",
        parents=[db_option, on_option, json_option],
        help="statutory breaches, PPN steps, deadlines due in the next 7 days, overdue visits",
        description="Force-wide: every notification deadline missed and not met (and releases "
        "not recorded), every PPN not submitted within 24 hours or not followed up with "
        "children's social care by its follow-up day, every such deadline falling in the next 7 "
        "days, and every offender whose home visit is overdue.",
    )
    due.set_defaults(command=run_due)

    show = commands.add_parser(
        "show",
        parents=[db_option, json_option],
        help="one offender's record: identity, risk, plan, visits, quality findings",
        description="One offender's record: identity, status, MAPPA, the ARMS and RM2000 in "
        "force, the current plan pillar by pillar, visits, PPNs, notifications, open tasks, "
        "breaches and the record-quality findings. The export is audited.",
    )
    show.add_argument("reference", metavar="REF", help="the offender's reference, as on ViSOR")
    show.set_defaults(command=run_show)

    schedule = commands.add_parser(
        "schedule",
        parents=[db_option, json_option],
        help="plan the next home visit of every offender due in the coming weeks",
        description="Plan the next double-crewed, unannounced home visit of every offender whose "
        "visit window opens in the period, at random inside the window (the same seed gives the "
        "same plan), and save them. Running it again never plans a second visit for anyone "
        "already planned.",
    )
    schedule.add_argument(
        "--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD (default: today)"
    )
    schedule.add_argument(
        "--weeks", metavar="N", required=True, help="how many weeks to plan, 1 to 26"
    )
    schedule.add_argument("--seed", metavar="N", default="1", help="random seed (default: 1)")
    schedule.add_argument("--dry-run", action="store_true", help="show the plan without saving it")
    schedule.set_defaults(command=run_schedule)

    export_visits = commands.add_parser(
        "export-visits",
        parents=[db_option],
        help="an officer's planned visits as an iCalendar (.ics) file",
        description="Write an officer's planned visits from today on as an iCalendar file: the "
        "offender's reference, the crew and the postcode district only, marked confidential. "
        "The export is audited.",
    )
    export_visits.add_argument("--officer", metavar="USERNAME", required=True)
    export_visits.add_argument("--out", metavar="FILE.ics", required=True)
    export_visits.set_defaults(command=run_export_visits)

    out_pdf = argparse.ArgumentParser(add_help=False)
    out_pdf.add_argument("--out", metavar="FILE.pdf", required=True, help="the PDF to write")

    pack = commands.add_parser(
        "pack",
        parents=[db_option, out_pdf],
        help="print a team's fortnightly peer-scrutiny pack as a PDF",
        description="Draw the team's sample for the fortnight (the same seed gives the same "
        "sample), save the pack and print it as the team's team manager; a fortnight already "
        "printed is reprinted exactly. The print is audited on every record in the pack.",
    )
    pack.add_argument("--team", metavar="NAME", required=True, help="the team's name")
    pack.add_argument(
        "--fortnight-ending",
        dest="fortnight_ending",
        metavar="DATE",
        required=True,
        help="the fortnight's last day, YYYY-MM-DD (today or earlier)",
    )
    pack.add_argument(
        "--seed", metavar="N", help="random seed (default: the fortnight's last day as YYYYMMDD)"
    )
    pack.set_defaults(command=run_pack)

    dashboard = commands.add_parser(
        "dashboard",
        parents=[db_option, out_pdf],
        help="the monthly performance dashboard as a PDF",
        description="Per team and per offender manager, for one month: caseload against the "
        "benchmark, visits, ARMS and plan currency, approval and hub backlogs, PPN timeliness, "
        "notification breaches and scrutiny findings. The print is audited.",
    )
    dashboard.add_argument(
        "--month", metavar="YYYY-MM", required=True, help="the month, e.g. 2026-11"
    )
    dashboard.set_defaults(command=run_dashboard)

    daily = commands.add_parser(
        "daily",
        parents=[db_option, on_option, out_pdf],
        help="the daily team management meeting sheet as a PDF",
        description="For the whole force on one day: releases today and in the next 7 days "
        "(and releases not recorded), departures abroad in the next 7 days, new convictions "
        "not yet visited, overdue visits and approvals, PPNs not submitted.",
    )
    daily.set_defaults(command=run_daily)

    import_caseload = commands.add_parser(
        "import",
        parents=[db_option],
        help="import a caseload of offenders from a CSV file: all of it or none",
        description="Import offenders from a CSV file (UTF-8, a header row naming the columns; "
        "the README lists them). Every row is checked first: if any row is bad, nothing is "
        "imported and every problem is listed with its line number. Otherwise all rows are "
        "written in one transaction and audited.",
    )
    import_caseload.add_argument("file", metavar="FILE.csv", help="the caseload file")
    import_caseload.add_argument(
        "--dry-run", action="store_true", help="check the file and import nothing"
    )
    import_caseload.set_defaults(command=run_import)

    backup = commands.add_parser(
        "backup",
        parents=[db_option],
        help="copy a SQLite database while it is in use (PostgreSQL: pg_dump)",
        description="Copy the SQLite database to FILE while others may go on using it (SQLite's "
        "online backup), check the copy's integrity, then put it in place, readable by its "
        "owner only. Restore: close Pillars everywhere and copy FILE over the database file. "
        "For PostgreSQL use pg_dump, as the README shows.",
    )
    backup.add_argument("--out", metavar="FILE", required=True, help="the backup file to write")
    backup.set_defaults(command=run_backup)

    audit_verify = commands.add_parser(
        "audit-verify",
        parents=[db_option],
        help="check the audit log's hash chain and name the first broken row",
        description="Recompute the audit log's hash chain from its first row: exit 0 when every "
        "row follows the one before it and holds what was written, else exit 1 naming the "
        "first row that does not. It prints the newest row's hash: keep it outside the "
        "database (a ticket, a signed email) and give it later with --anchor, which fails when "
        "no row has it any more (rows cut from the end leave a chain that still holds).",
    )
    audit_verify.add_argument(
        "--anchor",
        metavar="HASH",
        help="the hash an earlier run printed (at least its first 32 characters)",
    )
    audit_verify.set_defaults(command=run_audit_verify)

    team = commands.add_parser("team", parents=[db_option], help="add a team (administrators)")
    team_actions = team.add_subparsers(metavar="ACTION", required=True)
    team_add = team_actions.add_parser(
        "add",
        parents=[db_option],
        help="add a team",
        description="Add a team, with the database's own credentials. Audited (team_created).",
    )
    team_add.add_argument("name", metavar="NAME", help="the team's name, e.g. Alder")
    team_add.add_argument("--area", default="", help="the area it covers (optional)")
    team_add.set_defaults(command=run_team_add)

    user = commands.add_parser(
        "user", parents=[db_option], help="add an officer or set a password (administrators)"
    )
    user_actions = user.add_subparsers(metavar="ACTION", required=True)
    user_add = user_actions.add_parser(
        "add",
        parents=[db_option],
        help="add an officer who can sign in",
        description="Add an officer with the database's own credentials: how the first "
        "administrator is made. On PostgreSQL the officer's own login role (the username in "
        "lower case) is made too, with the same password: one password for both. The password "
        f"comes from {PASSWORD_ENV}, else it is asked for (twice) at a terminal; at least "
        "12 characters. Audited (officer_created).",
    )
    user_add.add_argument("username", metavar="USERNAME")
    user_add.add_argument("--forename", required=True)
    user_add.add_argument("--surname", required=True)
    user_add.add_argument(
        "--role",
        required=True,
        help="offender_manager, sergeant, hub_officer, team_manager or administrator",
    )
    user_add.add_argument(
        "--team", default="", help="the team's name (offender managers, sergeants, team managers)"
    )
    user_add.add_argument(
        "--supervisor",
        default="",
        metavar="USERNAME",
        help="an offender manager's sergeant, who approves their work",
    )
    user_add.add_argument("--collar", default="", metavar="NUMBER", help="collar number")
    user_add.set_defaults(command=run_user_add)
    user_password = user_actions.add_parser(
        "password",
        parents=[db_option],
        help="set an officer's password and lift any lock",
        description="Set an active officer's password (and, on PostgreSQL, their login "
        "role's, made if missing), clear failed sign-ins and lift any lock. The password "
        f"comes from {PASSWORD_ENV}, else it is asked for (twice) at a terminal. Audited "
        "(password_set).",
    )
    user_password.add_argument("username", metavar="USERNAME")
    user_password.set_defaults(command=run_user_password)

    database = commands.add_parser(
        "db", parents=[db_option], help="the database schema: upgrade, current"
    )
    actions = database.add_subparsers(metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        parents=[db_option],
        help="create the database or bring it to this version's schema",
    )
    upgrade.set_defaults(command=run_db_upgrade)
    current = actions.add_parser(
        "current", parents=[db_option], help="print the schema the database holds"
    )
    current.set_defaults(command=run_db_current)
    role = actions.add_parser(
        "role",
        parents=[db_option],
        help="give an officer their own PostgreSQL login role (or --drop it)",
        description="With the owner's connection to a shared PostgreSQL database: create the "
        "officer's own login role (the Pillars username in lower case, a member of "
        "pillars_officer, whose row-level security shows them only what their Pillars role may "
        "read), or set its password when it exists. The password comes from "
        "PILLARS_ROLE_PASSWORD, else it is asked for when the command runs at a terminal.",
    )
    role.add_argument("username", metavar="USERNAME", help="the officer's Pillars username")
    role.add_argument("--drop", action="store_true", help="remove the officer's role instead")
    role.set_defaults(command=run_db_role)
    return parser


def _url(args: argparse.Namespace) -> str:
    url: str | None = getattr(args, "db", None)
    if url is None:
        return db_engine.default_url()
    if not url.strip():  # `--db "$UNSET"` in a script must not quietly mean the default
        raise BadArgument(f"--db: not a database URL: ''; {db_engine.URL_FORMS}")
    return url


def parse_date(value: str | None, option: str) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) from the command line, or BadArgument naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadArgument(
            f"{option}: {value!r} is not a date; write it as YYYY-MM-DD, for example 2025-03-31"
        ) from None


def _parse_seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        seed = -1
    if seed < 0:
        raise BadArgument(f"--seed: {value!r} is not a whole number of 0 or more")
    return seed


def london_today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/London")).date()


def _open(url: str) -> Services:
    from desktop.services.core import Services

    return Services(url)


# -- gui and demo -------------------------------------------------------------------------------


def open_app(args: argparse.Namespace) -> int:
    url = _url(args)
    first_run = _is_missing_default_database(url)  # also refuses a URL that is not one
    try:
        from ui.app import run_gui
    except ImportError as exc:
        raise BadArgument(f"cannot start the desktop app: {exc}") from exc
    if first_run:
        path = db_engine.default_sqlite_path()
        print(
            f"Building the demo database (county scale) at {path} — first run only",
            file=sys.stderr,
            flush=True,
        )
        try:
            _build_demo(url, scale="county", seed=1, on=london_today())
        except BaseException:
            # The build writes its data all or nothing, but migrates the new file first: without
            # this, the next start would find the file and open an empty database.
            from desktop.services.database import remove_sqlite_file

            remove_sqlite_file(path)
            raise
    log.info("opening the desktop app on %s", db_engine.describe(url))
    return int(run_gui(url))


def _is_missing_default_database(url: str) -> bool:
    path = db_engine.sqlite_path(db_engine.parse_url(url))
    default = db_engine.default_sqlite_path()
    return path is not None and not path.exists() and path.absolute() == default.absolute()


def run_demo(args: argparse.Namespace) -> int:
    on = parse_date(args.on, "--on") or london_today()
    seed = _parse_seed(args.seed)
    summary = _build_demo(_url(args), scale=args.scale, seed=seed, on=on)
    counted = ", ".join(
        _plural(n, what)
        for n, what in (
            (summary.teams, "team"),
            (summary.offenders, "offender"),
            (summary.officers, "officer"),
            (summary.open_approval_tasks, "open approval task"),
            (summary.open_hub_tasks, "open hub task"),
        )
    )
    print(
        f"Built {summary.scale} demo: {counted} in {summary.seconds:.1f} s "
        f"(seed {summary.seed}, as of {summary.on.isoformat()})"
    )
    return 0


def _plural(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _build_demo(url: str, *, scale: str, seed: int, on: dt.date) -> Any:
    from desktop.demo import DemoRefused, build_demo

    progress = ProgressLine(sys.stderr)
    try:
        return build_demo(url, scale=scale, seed=seed, on=on, progress=progress)
    except DemoRefused as exc:
        raise BadArgument(str(exc)) from exc
    finally:
        progress.finish()


class ProgressLine:
    """A progress line on stderr: rewritten in place on a terminal, one line per step otherwise
    (a log file or a CI job keeps every step)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._in_place = stream.isatty()
        self._width = 0

    def __call__(self, message: str, *_more: Any) -> None:
        text = str(message)
        if self._in_place:
            self._stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self._stream.write(text + "\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._in_place and self._width:
            self._stream.write("\n")
            self._stream.flush()
            self._width = 0


# -- stats and users ----------------------------------------------------------------------------


def run_stats(args: argparse.Namespace) -> int:
    services = _open(_url(args))
    try:
        counts = services.stats.counts()
        location = services.location
    finally:
        services.close()
    if args.json:
        print(json.dumps(counts, indent=2))
        return 0
    rows: list[tuple[str, str]] = []
    for key, value in counts.items():
        if isinstance(value, dict):
            rows.append((_label(key), ""))
            rows.extend((f"  {_label(k)}", str(v)) for k, v in value.items())
        else:
            rows.append((_label(key), str(value)))
    print(f"Pillars database at {location}")
    _print_table(rows, right_align={1})
    return 0


def run_users(args: argparse.Namespace) -> int:
    on = parse_date(args.on, "--on")
    services = _open(_url(args))
    try:
        on = on or services.today()
        officers = services.users.officers(on)
    finally:
        services.close()
    if args.json:
        document = {
            "on": on.isoformat(),
            "officers": [
                {key: _json_value(value) for key, value in asdict(officer).items()}
                for officer in officers
            ],
        }
        print(json.dumps(document, indent=2))
        return 0
    print(f"Officers on {on:%d/%m/%Y}")
    if not officers:
        print("(none)")
        return 0
    rows = [("username", "name", "role", "team", "absent", "named cover", "covered by")]
    for o in officers:
        absence = ""
        if o.absent:
            until = f" until {o.absent_until:%d/%m/%Y}" if o.absent_until else ""
            absence = f"{_label(o.absence_kind or 'absent')}{until}"
        rows.append(
            (
                o.username,
                o.name,
                _label(o.role),
                o.team or "-",
                absence,
                o.named_cover or "",
                o.covered_by or "",
            )
        )
    _print_table(rows)
    return 0


def run_inbox(args: argparse.Namespace) -> int:
    on = parse_date(args.on, "--on")
    services = _open(_url(args))
    try:
        actor = services.auth.actor_named(args.username)
        inbox = services.inbox.tasks(actor, on)
    finally:
        services.close()
    if args.json:
        document = {
            "on": inbox.day.isoformat(),
            "officer": actor.username,
            "tasks": [
                {
                    "id": item.task_id,
                    "kind": item.kind,
                    "offender": item.reference or None,
                    "owner": item.owner,
                    "covering_for": item.covering_for or None,
                    "due": item.due_on.isoformat(),
                    "overdue": item.overdue,
                }
                for item in inbox.items
            ],
        }
        print(json.dumps(document, indent=2))
        return 0
    print(f"Inbox of {actor.display_name} ({actor.username}) on {inbox.day:%d/%m/%Y}")
    for sentence in inbox.covering:
        print(sentence)
    if not inbox.items:
        print("(no open tasks)")
        return 0
    rows = [("task", "kind", "offender", "owner", "on behalf of", "due", "")]
    for item in inbox.items:
        late = f"overdue by {_plural(item.overdue_days, 'working day')}" if item.overdue else ""
        rows.append(
            (
                str(item.task_id),
                item.kind_label,
                item.reference or "-",
                item.owner,
                item.covering_for,
                f"{item.due_on:%d/%m/%Y}",
                late,
            )
        )
    _print_table(rows)
    return 0


def run_due(args: argparse.Namespace) -> int:
    on = parse_date(args.on, "--on")
    services = _open(_url(args))
    try:
        on = on or services.today()
        report = services.due.report(on)
    finally:
        services.close()
    document = report.as_json()
    if args.json:
        print(json.dumps({"on": on.isoformat(), **document}, indent=2))
        return 0
    titles = {
        "breaches": "Breaches (deadline passed, not met)",
        "due": "Due in the next 7 days",
        "overdue_visits": "Home visits overdue",
    }
    for key, title in titles.items():
        items = document[key]
        print(f"{title} on {on:%d/%m/%Y}: {len(items)}")
        if items:
            rows = [("offender", "name", "team", "date", "")]
            for item in items:
                day = dt.date.fromisoformat(item["date"]) if item.get("date") else None
                rows.append(
                    (
                        item["offender"],
                        item.get("name", ""),
                        item.get("team") or "-",
                        f"{day:%d/%m/%Y}" if day else "",
                        (item.get("text") or item.get("rule", "")) + _ppn_step(item),
                    )
                )
            _print_table(rows)
        print()
    return 0


def _ppn_step(item: dict[str, Any]) -> str:
    """Which PPN a PPN step of `pillars due` is, and whose step it is."""
    if item.get("ppn_id") is None:
        return ""
    return f" PPN {item['ppn_id']} ({item['grade']}), raised by {item['officer'] or 'unknown'}."


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _label(key: str) -> str:
    return key.replace("_", " ").replace("ppns", "PPNs")


def _print_table(rows: Sequence[Sequence[str]], right_align: set[int] | None = None) -> None:
    right_align = right_align or set()
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right_align else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  ".join(cells).rstrip())


# -- show ---------------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    services = _open(_url(args))
    try:
        document = services.records.show(args.reference)
    finally:
        services.close()
    if args.json:
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    for line in show_text(document):
        print(line)
    return 0


def show_text(doc: dict[str, Any]) -> list[str]:
    """The record as a readable summary (dates dd/mm/yyyy)."""

    def day(value: str | None) -> str:
        if not value:
            return "-"
        return dt.date.fromisoformat(value[:10]).strftime("%d/%m/%Y")

    lines = [
        f"{doc['reference']}  {doc['name']}  (born {day(doc['date_of_birth'])})",
        f"Status: {_label(doc['status'])}   Team: {doc['team']}   "
        f"Manager: {doc['manager'] or 'unallocated'}",
        f"MAPPA: category {doc['mappa']['category']}, level {doc['mappa']['level']}",
    ]
    labels: dict[str, str] = {}
    arms = doc["risk"]["arms"]
    if arms is None:
        lines.append("ARMS: none")
    else:
        lines.append(
            f"ARMS: {_label(arms['level'])} ({arms['state']}), assessed {day(arms['assessed_on'])}"
            f", next review {day(arms['next_review_on'])}"
        )
        present = [f["label"] for f in arms["factors"] if f["present"] and f["kind"] == "risk"]
        labels.update({f["code"]: f["label"] for f in arms["factors"]})
        lines.append(f"  Present risk factors: {'; '.join(present) or 'none'}")
    rm2000 = doc["risk"]["rm2000"]
    if rm2000 is not None:
        lines.append(
            f"RM2000: {_label(rm2000['level'])} ({rm2000['state']}), sexual {rm2000['sexual']}, "
            f"violent {rm2000['violent']}, combined {rm2000['combined']}, "
            f"aggravating factors {rm2000['aggravating_factors']}"
        )
    plan = doc["plan"]
    if plan is None:
        lines.append("Plan: no approved plan")
    else:
        lines.append(
            f"Plan v{plan['plan_number']} ({plan['state']}), review {day(plan['review_on'])}"
        )
        for pillar, actions in plan["pillars"].items():
            lines.append(f"  {PILLAR_NAMES.get(pillar, pillar)}")
            for a in actions or [{"description": "(no action)"}]:
                if "status" not in a:
                    lines.append(f"    {a['description']}")
                    continue
                factor = a["answers_factor"]
                answers = f"; answers {labels.get(factor, _label(factor))}" if factor else ""
                lines.append(
                    f"    - {a['description']} ({a['owner'] or 'no owner'}, due "
                    f"{day(a['due_on'])}, {_label(a['status'])}{answers})"
                )
        lines.append(f"  Contingency: {plan['contingency'] or '(none)'}")
        if plan["licence_conditions"]:
            lines.append(f"  Licence conditions or orders: {plan['licence_conditions']}")
    lines.append(
        f"Visits: last seen {day(doc['last_seen'])}, next due {day(doc['next_visit_due'])}; "
        f"{len(doc['visits'])} on record"
    )
    lines.append(
        f"PPNs: {len(doc['ppns'])}   Notifications: {len(doc['notifications'])}   "
        f"Open tasks: {len(doc['open_tasks'])}"
    )
    for ppn in doc["ppns"]:
        lines.extend(ppn_text(ppn))
    for breach in doc["breaches"]:
        lines.append(f"BREACH: {breach['text']}")
    quality = doc["quality"]
    checks = f"{quality['passed']} of {quality['checks']} checks"
    lines.append(f"Record quality: {quality['score']}/100 ({checks} passed)")
    for finding in quality["findings"]:
        lines.append(f"  [{finding['severity']}] {finding['area']}: {finding['text']}")
    return lines


def ppn_text(ppn: dict[str, Any]) -> list[str]:
    """One PPN of `pillars show` in full: each step with when, by whom and what came of it
    (times as in England, dd/mm/yyyy HH:MM)."""

    def when(value: str | None) -> str:
        if not value:
            return "-"
        if len(value) == 10:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        return dt.datetime.fromisoformat(value).astimezone(LONDON).strftime("%d/%m/%Y %H:%M")

    late = ", a step is overdue" if ppn["late"] else ""
    people = "; ".join(
        f"{s['name']} ({'child' if s['child'] else 'adult'}"
        + (f", {s['relationship']}" if s["relationship"] else "")
        + ")"
        for s in ppn["subjects"]
    )
    lines = [
        f"PPN {ppn['ppn_id']}: {ppn['grade'].upper()}, {ppn['stage_label']}{late}",
        f"  Concern {when(ppn['concern_at'])}: {ppn['concern']}",
        f"  Raised by {ppn['raised_by'] or 'unknown'}; concerns {people or 'nobody named'}",
    ]
    if ppn["submitted_at"] is None:
        was = "was due" if ppn["stage"] == "due" else "due"
        lines.append(f"  Not submitted: {was} by {when(ppn['submit_by'])}")
    else:
        reference = ppn["submission_reference"]
        lines.append(
            f"  Submitted {when(ppn['submitted_at'])} by {ppn['submitted_by'] or 'unknown'}"
            + (f", reference {reference}" if reference else "")
        )
    if ppn["mash_reviewed_at"] is not None:
        by = f" by {ppn['mash_reviewed_by']}" if ppn["mash_reviewed_by"] else ""
        lines.append(
            f"  MASH review {when(ppn['mash_reviewed_at'])}{by}: {ppn['mash_outcome'] or '-'}"
        )
    if ppn["follow_up_due_on"] is not None:
        lines.append(f"  Follow-up with children's social care due {when(ppn['follow_up_due_on'])}")
    if ppn["social_care_decision"]:
        lines.append(
            f"  Social care's decision {when(ppn['social_care_decided_on'])}: "
            f"{ppn['social_care_decision']} (source: {ppn['social_care_source'] or '-'}; "
            f"recorded by {ppn['decision_recorded_by'] or 'unknown'})"
        )
    if ppn["closed_at"] is not None:
        lines.append(f"  Closed {when(ppn['closed_at'])}")
    return lines


PILLAR_NAMES = {
    "supervision": "Supervision",
    "monitoring_control": "Monitoring and control",
    "interventions_treatment": "Interventions and treatment",
    "victim_safety": "Victim safety",
}


# -- visits -------------------------------------------------------------------------------------


def run_schedule(args: argparse.Namespace) -> int:
    start = parse_date(args.start, "--from")
    weeks = _parse_weeks(args.weeks)
    seed = _parse_seed(args.seed)
    services = _open(_url(args))
    try:
        start = start or services.today()
        plan = services.visits.schedule(start, weeks, seed, persist=not args.dry_run)
    finally:
        services.close()
    if args.json:
        document = {
            "planned": [
                {
                    "offender": v.offender_ref,
                    "at": v.at.isoformat(),
                    "officers": list(v.officers),
                    "announced": v.announced,
                }
                for v in plan.planned
            ],
            "unplaceable": [
                {"offender": u.offender_ref, "reason": u.reason} for u in plan.unplaceable
            ],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    for line in schedule_text(plan, weeks, saved=not args.dry_run):
        print(line)
    return 0


def _parse_weeks(value: str) -> int:
    try:
        weeks = int(value)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= 26:
        raise BadArgument(f"--weeks: {value!r} is not a whole number of weeks from 1 to 26")
    return weeks


def schedule_text(plan: Any, weeks: int, *, saved: bool) -> list[str]:
    """A readable summary of a plan: visits by team, the evening share, what could not be placed."""
    outcome = "saved" if saved else "dry run, nothing saved"
    lines = [
        f"Visit plan {plan.start:%d/%m/%Y} to {plan.end:%d/%m/%Y} "
        f"({_plural(weeks, 'week')}, seed {plan.seed}; {outcome})",
        f"Planned: {_plural(len(plan.planned), 'visit')}, {plan.evening_share:.0%} in the evening",
    ]
    if plan.planned:
        teams: dict[str, list[Any]] = {}
        for visit in plan.planned:
            teams.setdefault(visit.team or "-", []).append(visit)
        rows = [("team", "visits", "evening", "without the manager", "outside the window")]
        for team, visits in sorted(teams.items()):
            rows.append(
                (
                    team,
                    str(len(visits)),
                    str(sum(v.band == "evening" for v in visits)),
                    str(sum(not v.with_manager for v in visits)),
                    str(sum(bool(v.outside_window_reason) for v in visits)),
                )
            )
        _print_rows_into(lines, rows, right_align={1, 2, 3, 4})
    if not plan.planned and not plan.unplaceable:
        lines.append("Nothing new to plan: every offender due has a visit planned already.")
    lines.append(f"Could not place: {len(plan.unplaceable)}")
    lines += [f"  {u.offender_ref}: {u.reason}" for u in plan.unplaceable]
    return lines


def _print_rows_into(
    lines: list[str], rows: Sequence[Sequence[str]], right_align: set[int]
) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right_align else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  " + "  ".join(cells).rstrip())


def run_export_visits(args: argparse.Namespace) -> int:
    out = _out_file(args.out)
    services = _open(_url(args))
    try:
        export = services.visits.export(args.officer)
    finally:
        services.close()
    _write_atomically(out, export.data)
    print(f"Wrote {_plural(export.visits, 'planned visit')} for {export.officer} to {out}")
    return 0


# -- printed reports ----------------------------------------------------------------------------


def run_pack(args: argparse.Namespace) -> int:
    out = _out_file(args.out)
    fortnight = parse_date(args.fortnight_ending, "--fortnight-ending")
    assert fortnight is not None
    seed = None if args.seed is None else _parse_seed(args.seed)
    services = _open(_url(args))
    try:
        actor = services.auth.team_manager_of(args.team)
        assert actor.team_id is not None
        sample = services.scrutiny.draw(actor, actor.team_id, fortnight, seed)
        printed = sample.printed
        if printed is not None and seed is not None and seed != printed.seed:
            assert printed.printed_at is not None
            raise BadArgument(
                f"--seed: the pack for team {printed.team_name}, fortnight ending "
                f"{printed.fortnight_ending:%d/%m/%Y}, was printed on "
                f"{printed.printed_at.astimezone(LONDON):%d/%m/%Y} with seed {printed.seed}, "
                "and a printed pack is never changed; run without --seed to reprint it"
            )
        if printed is not None:
            pack_id, records = printed.pack_id, printed.records
        else:
            pack_id = services.scrutiny.create_pack(actor, actor.team_id, fortnight, seed)
            records = len(sample.lines)
        pdf = services.scrutiny.print_pack(actor, pack_id)
    finally:
        services.close()
    _write_atomically(out, pdf)
    again = "Reprinted" if printed is not None else "Printed"
    print(
        f"{again} the peer-scrutiny pack for team {sample.team_name}, fortnight ending "
        f"{fortnight:%d/%m/%Y}: {_plural(records, 'record')}, as {actor.display_name} "
        f"(team manager), to {out}"
    )
    return 0


def run_dashboard(args: argparse.Namespace) -> int:
    out = _out_file(args.out)
    month = parse_month(args.month, "--month")
    services = _open(_url(args))
    try:
        pdf = services.dashboard.pdf(None, month)
    finally:
        services.close()
    _write_atomically(out, pdf)
    print(f"Wrote the dashboard for {month:%B %Y} to {out}")
    return 0


def run_daily(args: argparse.Namespace) -> int:
    out = _out_file(args.out)
    on = parse_date(args.on, "--on")
    services = _open(_url(args))
    try:
        on = on or services.today()
        pdf = services.daily.pdf(None, on)
    finally:
        services.close()
    _write_atomically(out, pdf)
    print(f"Wrote the daily meeting sheet for {on:%A %d/%m/%Y} to {out}")
    return 0


def parse_month(value: str, option: str) -> dt.date:
    """`YYYY-MM` from the command line as the month's first day, or BadArgument naming the
    option."""
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise BadArgument(
            f"{option}: {value!r} is not a month; write it as YYYY-MM, for example 2026-11"
        ) from None


def _out_file(value: str) -> Any:
    """The file an --out option names: its folder must exist and it must not be a folder."""
    from pathlib import Path

    out = Path(value)
    if not out.parent.is_dir():
        raise BadArgument(f"--out: the folder {str(out.parent)!r} does not exist")
    if out.is_dir():
        raise BadArgument(f"--out: {str(out)!r} is a folder; name the file to write")
    return out


def _write_atomically(path: Any, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`: a reader never sees
    half a file, and a failure leaves any earlier file as it was."""
    import tempfile

    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def run_backup(args: argparse.Namespace) -> int:
    from desktop.services import database

    out = _out_file(args.out)
    report = database.backup(_url(args), out)
    print(
        f"Backed up {report.location} to {report.out} ({report.bytes:,} bytes, schema "
        f"{report.revision}); the copy passed its integrity check"
    )
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    services = _open(_url(args))
    try:
        try:
            result = services.audit.verify(args.anchor)
        except ValueError as exc:
            raise BadArgument(f"--anchor: {exc}") from None
        location = services.location
    finally:
        services.close()
    if not result.ok:
        where = (
            f"first broken row: {result.first_broken_id}; "
            if result.first_broken_id is not None
            else ""
        )
        return _fail(
            f"the audit log at {location} is broken: {result.reason} ({where}"
            f"{_plural(result.rows, 'row')} checked)"
        )
    anchored = " and holds the anchor" if args.anchor else ""
    print(f"Audit log at {location}: {_plural(result.rows, 'row')}, the hash chain holds{anchored}")
    if result.last_hash is not None:
        print(f"Newest row {result.last_id}, hash {result.last_hash}")
    return 0


# -- import -------------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.services.importer import MAX_BYTES, ImportRefused

    path = Path(args.file)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # a longer file is refused by its size
    except FileNotFoundError:
        raise BadArgument(f"FILE.csv: there is no file {str(path)!r}") from None
    except IsADirectoryError:
        raise BadArgument(f"FILE.csv: {str(path)!r} is a folder; name the CSV file") from None
    except OSError as exc:
        raise BadArgument(f"FILE.csv: cannot read {str(path)!r}: {exc.strerror}") from None
    services = _open(_url(args))
    try:
        result = services.importer.import_caseload(data, path.name, dry_run=args.dry_run)
    except ImportRefused as refused:
        for problem in refused.problems:
            print(str(problem), file=sys.stderr)
        return _fail(str(refused))
    finally:
        services.close()
    teams = ", ".join(f"{team} {n}" for team, n in result.by_team.items())
    counted = f"{_plural(result.offenders, 'offender')} ({teams}; {result.unallocated} unallocated)"
    if result.saved:
        print(f"Imported {counted} from {path.name} to {services.location}")
        print(f"File SHA-256 {result.sha256}, recorded in the audit log")
    else:
        print(f"Checked {path.name}: {counted} would be imported; nothing was saved (dry run)")
    return 0


# -- db -----------------------------------------------------------------------------------------


def run_db_upgrade(args: argparse.Namespace) -> int:
    from desktop.services import database

    before = database.upgrade(_url(args))
    print(f"Database at {before.location}: schema {before.revision or 'empty'} -> {before.head}")
    return 0


def run_db_role(args: argparse.Namespace) -> int:
    from desktop.services import database

    url = _url(args)
    if args.drop:
        print(database.drop_officer_role(url, args.username))
        return 0
    password = os.environ.get("PILLARS_ROLE_PASSWORD", "")
    if not password:
        if not sys.stdin.isatty():
            raise BadArgument(
                "no password: set PILLARS_ROLE_PASSWORD, or run the command at a terminal to "
                "be asked for it"
            )
        import getpass

        password = getpass.getpass(f"Database password for {args.username}: ")
    print(database.create_officer_role(url, args.username, password))
    return 0


PASSWORD_ENV = "PILLARS_PASSWORD"


def _new_password(username: str) -> str:
    """The new password: PILLARS_PASSWORD, else asked for twice at a terminal."""
    password = os.environ.get(PASSWORD_ENV, "")
    if password:
        return password
    if not sys.stdin.isatty():
        raise BadArgument(
            f"no password: set {PASSWORD_ENV}, or run the command at a terminal to be asked "
            "for it (nothing was changed)"
        )
    import getpass

    password = getpass.getpass(f"New password for {username}: ")
    if getpass.getpass("The same again: ") != password:
        raise BadArgument("the two passwords differ; nothing was changed")
    return password


def _account_change(args: argparse.Namespace, change: Callable[[Services], str]) -> int:
    """Run one change of the accounts service and print its sentence; a refused entry is listed
    a problem a line on stderr, then the error line."""
    from desktop.services.errors import ValidationFailed

    services = _open(_url(args))
    try:
        print(change(services))
    except ValidationFailed as refused:
        for problem in refused.errors:
            print(f"{problem.field.replace('_', ' ')}: {problem.message}", file=sys.stderr)
        return _fail(f"nothing was changed: {_plural(len(refused.errors), 'problem')} to fix")
    finally:
        services.close()
    return 0


def run_team_add(args: argparse.Namespace) -> int:
    return _account_change(
        args, lambda services: services.accounts.add_team(None, args.name, args.area)
    )


def run_user_add(args: argparse.Namespace) -> int:
    from desktop.services.accounts import OfficerEntry

    entry = OfficerEntry(
        username=args.username,
        forename=args.forename,
        surname=args.surname,
        role=args.role,
        team=args.team,
        supervisor=args.supervisor,
        collar_number=args.collar,
    )
    password = _new_password(args.username)
    return _account_change(
        args, lambda services: services.accounts.add_officer(None, entry, password)
    )


def run_user_password(args: argparse.Namespace) -> int:
    password = _new_password(args.username)
    return _account_change(
        args, lambda services: services.accounts.set_password(None, args.username, password)
    )


def run_db_current(args: argparse.Namespace) -> int:
    from desktop.services import database

    report = database.schema_report(_url(args))
    meaning = {
        "current": "up to date",
        "older": f"older than this Pillars ({report.head}): run 'pillars db upgrade'",
        "newer": "made by a newer version of Pillars",
        "empty": "empty: run 'pillars db upgrade' or 'pillars demo'",
    }[report.state]
    print(f"Database at {report.location}: schema {report.revision or 'none'} ({meaning})")
    return 0
