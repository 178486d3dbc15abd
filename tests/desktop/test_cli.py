"""The `pillars` command, run in-process through `main([...])`: exit statuses, the `--json`
documents the README promises, `db upgrade`, the first-run demo and starting the app (a stand-in
for `ui.app` here: these tests never start Qt). Bad databases are in tests/db/test_bad_database.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect

from db import schema
from db.engine import default_sqlite_path, make_engine
from desktop.cli import ProgressLine, main
from tests.desktop.test_stats_users import DAY, EXPECTED_COUNTS, populate

OFFICER_KEYS = [
    "username",
    "name",
    "role",
    "team",
    "absent",
    "absence_kind",
    "absent_until",
    "named_cover",
    "covered_by",
    "cover_link",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- usage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["--no-such-option"], ["db"], ["no-such-command"], ["demo", "--scale", "city"]],
)
def test_usage_errors_exit_2_as_argparse_does(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert "usage: pillars" in capsys.readouterr().err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--help"])
    assert raised.value.code == 0
    out = capsys.readouterr().out
    for command in ("gui", "demo", "stats", "users", "db"):
        assert command in out


@pytest.mark.parametrize("value", ["12/03/2025", "2025-02-30", "tomorrow", ""])
def test_a_bad_date_is_one_line_naming_the_option(
    value: str, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "users", "--db", db_url, "--on", value)
    assert status == 1 and out == ""
    assert err.startswith("pillars: error: --on: ") and "YYYY-MM-DD" in err
    assert err.count("\n") == 1


# -- stats and users ---------------------------------------------------------------------------


def test_stats_json_is_the_documented_document(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(db_url)
    status, out, err = run(capsys, "stats", "--db", db_url, "--json")
    assert (status, err) == (0, "")
    assert json.loads(out) == EXPECTED_COUNTS
    assert list(json.loads(out)) == list(EXPECTED_COUNTS)
    assert out.startswith('{\n  "teams": 3,')  # indent 2, in the documented order


def test_stats_table_is_aligned_and_readable(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(db_url)
    status, out, _ = run(capsys, "stats", "--db", db_url)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Pillars database at ")
    assert "teams" in lines[1] and lines[1].endswith(" 3")
    assert any(line.strip().split() == ["open", "approval", "tasks", "3"] for line in lines)
    assert any(line.strip().split() == ["open", "PPNs", "2"] for line in lines)
    numbers = [line for line in lines[1:] if line[-1].isdigit()]
    assert len({len(line) for line in numbers}) == 1  # counts right-aligned in one column


def test_users_json_has_iso_dates_and_the_documented_keys(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(db_url)
    status, out, err = run(capsys, "users", "--db", db_url, "--on", DAY.isoformat(), "--json")
    assert (status, err) == (0, "")
    document = json.loads(out)
    assert list(document) == ["on", "officers"]
    assert document["on"] == "2025-03-12"
    assert all(list(officer) == OFFICER_KEYS for officer in document["officers"])
    hale = next(o for o in document["officers"] if o["username"] == "sam_hale")
    assert hale == {
        "username": "sam_hale",
        "name": "Sam Hale",
        "role": "sergeant",
        "team": "North",
        "absent": True,
        "absence_kind": "leave",
        "absent_until": "2025-03-14",
        "named_cover": "tara_mills",
        "covered_by": "tara_mills",
        "cover_link": "named_cover",
    }
    hub = next(o for o in document["officers"] if o["username"] == "hana_hubb")
    assert hub["team"] is None and hub["absent"] is False and hub["absent_until"] is None


def test_users_table_shows_absence_and_cover(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(db_url)
    status, out, _ = run(capsys, "users", "--db", db_url, "--on", "2025-03-12")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "Officers on 12/03/2025"
    assert lines[1].split() == [
        *("username", "name", "role", "team", "absent", "named", "cover", "covered", "by")
    ]
    hale = next(line for line in lines if line.startswith("sam_hale"))
    assert hale.split() == (
        ["sam_hale", "Sam", "Hale", "sergeant", "North", "leave", "until", "14/03/2025"]
        + ["tara_mills", "tara_mills"]
    )


def test_users_without_on_uses_today(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "users", "--db", db_url, "--json")
    assert status == 0
    assert dt.date.fromisoformat(json.loads(out)["on"]) >= dt.date(2025, 1, 1)


def test_db_option_defaults_to_pillars_db_url(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(db_url)
    monkeypatch.setenv("PILLARS_DB_URL", db_url)
    status, out, _ = run(capsys, "stats", "--json")
    assert status == 0 and json.loads(out)["teams"] == 3


# -- db upgrade and current --------------------------------------------------------------------


def test_db_upgrade_brings_an_empty_database_to_head_and_again_does_nothing(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    head = schema.head_revision()
    status, out, err = run(capsys, "db", "upgrade", "--db", empty_url)
    assert (status, err) == (0, "")
    assert out.startswith("Database at ") and out.endswith(f": schema empty -> {head}\n")

    status, out, _ = run(capsys, "db", "upgrade", "--db", empty_url)
    assert status == 0 and out.endswith(f": schema {head} -> {head}\n")

    status, out, _ = run(capsys, "db", "current", "--db", empty_url)
    assert status == 0 and out.endswith(f": schema {head} (up to date)\n")

    status, out, _ = run(capsys, "stats", "--db", empty_url, "--json")
    assert status == 0 and json.loads(out)["teams"] == 0


def test_db_upgrade_creates_a_missing_sqlite_file_and_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new folder" / "pillars.sqlite3"
    status, out, _ = run(capsys, "db", "upgrade", "--db", f"sqlite:///{path}")
    assert status == 0 and str(path) in out
    assert path.stat().st_mode & 0o777 == 0o600
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert schema.current_revision(engine) == schema.head_revision()
    finally:
        engine.dispose()


def test_db_current_on_an_empty_database(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if empty_url.startswith("sqlite"):
        Path(empty_url.removeprefix("sqlite:///")).touch()
    status, out, _ = run(capsys, "db", "current", "--db", empty_url)
    assert status == 0 and "schema none (empty: run 'pillars db upgrade'" in out


def test_db_upgrade_leaves_a_database_of_other_tables_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    status, _, err = run(capsys, "db", "upgrade", "--db", f"sqlite:///{path}")
    assert status == 1 and "is not a Pillars database" in err
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert inspect(engine).get_table_names() == ["recipes"]
    finally:
        engine.dispose()


# -- demo ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FakeSummary:
    scale: str
    seed: int
    on: dt.date
    teams: int = 1
    offenders: int = 600
    officers: int = 20
    open_approval_tasks: int = 250
    open_hub_tasks: int = 50
    seconds: float = 4.25


class DemoRefused(Exception):
    pass


@pytest.fixture
def fake_demo(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`desktop.demo` replaced by a recorder: the command's plumbing, without building data."""
    calls: list[dict[str, Any]] = []

    def build_demo(url: str, *, scale: str, seed: int, on: dt.date, progress: Any) -> Any:
        calls.append({"url": url, "scale": scale, "seed": seed, "on": on})
        if url.endswith("refuse.sqlite3"):
            raise DemoRefused("the database already holds data; demo data goes in an empty one")
        progress("Teams and officers")
        progress("Offenders")
        return FakeSummary(scale=scale, seed=seed, on=on)

    module = types.ModuleType("desktop.demo")
    module.build_demo = build_demo  # type: ignore[attr-defined]
    module.DemoRefused = DemoRefused  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.demo", module)
    return calls


def test_demo_passes_its_options_and_prints_a_summary(
    fake_demo: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    argv = ["demo", "--db", url, "--scale", "county", "--seed", "7", "--on", "2025-03-12"]
    status, out, err = run(capsys, *argv)
    assert status == 0
    assert fake_demo == [{"url": url, "scale": "county", "seed": 7, "on": DAY}]
    assert out == (
        "Built county demo: 1 team, 600 offenders, 20 officers, 250 open approval tasks, "
        "50 open hub tasks in 4.2 s (seed 7, as of 2025-03-12)\n"
    )
    assert err == "Teams and officers\nOffenders\n"  # not a terminal: one line per step


def test_demo_defaults_to_team_seed_1_today(
    fake_demo: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = run(capsys, "demo", "--db", f"sqlite:///{tmp_path / 'd.sqlite3'}")
    assert status == 0
    (call,) = fake_demo
    assert (call["scale"], call["seed"]) == ("team", 1)
    assert abs((call["on"] - dt.date.today()).days) <= 1


def test_demo_refused_is_one_line(
    fake_demo: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "demo", "--db", f"sqlite:///{tmp_path / 'refuse.sqlite3'}")
    assert (status, out) == (1, "")
    assert err.endswith(
        "pillars: error: the database already holds data; demo data goes in an empty one\n"
    )


@pytest.mark.parametrize("seed", ["x", "-1", "1.5"])
def test_demo_bad_seed_is_one_line(
    seed: str, fake_demo: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "demo", "--db", "sqlite:///unused.sqlite3", "--seed", seed)
    assert status == 1 and err.startswith("pillars: error: --seed: ")
    assert fake_demo == []


def test_progress_line_rewrites_itself_on_a_terminal() -> None:
    class Terminal:
        def __init__(self) -> None:
            self.text = ""

        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> None:
            self.text += text

        def flush(self) -> None:
            pass

    terminal = Terminal()
    progress = ProgressLine(terminal)  # type: ignore[arg-type]
    progress("Offenders 100/600")
    progress("Done")
    progress.finish()
    assert terminal.text == "\rOffenders 100/600\rDone             \n"


def test_demo_builds_a_team_and_stats_counts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real generator (desktop/demo.py), end to end through the command line."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    status, out, err = run(
        capsys, "demo", "--db", url, "--scale", "team", "--seed", "3", "--on", "2025-03-12"
    )
    assert status == 0, err
    assert out.startswith("Built team demo: 1 team, ")
    status, out, _ = run(capsys, "stats", "--db", url, "--json")
    counts = json.loads(out)
    assert status == 0 and counts["teams"] == 1 and counts["offenders"] > 400
    status, out, _ = run(capsys, "users", "--db", url, "--on", "2025-03-12", "--json")
    assert status == 0 and len(json.loads(out)["officers"]) == sum(counts["officers"].values())


# -- gui ---------------------------------------------------------------------------------------


@pytest.fixture
def fake_app(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`ui.app` replaced by a recorder, so no test here starts Qt."""
    opened: list[str] = []

    def run_gui(url: str) -> int:
        opened.append(url)
        return 0

    module = types.ModuleType("ui.app")
    module.run_gui = run_gui  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.app", module)
    return opened


def test_gui_opens_the_app_on_the_given_database(
    fake_app: list[str],
    fake_demo: list[dict[str, Any]],
    db_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(capsys, "gui", "--db", db_url)
    assert (status, err) == (0, "")
    assert fake_app == [db_url] and fake_demo == []


def test_first_run_builds_the_county_demo_in_the_default_file(
    fake_app: list[str], fake_demo: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    default = default_sqlite_path()
    assert not default.exists()  # the test's own data directory, never the user's
    status, _, err = run(capsys)
    assert status == 0
    url = f"sqlite:///{default}"
    (call,) = fake_demo
    assert (call["url"], call["scale"], call["seed"]) == (url, "county", 1)
    assert err.splitlines()[0] == (
        f"Building the demo database (county scale) at {default} — first run only"
    )
    assert "Offenders" in err
    assert fake_app == [url]


def test_an_interrupted_first_run_leaves_no_file_to_open_empty_next_time(
    fake_app: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def build_demo(url: str, **_options: Any) -> Any:
        make_engine(url, create=True).dispose()  # as the real one: create, migrate, then build
        default_sqlite_path().with_name("pillars.sqlite3-wal").touch()
        raise KeyboardInterrupt

    module = types.ModuleType("desktop.demo")
    module.build_demo = build_demo  # type: ignore[attr-defined]
    module.DemoRefused = DemoRefused  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "desktop.demo", module)
    status, _, err = run(capsys, "gui")
    assert status == 130 and err.endswith("pillars: interrupted\n")
    assert list(default_sqlite_path().parent.iterdir()) == []
    assert fake_app == []


def test_no_demo_for_a_missing_file_that_is_not_the_default(
    fake_app: list[str],
    fake_demo: list[dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    status, _, _ = run(capsys, "gui", "--db", url)
    assert status == 0 and fake_demo == [] and fake_app == [url]


def test_gui_that_cannot_start_is_one_line(
    monkeypatch: pytest.MonkeyPatch, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ui.app", None)  # import fails, as with Qt libraries missing
    status, _, err = run(capsys, "gui", "--db", db_url)
    assert status == 1
    assert err.startswith("pillars: error: cannot start the desktop app: ")
    assert err.count("\n") == 1


def test_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(self: Any) -> dict[str, Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr("desktop.services.stats.StatsService.counts", interrupted)
    status, _, err = run(capsys, "stats", "--db", db_url)
    assert status == 130 and "Traceback" not in err
