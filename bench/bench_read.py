"""Benchmark of a reader process's share of a batch, stage by stage: what one worker of
``reconcile check FOLDER`` spends per document, read line by line (as one document is) and read as
columns (as a batch is, ``reconcile.batch._read_chunk``).

    python bench/bench_read.py                      # 256 documents in 128-document shares, 5 repeats
    python bench/bench_read.py --docs 128 --repeat 3
    python bench/bench_read.py --corpus /tmp/corpus1000

Line by line: decoding, the layout (``sources.text.layout_text``), extraction and the frames
(``build_document_frames``). As columns: decoding (as a batch does it: a UTF-8 file's bytes are
left for Polars to check, ``reader.sniff_batch_file``), the columnar layout of the share
(``sources.textcols.TextCells``), the Python rows of the tables other than the performance ones
(``TextCells.layouts``), extraction (without the procurement lines), the performance rows from
the columns (``extract.performance_columns.indicator_rows``), the procurement lines' rows from
their tables (``rules._frames.procurement_rows``), the frames, and sending them (Arrow IPC written
and read, as a worker's frames travel back to the main process). Both run in this one process
with the cyclic garbage collector paused, as in the reader processes. ``= _read_chunk`` times the
real function on the same share (its stages, sending aside, should add up to it); each figure is the median over the repeats of milliseconds
per document (and the best, which a busy machine disturbs least). The two paths' frames are
compared, and the script stops if they differ.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHUNK = 128  # documents per share (the most batch.shares_of hands out: batch.SHARE)


def _ipc_round_trip(frame: Any) -> Any:
    """A frame written and read back as Arrow IPC, as ``batch._read_chunk_packed`` sends it."""
    import polars as pl

    sink = io.BytesIO()
    frame.write_ipc(sink, compat_level=pl.CompatLevel.oldest())
    return pl.read_ipc(io.BytesIO(sink.getvalue()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus")
    args = parser.parse_args()
    files = sorted(str(p) for p in args.corpus.glob("*.txt"))[: args.docs]
    if len(files) < args.docs:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate_corpus.py"),
                str(args.docs),
                str(args.corpus),
            ],
            check=True,
        )
        files = sorted(str(p) for p in args.corpus.glob("*.txt"))[: args.docs]

    import polars as pl

    from reconcile.batch import _read_chunk
    from reconcile.extract import extract
    from reconcile.extract.parts import part_starts
    from reconcile.extract.performance import project_tables
    from reconcile.extract.performance_columns import indicator_rows
    from reconcile.reader import Utf8Text, sniff_batch_file, sniff_file
    from reconcile.rules._frames import procurement_rows
    from reconcile.rules.registry import build_document_frames, load_all
    from reconcile.sources.text import layout_text
    from reconcile.sources.textcols import TextCells

    def _strings(sniffed: list[Any]) -> pl.Series:
        data = [f.data if isinstance(f, Utf8Text) else f.decoded.text.encode() for f in sniffed]
        return pl.Series(data, dtype=pl.Binary).cast(pl.String)

    load_all()
    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    times: dict[str, list[float]] = defaultdict(list)

    def timed(totals: dict[str, float], name: str, work: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = work()
        totals[name] += time.perf_counter() - start
        return result

    gc.disable()
    for _ in range(args.repeat):
        line: dict[str, float] = defaultdict(float)
        cols: dict[str, float] = defaultdict(float)
        for chunk in chunks:
            decoded = timed(line, "decode", lambda c=chunk: [sniff_file(p).decoded for p in c])
            layouts = timed(line, "layout", lambda d=decoded: [layout_text(x.text) for x in d])
            docs = timed(
                line,
                "extract",
                lambda c=chunk, ls=layouts: [
                    extract(lay, source=p, encoding="utf-8") for p, lay in zip(c, ls, strict=True)
                ],
            )
            expected = timed(line, "frames", lambda ds=docs: build_document_frames(ds))

            # as a batch reads them: UTF-8 files undecoded, their bytes checked by Polars
            sniffed = timed(cols, "decode", lambda c=chunk: [sniff_batch_file(p) for p in c])
            cells = timed(cols, "columns", lambda f=sniffed: TextCells(_strings(f)))
            found: list[Any] = []
            starts: list[Any] = []

            def skip(layout: Any, found: list[Any] = found, starts: list[Any] = starts) -> set[int]:
                starts.append(part_starts(layout))
                found.append(project_tables(layout, starts[-1]))
                return {t.index for _, project in found[-1] for t in project}

            layouts = timed(cols, "rows", lambda tc=cells: tc.layouts(skip))
            procurement: list[Any] = []
            docs = timed(
                cols,
                "extract",
                lambda c=chunk, ls=layouts, s=starts, pr=procurement: [
                    extract(lay, source=p, encoding="utf-8", procurement_tables=pr, starts=st)
                    for p, lay, st in zip(c, ls, s, strict=True)
                ],
            )
            # each document of the corpus has one procurement table: its place is its document
            bought = timed(
                cols,
                "procurement rows",
                lambda pr=procurement: procurement_rows(list(enumerate(pr))),
            )
            tables = pl.DataFrame(
                [
                    (d, t.index, no)
                    for d, projects in enumerate(found)
                    for no, (_, project) in enumerate(projects, 1)
                    for t in project
                ],
                schema={"doc": pl.Int64, "table": pl.Int64, "project_no": pl.Int64},
                orient="row",
            )
            rows = timed(cols, "perf rows", lambda tc=cells, t=tables: indicator_rows(tc.cells, t))
            frames = timed(
                cols,
                "frames",
                lambda ds=docs, r=rows, b=bought: build_document_frames(
                    ds, indicator_rows=r, procurement_rows=b
                ),
            )
            timed(
                cols, "send (IPC)", lambda f=frames: {n: _ipc_round_trip(x) for n, x in f.items()}
            )
            for name, frame in expected.items():
                if not frame.equals(frames[name]):
                    raise SystemExit(f"the columnar reader's {name} frame differs")
            whole = timed(cols, "= _read_chunk", lambda c=chunk: _read_chunk(c))
            del whole
        for label, totals in (("line by line", line), ("columns", cols)):
            for name, seconds in totals.items():
                times[f"{label}: {name}"].append(seconds / len(files) * 1000)
            stages = sum(v for k, v in totals.items() if k not in ("send (IPC)", "= _read_chunk"))
            times[f"{label}: total (not sent)"].append(stages / len(files) * 1000)
    gc.enable()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{time.strftime('%Y-%m-%d')}  {platform.machine()}  {os.cpu_count()} cores  "
        f"Python {platform.python_version()}  polars {pl.__version__}  load {load:.2f}"
    )
    print(f"{len(files)} documents in {len(chunks)} shares of up to {CHUNK}, {args.repeat} repeats")
    print("ms per document (median, best):")
    for name, values in times.items():
        print(f"  {name:32s} {statistics.median(values):6.2f}  {min(values):6.2f}")


if __name__ == "__main__":
    main()
