"""The rule catalogue is complete: every rule has a code of the right shape, a documented reason
(a docstring with more than its summary line), an English and a Chinese message, and a fixture file
with at least one passing and one failing case — and a rounding case inside the band when the rule
prints a tolerance. Every fixture file belongs to a registered rule."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path
from typing import Any

import pytest

from reconcile.canonical import loads_toml
from reconcile.engine import check
from reconcile.model import SECTIONS, Finding
from reconcile.rules.registry import RuleSpec, load_all

FIXTURES = Path(__file__).parent / "fixtures"

RULES = load_all()
CODE = re.compile(r"^[A-Z]{2,4}\d{3}$")  # family prefix + 3 digits
ROUNDING = re.compile(r"rounding|band|residual|尾差", re.IGNORECASE)


def load_fixture(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as handle:
        return list(tomllib.load(handle).get("case", []))


def findings_for(code: str, case: dict[str, Any]) -> list[Finding]:
    doc = loads_toml(case["document"], f"{code}.toml")
    if "old" in case:
        old = loads_toml(case["old"], f"{code}.toml#old")
        return [f for f in check([old, doc], pairs=[(0, 1)], select=[code]) if f.rule == code]
    return [f for f in check([doc], select=[code]) if f.rule == code]


def _specs() -> list[object]:
    return [pytest.param(spec, id=code) for code, spec in sorted(RULES.items())]


def test_catalogue_is_not_empty() -> None:
    # The money families alone register 32 rules; a broken import would silently drop some.
    families = {spec.family for spec in RULES.values()}
    assert {"BUD", "RUN", "TPE", "PRC", "AST", "DOC"} <= families


@pytest.mark.parametrize("spec", _specs())
def test_rule_is_documented(spec: RuleSpec) -> None:
    assert CODE.match(spec.code), spec.code
    assert re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", spec.name), f"{spec.code}: name {spec.name!r}"
    assert spec.section in SECTIONS or spec.section in ("years", "performance"), spec.section
    paragraphs = [p for p in spec.doc.strip().split("\n\n") if p.strip()]
    assert spec.summary, f"{spec.code}: no summary line"
    assert len(paragraphs) >= 2, f"{spec.code}: the docstring is only a summary"
    for lang in ("en", "zh"):
        template = spec.messages.get(lang)
        assert template and template.strip(), f"{spec.code}: no {lang} message"
        # Placeholders are plain names (no format specs that could fail at run time).
        for _, field, fmt, _ in string.Formatter().parse(template):
            if field is not None:
                assert re.match(r"^\w+$", field), f"{spec.code}: placeholder {field!r}"
                assert not fmt, f"{spec.code}: placeholder {field!r} has a format spec"


@pytest.mark.parametrize("spec", _specs())
def test_rule_has_fixture(spec: RuleSpec) -> None:
    path = FIXTURES / f"{spec.code}.toml"
    assert path.exists(), f"{spec.code}: no fixture file {path.name}"
    cases = load_fixture(path)
    expects = {c.get("expect") for c in cases}
    assert {"pass", "fail"} <= expects, f"{spec.code}: needs a pass and a fail case"
    # A rule that prints a tolerance must show that a difference inside the band passes.
    prints_tolerance = any(
        f.tolerance is not None
        for case in cases
        if case.get("expect") == "fail"
        for f in findings_for(spec.code, case)
    )
    if prints_tolerance:
        assert any(
            c.get("expect") == "pass" and ROUNDING.search(c.get("name", "")) for c in cases
        ), f"{spec.code}: prints a tolerance but has no passing rounding case"


def test_every_fixture_has_a_rule() -> None:
    orphans = [p.name for p in FIXTURES.glob("*.toml") if p.stem not in RULES]
    assert not orphans, f"fixtures for unknown rules: {orphans}"
