"""Text as the terminal will show it: one line, and the same width in every terminal.

Chinese characters are double-width everywhere (East Asian Width W/F) and Rich measures them so.
*Ambiguous-width* characters (East Asian Width A: ≥ ≤ “ ” ‘ ’ … — × ★ ① −, box and block
drawing) are one cell in Rich's tables and in most Western terminals but two cells in terminals set
up for CJK (and in some fonts), so a table cell holding one would push every later column off by a
cell there. The interface therefore replaces them, **for display only**, with unambiguous
equivalents (≥ → >=, “” → "", − → -, … → ...); the documents, the findings and every export keep
the original text. Characters without a listed equivalent are shown as they are (they are rare in
disclosures). Tabs, line breaks, no-break and zero-width spaces become plain spaces or disappear so a
cell is always one line.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len, set_cell_size

_REPLACEMENTS: dict[str, str] = {
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "≈": "~",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "…": "...",
    "—": "-",
    "–": "-",
    "―": "-",
    "−": "-",
    "×": "x",
    "÷": "/",
    "±": "+/-",
    "·": ".",
    "•": "*",
    "★": "*",
    "☆": "*",
    "※": "*",
    "○": "o",
    "●": "*",
    "□": "[ ]",
    "■": "[x]",
    "△": "^",
    "▲": "^",
    "→": "->",
    "←": "<-",
    "↑": "^",
    "↓": "v",
    "℃": "C",
    "°": " deg",
    "‰": " permille",
    "§": "S",
    "\t": " ",
    "\r": "",
    "\n": " ",
    "\u00a0": " ",  # no-break space
    "\u200b": "",  # zero-width space
    "\ufeff": "",  # BOM
}
# circled numbers ①..⑳ -> (1)..(20)
_REPLACEMENTS.update({chr(0x2460 + i): f"({i + 1})" for i in range(20)})
_TABLE = str.maketrans(_REPLACEMENTS)

ELLIPSIS = "~"
"""Marks a cut cell; an ASCII character, because … is itself ambiguous-width."""


@lru_cache(maxsize=65536)
def display(text: str | None) -> str:
    """``text`` with ambiguous-width characters replaced by unambiguous ones, on one line."""
    if not text:
        return ""
    if text.isascii():
        return text.replace("\t", " ").replace("\n", " ").replace("\r", "")
    return text.translate(_TABLE)


def is_ambiguous(char: str) -> bool:
    return unicodedata.east_asian_width(char) == "A"


def fit(text: str, width: int, *, justify: str = "left", cut: str = "right") -> str:
    """``text`` cut or padded to exactly ``width`` cells (double-width characters counted as two;
    a wide character that would straddle the edge is replaced by a space). ``cut="left"`` keeps
    the end of the text (file paths)."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length > width:
        if width == 1:
            return ELLIPSIS
        if cut == "left":
            tail = text
            while cell_len(tail) > width - 1:
                tail = tail[1:]
            return ELLIPSIS + set_cell_size(tail, width - 1)
        return set_cell_size(text, width - 1) + ELLIPSIS
    if length == width:
        return text
    pad = " " * (width - length)
    return pad + text if justify == "right" else text + pad


def width_of(text: str) -> int:
    return cell_len(text)
