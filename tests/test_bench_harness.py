"""The benchmark harness (`make bench`, tests/perf) cannot rot unnoticed: its table and JSON writer,
and one real measurement, a few filter keystrokes on the small synthetic world. Nothing here is a
timing assertion; the benchmarks themselves never run in `make test`."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from desktop.services.core import Services
from tests.desktop.factories import PASSWORD, World, populate, world_clock
from tests.perf import caseload_filter, county
from tests.perf.harness import (
    JSON_KEYS,
    Measurement,
    NotReady,
    Pending,
    format_table,
    percentile,
    write_json,
)

OFFSCREEN_NOISE = r"This plugin does not support (propagateSizeHints|raise)\(\)"


@pytest.fixture
def backend() -> str:
    return "sqlite"


def check_shape(data: object) -> None:
    assert isinstance(data, list)
    for item in data:
        assert isinstance(item, dict)
        assert tuple(item) == JSON_KEYS
        assert isinstance(item["name"], str) and item["name"]
        assert isinstance(item["value"], float | int)
        assert isinstance(item["unit"], str)
        assert isinstance(item["target"], float | int)
        assert (item["floor"] is None) == (item["ratio"] is None)
        if item["floor"] is not None:
            assert isinstance(item["floor"], float | int)
            assert item["ratio"] == pytest.approx(item["value"] / item["floor"], rel=1e-2)


def test_table_and_json(tmp_path: Path) -> None:
    results = [
        Measurement("start-up", 900.0, "ms", target=4, floor=300.0, on="ratio"),
        Measurement("approve", 12.5, "ms", target=30, floor=0.5),
        Measurement("keystroke", 20.0, "ms", target=16, note="180 keystrokes"),
        Pending("inbox", "<= 150 ms", "no inbox screen yet"),
    ]
    assert [r.passed for r in results[:3]] == [True, True, False]  # approve: value, not ratio 25

    table = format_table(results).splitlines()
    assert table[0].split() == [
        "measurement",
        "value",
        "unit",
        "floor",
        "ratio",
        "target",
        "result",
    ]
    assert re.search(r"^start-up\s+900\.0\s+ms\s+300\.0\s+3\.00\s+ratio <= 4\s+pass$", table[2])
    assert table[4].endswith("MISS") and "<= 16 ms" in table[4]
    assert table[5].endswith("pending")
    assert "keystroke: 180 keystrokes" in table
    assert len({line.index("ms") for line in table[2:5]}) == 1  # the unit column lines up

    path = tmp_path / "bench-results.json"
    written = write_json(results, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == written
    check_shape(data)
    assert [d["name"] for d in data] == ["start-up", "approve", "keystroke"]
    assert data[0]["ratio"] == 3.0 and data[2]["floor"] is None


def test_statistics_and_demo_key() -> None:
    assert percentile([1, 2, 3, 4, 5], 50) == 3
    assert percentile(list(range(101)), 95) == 95
    assert percentile([10.0], 95) == 10.0
    assert re.fullmatch(r"[0-9a-f]{12}", county.demo_key())
    assert county.county_path().parent == county.BENCH_DIR


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
def test_filter_keystrokes_on_the_small_world(qapp, db_url: str, tmp_path: Path) -> None:
    world: World = populate(db_url)
    services = Services(db_url, clock=world_clock)
    ctx = caseload_filter.make_context(tmp_path, services, db_url)
    ctx.actor = services.auth.sign_in("ada", PASSWORD)
    try:
        screen = caseload_filter.open_screen(ctx, "team")
        try:
            assert screen.model.total == len(world.alder_offenders)
            keys = caseload_filter.typing("zz3 4")
            times = caseload_filter.keystroke_times(screen, keys + keys)
        finally:
            screen.close()
            screen.deleteLater()
    finally:
        ctx.runner.shutdown()
        services.close()
    assert len(times) == 2 * len(keys) and all(t > 0 for t in times)
    result = Measurement("filter keystroke p95, small world", percentile(times, 95), "ms", 16)
    check_shape([result.as_json()])


def test_stress_rows_are_the_services_shape() -> None:
    rows = caseload_filter.stress_rows(200, county.BENCH_DAY)
    assert len(rows) == 200 and len({r.offender_id for r in rows}) == 200
    assert all(
        r.search_key == r.search_key.lower() and r.reference in r.search_key.upper() for r in rows
    )


def test_the_report_exits_1_on_a_miss_only_with_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bench_main = importlib.import_module("tests.perf.__main__")

    def fast(_bench: object) -> list[Measurement]:
        return [Measurement("fast", 1.0, "ms", target=16)]

    def slow(_bench: object) -> list[Measurement]:
        return [Measurement("slow", 20.0, "ms", target=16)]

    def later(_bench: object) -> list[Measurement]:
        raise NotReady("not built yet")

    monkeypatch.setattr(bench_main.county, "ensure_county", lambda: tmp_path / "county.sqlite3")
    monkeypatch.setattr(
        bench_main,
        "MEASUREMENTS",
        (("fast", "fast", "<= 16 ms", fast), ("slow", "slow", "<= 16 ms", slow),
         ("later", "later", "<= 1 ms", later)),
    )  # fmt: skip
    path = tmp_path / "results.json"
    assert bench_main.main(["--json", str(path)]) == 0
    assert bench_main.main(["--json", str(path), "--check", "--only", "fast", "later"]) == 0
    assert bench_main.main(["--json", str(path), "--check"]) == 1
    out = capsys.readouterr().out
    assert "MISS" in out and "pending" in out and "MISSED: slow" in out
    data = json.loads(path.read_text(encoding="utf-8"))
    check_shape(data)
    assert [d["name"] for d in data] == ["fast", "slow"]
