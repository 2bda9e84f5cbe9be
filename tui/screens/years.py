"""Years: two documents of one department aligned figure by figure (old | new | change | change % |
stated change | status), differences highlighted, ``n``/``N`` jumping between them, and a chart
of basic against project spending over every loaded year."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Static

from tui.i18n import STRINGS, binding, part_short, t
from tui.screens.base import ViewScreen
from tui.widgets.chart import YearChart
from tui.widgets.table import Column, DataGrid, FrameRows
from tui.workspace import DocEntry
from tui.years import YearsData, compare_documents, totals_by_year

_STATUS_CLASS = {"changed": "grid--warning", "added": "grid--info", "removed": "grid--info"}


class YearsScreen(ViewScreen):
    VIEW = "years"

    BINDINGS: ClassVar[list[BindingType]] = [
        binding("n", "next", "key.next"),
        binding("N", "prev", "key.prev"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._data: YearsData | None = None

    def body(self) -> ComposeResult:
        with Vertical(id="years"):
            yield Static(id="yr-summary")
            yield DataGrid(id="yr-table")
            yield YearChart(id="yr-chart")

    def show_entry(self, entry: DocEntry | None) -> None:
        summary = self.query_one("#yr-summary", Static)
        grid = self.query_one("#yr-table", DataGrid)
        self._data = None
        if entry is None:
            summary.update(self.t("no_document"))
            return
        self._plot(entry)
        pair = self.rapp.workspace.pair_for(entry) if self.rapp.workspace else None
        if pair is None:
            summary.update(self.t("yr.single", department=entry.info.department or entry.name))
            grid.set_data(self._columns(entry, entry), FrameRows(_empty()))
            return
        grid.loading = True
        self.compute(pair[0], pair[1], self.lang)

    @work(thread=True, exclusive=True, group="years")
    def compute(self, old: DocEntry, new: DocEntry, lang: str) -> None:
        try:
            data: YearsData | str = compare_documents(old.document, new.document, lang)
        except Exception as exc:  # shown, never raised: the comparison is another module's work
            data = f"{type(exc).__name__}: {exc}"
        self.app.call_from_thread(self._fill, old, new, data)

    def _fill(self, old: DocEntry, new: DocEntry, data: YearsData | str) -> None:
        grid = self.query_one("#yr-table", DataGrid)
        grid.loading = False
        summary = self.query_one("#yr-summary", Static)
        if isinstance(data, str):
            summary.update(self.t("yr.unavailable", reason=data))
            return
        self._data = data
        status_class = [_STATUS_CLASS.get(s) for s in data.status]
        mismatch = set(data.mismatch)
        marks = {r: {6: "grid--mark-error", 7: "grid--mark-error"} for r in mismatch}
        lang = self.lang
        statuses = data.table["status"].unique().to_list()
        table = data.table.with_columns(
            data.table["section"].replace_strict(
                {s: part_short(s, lang) for s in data.table["section"].unique().to_list()}
            ),
            data.table["status"].replace_strict({s: _status(s, lang) for s in statuses}),
        )
        grid.set_data(
            self._columns(old, new),
            FrameRows(table),
            row_class=lambda i: status_class[i],
            cell_marks=marks.get,
        )
        summary.update(
            self.t(
                "yr.summary",
                old=old.info.year,
                new=new.info.year,
                differences=len(data.differences),
                rows=table.height,
            )
        )
        grid.focus()

    def _columns(self, old: DocEntry, new: DocEntry) -> list[Column]:
        return [
            Column("section", self.t("yr.section"), max_width=13),
            Column("label", self.t("yr.label"), max_width=26),
            Column("old", str(old.info.year or "old"), justify="right", max_width=14),
            Column("new", str(new.info.year or "new"), justify="right", max_width=14),
            Column("delta", self.t("yr.change"), justify="right", max_width=12),
            Column("delta_pct", self.t("yr.change_pct"), justify="right", max_width=9),
            Column("stated", self.t("yr.stated"), justify="right", max_width=12),
            Column("status", self.t("yr.status"), flex=True, min_width=9),
        ]

    def _plot(self, entry: DocEntry) -> None:
        workspace = self.rapp.workspace
        years = workspace.years_of(entry) if workspace else [entry]
        rows = [
            (year, [(self.t("yr.basic"), basic), (self.t("yr.project"), project)])
            for year, basic, project in totals_by_year([e.document for e in years])
        ]
        self.query_one("#yr-chart", YearChart).plot(
            self.t("yr.chart"), rows, empty=self.t("yr.no_totals")
        )

    def _jump(self, step: int) -> None:
        if not self._data or not self._data.differences:
            return
        grid = self.query_one("#yr-table", DataGrid)
        here = grid.cursor_row
        rows = self._data.differences
        if step > 0:
            target = next((r for r in rows if r > here), rows[0])
        else:
            target = next((r for r in reversed(rows) if r < here), rows[-1])
        grid.move_to(target)

    def action_next(self) -> None:
        self._jump(1)

    def action_prev(self) -> None:
        self._jump(-1)


def _status(status: str, lang: str) -> str:
    key = f"status.{status}"
    return t(key, lang) if key in STRINGS["en"] else status


def _empty():  # type: ignore[no-untyped-def]
    import polars as pl

    return pl.DataFrame()
