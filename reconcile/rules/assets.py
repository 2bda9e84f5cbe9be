"""State assets (part 七, 国有资产信息情况说明): the table's rows against their parents, the text's
total against the table (万元 against 元), and the planned purchases against the procurement
table's equipment lines (DOMAIN §2, "Assets")."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from reconcile.rules import _frames as F
from reconcile.rules._tolerance import exceeds, fmt, half, half_if, lit, zero
from reconcile.rules.registry import Context, rule

FIXED_ASSETS = "固定资产"
EQUIPMENT_CODE = "A02"
UNIT_ERROR_RATIO = Decimal(10000)


@rule(
    "AST001",
    "children-sum-to-parent",
    severity="error",
    section="assets",
    en="{name}: its rows ({children}) add up to {expected}, the row says {actual} (difference "
    "{difference}, tolerance {tolerance})",
    zh="{name}：下级各行（{children}）合计 {expected}，本行为 {actual}（差 {difference}，容差 {tolerance}）",
)
def children_sum_to_parent(ctx: Context) -> pl.LazyFrame:
    """The child rows of the asset table add up to their parent row.

    For every row with children (固定资产 → 房屋, 车辆, 设备, 其他固定资产; 车辆 → 轿车, 越野车; 房屋 →
    办公用房 …), when at least one child is filled, the children must sum to the parent within the
    rounding band; empty cells count as 0 (an empty parent over filled children is a finding).
    Children all empty: nothing to check (the detail is simply not given). Why: the categories are
    the breakdown of the total. Example: 固定资产 1534512.83 = 车辆 279265 + 其他固定资产
    1255247.83 holds; 车辆 279265 over empty 轿车 and 越野车 is not checked. A row's parent is the
    row above it that its parent name and level point to, not every row of that name: a table
    may hold 其他 under two categories, each with rows of its own.
    """
    rows = F.lazy(ctx, "asset_rows")
    children = (
        rows.filter(pl.col("parent_idx").is_not_null())
        .group_by("doc", "parent_idx")
        .agg(
            _sum=pl.col("value").fill_null(zero()).sum(),
            _parts_band=half_if("value").sum(),
            _filled=pl.col("value").is_not_null().sum(),
            _child_lines=pl.coalesce("value_line", "line")
            .filter(pl.col("value").is_not_null())
            .drop_nulls(),
            children=pl.concat_str([pl.col("name"), pl.lit(" "), fmt("value")])
            .drop_nulls()
            .str.join(", "),
        )
        .filter(pl.col("_filled") > 0)
    )
    out = F.parts_exceed_total(
        rows.join(children, left_on=["doc", "idx"], right_on=["doc", "parent_idx"], how="inner")
    )
    out = F.with_figures(out).with_columns(
        key=pl.col("name"),
        lines=F.lines(pl.coalesce("value_line", "line"), "_child_lines"),
        location=pl.coalesce("value_loc", "location"),
    )
    return F.result(out, "name", "children")


def _fixed_assets_row(ctx: Context) -> pl.LazyFrame:
    """Per document: the table's 固定资产 row (the top-most row whose name says 固定资产)."""
    return (
        F.lazy(ctx, "asset_rows")
        .filter(
            pl.col("name").str.contains(FIXED_ASSETS, literal=True) & pl.col("value").is_not_null()
        )
        .sort("doc", pl.col("parent").is_not_null(), "level", "idx")
        .unique("doc", keep="first", maintain_order=True)
        .select(
            "doc",
            pl.col("name").alias("_row_name"),
            pl.col("value").alias("_table"),
            pl.col("value_dec").alias("_table_dec"),
            pl.col("value_half").alias("_table_half"),
            pl.coalesce("value_line", "line").alias("_table_line"),
            pl.col("factor").alias("_table_factor"),
        )
    )


@rule(
    "AST002",
    "stated-total",
    severity="error",
    section="assets",
    en="the text states fixed assets of {stated} {stated_unit}, the table's {row} is {table} "
    "{table_unit} (in 元: {actual} against {expected}, difference {difference}, tolerance "
    "{tolerance}){unit_note}",
    zh="正文固定资产总额 {stated}{stated_unit} 与表中“{row}” {table}{table_unit_zh} 不符（折合元：{actual} 对 "
    "{expected}，差 {difference}，容差 {tolerance}）{unit_note_zh}",
)
def stated_total(ctx: Context) -> pl.LazyFrame:
    """The fixed-asset total in the text equals the table's 固定资产 row, after converting units.

    The text usually writes 万元 and the table 元; both are converted to 元 exactly and compared
    within the rounding band (half a unit of each figure, in 元: 153.45 万元 stands for
    1534500 ± 50 元). When the two figures differ by a factor of about 10⁴ (one matches the other
    when the unit is ignored), the finding is a unit error, reported as a warning instead of a
    plain mismatch (an error). A table that states no unit is read as 元, the template's
    convention, even when the reader inferred another unit from the text's total (that inference
    would make the comparison circular and hide the unit error). Why: the total is the headline
    of the part. Example: 153.45 万元
    against 1534512.83 元 (153.451283 万元) holds: 12.83 元 inside the 50.005 元 band.
    """
    # A unit the reader inferred (the table states none) was chosen to fit the text's total, so
    # comparing under it would be circular: an unlabelled table is read under the template's
    # convention (元) and a 10⁴ ratio then shows as the unit error it may be.
    assets = (
        F.lazy(ctx, "assets")
        .filter(pl.col("stated_total").is_not_null())
        .with_columns(
            _inferred=pl.col("table_unit_inferred") | pl.col("table_unit").is_null(),
        )
    )
    ratio = lit(UNIT_ERROR_RATIO)
    stated_yuan = pl.col("stated_total") * pl.col("stated_factor")
    table_yuan = pl.col("_table") * pl.col("_table_factor")
    stated_band = half("stated_total") * pl.col("stated_factor")
    table_band = half("_table") * pl.col("_table_factor")
    out = (
        assets.join(_fixed_assets_row(ctx), on="doc", how="inner")
        .with_columns(
            _table_factor=pl.when(pl.col("_inferred"))
            .then(lit(1))
            .otherwise(pl.col("_table_factor"))
        )
        .with_columns(
            _act=stated_yuan,
            _exp=table_yuan,
            _band=stated_band + table_band,
            _unit_error=~exceeds(stated_yuan * ratio - table_yuan, stated_band * ratio + table_band)
            | ~exceeds(stated_yuan - table_yuan * ratio, stated_band + table_band * ratio),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    out = F.with_figures(out).with_columns(
        key=pl.lit("stated_total"),
        stated=fmt("stated_total"),
        stated_unit=pl.col("stated_unit").fill_null("万元"),
        table=fmt("_table"),
        table_unit=pl.when(pl.col("_inferred"))
        .then(pl.lit("元 (unit not stated)"))
        .otherwise(pl.col("table_unit")),
        table_unit_zh=pl.when(pl.col("_inferred"))
        .then(pl.lit("元（表未注明单位）"))
        .otherwise(pl.col("table_unit")),
        row=pl.col("_row_name"),
        severity=pl.when(pl.col("_unit_error")).then(pl.lit("warning")).otherwise(pl.lit(None)),
        unit_note=pl.when(pl.col("_unit_error"))
        .then(pl.lit(": the figures differ by a factor of 10⁴, a unit error (万元 vs 元)"))
        .otherwise(pl.lit("")),
        unit_note_zh=pl.when(pl.col("_unit_error"))
        .then(pl.lit("：两数相差约 10⁴ 倍，应为单位错误（万元与元）"))
        .otherwise(pl.lit("")),
        lines=F.lines("stated_total_line", "_table_line"),
        location=pl.col("stated_total_loc"),
    )
    return F.result(
        out,
        "stated",
        "stated_unit",
        "table",
        "table_unit",
        "table_unit_zh",
        "row",
        "unit_note",
        "unit_note_zh",
    )


@rule(
    "AST003",
    "planned-purchases-in-procurement",
    severity="warning",
    section="assets",
    en="planned purchases of {actual} are said to be in the procurement budget, but its equipment "
    "lines (A02…: {items}) add up to {expected} (difference {difference}, tolerance {tolerance})",
    zh="拟购置固定资产 {actual} 称已列入政府采购预算，但采购表中设备（A02…：{items}）合计 {expected}"
    "（差 {difference}，容差 {tolerance}）",
)
def planned_purchases_in_procurement(ctx: Context) -> pl.LazyFrame:
    """Planned asset purchases said to be in the procurement budget match its equipment lines.

    When the asset part says the planned purchases 已列入政府采购预算, the planned amount must equal
    the sum of the procurement table's equipment lines (catalogue codes starting A02: computers,
    printers, scanners …), converted to one unit, within the rounding band. A warning: a
    cross-part inference (furniture A05 or other goods may be part of the plan). Why: a plan that
    the procurement table does not carry is either not budgeted or misstated. Example: 拟购置
    4.59 万元 against 0.4 + 2.5 + 1.05 + 0.94 = 4.89 万元: 0.30 apart.
    """
    equipment = (
        F.lazy(ctx, "procurement_lines")
        .filter(
            ~pl.col("is_total")
            & pl.col("code").fill_null("").str.starts_with(EQUIPMENT_CODE)
            & pl.col("amount").is_not_null()
        )
        .group_by("doc")
        .agg(
            _eq_yuan=(pl.col("amount") * pl.col("factor")).sum(),
            _eq_band_yuan=(half("amount") * pl.col("factor")).sum(),
            _eq_lines=pl.coalesce("amount_line", "line").drop_nulls(),
            items=pl.concat_str(
                [pl.col("item").fill_null("?"), pl.lit(" "), fmt("amount")]
            ).str.join(", "),
        )
    )
    with_procurement = F.lazy(ctx, "procurement").filter(pl.col("n_lines") > 0).select("doc")
    out = (
        F.lazy(ctx, "assets")
        .filter(pl.col("planned_in_procurement") & pl.col("planned_purchase").is_not_null())
        .join(with_procurement, on="doc", how="inner")
        .join(equipment, on="doc", how="left")
        .with_columns(
            _act=pl.col("planned_purchase"),
            _exp=pl.col("_eq_yuan").fill_null(zero()) / pl.col("planned_factor"),
            _band=half("planned_purchase")
            + pl.col("_eq_band_yuan").fill_null(zero()) / pl.col("planned_factor"),
            items=pl.col("items").fill_null("—"),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    out = F.with_figures(out).with_columns(
        key=pl.lit("planned_purchase"),
        lines=F.lines("planned_purchase_line", "_eq_lines"),
        location=pl.col("planned_purchase_loc"),
    )
    return F.result(out, "items")
