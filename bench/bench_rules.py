"""Benchmark of the rules and the engine alone: the per-document frames and ``check_frame``, for
one document and for a batch, with the reading left out.

    python bench/bench_rules.py                       # 1 and 1,000 documents, 5 repeats
    python bench/bench_rules.py --docs 300 --repeat 3
    python bench/bench_rules.py --corpus /tmp/corpus1000

Each size runs in a fresh process, which reads its documents first (untimed, in-process as
``reconcile.batch.load_many`` does), then times:

- frames: ``build_document_frames`` (what a reader process adds to its share of a batch), over
  64-document chunks for a batch (``batch.shares_of`` hands out up to 128);
- rules + findings: ``engine.check_frame(documents, pairs=batch.pair_years(documents), frames=…)``
  with the frames already built: the frames the main process builds from them over every
  document (``perf_indicators``: the performance rows' normalised columns, since the fifth
  session), every rule as one set of Polars queries, the messages, ids and the order of the
  findings.

The first run of a fresh process is reported apart for one document (what ``reconcile check
FILE`` pays once the rule families are imported, which is reported too); the other figures are the median
of the repeats (and the best, which a busy machine disturbs least), and the batch's peak memory
is the process's (documents, frames and findings). Targets (issue 7): rules + findings ≤ ~40 ms for one document, well under 1 s
for 1,000; frames ≤ ~1 ms per document. The corpus is made by bench/generate_corpus.py when the
folder does not hold enough documents.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
CHUNK = 64  # documents per share (batch.shares_of hands out up to 128; the figures below used 64)


def _worker(paths: list[str], repeat: int) -> dict[str, object]:
    """Read ``paths``, then time the frames and the rules; runs in its own process."""
    import polars as pl

    from reconcile.batch import load_many, pair_years
    from reconcile.engine import check_frame
    from reconcile.rules.registry import build_document_frames, load_all

    start = time.perf_counter()
    load_all()  # every rule family imported (compiled from source when no bytecode is cached)
    imported = time.perf_counter() - start

    documents, errors = load_many(paths)
    if errors:
        raise SystemExit(f"could not read {len(errors)} of the documents: {errors[0]}")
    pairs = pair_years(documents)

    def frames() -> dict[str, pl.DataFrame]:
        pieces: dict[str, list[pl.DataFrame]] = {}
        for start in range(0, len(documents), CHUNK):
            for name, frame in build_document_frames(documents[start : start + CHUNK]).items():
                shifted = frame.with_columns(pl.col("doc") + start) if start else frame
                pieces.setdefault(name, []).append(shifted)
        return {name: pl.concat(parts) for name, parts in pieces.items()}

    def timed(func):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        value = func()
        return time.perf_counter() - start, value

    # The first run of the process, as `reconcile check FILE` meets it: frames built inside.
    first, found = timed(lambda: check_frame(documents, pairs=pairs))
    frame_times, rule_times = [], []
    for _ in range(repeat):
        seconds, built = timed(frames)
        frame_times.append(seconds)
        seconds, found = timed(lambda: check_frame(documents, pairs=pairs, frames=built))  # noqa: B023
        rule_times.append(seconds)
    return {
        "documents": len(documents),
        "import": imported,
        "findings": found.height,
        "first": first,
        "frames": statistics.median(frame_times),
        "rules": statistics.median(rule_times),
        "rules_best": min(rule_times),
        # Peak memory of the process: the documents read, the frames and the findings.
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _corpus(folder: Path, count: int) -> list[str]:
    """The first ``count`` documents of ``folder``, generated when there are not enough."""
    found = sorted(str(p) for p in folder.glob("*.txt")) if folder.is_dir() else []
    if len(found) < count:
        generator = ROOT / "bench" / "generate_corpus.py"
        subprocess.run([sys.executable, str(generator), str(count), str(folder)], check=True)
        found = sorted(str(p) for p in folder.glob("*.txt"))
    return found[:count]


def _measure(paths: list[str], repeat: int) -> dict[str, float]:
    """One fresh process per size: the figures of :func:`_worker`."""
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--repeat", str(repeat), *paths],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="batch size (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per size (default 5)")
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/corpus1000"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.paths, args.repeat)))
        return

    import polars as pl

    print(
        f"rules benchmark: polars {pl.__version__}, Python {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}"
        " CPUs"
    )
    one = _measure([str(SAMPLE)], args.repeat)
    print(
        f"1 document:  rules + findings {one['rules'] * 1e3:6.1f} ms (best "
        f"{one['rules_best'] * 1e3:.1f}), frames {one['frames'] * 1e3:5.1f} ms; first run of a "
        f"fresh process (frames included) {one['first'] * 1e3:.1f} ms; {one['findings']} findings; "
        f"rule families imported in {one['import'] * 1e3:.0f} ms"
    )
    many = _measure(_corpus(args.corpus, args.docs), args.repeat)
    n = many["documents"]
    print(
        f"{n:,} documents: rules + findings {many['rules'] * 1e3 / n:5.2f} ms per document "
        f"({many['rules']:.2f} s, best {many['rules_best']:.2f} s), frames "
        f"{many['frames'] * 1e3 / n:5.2f} ms per document ({CHUNK}-document chunks); "
        f"{many['findings']:,} findings; peak memory {many['peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
