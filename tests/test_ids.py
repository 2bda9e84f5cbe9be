"""Finding ids: the sha1 of a finding's meaning, computed only when something asks for them.

The oracle is hashlib on the meaning as the README defines it (rule, department, year, section
and key joined by U+001F, ``#n`` appended for the n-th repeat in one document), not the engine's
own code."""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest

from reconcile import engine, report
from reconcile.batch import run_check
from reconcile.engine import ID_REPEAT

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _meaning(row: dict) -> str:
    year = "" if row["year"] is None else str(row["year"])
    parts = [row["rule"], row["department"] or "", year, row["section"], row["key"]]
    return "\x1f".join(parts)


@pytest.fixture(scope="module")
def checked() -> report.Report:
    return run_check([str(SAMPLES)])


def test_a_check_leaves_the_ids_to_be_computed_on_first_use(checked):
    fresh = run_check([str(SAMPLES)])
    assert ID_REPEAT in fresh.rows.columns and "id" not in fresh.rows.columns
    frame = fresh.frame
    assert frame.columns == list(engine.FINDINGS_SCHEMA)
    assert fresh.rows is frame  # computed once, kept
    assert frame.get_column("id").str.len_chars().unique().to_list() == [16]


def test_every_id_is_the_digest_of_its_meaning_and_repeats_are_numbered(checked):
    rows = checked.frame.to_dicts()
    assert len(rows) > 100
    by_meaning: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        by_meaning[(row["document"], _meaning(row))].append(row["id"])
    repeated = {k: v for k, v in by_meaning.items() if len(v) > 1}
    # the 2021 sample states one satisfaction indicator of a project twice (PRF012 on each)
    assert any(meaning.startswith("PRF012") for _, meaning in repeated)
    for (_, meaning), ids in by_meaning.items():
        expected = [meaning] + [f"{meaning}#{n}" for n in range(1, len(ids))]
        assert sorted(ids) == sorted(_digest(m) for m in expected)
    assert len({row["id"] for row in rows}) == len(rows)


def test_the_ids_are_those_of_a_check_that_computes_them_at_once(checked):
    from reconcile.batch import load_many, pair_years

    documents, _ = load_many(sorted(str(p) for p in SAMPLES.glob("*.txt")))
    at_once = engine.check_frame(documents, pairs=pair_years(documents))
    assert at_once.columns == list(engine.FINDINGS_SCHEMA)
    assert at_once.equals(checked.frame)


def test_the_text_and_markdown_reports_compute_no_id(monkeypatch):
    fresh = run_check([str(SAMPLES)])
    monkeypatch.setattr(engine, "with_ids", _refuse)
    text, markdown = io.BytesIO(), io.BytesIO()
    report.write(fresh, "text", text)
    report.write(fresh, "markdown", markdown)
    assert ID_REPEAT in fresh.rows.columns
    monkeypatch.undo()
    assert "id" in fresh.frame.columns
    # the same bytes from the report once its ids are computed
    assert report.render(fresh, "text") == text.getvalue()
    assert report.render(fresh, "markdown") == markdown.getvalue()


def _refuse(frame: pl.DataFrame) -> pl.DataFrame:
    raise AssertionError("ids computed for a report that prints none")


@pytest.mark.parametrize("fmt", ["json", "toml", "csv", "parquet"])
def test_the_reports_that_print_ids_print_the_computed_ones(fmt, checked):
    fresh = run_check([str(SAMPLES)])
    ids = checked.frame.get_column("id").to_list()
    data = report.render(fresh, fmt)
    if fmt == "parquet":
        assert pl.read_parquet(io.BytesIO(data)).get_column("id").to_list() == ids
    else:
        text = data.decode()
        assert all(i in text for i in ids)
        assert ID_REPEAT not in text


def test_a_baseline_hides_by_the_computed_ids(checked):
    fresh = run_check([str(SAMPLES)])
    first = checked.frame.row(0, named=True)
    fresh.hide({first["id"]})
    assert fresh.hidden == 1
    assert fresh.frame.height == checked.frame.height - 1
    assert first["id"] not in fresh.frame.get_column("id").to_list()


def test_meanings_that_join_to_one_text_are_repeats_even_from_different_sections():
    # A hand-written document's problems carry their own section, which may hold U+001F: these
    # two DOC004 findings differ in section and key, yet their joined meanings are one text.
    from reconcile.canonical import loads_toml

    doc = loads_toml(
        """
schema = "reconcile.disclosure/1"
[document]
year = 2021
[[problems]]
section = "x\\u001fx|y"
message = "z"
[[problems]]
section = "x"
message = "y\\u001fx\\u001fx|y|z"
""",
        "problems.toml",
    )
    rows = [r for r in engine.check_frame([doc]).to_dicts() if r["rule"] == "DOC004"]
    assert len(rows) == 2
    meanings = {_meaning(r) for r in rows}
    assert len(meanings) == 1  # one text ...
    (meaning,) = meanings
    # ... so the second is its first repeat, and the two ids differ
    assert sorted(r["id"] for r in rows) == sorted([_digest(meaning), _digest(f"{meaning}#1")])
