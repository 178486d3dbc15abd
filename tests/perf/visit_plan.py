"""A quarter's visit plan for the whole county. Target: at most 2 s (absolute, no floor).

What `pillars schedule --weeks 13` does, through the service, saved: on a fresh private copy of the
county demo each time, with the services' clock on the demo's day, `services.visits.schedule(day,
13, seed=1)` plans the next visit of every offender whose window opens in the 13 weeks from the
demo's day, force-wide, checks the plan against every rule, saves the visits and audits the run.
Each run opens its own `Services`, as each `pillars schedule` does (so SQL is compiled afresh),
after one unmeasured run that pays for the imports. The figure is the median of `RUNS`; the note
also gives the dry run (`persist=False`, planning and checking only) on the same copy first.
"""

from __future__ import annotations

import time

from tests.perf.county import BENCH_DAY, bench_clock, sqlite_url
from tests.perf.harness import Measurement, NotReady, median

WEEKS = 13
SEED = 1
RUNS = 3


def _run(bench, name: str) -> tuple[float, float, int]:
    """(seconds saved, seconds dry, visits planned) on a fresh copy."""
    from desktop.services.core import Services

    services = Services(sqlite_url(bench.copy(name)), clock=bench_clock)
    try:
        started = time.perf_counter()
        dry = services.visits.schedule(BENCH_DAY, WEEKS, SEED, persist=False)
        dry_s = time.perf_counter() - started
        services.close()
        services = Services(services.url, clock=bench_clock)
        started = time.perf_counter()
        saved = services.visits.schedule(BENCH_DAY, WEEKS, SEED)
        saved_s = time.perf_counter() - started
    finally:
        services.close()
    if saved.planned != dry.planned:
        raise RuntimeError("the saved plan differs from the dry run's")
    return saved_s, dry_s, len(saved.planned)


def measure(bench) -> list[Measurement]:
    try:
        from desktop.services.visits import VisitService
    except ImportError:
        raise NotReady("there is no visit service yet") from None
    if not hasattr(VisitService, "schedule"):
        raise NotReady("the visit service has no scheduler yet")
    _run(bench, "plan-warm-up")
    runs = [_run(bench, f"plan{i}") for i in range(RUNS)]
    planned = runs[-1][2]
    return [
        Measurement(
            name="visit plan, county quarter",
            value=median([r[0] for r in runs]),
            unit="s",
            target=2,
            note=f"{WEEKS} weeks from {BENCH_DAY:%d/%m/%Y}, {planned:,} visits planned and saved, "
            f"median of {RUNS}; planning alone (dry run) {median([r[1] for r in runs]):.2f} s",
        )
    ]
