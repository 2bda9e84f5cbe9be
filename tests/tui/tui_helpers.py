"""Helpers for the interface's tests: run the app on the samples from the repository root (paths
shown relative to it, so snapshots are the same on every machine), and wait until it is ready."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_2020 = "samples/baigou-zuzhirenshi-2020-budget.txt"
SAMPLE_2021 = "samples/baigou-zuzhirenshi-2021-budget.txt"


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the workers (loading, parts, years, export) and the screen updates they cause."""
    app = pilot.app
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if getattr(app, "ready", True) and not any(w.is_running for w in app.workers):
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys, settling after each (a key can start a worker)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())
