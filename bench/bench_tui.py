"""Benchmark: how fast the interface (``reconcile tui``) shows its first screen.

Times, each in a fresh subprocess and ``--repeat`` times (the median is printed):

  (a) floor      ``python -c "import polars, textual"``: the imports every start pays;
  (b) start      from launching Python to the first screen drawn with the findings loaded, headless
                 (``ReconcileApp(paths).run(headless=True)``; RECONCILE_TUI_EXIT_AFTER_FIRST_SCREEN
                 names a file where the app writes the time of its first screen, then exits): on
                 the bundled samples (``samples/``, two documents: the document list) and on the
                 2021 sample alone (its Overview). Budget: 1.0 s;
  (c) table      a ``--rows``-row table (default 100,000) in the app's virtualised table
                 (``tui.widgets.table.DataGrid``), from creating the app to its first screen: rows
                 as a Polars frame (``FrameRows``) and as Python lists (``ListRows``), shaped like
                 the findings table; and an empty app for reference. Budget: 0.3 s.
  (d) datatable  with ``--datatable``: the same rows in Textual's built-in DataTable (slow: about
                 14 s for 100,000 rows on the machine this was written on).

    python bench/bench_tui.py                  # 7 repeats, 100,000 rows
    python bench/bench_tui.py --repeat 3 --datatable
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = "samples/baigou-zuzhirenshi-2021-budget.txt"
START_BUDGET = 1.0
TABLE_BUDGET = 0.3


def _wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _first_screen(cmd: list[str], mark: Path) -> float:
    """Seconds from launching ``cmd`` to the moment the app wrote in ``mark`` (its first screen
    drawn, findings loaded); the interpreter's shutdown after that is not counted."""
    env = dict(os.environ, RECONCILE_TUI_EXIT_AFTER_FIRST_SCREEN=str(mark))
    mark.unlink(missing_ok=True)
    start = time.time()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=120)
    return float(mark.read_text(encoding="utf-8")) - start


def _worker_output(cmd: list[str]) -> float:
    out = subprocess.run(
        cmd, cwd=ROOT, check=True, capture_output=True, text=True, timeout=600
    ).stdout
    return float(out.strip().splitlines()[-1])


def _median(times: list[float]) -> float:
    return statistics.median(times)


# ----------------------------------------------------------------------- workers


def _rows_frame(n: int):  # type: ignore[no-untyped-def]
    """``n`` findings-shaped rows (severity, code, part, message with Chinese, lines), built by
    Polars from the row number alone (deterministic)."""
    import polars as pl

    i = pl.int_range(n, eager=True)
    return pl.DataFrame({"i": i}).select(
        severity=pl.when(pl.col("i") % 3 == 0).then(pl.lit("error")).otherwise(pl.lit("warning")),
        code=pl.format("PRC{}", (pl.col("i") % 7 + 1).cast(pl.String).str.zfill(3)),
        part=pl.lit("procure 采购"),
        message=pl.format(
            "第{}行 激光打印机: 数量 {} x 单价 0.35 = {}, the amount says {} (tolerance 0.005)",
            pl.col("i"),
            pl.col("i") % 9 + 1,
            (pl.col("i") % 9 + 1) * 35,
            pl.col("i") % 97,
        ),
        lines=(pl.col("i") + 100).cast(pl.String),
    )


def worker_table(kind: str, rows: int) -> None:
    """Print the seconds from creating the app to its first screen, with a ``rows``-row table."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Static

    from tui.widgets.table import Column, DataGrid, FrameRows, ListRows

    frame = _rows_frame(rows)
    as_lists = frame.rows() if kind in ("list", "datatable") else None
    columns = [
        Column("severity", "Severity"),
        Column("code", "Code"),
        Column("part", "Part"),
        Column("message", "Message", flex=True),
        Column("lines", "Lines", justify="right"),
    ]

    class Bench(App[None]):
        shown = 0.0

        def compose(self) -> ComposeResult:
            if kind == "frame":
                yield DataGrid(columns, FrameRows(frame))
            elif kind == "list":
                yield DataGrid(columns, ListRows(as_lists))
            elif kind == "datatable":
                table: DataTable[str] = DataTable()
                table.add_columns(*(c.label for c in columns))
                table.add_rows(as_lists)
                yield table
            else:
                yield Static("empty")

        def on_mount(self) -> None:
            self.call_after_refresh(self.first_screen)

        def first_screen(self) -> None:
            self.shown = time.perf_counter()
            self.exit()

    app = Bench()
    start = time.perf_counter()
    app.run(headless=True, size=(120, 40))
    print(f"{app.shown - start:.4f}")


# -------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--datatable", action="store_true", help="also time Textual's DataTable")
    parser.add_argument("--worker", choices=["frame", "list", "empty", "datatable"])
    args = parser.parse_args()
    if args.worker:
        worker_table(args.worker, args.rows)
        return

    py = sys.executable
    # Byte-compile the project first, as pip install does for an installed package (this
    # machine sets PYTHONDONTWRITEBYTECODE=1; see bench_check.py).
    subprocess.run([py, "-m", "compileall", "-q", "reconcile", "tui"], cwd=ROOT, check=True)
    mark = Path(tempfile.mkdtemp()) / "first-screen"
    start_app = "import sys; from tui.app import ReconcileApp; ReconcileApp(sys.argv[1:]).run(headless=True)"
    best: dict[str, float] = {}

    def timed(name: str, run) -> float:  # type: ignore[no-untyped-def]
        run()  # warm the file cache and .pyc files
        times = [run() for _ in range(args.repeat)]
        best[name] = min(times)
        return _median(times)

    floor = timed("floor", lambda: _wall([py, "-c", "import polars, textual"]))
    samples = timed("samples", lambda: _first_screen([py, "-c", start_app], mark))
    one = timed("one", lambda: _first_screen([py, "-c", start_app, SAMPLE], mark))
    table = {}
    kinds = ["frame", "list", "empty"] + (["datatable"] if args.datatable else [])
    for kind in kinds:
        cmd = [py, str(HERE / "bench_tui.py"), "--worker", kind, "--rows", str(args.rows)]
        repeat = 1 if kind == "datatable" else args.repeat
        _worker_output(cmd)
        times = [_worker_output(cmd) for _ in range(repeat)]
        table[kind], best[kind] = _median(times), min(times)

    rows = f"{args.rows:,}"

    def line(label: str, name: str, value: float, ratio: str) -> None:
        print(f"{label:<52} {value:6.3f} s  (best {best[name]:.3f})  {ratio}")

    print(f"budget-reconcile TUI benchmark: median (and best) of {args.repeat} runs")
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print()
    line("(a) floor: python -c 'import polars, textual'", "floor", floor, "")
    for label, name, value in (
        ("(b) start to first screen, samples/ (2 documents)", "samples", samples),
        ("    start to first screen, the 2021 sample alone", "one", one),
    ):
        line(
            label,
            name,
            value,
            f"{value / floor:4.2f}x floor; {value / START_BUDGET:4.2f}x the 1.0 s budget"
            f" (best: {best[name] / best['floor']:4.2f}x floor)",
        )
    for label, name in (
        (f"(c) {rows}-row table, first screen (Polars frame)", "frame"),
        (f"    {rows}-row table, first screen (Python lists)", "list"),
    ):
        line(label, name, table[name], f"{table[name] / TABLE_BUDGET:4.2f}x the 0.3 s budget")
    line(
        "    empty app, first screen (reference)",
        "empty",
        table["empty"],
        f"the table itself: {table['frame'] - table['empty']:.3f} s (frame),"
        f" {table['list'] - table['empty']:.3f} s (lists)",
    )
    if "datatable" in table:
        line(
            f"(d) {rows}-row Textual DataTable, first screen",
            "datatable",
            table["datatable"],
            f"{table['datatable'] / table['frame']:.0f}x the virtualised table",
        )


if __name__ == "__main__":
    main()
