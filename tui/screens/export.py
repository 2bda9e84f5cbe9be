"""Export (``e``): write the findings of every loaded document as TOML, the schema of
``reconcile check --format toml``, through the engine's ``atomic_write``.

The path is prefilled with ``findings.toml`` (in the working folder). An existing file is replaced
only after the user confirms; a write that fails (a folder that does not exist, no permission) is
shown in the dialog, which stays open, and nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from reconcile.errors import WriteError, why
from reconcile.export import atomic_write
from tui.i18n import t

DEFAULT_NAME = "findings.toml"


class ExportScreen(ModalScreen[str | None]):
    """Dismissed with the written path, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, render: Callable[[], str | bytes], count: int, lang: str) -> None:
        super().__init__()
        self.render_findings = render
        self.count = count
        self.lang = lang
        self.confirming = False

    def compose(self) -> ComposeResult:
        with Vertical(id="export", classes="dialog"):
            yield Static(t("ex.title", self.lang), classes="dialog-title")
            yield Static(t("ex.prompt", self.lang))
            yield Input(value=DEFAULT_NAME, id="ex-path")
            yield Static("", id="ex-status")
            with Horizontal(id="ex-buttons", classes="buttons"):
                yield Button(t("ex.write", self.lang), id="ex-write", variant="primary")
                yield Button(t("ex.cancel", self.lang), id="ex-cancel")
            with Horizontal(id="ex-confirm", classes="buttons"):
                yield Button(t("ex.replace", self.lang), id="ex-replace", variant="warning")
                yield Button(t("ex.keep", self.lang), id="ex-keep")

    def on_mount(self) -> None:
        self.query_one("#ex-confirm").display = False
        self.query_one("#ex-path", Input).focus()

    # ------------------------------------------------------------------ flow

    def _status(self, text: str, style: str = "") -> None:
        self.query_one("#ex-status", Static).update(Text(text, style=style))

    def _confirm(self, on: bool) -> None:
        self.confirming = on
        self.query_one("#ex-confirm").display = on
        self.query_one("#ex-buttons").display = not on
        self.query_one("#ex-path", Input).disabled = on
        if on:
            self.query_one("#ex-replace", Button).focus()
        else:
            self.query_one("#ex-path", Input).focus()

    def submit(self) -> None:
        """Write, or ask first when the file exists."""
        text = self.query_one("#ex-path", Input).value.strip()
        if not text:
            self._status(t("ex.empty", self.lang), "bold red")
            return
        try:
            path = _target(text)
            exists = path.is_file()
        except WriteError as exc:
            self._failed(str(exc))
            return
        except (OSError, ValueError) as exc:  # a name too long, a NUL in it
            self._failed(f"{text}: {why(exc)}")
            return
        if exists:
            self._status(t("ex.exists", self.lang, path=text), "bold yellow")
            self._confirm(True)
            return
        self.write(text)

    @work(thread=True, exclusive=True, group="export")
    def write(self, text: str) -> None:
        try:
            atomic_write(_target(text), self.render_findings())
        except WriteError as exc:
            self.app.call_from_thread(self._failed, str(exc))
        except OSError as exc:
            self.app.call_from_thread(self._failed, f"{text}: {why(exc)}")
        else:
            self.app.call_from_thread(self.dismiss, text)

    def _failed(self, error: str) -> None:
        self._confirm(False)
        self._status(t("ex.error", self.lang, error=error), "bold red")

    # ---------------------------------------------------------------- events

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id
        if button == "ex-write":
            self.submit()
        elif button == "ex-replace":
            self.write(self.query_one("#ex-path", Input).value.strip())
        elif button == "ex-keep":
            self._status("")
            self._confirm(False)
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        if self.confirming:
            self._status("")
            self._confirm(False)
        else:
            self.dismiss(None)


def _target(text: str) -> Path:
    """The file a typed path names (``~`` expanded); WriteError for a name that cannot be one: a
    folder (``out/`` would have written a file named ``out``) or a home folder that does not
    exist (``~nobody/x.toml``)."""
    if text.endswith(("/", os.sep)):
        raise WriteError(f"{text}: is a folder")
    try:
        return Path(text).expanduser()
    except RuntimeError as exc:  # no such user
        raise WriteError(f"{text}: {exc}") from None
