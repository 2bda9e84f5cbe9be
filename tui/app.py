"""The Textual app: the views (one mode each), the keys that work everywhere, and ``run()``, the
entry point of ``reconcile tui``.

Loading (reading and checking every document) runs in a worker thread while a loading indicator
shows; then a single document opens on its Overview and several open the document list.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static

from tui import loader
from tui.i18n import binding, localize_bindings, t
from tui.widgets.navbar import VIEWS

if TYPE_CHECKING:
    from tui.workspace import DocEntry, Workspace

EXIT_AFTER_FIRST_SCREEN = "RECONCILE_TUI_EXIT_AFTER_FIRST_SCREEN"
"""Set to exit as soon as the first screen is drawn (with the findings loaded); when set to a file
path, the time of that moment (``time.time()``) is written there first. For bench/bench_tui.py."""

SCREENS: dict[str, tuple[str, str]] = {
    "documents": ("tui.screens.documents", "DocumentsScreen"),
    "overview": ("tui.screens.overview", "OverviewScreen"),
    "findings": ("tui.screens.findings", "FindingsScreen"),
    "parts": ("tui.screens.parts", "PartsScreen"),
    "years": ("tui.screens.years", "YearsScreen"),
}
"""Each view: its module and class. Imported on first use, so that the engine's loading (started
when the app is created) and these imports run side by side."""


def screen_class(view: str) -> type[Screen[None]]:
    module, name = SCREENS[view]
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _factory(view: str) -> Callable[[], Screen[None]]:
    return lambda: screen_class(view)()


class ReconcileApp(App[int]):
    CSS_PATH = "styles/app.tcss"
    TITLE = "budget-reconcile"
    MODES: ClassVar[dict[str, Any]] = {view: _factory(view) for view in SCREENS}
    # screen classes for small terminals (see styles/app.tcss): the source pane gives way below
    # 90 columns, the finding's detail shrinks below 24 lines
    # (typed by App itself, in a way that mypy reads as an instance variable)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        binding("q", "quit", "key.quit"),
        binding("question_mark", "help", "key.help", key_display="?"),
        binding("e", "export", "key.export"),
        binding("d", "goto('documents')", "key.documents", show=False),
        binding("o", "goto('overview')", "key.overview", show=False),
        binding("f", "goto('findings')", "key.findings", show=False),
        binding("p", "goto('parts')", "key.parts", show=False),
        binding("y", "goto('years')", "key.years", show=False),
    ]

    def __init__(
        self, paths: Sequence[str] = (), lang: str = "en", jobs: int | None = None
    ) -> None:
        super().__init__()
        self.lang = lang if lang in ("en", "zh") else "en"
        self.paths = list(paths) or loader.default_paths()
        self._progress = loader.Progress()
        # starts right away; ``jobs``: the readers of a batch (default: one per core)
        self._loading = loader.start(self.paths, self.lang, self._progress, jobs)
        self.workspace: Workspace | None = None
        self.current: DocEntry | None = None
        self.findings_filter: str | None = None  # set for the findings view to pick up
        self.title = t("app.title", self.lang)
        localize_bindings(self, self.lang)

    def compose(self) -> ComposeResult:
        with Vertical(id="loading"):
            yield Static(t("app.title", self.lang), id="loading-title")
            yield LoadingIndicator()
            with Center():
                yield Static(t("loading.reading", self.lang, n=len(self.paths)), id="loading-text")

    def on_mount(self) -> None:
        self.wait_for_load()
        self._ticker = self.set_interval(0.25, self._show_progress)

    def _show_progress(self) -> None:
        done, total = self._progress.done, self._progress.total
        if total and self.workspace is None:
            text = t("loading.progress", self.lang, done=done, total=total)
            self.query_one("#loading-text", Static).update(text)

    # --------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="load")
    def wait_for_load(self) -> None:
        """Wait for the loader thread, then show the first view (its module imported meanwhile)."""
        first = (
            "overview" if len(self.paths) == 1 and not os.path.isdir(self.paths[0]) else "documents"
        )
        screen_class(first)
        try:
            workspace = self._loading.result()
        except Exception as exc:  # shown on the loading screen, never a traceback
            self.call_from_thread(self._failed, f"{type(exc).__name__}: {exc}")
            return
        # mypy cannot infer call_from_thread's result type from a coroutine function
        self.call_from_thread(self._loaded, workspace)  # type: ignore[arg-type]

    def _failed(self, message: str) -> None:
        self._ticker.stop()
        self.query_one("#loading-text", Static).update(message)
        self.query_one(LoadingIndicator).display = False
        if os.environ.get(EXIT_AFTER_FIRST_SCREEN):  # a benchmark must not wait forever
            self.exit(1, message=message)

    async def _loaded(self, workspace: Workspace) -> None:
        self._ticker.stop()
        self.workspace = workspace
        for notice in workspace.notices:
            self.notify(notice, severity="warning")
        if not workspace.entries and not workspace.errors:
            self._failed(t("loading.nothing", self.lang, paths=" ".join(self.paths)))
            return
        if len(workspace.entries) == 1:
            self.current = workspace.entries[0]
            await self.switch_mode("overview")
        else:
            self.current = workspace.entries[0] if workspace.entries else None
            await self.switch_mode("documents")
        if os.environ.get(EXIT_AFTER_FIRST_SCREEN):
            # on the new screen itself: after its first refresh (not the loading screen's)
            self.screen.call_after_refresh(self._first_screen_shown)

    def _first_screen_shown(self) -> None:
        target = os.environ.get(EXIT_AFTER_FIRST_SCREEN, "")
        if target not in ("", "1"):
            import time

            with open(target, "w", encoding="utf-8") as handle:
                handle.write(f"{time.time():.6f}\n")
        self.exit(0)

    @property
    def ready(self) -> bool:
        """True once the documents are loaded and the first view is shown."""
        return self.workspace is not None and self.current_mode in SCREENS

    # ------------------------------------------------------------ navigation

    def _close_dialogs(self) -> None:
        while len(self.screen_stack) > 1 and self.screen.is_modal:
            self.pop_screen()

    def action_goto(self, view: str) -> None:
        """Show ``view`` (documents, overview, findings, parts, years) for the current document."""
        if self.workspace is None or view not in SCREENS:
            return
        self._close_dialogs()
        if self.current_mode != view:
            self.switch_mode(view)

    def open_entry(self, entry: DocEntry, view: str = "overview") -> None:
        self.current = entry
        self.action_goto(view)

    def open_findings(self, *, part_filter: str = "") -> None:
        """Show the findings, filtered to one part (``part:budget``) when ``part_filter`` is set."""
        self.findings_filter = f"part:{part_filter}" if part_filter else ""
        if self.current_mode == "findings":
            self.screen.take_filter()  # type: ignore[attr-defined]
        else:
            self.action_goto("findings")

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen, key_rows

        if isinstance(self.screen, HelpScreen):
            return
        self._close_dialogs()
        sources = [(t("help.global", self.lang), list(self.BINDINGS))]
        sources += [
            (t(f"nav.{v}", self.lang), list(screen_class(v).__dict__.get("BINDINGS", [])))
            for v in VIEWS
        ]
        self.push_screen(HelpScreen(key_rows(sources, self.lang), self.lang))

    def action_export(self) -> None:
        if self.workspace is None:
            return
        from reconcile.report import render_toml
        from tui.screens.export import ExportScreen

        self._close_dialogs()
        report = self.workspace.report
        count = report.frame.height

        def done(path: str | None) -> None:
            if path:
                self.notify(t("ex.done", self.lang, n=count, path=path))

        self.push_screen(ExportScreen(lambda: render_toml(report), count, self.lang), done)

    def show_rule(self, code: str) -> None:
        from tui.screens.rule import RuleScreen

        self.push_screen(RuleScreen(code, self.lang))

    def action_screen(self, name: str) -> None:
        """Run ``name`` (next, prev, filter, rule) on the current view if it has it."""
        self._close_dialogs()
        method = getattr(self.screen, f"action_{name}", None)
        if method is not None:
            method()

    # ------------------------------------------------------- command palette

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        lang = self.lang
        for view in VIEWS:
            yield SystemCommand(
                t(f"nav.{view}", lang),
                t("cmd.open", lang, what=t(f"nav.{view}", lang)),
                lambda v=view: self.action_goto(v),
            )
        yield SystemCommand(t("key.export", lang), t("cmd.export", lang), self.action_export)
        yield SystemCommand(t("key.help", lang), t("cmd.help", lang), self.action_help)
        for name in ("next", "prev", "filter", "rule"):
            yield SystemCommand(
                t(f"key.{name}", lang),
                t(f"cmd.{name}", lang),
                lambda n=name: self.action_screen(n),
            )
        yield SystemCommand(t("key.quit", lang), t("cmd.quit", lang), self.exit)
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Keys"):
                yield command


def run(paths: Sequence[str], lang: str = "en", jobs: int | None = None) -> int:
    """Open the interactive app on ``paths`` (the bundled samples when empty); the exit status."""
    app = ReconcileApp(list(paths), lang=lang, jobs=jobs)
    result = app.run()
    return int(result or 0)
