"""`python -m tests.perf` (`make bench`): build or reuse the county demo, take every measurement,
print a table and write `bench-results.json` in the repository root (its format: harness.py).

    python -m tests.perf [--check] [--runs N] [--only KEY ...] [--json PATH]

Exit status 0 even when a target is missed (the table says MISS): it is a report. With `--check`,
a missed target exits 1. Measurements not yet possible are listed as pending and never fail; a
measurement that breaks (raises) is listed with its traceback on stderr and the exit status is 2.
Run with QT_QPA_PLATFORM=offscreen (the Makefile sets it). Timings depend on what else the machine
is doing: run it when the machine is otherwise quiet.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from tests.perf import (
    approve,
    caseload_filter,
    county,
    inbox,
    memory,
    pack,
    startup,
    visit_plan,
)
from tests.perf.harness import (
    Bench,
    Measurement,
    NotReady,
    Pending,
    format_table,
    machine,
    write_json,
)

# key, the measurement's name and target as the table shows them while pending, the function.
MEASUREMENTS: tuple[tuple[str, str, str, Callable[[Bench], list[Measurement]]], ...] = (
    ("startup", "start-up to caseload painted", "ratio <= 4", startup.measure),
    ("filter", "filter keystroke p95", "<= 16 / 50 ms", caseload_filter.measure),
    ("inbox", inbox.NAME, inbox.TARGET, inbox.measure),
    ("approve", "approve one task (SQLite)", "<= 30 ms", approve.measure),
    ("plan", "visit plan, county quarter", "<= 2 s", visit_plan.measure),
    ("pack", pack.NAME, "ratio <= 1.5", pack.measure),
    ("memory", "peak memory, county, every screen", "<= 350 MB", memory.measure),
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    keys = [key for key, *_ in MEASUREMENTS]
    parser = argparse.ArgumentParser(
        prog="python -m tests.perf",
        description="Pillars benchmarks: a table on stdout and bench-results.json.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--runs", type=int, default=5, help="fresh processes per side for start-up (default 5)"
    )
    parser.add_argument("--only", nargs="+", choices=keys, metavar="KEY", help=", ".join(keys))
    parser.add_argument(
        "--json",
        type=Path,
        default=county.REPO / "bench-results.json",
        help="where to write the results (default: bench-results.json in the repository)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(f"machine: {machine()}", file=sys.stderr, flush=True)
    work = Path(tempfile.mkdtemp(prefix="pillars-bench-"))
    results: list[Measurement | Pending] = []
    failed = False
    try:
        bench = Bench(county=county.ensure_county(), work=work, runs=max(1, args.runs))
        for key, name, target, measure in MEASUREMENTS:
            if args.only and key not in args.only:
                continue
            bench.say(f"measuring {key} …")
            started = time.perf_counter()
            try:
                results.extend(measure(bench))
            except NotReady as exc:
                results.append(Pending(name, target, str(exc)))
            except Exception:
                failed = True
                traceback.print_exc()
                results.append(Pending(name, target, "FAILED: the measurement raised (see above)"))
            bench.say(f"  {key}: {time.perf_counter() - started:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(format_table(results))
    print()
    print(f"machine: {machine()}")
    write_json(results, args.json)
    print(f"wrote {args.json}")
    missed = [r.name for r in results if isinstance(r, Measurement) and not r.passed]
    if missed:
        print(f"MISSED: {', '.join(missed)}")
    if failed:
        return 2
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
