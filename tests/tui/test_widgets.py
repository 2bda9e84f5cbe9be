"""The building blocks: display-safe text, the virtualised table, the findings filter."""

from __future__ import annotations

import time

import polars as pl
import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from tui_helpers import run

from tui.display import display, fit
from tui.screens.findings import filter_expr
from tui.widgets.chart import bar
from tui.widgets.table import Column, DataGrid, FrameRows, ListRows

# ------------------------------------------------------------------- display


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("≥95%", ">=95%"),
        ("≤5%", "<=5%"),
        ("财政拨款“三公”经费", '财政拨款"三公"经费'),
        ("2.70 − 3.00 = -0.30", "2.70 - 3.00 = -0.30"),
        ("数量×单价", "数量x单价"),
        ("①办公费", "(1)办公费"),
        ("a\tb\nc", "a b c"),
        ("合\u3000计", "合\u3000计"),  # the full-width space is unambiguous (2 cells): kept
        ("预算\u00a0资金", "预算 资金"),
    ],
)
def test_display_replaces_ambiguous_width_characters(written: str, shown: str) -> None:
    assert display(written) == shown


def test_fit_counts_chinese_as_two_cells() -> None:
    assert fit("激光打印机", 12) == "激光打印机  "
    assert cell_len(fit("激光打印机", 12)) == 12
    assert fit("激光打印机", 6) == "激光 ~"  # a wide character is never split: a space
    assert cell_len(fit("激光打印机", 6)) == 6
    assert fit("2834.55", 9, justify="right") == "  2834.55"
    assert fit("samples/baigou-zuzhirenshi-2021-budget.txt", 20, cut="left") == (
        "~shi-2021-budget.txt"
    )


def test_bar_is_drawn_to_an_eighth_of_a_cell() -> None:
    from decimal import Decimal

    assert bar(Decimal("508.63"), Decimal("2337.35"), 48) == "██████████▍"
    assert bar(Decimal("2337.35"), Decimal("2337.35"), 48) == "█" * 48
    assert bar(Decimal(0), Decimal(1), 48) == ""


# ---------------------------------------------------------------- the table


class Counting(ListRows):
    """Counts the rows the table reads."""

    def __init__(self, rows):  # type: ignore[no-untyped-def]
        super().__init__(rows)
        self.read: set[int] = set()

    def row(self, index: int):  # type: ignore[no-untyped-def]
        self.read.add(index)
        return super().row(index)


COLUMNS = [
    Column("item", "品目"),
    Column("qty", "数量", justify="right"),
    Column("note", "Note", flex=True),
]


def grid_app(source):  # type: ignore[no-untyped-def]
    class GridApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DataGrid(COLUMNS, source)

    return GridApp()


def test_table_renders_only_the_visible_rows() -> None:
    rows = [(f"激光打印机{i}", str(i), "≥95%") for i in range(100_000)]
    source = Counting(rows)

    async def body() -> None:
        app = grid_app(source)
        async with app.run_test(size=(60, 12)) as pilot:
            await pilot.pause()
            grid = app.query_one(DataGrid)
            assert grid.row_count == 100_000
            assert source.read <= set(range(11))  # 12 lines: the header and 11 rows
            source.read.clear()
            await pilot.press("end")
            await pilot.pause()
            assert grid.cursor_row == 99_999
            assert source.read and min(source.read) >= 99_989
            line = grid.render_line(11).text
            assert line.startswith(" 激光打印机99999  99999  >=95%")

    run(body)


def test_table_keys_and_clicks() -> None:
    rows = [(f"row{i}", str(i), "") for i in range(50)]
    seen: dict[str, list[int]] = {"selected": [], "header": []}

    class Watch(App[None]):
        def compose(self) -> ComposeResult:
            yield DataGrid(COLUMNS, ListRows(rows))

        def on_data_grid_selected(self, event: DataGrid.Selected) -> None:
            seen["selected"].append(event.row)

        def on_data_grid_header_clicked(self, event: DataGrid.HeaderClicked) -> None:
            seen["header"].append(event.column)

    async def body() -> None:
        app = Watch()
        async with app.run_test(size=(40, 10)) as pilot:
            grid = app.query_one(DataGrid)
            grid.focus()
            await pilot.press("down", "down", "pagedown")
            assert grid.cursor_row == 2 + 9  # a page: the 9 rows below the header
            await pilot.press("end")
            assert grid.cursor_row == 49
            await pilot.press("home", "enter")
            assert seen["selected"] == [0]
            await pilot.click(DataGrid, offset=(2, 3))  # the third row
            assert grid.cursor_row == 2
            await pilot.click(DataGrid, offset=(2, 3))  # again: selects it
            await pilot.click(DataGrid, offset=(9, 0))  # the header of the second column
            await pilot.pause()
            assert seen == {"selected": [0, 2], "header": [1]}

    run(body)


def test_frame_rows_read_a_window_at_a_time() -> None:
    frame = pl.DataFrame({"a": [str(i) for i in range(10_000)], "b": ["预算"] * 10_000})
    rows = FrameRows(frame)
    assert rows.row(5000) == ("5000", "预算")
    assert rows._start <= 5000 < rows._start + len(rows._rows) <= 5000 + FrameRows.WINDOW
    assert rows.measure(1) == 4


def test_frame_rows_measure_finds_the_widest_cell_beyond_the_sample() -> None:
    cells = ["a"] * 50_000
    cells[43_210] = "保定白沟新城管理委员会组织人事局"  # 16 characters, 32 cells
    rows = FrameRows(pl.DataFrame({"a": cells}))
    assert rows.measure(0) == 32


def test_first_screen_of_a_large_table_is_fast() -> None:
    frame = pl.DataFrame(
        {
            "item": [f"激光打印机{i}" for i in range(100_000)],
            "qty": [str(i) for i in range(100_000)],
            "note": ["数量×单价"] * 100_000,
        }
    )

    async def body() -> None:
        start = time.perf_counter()
        app = grid_app(FrameRows(frame))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            elapsed = time.perf_counter() - start
        # the budget is 0.3 s (bench/bench_tui.py); a loaded CI machine gets slack
        assert elapsed < 1.5

    run(body)


# --------------------------------------------------------------- the filter


FINDINGS = pl.DataFrame(
    {
        "severity": ["warning", "info", "error"],
        "rule": ["BUD008", "PRC005", "PRC001"],
        "section": ["budget", "procurement", "procurement"],
        "message": ["the project change 364.75", "the 合计 row adds quantities", "3 × 0.35"],
    }
)


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("", ["BUD008", "PRC005", "PRC001"]),
        ("PRC", ["PRC005", "PRC001"]),
        ("prc001", ["PRC001"]),
        ("error", ["PRC001"]),
        ("警告", ["BUD008"]),
        ("budget", ["BUD008"]),
        ("采购", ["PRC005", "PRC001"]),
        ("合计", ["PRC005"]),
        ("sev:info part:procurement", ["PRC005"]),
        ("code:BUD part:procurement", []),
        ("364.75", ["BUD008"]),
    ],
)
def test_filter_words(text: str, rules: list[str]) -> None:
    assert FINDINGS.filter(filter_expr(text))["rule"].to_list() == rules
