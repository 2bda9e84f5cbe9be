"""The row contract of ``reconcile.diff/1``, shared by both modes of ``reconcile diff``: the
document comparison (compare.py) and the table comparison (tablediff.py) print the same rows."""

from __future__ import annotations

import polars as pl

from reconcile.model import SCHEMA_DIFF

__all__ = ["ROW_COLUMNS", "ROW_SCHEMA", "SCHEMA_DIFF", "STATUSES"]

STATUSES = ("changed", "added", "removed", "unchanged")
ROW_COLUMNS = (
    "section",
    "key",
    "field",
    "label",
    "old",
    "new",
    "delta",
    "delta_pct",
    "stated_delta",
    "status",
    "old_line",
    "new_line",
)
ROW_SCHEMA: dict[str, pl.DataType] = {
    name: pl.Int64() if name.endswith("_line") else pl.String() for name in ROW_COLUMNS
}
