"""Peak memory with the county open and every screen visited. Target: at most 350 MB.

A fresh process (`app_driver.py memory`, see there) runs the real start-up on a private copy of
the county demo, signs in as team manager tm01, switches the caseload to the whole force, opens
five records one after another, visits every screen of `ui.screens.SCREENS` and reports the
process's peak resident set, `getrusage(RUSAGE_SELF).ru_maxrss`, in MB (1 MB = 1,024 KB).
"""

from __future__ import annotations

from tests.perf.county import sqlite_url
from tests.perf.harness import Measurement
from tests.perf.startup import APP_DRIVER, run_child

TEAM_MANAGER = "tm01"


def measure(bench) -> list[Measurement]:
    url = sqlite_url(bench.copy("memory"))
    _, extra = run_child([str(APP_DRIVER), "memory", url, TEAM_MANAGER], bench.work, "maxrss")
    words = extra.split()  # "<MB> rows <caseload rows>"
    peak_mb = float(words[0])
    rows = int(words[2]) if len(words) > 2 else 0
    return [
        Measurement(
            name="peak memory, county, every screen",
            value=peak_mb,
            unit="MB",
            target=350,
            note=f"{TEAM_MANAGER}, force caseload of {rows:,} rows, 5 records open",
        )
    ]
