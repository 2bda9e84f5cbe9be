"""The app's budget table (``tui.parts.budget_table``) for documents that leave parts out."""

from __future__ import annotations

from reconcile.canonical import loads_toml
from reconcile.engine import check
from tui import parts

BUDGET_ONLY = """
schema = "reconcile.disclosure/1"
[document]
year = 2021
[budget]
unit = "元"
income_total = 28345500
expenditure_total = 28345500
"""


def test_a_budget_without_running_costs_has_its_table_and_unit() -> None:
    # the running costs part (二) is left out: the table is built, its unit the budget's
    doc = loads_toml(BUDGET_ONLY, "budget.toml")
    table = parts.budget_table(doc, parts.context_for(doc), check([doc]), "en")
    assert table.note == "Amounts in 元."
    stated = {row[1] for row in (table.source.row(i) for i in range(len(table.source)))}
    assert "28345500.00" in stated


def test_a_document_without_budget_or_running_costs_has_an_empty_table() -> None:
    doc = loads_toml('schema = "reconcile.disclosure/1"\n[document]\nyear = 2021\n', "x.toml")
    table = parts.budget_table(doc, parts.context_for(doc), check([doc]), "en")
    assert table.note == "Amounts in 万元."  # the template's unit when the document states none
    assert len(table.source) == 0
