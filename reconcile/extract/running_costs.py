"""Part 三, 机关运行经费: the total, its listed items, and whether the list is partial (等)."""

from __future__ import annotations

import re

from reconcile.extract.common import PartSlice, figure_from_number, money_numbers
from reconcile.model import RunningCostItem, RunningCosts

_SPLIT = re.compile(r"[、，,；;和及与]|以及|其中[：:]?")


def extract_running_costs(part: PartSlice) -> RunningCosts:
    for para in part.paragraphs():
        text = para.text
        if "运行经费" not in text and "运行费" not in text:
            continue
        numbers = money_numbers(text)
        if not numbers:
            continue
        total = figure_from_number(numbers[0], para, "万元")
        items: list[RunningCostItem] = []
        rest_start = text.find("其中", numbers[0].end)
        partial = False
        if rest_start >= 0:
            prev_end = rest_start + 2
            for number in numbers[1:]:
                if number.start < rest_start:
                    continue
                segment = text[prev_end : number.start]
                prev_end = number.end
                name = _SPLIT.split(segment)[-1].strip(" ：:\u3000") if segment else ""
                items.append(
                    RunningCostItem(
                        name=name or "?", amount=figure_from_number(number, para, "万元")
                    )
                )
            tail = text[prev_end:]
            partial = bool(re.match(r"\s*等", tail))
        return RunningCosts(total=total, partial=partial, items=tuple(items), line=para.line)
    return RunningCosts(line=part.heading.line if part.heading else None)
