"""Instructions a batch's reader spends on one share, counted by valgrind: the steady measure.

    python bench/bench_instructions.py                      # the working tree, a 32-document share
    python bench/bench_instructions.py --rev HEAD~3 --rev HEAD
    python bench/bench_instructions.py --docs 64
    python bench/bench_instructions.py --corpus copies   # near-copies of the sample, as before

The machine's speed swings by half within minutes, so a change of a few per cent does not show in
wall or CPU times, even interleaved. The instructions a process executes do not depend on the
machine's state: this runs a reader's share of generated documents (``batch._read_chunk_packed``,
what a worker process does) under ``valgrind --tool=cachegrind --cache-sim=no``, once with the
share and once without it, and prints the difference. Polars runs on one thread and hashing is
seeded, so that a repeat gives the same count within a fraction of a per cent.

Instructions are not time: they miss what the kernel does (reading files), memory stalls and the
use of a second core. Use them to compare two versions of the reader, and wall times for the
targets (``bench_check.py``). Needs ``valgrind`` (``apt install valgrind``); each count takes about
half a minute. ``--rev`` takes git revisions: each is exported to a temporary folder and counted
there. The documents have figures of their own (``generate_corpus.py --scale``), as in
``bench_check.py``; counts printed before the ninth session were taken on near-copies of the
sample (``--corpus copies``), on which the reader's caches hit more often.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

SHARE = """
import glob, sys
import reconcile.batch as batch
files = sorted(glob.glob(sys.argv[1] + "/*.txt"))
batch._read_chunk_packed(files[:4])  # everything imported and warmed up
if sys.argv[2] != "0":
    batch._read_chunk_packed(files[8 : 8 + int(sys.argv[2])])
"""


def _instructions(tree: Path, corpus: Path, docs: int) -> int:
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PYTHONHASHSEED": "0",
        "POLARS_MAX_THREADS": "1",
    }
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            PYTHON,
            "-c",
            SHARE,
            str(corpus),
            str(docs),
        ],
        env=env,
        cwd=tree,  # ``python -c`` looks in its folder first
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def _tree_of(rev: str | None, tmp: Path) -> Path:
    """A folder holding the ``reconcile`` package of ``rev`` (the working tree without one),
    byte-compiled as an installed package is."""
    if rev is None:
        tree = ROOT
    else:
        tree = tmp / re.sub(r"[^\w.-]", "_", rev)
        tree.mkdir()
        archive = subprocess.run(
            ["git", "archive", rev, "reconcile"], cwd=ROOT, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(tree / "reconcile")], check=True)
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", action="append", help="a git revision (repeatable)")
    parser.add_argument("--docs", type=int, default=32, help="documents in the share")
    parser.add_argument(
        "--corpus",
        choices=("scaled", "copies"),
        default="scaled",
        help="documents with figures of their own (default), or near-copies of the sample",
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        corpus = tmp / "corpus"
        scale = ["--scale"] if args.corpus == "scaled" else []
        subprocess.run(
            [
                PYTHON,
                str(ROOT / "bench" / "generate_corpus.py"),
                str(args.docs + 8),
                str(corpus),
                *scale,
            ],
            check=True,
            capture_output=True,
        )
        for rev in args.rev or [None]:
            tree = _tree_of(rev, tmp)
            base = _instructions(tree, corpus, 0)
            share = _instructions(tree, corpus, args.docs) - base
            print(
                f"{rev or 'working tree':<14} a {args.docs}-document share: "
                f"{share / 1e6:,.0f} million instructions ({share / args.docs / 1e6:.1f} a "
                f"document; start and warm-up {base / 1e6:,.0f} million)",
                flush=True,
            )


if __name__ == "__main__":
    main()
