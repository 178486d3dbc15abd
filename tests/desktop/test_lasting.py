"""desktop.lasting: start-up's lasting objects are made without collector passes and then frozen
out of later ones (issue #10)."""

from __future__ import annotations

import gc

from desktop.lasting import lasting


class Node:
    def __init__(self) -> None:
        self.children: list[Node] = []


def test_the_block_runs_without_passes_and_its_objects_are_frozen_afterwards() -> None:
    passes: list[str] = []

    def count(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(phase)

    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    gc.callbacks.append(count)
    try:
        with lasting():
            assert not gc.isenabled()
            made = [Node() for _ in range(50_000)]  # well past the young generation's threshold
        assert passes == []
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(made)
    finally:
        gc.callbacks.remove(count)
        gc.unfreeze()  # give this test's objects back to the collector


def test_a_collector_paused_outside_stays_paused() -> None:
    gc.disable()
    try:
        with lasting():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
