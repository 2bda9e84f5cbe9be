"""Part 七, state assets: the stated fixed-asset total (unit and year), the planned purchase
(amount, year, whether it is in the procurement budget), and the asset table (rows with 行次,
value and parent row), with the table's year label and unit (stated or inferred)."""

from __future__ import annotations

import re
from dataclasses import replace

from reconcile.extract.common import (
    PartSlice,
    figure_from_cell,
    figure_from_number,
    infer_unit,
    money_numbers,
    squash,
)
from reconcile.extract.three_public import table_unit
from reconcile.model import AssetRow, Assets, Problem, YearMention
from reconcile.sources.layout import Cell, Row

_YEAR_END_RE = re.compile(r"((?:19|20|21)\d{2})\s*年\s*(?:末|底|12月31日)")
_PLANNED_RE = re.compile(
    r"((?:19|20|21)\d{2})\s*年[^，。；]{0,6}?(?:拟|计划|预计)(?:购置|采购|新增)"
)
_TABLE_YEAR_RE = re.compile(r"((?:19|20|21)\d{2})\s*年(?:度|末)?")
_CLAUSE_BREAK = re.compile(r"[，。；]")
_STATED_TOTAL = re.compile(r"资产总额|资产总值|资产合计|固定资产(?:原值|价值)?(?:为|共计|合计)?$")
_LEVELS = (
    re.compile(r"^[一二三四五六七八九十]+\s*[、.．]"),
    re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[)）]"),
    re.compile(r"^\d+\s*[.．、)]"),
    re.compile(r"^[（(]\s*\d+\s*[)）]"),
)


def _level(name: str) -> int | None:
    for i, pattern in enumerate(_LEVELS):
        if pattern.match(name):
            return i + 1
    return None


def extract_assets(part: PartSlice) -> tuple[Assets, list[YearMention], list[Problem]]:
    problems: list[Problem] = []
    mentions: list[YearMention] = []
    stated = planned = None
    stated_unit = None
    year_end = planned_year = None
    in_procurement = False
    texts: list[str] = []
    for para in part.paragraphs():
        text = para.text
        texts.append(text)
        for number in money_numbers(text):
            before = text[max(0, number.start - 200) : number.start]
            clause = _CLAUSE_BREAK.split(before)[-1]
            if stated is None and _STATED_TOTAL.search(clause):
                stated = figure_from_number(number, para, "万元")
                stated_unit = number.unit or "万元"
                # the year end may stand in an earlier clause of the sentence (截至2020年12月31日，…)
                sentence = before.rsplit("。", 1)[-1]
                m = _YEAR_END_RE.search(clause) or _YEAR_END_RE.search(sentence)
                if m:
                    year_end = int(m.group(1))
            elif (
                planned is None
                and re.search(r"拟|计划|预计", clause)
                and re.search(r"购置|采购|新增", clause)
            ):
                planned = figure_from_number(number, para, "万元")
                m = _PLANNED_RE.search(clause)
                if m:
                    planned_year = int(m.group(1))
        if re.search(r"已列入.{0,4}政府采购", text):
            in_procurement = True
        if "见下表" in text or "情况表" in text:
            for year, _ in ((int(m.group(1)), m.start()) for m in _TABLE_YEAR_RE.finditer(text)):
                mentions.append(
                    YearMention(year, "asset_caption", "prior", text[:24], para.line, para.location)
                )
                break
    tables = part.tables()
    table = tables[0] if tables else None
    line = part.heading.line if part.heading else None
    if table is None:
        return (
            Assets(
                stated_total=stated,
                stated_total_unit=stated_unit,
                year_end=year_end,
                planned_purchase=planned,
                planned_purchase_year=planned_year,
                planned_in_procurement=in_procurement,
                line=line,
            ),
            mentions,
            problems,
        )
    label = None
    for row in table.rows[:4]:
        for cell in row.cells:
            if _TABLE_YEAR_RE.search(cell.text) and len(cell.text) <= 12:
                label = cell
                break
        if label:
            break
    unit = table_unit(table, [])
    # columns: name, 行次, value (the last column whose header speaks of value)
    row_no_col, value_col = None, None
    for row in table.rows[:4]:
        for i, cell in enumerate(row.cells):
            t = squash(cell.text)
            if "行次" in t:
                row_no_col = i
            if re.search(r"年末数|价值|金额|期末|账面", t):
                value_col = i
    if value_col is None:
        value_col = table.width - 1
    # The rows' names, levels and parents first: the unit their values are read in may have to
    # be inferred from them (the 固定资产 row against the stated total) before any is read.
    found: list[tuple[Row, str, int, str | None, Cell | None]] = []
    stack: list[tuple[str, int]] = []  # (name, level) of the rows the next one may belong to
    for row in table.rows:
        name = row.cells[0].text if row.cells else ""
        sq = squash(name)
        if not sq or sq in ("项目",) or "栏次" in sq or "编制单位" in sq or len(row.cells) < 2:
            continue
        level = _level(name) or (stack[-1][1] + 1 if stack else 1)
        while stack and stack[-1][1] >= level:
            stack.pop()
        value_cell = row.cells[value_col] if value_col < len(row.cells) else None
        found.append((row, name, level, stack[-1][0] if stack else None, value_cell))
        stack.append((name, level))
    inferred = False
    if unit is None:
        top = next(
            (
                value
                for _, name, _, _, value_cell in found
                if value_cell is not None
                and "固定资产" in name
                and (value := figure_from_cell(value_cell))
            ),
            None,
        )
        unit = infer_unit(stated, stated_unit, top)
        inferred = unit is not None
    rows: list[AssetRow] = []
    for row, name, level, parent, value_cell in found:
        value = figure_from_cell(value_cell, unit) if value_cell is not None else None
        if inferred and value is not None and value.unit != unit:
            value = replace(value, unit=unit)  # an inferred unit holds for every figure
        row_no = (
            row.cells[row_no_col].text
            if row_no_col is not None and row_no_col < len(row.cells)
            else None
        )
        rows.append(
            AssetRow(
                name=name,
                row_no=row_no or None,
                value=value,
                parent=parent,
                level=level,
                line=row.line,
                location=row.cells[0].location,
            )
        )
    return (
        Assets(
            stated_total=stated,
            stated_total_unit=stated_unit,
            year_end=year_end,
            planned_purchase=planned,
            planned_purchase_year=planned_year,
            planned_in_procurement=in_procurement,
            table_year_label=label.text if label else None,
            table_year_line=label.line if label else None,
            table_year_location=label.location if label else None,
            table_unit=unit,
            table_unit_inferred=inferred,
            rows=tuple(rows),
            line=line,
            table_line=table.line,
        ),
        mentions,
        problems,
    )
