"""Pausing Python's cyclic garbage collector while a command makes many objects.

Reading a document makes tens of thousands of small objects (cells, rows, figures) and keeps
them; the collector, started by allocation counts, walks every object still alive over and over
(Polars' modules included). That cost about a third of the time of reading many documents in one
process (64 documents: 14-16 ms a document with it, 10-11 ms without) and about 30 ms of a
one-document check (measured; `bench/README.md`). What the reader and the engine build holds no
reference cycles, so reference counting frees their garbage as it goes; any cyclic garbage made
inside a paused block waits for the collector to be switched back on (or for the process to end).
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
