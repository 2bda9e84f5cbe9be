"""Part 五, performance: the overall goals and the year they name, and every project's
performance table (goals, then indicator rows 一级/二级/三级/描述/指标值/依据), level-1 and level-2
filled down where their cells are merged."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from reconcile.extract.common import PartSlice, squash, strip_ordinal
from reconcile.extract.parts import Starts, part_starts, slice_parts
from reconcile.model import Indicator, Performance, PerformanceProject, Problem, YearMention
from reconcile.numbers import parse_target
from reconcile.sources.layout import Block, Layout, Paragraph, Table

_LEADING_YEAR = re.compile(r"^\s*((?:19|20|21)\d{2})\s*年")
_COLUMNS = (
    ("level1", re.compile(r"一级")),
    ("level2", re.compile(r"二级")),
    ("level3", re.compile(r"三级")),
    ("description", re.compile(r"描述|内容|说明")),
    ("basis", re.compile(r"依据")),
    ("target", re.compile(r"指标值|目标值")),
)


_FIELDS = ("level1", "level2", "level3", "description", "target", "basis")
_GOALS_RE = re.compile(r"绩效目标|年度目标|总体目标")
_PAD = [""] * 16


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Which cell of a header row (its texts) holds which field."""
    return _columns_of(tuple(header))


@lru_cache(maxsize=1024)  # header rows repeat table after table and across documents
def _columns_of(header: tuple[str, ...]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, text in enumerate(map(squash, header)):
        for name, pattern in _COLUMNS:
            if name not in cols and pattern.search(text):
                cols[name] = i
                break
    return cols


_TABLE_SUFFIX = re.compile(r"(?:绩效目标申报表|绩效目标表|绩效目标)\s*$")


def project_name(text: str) -> str:
    name = strip_ordinal(text)
    return _TABLE_SUFFIX.sub("", name).strip() or name


def _goals(text: str) -> tuple[str, ...]:
    return tuple(g for g in (strip_ordinal(line) for line in text.split("\n")) if g)


def _indicators(
    tables: list[Table], problems: list[Problem]
) -> tuple[tuple[str, ...], list[Indicator]]:
    goals: list[str] = []  # extended row by row (a tuple rebuilt per row grew quadratically)
    indicators: list[Indicator] = []
    for table in tables:
        cols: dict[str, int] | None = None
        level1 = level2 = None
        getters: tuple[int, ...] = ()
        pad: list[str] = []
        for row in table.rows:
            cells = row.cells
            if cols is None:
                first = squash(cells[0].text) if cells else ""
                if len(cells) <= 3 and _GOALS_RE.search(first):
                    goals += _goals(cells[-1].text if len(cells) > 1 else "")
                    continue
            if (cols is None or "一级" in cells[0].text) and any(
                "一级" in c.text and "一级指标" in squash(c.text) for c in cells
            ):
                cols = _columns([c.text for c in cells])
                # a missing column reads the padding's last (empty) slot
                getters = tuple(cols.get(name, -1) for name in _FIELDS)
                pad = [""] * (max(getters) + 1)
                level1 = level2 = None
                continue
            if cols is None:
                continue
            texts = [c.text for c in cells]
            if not any(texts):
                continue
            texts += pad
            i1, i2, i3, i4, i5, i6 = getters
            l1, l2, l3 = texts[i1] or None, texts[i2] or None, texts[i3] or None
            desc, target, basis = texts[i4] or None, texts[i5] or None, texts[i6] or None
            level1 = l1 or level1
            level2 = l2 or level2
            parsed = parse_target(target) if target else None
            indicators.append(
                Indicator(
                    level1=level1,
                    level2=level2,
                    level3=l3,
                    description=desc,
                    target=target,
                    target_op=parsed.op if parsed else None,
                    target_value=parsed.value if parsed else None,
                    target_unit=parsed.unit if parsed else None,
                    basis=basis,
                    line=row.line,
                    location=cells[0].location,
                )
            )
    return tuple(goals), indicators


def _projects(blocks: Sequence[Block]) -> tuple[list[tuple[Paragraph, list[Table]]], int]:
    """Every project of the part: its heading, the paragraph right before a performance table
    (usually "N、…绩效目标表"), with every table that follows until the next paragraph; and the
    position of the first project's first table (len(blocks) when there is none)."""
    projects: list[tuple[Paragraph, list[Table]]] = []
    first = len(blocks)
    last_para: Paragraph | None = None
    for i, block in enumerate(blocks):
        if isinstance(block, Table):
            if last_para is not None and (not projects or last_para is not projects[-1][0]):
                projects.append((last_para, []))
                first = min(first, i)
            if projects:
                projects[-1][1].append(block)
            continue
        last_para = block
    return projects, first


def project_tables(
    layout: Layout, starts: Starts | None = None
) -> list[tuple[Paragraph, list[Table]]]:
    """The projects of a layout's performance part (the first one, as ``extract`` reads), its
    parts starting at ``starts`` when already found (``parts.part_starts``)."""
    for part in slice_parts(layout, part_starts(layout) if starts is None else starts)[1]:
        if part.key == "performance":
            return _projects(part.blocks)[0]
    return []


def extract_performance(part: PartSlice) -> tuple[Performance, list[YearMention], list[Problem]]:
    problems: list[Problem] = []
    mentions: list[YearMention] = []
    overall_year = overall_line = None
    found, first = _projects(part.blocks)
    # The overall goal's year, and other goals' years, come from paragraphs before the projects.
    for block in part.blocks[:first]:
        if not isinstance(block, Paragraph):
            continue
        text = block.text
        year = _LEADING_YEAR.match(text)
        if year:
            if overall_year is None and re.search(r"整体|总体", text) and "目标" in text:
                overall_year, overall_line = int(year.group(1)), block.line
            elif "目标" in text:
                mentions.append(
                    YearMention(
                        int(year.group(1)), "goal", "current", text[:24], block.line, block.location
                    )
                )
    projects = []
    for heading, tables in found:
        goals, indicators = _indicators(tables, problems)
        projects.append(
            PerformanceProject(
                name=project_name(heading.text),
                line=heading.line,
                goals=goals,
                indicators=tuple(indicators),
                location=heading.location,
            )
        )
    return (
        Performance(
            overall_goal_year=overall_year,
            overall_goal_line=overall_line,
            projects=tuple(projects),
            line=part.heading.line if part.heading else None,
        ),
        mentions,
        problems,
    )
