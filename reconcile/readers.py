"""Reader processes for a batch, started before anything heavy is imported.

A batch's main process spends its first quarter second importing Polars and the engine, on one
core. Reader processes started at that moment import the reader on the other core meanwhile,
instead of later, while the main process is already reading (``reconcile check`` starts them
this way; ``batch.load_frames`` starts its own when given none). This module imports nothing
heavy (multiprocessing only when they are started), so that the main process can start them
first and a single document pays nothing for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# From this many files on, a batch is read in shares (``batch.load_frames``), in worker processes
# when there is more than one job; fewer are read one by one in the main process: workers cost
# more to start than they save, and the columns pay from a few documents on.
PARALLEL_FROM = 16


def default_jobs() -> int:
    """Readers when ``--jobs`` is not given: one per core this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def start(workers: int) -> ProcessPoolExecutor:
    """``workers`` reader processes, each importing the reader at once.

    Forked children inherit Polars' thread pool in whatever state it is in (a known source of
    hangs; importing Polars starts its threads), so workers are started fresh."""
    import multiprocessing  # only batches pay for these
    from concurrent.futures import ProcessPoolExecutor

    method = "forkserver" if sys.platform != "win32" else "spawn"
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    for _ in range(workers):
        pool.submit(_import_reader)
    return pool


def likely_batch(paths: Sequence[str]) -> bool:
    """Whether ``paths`` will probably be read as a batch (PARALLEL_FROM documents or more):
    worth starting reader processes for before the files are properly listed
    (``batch.discover``). Folders are counted roughly, by the names of their files."""
    count = 0
    for path in paths:
        if not os.path.isdir(path):
            count += 1
        for _root, dirs, names in os.walk(path):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            count += sum(name.lower().endswith(_SUFFIXES) for name in names)
            if count >= PARALLEL_FROM:
                return True
    return count >= PARALLEL_FROM


_SUFFIXES = (".txt", ".docx", ".toml")


def _import_reader() -> None:
    import reconcile.batch  # noqa: F401  (the import is the work)
