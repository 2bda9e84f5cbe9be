"""The interface driven by its keys (and the mouse), on the bundled samples: the 2020 and 2021
budgets of 保定白沟新城管理委员会组织人事局."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest
from rich.console import Console
from textual.command import CommandPalette
from textual.widgets import Input, Static, TabbedContent, Tree
from tui_helpers import SAMPLE_2021, press, run, settle

from tui.app import ReconcileApp
from tui.screens.documents import DocumentsScreen
from tui.screens.export import ExportScreen
from tui.screens.findings import FindingsScreen
from tui.screens.help import HelpScreen
from tui.screens.overview import OverviewScreen
from tui.screens.parts import PartsScreen
from tui.screens.rule import RuleScreen
from tui.screens.years import YearsScreen
from tui.widgets.table import DataGrid

SIZE = (120, 40)


def text_of(widget: Static) -> str:
    """The plain text a Static shows (a string, a Rich Text or any Rich renderable)."""
    content = widget.content
    if isinstance(content, str):
        return content
    if hasattr(content, "plain"):
        return content.plain
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def open_2021(pilot) -> None:  # type: ignore[no-untyped-def]
    """From the document list, open the 2021 budget (second row)."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, DocumentsScreen)
    await press(pilot, "down", "enter")
    assert pilot.app.current.document.info.year == 2021


# ----------------------------------------------------------------------- start


def test_no_path_opens_the_samples_as_a_document_list() -> None:
    async def body() -> None:
        app = ReconcileApp([])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.paths == ["samples"]
            assert isinstance(app.screen, DocumentsScreen)
            grid = app.screen.query_one("#doc-table", DataGrid)
            assert grid.row_count == 2
            assert [c for c in grid.source.row(1)][:6] == [
                "保定白沟新城管理委员会组织人事局",
                "2021",
                "budget",
                "0",
                "73",
                "83",
            ]

    run(body)


def test_one_file_opens_its_overview() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, OverviewScreen)
            info = text_of(app.screen.query_one("#ov-info", Static))
            assert "保定白沟新城管理委员会组织人事局" in info
            assert SAMPLE_2021 in info and "utf-8" in info
            parts = app.screen.query_one("#ov-parts", DataGrid)
            rows = {parts.source.row(i)[0]: parts.source.row(i) for i in range(parts.row_count)}
            assert rows["Three public expenses 三公经费"][1:5] == ("! problems", "0", "3", "0")
            assert rows["Budget 预算总体"][5] == "33"  # the heading's line
            totals = text_of(app.screen.query_one("#ov-totals", Static))
            assert totals == "Totals: 0 error(s), 73 warning(s), 83 info"

    run(body)


def test_a_missing_path_is_reported_not_raised() -> None:
    async def body() -> None:
        app = ReconcileApp(["no/such/folder", SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "d")
            errors = text_of(app.screen.query_one("#doc-errors", Static))
            assert "no/such/folder: no such file or folder" in errors

    run(body)


# ------------------------------------------------------------ document list


def test_document_list_sorts_filters_and_opens() -> None:
    async def body() -> None:
        app = ReconcileApp(["samples"])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            grid = screen.query_one("#doc-table", DataGrid)
            # click the "Warn" header: most warnings first (2021 has 73)
            warn_x = sum(w + 2 for w in grid._widths[:4]) + 1
            await pilot.click(DataGrid, offset=(warn_x, 0))
            await settle(pilot)
            assert grid.sort_column == 4
            assert grid.source.row(0)[1] == "2021"
            # "s" sorts by the next column (info), again largest first
            await press(pilot, "s")
            assert grid.sort_column == 5 and grid.source.row(0)[5] == "83"
            # "/" filters: only the 2020 document
            await press(pilot, "slash", "2", "0", "2", "0", "enter")
            assert grid.row_count == 2  # "2020" is in both rows' "years" column
            await press(pilot, "escape", "slash", *"2020-budget", "enter")
            assert grid.row_count == 1
            await press(pilot, "escape")
            assert grid.row_count == 2
            # a click on a row moves the cursor, a second click opens it
            await pilot.click(DataGrid, offset=(5, 2))
            await settle(pilot)
            assert grid.cursor_row == 1
            await pilot.click(DataGrid, offset=(5, 2))
            await settle(pilot)
            assert isinstance(app.screen, OverviewScreen)

    run(body)


# --------------------------------------------------------------- navigation


def test_view_keys_and_navbar_clicks() -> None:
    async def body() -> None:
        app = ReconcileApp(["samples"])
        async with app.run_test(size=SIZE) as pilot:
            await open_2021(pilot)
            for key, screen in (
                ("f", FindingsScreen),
                ("p", PartsScreen),
                ("y", YearsScreen),
                ("o", OverviewScreen),
                ("d", DocumentsScreen),
            ):
                await press(pilot, key)
                assert isinstance(app.screen, screen), key
            # the navigation bar is clickable: " f Findings " starts at cell 25
            await pilot.click("#nav", offset=(28, 0))
            await settle(pilot)
            assert isinstance(app.screen, FindingsScreen)

    run(body)


# ------------------------------------------------------------------ findings


def test_findings_next_previous_and_source_pane() -> None:
    async def body() -> None:
        app = ReconcileApp(["samples"])
        async with app.run_test(size=SIZE) as pilot:
            await open_2021(pilot)
            await press(pilot, "f")
            screen = app.screen
            assert isinstance(screen, FindingsScreen)
            first = screen.selected()
            assert first is not None and first.rule == "BUD008" and first.lines == (47,)
            detail = text_of(screen.query_one("#fd-detail", Static))
            assert "expected 353.32" in detail and "actual 364.75" in detail
            assert "tolerance 0.01" in detail
            title = text_of(screen.query_one("#fd-source-title", Static))
            assert title.startswith("Source Lines 47 | samples/baigou-zuzhirenshi-2021-budget.txt")
            await press(pilot, "n")
            assert screen.selected().rule == "TPE006"
            await press(pilot, "n", "N")
            assert screen.selected().rule == "TPE006"
            await press(pilot, "N")
            assert screen.selected().rule == "BUD008"

    run(body)


def test_findings_marks_the_figures_of_the_finding() -> None:
    from tui.workspace import load_workspace, marked_spans

    ws = load_workspace([SAMPLE_2021])
    entry = ws.entries[0]
    bud008 = next(f for f in entry.findings if f.rule == "BUD008")
    line = entry.lines()[46]
    spans = marked_spans(entry, bud008, 47, line)
    # 353.32 and 364.75 are marked, the total 2834.55 on the same line is not
    assert [line[a:b] for a, b in spans] == ["353.32万元", "364.75万元"]


def test_findings_filter_by_code_severity_part_and_text() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "f")
            screen = app.screen
            grid = screen.query_one("#fd-table", DataGrid)
            total = grid.row_count
            await press(pilot, "slash", *"PRC", "enter")
            assert grid.row_count == 3
            assert {screen._entry.finding(i).rule for i in screen._view["idx"]} == {
                "PRC005",
                "PRC006",
            }
            await press(pilot, "escape")
            assert grid.row_count == total
            screen.set_filter("sev:warning part:three_public")
            await settle(pilot)
            assert grid.row_count == 3
            screen.set_filter("车辆")
            await settle(pilot)
            assert all("车辆" in str(grid.source.row(i)[3]) for i in range(grid.row_count))
            assert grid.row_count >= 1

    run(body)


def test_rule_documentation_on_demand() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "f", "r")
            assert isinstance(app.screen, RuleScreen)
            text = text_of(app.screen.query_one("#rule-text", Static))
            assert text.startswith("BUD008 change-part-exceeds-whole")
            assert "其中" in text
            await press(pilot, "escape")
            assert isinstance(app.screen, FindingsScreen)

    run(body)


def test_overview_enter_opens_the_findings_of_a_part() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "down", "down", "down", "down", "enter")  # three public
            assert isinstance(app.screen, FindingsScreen)
            grid = app.screen.query_one("#fd-table", DataGrid)
            assert grid.row_count == 3
            assert app.screen.query_one("#fd-filter", Input).value == "part:three_public"

    run(body)


# ---------------------------------------------------------------------- parts


def test_parts_tabs_and_flagged_rows() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "p")
            screen = app.screen
            tabs = screen.query_one(TabbedContent)
            budget = screen.query_one("#pt-budget-grid", DataGrid)
            row = budget.source.row(8)
            assert row == (
                "project change <= total change",
                "364.75",
                "353.32",
                "11.43",
                "0.01",
                "✗ BUD008 warning",
            )
            await press(pilot, "n")
            assert budget.cursor_row == 8  # the only marked identity
            await press(pilot, "right_square_bracket")
            assert tabs.active == "pt-three_public"
            tpe = screen.query_one("#pt-three_public-grid", DataGrid)
            vehicle = tpe.source.row(2)
            assert vehicle[:6] == ("公务用车运行经费", "3.00", "2.70", "0.30", "-0.30", "0.60")
            await press(pilot, "n")
            assert tpe.cursor_row == 2
            await press(pilot, "n")
            assert tpe.cursor_row == 4  # 合计
            await press(pilot, "N")
            assert tpe.cursor_row == 2
            await press(pilot, "right_square_bracket")
            proc = screen.query_one("#pt-procurement-grid", DataGrid)
            printer = proc.source.row(2)  # 喷墨打印机 3 台 x 0.35 = 1.05
            assert printer[:8] == (
                "喷墨打印机",
                "A0201060101",
                "台",
                "3",
                "0.35",
                "1.05",
                "1.05",
                "0.00",
            )
            assert proc.source.row(10)[:6] == ("合计 row", None, None, "159", "5.33", "45.11")
            await press(pilot, "right_square_bracket")
            assert tabs.active == "pt-assets"
            tree = screen.query_one(Tree)
            root = tree.root.children[0]
            assert str(root.label).split() == [
                "二、固定资产",
                "1534512.83",
                "children",
                "sum",
                "1534512.83",
            ]
            await press(pilot, "right_square_bracket")
            perf = screen.query_one("#pt-performance-grid", DataGrid)
            assert perf.source.row(0)[4] == "≥95%"  # shown as >=95% (see tui.display)
            await press(pilot, "left_square_bracket", "left_square_bracket")
            assert tabs.active == "pt-procurement"

    run(body)


# ---------------------------------------------------------------------- years


def test_years_aligns_the_two_documents_and_jumps_between_differences() -> None:
    async def body() -> None:
        app = ReconcileApp(["samples"])
        async with app.run_test(size=SIZE) as pilot:
            await open_2021(pilot)
            await press(pilot, "y")
            screen = app.screen
            assert isinstance(screen, YearsScreen)
            grid = screen.query_one("#yr-table", DataGrid)
            assert grid.source.row(0) == (
                "budget 预算",
                "收入预算总额",
                "2481.23",
                "2834.55",
                "353.32",
                "14.24",
                "353.32",
                "changed",
            )
            summary = text_of(screen.query_one("#yr-summary", Static))
            assert summary.startswith("2020 -> 2021:")
            differences = screen._data.differences
            await press(pilot, "n")
            assert grid.cursor_row == differences[1]
            await press(pilot, "N")
            assert grid.cursor_row == differences[0]
            chart = text_of(screen.query_one("#yr-chart", Static))
            assert "2020 basic" in chart and "1,972.60" in chart and "2,337.35" in chart

    run(body)


def test_years_with_one_document_says_so() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "y")
            summary = text_of(app.screen.query_one("#yr-summary", Static))
            assert summary.startswith("Only one year of 保定白沟新城管理委员会组织人事局 is loaded")

    run(body)


# --------------------------------------------------------------------- export


def test_export_writes_the_findings_as_toml(tmp_path: Path) -> None:
    async def body() -> None:
        app = ReconcileApp(["samples"])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "e")
            assert isinstance(app.screen, ExportScreen)
            box = app.screen.query_one("#ex-path", Input)
            assert box.value == "findings.toml"
            box.value = str(tmp_path / "out.toml")
            await press(pilot, "enter")
            assert not isinstance(app.screen, ExportScreen)
            data = tomllib.loads((tmp_path / "out.toml").read_text(encoding="utf-8"))
            assert data["schema"] == "reconcile.findings/1"
            assert data["summary"] == {"error": 0, "warning": 80, "info": 92}
            assert len(data["findings"]) == 172
            messages = [n.message for n in app._notifications]
            assert f"Wrote 172 finding(s) to {tmp_path / 'out.toml'}" in messages

    run(body)


def test_export_to_a_missing_folder_shows_the_error(tmp_path: Path) -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "e")
            target = tmp_path / "missing" / "out.toml"
            app.screen.query_one("#ex-path", Input).value = str(target)
            await press(pilot, "enter")
            assert isinstance(app.screen, ExportScreen)  # still open
            status = text_of(app.screen.query_one("#ex-status", Static))
            assert status.startswith("Could not write:") and "does not exist" in status
            assert not target.parent.exists()
            await press(pilot, "escape")
            assert not isinstance(app.screen, ExportScreen)

    run(body)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("x" * 300 + ".toml", "too long"),
        ("~nosuchuser-of-this-machine/x.toml", "home directory"),
        ("a\0b.toml", "null"),
        ("out/", "is a folder"),
    ],
    ids=["a name too long", "no such user", "a NUL", "a trailing slash"],
)
def test_export_to_a_name_that_cannot_be_a_file_shows_why(
    tmp_path: Path, monkeypatch, typed: str, said: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)

    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "e")
            app.screen.query_one("#ex-path", Input).value = typed
            await press(pilot, "enter")
            assert isinstance(app.screen, ExportScreen)  # still open, the app still running
            status = text_of(app.screen.query_one("#ex-status", Static))
            assert status.startswith("Could not write:") and said in status, status
            assert list(tmp_path.iterdir()) == []

    run(body)


def test_export_replaces_a_file_only_after_confirming(tmp_path: Path) -> None:
    target = tmp_path / "findings.toml"
    target.write_text("keep me\n", encoding="utf-8")

    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "e")
            app.screen.query_one("#ex-path", Input).value = str(target)
            await press(pilot, "enter")
            status = text_of(app.screen.query_one("#ex-status", Static))
            assert status == f"{target} exists. Replace it?"
            assert target.read_text(encoding="utf-8") == "keep me\n"
            await press(pilot, "escape")  # keep it: back to the path
            assert isinstance(app.screen, ExportScreen)
            assert target.read_text(encoding="utf-8") == "keep me\n"
            await press(pilot, "enter")  # ask again
            await press(pilot, "enter")  # the Replace button has the focus
            assert not isinstance(app.screen, ExportScreen)
            data = tomllib.loads(target.read_text(encoding="utf-8"))
            assert data["schema"] == "reconcile.findings/1"

    run(body)


def test_export_is_relative_to_the_working_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def body() -> None:
        app = ReconcileApp([str(Path.cwd() / SAMPLE_2021)])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            monkeypatch.chdir(tmp_path)
            await press(pilot, "e", "enter")
            assert (tmp_path / "findings.toml").is_file()

    run(body)


# ------------------------------------------------------- help, palette, quit


def test_help_lists_every_key() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            grid = app.screen.query_one(DataGrid)
            keys = {grid.source.row(i)[1] for i in range(grid.row_count)}
            assert {
                "q",
                "?",
                "e",
                "d",
                "o",
                "f",
                "p",
                "y",
                "n",
                "N",
                "/",
                "r",
                "s",
                "[",
                "]",
            } <= keys
            await press(pilot, "escape")
            assert isinstance(app.screen, OverviewScreen)

    run(body)


def test_command_palette_offers_every_action() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert {
                "Documents",
                "Overview",
                "Findings",
                "Parts",
                "Years",
                "Export",
                "Keys",
                "Next",
                "Previous",
                "Filter",
                "Rule doc",
                "Quit",
            } <= titles
            await press(pilot, "ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await press(pilot, *"Export")
            await pilot.pause(0.3)
            await press(pilot, "enter")
            assert isinstance(app.screen, ExportScreen)

    run(body)


def test_typing_in_a_filter_is_not_a_key() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "f", "slash", "q", "e", "y")
            assert app.is_running and isinstance(app.screen, FindingsScreen)
            assert app.screen.query_one("#fd-filter", Input).value == "qey"

    run(body)


def test_q_quits() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running

    run(body)


def test_chinese_interface() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021], lang="zh")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            nav = text_of(app.screen.query_one("#nav", Static))
            assert "概览" in nav and "问题" in nav and "年度对比" in nav
            await press(pilot, "f")
            grid = app.screen.query_one("#fd-table", DataGrid)
            assert grid.source.row(0)[:3] == ("警告", "BUD008", "预算")
            assert "项目支出增减" in grid.source.row(0)[3]

    run(body)


def test_small_terminal_stays_usable() -> None:
    async def body() -> None:
        app = ReconcileApp([SAMPLE_2021])
        async with app.run_test(size=(40, 12)) as pilot:
            await settle(pilot)
            await press(pilot, "f", "n", "n")
            assert app.screen.selected().rule == "TPE002"
            await press(pilot, "p", "y", "o", "question_mark", "escape", "q")

    run(body)
