"""Part 八: the glossary, ``1、term：definition`` per paragraph."""

from __future__ import annotations

import re

from reconcile.extract.common import PartSlice
from reconcile.model import GlossaryEntry

# The term runs to the first colon and is trimmed in Python: written as ``\s*(.+?)\s*`` before
# the colon, a line of spaces with no colon made the engine try every split of them (2,000
# spaces: 27 s).
_ENTRY_RE = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[、.．]([^：:\n]+)[：:](.+)$")


def extract_glossary(part: PartSlice) -> tuple[GlossaryEntry, ...]:
    entries = []
    for para in part.paragraphs():
        m = _ENTRY_RE.match(para.text)
        if m and (term := m.group(1).strip()) and (definition := m.group(2).lstrip()):
            entries.append(GlossaryEntry(term=term, definition=definition, line=para.line))
    return tuple(entries)
