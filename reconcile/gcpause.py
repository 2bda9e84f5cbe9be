"""Pausing Python's cyclic garbage collector while a command makes many objects.

Reading a document makes tens of thousands of small objects (cells, rows, figures) and keeps
them; the collector, started by allocation counts, walks every object still alive over and over
(Polars' modules included), which cost about a third of the reading time of a batch and about
30 ms of a one-document check (measured; `bench/README.md`). The model and the engine make no
reference cycles, so reference counting frees all of their garbage without the collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Switch the cyclic collector off for the block, and back on (if it was on) afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
