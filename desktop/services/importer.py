"""Importing a caseload from a CSV file: every row checked first, then all of it written in one
transaction, or none of it (DESIGN section 4, `pillars import`; issue #9 item 6).

The file: UTF-8 text (a byte-order mark is allowed), comma-separated, one header row naming the
columns (any order, any case; spaces and hyphens count as underscores), then one offender a row.
Each problem is reported with the line it is on: lines are the file's physical lines, the header
being line 1; a row whose quoted value holds line breaks is reported at the line where the row
starts. Blank lines are skipped (and counted). A file that is not UTF-8 is refused, not guessed:
a wrong guess would store misspelt names without anyone noticing.

Checked on every row (the same checks as the record screens, `desktop.rules.validation`):
dates (dd/mm/yyyy or yyyy-mm-dd, none impossible), postcodes, lengths of every text, bank, card
and passport details in any column (refused and never repeated back), the reference's shape,
references and people (name and date of birth) already on Pillars or twice in the file, teams
and managers that do not exist, a manager who is not an active offender manager of the row's
team, and the order of the dates. Any problem anywhere: nothing is written and `ImportRefused`
lists every problem. Otherwise the offenders, their current address, aliases and first MAPPA
entry are inserted in one transaction with one `offender_created` audit row each (as a transfer
in creates a record) and one `caseload_imported` row with the counts and the file's SHA-256.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.enums import OffenderStatus, Role
from db.models import Address, Alias, MappaChange, Offender, Officer, Team
from desktop.rules.validation import Form, clean_text, find_bank_details
from desktop.services.actor import Actor
from desktop.services.core import take_write_lock
from desktop.services.errors import PermissionRefused, ServiceError
from desktop.services.records import ALIAS_MAX, NOTES_MAX

if TYPE_CHECKING:
    from desktop.services.core import Services

MAX_ROWS = 20_000
MAX_BYTES = 50 * 1024 * 1024
SHOWN_MAX = 40  # characters of a typed value repeated back in a message
COMMAND_LINE = "pillars import"

REQUIRED_COLUMNS = (
    "reference",
    "forename",
    "surname",
    "date_of_birth",
    "team",
    "manager",
    "status",
    "registration_start",
    "notification_end",
    # Required: with no notification history imported, it is the only start the yearly (s85)
    # notification clock has; a blank would leave that deadline unwatched.
    "next_periodic_due",
    "line1",
    "town",
    "postcode",
)
OPTIONAL_COLUMNS = (
    "gender",
    "line2",
    "address_from",
    "no_fixed_abode",
    "status_since",
    "expected_release",
    "mappa_category",
    "mappa_level",
    "aliases",
    "notes",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The ViSOR-style reference the demo and the hub give: two letters, the year, six digits.
REFERENCE = re.compile(r"[A-Z]{2}/[0-9]{4}/[0-9]{6}", re.ASCII)
REFERENCE_EXAMPLE = "ZZ/2019/004512"
INDEFINITE = "indefinite"
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0", ""})
# The age of criminal responsibility in England and Wales (Children and Young Persons Act 1933
# s50): nobody younger is convicted, so nobody younger is registered.
YOUNGEST_AT_REGISTRATION = 10
STATUSES = {s.value: s.label for s in OffenderStatus}


# -- results and refusals -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file. `line` is the physical line the row starts on (the header
    is line 1; 0 for the file as a whole); `column` is the column's name, or "" for the row."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        where = f"line {self.line}, {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


class ImportRefused(ServiceError):
    """The file was not imported, nothing was written; `problems` lists everything to fix."""

    def __init__(self, file_name: str, problems: list[ImportProblem]) -> None:
        self.file_name = file_name
        self.problems = problems
        lines = len({p.line for p in problems if p.line > 0})
        where = f" on {lines} line{'s' if lines != 1 else ''}" if lines else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"nothing was imported from {file_name}: {count}{where}; fix "
            f"{'it' if len(problems) == 1 else 'them'} and import the whole file again"
        )


@dataclass(frozen=True)
class ImportResult:
    """What `import_caseload` did, or on a dry run would do: offenders imported by team, how many
    have no manager, blank lines skipped, and the file's SHA-256 (kept in the audit row)."""

    file_name: str
    sha256: str
    offenders: int  # rows imported (or, on a dry run, that would be)
    by_team: dict[str, int]  # team name -> offenders
    unallocated: int  # offenders with no manager
    blank_lines: int
    saved: bool  # False on a dry run: checked, nothing written


# -- reading the file ---------------------------------------------------------------------------


@dataclass
class CaseloadRow:
    """One offender row of the CSV file: the line it starts on (the header is line 1) and its cells
    by column name."""

    line: int
    cells: dict[str, str]


@dataclass
class CaseloadFile:
    """What `read_caseload` made of the file before any database check: its rows, the problems of
    its encoding, shape and header, and the blank lines skipped."""

    rows: list[CaseloadRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    blank_lines: int = 0


def _line_after(text: str) -> int:
    """The number of the line `text`'s end falls on (CR, LF and CRLF each end a line)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


_FOREIGN = (
    (b"PK\x03\x04", "an Excel workbook or other zip file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word file"),
    (b"%PDF", "a PDF"),
    (b"\xff\xfe", "UTF-16 text (Excel's 'Unicode Text')"),
    (b"\xfe\xff", "UTF-16 text"),
)
SAVE_AS = "in Excel choose File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"


def _decode(data: bytes) -> tuple[str | None, ImportProblem | None]:
    if len(data) > MAX_BYTES:
        return None, ImportProblem(
            0,
            "",
            f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} are read at once: "
            "split it into smaller files",
        )
    for magic, what in _FOREIGN:
        if data.startswith(magic):
            return None, ImportProblem(0, "", f"this is {what}, not a CSV file: {SAVE_AS}")
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        good = data[bom : bom + error.start].decode("utf-8")
        return None, ImportProblem(
            _line_after(good),
            "",
            f"byte {bom + error.start + 1:,} of the file is not UTF-8 text (the file was perhaps "
            f"saved as 'CSV (Comma delimited)', which is not UTF-8): {SAVE_AS}, and import that",
        )
    if "\x00" in text:
        at = text.index("\x00")
        return None, ImportProblem(
            _line_after(text[:at]),
            "",
            f"the file holds a NUL character, so it is not a CSV text file: {SAVE_AS}",
        )
    return text, None


def _column_name(raw: str) -> str:
    return re.sub(r"[\s\-]+", "_", clean_text(raw).casefold())


def _shown(value: str) -> str:
    """A typed value for a message: cleaned, cut short, and never a card or bank number."""
    value = clean_text(value)
    if find_bank_details(value) is not None:
        return "(a value that looks like bank or card details)"
    return f"“{value}”" if len(value) <= SHOWN_MAX else f"“{value[:SHOWN_MAX]}…”"


def _listed(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(_shown(n) if n not in COLUMNS else n for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _records(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line the record starts on, its cells or None when unreadable, why it was unreadable)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    ended = 0
    while True:
        start = ended + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            ended = reader.line_num
            yield start, None, _csv_reason(str(error))
            if ended < start:  # nothing was consumed: stop rather than loop
                return
            continue
        ended = reader.line_num
        yield start, cells, ""


def _csv_reason(error: str) -> str:
    if "unexpected end of data" in error:
        return (
            'a quoted value that starts on this line is never closed (a " is missing), so the '
            "rest of the file could not be read"
        )
    if "expected after" in error:
        return (
            'a " appears inside a value: put the whole value in quotes and write the " twice, '
            'as in "the ""Old Mill"""'
        )
    if "field larger than field limit" in error:
        return (
            f"a value is longer than {csv.field_size_limit():,} characters; the longest any "
            f"column holds is {NOTES_MAX:,} (notes)"
        )
    return f"this line is not valid CSV ({error})"


def read_caseload(data: bytes) -> CaseloadFile:
    """The file's rows by column name, with the problems of its encoding, shape and header.
    Pure: no database."""
    result = CaseloadFile()
    text, problem = _decode(data)
    if problem is not None or text is None:
        result.problems.append(problem or ImportProblem(0, "", "the file cannot be read"))
        return result
    header: list[str] | None = None
    for line, cells, reason in _records(text):
        if cells is None:
            result.problems.append(ImportProblem(line, "", reason))
            if header is None:
                return result
            continue
        if not any(c.strip() for c in cells):
            result.blank_lines += 1
            continue
        if header is None:
            header = _check_header(line, cells, result.problems)
            if header is None:
                return result
            continue
        if len(result.rows) >= MAX_ROWS:
            result.problems.append(
                ImportProblem(
                    line,
                    "",
                    f"the file has more than {MAX_ROWS:,} offenders; import at most {MAX_ROWS:,} "
                    "at a time: split the file",
                )
            )
            return result
        if len(cells) != len(header):
            result.problems.append(
                ImportProblem(
                    line,
                    "",
                    f"this row has {len(cells)} value{'s' if len(cells) != 1 else ''} but the "
                    f"header names {len(header)} columns: check for a missing or extra comma, "
                    "and put a value holding a comma in quotes",
                )
            )
            continue
        result.rows.append(CaseloadRow(line, dict(zip(header, cells, strict=True))))
    if header is None:
        result.problems.append(
            ImportProblem(
                0,
                "",
                f"the file is empty: it needs a header row naming the columns "
                f"({', '.join(REQUIRED_COLUMNS)}) and a row per offender",
            )
        )
    elif not result.rows and not result.problems:
        result.problems.append(ImportProblem(0, "", "the file has a header row but no offenders"))
    return result


def _check_header(line: int, cells: list[str], problems: list[ImportProblem]) -> list[str] | None:
    names = [_column_name(c) for c in cells]
    found = len(problems)
    if len(names) == 1 and any(sep in cells[0] for sep in ";\t|"):
        problems.append(
            ImportProblem(
                line,
                "",
                "the header has no commas: the file seems separated by another character; "
                f"save it as comma-separated values ({SAVE_AS})",
            )
        )
        return None
    unnamed = [str(i) for i, n in enumerate(names, start=1) if not n]
    if unnamed:
        problems.append(ImportProblem(line, "", f"column {', '.join(unnamed)} has no name"))
    repeated = sorted(n for n, k in Counter(names).items() if n and k > 1)
    if repeated:
        problems.append(ImportProblem(line, "", f"these columns appear twice: {_listed(repeated)}"))
    unknown = [n for n in dict.fromkeys(names) if n and n not in COLUMNS]
    if unknown:
        problems.append(
            ImportProblem(
                line,
                "",
                f"unknown column{'s' if len(unknown) > 1 else ''} {_listed(unknown)}; the "
                f"columns are: {', '.join(COLUMNS)}",
            )
        )
    missing = [n for n in REQUIRED_COLUMNS if n not in names]
    if missing:
        problems.append(
            ImportProblem(
                line,
                "",
                f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}",
            )
        )
    return names if len(problems) == found else None


# -- checking rows against the rules and the database -------------------------------------------


@dataclass(frozen=True)
class _Manager:
    """An officer a row's manager column may name, as the checks need them: a row's manager must be
    an active offender manager of the row's team."""

    officer_id: int
    username: str
    role: str
    team_id: int | None
    active: bool


@dataclass
class _Known:
    """What the rows are checked against, read in the import's transaction."""

    teams: dict[str, tuple[int, str]]  # casefolded name -> (id, name)
    managers: dict[str, _Manager]  # casefolded username
    references: set[str]  # upper case
    people: dict[tuple[str, str, dt.date], str]  # (forename, surname, born) -> reference
    team_names: dict[int, str]

    @classmethod
    def read(cls, session: Session) -> _Known:
        teams = {t.name.casefold(): (t.id, t.name) for t in session.scalars(select(Team))}
        managers = {
            o.username.casefold(): _Manager(o.id, o.username, o.role.value, o.team_id, o.active)
            for o in session.scalars(select(Officer))
        }
        people: dict[tuple[str, str, dt.date], str] = {}
        references: set[str] = set()
        for reference, forename, surname, born in session.execute(
            select(Offender.reference, Offender.forename, Offender.surname, Offender.date_of_birth)
        ):
            references.add(reference.upper())
            people[(forename.casefold(), surname.casefold(), born)] = reference
        return cls(teams, managers, references, people, {i: n for i, n in teams.values()})


@dataclass
class _Offender:
    """One row, checked: the values to insert."""

    line: int
    reference: str
    forename: str
    surname: str
    date_of_birth: dt.date
    gender: str
    team_id: int
    manager_id: int | None
    status: OffenderStatus
    status_since: dt.date | None
    expected_release_on: dt.date | None
    registration_start: dt.date
    notification_end: dt.date | None
    notification_indefinite: bool
    no_fixed_abode: bool
    address: dict[str, str]
    address_from: dt.date
    next_periodic_due: dt.date | None
    mappa_category: int
    mappa_level: int
    aliases: list[str]
    notes: str


def _check_row(
    row: CaseloadRow, known: _Known, today: dt.date, seen: dict[str, int]
) -> tuple[_Offender | None, Form]:
    """The row's values, or None with the form's problems (the first per column). `seen`: the
    references of the rows before, by line."""
    cells = {name: row.cells.get(name, "") for name in COLUMNS}
    form = Form()
    # Bank details first, in every column: the refusal must be the message, and no later
    # message may repeat the number back.
    for name, value in cells.items():
        if problem := find_bank_details(value):
            form.add(name, problem)
    reference = _reference(form, cells["reference"], known, seen, row.line)
    forename = form.text("forename", cells["forename"], max_length=80, required=True)
    surname = form.text("surname", cells["surname"], max_length=80, required=True)
    gender = form.text("gender", cells["gender"], max_length=20)
    born = form.date(
        "date_of_birth",
        cells["date_of_birth"],
        required=True,
        not_after=today,
        label="date of birth",
    )
    registered = form.date(
        "registration_start",
        cells["registration_start"],
        required=True,
        not_after=today,
        label="registration start",
    )
    team = _team(form, cells["team"], known)
    manager_id = _manager(form, cells["manager"], team, known)
    status = form.choice("status", cells["status"], STATUSES)
    since = form.date(
        "status_since",
        cells["status_since"],
        required=False,
        not_after=today,
        label="status since date",
    )
    release = form.date(
        "expected_release", cells["expected_release"], required=False, label="expected release date"
    )
    if release is not None and status and status != OffenderStatus.CUSTODY:
        form.add(
            "expected_release",
            "Only an offender in custody has an expected release date; "
            "leave it blank or set the status to custody.",
        )
    end, indefinite = _notification_end(form, cells["notification_end"], registered, today)
    nfa = _yes_no(form, "no_fixed_abode", cells["no_fixed_abode"])
    address = _address(form, cells, nfa)
    address_from = form.date(
        "address_from",
        cells["address_from"],
        required=False,
        not_after=today,
        label="address from date",
    )
    due = form.date(
        "next_periodic_due",
        cells["next_periodic_due"],
        required=True,
        label="next periodic notification date (from ViSOR)",
    )
    category = _whole(form, "mappa_category", cells["mappa_category"], 1, 4)
    level = _whole(form, "mappa_level", cells["mappa_level"], 1, 3)
    aliases = form.lines(
        "aliases", cells["aliases"].replace(";", "\n"), max_length=ALIAS_MAX, label="alias"
    )
    notes = form.text("notes", cells["notes"], max_length=NOTES_MAX, multiline=True)
    if born is not None and registered is not None:
        youngest = _birthday(born, YOUNGEST_AT_REGISTRATION)
        if registered < youngest and not form.has("registration_start"):
            form.add(
                "registration_start",
                f"The registration start {registered:%d/%m/%Y} is before the offender's "
                f"{YOUNGEST_AT_REGISTRATION}th birthday ({youngest:%d/%m/%Y}, born "
                f"{born:%d/%m/%Y}); nobody younger is convicted: check both dates.",
            )
    if not form.ok:
        return None, form
    assert born is not None and registered is not None and team is not None
    return _Offender(
        line=row.line,
        reference=reference,
        forename=forename,
        surname=surname,
        date_of_birth=born,
        gender=gender,
        team_id=team,
        manager_id=manager_id,
        status=OffenderStatus(status),
        status_since=since,
        expected_release_on=release,
        registration_start=registered,
        notification_end=end,
        notification_indefinite=indefinite,
        no_fixed_abode=nfa,
        address=address,
        address_from=address_from or today,
        next_periodic_due=due,
        mappa_category=category,
        mappa_level=level,
        aliases=aliases,
        notes=notes,
    ), form


def _reference(form: Form, value: str, known: _Known, seen: dict[str, int], line: int) -> str:
    reference = "".join(value.split()).upper()
    if not reference:
        form.add("reference", f"Enter the offender's reference, for example {REFERENCE_EXAMPLE}.")
    elif not REFERENCE.fullmatch(reference):
        form.add(
            "reference",
            f"{_shown(reference)} is not a reference: write it as two letters, the year and six "
            f"digits, for example {REFERENCE_EXAMPLE}.",
        )
    elif reference in known.references:
        form.add("reference", f"{reference} is already on Pillars; each offender is imported once.")
    elif reference in seen:
        form.add(
            "reference",
            f"{reference} is also on line {seen[reference]}; each offender is imported once.",
        )
    else:
        seen[reference] = line
    return reference


def _team(form: Form, value: str, known: _Known) -> int | None:
    name = clean_text(value)
    teams = ", ".join(sorted(n for _, n in known.teams.values())) or "none yet"
    if form.has("team"):
        return None
    if not name:
        form.add("team", f"Enter the team's name; the teams are: {teams}.")
        return None
    found = known.teams.get(name.casefold())
    if found is None:
        form.add("team", f"There is no team named {_shown(name)}; the teams are: {teams}.")
        return None
    return found[0]


def _manager(form: Form, value: str, team_id: int | None, known: _Known) -> int | None:
    """The offender manager's id; None when the cell is blank (unallocated) or wrong. Only an
    active offender manager of the row's team manages its offenders (DESIGN section 3)."""
    username = clean_text(value)
    if not username or form.has("manager"):
        return None
    blank = "leave the manager blank for an unallocated offender"
    manager = known.managers.get(username.casefold())
    if manager is None:
        form.add("manager", f"No officer has the username {_shown(username)}; {blank}.")
        return None
    if not manager.active:
        form.add("manager", f"{manager.username}'s account is closed; {blank}.")
    elif manager.role != Role.OFFENDER_MANAGER.value:
        role = manager.role.replace("_", " ")
        form.add("manager", f"{manager.username} is a {role}, not an offender manager; {blank}.")
    elif team_id is not None and manager.team_id != team_id:
        theirs = known.team_names.get(manager.team_id or 0)
        in_team = f"in {theirs} team" if theirs else "in no team"
        form.add(
            "manager",
            f"{manager.username} is an offender manager {in_team}, not "
            f"{known.team_names[team_id]}; name a manager of the offender's team.",
        )
    else:
        return manager.officer_id
    return None


def _notification_end(
    form: Form, value: str, registered: dt.date | None, today: dt.date
) -> tuple[dt.date | None, bool]:
    """The end of the notification period, or (None, True) for "indefinite" (s82)."""
    typed = clean_text(value)
    if typed.casefold() == INDEFINITE:
        return None, True
    if not typed and not form.has("notification_end"):
        form.add("notification_end", "Enter the notification end as dd/mm/yyyy, or indefinite.")
        return None, False
    end = form.date("notification_end", typed, required=True, label="notification end")
    if end is None:
        return None, False
    form.order("registration_start", "notification_end", registered, end)
    if end < today and not form.has("notification_end"):
        form.add(
            "notification_end",
            f"The notification period ended on {end:%d/%m/%Y}: the offender is no longer "
            "registered, so is not imported; check the date, or leave the row out.",
        )
    return end, False


def _yes_no(form: Form, column: str, value: str) -> bool:
    typed = clean_text(value).casefold()
    if typed not in YES | NO:
        form.add(column, f"{_shown(value)} is not yes or no; write yes or no (blank means no).")
    return typed in YES


def _address(form: Form, cells: dict[str, str], no_fixed_abode: bool) -> dict[str, str]:
    """The current home address; none for an offender of no fixed abode."""
    keys = ("line1", "line2", "town", "postcode")
    if no_fixed_abode:
        if any(clean_text(cells[k]) for k in keys):
            form.add(
                "no_fixed_abode",
                "The row says no fixed abode but gives an address: leave the address blank, or "
                "write no here.",
            )
        return {}
    return {
        "line1": form.text(
            "line1", cells["line1"], max_length=120, required=True, label="first line"
        ),
        "line2": form.text("line2", cells["line2"], max_length=120, label="second line"),
        "town": form.text("town", cells["town"], max_length=80, required=True),
        "postcode": form.postcode("postcode", cells["postcode"]),
    }


def _whole(form: Form, column: str, value: str, low: int, high: int) -> int:
    typed = clean_text(value)
    if not typed:
        return low
    if typed.isascii() and typed.isdigit() and low <= int(typed) <= high:
        return int(typed)
    form.add(
        column,
        f"{_shown(typed)} is not a whole number from {low} to {high}; write one (blank means "
        f"{low}).",
    )
    return low


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February
        return dt.date(born.year + years, 3, 1)


def _check_rows(
    rows: list[CaseloadRow], known: _Known, today: dt.date
) -> tuple[list[_Offender], list[ImportProblem]]:
    """Every row checked on its own (a reference twice in the file included), then the people
    (names and date of birth) of the good rows against each other and Pillars: the same person
    under two references is a mistake to check. Problems in line and column order."""
    checked: list[_Offender] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for row in rows:
        offender, form = _check_row(row, known, today, seen)
        position = {name: i for i, name in enumerate(row.cells)}
        for p in sorted(form.problems, key=lambda p: position.get(p.field, len(position))):
            problems.append(ImportProblem(row.line, p.field, p.message))
        if offender is not None:
            checked.append(offender)
    people: dict[tuple[str, str, dt.date], int] = {}
    for o in checked:
        person = (o.forename.casefold(), o.surname.casefold(), o.date_of_birth)
        who = f"{o.forename} {o.surname}, born {o.date_of_birth:%d/%m/%Y},"
        if person in people:
            problems.append(
                ImportProblem(
                    o.line,
                    "",
                    f"{who} is also on line {people[person]}: the same person is "
                    "imported once; check the names and dates of birth.",
                )
            )
        elif person in known.people:
            problems.append(
                ImportProblem(
                    o.line,
                    "",
                    f"{who} is already on Pillars as {known.people[person]}; check "
                    "the names and dates of birth, or leave the row out.",
                )
            )
        people.setdefault(person, o.line)
    return checked, problems


# -- the service --------------------------------------------------------------------------------


class ImportService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def import_caseload(
        self,
        data: bytes,
        file_name: str,
        *,
        actor: Actor | None = None,
        dry_run: bool = False,
    ) -> ImportResult:
        """Check every row of the CSV `data`, then write them all in one transaction, or raise
        `ImportRefused` listing every problem with nothing written. `actor` is None on the
        command line (whoever can write to the database); in the app, only a team manager
        imports, since the caseload spans the force's teams. `dry_run` checks and writes
        nothing."""
        if actor is not None and actor.role != Role.TEAM_MANAGER.value:
            raise PermissionRefused(
                f"Only a team manager imports a caseload, not an {actor.role_label}; nothing "
                "was imported."
            )
        parsed = read_caseload(data)
        digest = hashlib.sha256(data).hexdigest()
        try:
            with self._services.transaction() as session:
                if not dry_run:
                    take_write_lock(session)
                known = _Known.read(session)
                offenders, problems = _check_rows(parsed.rows, known, self._services.today())
                problems = sorted(parsed.problems + problems, key=lambda p: p.line)
                if problems:
                    raise ImportRefused(file_name, problems)
                by_team = Counter(known.team_names[o.team_id] for o in offenders)
                result = ImportResult(
                    file_name=file_name,
                    sha256=digest,
                    offenders=len(offenders),
                    by_team=dict(sorted(by_team.items())),
                    unallocated=sum(o.manager_id is None for o in offenders),
                    blank_lines=parsed.blank_lines,
                    saved=not dry_run,
                )
                if not dry_run:
                    self._write(session, actor, offenders, known, result)
        except IntegrityError:
            raise ServiceError(
                f"nothing was imported from {file_name}: someone added an offender with one of "
                "its references while it was being imported; import the file again to see which"
            ) from None
        return result

    def _write(
        self,
        session: Session,
        actor: Actor | None,
        offenders: list[_Offender],
        known: _Known,
        result: ImportResult,
    ) -> None:
        """Bulk inserts (a statement per table, not per row; DESIGN: 2,000 rows in seconds),
        then the audit rows."""
        now = self._services.now()
        by = actor.officer_id if actor is not None else None
        # RETURNING in any order (in parameter order, SQLite would insert a row at a time).
        inserted = session.execute(
            insert(Offender).returning(Offender.reference, Offender.id),
            [_offender_columns(o, now, by) for o in offenders],
        )
        id_of: dict[str, int] = {reference: i for reference, i in inserted}
        ids = [id_of[o.reference] for o in offenders]
        reason = f"Imported from the caseload file {result.file_name}"
        for model, values in (
            (
                Address,
                [
                    {"offender_id": i, "kind": "home", **o.address, "from_date": o.address_from}
                    | {"updated_by_id": by}
                    for i, o in zip(ids, offenders, strict=True)
                    if o.address
                ],
            ),
            (
                Alias,
                [
                    {"offender_id": i, "name": name}
                    for i, o in zip(ids, offenders, strict=True)
                    for name in o.aliases
                ],
            ),
            (
                MappaChange,
                [
                    {
                        "offender_id": i,
                        "category": o.mappa_category,
                        "level": o.mappa_level,
                        "changed_by_id": by,
                        "changed_at": now,
                        "reason": reason,
                    }
                    for i, o in zip(ids, offenders, strict=True)
                ],
            ),
        ):
            if values:
                session.execute(insert(model), values)
        username = "" if actor is not None else COMMAND_LINE
        audit = self._services.audit
        for offender_id, o in zip(ids, offenders, strict=True):
            audit.record(
                session,
                actor,
                "offender_created",
                entity_type="offender",
                entity_id=offender_id,
                offender_id=offender_id,
                detail={
                    "reference": o.reference,
                    "imported_from": result.file_name,
                    "team": known.team_names[o.team_id],
                    "manager_id": o.manager_id,
                },
                username=username,
            )
        audit.record(
            session,
            actor,
            "caseload_imported",
            detail={
                "file": result.file_name,
                "sha256": result.sha256,
                "offenders": result.offenders,
                "by_team": result.by_team,
                "unallocated": result.unallocated,
            },
            username=username,
        )


def _offender_columns(o: _Offender, now: dt.datetime, by: int | None) -> dict[str, object]:
    return {
        "reference": o.reference,
        "forename": o.forename,
        "surname": o.surname,
        "date_of_birth": o.date_of_birth,
        "gender": o.gender,
        "manager_id": o.manager_id,
        "team_id": o.team_id,
        "status": o.status,
        "status_since": o.status_since,
        "expected_release_on": o.expected_release_on,
        "mappa_category": o.mappa_category,
        "mappa_level": o.mappa_level,
        "registration_start": o.registration_start,
        "notification_end": o.notification_end,
        "notification_indefinite": o.notification_indefinite,
        "no_fixed_abode": o.no_fixed_abode,
        "next_periodic_due": o.next_periodic_due,
        "notes": o.notes,
        "created_at": now,
        "updated_by_id": by,
    }
