"""Exact money in Polars: the Decimal dtype, half-unit tolerances (DOMAIN §3) and the formatting of
exact decimal strings for findings.

Conventions (used by every rule that compares figures):

* **Amounts** are ``pl.Decimal(38, 8)`` (:data:`MONEY`), built from Python ``Decimal`` values, never
  floats. Each figure's written decimals travel in an Int column of their own (``<name>_dec``).
* **Unit of an amount**: ``u = 10^-max(decimals, 2)`` — 0.01 for 万元 and for 元 by convention,
  finer where more decimals are written. Decimals beyond 7 are treated as 7 (the half unit must be
  representable at scale 8); no disclosure writes money that finely.
* **Quantities** (台, 盒, 项, 人) are exact: ``u = 0``.
* **Band** of an identity: the sum of the half-units of every amount in it
  (:func:`half_unit`, summed by the rule); for ``q × p = a``: ``|q|·u(p)/2 + u(a)/2``
  (:func:`product_band`). A difference ``|lhs − rhs| <= band`` is a rounding residual, never a
  finding (:func:`exceeds`).
* **Units**: compare in one unit; multiply the coarser unit up (万元 → 元: ``× 10^4``) rather than
  dividing, so that conversion stays exact. A half unit written in 万元 and compared in 元 is
  scaled by the same factor (``half_unit(..., factor=10000)``).
* **Formatting** (:func:`fmt`, :func:`format_decimal`): an exact decimal string with trailing zeros
  of the scale-8 column stripped, but at least 2 decimals for money (``"0.30"``, ``"45.11"``,
  ``"20.00"``, ``"0.005"``, ``"1534512.83"``) and at least 0 for counts (``"159"``). The same
  convention applies to expected, actual, difference and tolerance, so a reader sees the figure as
  written (up to trailing zeros) and the tolerance at its own precision.

Polars traps (polars 2.1.0, measured): the product of two Decimal columns is rounded to the larger
input scale — at scale 8 × scale 8 the product keeps 8 decimals, which is exact for written figures
with at most 4 decimals each; ``str.to_decimal(scale=2)`` silently rounds ``'0.005'``, so figures are
never parsed from strings inside Polars.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import polars as pl

MONEY = pl.Decimal(38, 8)
"""The dtype of every amount column."""

MAX_DECIMALS = 7
MIN_MONEY_DECIMALS = 2

_HALF_UNITS: dict[int, Decimal] = {
    d: Decimal(5).scaleb(-(d + 1)) for d in range(MIN_MONEY_DECIMALS, MAX_DECIMALS + 1)
}


@lru_cache(maxsize=256)
def lit(value: Decimal | int | str) -> pl.Expr:
    """A MONEY literal (exact: from a Decimal, an int or a decimal string). Expressions are
    immutable, so each literal is built once."""
    return pl.lit(Decimal(value), dtype=MONEY)


ZERO = Decimal(0)


def zero() -> pl.Expr:
    return lit(ZERO)


def half_unit(decimals: str | pl.Expr, *, factor: Decimal | int = 1) -> pl.Expr:
    """Half the unit of an amount written with ``decimals`` decimals: 0.005 for ``2`` (or fewer),
    0.0005 for ``3`` …; times ``factor`` when the amount is compared in a smaller unit (a 万元 figure
    compared in 元: ``factor=10000``). A null ``decimals`` (an absent figure) counts as 2 — callers
    that must not count absent figures mask them with :func:`half_unit_if`."""
    col = pl.col(decimals) if isinstance(decimals, str) else decimals
    # 5·10^-(d+1) as (5·10^-(MAX+1)) · 10^(MAX-d): an exact product of a MONEY literal and an
    # integer, cheaper to build and to run than a lookup of _HALF_UNITS.
    exponent = MAX_DECIMALS - col.fill_null(0).clip(MIN_MONEY_DECIMALS, MAX_DECIMALS)
    expr = lit(_HALF_UNITS[MAX_DECIMALS]) * pl.lit(10, dtype=pl.Int64).pow(exponent)
    if factor != 1:
        expr = expr * lit(Decimal(factor))
    return expr


def half_unit_if(
    value: str | pl.Expr, decimals: str | pl.Expr, *, factor: Decimal | int = 1
) -> pl.Expr:
    """:func:`half_unit` for a figure that may be absent: 0 where ``value`` is null."""
    val = pl.col(value) if isinstance(value, str) else value
    return pl.when(val.is_null()).then(zero()).otherwise(half_unit(decimals, factor=factor))


def half_unit_of(decimals: int) -> Decimal:
    """:func:`half_unit` of one figure written with ``decimals`` decimals, in Python: what the
    frame builders store in a figure's ``<name>_half`` column."""
    return _HALF_UNITS[min(max(decimals, MIN_MONEY_DECIMALS), MAX_DECIMALS)]


def half(figure: str) -> pl.Expr:
    """The half unit of a frame figure as written: its ``<figure>_half`` column (the value of
    :func:`half_unit` of its decimals, built with the frame: cheaper than computing it in every
    query), null where the figure is absent."""
    return pl.col(f"{figure}_half")


def half_if(figure: str) -> pl.Expr:
    """:func:`half`, 0 where the figure is absent (:func:`half_unit_if` of a frame figure)."""
    return pl.col(f"{figure}_half").fill_null(zero())


def product_band(
    quantity: str | pl.Expr, price_decimals: str | pl.Expr, amount_decimals: str | pl.Expr
) -> pl.Expr:
    """The band of ``q × p = a``: ``|q|·u(p)/2 + u(a)/2`` (quantities are exact)."""
    q = pl.col(quantity) if isinstance(quantity, str) else quantity
    return q.abs() * half_unit(price_decimals) + half_unit(amount_decimals)


def exceeds(difference: str | pl.Expr, band: str | pl.Expr) -> pl.Expr:
    """True where ``|difference| > band`` (outside the rounding band); null stays null."""
    diff = pl.col(difference) if isinstance(difference, str) else difference
    tol = pl.col(band) if isinstance(band, str) else band
    return diff.abs() > tol


def fmt(expr: str | pl.Expr, *, min_decimals: int = MIN_MONEY_DECIMALS) -> pl.Expr:
    """An exact decimal string of a Decimal expression: trailing zeros of the column's scale
    stripped, at least ``min_decimals`` decimals kept (2 for money, 0 for counts). Null stays null.

    ``0.30000000`` -> ``"0.30"``; ``0.00500000`` -> ``"0.005"``; ``159.00000000`` with
    ``min_decimals=0`` -> ``"159"``; ``-11.43000000`` -> ``"-11.43"``."""
    col = pl.col(expr) if isinstance(expr, str) else expr
    text = col.cast(MONEY).cast(pl.String)
    # The text has the column's 8 decimals: one replacement strips the zeros past the minimum.
    if min_decimals == 0:
        return text.str.replace(r"\.?0*$", "")
    if min_decimals <= MONEY.scale:
        return text.str.replace(rf"(\.\d{{{min_decimals}}}\d*?)0*$", "${1}")
    whole = text.str.extract(r"^(-?\d+)")
    frac = text.str.extract(r"\.(\d*?)0*$").fill_null("").str.pad_end(min_decimals, "0")
    out = pl.when(frac == "").then(whole).otherwise(pl.concat_str([whole, pl.lit("."), frac]))
    return pl.when(col.is_null()).then(pl.lit(None, dtype=pl.String)).otherwise(out)


def format_decimal(value: Decimal | None, *, min_decimals: int = MIN_MONEY_DECIMALS) -> str | None:
    """The Python twin of :func:`fmt` for a single Decimal (tests, messages built outside Polars)."""
    if value is None:
        return None
    text = format(value, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0").ljust(min_decimals, "0")
    if whole in ("-0", "") and not frac.strip("0"):
        whole = "0"
    return f"{whole}.{frac}" if frac else whole
