"""`pillars import`: a caseload CSV is imported whole or not at all, and every bad row is listed
with its line number and a reason a person can act on (DESIGN section 4; issue #9 item 6).

Runs on SQLite and PostgreSQL through `db_url`, on the test world (teams Alder and Birch; ada and
bram manage in Alder, gus in Birch, cora is Alder's sergeant). Every name is made up.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from db.enums import OffenderStatus
from db.models import Address, Alias, AuditEvent, MappaChange, Offender
from desktop.cli import main
from desktop.rules.validation import NOT_STORED
from desktop.services import importer
from desktop.services.core import Services
from desktop.services.importer import (
    ImportProblem,
    ImportRefused,
    ImportResult,
    ImportService,
    read_caseload,
)
from tests.desktop.factories import WORLD_TODAY, World, populate, world_clock

HEADER = [
    "reference",
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "team",
    "manager",
    "status",
    "registration_start",
    "notification_end",
    "next_periodic_due",
    "line1",
    "line2",
    "town",
    "postcode",
    "aliases",
    "notes",
]
CARD = "4539 1488 0343 6467"  # a made-up number that passes the Luhn check


def row(number: int, **values: str) -> dict[str, str]:
    """A valid row for the test world: an Alder offender managed by ada, changed by `values`."""
    cells = {
        "reference": f"ZZ/2024/{900000 + number:06d}",
        "forename": f"Importina{number}",
        "surname": "Spreadsheet",
        "date_of_birth": "14/03/1981",
        "gender": "female",
        "team": "Alder",
        "manager": "ada",
        "status": "community",
        "registration_start": "01/02/2022",
        "notification_end": "01/02/2032",
        "next_periodic_due": "01/02/2025",
        "line1": f"{number} Ledger Lane",
        "line2": "",
        "town": "Northvale",
        "postcode": "ZZ1 4QT",
        "aliases": "",
        "notes": "",
    }
    cells.update(values)
    return cells


def csv_file(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO(newline="")
    columns = header or (list(rows[0]) if rows else HEADER)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def counts(services: Services) -> dict[str, int]:
    with services.transaction() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Offender, Address, Alias, MappaChange, AuditEvent)
        }


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def refused(services: Services, data: bytes) -> list[ImportProblem]:
    before = counts(services)
    with pytest.raises(ImportRefused) as raised:
        ImportService(services).import_caseload(data, "caseload.csv")
    assert counts(services) == before, "a refused import wrote something"
    assert str(raised.value).startswith("nothing was imported from caseload.csv: ")
    return raised.value.problems


def where(problems: list[ImportProblem]) -> set[tuple[int, str]]:
    return {(p.line, p.column) for p in problems}


# -- a good file ---------------------------------------------------------------------------------


def test_a_good_file_imports_every_row_with_its_address_aliases_and_audit(
    services: Services, world: World
) -> None:
    rows = [
        row(1, aliases="Inky Spreadsheet; Importina Spredsheet", notes="From the old list."),
        row(
            2,
            team="birch",
            manager="GUS",
            notification_end="indefinite",
            postcode="zz34qt",
            date_of_birth="1975-12-01",
        ),
        row(3, manager="", status="Custody", line2="Flat 2, Upper Floor"),
    ]
    header = [*HEADER, "expected_release", "mappa_category", "mappa_level"]
    rows[2] |= {"expected_release": "01/09/2024", "mappa_category": "2", "mappa_level": "3"}
    data = csv_file(rows, header)
    before = counts(services)

    result = ImportService(services).import_caseload(data, "caseload.csv")

    assert result == ImportResult(
        file_name="caseload.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        offenders=3,
        by_team={"Alder": 2, "Birch": 1},
        unallocated=1,
        blank_lines=0,
        saved=True,
    )
    after = counts(services)
    assert after["offender"] - before["offender"] == 3
    assert after["address"] - before["address"] == 3
    assert after["alias"] - before["alias"] == 2
    assert after["mappa_change"] - before["mappa_change"] == 3
    with services.transaction() as session:
        by_ref = {
            o.reference: o
            for o in session.scalars(select(Offender).where(Offender.reference.like("ZZ/2024/9%")))
        }
        first, second, third = (by_ref[f"ZZ/2024/90000{i}"] for i in (1, 2, 3))
        assert (first.forename, first.date_of_birth, first.manager_id) == (
            "Importina1",
            dt.date(1981, 3, 14),
            world.ada,
        )
        assert [a.name for a in first.aliases] == ["Inky Spreadsheet", "Importina Spredsheet"]
        assert first.notes == "From the old list."
        assert first.addresses[0].from_date == WORLD_TODAY  # the import day when not given
        assert (second.team_id, second.manager_id) == (world.birch, world.gus)
        assert second.notification_indefinite and second.notification_end is None
        assert second.addresses[0].postcode == "ZZ3 4QT"
        assert third.manager_id is None and third.status == OffenderStatus.CUSTODY
        assert third.expected_release_on == dt.date(2024, 9, 1)
        assert (third.mappa_category, third.mappa_level) == (2, 3)
        assert third.addresses[0].line2 == "Flat 2, Upper Floor"
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > before["audit_event"]).order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["offender_created"] * 3 + ["caseload_imported"]
    assert {e.offender_id for e in events[:3]} == {first.id, second.id, third.id}
    assert events[-1].detail["sha256"] == result.sha256
    assert events[-1].detail["offenders"] == 3
    assert events[-1].username == "pillars import"
    assert services.audit.verify().ok


def test_header_names_are_matched_in_any_order_and_case_with_bom_crlf_and_blank_lines(
    services: Services,
) -> None:
    good = row(1)
    names = list(reversed(HEADER))
    text = (
        ",".join(n.upper().replace("_", " ") for n in names)
        + "\r\n\r\n"
        + ",".join(good[n] for n in names)
        + "\r\n,,,,,,,,,,,,,,,\r\n"
    )
    result = ImportService(services).import_caseload(
        b"\xef\xbb\xbf" + text.encode("utf-8"), "caseload.csv"
    )
    assert (result.offenders, result.blank_lines) == (1, 2)


def test_a_dry_run_checks_everything_and_writes_nothing(services: Services) -> None:
    before = counts(services)
    result = ImportService(services).import_caseload(
        csv_file([row(1), row(2)]), "caseload.csv", dry_run=True
    )
    assert (result.offenders, result.saved) == (2, False)
    assert counts(services) == before


# -- bad rows ------------------------------------------------------------------------------------


BAD_ROWS = [
    # (the row's changes, the column blamed, words the message must hold)
    ({"date_of_birth": "31/02/1980"}, "date_of_birth", "not a day in the calendar"),
    ({"date_of_birth": "14/03/2031"}, "date_of_birth", "cannot be later"),
    ({"date_of_birth": "14/03/81"}, "date_of_birth", "year"),
    ({"postcode": "ZZ1"}, "postcode", "not a full UK postcode"),
    ({"reference": "4512/2019"}, "reference", "two letters, the year and six digits"),
    ({"reference": ""}, "reference", "Enter the offender's reference"),
    ({"team": "Sycamore"}, "team", "the teams are: Alder, Birch"),
    ({"manager": "nobody"}, "manager", "No officer has the username"),
    ({"manager": "cora"}, "manager", "not an offender manager"),
    ({"manager": "gus"}, "manager", "Birch team, not Alder"),
    ({"status": "prison"}, "status", "community, custody, hospital, abroad"),
    ({"notification_end": "01/01/2020"}, "notification_end", "before the registration start"),
    ({"notification_end": "01/03/2024"}, "notification_end", "no longer registered"),
    ({"notification_end": ""}, "notification_end", "or indefinite"),
    ({"next_periodic_due": ""}, "next_periodic_due", "next periodic notification date"),
    ({"registration_start": "01/02/1988"}, "registration_start", "10th birthday"),
    ({"forename": "A" * 81}, "forename", "at most 80"),
    ({"surname": ""}, "surname", "Enter the surname"),
    ({"line1": "x" * 121}, "line1", "at most 120"),
    ({"town": ""}, "town", "Enter the town"),
    ({"notes": "n" * 10_001}, "notes", "at most 10000"),
    ({"aliases": "Ok Name; " + "B" * 161}, "aliases", "at most 160"),
    ({"notes": f"Paid with card {CARD} at the hostel"}, "notes", NOT_STORED),
    ({"line2": "Sort code 12-34-56, account 12345678"}, "line2", NOT_STORED),
    ({"team": CARD}, "team", NOT_STORED),
]


def test_any_bad_row_imports_nothing_and_every_problem_is_listed_on_its_line(
    services: Services,
) -> None:
    # Line 1 the header, line 2 a good row, line 3 a good row whose note spans lines 3-5, then
    # a blank line (6), then one bad row per case from line 7.
    rows = [row(0), row(1, notes="first line\nsecond line\nthird line")]
    rows += [row(10 + i, **changes) for i, (changes, _, _) in enumerate(BAD_ROWS)]
    data = csv_file(rows).replace(b"\r\nZZ/2024/900010", b"\r\n\r\nZZ/2024/900010", 1)

    problems = refused(services, data)

    expected = {(7 + i, column) for i, (_, column, _) in enumerate(BAD_ROWS)}
    assert where(problems) == expected
    for (line, column), (_, _, words) in zip(sorted(expected), BAD_ROWS, strict=True):
        message = next(p.message for p in problems if (p.line, p.column) == (line, column))
        assert words in message, (line, column, message)
    text = "\n".join(str(p) for p in problems)
    assert "4539" not in text and "12345678" not in text, "a refusal repeated bank details"
    assert str(problems[0]).startswith("line 7, date_of_birth: ")


def test_duplicates_in_the_file_and_against_pillars_are_refused(
    services: Services, world: World
) -> None:
    rows = [
        row(1),
        row(2, reference="zz/2024/900001"),  # the same reference, typed in lower case
        row(3, forename="IMPORTINA1"),  # the same person as line 2, another reference
        row(4, reference=world.references["zebedee"]),
        row(5, forename="Zebedee", surname="Plimsoll", date_of_birth="14/03/1980"),
        row(6, notes=f"card {CARD}", reference="ZZ/2024/900001", team="Elm"),
    ]
    problems = refused(services, csv_file(rows))
    assert where(problems) == {
        (3, "reference"),
        (4, ""),
        (5, "reference"),
        (6, ""),
        (7, "reference"),
        (7, "team"),
        (7, "notes"),
    }
    # A duplicate is found on a row with other problems too; a line's problems come in the
    # order of its columns.
    assert [p.column for p in problems if p.line == 7] == ["reference", "team", "notes"]
    messages = {p.line: p.message for p in problems}
    assert "also on line 2" in messages[3] and "also on line 2" in messages[4]
    assert "already on Pillars" in messages[5]
    assert f"already on Pillars as {world.references['zebedee']}" in messages[6]


def test_no_fixed_abode_needs_the_address_blank(services: Services) -> None:
    header = [*HEADER, "no_fixed_abode"]
    homeless = row(1, line1="", town="", postcode="") | {"no_fixed_abode": "yes"}
    both = row(2) | {"no_fixed_abode": "Yes"}
    maybe = row(3) | {"no_fixed_abode": "perhaps"}
    problems = refused(services, csv_file([homeless, both, maybe], header))
    assert where(problems) == {(3, "no_fixed_abode"), (4, "no_fixed_abode")}
    result = ImportService(services).import_caseload(csv_file([homeless], header), "nfa.csv")
    assert result.offenders == 1
    with services.transaction() as session:
        imported = session.scalars(
            select(Offender).where(Offender.reference == "ZZ/2024/900001")
        ).one()
        assert imported.no_fixed_abode and imported.addresses == []


def test_a_bad_header_is_refused_naming_unknown_missing_and_repeated_columns() -> None:
    data = b"reference,forename,forename,Date of Birth,favourite colour,\r\nx,y,z,w,v,u\r\n"
    problems = read_caseload(data).problems
    assert all(p.line == 1 for p in problems)
    text = " | ".join(p.message for p in problems)
    assert "column 6 has no name" in text
    assert "appear twice: forename" in text
    assert "unknown column “favourite_colour”" in text
    assert "missing: surname, team, manager, status" in text


HEAD = ",".join(HEADER).encode() + b"\r\n"
ROW = ",".join(row(1).values()).replace(",Importina1,", ",").encode()  # a value short


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 0, "the file is empty"),
        (b"\r\n\r\n", 0, "the file is empty"),
        (HEAD, 0, "a header row but no offenders"),
        (HEAD + "ZZ/2024/000001,Zoë\r\n".encode("cp1252"), 2, "not UTF-8"),
        (b"PK\x03\x04rest of a workbook", 0, "Excel workbook"),
        (",".join(HEADER).encode("utf-16"), 0, "UTF-16"),
        (";".join(HEADER).encode(), 1, "separated by another character"),
        (HEAD + b"ZZ/2024/000001,Ann\x00\r\n", 2, "NUL character"),
        (HEAD + b'\r\n\r\n"Ann\r\nBob,Cy\r\n', 4, "never closed"),
        (HEAD + b'"Ann"x,' + ROW + b"\r\n", 2, 'write the " twice'),
    ],
)
def test_a_file_that_is_not_a_readable_csv_is_refused_with_its_line(
    data: bytes, line: int, words: str
) -> None:
    problems = read_caseload(data).problems
    assert problems, "a bad file passed"
    assert (problems[0].line, words in problems[0].message) == (line, True), problems[0]


def test_a_row_with_the_wrong_number_of_values_is_refused() -> None:
    text = ",".join(HEADER) + "\r\n" + ",".join(row(1).values()) + ",extra\r\n"
    (problem,) = read_caseload(text.encode()).problems
    assert (problem.line, problem.column) == (2, "")
    assert f"{len(HEADER) + 1} values but the header names {len(HEADER)} columns" in str(problem)


def test_too_many_rows_or_bytes_are_refused_before_anything_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    (problem,) = read_caseload(csv_file([row(1), row(2), row(3)])).problems
    assert problem.line == 4 and "more than 2 offenders" in problem.message
    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    (problem,) = read_caseload(csv_file([row(1)])).problems
    assert problem.line == 0 and "at most 100 are read" in problem.message


# -- the command ---------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_says_what_it_did(
    db_url: str, world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_file([row(1), row(2, manager="")]))
    assert main(["import", "--db", db_url, str(path), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert "Checked caseload.csv: 2 offenders (Alder 2; 1 unallocated) would be imported" in out
    assert "nothing was saved (dry run)" in out and err == ""
    assert main(["import", "--db", db_url, str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Imported 2 offenders (Alder 2; 1 unallocated) from caseload.csv")
    assert hashlib.sha256(path.read_bytes()).hexdigest() in out

    # The same file again: every row is now a duplicate, so nothing is imported.
    assert main(["import", "--db", db_url, str(path)]) == 1
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == 3
    assert lines[0].startswith("line 2, reference: ZZ/2024/900001 is already on Pillars")
    assert lines[1].startswith("line 3, reference: ZZ/2024/900002 is already on Pillars")
    assert lines[2] == (
        "pillars: error: nothing was imported from caseload.csv: 2 problems on 2 lines; fix "
        "them and import the whole file again"
    )


def test_the_command_refuses_a_missing_file_or_a_folder_in_one_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, words in (
        (str(tmp_path / "nope.csv"), "there is no file"),
        (str(tmp_path), "folder"),
    ):
        assert main(["import", "--db", db_url, name]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("pillars: error: FILE.csv: ") and words in err
        assert err.count("\n") == 1


# -- speed ---------------------------------------------------------------------------------------


def test_many_rows_are_inserted_in_a_few_statements_not_one_per_row(services: Services) -> None:
    """Issue #9: 2,000 rows import in seconds; a statement per row would not. (The audit log
    still gets a row per offender: each created record is audited, as a transfer in is.)"""
    rows = [row(i, aliases=f"Alias {i}") for i in range(500)]
    inserts: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO OFFENDER "):
            inserts.append(statement)

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        result = ImportService(services).import_caseload(csv_file(rows), "big.csv")
    finally:
        event.remove(services.engine, "before_cursor_execute", count)
    assert result.offenders == 500
    assert 1 <= len(inserts) <= 2
    assert counts(services)["offender"] >= 500


# -- fuzzed --------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_the_reader(data: bytes) -> None:
    parsed = read_caseload(data)
    assert parsed.problems or parsed.rows
    assert all(isinstance(p, ImportProblem) and p.line >= 0 for p in parsed.problems)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=6))
def test_random_text_never_crashes_the_reader(records: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([HEADER, *records])
    parsed = read_caseload(out.getvalue().encode("utf-8", errors="surrogatepass"))
    assert all(isinstance(p, ImportProblem) for p in parsed.problems)


_IMPORTED = iter(range(10_000, 99_999))
CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "indefinite", "31/02/2000", "ZZ1 1AA", CARD, "ada", "Birch", "\n"]),
)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.lists(st.tuples(st.sampled_from(HEADER), CELL), max_size=4),
    rows=st.integers(1, 3),
    splice=st.tuples(st.floats(0, 1), st.binary(max_size=6)),
)
def test_fuzzed_rows_import_all_or_nothing(
    services: Services, changes: list[tuple[str, str]], rows: int, splice: tuple[float, bytes]
) -> None:
    """Whatever the cells or bytes hold: either every row is imported, or ImportRefused and
    nothing is."""
    numbers = [next(_IMPORTED) for _ in range(rows)]
    cells = [row(n) for n in numbers]
    for i, (column, value) in enumerate(changes):
        cells[i % rows][column] = value
    data = csv_file(cells)
    at = round(splice[0] * len(data))
    data = data[:at] + splice[1] + data[at:]
    before = counts(services)
    try:
        result = ImportService(services).import_caseload(data, "fuzz.csv")
    except ImportRefused as error:
        assert error.problems
        assert counts(services) == before
        assert not any("1488 0343" in str(p) for p in error.problems), "a card number repeated"
        return
    assert result.offenders == rows
    assert counts(services)["offender"] == before["offender"] + rows


NAME = st.text(st.characters(categories=["L"]), min_size=1, max_size=20).map(str.strip).filter(bool)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(NAME, NAME, st.dates(dt.date(1930, 1, 1), dt.date(2000, 12, 31))),
        min_size=1,
        max_size=5,
        unique_by=lambda person: (person[0].casefold(), person[1].casefold(), person[2]),
    )
)
def test_a_valid_generated_file_imports_exactly_its_rows(
    services: Services, people: list[tuple[str, str, dt.date]]
) -> None:
    numbers = [next(_IMPORTED) for _ in people]
    cells = [
        row(n, forename=forename, surname=surname, date_of_birth=f"{born:%d/%m/%Y}")
        for n, (forename, surname, born) in zip(numbers, people, strict=True)
    ]
    ImportService(services).import_caseload(csv_file(cells), "generated.csv")
    with services.transaction() as session:
        stored = session.execute(
            select(Offender.forename, Offender.surname, Offender.date_of_birth).where(
                Offender.reference.in_([c["reference"] for c in cells])
            )
        ).all()
    assert sorted(stored) == sorted(people)
