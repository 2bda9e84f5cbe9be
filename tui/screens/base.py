"""The frame every view shares: the navigation bar on top, the footer of keys at the bottom, and the
rule that a view redraws itself when the app's current document changed while it was hidden."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from tui.i18n import localize_bindings, t
from tui.widgets.navbar import VIEWS, NavBar

if TYPE_CHECKING:
    from tui.app import ReconcileApp
    from tui.workspace import DocEntry


_UNSET = object()


class ViewScreen(Screen[None]):
    """A view of the current document (``app.current``). Subclasses compose ``body`` and fill it in
    ``show_entry``; it runs on mount and whenever the screen comes back with another document."""

    VIEW: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self._shown: object = _UNSET
        localize_bindings(self, self.lang)

    @property
    def rapp(self) -> ReconcileApp:
        return self.app  # type: ignore[return-value]

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "en")

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def compose(self) -> ComposeResult:
        yield NavBar(id="nav")
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self._refresh_if_needed()

    def on_screen_resume(self) -> None:
        self._refresh_if_needed()

    def _refresh_if_needed(self) -> None:
        entry = self.rapp.current
        nav = self.query_one(NavBar)
        labels = {view: self.t(f"nav.{view}") for view in VIEWS}
        nav.show(self.VIEW, labels, entry.name if entry else "")
        if entry is not self._shown:
            self._shown = entry
            self.show_entry(entry)

    def show_entry(self, entry: DocEntry | None) -> None:
        """Fill the view for ``entry`` (None: no document loaded)."""
