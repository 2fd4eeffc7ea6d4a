"""The nightly batches keep the long-lived objects out of the garbage collector's way, and give
them back afterwards — also when the batch fails, and once only when batches nest."""

from __future__ import annotations

import gc

import pytest

from arrears.common.memory import long_lived_frozen


def test_objects_alive_before_a_batch_are_frozen_during_it_and_thawed_after():
    gc.unfreeze()
    with long_lived_frozen():
        frozen = gc.get_freeze_count()  # objects may still die in there: counts only shrink
        assert frozen > 0
        made_in_the_batch = [[n] for n in range(5_000)]
        with long_lived_frozen():  # the collection night inside the cycle: not frozen again
            assert gc.get_freeze_count() <= frozen
        assert 0 < gc.get_freeze_count() <= frozen  # the inner batch did not thaw the outer one
        assert len(made_in_the_batch) == 5_000
    assert gc.get_freeze_count() == 0


def test_a_failed_batch_thaws_them_too():
    gc.unfreeze()
    with pytest.raises(RuntimeError), long_lived_frozen():
        raise RuntimeError("the night stopped")
    assert gc.get_freeze_count() == 0
    with long_lived_frozen():  # and the next night freezes again
        assert gc.get_freeze_count() > 0
