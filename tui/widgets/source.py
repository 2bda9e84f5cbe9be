"""The source pane: the document's text around a finding, its lines highlighted and the figures
involved marked, with line numbers in a gutter. Long lines wrap; the text is shown through
:func:`tui.display.display` piece by piece, so marks stay on the right characters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.display import display

BEFORE = 3
AFTER = 24
MAX_LINES = 80


class SourcePane(VerticalScroll):
    """Shows a window of source lines; ``show`` picks the window and the marks."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "source--gutter",
        "source--focus",
        "source--focus-gutter",
        "source--figure",
    }

    DEFAULT_CSS = """
    SourcePane { background: $surface; }
    SourcePane > .source--gutter { color: $text-muted; }
    SourcePane > .source--focus { background: $warning-muted; color: $text; }
    SourcePane > .source--focus-gutter { color: $text-warning; text-style: bold; }
    SourcePane > .source--figure { background: $error 60%; color: $text; text-style: bold underline; }
    SourcePane > Static { width: 1fr; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="source-text")

    def show_message(self, text: str) -> None:
        self.query_one("#source-text", Static).update(Text(text, style="italic"))

    def show(
        self,
        lines: Sequence[str],
        focus: Sequence[int],
        marks: dict[int, list[tuple[int, int]]],
    ) -> None:
        """Show the lines around ``focus`` (1-based line numbers); ``marks`` maps a line number to
        character spans of its text to mark."""
        if not lines or not focus:
            self.show_message("")
            return
        wanted = sorted(n for n in set(focus) if 1 <= n <= len(lines))
        if not wanted:
            self.show_message("")
            return
        first = max(1, wanted[0] - BEFORE)
        last = min(len(lines), max(wanted[-1], first) + AFTER, first + MAX_LINES - 1)
        gutter_style = self.get_component_rich_style("source--gutter", partial=True)
        focus_style = self.get_component_rich_style("source--focus", partial=True)
        focus_gutter = self.get_component_rich_style("source--focus-gutter", partial=True)
        figure_style = self.get_component_rich_style("source--figure", partial=True)
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(justify="right", no_wrap=True, width=len(str(max(last, wanted[-1]))))
        grid.add_column(ratio=1, overflow="fold")
        focused = set(wanted)
        extra = [n for n in wanted if n > last]
        numbers = list(range(first, last + 1))
        for n in numbers:
            if n in focused:
                text = _marked(lines[n - 1], marks.get(n, []), figure_style, focus_style)
                grid.add_row(Text(str(n), style=focus_gutter), text)
            else:
                grid.add_row(Text(str(n), style=gutter_style), _marked(lines[n - 1], [], None))
        for n in extra:  # lines far below the window (a finding spanning parts of the document)
            grid.add_row(Text("...", style=gutter_style), Text(""))
            text = _marked(lines[n - 1], marks.get(n, []), figure_style, focus_style)
            grid.add_row(Text(str(n), style=focus_gutter), text)
        self.query_one("#source-text", Static).update(grid)
        self.scroll_home(animate=False)


def _marked(
    line: str, spans: list[tuple[int, int]], style: Style | None, base: Style | None = None
) -> Text:
    """The line as display text in ``base`` style, with ``spans`` (character offsets in the
    original line) in ``style`` on top."""
    text = Text(style=base or "")
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        text.append(display(line[pos:start]))
        text.append(display(line[start:end]), style=style)
        pos = end
    text.append(display(line[pos:]))
    if not text.plain:
        text.append(" ")
    return text
