"""When Python's cyclic garbage collector may run by itself.

Start-up (issue #10): importing SQLAlchemy, the models and their mappers makes a few hundred
thousand objects that are never freed. Passes of the collector while they are made find nothing
and cost about a tenth of the time; once made, every full pass would walk them again. `lasting()`
pauses the collector for the block and then freezes everything made so far out of later passes
(`gc.freeze`): merely resuming would make the next allocation's pass scan them all at once (~25 ms
at start-up).

The desktop's background threads: the collector runs on whichever thread happens to allocate when
a threshold is crossed, and a pass frees whatever garbage cycles exist, the GUI's included. A
cycle holding a window or a timer freed on a background runner's thread deletes those Qt objects
on the wrong thread, which corrupts Qt and crashes the app some time later (the test suite's
segmentation fault of 22/11/2026; a probe counted windows, timers and a thread pool freed on the
runner's threads). So while the desktop runs work in the background, the collector does not run
by itself (`pause_collection`): the GUI thread collects instead (ui.collector).

Both hold the automatic collector off through one count, so they can overlap on any threads: it
resumes when the last hold is released, and only if it was on when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holds = 0  # lasting() blocks running and pause_collection() calls not yet released
_making = 0  # lasting() blocks running
_resume = False  # the automatic collector was on when the first hold began


def pause_collection() -> None:
    """Hold the automatic collector off until the matching `resume_collection`; whoever holds it
    collects when it suits them (`gc.collect`)."""
    global _holds, _resume
    with _lock:
        if _holds == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holds += 1


def resume_collection() -> None:
    """Release one `pause_collection`: the last one turns the collector back on if it was on."""
    global _holds
    with _lock:
        if _holds == 0:
            raise RuntimeError("resume_collection without pause_collection")
        _holds -= 1
        if _holds == 0 and _resume:
            gc.enable()


def making_lasting() -> bool:
    """A `lasting()` block is running somewhere: a pass now would walk what it is making."""
    return _making > 0


@contextmanager
def lasting() -> Iterator[None]:
    """Pause the collector while the block makes lasting objects, then freeze them (when the
    last block running ends). Nested or concurrent blocks, on any threads, are safe."""
    global _making
    pause_collection()
    with _lock:
        _making += 1
    try:
        yield
    finally:
        with _lock:
            _making -= 1
            if _making == 0:
                gc.freeze()
        resume_collection()
