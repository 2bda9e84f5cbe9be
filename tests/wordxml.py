"""Minimal Word files written without python-docx (fast enough to build inside property tests and
the fuzzer): paragraphs and plain tables in ``word/document.xml``, and the one relationship a
reader needs. Shared by ``tests/test_hostile.py`` and ``bench/fuzz_reader.py``."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def xml_text(text: str) -> str:
    """Text as it may stand in XML 1.0: characters XML cannot hold are dropped."""
    ok = "".join(
        ch
        for ch in text
        if ch in "\t\n\r" or 0x20 <= ord(ch) < 0xD800 or 0xE000 <= ord(ch) < 0xFFFE
    )
    return escape(ok)


def w_p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p>'


def w_tbl(rows: list[list[str]]) -> str:
    xml: dict[tuple[str, ...], str] = {}  # rows repeat: build each distinct row once
    for row in rows:
        key = tuple(row)
        if key not in xml:
            xml[key] = "<w:tr>" + "".join(f"<w:tc>{w_p(c)}</w:tc>" for c in row) + "</w:tr>"
    return "<w:tbl>" + "".join(xml[tuple(row)] for row in rows) + "</w:tbl>"


def word_file_raw(document_xml: bytes) -> bytes:
    """A .docx holding ``document_xml`` as its main part, whatever that holds."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document_xml)
    return out.getvalue()


def word_file(body_xml: str) -> bytes:
    """A .docx whose body is ``body_xml`` (``w_p`` and ``w_tbl`` blocks)."""
    return word_file_raw(
        (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{W}"><w:body>{body_xml}</w:body></w:document>'
        ).encode()
    )
