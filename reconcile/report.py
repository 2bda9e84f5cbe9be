"""A check's report and its renderings: text, JSON, TOML, CSV, Markdown (and Parquet for batches).

The JSON object is the ``reconcile.findings/1`` contract; TOML carries the same content with null
keys left out. stdout carries only these; diagnostics go to stderr (see cli.py).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from typing import Any

import polars as pl

from reconcile.errors import ReadFailure
from reconcile.model import SCHEMA_FINDINGS, Document, Finding, Severity

FINDING_KEYS = (
    "id",
    "rule",
    "name",
    "severity",
    "section",
    "document",
    "message",
    "expected",
    "actual",
    "difference",
    "tolerance",
    "lines",
    "location",
    "key",
)


class Report:
    """The outcome of a check: the documents, their findings (as records and/or as the engine's
    frame; each is derived from the other on demand), the inputs that could not be read, and how
    many findings a baseline hid."""

    def __init__(
        self,
        documents: Sequence[Document],
        findings: list[Finding] | None = None,
        errors: Sequence[ReadFailure] = (),
        hidden: int = 0,
        frame: pl.DataFrame | None = None,
    ) -> None:
        self.documents = documents
        self.errors = list(errors)
        self.hidden = hidden
        self._findings = findings
        self._frame = frame

    @property
    def findings(self) -> list[Finding]:
        if self._findings is None:
            from reconcile.engine import findings_from_frame

            self._findings = findings_from_frame(self.frame)
        return self._findings

    @property
    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            self._frame = _frame_of(self.findings)
        return self._frame

    def hide(self, ids: set[str]) -> None:
        """Leave out the findings whose ids a baseline lists."""
        before = self.frame.height
        self._frame = self.frame.filter(~pl.col("id").is_in(list(ids)))
        self._findings = None
        self.hidden += before - self._frame.height

    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for severity, n in self.frame.get_column("severity").value_counts().iter_rows():
            counts[severity] = n
        return counts

    def worst(self) -> Severity | None:
        present = set(self.frame.get_column("severity").unique().to_list())
        return max((Severity.parse(s) for s in present), default=None)


def _frame_of(findings: list[Finding]) -> pl.DataFrame:
    from reconcile.engine import FINDINGS_SCHEMA

    rows = [
        {**finding_dict(f), "department": f.department, "year": f.year, "doc": None}
        for f in findings
    ]
    return (
        pl.DataFrame(rows, schema=FINDINGS_SCHEMA) if rows else pl.DataFrame(schema=FINDINGS_SCHEMA)
    )


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "rule": f.rule,
        "name": f.name,
        "severity": f.severity.label,
        "section": f.section,
        "document": f.document,
        "message": f.message,
        "expected": f.expected,
        "actual": f.actual,
        "difference": f.difference,
        "tolerance": f.tolerance,
        "lines": list(f.lines),
        "location": f.location,
        "key": f.key,
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA_FINDINGS,
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
        "summary": report.summary(),
        "findings": [finding_dict(f) for f in report.findings],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n"


def render_toml(report: Report) -> str:
    import tomli_w

    from reconcile.canonical import drop_nulls

    return tomli_w.dumps(drop_nulls(report_dict(report)))


def render_csv(report: Report) -> str:
    frame = report.frame.select(
        *(
            pl.col(k).list.eval(pl.element().cast(pl.String)).list.join(";")
            if k == "lines"
            else pl.col(k)
            for k in FINDING_KEYS
        )
    )
    return frame.write_csv()


def _numbers(f: Finding) -> str:
    parts = [
        f"{label} {value}"
        for label, value in (
            ("expected", f.expected),
            ("actual", f.actual),
            ("difference", f.difference),
            ("tolerance", f.tolerance),
        )
        if value is not None
    ]
    return f" ({', '.join(parts)})" if parts else ""


_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def render_text(report: Report, *, colour: bool = False) -> str:
    out = []
    for f in report.findings:
        place = f"{f.document}:{f.lines[0]}" if f.lines else f"{f.document}"
        if not f.lines and f.location:
            place = f"{f.document}:{f.location}"
        sev = f.severity.label
        if colour:
            sev = f"{_COLOURS[f.severity]}{sev}\033[0m"
        out.append(f"{place}: {f.rule} {sev} {f.message}{_numbers(f)}")
    for e in report.errors:
        out.append(f"{e.document}: cannot read: {e.message}")
    s = report.summary()
    tail = (
        f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info"
        f" in {len(report.documents)} document(s)"
    )
    if report.errors:
        tail += f"; {len(report.errors)} could not be read"
    if report.hidden:
        tail += f"; {report.hidden} hidden by the baseline"
    out.append(tail)
    return "\n".join(out) + "\n"


def _md_cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    s = report.summary()
    out = [
        "# Reconciliation report",
        "",
        f"{len(report.documents)} document(s): **{s['error']} error(s)**, "
        f"{s['warning']} warning(s), {s['info']} info.",
        "",
    ]
    by_doc: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_doc.setdefault(f.document, []).append(f)
    for d in report.documents:
        info = d.info
        title = " ".join(str(x) for x in (info.department, info.year, info.kind) if x)
        out += [f"## {title or info.source}", "", f"Source: `{info.source}`", ""]
        findings = by_doc.get(info.source, [])
        if not findings:
            out += ["No findings.", ""]
            continue
        out += [
            "| severity | rule | lines | message | expected | actual | difference | tolerance |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for f in findings:
            lines = ", ".join(str(n) for n in f.lines) or _md_cell(f.location)
            out.append(
                f"| {f.severity.label} | {f.rule} {f.name} | {lines} | {_md_cell(f.message)} | "
                f"{_md_cell(f.expected)} | {_md_cell(f.actual)} | {_md_cell(f.difference)} | "
                f"{_md_cell(f.tolerance)} |"
            )
        out.append("")
    if report.errors:
        out += ["## Inputs that could not be read", ""]
        out += [f"- `{e.document}`: {e.message}" for e in report.errors]
        out.append("")
    return "\n".join(out)


def render_parquet(report: Report) -> bytes:
    """Findings as a Parquet file (one row per finding, with department and year) for
    province-wide queries."""
    buffer = io.BytesIO()
    report.frame.select(*FINDING_KEYS, "department", "year").write_parquet(buffer)
    return buffer.getvalue()


def render(report: Report, fmt: str, *, colour: bool = False) -> str | bytes:
    if fmt == "json":
        return render_json(report)
    if fmt == "toml":
        return render_toml(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "parquet":
        return render_parquet(report)
    return render_text(report, colour=colour)


def use_colour(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ
