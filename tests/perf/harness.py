"""What every benchmark returns, and the table and JSON file `make bench` writes.

`bench-results.json` is a list with one object per measurement taken:

    {"name": str, "value": float, "unit": str, "floor": float | null, "ratio": float | null,
     "target": float}

`floor` is the same operation done the barest way, measured in the same run on the same machine
(a bare PySide6 window for start-up, a bare sqlite3 UPDATE for approving a task), in `unit`;
`ratio` is value / floor. Both are null when the measurement has no floor.

`target` is compared with `ratio` for the measurements judged against their floor (`on="ratio"`:
start-up, the scrutiny pack) and with `value` for every other one, including approving a task,
whose floor is reported for context but whose target is absolute milliseconds. The table's target
column says which ("ratio <= 4" or "<= 30 ms"). A measurement passes when the compared number is
at most the target.

A measurement that cannot be taken yet (its screen or service has not been built) is not in the
JSON file; the table lists it as "pending" with the reason.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

JSON_KEYS = ("name", "value", "unit", "floor", "ratio", "target")


class NotReady(Exception):
    """The thing to measure does not exist yet; the message says what is missing."""


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float
    unit: str
    target: float
    floor: float | None = None
    on: Literal["value", "ratio"] = "value"  # which number the target bounds
    note: str = field(default="", compare=False)  # shown under the table, not in the JSON

    def __post_init__(self) -> None:
        if self.on == "ratio" and self.floor is None:
            raise ValueError(f"{self.name}: a ratio target needs a floor")

    @property
    def ratio(self) -> float | None:
        if self.floor is None:
            return None
        return self.value / self.floor if self.floor > 0 else math.inf

    @property
    def compared(self) -> float:
        ratio = self.ratio
        return ratio if self.on == "ratio" and ratio is not None else self.value

    @property
    def passed(self) -> bool:
        return self.compared <= self.target

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": _rounded(self.value),
            "unit": self.unit,
            "floor": None if self.floor is None else _rounded(self.floor),
            "ratio": None if self.ratio is None else _rounded(self.ratio),
            "target": self.target,
        }


@dataclass(frozen=True)
class Pending:
    """A measurement the issue asks for that cannot be taken yet."""

    name: str
    target: str  # as the table shows it, e.g. "<= 150 ms"
    reason: str


def _rounded(x: float) -> float:
    return round(x, 3) if math.isfinite(x) else x


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Bench:
    """What every measurement receives: the built county demo (never written to), a scratch folder
    for this run, how many runs to take of the measurements that repeat whole processes, and where
    progress goes."""

    county: Path
    work: Path
    runs: int = 5
    say: Callable[[str], None] = _say

    def copy(self, name: str) -> Path:
        """A private copy of the county demo for a measurement that writes."""
        from tests.perf.county import working_copy

        return working_copy(self.county, self.work, name)


# -- statistics -------------------------------------------------------------------------------


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("no samples")
    return statistics.median(samples)


def percentile(samples: Sequence[float], pct: float) -> float:
    """The `pct` percentile by linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# -- output -----------------------------------------------------------------------------------


def _num(x: float | None, digits: int | None = None) -> str:
    """One decimal, or two below 10 (a 0.4 s plan, a 0.06 ms update)."""
    if x is None:
        return "-"
    if not math.isfinite(x):
        return str(x)
    if digits is None:
        digits = 2 if abs(x) < 10 else 1
    return f"{x:,.{digits}f}"


def _target_text(m: Measurement) -> str:
    if m.on == "ratio":
        return f"ratio <= {m.target:g}"
    return f"<= {m.target:g} {m.unit}"


def format_table(results: Sequence[Measurement | Pending]) -> str:
    """An aligned, plain-text table: one line per measurement, MISS where a target is missed."""
    header = ("measurement", "value", "unit", "floor", "ratio", "target", "result")
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for r in results:
        if isinstance(r, Pending):
            rows.append((r.name, "-", "", "-", "-", r.target, "pending"))
            notes.append(f"{r.name}: pending: {r.reason}")
            continue
        rows.append(
            (
                r.name,
                _num(r.value),
                r.unit,
                _num(r.floor),
                _num(r.ratio, 2),
                _target_text(r),
                "pass" if r.passed else "MISS",
            )
        )
        if r.note:
            notes.append(f"{r.name}: {r.note}")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    right = {1, 3, 4}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    if notes:
        out.append("")
        out += notes
    return "\n".join(out)


def write_json(results: Sequence[Measurement | Pending], path: Path) -> list[dict[str, object]]:
    """Write the measurements taken (pending ones left out) and return what was written."""
    data = [r.as_json() for r in results if isinstance(r, Measurement)]
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def machine() -> str:
    """One line naming the machine and the software the figures were taken on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for text in f:
                if text.startswith("model name"):
                    cpu = text.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        import PySide6

        qt = f"PySide6 {PySide6.__version__}"
    except ImportError:
        qt = "PySide6 missing"
    try:
        load = "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        load = "load unknown"
    return (
        f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, {qt}; {load}"
    )
