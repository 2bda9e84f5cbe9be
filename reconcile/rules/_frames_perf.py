"""Frames of the performance tables (part 五) and of the years a document writes, built once per
run from the model over every document (column ``doc`` = the document's index).

``perf_indicators``: one row per indicator row of every project's 绩效目标表, in document, project
and row order (``doc``, ``project_no``, ``ordinal``: the rules rely on it and do not sort), with
the cells as written, the parsed target (op, exact value, unit) and normalised columns the rules
match on:

* ``l1n`` / ``l2n``: level 1 / level 2 without spaces and without the 指标 suffix (产出, 数量 …);
  both are filled down within a project where a merged cell left them empty.
* ``l3n`` / ``descn``: level 3 / description without spaces, ★ markers, a leading 其中：, a trailing
  parenthesis (``（%）``, ``（人）``, ``(≥**%)``, a formula) and trailing punctuation.
* ``basisn``: the basis (指标值确定依据), normalised as ``l3n``.
* ``unit_n``: the target's unit with 百分比 and ％ read as ``%``.
* ``direction``, ``share``, ``cost_row``: what the performance rules judge of every row (see
  ``performance.shared_columns``), computed here once rather than in every rule.

``year_mentions``: one row per year the document writes where a particular year is meant: the
model's year fields (overall goal, planned purchases, the 三公 header years, the assets' year end),
the years in the title and every :class:`~reconcile.model.YearMention` the reader collected, each
with ``expect`` (``current`` or ``prior``), its line and the part (``section``) it stands in.

This is the single Python step that turns these records into rows; the rules are Polars
expressions over these frames.
"""

from __future__ import annotations

import bisect
from decimal import Decimal
from typing import Any

import polars as pl

from reconcile.model import SECTIONS, Document
from reconcile.numbers import parse_target, years_in
from reconcile.rules.registry import Context, frame

TARGET_VALUE = pl.Decimal(38, 8)

# ------------------------------------------------------------------------------ normalising

_SPACES = r"[\s\u3000\u00a0\u200b\ufeff]+"


def squashed(expr: pl.Expr) -> pl.Expr:
    """Text without any whitespace (full-width and no-break spaces included); null stays null."""
    return expr.str.replace_all(_SPACES, "")


def label_norm(expr: pl.Expr) -> pl.Expr:
    """A level-1/level-2 label for comparison: no spaces, no 指标 suffix (产出指标 -> 产出)."""
    return squashed(expr).str.replace(r"指标$", "")


def name_norm(expr: pl.Expr) -> pl.Expr:
    """A level-3 name or a description for matching: no spaces or ★ markers, no leading 其中：, no
    trailing parenthesis (twice, for ``（%）（人）``) and no trailing punctuation."""
    trailing_paren = r"[（(][^（）()]*[）)]$"
    return (
        squashed(expr)
        .str.replace_all(r"[★☆]", "")
        .str.replace(r"^其中[:：]?", "")
        .str.replace(r"[。．.，,；;：:、]+$", "")
        .str.replace(trailing_paren, "")
        .str.replace(trailing_paren, "")
        .str.replace(r"[。．.，,；;：:、]+$", "")
    )


def unit_norm(expr: pl.Expr) -> pl.Expr:
    """The target's unit, with 百分比 / ％ read as ``%``."""
    stripped = squashed(expr)
    return (
        pl.when(stripped.is_in(["%", "％", "百分比", "百分之"]))
        .then(pl.lit("%"))
        .otherwise(stripped)
    )


# ------------------------------------------------------------------------------- indicators

INDICATOR_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.Int64(),
    "project_no": pl.Int64(),  # 1-based, in document order
    "project": pl.String(),
    "project_line": pl.Int64(),
    "ordinal": pl.Int64(),  # 1-based row number inside the project's table
    "level1": pl.String(),
    "level2": pl.String(),
    "level3": pl.String(),
    "description": pl.String(),
    "target": pl.String(),
    "target_op": pl.String(),
    "target_value": TARGET_VALUE,
    "target_unit": pl.String(),
    "basis": pl.String(),
    "line": pl.Int64(),
    "location": pl.String(),
}


def _blank_to_none(text: str | None) -> str | None:
    return text if text is not None and text.strip() else None


def _indicator_rows(doc_index: int, doc: Document) -> list[dict[str, Any]]:
    perf = doc.performance
    if perf is None:
        return []
    rows: list[dict[str, Any]] = []
    for p, project in enumerate(perf.projects):
        for i, ind in enumerate(project.indicators):
            op, value, unit = ind.target_op, ind.target_value, ind.target_unit
            target = _blank_to_none(ind.target)
            if op is None and value is None and unit is None and target is not None:
                # A hand-written source may give the target text only.
                parsed = parse_target(target)
                op, value, unit = parsed.op, parsed.value, parsed.unit
            rows.append(
                {
                    "doc": doc_index,
                    "project_no": p + 1,
                    "project": project.name,
                    "project_line": project.line,
                    "ordinal": i + 1,
                    "level1": _blank_to_none(ind.level1),
                    "level2": _blank_to_none(ind.level2),
                    "level3": _blank_to_none(ind.level3),
                    "description": _blank_to_none(ind.description),
                    "target": target,
                    "target_op": op,
                    "target_value": Decimal(value) if value is not None else None,
                    "target_unit": unit,
                    "basis": _blank_to_none(ind.basis),
                    "line": ind.line,
                    "location": ind.location or f"performance.projects[{p}].indicators[{i}]",
                }
            )
    return rows


@frame("perf_indicators")
def indicators_frame(ctx: Context) -> pl.DataFrame:
    """One row per performance indicator of every document, with normalised match columns and
    the judgements the performance rules share (``performance.shared_columns``)."""
    from reconcile.rules.performance import shared_columns  # the rules' vocabulary

    rows = [r for i, doc in enumerate(ctx.documents) for r in _indicator_rows(i, doc)]
    df = (
        pl.DataFrame(rows, schema=INDICATOR_SCHEMA)
        if rows
        else pl.DataFrame(schema=INDICATOR_SCHEMA)
    )
    project = ["doc", "project_no"]
    return (
        df.with_columns(
            pl.col("level1").forward_fill().over(project, order_by="ordinal"),
            pl.col("level2").forward_fill().over(project, order_by="ordinal"),
        )
        .with_columns(
            l1n=label_norm(pl.col("level1")),
            l2n=label_norm(pl.col("level2")),
            l3n=name_norm(pl.col("level3")),
            descn=name_norm(pl.col("description")),
            basisn=name_norm(pl.col("basis")),
            unit_n=unit_norm(pl.col("target_unit")),
            key=pl.concat_str(
                [
                    pl.col("project"),
                    pl.col("level2").fill_null(""),
                    pl.col("level3").fill_null(""),
                ],
                separator="/",
            ),
        )
        .with_columns(**shared_columns())
    )


# ------------------------------------------------------------------------------------ years

YEAR_SCHEMA: dict[str, pl.DataType] = {
    "doc": pl.Int64(),
    "doc_year": pl.Int64(),
    "origin": pl.String(),  # "field" (a model field), "title", "mention" (Document.years)
    "context": pl.String(),
    "expect": pl.String(),
    "year": pl.Int64(),
    "text": pl.String(),
    "line": pl.Int64(),
    "location": pl.String(),
    "section": pl.String(),
}

# The part a mention belongs to when it has no line to place it by.
_CONTEXT_SECTIONS = (
    ("budget", "budget"),
    ("running", "running_costs"),
    ("three_public", "three_public"),
    ("goal", "performance"),
    ("performance", "performance"),
    ("procurement", "procurement"),
    ("asset", "assets"),
    ("planned_purchase", "assets"),
)


def _section_of(doc: Document, line: int | None, context: str) -> str:
    """The template part a year stands in: the last part heading at or before its line, else the
    part its context names, else ``document``."""
    headed = sorted((p.line, p.key) for p in doc.parts if p.line is not None)
    if line is not None and headed:
        idx = bisect.bisect_right([h[0] for h in headed], line) - 1
        if idx >= 0 and headed[idx][1] in SECTIONS:
            return headed[idx][1]
        if idx >= 0:
            return "document"
    for prefix, section in _CONTEXT_SECTIONS:
        if context.startswith(prefix):
            return section
    return "document"


def _year_rows(doc_index: int, doc: Document) -> list[dict[str, Any]]:
    found: list[tuple[str, str, int, str, int | None, str | None, str]] = []
    info = doc.info
    if info.title:
        for year, _ in years_in(info.title):
            found.append(("title", "current", year, info.title, info.line, None, "title"))
    perf = doc.performance
    if perf is not None and perf.overall_goal_year is not None:
        found.append(
            (
                "overall_goal",
                "current",
                perf.overall_goal_year,
                f"{perf.overall_goal_year}年…整体绩效目标",
                perf.overall_goal_line,
                "performance.overall_goal_year",
                "field",
            )
        )
    tp = doc.three_public
    if tp is not None:
        line = tp.table_line or tp.line
        if tp.year is not None:
            found.append(
                (
                    "three_public_year",
                    "current",
                    tp.year,
                    f"三公经费表 {tp.year}年度（本年）",
                    line,
                    "three_public.year",
                    "field",
                )
            )
        if tp.prior_year is not None:
            found.append(
                (
                    "three_public_prior_year",
                    "prior",
                    tp.prior_year,
                    f"三公经费表 {tp.prior_year}年度（上年）",
                    line,
                    "three_public.prior_year",
                    "field",
                )
            )
    assets = doc.assets
    if assets is not None:
        if assets.planned_purchase_year is not None:
            line = assets.planned_purchase.line if assets.planned_purchase else assets.line
            found.append(
                (
                    "planned_purchase",
                    "current",
                    assets.planned_purchase_year,
                    f"{assets.planned_purchase_year}年拟购置固定资产",
                    line,
                    "assets.planned_purchase_year",
                    "field",
                )
            )
        if assets.year_end is not None:
            line = assets.stated_total.line if assets.stated_total else assets.line
            found.append(
                (
                    "asset_year_end",
                    "prior",
                    assets.year_end,
                    f"{assets.year_end}年末固定资产总额",
                    line,
                    "assets.year_end",
                    "field",
                )
            )
    for m in doc.years:
        found.append((m.context, m.expect, m.year, m.text, m.line, m.location, "mention"))
    return [
        {
            "doc": doc_index,
            "doc_year": info.year,
            "origin": origin,
            "context": context,
            "expect": expect,
            "year": year,
            "text": text,
            "line": line,
            "location": location,
            "section": _section_of(doc, line, context),
        }
        for context, expect, year, text, line, location, origin in found
    ]


@frame("year_mentions")
def year_mentions_frame(ctx: Context) -> pl.DataFrame:
    """Every year written where a particular year (the document's or the prior one) is meant.

    A year both in a model field and among the reader's mentions (same expectation, year and
    line) is kept once, the field first."""
    rows = [r for i, doc in enumerate(ctx.documents) for r in _year_rows(i, doc)]
    df = pl.DataFrame(rows, schema=YEAR_SCHEMA) if rows else pl.DataFrame(schema=YEAR_SCHEMA)
    place = pl.when(pl.col("line").is_not_null()).then(pl.col("line").cast(pl.String))
    return (
        df.with_columns(place=place.otherwise(pl.col("context")))
        .unique(subset=["doc", "expect", "year", "place"], keep="first", maintain_order=True)
        .drop("place")
    )


@frame("asset_year_label")
def asset_year_label_frame(ctx: Context) -> pl.DataFrame:
    """One row per document whose asset table writes a year label (``2019年度``): the label, the
    year in it, the year end the text states, the document year and their lines."""
    schema: dict[str, pl.DataType] = {
        "doc": pl.Int64(),
        "doc_year": pl.Int64(),
        "label": pl.String(),
        "label_year": pl.Int64(),
        "label_line": pl.Int64(),
        "label_location": pl.String(),
        "year_end": pl.Int64(),
        "year_end_line": pl.Int64(),
    }
    rows = []
    for i, doc in enumerate(ctx.documents):
        a = doc.assets
        if a is None or not a.table_year_label:
            continue
        years = [y for y, _ in years_in(a.table_year_label)]
        rows.append(
            {
                "doc": i,
                "doc_year": doc.info.year,
                "label": a.table_year_label.strip(),
                "label_year": years[0] if years else None,
                "label_line": a.table_year_line or a.table_line,
                "label_location": a.table_year_location or "assets.table_year_label",
                "year_end": a.year_end,
                "year_end_line": a.stated_total.line if a.stated_total else a.line,
            }
        )
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
