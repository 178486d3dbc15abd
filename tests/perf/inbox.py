"""HOOK, not measured yet: opening the inbox for a sergeant with 10,000 open tasks in the database.
Target: at most 150 ms. The inbox screen does not exist yet (a later issue adds it to
`ui/screens.py`), so `measure` raises NotReady and the table lists the measurement as pending.

When the screen lands, measure it the way `filter.py` measures the caseload: a private copy of the
county demo (`bench.copy("inbox")`) topped up to 10,000 open tasks (through the services or the
demo's seeding, owned by and routed to the sergeant's team, covers included), a sergeant signed in,
the real inbox screen shown and activated, timed from activation to its first paint with the tasks
in it (background load included), median of several opens. No floor: the target is absolute.
"""

from __future__ import annotations

import importlib.util

from tests.perf.harness import Measurement, NotReady

NAME = "inbox open, 10,000 tasks"
TARGET = "<= 150 ms"


def measure(bench) -> list[Measurement]:
    if importlib.util.find_spec("ui.inbox") is None:
        raise NotReady("the inbox screen (ui/inbox) does not exist yet")
    raise NotReady("ui/inbox exists now: write this measurement (see tests/perf/inbox.py)")
