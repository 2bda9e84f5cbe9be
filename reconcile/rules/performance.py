"""Performance targets (part 五, 绩效目标表): direction, range and unit of every target, template
placeholders, the hierarchy of indicator levels, duplicates and contradictions.

The decisions every rule here shares (the frame is ``perf_indicators``, see ``_frames_perf``):

* **Name** of an indicator: its level 3 (三级指标), normalised (no spaces, ★ markers, trailing
  parenthesis such as ``（%）`` or a formula, trailing punctuation); its description is read as
  well where a rule says so.
* **Share-type rate**: a level 3 or a description ending in 率, 满意度, 比例, 比率, 比值, 占比 or 比重
  (a trailing 指标 ignored), with the target in % (百分比 counts as %) — a part of a whole, so it
  lies in 0–100 %. Growth and change rates (增长率, 提高率, 下降率, 增速, 增幅, 收益率, 周转率 …) are
  not shares: they can exceed 100 % or be negative.
* **Direction** (:func:`direction`), in this order of precedence:

  1. a name ending in a *reverse rate* — something bad that should stay low: 失业率, 投诉率, 事故率,
     差错率, 错误率, 发生率, 发病率, 死亡率, 违规率, 不合格率, 故障率, 流失率, 辍学率, 超支率,
     逾期率, 返贫率 … — is **reverse**;
  2. a name ending in a *positive rate* — 覆盖率, 合格率, 完成率, 达标率, 满意度/满意率, 及时率,
     到位率, 知晓率, 准确率, 参保率, 执行率, 节约率, 就业率, 发放率, 处理率, 办结率 … — is
     **positive** (so 投诉处理率 is positive although it speaks of 投诉);
  3. a name speaking of something bad — 事件 (群体事件数), 事故, 投诉, 上访, 差错, 超支, 超标,
     逾期, 拖欠, 欠薪, 违规, 违法, 污染, 排放, 能耗, 浪费, 损失 — is **reverse**;
  4. a cost — a row under 成本指标 (level 2 成本, or level 1 成本 with 经济/社会/生态环境成本) or a
     name speaking of 成本, 费用, 经费, 支出, 开支 — is **reverse** unless it speaks of a saving
     (节约, 节省, 节支, 压缩, 降低, 下降, 减少);
  5. a name containing a positive-rate word anywhere (服务对象满意度情况) is **positive**;
  6. anything else has no known direction and is not judged.
"""

from __future__ import annotations

import polars as pl

from reconcile.rules import _frames_perf  # noqa: F401  (registers the frames)
from reconcile.rules._frames import RESULT_COLUMNS, lazy, result
from reconcile.rules.registry import Context, rule

# ------------------------------------------------------------------------- vocabulary

_REVERSE_RATE_END = (
    r"(?:失业|不合格|不达标|差错|错误|出错|失误|发生|发案|发病|患病|死亡|伤亡|犯罪|违规|违纪|违法|"
    r"故障|流失|辍学|失学|空置|闲置|损耗|损失|误差|超支|超标|超期|逾期|延误|返工|返修|退回|退件|"
    r"差评|投诉|事故|返贫|致贫|漏报|瞒报|迟报|误报|缺陷|失败|拒付|误判|复发|感染)率$"
)
_POSITIVE_RATE = (
    r"(?:覆盖|合格|完成|达标|满意|及时|到位|知晓|准确|正确|参保|执行|节约|结算|下达|代缴|缴费|完好|"
    r"就业|帮扶|参训|发放|兑现|利用|使用|通过|办结|结案|受理|处理|解决|响应|回复|出勤|入学|普及|"
    r"拨付|支付|按时|准时|完整|有效|成功|保障|稳定|优良|达成|实现|落实|登记|建档|审核|留存|巩固|"
    r"救助|服务|培训|签约|录用|公开|归档|整改|查处|报送|上报|采纳|转化|治愈|好评|在线|接通|"
    r"入库|报销|资助|续保)率|满意度|报销比例"
)
_POSITIVE_END = f"(?:{_POSITIVE_RATE})$"
_REVERSE_WORDS = (
    r"事件|事故|投诉|上访|越级访|差错|超支|超标|逾期|拖欠|欠薪|违规|违纪|违法|污染|排放|能耗|"
    r"浪费|损失|返工|返修"
)
_COST_WORDS = r"成本|费用|经费|支出|开支"
_SAVING_WORDS = r"节约|节省|节支|压缩|降低|下降|减少"

_SHARE_WORDS = r"(?:率|满意度|比例|比率|比值|占比|比重)"
_CHANGE_RATE = (
    r"(?:增长|提高|提升|增加|上升|下降|降低|减少|变化|变动|发展|增|收益|回报|利润|周转|溢价|"
    r"贡献|弹性|放大)率"
)
_SHARE_END = rf"{_SHARE_WORDS}$"
_NOT_SHARE = rf"{_CHANGE_RATE}$|增速|增幅|倍率"
# The same with a trailing 指标 allowed (what is_share reads: the name without that suffix).
_SHARE_END_LABEL = rf"{_SHARE_WORDS}(?:指标)?$"
_NOT_SHARE_LABEL = rf"{_CHANGE_RATE}(?:指标)?$|增速|增幅|倍率"

# Count and amount words for PRF005.
_COUNT_WORDS = (
    r"人数|次数|个数|数量|人次|户数|件数|场次|期数|台数|家数|项数|册数|篇数|套数|辆数|所数|座数|"
    r"名额|人口数|床位数"
)
_AMOUNT_ANY = r"金额|(?:工资|补助|补贴|发放|缴费|支出|资金|费用)额"
_AMOUNT_COST = (
    r"金额|标准|费用|资金|经费|工资|补助|补贴|水平|单价|成本|会费|缴费|保险费|控制数|预算数"
)

# The standard hierarchy (level 1 -> level 2), both without the 指标 suffix.
HIERARCHY: dict[str, tuple[str, ...]] = {
    "产出": ("数量", "质量", "时效", "成本"),
    "效益": (
        "经济效益",
        "社会效益",
        "生态效益",
        "生态环境效益",
        "可持续影响",
        "经济",
        "社会",
        "生态",
    ),
    "满意度": ("服务对象满意度",),
    "成本": ("经济成本", "社会成本", "生态环境成本"),
}
_PAIRS = [f"{l1}|{l2}" for l1, l2s in HIERARCHY.items() for l2 in l2s]
_ALLOWED_SHOWN = {
    "产出": "数量/质量/时效/成本",
    "效益": "经济效益/社会效益/生态效益/可持续影响",
    "满意度": "服务对象满意度",
    "成本": "经济成本/社会成本/生态环境成本",
}

# Template-generic names (PRF010): the same words stand in many projects for different things.
_GENERIC_NAME = (
    r"^(?:服务对象|受益群体的?|受益对象|受益人员|受益群众|群众|社会公众|公众|人员|对象|单位|"
    r"社会|生态|经济|经济发展|可持续|政策|预算|任务计划|任务|各项任务|工作|项目|资金|综合)?"
    r"(?:满意度|满意率|完成率|准确率|及时率|完成及时率|按时完成率|完成情况|影响力|影响|效益|"
    r"执行率|知晓率|到位率|覆盖率|效益指标|影响指标|满意度指标)(?:情况)?$"
)


# ------------------------------------------------------------------------- expressions


def _matches(col: str, pattern: str) -> pl.Expr:
    return pl.col(col).fill_null("").str.contains(pattern)


def _either(pattern: str) -> pl.Expr:
    return _matches("l3n", pattern) | _matches("descn", pattern)


def is_cost_row() -> pl.Expr:
    """A row under 成本指标 (level 2), or under level 1 成本 (经济/社会/生态环境成本)."""
    l2 = pl.col("l2n").fill_null("")
    return l2.str.ends_with("成本") | (pl.col("l1n").fill_null("") == "成本")


def direction() -> pl.Expr:
    """``"reverse"``, ``"positive"`` or null for an indicator (module docstring, steps 1–6).
    The level 3 decides; the description is read where the level 3 says nothing."""
    name = pl.col("l3n").fill_null("")
    desc = pl.col("descn").fill_null("")
    text = pl.when(name != "").then(name).otherwise(desc)
    saving = _either(_SAVING_WORDS)
    return (
        pl.when(text.str.contains(_REVERSE_RATE_END))
        .then(pl.lit("reverse"))
        .when(text.str.contains(_POSITIVE_END))
        .then(pl.lit("positive"))
        .when(text.str.contains(_REVERSE_WORDS))
        .then(pl.lit("reverse"))
        .when((is_cost_row() | text.str.contains(_COST_WORDS)) & ~saving)
        .then(pl.lit("reverse"))
        .when(_either(_POSITIVE_RATE))
        .then(pl.lit("positive"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def is_share() -> pl.Expr:
    """A share-type rate: level 3 or description ends in 率/满意度/比例/… (a trailing 指标 ignored),
    neither is a growth or change rate, and the target is in %."""
    rate = _either(_SHARE_END_LABEL)
    change = _either(_NOT_SHARE_LABEL)
    return rate & ~change & (pl.col("unit_n") == "%")


def measure() -> pl.Expr:
    """``"count"`` or ``"amount"`` for an indicator whose name speaks of a count or an amount and
    is not a share-type name (PRF005), else null."""
    count = _either(_COUNT_WORDS)
    amount = _either(_AMOUNT_ANY) | (is_cost_row() & _either(_AMOUNT_COST))
    share_name = _either(_SHARE_END) & ~_either(_NOT_SHARE)
    return (
        pl.when(share_name)
        .then(pl.lit(None, dtype=pl.String))
        .when(count)
        .then(pl.lit("count"))
        .when(amount)
        .then(pl.lit("amount"))
    )


def in_hierarchy() -> pl.Expr:
    """The level-1/level-2 pair is one of the standard hierarchy (PRF008), labels without 指标."""
    pair = pl.concat_str([pl.col("l1n"), pl.col("l2n").fill_null("")], separator="|")
    return pair.is_in(_PAIRS)


def shared_columns() -> dict[str, pl.Expr]:
    """What the rules judge of an indicator from its normalised labels, names and unit alone
    (``l1n``, ``l2n``, ``l3n``, ``descn``, ``unit_n``): ``direction`` (:func:`direction`),
    ``share`` (:func:`is_share`), ``cost_row`` (:func:`is_cost_row`), ``measure``
    (:func:`measure`), ``generic_name`` (PRF010) and ``in_hierarchy`` (:func:`in_hierarchy`).
    Computed once per distinct combination when the ``perf_indicators`` frame is built (over
    every document of the run), not per rule."""
    return {
        "direction": direction(),
        "share": is_share(),
        "cost_row": is_cost_row(),
        "measure": measure(),
        "generic_name": pl.col("l3n").fill_null("").str.contains(_GENERIC_NAME),
        "in_hierarchy": in_hierarchy(),
    }


def placeholder_columns() -> dict[str, pl.Expr]:
    """What PRF006 finds in an indicator's cells as written (the level 2 filled down):
    ``ph_asterisks`` (``**`` in the level 3, description or target), ``ph_zero`` (a level 3 or
    description of a lone 0), ``ph_stars`` (★ markers) and ``ph_level2`` (the level-2 label as
    the level 3, spaces ignored). Computed once per distinct (level2, level3, description,
    target) when the frame is built."""
    cells = ["level3", "description", "target"]
    level2 = pl.col("level2").fill_null("").str.replace_all(r"\s", "")
    level3 = pl.col("level3").fill_null("").str.replace_all(r"\s", "")
    return {
        "ph_asterisks": pl.any_horizontal(
            [pl.col(c).fill_null("").str.contains(r"[*＊]{2}") for c in cells]
        ),
        "ph_zero": pl.any_horizontal(
            [pl.col(c).fill_null("").str.contains(r"^\s*0\s*$") for c in ("level3", "description")]
        ),
        "ph_stars": pl.any_horizontal(
            [pl.col(c).fill_null("").str.contains("[★☆]") for c in cells]
        ),
        "ph_level2": (level2 != "") & (level3 == level2),
    }


def basis_columns() -> dict[str, pl.Expr]:
    """What PRF007 judges of a basis text alone (spaces ignored): ``basis_problem`` is ``typo``
    or ``truncated``, else null. Computed once per distinct basis when the frame is built."""
    basis = pl.col("basis").fill_null("").str.replace_all(r"\s", "")
    return {
        "basis_problem": pl.when(basis.str.contains(_BASIS_TYPO))
        .then(pl.lit("typo"))
        .when(basis.str.contains(_BASIS_TRUNCATED))
        .then(pl.lit("truncated"))
    }


def _name() -> pl.Expr:
    """The indicator's name for messages: level 3 as written, else the description."""
    return pl.coalesce(pl.col("level3"), pl.col("description"), pl.lit("")).str.strip_chars()


def _target() -> pl.Expr:
    return pl.col("target").fill_null("")


def _lines(*cols: str) -> pl.Expr:
    return pl.concat_list([pl.col(c) for c in cols]).list.drop_nulls()


def _location() -> pl.Expr:
    """The place of a row for sources without lines."""
    return pl.when(pl.col("line").is_null()).then(pl.col("location"))


def _row_findings(ctx: Context, condition: pl.Expr, **columns: pl.Expr) -> pl.LazyFrame:
    """One finding per indicator row where ``condition`` holds, with the common columns (key,
    lines, location, name, project, target) and ``columns``."""
    df = (
        lazy(ctx, "perf_indicators")
        .filter(condition.fill_null(False))
        .with_columns(
            lines=_lines("line"),
            location=_location(),
            name=_name(),
            project_name=pl.col("project"),
            target_text=_target(),
            **columns,
        )
    )
    extra = [c for c in columns if c not in RESULT_COLUMNS]
    return result(df, "name", "project_name", "target_text", *extra)


# ------------------------------------------------------------------------------ rules


@rule(
    "PRF001",
    "reverse-indicator-with-lower-bound",
    severity="warning",
    section="performance",
    en="reverse indicator {name} has a lower bound {target_text}: it should be ≤ or < "
    "(project {project_name})",
    zh="反向指标“{name}”的指标值为{target_text}，应为≤或<（项目：{project_name}）",
)
def reverse_with_lower_bound(ctx: Context) -> pl.LazyFrame:
    """A reverse indicator (the lower the better) is given a lower bound (≥ or >).

    Reverse indicators measure something that should stay low: 失业率, 投诉率, 事故率, 差错率,
    发生率, 群体事件数, 超支, and every cost (成本指标 rows, 成本/费用/经费 in the name, unless the
    name speaks of a saving). Their target is a ceiling, ≤ or <; a floor ("年末城镇登记失业率
    ≥4.5%") inverts the goal: it would be met by more unemployment. The direction vocabulary is in
    the module docstring.

    Example: 效益指标 / 经济效益指标 / 年末城镇登记失业率 / ≥4.5% -> expected ≤, actual ≥4.5%.
    """
    reverse = pl.col("direction") == "reverse"
    return _row_findings(
        ctx,
        reverse & pl.col("target_op").is_in(["≥", ">"]),
        expected=pl.lit("≤"),
        actual=_target(),
    )


@rule(
    "PRF002",
    "positive-rate-with-upper-bound",
    severity="warning",
    section="performance",
    en="positive rate {name} has an upper bound {target_text}: it should be ≥ or = "
    "(project {project_name})",
    zh="正向指标“{name}”的指标值为{target_text}，应为≥或=（项目：{project_name}）",
)
def positive_with_upper_bound(ctx: Context) -> pl.LazyFrame:
    """A positive rate (the higher the better) is given an upper bound (≤ or <).

    Coverage, pass, completion, timeliness, accuracy, awareness, participation and satisfaction
    rates (覆盖率, 合格率, 完成率, 达标率, 满意度, 及时率, 到位率, 知晓率, 准确率, 参保率 …) are
    goals to reach: their target is a floor (≥) or an exact value (=). A ceiling ("满意度≤90%")
    would be met by dissatisfied users, so it is almost certainly a flipped comparator.

    Example: 满意度指标 / 服务对象满意度 / ≤90% -> expected ≥, actual ≤90%.
    """
    positive = pl.col("direction") == "positive"
    return _row_findings(
        ctx,
        positive & pl.col("target_op").is_in(["≤", "<"]),
        expected=pl.lit("≥"),
        actual=_target(),
    )


@rule(
    "PRF003",
    "degenerate-share-bound",
    severity="info",
    section="performance",
    en="share {name} with target {target_text}: a share cannot pass its end of 0–100%, "
    "write {expected} (project {project_name})",
    zh="比率类指标“{name}”的指标值为{target_text}，比率不能超出0–100%，应写为{expected}"
    "（项目：{project_name}）",
)
def degenerate_share_bound(ctx: Context) -> pl.LazyFrame:
    """A share-type rate bounded at an end of its range: ≥100% (or ≤0%) instead of =100% (=0%).

    A share (参保率, 到位率, 及时率 …: a part of a whole, see the module docstring) cannot exceed
    100%, so "≥100%" can only be met by exactly 100%: the target is =100% written loosely (info).
    ">100%" (or "<0%") cannot be met at all: that is a wrong target (warning). The mirror case
    "≤0%" (=0%) is the same wording defect at the other end.

    Example: 产出指标 / 质量指标 / 资助贫困人员参保率 / ≥100% -> expected =100%, actual ≥100%.
    """
    value = pl.col("target_value")
    at_top = (value == 100) & pl.col("target_op").is_in(["≥", ">"])
    at_bottom = (value == 0) & pl.col("target_op").is_in(["≤", "<"])
    impossible = pl.col("target_op").is_in([">", "<"])
    return _row_findings(
        ctx,
        pl.col("share") & (at_top | at_bottom),
        expected=pl.when(at_top).then(pl.lit("=100%")).otherwise(pl.lit("=0%")),
        actual=_target(),
        severity=pl.when(impossible).then(pl.lit("warning")).otherwise(pl.lit(None)),
    )


@rule(
    "PRF004",
    "share-out-of-range",
    severity="warning",
    section="performance",
    en="share {name} with target {target_text} lies outside 0–100% (project {project_name})",
    zh="比率类指标“{name}”的指标值{target_text}超出0–100%范围（项目：{project_name}）",
)
def share_out_of_range(ctx: Context) -> pl.LazyFrame:
    """A share-type rate with a target value above 100% or below 0%.

    A share is a part of a whole (the module docstring says which names count): 0–100% by
    definition. "≥105%" or "-5%" on a coverage or pass rate cannot be met and usually hides a
    wrong unit or a typing error. Growth rates are not shares and are not checked.

    Example: 产出指标 / 质量指标 / 培训合格率 / ≥120% -> expected 0–100%, actual ≥120%.
    """
    value = pl.col("target_value")
    return _row_findings(
        ctx,
        pl.col("share") & ((value > 100) | (value < 0)),
        expected=pl.lit("0–100%"),
        actual=_target(),
    )


@rule(
    "PRF005",
    "count-or-amount-as-percentage",
    severity="warning",
    section="performance",
    en="{kind} indicator {name} is given as a percentage {target_text} (project {project_name})",
    zh="{kind_zh}指标“{name}”的指标值{target_text}使用了百分比（项目：{project_name}）",
)
def count_or_amount_as_percentage(ctx: Context) -> pl.LazyFrame:
    """A count or an amount is given as a percentage: the target has the wrong unit.

    A count (the level 3 or the description speaks of 人数, 次数, 个数, 数量, 人次, 户数, 件数 …) is
    measured in 人, 次, 个; an amount (金额, 工资额, 补助额 anywhere; in a 成本指标 row also 标准,
    费用, 资金, 经费, 补助, 水平, 单价 …) in 元 or 万元. A share-type rate that merely mentions a count
    ("满意人数占总人数的比例") is not a count. "宣传活动数量 ≥95%" says nothing about how many
    activities are planned, so the target cannot be checked against the result.

    Example: 产出指标 / 数量指标 / 宣传活动数量 / ≥95% -> expected a count (人, 次, 个), actual ≥95%.
    """
    count = pl.col("measure") == "count"
    return _row_findings(
        ctx,
        (pl.col("unit_n") == "%") & pl.col("measure").is_not_null(),
        kind=pl.col("measure"),
        kind_zh=pl.when(count).then(pl.lit("数量类")).otherwise(pl.lit("金额类")),
        expected=pl.when(count)
        .then(pl.lit("a count (人, 次, 个 …)"))
        .otherwise(pl.lit("an amount (元, 万元)")),
        actual=_target(),
    )


@rule(
    "PRF006",
    "template-placeholder",
    severity="info",
    section="performance",
    en="template placeholder left in {name}: {placeholders} (project {project_name})",
    zh="指标“{name}”残留模板占位内容：{placeholders_zh}（项目：{project_name}）",
)
def template_placeholder(ctx: Context) -> pl.LazyFrame:
    """An indicator row still holds placeholders of the template it was copied from.

    Templates mark the places to fill with ``**`` ("参保率(≥**%)"), a description of ``0``, ★
    markers on suggested indicators, or the level-2 label itself as the level 3
    ("服务对象满意度指标" under 服务对象满意度指标). Left in a published table they show the row was
    never filled in. One finding per row, naming every kind found.

    Example: 产出指标 / 质量指标 / 符合条件贫困人员参保率 / "符合条件贫困人员参保率(≥**%)" -> ``**``.
    """
    asterisks, zero, stars, repeated = (pl.col(c) for c in placeholder_columns())
    kinds_en = [
        pl.when(asterisks).then(pl.lit("**")),
        pl.when(zero).then(pl.lit("a lone 0")),
        pl.when(stars).then(pl.lit("★ markers")),
        pl.when(repeated).then(pl.lit("the level-2 label as level 3")),
    ]
    kinds_zh = [
        pl.when(asterisks).then(pl.lit("“**”")),
        pl.when(zero).then(pl.lit("内容仅为“0”")),
        pl.when(stars).then(pl.lit("★标记")),
        pl.when(repeated).then(pl.lit("三级指标照抄二级指标名称")),
    ]
    return _row_findings(
        ctx,
        asterisks | zero | stars | repeated,
        placeholders=pl.concat_str(kinds_en, separator=", ", ignore_nulls=True),
        placeholders_zh=pl.concat_str(kinds_zh, separator="、", ignore_nulls=True),
        actual=pl.concat_str(
            [pl.col("level3").fill_null(""), pl.col("description").fill_null(""), _target()],
            separator=" | ",
        ),
    )


_BASIS_TYPO = (
    r"^(?:安装|安照|按找|暗照)|安装(?:实际|工作|计划|规定|要求|标准|相关|年度|上级|文件|政策)"
)
_BASIS_TRUNCATED = r"(?:完成|实际|工作|执行|落实|开展|进展|使用|发放|建设)情$"


@rule(
    "PRF007",
    "unusual-target-basis",
    severity="info",
    section="performance",
    en='target basis {problem}: "{basis}" in {count} row(s) (project {project_name})',
    zh="指标值确定依据{problem_zh}：“{basis}”，共{count}行（项目：{project_name}）",
)
def unusual_target_basis(ctx: Context) -> pl.LazyFrame:
    """The basis of a target (指标值确定依据) has a typo, is cut off, or is empty.

    The basis says where a target comes from (计划标准, 行业标准, 历史标准, "按照工作实际完成情况").
    A typo such as 安装 (install) for 按照 (according to), a cell cut off mid-word
    ("按照工作实际完成情" without 况) or an empty cell shows the table was not proof-read. An
    empty basis is reported only in a project whose other rows do fill the column (so a template
    without the column is not flagged). The same defective text copied over several rows of one
    project is one finding, with every row's line.

    Example: 2nd project, 23 rows with "安装实际工作完成情况" -> one finding (typo 安装 for 按照).
    """
    df = lazy(ctx, "perf_indicators")
    basis = pl.col("basis").fill_null("").str.replace_all(r"\s", "")
    project = ["doc", "project_no"]
    # Blank cells are null in the frame; a project fills the column when any row has a basis.
    filled = (
        df.filter(pl.col("basis").is_not_null())
        .select(project)
        .unique()
        .with_columns(has_column=pl.lit(True))
    )
    problem = pl.coalesce(
        pl.col("basis_problem"),
        pl.when(pl.col("basis").is_null() & pl.col("has_column").fill_null(False)).then(
            pl.lit("empty")
        ),
    )
    found = (
        df.filter(pl.col("basis_problem").is_not_null() | pl.col("basis").is_null())
        .join(filled, on=project, how="left", maintain_order="left")
        .with_columns(problem=problem, basis_n=basis)
        .filter(pl.col("problem").is_not_null())
        .group_by(["doc", "project_no", "problem", "basis_n"], maintain_order=True)
        .agg(
            pl.col("project").first().alias("project_name"),
            pl.col("basis").first().fill_null("").alias("basis"),
            pl.col("line").drop_nulls().alias("lines"),
            pl.col("location").first(),
            pl.col("line").is_null().all().alias("no_lines"),
            pl.len().cast(pl.String).alias("count"),
        )
    )
    texts_en = {
        "typo": "has a typo (安装 for 按照)",
        "truncated": "is cut off mid-word",
        "empty": "is empty",
    }
    texts_zh = {"typo": "有错别字（“安装”应为“按照”）", "truncated": "不完整", "empty": "为空"}
    out = found.with_columns(
        key=pl.concat_str(
            [pl.col("project_name"), pl.col("problem"), pl.col("basis_n")], separator="/"
        ),
        problem_zh=pl.col("problem").replace_strict(texts_zh, return_dtype=pl.String),
        expected=pl.col("problem").replace_strict(
            {"typo": "按照…", "truncated": "a complete basis", "empty": "a basis"},
            return_dtype=pl.String,
        ),
        actual=pl.col("basis"),
        location=pl.when(pl.col("no_lines")).then(pl.col("location")),
    ).with_columns(problem=pl.col("problem").replace_strict(texts_en, return_dtype=pl.String))
    return result(out, "project_name", "basis", "count", "problem", "problem_zh")


@rule(
    "PRF008",
    "indicator-hierarchy",
    severity="warning",
    section="performance",
    en="level 1 {level1} / level 2 {level2} is not in the standard hierarchy "
    "(project {project_name})",
    zh="一级指标“{level1}”与二级指标“{level2}”不符合标准指标体系（项目：{project_name}）",
)
def indicator_hierarchy(ctx: Context) -> pl.LazyFrame:
    """A level-1/level-2 pair outside the standard indicator hierarchy.

    The standard (财政部 绩效目标 framework): 产出 -> 数量/质量/时效/成本; 效益 ->
    经济效益/社会效益/生态效益/可持续影响; 满意度 -> 服务对象满意度; 成本 -> 经济成本/社会成本/
    生态环境成本. Labels are compared without the 指标 suffix. A level 2 under the wrong level 1,
    an unknown level 1 or a missing level 2 means the row cannot be read as the framework intends
    (a 质量 row under 效益 is scored as an outcome). Rows are only judged when a level 1 is known.

    Example: 效益指标 / 数量指标 -> expected one of 经济效益, 社会效益, 生态效益, 可持续影响.
    """
    allowed = pl.col("l1n").replace_strict(
        _ALLOWED_SHOWN,
        default=pl.lit("产出/效益/满意度/成本 (level 1)"),
        return_dtype=pl.String,
    )
    return _row_findings(
        ctx,
        pl.col("l1n").is_not_null() & (pl.col("l1n") != "") & ~pl.col("in_hierarchy"),
        level1=pl.col("level1").fill_null(""),
        level2=pl.col("level2").fill_null(""),
        expected=allowed,
        actual=pl.concat_str(
            [pl.col("level1").fill_null(""), pl.col("level2").fill_null("")], separator=" / "
        ),
    )


@rule(
    "PRF009",
    "duplicate-indicator",
    severity="info",
    section="performance",
    en="indicator {name} ({target_text}) appears {count} times in project {project_name}",
    zh="指标“{name}”（{target_text}）在项目“{project_name}”中重复出现{count}次",
)
def duplicate_indicator(ctx: Context) -> pl.LazyFrame:
    """The same indicator row appears more than once in one project's table.

    Rows with the same level 2, level 3, description and target (spaces ignored) measure the same
    thing twice — usually a template row copied to fill the three satisfaction slots. One finding
    per group of duplicates, with every line, the first one first.

    Example: 满意度指标 / 服务对象满意度指标 / 服务对象满意度 / ≥95百分比, three times -> count 3.
    """
    df = lazy(ctx, "perf_indicators")
    same = [
        pl.col(c).fill_null("").str.replace_all(r"\s", "").alias(f"{c}_k")
        for c in ("level2", "level3", "description", "target")
    ]
    keys = ["doc", "project_no", "level2_k", "level3_k", "description_k", "target_k"]
    # Rows equal without spaces have equal normalised names (l2n, l3n, descn are computed from
    # the text without spaces), so only rows sharing those with another row of their project
    # can be duplicates: the costly keys are built for these rows only.
    names = [pl.col(c).fill_null("") for c in ("l2n", "l3n", "descn")]
    groups = (
        df.filter(pl.struct(pl.col("doc"), pl.col("project_no"), *names).is_duplicated())
        .with_columns(same)
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("key").first(),
            pl.col("project").first().alias("project_name"),
            pl.col("level3").first(),
            pl.col("description").first(),
            pl.col("target").first().fill_null("").alias("target_text"),
            pl.col("line").drop_nulls().alias("lines"),
            pl.col("location").first(),
            pl.col("line").is_null().all().alias("no_lines"),
            pl.len().alias("n"),
        )
        .filter(pl.col("n") > 1)
        .with_columns(
            name=_name(),
            count=pl.col("n").cast(pl.String),
            expected=pl.lit("1"),
            actual=pl.col("n").cast(pl.String),
            location=pl.when(pl.col("no_lines")).then(pl.col("location")),
        )
    )
    return result(groups, "name", "project_name", "target_text", "count")


@rule(
    "PRF010",
    "contradictory-targets",
    severity="warning",
    section="performance",
    en="indicator {name} has different targets across projects: {targets}",
    zh="指标“{name}”在不同项目中的指标值不一致：{targets_zh}",
)
def contradictory_targets(ctx: Context) -> pl.LazyFrame:
    """The same indicator has different targets in two projects of one document.

    Indicators are the same when their normalised level-3 names are equal (★ markers, spaces and a
    trailing parenthesis ignored). Targets differ when the comparator or the value or the unit
    differ (no comparator counts as =; ≥100% on a share counts as =100%, see PRF003; 百分比 is %).
    Template-generic names (服务对象满意度, 完成率, 可持续影响力, 生态效益, 政策知晓率 …: a qualifier
    such as 服务对象/群众/社会/经济 at most, before a generic head) name different things in
    different projects and are not compared. One finding per name, every row's line, the first
    project's target as expected.

    Example: 社会保险补贴发放准确率 ≥98% in project 2, ≥95% in project 11.
    """
    df = lazy(ctx, "perf_indicators")
    op = pl.col("target_op").fill_null("=")
    op = (
        pl.when(pl.col("share") & (pl.col("target_value") == 100) & (op == "≥"))
        .then(pl.lit("="))
        .otherwise(op)
    )
    value = pl.col("target_value").cast(pl.String).str.replace(r"\.?0+$", "")
    rows = (
        df.filter(
            pl.col("target_value").is_not_null()
            & (pl.col("l3n").fill_null("") != "")
            & ~pl.col("generic_name")
        )
        # Only a name found in two projects or more can have contradicting targets.
        .with_columns(_projects=pl.col("project_no").n_unique().over("doc", "l3n"))
        .filter(pl.col("_projects") > 1)
        .with_columns(norm_target=pl.concat_str([op, value, pl.col("unit_n").fill_null("")]))
        # ... and only with two different targets or more.
        .filter(pl.col("norm_target").n_unique().over("doc", "l3n") > 1)
        .with_columns(
            shown=pl.concat_str(
                [_target(), pl.lit(" (project "), pl.col("project_no").cast(pl.String), pl.lit(")")]
            ),
            shown_zh=pl.concat_str(
                [_target(), pl.lit("（项目"), pl.col("project_no").cast(pl.String), pl.lit("）")]
            ),
        )
    )
    groups = (
        rows.group_by(["doc", "l3n"], maintain_order=True)
        .agg(
            pl.col("level3").first(),
            pl.col("description").first(),
            pl.col("norm_target").n_unique().alias("n_targets"),
            pl.col("project_no").n_unique().alias("n_projects"),
            pl.col("target").first().alias("expected"),
            pl.col("shown").unique(maintain_order=True).str.join("; ").alias("targets"),
            pl.col("shown_zh").unique(maintain_order=True).str.join("；").alias("targets_zh"),
            pl.col("target")
            .filter(pl.col("norm_target") != pl.col("norm_target").first())
            .unique(maintain_order=True)
            .str.join("; ")
            .alias("actual"),
            pl.col("line").drop_nulls().alias("lines"),
            pl.col("location").first(),
            pl.col("line").is_null().all().alias("no_lines"),
        )
        .filter((pl.col("n_targets") > 1) & (pl.col("n_projects") > 1))
        .with_columns(
            key=pl.col("l3n"),
            name=_name(),
            location=pl.when(pl.col("no_lines")).then(pl.col("location")),
        )
    )
    return result(groups, "name", "targets", "targets_zh")


@rule(
    "PRF011",
    "target-not-quantified",
    severity="info",
    section="performance",
    en='{level2} indicator {name} has no number in its target "{target_text}" '
    "(project {project_name})",
    zh="{level2}“{name}”的指标值“{target_text}”未量化（项目：{project_name}）",
)
def target_not_quantified(ctx: Context) -> pl.LazyFrame:
    """An output indicator (数量, 质量 or 时效) has a target without a number, or none at all.

    Output targets are meant to be measurable: a quantity, a rate, a deadline. "按时完成", "较好"
    or an empty cell cannot be checked against the result at the end of the year. (Outcome and
    satisfaction indicators may be qualitative and are not judged here.)

    Example: 产出指标 / 时效指标 / 完成时间 / "按时完成" -> expected a number, actual 按时完成.
    """
    output = pl.col("l2n").is_in(["数量", "质量", "时效"])
    return _row_findings(
        ctx,
        output & pl.col("target_value").is_null(),
        level2=pl.col("level2").fill_null(""),
        expected=pl.lit("a number"),
        actual=_target(),
    )


@rule(
    "PRF012",
    "basis-restates-indicator",
    severity="info",
    section="performance",
    en='target basis of {name} only repeats the indicator: "{basis}" (project {project_name})',
    zh="指标“{name}”的指标值确定依据仅重复指标名称：“{basis}”（项目：{project_name}）",
)
def basis_restates_indicator(ctx: Context) -> pl.LazyFrame:
    """The basis of a target (指标值确定依据) only repeats the indicator's name or description.

    The basis should say where the target value comes from (a plan, a standard, history, the
    work actually done). A basis that merely repeats the level 3 or the description ("准确率"
    for 准确率) gives no basis at all. Names are compared normalised (spaces, ★ markers, a
    trailing parenthesis and punctuation ignored).

    Example: 产出指标 / 数量指标 / 准确率 / 准确率 / ≥95百分比 / basis 准确率.
    """
    basis = pl.col("basisn")
    same = (basis != "") & ((basis == pl.col("l3n")) | (basis == pl.col("descn")))
    return _row_findings(
        ctx,
        same,
        basis=pl.col("basis").fill_null(""),
        expected=pl.lit("a source of the target value"),
        actual=pl.col("basis").fill_null(""),
    )
