"""Variants of the real sample: edit one figure in the text, read it again, check again.

* Breaking an equality: changing any single figure that takes part in an identity (a budget part,
  a subtotal, a table cell, a stated total) by more than its tolerance produces exactly the
  expected new errors, each of them pointing at the edited line.
* Inside the band: a change that stays within the rounding band produces nothing new.
* Fixing a defect: correcting the figure behind a finding makes that finding disappear and adds
  nothing.

The expected codes come from reading the identities the figure takes part in (DOMAIN §2), not from
running the rules.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from reconcile.engine import check
from reconcile.model import Document, Finding
from reconcile.reader import read_bytes

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
MONEY = ("BUD", "RUN", "TPE", "PRC", "AST", "DOC")

Edit = tuple[int, str, str]  # (1-based line, text on that line, replacement)


@cache
def _sample_lines() -> tuple[str, ...]:
    return tuple(SAMPLE.read_text(encoding="utf-8").split("\n"))


def variant(*edits: Edit) -> Document:
    lines = list(_sample_lines())
    for number, old, new in edits:
        line = lines[number - 1]
        # A table cell is a whole line ("\t0.4"); prose figures are unique on their line.
        assert line.count(old) == 1, f"line {number}: {old!r} not unique in {line!r}"
        lines[number - 1] = line.replace(old, new)
    return read_bytes("\n".join(lines).encode("utf-8"), "variant.txt").document


def _labels(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.rule, f.key or "", f.severity.label) for f in findings}


@cache
def _baseline() -> frozenset[tuple[str, str, str]]:
    return frozenset(_labels(check([variant()], select=MONEY)))


def _new(document: Document) -> list[Finding]:
    base = _baseline()
    return [
        f
        for f in check([document], select=MONEY)
        if (f.rule, f.key or "", f.severity.label) not in base
    ]


# (edit, the errors it must produce as (rule, key)) — one figure changed by more than its band.
BROKEN: list[tuple[str, Edit, set[tuple[str, str]]]] = [
    # 二 budget: each figure is in two identities (or three for 项目支出).
    ("income total", (35, "2834.55", "2834.65"), {("BUD001", "income_total"), ("BUD006", "total")}),
    (
        "income personnel",
        (36, "461.98", "462.08"),
        {("BUD001", "income_total"), ("BUD004", "personnel")},
    ),
    (
        "income operating",
        (37, "35.22", "35.32"),
        {("BUD001", "income_total"), ("BUD005", "operating")},
    ),
    (
        "income project",
        (38, "2337.35", "2337.45"),
        {("BUD001", "income_total"), ("BUD009", "project")},
    ),
    (
        "expenditure total",
        (40, "2834.55", "2834.65"),
        {("BUD002", "expenditure_total"), ("BUD006", "total")},
    ),
    (
        "basic total",
        (41, "497.2", "497.3"),
        {("BUD002", "expenditure_total"), ("BUD003", "basic_total")},
    ),
    (
        "basic personnel",
        (42, "461.98", "462.08"),
        {("BUD003", "basic_total"), ("BUD004", "personnel")},
    ),
    (
        "basic operating",
        (43, "35.22", "35.32"),
        {("BUD003", "basic_total"), ("BUD005", "operating")},
    ),
    (
        "project total",
        (44, "2337.35", "2337.45"),
        {("BUD002", "expenditure_total"), ("BUD007", "project_total"), ("BUD009", "project")},
    ),
    ("own-level project", (45, "2337.35", "2337.45"), {("BUD007", "project_total")}),
    # 三 running costs: a total below its listed items.
    ("running total below items", (50, "35.22万元", "15.22万元"), {("RUN001", "total")}),
    # 四 三公: a year cell breaks its column's 合计 and its row's change.
    (
        "三公 row prior",
        (80, "\t3", "\t3.1"),
        {("TPE001", "合计/prior"), ("TPE002", "公务用车运行经费")},
    ),
    (
        "三公 row current",
        (81, "\t2.7", "\t2.8"),
        {("TPE001", "合计/current"), ("TPE002", "公务用车运行经费")},
    ),
    ("三公 row change", (82, "\t0.3", "\t0.4"), {("TPE002", "公务用车运行经费")}),
    ("三公 合计 prior", (92, "\t3", "\t3.1"), {("TPE001", "合计/prior"), ("TPE002", "合计")}),
    (
        "三公 合计 current",
        (93, "\t2.7", "\t2.8"),
        {("TPE001", "合计/current"), ("TPE002", "合计"), ("TPE003", "stated_total")},
    ),
    ("三公 stated total", (52, "2.7万元", "2.8万元"), {("TPE003", "stated_total")}),
    # 六 procurement: a line's amount is in q × p, its funding identity and its column.
    (
        "procurement line amount",
        (2329, "\t0.4", "\t0.5"),
        {
            ("PRC001", "A0201060102|激光打印机"),
            ("PRC002", "A0201060102|激光打印机|amount"),
            ("PRC003", "合计|amount"),
        },
    ),
    (
        "procurement last line amount",
        (2464, "\t0.72", "\t0.82"),
        {
            ("PRC001", "C050302|车辆加油服务"),
            ("PRC002", "C050302|车辆加油服务|amount"),
            ("PRC003", "合计|amount"),
        },
    ),
    ("procurement quantity", (2327, "\t2", "\t3"), {("PRC001", "A0201060102|激光打印机")}),
    ("procurement unit price", (2328, "\t0.2", "\t0.3"), {("PRC001", "A0201060102|激光打印机")}),
    (
        "procurement current-year total",
        (2330, "\t0.4", "\t0.5"),
        {
            ("PRC002", "A0201060102|激光打印机|current_year_total"),
            ("PRC002", "A0201060102|激光打印机|amount"),
            ("PRC003", "合计|current_year_total"),
        },
    ),
    (
        "procurement general budget",
        (2331, "\t0.4", "\t0.5"),
        {
            ("PRC002", "A0201060102|激光打印机|current_year_total"),
            ("PRC003", "合计|general_budget"),
        },
    ),
    ("procurement line budget", (2323, "\t0.4", "\t0.5"), {("PRC003", "合计|budget")}),
    ("procurement 合计 budget", (2308, "\t45.11", "\t45.21"), {("PRC003", "合计|budget")}),
    (
        "procurement 合计 amount",
        (2314, "\t45.11", "\t45.21"),
        {("PRC003", "合计|amount"), ("PRC002", "合计|amount"), ("PRC004", "stated_total")},
    ),
    (
        "procurement 合计 current-year total",
        (2315, "\t45.11", "\t45.21"),
        {
            ("PRC003", "合计|current_year_total"),
            ("PRC002", "合计|current_year_total"),
            ("PRC002", "合计|amount"),
        },
    ),
    (
        "procurement 合计 general budget",
        (2316, "\t45.11", "\t45.21"),
        {("PRC003", "合计|general_budget"), ("PRC002", "合计|current_year_total")},
    ),
    ("procurement stated total", (2271, "45.11万元", "45.21万元"), {("PRC004", "stated_total")}),
    # 七 assets: 固定资产 = its categories; the text's 万元 total = the table's 元 row.
    (
        "固定资产 row",
        (2503, "\t1534512.83", "\t1534612.83"),
        {("AST001", "二、固定资产"), ("AST002", "stated_total")},
    ),
    ("车辆 row", (2523, "\t279265", "\t279365"), {("AST001", "二、固定资产")}),
    ("其他固定资产 row", (2539, "\t1255247.83", "\t1255347.83"), {("AST001", "二、固定资产")}),
    ("stated fixed assets", (2484, "153.45万元", "153.55万元"), {("AST002", "stated_total")}),
]


@pytest.mark.parametrize(("edit", "errors"), [pytest.param(e, x, id=name) for name, e, x in BROKEN])
def test_breaking_a_figure_is_an_error_on_its_line(
    edit: Edit, errors: set[tuple[str, str]]
) -> None:
    new = _new(variant(edit))
    got = {(f.rule, f.key) for f in new if f.severity.label == "error"}
    assert got == errors, [f.message for f in new]
    for f in new:
        if f.severity.label == "error":
            assert edit[0] in f.lines, f"{f.rule} {f.key}: line {edit[0]} not in {f.lines}"
            assert f.tolerance is not None and f.difference is not None


def test_vehicles_zero_adds_a_vehicle_warning() -> None:
    # 车辆 0 breaks 固定资产 (error) and leaves the 公务用车运行经费 without cars (TPE005, warning).
    new = _new(variant((2523, "\t279265", "\t0")))
    assert _labels(new) == {
        ("AST001", "二、固定资产", "error"),
        ("TPE005", "公务用车运行经费", "warning"),
    }


def test_unit_error_in_the_stated_assets() -> None:
    new = _new(variant((2484, "153.45万元", "1534512.83万元")))
    assert _labels(new) == {("AST002", "stated_total", "warning")}
    assert "unit error" in new[0].message


INSIDE_BAND: list[tuple[str, tuple[Edit, ...]]] = [
    # 2834.56: BUD001 band 4 × 0.005, BUD006 band 2 × 0.005; the difference is 0.01.
    ("income total 0.01 up", ((35, "2834.55", "2834.56"),)),
    # 497.205 (half unit 0.0005): 0.005 off in BUD002 and BUD003, bands 0.0105.
    ("basic total written finer", ((41, "497.2", "497.205"),)),
    # 2 × 0.201 = 0.402 against 0.4: band 2 × 0.0005 + 0.005.
    ("unit price written finer", ((2328, "\t0.2", "\t0.201"),)),
    # 公务用车运行 2.7 → 2.71 in row, 合计 and text, change −0.3 → written 0.3 unchanged … the 合计
    # and stated total stay within 0.01 of each other.
    ("三公 stated total 0.01 up", ((52, "2.7万元", "2.71万元"),)),
]


@pytest.mark.parametrize("edits", [pytest.param(e, id=name) for name, e in INSIDE_BAND])
def test_inside_the_band_adds_nothing(edits: tuple[Edit, ...]) -> None:
    assert [f.message for f in _new(variant(*edits))] == []


# (edits that fix a defect, the finding that must disappear)
FIXED: list[tuple[str, tuple[Edit, ...], tuple[str, str]]] = [
    ("三公 row change signed", ((82, "\t0.3", "\t-0.3"),), ("TPE002", "公务用车运行经费")),
    ("三公 合计 change signed", ((94, "\t0.3", "\t-0.3"),), ("TPE002", "合计")),
    (
        "project change within the whole",
        ((47, "364.75万元", "300.75万元"),),
        ("BUD008", "change_project"),
    ),
    (
        "planned purchases as in procurement",
        ((2484, "4.59万元", "4.89万元"),),
        ("AST003", "planned_purchase"),
    ),
    (
        "project named in a merged cell",
        ((2322, "\t", "\t组织人事党建事务管理"),),
        ("PRC006", "project"),
    ),
    ("合计 quantity left empty", ((2312, "\t159", "\t"),), ("PRC005", "合计|quantity")),
    ("合计 unit price left empty", ((2313, "\t5.33", "\t"),), ("PRC005", "合计|unit_price")),
    (
        # Nine repairs instead of ten: 1.8 + 0.72 = 2.52 <= 2.7; every total follows.
        "fewer vehicle repairs, every total updated",
        (
            (2271, "45.11万元", "44.91万元"),
            (2308, "\t45.11", "\t44.91"),
            (2312, "\t159", "\t158"),
            (2314, "\t45.11", "\t44.91"),
            (2315, "\t45.11", "\t44.91"),
            (2316, "\t45.11", "\t44.91"),
            (2443, "\t2", "\t1.8"),
            (2447, "\t10", "\t9"),
            (2449, "\t2", "\t1.8"),
            (2450, "\t2", "\t1.8"),
            (2451, "\t2", "\t1.8"),
        ),
        ("TPE006", "公务用车运行经费"),
    ),
]


@pytest.mark.parametrize(("edits", "gone"), [pytest.param(e, g, id=name) for name, e, g in FIXED])
def test_fixing_a_defect_removes_its_finding(
    edits: tuple[Edit, ...], gone: tuple[str, str]
) -> None:
    assert gone in {(r, k) for r, k, _ in _baseline()}
    document = variant(*edits)
    after = {(f.rule, f.key) for f in check([document], select=MONEY)}
    assert gone not in after
    assert [f.message for f in _new(document)] == []
