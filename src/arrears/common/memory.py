"""The nightly batches' memory: the objects alive before a batch kept out of the collector's way.

A night makes millions of short-lived objects, and every full pass of Python's cyclic garbage
collector walks every long-lived object too — modules, Django's models and templates, compiled
profiles and strategies — about a tenth of the cycle's CPU (docs/BENCHMARKS.md, "Collection
night"). `long_lived_frozen()` moves those out of its sight (`gc.freeze`) for the batch and
back afterwards (`gc.unfreeze`); the batch's own objects are collected as usual.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_depth = threading.local()


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Run a batch with the objects alive before it frozen; nested uses freeze once."""
    outermost = not getattr(_depth, "value", 0)
    _depth.value = getattr(_depth, "value", 0) + 1
    if outermost:
        gc.freeze()
    try:
        yield
    finally:
        _depth.value -= 1
        if outermost:
            gc.unfreeze()
