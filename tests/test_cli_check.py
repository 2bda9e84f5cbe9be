"""`reconcile check` as a script uses it: formats, exit codes, select/ignore, baselines, settings
files and languages, on the real sample.

The sample's findings used here are ones a reader confirms by hand: the 三公 table writes its
change as 0.3 where 2.7 − 3 = −0.3 (TPE002, a sign warning on lines 82 and 94), and the project
change 364.75 exceeds the whole change 353.32 (BUD008, line 47). It has no error-severity finding.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tomllib
from pathlib import Path

import pytest

from reconcile.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_names_file_line_code_and_figures(capsys):
    code, out, _ = run(capsys, "check", str(SAMPLE), "--select", "TPE002")
    lines = out.splitlines()
    assert code == 0  # warnings only; --fail-on defaults to error
    assert lines[0].startswith(f"{SAMPLE}:82: TPE002 warning ")
    assert "(expected -0.30, actual 0.30, difference 0.60, tolerance 0.015)" in lines[0]
    assert lines[1].startswith(f"{SAMPLE}:94: TPE002 warning ")
    assert lines[-1] == "0 error(s), 2 warning(s), 0 info in 1 document(s)"


@pytest.mark.parametrize(
    ("fail_on", "expected"), [("error", 0), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on_sets_the_exit_status(capsys, fail_on, expected):
    code, _, _ = run(capsys, "check", str(SAMPLE), "--select", "BUD,TPE", "--fail-on", fail_on)
    assert code == expected


def test_an_error_fails_by_default(capsys, tmp_path):
    # 461.98 + 35.22 = 497.20, so a basic total of 498.2 breaks BUD003 (and BUD002) by 1.00
    text = SAMPLE.read_text(encoding="utf-8").replace("基本支出 497.2万元", "基本支出 498.2万元")
    variant = tmp_path / "variant.txt"
    variant.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(variant), "--select", "BUD003")
    assert code == 1
    assert f"{variant}:41: BUD003 error" in out
    assert "(expected 497.20, actual 498.2" in out


def test_select_and_ignore_take_prefixes(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json", "--select", "TPE,BUD0")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert rules == {"TPE002", "TPE006", "BUD008"}
    _, out, _ = run(
        capsys, "check", str(SAMPLE), "--format", "json", "--select", "TPE", "--ignore", "tpe006"
    )
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"TPE002"}


def test_csv_joins_lines_with_semicolons(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "csv", "--select", "TPE002")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["lines"] for r in rows] == ["82;81;80;79", "94;93;92;91"]
    assert {r["severity"] for r in rows} == {"warning"}


def test_toml_export_has_the_json_content_without_nulls(capsys):
    _, out_json, _ = run(capsys, "check", str(SAMPLE), "--format", "json", "--select", "BUD008")
    _, out_toml, _ = run(capsys, "check", str(SAMPLE), "--format", "toml", "--select", "BUD008")
    as_json, as_toml = json.loads(out_json), tomllib.loads(out_toml)
    assert as_toml["schema"] == "reconcile.findings/1"
    finding = as_toml["findings"][0]
    assert finding == {k: v for k, v in as_json["findings"][0].items() if v is not None}
    assert "location" not in finding  # null in JSON, left out in TOML


def test_markdown_report_has_a_table_per_document(capsys):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "markdown", "--select", "BUD008")
    assert "## 保定白沟新城管理委员会组织人事局 2021 budget" in out
    assert "| warning | BUD008 change-part-exceeds-whole | 47 |" in out


def test_parquet_needs_an_output_file(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(SAMPLE), "--format", "parquet")
    assert code == 2 and "--output" in err
    out = tmp_path / "f.parquet"
    assert run(capsys, "check", str(SAMPLE), "--format", "parquet", "-o", str(out))[0] == 0
    import polars as pl

    frame = pl.read_parquet(out)
    assert frame.filter(pl.col("rule") == "BUD008")["lines"].to_list() == [[47]]
    assert set(frame["year"].to_list()) == {2021}


def test_baseline_hides_accepted_findings_even_after_lines_move(capsys, tmp_path):
    baseline = tmp_path / "baseline.toml"
    code, _, err = run(
        capsys, "check", str(SAMPLE), "--select", "TPE", "--write-baseline", str(baseline)
    )
    assert "wrote 3 finding id(s)" in err
    written = tomllib.loads(baseline.read_text(encoding="utf-8"))
    assert {e["rule"] for e in written["finding"]} == {"TPE002", "TPE006"}
    assert all(e["reason"] == "" for e in written["finding"])

    # three lines added at the top move every line; the accepted findings stay hidden
    moved = tmp_path / "moved.txt"
    moved.write_text("\n\n\n" + SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(moved), "--select", "TPE", "--baseline", str(baseline))
    assert out.splitlines()[-1].endswith("; 3 hidden by the baseline")
    assert "TPE002" not in out

    # a new finding still shows: break the 三公 合计 of this year (2.7 -> 2.9)
    text = moved.read_text(encoding="utf-8").split("\n")
    assert text[93 - 1 + 3] == "\t2.7"  # line 93 of the sample: 合计, 2021年度预算
    text[93 - 1 + 3] = "\t2.9"
    moved.write_text("\n".join(text), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(moved), "--select", "TPE", "--baseline", str(baseline))
    assert code == 1
    assert "TPE001 error" in out and "TPE003 error" in out


def test_baseline_keeps_reasons_when_rewritten(capsys, tmp_path):
    baseline = tmp_path / "baseline.toml"
    run(capsys, "check", str(SAMPLE), "--select", "BUD008", "--write-baseline", str(baseline))
    text = baseline.read_text(encoding="utf-8").replace('reason = ""', 'reason = "checked"')
    baseline.write_text(text, encoding="utf-8")
    run(capsys, "check", str(SAMPLE), "--select", "BUD008", "--write-baseline", str(baseline))
    entries = tomllib.loads(baseline.read_text(encoding="utf-8"))["finding"]
    assert [e["reason"] for e in entries] == ["checked"]


def test_settings_file_is_found_upwards_and_the_command_line_wins(capsys, tmp_path, monkeypatch):
    (tmp_path / "reconcile.toml").write_text(
        'select = ["TPE"]\nignore = ["TPE006"]\nfail-on = "warning"\n', encoding="utf-8"
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    code, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json")
    assert code == 1  # fail-on warning from the file
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"TPE002"}
    code, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json", "--fail-on", "error")
    assert code == 0


def test_pyproject_tool_section_is_read(capsys, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.reconcile]\nselect = "BUD008"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, "check", str(SAMPLE), "--format", "json")
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"BUD008"}


@pytest.mark.parametrize("name", ["pyproject.toml", "reconcile.toml"])
@pytest.mark.parametrize("reconcile", ["1", '"x"', "[1]"])
def test_a_tool_reconcile_that_is_not_a_table_is_a_usage_error(
    capsys, tmp_path, monkeypatch, name, reconcile
):
    (tmp_path / name).write_text(f"[tool]\nreconcile = {reconcile}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", str(SAMPLE))
    assert (code, out) == (2, "")
    assert err == f"reconcile: {tmp_path / name}: [tool.reconcile] must be a table of settings\n"


def test_a_pyproject_whose_tool_is_not_a_table_is_not_a_settings_file(
    capsys, tmp_path, monkeypatch
):
    (tmp_path / "pyproject.toml").write_text("tool = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", str(SAMPLE), "--format", "json")
    assert code in (0, 1) and err == ""
    assert json.loads(out)["findings"]


def test_a_bad_settings_file_is_a_usage_error(capsys, tmp_path, monkeypatch):
    (tmp_path / "reconcile.toml").write_text('fail_on = "sometimes"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", str(SAMPLE))
    assert code == 2 and out == ""
    assert "fail-on must be one of" in err
    (tmp_path / "reconcile.toml").write_text("colour = true\n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(SAMPLE))
    assert code == 2 and "unknown setting 'colour'" in err
    for jobs in ("0", "true", '"2"'):  # true is not a number of jobs, though Python says 1
        (tmp_path / "reconcile.toml").write_text(f"jobs = {jobs}\n", encoding="utf-8")
        code, _, err = run(capsys, "check", str(SAMPLE))
        assert code == 2 and "jobs must be a whole number of at least 1" in err
    (tmp_path / "reconcile.toml").write_text('lang = "fr"\n', encoding="utf-8")
    code, _, err = run(capsys, "check", str(SAMPLE))
    assert code == 2 and "lang must be en or zh" in err


def test_chinese_messages(capsys, monkeypatch):
    _, out, _ = run(capsys, "check", str(SAMPLE), "--select", "BUD008", "--lang", "zh")
    assert "353.32" in out and "364.75" in out
    assert any("\u4e00" <= ch <= "\u9fff" for ch in out.splitlines()[0].split("BUD008", 1)[1])
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    _, out_default, _ = run(capsys, "check", str(SAMPLE), "--select", "BUD008")
    assert out_default == out


def test_ids_are_stable_and_distinct(capsys):
    _, first, _ = run(capsys, "check", str(SAMPLE), "--format", "json")
    _, second, _ = run(capsys, "check", str(SAMPLE), "--format", "json")
    ids = [f["id"] for f in json.loads(first)["findings"]]
    assert ids == [f["id"] for f in json.loads(second)["findings"]]
    assert len(ids) == len(set(ids))


def test_rule_documentation(capsys):
    code, out, _ = run(capsys, "rule", "prc001")
    assert code == 0
    assert out.startswith("PRC001 quantity-times-price (error, procurement)")
    code, _, err = run(capsys, "rule", "XYZ999")
    assert code == 2 and "no rule 'XYZ999'" in err
    _, out, _ = run(capsys, "rules", "--format", "json")
    codes = [r["code"] for r in json.loads(out)]
    assert codes == sorted(codes) and len(codes) >= 25


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("quiet", [False, True], ids=["shown", "--quiet"])
def test_a_batch_shows_progress_on_a_terminal_stderr_and_never_on_stdout(
    tmp_path, monkeypatch, capsys, quiet
):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_bytes(SAMPLE.read_bytes())
    args = ["check", str(folder), "--format", "json", "--jobs", "1"]
    code, plain, _ = run(capsys, *args)  # stderr is not a terminal: no bar
    monkeypatch.setattr("reconcile.cli.PROGRESS_AFTER", 0.0)  # any batch counts as slow here
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main([*args, *(["--quiet"] if quiet else [])]) == code
    assert capsys.readouterr().out == plain  # the report on stdout is untouched
    assert ("reading" in terminal.getvalue()) is not quiet
