"""Helpers shared by the part extractors: figures from cells and paragraphs, part slicing,
header resolution for tables whose header rows have merged cells."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from reconcile.model import Figure, Problem
from reconcile.numbers import (
    MONEY_UNITS,
    Number,
    find_numbers,
    first_number,
    in_range,
    normalise,
    parse_cell,
)
from reconcile.sources.layout import Block, Cell, Paragraph, Row, Table

# No two whitespace runs may meet in these patterns (``\s*`` then an optional group starting with
# ``\s*``): on a line of spaces that does not match, the engine would try every split of them
# (a 40,000-space line took 19 s).
LEADING_ORDINAL = re.compile(
    r"^\s*(?:(?:[（(]\s*)?[0-9０-９一二三四五六七八九十]+\s*[)）、.．]|[0-9０-９]+\s*[、.．])\s*"
)


def squash(text: str) -> str:
    r"""Text without any spaces (for matching labels such as 合　计). ``str.split`` splits on the
    characters ``\s`` matches (full-width and no-break spaces included), in a third of the time
    of a regex substitution."""
    return "".join(text.split())


def strip_ordinal(text: str) -> str:
    return LEADING_ORDINAL.sub("", text, count=1).strip()


@lru_cache(maxsize=8192)
def cell_figure(text: str) -> Number | None:
    """The number a cell holds when it is a figure the rules can use (cached: cells repeat)."""
    number = parse_cell(text)
    return number if number is not None and in_range(number.value) else None


def figure_from_cell(cell: Cell, unit: str | None = None) -> Figure | None:
    number = cell_figure(cell.text)
    if number is None:
        return None
    return Figure(
        value=number.value,
        line=cell.line,
        col=cell.col,
        text=cell.text,
        unit=number.unit if number.unit and number.unit != "年" else unit,
        location=cell.location,
    )


def figure_from_number(number: Number, para: Paragraph, default_unit: str | None) -> Figure:
    return Figure(
        value=number.value,
        line=para.line,
        col=para.col + number.start,
        text=number.text,
        unit=number.unit or default_unit,
        location=para.location,
    )


def money_numbers(text: str, *, changes: bool = False) -> list[Number]:
    """Numbers that can be amounts: not years, not percentages, not counts."""
    out = []
    for n in find_numbers(text, changes=changes):
        if n.is_year or n.unit in ("年", "年度", "月", "日", "%") or not in_range(n.value):
            continue
        if n.unit is None or n.unit in MONEY_UNITS:
            out.append(n)
    return out


def first_money(text: str) -> Number | None:
    nums = money_numbers(text)
    return nums[0] if nums else None


def cell_text(row: Row, idx: int | None) -> str | None:
    if idx is None or idx >= len(row.cells):
        return None
    text = row.cells[idx].text
    return text or None


def column_text(row: Row, cols: dict[str, int], name: str) -> str | None:
    """The text of the cell in the column named ``name`` (None if empty or absent)."""
    return cell_text(row, cols.get(name))


def cell_at(row: Row, idx: int | None) -> Cell | None:
    if idx is None or idx >= len(row.cells):
        return None
    return row.cells[idx]


_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


@lru_cache(maxsize=8192)
def is_numeric_cell(text: str) -> bool:
    t = normalise(text).strip().replace(",", "")
    return _PLAIN_NUMBER.fullmatch(t) is not None


@dataclass(frozen=True, slots=True)
class PartSlice:
    key: str
    heading: Paragraph | None
    blocks: tuple[Block, ...]

    def paragraphs(self) -> Iterable[Paragraph]:
        return (b for b in self.blocks if isinstance(b, Paragraph))

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def resolve_header(rows: Sequence[Row], width: int) -> list[str]:
    """Per column, the labels of a multi-row header joined with "/".

    Header rows above the widest one have merged cells: an empty cell in a lower row sits under
    an upper cell that spans it alone (vertical merge), and a run of labelled lower cells sits
    under one or more upper cells. When the counts leave exactly one way to group the columns,
    labels are assigned by that grouping; otherwise upper labels are ignored.
    """
    if not rows:
        return [""] * width
    full = [r for r in rows if len(r) == width]
    if not full:
        return [""] * width
    base = full[-1]
    labels = [[c.text] for c in base.cells]
    # groups: list of (start, end) column ranges at the current level
    groups = [(i, i + 1) for i in range(width)]
    group_empty = [not c.text for c in base.cells]
    # a header has a few rows; never walk more than six above the widest one
    above = list(rows[max(0, rows.index(base) - 6) : rows.index(base)])
    for row in reversed(above):
        n = len(row)
        if n >= len(groups):
            if n == len(groups):
                for (s, e), cell in zip(groups, row.cells, strict=True):
                    for col in range(s, e):
                        labels[col].insert(0, cell.text)
            continue
        # runs of non-empty groups may merge; empty groups stand alone
        runs: list[list[int]] = []
        for gi, empty in enumerate(group_empty):
            if empty:
                runs.append([gi])
            elif runs and len(runs[-1]) and not group_empty[runs[-1][-1]]:
                runs[-1].append(gi)
            else:
                runs.append([gi])
        nonempty_runs = [r for r in runs if not group_empty[r[0]]]
        singles = len(runs) - len(nonempty_runs)
        if n - singles != len(nonempty_runs):
            break  # ambiguous: keep what we have
        new_groups: list[tuple[int, int]] = []
        for run in runs:
            new_groups.append((groups[run[0]][0], groups[run[-1]][1]))
        for (s, e), cell in zip(new_groups, row.cells, strict=True):
            for col in range(s, e):
                labels[col].insert(0, cell.text)
        groups = new_groups
        group_empty = [not c.text for c in row.cells]
    return ["/".join(x for x in col if x) for col in labels]


def header_rows(table: Table) -> int:
    """How many leading rows are header rows: rows before the first one holding a figure."""
    for i, row in enumerate(table.rows):
        if any(is_numeric_cell(c.text) for c in row.cells):
            return i
    return len(table.rows)


def problem(
    section: str, message: str, line: int | None = None, location: str | None = None
) -> Problem:
    return Problem(section=section, message=message, line=line, location=location)


def first_number_in(text: str) -> Number | None:
    return first_number(text)


def infer_unit(stated: Figure | None, stated_unit: str | None, value: Figure | None) -> str | None:
    """A table's unit from the total the text states: the money unit in which the table's figure
    agrees best with it (within 1 %), or None when no unit makes them agree."""
    if stated is None or value is None or stated_unit not in MONEY_UNITS or stated.value == 0:
        return None
    stated_yuan = stated.value * MONEY_UNITS[stated_unit]
    best = min(MONEY_UNITS, key=lambda u: abs(value.value * MONEY_UNITS[u] - stated_yuan))
    if abs(value.value * MONEY_UNITS[best] - stated_yuan) <= abs(stated_yuan) / 100:
        return best
    return None
