"""Part 八: the glossary, ``1、term：definition`` per paragraph."""

from __future__ import annotations

import re

from reconcile.extract.common import PartSlice
from reconcile.model import GlossaryEntry

_ENTRY_RE = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[、.．]\s*(.+?)\s*[：:]\s*(.+)$")


def extract_glossary(part: PartSlice) -> tuple[GlossaryEntry, ...]:
    entries = []
    for para in part.paragraphs():
        m = _ENTRY_RE.match(para.text)
        if m:
            entries.append(GlossaryEntry(term=m.group(1), definition=m.group(2), line=para.line))
    return tuple(entries)
