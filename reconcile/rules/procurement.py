"""Government procurement (part 六, 政府采购预算情况): each line's quantity × unit price and funding
columns, each column against the 合计 row, the stated total against the table, and the meaning of
the 合计 row's quantity and price cells (DOMAIN §2, "Procurement")."""

from __future__ import annotations

import polars as pl

from reconcile.model import PROCUREMENT_AMOUNT_FIELDS
from reconcile.rules import _frames as F
from reconcile.rules._tolerance import exceeds, fmt, half
from reconcile.rules.registry import Context, rule

FUNDING_PARTS = ("general_budget", "fund_budget", "special_account", "other_sources")

_COLUMN_ZH = {
    "budget": "预算资金",
    "amount": "总计",
    "current_year_total": "当年部门预算安排资金合计",
    "general_budget": "一般公共预算拨款",
    "fund_budget": "基金预算拨款",
    "special_account": "财政专户核拨",
    "other_sources": "其他来源收入",
    "other_channels": "其他渠道资金",
}


def _label() -> pl.Expr:
    """A line's readable name: its item (or 合计), with the catalogue code when there is one."""
    return (
        pl.when(pl.col("is_total"))
        .then(pl.lit("合计"))
        .otherwise(
            pl.concat_str(
                [pl.col("item").fill_null("?"), pl.lit(" "), pl.col("code").fill_null("")]
            ).str.strip_chars()
        )
    )


@rule(
    "PRC001",
    "quantity-times-price",
    severity="error",
    section="procurement",
    en="{label}: {quantity} × {unit_price} = {expected}, the amount says {actual} (difference "
    "{difference}, tolerance {tolerance})",
    zh="{label}：数量 {quantity} × 单价 {unit_price} = {expected}，金额为 {actual}（差 {difference}，"
    "容差 {tolerance}）",
)
def quantity_times_price(ctx: Context) -> pl.LazyFrame:
    """A procurement line's quantity × unit price equals its amount.

    For every line with a quantity, a unit price and an amount (政府采购金额 总计), checks
    q × p = a within the band |q|·u(p)/2 + u(a)/2: quantities are exact counts, the price and the
    amount are rounded to their written precision. The 合计 row is left out (PRC005). Why: a wrong
    quantity, price or amount is the commonest typo in the table, and the amount is what the
    columns and the stated total add up. Example: 激光打印机 2 台 × 0.2 = 0.4 holds; 100 盒 × 0.05 =
    5 holds; 3 × 0.35 written 1.5 is 0.45 off.
    """
    lines = F.lazy(ctx, "procurement_lines").filter(
        ~pl.col("is_total")
        & pl.col("quantity").is_not_null()
        & pl.col("unit_price").is_not_null()
        & pl.col("amount").is_not_null()
    )
    out = (
        lines.with_columns(
            _exp=pl.col("quantity") * pl.col("unit_price"),
            _act=pl.col("amount"),
            _band=pl.col("quantity").abs() * half("unit_price") + half("amount"),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    out = F.with_figures(out).with_columns(
        label=_label(),
        quantity=fmt("quantity", min_decimals=0),
        unit_price=fmt("unit_price"),
        lines=F.lines("amount_line", "quantity_line", "unit_price_line", "line"),
        location=pl.coalesce("amount_loc", "location"),
    )
    return F.result(out, "label", "quantity", "unit_price")


def _funding_identity(
    lines: pl.LazyFrame, total: str, parts: tuple[str, ...], suffix: str, en: str, zh: str
) -> pl.LazyFrame:
    filled = pl.any_horizontal([pl.col(p).is_not_null() for p in parts])
    out = F.sum_check(lines.filter(filled), total, [], optional=parts)
    out = out.with_columns(
        key=pl.concat_str([pl.col("key"), pl.lit(suffix)]),
        label=_label(),
        identity=pl.lit(en),
        identity_zh=pl.lit(zh),
        lines=F.lines(f"{total}_line", *(f"{p}_line" for p in parts), "line"),
        location=pl.coalesce(f"{total}_loc", "location"),
    )
    return F.result(out, "label", "identity", "identity_zh", "parts")


@rule(
    "PRC002",
    "funding-columns",
    severity="error",
    section="procurement",
    en="{label}: {identity}: the parts {parts} add up to {expected}, the line says {actual} "
    "(difference {difference}, tolerance {tolerance})",
    zh="{label}：{identity_zh}：各项 {parts} 合计 {expected}，该行为 {actual}（差 {difference}，"
    "容差 {tolerance}）",
)
def funding_columns(ctx: Context) -> pl.LazyFrame:
    """A procurement line's funding columns add up to its totals.

    Two identities per line (and for the 合计 row): 当年部门预算安排资金合计 = 一般公共预算拨款 +
    基金预算拨款 + 财政专户核拨 + 其他来源收入, and 总计 = 当年合计 + 其他渠道资金, each within the
    rounding band. Empty funding cells count as an exact 0, but only when at least one funding cell
    of the identity is filled (a table that leaves the breakdown blank is not checked), and the
    total cell must be filled. Why: the funding split is how the money is traced to its source.
    Example: 台式计算机 总计 2.5 = 当年合计 2.5 + 其他渠道 (empty), and 2.5 = 一般公共 2.5 hold.
    """
    lines = F.lazy(ctx, "procurement_lines")
    return pl.concat(
        [
            _funding_identity(
                lines,
                "current_year_total",
                FUNDING_PARTS,
                "|current_year_total",
                "current-year funds = general + fund + special account + other sources",
                "当年部门预算安排资金合计 = 一般公共预算拨款 + 基金预算拨款 + 财政专户核拨 + 其他来源收入",
            ),
            _funding_identity(
                lines,
                "amount",
                ("current_year_total", "other_channels"),
                "|amount",
                "total = current-year funds + other channels",
                "总计 = 当年部门预算安排资金合计 + 其他渠道资金",
            ),
        ],
        how="diagonal_relaxed",
    )


def _columns_long(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Every amount column of the procurement table stacked: doc, is_total, column, value …"""
    return pl.concat(
        [
            lines.select(
                "doc",
                "is_total",
                pl.lit(col).alias("column"),
                pl.col(col).alias("value"),
                pl.col(f"{col}_dec").alias("dec"),
                pl.col(f"{col}_half").alias("value_half"),
                pl.coalesce(f"{col}_line", "line").alias("vline"),
                pl.coalesce(f"{col}_loc", "location").alias("vloc"),
            )
            for col in PROCUREMENT_AMOUNT_FIELDS
        ]
    )


@rule(
    "PRC003",
    "columns-sum-to-total",
    severity="error",
    section="procurement",
    en="procurement column {column_zh} ({column}): the lines add up to {expected}, the 合计 row "
    "says {actual} "
    "(difference {difference}, tolerance {tolerance})",
    zh="政府采购表“{column_zh}”列：各行合计 {expected}，合计行为 {actual}（差 {difference}，容差 {tolerance}）",
)
def columns_sum_to_total(ctx: Context) -> pl.LazyFrame:
    """Every amount column of the procurement table sums to the 合计 row.

    For each amount column (预算资金, 总计, 当年合计, 一般公共预算拨款, 基金预算拨款, 财政专户核拨,
    其他来源收入, 其他渠道资金) the lines must add up to the 合计 row within the rounding band (the
    half units of every filled cell). Empty cells count as 0; a column whose 合计 cell and lines are
    all empty is fine. Why: the 合计 row is what the text quotes. Example: the 总计 column
    0.4 + 2.5 + 1.05 + 0.94 + 5 + 20 + 2.5 + 10 + 2 + 0.72 = 45.11 holds.
    """
    out = F.column_totals(_columns_long(F.lazy(ctx, "procurement_lines")), empty_part_lines=False)
    out = out.with_columns(
        key=pl.concat_str([pl.lit("合计|"), pl.col("column")]),
        column_zh=pl.col("column").replace_strict(_COLUMN_ZH),
    )
    return F.result(out, "column", "column_zh")


@rule(
    "PRC004",
    "stated-total",
    severity="error",
    section="procurement",
    en="the text states a procurement budget of {actual}, the table's total is {expected} "
    "(difference {difference}, tolerance {tolerance})",
    zh="正文政府采购预算 {actual} 与表中总计 {expected} 不符（差 {difference}，容差 {tolerance}）",
)
def stated_total(ctx: Context) -> pl.LazyFrame:
    """The procurement total stated in the text equals the table's 合计 amount.

    Compares 安排采购预算 in the text with the 合计 row's 总计 (or, when the table has no 合计
    amount, the sum of the lines' amounts), converted to one money unit, within the rounding band.
    Why: the text's figure is the one quoted in the budget report. Example: 45.11万元 in the text
    and 合计 45.11 hold.
    """
    lines = F.lazy(ctx, "procurement_lines").filter(pl.col("amount").is_not_null())
    table = lines.group_by("doc").agg(
        _total=pl.col("amount").filter(pl.col("is_total")).first(),
        _total_band=half("amount").filter(pl.col("is_total")).first(),
        _total_line=pl.col("amount_line").filter(pl.col("is_total")).first(),
        _sum=pl.col("amount").filter(~pl.col("is_total")).sum(),
        _sum_band=half("amount").filter(~pl.col("is_total")).sum(),
        _sum_lines=pl.col("amount_line").filter(~pl.col("is_total")).drop_nulls(),
    )
    out = (
        F.lazy(ctx, "procurement")
        .filter(pl.col("stated_total").is_not_null())
        .join(table, on="doc", how="inner")
        .with_columns(
            _table=pl.coalesce("_total", "_sum"),
            _table_band=pl.when(pl.col("_total").is_not_null())
            .then(pl.col("_total_band"))
            .otherwise(pl.col("_sum_band")),
        )
        .with_columns(
            _act=pl.col("stated_total"),
            _exp=pl.col("_table") * pl.col("factor") / pl.col("stated_factor"),
            _band=half("stated_total")
            + pl.col("_table_band") * pl.col("factor") / pl.col("stated_factor"),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    out = F.with_figures(out).with_columns(
        key=pl.lit("stated_total"),
        lines=pl.when(pl.col("_total").is_not_null())
        .then(F.lines("stated_total_line", "_total_line"))
        .otherwise(F.lines("stated_total_line", "_sum_lines")),
        location=pl.col("stated_total_loc"),
    )
    return F.result(out)


@rule(
    "PRC005",
    "meaningless-total-cells",
    severity="info",
    section="procurement",
    en="the 合计 row {what}: its figure {actual} has no meaning",
    zh="合计行{what_zh}，其数值 {actual} 没有意义",
)
def meaningless_total_cells(ctx: Context) -> pl.LazyFrame:
    """The 合计 row adds quantities of different units, or adds unit prices.

    A quantity total is meaningful only when every line counts the same unit (台 + 台); summing 台,
    盒 and 项 gives a number without meaning. A sum of unit prices means nothing at all (the total
    price is the amount column). Reported when the 合计 row fills the quantity cell over lines of
    two or more units, or the unit-price cell over two or more priced lines. Info: the figures are
    not wrong, the template invites a meaningless cell. Example: 合计 数量 159 over 台, 盒 and 项;
    单价 5.33 = the sum of ten unit prices.
    """
    lines = F.lazy(ctx, "procurement_lines")
    stats = (
        lines.filter(~pl.col("is_total"))
        .group_by("doc")
        .agg(
            _units=pl.col("unit")
            .filter(pl.col("quantity").is_not_null())
            .drop_nulls()
            .unique(maintain_order=True),
            _priced=pl.col("unit_price").is_not_null().sum(),
        )
    )
    totals = lines.filter(pl.col("is_total")).unique("doc", keep="first").join(stats, on="doc")
    quantity = totals.filter(
        pl.col("quantity").is_not_null() & (pl.col("_units").list.len() >= 2)
    ).with_columns(
        key=pl.lit("合计|quantity"),
        actual=fmt("quantity", min_decimals=0),
        what=pl.concat_str(
            [
                pl.lit("adds quantities of different units ("),
                pl.col("_units").list.join(", "),
                pl.lit(")"),
            ]
        ),
        what_zh=pl.concat_str(
            [pl.lit("将不同计量单位（"), pl.col("_units").list.join("、"), pl.lit("）的数量相加")]
        ),
        lines=F.lines("quantity_line", "line"),
        location=pl.coalesce("quantity_loc", "location"),
    )
    price = totals.filter(
        pl.col("unit_price").is_not_null() & (pl.col("_priced") >= 2)
    ).with_columns(
        key=pl.lit("合计|unit_price"),
        actual=fmt("unit_price"),
        what=pl.concat_str(
            [
                pl.lit("adds the unit prices of "),
                pl.col("_priced").cast(pl.String),
                pl.lit(" lines"),
            ]
        ),
        what_zh=pl.concat_str(
            [pl.lit("将 "), pl.col("_priced").cast(pl.String), pl.lit(" 行的单价相加")]
        ),
        lines=F.lines("unit_price_line", "line"),
        location=pl.coalesce("unit_price_loc", "location"),
    )
    out = pl.concat([quantity, price])
    return F.result(out, "what", "what_zh")


@rule(
    "PRC006",
    "lines-without-project",
    severity="info",
    section="procurement",
    en="{count} of {total} procurement lines name no project (政府采购项目来源 is empty)",
    zh="政府采购表 {total} 行中有 {count} 行未填写项目名称（政府采购项目来源为空）",
)
def lines_without_project(ctx: Context) -> pl.LazyFrame:
    """Procurement lines that name no project.

    The first column of the table (政府采购项目来源 / 项目名称) says which project pays for the
    purchase. A cell merged down over several lines counts for the lines below it (the project is
    carried forward), so only lines with no project above them count. One finding per table, with
    the number of lines, not one per line. Info: a gap in the disclosure, not a wrong figure.
    Example: all ten lines of the sample's table leave the project empty.
    """
    lines = (
        F.lazy(ctx, "procurement_lines")
        .filter(~pl.col("is_total"))
        .sort("doc", "idx")
        .with_columns(_project=pl.col("project").forward_fill().over("doc"))
    )
    out = (
        lines.group_by("doc")
        .agg(
            _count=pl.col("_project").is_null().sum(),
            _total=pl.len(),
            lines=pl.col("line").filter(pl.col("_project").is_null()).drop_nulls(),
            location=pl.col("location").filter(pl.col("_project").is_null()).first(),
        )
        .filter(pl.col("_count") > 0)
    )
    out = out.with_columns(
        key=pl.lit("project"),
        count=pl.col("_count").cast(pl.String),
        total=pl.col("_total").cast(pl.String),
        actual=pl.col("_count").cast(pl.String),
    )
    return F.result(out, "count", "total")


@rule(
    "PRC007",
    "budget-differs-from-amount",
    severity="warning",
    section="procurement",
    en="{label}: 预算资金 {actual} differs from the procurement amount {expected} (difference "
    "{difference}, tolerance {tolerance})",
    zh="{label}：预算资金 {actual} 与政府采购金额 {expected} 不一致（差 {difference}，容差 {tolerance}）",
)
def budget_differs_from_amount(ctx: Context) -> pl.LazyFrame:
    """A procurement line's 预算资金 differs from its amount.

    Where a line fills both 预算资金 and 政府采购金额 (总计), they should agree within the rounding
    band: the procurement amount is the budgeted money for that purchase. A warning, not an error:
    a project's 预算资金 can legitimately cover more than the purchase (then it is usually written
    once for the project). Example: 打印机 预算资金 0.4, 总计 0.4 holds.
    """
    lines = F.lazy(ctx, "procurement_lines").filter(~pl.col("is_total"))
    out = F.sum_check(lines, "budget", ["amount"])
    out = out.with_columns(
        key=pl.col("key"),
        label=_label(),
        lines=F.lines("budget_line", "amount_line", "line"),
        location=pl.coalesce("budget_loc", "location"),
    )
    return F.result(out, "label")
