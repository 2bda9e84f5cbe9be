"""The app's asset tree (``tui.parts.asset_nodes``): each row's children's sum, from the rows
that are its own, even when another row bears the same name."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import TabbedContent, Tree
from tui_helpers import press, run, settle

from reconcile.canonical import loads_toml
from reconcile.engine import check
from tui import parts
from tui.app import ReconcileApp

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


# 其他 heads the table, and a row two levels down bears its name again: （二）乙 belongs to the
# first, whose rows are （一）甲 60 and （二）乙 40.
REPEATED_DEEPER = """
schema = "reconcile.disclosure/1"
[document]
year = 2021
[assets]
table_unit = "元"
[[assets.rows]]
name = "其他"
value = 100
level = 1
[[assets.rows]]
name = "（一）甲"
value = 60
parent = "其他"
level = 2
[[assets.rows]]
name = "其他"
parent = "（一）甲"
level = 3
[[assets.rows]]
name = "（二）乙"
value = 40
parent = "其他"
level = 2
"""


def test_a_row_hangs_under_its_own_parent_when_a_later_row_bears_the_parent_name(
    tmp_path: Path,
) -> None:
    doc = loads_toml(REPEATED_DEEPER, "assets.toml")
    nodes, _ = parts.asset_nodes(parts.context_for(doc), check([doc]))
    assert [(n.name, n.parent_place, n.children_sum) for n in nodes] == [
        ("其他", None, "100.00"),
        ("（一）甲", 0, None),  # its one row is empty: nothing to add up
        ("其他", 1, None),
        ("（二）乙", 0, None),
    ]
    source = tmp_path / "assets.toml"
    source.write_text(REPEATED_DEEPER, encoding="utf-8")

    async def body() -> None:
        app = ReconcileApp([str(source)])
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await press(pilot, "p")
            screen = app.screen
            tabs = screen.query_one(TabbedContent)
            for _ in range(4):  # budget, three public, procurement, then assets
                if tabs.active == "pt-assets":
                    break
                await press(pilot, "right_square_bracket")
            assert tabs.active == "pt-assets", (type(screen).__name__, tabs.active)
            await settle(pilot)
            top = screen.query_one(Tree).root.children
            assert [str(n.label).split()[0] for n in top] == ["其他"]
            under = [str(n.label).split()[0] for n in top[0].children]
            assert under == ["（一）甲", "（二）乙"]
            assert [str(n.label).split()[0] for n in top[0].children[0].children] == ["其他"]

    run(body)
