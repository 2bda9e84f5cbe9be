"""Years: a year written where the document's year (or the prior year) is meant, and the asset
table's year label against the year the text states.

The frames are ``year_mentions`` (every year the document writes where a particular year is meant:
the title, the overall performance goal, planned purchases, the 三公 table's two years, the assets'
year end, and the reader's :class:`~reconcile.model.YearMention` records) and
``asset_year_label`` (see ``_frames_perf``). The document's year is ``DocumentInfo.year``; a
document without one is not judged.

The rules are registered under section ``document``; every finding also carries the part the
year stands in (column ``section``: performance, assets, three_public …), shown in the message.
"""

from __future__ import annotations

import polars as pl

from reconcile.rules import _frames_perf  # noqa: F401  (registers the frames)
from reconcile.rules._frames import lazy, result
from reconcile.rules.registry import Context, rule

SECTION_NAMES_ZH = {
    "document": "文档",
    "organization": "部门职责及机构设置",
    "budget": "预算安排总体情况",
    "running_costs": "机关运行经费",
    "three_public": "“三公”经费",
    "performance": "绩效预算信息",
    "procurement": "政府采购",
    "assets": "国有资产",
}


def _signed(expr: pl.Expr) -> pl.Expr:
    """An integer difference as a string with its sign (``-1``, ``+1``)."""
    return (
        pl.when(expr > 0).then(pl.lit("+") + expr.cast(pl.String)).otherwise(expr.cast(pl.String))
    )


def _wrong_year(ctx: Context, expect: str, offset: int) -> pl.LazyFrame:
    """Mentions expecting ``expect`` whose year is not the document's year + ``offset``."""
    wanted = pl.col("doc_year") + offset
    df = (
        lazy(ctx, "year_mentions")
        .filter(
            (pl.col("expect") == expect)
            & pl.col("doc_year").is_not_null()
            & (pl.col("year") != wanted)
        )
        .with_columns(
            key=pl.when(pl.col("origin") == "mention")
            .then(pl.concat_str([pl.col("context"), pl.col("text").fill_null("")], separator="|"))
            .otherwise(pl.col("context")),
            lines=pl.concat_list([pl.col("line")]).list.drop_nulls(),
            expected=wanted.cast(pl.String),
            actual=pl.col("year").cast(pl.String),
            difference=_signed(pl.col("year") - wanted),
            tolerance=pl.lit("0"),
            location=pl.when(pl.col("line").is_null()).then(
                pl.coalesce(pl.col("location"), pl.col("context"))
            ),
            where=pl.col("text").fill_null("").str.slice(0, 30),
            section_zh=pl.col("section").replace_strict(
                SECTION_NAMES_ZH, default=pl.col("section"), return_dtype=pl.String
            ),
        )
    )
    return result(df, "context", "section", "section_zh", "where")


@rule(
    "YR001",
    "stale-current-year",
    severity="warning",
    section="document",
    en='year {actual} where the document\'s year {expected} is meant: "{where}" (part {section})',
    zh="应为本年度{expected}年，却写作{actual}年：“{where}”（{section_zh}部分）",
)
def stale_current_year(ctx: Context) -> pl.LazyFrame:
    """A year other than the document's is written where the document's year is meant.

    The title, the headings, the overall performance goal ("2021年我局整体绩效目标"), the planned
    purchases of fixed assets ("2021年拟购置…"), the current column of the 三公 table and every
    mention the reader marked ``current`` must name the budget year. A year left over from last
    year's template ("2020年我局整体绩效目标" in the 2021 budget) misdates the text and is one of
    the defects inspections find most often.

    Example: 2021 budget, line 102 "2020年我局整体绩效目标…" -> expected 2021, actual 2020.
    """
    return _wrong_year(ctx, "current", 0)


@rule(
    "YR002",
    "wrong-prior-year",
    severity="warning",
    section="document",
    en='year {actual} where the prior year {expected} is meant: "{where}" (part {section})',
    zh="应为上年度{expected}年，却写作{actual}年：“{where}”（{section_zh}部分）",
)
def wrong_prior_year(ctx: Context) -> pl.LazyFrame:
    """A year other than the prior year is written where the prior year is meant.

    The prior-year column of the 三公 table ("2020年度预算" in the 2021 budget), the year end of the
    fixed assets ("2020年末固定资产总额": assets are reported as of the end of the prior year) and
    every mention the reader marked ``prior`` must name the document's year − 1. Another year
    compares the budget with the wrong baseline.

    Example: 2021 budget, "2019年末固定资产总额153.45万元" -> expected 2020, actual 2019.
    """
    return _wrong_year(ctx, "prior", -1)


@rule(
    "YR003",
    "asset-table-year",
    severity="warning",
    section="assets",
    en='asset table labelled "{label}" but the text reports assets at the end of {expected}',
    zh="资产表年度标注为“{label}”，而正文为{expected}年末资产",
)
def asset_table_year(ctx: Context) -> pl.LazyFrame:
    """The asset table's year label disagrees with the year end the text reports.

    Assets are reported as of the end of the prior year; the text says so ("2020年末固定资产总额")
    and the table header repeats it ("2020年度"). A different year in the table ("2019年度") means
    the table was not updated with the text — or the text not with the table. Without a year end
    in the text, the label is compared with the document's year − 1.

    Example: 2021 budget, text "2020年末…", table "2019年度" -> expected 2020, actual 2019.
    """
    wanted = pl.coalesce(pl.col("year_end"), pl.col("doc_year") - 1)
    df = (
        lazy(ctx, "asset_year_label")
        .filter(pl.col("label_year").is_not_null() & (pl.col("label_year") != wanted))
        .with_columns(
            key=pl.lit("table_year_label"),
            lines=pl.concat_list([pl.col("label_line"), pl.col("year_end_line")])
            .list.drop_nulls()
            .list.unique(maintain_order=True),
            expected=wanted.cast(pl.String),
            actual=pl.col("label_year").cast(pl.String),
            difference=_signed(pl.col("label_year") - wanted),
            tolerance=pl.lit("0"),
            location=pl.when(pl.col("label_line").is_null()).then(pl.col("label_location")),
        )
    )
    return result(df, "label")
