"""Documents: every loaded document (department, year, kind, counts by severity) to pick from,
sortable (click a header, or ``s``) and filterable (``/``); ``y`` on a row compares its years."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.display import display
from tui.i18n import binding
from tui.screens.base import ViewScreen
from tui.widgets.table import Column, DataGrid, ListRows
from tui.workspace import DocEntry, shown_path

_NUMERIC = {3, 4, 5}  # errors, warnings, info sort as numbers, largest first


class DocumentsScreen(ViewScreen):
    VIEW = "documents"

    BINDINGS: ClassVar[list[BindingType]] = [
        binding("slash", "filter", "key.filter", key_display="/"),
        binding("s", "sort", "key.sort"),
        binding("escape", "clear_filter", "key.clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[DocEntry, tuple[str, ...]]] = []
        self._shown_rows: list[DocEntry] = []
        self._filter = ""
        self._sort: int | None = None
        self._descending = False

    def body(self) -> ComposeResult:
        with Vertical(id="documents"):
            yield Input(placeholder=self.t("key.filter"), id="doc-filter", compact=True)
            yield Static(id="doc-summary")
            yield DataGrid(id="doc-table")
            yield Static(id="doc-errors")

    def on_mount(self) -> None:
        self._load_rows()
        super().on_mount()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one("#doc-table", DataGrid).focus()

    def show_entry(self, entry: DocEntry | None) -> None:
        grid = self.query_one("#doc-table", DataGrid)
        if entry is not None and entry in self._shown_rows:
            grid.move_to(self._shown_rows.index(entry))

    def _load_rows(self) -> None:
        workspace = self.rapp.workspace
        self._rows = []
        if workspace is None:
            return
        for entry in workspace.entries:
            info = entry.info
            counts = entry.counts()
            years = " ".join(str(e.info.year) for e in workspace.years_of(entry) if e.info.year)
            kind = self.t(f"kind.{info.kind}") if info.kind else ""
            self._rows.append(
                (
                    entry,
                    (
                        info.department or "",
                        str(info.year or ""),
                        kind,
                        str(counts["error"]),
                        str(counts["warning"]),
                        str(counts["info"]),
                        years,
                        shown_path(entry.source),
                    ),
                )
            )
        errors = workspace.errors
        if errors:
            lines = [self.t("docs.unreadable", n=len(errors))]
            lines += [f"  {display(shown_path(e.document))}: {display(e.message)}" for e in errors]
            self.query_one("#doc-errors", Static).update("\n".join(lines))
        self._refill()

    def _columns(self) -> list[Column]:
        return [
            Column("department", self.t("docs.department"), max_width=36),
            Column("year", self.t("docs.year"), justify="right"),
            Column("kind", self.t("docs.kind"), max_width=20),
            Column("error", self.t("docs.errors"), justify="right"),
            Column("warning", self.t("docs.warnings"), justify="right"),
            Column("info", self.t("docs.info"), justify="right"),
            Column("years", self.t("docs.years"), max_width=24),
            Column("file", self.t("docs.file"), flex=True, min_width=12, cut="left"),
        ]

    def _refill(self) -> None:
        words = self._filter.lower().split()
        rows = [
            (entry, cells)
            for entry, cells in self._rows
            if all(any(w in c.lower() for c in cells) for w in words)
        ]
        if self._sort is not None:
            col = self._sort

            def key(item: tuple[DocEntry, tuple[str, ...]]) -> tuple[int, str]:
                cell = item[1][col]
                return (int(cell), "") if col in _NUMERIC and cell.isdigit() else (0, cell)

            rows.sort(key=key, reverse=self._descending)
        self._shown_rows = [entry for entry, _ in rows]
        grid = self.query_one("#doc-table", DataGrid)
        grid.set_data(
            self._columns(),
            ListRows([cells for _, cells in rows]),
            row_class=lambda i: _row_class(self._shown_rows[i]),
        )
        grid.show_sort(self._sort, self._descending)
        self.query_one("#doc-summary", Static).update(
            self.t("docs.summary", n=len(self._rows), shown=len(rows))
        )

    # --------------------------------------------------------------- actions

    def selected(self) -> DocEntry | None:
        grid = self.query_one("#doc-table", DataGrid)
        if 0 <= grid.cursor_row < len(self._shown_rows):
            return self._shown_rows[grid.cursor_row]
        return None

    def on_data_grid_selected(self, event: DataGrid.Selected) -> None:
        entry = self.selected()
        if entry is not None:
            self.rapp.open_entry(entry, "overview")

    def on_data_grid_highlighted(self, event: DataGrid.Highlighted) -> None:
        entry = self.selected()
        if entry is not None:
            self.rapp.current = entry

    def on_data_grid_header_clicked(self, event: DataGrid.HeaderClicked) -> None:
        self.sort_by(event.column)

    def sort_by(self, column: int) -> None:
        """Sort by ``column``; the same column again reverses the order."""
        if self._sort == column:
            self._descending = not self._descending
        else:
            self._sort, self._descending = column, column in _NUMERIC
        self._refill()

    def action_sort(self) -> None:
        column = 0 if self._sort is None else (self._sort + 1) % len(self._columns())
        self._sort, self._descending = column, column in _NUMERIC
        self._refill()

    def action_filter(self) -> None:
        box = self.query_one("#doc-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#doc-filter", Input)
        box.value = ""
        box.display = False
        self._filter = ""
        self._refill()
        self.query_one("#doc-table", DataGrid).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "doc-filter":
            self._filter = event.value
            self._refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "doc-filter":
            event.input.display = bool(event.value)
            self.query_one("#doc-table", DataGrid).focus()


def _row_class(entry: DocEntry) -> str | None:
    counts = entry.counts()
    if counts["error"]:
        return "grid--error"
    if counts["warning"]:
        return "grid--warning"
    return None
