"""Python's cyclic garbage collector, run on the GUI thread only while the desktop has background
threads (why: desktop.lasting).

Every BackgroundRunner holds the automatic collector off while it exists (`hold` / `release`);
meanwhile a timer on the GUI thread does what the automatic collector would have done: when the
allocations since the last pass reach the first threshold, it collects the oldest generation
that is due, by Python's own thresholds (`gc.get_threshold`, which the app raises at start-up).
Cycles are freed a few hundred milliseconds later than they would have been, on the thread
their Qt objects live in."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer

from desktop.lasting import making_lasting, pause_collection, resume_collection

INTERVAL_MS = 200  # how often the GUI thread looks whether a pass is due


def due_generation() -> int | None:
    """The generation a pass would collect now (as the automatic collector chooses: the oldest
    whose count has reached its threshold), or None when the youngest has not reached its own."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if thresholds[0] <= 0 or counts[0] < thresholds[0]:
        return None
    generation = 0
    for older in (1, 2):
        if counts[older] >= thresholds[older]:
            generation = older
    return generation


def collect_due() -> int | None:
    """Collect the generation that is due, if any and if no lasting objects are being made; the
    generation collected."""
    generation = due_generation()
    if generation is None or making_lasting():
        return None
    gc.collect(generation)
    return generation


class _GuiCollector(QObject):
    """The timer that collects on the GUI thread, for as long as a runner holds it."""

    def __init__(self) -> None:
        super().__init__()
        self.holders = 0
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(collect_due)


_collector: _GuiCollector | None = None


def hold() -> None:
    """A runner was made (on the GUI thread): from now until its `release` the collector runs on
    this thread only."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        raise RuntimeError("the GUI-thread collector is held from the GUI thread")
    if _collector is None:
        _collector = _GuiCollector()
    if _collector.holders == 0:
        pause_collection()
        _collector.timer.start()
    _collector.holders += 1


def release() -> None:
    """A runner has stopped: the last one gives the automatic collector back."""
    if _collector is None or _collector.holders == 0:
        return
    _collector.holders -= 1
    if _collector.holders == 0:
        _collector.timer.stop()
        resume_collection()


def holders() -> int:
    """How many runners hold the collector to the GUI thread now."""
    return _collector.holders if _collector is not None else 0
