"""Part 四, the "three public expenses": the stated total and the table (name, prior-year budget,
this year's budget, change, reason), with the two years its header names."""

from __future__ import annotations

import re

from reconcile.extract.common import (
    PartSlice,
    figure_from_cell,
    figure_from_number,
    first_money,
    squash,
)
from reconcile.model import Problem, ThreePublic, ThreePublicRow
from reconcile.sources.layout import Table

UNIT_RE = re.compile(r"单位\s*[:：]\s*(万元|千元|亿元|元)")
_YEAR_RE = re.compile(r"((?:19|20|21)\d{2})\s*年")


def table_unit(table: Table | None, paragraphs: list[str]) -> str | None:
    """The money unit a table states (单位：万元), in its cells or the paragraphs around it."""
    texts = [c.text for r in table.rows for c in r.cells] if table else []
    # One search over the texts joined by NUL, which the pattern cannot match: the first match is
    # the first text's that has one.
    m = UNIT_RE.search("\0".join(texts + paragraphs))
    return m.group(1) if m else None


def extract_three_public(part: PartSlice) -> tuple[ThreePublic, list[Problem]]:
    problems: list[Problem] = []
    stated = None
    para_texts = []
    for para in part.paragraphs():
        para_texts.append(para.text)
        if stated is None and "三公" in para.text:
            number = first_money(para.text)
            if number is not None:
                stated = figure_from_number(number, para, "万元")
    tables = part.tables()
    table = tables[0] if tables else None
    unit = table_unit(table, para_texts)
    if table is None:
        return ThreePublic(
            stated_total=stated, unit=unit, line=part.heading.line if part.heading else None
        ), problems
    header_idx = None
    for i, row in enumerate(table.rows):
        texts = [squash(t) for t in row.texts]
        if (
            any("项目" in t or "名称" in t for t in texts)
            and sum(bool(_YEAR_RE.search(t)) or "预算" in t for t in texts) >= 2
        ):
            header_idx = i
            break
    if header_idx is None:
        problems.append(
            Problem("three_public", "the three public expenses table has no header row", table.line)
        )
        return ThreePublic(
            stated_total=stated,
            unit=unit,
            line=part.heading.line if part.heading else None,
            table_line=table.line,
        ), problems
    header = [squash(t) for t in table.rows[header_idx].texts]
    name_col = next((i for i, t in enumerate(header) if "项目" in t or "名称" in t), 0)
    year_cols = [(i, int(m.group(1))) for i, t in enumerate(header) if (m := _YEAR_RE.search(t))]
    change_col = next(
        (
            i
            for i, t in enumerate(header)
            if ("增减" in t and "原因" not in t) or ("变动" in t and "原因" not in t)
        ),
        None,
    )
    reason_col = next((i for i, t in enumerate(header) if "原因" in t or "说明" in t), None)
    prior_col = current_col = None
    prior_year = year = None
    if len(year_cols) >= 2:
        (a, ya), (b, yb) = sorted(year_cols[:2], key=lambda x: x[1])
        prior_col, prior_year, current_col, year = a, ya, b, yb
    else:
        budget_cols = [i for i, t in enumerate(header) if "预算" in t and i != name_col]
        if len(budget_cols) >= 2:
            prior_col, current_col = budget_cols[0], budget_cols[1]
        if year_cols:
            year = year_cols[0][1]
    rows = []
    for row in table.rows[header_idx + 1 :]:
        name = row.cells[name_col].text if name_col < len(row.cells) else ""
        if not name:
            continue

        def fig(col: int | None, row=row):
            return (
                figure_from_cell(row.cells[col], unit)
                if col is not None and col < len(row.cells)
                else None
            )

        reason = (
            row.cells[reason_col].text
            if reason_col is not None and reason_col < len(row.cells)
            else None
        )
        rows.append(
            ThreePublicRow(
                name=name,
                prior=fig(prior_col),
                current=fig(current_col),
                change=fig(change_col),
                reason=reason or None,
                line=row.line,
                location=row.cells[0].location,
            )
        )
    return (
        ThreePublic(
            stated_total=stated,
            prior_year=prior_year,
            year=year,
            unit=unit,
            rows=tuple(rows),
            line=part.heading.line if part.heading else None,
            table_line=table.line,
        ),
        problems,
    )
