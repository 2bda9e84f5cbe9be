"""Snapshots of every view on the samples at 120x40, and one at 40x12 (still usable when small).

The app runs from the repository root on ``samples`` (relative paths), so the pictures are the same
in any checkout. Update them with ``pytest tests/tui --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from tui_helpers import SAMPLE_2021, press, settle

from tui.app import ReconcileApp

SIZE = (120, 40)


def steps(*keys: str):  # type: ignore[no-untyped-def]
    """A ``run_before`` that waits for the app, presses ``keys`` (settling after each) and stops
    the text cursors from blinking."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await press(pilot, *keys)
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await settle(pilot)

    return run_before


def test_documents(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ReconcileApp(["samples"]), terminal_size=SIZE, run_before=steps())


def test_overview(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp(["samples"])
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("down", "enter"))


def test_findings(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp(["samples"])
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("down", "enter", "f", "n"))


def test_findings_filtered(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp([SAMPLE_2021])
    keys = ("f", "slash", *"part:procurement", "enter")
    assert snap_compare(app, terminal_size=SIZE, run_before=steps(*keys))


@pytest.mark.parametrize("tab", ["budget", "three_public", "procurement", "assets", "performance"])
def test_parts(snap_compare, tab: str) -> None:  # type: ignore[no-untyped-def]
    moves = ["right_square_bracket"] * [
        "budget",
        "three_public",
        "procurement",
        "assets",
        "performance",
    ].index(tab)
    app = ReconcileApp([SAMPLE_2021])
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("p", *moves))


def test_years(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp(["samples"])
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("down", "enter", "y", "n"))


def test_help(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp([SAMPLE_2021])
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("question_mark"))


def test_rule(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp([SAMPLE_2021])
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("f", "r"))


def test_export_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp([SAMPLE_2021])
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("e"))


def test_chinese_findings(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp(["samples"], lang="zh")
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("down", "enter", "f"))


def test_small_terminal(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = ReconcileApp([SAMPLE_2021])
    assert snap_compare(app, terminal_size=(40, 12), run_before=steps("f", "n"))
