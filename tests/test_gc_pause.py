"""The collector is off inside a paused stage and back as it was after, even on errors."""

from __future__ import annotations

import gc

import pytest

from optimizer.gc_pause import gc_paused


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block restores the outer pause, not "on"
    assert gc.isenabled()


def test_restored_when_the_stage_fails() -> None:
    @gc_paused()
    def stage() -> None:
        assert not gc.isenabled()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        stage()
    assert gc.isenabled()
