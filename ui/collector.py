"""Python's cyclic garbage collector, run on the GUI thread only while the desktop has background
threads (why: desktop.lasting).

Every BackgroundRunner holds the automatic collector off while it exists (`hold` / `release`);
meanwhile a timer on the GUI thread does what the automatic collector would have done: when the
allocations since the last pass pass the first threshold, it collects the generation CPython
would (its thresholds, `gc.get_threshold`, which the app raises at start-up, and its rule that
a full pass waits until the oldest generation has grown by a quarter).
Cycles are freed a few hundred milliseconds later than they would have been, on the thread
their Qt objects live in."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

from desktop.lasting import making_lasting, pause_collection, resume_collection

INTERVAL_MS = 200  # how often the GUI thread looks whether a pass is due


class _Oldest:
    """What Python keeps to decide whether a full pass is worth it: the oldest generation's size
    after the last full pass (`total`); CPython skips a full pass until a quarter as many again
    have joined it since. `checked_at`: the oldest generation's count when last measured."""

    total: int | None = None
    checked_at = -1
    grown = False


def _full_pass_worth_it(count: int) -> bool:
    """Measured at most once per pass of the middle generation (the oldest's count moves only
    then): counting the oldest generation walks all of it."""
    if count != _Oldest.checked_at:
        _Oldest.checked_at = count
        size = len(gc.get_objects(2))
        if _Oldest.total is None:
            _Oldest.total = size
        _Oldest.grown = size - _Oldest.total >= _Oldest.total // 4
    return _Oldest.grown


def due_generation() -> int | None:
    """The generation a pass would collect now, by CPython's rule: once the youngest's count has
    passed its threshold, the oldest generation whose count has passed its own (the oldest only
    when it has grown by a quarter since its last pass), else None."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if thresholds[0] <= 0 or counts[0] <= thresholds[0]:
        return None
    if counts[2] > thresholds[2] and _full_pass_worth_it(counts[2]):
        return 2
    if counts[1] > thresholds[1]:
        return 1
    return 0


def collect_due() -> int | None:
    """Collect the generation that is due, if any and if no lasting objects are being made; the
    generation collected."""
    generation = due_generation()
    if generation is None or making_lasting():
        return None
    gc.collect(generation)
    if generation == 2:
        _Oldest.total, _Oldest.checked_at = len(gc.get_objects(2)), -1
    return generation


class _GuiCollector(QObject):
    """The timer that collects on the GUI thread, for as long as a runner holds it."""

    def __init__(self) -> None:
        super().__init__()
        self.holders = 0
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        if self.holders == 0:  # released off the GUI thread: the timer stops here
            self.timer.stop()
            return
        collect_due()


_collector: _GuiCollector | None = None
_lock = threading.Lock()


def hold() -> None:
    """A runner was made (on the GUI thread): from now until its `release` the collector runs on
    this thread only."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        raise RuntimeError("the GUI-thread collector is held from the GUI thread")
    if _collector is None:
        _collector = _GuiCollector()
    with _lock:
        if _collector.holders == 0:
            pause_collection()
        _collector.holders += 1
    _collector.timer.start()


def release() -> None:
    """A runner has stopped (on any thread): the last one gives the automatic collector back."""
    if _collector is None:
        return
    with _lock:
        if _collector.holders == 0:
            return
        _collector.holders -= 1
        if _collector.holders > 0:
            return
        resume_collection()
    app = QCoreApplication.instance()
    if app is not None and QThread.currentThread() is app.thread():
        _collector.timer.stop()


def holders() -> int:
    """How many runners hold the collector to the GUI thread now."""
    return _collector.holders if _collector is not None else 0
