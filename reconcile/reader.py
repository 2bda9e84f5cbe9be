"""One entry point for every input: a path (or ``-`` for standard input) -> the model.

The format is chosen by content first (a zip is a Word file, a TOML file with our schema is the
canonical format) and by extension second; anything else is read as a text dump.
"""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from reconcile.errors import ReadError, why
from reconcile.extract import extract
from reconcile.model import Document
from reconcile.sources.decode import (
    MAX_DOCUMENT_BYTES,
    Decoded,
    decode,
    sniff_format,
    split_lines,
    utf8_text,
)
from reconcile.sources.text import layout_text

DOCUMENT_SUFFIXES = (".txt", ".docx", ".toml")
_OTHER_FORMATS = {
    ".doc": "a legacy Word .doc file; save it as .docx",
    ".pdf": "a PDF file; export the disclosure as .docx or text",
    ".xls": "a legacy Excel file; save it as .xlsx (tables) or the disclosure as .docx",
    ".wps": "a WPS file; save it as .docx",
    ".rtf": "an RTF file; save it as .docx",
    ".odt": "an OpenDocument file; save it as .docx",
}


@dataclass(frozen=True, slots=True)
class Loaded:
    document: Document
    lines: tuple[str, ...]  # source lines (text) or block texts (Word) for display


def _read_bytes_from(path: str) -> bytes:
    if path == "-":
        if sys.stdin is None:  # started with standard input closed (``<&-``)
            raise ReadError(path, "standard input is closed")
        try:
            data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        except (OSError, ValueError) as exc:  # closed, or not readable
            raise ReadError(path, f"cannot read standard input: {exc}") from None
    else:
        # One open and one fstat: a batch reads thousands of files. The path as Path reads it
        # ("f.txt/" is f.txt, "" is the current folder).
        p = Path(path)
        try:
            with open(p, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > MAX_DOCUMENT_BYTES and p.suffix.lower() != ".docx":
                    raise ReadError(
                        path, f"the file is {size} bytes, over the {MAX_DOCUMENT_BYTES} byte limit"
                    )
                data = handle.read(MAX_DOCUMENT_BYTES + 1)
        except IsADirectoryError:
            raise ReadError(path, "is a folder") from None
        except PermissionError:  # also what opening a folder raises on Windows
            reason = "is a folder" if os.path.isdir(p) else "permission denied"
            raise ReadError(path, reason) from None
        except OSError as exc:
            # what Path.exists() takes for a missing file: none there, a file as a folder, a loop
            missing = exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
            reason = "no such file" if missing else f"cannot read: {why(exc)}"
            raise ReadError(path, reason) from None
        except ValueError:  # a NUL in the path
            raise ReadError(path, "no such file") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ReadError(path, f"the input is over the {MAX_DOCUMENT_BYTES} byte limit")
    return data


def read_path(path: str) -> Loaded:
    """Read one disclosure; raise ReadError for anything that is not one."""
    data = _read_bytes_from(path)
    return read_bytes(data, path)


def read_bytes(data: bytes, path: str) -> Loaded:
    return load(sniff(data, path))


@dataclass(frozen=True, slots=True)
class Sniffed:
    """An input told apart: a Word file, the canonical TOML or a text dump (the last two
    decoded), not yet read into the model."""

    path: str
    data: bytes
    kind: str  # "word" | "toml" | "text"
    decoded: Decoded | None


def sniff(data: bytes, path: str) -> Sniffed:
    """What ``data`` is; raises ReadError for a format we do not read or text we cannot decode."""
    return Sniffed(path, data, *_kind(data, path))


def sniff_file(path: str) -> Sniffed:
    """``sniff`` of a file's bytes (a batch lays out its text dumps together before reading
    them); raises ReadError as ``read_path`` does."""
    return sniff(_read_bytes_from(path), path)


class Utf8Text(NamedTuple):
    """A text dump whose start is UTF-8 (``decode.utf8_text``), not decoded yet: a batch hands
    the bytes to Polars, which checks the rest of them."""

    path: str
    data: bytes  # the text's UTF-8 bytes, without a byte-order mark
    encoding: str  # "utf-8" or "utf-8-sig", as ``decode`` reports it


def sniff_batch_file(path: str) -> Sniffed | Utf8Text:
    """``sniff_file`` for a batch: a text dump whose start is UTF-8 comes back undecoded, as
    ``Utf8Text``; any other input (a Word file, the canonical TOML, another encoding, a file
    ``decode`` must judge) as ``sniff_file`` returns it. Raises ReadError as ``sniff_file`` does."""
    data = _read_bytes_from(path)
    if _kind_by_name_or_magic(data, path) is None and (found := utf8_text(data)) is not None:
        payload, encoding, head = found
        start = _lead(head)
        # a head of nothing but spaces does not say whether the schema line follows
        if len(start) >= len("schema") and not start.startswith("schema"):
            return Utf8Text(path, payload, encoding)
    return sniff(data, path)


def load(sniffed: Sniffed) -> Loaded:
    """The model of a sniffed input."""
    path, decoded = sniffed.path, sniffed.decoded
    if sniffed.kind == "word":
        return _read_docx(sniffed.data, path)
    assert decoded is not None
    if sniffed.kind == "toml":
        from reconcile.canonical import loads_toml

        document = loads_toml(decoded.text, path, encoding=decoded.encoding)
        return Loaded(document, tuple(split_lines(decoded.text)))
    lines = split_lines(decoded.text)
    layout = layout_text(decoded.text, lines)
    document = extract(layout, source=path, encoding=decoded.encoding, source_kind="text")
    return Loaded(document, layout.lines)


def _kind(data: bytes, path: str) -> tuple[str, Decoded | None]:
    """("word" | "toml" | "text", the decoded text of the last two)."""
    kind = _kind_by_name_or_magic(data, path)
    if kind == "word":
        return "word", None
    if kind == "other":
        suffix = os.path.splitext(path)[1].lower()
        reason = sniff_format(data) or _OTHER_FORMATS[suffix]
        raise ReadError(path, f"unsupported format: {reason}")
    decoded = decode(data, path)
    if kind == "toml" or _lead(decoded.text).startswith("schema"):
        return "toml", decoded
    return "text", decoded


def _lead(text: str) -> str:
    """A text from its first word on: the canonical TOML's first word is ``schema``."""
    return text.lstrip("\ufeff").lstrip()


def _kind_by_name_or_magic(data: bytes, path: str) -> str | None:
    """ "word", "other" (a format we do not read), "toml" by the file's first bytes and name, or
    None when its text must tell."""
    suffix = os.path.splitext(path)[1].lower()
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or suffix in (".docx", ".docm"):
        return "word"
    if suffix in _OTHER_FORMATS and not data.startswith(b"schema"):
        return "other"
    return "toml" if suffix == ".toml" else None


def _read_docx(data: bytes, path: str) -> Loaded:
    try:
        from reconcile.sources.docx import layout_docx
    except ImportError as exc:  # pragma: no cover - the docx reader is part of the package
        raise ReadError(path, f"Word files cannot be read here: {exc}") from None
    layout = layout_docx(data, path)
    document = extract(layout, source=path, encoding=None, source_kind="docx")
    return Loaded(document, layout.lines)
