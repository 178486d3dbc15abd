"""Start-up (issue #10): making the objects that live as long as the process without the garbage
collector's passes over them.

Importing SQLAlchemy, the models and their mappers makes a few hundred thousand objects that are
never freed. Passes of the collector while they are made find nothing and cost about a tenth of
the time; once made, every full pass would walk them again. `lasting()` pauses the collector for
the block and then freezes everything made so far out of later passes (`gc.freeze`): merely
resuming would make the next allocation's pass scan them all at once (~25 ms at start-up).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def lasting() -> Iterator[None]:
    """Pause the collector while the block makes lasting objects, then freeze them. Nested or
    concurrent blocks are safe: only the outermost resumes (the collector state is global)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
