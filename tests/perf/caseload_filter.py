"""One filter keystroke in the caseload, 95th percentile. Targets (absolute, no floor): 16 ms (one
frame) on the county's team view and force view, 50 ms on a 100,000-row stress caseload.

In this process, offscreen, with the app's stylesheet: a real `CaseloadScreen` at the size it has
in a 1,760-pixel main window, loaded through its own `activate()` (the background first load) and,
for the force view, its scope box. The stress caseload is fed through the same path: the screen's
services are a stand-in whose `caseload.load` returns 100,000 synthetic `CaseloadRow`s.

Each keystroke is a real key event (`QTest.keyClick` on the filter box, as a person's typing
reaches it: the line edit changes, `textChanged` runs the screen's slot, the model filters and
resets) followed by `processEvents()`, which runs the view's delayed relayout and the window's
repaint. The time is from just before the key event to the end of `processEvents()` (the note
also gives the GUI thread's CPU time, which a busy machine disturbs far less); a Paint
counter on the table's viewport checks that each keystroke that changed the rows repainted them.
The typing is `ROUNDS`: five times a surname fragment, a postcode and a reference fragment, each
typed and deleted a character at a time, different text each round, after one unmeasured round.
The notes end with how long a bare QTableWidget of the same size takes to repaint on this machine
at the time: a yardstick for reading absolute targets on a machine whose speed wanders.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.services.actor import Actor
from desktop.services.caseload import Caseload, CaseloadRow, Scope, search_key
from tests.perf.county import BENCH_DAY, PASSWORD, bench_clock, sqlite_url
from tests.perf.harness import Measurement, percentile
from ui.background import BackgroundRunner
from ui.caseload.screen import CaseloadScreen
from ui.context import AppContext

SCREEN_SIZE = (1610, 900)  # the caseload's share of a 1,760 x 1,000 main window
BACKSPACE = Qt.Key.Key_Backspace
Key = str | Qt.Key


def typing(text: str) -> list[Key]:
    """Type `text`, then delete it a character at a time."""
    return [*text, *([BACKSPACE] * len(text))]


def sequence(surname: str, postcode: str, reference: str) -> list[Key]:
    return [*typing(surname), *typing(postcode), *typing(reference)]


# What a person types into the filter: part of a surname, a postcode, part of a reference. Each
# round types different text, so a model that remembered earlier answers would gain nothing from
# the repetition; the first round only warms up.
WARM_UP = sequence("pebb", "zz6 9", "zz/2017/2")
ROUNDS: tuple[list[Key], ...] = (
    sequence("bram", "zz3 4", "zz/2019/4"),
    sequence("cobb", "zz1 2", "zz/2021/1"),
    sequence("thist", "zz5 7", "zz/2015/7"),
    sequence("pick", "zz2 9", "zz/2023/3"),
    sequence("nett", "zz4 1", "zz/2012/8"),
)
STRESS_ROWS = 100_000


# -- driving the screen -------------------------------------------------------------------------


class PaintCounter(QObject):
    def __init__(self, widget: QObject) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def wait_until(done: Callable[[], bool], timeout_s: float = 120.0) -> None:
    """Run the event loop until `done()`; raise TimeoutError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the caseload did not load in time")
        QTimer.singleShot(10, loop.quit)
        loop.exec()


def open_screen(ctx: AppContext, scope: str | None = None) -> CaseloadScreen:
    """A shown caseload screen with its first load done and, when given, `scope` loaded."""
    screen = CaseloadScreen(ctx)
    screen.resize(*SCREEN_SIZE)
    screen.show()
    loads: list[int] = []
    screen.loaded.connect(lambda: loads.append(1))
    screen.activate()
    wait_until(lambda: bool(loads) and not ctx.runner.busy)
    if scope is not None:
        box = screen.scope_box
        position = box.findData(scope)
        if position < 0:
            raise ValueError(f"{ctx.officer.username} cannot see the {scope} caseload")
        if position != box.currentIndex():
            before = len(loads)
            box.setCurrentIndex(position)
            wait_until(lambda: len(loads) > before and not ctx.runner.busy)
    QApplication.processEvents()
    return screen


def keystroke_times(
    screen: CaseloadScreen, keys: Sequence[Key], cpu: list[float] | None = None
) -> list[float]:
    """Milliseconds per keystroke, typed into the screen's filter box. A keystroke that changed
    what the table shows must have repainted its viewport; one that did not change the filter
    (a space, say) may leave it alone. `cpu`, when given, receives the GUI thread's CPU
    milliseconds per keystroke: unlike the elapsed time, other programs on the machine barely
    move it."""
    box = screen.filter_box
    box.setFocus()
    box.clear()
    QApplication.processEvents()
    paints = PaintCounter(screen.table.viewport())
    resets: list[int] = []
    screen.model.modelReset.connect(lambda: resets.append(1))
    times: list[float] = []
    for key in keys:
        painted, reset = paints.count, len(resets)
        started, started_cpu = time.perf_counter(), time.thread_time()
        QTest.keyClick(box, key)
        QApplication.processEvents()
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - started_cpu) * 1000)
        if len(resets) > reset and paints.count == painted:
            raise RuntimeError(f"the caseload was not repainted after {key!r}")
    if box.text():
        raise RuntimeError(f"the typing left {box.text()!r} in the filter box")
    return times


# -- the stress caseload --------------------------------------------------------------------------


def stress_rows(count: int, on: dt.date, seed: int = 1) -> list[CaseloadRow]:
    """`count` synthetic, obviously fictional caseload rows in the shape the service returns."""
    from desktop.demo.names import FEMALE_FORENAMES, INWARD_LETTERS, MALE_FORENAMES, SURNAMES

    rng = random.Random(seed)
    forenames = MALE_FORENAMES + FEMALE_FORENAMES
    managers = [
        (i + 1, f"{rng.choice(forenames)} {rng.choice(SURNAMES)}") for i in range(count // 60)
    ]
    rows = []
    for i in range(count):
        forename, surname = rng.choice(forenames), rng.choice(SURNAMES)
        name = f"{forename} {surname}"
        reference = f"ZZ/{rng.randint(2008, 2026)}/{rng.randint(0, 999_999):06d}"
        aliases = [f"{rng.choice(forenames)} {rng.choice(SURNAMES)}"] if rng.random() < 0.2 else []
        no_fixed_abode = rng.random() < 0.02
        postcode = (
            ""
            if no_fixed_abode
            else f"ZZ{rng.randint(1, 9)} {rng.randint(1, 9)}"
            + "".join(rng.choice(INWARD_LETTERS) for _ in range(2))
        )
        status = rng.choices(["community", "custody", "hospital", "abroad"], [90, 7, 2, 1])[0]
        risk = rng.choice(["low", "medium", "high", "very_high", None])
        last_seen = on - dt.timedelta(days=rng.randint(1, 400)) if rng.random() < 0.95 else None
        due = on + dt.timedelta(days=rng.randint(-60, 180)) if status == "community" else None
        review = on + dt.timedelta(days=rng.randint(-30, 360)) if risk else None
        manager_id, manager = rng.choice(managers) if rng.random() < 0.98 else (None, "")
        rows.append(
            CaseloadRow(
                offender_id=i + 1,
                reference=reference,
                name=name,
                aliases="; ".join(aliases),
                postcode=postcode,
                risk_level=risk,
                mappa_category=rng.choice([1, 1, 1, 2, 3]),
                mappa_level=rng.choice([1, 1, 2, 3]),
                status=status,
                manager=manager,
                manager_id=manager_id,
                last_seen=last_seen,
                next_visit_due=due,
                visit_overdue=due is not None and due < on,
                arms_review_due=review,
                arms_overdue=review is not None and review < on,
                open_tasks=rng.choice([0, 0, 0, 1, 2]),
                breaches=rng.choice([0] * 20 + [1, 2]),
                released_on=None,
                reactive_management=False,
                search_key=search_key(reference, name, aliases, postcode),
                no_fixed_abode=no_fixed_abode,
                surname=surname,
            )
        )
    rows.sort(key=lambda r: (r.surname.casefold(), r.name.casefold(), r.reference))
    return rows


class _StressCaseloads:
    def __init__(self, rows: list[CaseloadRow], on: dt.date) -> None:
        self.rows, self.on = rows, on

    def allowed_scopes(self, _actor: Actor) -> list[Scope]:
        return [Scope.FORCE]

    def default_scope(self, _actor: Actor) -> Scope:
        return Scope.FORCE

    def load(self, _actor: Actor, scope: Scope | str, **_kw: object) -> Caseload:
        return Caseload(scope=Scope(scope), rows=self.rows, benchmark=50, on=self.on)


class StressServices:
    """Just enough of `Services` for the caseload screen: its caseload service."""

    location = "stress caseload (synthetic, in memory)"

    def __init__(self, rows: list[CaseloadRow], on: dt.date) -> None:
        self.caseload = _StressCaseloads(rows, on)

    def close(self) -> None:
        pass


STRESS_ACTOR = Actor(
    officer_id=1,
    username="stress",
    display_name="Stress Test",
    role="team_manager",
    team_id=None,
    team_name="",
)


# -- the machine's speed --------------------------------------------------------------------------


def bare_repaint_ms(rows: int = 60, repaints: int = 60) -> float:
    """Median milliseconds a bare QTableWidget the caseload's size, full of caseload-like text,
    takes to repaint its viewport. Not a floor for the targets, which are absolute: a yardstick for
    reading them, since a shared machine's speed wanders."""
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

    sample = (
        "ZZ/2019/123456", "Keith Burdockbucket", "Very high", "C1 / L1", "Community",
        "Alan Marrowtumble", "12/03/2026", "OVERDUE 01/02/2026", "14/05/2027", "2", "None",
    )  # fmt: skip
    table = QTableWidget(rows, len(sample))
    try:
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        for r in range(rows):
            for c, text in enumerate(sample):
                table.setItem(r, c, QTableWidgetItem(text))
        table.resize(*SCREEN_SIZE)
        table.show()
        QApplication.processEvents()
        viewport = table.viewport()
        for _ in range(5):
            viewport.repaint()
        took = []
        for _ in range(repaints):
            started = time.perf_counter()
            viewport.repaint()
            took.append((time.perf_counter() - started) * 1000)
    finally:
        table.close()
        table.deleteLater()
        QApplication.processEvents()
    return percentile(took, 50)


# -- the measurement ----------------------------------------------------------------------------


def make_context(settings_dir: Path, services: object, url: str = "") -> AppContext:
    settings = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
    return AppContext(settings=settings, runner=BackgroundRunner(), url=url, services=services)


def _p95(ctx: AppContext, scope: str | None, name: str, target: float, note: str) -> Measurement:
    screen = open_screen(ctx, scope)
    try:
        rows = screen.model.total
        keystroke_times(screen, WARM_UP)  # glyph caches, first calls
        cpu: list[float] = []
        times = [t for keys in ROUNDS for t in keystroke_times(screen, keys, cpu)]
    finally:
        screen.close()
        screen.deleteLater()
        QApplication.processEvents()
    return Measurement(
        name=name,
        value=percentile(times, 95),
        unit="ms",
        target=target,
        note=f"{note}, {rows:,} rows; {len(times)} keystrokes, median "
        f"{percentile(times, 50):.1f} ms, max {max(times):.1f} ms; GUI-thread CPU p95 "
        f"{percentile(cpu, 95):.1f} ms, median {percentile(cpu, 50):.1f} ms",
    )


def measure(bench) -> list[Measurement]:
    from desktop.services.core import Services
    from ui.app import make_application

    make_application(["pillars-bench"])  # named and styled as the app is
    url = sqlite_url(bench.copy("filter"))  # signing in writes the audit log
    results = []
    services = Services(url, clock=bench_clock)
    with tempfile.TemporaryDirectory(dir=bench.work) as folder:
        try:
            for username, scope, name, note in (
                ("om01", "team", "filter keystroke p95, team view", "om01's team (Alder)"),
                ("tm01", "force", "filter keystroke p95, force view", "tm01, whole force"),
            ):
                ctx = make_context(Path(folder), services, url)
                ctx.actor = services.auth.sign_in(username, PASSWORD)
                try:
                    results.append(_p95(ctx, scope, name, 16, note))
                finally:
                    ctx.runner.shutdown()
        finally:
            services.close()
        stress = StressServices(stress_rows(STRESS_ROWS, BENCH_DAY), BENCH_DAY)
        ctx = make_context(Path(folder), stress)
        ctx.actor = STRESS_ACTOR
        try:
            results.append(
                _p95(ctx, None, "filter keystroke p95, 100,000 rows", 50, "synthetic rows")
            )
        finally:
            ctx.runner.shutdown()
    yardstick = f"; a bare QTableWidget this size repaints in {bare_repaint_ms():.1f} ms here"
    return [replace(m, note=m.note + yardstick) for m in results]
