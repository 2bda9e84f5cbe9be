"""Settings from ``reconcile.toml`` or ``[tool.reconcile]`` in a ``pyproject.toml``, found from
the working folder upwards; options on the command line win."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reconcile import tomltext
from reconcile.errors import UsageError

KEYS = {"select", "ignore", "fail-on", "lang", "jobs"}
LANGS = ("en", "zh")


def lang_problem(value: Any) -> str | None:
    """Why ``value`` cannot be the ``lang`` setting (None when it can, or is not given)."""
    return None if value is None or value in LANGS else "lang must be en or zh"


def codes_problem(value: Any, option: str) -> str | None:
    """Why ``value`` cannot be the ``select`` or ``ignore`` setting (``option``; None when it can,
    or is not given): codes or prefixes separated by commas, each naming a rule. A code that names
    none is a typo that would silently pass a check."""
    if value is None:
        return None  # before the imports: a batch starts its readers before Polars is imported
    if not isinstance(value, str):
        return f"--{option} takes codes or prefixes separated by commas"
    from reconcile.engine import parse_codes
    from reconcile.rules.registry import load_all

    codes = load_all()
    unknown = [c for c in parse_codes(value) if not any(code.startswith(c) for code in codes)]
    if unknown:
        return f"--{option}: {', '.join(unknown)} names no rule (`reconcile rules` lists them)"
    return None


def jobs_problem(value: Any) -> str | None:
    """Why ``value`` cannot be the ``jobs`` setting (None when it can, or is not given): a
    whole number of at least 1 (``true`` is not one, though Python counts it as 1)."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    return (
        None
        if value is None or (whole and value >= 1)
        else "jobs must be a whole number of at least 1"
    )


def _normalise(data: dict[str, Any], origin: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        k = key.replace("_", "-")
        if k not in KEYS:
            raise UsageError(
                f"{origin}: unknown setting {key!r} (known: {', '.join(sorted(KEYS))})"
            )
        if k in ("select", "ignore") and isinstance(value, list):
            value = ",".join(str(v) for v in value)
        out[k] = value
    return out


def load_file(path: Path) -> dict[str, Any]:
    try:
        data = tomltext.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read config: {exc}") from None
    tool = _tool_table(data)
    if path.name == "pyproject.toml":
        data = tool.get("reconcile", {})
    elif "reconcile" in tool:
        data = tool["reconcile"]
    if not isinstance(data, dict):
        raise UsageError(f"{path}: [tool.reconcile] must be a table of settings")
    return _normalise(data, str(path))


def _tool_table(data: dict[str, Any]) -> dict[str, Any]:
    """The ``[tool]`` table of a TOML file, or none when it has none (or ``tool`` is not one)."""
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def find_config(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "reconcile.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomltext.loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if "reconcile" in _tool_table(data):
                return pyproject
    return None


def load_settings(explicit: str | None) -> dict[str, Any]:
    if explicit:
        return load_file(Path(explicit))
    found = find_config()
    return load_file(found) if found else {}


def default_lang() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def usable_settings(keys: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """The settings ``keys`` of the file found from the working folder, for a reader that goes on
    without what it cannot use (the app): a value that is wrong is left out, and a file that
    cannot be read gives none; each with a notice saying why. Only ``keys`` are checked (the
    codes of ``select`` and ``ignore`` need the rule catalogue imported)."""
    checks: dict[str, Callable[[Any], str | None]] = {
        "lang": lang_problem,
        "jobs": jobs_problem,
        "select": lambda value: codes_problem(value, "select"),
        "ignore": lambda value: codes_problem(value, "ignore"),
    }
    found = find_config()
    try:
        settings = load_file(found) if found else {}
    except UsageError as exc:
        return {}, [str(exc)]
    usable, notices = {}, []
    for key in keys:
        problem = checks[key](settings.get(key))
        if problem:
            notices.append(f"{found}: {problem}; ignored")
        elif key in settings:
            usable[key] = settings[key]
    return usable, notices
