"""A virtualised table on Textual's line API: only the visible rows are ever turned into text.

Textual's DataTable builds every row up front (about 14 s for 100,000 rows here); this table keeps
its rows in a :class:`RowSource` (plain lists, or a Polars frame sliced per visible window) and
renders the rows of the current window in ``render_line``. The header stays on the first line;
column widths are measured in terminal cells with ``rich.cells.cell_len`` on a sample of the rows
(the first thousand, an even spread of the rest and, for a frame, the longest cells found by Polars),
so a cell wider than the sample is cut with ``~``. Every cell passes through
:func:`tui.display.display` (ambiguous-width characters replaced for display only).

Keys: up/down, page up/down, home/end, enter (select). Mouse: click a row to move the cursor,
click again (or double-click) to select, click a header to ask for sorting, wheel to scroll.
Rows can carry a style class (``grid--error``, ``grid--warning``, ``grid--info``, ``grid--muted``)
and single cells a mark (``grid--mark-error`` …), set by the screen from the findings.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import polars as pl
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.display import display, fit


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    justify: str = "left"  # "left" or "right"
    width: int | None = None  # fixed width in cells; None: measured
    min_width: int = 2
    max_width: int = 48
    flex: bool = False  # takes the width left over (one column at most)
    cut: str = "right"  # where a too-long cell is cut: "right", or "left" (keeps a path's end)


class RowSource(Protocol):
    def __len__(self) -> int: ...

    def row(self, index: int) -> Sequence[object]: ...

    def measure(self, column: int) -> int: ...


_SAMPLE = 1000


def _sample_indices(n: int) -> range | list[int]:
    if n <= 2 * _SAMPLE:
        return range(n)
    step = max(1, n // _SAMPLE)
    return list(range(_SAMPLE)) + list(range(_SAMPLE, n, step))


def _width(value: object) -> int:
    return cell_len(display(value if isinstance(value, str) else _text(value)))


def _text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


class ListRows:
    """Rows held in a Python sequence of sequences."""

    def __init__(self, rows: Sequence[Sequence[object]]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> Sequence[object]:
        return self._rows[index]

    def measure(self, column: int) -> int:
        rows = self._rows
        return max((_width(rows[i][column]) for i in _sample_indices(len(rows))), default=0)


class FrameRows:
    """Rows of a Polars frame, fetched a window at a time (``frame.slice``), never all at once."""

    WINDOW = 256

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._start = 0
        self._rows: list[tuple[object, ...]] = []

    def __len__(self) -> int:
        return self.frame.height

    def row(self, index: int) -> Sequence[object]:
        if not (self._start <= index < self._start + len(self._rows)):
            self._start = max(0, index - self.WINDOW // 4)
            self._rows = self.frame.slice(self._start, self.WINDOW).rows()
        return self._rows[index - self._start]

    def measure(self, column: int) -> int:
        frame = self.frame
        n = frame.height
        if n == 0 or column >= frame.width:
            return 0
        name = frame.columns[column]
        col = frame.get_column(name).cast(pl.String)
        head = col.head(_SAMPLE)
        picks = [head]
        if n > _SAMPLE:
            # the longest cells by characters and by bytes (Chinese: 3 bytes, 2 cells)
            picks.append(
                col.gather(col.str.len_chars().fill_null(0).arg_sort(descending=True)[:20])
            )
            picks.append(
                col.gather(col.str.len_bytes().fill_null(0).arg_sort(descending=True)[:20])
            )
            picks.append(col.gather_every(max(1, n // _SAMPLE)))
        return max((_width(v) for s in picks for v in s.to_list()), default=0)


class DataGrid(ScrollView, can_focus=True):
    """A table whose rows are rendered on demand. See the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "grid--header",
        "grid--cursor",
        "grid--error",
        "grid--warning",
        "grid--info",
        "grid--muted",
        "grid--ok",
        "grid--mark-error",
        "grid--mark-warning",
        "grid--mark-info",
        "grid--empty",
    }

    DEFAULT_CSS = """
    DataGrid { height: 1fr; background: $surface; }
    DataGrid > .grid--header { text-style: bold; background: $panel; color: $text; }
    DataGrid > .grid--cursor { background: $block-cursor-blurred-background; }
    DataGrid:focus > .grid--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    DataGrid > .grid--error { color: $text-error; }
    DataGrid > .grid--warning { color: $text-warning; }
    DataGrid > .grid--info { color: $text-primary; }
    DataGrid > .grid--muted { color: $text-muted; }
    DataGrid > .grid--ok { color: $text-success; }
    DataGrid > .grid--mark-error { background: $error 40%; text-style: bold; }
    DataGrid > .grid--mark-warning { background: $warning 35%; text-style: bold; }
    DataGrid > .grid--mark-info { background: $primary 35%; }
    DataGrid > .grid--empty { color: $text-muted; text-style: italic; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class _RowMessage(Message):
        """Something happened on ``row`` of ``grid``."""

        def __init__(self, grid: DataGrid, row: int) -> None:
            super().__init__()
            self.grid = grid
            self.row = row

        @property
        def control(self) -> DataGrid:
            return self.grid

    class Highlighted(_RowMessage):
        """The cursor moved to ``row``."""

    class Selected(_RowMessage):
        """Enter (or a second click) on ``row``."""

    class HeaderClicked(Message):
        """A click on the header of ``column`` (index into the columns)."""

        def __init__(self, grid: DataGrid, column: int) -> None:
            super().__init__()
            self.grid = grid
            self.column = column

        @property
        def control(self) -> DataGrid:
            return self.grid

    def __init__(
        self,
        columns: Sequence[Column] = (),
        source: RowSource | None = None,
        *,
        empty_text: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: list[Column] = list(columns)
        self.source: RowSource = source if source is not None else ListRows([])
        self.empty_text = empty_text
        self.row_class: Callable[[int], str | None] | None = None
        self.cell_marks: Callable[[int], dict[int, str] | None] | None = None
        self.sort_column: int | None = None
        self.sort_descending = False
        self._measured: list[int] = []
        self._widths: list[int] = []
        self._measure()

    # ------------------------------------------------------------------ data

    @property
    def row_count(self) -> int:
        return len(self.source)

    def set_data(
        self,
        columns: Sequence[Column] | None,
        source: RowSource,
        *,
        row_class: Callable[[int], str | None] | None = None,
        cell_marks: Callable[[int], dict[int, str] | None] | None = None,
        cursor: int | None = 0,
    ) -> None:
        """Replace the rows (and the columns, unless None); ``cursor=None`` keeps the cursor."""
        if columns is not None:
            self.columns = list(columns)
        self.source = source
        self.row_class = row_class
        self.cell_marks = cell_marks
        self._measure()
        self._layout_widths()
        target = self.cursor_row if cursor is None else cursor
        self.cursor_row = max(0, min(target, len(source) - 1))
        if cursor is not None:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def _measure(self) -> None:
        measured = []
        for i, col in enumerate(self.columns):
            if col.width is not None:
                measured.append(col.width)
                continue
            if col.flex:  # takes what is left: no need to read its cells
                measured.append(max(col.min_width, cell_len(display(col.label))))
                continue
            body = self.source.measure(i) if len(self.source) else 0
            label = cell_len(display(col.label)) + (2 if self.sort_column == i else 0)
            measured.append(max(col.min_width, min(col.max_width, body), label))
        self._measured = measured
        self._widths = list(measured)

    def _layout_widths(self) -> None:
        widths = list(self._measured)
        flex = next((i for i, c in enumerate(self.columns) if c.flex), None)
        available = self.scrollable_content_region.width or self.size.width
        if flex is not None and available:
            others = sum(w + 2 for i, w in enumerate(widths) if i != flex)
            widths[flex] = max(self.columns[flex].min_width, available - others - 2)
        self._widths = widths
        total = sum(w + 2 for w in widths)
        self.virtual_size = Size(total, len(self.source) + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_widths()
        self._scroll_cursor_into_view()

    def on_mount(self) -> None:
        self._layout_widths()

    # ------------------------------------------------------------ rendering

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _cells(self, values: Sequence[object]) -> list[str]:
        out = []
        for col, width, value in zip(self.columns, self._widths, values, strict=False):
            out.append(
                " " + fit(display(_text(value)), width, justify=col.justify, cut=col.cut) + " "
            )
        return out

    def _header_cells(self) -> list[str]:
        labels = []
        for i, col in enumerate(self.columns):
            label = display(col.label)
            if self.sort_column == i:
                label += " v" if self.sort_descending else " ^"
            labels.append(label)
        return self._cells(labels)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        total = sum(w + 2 for w in self._widths)
        if y == 0:
            style = base + self._style("grid--header")
            segments = [Segment(cell, style) for cell in self._header_cells()]
        else:
            index = scroll_y + y - 1
            n = len(self.source)
            if n == 0 and y == 1 and self.empty_text:
                text = " " + display(self.empty_text)
                return Strip([Segment(text, base + self._style("grid--empty"))]).crop_extend(
                    scroll_x, scroll_x + width, base
                )
            if index >= n:
                return Strip.blank(width, base)
            segments = self._row_segments(index, base)
        strip = Strip(segments, total)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _row_segments(self, index: int, base: Style) -> list[Segment]:
        style = base
        name = self.row_class(index) if self.row_class else None
        if name:
            style = style + self._style(name)
        marks = self.cell_marks(index) if self.cell_marks else None
        cursor = index == self.cursor_row
        cursor_style = self._style("grid--cursor") if cursor else None
        segments = []
        for i, cell in enumerate(self._cells(self.source.row(index))):
            cell_style = style
            if marks and i in marks:
                cell_style = cell_style + self._style(marks[i])
            if cursor_style is not None:
                cell_style = cell_style + cursor_style
            segments.append(Segment(cell, cell_style))
        return segments

    # ---------------------------------------------------------------- cursor

    def watch_cursor_row(self, row: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        if len(self.source):
            self.post_message(self.Highlighted(self, row))

    def move_to(self, row: int) -> None:
        """Put the cursor on ``row`` (clamped) and scroll it into view."""
        n = len(self.source)
        if n:
            self.cursor_row = max(0, min(row, n - 1))

    def _visible_rows(self) -> int:
        return max(1, (self.scrollable_content_region.height or self.size.height) - 1)

    def _scroll_cursor_into_view(self) -> None:
        row = self.cursor_row
        top = round(self.scroll_y)
        visible = self._visible_rows()
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor_row + direction * self._visible_rows())

    def action_edge(self, end: int) -> None:
        self.move_to(len(self.source) - 1 if end else 0)

    def action_select(self) -> None:
        if len(self.source):
            self.post_message(self.Selected(self, self.cursor_row))

    # ----------------------------------------------------------------- mouse

    def column_at(self, x: int) -> int | None:
        """The column under content offset ``x`` (scroll included)."""
        edge = 0
        for i, w in enumerate(self._widths):
            edge += w + 2
            if x < edge:
                return i
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            column = self.column_at(offset.x + round(self.scroll_x))
            if column is not None:
                self.post_message(self.HeaderClicked(self, column))
            return
        row = round(self.scroll_y) + offset.y - 1
        if 0 <= row < len(self.source):
            again = row == self.cursor_row
            self.move_to(row)
            if again or event.chain > 1:
                self.post_message(self.Selected(self, row))

    # ------------------------------------------------------------- sorting

    def show_sort(self, column: int | None, descending: bool) -> None:
        """Mark the header of the column the rows are sorted by (the screen sorts the rows)."""
        self.sort_column = column
        self.sort_descending = descending
        self._measure()
        self._layout_widths()
        self.refresh()


def marks_from(rows: dict[int, dict[int, str]]) -> Callable[[int], dict[int, str] | None]:
    """A ``cell_marks`` callback from a {row: {column: class}} map."""
    return rows.get


def classes_from(rows: dict[int, str]) -> Callable[[int], str | None]:
    """A ``row_class`` callback from a {row: class} map."""
    return rows.get


def severity_class(severity: str | None, *, mark: bool = False) -> str | None:
    if severity not in ("error", "warning", "info"):
        return None
    return f"grid--mark-{severity}" if mark else f"grid--{severity}"


def worst(severities: Collection[str]) -> str | None:
    for name in ("error", "warning", "info"):
        if name in severities:
            return name
    return None
