"""Baselines: a TOML file of accepted finding ids, each with an optional reason a reviewer fills
in. Ids are fingerprints of meaning (rule, department, year, section, item), not of lines, so a
baseline keeps hiding the same findings after lines move while new findings still show."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl

from reconcile.errors import UsageError
from reconcile.export import atomic_write

SCHEMA_BASELINE = "reconcile.baseline/1"


def read_baseline(path: str) -> set[str]:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such baseline file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable baseline: {exc}") from None
    entries = data.get("finding", [])
    if not isinstance(entries, list):
        raise UsageError(f"{path}: 'finding' must be an array of tables")
    return {str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e}


def write_baseline(path: str, findings: pl.DataFrame, previous: str | None = None) -> int:
    """Write every finding's id (keeping reasons already written for the same ids); ``findings``
    is the engine's findings frame."""
    reasons: dict[str, str] = {}
    if previous and Path(previous).exists():
        try:
            old = tomllib.loads(Path(previous).read_text(encoding="utf-8"))
            for e in old.get("finding", []):
                if isinstance(e, dict) and e.get("reason"):
                    reasons[str(e.get("id"))] = str(e["reason"])
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            pass
    entries = [
        {**row, "reason": reasons.get(row["id"], "")}
        for row in findings.select("id", "rule", "document", "message")
        .unique("id", keep="first", maintain_order=True)
        .iter_rows(named=True)
    ]
    import tomli_w

    atomic_write(path, tomli_w.dumps({"schema": SCHEMA_BASELINE, "finding": entries}))
    return len(entries)
