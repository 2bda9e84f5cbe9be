"""The canonical format (``reconcile.disclosure/1``): JSON and TOML out, TOML back in, and the
``extract`` command that writes them.

The expected figures are the sample's (read off the document, see test_extract_sample.py) or those
of the small TOML files written out here by hand.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reconcile.canonical import document_to_dict, dumps_json, dumps_toml, loads_toml
from reconcile.cli import main
from reconcile.errors import ReadError
from reconcile.model import BUDGET_FIELDS, PROCUREMENT_FIGURE_FIELDS
from reconcile.reader import read_bytes, read_path

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
SAMPLE_BYTES = SAMPLE.read_bytes()
SAMPLE_LINES = SAMPLE_BYTES.decode("utf-8").split("\n")[:-1]
ASCII_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
SECTIONS = (
    "organization",
    "budget",
    "running_costs",
    "three_public",
    "procurement",
    "assets",
    "performance",
    "glossary",
    "parts",
    "years",
    "problems",
)


@pytest.fixture(scope="module")
def sample_json() -> dict[str, Any]:
    return json.loads(dumps_json(read_path(str(SAMPLE)).document))


def figures(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """(key path, figure) for every place of the JSON model that holds a figure."""
    out: list[tuple[str, Any]] = []
    if data.get("budget") is not None:
        out += [(f"budget.{f}", data["budget"][f]) for f in BUDGET_FIELDS]
    rc = data.get("running_costs")
    if rc is not None:
        out.append(("running_costs.total", rc["total"]))
        out += [
            (f"running_costs.items[{i}].amount", x["amount"]) for i, x in enumerate(rc["items"])
        ]
    tp = data.get("three_public")
    if tp is not None:
        out.append(("three_public.stated_total", tp["stated_total"]))
        for i, row in enumerate(tp["rows"]):
            out += [(f"three_public.rows[{i}].{k}", row[k]) for k in ("prior", "current", "change")]
    proc = data.get("procurement")
    if proc is not None:
        out.append(("procurement.stated_total", proc["stated_total"]))
        rows = [(f"procurement.lines[{i}]", r) for i, r in enumerate(proc["lines"])]
        if proc["total_row"] is not None:
            rows.append(("procurement.total_row", proc["total_row"]))
        for path, row in rows:
            out += [(f"{path}.{f}", row[f]) for f in PROCUREMENT_FIGURE_FIELDS]
    assets = data.get("assets")
    if assets is not None:
        out.append(("assets.stated_total", assets["stated_total"]))
        out.append(("assets.planned_purchase", assets["planned_purchase"]))
        out += [(f"assets.rows[{i}].value", r["value"]) for i, r in enumerate(assets["rows"])]
    return out


# --- TOML round trip -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the sample's model, the model read back from ``extract --format toml``) as JSON data."""
    folder = tmp_path_factory.mktemp("toml")
    out = folder / "sample.toml"
    assert main(["extract", str(SAMPLE), "--format", "toml", "--output", str(out)]) == 0
    original = document_to_dict(read_path(str(SAMPLE)).document)
    again = document_to_dict(read_path(str(out)).document)
    return original, again


@pytest.mark.parametrize("section", SECTIONS)
def test_toml_reads_back_to_an_equal_model(round_trip, section):
    original, again = round_trip
    assert original[section] is not None
    assert again[section] == original[section]


def test_toml_reads_back_the_document_info_except_where_it_came_from(round_trip):
    original, again = round_trip
    assert again["document"]["source"].endswith("sample.toml")
    assert again["document"]["source_kind"] == "toml"
    assert again["document"]["encoding"] == "utf-8"
    for key in ("source", "source_kind", "encoding"):
        del original["document"][key], again["document"][key]
    assert again["document"] == original["document"]
    assert set(again) == set(original)


def test_toml_keeps_the_written_precision_of_every_figure(round_trip):
    original, again = round_trip
    values = [(path, fig["value"]) for path, fig in figures(again) if fig is not None]
    assert values == [(path, fig["value"]) for path, fig in figures(original) if fig is not None]
    assert ("budget.basic_total", "497.2") in values  # 基本支出 497.2万元 (line 41)
    assert ("procurement.lines[4].budget", "5") in values  # 复印纸 预算资金 5 (line 2383)


# --- the JSON contract ---------------------------------------------------------------------------


def test_json_has_the_contract_keys(sample_json):
    assert sample_json["schema"] == "reconcile.disclosure/1"
    for key in (
        "document",
        "organization",
        "budget",
        "running_costs",
        "three_public",
        "procurement",
        "assets",
        "performance",
    ):
        assert key in sample_json, key
    document = sample_json["document"]
    assert {"department", "year", "kind", "title", "source", "encoding"} <= set(document)
    assert (document["department"], document["year"], document["kind"]) == (
        "保定白沟新城管理委员会组织人事局",
        2021,
        "budget",
    )
    assert set(BUDGET_FIELDS) <= set(sample_json["budget"])
    assert len(BUDGET_FIELDS) == 13


def test_json_figures_are_ascii_decimal_strings_with_their_line(sample_json):
    found = figures(sample_json)
    assert len(found) > 100
    for path, fig in found:
        if fig is None:
            continue
        assert isinstance(fig, dict), path
        assert isinstance(fig["value"], str), path
        assert ASCII_DECIMAL.fullmatch(fig["value"]), (path, fig["value"])
        assert isinstance(fig["line"], int) and not isinstance(fig["line"], bool), path


def test_json_figures_read_as_the_document_writes_them(sample_json):
    budget = sample_json["budget"]
    assert budget["income_total"] == {
        "value": "2834.55",
        "line": 35,
        "col": 16,
        "text": "2834.55万元",
        "unit": "万元",
    }
    assert budget["project_lower_level"] is None  # 对下支出: not stated, not zero
    assert sample_json["assets"]["rows"][0]["value"]["value"] == "1534512.83"


def test_json_values_have_no_separators_or_full_width_digits():
    lines = list(SAMPLE_LINES)
    lines[34] = lines[34].replace("2834.55万元", "２８３４.５５万元")  # line 35
    lines[2502] = lines[2502].replace("1534512.83", "1,534,512.83")  # line 2503
    data = json.loads(dumps_json(read_bytes(("\n".join(lines) + "\n").encode(), "x.txt").document))
    assert data["budget"]["income_total"]["value"] == "2834.55"
    assert data["budget"]["income_total"]["text"] == "２８３４.５５万元"
    assert data["assets"]["rows"][0]["value"]["value"] == "1534512.83"
    for path, fig in figures(data):
        if fig is not None:
            assert ASCII_DECIMAL.fullmatch(fig["value"]), (path, fig["value"])


# --- a hand-written TOML -------------------------------------------------------------------------

HAND_WRITTEN = """\
schema = "reconcile.disclosure/1"

[document]
department = "保定白沟新城管理委员会组织人事局"
year = 2021
kind = "budget"
title = "保定白沟新城管理委员会组织人事局2021年部门预算信息公开"

[budget]
income_total = 2834.55
income_personnel = "461.98"
income_operating = "35.22万元"
income_project = "2,337.35万元"
expenditure_total = { value = "2834.55", line = 40 }
basic_total = 497.2
basic_personnel = 461.98
basic_operating = 35.22
project_total = 2337.35
project_own_level = 2337.35
change_total = 353.32
change_project = 364.75

[running_costs]
total = 35.22
partial = true
items = [{ name = "办公费", amount = 8.3 }, { name = "差旅费", amount = "1.55万元" }]

[procurement]
stated_total = 5.40

[[procurement.lines]]
item = "激光打印机"
code = "A0201060102"
unit = "台"
quantity = 2
unit_price = 0.2
amount = 0.40

[[procurement.lines]]
item = "复印纸"
code = "A090101"
unit = "盒"
quantity = 100
unit_price = 0.05
amount = 5

[procurement.total_row]
amount = 5.40

[assets]
stated_total = 153.45
stated_total_unit = "万元"
table_unit = "元"

[[assets.rows]]
name = "二、固定资产"
row_no = "3"
value = 1534512.83
"""


@pytest.fixture(scope="module")
def hand_written():
    return read_bytes(HAND_WRITTEN.encode("utf-8"), "hand.toml").document


def test_hand_written_numbers_are_read_exactly(hand_written):
    budget = hand_written.budget
    # TOML floats are read as written, never through a binary float
    assert str(budget.income_total.value) == "2834.55"
    assert str(budget.basic_total.value) == "497.2"
    lines = hand_written.procurement.lines
    assert [str(x.unit_price.value) for x in lines] == ["0.2", "0.05"]
    assert [str(x.amount.value) for x in lines] == ["0.40", "5"]
    assert [str(x.quantity.value) for x in lines] == ["2", "100"]
    assert str(hand_written.procurement.total_row.amount.value) == "5.40"
    assert hand_written.assets.rows[0].value.value == Decimal("1534512.83")
    assert str(hand_written.assets.rows[0].value.value) == "1534512.83"


def test_hand_written_strings_are_read_as_numbers_with_their_unit(hand_written):
    budget = hand_written.budget
    assert budget.income_personnel.value == Decimal("461.98")
    assert (budget.income_operating.value, budget.income_operating.unit) == (
        Decimal("35.22"),
        "万元",
    )
    assert (str(budget.income_project.value), budget.income_project.unit) == ("2337.35", "万元")
    office, travel = hand_written.running_costs.items
    assert (office.name, office.amount.value) == ("办公费", Decimal("8.3"))
    assert (travel.name, travel.amount.value, travel.amount.unit) == (
        "差旅费",
        Decimal("1.55"),
        "万元",
    )


def test_hand_written_figures_are_located_by_their_key_path(hand_written):
    budget = hand_written.budget
    assert (budget.income_total.line, budget.income_total.location) == (
        None,
        "budget.income_total",
    )
    assert budget.income_project.location == "budget.income_project"
    # a figure written with its line keeps the line and needs no key path
    assert (budget.expenditure_total.line, budget.expenditure_total.location) == (40, None)
    rc = hand_written.running_costs
    assert rc.items[1].amount.location == "running_costs.items[1].amount"
    proc = hand_written.procurement
    assert proc.lines[1].amount.location == "procurement.lines[1].amount"
    assert proc.total_row.amount.location == "procurement.total_row.amount"
    assert hand_written.assets.rows[0].value.location == "assets.rows[0].value"
    assert hand_written.assets.rows[0].location == "assets.rows[0]"


def test_hand_written_absent_parts_and_figures_are_none(hand_written):
    assert hand_written.info.source_kind == "toml"
    assert (hand_written.info.department, hand_written.info.year) == (
        "保定白沟新城管理委员会组织人事局",
        2021,
    )
    assert hand_written.organization is None
    assert hand_written.three_public is None
    assert hand_written.performance is None
    assert hand_written.glossary is None
    assert hand_written.budget.project_lower_level is None
    assert hand_written.procurement.lines[0].fund_budget is None
    assert hand_written.assets.planned_purchase is None
    assert hand_written.problems == ()


def test_hand_written_toml_to_json_keeps_nulls_and_paths(hand_written):
    data = json.loads(dumps_json(hand_written))
    assert data["three_public"] is None
    assert data["budget"]["project_lower_level"] is None
    assert data["budget"]["income_total"] == {
        "value": "2834.55",
        "line": None,
        "location": "budget.income_total",
    }


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ('"abc"', "'abc'"),
        ("true", "True"),
        ("nan", "Decimal('NaN')"),
        ("inf", "Decimal('Infinity')"),
        ('"NaN123"', "'NaN123'"),  # a NaN with digits after it is a NaN too
        ('"-sNaN7"', "'-sNaN7'"),
        ('""', None),
    ],
)
def test_a_hand_written_figure_that_is_no_number_is_a_problem_not_an_error(written, shown):
    doc = loads_toml(
        f'schema = "reconcile.disclosure/1"\n[budget]\nincome_total = {written}\n'
        "expenditure_total = 2834.55\n",
        "hand.toml",
    )
    assert doc.budget.income_total is None
    assert doc.budget.expenditure_total.value == Decimal("2834.55")
    if shown is None:  # an empty string is an empty figure
        assert doc.problems == ()
        return
    (problem,) = doc.problems
    assert (problem.section, problem.location) == ("budget", "budget.income_total")
    assert problem.message == f"budget.income_total: not a number: {shown}"


# --- absent parts: null in JSON, left out of TOML, never zero ------------------------------------


@pytest.fixture(scope="module")
def without_procurement() -> bytes:
    # delete part 六 (its heading on line 2270 to the blank lines before part 七 on line 2483)
    lines = SAMPLE_LINES[:2269] + SAMPLE_LINES[2482:]
    assert lines[2269] == "第七部分：国有资产信息情况说明"
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_part_missing_from_the_text_is_null_in_json(without_procurement):
    doc = read_bytes(without_procurement, "x.txt").document
    assert doc.procurement is None
    data = json.loads(dumps_json(doc))
    assert data["procurement"] is None
    # the rest is read as before; part 七 moved up by the 213 deleted lines
    assert data["budget"]["income_total"]["value"] == "2834.55"
    assert data["assets"]["stated_total"]["line"] == 2484 - 213


def test_a_part_missing_from_the_text_is_left_out_of_toml(without_procurement, tmp_path):
    doc = read_bytes(without_procurement, "x.txt").document
    text = dumps_toml(doc)
    data = tomllib.loads(text)
    assert "procurement" not in data
    assert "project_lower_level" not in data["budget"]
    assert "budget" in data and "assets" in data
    path = tmp_path / "without.toml"
    path.write_text(text, encoding="utf-8")
    again = read_path(str(path)).document
    assert again.procurement is None
    assert again.budget.project_lower_level is None


# --- TOML that is not ours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("schema = \n", "not valid TOML"),
        ('schema = "reconcile.disclosure/1"\n[budget\n', "not valid TOML"),
        ('schema = "reconcile.findings/1"\n', "reconcile.findings/1"),
        ("[document]\nyear = 2021\n", "schema"),
        ("title = '保定白沟新城管理委员会组织人事局'\n", "schema"),
    ],
    ids=["no value", "unclosed table", "another schema", "no schema", "no schema, a title"],
)
def test_toml_that_is_not_a_disclosure_is_a_read_error(text, words):
    with pytest.raises(ReadError) as caught:
        read_bytes(text.encode("utf-8"), "x.toml")
    assert caught.value.path == "x.toml"
    assert words in caught.value.reason


# --- the extract command -------------------------------------------------------------------------


def test_extract_prints_json_on_stdout(capsys):
    assert main(["extract", str(SAMPLE), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data["schema"] == "reconcile.disclosure/1"
    assert data["budget"]["change_total"]["value"] == "353.32"
    assert data["budget"]["change_total"]["line"] == 47


def test_extract_prints_toml_on_stdout(capsys):
    assert main(["extract", str(SAMPLE), "--format", "toml"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = tomllib.loads(out)
    assert data["schema"] == "reconcile.disclosure/1"
    assert data["budget"]["income_total"]["value"] == "2834.55"


def test_extract_output_replaces_an_existing_file_whole(tmp_path, capsys):
    assert main(["extract", str(SAMPLE), "--format", "json"]) == 0
    expected = capsys.readouterr().out
    out = tmp_path / "sample.json"
    out.write_text("x" * (len(expected.encode()) * 3), encoding="utf-8")  # longer than the JSON
    assert main(["extract", str(SAMPLE), "--format", "json", "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(out) in captured.err
    assert out.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.json"]  # no temporary left


def test_extract_output_to_a_missing_folder_fails_and_touches_nothing(tmp_path, capsys):
    existing = tmp_path / "sample.json"
    existing.write_text("the previous extract\n", encoding="utf-8")
    missing = tmp_path / "no-such-folder" / "sample.json"
    assert main(["extract", str(SAMPLE), "--output", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "no-such-folder" in captured.err
    assert "Traceback" not in captured.err
    assert not missing.parent.exists()
    assert existing.read_text(encoding="utf-8") == "the previous extract\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.json"]


def test_extract_output_that_fails_midway_leaves_the_existing_file_whole(
    tmp_path, capsys, monkeypatch
):
    existing = tmp_path / "sample.json"
    existing.write_text("the previous extract\n", encoding="utf-8")

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reconcile.export.os.replace", disk_full)
    assert main(["extract", str(SAMPLE), "--output", str(existing)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "No space left on device" in captured.err
    assert existing.read_text(encoding="utf-8") == "the previous extract\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.json"]


def test_extract_reads_standard_input(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(SAMPLE_BYTES)))
    assert main(["extract", "-"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data["document"]["department"] == "保定白沟新城管理委员会组织人事局"
    assert data["budget"]["income_total"]["line"] == 35


def test_extract_reads_a_canonical_toml_from_standard_input(capsys, monkeypatch):
    monkeypatch.setattr(
        "sys.stdin", SimpleNamespace(buffer=io.BytesIO(HAND_WRITTEN.encode("utf-8")))
    )
    assert main(["extract", "-", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["budget"]["income_total"]["location"] == "budget.income_total"


def test_extract_of_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    missing = tmp_path / "2021年部门预算.txt"
    assert main(["extract", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert str(missing) in err
    assert "Traceback" not in err


def test_extract_of_a_pdf_is_one_line_and_exit_2(tmp_path, capsys):
    pdf = tmp_path / "budget.txt"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    assert main(["extract", str(pdf)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert str(pdf) in err and "PDF" in err


def test_hand_written_performance_targets_are_parsed_when_not_given():
    doc = loads_toml(
        """\
schema = "reconcile.disclosure/1"

[[performance.projects]]
name = "组织人事临时聘用资金"
goals = ["保障日常工作正常运行", "保障工资福利正常发放"]

[[performance.projects.indicators]]
level1 = "产出指标"
level2 = "数量指标"
level3 = "准确率"
target = "≥95百分比"
basis = "准确率"

[[performance.projects.indicators]]
level1 = "效益指标"
level2 = "社会效益指标"
level3 = "因就业问题发生重大群体事件数量"
target = "<1件"
""",
        "hand.toml",
    )
    (project,) = doc.performance.projects
    assert (project.name, project.goals) == (
        "组织人事临时聘用资金",
        ("保障日常工作正常运行", "保障工资福利正常发放"),
    )
    assert project.location == "performance.projects[0]"
    first, second = project.indicators
    assert (first.target_op, str(first.target_value), first.target_unit) == ("≥", "95", "%")
    assert (second.target_op, str(second.target_value), second.target_unit) == ("<", "1", "件")
    assert second.location == "performance.projects[0].indicators[1]"
    assert second.basis is None


def test_a_hand_written_toml_writes_back_to_the_same_model(hand_written, tmp_path):
    path = tmp_path / "again.toml"
    path.write_text(dumps_toml(hand_written), encoding="utf-8")
    again = document_to_dict(read_path(str(path)).document)
    first = document_to_dict(hand_written)
    for data in (first, again):
        del data["document"]["source"]
    assert again == first
