"""Part 五's indicator rows read straight from the columnar layout of a batch
(``sources.textcols.TextCells.cells``), without a Python object per cell.

It reads a performance table as ``performance._indicators`` does, and a test holds the two to the
same rows on every document we have: rows before the table's first header row (一级指标 …) are goals
or titles and are skipped; a later row is a header again when its first cell names 一级; each header
says which cell holds which field; rows with no text are skipped; 一级 and 二级 fill down from the
row above until the next header. The header and goal rows are judged in Python, once per distinct
text, with the same functions (``squash``, ``_columns``, ``_GOALS_RE``) the object reader uses.
"""

from __future__ import annotations

import polars as pl

from reconcile.exprs import count_so_far, run_starts
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
    # Each cell's project, looked up by its table's place among the share's tables (the cells
    # come table by table): a join of every cell on (doc, table) took 23 ms a 128-document
    # share, this a few.
    new_table = run_starts("table", "doc")
    project_of_table = (
        cells.lazy()
        .filter(new_table)
        .select("doc", "table")
        .join(tables.lazy(), on=["doc", "table"], how="left", maintain_order="left")
        .collect(engine="in-memory")
        .get_column("project_no")
    )
    c = (
        cells.lazy()
        .with_columns(project_no=pl.lit(project_of_table).gather(count_so_far(new_table) - 1))
        .filter(pl.col("project_no").is_not_null())
        .with_row_index("i")
        .with_columns(new_row=run_starts("row", "table", "doc"))
        .with_columns(
            rid=count_so_far(pl.col("new_row")) - 1,
            texts_so_far=count_so_far(pl.col("text") != ""),
        )
        .collect(engine="in-memory")
    )
    if c.is_empty():
        return pl.DataFrame(schema=ROW_SCHEMA)
    # The header and goal rows, judged in Python once per distinct text (a few per table, and
    # a template's tables repeat the same texts document after document).
    header_cells = c.select("rid", "text").filter(pl.col("text").str.contains("一级", literal=True))
    named = [
        t for t in header_cells.get_column("text").unique().to_list() if "一级指标" in squash(t)
    ]
    headers = header_cells.filter(pl.col("text").is_in(named)).get_column("rid")
    rows = c.filter("new_row").select(
        "rid",
        "doc",
        "table",
        "row",
        "project_no",
        "line",
        start="i",
        yiji=pl.col("text").str.contains("一级", literal=True),
        t0="text",
        # the cells with text before the row's first one
        texts_before=pl.col("texts_so_far") - (pl.col("text") != "").cast(pl.UInt32),
    )
    rows = rows.with_columns(k=c.get_column("rid").rle().struct.field("len")).with_columns(
        # a cell of the row has text: more cells with text down to its last cell than before it
        texted=pl.lit(c.get_column("texts_so_far")).gather(pl.col("start") + pl.col("k") - 1)
        > pl.col("texts_before")
    )
    short = rows.filter(pl.col("k") <= 3).select("rid", "t0")
    goal_texts = [
        t for t in short.get_column("t0").unique().to_list() if _GOALS_RE.search(squash(t))
    ]
    goals = short.filter(pl.col("t0").is_in(goal_texts)).get_column("rid")
    # The flags are columns before the window: an ``is_in`` inside ``over`` copied its whole
    # list once per (doc, table) group, 30 MB and 20-30 ms a 128-document share.
    rows = rows.with_columns(
        is_header=pl.col("rid").is_in(headers.implode()),
        is_goal=pl.col("rid").is_in(goals.implode()),
    )
    first = pl.when(pl.col("is_header") & ~pl.col("is_goal")).then("row")
    rows = (
        rows.with_columns(first=first.min().over("doc", "table"))
        .with_columns(
            header=(
                (pl.col("row") == pl.col("first"))
                | ((pl.col("row") > pl.col("first")) & pl.col("is_header") & pl.col("yiji"))
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
    # ... judged once per distinct header row: a template repeats it table after table
    distinct = texts.group_by("text", maintain_order=True).agg("hid")
    places = pl.DataFrame(
        [
            tuple(_columns(header).get(name, -1) for name in _FIELDS)
            for header in distinct.get_column("text").to_list()
        ],
        schema={f"i_{name}": pl.Int64 for name in _FIELDS},
        orient="row",
    )
    getters = (
        pl.concat([distinct.select("hid"), places], how="horizontal")
        .explode("hid")
        .with_columns(pl.col("hid").cast(pl.Int64))
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
        .with_columns(ordinal=_place_in_project())
        .select(*ROW_SCHEMA)
        .cast(ROW_SCHEMA)  # type: ignore[arg-type]
    )


def _place_in_project() -> pl.Expr:
    """Each row's 1-based place among its project's rows. The rows come in document order and a
    project's tables follow one another (``performance._projects``), so each project's rows are
    one run: its place is counted from the run's start (a window over doc and project costs
    six times as much)."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    return row - pl.when(run_starts("doc", "project_no")).then(row).forward_fill() + 1


def _filled(name: str) -> pl.Expr:
    """``name`` filled down from the rows above under the same header (``hid``)."""
    col = pl.col(name)
    source = pl.when(col.is_not_null()).then(pl.col("hid")).forward_fill()
    return pl.when(source == pl.col("hid")).then(col.forward_fill()).alias(name)
