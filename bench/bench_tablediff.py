"""Benchmark: ``reconcile diff`` table mode against datacompy's Polars comparison.

Generates two Parquet ledgers of ``--rows`` line items (default 1,000,000; deterministic, no
random module: every value is a pure function of the row number), then times, each in a fresh
subprocess and ``--repeat`` times:

  ours       ``diff_tables(old, new, ["dept_id", "item_code"])`` (the result collected) plus
             ``render_text`` (summary and every changed, added and removed item), in this venv;
  ours-rows  the same, then also every row of the contract (``.rows``: one per item and column,
             what ``--format json`` prints) built;
  datacompy  ``pl.read_parquet`` of both, ``datacompy.PolarsCompare(..., join_columns=[...])``
             and its ``.report()``, in bench/.venv-peers (created here with datacompy==1.1.0,
             which needs polars < 1.45, so it has a Polars of its own).

Each worker reports its wall time and its own peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``).
The figures printed are the median time and the largest peak over the repeats.

    python bench/bench_tablediff.py                 # 1,000,000 rows, 3 repeats
    python bench/bench_tablediff.py --rows 100000 --repeat 1
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = HERE / ".venv-peers"
PEER_PACKAGES = ["datacompy==1.1.0"]
KEYS = ["dept_id", "item_code"]

# Item names from the central procurement catalogue (政府集中采购目录) and their units.
ITEMS = [
    ("台式计算机", "台"),
    ("便携式计算机", "台"),
    ("激光打印机", "台"),
    ("多功能一体机", "台"),
    ("复印纸", "箱"),
    ("投影仪", "台"),
    ("空调机", "台"),
    ("办公椅", "把"),
    ("办公桌", "张"),
    ("文件柜", "组"),
    ("碎纸机", "台"),
    ("扫描仪", "台"),
    ("硒鼓", "个"),
    ("路由器", "台"),
    ("交换机", "台"),
    ("不间断电源", "台"),
    ("会议桌", "张"),
    ("沙发", "套"),
    ("液晶显示器", "台"),
    ("网络存储设备", "台"),
]


# ----------------------------------------------------------------------------------------------
# Data


def _mix(index, salt: int):  # type: ignore[no-untyped-def]
    """A pseudo-random 31-bit integer expression of the row number (two LCG steps)."""
    modulus = 2**31
    step = (index * 1103515245 + 12345 + salt) % modulus
    return (step * 1103515245 + 12345) % modulus


def generate(rows: int, folder: Path) -> tuple[Path, Path]:
    """Write old.parquet and new.parquet with ``rows`` items each; reuse them when present."""
    import polars as pl

    old_path = folder / f"old-{rows}.parquet"
    new_path = folder / f"new-{rows}.parquet"
    if old_path.exists() and new_path.exists():
        return old_path, new_path
    folder.mkdir(parents=True, exist_ok=True)
    names = pl.Series([name for name, _ in ITEMS])
    units = pl.Series([unit for _, unit in ITEMS])
    per_dept = 1000

    def items(start: int, count: int) -> pl.DataFrame:
        i = pl.int_range(start, start + count, dtype=pl.Int64)
        pick = _mix(i, 7) % len(ITEMS)
        cents = _mix(i, 11) % 99_999 + 1  # unit price 0.01 .. 999.99 (万元)
        quantity = _mix(i, 13) % 500 + 1
        return pl.select(
            dept_id=(pl.lit(301000, dtype=pl.Int64) + i // per_dept).cast(pl.String),
            item_code=pl.format("A{}", (i % per_dept).cast(pl.String).str.zfill(5)),
            item_name=names.gather(pick),
            unit=units.gather(pick),
            quantity=quantity,
            unit_price=cents.cast(pl.Decimal(38, 2)) / 100,
            amount=(cents * quantity).cast(pl.Decimal(38, 2)) / 100,
            _i=i,
        )

    old = items(0, rows)
    # New: 0.5 % of items removed, 0.5 % added, 3 % with a new amount (a few cents or yuan off),
    # 1 % renamed; columns and rows in another order.
    roll = _mix(pl.col("_i"), 17) % 1000
    new = old.filter(roll >= 5).with_columns(
        amount=pl.when(roll < 35)
        .then(pl.col("amount") + (_mix(pl.col("_i"), 19) % 500 + 1).cast(pl.Decimal(38, 2)) / 100)
        .otherwise(pl.col("amount")),
        item_name=pl.when((roll >= 35) & (roll < 45))
        .then(pl.col("item_name") + "（更新）")
        .otherwise(pl.col("item_name")),
    )
    added = items(rows * 10, rows // 200)
    new = pl.concat([new, added]).sort(_mix(pl.col("_i"), 23))
    old.drop("_i").write_parquet(old_path)
    new.select(
        "item_code", "dept_id", "amount", "unit_price", "quantity", "unit", "item_name"
    ).write_parquet(new_path)
    return old_path, new_path


# ----------------------------------------------------------------------------------------------
# Workers (run in a subprocess each; they print one JSON line)


def work_ours(old: str, new: str, all_rows: bool) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from reconcile.tablediff import diff_tables, render_text

    start = time.perf_counter()
    diff = diff_tables(old, new, KEYS)
    text = render_text(diff)
    rows = diff.rows.height if all_rows else None
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "summary": diff.summary,
        "text_lines": text.count("\n"),
        "rows": rows,
    }


def work_datacompy(old: str, new: str) -> dict[str, object]:
    import datacompy
    import polars as pl

    start = time.perf_counter()
    compare = datacompy.PolarsCompare(pl.read_parquet(old), pl.read_parquet(new), join_columns=KEYS)
    report = compare.report()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "matches": compare.matches(),
        "report_lines": report.count("\n"),
        "polars": pl.__version__,
        "datacompy": datacompy.__version__,
    }


def worker(side: str, old: str, new: str) -> None:
    if side == "datacompy":
        result = work_datacompy(old, new)
    else:
        result = work_ours(old, new, all_rows=side == "ours-rows")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_mib"] = usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    # CPU seconds of the whole process (imports too): steadier than wall time on a busy machine.
    result["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    print(json.dumps(result, ensure_ascii=False))


# ----------------------------------------------------------------------------------------------
# Driver


def ensure_peers() -> Path:
    python = PEERS / "bin" / "python"
    if not python.exists():
        print(f"creating {PEERS} with {' '.join(PEER_PACKAGES)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
    probe = subprocess.run([str(python), "-c", "import datacompy"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def run(python: Path | str, side: str, old: Path, new: Path) -> dict[str, object]:
    done = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--worker", side, str(old), str(new)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "tablediff")
    parser.add_argument("--skip-peers", action="store_true", help="time ours only")
    parser.add_argument("--worker", nargs=3, metavar=("SIDE", "OLD", "NEW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return

    old, new = generate(args.rows, args.out)
    sides: list[tuple[str, Path | str]] = [("ours", sys.executable), ("ours-rows", sys.executable)]
    if not args.skip_peers:
        sides.append(("datacompy", ensure_peers()))
    results: dict[str, list[dict[str, object]]] = {side: [] for side, _ in sides}
    load = os.getloadavg()
    for _ in range(args.repeat):  # interleaved, so that drift hits every side alike
        for side, python in sides:
            results[side].append(run(python, side, old, new))

    print(
        f"date: {time.strftime('%Y-%m-%d')}   machine: {platform.machine()}, {os.cpu_count()} cores"
    )
    print(f"tables: {old.name}, {new.name} ({args.rows:,} rows each), key {','.join(KEYS)}")
    print(
        f"load average (1/5/15 min) before: {', '.join(f'{x:.2f}' for x in load)}, "
        f"after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    median: dict[str, float] = {}
    for side, runs in results.items():
        times = [float(str(r["seconds"])) for r in runs]
        peak = max(float(str(r["peak_mib"])) for r in runs)
        median[side] = statistics.median(times)
        cpu = statistics.median(float(str(r["cpu_s"])) for r in runs)
        detail = {k: v for k, v in runs[0].items() if k not in ("seconds", "peak_mib", "cpu_s")}
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"{side:10} median {median[side]:6.2f} s  (runs {shown})  cpu {cpu:6.2f} s  "
            f"peak {peak:6.0f} MiB  {detail}"
        )
    if "datacompy" in median:
        for side in ("ours", "ours-rows"):
            ratio = median[side] / median["datacompy"]
            print(f"{side} / datacompy: {ratio:.3f} (target <= 0.5)")


if __name__ == "__main__":
    main()
