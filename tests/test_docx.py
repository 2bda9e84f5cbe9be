"""The .docx reader: the sample rebuilt as Word reads back to the text dump's layout; merges, block
numbers and locations; and every hostile input ends in ReadError, never another exception."""

from __future__ import annotations

import io
import re
import struct
import time
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from make_docx import SAMPLE, build_docx, layout_of_dump, plan_table

from reconcile.errors import ReadError
from reconcile.sources import docx as docx_reader
from reconcile.sources.docx import layout_docx
from reconcile.sources.layout import Layout, Paragraph, Table

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MB = 1024 * 1024


# --- building inputs -----------------------------------------------------------------------------


def package(
    document_xml: str | bytes, *, main: str = "word/document.xml", rels: bool = True
) -> bytes:
    """A minimal Word package around a main part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/' + main + '" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        if rels:
            zf.writestr(
                "_rels/.rels",
                '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="'
                + main
                + '"/></Relationships>',
            )
        zf.writestr(main, document_xml)
    return out.getvalue()


def body(xml: str, ns: str = W) -> bytes:
    return package(
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{ns}" xmlns:mc="http://schemas.openxmlformats.org/'
        f'markup-compatibility/2006"><w:body>{xml}</w:body></w:document>'
    )


def p(text: str = "") -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>' if text else "<w:p/>"


def tc(*paragraphs: str, props: str = "") -> str:
    inner = "".join(x if x.startswith("<") else p(x) for x in paragraphs) or "<w:p/>"
    return f"<w:tc>{'<w:tcPr>' + props + '</w:tcPr>' if props else ''}{inner}</w:tc>"


def tr(*cells: str, props: str = "") -> str:
    return f"<w:tr>{'<w:trPr>' + props + '</w:trPr>' if props else ''}{''.join(cells)}</w:tr>"


def tbl(*rows: str) -> str:
    return f"<w:tbl>{''.join(rows)}</w:tbl>"


def tables(layout: Layout) -> list[Table]:
    return [b for b in layout.blocks if isinstance(b, Table)]


def paragraphs(layout: Layout) -> list[Paragraph]:
    return [b for b in layout.blocks if isinstance(b, Paragraph)]


def read(data: bytes) -> Layout:
    return layout_docx(data, "test.docx")


def saved(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def restored(data: bytes, compression: int) -> bytes:
    """The same package written again with another compression (ZIP_STORED exposes the XML to
    byte flips)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", compression) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    return out.getvalue()


def patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s uncompressed size rewritten in its local and central headers."""
    buf = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<I", buf, info.header_offset + 22, size)
    for m in re.finditer(rb"PK\x01\x02", bytes(buf)):
        start = m.start()
        name_len = struct.unpack_from("<H", buf, start + 28)[0]
        if bytes(buf[start + 46 : start + 46 + name_len]) == name.encode():
            struct.pack_into("<I", buf, start + 24, size)
    return bytes(buf)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dump() -> Layout:
    return layout_of_dump(SAMPLE)


@pytest.fixture(scope="module")
def sample_docx(dump: Layout, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "baigou-zuzhirenshi-2021-budget.docx"
    path.write_bytes(build_docx(dump))
    return path


@pytest.fixture(scope="module")
def from_docx(sample_docx: Path) -> Layout:
    return layout_docx(sample_docx.read_bytes(), str(sample_docx))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A package whose word/document.xml is 120 MB of spaces: about 120 KB deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("_rels/.rels", "<Relationships/>")
        with zf.open("word/document.xml", "w") as f:
            f.write(b'<?xml version="1.0"?>')
            chunk = b" " * MB
            for _ in range(120):
                f.write(chunk)
    return out.getvalue()


SMALL_DOC = docx.Document()
SMALL_DOC.add_paragraph("部门预算")
_t = SMALL_DOC.add_table(rows=3, cols=3)
_t.cell(0, 0).merge(_t.cell(0, 1)).text = "项目"
_t.cell(1, 2).merge(_t.cell(2, 2)).text = "45.11"
_t.cell(1, 0).text = "合计"
SMALL = saved(SMALL_DOC)
SMALL_STORED = restored(SMALL, zipfile.ZIP_STORED)


# --- the sample, rebuilt as Word -----------------------------------------------------------------


def test_sample_tables_read_back_as_in_the_dump(dump: Layout, from_docx: Layout) -> None:
    assert len(tables(from_docx)) == len(tables(dump)) == 26
    for ours, theirs in zip(tables(from_docx), tables(dump), strict=True):
        assert ours.index == theirs.index
        assert [r.texts for r in ours.rows] == [r.texts for r in theirs.rows]


def test_sample_paragraphs_read_back_as_in_the_dump(dump: Layout, from_docx: Layout) -> None:
    assert [x.text for x in paragraphs(from_docx)] == [x.text for x in paragraphs(dump)]


def test_procurement_header_keeps_the_dump_cell_counts(from_docx: Layout) -> None:
    procurement = next(t for t in tables(from_docx) if t.rows[0].texts[0] == "政府采购项目来源")
    assert [len(r) for r in procurement.rows[:4]] == [7, 10, 14, 14]
    assert procurement.width == 14
    assert procurement.rows[1].texts[7:] == ("总计", "当年部门预算安排资金", "其他渠道资金")
    assert procurement.rows[2].texts[8] == "合计"


def test_block_numbers_are_one_based_in_order_and_index_lines(from_docx: Layout) -> None:
    numbers: list[int] = []
    for block in from_docx.blocks:
        if isinstance(block, Paragraph):
            numbers.append(block.line)
            assert from_docx.lines[block.line - 1] == block.text
        else:
            assert block.line == block.rows[0].line and block.end_line == block.rows[-1].line
            for row in block.rows:
                numbers.append(row.line)
                assert row.end_line == row.line
                assert all(c.line == c.end_line == row.line and c.col == 1 for c in row.cells)
                assert from_docx.lines[row.line - 1] == " | ".join(
                    t.replace("\n", " ") for t in row.texts
                )
    assert numbers[0] == 1
    assert numbers == sorted(set(numbers))
    assert numbers[-1] == len(from_docx.lines)


def test_every_cell_has_a_location(from_docx: Layout) -> None:
    for table in tables(from_docx):
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                assert cell.location == f"table {table.index}, row {r}, cell {c}"
    procurement = tables(from_docx)[24]
    assert procurement.rows[2].cells[8].location == "table 25, row 3, cell 9"
    assert procurement.rows[2].cells[8].text == "合计"
    assert paragraphs(from_docx)[0].location == "paragraph 1"


def test_plan_lays_a_grouped_header_over_the_row_below() -> None:
    plan = plan_table(
        [("来源", "物品", "金额"), ("名称", "资金", "", "总计", "其他"), ("a", "b", "c", "d", "e")]
    )
    assert [(s.col, s.span, s.continues) for s in plan[0]] == [
        (0, 2, False),
        (2, 1, False),
        (3, 2, False),
    ]
    assert [s.continues for s in plan[1]] == [False, False, True, False, False]
    # no reading fits: the last cell takes the missing columns
    assert [s.span for s in plan_table([("目标", "说明"), ("a", "b", "c", "d")])[0]] == [1, 3]


# --- merges --------------------------------------------------------------------------------------


def test_python_docx_merges_give_one_cell_across_and_empty_cells_below() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "政府采购项目来源"
    table.cell(0, 2).merge(table.cell(0, 3)).text = "政府采购金额"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "项目名称"
    table.cell(1, 1).text = "预算资金"
    table.cell(2, 3).text = "5.33"
    (t,) = tables(read(saved(document)))
    assert [r.texts for r in t.rows] == [
        ("政府采购项目来源", "政府采购金额"),
        ("项目名称", "预算资金", "", ""),
        ("", "", "", "5.33"),
    ]


def test_word_style_merges_vmerge_without_val_and_legacy_hmerge() -> None:
    layout = read(
        body(
            tbl(
                tr(tc("一级指标", props='<w:vMerge w:val="restart"/>'), tc("数量指标"), tc("≥95%")),
                tr(tc("stale text", props="<w:vMerge/>"), tc("质量指标"), tc("100%")),
                tr(
                    tc("合计", props='<w:hMerge w:val="restart"/>'),
                    tc(props="<w:hMerge/>"),
                    tc("1"),
                ),
                tr(tc("a", props='<w:gridSpan w:val="x"/>'), tc("b"), tc("c")),
            )
        )
    )
    assert [r.texts for r in tables(layout)[0].rows] == [
        ("一级指标", "数量指标", "≥95%"),
        ("", "质量指标", "100%"),
        ("合计", "1"),
        ("a", "b", "c"),
    ]


def test_cell_paragraphs_are_cleaned_and_joined_empty_ones_dropped() -> None:
    layout = read(
        body(
            tbl(
                tr(
                    tc("1.保障运行", "", "\u3000 ", "2.保障安全[bookmark: _GoBack]\u3000"),
                    tc(" 合\u3000计 "),
                )
            )
        )
    )
    (cell, total) = tables(layout)[0].rows[0].cells
    assert cell.text == "1.保障运行\n2.保障安全"
    assert cell.raw.split("\n")[-1] == "2.保障安全[bookmark: _GoBack]\u3000"
    assert total.text == "合\u3000计"
    assert layout.lines == ("1.保障运行 2.保障安全 | 合\u3000计",)


# --- numbering -----------------------------------------------------------------------------------


def test_empty_paragraphs_keep_their_block_number() -> None:
    layout = read(
        body(
            p("一、部门职责")
            + p()
            + p("\u3000")
            + tbl(tr(tc("序号"), tc("单位名称")))
            + p("二、收入")
        )
    )
    assert layout.lines == ("一、部门职责", "", "", "序号 | 单位名称", "二、收入")
    first, table, last = layout.blocks
    assert isinstance(first, Paragraph) and first.line == 1 and first.location == "paragraph 1"
    assert isinstance(table, Table) and table.line == 4 and table.index == 1
    assert isinstance(last, Paragraph) and last.line == 5 and last.location == "paragraph 4"


def test_rows_without_cells_and_tables_without_rows_are_skipped() -> None:
    layout = read(body(tbl() + tbl(tr(), tr(tc("a"))) + p("b")))
    assert layout.lines == ("a", "b")
    (t,) = tables(layout)
    assert t.index == 1 and t.rows[0].cells[0].location == "table 1, row 1, cell 1"


# --- what counts as text -------------------------------------------------------------------------


def test_runs_tabs_breaks_and_tracked_changes() -> None:
    layout = read(
        body(
            "<w:p><w:r><w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t>"
            '<w:br w:type="page"/></w:r>'
            "<w:del><w:r><w:delText>删</w:delText></w:r></w:del>"
            "<w:ins><w:r><w:t>增</w:t></w:r></w:ins>"
            '<w:hyperlink><w:r><w:t xml:space="preserve"> 链接</w:t></w:r></w:hyperlink></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText>'
            '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            "<w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing><w:txbxContent>"
            + p("框内")
            + "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent>"
            + p("框内")
            + "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
            "<w:r><w:t>正文</w:t></w:r></w:p>"
        )
    )
    assert [x.text for x in paragraphs(layout)] == ["a\tb\nc增 链接", "7", "正文"]
    assert layout.lines[0] == "a\tb c增 链接"


def test_content_controls_and_deleted_rows() -> None:
    layout = read(
        body(
            "<w:sdt><w:sdtContent>"
            + p("控件内段落")
            + tbl(
                tr(tc("a"), "<w:sdt><w:sdtContent>" + tc("b") + "</w:sdtContent></w:sdt>"),
                tr(tc("删"), tc("除"), props="<w:del/>"),
                "<w:customXml>" + tr(tc("c"), tc("d")) + "</w:customXml>",
            )
            + "</w:sdtContent></w:sdt>"
        )
    )
    assert [x.text for x in paragraphs(layout)] == ["控件内段落"]
    assert [r.texts for r in tables(layout)[0].rows] == [("a", "b"), ("c", "d")]


def test_nested_tables_flatten_into_their_cell_and_frames_unwrap() -> None:
    nested = tbl(tr(tc("x"), tc("y")), tr(tc("z"), tc()))
    layout = read(
        body(
            tbl(tr(tc("外", nested, "后"), tc("右")))
            + tbl(
                tr(tc(p("框中段落") + tbl(tr(tc("项目"), tc("金额")), tr(tc("合计"), tc("3.4")))))
            )
        )
    )
    first, frame_paragraph, inner = layout.blocks
    assert isinstance(first, Table) and first.rows[0].texts == ("外\nx\ny\nz\n后", "右")
    assert isinstance(frame_paragraph, Paragraph) and frame_paragraph.text == "框中段落"
    assert isinstance(inner, Table) and inner.index == 2
    assert [r.texts for r in inner.rows] == [("项目", "金额"), ("合计", "3.4")]


def test_main_part_found_through_the_package_relationships() -> None:
    xml = f'<w:document xmlns:w="{W}"><w:body>{p("正文")}</w:body></w:document>'
    assert paragraphs(read(package(xml, main="word/document2.xml")))[0].text == "正文"
    # without _rels/.rels, word/document.xml is still found
    assert paragraphs(read(package(xml, rels=False)))[0].text == "正文"


def test_strict_ooxml_namespace() -> None:
    layout = read(body(p("严格") + tbl(tr(tc("a"), tc("b"))), ns=W_STRICT))
    assert layout.lines == ("严格", "a | b")


# --- refusals ------------------------------------------------------------------------------------


def refused(data: bytes) -> str:
    with pytest.raises(ReadError) as info:
        read(data)
    assert info.value.path == "test.docx"
    return info.value.reason


def test_zip_bomb_refused_by_declared_size(bomb: bytes) -> None:
    assert len(bomb) < 2 * MB
    assert "zip bomb" in refused(bomb)


def test_lying_declared_size_still_refused(bomb: bytes) -> None:
    liar = patch_declared_size(bomb, "word/document.xml", 4096)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("word/document.xml").file_size == 4096
    start = time.perf_counter()
    # zipfile stops at the declared 4 KB and then fails the CRC check; the budget would stop it too
    assert "damaged zip archive" in refused(liar)
    assert time.perf_counter() - start < 5


def test_bounded_stream_stops_at_the_budget_whatever_is_declared(bomb: bytes) -> None:
    """The stream counts what it unpacks, so the limit holds even if a zip library trusted a
    declared size: here the budget is smaller than the part."""
    zf = zipfile.ZipFile(io.BytesIO(bomb))
    budget = docx_reader._Budget(5 * MB)
    with pytest.raises(ReadError, match="zip bomb"):
        docx_reader._read_part(zf, zf.getinfo("word/document.xml"), budget, "test.docx")
    assert -docx_reader._CHUNK <= budget.left < 0  # stopped within one chunk of the limit


def test_legacy_doc_refused() -> None:
    doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "WordDocument".encode("utf-16-le")
    assert refused(doc) == "a legacy Word .doc file; save it as .docx"


def test_password_protected_docx_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le")
    assert "password" in refused(ole)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "PNG"),
        (b"just some text", "not a zip"),
        (b"PK\x03\x04" + b"\0" * 40, "zip"),
        (b"PK\x05\x06" + b"\0" * 18, "no word/document.xml"),
    ],
)
def test_other_formats_refused(data: bytes, expected: str) -> None:
    assert expected in refused(data)


def test_zip_without_word_document_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert "no word/document.xml" in refused(out.getvalue())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert "Excel" in refused(out.getvalue())


def test_truncated_docx_refused() -> None:
    for size in (len(SMALL) // 2, len(SMALL) - 30, 100):
        assert refused(SMALL[:size])


def test_encrypted_member_refused() -> None:
    buf = bytearray(SMALL)
    info = zipfile.ZipFile(io.BytesIO(SMALL)).getinfo("word/document.xml")
    buf[info.header_offset + 6] |= 1
    for m in re.finditer(rb"PK\x01\x02", bytes(buf)):
        name_len = struct.unpack_from("<H", buf, m.start() + 28)[0]
        if bytes(buf[m.start() + 46 : m.start() + 46 + name_len]) == b"word/document.xml":
            buf[m.start() + 8] |= 1
    assert "encrypted" in refused(bytes(buf))


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ("<w:document", "not well-formed"),
        ("", "not well-formed"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body>'
            "</w:document>",
            "DTD",
        ),
        (f'<w:document xmlns:w="{W}"/>', "no body"),
        ("<html><body/></html>", "not a WordprocessingML document"),
        ("<a>" * 5000 + "</a>" * 5000, "not well-formed"),
    ],
)
def test_bad_document_xml_refused(xml: str, expected: str) -> None:
    assert expected in refused(package(xml))


# --- any bytes: a Layout or a ReadError ----------------------------------------------------------


def layout_or_read_error(data: bytes) -> None:
    try:
        result = read(data)
    except ReadError:
        return
    assert isinstance(result, Layout)


def test_small_docx_reads() -> None:
    layout = read(SMALL)
    assert [r.texts for r in tables(layout)[0].rows] == [
        ("项目", ""),
        ("合计", "", "45.11"),
        ("", "", ""),
    ]
    assert read(SMALL_STORED) == layout


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    with pytest.raises(ReadError):
        read(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=512))
def test_random_bytes_behind_zip_magic(data: bytes) -> None:
    layout_or_read_error(b"PK\x03\x04" + data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([SMALL, SMALL_STORED]), st.integers(min_value=0))
def test_truncations(data: bytes, cut: int) -> None:
    layout_or_read_error(data[: cut % (len(data) + 1)])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([SMALL, SMALL_STORED]),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=4),
)
def test_byte_flips(data: bytes, flips: list[tuple[int, int]]) -> None:
    buf = bytearray(data)
    for at, value in flips:
        buf[at % len(buf)] = value
    layout_or_read_error(bytes(buf))
