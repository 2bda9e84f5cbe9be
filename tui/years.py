"""The Years view's data: two documents of one department aligned by ``reconcile.compare``, and the
budget totals of every loaded year for the chart.

``reconcile.compare`` is imported when first needed and guarded, so the rest of the interface
works (and says why) when the comparison cannot be loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

from reconcile.model import Document

DIFFERENT = ("changed", "added", "removed")


@dataclass
class YearsData:
    old: Document
    new: Document
    table: pl.DataFrame  # display columns, all strings
    status: list[str]  # per row
    mismatch: list[int]  # rows whose stated change disagrees with the computed one
    differences: list[int]  # rows that are not unchanged (for n/N)
    lines: list[int | None] = field(default_factory=list)  # new_line (else old_line) per row
    summary: dict[str, int] = field(default_factory=dict)
    findings: int = 0


def compare_documents(old: Document, new: Document, lang: str) -> YearsData | str:
    """The aligned rows, or the reason the comparison is not available."""
    try:
        from reconcile import compare
    except ImportError as exc:  # the comparison is optional for the interface
        return f"reconcile.compare cannot be imported: {exc}"
    diff = compare.diff_documents(old, new, lang=lang)
    rows = diff.rows
    mismatch_expr = pl.col("stated_delta").is_not_null() & (
        pl.col("delta").is_null() | (pl.col("stated_delta") != pl.col("delta"))
    )
    flagged = rows.with_row_index("_row").with_columns(_mismatch=mismatch_expr)
    table = rows.select(
        section=pl.col("section"),
        label=pl.col("label"),
        old=pl.col("old"),
        new=pl.col("new"),
        delta=pl.col("delta"),
        delta_pct=pl.col("delta_pct"),
        stated_delta=pl.col("stated_delta"),
        status=pl.col("status"),
    )
    return YearsData(
        old=old,
        new=new,
        table=table,
        status=rows["status"].to_list(),
        mismatch=flagged.filter(pl.col("_mismatch"))["_row"].to_list(),
        differences=flagged.filter(pl.col("status").is_in(DIFFERENT) | pl.col("_mismatch"))[
            "_row"
        ].to_list(),
        lines=rows.select(pl.coalesce("new_line", "old_line"))[:, 0].to_list(),
        summary=dict(diff.summary),
        findings=len(diff.findings),
    )


def totals_by_year(
    documents: Sequence[Document],
) -> list[tuple[int, Decimal | None, Decimal | None]]:
    """(year, basic expenditure, project expenditure) of each document, oldest first."""
    out = []
    for doc in sorted(documents, key=lambda d: d.info.year or 0):
        b = doc.budget
        basic = b.basic_total.value if b and b.basic_total else None
        project = b.project_total.value if b and b.project_total else None
        out.append((doc.info.year or 0, basic, project))
    return out
