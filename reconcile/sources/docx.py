"""A Word .docx file -> Layout: the same paragraphs, tables, rows and cells the text dump gives.

What is read
    The body of the main document part, in document order: paragraphs (``w:p``) and tables
    (``w:tbl``), also when wrapped in content controls (``w:sdt``) or custom XML. A horizontally
    merged cell (``gridSpan``, or legacy ``hMerge``) is one cell, as the text dump collapses it; a
    vertical-merge continuation (``vMerge`` without ``restart``) is an empty cell, as the dump shows
    it. So a header row has fewer cells than a body row, exactly as in the dump. A cell's text is its
    paragraphs' texts, each passed through ``clean()``, empty ones dropped, joined with "\\n". A table
    nested in a cell is flattened into that cell: its paragraphs join the cell's, in document order.
    A table of a single cell that holds tables is a layout frame and is unwrapped: its content is read
    as body content. Text of tracked deletions, field codes, text boxes and drawings is not read.

Numbering
    ``line`` is a 1-based block number: every body paragraph, empty or not, is one block and every
    table row is one block, in document order. Empty paragraphs make no Paragraph (like blank lines
    in a text dump) but keep their number, so the numbers do not depend on what counts as empty and
    ``Layout.lines[k - 1]`` is always the display text of block k: the paragraph's text, or for a
    table row its cells' texts joined with " | " (newlines shown as spaces). ``location`` says where
    to look in Word: ``paragraph 12`` (the 12th body paragraph, empty ones counted) and
    ``table 3, row 4, cell 2`` (1-based; ``cell`` counts merged cells as one).

Hostile input
    python-docx's ``Document()`` opens every part of the package itself, with unbounded reads and
    exceptions of many kinds, so it is not used here. This module reads only the two parts it needs
    (``_rels/.rels`` to find the main part, then the main part, normally ``word/document.xml``)
    through its own bounded stream and parses them with lxml, entities off, no network, no DTD.
    Refused with ``ReadError``: empty input; a legacy ``.doc`` or any other OLE2 file, and a
    password-protected ``.docx`` (which Word stores as OLE2 too); other known formats (PDF, images,
    archives); bytes that are not a zip; a zip without a Word main part; a zip whose members declare
    more than ``MAX_UNPACKED_BYTES`` in total (a zip bomb); encrypted members; damaged archives; XML
    that does not parse. Declared sizes can lie, so every part is also read in chunks that stop as
    soon as the running total passes the limit. (Python's zipfile also stops at the declared size and
    then fails the CRC check; the bounded stream keeps the guarantee independent of that.) No other
    exception escapes ``layout_docx`` for any byte input.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from reconcile.errors import ReadError
from reconcile.sources.decode import sniff_format
from reconcile.sources.layout import Block, Cell, Layout, Paragraph, Row, Table, clean

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
_CHUNK = 1024 * 1024

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W_TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DEFAULT_MAIN = "word/document.xml"

_OTHER_PACKAGES = (
    ("xl/workbook.xml", "an Excel workbook, not a Word document"),
    ("ppt/presentation.xml", "a PowerPoint presentation, not a Word document"),
    ("content.xml", "an OpenDocument file; save it as .docx"),
)


# --- reading the package -------------------------------------------------------------------------


@dataclass
class _Budget:
    """Bytes still allowed to be unpacked, shared by every part read from one file."""

    left: int


def _refuse_non_zip(data: bytes, path: str) -> None:
    if not data:
        raise ReadError(path, "empty file")
    if data.startswith(_OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ReadError(
                path, "a password-protected Word document; remove the password and save it again"
            )
        if "WordDocument".encode("utf-16-le") not in data and (
            "Workbook".encode("utf-16-le") in data
        ):
            raise ReadError(path, "a legacy Excel .xls file, not a Word document")
        raise ReadError(path, "a legacy Word .doc file; save it as .docx")
    reason = sniff_format(data)
    if reason is not None:
        raise ReadError(path, reason)
    if not data.startswith(b"PK"):
        raise ReadError(path, "not a Word .docx file (not a zip archive)")


def _read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, path: str) -> bytes:
    """The member's bytes, read in chunks that stop once the budget is spent, whatever the
    member declares."""
    if info.flag_bits & 0x1:
        raise ReadError(path, f"{info.filename} is encrypted; remove the password and save again")
    out = bytearray()
    with zf.open(info) as stream:
        while True:
            chunk = stream.read(min(_CHUNK, budget.left + 1))
            if not chunk:
                break
            out += chunk
            budget.left -= len(chunk)
            if budget.left < 0:
                raise ReadError(
                    path,
                    f"{info.filename} unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB"
                    " (a zip bomb?)",
                )
    return bytes(out)


def _parse_xml(raw: bytes, part: str, path: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise ReadError(path, f"{part} is not well-formed XML ({exc})") from None
    if root is None:
        raise ReadError(path, f"{part} is empty")
    if root.getroottree().docinfo.doctype:
        raise ReadError(path, f"{part} declares a DTD, which Word never writes")
    return root


def _main_part_name(
    zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], budget: _Budget, path: str
) -> str | None:
    """The main document part named by ``_rels/.rels``, or ``word/document.xml``."""
    rels = members.get("_rels/.rels")
    if rels is not None:
        raw = _read_part(zf, rels, budget, path)  # a bomb or a damaged member is still refused
        try:
            root = _parse_xml(raw, "_rels/.rels", path)
        except ReadError:
            root = None  # Word itself repairs a broken .rels; fall back to the usual name
        if root is not None:
            for rel in root.iter(f"{{{_PKG_RELS}}}Relationship"):
                if str(rel.get("Type", "")).endswith("/officeDocument"):
                    target = posixpath.normpath(str(rel.get("Target", "")).lstrip("/")).lower()
                    if target in members:
                        return target
    return _DEFAULT_MAIN if _DEFAULT_MAIN in members else None


def _document_xml(data: bytes, path: str) -> etree._Element:
    _refuse_non_zip(data, path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ReadError(path, f"not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        declared = sum(max(i.file_size, 0) for i in infos)
        if declared > MAX_UNPACKED_BYTES:
            raise ReadError(
                path,
                f"its parts would unpack to {declared / (1024 * 1024):.0f} MB, more than "
                f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB (a zip bomb?)",
            )
        # Part names are case-insensitive (OPC); the last of duplicate names wins, as in zipfile.
        members = {i.filename.lower(): i for i in infos if not i.is_dir()}
        budget = _Budget(MAX_UNPACKED_BYTES)
        main = _main_part_name(zf, members, budget, path)
        if main is None:
            for name, reason in _OTHER_PACKAGES:
                if name in members:
                    raise ReadError(path, reason)
            raise ReadError(path, "not a Word document (the zip has no word/document.xml)")
        root = _parse_xml(_read_part(zf, members[main], budget, path), main, path)
    if etree.QName(root).localname != "document" or etree.QName(root).namespace not in (
        _W_TRANSITIONAL,
        _W_STRICT,
    ):
        raise ReadError(path, f"{main} is not a WordprocessingML document")
    return root


# --- walking the body ----------------------------------------------------------------------------


class _Names:
    """Qualified names in the document's namespace (transitional or strict OOXML).

    The walk below compares each element's tag (a string in Clark notation, ``{ns}name``) with
    these, rather than splitting it with ``etree.QName`` or searching with ``find``: a Word file
    of the template has some 8,000 elements in its tables, and those two took 40 of the 60 ms a
    document took to read."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.prefix = f"{{{ns}}}"
        self.body = self.q("body")
        self.p = self.q("p")
        self.tbl = self.q("tbl")
        self.tr = self.q("tr")
        self.tc = self.q("tc")
        self.tcPr = self.q("tcPr")
        self.trPr = self.q("trPr")
        self.hMerge = self.q("hMerge")
        self.vMerge = self.q("vMerge")
        self.sdt = self.q("sdt")
        self.sdtContent = self.q("sdtContent")
        self.r = self.q("r")
        self.ruby = self.q("ruby")
        self.rubyBase = self.q("rubyBase")
        self.deleted = self.q("del")
        self.val = self.q("val")
        self.type = self.q("type")
        # a run's children that give text
        self.t = self.q("t")
        self.tabs = {self.q("tab"), self.q("ptab")}
        self.br = self.q("br")
        self.cr = self.q("cr")
        self.no_break_hyphen = self.q("noBreakHyphen")
        # containers looked through for body content, table rows or row cells
        self.wrappers = {self.q(name) for name in _WRAPPERS} | {_ALTERNATE}
        # inside a paragraph: subtrees skipped, and those whose text is another paragraph's
        self.p_skip = {self.q(name) for name in _P_SKIP}
        self.p_apart = {self.p, self.tbl, self.q("txbxContent")}

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"


# Containers whose children are body content, table rows or row cells (content controls, custom XML).
_WRAPPERS = ("sdt", "customXml")
_ALTERNATE = f"{{{_MC}}}AlternateContent"  # alternate content: its first choice is read
# Inside a paragraph: skipped subtrees (deleted text, properties, math) and transparent ones.
_P_SKIP = {"pPr", "del", "moveFrom", "moveFromRangeStart", "oMath", "oMathPara"}


def _first_choice(alternate: etree._Element) -> etree._Element | None:
    """Alternate content's first choice (only one is read, so nothing is read twice)."""
    return next((c for c in alternate if isinstance(c.tag, str)), None)


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """The element's first child with ``tag`` (``find`` without its path parsing)."""
    for child in el:
        if child.tag == tag:
            return child
    return None


def _content(wrapper: etree._Element, w: _Names) -> etree._Element | None:
    """What a wrapper holds: a content control's content, alternate content's first choice (only
    one, so nothing is read twice), custom XML's own children."""
    if wrapper.tag == w.sdt:
        return _child(wrapper, w.sdtContent)
    if wrapper.tag == _ALTERNATE:
        return _first_choice(wrapper)
    return wrapper


def _wrapped(el: etree._Element, w: _Names) -> Iterator[etree._Element]:
    """The element's children, looking through content controls, custom XML and alternate
    content."""
    for child in el:
        tag = child.tag
        if tag in w.wrappers:
            content = _content(child, w)
            if content is not None:
                yield from _wrapped(content, w)
        elif isinstance(tag, str):  # not a comment
            yield child


def _run_text(r: etree._Element, w: _Names, out: list[str]) -> None:
    for child in r:
        tag = child.tag
        if tag == w.t:
            out.append(child.text or "")
        elif tag in w.tabs:
            out.append("\t")
        elif tag == w.br:
            if child.get(w.type) in (None, "textWrapping"):
                out.append("\n")
        elif tag == w.cr:
            out.append("\n")
        elif tag == w.no_break_hyphen:
            out.append("-")


def _inline_text(el: etree._Element, w: _Names, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag == _ALTERNATE:
            choice = _first_choice(child)
            if choice is not None:
                _inline_text(choice, w, out)
            continue
        if not isinstance(tag, str) or not tag.startswith(w.prefix) or tag in w.p_skip:
            continue
        if tag == w.r:
            _run_text(child, w, out)
        elif tag == w.ruby:
            base = _child(child, w.rubyBase)
            if base is not None:
                _inline_text(base, w, out)
        elif tag not in w.p_apart:
            # hyperlink, ins, moveTo, smartTag, fldSimple, sdt/sdtContent, customXml, dir, bdo
            _inline_text(child, w, out)


def _paragraph_text(p: etree._Element, w: _Names) -> str:
    out: list[str] = []
    _inline_text(p, w, out)
    return "".join(out)


def _cell_paragraphs(el: etree._Element, w: _Names, out: list[str]) -> list[str]:
    """Raw texts of a cell's paragraphs, those of nested tables included, in document order,
    appended to ``out`` (the cell's content looked through as ``_wrapped`` does)."""
    for child in el:
        tag = child.tag
        if tag == w.p:
            out.append(_paragraph_text(child, w))
        elif tag == w.tbl:
            for tr in _rows(child, w):
                for nested in _wrapped(tr, w):
                    if nested.tag == w.tc:
                        _cell_paragraphs(nested, w, out)
        elif tag in w.wrappers:
            content = _content(child, w)
            if content is not None:
                _cell_paragraphs(content, w, out)
    return out


def _rows(tbl: etree._Element, w: _Names) -> Iterator[etree._Element]:
    for tr in _wrapped(tbl, w):
        if tr.tag != w.tr:
            continue
        tr_pr = _child(tr, w.trPr)
        if tr_pr is not None and _child(tr_pr, w.deleted) is not None:
            continue  # a row deleted with tracked changes on
        yield tr


def _merges(tc: etree._Element, w: _Names) -> tuple[str | None, str | None]:
    """The cell's hMerge and vMerge: 'restart', 'continue' or None each (a missing val means
    continue); from its first properties element, the first of each."""
    tc_pr = _child(tc, w.tcPr)
    if tc_pr is None:
        return None, None
    h = v = None
    for el in tc_pr:
        tag = el.tag
        if tag == w.hMerge and h is None:
            h = "restart" if el.get(w.val) == "restart" else "continue"
        elif tag == w.vMerge and v is None:
            v = "restart" if el.get(w.val) == "restart" else "continue"
    return h, v


@dataclass(frozen=True, slots=True)
class _RawCell:
    text: str
    raw: str


def _row_cells(tr: etree._Element, w: _Names) -> list[_RawCell]:
    cells: list[_RawCell] = []
    for tc in _wrapped(tr, w):
        if tc.tag != w.tc:
            continue
        h_merge, v_merge = _merges(tc, w)
        if h_merge == "continue" and cells:
            continue  # legacy horizontal merge: part of the cell before it
        if v_merge == "continue":
            cells.append(_RawCell("", ""))
            continue
        raws = _cell_paragraphs(tc, w, [])
        text = "\n".join(t for t in (clean(r) for r in raws) if t)
        cells.append(_RawCell(text, "\n".join(raws)))
    return cells


def _frame_content(tbl: etree._Element, w: _Names) -> etree._Element | None:
    """The single cell of a one-cell table that holds tables (a layout frame), else None."""
    rows = list(_rows(tbl, w))
    if len(rows) != 1:
        return None
    cells = [c for c in _wrapped(rows[0], w) if c.tag == w.tc]
    if len(cells) != 1:
        return None
    if not any(c.tag == w.tbl for c in _wrapped(cells[0], w)):
        return None
    return cells[0]


def _display(text: str) -> str:
    return text.replace("\n", " ")


class _Builder:
    def __init__(self, w: _Names) -> None:
        self.w = w
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.paragraphs = 0
        self.tables = 0

    def content(self, parent: etree._Element) -> None:
        w = self.w
        for child in _wrapped(parent, w):
            if child.tag == w.p:
                self.paragraph(child)
            elif child.tag == w.tbl:
                frame = _frame_content(child, w)
                if frame is not None:
                    self.content(frame)
                else:
                    self.table(child)

    def paragraph(self, p: etree._Element) -> None:
        self.paragraphs += 1
        raw = _paragraph_text(p, self.w)
        text = clean(raw)
        self.lines.append(_display(text))
        if text:
            self.blocks.append(
                Paragraph(
                    text=text,
                    line=len(self.lines),
                    col=1,
                    raw=raw,
                    location=f"paragraph {self.paragraphs}",
                )
            )

    def table(self, tbl: etree._Element) -> None:
        raw_rows = [
            cells for cells in (_row_cells(tr, self.w) for tr in _rows(tbl, self.w)) if cells
        ]
        if not raw_rows:
            return
        self.tables += 1
        t = self.tables
        rows: list[Row] = []
        for r, raw_cells in enumerate(raw_rows, start=1):
            self.lines.append(" | ".join(_display(c.text) for c in raw_cells))
            line = len(self.lines)
            cells = tuple(
                Cell(
                    text=c.text,
                    line=line,
                    end_line=line,
                    col=1,
                    raw=c.raw,
                    location=f"table {t}, row {r}, cell {k}",
                )
                for k, c in enumerate(raw_cells, start=1)
            )
            rows.append(Row(cells=cells, line=line, end_line=line))
        self.blocks.append(
            Table(rows=tuple(rows), line=rows[0].line, end_line=rows[-1].line, index=t)
        )


def _layout(root: etree._Element, path: str) -> Layout:
    w = _Names(etree.QName(root).namespace or _W_TRANSITIONAL)
    body = root.find(w.body)
    if body is None:
        raise ReadError(path, "the Word document has no body")
    builder = _Builder(w)
    builder.content(body)
    return Layout(blocks=tuple(builder.blocks), lines=tuple(builder.lines))


def layout_docx(data: bytes, path: str) -> Layout:
    """Paragraphs and tables of a .docx file's body, in document order; ``ReadError`` for anything
    that is not a readable Word document (see the module docstring)."""
    try:
        return _layout(_document_xml(data, path), path)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(path, "the Word document nests too deeply to read") from None
    except MemoryError:
        raise ReadError(path, "the Word document is too large to read") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ReadError(path, f"a damaged zip archive ({exc})") from None
    except NotImplementedError as exc:
        raise ReadError(path, f"the zip archive uses an unsupported feature ({exc})") from None
    except Exception as exc:  # zipfile, zlib, lzma, bz2 and lxml raise many kinds on damaged input
        raise ReadError(path, f"a damaged Word file ({type(exc).__name__}: {exc})") from None
