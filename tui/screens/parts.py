"""Parts: the figures of each part with what the tool computed from them, cells failing a rule
marked. Budget identities, the 三公 table with its change, procurement with quantity × unit price,
the assets as a tree with children's sums, and the performance indicators with their flags.

The tables are computed in a worker thread (a large procurement table takes a moment); the tabs
show a loading indicator meanwhile. ``n``/``N`` jump between the marked rows of the open tab,
``[``/``]`` switch tabs.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Static, TabbedContent, TabPane, Tree
from textual.widgets.tree import TreeNode

from tui import parts
from tui.display import display, fit
from tui.i18n import binding
from tui.screens.base import ViewScreen
from tui.widgets.table import DataGrid
from tui.workspace import DocEntry

TABS = ("budget", "three_public", "procurement", "assets", "performance")
_NAME_WIDTH = 40
_VALUE_WIDTH = 16


class PartsScreen(ViewScreen):
    VIEW = "parts"

    BINDINGS: ClassVar[list[BindingType]] = [
        binding("n", "next", "key.next"),
        binding("N", "prev", "key.prev"),
        binding("right_square_bracket", "tab(1)", "key.next_part", key_display="]"),
        binding("left_square_bracket", "tab(-1)", "key.prev_part", key_display="["),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._flagged: dict[str, list[int]] = {}

    def body(self) -> ComposeResult:
        with TabbedContent(id="pt-tabs"):
            for tab in TABS:
                with TabPane(self.t(f"pt.{tab}"), id=f"pt-{tab}"):
                    yield Static(id=f"pt-{tab}-note", classes="pt-note")
                    if tab == "assets":
                        tree: Tree[None] = Tree("", id="pt-assets-tree")
                        tree.show_root = True
                        yield tree
                    else:
                        yield DataGrid(id=f"pt-{tab}-grid")

    def show_entry(self, entry: DocEntry | None) -> None:
        if entry is None:
            return
        self.query_one("#pt-tabs").loading = True
        self.compute(entry, self.lang)

    @work(thread=True, exclusive=True, group="parts")
    def compute(self, entry: DocEntry, lang: str) -> None:
        doc = entry.document
        ctx = parts.context_for(doc)
        tables = {
            "budget": parts.budget_table(doc, ctx, entry.findings, lang),
            "three_public": parts.three_public_table(ctx, entry.findings, lang),
            "procurement": parts.procurement_table(ctx, entry.findings, lang),
            "performance": parts.performance_table(doc, entry.findings, lang),
        }
        nodes, note = parts.asset_nodes(ctx, entry.findings)
        self.app.call_from_thread(self._fill, entry, tables, nodes, note)

    def _fill(
        self,
        entry: DocEntry,
        tables: dict[str, parts.PartTable],
        nodes: list[parts.AssetNode],
        asset_note: tuple[str, str | None, str | None] | None,
    ) -> None:
        if entry is not self.rapp.current:
            return  # another document was opened meanwhile
        for tab, table in tables.items():
            grid = self.query_one(f"#pt-{tab}-grid", DataGrid)
            grid.empty_text = self.t("pt.absent")
            grid.set_data(
                table.columns,
                table.source,
                row_class=table.row_class.get,
                cell_marks=table.cell_marks.get,
            )
            self.query_one(f"#pt-{tab}-note", Static).update(table.note)
            self._flagged[tab] = table.flagged
        self._fill_assets(nodes, asset_note)
        self.query_one("#pt-tabs").loading = False

    def _fill_assets(
        self, nodes: list[parts.AssetNode], note: tuple[str, str | None, str | None] | None
    ) -> None:
        tree: Tree[None] = self.query_one("#pt-assets-tree", Tree)
        tree.clear()
        text = self.t("pt.absent")
        if note is not None:
            unit, stated, stated_unit = note
            text = self.t("pt.table_unit", unit=unit)
            if stated:
                text += "  " + self.t("pt.asset_stated", value=stated, unit=stated_unit or "")
        self.query_one("#pt-assets-note", Static).update(text)
        tree.root.set_label(Text(self.t("pt.assets"), style="bold"))
        # A node hangs under the row its parent place points to (names can repeat in a table).
        parents = {node.parent_place for node in nodes if node.parent_place is not None}
        placed: dict[int, TreeNode[None]] = {}
        flagged = []
        for i, node in enumerate(nodes):
            parent = tree.root
            if node.parent_place is not None:
                parent = placed.get(node.parent_place, tree.root)
            depth = max(0, node.level - 1)
            label = Text(fit(display(node.name), max(8, _NAME_WIDTH - 4 * depth)))
            label.append(fit(node.value or "", _VALUE_WIDTH, justify="right"))
            if node.children_sum is not None:
                style = "bold reverse red" if node.differs else "green"
                label.append("  " + self.t("pt.asset_sum") + " ", style="dim")
                label.append(node.children_sum, style=style)
            if node.severity:
                label.stylize({"error": "red", "warning": "yellow", "info": "cyan"}[node.severity])
                flagged.append(i)
            if i in parents:
                placed[i] = parent.add(label, expand=True)
            else:
                parent.add_leaf(label)
        tree.root.expand_all()
        self._flagged["assets"] = flagged

    # --------------------------------------------------------------- actions

    def _active(self) -> str:
        active = self.query_one("#pt-tabs", TabbedContent).active
        return active.removeprefix("pt-") if active else TABS[0]

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#pt-tabs", TabbedContent)
        i = TABS.index(self._active())
        tabs.active = f"pt-{TABS[(i + step) % len(TABS)]}"

    def _jump(self, step: int) -> None:
        tab = self._active()
        flagged = self._flagged.get(tab, [])
        if not flagged or tab == "assets":
            return
        grid = self.query_one(f"#pt-{tab}-grid", DataGrid)
        here = grid.cursor_row
        if step > 0:
            target = next((r for r in flagged if r > here), flagged[0])
        else:
            target = next((r for r in reversed(flagged) if r < here), flagged[-1])
        grid.move_to(target)
        grid.focus()

    def action_next(self) -> None:
        self._jump(1)

    def action_prev(self) -> None:
        self._jump(-1)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = self._active()
        if tab == "assets":
            self.query_one("#pt-assets-tree", Tree).focus()
        else:
            self.query_one(f"#pt-{tab}-grid", DataGrid).focus()
