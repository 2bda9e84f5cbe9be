"""Frames of the money parts (budget, running costs, 三公, procurement, assets) and of the document
itself, built once per run from the model over every document (column ``doc`` = the document's
index in ``Context.documents``).

This is the single Python step that turns model records into rows; every rule works on these
frames with Polars expressions only.

A figure ``f`` becomes five columns: ``f`` (exact amount, :data:`MONEY`), ``f_dec`` (decimals as
written, Int64), ``f_line`` (its line, Int64), ``f_loc`` (its location, str: a key path such as
``budget.income_total`` for hand-written TOML) and ``f_half`` (half its unit, MONEY: the band it
adds to an identity, see ``_tolerance.half``). An absent figure is null in all five.

Money units: every frame of a part carries ``factor`` (元 per unit of the part's table, MONEY) so
that rules comparing figures across parts convert exactly (multiplying up to 元). An unknown unit
counts as the part's conventional unit (万元; 元 for the asset table).

Also here: small helpers that shape a rule's result (:func:`lines`, :func:`result`, :func:`empty`)
so every rule returns the registry's columns the same way.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import polars as pl
import polars.selectors as cs

from reconcile.extract.common import cell_figure
from reconcile.extract.procurement import ProcurementTable
from reconcile.model import (
    BUDGET_FIELDS,
    PROCUREMENT_FIGURE_FIELDS,
    SECTIONS,
    AssetRow,
    Figure,
    Part,
)
from reconcile.numbers import MONEY_UNITS
from reconcile.rules._tolerance import MONEY, exceeds, fmt, half_if, half_unit_of, lit, zero
from reconcile.rules.registry import Context, frame
from reconcile.sources.layout import Cell

# ----------------------------------------------------------------------------------- figures
#
# Builders fill one Python list per column (a comprehension over the records of the run) and hand
# the lists to Polars: building a dict per row costs several times as much at batch scale.


def figure_schema(name: str) -> dict[str, pl.DataType]:
    """The five columns of a figure called ``name``."""
    return {
        name: MONEY,
        f"{name}_dec": pl.Int64(),
        f"{name}_line": pl.Int64(),
        f"{name}_loc": pl.String(),
        f"{name}_half": MONEY,
    }


def figure_row(name: str, figure: Figure | None) -> dict[str, Any]:
    """The five values of a figure (nulls when absent)."""
    if figure is None:
        return dict.fromkeys(figure_schema(name))
    decimals = figure.decimals
    return {
        name: figure.value,
        f"{name}_dec": decimals,
        f"{name}_line": figure.line,
        f"{name}_loc": figure.location,
        f"{name}_half": half_unit_of(decimals),
    }


def decimal_column(values: Sequence[Any], dtype: pl.DataType = MONEY) -> pl.Series:
    """An exact Decimal column from Python numbers (Decimals, never floats in practice), each
    distinct value converted once: the conversion costs far more than a dict lookup, and equal
    values (2.5 and 2.50) are the same number in a column of one scale."""
    index: dict[Any, int] = {}
    codes = [None if v is None else index.setdefault(v, len(index)) for v in values]
    distinct = [v if isinstance(v, Decimal) else Decimal(v) for v in index]
    return pl.Series(distinct, dtype=dtype).gather(pl.Series(codes, dtype=pl.UInt32))


def figure_columns(name: str, figures: Sequence[Figure | None]) -> dict[str, list[Any]]:
    """The five columns of the figure ``name`` over ``figures`` (nulls where one is absent)."""
    decimals = [None if f is None else f.decimals for f in figures]
    return {
        name: [None if f is None else f.value for f in figures],
        f"{name}_dec": decimals,
        f"{name}_line": [None if f is None else f.line for f in figures],
        f"{name}_loc": [None if f is None else f.location for f in figures],
        f"{name}_half": [None if d is None else half_unit_of(d) for d in decimals],
    }


STATED_SCHEMA: dict[str, pl.DataType] = {
    **figure_schema("stated_total"),
    "stated_unit": pl.String(),
    "stated_factor": MONEY,
}


def stated_columns(
    figures: Sequence[Figure | None],
    *,
    units: Sequence[str | None] | None = None,
    fallbacks: Sequence[str | None] | None = None,
) -> dict[str, list[Any]]:
    """The columns of STATED_SCHEMA for the stated totals ``figures``: the figure's five, its unit
    (``units``, else the one each figure was written with) and its factor (元 per that unit, or per
    the ``fallbacks`` unit where there is none, e.g. the table's)."""
    if units is None:
        units = [None if f is None else f.unit for f in figures]
    fallbacks = fallbacks or [None] * len(figures)
    return {
        **figure_columns("stated_total", figures),
        "stated_unit": list(units),
        "stated_factor": [unit_factor(u or f) for u, f in zip(units, fallbacks, strict=True)],
    }


def unit_factor(unit: str | None, default: str = "万元") -> Decimal:
    """元 per one ``unit``; an unknown or missing unit counts as ``default``."""
    if unit is not None:
        factor = MONEY_UNITS.get(unit.strip())
        if factor is not None:
            return factor
    return MONEY_UNITS[default]


# Up to this many rows a frame is handed to Polars as row tuples (one call, against one per
# column: a 56-column budget frame of one document builds in a quarter of the time).
_ROWS_UPTO = 128


def _frame(columns: dict[str, Any], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A frame from column lists, in the schema's column order; Decimal columns of a large frame
    are converted once per distinct value (see :func:`decimal_column`)."""
    lists = [columns[name] for name in schema]
    if len(lists[0]) <= _ROWS_UPTO:
        return pl.DataFrame(list(zip(*lists, strict=True)), schema=schema, orient="row")
    return pl.DataFrame(
        {
            name: decimal_column(values, dtype) if isinstance(dtype, pl.Decimal) else values
            for (name, dtype), values in zip(schema.items(), lists, strict=True)
        },
        schema=schema,
    )


def _parts(ctx: Context, part: str) -> tuple[list[int], list[Any]]:
    """The indices of the documents that have the section ``part``, and those sections."""
    found = [
        (i, section)
        for i, doc in enumerate(ctx.documents)
        if (section := getattr(doc, part)) is not None
    ]
    return [i for i, _ in found], [s for _, s in found]


def _repeat(values: Sequence[Any], counts: Sequence[int]) -> list[Any]:
    """Each value repeated as often as its count says (a part's value down its rows)."""
    return [v for v, n in zip(values, counts, strict=True) for _ in range(n)]


# ------------------------------------------------------------------------------------ budget


@frame("budget")
def budget_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with a budget part: every budget figure, its unit and factor."""
    schema: dict[str, pl.DataType] = {"doc": pl.Int64(), "unit": pl.String(), "factor": MONEY}
    for name in BUDGET_FIELDS:
        schema.update(figure_schema(name))
    schema["line"] = pl.Int64()
    docs, budgets = _parts(ctx, "budget")
    columns: dict[str, Any] = {
        "doc": docs,
        "unit": [b.unit for b in budgets],
        "factor": [unit_factor(b.unit) for b in budgets],
        "line": [b.line for b in budgets],
    }
    for name in BUDGET_FIELDS:
        columns.update(figure_columns(name, [getattr(b, name) for b in budgets]))
    return _frame(columns, schema)


# ------------------------------------------------------------------------------ running costs


@frame("running_costs")
def running_costs_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with a running-costs part: total, partial (等), unit, factor."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        **figure_schema("total"),
        "partial": pl.Boolean(),
        "unit": pl.String(),
        "factor": MONEY,
        "line": pl.Int64(),
        "n_items": pl.Int64(),
    }
    docs, parts = _parts(ctx, "running_costs")
    return _frame(
        {
            "doc": docs,
            **figure_columns("total", [rc.total for rc in parts]),
            "partial": [rc.partial for rc in parts],
            "unit": [rc.unit for rc in parts],
            "factor": [unit_factor(rc.unit) for rc in parts],
            "line": [rc.line for rc in parts],
            "n_items": [len(rc.items) for rc in parts],
        },
        schema,
    )


@frame("running_cost_items")
def running_cost_items_frame(ctx: Context) -> pl.DataFrame:
    """One row per listed running-cost item: doc, idx, name, amount."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "idx": pl.Int64(),
        "name": pl.String(),
        **figure_schema("amount"),
    }
    docs, parts = _parts(ctx, "running_costs")
    items = [item for rc in parts for item in rc.items]
    counts = [len(rc.items) for rc in parts]
    return _frame(
        {
            "doc": _repeat(docs, counts),
            "idx": [j for n in counts for j in range(n)],
            "name": [item.name for item in items],
            **figure_columns("amount", [item.amount for item in items]),
        },
        schema,
    )


# ----------------------------------------------------------------------------- three public


def is_total_name(name: str | None) -> bool:
    """合计 / 总计 rows (spaces of any width ignored)."""
    if not name:
        return False
    compact = "".join(name.split()).replace("\u3000", "")
    return compact in ("合计", "总计") or compact.startswith(("合计", "总计"))


@frame("three_public")
def three_public_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with a 三公 part: stated total, years, table unit, row count."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        **STATED_SCHEMA,
        "prior_year": pl.Int64(),
        "year": pl.Int64(),
        "unit": pl.String(),
        "factor": MONEY,
        "n_rows": pl.Int64(),
        "line": pl.Int64(),
        "table_line": pl.Int64(),
    }
    docs, parts = _parts(ctx, "three_public")
    return _frame(
        {
            "doc": docs,
            **stated_columns(
                [tp.stated_total for tp in parts], fallbacks=[tp.unit for tp in parts]
            ),
            "prior_year": [tp.prior_year for tp in parts],
            "year": [tp.year for tp in parts],
            "unit": [tp.unit for tp in parts],
            "factor": [unit_factor(tp.unit) for tp in parts],
            "n_rows": [len(tp.rows) for tp in parts],
            "line": [tp.line for tp in parts],
            "table_line": [tp.table_line for tp in parts],
        },
        schema,
    )


@frame("three_public_rows")
def three_public_rows_frame(ctx: Context) -> pl.DataFrame:
    """One row per 三公 table row: name, is_total, prior, current, change, reason, factor."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "idx": pl.Int64(),
        "name": pl.String(),
        "is_total": pl.Boolean(),
        **figure_schema("prior"),
        **figure_schema("current"),
        **figure_schema("change"),
        "reason": pl.String(),
        "factor": MONEY,
        "line": pl.Int64(),
        "location": pl.String(),
    }
    docs, parts = _parts(ctx, "three_public")
    rows = [r for tp in parts for r in tp.rows]
    counts = [len(tp.rows) for tp in parts]
    return _frame(
        {
            "doc": _repeat(docs, counts),
            "idx": [j for n in counts for j in range(n)],
            "name": [r.name.strip() for r in rows],
            "is_total": [is_total_name(r.name) for r in rows],
            **figure_columns("prior", [r.prior for r in rows]),
            **figure_columns("current", [r.current for r in rows]),
            **figure_columns("change", [r.change for r in rows]),
            "reason": [(r.reason or "").strip() or None for r in rows],
            "factor": _repeat([unit_factor(tp.unit) for tp in parts], counts),
            "line": [r.line for r in rows],
            "location": [r.location for r in rows],
        },
        schema,
    )


# ------------------------------------------------------------------------------ procurement


@frame("procurement")
def procurement_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with a procurement part: stated total, table unit, and the counts of
    its lines and 合计 rows (taken from the ``procurement_lines`` frame, wherever those came
    from)."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        **STATED_SCHEMA,
        "table_unit": pl.String(),
        "factor": MONEY,
        "line": pl.Int64(),
        "table_line": pl.Int64(),
    }
    docs, parts = _parts(ctx, "procurement")
    found = _frame(
        {
            "doc": docs,
            **stated_columns(
                [p.stated_total for p in parts], fallbacks=[p.table_unit for p in parts]
            ),
            "table_unit": [p.table_unit for p in parts],
            "factor": [unit_factor(p.table_unit) for p in parts],
            "line": [p.line for p in parts],
            "table_line": [p.table_line for p in parts],
        },
        schema,
    )
    counts = (
        ctx.frame("procurement_lines")
        .group_by("doc")
        .agg(
            n_lines=(~pl.col("is_total")).sum().cast(pl.Int64),
            has_total_row=pl.col("is_total").any(),
        )
    )
    return (
        found.join(counts, on="doc", how="left", maintain_order="left")
        .with_columns(pl.col("n_lines").fill_null(0), pl.col("has_total_row").fill_null(False))
        .select(*list(schema)[:-2], "n_lines", "has_total_row", "line", "table_line")
    )


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def procurement_key(code: str | None, item: str | None) -> str:
    """A procurement line's stable key: ``code|item``."""
    return f"{(code or '').strip()}|{(item or '').strip()}"


PROCUREMENT_LINES_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.Int64(),
    "idx": pl.Int64(),
    "is_total": pl.Boolean(),
    "key": pl.String(),
    "project": pl.String(),
    "item": pl.String(),
    "code": pl.String(),
    "unit": pl.String(),
    **{k: v for name in PROCUREMENT_FIGURE_FIELDS for k, v in figure_schema(name).items()},
    "factor": MONEY,
    "line": pl.Int64(),
    "location": pl.String(),
}


@frame("procurement_lines")
def procurement_lines_frame(ctx: Context) -> pl.DataFrame:
    """One row per procurement line, and one for the 合计 row (``is_total``), with every figure,
    the text cells (project, item, code, unit), the line's key and the table's factor; with the
    rows a batch built straight from its tables (``Context.procurement_rows``) in their place."""
    docs, parts = _parts(ctx, "procurement")
    # Every table's lines, then its 合计 row (when it has one).
    tables = [(*p.lines, p.total_row) if p.total_row is not None else p.lines for p in parts]
    counts = [len(t) for t in tables]
    lines = [ln for t in tables for ln in t]
    if not lines and ctx.procurement_rows is not None:
        return ctx.procurement_rows  # a share of text dumps: every line came as a row
    totals = [j == len(p.lines) for p, n in zip(parts, counts, strict=True) for j in range(n)]
    columns: dict[str, Any] = {
        "doc": _repeat(docs, counts),
        "idx": [j for n in counts for j in range(n)],
        "is_total": totals,
        "key": [
            "合计" if total else procurement_key(ln.code, ln.item)
            for ln, total in zip(lines, totals, strict=True)
        ],
        "project": [_text(ln.project) for ln in lines],
        "item": [_text(ln.item) for ln in lines],
        "code": [_text(ln.code) for ln in lines],
        "unit": [_text(ln.unit) for ln in lines],
        "factor": _repeat([unit_factor(p.table_unit) for p in parts], counts),
        "line": [ln.line for ln in lines],
        "location": [ln.location for ln in lines],
    }
    for name in PROCUREMENT_FIGURE_FIELDS:
        columns.update(figure_columns(name, [getattr(ln, name) for ln in lines]))
    found = _frame(columns, PROCUREMENT_LINES_SCHEMA)
    if ctx.procurement_rows is None:
        return found
    # A document's lines come from its objects or from the batch's rows, never from both.
    return pl.concat([found, ctx.procurement_rows]).sort("doc", "idx", maintain_order=True)


def procurement_rows(tables: Sequence[tuple[int, ProcurementTable]]) -> pl.DataFrame:
    """The ``procurement_lines`` rows of the tables (each with its ``doc``) read up to their
    lines (``extract.procurement.read_procurement``): the rows that ``procurement_lines_frame``
    makes of the ProcurementLines ``procurement.with_lines`` would build, built without them
    (a batch's tables; the tests hold the two to the same frame). Built column by column: a
    field's cells over every table are one list, and a figure's five columns come from it in
    one pass each (not one per table: a share has a hundred tables of a dozen rows)."""
    columns: dict[str, list[Any]] = {name: [] for name in PROCUREMENT_LINES_SCHEMA}
    fields = (*_PROCUREMENT_TEXTS, *PROCUREMENT_FIGURE_FIELDS)
    cells: dict[str, list[Cell | None]] = {name: [] for name in fields}
    for doc, table in tables:
        rows = (*table.rows, table.total) if table.total is not None else table.rows
        n = len(rows)
        first = len(columns["doc"])  # the table's first row among all
        for name in fields:
            col = table.cols.get(name)
            cells[name] += (
                [row.cells[col] if col < len(row.cells) else None for row in rows]
                if col is not None
                else [None] * n
            )
        columns["doc"] += [doc] * n
        columns["idx"] += range(n)
        lines = len(table.rows)  # then the 合计 row, when there is one
        columns["is_total"] += [idx == lines for idx in range(n)]
        columns["factor"] += [unit_factor(table.procurement.table_unit)] * n
        columns["line"] += [row.line for row in rows]
        columns["location"] += [row.cells[0].location if row.cells else None for row in rows]
        codes = cells["code"][first : first + lines]
        items = cells["item"][first : first + lines]
        columns["key"] += [
            procurement_key(code.text if code else None, item.text if item else None)
            for code, item in zip(codes, items, strict=True)
        ] + ["合计"] * (n - lines)
    for name in _PROCUREMENT_TEXTS:
        columns[name] = [_text(c.text) if c else None for c in cells[name]]
    for name in PROCUREMENT_FIGURE_FIELDS:
        found = cells[name]
        parts = [_cell_parts(c.text) if c else None for c in found]
        columns[name] = [p[0] if p else None for p in parts]
        columns[f"{name}_dec"] = [p[1] if p else None for p in parts]
        columns[f"{name}_half"] = [p[2] if p else None for p in parts]
        columns[f"{name}_line"] = [
            c.line if p and c else None for c, p in zip(found, parts, strict=True)
        ]
        columns[f"{name}_loc"] = [
            c.location if p and c else None for c, p in zip(found, parts, strict=True)
        ]
    return _frame(columns, PROCUREMENT_LINES_SCHEMA)


_PROCUREMENT_TEXTS = ("project", "item", "code", "unit")


@lru_cache(maxsize=8192)
def _cell_parts(text: str) -> tuple[Decimal, int, Decimal] | None:
    """A cell's figure as the frames hold it (value, decimals, half unit), as ``figure_from_cell``
    and ``figure_columns`` make it (cached: cells repeat)."""
    number = cell_figure(text)
    if number is None:
        return None
    decimals = number.decimals
    return number.value, decimals, half_unit_of(decimals)


# ----------------------------------------------------------------------------------- assets


@frame("assets")
def assets_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with an assets part: stated total and planned purchases (with their
    units' factors), the table's unit (元 when not stated) and year label."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        **STATED_SCHEMA,
        **figure_schema("planned_purchase"),
        "planned_factor": MONEY,
        "planned_in_procurement": pl.Boolean(),
        "year_end": pl.Int64(),
        "planned_purchase_year": pl.Int64(),
        "table_year_label": pl.String(),
        "table_unit": pl.String(),
        "table_unit_inferred": pl.Boolean(),
        "factor": MONEY,
        "n_rows": pl.Int64(),
        "line": pl.Int64(),
        "table_line": pl.Int64(),
    }
    docs, parts = _parts(ctx, "assets")
    stated_units = [
        a.stated_total_unit or (a.stated_total.unit if a.stated_total else None) for a in parts
    ]
    planned_units = [a.planned_purchase.unit if a.planned_purchase else None for a in parts]
    return _frame(
        {
            "doc": docs,
            **stated_columns([a.stated_total for a in parts], units=stated_units),
            **figure_columns("planned_purchase", [a.planned_purchase for a in parts]),
            "planned_factor": [
                unit_factor(p or s) for p, s in zip(planned_units, stated_units, strict=True)
            ],
            "planned_in_procurement": [a.planned_in_procurement for a in parts],
            "year_end": [a.year_end for a in parts],
            "planned_purchase_year": [a.planned_purchase_year for a in parts],
            "table_year_label": [a.table_year_label for a in parts],
            "table_unit": [a.table_unit for a in parts],
            "table_unit_inferred": [a.table_unit_inferred for a in parts],
            "factor": [unit_factor(a.table_unit, default="元") for a in parts],
            "n_rows": [len(a.rows) for a in parts],
            "line": [a.line for a in parts],
            "table_line": [a.table_line for a in parts],
        },
        schema,
    )


@frame("asset_rows")
def asset_rows_frame(ctx: Context) -> pl.DataFrame:
    """One row per asset-table row: name, row number, value, parent name and place, level,
    factor."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "idx": pl.Int64(),
        "name": pl.String(),
        "row_no": pl.String(),
        **figure_schema("value"),
        "parent": pl.String(),
        "parent_idx": pl.Int64(),  # the parent row's ``idx`` (see ``_parent_places``)
        "level": pl.Int64(),
        "factor": MONEY,
        "line": pl.Int64(),
        "location": pl.String(),
    }
    docs, parts = _parts(ctx, "assets")
    rows = [r for a in parts for r in a.rows]
    counts = [len(a.rows) for a in parts]
    return _frame(
        {
            "doc": _repeat(docs, counts),
            "idx": [j for n in counts for j in range(n)],
            "name": [r.name.strip() for r in rows],
            "row_no": [r.row_no for r in rows],
            **figure_columns("value", [r.value for r in rows]),
            "parent": [r.parent.strip() if r.parent else None for r in rows],
            "parent_idx": [j for a in parts for j in _parent_places(a.rows)],
            "level": [r.level for r in rows],
            "factor": _repeat([unit_factor(a.table_unit, default="元") for a in parts], counts),
            "line": [r.line for r in rows],
            "location": [r.location for r in rows],
        },
        schema,
    )


def _parent_places(rows: Sequence[AssetRow]) -> list[int | None]:
    """Each row's parent as its place among ``rows`` (None for none): the nearest row above it
    with the parent's name and a lower level, else the nearest above with that name, else the
    first with that name. A name can stand twice in one table (其他 under two categories), so a
    parent is never looked up by its name alone.

    The rows above with a name are kept as a stack of rising levels: a row hides every earlier
    one of its name whose level is not lower than its own (it is nearer, and lower whenever they
    are), so the nearest with a level below a row's is found by bisection. Looking back through
    every earlier row of the name took 54 s for 40,000 rows of one name."""
    names = [r.name.strip() for r in rows]
    first: dict[str, int] = {}
    for i, name in enumerate(names):
        first.setdefault(name, i)
    stacks: dict[str, tuple[list[int], list[int]]] = {}  # name -> (levels, places), rising
    places: list[int | None] = []
    for i, row in enumerate(rows):
        parent = row.parent.strip() if row.parent else None
        place = None
        if parent:
            levels, above = stacks.get(parent, ([], []))
            lower = bisect_left(levels, row.level)  # levels[:lower] are below the row's
            if lower:
                place = above[lower - 1]
            elif above:
                place = above[-1]
            else:
                place = first.get(parent)
        places.append(place)
        levels, above = stacks.setdefault(names[i], ([], []))
        hidden = bisect_left(levels, row.level)
        del levels[hidden:], above[hidden:]
        levels.append(row.level)
        above.append(i)
    return places


# --------------------------------------------------------------------------------- document


PART_SECTIONS = tuple(s for s in SECTIONS if s != "document")


@frame("doc_parts")
def doc_parts_frame(ctx: Context) -> pl.DataFrame:
    """One row per document and template part: whether the model holds the section, whether a
    heading for it was found, and the heading's line."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "part": pl.String(),
        "order": pl.Int64(),
        "has_section": pl.Boolean(),
        "has_heading": pl.Boolean(),
        "heading_line": pl.Int64(),
        "source_kind": pl.String(),
    }
    n = len(ctx.documents)
    width = len(PART_SECTIONS)
    headings: list[Part | None] = []
    for doc in ctx.documents:
        found = {p.key: p for p in doc.parts}
        headings.extend(found.get(part) for part in PART_SECTIONS)
    return _frame(
        {
            "doc": [i for i in range(n) for _ in range(width)],
            "part": list(PART_SECTIONS) * n,
            "order": list(range(width)) * n,
            "has_section": [
                getattr(doc, part) is not None for doc in ctx.documents for part in PART_SECTIONS
            ],
            "has_heading": [h is not None for h in headings],
            "heading_line": [h.line if h is not None else None for h in headings],
            "source_kind": [doc.info.source_kind for doc in ctx.documents for _ in range(width)],
        },
        schema,
    )


@frame("doc_problems")
def doc_problems_frame(ctx: Context) -> pl.DataFrame:
    """One row per reader problem (Document.problems)."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "idx": pl.Int64(),
        "section": pl.String(),
        "message": pl.String(),
        "line": pl.Int64(),
        "location": pl.String(),
    }
    counts = [len(doc.problems) for doc in ctx.documents]
    problems = [p for doc in ctx.documents for p in doc.problems]
    return _frame(
        {
            "doc": _repeat(range(len(counts)), counts),
            "idx": [j for n in counts for j in range(n)],
            "section": [p.section for p in problems],
            "message": [p.message for p in problems],
            "line": [p.line for p in problems],
            "location": [p.location for p in problems],
        },
        schema,
    )


# ---------------------------------------------------------------------------- result shaping


RESULT_COLUMNS = (
    "doc",
    "key",
    "lines",
    "expected",
    "actual",
    "difference",
    "tolerance",
    "location",
    "severity",
)


def lazy(ctx: Context, name: str) -> pl.LazyFrame:
    """The frame ``name`` of the run (built once, cached on the Context) as a lazy query: rules
    return lazy queries, which the engine collects together."""
    return ctx.frame(name).lazy()


def lines(*columns: str | pl.Expr) -> pl.Expr:
    """The ``lines`` list of a finding: the given Int64 (or list[Int64]) columns in order, nulls
    dropped, duplicates removed keeping the first (the main line stays first)."""
    exprs = [pl.col(c) if isinstance(c, str) else c for c in columns]
    return pl.concat_list(exprs).list.drop_nulls().list.unique(maintain_order=True)


def empty() -> pl.DataFrame:
    """A result with no findings."""
    return pl.DataFrame(
        schema={
            "doc": pl.Int64(),
            "key": pl.String(),
            "lines": pl.List(pl.Int64()),
            "expected": pl.String(),
            "actual": pl.String(),
            "difference": pl.String(),
            "tolerance": pl.String(),
            "location": pl.String(),
            "severity": pl.String(),
        }
    )


def result(df: pl.LazyFrame, *extra: str) -> pl.LazyFrame:
    """Keep the registry's columns the rule sets and the message placeholders named in
    ``extra``; the engine adds the registry's columns a rule leaves out, as nulls."""
    # A selector, not a look at the schema: resolving every rule's plan here to learn which
    # columns it has costs more than running the rule on a document.
    return df.select(cs.by_name(*RESULT_COLUMNS, require_all=False), *extra)


def sum_check(
    df: pl.LazyFrame,
    total: str,
    parts: Sequence[str],
    *,
    optional: Sequence[str] = (),
    factors: dict[str, str] | None = None,
) -> pl.LazyFrame:
    """The rows of ``df`` where the figure ``total`` differs from the sum of the figures ``parts``
    (plus ``optional`` ones, which count as an exact 0 when absent) by more than the band — the sum
    of the half units of every figure present.

    Rows where ``total`` or a required part is absent are skipped. ``factors`` maps a figure to a
    factor column (元 per unit) when the figures are in different units; every figure is then
    compared in 元. Adds ``expected`` (Σ parts), ``actual`` (total), ``difference`` (actual −
    expected), ``tolerance`` (the band) as exact strings, and ``parts`` (``"a + b + c"``)."""
    factors = factors or {}

    def value(name: str) -> pl.Expr:
        col = pl.col(name)
        return col * pl.col(factors[name]) if name in factors else col

    def half(name: str) -> pl.Expr:
        expr = half_if(name)
        return expr * pl.col(factors[name]) if name in factors else expr

    required = [total, *parts]
    present = pl.all_horizontal([pl.col(c).is_not_null() for c in required])
    summands = [value(p) for p in parts] + [value(p).fill_null(lit(0)) for p in optional]
    expected = summands[0]
    for s in summands[1:]:
        expected = expected + s
    band = half(total)
    for name in (*parts, *optional):
        band = band + half(name)
    shown = [fmt(value(p)) for p in parts] + [fmt(value(p)) for p in optional]
    out = (
        df.filter(present)
        .with_columns(
            _exp=expected,
            _act=value(total),
            _band=band,
            parts=pl.concat_str(shown, separator=" + ", ignore_nulls=True),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    return with_figures(out)


def column_totals(long: pl.LazyFrame, *, empty_part_lines: bool) -> pl.LazyFrame:
    """The columns of a table whose rows do not add up to its 合计 row, from ``long`` — one row
    per (doc, column, table row) with ``value`` (a figure or null), ``vline``, ``vloc`` and
    ``is_total``.

    Per document and column, the 合计 row's cell is compared with the sum of the other rows,
    empty cells counting as an exact 0, within the band of the half units of every filled cell;
    a column whose 合计 cell and rows are all empty is skipped. The result has the figures of
    ``with_figures``, ``lines`` (the 合计 cell's line, then the rows': every row's when
    ``empty_part_lines``, else only those of filled cells) and ``location``."""
    part_lines = pl.col("vline")
    if not empty_part_lines:
        part_lines = part_lines.filter(pl.col("value").is_not_null())
    parts = (
        long.filter(~pl.col("is_total"))
        .group_by("doc", "column")
        .agg(
            _sum=pl.col("value").fill_null(zero()).sum(),
            _parts_band=half_if("value").sum(),
            _filled=pl.col("value").is_not_null().sum(),
            _part_lines=part_lines.drop_nulls(),
        )
    )
    totals = long.filter(pl.col("is_total")).unique(["doc", "column"], keep="first")
    joined = totals.join(parts, on=["doc", "column"], how="inner")
    out = parts_exceed_total(joined.filter(pl.col("value").is_not_null() | (pl.col("_filled") > 0)))
    return with_figures(out).with_columns(
        lines=lines("vline", "_part_lines"), location=pl.col("vloc")
    )


def parts_exceed_total(df: pl.LazyFrame) -> pl.LazyFrame:
    """The rows of ``df`` whose total ``value`` (null: an empty cell, an exact 0) differs from
    ``_sum``, the sum of its parts, by more than the band: ``_parts_band`` (the parts' half
    units) plus the total's half unit. Adds ``_exp``, ``_act``, ``_band`` and ``_diff`` for
    ``with_figures``."""
    return (
        df.with_columns(
            _exp=pl.col("_sum"),
            _act=pl.col("value").fill_null(zero()),
            _band=pl.col("_parts_band") + half_if("value"),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )


def with_figures(df: pl.LazyFrame) -> pl.LazyFrame:
    """Format ``_exp``, ``_act``, ``_diff``, ``_band`` as ``expected``, ``actual``, ``difference``,
    ``tolerance`` (exact strings, see ``_tolerance.fmt``)."""
    return df.with_columns(
        expected=fmt("_exp"),
        actual=fmt("_act"),
        difference=fmt("_diff"),
        tolerance=fmt("_band"),
    )
