"""A rule's documentation (``r`` on a finding): code, name, severity, part, the docstring that
explains what it checks and why, and its message in both languages (as ``reconcile rule CODE``)."""

from __future__ import annotations

import inspect
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.display import display
from tui.i18n import part_label, severity_label, t


def rule_text(code: str, lang: str) -> Text:
    from reconcile.rules.registry import load_all

    spec = load_all().get(code)
    if spec is None:
        return Text(t("rule.unknown", lang, code=code))
    text = Text()
    text.append(f"{spec.code} {spec.name}\n", style="bold")
    text.append(
        f"{severity_label(spec.severity.label, lang)} | {part_label(spec.section, lang)}\n\n",
        style="dim",
    )
    text.append(display_block(inspect.cleandoc(spec.doc)) + "\n\n")
    text.append(t("rule.message", lang) + "\n", style="bold")
    text.append(display_block(spec.messages.get("en", "")) + "\n")
    text.append(display_block(spec.messages.get("zh", "")) + "\n")
    return text


def display_block(text: str) -> str:
    """Paragraphs through :func:`display`: the hard wraps of a docstring are joined so the text
    reflows to the dialog's width; blank lines still separate paragraphs."""
    paragraphs = [" ".join(p.split("\n")) for p in text.split("\n\n")]
    return "\n\n".join(display(p.strip()) for p in paragraphs)


class RuleScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,r,q", "dismiss", "Close", show=False),
    ]

    def __init__(self, code: str, lang: str) -> None:
        super().__init__()
        self.code = code
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="rule", classes="dialog"):
            yield Static(t("rule.title", self.lang, code=self.code), classes="dialog-title")
            with VerticalScroll():
                yield Static(rule_text(self.code, self.lang), id="rule-text")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
