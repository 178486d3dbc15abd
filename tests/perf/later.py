"""HOOKS, not measured yet: the measurements of later issues. Each raises NotReady, and the table
lists it as pending, until its feature exists and the measurement is written here.

- A quarter's visit plan for the whole county: at most 2 s. When visit planning (`pillars
  schedule`) has a service, time planning 13 weeks from the demo's day for every team on a private
  copy of the county demo (`bench.copy("plan")`), median of a few runs. No floor.
- A 20-record scrutiny pack: at most 1.5 times bare reportlab drawing the same pages. When
  `desktop/reports` has the pack, time building a 20-record pack for one team's fortnight; the
  floor is plain reportlab canvas calls drawing the same pages' text and tables (no services, no
  database), in the same run, median of each. The target bounds the ratio (`on="ratio"`).
"""

from __future__ import annotations

from tests.perf.harness import Measurement, NotReady

VISIT_PLAN = "visit plan, county quarter"
VISIT_PLAN_TARGET = "<= 2 s"
PACK = "scrutiny pack, 20 records"
PACK_TARGET = "ratio <= 1.5"


def measure_visit_plan(bench) -> list[Measurement]:
    raise NotReady("a later issue: visit planning is not built yet")


def measure_pack(bench) -> list[Measurement]:
    raise NotReady("a later issue: the scrutiny pack is not built yet")
