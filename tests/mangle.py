"""Mangled copies of a disclosure's table rows, shared by the hostile-input tests
(``tests/test_hostile.py``, choices drawn by hypothesis) and the fuzzer
(``bench/fuzz_reader.py``, choices read from fuzz bytes): one implementation of the mangling, two
sources of choices."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# Figures written into cells: as a budget writes them, and junk, within any real budget's range.
IN_RANGE_NUMBERS = [
    "999999999999",
    "123456789012.123456",
    "-45.11",
    "－2.70",
    "−0.30",
    "-0",
    "0.000001",
    "—",
    "——",
    "－",
    "ＡＢＣ１２３．．",
    "１２３，４５６．７８",
    "％％",
    "\u3000\u3000",
    "1,2,3",
    "..",
    "≥≥95%",
    "万元万元",
    "",
]
# Figures beyond any budget: the reader drops them, the rules never see them.
HUGE_NUMBERS = [
    "1" + "0" * 30,  # 1e30 written out
    "9" * 40,
    "-" + "1" + "0" * 30,
    "0." + "0" * 60 + "1",
]

# What can happen to a row; "number" twice, so that figures are replaced as often as cells move.
TABLE_OPS = (
    "delete cell",
    "duplicate cell",
    "untab",
    "tab",
    "one cell",
    "thirty cells",
    "number",
    "number",
    "blank inside",
    "join rows",
)


def row_groups(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every run of consecutive cell lines: one table row (or part of one)."""
    groups, start = [], None
    for i, line in enumerate([*lines, ""]):
        if line.startswith("\t"):
            start = i if start is None else start
        elif start is not None:
            groups.append((start, i))
            start = None
    return groups


def replace_digits(text: str, new: str) -> str:
    """``text`` with its first run of digits (and decimal point) replaced by ``new``."""
    start = next((i for i, ch in enumerate(text) if ch.isdigit()), None)
    if start is None:
        return text + new
    end = start
    while end < len(text) and (text[end].isdigit() or text[end] in ".,"):
        end += 1
    return text[:start] + new + text[end:]


def mangle_tables(
    lines: Sequence[str],
    *,
    rounds: int,
    between: Callable[[int, int], int],
    pick: Callable[[Sequence[Any]], Any],
    numbers: Sequence[str],
    junk: Callable[[], str] | None = None,
) -> list[str]:
    """A copy of ``lines`` with ``rounds`` table rows mangled: cells deleted or duplicated within a
    row, TABs removed or added at line starts, rows of 1 or 30 cells, blank lines added inside
    rows or taken from between them, and figures replaced by ``numbers``; with ``junk``, also
    cells of junk text. ``between(a, b)`` chooses an integer in [a, b], ``pick(seq)`` an element."""
    lines = list(lines)
    ops = [*TABLE_OPS, "junk cell"] if junk else list(TABLE_OPS)
    for _ in range(rounds):
        groups = row_groups(lines)
        if not groups:
            break
        start, end = pick(groups)
        at = between(start, end - 1)
        op = pick(ops)
        if op == "delete cell":
            del lines[at]
        elif op == "duplicate cell":
            lines.insert(at, lines[at])
        elif op == "untab":
            lines[at] = lines[at][1:]
        elif op == "tab":
            other = between(max(0, start - 3), min(len(lines) - 1, end + 3))
            lines[other] = "\t" + lines[other]
        elif op == "one cell":
            lines[start:end] = ["\t" + "".join(line.strip() for line in lines[start:end])]
        elif op == "thirty cells":
            cells = lines[start:end]
            lines[start:end] = [cells[i % len(cells)] for i in range(30)]
        elif op == "number":
            lines[at] = replace_digits(lines[at], pick(numbers))
        elif op == "blank inside":
            lines.insert(at + 1, "")
        elif op == "junk cell" and junk is not None:
            lines[at] = "\t" + junk()
        elif end < len(lines) and not lines[end].strip():
            del lines[end]  # join this row with the next
    return lines
