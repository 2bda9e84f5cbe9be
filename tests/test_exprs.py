"""``reconcile.exprs``: the shared Polars expressions, against plain Python."""

from __future__ import annotations

import random
from itertools import accumulate

import polars as pl
import pytest

from reconcile.exprs import count_so_far, run_starts

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


def test_run_starts_marks_the_first_row_of_each_run_of_equal_keys() -> None:
    frame = pl.DataFrame(
        {
            "doc": [0, 0, 0, 0, 1, 1, 1],
            "project": [1, 1, 2, 2, 2, 2, 3],
        }
    )
    got = frame.select(one=run_starts("doc"), both=run_starts("doc", "project"))
    assert got.get_column("one").to_list() == [True, False, False, False, True, False, False]
    # project 2 of document 0 and project 2 of document 1 are two runs
    assert got.get_column("both").to_list() == [True, False, True, False, True, False, True]


def test_run_starts_on_an_empty_frame_and_with_nulls() -> None:
    assert pl.DataFrame({"a": []}, schema={"a": pl.Int64}).select(run_starts("a")).height == 0
    got = pl.DataFrame({"a": [None, None, 1, 1]}).select(run_starts("a")).to_series()
    assert got.to_list() == [True, True, True, False]  # a null never continues a run
