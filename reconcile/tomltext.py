"""TOML text read with every way it can fail raised as ``tomllib.TOMLDecodeError``.

``tomllib.loads`` itself lets two other errors through: an integer longer than Python converts
to ``int`` (4,300 digits) raises ValueError, and arrays or tables nested deeper than Python's
recursion limit raise RecursionError. Each reader of TOML (disclosures, settings, baselines)
turns a TOMLDecodeError into its one-line message; with these two as well, none of them ends in
an internal error.
"""

from __future__ import annotations

import tomllib
from typing import Any


def loads(text: str, **options: Any) -> dict[str, Any]:
    """``tomllib.loads(text, **options)``, failing only with TOMLDecodeError."""
    try:
        return tomllib.loads(text, **options)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:  # Python's limit on the digits of an int
        raise tomllib.TOMLDecodeError(f"a number too long to read ({exc})") from None
    except RecursionError:
        raise tomllib.TOMLDecodeError("arrays or tables nested too deeply to read") from None
