"""The JSON contracts: what ``extract`` and ``check --format json`` print validates against
schemas/disclosure.schema.json and schemas/findings.schema.json, and the schemas reject what the
contracts forbid."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from reconcile.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
SAMPLE_LINES = SAMPLE.read_text(encoding="utf-8").split("\n")[:-1]

HAND_WRITTEN = """\
schema = "reconcile.disclosure/1"

[document]
department = "保定白沟新城管理委员会组织人事局"
year = 2021
kind = "budget"
title = "保定白沟新城管理委员会组织人事局2021年部门预算信息公开"

[budget]
income_total = 2834.55
income_personnel = 461.98
income_operating = 35.22
income_project = 2337.35
expenditure_total = "2,834.55万元"
basic_total = 497.2
basic_personnel = 461.98
basic_operating = 35.22
project_total = 2337.35
project_own_level = 2337.35
change_total = 353.32
change_project = 364.75

[three_public]
stated_total = 2.7
prior_year = 2020
year = 2021
unit = "万元"
[[three_public.rows]]
name = "公务用车运行经费"
prior = 3
current = 2.7
change = 0.3
reason = "压缩开支"
[[three_public.rows]]
name = "合计"
prior = 3
current = 2.7
change = 0.3
reason = "压缩开支"

[[procurement.lines]]
item = "复印纸"
code = "A090101"
unit = "盒"
quantity = 100
unit_price = 0.05
amount = 5.5
"""


def load_schema(name: str) -> Draft202012Validator:
    schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def disclosure() -> Draft202012Validator:
    return load_schema("disclosure.schema.json")


@pytest.fixture(scope="module")
def findings() -> Draft202012Validator:
    return load_schema("findings.schema.json")


def errors(validator: Draft202012Validator, data: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator.iter_errors(data)
    ]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


def run_quietly(*argv: str) -> dict[str, Any]:
    """The JSON a command prints (for fixtures shared by many tests)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(list(argv))
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def sample_model() -> dict[str, Any]:
    return run_quietly("extract", str(SAMPLE), "--format", "json")


@pytest.fixture(scope="module")
def sample_report() -> dict[str, Any]:
    return run_quietly("check", str(SAMPLE), "--format", "json", "--fail-on", "never")


@pytest.fixture
def hand_written(tmp_path: Path) -> Path:
    path = tmp_path / "hand.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    return path


# --- the schemas themselves ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("disclosure.schema.json", "reconcile.disclosure/1"),
        ("findings.schema.json", "reconcile.findings/1"),
    ],
)
def test_the_schemas_are_draft_2020_12(name, title):
    schema = json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == title
    assert schema["properties"]["schema"] == {"const": title}


def test_the_disclosure_schema_defines_a_figure():
    schema = json.loads((ROOT / "schemas" / "disclosure.schema.json").read_text(encoding="utf-8"))
    figure = schema["$defs"]["figure"]
    assert figure["required"] == ["value", "line"]
    assert figure["properties"]["value"] == {"$ref": "#/$defs/decimal"}


# --- extract ---------------------------------------------------------------------------------------


def test_extract_json_of_the_sample_is_valid(disclosure, capsys):
    code, data = run(capsys, "extract", str(SAMPLE), "--format", "json")
    assert code == 0
    assert errors(disclosure, data) == []


def test_extract_json_of_a_hand_written_toml_is_valid(disclosure, capsys, hand_written):
    code, data = run(capsys, "extract", str(hand_written), "--format", "json")
    assert code == 0
    assert errors(disclosure, data) == []
    # what makes it differ from the sample: figures without lines, absent parts
    assert data["budget"]["income_total"] == {
        "value": "2834.55",
        "line": None,
        "location": "budget.income_total",
    }
    assert data["assets"] is None and data["performance"] is None


def test_extract_json_of_the_sample_without_part_six_is_valid(disclosure, capsys, tmp_path):
    path = tmp_path / "without-procurement.txt"
    path.write_text("\n".join(SAMPLE_LINES[:2269] + SAMPLE_LINES[2482:]) + "\n", encoding="utf-8")
    code, data = run(capsys, "extract", str(path))
    assert code == 0
    assert data["procurement"] is None
    assert errors(disclosure, data) == []


# a valid model made invalid in one place -> the pointer the schema names
BROKEN_MODELS = [
    ("a figure as a JSON number", ("budget", "income_total", "value"), 2834.55),
    ("a figure with separators", ("budget", "income_total", "value"), "2,834.55"),
    ("a figure with full-width digits", ("budget", "income_total", "value"), "２８３４.５５"),
    ("a figure in exponent form", ("budget", "income_total", "value"), "2.83455E+3"),
    ("a figure without its line", ("budget", "income_total"), {"value": "2834.55"}),
    ("a zero line", ("budget", "income_total", "line"), 0),
    ("another schema", ("schema",), "reconcile.disclosure/2"),
    ("a kind that is neither", ("document", "kind"), "draft"),
    ("a part as zeros", ("procurement",), 0),
]


@pytest.mark.parametrize(
    ("where", "value"), [b[1:] for b in BROKEN_MODELS], ids=[b[0] for b in BROKEN_MODELS]
)
def test_the_disclosure_schema_rejects(disclosure, sample_model, where, value):
    broken = copy.deepcopy(sample_model)
    target = broken
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    assert errors(disclosure, broken) != []


@pytest.mark.parametrize(
    "key", ["document", "budget", "procurement", "assets", "performance", "schema"]
)
def test_the_disclosure_schema_requires_every_part_even_when_null(disclosure, sample_model, key):
    data = copy.deepcopy(sample_model)
    del data[key]
    assert errors(disclosure, data) != []


def test_the_disclosure_schema_requires_all_13_budget_keys(disclosure, sample_model):
    data = copy.deepcopy(sample_model)
    del data["budget"]["project_lower_level"]  # null in the sample: must still be there
    assert errors(disclosure, data) != []


# --- check -------------------------------------------------------------------------------------


def test_check_json_of_the_sample_is_valid(findings, capsys):
    code, data = run(capsys, "check", str(SAMPLE), "--format", "json", "--fail-on", "never")
    assert code == 0
    assert errors(findings, data) == []
    assert data["errors"] == []
    assert [d["path"] for d in data["documents"]] == [str(SAMPLE)]
    assert len(data["findings"]) > 0
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in data["findings"]:
        counts[finding["severity"]] += 1
    assert data["summary"] == counts


def test_check_json_of_a_folder_with_an_unreadable_file_is_valid(findings, capsys, tmp_path):
    shutil.copy(SAMPLE, tmp_path / "2021.txt")
    (tmp_path / "scan.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (tmp_path / "empty.txt").write_bytes(b"")
    code, data = run(capsys, "check", str(tmp_path), "--format", "json", "--fail-on", "never")
    assert code == 2  # inputs that could not be read
    assert errors(findings, data) == []
    assert sorted(Path(e["document"]).name for e in data["errors"]) == ["empty.txt", "scan.txt"]
    assert [Path(d["path"]).name for d in data["documents"]] == ["2021.txt"]


def test_check_json_of_a_hand_written_toml_is_valid(findings, capsys, hand_written):
    _, data = run(capsys, "check", str(hand_written), "--format", "json", "--fail-on", "never")
    assert errors(findings, data) == []
    located = [f for f in data["findings"] if not f["lines"]]
    assert all(f["location"] for f in located)


BROKEN_REPORTS = [
    ("an unknown severity", ("findings", 0, "severity"), "fatal"),
    ("an unknown section", ("findings", 0, "section"), "glossary"),
    ("lines as strings", ("findings", 0, "lines"), ["47"]),
    ("a line of zero", ("findings", 0, "lines"), [0]),
    ("a rule that is no code", ("findings", 0, "rule"), "budget-totals"),
    ("a summary without info", ("summary",), {"error": 0, "warning": 0}),
    ("a negative count", ("summary", "error"), -1),
    ("an error without its message", ("errors",), [{"document": "x.txt"}]),
    ("another schema", ("schema",), "reconcile.disclosure/1"),
]


@pytest.mark.parametrize(
    ("where", "value"), [b[1:] for b in BROKEN_REPORTS], ids=[b[0] for b in BROKEN_REPORTS]
)
def test_the_findings_schema_rejects(findings, sample_report, where, value):
    broken = copy.deepcopy(sample_report)
    target = broken
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    assert errors(findings, broken) != []


@pytest.mark.parametrize("key", ["id", "rule", "severity", "section", "lines", "location"])
def test_the_findings_schema_requires_every_finding_key(findings, sample_report, key):
    data = copy.deepcopy(sample_report)
    del data["findings"][0][key]
    assert errors(findings, data) != []
