"""The document's identity: department, year, kind and title, from the lines before part one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reconcile.model import DocumentInfo, YearMention
from reconcile.sources.layout import Block, Paragraph

# No two whitespace runs meet: written as ``\s*`` runs on both sides of the optional 部门, a year
# followed by many spaces made the engine try every split of them (40,000 spaces: 20 s).
_KIND = r"年(?:度)?\s*(?:(?:部门|单位)\s*)?(预算|决算)"
_TITLE_RE = re.compile(r"((?:19|20|21)\d{2})\s*" + _KIND)
_PREAMBLE_DEPT_RE = re.compile(r"现将(.{1,60}?)((?:19|20|21)\d{2})\s*" + _KIND)


def extract_info(
    preamble: Sequence[Block],
    all_blocks: Sequence[Block],
    source: str,
    encoding: str | None,
    source_kind: str,
) -> tuple[DocumentInfo, list[YearMention]]:
    paragraphs = [b for b in preamble if isinstance(b, Paragraph)]
    if not paragraphs:
        paragraphs = [b for b in all_blocks[:10] if isinstance(b, Paragraph)]
    department = title = kind = None
    year = None
    line = None
    mentions: list[YearMention] = []
    for i, para in enumerate(paragraphs[:8]):
        m = _TITLE_RE.search(para.text)
        if not m or len(para.text) > 60:
            continue
        year = int(m.group(1))
        kind = "final_accounts" if m.group(2) == "决算" else "budget"
        before = para.text[: m.start()].strip(" ：:")
        if before:
            department = before
            title = para.text
        elif (
            i > 0
            and len(paragraphs[i - 1].text) <= 40
            and not _TITLE_RE.search(paragraphs[i - 1].text)
        ):
            department = paragraphs[i - 1].text
            title = f"{department}{para.text}"
        else:
            title = para.text
        line = para.line
        break
    for para in paragraphs:
        m = _PREAMBLE_DEPT_RE.search(para.text)
        if m:
            if department is None:
                department = m.group(1).strip()
            if year is None:
                year = int(m.group(2))
                kind = "final_accounts" if m.group(3) == "决算" else "budget"
                line = para.line
            else:
                mentions.append(
                    YearMention(
                        int(m.group(2)), "preamble", "current", m.group(0), para.line, para.location
                    )
                )
            break
    info = DocumentInfo(
        department=department,
        year=year,
        kind=kind,
        title=title,
        source=source,
        encoding=encoding,
        source_kind=source_kind,
        line=line,
    )
    return info, mentions
