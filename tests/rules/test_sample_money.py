"""The money rules on the real sample (samples/baigou-zuzhirenshi-2021-budget.txt).

Every expected figure below was read off the document by hand (line numbers are the text dump's):

* 二 budget (lines 35-47): 461.98 + 35.22 + 2337.35 = 2834.55; 497.2 = 461.98 + 35.22;
  497.2 + 2337.35 = 2834.55; 本级 2337.35 = 项目支出. All hold. The change: 较上年增加353.32万元,
  其中 项目支出 增加364.75万元 — the part exceeds the whole, the rest fell by 11.43.
* 三 running costs (line 50): 35.22, items 8.3 + 4.89 + 1.55 + 0.55 + 0.55 = 15.84 等; 35.22 =
  日常公用经费 35.22.
* 四 三公 (lines 52-95): stated 2.7; 公务用车运行经费 3 → 2.7 with 增减金额 0.3 (should be −0.3), the
  合计 row likewise; rows = 合计 (3 and 2.7).
* 六 procurement (lines 2271-2466): stated 45.11; ten lines, every q × p holds; every column sums
  to 45.11; 合计 quantity 159 over 台/盒/项 and unit price 5.33 (a sum of prices); no line names a
  project; vehicle services C050301 2 + C050302 0.72 = 2.72 > 2.7.
* 七 assets (lines 2484-2539): 153.45 万元 against 1534512.83 元 (= 279265 + 1255247.83);
  planned 4.59 "已列入政府采购预算" against A02 lines 0.4 + 2.5 + 1.05 + 0.94 = 4.89. Neither the
  procurement table nor the asset table states its unit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconcile.engine import check
from reconcile.model import Document, Finding
from reconcile.reader import read_path

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
MONEY = ("BUD", "RUN", "TPE", "PRC", "AST", "DOC")


@pytest.fixture(scope="module")
def document() -> Document:
    return read_path(str(SAMPLE)).document


@pytest.fixture(scope="module")
def findings(document: Document) -> list[Finding]:
    return check([document], select=MONEY)


def _one(findings: list[Finding], rule: str, key: str) -> Finding:
    matches = [f for f in findings if f.rule == rule and f.key == key]
    assert len(matches) == 1, f"{rule} {key}: {[f.message for f in findings]}"
    return matches[0]


def test_exactly_these_findings(findings: list[Finding]) -> None:
    got = sorted((f.rule, f.key or "", f.severity.label) for f in findings)
    assert got == sorted(
        [
            ("BUD008", "change_project", "warning"),
            ("TPE002", "公务用车运行经费", "warning"),
            ("TPE002", "合计", "warning"),
            ("TPE006", "公务用车运行经费", "warning"),
            ("PRC005", "合计|quantity", "info"),
            ("PRC005", "合计|unit_price", "info"),
            ("PRC006", "project", "info"),
            ("AST003", "planned_purchase", "warning"),
            ("DOC003", "procurement", "info"),
            ("DOC003", "assets", "info"),
        ]
    )


def test_identities_that_hold_raise_nothing(findings: list[Finding]) -> None:
    assert not [f for f in findings if f.severity.label == "error"]
    holding = {
        "BUD001", "BUD002", "BUD003", "BUD004", "BUD005", "BUD006", "BUD007", "BUD009",
        "RUN001", "RUN002", "RUN003",
        "TPE001", "TPE003", "TPE004", "TPE005",
        "PRC001", "PRC002", "PRC003", "PRC004", "PRC007",
        "AST001", "AST002",
        "DOC001", "DOC002", "DOC004",
    }  # fmt: skip
    assert not [f.message for f in findings if f.rule in holding]


def test_project_change_exceeds_whole_change(findings: list[Finding]) -> None:
    f = _one(findings, "BUD008", "change_project")
    assert (f.expected, f.actual, f.difference, f.tolerance) == (
        "353.32",
        "364.75",
        "11.43",
        "0.01",
    )
    assert "would have changed by -11.43" in f.message
    assert f.lines == (47,)
    assert f.message == (
        "the project change 364.75 is larger than the whole change 353.32 (by 11.43, tolerance "
        "0.01): the rest of the budget would have changed by -11.43"
    )


@pytest.mark.parametrize(
    ("key", "lines"), [("公务用车运行经费", (82, 81, 80, 79)), ("合计", (94, 93, 92, 91))]
)
def test_three_public_decrease_written_positive(
    findings: list[Finding], key: str, lines: tuple[int, ...]
) -> None:
    f = _one(findings, "TPE002", key)
    assert f.severity.label == "warning"
    # 2.7 − 3 = −0.3, written 0.3: the size is right, the sign is not.
    assert (f.expected, f.actual, f.difference, f.tolerance) == ("-0.30", "0.30", "0.60", "0.015")
    assert f.lines == lines
    assert "the sign is wrong" in f.message


def test_vehicle_services_exceed_running_budget(findings: list[Finding]) -> None:
    f = _one(findings, "TPE006", "公务用车运行经费")
    # C050301 2 + C050302 0.72 = 2.72 against 公务用车运行经费 2.7; band 3 × 0.005.
    assert (f.expected, f.actual, f.difference, f.tolerance) == ("2.70", "2.72", "0.02", "0.015")
    assert f.lines == (81, 2449, 2464)
    assert "C050301 车辆维修和保养 2.00, C050302 车辆加油服务 0.72" in f.message


def test_procurement_total_row_cells_without_meaning(findings: list[Finding]) -> None:
    quantity = _one(findings, "PRC005", "合计|quantity")
    assert quantity.actual == "159"
    assert quantity.lines == (2312, 2307)
    assert "(台, 盒, 项)" in quantity.message
    price = _one(findings, "PRC005", "合计|unit_price")
    assert price.actual == "5.33"
    assert price.lines == (2313, 2307)
    assert "unit prices of 10 lines" in price.message


def test_procurement_lines_without_project(findings: list[Finding]) -> None:
    f = _one(findings, "PRC006", "project")
    assert f.actual == "10"
    assert f.lines == (2322, 2337, 2352, 2367, 2382, 2397, 2412, 2427, 2442, 2457)
    assert f.message == "10 of 10 procurement lines name no project (政府采购项目来源 is empty)"


def test_planned_purchases_against_equipment_lines(findings: list[Finding]) -> None:
    f = _one(findings, "AST003", "planned_purchase")
    # 0.4 + 2.5 + 1.05 + 0.94 = 4.89 against 4.59; band 5 × 0.005.
    assert (f.expected, f.actual, f.difference, f.tolerance) == ("4.89", "4.59", "-0.30", "0.025")
    assert f.lines == (2484, 2329, 2344, 2359, 2374)


def test_tables_without_unit(findings: list[Finding]) -> None:
    assert _one(findings, "DOC003", "procurement").lines == (2273,)
    assert _one(findings, "DOC003", "assets").lines == (2486,)


def test_chinese_messages(document: Document) -> None:
    zh = {(f.rule, f.key): f.message for f in check([document], select=MONEY, lang="zh")}
    assert zh[("BUD008", "change_project")] == (
        "项目支出增减 364.75 大于预算总额增减 353.32（超出 11.43，容差 0.01），意味着其余部分变动 -11.43"
    )
    assert (
        zh[("PRC005", "合计|quantity")]
        == "合计行将不同计量单位（台、盒、项）的数量相加，其数值 159 没有意义"
    )
