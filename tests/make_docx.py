"""Rebuild a text dump as a real Word file, so the .docx reader can be tested against the dump.

``build_docx(layout)`` writes each Paragraph as a paragraph and each Table as a Word table whose
merges reproduce the dump's cell counts: a row with fewer cells than the table is wide gets
horizontal merges (gridSpan), and an empty cell that continues the header cell above it becomes a
vertical-merge continuation. Reading the result back with ``layout_docx`` gives the same texts per
row. Nothing about the sample is hard-coded; the spans are derived from the rows alone:

* Rows from the first full-width row on are body rows: one grid column per cell (a short body row
  gives its last cell the missing columns).
* A header row above is laid over the row below it. Every empty cell below continues the header
  cell above it (same columns, vMerge), and every run of non-empty cells below sits under one header
  cell (a group heading). When the header row's cell count matches that reading, the spans follow
  from it; the procurement header (7, 10 and 14 cells) comes out as Word draws it. Otherwise the
  header row's last cell takes the missing columns.

Run as a script to write the sample as .docx: ``python tests/make_docx.py [dump.txt] [out.docx]``.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(_ROOT))

import docx  # noqa: E402
from docx.document import Document as DocxDocument  # noqa: E402
from docx.table import Table as DocxTable  # noqa: E402
from docx.table import _Cell  # noqa: E402

from reconcile.sources.decode import decode, split_lines  # noqa: E402
from reconcile.sources.layout import Layout, Paragraph, Table  # noqa: E402
from reconcile.sources.text import layout_text  # noqa: E402

SAMPLE = _ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"

# Characters XML 1.0 cannot hold (python-docx refuses them); TAB and LF stay.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Slot:
    """One cell of the rebuilt table: its text, first grid column, span, and whether it
    continues the cell above (a vertical merge)."""

    text: str
    col: int
    span: int
    continues: bool = False


def _fallback_spans(n: int, width: int) -> list[int]:
    return [1] * (n - 1) + [width - n + 1] if n else []


def _over(upper: tuple[str, ...], lower: list[Slot]) -> tuple[list[int], set[int]] | None:
    """Spans for the header row ``upper`` laid over ``lower``, and the indices of the lower
    cells that continue the cell above; None when the counts do not fit that reading."""
    groups: list[list[int]] = []  # indices into lower
    for k, slot in enumerate(lower):
        if slot.text and groups and lower[groups[-1][-1]].text:
            groups[-1].append(k)
        else:
            groups.append([k])
    if len(groups) != len(upper):
        return None
    spans = [sum(lower[k].span for k in g) for g in groups]
    continuing = {g[0] for g in groups if not lower[g[0]].text}
    return spans, continuing


def plan_table(rows: list[tuple[str, ...]]) -> list[list[Slot]]:
    """The grid layout of a table given its rows' texts (see the module docstring)."""
    width = max((len(r) for r in rows), default=0)
    first_full = next((i for i, r in enumerate(rows) if len(r) == width), 0)
    spans: list[list[int]] = [[]] * len(rows)
    continuing: list[set[int]] = [set() for _ in rows]
    for i in range(first_full, len(rows)):
        spans[i] = _fallback_spans(len(rows[i]), width)

    def slots(i: int) -> list[Slot]:
        out, col = [], 0
        for k, (text, span) in enumerate(zip(rows[i], spans[i], strict=True)):
            out.append(Slot(text, col, span, k in continuing[i]))
            col += span
        return out

    for i in range(first_full - 1, -1, -1):
        fit = _over(rows[i], slots(i + 1))
        if fit is None:
            spans[i] = _fallback_spans(len(rows[i]), width)
        else:
            spans[i], continuing[i + 1] = fit
    return [slots(i) for i in range(len(rows))]


def _set_text(cell: _Cell, text: str) -> None:
    lines = _NOT_XML.sub("", text).split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _add_table(document: DocxDocument, table: Table) -> DocxTable:
    plan = plan_table([r.texts for r in table.rows])
    width = max(sum(s.span for s in row) for row in plan)
    out = document.add_table(rows=len(plan), cols=width)
    out.style = "Table Grid"
    for r, row in enumerate(plan):
        for slot in row:
            if slot.span > 1:
                out.cell(r, slot.col).merge(out.cell(r, slot.col + slot.span - 1))
    for r, row in enumerate(plan):
        for slot in row:
            if slot.continues:
                continue
            bottom = r
            while bottom + 1 < len(plan) and any(
                s.continues and s.col == slot.col for s in plan[bottom + 1]
            ):
                bottom += 1
            if bottom > r:
                out.cell(r, slot.col).merge(out.cell(bottom, slot.col + slot.span - 1))
    for r, row in enumerate(plan):
        grid = out.rows[r].cells  # one entry per grid column; reading it once per row is fast
        for slot in row:
            if not slot.continues:
                _set_text(grid[slot.col], slot.text)
    return out


def build_docx(layout: Layout) -> bytes:
    """The layout as a Word file: paragraphs as paragraphs, tables as tables with merges."""
    document = docx.Document()
    for block in layout.blocks:
        if isinstance(block, Paragraph):
            document.add_paragraph(_NOT_XML.sub("", block.text))
        elif block.rows:
            _add_table(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def layout_of_dump(path: Path) -> Layout:
    text = decode(path.read_bytes(), str(path)).text
    return layout_text(text, split_lines(text))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else SAMPLE
    target = Path(args[1]) if len(args) > 1 else source.with_suffix(".docx")
    target.write_bytes(build_docx(layout_of_dump(source)))
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
