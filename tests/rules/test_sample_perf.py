"""The performance and year rules on the real sample (2021 budget of 保定白沟新城管理委员会组织人事局).

Every expected line below was read off ``samples/baigou-zuzhirenshi-2021-budget.txt`` (a row's line
is the line of its first cell, where the table row starts; the sample has 22 project tables and
255 indicator rows) and counted with a throwaway parser of the text that shares no code with the
rules; a handful are checked by hand in the comments.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from reconcile.engine import check
from reconcile.model import Document, Finding
from reconcile.reader import read_path

SAMPLE = Path(__file__).parents[2] / "samples" / "baigou-zuzhirenshi-2021-budget.txt"


@pytest.fixture(scope="module")
def sample() -> Document:
    return read_path(str(SAMPLE)).document


@pytest.fixture(scope="module")
def findings(sample: Document) -> list[Finding]:
    return check([sample], select=["PRF", "YR"])


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.rule == code]


def first_lines(findings: list[Finding], code: str) -> list[int]:
    return sorted(f.lines[0] for f in of(findings, code))


def test_the_sample_has_22_tables_and_255_rows(sample: Document) -> None:
    assert sample.performance is not None
    assert len(sample.performance.projects) == 22
    assert sum(len(p.indicators) for p in sample.performance.projects) == 255


def test_counts_per_rule(findings: list[Finding]) -> None:
    counts = Counter(f.rule for f in findings)
    assert dict(counts) == {
        "PRF001": 24,
        "PRF003": 5,
        "PRF005": 35,
        "PRF006": 24,
        "PRF007": 7,
        "PRF009": 6,
        "PRF010": 5,
        "PRF012": 36,
        "YR001": 3,
        "YR003": 1,
    }


def test_reverse_indicators_with_a_floor(findings: list[Finding]) -> None:
    # 年末城镇登记失业率 ≥4.5% (row from line 338, target on 344) and 23 成本指标 rows with ≥:
    # 培训费用 ≥95% (160), 社会保险补贴人均标准 ≥65% (317), 人员经费 ≥95百分比 (448, 887, 981),
    # 成本控制率 (714), 会费的标准 (793), 预算控制数 (1075), three ★…人均标准 (1225-1239),
    # 完成工作需要的资金 (1332), 培训成本 (1426), 参保缴费标准 ≥310元 (1607, 2028),
    # 补助金额 ≥404.85万元 (1686), 补助标准 ≥580元 (1765), 代缴养老保险费 ≥10元/≥100元 (1857, 1864),
    # 按照预算执行 (1943), 补助水平 ≥33元/≥100元/≥113元 (2212-2226). Completion and execution
    # rates under 成本指标 (542 按预算资金完成率, 635 完成率, 2106 预算执行率) are positive.
    assert first_lines(findings, "PRF001") == [
        160, 317, 338, 448, 714, 793, 887, 981, 1075, 1225, 1232, 1239,
        1332, 1426, 1607, 1686, 1765, 1857, 1864, 1943, 2028, 2212, 2219, 2226,
    ]  # fmt: skip
    unemployment = next(f for f in of(findings, "PRF001") if f.lines[0] == 338)
    assert unemployment.expected == "≤"
    assert unemployment.actual == "≥4.5%"
    assert "年末城镇登记失业率" in unemployment.message
    # <1件 on 因就业问题发生重大群体事件数量 (375) is a ceiling: right.
    assert 375 not in first_lines(findings, "PRF001")


def test_no_positive_rate_has_a_ceiling(findings: list[Finding]) -> None:
    # The only ≤ / < targets are ≤53486人 (a count, 1744) and <1件 (a reverse count, 375).
    assert of(findings, "PRF002") == []


def test_shares_at_least_100_percent(findings: list[Finding]) -> None:
    # 资助贫困人员参保率 ≥100% and 补助资金到位率 ≥100% (project 17), 符合条件贫困人员参保率 and
    # 16-59周岁贫困人员代缴率 ≥100% (project 18), 养老金发放及时率 ≥100% (project 22).
    assert first_lines(findings, "PRF003") == [1751, 1758, 1836, 1843, 2205]
    for f in of(findings, "PRF003"):
        assert (f.expected, f.actual, f.severity.label) == ("=100%", "≥100%", "info")
    # 100% without a comparator (347 年末高校毕业生总体就业率, 2007, 2014) is fine.
    assert of(findings, "PRF004") == []


def test_counts_and_amounts_in_percent(findings: list[Finding]) -> None:
    lines = first_lines(findings, "PRF005")
    # 宣传活动数量 ≥95% (project 1, row 139; target on line 143), 宣传覆盖人次 ≥95% (146),
    # 培训人次 ≥95% (1404), ★享受公益性岗位补贴人数 ≥95% (1169), 补贴金额 ≥95百分比 (2099).
    for line in (139, 146, 1404, 1169, 2099):
        assert line in lines
    assert len(lines) == 35
    # Counts in 人/个 (233 7.62万人, 261 5个, 1578 ≥512人) and amounts in 元 are right.
    for line in (233, 261, 1578, 1765):
        assert line not in lines
    # A share that mentions a count (群众满意数量占总数的比例, 584) is a share, not a count.
    assert 584 not in lines


def test_template_placeholders(findings: list[Finding]) -> None:
    assert first_lines(findings, "PRF006") == [
        202, 974, 1096, 1148, 1155, 1169, 1176, 1183, 1190, 1197, 1204, 1225,
        1232, 1239, 1246, 1253, 1468, 1779, 1836, 1843, 1864, 1885, 2049, 2056,
    ]  # fmt: skip
    by_line = {f.lines[0]: f for f in of(findings, "PRF006")}
    # "符合条件贫困人员参保率(≥**%)" in project 18.
    assert "**" in by_line[1836].message
    # 服务对象满意度指标 as level 3 under 服务对象满意度指标 (project 1).
    assert "level-2 label" in by_line[202].message
    # 按期完成率 with the description 0 (project 9).
    assert "a lone 0" in by_line[974].message


def test_unusual_bases(findings: list[Finding]) -> None:
    found = {f.lines[0]: f for f in of(findings, "PRF007")}
    # 按照工作实际完成情 (cut off) in projects 1, 4, 10, 12, 13; empty in project 16 (3 rows).
    assert sorted(found) == [160, 233, 542, 1075, 1332, 1454, 1693]
    typo = found[233]
    # Project 2: every row but 317, 324 (own bases) and 347 (保持稳定) has 安装实际工作完成情况.
    assert typo.actual == "安装实际工作完成情况"
    assert len(typo.lines) == 22
    assert 317 not in typo.lines and 324 not in typo.lines and 347 not in typo.lines
    assert found[1693].lines == (1693, 1707, 1714)
    assert "is empty" in found[1693].message


def test_hierarchy_is_standard(findings: list[Finding]) -> None:
    assert of(findings, "PRF008") == []
    assert of(findings, "PRF011") == []


def test_duplicate_rows(findings: list[Finding]) -> None:
    assert sorted(f.lines for f in of(findings, "PRF009")) == [
        (483, 490, 497),
        (577, 591),
        (922, 929, 936),
        (1016, 1023, 1030),
        (1274, 1281, 1288),
        (2141, 2155),
    ]


def test_contradictory_targets(findings: list[Finding]) -> None:
    found = {f.key: f for f in of(findings, "PRF010")}
    assert set(found) == {
        "社会保险补贴发放准确率",  # ≥98% (project 2, 275) vs ★… ≥95% (project 11, 1190)
        "求职创业补贴发放准确率",  # ≥98% (303) vs ★… ≥95% (1204)
        "社会保险补贴人均标准",  # ≥65% (317) vs ★… ≥95% (1232)
        "财政按标准补助资金到位率",  # ≥90% (1593) vs 100% (2014, with a formula in brackets)
        "城乡居民政策知晓率",  # ≥95% (1786) vs ≥90% (1871, 2240)
    }
    assert found["社会保险补贴发放准确率"].lines == (275, 1190)
    assert (found["社会保险补贴发放准确率"].expected, found["社会保险补贴发放准确率"].actual) == (
        "≥98%",
        "≥95%",
    )
    assert found["城乡居民政策知晓率"].lines == (1786, 1871, 2240)
    # 符合条件贫困人员参保率 ≥100% (1836) and 100% (2007) say the same thing.
    assert "符合条件贫困人员参保率" not in found


def test_bases_that_restate_the_indicator(findings: list[Finding]) -> None:
    lines = first_lines(findings, "PRF012")
    assert len(lines) == 36
    # 准确率 / 准确率 / basis 准确率 (projects 3, 8, 21); 报销比例 as description and basis (1586).
    for line in (427, 866, 2085, 1586):
        assert line in lines
    # "满意度" as the basis of 服务对象满意度 (483) is short, but not a repetition.
    assert 483 not in lines


def test_stale_years(findings: list[Finding]) -> None:
    yr1 = of(findings, "YR001")
    # 102 "2020年我局整体绩效目标…", 105 "2020年我局绩效目标分…", 2484 "2020年拟购置固定资产4.59万元".
    assert [f.lines for f in yr1] == [(102,), (105,), (2484,)]
    assert all((f.expected, f.actual, f.difference) == ("2021", "2020", "-1") for f in yr1)
    assert [f.section for f in yr1] == ["performance", "performance", "assets"]
    # The 三公 header (2020年度预算 / 2021年度预算, lines 62-63), "2020年末固定资产总额" (2484) and
    # "2020年国有资产占有情况见下表" (2485) are right.
    assert of(findings, "YR002") == []
    assert not any(f.key.startswith(("three_public", "asset_year_end")) for f in yr1)


def test_asset_table_year(findings: list[Finding]) -> None:
    (yr3,) = of(findings, "YR003")
    # The label cell "2019年度" (line 2487) against "我单位2020年末固定资产总额…" (line 2484).
    assert yr3.lines == (2487, 2484)
    assert (yr3.expected, yr3.actual, yr3.difference, yr3.tolerance) == ("2020", "2019", "-1", "0")


def test_a_merged_level_2_is_filled_down_but_stays_empty_in_the_rows_key(sample: Document) -> None:
    # A hand-written TOML writes a merged cell as "": the sample's first project with the level 2
    # of every row that repeats the row above left empty, as a merged cell is.
    import dataclasses

    from reconcile.rules.registry import Context, load_all

    assert sample.performance is not None
    project = sample.performance.projects[0]
    merged, above = [], None
    for ind in project.indicators:
        merged.append(dataclasses.replace(ind, level2="") if ind.level2 == above else ind)
        above = ind.level2
    blanked = [k for k, ind in enumerate(merged) if ind.level2 == ""]
    assert blanked  # the table has merged level-2 cells to blank
    doc = dataclasses.replace(
        sample,
        performance=dataclasses.replace(
            sample.performance,
            projects=(dataclasses.replace(project, indicators=tuple(merged)),),
        ),
    )
    load_all()
    rows = Context(documents=[doc]).frame("perf_indicators").to_dicts()
    for k in blanked:
        written = project.indicators[k]
        # the rules see the level 2 of the row above ...
        assert rows[k]["level2"] == written.level2
        assert rows[k]["l2n"] == written.level2.replace("指标", "")
        # ... but the row's key (and every finding id made from it) is the row as written
        assert rows[k]["key"] == f"{project.name}//{written.level3}"
    first = project.indicators[0]
    assert rows[0]["key"] == f"{project.name}/{first.level2}/{first.level3}"
