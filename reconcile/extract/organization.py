"""Part 一: the table of units (name, nature, level, funding)."""

from __future__ import annotations

import re

from reconcile.extract.common import PartSlice, column_text, squash
from reconcile.model import Organization, OrgUnit

_COLUMNS = (
    ("name", re.compile(r"单位名称|名称")),
    ("nature", re.compile(r"性质")),
    ("level", re.compile(r"规格|级别")),
    ("funding", re.compile(r"经费|保障")),
)


def extract_organization(part: PartSlice) -> Organization:
    units: list[OrgUnit] = []
    for table in part.tables():
        cols: dict[str, int] = {}
        for row in table.rows:
            if not cols:
                for i, cell in enumerate(row.cells):
                    text = squash(cell.text)
                    for key, pattern in _COLUMNS:
                        if key not in cols and pattern.search(text):
                            cols[key] = i
                            break
                if "name" not in cols:
                    cols = {}
                continue

            name = column_text(row, cols, "name")
            if name:
                units.append(
                    OrgUnit(
                        name,
                        column_text(row, cols, "nature"),
                        column_text(row, cols, "level"),
                        column_text(row, cols, "funding"),
                        row.line,
                        row.cells[0].location,
                    )
                )
    return Organization(units=tuple(units), line=part.heading.line if part.heading else None)
