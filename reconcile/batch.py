"""Many inputs at once: find the documents under folders, read them (in worker processes when
there are many), pair consecutive years of one department, and check them all in one run.

Reading and parsing is the per-file work and runs in parallel; the rules then run once, as one set
of Polars queries over every document.
"""

from __future__ import annotations

import codecs
import collections
import contextlib
import io
import itertools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

import polars as pl
from polars.exceptions import PanicException

from reconcile.engine import check_frame
from reconcile.errors import ReadError, ReadFailure
from reconcile.extract import extract
from reconcile.extract.procurement import ProcurementTable
from reconcile.gcpause import without_cycle_collection
from reconcile.model import Document, DocumentInfo
from reconcile.reader import Sniffed, Utf8Text, load, read_bytes, read_path, sniff_batch_file
from reconcile.readers import default_jobs, discover, is_batch
from reconcile.report import Report
from reconcile.rules.registry import build_document_frames
from reconcile.sources.layout import Layout, Paragraph, Table

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

Progress = Callable[[int, int], None]
T = TypeVar("T")
# The text a reader process lays out as columns at once (bytes of UTF-8; a disclosure is about
# 50,000): a share of large files is laid out in several goes rather than held all at once.
SHARE_BYTES = 12_000_000
# A text dump of a share: its slot among the share's paths, its encoding, its text as UTF-8.
Text = tuple[int, str, bytes]


def _read_one(path: str) -> Document | ReadFailure:
    return _guarded(path, _read_document, path)


def _read_document(path: str) -> Document:
    return read_path(path).document


def _load_document(sniffed: Sniffed) -> Document:
    return load(sniffed).document


def _read_bytes_document(data: bytes, path: str) -> Document:
    return read_bytes(data, path).document


def _guarded(path: str, read: Callable[..., T], *args: Any, **kwargs: Any) -> T | ReadFailure:
    """``read(*args, **kwargs)``, or the failure that names why ``path`` could not be read."""
    try:
        return read(*args, **kwargs)
    except ReadError as exc:
        return ReadFailure(path, exc.reason)
    except RecursionError:
        return ReadFailure(path, "the document is nested too deeply to read")
    except MemoryError:
        return ReadFailure(path, "the document is too large to read in memory")
    except Exception as exc:  # a reader bug must not stop the rest of a batch
        return ReadFailure(path, f"internal error while reading ({type(exc).__name__}: {exc})")


def load_many(
    files: Sequence[str], *, jobs: int | None = None, progress: Progress | None = None
) -> tuple[list[Document], list[ReadFailure]]:
    """Read every file into a Document (in this process: the app needs whole documents)."""
    documents: list[Document] = []
    errors: list[ReadFailure] = []
    with without_cycle_collection():
        for i, path in enumerate(files, 1):
            result = _read_one(path)
            (documents if isinstance(result, Document) else errors).append(result)  # type: ignore[arg-type]
            if progress:
                progress(i, len(files))
    return documents, errors


Chunk = tuple[list[DocumentInfo], dict[str, pl.DataFrame], list[ReadFailure]]


def _read_chunk(paths: Sequence[str]) -> Chunk:
    """A reader process's share: read the files and build their per-document frames, so that
    only compact frames (Arrow IPC when pickled) travel back, never the documents themselves.

    The text dumps among them are laid out together, as columns (``sources.textcols``), and their
    performance tables are read from those columns without a Python object per cell; Word files
    and the canonical TOML are read one by one."""
    with without_cycle_collection():
        read: list[Document | ReadFailure | None] = [None] * len(paths)
        texts: list[Text] = []
        parts: dict[str, list[pl.DataFrame]] = {}
        held = 0
        for i, path in enumerate(paths):
            found = _guarded(path, sniff_batch_file, path)
            if isinstance(found, ReadFailure):
                read[i] = found
            elif isinstance(found, Utf8Text):
                texts.append((i, found.encoding, found.data))
                held += len(found.data)
            elif (
                found.kind != "text"
                or found.decoded is None
                or (data := _utf8(found.decoded.text)) is None  # text Polars cannot hold
            ):
                read[i] = _guarded(path, _load_document, found)
            else:
                texts.append((i, found.decoded.encoding, data))
                held += len(data)
            if texts and (held >= SHARE_BYTES or i == len(paths) - 1):
                # laid out a few megabytes at a time: a share of large files never piles up
                for name, part in (_read_texts(paths, texts, read) or {}).items():
                    parts.setdefault(name, []).append(part)
                texts, held = [], 0
        documents = [d for d in read if isinstance(d, Document)]
        errors = [d for d in read if isinstance(d, ReadFailure)]
        # rows are numbered by slot in ``read``; documents by place among those read
        place = list(itertools.accumulate(isinstance(d, Document) for d in read))
        ok = [i for i, d in enumerate(read) if isinstance(d, Document)]
        rows = {
            name: pl.concat(found)
            .filter(pl.col("doc").is_in(ok))
            .with_columns(
                pl.col("doc").replace_strict(ok, [place[i] - 1 for i in ok], return_dtype=pl.Int64)
            )
            for name, found in parts.items()
        }
        frames = build_document_frames(documents, **rows)
    return [d.info for d in documents], frames, errors


# A worker's share as it travels back: the frames written as Arrow IPC one after the other, held
# as bytes or in a spill file (its path), with each frame's name and byte range.
Index = list[tuple[str, int, int]]
Packed = tuple[list[DocumentInfo], bytes | str, Index, list[ReadFailure]]


def _read_chunk_packed(paths: Sequence[str], spill: str | None = None) -> Packed:
    """``_read_chunk`` in a worker process, its frames packed as Arrow IPC for the trip back.

    With a ``spill`` folder the frames go into one file there and only its path travels: a
    share's frames are about 22 MB, and pushed through the pool's pipe they kept the worker
    waiting 80-260 ms a share until the main process, busy reading its own share, had drained the
    pipe in 64 KB pieces. Without one (or when the file cannot be written) they travel inline.
    IPC is written and read at about a third of the cost of pickling a frame (a share's 10 MB of
    performance rows: 6 + 8 ms against 32 + 14 ms); the oldest compatibility level, with plain
    string offsets, is the quicker to read back."""
    infos, frames, errors = _read_chunk(paths)
    if spill is not None:
        try:
            path, index = _spilled(frames, spill)
            return infos, path, index, errors
        except OSError:  # the folder is full or gone: the frames travel in the pipe instead
            pass
    sink = io.BytesIO()
    index = _write_frames(frames, sink)
    return infos, sink.getvalue(), index, errors


def _write_frames(frames: dict[str, pl.DataFrame], sink: BinaryIO) -> Index:
    index = []
    for name, frame in frames.items():
        start = sink.tell()
        frame.write_ipc(sink, compat_level=pl.CompatLevel.oldest())
        index.append((name, start, sink.tell()))
    return index


def _spilled(frames: dict[str, pl.DataFrame], folder: str) -> tuple[str, Index]:
    """``frames`` written to a new file in ``folder``; a file left half-written is removed."""
    import tempfile

    handle, path = tempfile.mkstemp(suffix=".arrow", dir=folder)
    try:
        with os.fdopen(handle, "wb") as sink:
            return path, _write_frames(frames, sink)
    except BaseException:
        _remove(path)
        raise


def _unpacked(packed: Packed) -> Chunk:
    infos, held, index, errors = packed
    if isinstance(held, str):  # a spill file's path: read once, then removed
        path = held
        try:
            with open(path, "rb") as source:
                held = source.read()
        finally:
            _remove(path)
    data = memoryview(held)
    return infos, {name: pl.read_ipc(io.BytesIO(data[a:b])) for name, a, b in index}, errors


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):  # the spill folder is removed at the end of the batch anyway
        os.remove(path)


def _utf8(text: str) -> bytes | None:
    """A decoded text as UTF-8, or None if it holds what UTF-8 cannot (a lone surrogate)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _strings(texts: list[Text]) -> pl.Series:
    """The texts as Polars strings; raises ComputeError when one is not UTF-8."""
    return pl.Series([data for _, _, data in texts], dtype=pl.Binary).cast(pl.String)


def _as_strings(
    paths: Sequence[str], texts: list[Text], read: list[Document | ReadFailure | None]
) -> tuple[list[Text], pl.Series]:
    """The texts that are UTF-8 throughout and their strings: all of them, checked at once by
    Polars, nearly always; a file that is UTF-8 only at its start (``decode.utf8_text``) is read
    on its own into ``read``, from the bytes already read, through ``decode``."""
    try:
        return texts, _strings(texts)
    except pl.exceptions.ComputeError:  # invalid UTF-8 somewhere: find where, in Python
        pass
    valid = []
    for i, encoding, data in texts:
        try:
            data.decode("utf-8")
            valid.append((i, encoding, data))
        except UnicodeDecodeError:
            # the file's bytes again: its byte-order mark, if it had one, before the text
            whole = codecs.BOM_UTF8 + data if encoding == "utf-8-sig" else data
            read[i] = _guarded(paths[i], _read_bytes_document, whole, paths[i])
    return valid, _strings(valid)


def _read_texts(
    paths: Sequence[str],
    texts: list[Text],
    read: list[Document | ReadFailure | None],
) -> dict[str, pl.DataFrame] | None:
    """Lay out the text dumps ``texts`` together and extract them into ``read``; return the rows
    read without objects (``doc`` numbered by slot), by the name ``build_document_frames`` takes
    them under: the performance indicators, read from the columns, and the procurement lines,
    built from their tables' rows."""
    from reconcile.extract.parts import Starts, part_starts
    from reconcile.extract.performance import project_tables
    from reconcile.extract.performance_columns import indicator_rows
    from reconcile.rules._frames import procurement_rows
    from reconcile.sources.textcols import TextCells

    found: list[list[tuple[Paragraph, list[Table]]]] = []
    starts: list[Starts] = []  # each document's parts, found once for both uses

    def performance_tables(layout: Layout) -> set[int]:
        """The tables of the performance projects: read from the columns, never as rows."""
        starts.append(part_starts(layout))
        found.append(project_tables(layout, starts[-1]))
        return {table.index for _, project in found[-1] for table in project}

    try:
        texts, strings = _as_strings(paths, texts, read)
        if not texts:
            return None
        cells = TextCells(strings)
        layouts = cells.layouts(skip=performance_tables)
    except (Exception, PanicException):  # the columns failed on some input: read one by one
        for i, _, _ in texts:
            read[i] = _read_one(paths[i])
        return None
    tables: list[tuple[int, int, int]] = []
    procurement: list[tuple[int, ProcurementTable]] = []
    for (i, encoding, _), layout, projects, parts in zip(
        texts, layouts, found, starts, strict=True
    ):
        path = paths[i]
        sink: list[ProcurementTable] = []
        read[i] = _guarded(
            path,
            extract,
            layout,
            source=path,
            encoding=encoding,
            source_kind="text",
            procurement_tables=sink,
            starts=parts,
        )
        if isinstance(read[i], Document):
            procurement += [(i, t) for t in sink]
        for no, (_, project) in enumerate(projects, 1):
            tables += [(i, table.index, no) for table in project]
    text_slots = pl.Series([i for i, _, _ in texts], dtype=pl.Int64)
    schema = {"doc": pl.Int64, "table": pl.Int64, "project_no": pl.Int64}
    try:
        cells_by_slot = cells.cells.with_columns(doc=pl.lit(text_slots).gather(pl.col("doc")))
        return {
            "indicator_rows": indicator_rows(
                cells_by_slot, pl.DataFrame(tables, schema=schema, orient="row")
            ),
            "procurement_rows": procurement_rows(procurement),
        }
    except (Exception, PanicException):  # the columns failed: read these files one by one
        for i, _, _ in texts:
            if isinstance(read[i], Document):
                read[i] = _read_one(paths[i])
        return None


def load_frames(
    files: Sequence[str],
    *,
    jobs: int,
    progress: Progress | None = None,
    readers: ProcessPoolExecutor | None = None,
) -> tuple[list[Document], dict[str, pl.DataFrame], list[ReadFailure]]:
    """Read files in shares (``shares_of``), in this process and ``jobs - 1`` worker processes
    (``readers``, when started already: see ``reconcile.readers``); return identity-only
    Documents (their info), the per-document frames of all of them (``doc`` renumbered in file
    order) and the failures."""
    chunks = shares_of(files, jobs)
    results: list[Chunk | None] = [None] * len(chunks)
    done = 0
    workers = min(jobs, len(chunks)) - 1  # a worker with no share to read is not started
    for i, read in _read_shares(chunks, workers=workers, readers=readers):
        results[i] = read
        done += len(chunks[i])
        if progress:
            progress(done, len(files))
    infos: list[DocumentInfo] = []
    errors: list[ReadFailure] = []
    pieces: dict[str, list[pl.DataFrame]] = {}
    for result in results:
        assert result is not None
        chunk_infos, frames, chunk_errors = result
        offset = len(infos)
        infos.extend(chunk_infos)
        errors.extend(chunk_errors)
        for name, frame in frames.items():
            pieces.setdefault(name, []).append(
                frame.with_columns(pl.col("doc") + offset) if offset else frame
            )
    # One chunk per frame: the rules' queries over a frame of 13 shares' chunks took 0.64 s, over
    # one chunk 0.54 s, and putting the chunks together costs 0.03 s.
    merged = {
        name: pl.concat(parts, how="vertical_relaxed", rechunk=True)
        for name, parts in pieces.items()
    }
    return [Document(info=info) for info in infos], merged, errors


SHARE = 128  # documents a share holds at most
LAST_SHARE = 32  # ... and at least, but for the last one and in small batches


def shares_of(files: Sequence[str], jobs: int) -> list[Sequence[str]]:
    """``files`` cut into shares for ``jobs`` readers, each about half of what is left per
    reader, between LAST_SHARE and SHARE documents (smaller in a small batch, so that every reader
    has a share). A share has a fixed cost of about 30 ms of CPU (Polars' per-query costs, the
    frames' setup), so shares are large while much is left; the last ones are small, so that no reader waits long
    for another to finish."""
    least = max(1, min(LAST_SHARE, -(-len(files) // (jobs * 2))))
    chunks = []
    start = 0
    while start < len(files):
        size = min(SHARE, max(least, -(-(len(files) - start) // (jobs * 2))))
        chunks.append(files[start : start + size])
        start += size
    return chunks


def _read_shares(
    chunks: Sequence[Sequence[str]], *, workers: int, readers: ProcessPoolExecutor | None = None
) -> Iterator[tuple[int, Chunk]]:
    """Read every share, in this process and in ``workers`` reader processes (``readers``, when
    started already); yield (share's place, what it read) as each is done. The reader processes
    are shut down once every share is read: the rules that follow need their memory more.

    This process reads shares too rather than wait for the workers: it has everything imported
    already, and the frames of its own shares are never pickled. A worker holds one share at a
    time and is handed the next the moment it returns one, so the last shares go to whoever is
    free and no one waits long at the end."""
    left = collections.deque(range(len(chunks)))
    if workers < 1:
        yield from ((i, _read_chunk(chunk)) for i, chunk in enumerate(chunks))
        return
    from concurrent.futures import Future, as_completed

    from reconcile import readers as started

    lock = threading.RLock()  # a callback may run at once, in the thread that hands out
    sent: dict[Future[Packed], int] = {}

    def take() -> int | None:
        with lock:
            return left.popleft() if left else None

    def hand_out(returned: Future[Packed] | None = None) -> None:
        if returned is not None and (returned.cancelled() or returned.exception() is not None):
            return  # a failed share ends the batch: its error is raised where it is collected
        with lock:
            if (i := take()) is None:
                return
            try:
                future = pool.submit(_read_chunk_packed, chunks[i], spill)
            except RuntimeError:  # the pool is broken or shut down: the share is read here
                left.appendleft(i)
                return
            sent[future] = i
        future.add_done_callback(hand_out)

    pool = readers or started.start(workers)
    spill = _spill_folder()
    collected: set[Future[Packed]] = set()

    def returned(*, wait: bool) -> Iterator[tuple[int, Chunk]]:
        """The shares the workers have returned (all of them, waiting for them, with ``wait``)."""
        with lock:
            waiting = {f: i for f, i in sent.items() if f not in collected}
        ready = as_completed(waiting) if wait else [f for f in waiting if f.done()]
        for future in ready:
            collected.add(future)
            yield waiting[future], _unpacked(future.result())

    try:
        for _ in range(workers):
            hand_out()
        while (i := take()) is not None:
            yield i, _read_chunk(chunks[i])
            # unpacked between this process's own shares, not all at the end
            yield from returned(wait=False)
        yield from returned(wait=True)
        while (i := take()) is not None:  # any share a failing hand-out left behind
            yield i, _read_chunk(chunks[i])
    finally:
        with lock:
            left.clear()  # hand out nothing more
        pool.shutdown(wait=True, cancel_futures=True)
        if spill is not None:
            import shutil

            shutil.rmtree(spill, ignore_errors=True)


def _spill_folder() -> str | None:
    """A new private folder for the workers' frames (see ``_read_chunk_packed``), or None when
    none can be made: the frames then travel through the pipe."""
    import tempfile

    try:
        return tempfile.mkdtemp(prefix="reconcile-batch-")
    except OSError:
        return None


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
    discovered: tuple[list[str], list[ReadFailure]] | None = None,
    readers: ProcessPoolExecutor | None = None,
) -> Report:
    """Find, read and check every document under ``paths`` in one run. ``discovered``: what
    ``discover(paths)`` found, when the caller has looked already; ``readers``: the reader
    processes, when started already (see ``reconcile.readers``). The report's ids are computed
    when first used (see ``Report``)."""
    files, errors = discover(paths) if discovered is None else discovered
    jobs = jobs or default_jobs()
    frames: dict[str, pl.DataFrame] | None = None
    if is_batch(files):
        documents, frames, read_errors = load_frames(
            files, jobs=jobs, progress=progress, readers=readers
        )
    else:
        documents, read_errors = load_many(files, progress=progress)
    pairs = pair_years(documents)
    found = check_frame(
        documents, pairs=pairs, select=select, ignore=ignore, lang=lang, frames=frames, ids=False
    )
    return Report(documents=documents, frame=found, errors=errors + read_errors)
