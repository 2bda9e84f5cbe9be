"""``reconcile.exprs``: the shared Polars expressions, against plain Python."""

from __future__ import annotations

import random
from itertools import accumulate

import polars as pl
import pytest

from reconcile.exprs import count_so_far

_RNG = random.Random(7)
RANDOM_FLAGS = [_RNG.random() < 0.7 for _ in range(1000)]


@pytest.mark.parametrize(
    "flags",
    [
        [],
        [False, False, False],
        [True],
        [True, False, True, True, False],
        RANDOM_FLAGS,
    ],
    ids=["empty", "none-true", "one", "mixed", "random"],
)
def test_count_so_far_counts_the_true_rows_down_to_each_row(flags: list[bool]) -> None:
    frame = pl.DataFrame({"flag": flags}, schema={"flag": pl.Boolean})
    got = frame.select(count_so_far(pl.col("flag"))).to_series()
    assert got.dtype == pl.UInt32  # as Boolean.cum_sum() gives it
    assert got.to_list() == list(accumulate(int(f) for f in flags))


def test_count_so_far_works_inside_a_lazy_query_over_an_expression() -> None:
    lines = pl.LazyFrame({"s": ["\ta", "b", "\tc", "", "\td"]})
    got = lines.select(count_so_far(pl.col("s").str.starts_with("\t"))).collect().to_series()
    assert got.to_list() == [1, 1, 2, 2, 3]
