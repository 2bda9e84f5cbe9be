"""A small bar chart of budget totals across years, drawn with block characters in a Static."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.text import Text
from textual.widgets import Static

from tui.display import fit, width_of

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: Decimal, largest: Decimal, width: int) -> str:
    """A bar of ``value`` out of ``largest`` in ``width`` cells, to an eighth of a cell."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = int(value / largest * width * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


class YearChart(Static):
    """Rows of ``(year, [(series label, value or None), ...])`` as horizontal bars."""

    DEFAULT_CSS = """
    YearChart { height: auto; padding: 0 1; }
    """

    def plot(
        self,
        title: str,
        rows: Sequence[tuple[int, Sequence[tuple[str, Decimal | None]]]],
        *,
        empty: str = "",
        width: int = 48,
        styles: Sequence[str] = ("cyan", "magenta"),
    ) -> None:
        values = [v for _, series in rows for _, v in series if v is not None]
        largest = max(values, default=Decimal(0))
        label_width = max((width_of(label) for _, s in rows for label, _ in s), default=0)
        text = Text(title + "\n", style="bold")
        for year, series in rows:
            for i, (label, value) in enumerate(series):
                head = f"{year} " if i == 0 else " " * (len(str(year)) + 1)
                text.append(head + fit(label, label_width + 1))
                if value is None:
                    text.append(empty + "\n", style="dim")
                    continue
                drawn = bar(value, largest, width)
                text.append(drawn, style=styles[i % len(styles)])
                text.append(" " * (width - len(drawn) + 1) + f"{value:,.2f}\n")
        self.update(text)
