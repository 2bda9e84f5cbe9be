"""Part 二, the budget paragraphs: income and its parts, expenditure, basic (personnel +
operating), project (本级 / 对下), and the stated change of the total and of project spending.

Each amount takes the label written before it (since the previous amount); which field a label
names depends on the paragraph group it stands in (收入说明, 支出说明, 与上年增减), taken from
the group headings or, without them, from the sentence itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, cast

from reconcile.extract.common import PartSlice, figure_from_number, money_numbers
from reconcile.model import Budget, Figure, Problem, YearMention
from reconcile.numbers import find_numbers, in_range
from reconcile.sources.layout import Paragraph

_INCOME_LABELS = (
    ("income_personnel", re.compile(r"人员经费|人员支出")),
    ("income_operating", re.compile(r"公用经费|公用支出")),
    ("income_project", re.compile(r"专项|项目")),
    ("income_total", re.compile(r"收入|总额|合计|总计")),
)
_EXPENDITURE_LABELS = (
    ("project_own_level", re.compile(r"本级")),
    ("project_lower_level", re.compile(r"对下|转移支付")),
    ("basic_total", re.compile(r"基本支出")),
    ("basic_personnel", re.compile(r"人员经费|人员支出")),
    ("basic_operating", re.compile(r"公用经费|公用支出")),
    ("project_total", re.compile(r"项目支出|项目")),
    ("expenditure_total", re.compile(r"支出|总额|合计|总计")),
)
_LEADING_YEAR = re.compile(r"^\s*((?:19|20|21)\d{2})\s*年")


_SPACE = re.compile(r"\s")
_LEAD_ORDINAL = re.compile(r"^[0-9０-９一二三四五六七八九十、.．()（）]+")
_CHANGE_WORD = re.compile(r"增减|上年|同比")
_DIGIT = re.compile(r"\d")
_INCOME_HEAD = re.compile(r"收入说明|^收入")
_EXPENDITURE_HEAD = re.compile(r"支出说明|^支出")
_CHANGE_PHRASE = re.compile(r"较上年|比上年|同比")
_INCOME_TOTAL = re.compile(r"收入.{0,8}(总额|合计|总计)")
_EXPENDITURE_TOTAL = re.compile(r"支出.{0,8}(总额|合计|总计)")


def _mode_of(text: str, mode: str | None) -> str | None:
    return _mode_named(text) or mode


@lru_cache(maxsize=4096)
def _mode_named(text: str) -> str | None:
    """The mode a paragraph switches to (income, expenditure, change), or None to keep the mode
    (cached: the template's labels come back document after document)."""
    compact = _SPACE.sub("", text)
    if _CHANGE_WORD.search(compact) and not _DIGIT.search(compact):
        return "change"
    if _INCOME_HEAD.search(_LEAD_ORDINAL.sub("", compact)):
        return "income"
    if _EXPENDITURE_HEAD.search(_LEAD_ORDINAL.sub("", compact)):
        return "expenditure"
    if _CHANGE_PHRASE.search(compact):
        return "change"
    if _INCOME_TOTAL.search(compact):
        return "income"
    if _EXPENDITURE_TOTAL.search(compact):
        return "expenditure"
    return None


def extract_budget(part: PartSlice) -> tuple[Budget, list[YearMention], list[Problem]]:
    fields: dict[str, Figure] = {}
    mentions: list[YearMention] = []
    problems: list[Problem] = []
    mode: str | None = None
    for para in part.paragraphs():
        mode = _mode_of(para.text, mode)
        year = _LEADING_YEAR.match(para.text)
        if year and mode in ("income", "expenditure"):
            mentions.append(
                YearMention(
                    int(year.group(1)),
                    f"budget_{mode}",
                    "current",
                    para.text[:20],
                    para.line,
                    para.location,
                )
            )
        if mode == "change":
            _change(para, fields)
            continue
        labels = (
            _INCOME_LABELS
            if mode == "income"
            else _EXPENDITURE_LABELS
            if mode == "expenditure"
            else None
        )
        if labels is None:
            continue
        prev_end = 0
        for number in money_numbers(para.text):
            segment = para.text[prev_end : number.start]
            prev_end = number.end
            for name, pattern in labels:
                if pattern.search(segment):
                    if name not in fields:
                        fields[name] = figure_from_number(number, para, "万元")
                    break
    if "project_own_level" in fields and "project_total" not in fields:
        problems.append(
            Problem(
                "budget",
                "本级 spending is stated without a project total",
                fields["project_own_level"].line,
            )
        )
    # ``fields`` maps Budget's figure fields (the labels' names) to Figures.
    line = part.heading.line if part.heading else None
    return Budget(line=line, **cast("dict[str, Any]", fields)), mentions, problems


def _change(para: Paragraph, fields: dict[str, Figure]) -> None:
    prev_end = 0
    for number in find_numbers(para.text, changes=True):
        segment = para.text[prev_end : number.start]
        prev_end = number.end
        if (
            number.change is None
            or number.is_year
            or number.unit == "%"
            or not in_range(number.value)  # beyond any budget: noise, not a change
        ):
            continue
        name = "change_project" if re.search(r"项目", segment) else "change_total"
        if name not in fields:
            fields[name] = figure_from_number(number, para, "万元")
