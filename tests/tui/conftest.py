"""Every interface test runs in the repository root (paths shown relative to it, so snapshots are
the same on every machine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import ROOT


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every interface test runs in the repository root, with English settings."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("RECONCILE_TUI_EXIT_AFTER_FIRST_SCREEN", raising=False)
    return ROOT
