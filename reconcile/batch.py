"""Many inputs at once: find the documents under folders, read them (in worker processes when
there are many), pair consecutive years of one department, and check them all in one run.

Reading and parsing is the per-file work and runs in parallel; the rules then run once, as one set
of Polars queries over every document.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reconcile.engine import check
from reconcile.errors import ReadError
from reconcile.model import SCHEMA_DISCLOSURE, Document
from reconcile.reader import read_path
from reconcile.report import ReadFailure, Report

Progress = Callable[[int, int], None]


def _is_canonical_toml(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
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
        if p.is_dir():
            found = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    child = Path(root) / name
                    suffix = child.suffix.lower()
                    if name.startswith((".", "~$")):
                        continue
                    if suffix in (".txt", ".docx") or (
                        suffix == ".toml" and _is_canonical_toml(child)
                    ):
                        found.append(str(child))
            files.extend(found)
        elif p.exists():
            files.append(given)
        else:
            errors.append(ReadFailure(given, "no such file or folder"))
    return files, errors


def _read_one(path: str) -> Document | ReadFailure:
    try:
        return read_path(path).document
    except ReadError as exc:
        return ReadFailure(path, exc.reason)
    except RecursionError:
        return ReadFailure(path, "the document is nested too deeply to read")
    except MemoryError:
        return ReadFailure(path, "the document is too large to read in memory")


def default_jobs() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def load_many(
    files: Sequence[str], *, jobs: int | None = None, progress: Progress | None = None
) -> tuple[list[Document], list[ReadFailure]]:
    """Read every file, in worker processes when there are enough files to pay for them."""
    jobs = jobs or default_jobs()
    results: list[Document | ReadFailure] = []
    if jobs > 1 and len(files) >= 16 and "-" not in files:
        chunk = max(1, len(files) // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for i, result in enumerate(pool.map(_read_one, files, chunksize=chunk), 1):
                results.append(result)
                if progress:
                    progress(i, len(files))
    else:
        for i, path in enumerate(files, 1):
            results.append(_read_one(path))
            if progress:
                progress(i, len(files))
    documents = [r for r in results if isinstance(r, Document)]
    errors = [r for r in results if isinstance(r, ReadFailure)]
    return documents, errors


def pair_years(documents: Sequence[Document]) -> list[tuple[int, int]]:
    """(older, newer) index pairs: documents of one department and kind in consecutive years."""
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for i, doc in enumerate(documents):
        info = doc.info
        if info.department and info.year is not None:
            groups.setdefault((info.department, info.kind or "budget"), []).append((info.year, i))
    pairs = []
    for members in groups.values():
        members.sort()
        for (y0, i0), (y1, i1) in itertools.pairwise(members):
            if y1 == y0 + 1:
                pairs.append((i0, i1))
    return pairs


def run_check(
    paths: Sequence[str],
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    lang: str = "en",
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Report:
    files, errors = discover(paths)
    documents, read_errors = load_many(files, jobs=jobs, progress=progress)
    pairs = pair_years(documents)
    findings = check(documents, pairs=pairs, select=select, ignore=ignore, lang=lang)
    return Report(documents=documents, findings=findings, errors=errors + read_errors)
