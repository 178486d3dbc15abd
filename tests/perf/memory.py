"""Peak memory with the county open and every screen visited. Target: at most 350 MB.

A fresh process (`app_driver.py memory`, see there) runs the real start-up on a private copy of
the county demo, signs in as team manager tm01, switches the caseload to the whole force, opens
five records one after another, visits every screen of `ui.screens.SCREENS` and reports the
process's peak resident set (VmHWM, not ru_maxrss: see `app_driver.peak_rss_kb`), in MB (1 MB =
1,024 KB). Three such processes; the figure is their median, the note gives the range.
"""

from __future__ import annotations

from tests.perf.county import sqlite_url
from tests.perf.harness import Measurement, median
from tests.perf.startup import APP_DRIVER, run_child

TEAM_MANAGER = "tm01"
RUNS = 3


def measure(bench) -> list[Measurement]:
    peaks: list[float] = []
    rows = 0
    for run in range(RUNS):
        url = sqlite_url(bench.copy(f"memory{run}"))
        args = [str(APP_DRIVER), "memory", url, TEAM_MANAGER]
        _, extra = run_child(args, bench.work, "peak")
        words = extra.split()  # "<MB> rows <caseload rows>"
        peaks.append(float(words[0]))
        rows = int(words[2])
    return [
        Measurement(
            name="peak memory, county, every screen",
            value=median(peaks),
            unit="MB",
            target=350,
            note=f"median of {RUNS} ({min(peaks):.0f}-{max(peaks):.0f} MB); {TEAM_MANAGER}, force "
            f"caseload of {rows:,} rows, 5 records open, {screens()} visited",
        )
    ]


def screens() -> str:
    from ui.screens import SCREENS

    titles = [spec.title for spec in SCREENS]
    return f"{len(titles)} screen{'s' if len(titles) != 1 else ''} ({', '.join(titles)})"
