"""Loading in the background from the moment the app is created.

``start(paths, lang)`` returns a Future at once and reads and checks the documents in a thread,
which imports the engine itself: the interface's own imports and Textual's start-up run meanwhile
(Polars runs the checks outside the GIL), so the first screen appears sooner. This module imports
nothing heavy on purpose.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from tui.workspace import Workspace


def default_paths() -> list[str]:
    """The bundled samples: ``samples/`` next to the package, else ``./samples``; given relative to
    the working folder when they are under it (what the interface shows stays the same on every
    machine)."""
    import os

    here = Path(__file__).resolve().parents[1] / "samples"
    folder = here if here.is_dir() else Path.cwd() / "samples"
    try:
        rel = os.path.relpath(folder)
    except ValueError:  # another drive (Windows)
        return [str(folder)]
    return [str(folder) if rel.startswith("..") else rel]


class Progress:
    """Files read so far, of how many (written by the loader thread, read by the app)."""

    def __init__(self) -> None:
        self.done = 0
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def start(
    paths: Sequence[str], lang: str, progress: Progress | None = None, jobs: int | None = None
) -> Future[Workspace]:
    """Read and check ``paths`` in a daemon thread; the Future holds the Workspace (or the error).
    ``jobs``: readers for a batch (``jobs`` of reconcile.toml; default: one per core)."""
    from reconcile.readers import discover

    future: Future[Workspace] = Future()
    discovered = discover(paths)  # once, for the readers' decision and the loading
    readers = _batch_readers(discovered[0], jobs)

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            from tui.workspace import load_workspace

            workspace = load_workspace(
                list(paths),
                lang=lang,
                progress=progress,
                readers=readers,
                jobs=jobs,
                discovered=discovered,
            )
            future.set_result(workspace)
        except BaseException as exc:  # handed to the app, which shows it
            future.set_exception(exc)
        finally:
            if readers is not None:  # shut down by the batch once read; here if it never ran
                readers.shutdown(wait=False, cancel_futures=True)

    threading.Thread(target=work, name="reconcile-load", daemon=True).start()
    return future


def _batch_readers(files: Sequence[str], jobs: int | None = None) -> ProcessPoolExecutor | None:
    """The ``jobs - 1`` reader processes for ``files`` (as ``discover`` found them) when they are
    a batch (``reconcile.readers``; ``jobs`` by default one per core), started now: once the app
    runs, its streams have no file descriptors to hand down, and starting processes fails."""
    from reconcile import readers

    jobs = readers.readers_for(files, jobs or readers.default_jobs())
    if jobs < 2 or not readers.is_batch(files):
        return None
    try:
        return readers.start(jobs - 1)
    except OSError:  # no processes to be had (a sandbox, a limit): read in this one
        return None
