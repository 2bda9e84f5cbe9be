"""The text dump's layout: paragraphs and tables -> rows -> cells, each with its line.

Every input is a few lines of a dump written out here, one string per source line (a cell is a
line starting with a TAB, see shared/DOMAIN.md); every expected cell text and line number is read
off those lines by hand.
"""

from __future__ import annotations

import pytest

from reconcile.sources import text as line_by_line
from reconcile.sources.decode import split_lines
from reconcile.sources.layout import Layout, Paragraph, Table, clean
from reconcile.sources.textcols import TextCells

TAB = "\t"
IDEOGRAPHIC_SPACE = "\u3000"
NBSP = "\u00a0"


def layout_text(text: str) -> Layout:
    """The layout under test: every test runs once with the line-by-line reader of one document
    and once with the columnar reader of a batch (``layout_impl``)."""
    return LAYOUT["under test"](text)


def _columnar(text: str) -> Layout:
    # the document laid out inside a batch, between two others, must come out the same
    other = "第一部分：部门职责\n\t甲\n\t乙\n"
    return TextCells([other, text, other]).layouts(lines=[(), tuple(split_lines(text)), ()])[1]


LAYOUT = {"under test": line_by_line.layout_text}


@pytest.fixture(autouse=True, params=["line by line", "columnar"])
def layout_impl(request, monkeypatch):
    monkeypatch.setitem(
        LAYOUT,
        "under test",
        line_by_line.layout_text if request.param == "line by line" else _columnar,
    )


def dump(*lines: str) -> str:
    """The dump text: one argument per source line (line 1 first), LF endings."""
    return "\n".join(lines) + "\n"


def blocks(text: str) -> list[Paragraph | Table]:
    return list(layout_text(text).blocks)


def tables(text: str) -> list[Table]:
    return [b for b in blocks(text) if isinstance(b, Table)]


def paragraphs(text: str) -> list[Paragraph]:
    return [b for b in blocks(text) if isinstance(b, Paragraph)]


def rows_of(table: Table) -> list[tuple[int, tuple[str, ...]]]:
    """(line, cell texts) for every row of a table."""
    return [(row.line, row.texts) for row in table.rows]


def cell_lines(table: Table) -> list[tuple[int, ...]]:
    return [tuple(c.line for c in row.cells) for row in table.rows]


# --- a table right after a heading ---------------------------------------------------------------

HEADING_THEN_TABLE = dump(
    "第一部分:部门职责及机构设置情况",  # 1
    "2、 机构设置",  # 2
    "\t序号",  # 3
    "\t单位名称",  # 4
    "\t单位性质",  # 5
    "",  # 6
    "\t1",  # 7
    "\t保定白沟新城管理委员会组织人事局（本级）",  # 8
    "\t行政",  # 9
    "",  # 10
    "第二部分：部门预算安排的总体情况",  # 11
)


def test_a_table_right_after_a_heading_starts_on_the_next_line():
    out = blocks(HEADING_THEN_TABLE)
    assert [type(b).__name__ for b in out] == ["Paragraph", "Paragraph", "Table", "Paragraph"]
    heading, sub, table, after = out
    assert (heading.text, heading.line) == ("第一部分:部门职责及机构设置情况", 1)
    assert (sub.text, sub.line) == ("2、 机构设置", 2)
    assert (table.line, table.end_line, table.index) == (3, 9, 1)
    assert rows_of(table) == [
        (3, ("序号", "单位名称", "单位性质")),
        (7, ("1", "保定白沟新城管理委员会组织人事局（本级）", "行政")),
    ]
    assert cell_lines(table) == [(3, 4, 5), (7, 8, 9)]
    assert (after.text, after.line) == ("第二部分：部门预算安排的总体情况", 11)


def test_a_part_heading_right_under_a_cell_is_not_part_of_the_cell():
    text = dump(
        "\t合计",  # 1
        "\t2.7",  # 2
        "第五部分：绩效预算信息",  # 3: no blank line between the table and the heading
    )
    out = blocks(text)
    assert [type(b).__name__ for b in out] == ["Table", "Paragraph"]
    assert rows_of(out[0]) == [(1, ("合计", "2.7"))]
    assert (out[1].text, out[1].line) == ("第五部分：绩效预算信息", 3)


# --- vertically merged cells ---------------------------------------------------------------------

VERTICAL_MERGE = dump(
    "\t一级指标",  # 1
    "\t二级指标",  # 2
    "\t指标值",  # 3
    "",  # 4
    "\t产出指标",  # 5
    "\t数量指标",  # 6
    "\t≥95%",  # 7
    "",  # 8
    "\t",  # 9  (merged with 产出指标 above)
    "\t质量指标",  # 10
    "\t≥98%",  # 11
    "",  # 12
    "\t",  # 13 (merged with 产出指标 above)
    "\t",  # 14 (merged with 质量指标 above)
    "\t100%",  # 15
    "",  # 16
)


def test_vertically_merged_cells_are_empty_cells_in_place():
    (table,) = tables(VERTICAL_MERGE)
    assert rows_of(table) == [
        (1, ("一级指标", "二级指标", "指标值")),
        (5, ("产出指标", "数量指标", "≥95%")),
        (9, ("", "质量指标", "≥98%")),
        (13, ("", "", "100%")),
    ]
    assert cell_lines(table) == [(1, 2, 3), (5, 6, 7), (9, 10, 11), (13, 14, 15)]
    assert table.rows[2].cells[0].empty
    assert table.width == 3


# --- horizontally merged header rows -------------------------------------------------------------

# The procurement table of the sample (lines 2273-2336): three header rows of 7, 10 and 14 cells
# above 14-cell body rows.
PROCUREMENT_HEADER = dump(
    "\t政府采购项目来源",  # 1
    "\t采购物品名称",  # 2
    "\t政府采购目录序号",  # 3
    "\t数量单位",  # 4
    "\t数量",  # 5
    "\t单价",  # 6
    "\t政府采购金额",  # 7
    "",  # 8
    "\t项目名称",  # 9
    "\t预算资金",  # 10
    "\t",  # 11
    "\t",  # 12
    "\t",  # 13
    "\t",  # 14
    "\t",  # 15
    "\t总计",  # 16
    "\t当年部门预算安排资金",  # 17
    "\t其他渠道资金",  # 18
    "",  # 19
    *["\t"] * 8,  # 20-27
    "\t合计",  # 28
    "\t一般公共预算拨款",  # 29
    "\t基金预算拨款",  # 30
    "\t财政专户核拨",  # 31
    "\t其他来源收入",  # 32
    "\t",  # 33
    "",  # 34
    "\t合\u3000计",  # 35
    "\t45.11",  # 36
    "\t",  # 37
    "\t",  # 38
    "\t",  # 39
    "\t159",  # 40
    "\t5.33",  # 41
    "\t45.11",  # 42
    "\t45.11",  # 43
    "\t45.11",  # 44
    *["\t"] * 4,  # 45-48
    "",  # 49
    "\t",  # 50
    "\t0.4",  # 51
    "\t激光打印机",  # 52
    "\tA0201060102",  # 53
    "\t台",  # 54
    "\t2",  # 55
    "\t0.2",  # 56
    "\t0.4",  # 57
    "\t0.4",  # 58
    "\t0.4",  # 59
    *["\t"] * 4,  # 60-63
    "",  # 64
)


def test_header_rows_with_merged_cells_keep_their_own_cell_counts():
    (table,) = tables(PROCUREMENT_HEADER)
    assert [len(r) for r in table.rows] == [7, 10, 14, 14, 14]
    assert [r.line for r in table.rows] == [1, 9, 20, 35, 50]
    assert table.width == 14
    assert table.rows[0].texts == (
        "政府采购项目来源",
        "采购物品名称",
        "政府采购目录序号",
        "数量单位",
        "数量",
        "单价",
        "政府采购金额",
    )
    assert table.rows[1].texts == (
        "项目名称",
        "预算资金",
        "",
        "",
        "",
        "",
        "",
        "总计",
        "当年部门预算安排资金",
        "其他渠道资金",
    )
    assert table.rows[2].texts == (
        *[""] * 8,
        "合计",
        "一般公共预算拨款",
        "基金预算拨款",
        "财政专户核拨",
        "其他来源收入",
        "",
    )
    assert table.rows[3].texts == (
        "合\u3000计",
        "45.11",
        "",
        "",
        "",
        "159",
        "5.33",
        "45.11",
        "45.11",
        "45.11",
        "",
        "",
        "",
        "",
    )
    assert table.rows[4].texts == (
        "",
        "0.4",
        "激光打印机",
        "A0201060102",
        "台",
        "2",
        "0.2",
        "0.4",
        "0.4",
        "0.4",
        "",
        "",
        "",
        "",
    )
    assert [c.line for c in table.rows[4].cells] == list(range(50, 64))


def test_a_goals_row_stays_apart_from_the_indicator_rows_below_it():
    text = dump(
        "\t绩效目标",  # 1
        "\t1.保障日常工作正常运行",  # 2
        "2.保障工资福利正常发放",  # 3
        "",  # 4
        "",  # 5
        " ",  # 6: a line of one space, as in the sample (line 131)
        "\t一级指标",  # 7
        "\t二级指标",  # 8
        "\t三级指标",  # 9
        "\t绩效指标描述",  # 10
        "\t指标值",  # 11
        "\t指标值确定依据",  # 12
        "",  # 13
        "\t产出指标",  # 14
        "\t数量指标",  # 15
        "\t准确率",  # 16
        "\t准确率",  # 17
        "\t≥95百分比",  # 18
        "\t准确率",  # 19
        "",  # 20
    )
    (table,) = tables(text)
    assert rows_of(table) == [
        (1, ("绩效目标", "1.保障日常工作正常运行\n2.保障工资福利正常发放")),
        (7, ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")),
        (14, ("产出指标", "数量指标", "准确率", "准确率", "≥95百分比", "准确率")),
    ]
    assert (table.line, table.end_line) == (1, 19)


# --- a cell over several lines -------------------------------------------------------------------


def test_a_cell_that_runs_over_several_lines_is_one_cell_with_its_first_and_last_line():
    text = dump(
        "\t绩效目标",  # 1
        "\t1.资金按照规定用于社会保险补贴",  # 2
        "2.会同有关部门落实",  # 3
        "3.保持就业局势总体稳定",  # 4
        "",  # 5
    )
    (table,) = tables(text)
    (row,) = table.rows
    assert row.texts == (
        "绩效目标",
        "1.资金按照规定用于社会保险补贴\n2.会同有关部门落实\n3.保持就业局势总体稳定",
    )
    goals = row.cells[1]
    assert (goals.line, goals.end_line) == (2, 4)
    assert (row.line, row.end_line) == (1, 4)
    assert paragraphs(text) == []


def test_the_lines_of_a_cell_are_stripped_one_by_one_and_empty_ones_dropped():
    text = dump(
        "\t项目",  # 1
        "\t\u3000资金用于补贴 ",  # 2: a cell whose lines carry spaces of their own
        " \t",  # 3: a space and a tab: not a blank line, and nothing once stripped
        "\u00a0落实到位\u3000",  # 4
        "",  # 5
        "\t说明",  # 6
        "\t\u3000",  # 7: a blank first line, its text on the next
        "  按进度拨付",  # 8
        "",  # 9
    )
    (table,) = tables(text)
    first, second = table.rows
    assert first.texts == ("项目", "资金用于补贴\n落实到位")
    cell = first.cells[1]
    assert (cell.line, cell.end_line, cell.col) == (2, 4, 3)
    assert cell.raw == "\u3000资金用于补贴 \n \t\n\u00a0落实到位\u3000"
    assert second.texts == ("说明", "按进度拨付")
    late = second.cells[1]
    # its text is not on its first line, so its column there is the line's start
    assert (late.line, late.end_line, late.col) == (7, 8, 1)


# --- a blank line inside a row -------------------------------------------------------------------

BLANK_INSIDE_ROW = dump(
    "\t一级指标",  # 1
    "\t二级指标",  # 2
    "\t三级指标",  # 3
    "\t绩效指标描述",  # 4
    "\t指标值",  # 5
    "\t指标值确定依据",  # 6
    "",  # 7
    "\t效益指标",  # 8
    "\t经济效益指标",  # 9
    "\t城镇新增就业人数",  # 10
    "\t城镇新增就业人数",  # 11
    "\t49万人",  # 12
    "\t安装实际工作完成情况",  # 13
    "",  # 14
    "\t",  # 15
    "\t经济效益指标",  # 16
    "\t年末城镇登记失业率",  # 17
    "",  # 18: blank line inside the row (sample line 341)
    "\t年末城镇登记失业率",  # 19
    "",  # 20: and another (sample line 343)
    "\t≥4.5%",  # 21
    "\t安装实际工作完成情况",  # 22
    "",  # 23
    "\t",  # 24
    "\t经济效益指标",  # 25
    "\t年末高校毕业生总体就业率",  # 26
    "\t年末高校毕业生总体就业率",  # 27
    "\t100%",  # 28
    "\t保持稳定",  # 29
    "",  # 30
)


def test_a_blank_line_inside_a_row_does_not_end_the_row():
    (table,) = tables(BLANK_INSIDE_ROW)
    assert rows_of(table) == [
        (1, ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据")),
        (8, ("效益指标", "经济效益指标", "城镇新增就业人数", "城镇新增就业人数", "49万人",
             "安装实际工作完成情况")),
        (15, ("", "经济效益指标", "年末城镇登记失业率", "年末城镇登记失业率", "≥4.5%",
              "安装实际工作完成情况")),
        (24, ("", "经济效益指标", "年末高校毕业生总体就业率", "年末高校毕业生总体就业率", "100%",
              "保持稳定")),
    ]  # fmt: skip
    assert cell_lines(table)[2] == (15, 16, 17, 19, 21, 22)
    assert (table.rows[2].line, table.rows[2].end_line) == (15, 22)


def test_a_row_split_four_and_two_by_a_blank_line_is_joined():
    # sample lines 1578-1584: 产出指标 | 数量指标 | 贫困人口登记人数 | 贫困人口人数 <blank> ≥512人 | 建档立卡人数
    text = dump(
        "\t一级指标",  # 1
        "\t二级指标",  # 2
        "\t三级指标",  # 3
        "\t绩效指标描述",  # 4
        "\t指标值",  # 5
        "\t指标值确定依据",  # 6
        "",  # 7
        "\t产出指标",  # 8
        "\t数量指标",  # 9
        "\t贫困人口登记人数",  # 10
        "\t贫困人口人数",  # 11
        "",  # 12
        "\t≥512人",  # 13
        "\t建档立卡人数",  # 14
        "",  # 15
        "\t",  # 16
        "\t质量指标",  # 17
        "\t政策范围内基本医保报销比例",  # 18
        "\t报销比例",  # 19
        "\t≥90%",  # 20
        "\t报销比例",  # 21
        "",  # 22
    )
    (table,) = tables(text)
    assert rows_of(table)[1:] == [
        (8, ("产出指标", "数量指标", "贫困人口登记人数", "贫困人口人数", "≥512人", "建档立卡人数")),
        (16, ("", "质量指标", "政策范围内基本医保报销比例", "报销比例", "≥90%", "报销比例")),
    ]
    assert cell_lines(table)[1] == (8, 9, 10, 11, 13, 14)


# --- tabs inside a cell --------------------------------------------------------------------------


def test_tabs_inside_a_cell_do_not_split_it():
    # sample lines 1721-1726: the two middle cells are "\t机关事业单位人员满意度\t满意度\t"
    text = dump(
        "\t满意度指标",  # 1
        "\t服务对象满意度指标",  # 2
        "\t机关事业单位人员满意度\t满意度\t",  # 3
        "\t机关事业单位人员满意度\t满意度\t",  # 4
        "\t≥95%",  # 5
        "\t按照实际工作完成时间",  # 6
        "",  # 7
    )
    (table,) = tables(text)
    assert rows_of(table) == [
        (
            1,
            (
                "满意度指标",
                "服务对象满意度指标",
                "机关事业单位人员满意度\t满意度",
                "机关事业单位人员满意度\t满意度",
                "≥95%",
                "按照实际工作完成时间",
            ),
        )
    ]
    assert cell_lines(table) == [(1, 2, 3, 4, 5, 6)]


def test_a_cell_of_a_lone_tab_then_text_is_one_cell():
    text = dump("\tA\tB\t", "\tC", "")
    (table,) = tables(text)
    assert rows_of(table) == [(1, ("A\tB", "C"))]


# --- stray spaces and markers --------------------------------------------------------------------


def test_full_width_and_no_break_spaces_and_bookmarks_are_stripped():
    text = dump(
        "[bookmark: _GoBack]按照《预算法》规定，现将预算公开如下：",  # 1
        "\u3000\u3000",  # 2: only full-width spaces: a blank line, not a paragraph
        "\u00a0二、预算项目绩效目标\u00a0",  # 3
        "\t项\u3000\u3000目",  # 4
        "\t行次",  # 5
        "\t价值",  # 6
        "",  # 7
        "\t栏\u3000\u3000次",  # 8
        "\t\u3000",  # 9: a cell of one full-width space is empty
        "\t4",  # 10
        "",  # 11
        "\t\u3000\u3000    2.业务用房",  # 12
        "\t 6\u00a0",  # 13
        "\t[bookmark: _GoBack]1534512.83",  # 14
        "",  # 15
    )
    out = blocks(text)
    first, second, table = out
    assert (first.text, first.line, first.col) == ("按照《预算法》规定，现将预算公开如下：", 1, 20)
    assert first.raw == "[bookmark: _GoBack]按照《预算法》规定，现将预算公开如下："
    assert (second.text, second.line) == ("二、预算项目绩效目标", 3)
    assert isinstance(table, Table)
    assert rows_of(table) == [
        (4, ("项\u3000\u3000目", "行次", "价值")),
        (8, ("栏\u3000\u3000次", "", "4")),
        (12, ("2.业务用房", "6", "1534512.83")),
    ]
    business, six, value = table.rows[2].cells
    assert (business.line, business.col) == (12, 8)
    assert (six.line, six.col) == (13, 3)
    assert (value.line, value.col) == (14, 21)


def test_clean_keeps_inner_spaces_and_tabs():
    assert clean("\u3000合\u3000计\u00a0") == "合\u3000计"
    assert clean(" 扫描仪") == "扫描仪"
    assert clean("A\tB\t") == "A\tB"
    assert clean("[bookmark: _GoBack]") == ""
    assert clean("维护完成率\u3000") == "维护完成率"


# --- line endings --------------------------------------------------------------------------------


def test_crlf_and_cr_line_endings_give_the_same_lines_as_lf():
    for text in (HEADING_THEN_TABLE, BLANK_INSIDE_ROW, PROCUREMENT_HEADER, VERTICAL_MERGE):
        lf = layout_text(text)
        crlf = layout_text(text.replace("\n", "\r\n"))
        cr = layout_text(text.replace("\n", "\r"))
        assert crlf.blocks == lf.blocks
        assert cr.blocks == lf.blocks
        assert crlf.lines == lf.lines == cr.lines


def test_crlf_line_numbers_are_those_of_the_document():
    text = dump(
        "第三部分：机关运行经费安排情况",  # 1
        "我局机关运行经费安排资金35.22万元。",  # 2
        "",  # 3
        "\t合计",  # 4
        "\t1.保障运行",  # 5
        "2.保障安全",  # 6
        "",  # 7
    ).replace("\n", "\r\n")
    layout = layout_text(text)
    heading, para, table = layout.blocks
    assert (heading.line, para.line, table.line) == (1, 2, 4)
    assert rows_of(table) == [(4, ("合计", "1.保障运行\n2.保障安全"))]
    assert table.rows[0].cells[1].end_line == 6
    assert layout.lines[1] == "我局机关运行经费安排资金35.22万元。"
    assert len(layout.lines) == 7


def test_a_final_line_without_a_line_break_is_read():
    layout = layout_text("第九部分：其他需说明的事项\n无其他需说明的事项。")
    assert [(b.text, b.line) for b in layout.blocks] == [
        ("第九部分：其他需说明的事项", 1),
        ("无其他需说明的事项。", 2),
    ]


# --- several tables ------------------------------------------------------------------------------


def test_two_tables_separated_by_a_paragraph_are_two_tables():
    text = dump(
        "2020年国有资产占有情况见下表：",  # 1
        "\t编制单位：",  # 2
        "\t2019年度",  # 3
        "",  # 4
        "\t项\u3000\u3000目",  # 5
        "\t行次",  # 6
        "\t价值",  # 7
        "",  # 8
        "",  # 9
        "第八部分：名词解释",  # 10
        "\t名词",  # 11
        "\t解释",  # 12
        "",  # 13
        "\t基本支出",  # 14
        "\t指为保障机构正常运转而发生的支出。",  # 15
        "",  # 16
    )
    out = blocks(text)
    assert [type(b).__name__ for b in out] == ["Paragraph", "Table", "Paragraph", "Table"]
    _, first, between, second = out
    assert (first.index, first.line, first.end_line) == (1, 2, 7)
    assert rows_of(first) == [
        (2, ("编制单位：", "2019年度")),
        (5, ("项\u3000\u3000目", "行次", "价值")),
    ]
    assert (between.text, between.line) == ("第八部分：名词解释", 10)
    assert (second.index, second.line, second.end_line) == (2, 11, 15)
    assert rows_of(second) == [
        (11, ("名词", "解释")),
        (14, ("基本支出", "指为保障机构正常运转而发生的支出。")),
    ]


def test_blank_lines_between_rows_do_not_end_the_table():
    text = dump(
        "\t因公出国经费",  # 1
        "\t",  # 2
        "",  # 3
        "",  # 4
        "",  # 5
        "\t合计",  # 6
        "\t2.7",  # 7
        "",  # 8
    )
    (table,) = tables(text)
    assert rows_of(table) == [(1, ("因公出国经费", "")), (6, ("合计", "2.7"))]
