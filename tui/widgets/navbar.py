"""The top line of every screen: the views as clickable tabs, and the open document."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tui.display import display

VIEWS = ("documents", "overview", "findings", "parts", "years")
KEYS = {"documents": "d", "overview": "o", "findings": "f", "parts": "p", "years": "y"}


class NavBar(Static):
    """Tabs as text links (a click runs ``app.goto``); the active one is shown in reverse."""

    DEFAULT_CSS = """
    NavBar { height: 1; width: 1fr; background: $panel; color: $text; }
    """

    def show(self, active: str, labels: dict[str, str], title: str) -> None:
        parts: list[Content | str] = []
        for view in VIEWS:
            style = "reverse bold" if view == active else "underline"
            parts.append(
                Content.from_markup(
                    f"[{style} @click=app.goto('{view}')]$label[/]",
                    label=f" {KEYS[view]} {labels[view]} ",
                )
            )
        parts.append(Content("  " + display(title)))
        self.update(Content(" ").join(parts))
