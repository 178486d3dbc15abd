"""desktop.lasting: start-up's lasting objects are made without collector passes and then frozen
out of later ones (issue #10)."""

from __future__ import annotations

import gc

import pytest

from desktop.lasting import lasting, pause_collection, resume_collection


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


def test_the_collector_resumes_only_when_the_last_hold_is_released() -> None:
    assert gc.isenabled()
    pause_collection()  # a runner, say
    try:
        frozen_before = gc.get_freeze_count()
        with lasting():  # start-up's imports on another thread meanwhile
            pause_collection()  # a second runner
            assert not gc.isenabled()
            made = [Node() for _ in range(1_000)]
        # The block froze what it made although the collector was held off.
        assert gc.get_freeze_count() >= frozen_before + len(made)
        assert not gc.isenabled()
        resume_collection()
        assert not gc.isenabled()
    finally:
        resume_collection()
        gc.unfreeze()
    assert gc.isenabled()


def test_a_resume_without_a_pause_is_refused() -> None:
    with pytest.raises(RuntimeError, match="without pause_collection"):
        resume_collection()
    assert gc.isenabled()
