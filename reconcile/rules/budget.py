"""Budget totals (part 二, 部门预算安排的总体情况): the income and expenditure paragraphs and the
change against last year must add up and agree with each other (DOMAIN §2, "Budget totals")."""

from __future__ import annotations

import polars as pl

from reconcile.rules import _frames as F
from reconcile.rules._tolerance import exceeds, fmt, half
from reconcile.rules.registry import Context, rule


def _identity(
    ctx: Context,
    key: str,
    total: str,
    parts: list[str],
    *,
    optional: tuple[str, ...] = (),
) -> pl.LazyFrame:
    """Findings for ``total = Σ parts`` over the budget frame (main line: the total)."""
    out = F.sum_check(F.lazy(ctx, "budget"), total, parts, optional=optional)
    line_cols = [f"{c}_line" for c in (total, *parts, *optional)]
    return F.result(
        out.with_columns(
            key=pl.lit(key),
            lines=F.lines(*line_cols),
            location=pl.col(f"{total}_loc"),
        ),
        "parts",
    )


@rule(
    "BUD001",
    "income-parts",
    severity="error",
    section="budget",
    en="income parts {parts} = {expected} ≠ income total {actual} (difference {difference}, "
    "tolerance {tolerance})",
    zh="收入各项 {parts} = {expected}，与收入总额 {actual} 不符（差 {difference}，容差 {tolerance}）",
)
def income_parts(ctx: Context) -> pl.LazyFrame:
    """The income total equals personnel + operating + project income.

    Checks 收入预算总额 = 人员经费 + 日常公用经费 + 专项项目, as stated in the income paragraph
    (收入说明), within the rounding band (the sum of the half units of the four figures). All four
    figures must be present. Why: the parts are the breakdown of the total; a gap means one of them
    is mistyped or a source of income is left out. Example: 2834.55 = 461.98 + 35.22 + 2337.35
    holds; with personnel written 416.98 the parts sum to 2789.55, 45.00 short.
    """
    return _identity(
        ctx,
        "income_total",
        "income_total",
        ["income_personnel", "income_operating", "income_project"],
    )


@rule(
    "BUD002",
    "expenditure-parts",
    severity="error",
    section="budget",
    en="basic + project {parts} = {expected} ≠ expenditure total {actual} (difference "
    "{difference}, tolerance {tolerance})",
    zh="基本支出 + 项目支出 {parts} = {expected}，与支出总额 {actual} 不符（差 {difference}，"
    "容差 {tolerance}）",
)
def expenditure_parts(ctx: Context) -> pl.LazyFrame:
    """The expenditure total equals basic + project expenditure.

    Checks 支出预算总额 = 基本支出 + 项目支出 in the expenditure paragraph (支出说明), within the
    rounding band. Why: every yuan spent is either basic (running the department) or project
    spending; a gap means a mistyped figure. Example: 2834.55 = 497.2 + 2337.35 holds.
    """
    return _identity(
        ctx, "expenditure_total", "expenditure_total", ["basic_total", "project_total"]
    )


@rule(
    "BUD003",
    "basic-parts",
    severity="error",
    section="budget",
    en="personnel + operating {parts} = {expected} ≠ basic expenditure {actual} (difference "
    "{difference}, tolerance {tolerance})",
    zh="人员经费 + 日常公用经费 {parts} = {expected}，与基本支出 {actual} 不符（差 {difference}，"
    "容差 {tolerance}）",
)
def basic_parts(ctx: Context) -> pl.LazyFrame:
    """Basic expenditure equals personnel + operating costs.

    Checks 基本支出 = 人员经费 + 日常公用经费 (the 其中 lines under 基本支出), within the rounding band.
    Why: basic expenditure is by definition these two parts. Example: 497.2 = 461.98 + 35.22 holds;
    written 479.2 it is 18.00 short of its parts.
    """
    return _identity(ctx, "basic_total", "basic_total", ["basic_personnel", "basic_operating"])


@rule(
    "BUD004",
    "personnel-agrees",
    severity="error",
    section="budget",
    en="personnel costs {actual} in the expenditure paragraph ≠ {expected} in the income "
    "paragraph (difference {difference}, tolerance {tolerance})",
    zh="支出说明中的人员经费 {actual} 与收入说明中的 {expected} 不符（差 {difference}，容差 {tolerance}）",
)
def personnel_agrees(ctx: Context) -> pl.LazyFrame:
    """Personnel costs agree between the income and the expenditure paragraphs.

    Checks that 人员经费 under 基本支出 equals 人员经费预算 in the income paragraph. Why: both
    describe the same money; a difference means one paragraph was not updated (the classic defect
    is a figure copied from last year's template). Example: 461.98 and 461.98 agree. The main line
    is the expenditure paragraph's figure.
    """
    return _identity(ctx, "personnel", "basic_personnel", ["income_personnel"])


@rule(
    "BUD005",
    "operating-agrees",
    severity="error",
    section="budget",
    en="operating costs {actual} in the expenditure paragraph ≠ {expected} in the income "
    "paragraph (difference {difference}, tolerance {tolerance})",
    zh="支出说明中的日常公用经费 {actual} 与收入说明中的 {expected} 不符（差 {difference}，"
    "容差 {tolerance}）",
)
def operating_agrees(ctx: Context) -> pl.LazyFrame:
    """Operating costs (日常公用经费) agree between the income and the expenditure paragraphs.

    Checks that 日常公用经费 under 基本支出 equals 日常公用经费预算 in the income paragraph. Why: same
    money, two places; a difference is a stale or mistyped figure. Example: 35.22 and 35.22 agree.
    """
    return _identity(ctx, "operating", "basic_operating", ["income_operating"])


@rule(
    "BUD006",
    "income-equals-expenditure",
    severity="error",
    section="budget",
    en="expenditure total {actual} ≠ income total {expected} (difference {difference}, "
    "tolerance {tolerance})",
    zh="支出总额 {actual} 与收入总额 {expected} 不符（差 {difference}，容差 {tolerance}）",
)
def income_equals_expenditure(ctx: Context) -> pl.LazyFrame:
    """The income total equals the expenditure total.

    Checks 收入预算总额 = 支出预算总额. Why: a departmental budget is balanced (收支平衡); a gap
    means one total is mistyped or a part of the budget is missing from one side. Example:
    2834.55 = 2834.55 holds.
    """
    return _identity(ctx, "total", "expenditure_total", ["income_total"])


@rule(
    "BUD007",
    "project-levels",
    severity="error",
    section="budget",
    en="own-level + lower-level {parts} = {expected} ≠ project expenditure {actual} (difference "
    "{difference}, tolerance {tolerance})",
    zh="本级支出 + 对下支出 {parts} = {expected}，与项目支出 {actual} 不符（差 {difference}，"
    "容差 {tolerance}）",
)
def project_levels(ctx: Context) -> pl.LazyFrame:
    """Project expenditure equals own-level (本级) + lower-level (对下) spending.

    Checks 项目支出 = 本级支出 + 对下支出 when 本级 is stated; an absent 对下 counts as an exact 0, so
    when only 本级 is given it must equal the project total. When 本级 is not stated the rule is
    silent (a lone "其中：对下支出" is a part, not the split). Why: the split by level is the whole
    project budget. Example: 项目支出 2337.35, 其中本级支出 2337.35 holds.
    """
    return _identity(
        ctx,
        "project_total",
        "project_total",
        ["project_own_level"],
        optional=("project_lower_level",),
    )


@rule(
    "BUD008",
    "change-part-exceeds-whole",
    severity="warning",
    section="budget",
    en="the project change {actual} is larger than the whole change {expected} (by {difference}, "
    "tolerance {tolerance}): the rest of the budget would have changed by {rest}",
    zh="项目支出增减 {actual} 大于预算总额增减 {expected}（超出 {difference}，容差 {tolerance}），"
    "意味着其余部分变动 {rest}",
)
def change_part_exceeds_whole(ctx: Context) -> pl.LazyFrame:
    """A "其中" part of the change against last year is larger than the whole change.

    Checks the stated change of project spending (其中：本年增加项目支出) against the stated change of
    the whole budget (较上年增加): when both go the same way and the part is larger in size by more
    than the rounding band, the rest of the budget must have moved the other way by
    ``change_total − change_project`` — possible, but the text does not say so. Why: a reader takes
    "其中" as a share of the whole; a part larger than the whole is either a mistyped figure or an
    unexplained cut elsewhere. Example: 较上年增加353.32万元。其中:本年增加项目支出364.75万元 → the
    rest fell by 11.43 万元 without a word (warning, with the implied −11.43).
    """
    df = F.lazy(ctx, "budget")
    band = half("change_total") + half("change_project")
    out = (
        df.filter(
            pl.col("change_total").is_not_null()
            & pl.col("change_project").is_not_null()
            & (pl.col("change_total").sign() == pl.col("change_project").sign())
            & (pl.col("change_total").sign() != 0)
        )
        .with_columns(
            _exp=pl.col("change_total"),
            _act=pl.col("change_project"),
            _diff=pl.col("change_project").abs() - pl.col("change_total").abs(),
            _band=band,
            rest=fmt(pl.col("change_total") - pl.col("change_project")),
        )
        .filter(exceeds("_diff", "_band") & (pl.col("_diff") > 0))
    )
    out = F.with_figures(out).with_columns(
        key=pl.lit("change_project"),
        lines=F.lines("change_project_line", "change_total_line"),
        location=pl.col("change_project_loc"),
    )
    return F.result(out, "rest")


@rule(
    "BUD009",
    "project-income-agrees",
    severity="error",
    section="budget",
    en="project expenditure {actual} ≠ project income (专项项目) {expected} (difference "
    "{difference}, tolerance {tolerance})",
    zh="项目支出 {actual} 与收入说明中的专项项目 {expected} 不符（差 {difference}，容差 {tolerance}）",
)
def project_income_agrees(ctx: Context) -> pl.LazyFrame:
    """Project income (专项项目) equals project expenditure (项目支出).

    Checks that 专项项目预算 in the income paragraph equals 项目支出 in the expenditure paragraph.
    Why: the special-project money raised is the project money spent; together with BUD004 and
    BUD005 this ties every income part to its spending. Example: 2337.35 and 2337.35 agree.
    """
    return _identity(ctx, "project", "project_total", ["income_project"])
