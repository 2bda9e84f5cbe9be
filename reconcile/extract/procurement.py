"""Part 六, government procurement: the stated total, every line with all its columns (funding
columns included), and the 合计 row. Columns are found from the (merged, multi-row) header."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from reconcile.extract.common import (
    PartSlice,
    figure_from_cell,
    figure_from_number,
    first_money,
    header_rows,
    infer_unit,
    resolve_header,
    squash,
)
from reconcile.extract.three_public import table_unit
from reconcile.model import Figure, Problem, Procurement, ProcurementLine, YearMention
from reconcile.sources.layout import Row, Table

# field -> patterns tried against a column's leaf label, then against its whole label path
_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("unit", re.compile(r"数量单位|计量单位|^单位$")),
    ("quantity", re.compile(r"^数量$|采购数量")),
    ("unit_price", re.compile(r"单价")),
    ("code", re.compile(r"目录|编码|代码|品目号|序号")),
    ("item", re.compile(r"物品|品目|标的|采购项目名称|品名")),
    ("project", re.compile(r"项目名称|项目来源")),
    ("budget", re.compile(r"预算资金|预算金额|预算数")),
    ("general_budget", re.compile(r"一般公共")),
    ("fund_budget", re.compile(r"基金")),
    ("special_account", re.compile(r"财政专户")),
    ("other_sources", re.compile(r"其他来源|其他收入")),
    ("other_channels", re.compile(r"其他渠道")),
    ("current_year_total", re.compile(r"当年.{0,20}合计|^合计$|小计")),
    ("amount", re.compile(r"总计|采购金额|^金额$")),
)
# The template's column order, used when the header cannot be read.
DEFAULT_COLUMNS = (
    "project",
    "budget",
    "item",
    "code",
    "unit",
    "quantity",
    "unit_price",
    "amount",
    "current_year_total",
    "general_budget",
    "fund_budget",
    "special_account",
    "other_sources",
    "other_channels",
)
_TEXT_FIELDS = {"project", "item", "code", "unit"}
_TOTAL_RE = re.compile(r"^(合计|总计)$")
_LEADING_YEAR = re.compile(r"^\s*((?:19|20|21)\d{2})\s*年")


def map_columns(labels: list[str]) -> dict[str, int]:
    return dict(_map_columns(tuple(labels)))


@lru_cache(maxsize=1024)
def _map_columns(labels: tuple[str, ...]) -> dict[str, int]:
    """Cached: one template's header comes back document after document (callers get a copy)."""
    found: dict[str, int] = {}
    for col, path in enumerate(labels):
        parts = [squash(p) for p in path.split("/") if p]
        leaf = parts[-1] if parts else ""
        for candidate in (leaf, "/".join(parts)):
            hit = next(
                (f for f, pat in _FIELDS if f not in found and candidate and pat.search(candidate)),
                None,
            )
            if hit:
                found[hit] = col
                break
    return found


def _line(row: Row, cols: dict[str, int], unit: str | None) -> ProcurementLine:
    values: dict[str, object] = {}
    for name, col in cols.items():
        if col >= len(row.cells):
            continue
        cell = row.cells[col]
        if name in _TEXT_FIELDS:
            values[name] = cell.text or None
        else:
            values[name] = figure_from_cell(cell, None if name == "quantity" else unit)
    return ProcurementLine(**values, line=row.line, location=row.cells[0].location)  # type: ignore[arg-type]


def _unstated_unit(table: Table, cols: dict[str, int], n_head: int, stated: Figure | None) -> str:
    """Without a unit in the table, the unit in which its 合计 amount agrees with the total the
    text states (a 万元 table next to a text total in 元, say); else the template's 万元."""
    col = cols.get("amount")
    for row in table.rows[n_head:]:
        if (
            col is not None
            and col < len(row.cells)
            and any(_TOTAL_RE.match(squash(c.text)) for c in row.cells[:3])
        ):
            total = figure_from_cell(row.cells[col], None)
            if stated is not None and stated.unit:
                return infer_unit(stated, stated.unit, total) or stated.unit
    return (stated.unit if stated is not None else None) or "万元"


@dataclass(frozen=True, slots=True)
class ProcurementTable:
    """What the procurement part says before its lines are built: the Procurement without lines
    (``lines=()``, ``total_row=None``), the year mentions and problems, and the table's rows to
    read the lines from, with the columns (``cols``: field -> cell index) and the unit figures
    without their own are written in. A batch builds the lines' frame straight from these rows
    (``rules._frames.procurement_rows``) instead of building a ProcurementLine per row."""

    procurement: Procurement
    mentions: list[YearMention]
    problems: list[Problem]
    cols: dict[str, int]
    unit: str
    rows: tuple[Row, ...]  # the lines, in order
    total: Row | None  # the 合计 row (the last, when there are several)


def with_lines(table: ProcurementTable) -> Procurement:
    """The part's Procurement with its lines and 合计 row built from the table's rows."""
    cols, unit = table.cols, table.unit
    return replace(
        table.procurement,
        lines=tuple(_line(row, cols, unit) for row in table.rows),
        total_row=_line(table.total, cols, unit) if table.total is not None else None,
    )


def read_procurement(part: PartSlice) -> ProcurementTable:
    """The part read up to its lines (none when the part has no table)."""
    problems: list[Problem] = []
    mentions: list[YearMention] = []
    stated = None
    texts = []
    for para in part.paragraphs():
        texts.append(para.text)
        if stated is None and "采购" in para.text:
            number = first_money(para.text)
            if number is not None:
                stated = figure_from_number(number, para, "万元")
                year = _LEADING_YEAR.match(para.text)
                if year:
                    mentions.append(
                        YearMention(
                            int(year.group(1)),
                            "procurement",
                            "current",
                            para.text[:20],
                            para.line,
                            para.location,
                        )
                    )
    tables = part.tables()
    line = part.heading.line if part.heading else None
    if not tables:
        return ProcurementTable(
            Procurement(stated_total=stated, line=line), mentions, problems, {}, "万元", (), None
        )
    table = tables[0]
    n_head = header_rows(table)
    width = table.width
    cols = map_columns(resolve_header(table.rows[:n_head], width))
    if not {"quantity", "unit_price", "amount"} <= cols.keys():
        if width == len(DEFAULT_COLUMNS):
            cols = {name: i for i, name in enumerate(DEFAULT_COLUMNS)}
        else:
            problems.append(
                Problem(
                    "procurement",
                    f"cannot tell the procurement table's columns ({width} cells a row)",
                    table.line,
                )
            )
    stated_unit = table_unit(table, texts)
    unit = stated_unit or _unstated_unit(table, cols, n_head, stated)
    rows: list[Row] = []
    total_row = None
    for row in table.rows[n_head:]:
        if not any(c.text for c in row.cells):
            continue
        if any(_TOTAL_RE.match(squash(c.text)) for c in row.cells[:3]):
            total_row = row
            continue
        if len(row.cells) != width:
            problems.append(
                Problem(
                    "procurement",
                    f"a procurement row has {len(row.cells)} cells, not {width}",
                    row.line,
                )
            )
        rows.append(row)
    return ProcurementTable(
        procurement=Procurement(
            stated_total=stated, table_unit=stated_unit, line=line, table_line=table.line
        ),
        mentions=mentions,
        problems=problems,
        cols=cols,
        unit=unit,
        rows=tuple(rows),
        total=total_row,
    )
