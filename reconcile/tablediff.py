"""Table mode of ``reconcile diff``: two tables of line items, matched by key, compared by column.

This module owns reading a table (CSV, TSV, Parquet, XLSX), matching its items with those of
another table, deciding what changed within a tolerance, and writing the result out in the
``reconcile.diff/1`` contract (text, JSON, TOML, CSV).

Reading
    CSV and TSV are read with every column as text (so "0.35" stays "0.35" and "001" stays
    "001"); Parquet keeps its types; XLSX is read from its first sheet, every cell as text, through
    ``polars.read_excel`` and the fastexcel (calamine) engine. Column names and values are trimmed;
    an empty value is a missing one; blank rows are skipped but still counted, so ``old_line`` and
    ``new_line`` are the 1-based data row (the row after the header is 1), for Parquet the 1-based
    row index. CSV files that are not UTF-8 (GB18030, UTF-16 …) are decoded first.

Matching
    Items are matched on the key columns (``--key dept_id,item_code``), compared as trimmed text:
    "001" and "1" are different keys. Every key must be unique in each table; duplicates are an
    error naming them, never matched arbitrarily. Columns only one table has are not compared, but
    added and removed items list all of their own columns.

Comparing
    A pair of values is compared as exact decimals when both are written as plain decimal numbers
    (``-12``, ``0.35``, ``+3.``, ``.5``: at most 19 digits before the point and 9 after, no
    thousands separators or exponents), else as trimmed text. Integer and decimal Parquet columns
    are numbers (decimals of up to 9 places; floats are read as their shortest text, ``0.35``). ``delta`` is new − old written with as many decimals as the more precise of the
    two values; ``delta_pct`` is delta ÷ |old| × 100 rounded half-to-even to 2 decimals (as in the
    document mode: a rise is positive even from a negative old value), left out when old is 0.

Tolerance (``--tolerance``)
    A comma-separated list of bounds; a numeric value is unchanged when |new − old| ≤ its bound::

        0.01                  absolute: every numeric column may move by up to 0.01
        0.5%                  relative: by up to 0.5 % of the old value
        0.01,0.5%             either: unchanged when within 0.01 or within 0.5 %
        amount=0.01           for the column amount only
        amount=0.01,price=1%  per column
        0.5%,amount=0.01      0.5 % for every column but amount, which has 0.01

    A bound is a non-negative decimal with at most 6 decimals, relative bounds below 1000 %. A
    column's own bounds replace the general ones for that column. Text values never have a
    tolerance. Naming a key column, or a column not in both tables, is a usage error.

Statuses and counts
    An item (a key) is ``added`` (only in new), ``removed`` (only in old), ``changed`` (some value
    moved beyond its tolerance) or ``unchanged``; ``summary`` counts items. ``rows`` has one row
    per item and column: for matched items each row's status says whether that column changed.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import polars as pl

from reconcile.diffrows import ROW_SCHEMA, SCHEMA_DIFF, STATUSES
from reconcile.errors import ReadError, UsageError, why

_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".xlsx": "xlsx"}

# Numbers are compared at this scale when either side is text. Values are never rounded: a value
# with more decimals, or more than _INT_DIGITS before the point, is compared as text instead. Both
# bounds keep every intermediate product in 128-bit integers (see _Column).
_SCALE = 9
# Typed numbers are compared as integer counts of 10^-scale (Int128, at most about 1.7 * 10^38):
# below 10^33 of them, a difference times 10,000 (for its percentage) still fits. Beyond it,
# Polars' integers wrapped around silently (1e26 -> 3e26 gave -4.17 %), so such values are
# refused; written as text, numbers stay far below it (19 digits and 9 decimals at the most).
_LIMIT = 10**33
_INT_DIGITS = 19
_NUMBER = re.compile(
    rf"^[+-]?([0-9]{{1,{_INT_DIGITS}}}(\.[0-9]{{0,{_SCALE}}})?|\.[0-9]{{1,{_SCALE}}})$"
)
_TOLERANCE_DECIMALS = 6
_MAX_RELATIVE = Decimal(1000)

# Names of internal columns carry a unit separator so that they cannot meet a user's column.
_SEP = "\x1f"
_OLD_LINE = f"{_SEP}line{_SEP}old"
_NEW_LINE = f"{_SEP}line{_SEP}new"
_STATUS = f"{_SEP}status"
_KEY = f"{_SEP}key"
_FIELD_INDEX = f"{_SEP}field"
_DUPLICATES_SHOWN = 5
_CHUNK = 200_000  # items per step when building rows


def _old(name: str) -> str:
    return f"{_SEP}old{_SEP}{name}"


def _new(name: str) -> str:
    return f"{_SEP}new{_SEP}{name}"


def _changed(name: str) -> str:
    return f"{_SEP}changed{_SEP}{name}"


# --------------------------------------------------------------------------------------------
# Tolerance


@dataclass(frozen=True, slots=True)
class Bound:
    """How far one column's numbers may move and still be unchanged; None is no allowance."""

    absolute: Decimal | None = None
    relative: Decimal | None = None  # in percent of the old value

    def __str__(self) -> str:
        parts = []
        if self.absolute is not None:
            parts.append(str(self.absolute))
        if self.relative is not None:
            parts.append(f"{self.relative}%")
        return ",".join(parts) or "0"


@dataclass(frozen=True, slots=True)
class Tolerance:
    """The parsed ``--tolerance``: bounds for every numeric column and per named column."""

    default: Bound = Bound()
    columns: tuple[tuple[str, Bound], ...] = ()

    def for_column(self, name: str) -> Bound:
        for column, bound in self.columns:
            if column == name:
                return bound
        return self.default

    def __str__(self) -> str:
        parts = [] if self.default == Bound() else [str(self.default)]
        for column, bound in self.columns:
            parts.extend(f"{column}={piece}" for piece in str(bound).split(","))
        return ",".join(parts) or "0"


def parse_tolerance(spec: str | None) -> Tolerance:
    """Parse ``0.01``, ``0.5%``, ``amount=0.01,price=1%`` and combinations; see the module doc."""
    if spec is None or not spec.strip():
        return Tolerance()
    scopes: dict[str | None, dict[str, Decimal]] = {}
    for item in spec.split(","):
        text = item.strip()
        if not text:
            raise UsageError(f"--tolerance {spec!r}: an empty entry between commas")
        column: str | None = None
        if "=" in text:
            name, _, text = text.rpartition("=")
            column = name.strip()
            text = text.strip()
            if not column:
                raise UsageError(f"--tolerance {spec!r}: a column name is missing before '='")
        kind = "relative" if text.endswith("%") else "absolute"
        number = text[:-1].strip() if kind == "relative" else text
        value = _tolerance_number(number, spec)
        if kind == "relative" and value >= _MAX_RELATIVE:
            raise UsageError(f"--tolerance {spec!r}: {text} is not below {_MAX_RELATIVE}%")
        scope = scopes.setdefault(column, {})
        if kind in scope:
            where = f"column {column}" if column else "all columns"
            raise UsageError(f"--tolerance {spec!r}: two {kind} bounds for {where}")
        scope[kind] = value
    general = scopes.pop(None, {})
    return Tolerance(
        default=Bound(general.get("absolute"), general.get("relative")),
        columns=tuple(
            (name, Bound(bounds.get("absolute"), bounds.get("relative")))
            for name, bounds in scopes.items()
            if name is not None
        ),
    )


def _tolerance_number(text: str, spec: str) -> Decimal:
    if not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", text):
        raise UsageError(
            f"--tolerance {spec!r}: {text!r} is not a non-negative decimal "
            "(write 0.01, 0.5% or amount=0.01)"
        )
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise UsageError(f"--tolerance {spec!r}: {text!r} is not a number") from None
    if _decimals(value) > _TOLERANCE_DECIMALS:
        raise UsageError(
            f"--tolerance {spec!r}: {text} has more than {_TOLERANCE_DECIMALS} decimals"
        )
    return value


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _unscaled(value: Decimal) -> tuple[int, int]:
    """``Decimal("0.015")`` -> ``(15, 3)``: the integer and its scale."""
    scale = _decimals(value)
    return int(value.scaleb(scale)), scale


# --------------------------------------------------------------------------------------------
# Reading


def is_table_path(path: str) -> bool:
    """True when ``path`` names a table ``diff_tables`` reads: .csv, .tsv, .parquet or .xlsx."""
    return Path(path).suffix.lower() in _FORMATS


@dataclass(frozen=True, slots=True)
class _Table:
    path: str
    frame: pl.LazyFrame  # stripped column names plus a 1-based line column, rows not yet trimmed
    schema: pl.Schema
    line: str


def _read(path: str, line: str) -> _Table:
    fmt = _FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(_FORMATS))
        raise ReadError(path, f"not a table format this reads (use {known})")
    target = Path(path)
    try:
        exists, is_dir = target.exists(), target.is_dir()
    except (OSError, ValueError) as exc:  # a name too long, a NUL in it
        raise ReadError(path, why(exc)) from None
    if not exists:
        raise ReadError(path, "no such file")
    if is_dir:
        raise ReadError(path, "is a folder, not a table")
    try:
        if fmt in ("csv", "tsv"):
            frame = _scan_text(path, "\t" if fmt == "tsv" else ",", line)
        elif fmt == "parquet":
            frame = pl.scan_parquet(path, row_index_name=line, row_index_offset=1)
        else:
            frame = _read_xlsx(path, line)
        schema = frame.collect_schema()
    except ReadError:
        raise
    except pl.exceptions.NoDataError:
        raise ReadError(path, "the file is empty: no header row") from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise ReadError(path, _first_line(exc)) from None
    names = [name for name in schema if name != line]
    stripped = [name.strip() for name in names]
    twice = sorted(name for name, count in Counter(stripped).items() if count > 1)
    if twice:
        raise ReadError(path, f"column names repeated: {', '.join(twice)}")
    if stripped != names:
        frame = frame.rename(dict(zip(names, stripped, strict=True)))
        schema = frame.collect_schema()
    return _Table(path, frame, schema, line)


def _scan_text(path: str, separator: str, line: str) -> pl.LazyFrame:
    source: str | bytes = path
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if not head:
        raise ReadError(path, "the file is empty: no header row")
    if not _utf8_start(head):
        from reconcile.sources.decode import decode

        source = decode(Path(path).read_bytes(), path).text.encode("utf-8")
    return pl.scan_csv(
        source,
        separator=separator,
        infer_schema=False,
        row_index_name=line,
        row_index_offset=1,
        raise_if_empty=True,
    )


def _utf8_start(head: bytes) -> bool:
    """Whether the first bytes read as UTF-8 (a character cut at the end is fine)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _read_xlsx(path: str, line: str) -> pl.LazyFrame:
    import importlib.util

    if importlib.util.find_spec("fastexcel") is None:
        raise ReadError(path, "reading .xlsx needs the fastexcel package (pip install fastexcel)")
    try:
        # Every cell as text (infer_schema_length=0); empty rows kept so that row numbers count
        # them, dropped later with the blank rows of CSV files.
        frame = pl.read_excel(
            path,
            engine="calamine",
            infer_schema_length=0,
            drop_empty_rows=False,
            raise_if_empty=False,
        )
    except Exception as exc:  # fastexcel raises its own exception types
        raise ReadError(path, f"not a readable .xlsx workbook: {_first_line(exc)}") from None
    return frame.with_row_index(line, offset=1).lazy()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# --------------------------------------------------------------------------------------------
# Comparing


def _kind(dtype: pl.DataType) -> str:
    """'number' for integers and decimals up to _SCALE decimals, else 'text'."""
    if dtype.is_integer():
        return "number"
    if isinstance(dtype, pl.Decimal) and dtype.scale <= _SCALE:
        return "number"
    return "text"


def _scale_of(dtype: pl.DataType) -> int:
    return dtype.scale if isinstance(dtype, pl.Decimal) else 0


@dataclass(frozen=True, slots=True)
class _Column:
    """How one column common to both tables is compared."""

    name: str
    numeric: bool  # both sides integer or decimal typed
    scale: int  # the scale numbers are compared at
    old_scale: int | None  # the written scale of every old value, None when it varies by value
    new_scale: int | None
    bound: Bound

    @property
    def old(self) -> pl.Expr:
        return pl.col(_old(self.name))

    @property
    def new(self) -> pl.Expr:
        return pl.col(_new(self.name))

    def both_numbers(self) -> pl.Expr:
        if self.numeric:
            return self.old.is_not_null() & self.new.is_not_null()
        return self.old.str.contains(_NUMBER.pattern) & self.new.str.contains(_NUMBER.pattern)

    def decimal(self, expr: pl.Expr) -> pl.Expr:
        target = pl.Decimal(38, self.scale)
        return expr.cast(target) if self.numeric else expr.str.to_decimal(scale=self.scale)

    def largest(self, name: str) -> pl.Expr:
        """The largest magnitude of typed number column ``name`` at this column's scale, as an
        integer count of 10^-scale (0 for no values; null when a value does not fit)."""
        column = pl.col(name)
        fitted = column.cast(pl.Decimal(38, self.scale), strict=False)
        overflow = (fitted.is_null() & column.is_not_null()).any()
        largest = fitted.to_physical().abs().max().fill_null(0)
        return pl.when(overflow).then(None).otherwise(largest).alias(f"{_SEP}largest{_SEP}{name}")

    def unscaled(self, expr: pl.Expr) -> pl.Expr:
        """The decimal as an integer count of 10^-scale: exact arithmetic without rounding."""
        return self.decimal(expr).to_physical()

    def within(self, delta: pl.Expr, old: pl.Expr) -> pl.Expr:
        """|delta| within the bound; delta and old unscaled (Int128)."""
        magnitude = delta.abs()
        tests = [magnitude == 0]
        if self.bound.absolute is not None:
            limit, scale = _unscaled(self.bound.absolute)
            if scale <= self.scale:
                tests.append(magnitude <= _int(limit * 10 ** (self.scale - scale)))
            else:
                tests.append(magnitude * _int(10 ** (scale - self.scale)) <= _int(limit))
        if self.bound.relative is not None:
            percent, scale = _unscaled(self.bound.relative)
            tests.append(magnitude * _int(100 * 10**scale) <= old.abs() * _int(percent))
        return pl.any_horizontal(tests)

    def changed(self) -> pl.Expr:
        """True where the item's two values differ beyond the bound; never null."""
        if self.numeric and self.bound == Bound():
            return ~self.decimal(self.old).eq_missing(self.decimal(self.new))
        old = self.unscaled(self.old)
        delta = self.unscaled(self.new) - old
        numbers_differ = ~self.within(delta, old)
        if self.numeric:  # not both numbers: one or both missing
            otherwise = self.old.is_null() != self.new.is_null()
        else:
            otherwise = ~self.old.eq_missing(self.new)
        return pl.when(self.both_numbers()).then(numbers_differ).otherwise(otherwise)

    def text(self, expr: pl.Expr) -> pl.Expr:
        return expr.cast(pl.String) if self.numeric else expr

    def figures(self) -> list[list[pl.Expr]]:
        """Steps that add this column's ``delta`` and ``delta_pct`` texts (``_work`` names). Each
        step's columns are computed once, where one expression would repeat the divisions."""
        ok, old_dec, new_dec = (
            _work(part, self.name) for part in ("ok", "old_decimal", "new_decimal")
        )
        difference, old, dividend, divisor = (
            _work(part, self.name) for part in ("difference", "old_integer", "dividend", "divisor")
        )
        quotient, twice_rest = _work("quotient", self.name), _work("twice_rest", self.name)
        first = [self.both_numbers().alias(ok)]
        decimals = [
            self.decimal(pl.when(pl.col(ok)).then(self.old)).alias(old_dec),
            self.decimal(pl.when(pl.col(ok)).then(self.new)).alias(new_dec),
        ]
        difference_step = [(pl.col(new_dec) - pl.col(old_dec)).alias(difference)]
        # delta ÷ |old| × 100 rounded half-to-even to 2 decimals, in integers: the decimals'
        # physical values are integer counts of 10^-scale, so the scale cancels out.
        integers = [
            (pl.col(difference).to_physical().abs() * _int(10_000)).alias(dividend),
            pl.col(old_dec).to_physical().alias(old),
        ]
        divisor_step = [pl.when(pl.col(old) != 0).then(pl.col(old).abs()).alias(divisor)]
        quotient_step = [(pl.col(dividend) // pl.col(divisor)).alias(quotient)]
        rest_step = [
            ((pl.col(dividend) - pl.col(quotient) * pl.col(divisor)) * _int(2)).alias(twice_rest)
        ]
        rest, whole = pl.col(twice_rest), pl.col(quotient)
        round_up = (rest > pl.col(divisor)) | ((rest == pl.col(divisor)) & (whole % 2 == 1))
        hundredths = whole + round_up.cast(pl.Int128)
        # Exact: a whole number of hundredths written with two decimals (as text: a percentage of
        # a tiny old value may hold more digits than a 38-digit decimal of scale 2).
        percent = pl.concat_str(
            pl.when((pl.col(difference) < 0) & (hundredths > 0))
            .then(pl.lit("-"))
            .otherwise(pl.lit("")),
            (hundredths // 100).cast(pl.String),
            pl.lit("."),
            (hundredths % 100).cast(pl.String).str.zfill(2),
        )
        last = [
            self._delta_text(pl.col(difference), pl.col(ok)).alias(_work("delta", self.name)),
            percent.alias(_work("delta_pct", self.name)),
        ]
        return [
            first,
            decimals,
            difference_step,
            integers,
            divisor_step,
            quotient_step,
            rest_step,
            last,
        ]

    def _delta_text(self, difference: pl.Expr, ok: pl.Expr) -> pl.Expr:
        """new − old as a decimal string, with the decimals of the more precise value."""
        text = difference.cast(pl.String)
        if self.old_scale is not None and self.new_scale is not None:
            written = max(self.old_scale, self.new_scale)
            if written == self.scale:
                return text
            keep: pl.Expr = pl.lit(written)
        else:
            # Only where both are numbers: the other values may be long texts.
            keep = pl.max_horizontal(
                _written_scale(pl.when(ok).then(self.old), self.old_scale),
                _written_scale(pl.when(ok).then(self.new), self.new_scale),
            )
        drop = self.scale - keep + pl.when(keep == 0).then(1).otherwise(0)
        return text.str.head(text.str.len_bytes() - drop)


def _work(part: str, name: str) -> str:
    """Names of intermediate columns of the rows' figures."""
    return f"{_SEP}work{_SEP}{part}{_SEP}{name}"


def _int(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int128)


def _written_scale(expr: pl.Expr, fixed: int | None) -> pl.Expr:
    if fixed is not None:
        return pl.lit(fixed)
    point = expr.str.find(".", literal=True)
    return (expr.str.len_bytes() - point - 1).fill_null(0)


def _trimmed(name: str) -> pl.Expr:
    """Column ``name`` as text without the spaces around it, as keys and text values are
    compared."""
    return pl.col(name).cast(pl.String).str.strip_chars()


def _blank_is_missing(text: pl.Expr) -> pl.Expr:
    """Trimmed ``text`` with an empty value as a missing one."""
    return pl.when(text != "").then(text)


def _side(
    table: _Table,
    keys: list[str],
    columns: list[str],
    numeric: set[str],
    rename: Callable[[str], str],
) -> pl.LazyFrame:
    """Trimmed text (or kept numbers) under internal names; blank rows dropped."""
    text = [*keys, *(rename(name) for name in columns if name not in numeric)]
    frame = table.frame.select(
        pl.col(table.line).cast(pl.Int64),
        *(_trimmed(name) for name in keys),
        *(
            pl.col(name).alias(rename(name))
            if name in numeric
            else _trimmed(name).alias(rename(name))
            for name in columns
        ),
    )
    # A second step, so that each value is stripped once: an empty value is a missing one.
    frame = frame.with_columns(_blank_is_missing(pl.col(text)))
    values = [*keys, *(rename(name) for name in columns)]
    return frame.filter(~pl.all_horizontal(pl.col(values).is_null()))


def diff_tables(
    old: str,
    new: str,
    keys: list[str],
    tolerance: Tolerance | None = None,
    *,
    only_changed: bool = False,
) -> TableDiff:
    """Compare two tables of line items matched on ``keys``; see the module doc for the rules.

    Raises ReadError for unreadable files, unknown formats, missing key columns and duplicate
    keys, UsageError for an empty or repeated key list and tolerances naming unknown columns.
    """
    keys = [key.strip() for key in keys]
    if not keys or not all(keys):
        raise UsageError("--key needs at least one column name (e.g. --key dept_id,item_code)")
    if len(set(keys)) != len(keys):
        raise UsageError(f"--key names a column twice: {','.join(keys)}")
    tolerance = tolerance or Tolerance()
    before = _read(old, _OLD_LINE)
    after = _read(new, _NEW_LINE)
    for table in (before, after):
        missing = [key for key in keys if key not in table.schema]
        if missing:
            have = ", ".join(name for name in table.schema if name != table.line) or "none"
            raise ReadError(
                table.path,
                f"no key column {', '.join(missing)} (its columns: {have})",
            )
    old_names = [n for n in before.schema if n != before.line and n not in keys]
    new_names = [n for n in after.schema if n != after.line and n not in keys]
    common = [n for n in old_names if n in set(new_names)]
    for name, _ in tolerance.columns:
        if name in keys:
            raise UsageError(f"--tolerance names the key column {name}")
        if name not in common:
            raise UsageError(f"--tolerance names {name}, which is not a column of both tables")

    columns: list[_Column] = []
    numeric: set[str] = set()
    for name in common:
        old_type, new_type = before.schema[name], after.schema[name]
        both = _kind(old_type) == "number" and _kind(new_type) == "number"
        old_scale: int | None
        new_scale: int | None
        if both:
            numeric.add(name)
            old_scale, new_scale = _scale_of(old_type), _scale_of(new_type)
            scale = max(old_scale, new_scale)
        else:
            old_scale = new_scale = None
            scale = _SCALE
        columns.append(_Column(name, both, scale, old_scale, new_scale, tolerance.for_column(name)))

    left = _side(before, keys, old_names, numeric, _old)
    right = _side(after, keys, new_names, numeric, _new)
    # Keys are checked before the join: a key repeated in both tables joins every row of it in
    # one with every row of it in the other, and a wrong --key (one column of two) repeats keys
    # so often that the join grows to billions of rows (1,000,000 items: no end in 13 minutes,
    # where it should say at once what is wrong). The key columns are read for it alone, trimmed
    # as the join sees them (keys distinct as written, "A01" and "A01 ", are one key there):
    # 0.2 s for two tables of 1,000,000 rows. Hashes settle the common case; where they repeat,
    # the rows are counted exactly: equal hashes may differ, and blank rows are dropped.
    # The same query finds each typed number column's largest value at the scale it is compared
    # at (see _LIMIT).
    typed = [c for c in columns if c.numeric]
    checks = [
        table.frame.select(
            pl.struct(_blank_is_missing(_trimmed(key)) for key in keys).hash().n_unique(),
            pl.len(),
            *(c.largest(c.name) for c in typed),
        )
        for table in (before, after)
    ]
    try:
        counted = pl.collect_all(checks)
    except (pl.exceptions.PolarsError, OSError) as exc:
        _raise_unreadable(exc, (left, before.path), (right, after.path))
    for (distinct, rows, *largest), side, table in zip(
        (found.row(0) for found in counted), (left, right), (before, after), strict=True
    ):
        for column, value in zip(typed, largest, strict=True):
            if value is None or value >= _LIMIT:  # None: beyond what a 38-digit decimal holds
                raise ReadError(
                    table.path,
                    f"column {column.name} holds values beyond ±10^{33 - column.scale}, "
                    "too large to compare exactly",
                )
        if distinct != rows:
            _raise_duplicates(side, table.path, keys)
    # The line columns are the side indicator: null where the item is not in that table.
    joined = left.join(right, on=keys, how="full", coalesce=True, nulls_equal=True)
    changed = [column.changed().alias(_changed(column.name)) for column in columns]
    anything = (
        pl.any_horizontal(pl.col(_changed(c.name)) for c in columns) if columns else pl.lit(False)
    )
    status = (
        pl.when(pl.col(_OLD_LINE).is_null())
        .then(pl.lit("added"))
        .when(pl.col(_NEW_LINE).is_null())
        .then(pl.lit("removed"))
        .when(anything)
        .then(pl.lit("changed"))
        .otherwise(pl.lit("unchanged"))
        .alias(_STATUS)
    )
    try:
        wide = joined.with_columns(changed).with_columns(status).collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        _raise_unreadable(exc, (left, before.path), (right, after.path))
    counts = dict(wide.get_column(_STATUS).value_counts().iter_rows())
    summary = {name: int(counts.get(name, 0)) for name in STATUSES}
    return TableDiff(
        old=old,
        new=new,
        keys=tuple(keys),
        tolerance=tolerance,
        only_changed=only_changed,
        summary=summary,
        columns=tuple(column.name for column in columns),
        only_old=tuple(n for n in old_names if n not in set(common)),
        only_new=tuple(n for n in new_names if n not in set(common)),
        _wide=wide,
        _compared=tuple(columns),
        _old_names=tuple(old_names),
        _new_names=tuple(new_names),
    )


def _raise_duplicates(side: pl.LazyFrame, path: str, keys: list[str]) -> None:
    line = side.collect_schema().names()[0]
    counted = (
        side.group_by(keys)
        .agg(pl.len().alias("rows"), pl.min(line).alias("first"))
        .filter(pl.col("rows") > 1)
        .sort("first")
        .collect()
    )
    if counted.height == 0:
        return
    shown = [
        f"{_key_text(row[:-2])} ({row[-2]} rows)"
        for row in counted.head(_DUPLICATES_SHOWN).iter_rows()
    ]
    more = counted.height - len(shown)
    tail = f" and {more} more" if more else ""
    raise ReadError(
        path,
        f"duplicate keys ({','.join(keys)}), each must name one item: {', '.join(shown)}{tail}",
    )


def _key_text(values: tuple[Any, ...]) -> str:
    return "|".join("" if value is None else str(value) for value in values)


def _raise_unreadable(exc: BaseException, *sides: tuple[pl.LazyFrame, str]) -> NoReturn:
    """Name the table that fails on its own; the joined query's error names no file."""
    for frame, path in sides:
        try:
            frame.collect()
        except (pl.exceptions.PolarsError, OSError) as side_exc:
            raise ReadError(path, _first_line(side_exc)) from None
    raise ReadError(sides[0][1], _first_line(exc)) from None


# --------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class TableDiff:
    """The outcome of ``diff_tables``: item counts, and rows built on first use."""

    old: str
    new: str
    keys: tuple[str, ...]
    tolerance: Tolerance
    only_changed: bool
    summary: dict[str, int]
    columns: tuple[str, ...]  # compared: in both tables, not keys
    only_old: tuple[str, ...]  # columns only the old table has
    only_new: tuple[str, ...]
    _wide: pl.DataFrame = field(repr=False)
    _compared: tuple[_Column, ...] = field(repr=False)
    _old_names: tuple[str, ...] = field(repr=False)
    _new_names: tuple[str, ...] = field(repr=False)

    @property
    def has_differences(self) -> bool:
        return any(self.summary[name] for name in ("changed", "added", "removed"))

    @cached_property
    def rows(self) -> pl.DataFrame:
        """One row per item and column (the contract's ``rows``), unchanged ones left out when
        ``only_changed``."""
        return self._rows(with_unchanged=not self.only_changed)

    @cached_property
    def changes(self) -> pl.DataFrame:
        """The rows whose status is not unchanged, whatever ``only_changed`` was."""
        if self.only_changed:
            return self.rows
        return self._rows(with_unchanged=False)

    def _rows(self, *, with_unchanged: bool) -> pl.DataFrame:
        """Items in old-table order, added ones last; within an item the old table's columns,
        then those only the new table has. One frame per column, stacked, then put in order by a
        single integer (item number × columns + column number)."""
        wide = self._wide.lazy()
        if not with_unchanged:
            wide = wide.filter(pl.col(_STATUS) != "unchanged")
        items = (
            wide.sort([_OLD_LINE, _NEW_LINE], nulls_last=True)
            .with_columns(
                pl.concat_str([pl.col(k).fill_null("") for k in self.keys], separator="|").alias(
                    _KEY
                )
            )
            .with_row_index(_FIELD_INDEX)
            .collect()
        )
        # Chunks of items keep the transient frames of a million-item table small.
        chunks = [
            self._chunk_rows(items.slice(start, _CHUNK).lazy(), with_unchanged=with_unchanged)
            for start in range(0, items.height, _CHUNK)
        ]
        if not chunks:
            return pl.DataFrame(schema=ROW_SCHEMA)
        return pl.concat(chunks, rechunk=False)

    def _chunk_rows(self, items: pl.LazyFrame, *, with_unchanged: bool) -> pl.DataFrame:
        item = pl.col(_STATUS)
        compared = {column.name: column for column in self._compared}
        steps = [column.figures() for column in self._compared]
        for depth in range(max((len(step) for step in steps), default=0)):
            items = items.with_columns(
                e for step in steps if depth < len(step) for e in step[depth]
            )
        # Computed once, before the parts select from it: a part per column, each carrying the
        # plan of every column's figures, made a plan that grew with the square of the columns
        # (100 columns: 5.4 s to plan; 250: out of memory while planning).
        items = items.collect().lazy()
        names = [*self._old_names, *(n for n in self._new_names if n not in compared)]
        parts: list[pl.LazyFrame] = []
        for name in names:
            column = compared.get(name)
            if column is not None:
                old, new = column.text(column.old), column.text(column.new)
                delta = pl.col(_work("delta", name))
                delta_pct = pl.col(_work("delta_pct", name))
                status = (
                    pl.when(item.is_in(["added", "removed"]))
                    .then(item)
                    .when(pl.col(_changed(name)))
                    .then(pl.lit("changed"))
                    .otherwise(pl.lit("unchanged"))
                )
            else:
                which = "removed" if name in self._old_names else "added"
                value = pl.col(_old(name) if which == "removed" else _new(name))
                old = value if which == "removed" else pl.lit(None)
                new = value if which == "added" else pl.lit(None)
                delta = delta_pct = pl.lit(None)
                status = pl.when(item == which).then(item)
            part = items.select(
                pl.lit("table").alias("section"),
                pl.col(_KEY).alias("key"),
                pl.lit(name).alias("field"),
                pl.lit(name).alias("label"),
                old.cast(pl.String).alias("old"),
                new.cast(pl.String).alias("new"),
                delta.cast(pl.String).alias("delta"),
                delta_pct.cast(pl.String).alias("delta_pct"),
                pl.lit(None, dtype=pl.String).alias("stated_delta"),
                status.cast(pl.String).alias("status"),
                pl.col(_OLD_LINE).alias("old_line"),
                pl.col(_NEW_LINE).alias("new_line"),
            )
            parts.append(part)
        if not parts:
            return pl.DataFrame(schema=ROW_SCHEMA)
        # The stacked frame holds column after column; row i × columns + f of the result is row
        # f × items + i of the stack: a gather, no sort.
        stacked = pl.concat(parts).collect()
        count = len(parts)
        height = stacked.height // count
        position = pl.int_range(stacked.height, dtype=pl.Int64)
        order = (position % count) * height + position // count
        keep = pl.col("status").is_not_null()
        if not with_unchanged:
            keep &= pl.col("status") != "unchanged"
        return stacked.select(pl.all().gather(order)).filter(keep)

    def to_dict(self) -> dict[str, Any]:
        """The ``reconcile.diff/1`` document with Python str/int/None values."""
        return {
            "schema": SCHEMA_DIFF,
            "old": self.old,
            "new": self.new,
            "summary": dict(self.summary),
            "rows": self.rows.to_dicts(),
            "findings": [],
        }


# --------------------------------------------------------------------------------------------
# Renderers


def render_json(diff: TableDiff) -> str:
    """The contract as JSON; the rows are serialised by Polars, which is fast for large tables."""
    head = {
        "schema": SCHEMA_DIFF,
        "old": diff.old,
        "new": diff.new,
        "summary": diff.summary,
    }
    text = json.dumps(head, ensure_ascii=False, indent=2)
    if diff.rows.height:
        # One row a line; a raw line break only ever ends a row, JSON escapes those in values.
        lines = diff.rows.write_ndjson().rstrip("\n").replace("\n", ",\n    ")
        rows = f"[\n    {lines}\n  ]"
    else:
        rows = "[]"
    return f'{text[:-2]},\n  "rows": {rows},\n  "findings": []\n}}\n'


def render_csv(diff: TableDiff) -> str:
    """The rows, one CSV line each, with the contract's column names as header."""
    return diff.rows.write_csv()


def render_toml(diff: TableDiff) -> str:
    """The contract as TOML; a null value leaves its key out, TOML having no null."""
    import tomli_w

    document = diff.to_dict()
    document["rows"] = [
        {name: value for name, value in row.items() if value is not None}
        for row in document["rows"]
    ]
    return tomli_w.dumps(document)


def render_text(diff: TableDiff) -> str:
    """A summary, then each changed, added or removed item with its changed values. The lines are
    put together by Polars, so that a million-row comparison prints quickly."""
    counts = diff.summary
    heading = f"key: {', '.join(diff.keys)}"
    if diff.tolerance != Tolerance():
        heading += f"   tolerance: {diff.tolerance}"
    lines = [
        f"old: {diff.old}",
        f"new: {diff.new}",
        heading,
        ", ".join(f"{counts[name]} {name}" for name in STATUSES),
    ]
    if diff.only_old:
        lines.append(f"columns only in old (not compared): {', '.join(diff.only_old)}")
    if diff.only_new:
        lines.append(f"columns only in new (not compared): {', '.join(diff.only_new)}")
    changes = diff.changes
    if changes.height:
        lines.extend(_change_lines(changes))
    return "\n".join(lines) + "\n"


def _change_lines(changes: pl.DataFrame) -> list[str]:
    from rich.cells import cell_len

    fields = changes.get_column("field").unique().to_list()
    width = max(cell_len(name) for name in fields)
    labels = {name: f"    {name}{' ' * (width - cell_len(name))}  " for name in fields}
    old_line, new_line, status = pl.col("old_line"), pl.col("new_line"), pl.col("status")
    first = old_line.ne_missing(old_line.shift()) | new_line.ne_missing(new_line.shift())
    where = pl.concat_str(
        pl.when(old_line.is_not_null()).then(pl.format("old row {}", old_line)),
        pl.when(new_line.is_not_null()).then(pl.format("new row {}", new_line)),
        separator=", ",
        ignore_nulls=True,
    )
    item_status = (
        pl.when(status.is_in(["added", "removed"])).then(status).otherwise(pl.lit("changed"))
    )
    header = pl.format("\n{} {}  ({})\n", item_status.str.pad_end(8), pl.col("key"), where)

    def shown(column: str) -> pl.Expr:
        return pl.col(column).fill_null("(empty)")

    def signed(column: str) -> pl.Expr:
        value = pl.col(column)
        return pl.when(value.str.starts_with("-")).then(value).otherwise(pl.lit("+") + value)

    percent = pl.when(pl.col("delta_pct").is_not_null()).then(
        pl.format(" ({}%)", signed("delta_pct"))
    )
    delta = pl.when(pl.col("delta").is_not_null()).then(
        pl.concat_str(pl.lit("   "), signed("delta"), percent, ignore_nulls=True)
    )
    value = (
        pl.when(status == "added")
        .then(shown("new"))
        .when(status == "removed")
        .then(shown("old"))
        .otherwise(
            pl.concat_str(shown("old"), pl.lit(" -> "), shown("new"), delta, ignore_nulls=True)
        )
    )
    line = pl.concat_str(
        pl.when(first).then(header).otherwise(pl.lit("")),
        pl.col("field").replace_strict(labels, return_dtype=pl.String),
        value,
    )
    return changes.select(line).to_series().to_list()
