"""The files of a run (``discover``) and, for a batch, its reader processes, started before
anything heavy is imported.

A batch's main process spends its first quarter second importing Polars and the engine, on one
core. Reader processes started at that moment import the reader on the other core meanwhile,
instead of later, while the main process is already reading. ``reconcile check`` lists the files
first, with this module, and starts them this way when the files make a batch;
``batch.load_frames`` starts its own when given none. This module imports nothing heavy
(multiprocessing only when they are started), so a single document pays nothing for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reconcile.errors import ReadFailure, why

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# From this many files on, a run is a batch, read in shares (``batch.load_frames``), in worker
# processes when there is more than one job; fewer are read one by one in the main process:
# workers cost more to start than they save, and the columns pay from a few documents on.
PARALLEL_FROM = 16


def _is_canonical_toml(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    from reconcile.model import SCHEMA_DISCLOSURE  # the model only where a .toml is found

    return SCHEMA_DISCLOSURE.encode() in head


def discover(paths: Iterable[str]) -> tuple[list[str], list[ReadFailure]]:
    """Files to read: files as given, folders searched recursively for .txt, .docx and .toml
    files whose schema is reconcile.disclosure/1; other files in folders are skipped."""
    files: list[str] = []
    errors: list[ReadFailure] = []
    for given in paths:
        if given == "-":
            files.append(given)
            continue
        p = Path(given)
        try:
            is_dir, exists = p.is_dir(), p.exists()
        except (OSError, ValueError) as exc:  # a name too long, a NUL in it
            errors.append(ReadFailure(given, why(exc)))
            continue
        if is_dir:
            found = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    child = Path(root) / name
                    suffix = child.suffix.lower()
                    if name.startswith((".", "~$")) or suffix not in (".txt", ".docx", ".toml"):
                        continue
                    # only files: a named pipe among them would wait for a writer for ever
                    if _is_regular(child) and (suffix != ".toml" or _is_canonical_toml(child)):
                        found.append(str(child))
            files.extend(found)
        elif exists:
            files.append(given)  # as given: a pipe (``<(cat …)``) is read as it comes
        else:
            errors.append(ReadFailure(given, "no such file or folder"))
    named: list[str] = []
    for path in files:
        if _utf8_name(path):
            named.append(path)
        else:
            errors.append(ReadFailure(_shown(path), NAME_NOT_UTF8))
    return named, errors


# A name that is not UTF-8 (a GBK name unpacked on Linux) reaches Python with its bytes as lone
# surrogates, which no report, Polars column or terminal can hold: such a file is listed, with
# its bytes shown as \xNN, and the others are read (the whole run ended in an internal error).
NAME_NOT_UTF8 = "the file's name is not UTF-8: rename it to read it (e.g. convmv -f gbk -t utf-8)"


def _utf8_name(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(path: str) -> str:
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_regular(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def is_batch(files: Sequence[str]) -> bool:
    """Whether ``files`` (as ``discover`` found them) are read as a batch, in shares."""
    return len(files) >= PARALLEL_FROM and "-" not in files


# Polars allocates through its own jemalloc, set to hand pages freed half a second ago back to
# the system (dirty_decay_ms 500, muzzy_decay_ms 1000). A batch frees and makes its shares'
# frames several times a second, so it got most of those pages back by faulting them in again.
# Kept for 5 s, the 1,000-document batch of bench_check.py took 370,000 -> 280,000 page faults,
# 1.14 -> 0.84 s of system time and 4.15 -> 3.87 s (medians of 8 interleaved runs), for about
# 90 MiB more at the peak of its processes (602 -> 691 MiB); a longer batch reuses the pages it
# keeps, so it does not keep more.
ALLOCATOR_SETTINGS = "_RJEM_MALLOC_CONF"  # the variable Polars' jemalloc reads as it starts
KEEP_FREED_PAGES = "dirty_decay_ms:5000,muzzy_decay_ms:5000"


def keep_freed_pages() -> None:
    """Have Polars' allocator keep freed pages for a few seconds (see ``KEEP_FREED_PAGES``), in
    this process and the reader processes it starts, unless the user has set the variable. Only
    before Polars is imported: its allocator reads the setting once, as it starts."""
    if "polars" not in sys.modules:
        os.environ.setdefault(ALLOCATOR_SETTINGS, KEEP_FREED_PAGES)


def readers_for(files: Sequence[str], jobs: int) -> int:
    """The readers a batch of ``files`` starts for ``jobs`` (``--jobs``, the ``jobs`` setting):
    never more than the files, each of which is one share at the most (``--jobs 100000`` on 16
    files forked workers until the machine ran out of processes)."""
    return max(1, min(jobs, len(files)))


def default_jobs() -> int:
    """Readers when ``--jobs`` is not given: one per core this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def start(workers: int) -> ProcessPoolExecutor:
    """``workers`` reader processes, each importing the reader at once.

    Forked children inherit Polars' thread pool in whatever state it is in (a known source of
    hangs; importing Polars starts its threads), so once Polars is loaded, workers are started
    fresh (forkserver). Before that, as ``reconcile check`` starts them, nothing threaded is
    loaded and they are forked, which spares the worker the forkserver's new interpreter: its
    first share began 0.28-0.37 s into a run instead of 0.36-0.56 s (only on Linux: macOS's
    system libraries are not safe to fork)."""
    import multiprocessing  # only batches pay for these
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(start_method())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    for _ in range(workers):
        pool.submit(_import_reader)
    return pool


def start_method() -> str:
    """How ``start`` starts reader processes in this process's present state (see there)."""
    import threading

    if sys.platform == "win32":
        return "spawn"
    if sys.platform == "linux" and "polars" not in sys.modules and threading.active_count() == 1:
        return "fork"
    return "forkserver"


def _import_reader() -> None:
    import reconcile.batch  # noqa: F401  (the import is the work)
