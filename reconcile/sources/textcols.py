"""Text dumps -> Layouts: every line of one or many documents classified as Polars columns.

How the dump renders tables (see shared/DOMAIN.md): a cell is a line that starts with a TAB; a cell
with several paragraphs continues on the following lines without a TAB (a 第X部分 heading is never
a continuation); a blank line usually ends a row, but blank lines also occur inside rows, so row
boundaries come from the table's structure: once the table has shown a full-width row, short pieces
are joined until they make a full row. Header rows above the first full-width row keep their own
(smaller) cell counts. A line is never split on TAB: a cell's text may hold tabs of its own. Any
other non-blank line is a paragraph, and it ends the table before it.

The lines of every document of a batch are classified together by column expressions, so a line
costs no Python work; a cell costs none until its table is asked for. ``TextCells.cells`` holds every
cell of every table; ``TextCells.layouts`` builds Python rows for the tables it is asked for, and
the rest keep ``rows=()``. That is how a batch reads the performance tables (86 % of the cells)
straight from the columns (``extract.performance_columns.indicator_rows``). The few cells whose text
needs cleaning (a marker, surrounding spaces, several lines) are finished as columns too, the way
``layout.clean`` and ``text.cell_col`` finish them (``_finished``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise, repeat

import polars as pl

from reconcile.exprs import count_so_far, run_starts
from reconcile.sources.layout import (
    MARKER_RE,
    SPACES,
    Block,
    Cell,
    Layout,
    Paragraph,
    Row,
    Table,
    clean,
)
from reconcile.sources.text import rows_of_segments, text_col

_BLANK = "^[ \u3000\u00a0\u2009\u202f\ufeff\r\x0c\x0b]*$"  # a line holding nothing but these
# A 第X部分 heading. Python's \s (str.isspace) also matches \x1c-\x1f, which Rust's \s does not.
_PART_HEADING = r"^[\s\x1c-\x1f]*第[一二三四五六七八九十0-9０-９]+部分"
# Text that clean() would change: surrounding (Unicode) spaces, a BOM, or a marker's bracket.
_DIRTY = r"^[\s\ufeff]|[\s\ufeff]$|\["

CELL_SCHEMA = {
    "doc": pl.Int64,  # 0-based document of the batch
    "table": pl.Int64,  # 1-based table number in its document
    "row": pl.Int64,  # 0-based row in its table
    "text": pl.String,
    "line": pl.Int64,
    "end_line": pl.Int64,
    "col": pl.Int64,
    "raw": pl.String,
}

Skip = Callable[[Layout], set[int]]


def _lines(texts: Sequence[str] | pl.Series) -> pl.LazyFrame:
    """doc, ln (1-based) and s: every line of every text, split as ``decode.split_lines`` does
    (on LF, CRLF and CR alike)."""
    column = texts if isinstance(texts, pl.Series) else pl.Series(list(texts), dtype=pl.String)
    return (
        pl.LazyFrame({"s": column})
        .with_columns(pl.col("s").str.replace_all("\r\n?", "\n").str.split("\n"))
        .with_columns(
            # a final line break does not add an empty last line
            s=pl.when(pl.col("s").list.last() == "")
            .then(pl.col("s").list.head(pl.col("s").list.len() - 1))
            .otherwise("s")
        )
        .with_row_index("doc")
        .with_columns(ln=pl.int_ranges(1, pl.col("s").list.len() + 1))
        .explode("s", "ln")
        .drop_nulls("s")
        .with_columns(pl.col("doc").cast(pl.Int64), pl.col("ln").cast(pl.Int64))
    )


def _classified(lines: pl.LazyFrame) -> pl.DataFrame:
    """Every line with its kind (``tab``: a cell starts; ``cont``: a cell continues; ``para``;
    blank), the cell it belongs to, its table group and its blank-separated segment.

    One query, collected once by the in-memory engine: Polars runs its steps on every core it
    has, where a chain of eager steps ran them one after another (38 against 28 ms a 128-document
    share in one process, the same instructions; a batch's two busy processes leave no core
    free). ``collect()``'s default engine in Polars 2.1 is the streaming one, slower on queries
    this size."""
    s = pl.col("s")
    first = pl.col("ln") == 1
    tab, other, blank = pl.col("tab"), pl.col("other"), pl.col("blank")
    return (
        lines.with_columns(tab=s.str.starts_with("\t"))
        .with_columns(blank=~tab & s.str.contains(_BLANK))
        .with_columns(other=~tab & ~blank)
        .with_columns(
            heading=other & s.str.contains(_PART_HEADING),
            run_start=other & (first | ~other.shift(1, fill_value=False)),
            prev_tab=~first & tab.shift(1, fill_value=False),
        )
        .with_columns(hc=count_so_far(pl.col("heading")))
        .with_columns(
            # a run of non-blank lines right below a cell continues it, up to a 第X部分 heading
            run_tab=pl.when("run_start").then("prev_tab").forward_fill(),
            run_hc=pl.when("run_start").then(pl.col("hc") - pl.col("heading")).forward_fill(),
        )
        .with_columns(cont=other & pl.col("run_tab") & (pl.col("hc") == pl.col("run_hc")))
        .with_columns(para=other & ~pl.col("cont"))
        .with_columns(
            cell=count_so_far(tab),
            group=count_so_far(pl.col("para") | first),
            seg=count_so_far(blank & (first | ~blank.shift(1, fill_value=False))),
        )
        .collect(engine="in-memory")
    )


def _cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Every cell of every table (CELL_SCHEMA and ``new_table``), in document, table, row and
    cell order."""
    continued = lines.filter("cont").select("cell", "s", "ln")
    cells = (
        lines.lazy()
        .filter("tab")
        .select("doc", "group", "seg", "cell", "s", line="ln", raw=pl.col("s").str.slice(1))
        .with_columns(
            fix=pl.col("cell").is_in(continued.get_column("cell").implode())
            | pl.col("raw").str.contains(_DIRTY),
            text="raw",
            end_line="line",
            col=pl.when(pl.col("raw") == "").then(1).otherwise(2),
            new_table=run_starts("group"),
            new_seg=run_starts("seg", "group"),
            new_doc=run_starts("doc"),
        )
        .with_columns(
            seg_no=count_so_far(pl.col("new_seg")) - 1, table_no=count_so_far(pl.col("new_table"))
        )
        .with_columns(
            table=pl.col("table_no") - pl.when("new_doc").then("table_no").forward_fill() + 1
        )
        .collect(engine="in-memory")  # one query, as in _classified
    )
    # Rows: the segments' lengths, table by table, through the row rule. A table whose segments
    # all have one length has a row per segment; the others go through ``rows_of_segments``.
    segs = (
        cells.lazy()
        .filter("new_seg")
        .select("table_no", "seg_no", n=cells.get_column("seg_no").rle().struct.field("len"))
        .with_columns(
            first=pl.col("seg_no").min().over("table_no"),
            regular=(pl.col("n").min() == pl.col("n").max()).over("table_no"),
        )
        .collect(engine="in-memory")
    )
    row = (pl.col("seg_no") - pl.col("first")).cast(pl.Int64)
    irregular = segs.filter(~pl.col("regular"))
    if irregular.height:
        per_table = irregular.group_by("table_no", maintain_order=True).agg("n").get_column("n")
        found = [row for n in per_table.to_list() for row in rows_of_segments(tuple(n))]
        by_rule = pl.Series(found, dtype=pl.Int64)
        row = (
            pl.when("regular")
            .then(row)
            .otherwise(
                pl.lit(by_rule).gather(
                    (pl.col("regular").not_().cum_sum().cast(pl.Int64) - 1).clip(0)
                )
            )
        )
    row_of_seg = segs.select(row).to_series()
    cells = cells.with_columns(row=pl.lit(row_of_seg).gather(pl.col("seg_no")))
    # The few cells whose text needs cleaning or joining (see ``_finished``).
    fix = cells.select(pl.col("fix").arg_true()).to_series()
    if fix.len():
        done = _finished(cells[fix].select("cell", "s", "line"), continued)
        cells = cells.with_columns(
            cells.get_column(name).clone().scatter(fix, done.get_column(name))
            for name in ("text", "raw", "col", "end_line")
        )
    return cells.select(*CELL_SCHEMA, "new_table")


def _finished(first: pl.DataFrame, continued: pl.DataFrame) -> pl.DataFrame:
    """text, raw, col and end_line of the cells whose text needs cleaning or joining (``first``:
    their cell number, first line ``s`` with its TAB, and line; ``continued``: the lines that
    continue cells, in order, each cell among ``first``), as the line-by-line layout makes them: each piece (the first
    line after its TAB, then each continuing line) cleaned as ``layout.clean`` cleans it, the
    non-empty ones joined by line breaks; ``raw`` the pieces as written, joined; ``col`` as
    ``text.cell_col`` finds it. A cell whose text does not start where its leading spaces end (a
    marker first, or a first line of spaces alone) has its column found in Python, by
    ``text.text_col``; that is rare."""
    piece = pl.col("piece")
    cleaned = (
        pl.when(piece.str.contains("[", literal=True))
        .then(piece.str.replace_all(MARKER_RE.pattern, ""))
        .otherwise(piece)
        .str.strip_chars(SPACES)
    )
    joined = (
        pl.concat(
            [
                first.lazy().select("cell", piece=pl.col("s").str.slice(1), ln="line"),
                continued.lazy().select("cell", piece="s", ln="ln"),
            ]
        )
        .sort("cell", maintain_order=True)  # a cell's first line, then its continuations
        .with_columns(clean=cleaned)
        # gathered as lists and joined after: ``str.join`` as an aggregation costs 4 times more
        .group_by("cell", maintain_order=True)
        .agg(piece, pl.when(pl.col("clean") != "").then("clean"), end_line=pl.col("ln").max())
        .select(
            "end_line",
            raw=piece.list.join("\n"),
            text=pl.col("clean").list.join("\n", ignore_nulls=True),  # the empty ones left out
        )
    )
    raw, text = pl.col("raw"), pl.col("text").fill_null("")
    col = 2 + raw.str.len_chars() - raw.str.strip_chars_start(SPACES).str.len_chars()
    done = (
        pl.concat(
            [first.lazy().select("s"), joined.select("raw", "end_line", text=text)],
            how="horizontal",
        )
        .with_columns(
            col=pl.when(pl.col("text") == "")
            .then(1)
            .when(pl.col("s").str.slice(col - 1, 1) == pl.col("text").str.slice(0, 1))
            .then(col)
            .cast(pl.Int64)
        )
        .collect(engine="in-memory")  # one query, as in _classified
    )
    elsewhere = done.select(pl.col("col").is_null().arg_true()).to_series()
    if elsewhere.len():
        found = [text_col(line, t) for line, t in done[elsewhere].select("s", "text").iter_rows()]
        done = done.with_columns(
            done.get_column("col").scatter(elsewhere, pl.Series(found, dtype=pl.Int64))
        )
    return done


class TextCells:
    """The layout of many text dumps at once (``texts``: each document's decoded text, as
    strings or a String Series)."""

    def __init__(self, texts: Sequence[str] | pl.Series) -> None:
        self.count = len(texts)
        classified = _classified(_lines(texts))
        cells = _cells(classified)
        last = pl.col("new_table").shift(-1, fill_value=True)
        self._tables = cells.filter("new_table").select(
            "doc", "table", "line", end_line=cells.filter(last).get_column("end_line")
        )
        self.cells = cells.drop("new_table")
        # A paragraph whose line needs no cleaning is its own text, at column 1.
        self._paragraphs = classified.filter("para").select(
            "doc", "ln", "s", dirty=pl.col("s").str.contains(_DIRTY)
        )

    def layouts(
        self, skip: Skip | None = None, lines: Sequence[tuple[str, ...]] = ()
    ) -> list[Layout]:
        """Each document's Layout (with ``lines`` as its source lines when given). ``skip`` is
        called once per document, in document order, with the layout whose tables all have
        ``rows=()``; the tables it names (by index) keep ``rows=()``."""
        found: list[list[tuple[int, Block]]] = [[] for _ in range(self.count)]
        new = tuple.__new__  # Paragraph(...) without the keyword-handling constructor
        for doc, ln, raw, dirty in zip(
            *(c.to_list() for c in self._paragraphs.get_columns()), strict=True
        ):
            if not dirty:
                found[doc].append((ln, new(Paragraph, (raw, ln, 1, raw, None))))
            elif text := clean(raw):
                found[doc].append((ln, new(Paragraph, (text, ln, text_col(raw, text), raw, None))))
        for doc, index, line, end_line in zip(
            *(c.to_list() for c in self._tables.get_columns()), strict=True
        ):
            found[doc].append((line, Table(rows=(), line=line, end_line=end_line, index=index)))
        blocks = [[b for _, b in sorted(items, key=_first)] for items in found]
        wanted: list[int] = []  # doc * _TABLES + table
        for doc, items in enumerate(blocks):
            skipped = skip(Layout(blocks=tuple(items), lines=())) if skip else set()
            wanted += [
                doc * _TABLES + b.index
                for b in items
                if isinstance(b, Table) and b.index not in skipped
            ]
        rows = self._rows(wanted) if wanted else {}
        return [
            Layout(
                blocks=tuple(
                    Table(rows=rows[key], line=b.line, end_line=b.end_line, index=b.index)
                    if isinstance(b, Table) and (key := doc * _TABLES + b.index) in rows
                    else b
                    for b in items
                ),
                lines=lines[doc] if lines else (),
            )
            for doc, items in enumerate(blocks)
        ]

    def _rows(self, wanted: list[int]) -> dict[int, tuple[Row, ...]]:
        """The rows of the tables ``wanted`` (doc * _TABLES + table), by the same key."""
        key = pl.col("doc") * _TABLES + pl.col("table")
        cells = self.cells.filter(key.is_in(pl.Series(wanted, dtype=pl.Int64).implode()))
        # Where each row starts, and its table; the cells are made in one pass at C speed.
        starts = cells.select(
            ((key != key.shift(1)) | (pl.col("row") != pl.col("row").shift(1)))
            .fill_null(True)
            .arg_true()
        ).to_series()
        keys = cells.select(key.gather(starts)).to_series().to_list()
        columns = (
            cells.get_column(n).to_list() for n in ("text", "line", "end_line", "col", "raw")
        )
        # Cell(...) without the keyword-handling constructor: 3x faster
        made = list(map(tuple.__new__, repeat(Cell), zip(*columns, repeat(None))))
        bounds = [*starts.to_list(), len(made)]
        tables: dict[int, list[Row]] = {}
        for table, (start, stop) in zip(keys, pairwise(bounds), strict=True):
            row = tuple(made[start:stop])
            tables.setdefault(table, []).append(
                Row(cells=row, line=row[0].line, end_line=row[-1].end_line)
            )
        return {key: tuple(rows) for key, rows in tables.items()}


# More tables than a document can hold (a 50 MB dump has fewer than 2**32 lines), so that
# doc * _TABLES + table is unique; a batch's document numbers stay far below 2**31.
_TABLES = 1 << 32


def _first(item: tuple[int, Block]) -> int:
    return item[0]
