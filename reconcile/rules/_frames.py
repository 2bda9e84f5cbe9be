"""Frames of the money parts (budget, running costs, 三公, procurement, assets) and of the document
itself, built once per run from the model over every document (column ``doc`` = the document's
index in ``Context.documents``).

This is the single Python step that turns model records into rows; every rule works on these
frames with Polars expressions only.

A figure ``f`` becomes four columns: ``f`` (exact amount, :data:`MONEY`), ``f_dec`` (decimals as
written, Int64), ``f_line`` (its line, Int64) and ``f_loc`` (its location, str: a key path such as
``budget.income_total`` for hand-written TOML). An absent figure is null in all four.

Money units: every frame of a part carries ``factor`` (元 per unit of the part's table, MONEY) so
that rules comparing figures across parts convert exactly (multiplying up to 元). An unknown unit
counts as the part's conventional unit (万元; 元 for the asset table).

Also here: small helpers that shape a rule's result (:func:`lines`, :func:`result`, :func:`empty`)
so every rule returns the registry's columns the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from reconcile.model import (
    BUDGET_FIELDS,
    PROCUREMENT_FIGURE_FIELDS,
    SECTIONS,
    Document,
    Figure,
)
from reconcile.numbers import MONEY_UNITS
from reconcile.rules._tolerance import MONEY, exceeds, fmt, half_unit_if, lit
from reconcile.rules.registry import Context, frame

# ----------------------------------------------------------------------------------- figures


def figure_schema(name: str) -> dict[str, pl.DataType]:
    """The four columns of a figure called ``name``."""
    return {
        name: MONEY,
        f"{name}_dec": pl.Int64(),
        f"{name}_line": pl.Int64(),
        f"{name}_loc": pl.String(),
    }


def figure_row(name: str, figure: Figure | None) -> dict[str, Any]:
    """The four values of a figure (nulls when absent)."""
    if figure is None:
        return {name: None, f"{name}_dec": None, f"{name}_line": None, f"{name}_loc": None}
    return {
        name: figure.value,
        f"{name}_dec": figure.decimals,
        f"{name}_line": figure.line,
        f"{name}_loc": figure.location,
    }


def unit_factor(unit: str | None, default: str = "万元") -> Decimal:
    """元 per one ``unit``; an unknown or missing unit counts as ``default``."""
    if unit is not None:
        for name, factor in MONEY_UNITS.items():
            if unit.strip() == name:
                return factor
    return MONEY_UNITS[default]


def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


def _docs(ctx: Context) -> Iterable[tuple[int, Document]]:
    return enumerate(ctx.documents)


# ------------------------------------------------------------------------------------ budget


@frame("budget")
def budget_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with a budget part: every budget figure, its unit and factor."""
    schema: dict[str, pl.DataType] = {"doc": pl.Int64(), "unit": pl.String(), "factor": MONEY}
    for name in BUDGET_FIELDS:
        schema.update(figure_schema(name))
    schema["line"] = pl.Int64()
    rows = []
    for i, doc in _docs(ctx):
        b = doc.budget
        if b is None:
            continue
        row: dict[str, Any] = {"doc": i, "unit": b.unit, "factor": unit_factor(b.unit)}
        for name in BUDGET_FIELDS:
            row.update(figure_row(name, getattr(b, name)))
        row["line"] = b.line
        rows.append(row)
    return _frame(rows, schema)


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
    rows = []
    for i, doc in _docs(ctx):
        rc = doc.running_costs
        if rc is None:
            continue
        rows.append(
            {
                "doc": i,
                **figure_row("total", rc.total),
                "partial": rc.partial,
                "unit": rc.unit,
                "factor": unit_factor(rc.unit),
                "line": rc.line,
                "n_items": len(rc.items),
            }
        )
    return _frame(rows, schema)


@frame("running_cost_items")
def running_cost_items_frame(ctx: Context) -> pl.DataFrame:
    """One row per listed running-cost item: doc, idx, name, amount."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "idx": pl.Int64(),
        "name": pl.String(),
        **figure_schema("amount"),
    }
    rows = []
    for i, doc in _docs(ctx):
        if doc.running_costs is None:
            continue
        for j, item in enumerate(doc.running_costs.items):
            rows.append(
                {"doc": i, "idx": j, "name": item.name, **figure_row("amount", item.amount)}
            )
    return _frame(rows, schema)


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
        **figure_schema("stated_total"),
        "stated_unit": pl.String(),
        "stated_factor": MONEY,
        "prior_year": pl.Int64(),
        "year": pl.Int64(),
        "unit": pl.String(),
        "factor": MONEY,
        "n_rows": pl.Int64(),
        "line": pl.Int64(),
        "table_line": pl.Int64(),
    }
    rows = []
    for i, doc in _docs(ctx):
        tp = doc.three_public
        if tp is None:
            continue
        stated_unit = tp.stated_total.unit if tp.stated_total is not None else None
        rows.append(
            {
                "doc": i,
                **figure_row("stated_total", tp.stated_total),
                "stated_unit": stated_unit,
                "stated_factor": unit_factor(stated_unit or tp.unit),
                "prior_year": tp.prior_year,
                "year": tp.year,
                "unit": tp.unit,
                "factor": unit_factor(tp.unit),
                "n_rows": len(tp.rows),
                "line": tp.line,
                "table_line": tp.table_line,
            }
        )
    return _frame(rows, schema)


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
    rows = []
    for i, doc in _docs(ctx):
        tp = doc.three_public
        if tp is None:
            continue
        for j, r in enumerate(tp.rows):
            reason = (r.reason or "").strip() or None
            rows.append(
                {
                    "doc": i,
                    "idx": j,
                    "name": r.name.strip(),
                    "is_total": is_total_name(r.name),
                    **figure_row("prior", r.prior),
                    **figure_row("current", r.current),
                    **figure_row("change", r.change),
                    "reason": reason,
                    "factor": unit_factor(tp.unit),
                    "line": r.line,
                    "location": r.location,
                }
            )
    return _frame(rows, schema)


# ------------------------------------------------------------------------------ procurement


@frame("procurement")
def procurement_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with a procurement part: stated total, table unit, counts."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        **figure_schema("stated_total"),
        "stated_unit": pl.String(),
        "stated_factor": MONEY,
        "table_unit": pl.String(),
        "factor": MONEY,
        "n_lines": pl.Int64(),
        "has_total_row": pl.Boolean(),
        "line": pl.Int64(),
        "table_line": pl.Int64(),
    }
    rows = []
    for i, doc in _docs(ctx):
        p = doc.procurement
        if p is None:
            continue
        stated_unit = p.stated_total.unit if p.stated_total is not None else None
        rows.append(
            {
                "doc": i,
                **figure_row("stated_total", p.stated_total),
                "stated_unit": stated_unit,
                "stated_factor": unit_factor(stated_unit or p.table_unit),
                "table_unit": p.table_unit,
                "factor": unit_factor(p.table_unit),
                "n_lines": len(p.lines),
                "has_total_row": p.total_row is not None,
                "line": p.line,
                "table_line": p.table_line,
            }
        )
    return _frame(rows, schema)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def procurement_key(code: str | None, item: str | None) -> str:
    """A procurement line's stable key: ``code|item``."""
    return f"{(code or '').strip()}|{(item or '').strip()}"


@frame("procurement_lines")
def procurement_lines_frame(ctx: Context) -> pl.DataFrame:
    """One row per procurement line, and one for the 合计 row (``is_total``), with every figure,
    the text cells (project, item, code, unit), the line's key and the table's factor."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "idx": pl.Int64(),
        "is_total": pl.Boolean(),
        "key": pl.String(),
        "project": pl.String(),
        "item": pl.String(),
        "code": pl.String(),
        "unit": pl.String(),
    }
    for name in PROCUREMENT_FIGURE_FIELDS:
        schema.update(figure_schema(name))
    schema.update({"factor": MONEY, "line": pl.Int64(), "location": pl.String()})
    rows = []
    for i, doc in _docs(ctx):
        p = doc.procurement
        if p is None:
            continue
        entries = [(j, ln, False) for j, ln in enumerate(p.lines)]
        if p.total_row is not None:
            entries.append((len(p.lines), p.total_row, True))
        for j, ln, total in entries:
            row: dict[str, Any] = {
                "doc": i,
                "idx": j,
                "is_total": total,
                "key": "合计" if total else procurement_key(ln.code, ln.item),
                "project": _text(ln.project),
                "item": _text(ln.item),
                "code": _text(ln.code),
                "unit": _text(ln.unit),
            }
            for name in PROCUREMENT_FIGURE_FIELDS:
                row.update(figure_row(name, getattr(ln, name)))
            row.update(
                {"factor": unit_factor(p.table_unit), "line": ln.line, "location": ln.location}
            )
            rows.append(row)
    return _frame(rows, schema)


# ----------------------------------------------------------------------------------- assets


@frame("assets")
def assets_frame(ctx: Context) -> pl.DataFrame:
    """One row per document with an assets part: stated total and planned purchases (with their
    units' factors), the table's unit (元 when not stated) and year label."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        **figure_schema("stated_total"),
        "stated_unit": pl.String(),
        "stated_factor": MONEY,
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
    rows = []
    for i, doc in _docs(ctx):
        a = doc.assets
        if a is None:
            continue
        stated_unit = a.stated_total_unit or (a.stated_total.unit if a.stated_total else None)
        planned_unit = a.planned_purchase.unit if a.planned_purchase else None
        rows.append(
            {
                "doc": i,
                **figure_row("stated_total", a.stated_total),
                "stated_unit": stated_unit,
                "stated_factor": unit_factor(stated_unit),
                **figure_row("planned_purchase", a.planned_purchase),
                "planned_factor": unit_factor(planned_unit or stated_unit),
                "planned_in_procurement": a.planned_in_procurement,
                "year_end": a.year_end,
                "planned_purchase_year": a.planned_purchase_year,
                "table_year_label": a.table_year_label,
                "table_unit": a.table_unit,
                "table_unit_inferred": a.table_unit_inferred,
                "factor": unit_factor(a.table_unit, default="元"),
                "n_rows": len(a.rows),
                "line": a.line,
                "table_line": a.table_line,
            }
        )
    return _frame(rows, schema)


@frame("asset_rows")
def asset_rows_frame(ctx: Context) -> pl.DataFrame:
    """One row per asset-table row: name, row number, value, parent name, level, factor."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "idx": pl.Int64(),
        "name": pl.String(),
        "row_no": pl.String(),
        **figure_schema("value"),
        "parent": pl.String(),
        "level": pl.Int64(),
        "factor": MONEY,
        "line": pl.Int64(),
        "location": pl.String(),
    }
    rows = []
    for i, doc in _docs(ctx):
        a = doc.assets
        if a is None:
            continue
        for j, r in enumerate(a.rows):
            rows.append(
                {
                    "doc": i,
                    "idx": j,
                    "name": r.name.strip(),
                    "row_no": r.row_no,
                    **figure_row("value", r.value),
                    "parent": r.parent.strip() if r.parent else None,
                    "level": r.level,
                    "factor": unit_factor(a.table_unit, default="元"),
                    "line": r.line,
                    "location": r.location,
                }
            )
    return _frame(rows, schema)


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
    rows = []
    for i, doc in _docs(ctx):
        headings = {p.key: p for p in doc.parts}
        for order, part in enumerate(PART_SECTIONS):
            heading = headings.get(part)
            rows.append(
                {
                    "doc": i,
                    "part": part,
                    "order": order,
                    "has_section": getattr(doc, part) is not None,
                    "has_heading": heading is not None,
                    "heading_line": heading.line if heading else None,
                    "source_kind": doc.info.source_kind,
                }
            )
    return _frame(rows, schema)


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
    rows = [
        {
            "doc": i,
            "idx": j,
            "section": p.section,
            "message": p.message,
            "line": p.line,
            "location": p.location,
        }
        for i, doc in _docs(ctx)
        for j, p in enumerate(doc.problems)
    ]
    return _frame(rows, schema)


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
    """Keep the registry's columns (adding missing ones as nulls) and the message placeholders
    named in ``extra``."""
    names = df.collect_schema().names()
    missing = [c for c in RESULT_COLUMNS if c not in names]
    typed = {"lines": pl.List(pl.Int64()), "doc": pl.Int64()}
    df = df.with_columns([pl.lit(None, dtype=typed.get(c, pl.String())).alias(c) for c in missing])
    return df.select(*RESULT_COLUMNS, *extra)


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
        expr = half_unit_if(name, f"{name}_dec")
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


def with_figures(df: pl.LazyFrame) -> pl.LazyFrame:
    """Format ``_exp``, ``_act``, ``_diff``, ``_band`` as ``expected``, ``actual``, ``difference``,
    ``tolerance`` (exact strings, see ``_tolerance.fmt``)."""
    return df.with_columns(
        expected=fmt("_exp"),
        actual=fmt("_act"),
        difference=fmt("_diff"),
        tolerance=fmt("_band"),
    )
