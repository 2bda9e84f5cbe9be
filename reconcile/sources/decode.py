"""Bytes -> text: the fast path first (BOM, then strict UTF-8), a detector only when that fails.

Line numbers are those of the decoded text, split on LF, CRLF and CR alike, so they are the same
whatever the encoding or line ending.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from reconcile.errors import ReadError

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Formats people send instead of a text dump, by their first bytes.
_MAGIC = (
    (b"%PDF", "a PDF file; export the disclosure as .docx or text"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.doc/.xls); save it as .docx"),
    (b"{\\rtf", "an RTF file; save it as .docx"),
    (b"\x89PNG", "a PNG image, not a disclosure"),
    (b"\xff\xd8\xff", "a JPEG image, not a disclosure"),
    (b"GIF8", "a GIF image, not a disclosure"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"7z\xbc\xaf", "a 7z archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # the name reported to the user: utf-8, utf-8-sig, gb18030, utf-16, ...


def sniff_format(data: bytes) -> str | None:
    """A reason string when the bytes are a known non-text format, else None."""
    for magic, reason in _MAGIC:
        if data.startswith(magic):
            return reason
    return None


def _plausible(text: str) -> float:
    """Share of characters a Chinese disclosure is made of: CJK, ASCII, CJK and full-width
    punctuation, common symbols and white space."""
    if not text:
        return 0.0
    good = 0
    for ch in text:
        o = ord(ch)
        if (
            0x20 <= o < 0x7F
            or ch in "\t\r\n"
            or 0x4E00 <= o <= 0x9FFF
            or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF
            or 0x2000 <= o <= 0x206F
            or 0x2100 <= o <= 0x22FF
            or o in (0xA0, 0xB7, 0xD7, 0xFEFF)
        ):
            good += 1
    return good / len(text)


def _looks_utf16(data: bytes) -> str | None:
    """BOM-less UTF-16: the byte order under which the text reads as a disclosure would."""
    if len(data) % 2:
        return None
    best, best_score = None, 0.0
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data[:8192].decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausible(text)
        if score > best_score:
            best, best_score = codec, score
    return best if best_score >= 0.95 else None


def decode(data: bytes, path: str) -> Decoded:
    """Decode a text dump, or raise ReadError naming the reason."""
    if not data:
        raise ReadError(path, "the file is empty")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ReadError(
            path, f"the file is {len(data)} bytes, over the {MAX_DOCUMENT_BYTES} byte limit"
        )
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom) :].decode(codec), name)
            except UnicodeDecodeError as exc:
                raise ReadError(
                    path, f"invalid {name} after its byte-order mark: {exc.reason}"
                ) from None
    reason = sniff_format(data)
    if reason:
        raise ReadError(path, f"not a text file: {reason}")
    if b"\x00" not in data:
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    utf16 = _looks_utf16(data) if b"\x00" in data else None
    if utf16:
        try:
            return Decoded(data.decode(utf16), "utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise ReadError(path, "binary data (NUL bytes), not a text file")
    # Chinese disclosures that are not UTF-8 are almost always GBK/GB18030: try that strictly
    # before asking a statistical detector, which can mistake short GB text for Big5 or Latin.
    if (text := _as_gb(data)) is not None:
        return Decoded(text, "gb18030")
    return _detected(data, path)


# Compiled on first use (``re`` keeps them): a class of thousands of characters takes ``re`` 1-3
# ms to compile, which every start would pay for what only a GB18030 file needs.
_CJK = "[\u4e00-\u9fff]"
_ODD = "[\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def _as_gb(data: bytes) -> str | None:
    """The text of GBK/GB18030 bytes, or None when they do not read as such."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    # Text a GB codec decodes should be mostly CJK, ASCII and common punctuation: few private-use
    # or control characters.
    if not re.search(_CJK, text) or len(re.findall(_ODD, text)) > max(2, len(text) // 200):
        return None
    return text


def _detected(data: bytes, path: str) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ReadError(path, "not a text file: no text encoding fits its bytes")
    text = str(best)
    odd = sum(1 for ch in text if not (ch.isprintable() or ch in "\r\n\t\f\v"))
    if odd > max(4, len(text) // 100):
        raise ReadError(path, "not a text file: it holds control characters or binary data")
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        # Only a guess decoded it, and the guess holds no Chinese: a disclosure it is not.
        raise ReadError(
            path,
            f"not a Chinese disclosure: neither UTF-8 nor GB18030, and read as {best.encoding} "
            "it holds no Chinese text",
        )
    return Decoded(text, best.encoding.replace("_", "-"))


# How much of a file's start ``utf8_text`` decodes to tell a UTF-8 text from the rest.
UTF8_HEAD = 4096


def utf8_text(data: bytes) -> tuple[bytes, str, str] | None:
    """(the text's UTF-8 bytes, the encoding's name as ``decode`` reports it, the text of the first
    few kilobytes) when ``decode`` reads ``data`` as UTF-8, as far as its start shows; None when
    ``decode`` has to decide (another byte-order mark, a NUL byte, a known non-text format, a file
    of a few kilobytes or over the limit) or the start is not UTF-8.

    The rest of the bytes is not checked here: a batch checks every file's at once (Polars casts
    them to strings in a fraction of the time Python takes to decode them) and sends a file
    through ``decode`` when they are not UTF-8 after all."""
    if len(data) <= UTF8_HEAD or len(data) > MAX_DOCUMENT_BYTES:
        return None
    if data.startswith(codecs.BOM_UTF8):
        payload, name = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    elif any(data.startswith(bom) for bom, _, _ in _BOMS) or sniff_format(data) or b"\x00" in data:
        return None
    else:
        payload, name = data, "utf-8"
    try:  # a character cut at the end of the head is left out, not an error
        head = codecs.getincrementaldecoder("utf-8")().decode(payload[:UTF8_HEAD])
    except UnicodeDecodeError:
        return None
    return payload, name, head


def split_lines(text: str) -> list[str]:
    """Lines of the decoded text; LF, CRLF and CR all end a line. A final line break does not add
    an empty last line."""
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines
