"""Written figures -> exact Decimals.

This module owns every decision about how a number is written in a disclosure: full-width digits,
thousands separators, signs (-, −, －), money and count units (万元, 元, 7.62万人 …), percentages
(% or 百分比), comparators (≥, 不低于 …) and change words (增加, 减少, 下降, 持平).

A parsed number keeps the precision it was written with: ``Decimal("20")`` stays ``20`` and
``Decimal("2.50")`` stays ``2.50``; nothing is ever converted through float.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from reconcile.model import decimals_of, exponent_of

# One character in, one character out, so offsets in the normalised text are offsets in the
# original. Full-width digits and signs, the minus sign, full-width comparators and percent.
_TO_ASCII = {
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "．": ".",
    "％": "%",
    "＋": "+",
    "－": "-",
    "−": "-",
    "–": "-",
    "＜": "<",
    "＞": ">",
    "＝": "=",
    "≧": "≥",
    "≦": "≤",
    "\u3000": " ",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}
_ONE_TO_ONE = str.maketrans(_TO_ASCII)
# Most texts hold none of those characters: a search (in C) spares them the translation, which
# looks every character up in a dict.
_NEEDS_ASCII = re.compile("[" + "".join(map(re.escape, _TO_ASCII)) + "]")

MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
}

# Longest first so that 万元 wins over 万 and 人次 over 人.
_UNITS = sorted(
    [
        *MONEY_UNITS,
        "百分比",
        "个百分点",
        "百分点",
        "%",
        "‰",
        "人次",
        "万人次",
        "万人",
        "万户",
        "万个",
        "万件",
        "万次",
        "万台",
        "元/人",
        "元/月",
        "元/年",
        "元/人/月",
        "元/人/年",
        "人",
        "个",
        "件",
        "次",
        "台",
        "项",
        "辆",
        "户",
        "家",
        "份",
        "场",
        "期",
        "篇",
        "套",
        "平方米",
        "㎡",
        "公里",
        "千米",
        "米",
        "天",
        "日",
        "小时",
        "月",
        "盒",
        "名",
        "所",
        "座",
        "间",
        "张",
        "本",
        "册",
        "条",
        "处",
        "批",
        "周岁",
        "岁",
        "年度",
        "年",
        "分",
        "万",
    ],
    key=len,
    reverse=True,
)

_COMPARATORS: dict[str, str] = {
    ">=": "≥",
    "<=": "≤",
    "≥": "≥",
    "≤": "≤",
    ">": ">",
    "<": "<",
    "=": "=",
    "不低于": "≥",
    "不少于": "≥",
    "不小于": "≥",
    "大于等于": "≥",
    "大于或等于": "≥",
    "至少": "≥",
    "不高于": "≤",
    "不超过": "≤",
    "不大于": "≤",
    "不多于": "≤",
    "小于等于": "≤",
    "小于或等于": "≤",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "小于": "<",
    "低于": "<",
    "等于": "=",
}
# The last character of every comparator: what must stand right before a number (but spaces).
_COMPARATOR_ENDS = frozenset(word[-1] for word in _COMPARATORS)
_COMPARATOR_RE = re.compile(
    "(?:" + "|".join(re.escape(k) for k in sorted(_COMPARATORS, key=len, reverse=True)) + r")\s*$"
)

CHANGE_DECREASE = ("减少", "下降", "降低")
CHANGE_FLAT = ("持平",)
_CHANGE_RE = re.compile(r"(增加|增长|上升|提高|减少|下降|降低|持平)")
_CLAUSE_BREAK = re.compile(r"[，。；;,！!？?\n]")

_NUMBER_RE = re.compile(
    r"(?<![0-9A-Za-z.])(?:(?P<sign>[-+])[ \t\u3000]{0,3})?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s*(?P<unit>" + "|".join(re.escape(u) for u in _UNITS) + r"))?"
)
# A number with its unit just before a dash: 16周岁-59周岁, 1月-12月 (the dash is a range dash).
_NUMBER_WITH_UNIT_END = re.compile(r"\d\s*(?:" + "|".join(re.escape(u) for u in _UNITS) + r")$")


def normalise(text: str) -> str:
    """Map full-width digits, signs, comparators and spaces to ASCII, one char for one char."""
    return text.translate(_ONE_TO_ONE) if _NEEDS_ASCII.search(text) else text


class Number(NamedTuple):
    """One number as written: exact value (sign applied), unit, comparator and where it stands.

    A NamedTuple, built with ``tuple.__new__`` where numbers are found: a 128-document share of
    a batch finds about 4,300, and a tuple is built several times faster than a frozen
    dataclass."""

    value: Decimal
    text: str
    start: int
    end: int
    unit: str | None = None
    op: str | None = None
    change: str | None = None  # "increase", "decrease", "flat" when a change word governs it

    @property
    def decimals(self) -> int:
        """How many decimals were written (0 for an integer)."""
        return decimals_of(self.value)

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def is_year(self) -> bool:
        return self.unit in ("年", "年度") and self.op is None and 1900 <= self.value <= 2199


def _canonical_unit(unit: str | None) -> str | None:
    if unit == "百分比":
        return "%"
    return unit


def _comparator_before(norm: str, start: int) -> str | None:
    head = norm[max(0, start - 6) : start]
    if head.rstrip()[-1:] not in _COMPARATOR_ENDS:  # most numbers: no comparator can end here
        return None
    match = _COMPARATOR_RE.search(head)
    return _COMPARATORS[match.group(0).strip()] if match else None


def _change_before(norm: str, start: int) -> str | None:
    """The change word that governs a number: the nearest one earlier in the same clause, with no
    other digit between it and the number."""
    window = max(0, start - 120)  # a clause is short: never rescan the whole line per number
    clause_start = window
    for m in _CLAUSE_BREAK.finditer(norm, window, start):
        clause_start = m.end()
    clause = norm[clause_start:start]
    words = list(_CHANGE_RE.finditer(clause))
    if not words:
        return None
    last = words[-1]
    if re.search(r"\d", clause[last.end() :]):
        return None
    word = last.group(0)
    if word in CHANGE_FLAT:
        return "flat"
    if word in CHANGE_DECREASE:
        return "decrease"
    return "increase"


def _to_decimal(digits: str) -> Decimal:
    digits = digits.replace(",", "")
    if digits.startswith("."):
        digits = "0" + digits
    return Decimal(digits)


_new = tuple.__new__  # a Number without the keyword-handling constructor


def find_numbers(text: str, *, changes: bool = True) -> Iterator[Number]:
    """Every number in ``text`` with its unit, comparator and (optionally) change direction.

    A ``-`` right after a digit or letter is a range dash (``16-59周岁``), not a sign; after a
    Chinese character it is a range dash only when it follows a number's unit (``16周岁-59周岁``),
    so ``增加-5.2万元`` stays negative.
    """
    norm = normalise(text)
    for m in _NUMBER_RE.finditer(norm):
        sign = m.group("sign")
        start = m.start() if sign else m.start("num")
        if (
            sign == "-"
            and start > 0
            and norm[start - 1].isalnum()
            and _NUMBER_WITH_UNIT_END.search(norm, max(0, start - 16), start)
        ):
            sign = None
            start = m.start("num")
        value = _to_decimal(m.group("num"))
        if sign == "-":
            value = -value
        unit = _canonical_unit(m.group("unit"))
        op = _comparator_before(norm, m.start() if m.group("sign") else m.start("num"))
        change = _change_before(norm, start) if changes else None
        if change == "decrease" and value > 0:
            value = -value
        yield _new(Number, (value, text[start : m.end()], start, m.end(), unit, op, change))


def first_number(text: str, *, changes: bool = False) -> Number | None:
    """The first number in ``text`` that is not a year, or None."""
    for number in find_numbers(text, changes=changes):
        if not number.is_year:
            return number
    return None


@lru_cache(maxsize=8192)
def parse_cell(text: str) -> Number | None:
    """A table cell that should hold a single figure: the number, or None for an empty cell or a
    cell without digits. Words around it (units, signs) are kept on the Number.

    Cached: table cells repeat ("0.4", "≥95%"), and a Number is immutable."""
    stripped = normalise(text).strip()
    if not stripped:
        return None
    return first_number(text)


@dataclass(frozen=True, slots=True)
class Target:
    """A performance target as written: ``≥95%`` -> op ≥, value 95, unit %."""

    op: str | None
    value: Decimal | None
    unit: str | None


@lru_cache(maxsize=8192)
def parse_target(text: str) -> Target:
    """Split a performance target into comparator, number and unit (None where absent). A number
    beyond what can be reconciled exactly (see ``in_range``) is no value: comparator and unit
    are kept, the value is None."""
    norm = normalise(text).strip()
    number = first_number(norm)
    if number is None:
        op = None
        for word, symbol in _COMPARATORS.items():
            if norm.startswith(word):
                op = symbol
                break
        return Target(op=op, value=None, unit=None)
    unit = number.unit
    if unit is None:
        tail = norm[number.end :].strip()
        unit = tail[:4] or None if tail and not re.search(r"\d", tail) else None
    value = number.value if in_range(number.value) else None
    return Target(op=number.op, value=value, unit=unit)


MAX_DIGITS = 20  # integer digits a figure may have (10^20 元 is far beyond any budget)
MAX_DECIMALS = 8  # decimals a figure may have: the rules compute exactly at this scale


def in_range(value: Decimal) -> bool:
    """Whether a written figure can be reconciled exactly: finite, at most MAX_DIGITS integer
    digits and MAX_DECIMALS decimals. Anything else is not a budget figure but noise."""
    exponent = exponent_of(value)
    # adjusted(): the exponent of the leading digit, one less than the integer digits written
    return exponent is not None and -exponent <= MAX_DECIMALS and value.adjusted() < MAX_DIGITS


def money_factor(unit: str | None) -> Decimal | None:
    """How many 元 one unit is, or None for a unit that is not money."""
    return MONEY_UNITS.get(unit) if unit else None


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert an amount between money units exactly (``153.45`` 万元 -> ``1534500`` 元)."""
    return value * MONEY_UNITS[from_unit] / MONEY_UNITS[to_unit]


_YEAR = re.compile(r"(?<!\d)((?:19|20|21)\d{2})\s*年")


def years_in(text: str) -> Iterator[tuple[int, int]]:
    """Every year written as ``2021年`` / ``2021年度`` in ``text``: (year, offset)."""
    for m in _YEAR.finditer(normalise(text)):
        yield int(m.group(1)), m.start(1)
