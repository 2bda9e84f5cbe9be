"""Split a layout into the parts of the template (第X部分 headings), recognised by what their
headings say rather than by their number, so reordered or missing parts are handled."""

from __future__ import annotations

import re

from reconcile.extract.common import PartSlice
from reconcile.sources.layout import Block, Layout, Paragraph

_PART_RE = re.compile(r"^\s*第[一二三四五六七八九十0-9０-９]+部分")
_CN_HEADING_RE = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")

# Order matters: the first pattern that matches a heading names its part.
_KEYS = (
    ("three_public", re.compile(r"三公")),
    ("running_costs", re.compile(r"机关运行")),
    ("performance", re.compile(r"绩效")),
    ("procurement", re.compile(r"政府采购|采购预算")),
    ("assets", re.compile(r"国有资产|资产")),
    ("glossary", re.compile(r"名词解释|名词")),
    ("other", re.compile(r"其他需|其他事项|其他说明")),
    ("organization", re.compile(r"职责|机构设置|部门概况|单位概况")),
    ("budget", re.compile(r"总体情况|预算安排|收支|收入|支出")),
)


def classify(heading: str) -> str | None:
    for key, pattern in _KEYS:
        if pattern.search(heading):
            return key
    return None


def split_parts(layout: Layout) -> tuple[list[Block], list[PartSlice]]:
    """(preamble blocks, parts). With 第X部分 headings those alone split the document; without
    them, short Chinese-numbered headings (一、…) naming a part do, a repeated key continuing the
    part it names."""
    return slice_parts(layout, part_starts(layout))


Starts = list[tuple[int, str]]


def part_starts(layout: Layout) -> Starts:
    """Where each part starts (the index of its heading among the blocks) and its key, as
    ``split_parts`` finds them: the same for any layout with the same paragraphs in the same
    places (a batch's layout before and after its tables get their rows)."""
    blocks = layout.blocks
    has_part_headings = any(isinstance(b, Paragraph) and _PART_RE.match(b.text) for b in blocks)
    starts: Starts = []
    for i, block in enumerate(blocks):
        if not isinstance(block, Paragraph):
            continue
        text = block.text
        if has_part_headings:
            if _PART_RE.match(text):
                starts.append((i, classify(text) or "other"))
        elif _CN_HEADING_RE.match(text) and len(text) <= 40:
            key = classify(text)
            if key and (not starts or starts[-1][1] != key):
                starts.append((i, key))
    return starts


def slice_parts(layout: Layout, starts: Starts) -> tuple[list[Block], list[PartSlice]]:
    """(preamble blocks, parts) of ``layout`` cut at ``starts`` (see ``part_starts``)."""
    blocks = layout.blocks
    if not starts:
        return list(blocks), []
    preamble = list(blocks[: starts[0][0]])
    parts: list[PartSlice] = []
    for n, (i, key) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(blocks)
        heading = blocks[i]
        assert isinstance(heading, Paragraph)
        parts.append(PartSlice(key=key, heading=heading, blocks=tuple(blocks[i + 1 : end])))
    return preamble, parts
