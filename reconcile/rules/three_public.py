"""Three public expenses (part 四, 财政拨款"三公"经费): the table's rows against its 合计, each
row's 增减金额 against its two years, the stated total against the table, the reasons for changes,
and the vehicle rows against the asset and procurement parts (DOMAIN §2, "Three public
expenses")."""

from __future__ import annotations

import polars as pl

from reconcile.rules import _frames as F
from reconcile.rules._tolerance import exceeds, fmt, half, half_if, lit, zero
from reconcile.rules.registry import Context, rule

_YEAR_COLUMNS = ("prior", "current")
VEHICLE_RUNNING = "公务用车运行"
VEHICLE_SERVICE_CODE = "C0503"
VEHICLE_SERVICE_WORDS = ("车辆加油", "车辆维修", "保养")


def _long(rows: pl.LazyFrame) -> pl.LazyFrame:
    """The two year columns of the 三公 table stacked: doc, is_total, column, value, dec, line."""
    return pl.concat(
        [
            rows.select(
                "doc",
                "is_total",
                "name",
                pl.lit(col).alias("column"),
                pl.col(col).alias("value"),
                pl.col(f"{col}_dec").alias("dec"),
                pl.col(f"{col}_half").alias("value_half"),
                pl.col(f"{col}_line").alias("vline"),
                pl.col(f"{col}_loc").alias("vloc"),
            )
            for col in _YEAR_COLUMNS
        ]
    )


@rule(
    "TPE001",
    "rows-sum-to-total",
    severity="error",
    section="three_public",
    en="三公 {column} column: the rows add up to {expected}, the 合计 row says {actual} "
    "(difference {difference}, tolerance {tolerance})",
    zh="“三公”经费表{column_zh}列：各行合计 {expected}，合计行为 {actual}（差 {difference}，容差 {tolerance}）",
)
def rows_sum_to_total(ctx: Context) -> pl.LazyFrame:
    """The 三公 rows add up to the 合计 row, for the prior year and for this year.

    For each year column (上年预算, 本年预算) the four rows (因公出国, 公务用车购置, 公务用车运行,
    公务接待) must sum to the 合计 row within the rounding band; empty cells count as an exact 0
    when the column has any figure at all. Why: 合计 is what the text and the next year's
    comparison quote; a wrong 合计 spreads. Example: 0 + 0 + 3 + 0 = 3 (prior) and 2.7 = 2.7
    (current) hold.
    """
    out = F.column_totals(_long(F.lazy(ctx, "three_public_rows")), empty_part_lines=True)
    out = out.with_columns(
        key=pl.concat_str([pl.lit("合计/"), pl.col("column")]),
        column_zh=pl.col("column").replace_strict({"prior": "上年", "current": "本年"}),
    )
    return F.result(out, "column", "column_zh")


@rule(
    "TPE002",
    "change-equals-difference",
    severity="error",
    section="three_public",
    en="{name}: 增减金额 written {written}, but {current} − {prior} = {expected} (difference "
    "{difference}, tolerance {tolerance}){sign_note}",
    zh="{name}：增减金额填写为 {written}，而 {current} − {prior} = {expected}（差 {difference}，"
    "容差 {tolerance}）{sign_note_zh}",
)
def change_equals_difference(ctx: Context) -> pl.LazyFrame:
    """A row's 增减金额 equals this year's budget minus last year's, with its sign.

    For every row with any figure, 增减金额 must equal 本年 − 上年 within the rounding band; empty
    cells count as 0, so an empty change where the two years differ is a finding too. A change of
    the right size but the wrong sign is a warning (a decrease written as a positive number — a
    defect even when the reason says 压缩); a wrong size is an error. Why: the change is what
    readers and next year's review quote. Example: 公务用车运行经费 3 → 2.7 with 增减金额 0.3: the
    change is −0.3 (warning, sign).
    """
    rows = F.lazy(ctx, "three_public_rows").filter(
        pl.any_horizontal(pl.col("prior", "current", "change").is_not_null())
    )
    band = half_if("prior") + half_if("current") + half_if("change")
    out = (
        rows.with_columns(
            _exp=pl.col("current").fill_null(zero()) - pl.col("prior").fill_null(zero()),
            _act=pl.col("change").fill_null(zero()),
            _band=band,
        )
        .with_columns(
            _diff=pl.col("_act") - pl.col("_exp"),
            _flipped=(-pl.col("_act") - pl.col("_exp")),
        )
        .filter(exceeds("_diff", "_band"))
        .with_columns(
            _sign_only=~exceeds("_flipped", "_band") & pl.col("change").is_not_null(),
        )
    )
    out = F.with_figures(out).with_columns(
        key=pl.col("name"),
        actual=fmt("change"),
        written=pl.coalesce(fmt("change"), pl.lit("—")),
        prior=pl.coalesce(fmt("prior"), pl.lit("0")),
        current=pl.coalesce(fmt("current"), pl.lit("0")),
        severity=pl.when(pl.col("_sign_only")).then(pl.lit("warning")).otherwise(pl.lit(None)),
        sign_note=pl.when(pl.col("_sign_only"))
        .then(pl.lit(": the sign is wrong (a decrease written as an increase or the reverse)"))
        .otherwise(pl.lit("")),
        sign_note_zh=pl.when(pl.col("_sign_only"))
        .then(pl.lit("：符号错误（减少写成增加或相反）"))
        .otherwise(pl.lit("")),
        lines=F.lines("change_line", "current_line", "prior_line", "line"),
        location=pl.coalesce("change_loc", "location"),
    )
    return F.result(out, "name", "written", "prior", "current", "sign_note", "sign_note_zh")


@rule(
    "TPE003",
    "stated-total",
    severity="error",
    section="three_public",
    en="the text states 三公 expenses of {actual}, the table's 合计 is {expected} (difference "
    "{difference}, tolerance {tolerance})",
    zh="正文“三公”经费预算数 {actual} 与表中合计 {expected} 不符（差 {difference}，容差 {tolerance}）",
)
def stated_total(ctx: Context) -> pl.LazyFrame:
    """The 三公 total stated in the text equals the table's 合计 for this year.

    Compares 财政拨款"三公经费"预算数 in the text with the 合计 row's 本年 figure, converted to one
    money unit, within the rounding band. Why: the text is what is quoted; the table is what is
    audited. Example: 2.7万元 in the text and 合计 2.7 hold.
    """
    totals = (
        F.lazy(ctx, "three_public_rows")
        .filter(pl.col("is_total") & pl.col("current").is_not_null())
        .unique("doc", keep="first")
        .select("doc", "current", "current_dec", "current_half", "current_line", "factor")
    )
    out = (
        F.lazy(ctx, "three_public")
        .drop("factor")
        .filter(pl.col("stated_total").is_not_null())
        .join(totals, on="doc", how="inner")
        .with_columns(
            _act=pl.col("stated_total"),
            _exp=pl.col("current") * pl.col("factor") / pl.col("stated_factor"),
            _band=half("stated_total")
            + half("current") * pl.col("factor") / pl.col("stated_factor"),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band"))
    )
    out = F.with_figures(out).with_columns(
        key=pl.lit("stated_total"),
        lines=F.lines("stated_total_line", "current_line"),
        location=pl.col("stated_total_loc"),
    )
    return F.result(out)


@rule(
    "TPE004",
    "change-without-reason",
    severity="info",
    section="three_public",
    en="{name}: a change of {actual} without a reason (增减变化原因 is empty)",
    zh="{name}：增减 {actual}，但未填写增减变化原因",
)
def change_without_reason(ctx: Context) -> pl.LazyFrame:
    """A 三公 row changes against last year without a reason.

    Every row whose change (增减金额 as written, or 本年 − 上年 when it is empty) is not zero needs a
    增减变化原因. The 合计 row is left out: its reason is the rows' reasons. Why: the title of
    the part promises 增减变化原因, and 预算法 §14 asks for an explanation of the 三公 changes.
    Example: 公务接待费 1 → 2 with an empty reason cell.
    """
    out = (
        F.lazy(ctx, "three_public_rows")
        .filter(~pl.col("is_total") & pl.col("reason").is_null())
        .with_columns(
            _change=pl.coalesce(
                "change",
                pl.when(pl.col("prior").is_not_null() | pl.col("current").is_not_null()).then(
                    pl.col("current").fill_null(zero()) - pl.col("prior").fill_null(zero())
                ),
            )
        )
        .filter(pl.col("_change").is_not_null() & (pl.col("_change") != lit(0)))
    )
    out = out.with_columns(
        key=pl.col("name"),
        actual=fmt("_change"),
        lines=F.lines("line", "change_line"),
        location=pl.col("location"),
    )
    return F.result(out, "name")


def _vehicle_running(ctx: Context) -> pl.LazyFrame:
    """Per document: the 公务用车运行 row's current figure (nulls as 0) and its factor."""
    return (
        F.lazy(ctx, "three_public_rows")
        .filter(pl.col("name").str.contains(VEHICLE_RUNNING, literal=True))
        .unique("doc", keep="first")
        .select(
            "doc",
            pl.col("current").alias("_run"),
            pl.col("current_dec").alias("_run_dec"),
            pl.col("current_half").alias("_run_half"),
            pl.coalesce("current_line", "line").alias("_run_line"),
            pl.coalesce("current_loc", "location").alias("_run_loc"),
            pl.col("name").alias("_run_name"),
            pl.col("factor").alias("_run_factor"),
        )
    )


@rule(
    "TPE005",
    "vehicle-costs-without-vehicles",
    severity="warning",
    section="three_public",
    en="vehicle running costs of {actual} are budgeted, but the asset table lists no vehicles "
    "(车辆, 轿车, 越野车 empty or zero)",
    zh="预算安排公务用车运行经费 {actual}，但国有资产表中车辆（轿车、越野车）为空或为零",
)
def vehicle_costs_without_vehicles(ctx: Context) -> pl.LazyFrame:
    """Vehicle running costs are budgeted but the asset table lists no vehicles.

    When 公务用车运行经费 this year is above zero and the document has an asset table with rows, the
    车辆 row or its children (轿车, 越野车) must hold a value above zero. Silent when the asset part is
    missing or its table has no rows (DOC001/DOC002 report those). A warning: a cross-part
    inference (the car may be leased or belong to another unit). Why: running costs for cars the
    department does not own are a classic 三公 audit finding. Example: 运行经费 2.7 with 车辆
    279265 元 holds.
    """
    vehicles = (
        F.lazy(ctx, "asset_rows")
        .group_by("doc")
        .agg(
            _has_vehicle=(
                pl.col("name").str.contains("车辆|轿车|越野车")
                & pl.col("value").is_not_null()
                & (pl.col("value") > lit(0))
            ).any(),
            _vehicle_lines=pl.col("line")
            .filter(pl.col("name").str.contains("车辆|轿车|越野车"))
            .drop_nulls(),
        )
    )
    out = (
        _vehicle_running(ctx)
        .filter(pl.col("_run").is_not_null() & (pl.col("_run") > lit(0)))
        .join(vehicles, on="doc", how="inner")
        .filter(~pl.col("_has_vehicle"))
    )
    out = out.with_columns(
        key=pl.col("_run_name"),
        actual=fmt("_run"),
        lines=F.lines("_run_line", "_vehicle_lines"),
        location=pl.col("_run_loc"),
    )
    return F.result(out)


@rule(
    "TPE006",
    "vehicle-services-exceed-running",
    severity="warning",
    section="three_public",
    en="vehicle services bought in procurement ({items}) add up to {actual}, more than the "
    "vehicle running budget {expected} (by {difference}, tolerance {tolerance})",
    zh="政府采购中的车辆服务（{items}）合计 {actual}，超过公务用车运行经费 {expected}"
    "（超出 {difference}，容差 {tolerance}）",
)
def vehicle_services_exceed_running(ctx: Context) -> pl.LazyFrame:
    """Vehicle services in the procurement table exceed the 公务用车运行 budget.

    Sums the procurement lines for vehicle services — catalogue codes starting C0503 (C050301
    repair and maintenance, C050302 fuel) or items named 车辆加油 / 车辆维修 / 保养 — converted to the
    三公 table's unit, and compares them with this year's 公务用车运行经费 (an empty cell is 0).
    Fuel, repair and maintenance of official cars are vehicle running costs, so buying more of
    them than the running budget allows means one of the two parts is wrong. A warning: a
    cross-part inference. Example: C050301 2 + C050302 0.72 = 2.72 万元 against 运行经费 2.7:
    0.02 over, beyond the band 0.015.
    """
    lines = F.lazy(ctx, "procurement_lines").filter(~pl.col("is_total"))
    is_service = pl.col("code").fill_null("").str.starts_with(VEHICLE_SERVICE_CODE)
    for word in VEHICLE_SERVICE_WORDS:
        is_service = is_service | pl.col("item").fill_null("").str.contains(word, literal=True)
    services = (
        lines.filter(is_service & pl.col("amount").is_not_null())
        .with_columns(
            _yuan=pl.col("amount") * pl.col("factor"),
            _half_yuan=half("amount") * pl.col("factor"),
        )
        .group_by("doc")
        .agg(
            _services_yuan=pl.col("_yuan").sum(),
            _services_band_yuan=pl.col("_half_yuan").sum(),
            _service_lines=pl.coalesce("amount_line", "line").drop_nulls(),
            items=pl.concat_str(
                [
                    pl.col("code").fill_null(""),
                    pl.lit(" "),
                    pl.col("item").fill_null(""),
                    pl.lit(" "),
                    fmt("amount"),
                ]
            ).str.join(", "),
        )
    )
    out = (
        _vehicle_running(ctx)
        .join(services, on="doc", how="inner")
        .with_columns(
            _exp=pl.col("_run").fill_null(zero()),
            _act=pl.col("_services_yuan") / pl.col("_run_factor"),
            _band=half_if("_run") + pl.col("_services_band_yuan") / pl.col("_run_factor"),
        )
        .with_columns(_diff=pl.col("_act") - pl.col("_exp"))
        .filter(exceeds("_diff", "_band") & (pl.col("_diff") > lit(0)))
    )
    out = F.with_figures(out).with_columns(
        key=pl.col("_run_name"),
        lines=F.lines("_run_line", "_service_lines"),
        location=pl.col("_run_loc"),
    )
    return F.result(out, "items")
