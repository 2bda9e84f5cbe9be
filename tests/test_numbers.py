"""Table-driven tests for reconcile.numbers.

Every expected value is written out by hand from the written text; none is computed by the code
under test. Values are compared as ``str(Decimal)`` so that written precision is checked too.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from reconcile.model import exponent_of
from reconcile.numbers import (
    Target,
    convert,
    find_numbers,
    first_number,
    in_range,
    money_factor,
    normalise,
    parse_cell,
    parse_target,
    years_in,
)

# text -> (value as written, unit, op, change) of the only number in the text.
SINGLE = [
    # plain and decimal numbers keep their written precision
    ("20", "20", None, None, None),
    ("20.00", "20.00", None, None, None),
    ("2.50", "2.50", None, None, None),
    ("0.5", "0.5", None, None, None),
    (".5", "0.5", None, None, None),
    ("0", "0", None, None, None),
    ("0.00万元", "0.00", "万元", None, None),
    # full-width digits and full-width decimal point
    ("２８３４.５５", "2834.55", None, None, None),
    ("２８３４．５５", "2834.55", None, None, None),
    ("２０", "20", None, None, None),
    # thousands separators
    ("1,534,512.83", "1534512.83", None, None, None),
    ("1,000", "1000", None, None, None),
    ("１,２３４.５", "1234.5", None, None, None),
    ("1,534,512.83元", "1534512.83", "元", None, None),
    # signs
    ("-5", "-5", None, None, None),
    ("−5.20", "-5.20", None, None, None),
    ("－12.50", "-12.50", None, None, None),
    ("＋3", "3", None, None, None),
    ("+3.0", "3.0", None, None, None),
    ("增减金额：-5.00", "-5.00", None, None, None),
    ("增减-12万元", "-12", "万元", None, None),
    ("比上年增加-5.2万元", "-5.2", "万元", None, "increase"),
    # money units, with and without a space before the unit
    ("153.45万元", "153.45", "万元", None, None),
    ("153.45 万元", "153.45", "万元", None, None),
    ("153.45\u3000万元", "153.45", "万元", None, None),
    ("3066元", "3066", "元", None, None),
    ("3066 元", "3066", "元", None, None),
    ("200千元", "200", "千元", None, None),
    ("200 千元", "200", "千元", None, None),
    ("1.5亿元", "1.5", "亿元", None, None),
    ("1.5 亿元", "1.5", "亿元", None, None),
    ("100元/人", "100", "元/人", None, None),
    # count units
    ("5人", "5", "人", None, None),
    ("3个", "3", "个", None, None),
    ("2件", "2", "件", None, None),
    ("4次", "4", "次", None, None),
    ("1台", "1", "台", None, None),
    ("6项", "6", "项", None, None),
    ("6 项", "6", "项", None, None),
    ("12人次", "12", "人次", None, None),
    # 万 with counts
    ("7.62万人", "7.62", "万人", None, None),
    ("3万人次", "3", "万人次", None, None),
    ("2万件", "2", "万件", None, None),
    ("1.2万个", "1.2", "万个", None, None),
    # percentages
    ("95%", "95", "%", None, None),
    ("95％", "95", "%", None, None),
    ("95 %", "95", "%", None, None),
    ("≥95百分比", "95", "%", "≥", None),
    ("2个百分点", "2", "个百分点", None, None),
    # comparators
    ("≥95%", "95", "%", "≥", None),
    ("≥ 95%", "95", "%", "≥", None),
    ("≤10%", "10", "%", "≤", None),
    (">3", "3", None, ">", None),
    ("<1件", "1", "件", "<", None),
    ("=100%", "100", "%", "=", None),
    ("＞3", "3", None, ">", None),
    ("＜1件", "1", "件", "<", None),
    ("＝100%", "100", "%", "=", None),
    ("≧80%", "80", "%", "≥", None),
    (">=90%", "90", "%", "≥", None),
    ("不低于90%", "90", "%", "≥", None),
    ("不少于5人", "5", "人", "≥", None),
    ("不高于10%", "10", "%", "≤", None),
    ("不超过3次", "3", "次", "≤", None),
    ("大于或等于90%", "90", "%", "≥", None),
    ("满意度不低于 95%", "95", "%", "≥", None),
    # change words
    ("较上年增加353.32万元", "353.32", "万元", None, "increase"),
    ("较上年增长10%", "10", "%", None, "increase"),
    ("较上年减少12.5万元", "-12.5", "万元", None, "decrease"),
    ("较上年下降3%", "-3", "%", None, "decrease"),
    ("较上年降低0.50万元", "-0.50", "万元", None, "decrease"),
    ("较上年下降2个百分点", "-2", "个百分点", None, "decrease"),
    ("较上年减少-5万元", "-5", "万元", None, "decrease"),
    ("与上年持平0.00万元", "0.00", "万元", None, "flat"),
    ("三公经费与上年持平为5.00万元", "5.00", "万元", None, "flat"),
    ("本年增加项目支出364.75万元", "364.75", "万元", None, "increase"),
    ("本年减少公用经费8.00万元", "-8.00", "万元", None, "decrease"),
    # a change word in an earlier clause does not apply
    ("支出增加，合计12.00万元", "12.00", "万元", None, None),
    ("支出减少。合计12.00万元", "12.00", "万元", None, None),
    ("支出下降；合计12.00万元", "12.00", "万元", None, None),
    # years
    ("2021年", "2021", "年", None, None),
    ("2021年度", "2021", "年度", None, None),
    ("２０２１年", "2021", "年", None, None),
]


@pytest.mark.parametrize(("text", "value", "unit", "op", "change"), SINGLE)
def test_single_number(
    text: str, value: str, unit: str | None, op: str | None, change: str | None
) -> None:
    numbers = list(find_numbers(text))
    assert len(numbers) == 1, numbers
    (number,) = numbers
    assert str(number.value) == value
    assert number.unit == unit
    assert number.op == op
    assert number.change == change


# text -> every number as (value as written, unit, change)
MANY = [
    # range dashes are not signs
    ("16-59周岁", [("16", None, None), ("59", "周岁", None)]),
    ("１６－５９周岁", [("16", None, None), ("59", "周岁", None)]),
    ("16周岁-59周岁", [("16", "周岁", None), ("59", "周岁", None)]),
    ("1月-12月", [("1", "月", None), ("12", "月", None)]),
    ("2020-2021年", [("2020", None, None), ("2021", "年", None)]),
    # catalogue codes are not numbers
    ("A02010105 台式计算机 2台", [("2", "台", None)]),
    # a change word governs only its own clause, and not across another digit
    (
        "较上年减少353.32万元；本年增加项目支出10万元",
        [("-353.32", "万元", "decrease"), ("10", "万元", "increase")],
    ),
    ("较上年增加5人，其中10人", [("5", "人", "increase"), ("10", "人", None)]),
    ("增长10%，减少2人", [("10", "%", "increase"), ("-2", "人", "decrease")]),
    (
        "2021年较2020年减少5万元",
        [("2021", "年", None), ("2020", "年", None), ("-5", "万元", "decrease")],
    ),
    ("增加2021年项目支出10万元", [("2021", "年", "increase"), ("10", "万元", None)]),
]


@pytest.mark.parametrize(("text", "expected"), MANY)
def test_many_numbers(text: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    got = [(str(n.value), n.unit, n.change) for n in find_numbers(text)]
    assert got == expected


def test_changes_can_be_switched_off() -> None:
    (number,) = find_numbers("较上年减少12.5万元", changes=False)
    assert str(number.value) == "12.5"
    assert number.change is None


# text -> (index of the number, start, end, text[start:end])
OFFSETS = [
    ("２８３４.５５", 0, 0, 7, "２８３４.５５"),
    ("合计：２８３４.５５万元", 0, 3, 12, "２８３４.５５万元"),
    ("　４５.１１", 0, 1, 6, "４５.１１"),
    (" 45.11 ", 0, 1, 6, "45.11"),
    ("合计 12.5万元", 0, 3, 9, "12.5万元"),
    ("≥ 95%", 0, 2, 5, "95%"),
    ("≥95百分比", 0, 1, 6, "95百分比"),
    ("－１２.５０", 0, 0, 6, "－１２.５０"),
    ("较上年增加353.32万元", 0, 5, 13, "353.32万元"),
    ("153.45\u3000万元", 0, 0, 9, "153.45\u3000万元"),
    ("１６－５９周岁", 1, 3, 7, "５９周岁"),
    ("2021年 5人", 1, 6, 8, "5人"),
]


@pytest.mark.parametrize(("text", "index", "start", "end", "written"), OFFSETS)
def test_offsets_index_the_original(
    text: str, index: int, start: int, end: int, written: str
) -> None:
    number = list(find_numbers(text))[index]
    assert (number.start, number.end) == (start, end)
    assert number.text == written
    assert text[number.start : number.end] == written


# value as written -> decimals written
DECIMALS = [("20", 0), ("20.00", 2), ("2.5", 1), ("1,534,512.83", 2), ("－０.１２３", 3)]


@pytest.mark.parametrize(("text", "decimals"), DECIMALS)
def test_decimals(text: str, decimals: int) -> None:
    (number,) = find_numbers(text)
    assert number.decimals == decimals


# text -> (is_money, is_percent, is_year) of its only number
KINDS = [
    ("153.45万元", True, False, False),
    ("3066元", True, False, False),
    ("7.62万人", False, False, False),
    ("95%", False, True, False),
    ("≥95百分比", False, True, False),
    ("2021年", False, False, True),
    ("2021年度", False, False, True),
    ("3年", False, False, False),
    ("不超过2100年", False, False, False),
]


@pytest.mark.parametrize(("text", "money", "percent", "year"), KINDS)
def test_kinds(text: str, money: bool, percent: bool, year: bool) -> None:
    (number,) = find_numbers(text)
    assert (number.is_money, number.is_percent, number.is_year) == (money, percent, year)


# text -> (value, unit) of the first number that is not a year, or None
FIRST = [
    ("2021年部门预算收入2834.55万元", ("2834.55", "万元")),
    ("２０２１年度预算5人", ("5", "人")),
    ("2021年", None),
    ("无", None),
    ("3年", ("3", "年")),
]


@pytest.mark.parametrize(("text", "expected"), FIRST)
def test_first_number_skips_years(text: str, expected: tuple[str, str] | None) -> None:
    number = first_number(text)
    got = None if number is None else (str(number.value), number.unit)
    assert got == expected


# cell text -> (value, unit) or None
CELLS = [
    ("", None),
    ("\u3000", None),
    (" ", None),
    ("\u00a0", None),
    ("\t", None),
    ("-", None),
    ("无", None),
    (" 45.11 ", ("45.11", None)),
    ("\u3000４５.１１\u3000", ("45.11", None)),
    ("１,５３４,５１２.８３", ("1534512.83", None)),
    ("－12.50", ("-12.50", None)),
    ("0.00", ("0.00", None)),
    ("20", ("20", None)),
    ("5 人", ("5", "人")),
]


@pytest.mark.parametrize(("text", "expected"), CELLS)
def test_parse_cell(text: str, expected: tuple[str, str | None] | None) -> None:
    number = parse_cell(text)
    got = None if number is None else (str(number.value), number.unit)
    assert got == expected


# target text -> (op, value as written, unit)
TARGETS = [
    ("≥95%", "≥", "95", "%"),
    ("<1件", "<", "1", "件"),
    ("＜1件", "<", "1", "件"),
    ("7.62万人", None, "7.62", "万人"),
    ("≥404.85万元", "≥", "404.85", "万元"),
    ("100%", None, "100", "%"),
    ("0", None, "0", None),
    ("3066元", None, "3066", "元"),
    ("≥95百分比", "≥", "95", "%"),
    ("不低于90分", "≥", "90", "分"),
    ("≤ 10%", "≤", "10", "%"),
    (" ≥９５％ ", "≥", "95", "%"),
    # spaces of any kind between the comparator and its number
    ("大于或等于\u300090%", "≥", "90", "%"),
    ("高于 \t5件", ">", "5", "件"),
    ("至少\u00a0３名", "≥", "3", "名"),
    ("≥3款", "≥", "3", "款"),
    ("好评", None, None, None),
    ("不低于**", "≥", None, None),
    # beyond what can be reconciled exactly (61 decimals, 40 digits): no value, the rest kept
    ("≥0." + "0" * 60 + "1%", "≥", None, "%"),
    ("9" * 40 + "人", None, None, "人"),
]


@pytest.mark.parametrize(("text", "op", "value", "unit"), TARGETS)
def test_parse_target(text: str, op: str | None, value: str | None, unit: str | None) -> None:
    target = parse_target(text)
    assert target.op == op
    assert (None if target.value is None else str(target.value)) == value
    assert target.unit == unit


def test_parse_target_placeholder_has_no_value() -> None:
    target = parse_target("**%")
    assert isinstance(target, Target)
    assert target.value is None
    assert target.op is None


# (value, from, to) -> exact result
CONVERSIONS = [
    ("153.45", "万元", "元", Decimal("1534500")),
    ("1534500", "元", "万元", Decimal("153.45")),
    ("1.5", "亿元", "万元", Decimal("15000")),
    ("2", "千元", "元", Decimal("2000")),
    ("12345", "元", "千元", Decimal("12.345")),
    ("0.01", "万元", "元", Decimal("100")),
    ("404.85", "万元", "万元", Decimal("404.85")),
]


@pytest.mark.parametrize(("value", "from_unit", "to_unit", "expected"), CONVERSIONS)
def test_convert_is_exact(value: str, from_unit: str, to_unit: str, expected: Decimal) -> None:
    result = convert(Decimal(value), from_unit, to_unit)
    assert isinstance(result, Decimal)
    assert result == expected


MONEY_FACTORS = [
    ("元", Decimal("1")),
    ("千元", Decimal("1000")),
    ("万元", Decimal("10000")),
    ("亿元", Decimal("100000000")),
    ("万人", None),
    ("%", None),
    (None, None),
]


@pytest.mark.parametrize(("unit", "factor"), MONEY_FACTORS)
def test_money_factor(unit: str | None, factor: Decimal | None) -> None:
    assert money_factor(unit) == factor


# text -> [(year, offset)]
YEARS = [
    ("2021年", [(2021, 0)]),
    ("2021年度", [(2021, 0)]),
    ("2021 年", [(2021, 0)]),
    ("预算２０２１年度", [(2021, 2)]),
    ("2020年和２０２１年度", [(2020, 0), (2021, 6)]),
    ("2020-2021年", [(2021, 5)]),
    ("12021年", []),
    ("1899年", []),
    ("2021", []),
    ("共3年", []),
]


@pytest.mark.parametrize(("text", "expected"), YEARS)
def test_years_in(text: str, expected: list[tuple[int, int]]) -> None:
    assert list(years_in(text)) == expected


# text -> normalised text, always the same length
NORMALISED = [
    ("２８３４．５５", "2834.55"),
    ("９５％", "95%"),
    ("－５", "-5"),
    ("−５", "-5"),
    ("＋５", "+5"),
    ("＜１＞２＝３", "<1>2=3"),
    ("≧８０≦９０", "≥80≤90"),
    ("\u3000合计\u00a0５", " 合计 5"),
    ("１６–５９周岁", "16-59周岁"),
    ("不低于95百分比", "不低于95百分比"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALISED)
def test_normalise_is_one_char_for_one_char(text: str, expected: str) -> None:
    result = normalise(text)
    assert result == expected
    assert len(result) == len(text)


# a Decimal as Python builds it from the text -> its exponent, read by hand from the text
EXPONENTS = [
    ("12.50", -2),
    ("3", 0),
    ("-0.000", -3),
    ("0", 0),
    ("1E+3", 3),
    ("1.5E+3", 2),  # 15 x 10^2
    ("1.23E-7", -9),
    ("0.0000001", -7),  # printed as 1E-7
    ("120000000000000000000", 0),
    ("Infinity", None),
    ("-Infinity", None),
    ("NaN", None),
    ("sNaN", None),
    ("NaN123", None),  # a NaN's diagnostic digits are no exponent
    ("-sNaN7", None),
]


@pytest.mark.parametrize(("text", "exponent"), EXPONENTS)
def test_exponent_of(text: str, exponent: int | None) -> None:
    assert exponent_of(Decimal(text)) == exponent


def test_exponent_of_ignores_the_contexts_capitals() -> None:
    with localcontext() as context:
        context.capitals = 0  # str() writes 1.5e+3
        assert str(Decimal("1.5E+3")) == "1.5e+3"
        assert exponent_of(Decimal("1.5E+3")) == 2


# MAX_DIGITS integer digits and MAX_DECIMALS decimals are the most a figure may have
IN_RANGE = [
    ("99999999999999999999", True),  # 20 integer digits
    ("100000000000000000000", False),  # 21
    ("99999999999999999999.12345678", True),
    ("0.12345678", True),  # 8 decimals
    ("0.123456789", False),  # 9
    ("1.000000000", False),  # 9 decimals written, even if all zeros
    ("1E+19", True),  # 20 integer digits
    ("1E+20", False),
    ("0E+25", False),  # a zero written with 26 integer places
    ("Infinity", False),
    ("NaN", False),
    ("NaN123", False),
]


@pytest.mark.parametrize(("text", "expected"), IN_RANGE)
def test_in_range(text: str, expected: bool) -> None:
    assert in_range(Decimal(text)) is expected
