"""Polars expressions shared by the reader and the rules."""

from __future__ import annotations

import polars as pl


def count_so_far(flag: pl.Expr) -> pl.Expr:
    """How many rows down to this one (itself included) ``flag`` is true on: ``flag.cum_sum()``
    (UInt32) for a Boolean without nulls, at a third of its cost. Polars 2.1 sums a Boolean
    through a generic iterator (2.0 ms for 327,000 lines, the lines of a reader's share), while
    counting the non-null values of ``when(flag)`` is one straight pass (0.7 ms); the reader
    numbers its lines, cells, rows and tables this way nine times a share."""
    return pl.when(flag).then(pl.lit(True)).cum_count()
