"""The key map (``?``): every binding of the app and of each view, in the interface's language."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.i18n import t
from tui.widgets.table import Column, DataGrid, ListRows

OTHER_KEYS = (
    ("help.table", "up / down", "move the cursor", "移动光标"),
    ("help.table", "pgup / pgdn", "page up / down", "翻页"),
    ("help.table", "home / end", "first / last row", "第一行 / 最后一行"),
    ("help.table", "enter", "open / select (a part: its findings)", "打开 / 选择（部分：其问题）"),
    ("help.dialogs", "enter", "export: write; replace: confirm", "导出：写入；替换：确认"),
    ("help.dialogs", "esc", "close, cancel, keep the file", "关闭、取消、保留文件"),
    ("help.global", "ctrl+p", "command palette (every action)", "命令面板（所有操作）"),
)


def key_rows(sources: list[tuple[str, list[BindingType]]], lang: str) -> list[tuple[str, str, str]]:
    """(where, key, action) for every shown binding of ``sources`` [(where, bindings)]."""
    rows = []
    seen = set()
    for where, bindings in sources:
        for b in bindings:
            if not isinstance(b, Binding) or not b.description:
                continue
            key = b.key_display or ("esc" if b.key == "escape" else b.key)
            if (where, key) in seen:
                continue
            seen.add((where, key))
            rows.append((where, key, t(b.description, lang)))
    for where, key, en, zh in OTHER_KEYS:
        rows.append((t(where, lang), key, zh if lang == "zh" else en))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", show=False),
    ]

    def __init__(self, rows: list[tuple[str, str, str]], lang: str) -> None:
        super().__init__()
        self.rows = rows
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Static(t("help.title", self.lang), classes="dialog-title")
            yield DataGrid(
                [
                    Column("where", t("help.where", self.lang), max_width=20),
                    Column("key", t("help.key", self.lang), max_width=14),
                    Column("action", t("help.action", self.lang), flex=True, min_width=10),
                ],
                ListRows(self.rows),
                id="help-keys",
            )
            yield Static(t("help.mouse", self.lang) + "\n" + t("help.palette", self.lang))

    def on_mount(self) -> None:
        self.query_one(DataGrid).focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
