"""The report's renderings are written from the findings frame by Polars (reconcile/report.py).
They must write exactly what the libraries that define the formats write: ``json.dumps`` (with
``ensure_ascii=False, indent=2``) and ``tomli_w.dumps``, for any text a finding may hold, and the
text and Markdown layouts the README describes. The expected documents here are built from the
findings' fields by those libraries, not by the code under test.
"""

from __future__ import annotations

import io
import json
import tomllib
from typing import Any

import polars as pl
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconcile import report as report_module
from reconcile.engine import FINDINGS_SCHEMA
from reconcile.errors import ReadFailure
from reconcile.model import Document, DocumentInfo
from reconcile.report import FINDING_KEYS, Report, render, write

# Text a finding may carry: any code point Polars can hold (no lone surrogates), with the
# characters the formats escape made frequent.
TRICKY = '"\\\n\r\t\b\f\x00\x01\x1f\x7f|`#[]= 万元≠\u2028\U0001f600'
text = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(TRICKY)),
    max_size=12,
)
maybe = st.none() | text


@st.composite
def findings(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(0, 7))):
        rows.append(
            {
                "id": draw(st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)),
                "rule": draw(st.sampled_from(["BUD001", "TPE002", "PRC003", "AST010"])),
                "name": draw(st.sampled_from(["basic-parts", "three-public", "x"])),
                "severity": draw(st.sampled_from(["error", "warning", "info"])),
                "section": draw(text),
                "document": draw(st.sampled_from(["a.txt", "b/c 预算.docx", 'q"|.toml'])),
                "message": draw(text),
                "expected": draw(maybe),
                "actual": draw(maybe),
                "difference": draw(maybe),
                "tolerance": draw(maybe),
                "lines": draw(st.none() | st.lists(st.integers(1, 10**6), max_size=4)),
                "location": draw(maybe),
                "key": draw(maybe),
                "department": draw(maybe),
                "year": draw(st.none() | st.integers(1990, 2100)),
                "doc": None,
            }
        )
    return rows


def make_report(rows: list[dict[str, Any]], errors: list[ReadFailure] | None = None) -> Report:
    frame = pl.DataFrame(rows, schema=FINDINGS_SCHEMA)
    documents = [
        Document(info=DocumentInfo("某局", 2021, "budget", None, "a.txt", "utf-8")),
        Document(info=DocumentInfo(None, None, None, None, "b/c 预算.docx", None, "docx")),
        Document(info=DocumentInfo("无问题", 2020, "budget", None, "none.txt", "gb18030")),
    ]
    return Report(documents, errors=errors or [], frame=frame)


def expected_object(rows: list[dict[str, Any]], report: Report) -> dict[str, Any]:
    """The JSON contract's object, built from the findings' fields."""
    summary = {"error": 0, "warning": 0, "info": 0}
    for row in rows:
        summary[row["severity"]] += 1
    return {
        "schema": "reconcile.findings/1",
        "documents": [
            {
                "path": d.info.source,
                "department": d.info.department,
                "year": d.info.year,
                "kind": d.info.kind,
                "encoding": d.info.encoding,
            }
            for d in report.documents
        ],
        "errors": [{"document": e.document, "message": e.message} for e in report.errors],
        "summary": summary,
        "findings": [
            {k: (row[k] or [] if k == "lines" else row[k]) for k in FINDING_KEYS} for row in rows
        ],
    }


def without_nulls(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: without_nulls(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [without_nulls(v) for v in obj]
    return obj


ERRORS = [ReadFailure("broken.docx", 'not a Word file: "zip" \\ missing')]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(findings(), st.booleans())
def test_json_is_what_json_dumps_writes(rows, with_errors):
    report = make_report(rows, ERRORS if with_errors else None)
    expected = json.dumps(expected_object(rows, report), ensure_ascii=False, indent=2) + "\n"
    assert render(report, "json").decode() == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(findings(), st.booleans())
def test_toml_is_what_tomli_w_writes_and_reads_back(rows, with_errors):
    report = make_report(rows, ERRORS if with_errors else None)
    content = without_nulls(expected_object(rows, report))
    written = render(report, "toml").decode()
    assert written == tomli_w.dumps(content)
    assert tomllib.loads(written) == content


def expected_text_line(row: dict[str, Any]) -> str:
    """The README's text layout: FILE:LINE: CODE severity message (figures)."""
    if row["lines"]:
        place = f"{row['document']}:{row['lines'][0]}"
    elif row["location"]:
        place = f"{row['document']}:{row['location']}"
    else:
        place = row["document"]
    figures = ", ".join(
        f"{k} {row[k]}"
        for k in ("expected", "actual", "difference", "tolerance")
        if row[k] is not None
    )
    figures = f" ({figures})" if figures else ""
    return f"{place}: {row['rule']} {row['severity']} {row['message']}{figures}"


@settings(max_examples=200, deadline=None)
@given(findings())
def test_text_has_one_line_per_finding_then_errors_and_the_tally(rows):
    report = make_report(rows, ERRORS)
    counts = {s: sum(r["severity"] == s for r in rows) for s in ("error", "warning", "info")}
    expected = [expected_text_line(r) for r in rows] + [
        'broken.docx: cannot read: not a Word file: "zip" \\ missing',
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
        " in 3 document(s); 1 could not be read",
    ]
    assert render(report, "text").decode() == "\n".join(expected) + "\n"


def test_text_in_colour_paints_only_the_severity():
    row = {k: None for k in FINDINGS_SCHEMA} | {
        "id": "0" * 16,
        "rule": "BUD003",
        "name": "basic-parts",
        "severity": "error",
        "section": "budget",
        "document": "a.txt",
        "message": "personnel + operating ≠ basic",
        "lines": [41, 42],
    }
    out = render(make_report([row]), "text", colour=True).decode()
    assert (
        out.splitlines()[0] == "a.txt:41: BUD003 \033[31merror\033[0m personnel + operating ≠ basic"
    )


def md_cell(value: object) -> str:
    """A Markdown table cell: pipes escaped, line breaks as spaces."""
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


@settings(max_examples=200, deadline=None)
@given(findings())
def test_markdown_has_a_table_for_each_document_with_findings(rows):
    report = make_report(rows)
    out = render(report, "markdown").decode()
    sections = out.split("\n## ")[1:]
    titles = [s.split("\n")[0] for s in sections]
    assert titles == ["某局 2021 budget", "b/c 预算.docx", "无问题 2020 budget"]
    for section, source in zip(sections, ("a.txt", "b/c 预算.docx", "none.txt"), strict=True):
        mine = [r for r in rows if r["document"] == source]
        lines = section.split("\n")
        assert lines[2] == f"Source: `{source}`"
        if not mine:
            assert lines[4:] == ["No findings.", ""]
            continue
        assert lines[4].startswith("| severity | rule | lines | message |")
        expected = []
        for row in mine:
            where = ", ".join(map(str, row["lines"] or ())) or md_cell(row["location"])
            values = ("message", "expected", "actual", "difference", "tolerance")
            cells = [row["severity"], f"{row['rule']} {row['name']}", where]
            cells += [md_cell(row[k]) for k in values]
            expected.append("| " + " | ".join(cells) + " |")
        assert lines[6:] == [*expected, ""]


@pytest.mark.parametrize("fmt", ["text", "json", "toml", "csv", "markdown"])
@pytest.mark.parametrize("count", [0, 1, 6, 7, 12])
@pytest.mark.parametrize("threads", [1, 3])
def test_rendering_a_slice_at_a_time_changes_nothing(monkeypatch, fmt, count, threads):
    rows = [
        {k: None for k in FINDINGS_SCHEMA}
        | {
            "id": f"{i:016x}",
            "rule": "BUD001",
            "name": "income-total",
            "severity": ("error", "warning", "info")[i % 3],
            "section": "budget",
            "document": "a.txt",
            "message": f"finding {i}",
            "lines": list(range(1, i % 4 + 1)),
            "expected": "1.00" if i % 2 else None,
        }
        for i in range(count)
    ]
    whole = render(make_report(rows), fmt)
    monkeypatch.setattr(report_module, "SLICE", 3)  # 6 and 12 end on a slice's end, 7 just after
    # slices are rendered as many at a time as Polars has threads: 12 rows make 4 slices, which
    # 3 threads take as 3 and 1
    monkeypatch.setattr(report_module.pl, "thread_pool_size", lambda: threads)
    out = io.BytesIO()
    write(make_report(rows), fmt, out)
    assert out.getvalue() == whole
    if fmt == "json":
        assert len(json.loads(whole)["findings"]) == count
