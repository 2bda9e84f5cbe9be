"""Every rule against its fixture file: ``tests/rules/fixtures/<CODE>.toml``.

A fixture file holds cases::

    [[case]]
    name = "personnel mistyped"
    expect = "fail"            # or "pass": no finding of this code at all
    count = 1                  # optional: the number of findings of this code
    expected = "2789.55"       # optional: fields of the FIRST finding (in engine order)
    actual = "2834.55"         #   expected, actual, difference, tolerance, severity, key,
    difference = "45.00"       #   location, lines (a list), message (a substring of the
    tolerance = "0.02"         #   English message), message_zh (a substring of the Chinese one)
    document = '''
    schema = "reconcile.disclosure/1"
    ...
    '''
    old = '''...'''          # optional: an older disclosure; the pair (old, document) is
                               # checked with pairs=[(0, 1)] (year-on-year rules)

    [[case.findings]]          # optional: the same fields for each finding, in engine order
    key = "..."

The document is read with ``reconcile.canonical.loads_toml`` and checked with
``engine.check([doc], select=[CODE])`` (``check([old, doc], pairs=[(0, 1)], ...)`` when the case
has ``old``); only findings of that exact code count.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from reconcile.canonical import loads_toml
from reconcile.engine import check
from reconcile.model import Finding

FIXTURES = Path(__file__).parent / "fixtures"

_FIELDS = ("expected", "actual", "difference", "tolerance", "key", "location")


def load_fixture(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    cases = data.get("case", [])
    assert isinstance(cases, list) and cases, f"{path.name}: no [[case]]"
    return cases


def _cases() -> list[Any]:
    params = []
    for path in sorted(FIXTURES.glob("*.toml")):
        code = path.stem
        for i, case in enumerate(load_fixture(path)):
            name = case.get("name", f"case {i}")
            params.append(pytest.param(code, case, id=f"{code}-{name}"))
    return params


def findings_for(code: str, case: dict[str, Any], lang: str = "en") -> list[Finding]:
    """The findings of ``code`` on the case's document — or, when the case also has ``old`` (a
    two-document case for the year-on-year rules), on the pair (old, document) checked as
    ``pairs=[(0, 1)]``."""
    name = case.get("name", "")
    doc = loads_toml(case["document"], f"{code}.toml#{name}")
    if "old" in case:
        old = loads_toml(case["old"], f"{code}.toml#{name}#old")
        found = check([old, doc], pairs=[(0, 1)], select=[code], lang=lang)
    else:
        found = check([doc], select=[code], lang=lang)
    return [f for f in found if f.rule == code]


def _assert_finding(finding: Finding, spec: dict[str, Any], zh: Finding | None, where: str) -> None:
    for field in _FIELDS:
        if field in spec:
            assert getattr(finding, field) == spec[field], (
                f"{where}: {field} = {getattr(finding, field)!r}, want {spec[field]!r}"
                f" ({finding.message})"
            )
    if "severity" in spec:
        assert finding.severity.label == spec["severity"], f"{where}: {finding.message}"
    if "lines" in spec:
        assert list(finding.lines) == list(spec["lines"]), f"{where}: lines {finding.lines}"
    if "message" in spec:
        assert spec["message"] in finding.message, f"{where}: {finding.message!r}"
    if "message_zh" in spec:
        assert zh is not None and spec["message_zh"] in zh.message, (
            f"{where}: {zh.message if zh else None!r}"
        )


@pytest.mark.parametrize(("code", "case"), _cases())
def test_fixture(code: str, case: dict[str, Any]) -> None:
    expect = case.get("expect")
    assert expect in ("pass", "fail"), f"{code}: case {case.get('name')!r} needs expect"
    found = findings_for(code, case)
    zh = findings_for(code, case, lang="zh")
    messages = [f.message for f in found]
    if expect == "pass":
        assert not found, f"{code} should pass, got {messages}"
        return
    assert found, f"{code} should fail, got no finding"
    if "count" in case:
        assert len(found) == case["count"], f"{code}: {len(found)} findings: {messages}"
    for f in found:
        # Every numeric finding prints the tolerance it used; every message is filled in.
        if f.expected is not None and f.actual is not None and f.difference is not None:
            assert f.tolerance is not None, f"{code}: no tolerance printed: {f.message}"
        assert "{" not in f.message and "{" not in zh[found.index(f)].message
        assert f.key, f"{code}: a finding without a key"
    _assert_finding(found[0], case, zh[0], f"{code} {case.get('name')}")
    for i, spec in enumerate(case.get("findings", [])):
        assert i < len(found), f"{code}: finding {i} missing: {messages}"
        _assert_finding(found[i], spec, zh[i], f"{code} {case.get('name')} finding {i}")
