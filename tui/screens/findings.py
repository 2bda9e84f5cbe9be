"""Findings: the table of findings beside the source text around the selected one.

``n``/``N`` move to the next/previous finding, ``/`` filters (words match a severity, a code
prefix, a part or the message; ``sev:``, ``code:``, ``part:`` restrict a word to one of them),
``r`` shows the rule's documentation, Escape clears the filter.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from reconcile.model import Finding
from tui.display import display
from tui.i18n import PARTS, SEVERITIES, binding, part_label, part_short, severity_label
from tui.screens.base import ViewScreen
from tui.widgets.source import SourcePane
from tui.widgets.table import Column, DataGrid, FrameRows
from tui.workspace import DocEntry, marked_spans, shown_path


def filter_expr(text: str) -> pl.Expr:
    """Rows of the findings frame matching every word of ``text``."""
    expr = pl.lit(True)
    for word in text.split():
        key, sep, value = word.partition(":")
        if not sep:
            key, value = "", word
        low = value.lower()
        if not low:
            continue
        severities = [s for s, names in SEVERITIES.items() if low in (s, names[1])]
        sections = [
            s
            for s, (en, zh) in PARTS.items()
            if s.startswith(low) or en.lower().startswith(low) or low in zh or s == low
        ]
        by_severity = pl.col("severity").is_in(severities)
        by_code = pl.col("rule").str.to_lowercase().str.starts_with(low)
        by_part = pl.col("section").is_in(sections)
        by_text = pl.col("message").str.to_lowercase().str.contains(low, literal=True)
        if key in ("sev", "severity"):
            match = by_severity
        elif key in ("code", "rule"):
            match = by_code
        elif key in ("part", "section"):
            match = by_part
        else:
            match = by_severity | by_code | by_part | by_text
        expr = expr & match
    return expr


def _one_line(text: str) -> Text:
    return Text(display(text), no_wrap=True, overflow="crop")


class FindingsScreen(ViewScreen):
    VIEW = "findings"

    BINDINGS: ClassVar[list[BindingType]] = [
        binding("n", "next", "key.next"),
        binding("N", "prev", "key.prev"),
        binding("slash", "filter", "key.filter", key_display="/"),
        binding("r", "rule", "key.rule"),
        binding("escape", "clear_filter", "key.clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._view: pl.DataFrame | None = None
        self._entry: DocEntry | None = None
        self._filter = ""

    def body(self) -> ComposeResult:
        with Horizontal(id="findings"):
            with Vertical(id="fd-left"):
                yield Input(placeholder=self.t("fd.filter"), id="fd-filter", compact=True)
                yield Static(id="fd-count")
                yield DataGrid(id="fd-table", empty_text=self.t("fd.none"))
                yield Static(id="fd-detail")
            with Vertical(id="fd-right"):
                yield Static(id="fd-source-title")
                yield SourcePane(id="fd-source")

    # ------------------------------------------------------------------ data

    def show_entry(self, entry: DocEntry | None) -> None:
        self._entry = entry
        self._apply_filter(keep_cursor=False)
        self.query_one("#fd-table", DataGrid).focus()

    def _refresh_if_needed(self) -> None:
        super()._refresh_if_needed()
        self.take_filter()

    def take_filter(self) -> None:
        """Apply the filter another view asked for (``app.findings_filter``), once."""
        pending = self.rapp.findings_filter
        if pending is not None:
            self.rapp.findings_filter = None
            self.set_filter(pending)

    def set_filter(self, text: str) -> None:
        """Show only the findings matching ``text`` (see :func:`filter_expr`)."""
        box = self.query_one("#fd-filter", Input)
        box.value = text
        self._filter = text
        box.display = bool(text)
        self._apply_filter(keep_cursor=False)

    def _apply_filter(self, *, keep_cursor: bool) -> None:
        grid = self.query_one("#fd-table", DataGrid)
        entry = self._entry
        if entry is None:
            self._view = None
            grid.set_data(self._columns(), FrameRows(pl.DataFrame()))
            self._show_finding(None)
            return
        frame = entry.findings_frame
        view = frame.filter(filter_expr(self._filter)) if self._filter.strip() else frame
        self._view = view
        lang = self.lang
        severities = view["severity"].to_list()
        table = view.select(
            pl.col("severity").replace_strict({s: severity_label(s, lang) for s in SEVERITIES}),
            pl.col("rule"),
            pl.col("section").replace_strict(
                {s: part_short(s, lang) for s in PARTS}, default=pl.col("section")
            ),
            pl.col("message"),
            pl.col("lines"),
        )
        grid.set_data(
            self._columns(),
            FrameRows(table),
            row_class=lambda i: f"grid--{severities[i]}",
            cursor=None if keep_cursor else 0,
        )
        self.query_one("#fd-count", Static).update(
            self.t("fd.count", shown=view.height, total=frame.height)
        )
        self._show_finding(self.selected())

    def _columns(self) -> list[Column]:
        return [
            Column("severity", self.t("fd.severity"), max_width=8),
            Column("code", self.t("fd.code"), max_width=7),
            Column("part", self.t("fd.part"), max_width=14),
            Column("message", self.t("fd.message"), flex=True, min_width=16),
            Column("lines", self.t("fd.lines"), justify="right", max_width=12),
        ]

    def selected(self) -> Finding | None:
        if self._entry is None or self._view is None or self._view.is_empty():
            return None
        row = self.query_one("#fd-table", DataGrid).cursor_row
        if row >= self._view.height:
            return None
        return self._entry.finding(self._view["idx"][row])

    # ---------------------------------------------------------------- detail

    def on_data_grid_highlighted(self, event: DataGrid.Highlighted) -> None:
        self._show_finding(self.selected())

    def _show_finding(self, finding: Finding | None) -> None:
        detail = self.query_one("#fd-detail", Static)
        title = self.query_one("#fd-source-title", Static)
        pane = self.query_one("#fd-source", SourcePane)
        entry = self._entry
        if finding is None or entry is None:
            detail.update("")
            title.update(self.t("fd.source"))
            pane.show_message("")
            return
        text = Text()
        text.append(f"{finding.rule} {finding.name}", style="bold")
        text.append(f" | {severity_label(finding.severity.label, self.lang)}")
        text.append(f" | {part_label(finding.section, self.lang)}\n")
        text.append(display(finding.message) + "\n")
        numbers = [
            (self.t(f"fd.{k}"), getattr(finding, k))
            for k in ("expected", "actual", "difference", "tolerance")
            if getattr(finding, k) is not None
        ]
        for label, value in numbers:
            text.append(f"{label} ", style="dim")
            text.append(f"{value}   ", style="bold")
        if numbers:
            text.append("\n")
        text.append(self.t("fd.rule_hint"), style="dim italic")
        detail.update(text)
        source = shown_path(entry.source)
        lines = entry.lines()
        if not finding.lines:
            title.update(_one_line(f"{self.t('fd.source')}: {source}"))
            pane.show_message(self.t("fd.no_lines", location=finding.location or "-"))
            return
        shown = " ".join(str(n) for n in finding.lines[:6])
        title.update(_one_line(f"{self.t('fd.source')} {self.t('fd.lines')} {shown} | {source}"))
        marks = {
            n: marked_spans(entry, finding, n, lines[n - 1])
            for n in finding.lines
            if 1 <= n <= len(lines)
        }
        pane.show(lines, finding.lines, marks)

    # --------------------------------------------------------------- actions

    def action_next(self) -> None:
        self.query_one("#fd-table", DataGrid).action_cursor(1)

    def action_prev(self) -> None:
        self.query_one("#fd-table", DataGrid).action_cursor(-1)

    def action_filter(self) -> None:
        box = self.query_one("#fd-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        self.set_filter("")
        self.query_one("#fd-table", DataGrid).focus()

    def action_rule(self) -> None:
        finding = self.selected()
        if finding is not None:
            self.rapp.show_rule(finding.rule)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "fd-filter" and event.value != self._filter:
            self._filter = event.value
            self._apply_filter(keep_cursor=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "fd-filter":
            event.input.display = bool(event.value)
            self.query_one("#fd-table", DataGrid).focus()
