"""Overview: who and what the document is, and the state of each part of the template."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.display import display
from tui.i18n import PART_ORDER, part_label
from tui.screens.base import ViewScreen
from tui.widgets.table import Column, DataGrid, ListRows
from tui.workspace import DocEntry, shown_path


class OverviewScreen(ViewScreen):
    VIEW = "overview"

    def body(self) -> ComposeResult:
        with VerticalScroll(id="overview"):
            yield Static(id="ov-info")
            yield DataGrid(id="ov-parts")
            yield Static(id="ov-totals")

    def show_entry(self, entry: DocEntry | None) -> None:
        info_widget = self.query_one("#ov-info", Static)
        grid = self.query_one("#ov-parts", DataGrid)
        totals = self.query_one("#ov-totals", Static)
        if entry is None:
            info_widget.update(self.t("no_document"))
            return
        info = entry.info
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")  # never Rich's "…", an ambiguous-width character
        kind = self.t(f"kind.{info.kind}") if info.kind else self.t("none")
        for key, value in (
            ("ov.department", info.department),
            ("ov.year", info.year),
            ("ov.kind", kind),
            ("ov.title_line", info.title),
            ("ov.source", shown_path(info.source)),
            ("ov.encoding", info.encoding or info.source_kind),
        ):
            table.add_row(self.t(key), Text(display(str(value) if value else self.t("none"))))
        info_widget.update(table)

        counts: dict[str, dict[str, int]] = {
            p: {"error": 0, "warning": 0, "info": 0} for p in PART_ORDER
        }
        by_part = entry.frame.group_by("section", "severity").len()
        for section, severity, n in by_part.iter_rows():  # at most parts x severities rows
            counts.setdefault(section, {"error": 0, "warning": 0, "info": 0})[severity] = n
        headings = {p.key: p.line for p in entry.document.parts}
        rows = []
        row_class = {}
        for i, part in enumerate(counts):
            c = counts[part]
            present = part == "document" or getattr(entry.document, part, None) is not None
            if not present:
                status, cls = "- " + self.t("ov.missing"), "grid--muted"
            elif c["error"]:
                status, cls = "✗ " + self.t("ov.problems"), "grid--error"
            elif c["warning"]:
                status, cls = "! " + self.t("ov.problems"), "grid--warning"
            elif c["info"]:
                status, cls = "i " + self.t("ov.ok"), "grid--info"
            else:
                status, cls = "✓ " + self.t("ov.ok"), "grid--ok"
            row_class[i] = cls
            line = headings.get(part)
            rows.append(
                (
                    part_label(part, self.lang),
                    status,
                    str(c["error"]),
                    str(c["warning"]),
                    str(c["info"]),
                    str(line) if line else "",
                )
            )
        columns = [
            Column("part", self.t("ov.part"), max_width=40),
            Column("status", self.t("ov.status"), min_width=12),
            Column("error", self.t("ov.errors"), justify="right"),
            Column("warning", self.t("ov.warnings"), justify="right"),
            Column("info", self.t("ov.info"), justify="right"),
            Column("line", self.t("ov.line"), justify="right"),
        ]
        self._parts = list(counts)
        grid.set_data(columns, ListRows(rows), row_class=row_class.get)
        grid.focus()
        total = entry.counts()
        totals.update(self.t("ov.totals", **total))

    def on_data_grid_selected(self, event: DataGrid.Selected) -> None:
        """Enter on a part opens the findings filtered to it."""
        parts = getattr(self, "_parts", [])
        if event.row < len(parts):
            self.rapp.open_findings(part_filter=parts[event.row])
