"""Baselines: a TOML file of accepted finding ids, each with an optional reason a reviewer fills
in. Ids are fingerprints of meaning (rule, department, year, section, item), not of lines, so a
baseline keeps hiding the same findings after lines move while new findings still show.

A province's baseline holds a few hundred thousand entries (40 MB for the 156,178 ids of the
1,000-document corpus), which tomllib takes 7.8 s to read. The layout ``write_baseline`` writes
(and a reviewer keeps when filling in reasons) is read by Polars instead, line by line, in a few
hundredths of a second; a file in any other layout is read by tomllib, as before.
"""

from __future__ import annotations

import functools
import os
import tomllib
from typing import Any

import polars as pl

from reconcile import tomltext
from reconcile.errors import UsageError, why
from reconcile.export import atomic_write
from reconcile.report import write_toml_tables

SCHEMA_BASELINE = "reconcile.baseline/1"

# What is between a TOML basic string's quotes: no quote, backslash or control character but
# tab, unless escaped; \u and \U escapes of Unicode scalar values only (no surrogate, nothing
# past U+10FFFF), as tomllib requires.
_SCALAR4 = r"(?:[0-9A-Ca-cE-Fe-f][0-9A-Fa-f]{3}|[Dd][0-7][0-9A-Fa-f]{2})"
_SCALAR8 = rf"(?:0000{_SCALAR4}|000[1-9A-Fa-f][0-9A-Fa-f]{{4}}|0010[0-9A-Fa-f]{{4}})"
_BASIC = rf'(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\(?:[btnfr"\\]|u{_SCALAR4}|U{_SCALAR8}))*'
# Every line of the layout written: a [[finding]] header, a bare key = a basic string or an
# empty array (``finding = []`` in a baseline of no findings), or blank (the last group, empty,
# tells a blank line from one that does not match).
_LINE = rf'^(?:(\[\[finding\]\])|([A-Za-z0-9_-]+) = (?:"({_BASIC})"|(\[\]))|())$'

ENTRIES_SCHEMA = {"id": pl.String, "reason": pl.String}


def _entries(path: str) -> pl.DataFrame:
    """The [[finding]] tables of a baseline file that have an id: ``id`` and ``reason`` (null
    where it has none). Read once when a run both reads and rewrites the same file."""
    stat = os.stat(path)
    return _read_entries(path, stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1)
def _read_entries(path: str, *_stamp: int) -> pl.DataFrame:
    """The file read as text with universal newlines (CRLF and a lone CR are line ends), as
    ``Path.read_text`` reads it."""
    with open(path, "rb") as handle:
        data = handle.read()
    entries = _entries_as_written(data)
    if entries is not None:
        return entries
    text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return _entries_of(tomltext.loads(text))


def _entries_as_written(data: bytes) -> pl.DataFrame | None:
    """The entries when ``data`` is UTF-8, every line of it in the layout written (see
    ``_LINE``), and no key repeats in a table; otherwise None. What tomllib reads from such a
    text is exactly this: the top-level keys, then one table per header with its keys' strings.
    (Polars checks and splits the bytes: a Python string of them, and a list of its lines, would
    take several times their size.)"""
    try:
        text = pl.Series("line", [data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return None  # not UTF-8: decoding it again says where
    if b"\r" in data:
        text = text.str.replace_all("\r\n?", "\n")
    lines = text.str.split("\n").explode()
    parts = lines.str.extract_groups(_LINE).struct.unnest()
    header, key, string, empty, _blank = parts.columns
    if parts.select(pl.all_horizontal(pl.all().is_null()).any()).item():
        return None  # a line that does not match
    keys = parts.select(
        pl.col(header).is_not_null().cum_sum().alias("table"),
        pl.col(key).alias("key"),
        pl.col(string).alias("value"),
        pl.col(empty).is_not_null().alias("empty"),
    ).drop_nulls("key")
    if keys.select(pl.struct("table", "key").is_duplicated().any()).item():
        return None  # tomllib reports the repeated key
    top = keys.filter(pl.col("table") == 0, pl.col("key") == "finding")
    if top.height and (parts.get_column(header).is_not_null().any() or not top.item(0, "empty")):
        return None  # "finding" is not an empty array and the tables both: tomllib says which
    fields = keys.filter(pl.col("table") > 0, pl.col("key").is_in(["id", "reason"]))
    if fields.get_column("empty").any():
        return None  # an id or reason that is an array: tomllib reads it
    values = fields.get_column("value")
    escaped = values.str.contains("\\", literal=True).arg_true()
    if escaped.len():  # rare: ids are hex, and reasons are mostly plain text
        plain = [_unescaped(v) for v in values.gather(escaped).to_list()]
        fields = fields.with_columns(values.scatter(escaped, pl.Series(plain, dtype=pl.String)))
    ids = fields.filter(pl.col("key") == "id").select("table", pl.col("value").alias("id"))
    reasons = fields.filter(pl.col("key") == "reason")
    reasons = reasons.select("table", pl.col("value").alias("reason"))
    return ids.join(reasons, on="table", how="left", maintain_order="left").select("id", "reason")


def _unescaped(inner: str) -> str:
    """A basic string's value from what is between its quotes, escapes read as tomllib reads
    them."""
    return str(tomllib.loads(f'v = "{inner}"')["v"])


def _entries_of(data: dict[str, Any]) -> pl.DataFrame:
    entries = data.get("finding", [])
    if not isinstance(entries, list):
        raise UsageError("'finding' must be an array of tables")
    rows = [
        (str(e["id"]), str(e["reason"]) if e.get("reason") else None)
        for e in entries
        if isinstance(e, dict) and "id" in e
    ]
    return pl.DataFrame(rows, schema=ENTRIES_SCHEMA, orient="row")


def read_baseline(path: str) -> set[str]:
    try:
        entries = _entries(path)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such baseline file") from None
    except UsageError as exc:
        raise UsageError(f"{path}: {exc}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable baseline: {exc}") from None
    return set(entries.get_column("id").to_list())


def read_reasons(path: str) -> pl.DataFrame:
    """The reasons a baseline file gives (``id``, ``reason``), to keep when it is rewritten; none
    when it does not exist. A file that exists and cannot be read is not rewritten: UsageError
    (written anew, every reason a reviewer wrote in it was lost without a word, for one stray
    backslash). Read before a run, while memory is free."""
    reasons = pl.DataFrame(schema=ENTRIES_SCHEMA)
    try:
        if os.path.lexists(path):
            reasons = _entries(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, UsageError) as exc:
        raise UsageError(
            f"{path}: not rewritten, as it cannot be read and its reasons would be lost "
            f"({why(exc)}); mend it or remove it"
        ) from None
    # the last reason written for an id, as a reviewer's last edit
    return reasons.filter(pl.col("reason") != "").unique("id", keep="last")


def write_baseline(path: str, findings: pl.DataFrame, reasons: pl.DataFrame | None = None) -> int:
    """Write every finding's id, with the reasons already given for the same ids (``reasons``:
    see ``read_reasons``); ``findings`` is the engine's findings frame."""
    entries = findings.select("id", "rule", "document", "message").unique(
        "id", keep="first", maintain_order=True
    )
    if reasons is None:
        entries = entries.with_columns(reason=pl.lit(""))
    else:
        entries = entries.join(reasons, on="id", how="left", maintain_order="left")
        entries = entries.with_columns(pl.col("reason").fill_null(""))
    head = {"schema": SCHEMA_BASELINE}
    atomic_write(path, lambda out: write_toml_tables(out, head, "finding", entries))
    return entries.height
