"""Across years (DOMAIN §2, "Across years"): what the newer disclosure of a department says about
the year before must hold in the older one.

The pairs come from ``Context.pairs`` (older index, newer index): ``reconcile check`` pairs
consecutive years of one department and kind (``batch.pair_years``), ``reconcile diff OLD NEW``
pairs its two inputs. Every finding belongs to the NEWER document (``doc`` = its index) and points
at its lines; the older document's figure and place are named in the message (``old_place``).

Amounts are compared in the newer document's unit: the older figure is multiplied by the ratio of
the two tables' units (1 when both are in 万元), exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import polars as pl

from reconcile.rules import _frames as F
from reconcile.rules._frames_perf import squashed
from reconcile.rules._tolerance import exceeds, fmt, half, half_if, zero
from reconcile.rules.registry import Context, frame, rule


@frame("yoy_pairs", per_document=False)
def pairs_frame(ctx: Context) -> pl.DataFrame:
    """One row per (older, newer) pair of the run: ``old`` and ``doc`` (the newer index), each
    document's source, department, kind, year and title line."""
    schema: dict[str, pl.DataType] = {
        "old": pl.Int64(),
        "doc": pl.Int64(),
        "old_source": pl.String(),
        "old_department": pl.String(),
        "department": pl.String(),
        "old_kind": pl.String(),
        "kind": pl.String(),
        "old_year": pl.Int64(),
        "year": pl.Int64(),
        "old_info_line": pl.Int64(),
        "info_line": pl.Int64(),
    }
    rows: list[dict[str, Any]] = []
    for old, new in ctx.pairs:
        before, after = ctx.documents[old].info, ctx.documents[new].info
        rows.append(
            {
                "old": old,
                "doc": new,
                "old_source": before.source,
                "old_department": before.department,
                "department": after.department,
                "old_kind": before.kind,
                "kind": after.kind,
                "old_year": before.year,
                "year": after.year,
                "old_info_line": before.line,
                "info_line": after.line,
            }
        )
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)


_NOTHING = F.empty()


def _over_pairs(
    func: Callable[[Context], pl.LazyFrame],
) -> Callable[[Context], pl.LazyFrame | pl.DataFrame]:
    """A rule over the run's year pairs: without pairs (one document, or no consecutive years)
    it has nothing to compare and returns an empty frame, which the engine does not run."""

    @functools.wraps(func)
    def run(ctx: Context) -> pl.LazyFrame | pl.DataFrame:
        return func(ctx) if ctx.pairs else _NOTHING

    return run


def _old_place(*lines: str) -> pl.Expr:
    """``path:line`` of the older document's figure, the first of ``lines`` it has (``path`` alone
    when it has none)."""
    line = pl.coalesce([pl.col(name) for name in lines])
    return (
        pl.when(line.is_not_null())
        .then(pl.concat_str([pl.col("old_source"), pl.lit(":"), line.cast(pl.String)]))
        .otherwise(pl.col("old_source"))
    )


def _ratio() -> pl.Expr:
    """元 per unit of the older table over 元 per unit of the newer one (1 for the same unit)."""
    return pl.col("old_factor") / pl.col("factor")


def _total(prefix: str, names: tuple[str, ...]) -> list[pl.Expr]:
    """The first of ``names`` the budget states (value, decimals, half unit, line) as
    ``<prefix>total…``."""
    first = pl.coalesce([pl.col(n) for n in names])

    def pick(suffix: str) -> pl.Expr:
        expr = pl.lit(None, dtype=pl.Int64())
        for n in reversed(names):
            expr = pl.when(pl.col(n).is_not_null()).then(pl.col(f"{n}{suffix}")).otherwise(expr)
        return expr

    return [
        first.alias(f"{prefix}total"),
        pick("_dec").alias(f"{prefix}total_dec"),
        # A figure's half unit is null exactly where the figure is: the first one is its own.
        pl.coalesce([pl.col(f"{n}_half") for n in names]).alias(f"{prefix}total_half"),
        pick("_line").alias(f"{prefix}total_line"),
    ]


def _stated_change(ctx: Context, change: str, names: tuple[str, ...], key: str) -> pl.LazyFrame:
    """NEW's stated change ``change`` against NEW's total − OLD's total (the first of ``names``
    each states), within the band of the three figures."""
    budget = F.lazy(ctx, "budget")
    new = budget.select(
        "doc",
        *_total("", names),
        pl.col(change).alias("change"),
        pl.col(f"{change}_dec").alias("change_dec"),
        pl.col(f"{change}_half").alias("change_half"),
        pl.col(f"{change}_line").alias("change_line"),
        pl.col(f"{change}_loc").alias("change_loc"),
        "factor",
    )
    old = budget.select(
        pl.col("doc").alias("old"), *_total("old_", names), pl.col("factor").alias("old_factor")
    )
    out = (
        F.lazy(ctx, "yoy_pairs")
        .join(new, on="doc", how="inner")
        .join(old, on="old", how="inner")
        .filter(
            pl.col("change").is_not_null()
            & pl.col("total").is_not_null()
            & pl.col("old_total").is_not_null()
        )
        .with_columns(_old=pl.col("old_total") * _ratio())
        .with_columns(
            _exp=pl.col("total") - pl.col("_old"),
            _act=pl.col("change"),
            _band=half("change") + half("total") + half("old_total") * _ratio(),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    out = F.with_figures(out).with_columns(
        key=pl.lit(key),
        lines=F.lines("change_line", "total_line"),
        location=pl.col("change_loc"),
        new_total=fmt("total"),
        old_total=fmt("_old"),
        old_place=_old_place("old_total_line"),
    )
    return F.result(out, "new_total", "old_total", "old_place")


@rule(
    "YOY001",
    "stated-change-of-total",
    severity="error",
    section="budget",
    en="the stated change against last year {actual} ≠ this year's total {new_total} − last "
    "year's {old_total} ({old_place}) = {expected} (difference {difference}, tolerance "
    "{tolerance})",
    zh="较上年增减 {actual} 与本年总额 {new_total} − 上年总额 {old_total}（{old_place}）= {expected} "
    "不符（差 {difference}，容差 {tolerance}）",
)
@_over_pairs
def stated_change_of_total(ctx: Context) -> pl.LazyFrame:
    """The stated change of the budget total equals this year's total minus last year's.

    Checks the change the newer document states against last year (与上年增减情况: "较上年增加
    353.32万元") against its income total minus the older document's income total (the expenditure
    total where a document states no income total), within the rounding band of the three figures.
    Why: the stated change is how readers learn how the budget moved; when it does not match last
    year's published total, one of the two documents is wrong, or the change was computed against
    a revised figure the reader cannot see. Example: 2021 states 较上年增加353.32万元;
    2834.55 − 2481.23 = 353.32 holds. Had the 2020 budget published 2491.23, the difference would
    be 343.32 and the finding points at line 47 of the 2021 document.
    """
    return _stated_change(
        ctx, "change_total", ("income_total", "expenditure_total"), "change_total"
    )


@rule(
    "YOY002",
    "stated-change-of-projects",
    severity="error",
    section="budget",
    en="the stated change of project spending {actual} ≠ this year's project spending "
    "{new_total} − last year's {old_total} ({old_place}) = {expected} (difference {difference}, "
    "tolerance {tolerance})",
    zh="项目支出较上年增减 {actual} 与本年项目支出 {new_total} − 上年项目支出 {old_total}（{old_place}）"
    "= {expected} 不符（差 {difference}，容差 {tolerance}）",
)
@_over_pairs
def stated_change_of_projects(ctx: Context) -> pl.LazyFrame:
    """The stated change of project spending equals this year's project spending minus last year's.

    Checks "其中：本年增加项目支出364.75万元" in the newer document against its 项目支出 minus the
    older document's 项目支出, within the rounding band. Why: the project part of the change
    explains where the budget grew; it must be the difference of the two published project
    totals. Example: 2337.35 − 1972.60 = 364.75 holds for the 2021 budget against 2020.
    """
    return _stated_change(ctx, "change_project", ("project_total",), "change_project")


def _row_name() -> pl.Expr:
    """A 三公 row's name for matching: 合计 for the total row, else without spaces and with
    full-width parentheses read as ASCII."""
    plain = squashed(pl.col("name")).str.replace_all("（", "(").str.replace_all("）", ")")
    return pl.when(pl.col("is_total")).then(pl.lit("合计")).otherwise(plain)


@rule(
    "YOY003",
    "three-public-prior-column",
    severity="error",
    section="three_public",
    en="{name}: the prior-year column says {actual_shown}, but last year's budget was "
    "{expected_shown} ({old_place}) (difference {difference}, tolerance {tolerance})",
    zh="{name}：上年预算列为 {actual_shown}，而上年公开的本年预算为 {expected_shown}（{old_place}）"
    "（差 {difference}，容差 {tolerance}）",
)
@_over_pairs
def three_public_prior_column(ctx: Context) -> pl.LazyFrame:
    """The 三公 table's prior-year column equals last year's budget column, row by row.

    For every row the two tables share (matched by name, 合计 with 合计), the newer document's
    上年预算 must equal the older document's 本年预算 within the rounding band; an empty cell counts
    as an exact 0 when the other is filled. Why: the 增减金额 and its reasons are only as true as the
    base they start from; a prior column that differs from what was published last year makes a
    cut look like a rise or hides one. Example: the 2021 table's 公务用车运行经费 2020年度预算 3
    equals the 2020 table's 2020年度预算 3; written 3.5 it would be 0.50 off.
    """
    rows = (
        F.lazy(ctx, "three_public_rows")
        .with_columns(_name=_row_name())
        .with_columns(_ord=pl.int_range(pl.len()).over(["doc", "_name"], order_by="idx"))
    )
    new = rows.select(
        "doc",
        "_name",
        "_ord",
        "name",
        "prior",
        "prior_dec",
        "prior_half",
        "prior_line",
        "line",
        "location",
        "factor",
    )
    old = rows.select(
        pl.col("doc").alias("old"),
        "_name",
        "_ord",
        pl.col("current").alias("old_current"),
        pl.col("current_dec").alias("old_current_dec"),
        pl.col("current_half").alias("old_current_half"),
        pl.col("current_line").alias("old_current_line"),
        pl.col("line").alias("old_row_line"),
        pl.col("factor").alias("old_factor"),
    )
    out = (
        F.lazy(ctx, "yoy_pairs")
        .join(new, on="doc", how="inner")
        .join(old, on=["old", "_name", "_ord"], how="inner")
        .filter(pl.col("prior").is_not_null() | pl.col("old_current").is_not_null())
        .with_columns(_old=pl.col("old_current") * _ratio())
        .with_columns(
            _exp=pl.col("_old").fill_null(zero()),
            _act=pl.col("prior").fill_null(zero()),
            _band=half_if("prior") + half_if("old_current") * _ratio(),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    out = out.with_columns(
        expected=fmt("_old"),
        actual=fmt("prior"),
        difference=fmt("_diff"),
        tolerance=fmt("_band"),
        expected_shown=fmt("_old").fill_null(pl.lit("empty")),
        actual_shown=fmt("prior").fill_null(pl.lit("empty")),
        key=pl.col("_name"),
        lines=F.lines("prior_line", "line"),
        location=pl.when(pl.col("prior_line").is_null() & pl.col("line").is_null()).then(
            pl.col("location")
        ),
        old_place=_old_place("old_current_line", "old_row_line"),
    )
    return F.result(out, "name", "expected_shown", "actual_shown", "old_place")


@rule(
    "YOY004",
    "consecutive-years",
    severity="warning",
    section="document",
    en="this document is for {actual}, but the document it is compared with ({old_source}) is "
    "for {old_year}: expected {expected}",
    zh="本文件年度为{actual}年，而对比的上年文件（{old_source}）为{old_year}年，应为{expected}年",
)
@_over_pairs
def consecutive_years(ctx: Context) -> pl.LazyFrame:
    """The newer document's year is the older one's year + 1.

    Compares the years of the two documents of a pair (their titles' years). Why: the cross-year
    checks read the newer document's "上年" figures against the older document; two documents
    a year apart too far (or the same year twice, or in the wrong order) make every such
    comparison meaningless, so the pair itself is suspect. ``reconcile check`` only pairs
    consecutive years, so this fires for ``reconcile diff OLD NEW`` of other years. Example:
    diff of the 2019 and 2021 budgets → expected 2020, actual 2021.
    """
    wanted = pl.col("old_year") + 1
    out = F.lazy(ctx, "yoy_pairs").filter(
        pl.col("year").is_not_null() & pl.col("old_year").is_not_null() & (pl.col("year") != wanted)
    )
    diff = pl.col("year") - wanted
    out = out.with_columns(
        key=pl.lit("year"),
        lines=pl.concat_list([pl.col("info_line")]).list.drop_nulls(),
        expected=wanted.cast(pl.String),
        actual=pl.col("year").cast(pl.String),
        difference=pl.when(diff > 0)
        .then(pl.lit("+") + diff.cast(pl.String))
        .otherwise(diff.cast(pl.String)),
        tolerance=pl.lit("0"),
        location=pl.when(pl.col("info_line").is_null()).then(pl.lit("document.year")),
        old_year=pl.col("old_year").cast(pl.String),
    )
    return F.result(out, "old_source", "old_year")


def _compact(name: str) -> pl.Expr:
    return squashed(pl.col(name))


@rule(
    "YOY005",
    "same-department-and-kind",
    severity="warning",
    section="document",
    en="the {what} differs from the document it is compared with ({old_source}): {actual} here, "
    "{expected} there",
    zh="{what_zh}与对比文件（{old_source}）不同：本文件为{actual}，对比文件为{expected}",
)
@_over_pairs
def same_department_and_kind(ctx: Context) -> pl.LazyFrame:
    """The two documents of a pair are of the same department and the same kind.

    Compares the department names (spaces ignored) and the kinds (budget 部门预算 or final accounts
    部门决算) of the two documents. Why: a year-on-year comparison of two departments, or of a
    budget with final accounts, aligns figures that have nothing to do with each other; every
    change it shows is noise. ``reconcile check`` only pairs documents of one department and kind,
    so this fires for ``reconcile diff OLD NEW``. Example: diff of 组织人事局's 2020 budget with
    财政局's 2021 budget → department differs.
    """
    pairs = F.lazy(ctx, "yoy_pairs").with_columns(
        pl.col("kind").fill_null(pl.lit("budget")), pl.col("old_kind").fill_null(pl.lit("budget"))
    )
    checks = (
        ("department", "部门", "department", "old_department"),
        ("kind", "文件类型（预算/决算）", "kind", "old_kind"),
    )
    parts = [
        pairs.filter(
            pl.col(new).is_not_null() & pl.col(old).is_not_null() & (_compact(new) != _compact(old))
        ).with_columns(
            key=pl.lit(what),
            what=pl.lit(what),
            what_zh=pl.lit(what_zh),
            expected=pl.col(old),
            actual=pl.col(new),
            lines=pl.concat_list([pl.col("info_line")]).list.drop_nulls(),
            location=pl.when(pl.col("info_line").is_null()).then(pl.lit(f"document.{what}")),
        )
        for what, what_zh, new, old in checks
    ]
    return F.result(pl.concat(parts), "what", "what_zh", "old_source")
