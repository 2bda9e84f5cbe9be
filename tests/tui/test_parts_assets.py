"""The app's asset tree (``tui.parts.asset_nodes``): each row's children's sum, from the rows
that are its own, even when another row bears the same name."""

from __future__ import annotations

import tomllib
from pathlib import Path

from reconcile.canonical import loads_toml
from reconcile.engine import check
from tui import parts

FIXTURE = Path(__file__).resolve().parents[1] / "rules" / "fixtures" / "AST001.toml"


def _case(name: str) -> str:
    with FIXTURE.open("rb") as handle:
        cases = tomllib.load(handle)["case"]
    return next(c["document"] for c in cases if c["name"] == name)


def test_two_rows_of_one_name_each_sum_their_own_rows() -> None:
    # 房屋's 其他 is 100 over 60 + 40; 车辆's 其他 is 50 over its one row of 45.
    doc = loads_toml(
        _case("one name under two categories: the second 其他 does not add up"), "AST001.toml"
    )
    nodes, _ = parts.asset_nodes(parts.context_for(doc), check([doc]))
    others = [(n.parent, n.value, n.children_sum, n.differs) for n in nodes if n.name == "其他"]
    assert others == [("一、房屋", "100.00", "100.00", False), ("二、车辆", "50.00", "45.00", True)]
