"""Which row of an asset table a row's parent is (``rules._frames._parent_places``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reconcile.model import AssetRow
from reconcile.rules._frames import _parent_places


def rows(*spec: tuple[str, str | None, int]) -> list[AssetRow]:
    return [AssetRow(name=name, parent=parent, level=level) for name, parent, level in spec]


def nearest_by_definition(table: list[AssetRow]) -> list[int | None]:
    """The definition read literally: the nearest row above with the parent's name and a lower
    level, else the nearest above with that name, else the first with that name."""
    out: list[int | None] = []
    for i, row in enumerate(table):
        parent = row.parent.strip() if row.parent else None
        if not parent:
            out.append(None)
            continue
        named = [j for j, r in enumerate(table) if r.name.strip() == parent]
        above = [j for j in named if j < i]
        lower = [j for j in above if table[j].level < row.level]
        out.append(lower[-1] if lower else above[-1] if above else named[0] if named else None)
    return out


def test_other_under_two_categories_belongs_to_the_nearest_category():
    table = rows(
        ("一、固定资产", None, 1),
        ("（一）通用设备", "一、固定资产", 2),
        ("其他", "（一）通用设备", 3),
        ("（二）专用设备", "一、固定资产", 2),
        ("其他", "（二）专用设备", 3),
        ("二、无形资产", None, 1),
    )
    assert _parent_places(table) == [None, 0, 1, 0, 3, None]


def test_a_parent_of_the_same_level_above_and_a_parent_below_are_found_too():
    table = rows(
        ("A", None, 2),
        ("B", "A", 2),  # no A of a lower level above: the nearest A above
        ("C", "D", 3),  # no D above: the first D, below
        ("D", None, 1),
        ("A", None, 1),
        ("E", "A", 2),  # the A of level 1 at 4, nearer than the A of level 2 at 0
        ("A", None, 3),
        ("F", "A", 2),  # the A at 6 is not lower: the A at 4 is
        ("G", "Z", 1),  # no row named Z
    )
    assert _parent_places(table) == [None, 0, 3, None, None, 4, None, 4, None]


names = st.sampled_from(["A", "B", " A", "其他", "C "])


@given(st.lists(st.tuples(names, st.none() | names, st.integers(-2, 4)), max_size=40))
def test_the_parent_is_the_row_the_definition_names(spec):
    table = rows(*spec)
    assert _parent_places(table) == nearest_by_definition(table)
