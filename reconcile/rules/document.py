"""The document as a whole: parts of the template that are missing, tables without rows, money
tables without a unit, and the problems the reader met (DOMAIN §1)."""

from __future__ import annotations

import polars as pl

from reconcile.rules import _frames as F
from reconcile.rules.registry import Context, rule

_PART_ZH = {
    "organization": "部门职责及机构设置情况",
    "budget": "部门预算安排的总体情况",
    "running_costs": "机关运行经费安排情况",
    "three_public": "财政拨款“三公”经费预算情况",
    "performance": "绩效预算信息",
    "procurement": "政府采购预算情况",
    "assets": "国有资产信息情况说明",
}
_PART_EN = {
    "organization": "duties and organisation",
    "budget": "overall budget",
    "running_costs": "administrative running costs",
    "three_public": "three public expenses",
    "performance": "performance",
    "procurement": "government procurement",
    "assets": "state assets",
}


@rule(
    "DOC001",
    "part-missing",
    severity="warning",
    section="document",
    en="the part on {part_en} ({part_zh}) is missing",
    zh="缺少“{part_zh}”部分",
)
def part_missing(ctx: Context) -> pl.LazyFrame:
    """A part of the disclosure template is missing.

    The template has seven parts with figures or required explanations: 部门职责及机构设置,
    部门预算安排总体情况, 机关运行经费, "三公"经费, 绩效预算信息, 政府采购预算, 国有资产. A part is
    missing when the document has neither its section nor its heading (a heading whose content
    could not be read is a reader problem, DOC004). A warning rather than info: 预算法 §14 and the
    disclosure rules (地方预决算公开操作规程) require each of these parts, so a missing part is a
    completeness defect a finance bureau sends back, not a matter of wording, and every check of
    that part is silently skipped. Example: a disclosure that ends after part 四 lacks 绩效, 采购
    and 资产.
    """
    out = F.lazy(ctx, "doc_parts").filter(~pl.col("has_section") & ~pl.col("has_heading"))
    out = out.sort("doc", "order").with_columns(
        key=pl.col("part"),
        part_en=pl.col("part").replace_strict(_PART_EN),
        part_zh=pl.col("part").replace_strict(_PART_ZH),
        location=pl.col("part"),
    )
    return F.result(out, "part_en", "part_zh")


@rule(
    "DOC002",
    "table-without-rows",
    severity="info",
    section="document",
    en="the {part_en} table has no rows",
    zh="“{part_zh}”表没有数据行",
)
def table_without_rows(ctx: Context) -> pl.LazyFrame:
    """A table of the template is present in the text but has no rows.

    The "三公" table, the procurement table and the asset table carry the figures of their parts;
    when the part is there but its table holds no rows, nothing can be reconciled. Info: an empty
    table may be deliberate (a department with no procurement), but then the text should say so
    (本部门无政府采购预算). Example: 第六部分 with a header row and no lines.
    """
    parts = []
    for name, frame_name, count in (
        ("three_public", "three_public", "n_rows"),
        ("procurement", "procurement", "n_lines"),
        ("assets", "assets", "n_rows"),
    ):
        parts.append(
            F.lazy(ctx, frame_name)
            .filter(pl.col(count) == 0)
            .select(
                "doc",
                pl.lit(name).alias("key"),
                F.lines(pl.coalesce("table_line", "line")).alias("lines"),
            )
        )
    out = pl.concat(parts)
    out = out.with_columns(
        part_en=pl.col("key").replace_strict(_PART_EN),
        part_zh=pl.col("key").replace_strict(_PART_ZH),
        location=pl.col("key"),
    )
    return F.result(out, "part_en", "part_zh")


@rule(
    "DOC003",
    "table-without-unit",
    severity="info",
    section="document",
    en="the {part_en} table states no money unit (assumed {assumed})",
    zh="“{part_zh}”表未注明金额单位（按{assumed}处理）",
)
def table_without_unit(ctx: Context) -> pl.LazyFrame:
    """A money table does not state its unit.

    The "三公" table, the procurement table and the asset table should say 单位：万元 (or 元). When
    they do not, the checker assumes the template's convention (万元 for 三公 and procurement, 元
    for assets) and says so; a wrong guess would turn every comparison with the text into a unit
    error. Info: a template-quality defect. Only tables with rows are reported (an empty table is
    DOC002's). Example: the sample's procurement table has no 单位 line; its asset table's unit
    is inferred.
    """
    parts = [
        F.lazy(ctx, "three_public")
        .filter(pl.col("unit").is_null() & (pl.col("n_rows") > 0))
        .select(
            "doc",
            pl.lit("three_public").alias("key"),
            pl.lit("万元").alias("assumed"),
            pl.coalesce("table_line", "line").alias("_line"),
        ),
        F.lazy(ctx, "procurement")
        .filter(pl.col("table_unit").is_null() & (pl.col("n_lines") > 0))
        .select(
            "doc",
            pl.lit("procurement").alias("key"),
            pl.lit("万元").alias("assumed"),
            pl.coalesce("table_line", "line").alias("_line"),
        ),
        F.lazy(ctx, "assets")
        .filter(pl.col("table_unit_inferred") & (pl.col("n_rows") > 0))
        .select(
            "doc",
            pl.lit("assets").alias("key"),
            pl.col("table_unit").fill_null("元").alias("assumed"),
            pl.coalesce("table_line", "line").alias("_line"),
        ),
    ]
    out = pl.concat(parts)
    out = out.with_columns(
        lines=F.lines("_line"),
        part_en=pl.col("key").replace_strict(_PART_EN),
        part_zh=pl.col("key").replace_strict(_PART_ZH),
        location=pl.col("key"),
    )
    return F.result(out, "part_en", "part_zh", "assumed")


@rule(
    "DOC004",
    "reader-problem",
    severity="info",
    section="document",
    en="{section}: {problem}",
    zh="{section}：{problem}",
)
def reader_problem(ctx: Context) -> pl.LazyFrame:
    """Something the reader could not make sense of.

    Every Problem the reader collected (a table it could not align, a figure it could not parse,
    a part whose content it could not find) becomes a finding, so that nothing the checker skipped
    passes in silence. Info: the document may be fine and the reader limited, but a reviewer should
    look at the place. Example: "no performance table after (1) 总体绩效目标".
    """
    out = F.lazy(ctx, "doc_problems")
    out = out.with_columns(
        key=pl.concat_str([pl.col("section"), pl.lit("|"), pl.col("message")]),
        problem=pl.col("message"),
        lines=F.lines("line"),
    )
    return F.result(out, "section", "problem")
