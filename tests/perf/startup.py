"""Start-up: process start to a signed-in offender manager's caseload painted, against a bare
PySide6 window shown the same way. Target: ratio at most 4.

Both sides are fresh processes, `python <script>`, with the offscreen platform, started with the
same environment and a new, empty home folder each (first-run settings, nothing of the user's).
The time is from the parent's `time.monotonic()` just before `Popen` to the child's own
`time.monotonic()` when its table has painted (see `app_driver.py` and `floor_window.py`), so it
includes creating the process and the interpreter's start, and excludes reading the answer back.
The note adds each side's CPU time to that point, which a busy machine disturbs far less.

The app signs in as om01 (an offender manager of Alder team), whose caseload of about 60 opens by
default; the floor's table has as many rows. One unmeasured run of each warms the file cache,
then the app and the floor alternate (bytecode caches written, as on an installed app's second
start), so a busy spell on the shared machine hits both; each
figure is the median of its runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.perf.county import sqlite_url, working_copy
from tests.perf.harness import Measurement, median

HERE = Path(__file__).parent
APP_DRIVER = HERE / "app_driver.py"
FLOOR_WINDOW = HERE / "floor_window.py"
OFFENDER_MANAGER = "om01"
FLOOR_ROWS = 60
TIMEOUT_S = 180
STAGES = {
    "dialog": "sign-in dialog",
    "database": "database open",
    "window": "signed in",
    "rows": "rows loaded",
}


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.pop("PILLARS_DB_URL", None)
    # An installed app starts from compiled bytecode (pip compiles what it installs; a source
    # checkout writes __pycache__ on its first run). The floor's PySide6 always has it; without
    # this, a shell that sets PYTHONDONTWRITEBYTECODE would make the app alone compile every
    # module on every start. The unmeasured warm-up run writes the cache.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["HOME"] = str(home)
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        env[var] = str(home / sub)
    return env


def run_child(args: list[str], work: Path, expect: str) -> tuple[float, str]:
    """Start `python *args` in a fresh home and wait for it to end; return the `time.monotonic()`
    read just before starting it and the rest of its report line that began with `expect`."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=work))
    env = child_env(home)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=work,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    for line in out.splitlines():
        word, _, rest = line.partition(" ")
        if word == expect:
            return started, rest
    raise RuntimeError(
        f"{Path(args[0]).name} did not report {expect!r} (exit {proc.returncode}):\n"
        f"{out[-2000:]}\n{err[-4000:]}"
    )


def time_to_paint(args: list[str], work: Path) -> tuple[float, dict[str, float], str]:
    """Milliseconds from starting the child to its `painted <monotonic> [stage=<monotonic> …]
    [heavy=<modules>]` report, to each stage it names, and the heavy modules it had loaded."""
    started, rest = run_child(args, work, "painted")
    painted, *named = rest.split()
    stages = {}
    heavy = ""
    for item in named:
        what, _, at = item.partition("=")
        if what == "heavy":
            heavy = at
        elif what == "cpu":
            stages[what] = float(at) * 1000
        else:
            stages[what] = (float(at) - started) * 1000
    return (float(painted) - started) * 1000, stages, heavy


def measure(bench) -> list[Measurement]:
    db = working_copy(bench.county, bench.work, "startup")
    url = sqlite_url(db)
    app_args = [str(APP_DRIVER), "startup", url, OFFENDER_MANAGER]
    floor_args = [str(FLOOR_WINDOW), str(FLOOR_ROWS)]
    time_to_paint(app_args, bench.work)  # warm the file cache
    time_to_paint(floor_args, bench.work)
    app_runs: list[float] = []
    floor_runs: list[float] = []
    stages: dict[str, list[float]] = {}
    floor_cpu: list[float] = []
    heavy = ""
    for _ in range(bench.runs):
        took, seen, heavy = time_to_paint(app_args, bench.work)
        app_runs.append(took)
        for what, at in seen.items():
            stages.setdefault(what, []).append(at)
        took, seen, _ = time_to_paint(floor_args, bench.work)
        floor_runs.append(took)
        floor_cpu.append(seen["cpu"])
    app_cpu = stages.pop("cpu")
    bench.say(
        "start-up runs (ms): app "
        + ", ".join(f"{t:.0f}" for t in app_runs)
        + "; floor "
        + ", ".join(f"{t:.0f}" for t in floor_runs)
    )
    way = ", ".join(f"{STAGES.get(what, what)} {median(at):.0f}" for what, at in stages.items())
    return [
        Measurement(
            name="start-up to caseload painted",
            value=median(app_runs),
            unit="ms",
            floor=median(floor_runs),
            target=4,
            on="ratio",
            note=f"median of {bench.runs}; {OFFENDER_MANAGER}'s own caseload; floor: bare "
            f"QMainWindow + QTableWidget of {FLOOR_ROWS} rows; on the way (median ms): {way}; "
            f"slow imports loaded by then: {heavy.replace(',', ', ') or 'not reported'}; CPU "
            f"(all threads, median): app {median(app_cpu):.0f} ms, floor {median(floor_cpu):.0f} "
            f"ms, ratio {median(app_cpu) / median(floor_cpu):.2f}",
        )
    ]
