"""Run the rule catalogue over documents and turn the result frames into Finding records.

The rules are Polars queries over all documents at once; this module is the single step that turns
their result rows into Findings (with a fingerprint id), and applies select/ignore.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import polars as pl

from reconcile.model import Document, Finding, Severity
from reconcile.rules.registry import Context, RuleSpec, load_all

_CORE_COLUMNS = {
    "doc",
    "key",
    "lines",
    "expected",
    "actual",
    "difference",
    "tolerance",
    "location",
    "severity",
    "section",
}


def parse_codes(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"PRC,BUD001"`` -> ("PRC", "BUD001"); codes or prefixes, upper-cased."""
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(i.strip().upper() for i in items if i and i.strip())


def selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    if select and not any(code.startswith(s) for s in select):
        return False
    return not any(code.startswith(i) for i in ignore)


def fingerprint(rule: str, department: str | None, year: int | None, section: str, key: str) -> str:
    """A finding's id: its meaning (rule, department, year, section, item key), not its lines."""
    raw = "\x1f".join([rule, department or "", str(year or ""), section, key])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _message(template: str, row: dict[str, object]) -> str:
    values = _Blank({k: "" if v is None else str(v) for k, v in row.items()})
    return template.format_map(values)


def findings_from_frame(
    spec: RuleSpec, frame: pl.DataFrame, documents: Sequence[Document], lang: str
) -> list[Finding]:
    """The one step that walks result rows in Python: frame rows -> Finding records."""
    out: list[Finding] = []
    template = spec.messages.get(lang) or spec.messages["en"]
    seen: dict[str, int] = {}
    for row in frame.iter_rows(named=True):
        doc = documents[int(row["doc"])]
        info = doc.info
        key = str(row.get("key") or "")
        section = row.get("section") or spec.section
        base = fingerprint(spec.code, info.department, info.year, section, key)
        ordinal = seen.get(base, 0)
        seen[base] = ordinal + 1
        fid = (
            base
            if ordinal == 0
            else fingerprint(spec.code, info.department, info.year, section, f"{key}#{ordinal}")
        )
        lines = tuple(int(x) for x in (row.get("lines") or []) if x is not None)
        severity = Severity.parse(row["severity"]) if row.get("severity") else spec.severity
        extra = {k: str(v) for k, v in row.items() if k not in _CORE_COLUMNS and v is not None}
        out.append(
            Finding(
                id=fid,
                rule=spec.code,
                name=spec.name,
                severity=severity,
                section=row.get("section") or spec.section,
                document=info.source,
                message=_message(template, row),
                expected=row.get("expected"),
                actual=row.get("actual"),
                difference=row.get("difference"),
                tolerance=row.get("tolerance"),
                lines=lines,
                location=row.get("location"),
                key=key,
                department=info.department,
                year=info.year,
                extra=extra,
            )
        )
    return out


def check(
    documents: Sequence[Document],
    *,
    pairs: Sequence[tuple[int, int]] = (),
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    lang: str = "en",
) -> list[Finding]:
    """Every finding of every selected rule over ``documents``, ordered by document, line, code."""
    rules = load_all()
    ctx = Context(documents=documents, pairs=pairs)
    specs = [rules[c] for c in sorted(rules) if selected(c, select, ignore)]
    results: list[tuple[RuleSpec, pl.DataFrame | pl.LazyFrame]] = [(s, s.func(ctx)) for s in specs]
    # Rules that return lazy queries are collected together, so Polars plans and runs them as one
    # set (in parallel, sharing common sub-plans) instead of one query at a time.
    lazy = [(i, r) for i, (_, r) in enumerate(results) if isinstance(r, pl.LazyFrame)]
    if lazy:
        collected = pl.collect_all([r for _, r in lazy])
        for (i, _), frame in zip(lazy, collected, strict=True):
            results[i] = (results[i][0], frame)
    findings: list[Finding] = []
    for spec, frame in results:
        assert isinstance(frame, pl.DataFrame)
        if frame.height:
            findings.extend(findings_from_frame(spec, frame, documents, lang))
    doc_index = {d.info.source: i for i, d in enumerate(documents)}
    findings.sort(
        key=lambda f: (
            doc_index.get(f.document, 0),
            f.lines[0] if f.lines else 0,
            f.rule,
            f.key or "",
        )
    )
    return findings
