"""The county demo the benchmarks run on: built once, reused while nothing that shapes it changes.

The built file lives at `.bench/county-seed1-<key>.sqlite3` in the repository root. The key is a
hash of the schema's migrations and of the code that generates and writes the demo, so a changed
generator or a new migration builds a new file (and the stale one is removed) instead of timing an
old database. Measurements never touch the built file: each one that writes (signing in writes the
audit log, approving writes tasks) gets its own copy from `working_copy`.

The demo treats `BENCH_DAY` as today, a fixed day so that every run times the same data; the
in-process measurements run their services on `bench_clock`, ten o'clock UTC that day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BENCH_DIR = REPO / ".bench"
SEED = 1
BENCH_DAY = dt.date(2026, 11, 23)  # a Monday: some sergeants are away, their cover is named
PASSWORD = "pillars-demo"  # every demo account's password

# Everything whose change changes the demo database.
_SHAPING = (
    "desktop/demo/*.py",
    "desktop/services/seeding.py",
    "desktop/services/passwords.py",
    "desktop/rules/policy_defaults.py",
    "db/models/*.py",
    "db/base.py",
    "db/enums.py",
    "db/migrations/versions/*.py",
)


def bench_clock() -> dt.datetime:
    return dt.datetime.combine(BENCH_DAY, dt.time(10, 0), tzinfo=dt.UTC)


def demo_key() -> str:
    """Twelve hex digits naming the demo that the code in this tree builds."""
    digest = hashlib.sha256(f"county seed={SEED} on={BENCH_DAY.isoformat()}".encode())
    for pattern in _SHAPING:
        for path in sorted(REPO.glob(pattern)):
            digest.update(path.relative_to(REPO).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def county_path() -> Path:
    return BENCH_DIR / f"county-seed{SEED}-{demo_key()}.sqlite3"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def ensure_county(say=lambda line: print(line, file=sys.stderr, flush=True)) -> Path:
    """The built county demo, building it first when this tree's generator has not built one.

    The build goes to a temporary name and is renamed when complete, so an interrupted build is
    never reused."""
    target = county_path()
    if target.exists():
        return target
    BENCH_DIR.mkdir(exist_ok=True)
    for stale in BENCH_DIR.glob(f"county-seed{SEED}-*.sqlite3"):
        _remove_sqlite(stale)
    partial = BENCH_DIR / f"building-{os.getpid()}.sqlite3"
    _remove_sqlite(partial)
    say(f"building the county demo (seed {SEED}, on {BENCH_DAY}) at {target} …")
    from desktop.demo import build_demo

    started = time.perf_counter()
    try:
        build_demo(sqlite_url(partial), scale="county", seed=SEED, on=BENCH_DAY)
        # Fold the write-ahead log into the file, so that a copy of the file is the database.
        with sqlite3.connect(partial) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        os.replace(partial, target)
    finally:
        _remove_sqlite(partial)
    say(f"built in {time.perf_counter() - started:.0f} s")
    return target


def working_copy(source: Path, folder: Path, name: str) -> Path:
    """A private copy of the demo for one measurement to write to."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{name}.sqlite3"
    _remove_sqlite(copy)
    shutil.copyfile(source, copy)
    os.chmod(copy, 0o600)
    return copy


def _remove_sqlite(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
