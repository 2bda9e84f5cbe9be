"""Frames of the performance tables (part 五) and of the years a document writes, built once per
run from the model over every document (column ``doc`` = the document's index).

``perf_indicator_cells``: one row per indicator row of every project's 绩效目标表, in document,
project and row order (``doc``, ``project_no``, ``ordinal``: the rules rely on it and do not sort),
with the cells as written (blank ones null, level 1 and 2 filled down where a merged cell left them
empty), the parsed target (op, exact value, unit) and the row's ``key`` (project/level 2/level 3 as
written: a merged level 2 stays empty in it). A batch's reader processes build it for their shares.

``perf_indicators``: the same rows with each row's location and the normalised columns the rules
match on, added in the main process over every document of the run at once: the texts of one
template repeat across documents, so each distinct text is normalised once, and the shares travel
with half the bytes. The normalised columns:

* ``l1n`` / ``l2n``: level 1 / level 2 without spaces and without the 指标 suffix (产出, 数量 …);
  both are filled down within a project where a merged cell left them empty.
* ``l3n`` / ``descn``: level 3 / description without spaces, ★ markers, a leading 其中：, a trailing
  parenthesis (``（%）``, ``（人）``, ``(≥**%)``, a formula) and trailing punctuation.
* ``basisn``: the basis (指标值确定依据), normalised as ``l3n``.
* ``unit_n``: the target's unit with 百分比 and ％ read as ``%``.
* ``direction``, ``share``, ``cost_row``, ``measure``, ``generic_name``, ``in_hierarchy``,
  ``basis_problem`` and the ``ph_*`` placeholder marks: what the performance rules judge of every
  row (see ``performance.shared_columns``, ``basis_columns``, ``placeholder_columns``), computed
  here once per distinct text rather than in every rule for every row.

``year_mentions``: one row per year the document writes where a particular year is meant: the
model's year fields (overall goal, planned purchases, the 三公 header years, the assets' year end),
the years in the title and every :class:`~reconcile.model.YearMention` the reader collected, each
with ``expect`` (``current`` or ``prior``), its line and the part (``section``) it stands in.

This is the single Python step that turns these records into rows; the rules are Polars
expressions over these frames.
"""

from __future__ import annotations

import bisect
from itertools import chain, repeat
from typing import Any

import polars as pl

from reconcile.exprs import count_so_far, run_starts
from reconcile.model import SECTIONS, Document, PerformanceProject
from reconcile.numbers import parse_target, years_in
from reconcile.rules._frames import decimal_column
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


_PUNCTUATION = r"[。．.，,；;：:、]"
_PARENTHESIS = r"[（(][^（）()]*[）)]"


def name_norm(expr: pl.Expr) -> pl.Expr:
    """A level-3 name or a description for matching: no spaces or ★ markers, no leading 其中：, no
    trailing parenthesis (twice, for ``（%）（人）``) and no trailing punctuation.

    Three passes: spaces and markers out at once; the prefix; then the whole tail at once —
    punctuation, up to two parentheses, punctuation — which removes exactly what stripping the
    punctuation, a parenthesis, another and the punctuation again one after the other does."""
    return (
        expr.str.replace_all(r"[\s\u3000\u00a0\u200b\ufeff★☆]+", "")
        .str.replace(r"^其中[:：]?", "")
        .str.replace(rf"{_PUNCTUATION}*(?:{_PARENTHESIS}){{0,2}}{_PUNCTUATION}*$", "")
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


# A cell of spaces only (Python's notion of a space, which adds \x1c-\x1f to Unicode's) is empty.
_BLANK = r"^[\s\x1c-\x1f]*$"
_TEXT_CELLS = ("level1", "level2", "level3", "description", "target", "basis")


def _fill_down(name: str) -> pl.Expr:
    """``name`` with empty cells (merged cells) filled from the row above in the same project.
    Rows come in project order, so no window is needed: a value filled from another project's
    row is dropped."""
    col = pl.col(name)
    source = pl.when(col.is_not_null()).then(pl.col("_project")).forward_fill()
    return pl.when(source == pl.col("_project")).then(col.forward_fill()).alias(name)


# Below this many rows (one or a few documents) the expressions run on the rows themselves:
# grouping the distinct values and spreading the results back would cost more than they save.
_DISTINCT_FROM = 2048


def _per_distinct(df: pl.DataFrame, inputs: list[str], *stages: dict[str, pl.Expr]) -> pl.DataFrame:
    """``df`` with the columns of ``stages`` (expressions over the ``inputs`` columns and the
    stages before) computed once per distinct combination of the inputs: indicator texts repeat
    down a table and across the documents of one template, and the regular expressions cost far
    more than spreading their results back to the rows."""
    if df.height < _DISTINCT_FROM:
        for stage in stages:
            df = df.with_columns(**stage)
        return df
    # Each distinct combination (nulls equal) with the rows that hold it; the results are spread
    # back by gathering each row's group: twice as fast as joining on the text columns.
    groups = df.select(inputs).with_row_index("_row").group_by(inputs).agg("_row")
    table = groups.drop("_row")
    for stage in stages:
        table = table.with_columns(**stage)
    group_of_row = (
        groups.select("_row", _group=pl.int_range(pl.len(), dtype=pl.UInt32))
        .explode("_row")
        .sort("_row")
        .get_column("_group")
    )
    return df.hstack(table.drop(inputs)[group_of_row].get_columns())


_PROJECT_COLUMNS = ("doc", "project_no", "project", "project_line")


def _indicator_table(ctx: Context) -> pl.DataFrame:
    """The columns of INDICATOR_SCHEMA (and ``_project``, a running project number) over every
    indicator of every document, in document, project and row order; text cells as written."""
    docs: list[int] = []
    project_nos: list[int] = []
    projects: list[PerformanceProject] = []
    for i, doc in enumerate(ctx.documents):
        if doc.performance is not None:
            for p, project in enumerate(doc.performance.projects):
                docs.append(i)
                project_nos.append(p + 1)
                projects.append(project)
    counts = [len(project.indicators) for project in projects]
    # Every row's project (an index into the project columns) and its place in the table.
    row_project = pl.Series(
        "_project", list(chain.from_iterable(map(repeat, range(len(counts)), counts))), pl.Int64
    )
    per_project = per_project_of(docs, project_nos, projects)[row_project]

    inds = [ind for project in projects for ind in project.indicators]
    ops = [ind.target_op for ind in inds]
    values: list[Any] = [ind.target_value for ind in inds]
    units = [ind.target_unit for ind in inds]
    targets = [ind.target for ind in inds]
    for k in [k for k, op in enumerate(ops) if op is None]:
        target = targets[k]
        if values[k] is None and units[k] is None and target and not target.isspace():
            # A hand-written source may give the target text only.
            parsed = parse_target(target)
            ops[k], values[k], units[k] = parsed.op, parsed.value, parsed.unit
    rows = pl.DataFrame(
        {
            "ordinal": list(chain.from_iterable(range(1, n + 1) for n in counts)),
            "level1": [ind.level1 for ind in inds],
            "level2": [ind.level2 for ind in inds],
            "level3": [ind.level3 for ind in inds],
            "description": [ind.description for ind in inds],
            "target": targets,
            "target_op": ops,
            "target_value": decimal_column(values, TARGET_VALUE),
            "target_unit": units,
            "basis": [ind.basis for ind in inds],
            "line": [ind.line for ind in inds],
            "location": [ind.location or None for ind in inds],
        },
        schema={k: v for k, v in INDICATOR_SCHEMA.items() if k not in _PROJECT_COLUMNS},
    )
    table = pl.concat([per_project, rows, row_project.to_frame()], how="horizontal")
    if ctx.indicator_rows is not None:
        table = _with_read_rows(
            table, ctx.indicator_rows, per_project_of(docs, project_nos, projects)
        )
    return table.select(*INDICATOR_SCHEMA, "_project")


def per_project_of(
    docs: list[int], project_nos: list[int], projects: list[PerformanceProject]
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc": docs,
            "project_no": project_nos,
            "project": [project.name for project in projects],
            "project_line": [project.line for project in projects],
        },
        schema={name: INDICATOR_SCHEMA[name] for name in _PROJECT_COLUMNS},
    )


def _with_read_rows(
    table: pl.DataFrame, read: pl.DataFrame, per_project: pl.DataFrame
) -> pl.DataFrame:
    """``table`` (rows from the documents' objects) with the rows a batch read from the layout's
    columns, their targets parsed once per distinct text, in document, project and row order;
    ``_project`` renumbered."""
    targets = read.get_column("target").drop_nulls().unique().to_list()
    parsed = [parse_target(t) for t in targets]
    target_columns = pl.DataFrame(
        {
            "target": targets,
            "target_op": [p.op for p in parsed],
            "target_value": decimal_column([p.value for p in parsed], TARGET_VALUE),
            "target_unit": [p.unit for p in parsed],
        },
        schema={
            k: INDICATOR_SCHEMA[k] for k in ("target", "target_op", "target_value", "target_unit")
        },
    )
    read = (
        read.join(per_project, on=["doc", "project_no"], how="left", maintain_order="left")
        .join(target_columns, on="target", how="left", maintain_order="left")
        .with_columns(location=pl.lit(None, pl.String), _project=pl.lit(0, pl.Int64))
        .select(table.columns)
    )
    return (
        pl.concat([table, read])
        .sort("doc", "project_no", "ordinal", maintain_order=True)
        .with_columns(_project=count_so_far(run_starts("doc", "project_no")).cast(pl.Int64))
    )


@frame("perf_indicator_cells")
def indicator_cells_frame(ctx: Context) -> pl.DataFrame:
    """The columns of INDICATOR_SCHEMA and ``key`` over every indicator of every document: blank
    text cells null, level 1 and 2 filled down within their project (``location`` only where the
    source gave one)."""
    return (
        _indicator_table(ctx)
        .with_columns(
            pl.when(~pl.col(c).str.contains(_BLANK)).then(pl.col(c)).alias(c) for c in _TEXT_CELLS
        )
        .with_columns(
            _fill_down("level1"),
            _fill_down("level2"),
            # the row's key from its cells as written: a merged (empty) level 2 stays empty in it
            key=pl.concat_str(
                [pl.col("project"), pl.col("level2").fill_null(""), pl.col("level3").fill_null("")],
                separator="/",
            ),
        )
        .select(*INDICATOR_SCHEMA, "key")
    )


@frame("perf_indicators", per_document=False)
def indicators_frame(ctx: Context) -> pl.DataFrame:
    """One row per performance indicator of every document (``perf_indicator_cells``), with its
    location, normalised match columns and the judgements the performance rules share
    (``performance.shared_columns``).

    ``location`` is the source's, else, for a row without a line (a hand-written document's),
    its place in the model: a row with a line is shown by its line, and the rules give its
    location only to findings without lines. Formatting the place of every row of a batch took
    30 ms of the rules' serial part."""
    from reconcile.rules.performance import (  # the rules' vocabulary
        basis_columns,
        placeholder_columns,
        shared_columns,
    )

    df = ctx.frame("perf_indicator_cells").with_columns(
        location=pl.coalesce(
            pl.col("location"),
            pl.when(pl.col("line").is_null()).then(
                pl.format(
                    "performance.projects[{}].indicators[{}]",
                    pl.col("project_no") - 1,
                    pl.col("ordinal") - 1,
                )
            ),
        ),
    )
    marks = placeholder_columns()
    judged = shared_columns()
    df = _per_distinct(
        df,
        ["level1", "level2", "level3", "description", "target", "target_unit"],
        {
            "l1n": label_norm(pl.col("level1")),
            "l2n": label_norm(pl.col("level2")),
            "l3n": name_norm(pl.col("level3")),
            "descn": name_norm(pl.col("description")),
            "unit_n": unit_norm(pl.col("target_unit")),
            **marks,
        },
        judged,
    )
    problems = basis_columns()
    df = _per_distinct(df, ["basis"], {"basisn": name_norm(pl.col("basis")), **problems})
    return df.select(
        *INDICATOR_SCHEMA,
        "l1n",
        "l2n",
        "l3n",
        "descn",
        "basisn",
        "unit_n",
        "key",
        *judged,
        *problems,
        *marks,
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


def _section_of(headed: list[tuple[int, str]], line: int | None, context: str) -> str:
    """The template part a year stands in: the last part heading (``headed``: the document's
    (line, key) in line order) at or before its line, else the part its context names, else
    ``document``."""
    if line is not None and headed:
        idx = bisect.bisect_right(headed, (line, "\uffff")) - 1
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
    headed = sorted((p.line, p.key) for p in doc.parts if p.line is not None)
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
            "section": _section_of(headed, line, context),
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
