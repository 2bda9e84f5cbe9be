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

from reconcile.sources.layout import Block, Cell, Layout, Paragraph, Row, Table, body_width, clean

_BLANK_CHARS = " \u3000\u00a0\u2009\u202f\ufeff\r\f\v"
PART_HEADING = re.compile(r"^\s*第[一二三四五六七八九十0-9０-９]+部分")


def _blank(line: str) -> bool:
    return not line.startswith("\t") and not line.strip(_BLANK_CHARS)


def _col(line: str, text: str) -> int:
    """1-based column of the text's first character on its line."""
    if not text:
        return 1
    if line.startswith(text[:1], 1):
        return 2
    pos = line.find(text[:8].split("\n", 1)[0])
    return pos + 1 if pos >= 0 else 1


def _rows_from_segments(segments: list[list[Cell]]) -> list[list[Cell]]:
    width = body_width(tuple(len(s) for s in segments))
    rows: list[list[Cell]] = []
    seen_full = False
    for seg in segments:
        if rows and seen_full and len(rows[-1]) < width and len(rows[-1]) + len(seg) <= width:
            rows[-1] = rows[-1] + seg
        else:
            rows.append(list(seg))
        if len(rows[-1]) >= width:
            seen_full = True
    return rows


def _table(lines: list[str], start: int, index: int) -> tuple[Table, int]:
    """Read the table whose first cell is at ``start`` (0-based); return it and the next index."""
    n = len(lines)
    segments: list[list[Cell]] = [[]]
    j = start
    last_line = start
    while j < n:
        line = lines[j]
        if line[:1] == "\t":
            first = j
            j += 1
            raw = line[1:]
            # Most cells are one line; a cell with several paragraphs continues on lines that
            # start without a TAB.
            if j < n and lines[j][:1] != "\t" and not _blank(lines[j]):
                parts = [raw]
                while j < n and lines[j][:1] != "\t" and not _blank(lines[j]):
                    if PART_HEADING.match(lines[j]):
                        break
                    parts.append(lines[j])
                    j += 1
                raw = "\n".join(parts)
                text = "\n".join(p for p in (clean(p) for p in parts) if p)
            else:
                text = clean(raw)
            segments[-1].append(Cell(text, first + 1, j, _col(line, text), raw))
            last_line = j
            continue
        if _blank(line):
            k = j
            while k < n and _blank(lines[k]):
                k += 1
            if k < n and lines[k].startswith("\t"):
                if segments[-1]:
                    segments.append([])
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
                blocks.append(Paragraph(text=text_, line=i + 1, col=_col(line, text_), raw=line))
        i += 1
    return Layout(blocks=tuple(blocks), lines=tuple(lines))
