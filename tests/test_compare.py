"""Year on year: ``reconcile diff OLD NEW`` over the sample pair (the real 2021 budget and its
constructed 2020 companion), the YOY rules on the pair, and ``reconcile check`` pairing a folder.

The YOY rules' own cases (two documents each) are in ``tests/rules/fixtures/YOY*.toml``.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from reconcile import compare
from reconcile.batch import run_check
from reconcile.canonical import loads_toml
from reconcile.cli import main
from reconcile.compare import diff_documents, parse_tolerance, render
from reconcile.engine import check
from reconcile.errors import UsageError
from reconcile.model import Document
from reconcile.reader import read_path

ROOT = Path(__file__).resolve().parents[1]
OLD = ROOT / "samples" / "baigou-zuzhirenshi-2020-budget.txt"
NEW = ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
FIXTURES = ROOT / "tests" / "rules" / "fixtures"


@pytest.fixture(scope="module")
def pair() -> tuple[Document, Document]:
    return read_path(str(OLD)).document, read_path(str(NEW)).document


@pytest.fixture(scope="module")
def sample_diff(pair: tuple[Document, Document]) -> compare.DocumentDiff:
    return diff_documents(*pair)


def rows_of(diff: compare.DocumentDiff, section: str, key: str) -> dict[str, dict[str, Any]]:
    """The rows of one item, by field."""
    found = diff.rows.filter((pl.col("section") == section) & (pl.col("key") == key))
    return {r["field"]: r for r in found.to_dicts()}


def contradicting_2020(tmp_path: Path) -> Path:
    """The 2020 companion with its total written 2491.23: the 2021 document's 较上年增加353.32
    (line 47) no longer holds."""
    text = OLD.read_text(encoding="utf-8").replace("2481.23", "2491.23")
    path = tmp_path / OLD.name
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ the sample pair


def test_budget_rows_give_old_new_change_and_the_stated_change(sample_diff) -> None:
    total = rows_of(sample_diff, "budget", "income_total")["value"]
    assert total == {
        "section": "budget",
        "key": "income_total",
        "field": "value",
        "label": "收入预算总额",
        "old": "2481.23",
        "new": "2834.55",
        "delta": "353.32",
        "delta_pct": "14.24",
        "stated_delta": "353.32",
        "status": "changed",
        "old_line": 35,
        "new_line": 35,
    }
    project = rows_of(sample_diff, "budget", "project_total")["value"]
    assert (project["old"], project["new"], project["delta"], project["stated_delta"]) == (
        "1972.60",
        "2337.35",
        "364.75",
        "364.75",
    )
    assert rows_of(sample_diff, "budget", "expenditure_total")["value"]["stated_delta"] == "353.32"
    basic = rows_of(sample_diff, "budget", "basic_total")["value"]
    assert (basic["old"], basic["new"], basic["delta"], basic["delta_pct"]) == (
        "508.63",
        "497.20",
        "-11.43",
        "-2.25",
    )
    assert basic["stated_delta"] is None
    # A figure neither document states is no row at all.
    assert rows_of(sample_diff, "budget", "project_lower_level") == {}


def test_three_public_rows_by_name(sample_diff) -> None:
    running = rows_of(sample_diff, "three_public", "公务用车运行经费")
    assert set(running) == {"prior", "current", "change"}
    assert (running["current"]["old"], running["current"]["new"]) == ("3.00", "2.70")
    assert (running["prior"]["old"], running["prior"]["new"]) == ("3.20", "3.00")
    assert (running["change"]["old"], running["change"]["new"], running["change"]["delta"]) == (
        "-0.20",
        "0.30",
        "0.50",
    )
    assert (running["prior"]["old_line"], running["prior"]["new_line"]) == (80, 80)
    total = rows_of(sample_diff, "three_public", "合计")
    assert total["current"]["delta"] == "-0.30"
    assert total["current"]["delta_pct"] == "-10.00"
    # Empty rows in both years: one unchanged row for the item, nothing to compare.
    abroad = rows_of(sample_diff, "three_public", "因公出国经费")
    assert list(abroad) == ["prior"]
    assert abroad["prior"]["status"] == "unchanged"
    assert abroad["prior"]["old"] is None and abroad["prior"]["new"] is None


def test_procurement_lines_by_catalogue_code(sample_diff) -> None:
    desktop = rows_of(sample_diff, "procurement", "A02010104")  # 台式计算机: 4 → 5
    assert desktop["quantity"]["old"] == "4" and desktop["quantity"]["new"] == "5"
    assert desktop["quantity"]["delta"] == "1" and desktop["quantity"]["delta_pct"] == "25.00"
    assert desktop["quantity"]["status"] == "changed"
    assert desktop["unit_price"]["status"] == "unchanged"
    assert desktop["amount"]["delta"] == "0.50"
    paper = rows_of(sample_diff, "procurement", "A090101")  # 复印纸: 0.045 → 0.05 per box
    assert (paper["unit_price"]["old"], paper["unit_price"]["new"]) == ("0.045", "0.05")
    assert paper["unit_price"]["delta"] == "0.005"
    assert paper["unit_price"]["delta_pct"] == "11.11"
    assert paper["quantity"]["status"] == "unchanged"
    assert (paper["unit_price"]["old_line"], paper["unit_price"]["new_line"]) == (474, 2388)
    total = rows_of(sample_diff, "procurement", "合计")
    assert (total["amount"]["old"], total["amount"]["new"]) == ("44.37", "45.11")
    stated = rows_of(sample_diff, "procurement", "stated_total")["value"]
    assert (stated["old_line"], stated["new_line"]) == (357, 2271)


def test_added_and_removed_items(sample_diff) -> None:
    scanner = rows_of(sample_diff, "procurement", "A0201060901")  # only in 2021
    assert {r["status"] for r in scanner.values()} == {"added"}
    assert scanner["amount"]["old"] is None and scanner["amount"]["new"] == "0.94"
    assert scanner["amount"]["delta"] is None and scanner["amount"]["old_line"] is None
    copier = rows_of(sample_diff, "procurement", "A020201")  # only in 2020
    assert {r["status"] for r in copier.values()} == {"removed"}
    assert copier["amount"]["old"] == "1.20" and copier["amount"]["new"] is None
    assert copier["amount"]["new_line"] is None
    veterans = rows_of(sample_diff, "performance", "组织人事退役军人事务管理资金")
    assert veterans["indicators"]["status"] == "removed"
    assert veterans["indicators"]["old"] == "5"
    added = sample_diff.rows.filter(pl.col("status") == "added")
    assert "组织人事党建事务管理资金|服务对象满意度|人员满意度" in added["key"].to_list()


def test_assets_by_name_and_row_number(sample_diff) -> None:
    fixed = rows_of(sample_diff, "assets", "二、固定资产")["value"]
    assert (fixed["old"], fixed["new"], fixed["delta"]) == ("1482698.45", "1534512.83", "51814.38")
    assert (fixed["old_line"], fixed["new_line"]) == (583, 2503)
    vehicles = rows_of(sample_diff, "assets", "(二)车辆(台、辆)")["value"]
    assert vehicles["status"] == "unchanged" and vehicles["delta"] == "0.00"
    stated = rows_of(sample_diff, "assets", "stated_total")["value"]
    assert (stated["old"], stated["new"], stated["delta_pct"]) == ("148.27", "153.45", "3.49")


def test_performance_targets_by_project_and_indicator(sample_diff) -> None:
    key = "组织人事党建事务管理资金|数量|宣传活动数量"
    target = rows_of(sample_diff, "performance", key)["target"]
    assert (target["old"], target["new"], target["delta"], target["status"]) == (
        "≥90%",
        "≥95%",
        "5",
        "changed",
    )
    assert target["delta_pct"] == "5.56"
    # 95百分比 and 98百分比 parse as percentages: numbers compared, not texts.
    wages = rows_of(sample_diff, "performance", "组织人事临时聘用资金|时效|支付聘用人员工资额")
    assert wages["target"]["delta"] == "-3"
    # A level-2/level-3 pair repeated in one table is told apart by an ordinal.
    keys = sample_diff.rows.filter(pl.col("section") == "performance")["key"].to_list()
    satisfied = "组织人事临时聘用资金|服务对象满意度|服务对象满意度"
    assert {satisfied, f"{satisfied}#2", f"{satisfied}#3"} <= set(keys)
    assert rows_of(sample_diff, "performance", f"{satisfied}#3")["target"]["status"] == (
        "unchanged"
    )


def test_summary_counts_items(sample_diff) -> None:
    items = sample_diff.rows.unique(["section", "key"])
    assert sum(sample_diff.summary.values()) == items.height
    assert sample_diff.summary["removed"] == 7  # 复印机, the 退役军人 project and its 5 indicators
    assert sample_diff.summary["changed"] > 0 and sample_diff.summary["unchanged"] > 0


def test_the_consistent_pair_has_no_cross_year_findings(sample_diff) -> None:
    assert sample_diff.findings == []


def test_only_changed_keeps_the_summary(pair) -> None:
    full = diff_documents(*pair)
    moved = diff_documents(*pair, only_changed=True)
    assert moved.summary == full.summary
    assert "unchanged" not in moved.rows["status"].to_list()
    assert moved.rows.height == full.rows.filter(pl.col("status") != "unchanged").height


def test_tolerance_makes_small_moves_unchanged(pair) -> None:
    loose = diff_documents(*pair, tolerance="0.005")
    paper = rows_of(loose, "procurement", "A090101")["unit_price"]
    assert paper["status"] == "unchanged" and paper["delta"] == "0.005"
    assert rows_of(loose, "budget", "income_total")["value"]["status"] == "changed"
    # Quantities are counts: no tolerance.
    wide = diff_documents(*pair, tolerance="2")
    assert rows_of(wide, "procurement", "A02010104")["quantity"]["status"] == "changed"
    assert "tolerance 0.005" in render(loose, "text")


@pytest.mark.parametrize("spec", ["0.5%", "amount=0.01", "-1", "abc", "0.000000001"])
def test_bad_tolerance_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError):
        parse_tolerance(spec)


def test_tolerance_parses_plain_amounts() -> None:
    assert parse_tolerance("0.01") == Decimal("0.01")
    assert parse_tolerance(None) is None and parse_tolerance(" ") is None


def toml_doc(body: str, year: int, name: str) -> Document:
    head = (
        f'schema = "reconcile.disclosure/1"\n[document]\ndepartment = "组织人事局"\nyear = {year}\n'
    )
    return loads_toml(head + body, name)


def test_a_repeated_code_is_keyed_with_its_item_in_both_years() -> None:
    old = toml_doc(
        """
[procurement]
[[procurement.lines]]
item = "复印纸"
code = "A090101"
amount = 5
[[procurement.lines]]
item = "打印纸"
code = "A090101"
amount = 2
[[procurement.lines]]
item = "印刷服务"
code = "C081401"
amount = 10
[[procurement.lines]]
item = "印刷服务"
code = "C081401"
amount = 3
""",
        2020,
        "old.toml",
    )
    new = toml_doc(
        """
[procurement]
[[procurement.lines]]
item = "复印纸"
code = "A090101"
amount = 6
[[procurement.lines]]
item = "印刷服务"
code = "C081401"
amount = 10
[[procurement.lines]]
item = "硒鼓"
amount = 1
""",
        2021,
        "new.toml",
    )
    diff = diff_documents(old, new)
    items = {
        r["key"]: r["status"] for r in diff.rows.filter(pl.col("field") == "amount").to_dicts()
    }
    assert items == {
        "A090101|复印纸": "changed",
        "A090101|打印纸": "removed",
        "C081401|印刷服务": "unchanged",
        "C081401|印刷服务#2": "removed",
        "|硒鼓": "added",
    }
    assert diff.summary == {"changed": 1, "added": 1, "removed": 2, "unchanged": 1}


def test_a_name_written_with_a_number_sign_is_not_taken_for_a_repeat() -> None:
    # the second 印刷服务 is keyed 印刷服务#2; a line named so itself must stay another item
    lines = [("印刷服务#2", 7), ("印刷服务", 10), ("印刷服务", 3)]
    body = "[procurement]\n" + "".join(
        f'[[procurement.lines]]\nitem = "{item}"\namount = {amount}\n' for item, amount in lines
    )
    old = toml_doc(body, 2020, "old.toml")
    new = toml_doc(body.replace("amount = 7", "amount = 8"), 2021, "new.toml")
    diff = diff_documents(old, new)
    items = {
        r["key"]: (r["status"], Decimal(r["old"]), Decimal(r["new"]))
        for r in diff.rows.filter(pl.col("field") == "amount").to_dicts()
    }
    assert items == {
        "|印刷服务##2": ("changed", 7, 8),
        "|印刷服务": ("unchanged", 10, 10),
        "|印刷服务#2": ("unchanged", 3, 3),
    }


@pytest.mark.parametrize(
    ("old", "new", "delta", "pct"),
    [
        ("200", "200.05", "0.05", "0.02"),  # 0.025 % → half to even: 0.02
        ("200", "200.07", "0.07", "0.04"),  # 0.035 % → 0.04
        ("3", "2.7", "-0.30", "-10.00"),
        ("0", "1.5", "1.50", None),  # no percentage of nothing
        ("-0.2", "0.3", "0.50", "-250.00"),  # the sign of the old value is kept
        ("0.003", "0.002", "-0.001", "-33.33"),
    ],
)
def test_change_and_percentage_are_exact(old: str, new: str, delta: str, pct: str | None) -> None:
    before = toml_doc(f'[budget]\nincome_total = "{old}"\n', 2020, "old.toml")
    after = toml_doc(f'[budget]\nincome_total = "{new}"\n', 2021, "new.toml")
    row = rows_of(diff_documents(before, after), "budget", "income_total")["value"]
    assert (row["delta"], row["delta_pct"]) == (delta, pct)
    assert row["old_line"] is None and row["new_line"] is None


def test_a_table_whose_unit_changed_is_compared_in_the_new_unit() -> None:
    old = toml_doc(
        '[assets]\ntable_unit = "万元"\n[[assets.rows]]\nname = "二、固定资产"\nrow_no = "3"\n'
        'value = "153.45"\n',
        2020,
        "old.toml",
    )
    new = toml_doc(
        '[assets]\ntable_unit = "元"\n[[assets.rows]]\nname = "二、固定资产"\nrow_no = "3"\n'
        'value = "1534512.83"\n',
        2021,
        "new.toml",
    )
    row = rows_of(diff_documents(old, new), "assets", "二、固定资产")["value"]
    assert (row["old"], row["new"], row["delta"]) == ("1534500.00", "1534512.83", "12.83")


def test_asset_rows_match_on_name_and_row_number() -> None:
    old = toml_doc(
        '[assets]\n[[assets.rows]]\nname = "（二）车辆"\nrow_no = "8"\nvalue = "100"\n',
        2020,
        "old.toml",
    )
    new = toml_doc(
        '[assets]\n[[assets.rows]]\nname = "(二) 车辆"\nrow_no = "9"\nvalue = "100"\n',
        2021,
        "new.toml",
    )
    statuses = sorted(r["status"] for r in diff_documents(old, new).rows.to_dicts())
    assert statuses == ["added", "removed"]


# ------------------------------------------------------------------------------ cross-year rules


def test_a_contradicting_prior_year_total_is_an_error_on_line_47(tmp_path: Path, pair) -> None:
    old = read_path(str(contradicting_2020(tmp_path))).document
    diff = diff_documents(old, pair[1])
    assert [f.rule for f in diff.findings] == ["YOY001"]
    finding = diff.findings[0]
    assert finding.severity.label == "error"
    assert finding.document == str(NEW)
    assert finding.lines == (47, 35)
    assert (finding.expected, finding.actual, finding.difference, finding.tolerance) == (
        "343.32",
        "353.32",
        "10.00",
        "0.015",
    )
    assert f"{old.info.source}:35" in finding.message
    assert rows_of(diff, "budget", "income_total")["value"]["delta"] == "343.32"
    zh = diff_documents(old, pair[1], lang="zh").findings[0]
    assert "较上年增减 353.32" in zh.message


def test_three_public_prior_column_against_last_year(pair) -> None:
    old, new = pair
    tp = old.three_public
    assert tp is not None
    from dataclasses import replace

    from reconcile.model import Figure

    rows = tuple(
        replace(r, current=Figure(Decimal("3.5"), line=r.current.line))
        if r.current is not None
        else r
        for r in tp.rows
    )
    changed = replace(old, three_public=replace(tp, rows=rows))
    found = check([changed, new], pairs=[(0, 1)], select=["YOY003"])
    assert [(f.key, f.lines[0], f.expected, f.actual) for f in found] == [
        ("公务用车运行经费", 80, "3.50", "3.00"),
        ("合计", 92, "3.50", "3.00"),
    ]


def test_diff_of_documents_in_the_wrong_order_warns(pair) -> None:
    diff = diff_documents(pair[1], pair[0])
    rules = {f.rule for f in diff.findings}
    assert "YOY004" in rules
    assert "YOY001" in rules  # 2481.23 − 2834.55 ≠ 126.48
    assert all(f.document == str(OLD) for f in diff.findings)


def test_check_of_a_folder_pairs_consecutive_years(tmp_path: Path) -> None:
    report = run_check([str(ROOT / "samples")], select=["YOY"])
    assert len(report.documents) >= 2
    assert report.findings == []
    folder = tmp_path / "bureau"
    folder.mkdir()
    shutil.copy(NEW, folder / NEW.name)
    contradicting_2020(folder)
    report = run_check([str(folder)])
    yoy = [f for f in report.findings if f.rule.startswith("YOY")]
    assert [(f.rule, Path(f.document).name, f.lines[0]) for f in yoy] == [("YOY001", NEW.name, 47)]


# ----------------------------------------------------------------------------------- rendering


def test_json_contract(sample_diff) -> None:
    data = json.loads(render(sample_diff, "json"))
    assert data["schema"] == "reconcile.diff/1"
    assert data["old"] == {
        "path": str(OLD),
        "department": "保定白沟新城管理委员会组织人事局",
        "year": 2020,
    }
    assert data["new"]["year"] == 2021
    assert set(data["summary"]) == {"changed", "added", "removed", "unchanged"}
    assert list(data["rows"][0]) == list(compare.ROW_COLUMNS)
    assert data["findings"] == []


def test_toml_leaves_nulls_out_and_csv_has_one_line_per_row(sample_diff) -> None:
    data = tomllib.loads(render(sample_diff, "toml"))
    assert data["schema"] == "reconcile.diff/1"
    added = next(r for r in data["rows"] if r["status"] == "added")
    assert "old" not in added and "old_line" not in added
    csv_text = render(sample_diff, "csv")
    lines = csv_text.splitlines()
    assert lines[0] == ",".join(compare.ROW_COLUMNS)
    assert len(lines) == sample_diff.rows.height + 1


def test_text_lists_moves_then_findings_then_a_summary(tmp_path: Path, pair) -> None:
    old = read_path(str(contradicting_2020(tmp_path))).document
    text = render(diff_documents(old, pair[1]), "text")
    changed, added, removed = (text.index(f"\n{s} (") for s in ("changed", "added", "removed"))
    findings = text.index("\nfindings\n")
    assert changed < added < removed < findings
    assert "YOY001 error" in text
    last = text.rstrip().splitlines()[-1]
    assert "changed," in last and "1 error(s)" in last
    assert "income_total" in text and "+343.32" in text


# ----------------------------------------------------------------------------------------- CLI


def test_cli_diff_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(OLD), str(NEW), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "reconcile.diff/1"
    assert data["summary"]["removed"] == 7
    statuses: dict[tuple[str, str], set[str]] = {}
    for r in data["rows"]:
        statuses.setdefault((r["section"], r["key"]), set()).add(r["status"])
    items = [
        next(s for s in ("added", "removed", "changed", "unchanged") if s in found)
        for found in statuses.values()
    ]
    assert data["summary"] == {s: items.count(s) for s in data["summary"]}


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = str(contradicting_2020(tmp_path))
    assert main(["diff", old, str(NEW), "--only-changed"]) == 1
    assert main(["diff", old, str(NEW), "--fail-on", "never"]) == 0
    assert main(["diff", str(NEW), str(OLD), "--fail-on", "warning"]) == 1  # YOY004
    assert main(["diff", str(OLD), str(tmp_path / "missing.txt")]) == 2
    assert main(["diff", str(OLD), str(NEW), "--tolerance", "1%"]) == 2
    err = capsys.readouterr().err
    assert "missing.txt" in err and "--tolerance" in err
