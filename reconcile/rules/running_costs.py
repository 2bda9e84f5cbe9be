"""Administrative running costs (part 三, 机关运行经费): the listed items against the stated total,
and the total against the routine operating costs of the budget (DOMAIN §2, "Running costs")."""

from __future__ import annotations

import polars as pl

from reconcile.rules import _frames as F
from reconcile.rules._tolerance import exceeds, fmt, half, half_if, lit
from reconcile.rules.registry import Context, rule


def _items_against_total(ctx: Context) -> pl.LazyFrame:
    """Per document: the running-cost total, the sum of the listed items and the band."""
    items = (
        F.lazy(ctx, "running_cost_items")
        .filter(pl.col("amount").is_not_null())
        .group_by("doc")
        .agg(
            _items=pl.col("amount").sum(),
            _items_band=half_if("amount").sum(),
            _n=pl.len(),
            _item_lines=pl.col("amount_line").drop_nulls(),
            items=pl.concat_str(
                [pl.col("name"), pl.lit(" "), fmt("amount")], ignore_nulls=True
            ).str.join(", "),
        )
    )
    return (
        F.lazy(ctx, "running_costs")
        .filter(pl.col("total").is_not_null())
        .join(items, on="doc", how="inner")
        .with_columns(
            _exp=pl.col("_items"),
            _act=pl.col("total"),
            _diff=pl.col("total") - pl.col("_items"),
            _band=pl.col("_items_band") + half("total"),
        )
    )


def _shape(out: pl.LazyFrame, key: str) -> pl.LazyFrame:
    out = F.with_figures(out).with_columns(
        key=pl.lit(key),
        lines=F.lines("total_line", "_item_lines"),
        location=pl.col("total_loc"),
    )
    return F.result(out, "items")


@rule(
    "RUN001",
    "items-exceed-total",
    severity="error",
    section="running_costs",
    en="the listed running costs ({items}) add up to {expected}, more than the total {actual} "
    "(difference {difference}, tolerance {tolerance})",
    zh="列出的机关运行经费项目（{items}）合计 {expected}，超过总额 {actual}（差 {difference}，容差 {tolerance}）",
)
def items_exceed_total(ctx: Context) -> pl.LazyFrame:
    """The listed running-cost items add up to more than the stated total.

    Sums the amounts listed after 其中 (办公费, 差旅费, …) and compares them with 机关运行经费安排资金;
    the items may fall short when the list ends in 等 (partial), but never exceed it beyond the
    rounding band (the half units of every figure). Why: the items are parts of the total; more
    parts than whole means a mistyped item or total. Example: 35.22 with 8.3 + 4.89 + 1.55 + 0.55 +
    0.55 = 15.84 等 holds; a total of 12 would be exceeded by 3.84.
    """
    out = _items_against_total(ctx).filter(exceeds("_diff", "_band") & (pl.col("_diff") < lit(0)))
    return _shape(out, "total")


@rule(
    "RUN002",
    "items-short-of-total",
    severity="error",
    section="running_costs",
    en="the running-cost items ({items}) add up to {expected}, not the total {actual}, and the "
    "list is not marked partial (等) (difference {difference}, tolerance {tolerance})",
    zh="机关运行经费项目（{items}）合计 {expected}，与总额 {actual} 不符，且列举未以“等”结尾"
    "（差 {difference}，容差 {tolerance}）",
)
def items_short_of_total(ctx: Context) -> pl.LazyFrame:
    """The running-cost items fall short of the total although the list is complete (no 等).

    When the list of items is not marked partial (no 等), the items must add up to the total within
    the rounding band. Items that exceed the total are RUN001's finding, so this rule reports only
    the shortfall, never the same gap twice. Why: a complete list that does not reach the total
    hides money or mistypes an item. Example: "35.22万元，其中办公费8.3万元、差旅费1.55万元" without 等:
    25.37 unexplained.
    """
    out = _items_against_total(ctx).filter(
        ~pl.col("partial") & exceeds("_diff", "_band") & (pl.col("_diff") > lit(0))
    )
    return _shape(out, "total")


@rule(
    "RUN003",
    "exceeds-operating",
    severity="warning",
    section="running_costs",
    en="running costs {actual} exceed the routine operating costs (日常公用经费) {expected} of the "
    "budget (by {difference}, tolerance {tolerance})",
    zh="机关运行经费 {actual} 超过预算中的日常公用经费 {expected}（超出 {difference}，容差 {tolerance}）",
)
def exceeds_operating(ctx: Context) -> pl.LazyFrame:
    """Running costs exceed the budget's routine operating costs (日常公用经费).

    Compares 机关运行经费 with 日常公用经费 of part 二 (the expenditure paragraph's figure, or the
    income paragraph's when that is the only one), converted to one money unit. Running costs are
    normally paid from 日常公用经费, so they should not exceed it beyond the rounding band. A warning:
    a cross-part inference, not an identity (a department can fund some running costs from
    projects). Example: 35.22 against 日常公用经费 35.22 holds.
    """
    budget = (
        F.lazy(ctx, "budget")
        .with_columns(
            _op=pl.coalesce("basic_operating", "income_operating"),
            _op_dec=pl.coalesce("basic_operating_dec", "income_operating_dec"),
            _op_half=pl.coalesce("basic_operating_half", "income_operating_half"),
            _op_line=pl.coalesce("basic_operating_line", "income_operating_line"),
            _bfactor=pl.col("factor"),
        )
        .filter(pl.col("_op").is_not_null())
        .select("doc", "_op", "_op_dec", "_op_half", "_op_line", "_bfactor")
    )
    out = (
        F.lazy(ctx, "running_costs")
        .filter(pl.col("total").is_not_null())
        .join(budget, on="doc", how="inner")
        .with_columns(
            _exp=pl.col("_op") * pl.col("_bfactor") / pl.col("factor"),
            _act=pl.col("total"),
            _band=half("total") + half("_op") * pl.col("_bfactor") / pl.col("factor"),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band") & (pl.col("_diff") > lit(0)))
    )
    out = F.with_figures(out).with_columns(
        key=pl.lit("total"),
        lines=F.lines("total_line", "_op_line"),
        location=pl.col("total_loc"),
    )
    return F.result(out)
