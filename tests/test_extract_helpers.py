"""Helpers the extractors share: label squashing and a table's stated money unit."""

from __future__ import annotations

import re
import sys

from reconcile.extract.common import squash
from reconcile.extract.three_public import table_unit
from reconcile.sources.layout import Cell, Row, Table


def test_squash_removes_every_space_and_nothing_else() -> None:
    # the labels' spaces as disclosures write them: full-width, no-break, tabs, line breaks
    assert squash("合\u3000\u3000计") == "合计"
    assert squash(" 一、基本\u00a0支出\t\n") == "一、基本支出"
    # every character a regex's \s matches goes, every other stays (a zero-width space, which
    # is not a space to Python, stays)
    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if re.fullmatch(r"\s", c)]
    assert "\u3000" in spaces and "\u00a0" in spaces and "\x1c" in spaces
    assert squash("甲" + "".join(spaces) + "乙") == "甲乙"
    assert squash("甲\u200b乙") == "甲\u200b乙"


def _table(*rows: tuple[str, ...]) -> Table:
    return Table(
        rows=tuple(
            Row(cells=tuple(Cell(text, n, n) for text in texts), line=n, end_line=n)
            for n, texts in enumerate(rows, 1)
        ),
        line=1,
        end_line=len(rows),
        index=1,
    )


def test_table_unit_is_the_first_stated_in_the_cells_then_the_paragraphs() -> None:
    table = _table(("项目", "金额"), ("合计", "单位：元"), ("单位： 万元", ""))
    assert table_unit(table, ["单位：亿元"]) == "元"
    assert table_unit(_table(("项目", "金额")), ["说明", "（单位:千元）"]) == "千元"
    assert table_unit(None, ["单位：万元"]) == "万元"
    assert table_unit(_table(("项目", "金额")), []) is None


def test_a_unit_split_across_two_cells_is_no_unit() -> None:
    # each cell is read on its own: 单位： in one cell and 万元 in the next state nothing
    assert table_unit(_table(("单位：", "万元")), []) is None
    assert table_unit(_table(("单位：",)), ["万元"]) is None
