"""Part 五's indicator rows read straight from the columnar layout of a batch
(``sources.textcols.TextCells.cells``), without a Python object per cell.

It reads a performance table as ``performance._indicators`` does, and a test holds the two to the
same rows on every document we have: rows before the table's first header row (一级指标 …) are goals
or titles and are skipped; a later row is a header again when its first cell names 一级; each header
says which cell holds which field; rows with no text are skipped; 一级 and 二级 fill down from the
row above until the next header. The few header and goal rows are judged in Python, with the same
functions (``squash``, ``_columns``, ``_GOALS_RE``) the object reader uses.
"""

from __future__ import annotations

import polars as pl

from reconcile.exprs import count_so_far
from reconcile.extract.common import squash
from reconcile.extract.performance import _FIELDS, _GOALS_RE, _columns

ROW_SCHEMA = {
    "doc": pl.Int64,
    "project_no": pl.Int64,  # 1-based, in document order
    "ordinal": pl.Int64,  # 1-based indicator number inside the project
    **{name: pl.String for name in _FIELDS},
    "line": pl.Int64,
}


def indicator_rows(cells: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """ROW_SCHEMA rows for the cells (``textcols.CELL_SCHEMA``) of the tables in ``tables``
    (doc, table, project_no: each performance table's project), in document, project and row
    order."""
    c = (
        cells.join(tables, on=["doc", "table"], how="inner", maintain_order="left")
        .with_row_index("i")
        .with_columns(
            new_row=(
                (pl.col("row") != pl.col("row").shift(1))
                | (pl.col("table") != pl.col("table").shift(1))
                | (pl.col("doc") != pl.col("doc").shift(1))
            ).fill_null(True)
        )
        .with_columns(rid=count_so_far(pl.col("new_row")) - 1)
    )
    if c.is_empty():
        return pl.DataFrame(schema=ROW_SCHEMA)
    # The header and goal rows, judged in Python (a few per table).
    header_cells = c.filter(pl.col("text").str.contains("一级", literal=True))
    headers = {
        rid
        for rid, text in header_cells.select("rid", "text").iter_rows()
        if "一级指标" in squash(text)
    }
    rows = c.filter("new_row").select(
        "rid",
        "doc",
        "table",
        "row",
        "project_no",
        "line",
        start="i",
        yiji=pl.col("text").str.contains("一级", literal=True),
        texted=pl.col("rid").is_in(c.filter(pl.col("text") != "").get_column("rid").implode()),
        t0="text",
    )
    rows = rows.with_columns(k=c.get_column("rid").rle().struct.field("len"))
    goals = {
        rid
        for rid, first in rows.filter(pl.col("k") <= 3).select("rid", "t0").iter_rows()
        if _GOALS_RE.search(squash(first))
    }
    is_header = pl.col("rid").is_in(list(headers))
    first = pl.when(is_header & ~pl.col("rid").is_in(list(goals))).then("row")
    rows = (
        rows.with_columns(first=first.min().over("doc", "table"))
        .with_columns(
            header=(
                (pl.col("row") == pl.col("first"))
                | ((pl.col("row") > pl.col("first")) & is_header & pl.col("yiji"))
            ).fill_null(False)
        )
        .with_columns(hid=count_so_far(pl.col("header")))
    )
    # Which cell holds which field, header by header.
    header_rows = rows.filter("header").select("rid", "hid")
    texts = (
        c.join(header_rows, on="rid", maintain_order="left")
        .group_by("hid", maintain_order=True)
        .agg("text")
    )
    getters = pl.DataFrame(
        [
            (hid, *(columns.get(name, -1) for name in _FIELDS))
            for hid, header in texts.iter_rows()
            for columns in [_columns(header)]
        ],
        schema={"hid": pl.Int64, **{f"i_{name}": pl.Int64 for name in _FIELDS}},
        orient="row",
    )
    data = (
        rows.filter((pl.col("row") > pl.col("first")) & ~pl.col("header") & pl.col("texted"))
        .select("doc", "project_no", "line", "start", "k", pl.col("hid").cast(pl.Int64))
        .join(getters, on="hid", how="left", maintain_order="left")
    )
    # A field's cell, by its place in the row; a place the row does not reach is empty.
    text = c.get_column("text")
    data = data.with_columns(
        text.gather(
            data.select(
                pl.when(pl.col(f"i_{name}").is_between(0, pl.col("k") - 1)).then(
                    pl.col("start") + pl.col(f"i_{name}")
                )
            ).to_series()
        ).alias(name)
        for name in _FIELDS
    )
    empty_is_none = [pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in _FIELDS]
    return (
        data.with_columns(empty_is_none)
        .with_columns(_filled("level1"), _filled("level2"))
        .with_columns(ordinal=pl.int_range(1, pl.len() + 1).over("doc", "project_no"))
        .select(*ROW_SCHEMA)
        .cast(ROW_SCHEMA)  # type: ignore[arg-type]
    )


def _filled(name: str) -> pl.Expr:
    """``name`` filled down from the rows above under the same header (``hid``)."""
    col = pl.col(name)
    source = pl.when(col.is_not_null()).then(pl.col("hid")).forward_fill()
    return pl.when(source == pl.col("hid")).then(col.forward_fill()).alias(name)
