"""A Word file's text dump -> Layout.

How the dump renders tables (see shared/DOMAIN.md): a cell is a line that starts with a TAB; a cell
with several paragraphs continues on the following lines without a TAB; a blank line usually ends a
row, but blank lines also occur inside rows, so row boundaries come from the table's structure: once
the table has shown a full-width row, short pieces are joined until they make a full row. Header
rows above the first full-width row keep their own (smaller) cell counts. A line is never split on
TAB: a cell's text may hold tabs of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reconcile.sources.layout import (
    SPACES,
    Block,
    Cell,
    Layout,
    Paragraph,
    Row,
    Table,
    body_width,
    clean,
)

_BLANK_CHARS = " \u3000\u00a0\u2009\u202f\ufeff\r\f\v"
_LEAD = SPACES  # what clean() strips before a cell's text
PART_HEADING = re.compile(r"^\s*第[一二三四五六七八九十0-9０-９]+部分")


def _blank(line: str) -> bool:
    return not line.startswith("\t") and not line.strip(_BLANK_CHARS)


def text_col(line: str, text: str) -> int:
    """1-based column of the text's first character on its line (a paragraph's, or a cell's
    whose leading spaces do not tell it)."""
    if not text:
        return 1
    pos = line.find(text[:8].split("\n", 1)[0])
    return pos + 1 if pos >= 0 else 1


def cell_col(line: str, raw: str, text: str) -> int:
    """1-based column of a cell's text on its first line (``line``, its TAB included; ``raw``,
    the cell as written after the TAB)."""
    if not text:
        return 1
    col = 2 + len(raw) - len(raw.lstrip(_LEAD))
    return col if line.startswith(text[:1], col - 1) else text_col(line, text)  # a marker first


@lru_cache(maxsize=4096)
def rows_of_segments(lengths: tuple[int, ...]) -> tuple[int, ...]:
    """The row (0-based) of each blank-separated segment of one table, from the segments' cell
    counts: once the table has shown a full-width row, short segments are joined until they fill
    one. (The text layout and the columnar one in ``textcols`` both use this rule.)

    Cached: tables of one template break into the same segments document after document."""
    width = body_width(lengths)
    rows: list[int] = []
    row = -1
    filled = 0
    seen_full = False
    for n in lengths:
        if row >= 0 and seen_full and filled < width and filled + n <= width:
            filled += n
        else:
            row += 1
            filled = n
        rows.append(row)
        if filled >= width:
            seen_full = True
    return tuple(rows)


def _rows_from_segments(segments: list[list[Cell]]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for seg, row in zip(segments, rows_of_segments(tuple(len(s) for s in segments)), strict=True):
        if row < len(rows):
            rows[row] += seg
        else:
            rows.append(list(seg))
    return rows


def _table(lines: list[str], start: int, index: int) -> tuple[Table, int]:
    """Read the table whose first cell is at ``start`` (0-based); return it and the next index."""
    n = len(lines)
    segments: list[list[Cell]] = [[]]
    current = segments[0]
    j = start
    last_line = start
    blank_chars = _BLANK_CHARS
    lead = _LEAD
    new_cell = tuple.__new__  # Cell(...) without the keyword-handling constructor: 3x faster
    while j < n:
        line = lines[j]
        if line[:1] == "\t":
            first = j
            j += 1
            raw = line[1:]
            # Most cells are one line; a cell with several paragraphs continues on lines that
            # start without a TAB.
            if j < n and lines[j][:1] != "\t" and lines[j].strip(blank_chars):
                parts = [raw]
                while j < n and lines[j][:1] != "\t" and lines[j].strip(blank_chars):
                    if PART_HEADING.match(lines[j]):
                        break
                    parts.append(lines[j])
                    j += 1
                raw = "\n".join(parts)
                text = "\n".join(p for p in (clean(p) for p in parts) if p)
            elif "[" in raw:
                text = clean(raw)
            else:
                text = raw.strip(lead)
            col = cell_col(line, raw, text)
            current.append(new_cell(Cell, (text, first + 1, j, col, raw, None)))
            last_line = j
            continue
        if not line.strip(blank_chars):
            k = j + 1
            while k < n and lines[k][:1] != "\t" and not lines[k].strip(blank_chars):
                k += 1
            if k < n and lines[k][:1] == "\t":
                if current:
                    current = []
                    segments.append(current)
                j = k
                continue
        break
    segments = [s for s in segments if s]
    rows = [
        Row(cells=tuple(cells), line=cells[0].line, end_line=cells[-1].end_line)
        for cells in _rows_from_segments(segments)
    ]
    return Table(rows=tuple(rows), line=start + 1, end_line=last_line, index=index), j


def layout_text(text: str, lines: list[str] | None = None) -> Layout:
    """Paragraphs (one per non-blank line outside tables) and tables, with their lines."""
    from reconcile.sources.decode import split_lines

    if lines is None:
        lines = split_lines(text)
    blocks: list[Block] = []
    i = 0
    n = len(lines)
    tables = 0
    while i < n:
        line = lines[i]
        if line.startswith("\t"):
            tables += 1
            table, i = _table(lines, i, tables)
            blocks.append(table)
            continue
        if not _blank(line):
            text_ = clean(line)
            if text_:
                blocks.append(
                    Paragraph(text=text_, line=i + 1, col=text_col(line, text_), raw=line)
                )
        i += 1
    return Layout(blocks=tuple(blocks), lines=tuple(lines))
