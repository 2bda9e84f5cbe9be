"""Bytes -> text -> model: every encoding and line ending a real file arrives in reads to the same
model with the same line numbers; what is not a text dump is refused with a reason; and no byte
string, and no mangled copy of the sample, makes the reader or the rules raise anything else.

The reference is the sample as published (UTF-8, LF); every other input is the same text
re-encoded, so the expected model is the sample's own, whatever the reader makes of it.
"""

from __future__ import annotations

import codecs
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconcile import reader
from reconcile.canonical import document_to_dict
from reconcile.engine import check
from reconcile.errors import ReadError
from reconcile.reader import Loaded, read_bytes, read_path
from reconcile.sources.decode import decode, split_lines, utf8_text

SAMPLE_PATH = (
    Path(__file__).resolve().parent.parent / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
)
SAMPLE_BYTES = SAMPLE_PATH.read_bytes()
SAMPLE_TEXT = SAMPLE_BYTES.decode("utf-8")
SAMPLE_LINES = SAMPLE_TEXT.split("\n")[:-1]  # the file ends with a line break
CRLF_TEXT = SAMPLE_TEXT.replace("\n", "\r\n")


@pytest.fixture(scope="module")
def reference() -> Loaded:
    return read_bytes(SAMPLE_BYTES, "x.txt")


def comparable(loaded: Loaded) -> dict[str, Any]:
    """The model as JSON data, without what is allowed to differ between encodings."""
    data = document_to_dict(loaded.document)
    del data["document"]["encoding"]
    del data["document"]["source"]
    return data


# --- one model whatever the encoding -------------------------------------------------------------


def case(name: str, data: bytes, names: set[str]) -> Any:
    return pytest.param(data, names, id=name)


# (id, bytes, the encoding names that may be reported for them)
ENCODED = [
    case("utf-8", SAMPLE_BYTES, {"utf-8"}),
    case("gb18030", SAMPLE_TEXT.encode("gb18030"), {"gb18030"}),
    case(
        "utf-16-le with BOM",
        codecs.BOM_UTF16_LE + SAMPLE_TEXT.encode("utf-16-le"),
        {"utf-16", "utf-16-le"},
    ),
    case(
        "utf-16-be with BOM",
        codecs.BOM_UTF16_BE + SAMPLE_TEXT.encode("utf-16-be"),
        {"utf-16", "utf-16-be"},
    ),
    case(
        "utf-16-le without BOM",
        SAMPLE_TEXT.encode("utf-16-le"),
        {"utf-16", "utf-16-le"},
    ),
    case(
        "utf-16-be without BOM",
        SAMPLE_TEXT.encode("utf-16-be"),
        {"utf-16", "utf-16-be"},
    ),
    case("utf-8 with BOM", codecs.BOM_UTF8 + SAMPLE_BYTES, {"utf-8-sig"}),
    case("utf-8 with BOM and CRLF", codecs.BOM_UTF8 + CRLF_TEXT.encode("utf-8"), {"utf-8-sig"}),
    case("utf-8 with CRLF", CRLF_TEXT.encode("utf-8"), {"utf-8"}),
    case("utf-8 with CR", SAMPLE_TEXT.replace("\n", "\r").encode("utf-8"), {"utf-8"}),
    case("gb18030 with CRLF", CRLF_TEXT.encode("gb18030"), {"gb18030"}),
    case(
        "utf-16-le with BOM and CRLF",
        codecs.BOM_UTF16_LE + CRLF_TEXT.encode("utf-16-le"),
        {"utf-16", "utf-16-le"},
    ),
]


@pytest.mark.parametrize(("data", "names"), ENCODED)
def test_every_encoding_reads_to_the_same_model_with_the_same_lines(reference, data, names):
    loaded = read_bytes(data, "x.txt")
    assert loaded.document.info.encoding in names
    assert loaded.lines == reference.lines
    assert comparable(loaded) == comparable(reference)


def test_the_reference_reads_the_figures_on_their_lines(reference):
    # so that "the same model" above is not the same empty model
    budget = reference.document.budget
    assert (budget.income_total.value, budget.income_total.line) == (Decimal("2834.55"), 35)
    assert len(reference.lines) == 2553
    assert reference.lines[34] == "2021年年初部门收入预算总额2834.55万元。"


def test_the_line_numbers_of_a_crlf_gb18030_file_are_those_of_the_document():
    loaded = read_bytes(CRLF_TEXT.encode("gb18030"), "x.txt")
    doc = loaded.document
    assert doc.budget.change_total.line == 47
    assert doc.assets.rows[0].line == 2501
    assert loaded.lines[2500] == "\t二、固定资产"


def test_split_lines_treats_lf_crlf_and_cr_alike():
    assert split_lines("a\nb\r\nc\rd") == ["a", "b", "c", "d"]
    assert split_lines("a\r\n\r\nb\r\n") == ["a", "", "b"]
    assert split_lines("a\n\n") == ["a", ""]


def test_a_bom_is_not_part_of_the_first_line():
    decoded = decode(codecs.BOM_UTF8 + "保定白沟新城管理委员会组织人事局\n".encode(), "x.txt")
    assert decoded.text == "保定白沟新城管理委员会组织人事局\n"
    assert decoded.encoding == "utf-8-sig"
    loaded = read_bytes(codecs.BOM_UTF16_LE + SAMPLE_TEXT.encode("utf-16-le"), "x.txt")
    assert loaded.lines[0] == "保定白沟新城管理委员会组织人事局"
    assert loaded.document.info.department == "保定白沟新城管理委员会组织人事局"


# --- what is not a text dump ---------------------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x00\x00\x00\x01\x80\x08\x06" + bytes(64)
BINARY_WITH_NULS = bytes(range(256)) * 4
# bytes that are neither UTF-8 (0x80 cannot start a character, 0xFF never occurs) nor GB18030
# (0x80 and 0xFF are no lead bytes)
NOT_UTF8_NOT_GB = b"\x80\xff\xfe\x80" * 64
# the sample with one byte cut out of the middle of a character in every line: no encoding fits
BROKEN_UTF8 = b"\n".join(line[:-1] + b"\xff" for line in SAMPLE_BYTES.split(b"\n")[:200])

REFUSED = [
    pytest.param(b"", ("empty",), id="empty"),
    pytest.param(PDF, ("PDF",), id="pdf renamed .txt"),
    pytest.param(PNG, ("PNG",), id="png"),
    pytest.param(BINARY_WITH_NULS, ("binary", "NUL"), id="binary with NUL bytes"),
    pytest.param(NOT_UTF8_NOT_GB, ("not a text file",), id="neither utf-8 nor gb18030"),
    pytest.param(BROKEN_UTF8, ("not a text file",), id="broken utf-8"),
    # neither UTF-8 nor GB18030, and no Chinese in whatever a charset detector makes of it
    pytest.param(
        "Budget report: café, naïve, résumé, déjà vu. ".encode("latin-1") * 8,
        ("GB18030",),
        id="latin-1 text",
    ),
]


@pytest.mark.parametrize(("data", "words"), REFUSED)
def test_what_is_not_a_text_dump_is_refused_with_a_reason(data, words):
    with pytest.raises(ReadError) as caught:
        read_bytes(data, "x.txt")
    error = caught.value
    assert error.path == "x.txt"
    assert str(error) == f"x.txt: {error.reason}"
    assert "\n" not in error.reason
    for word in words:
        assert word in error.reason


def test_a_pdf_named_txt_is_refused_by_its_content_not_its_name():
    with pytest.raises(ReadError) as caught:
        read_bytes(PDF, "2021年部门预算.txt")
    assert "PDF" in caught.value.reason
    assert caught.value.path == "2021年部门预算.txt"


# --- full-width digits and thousands separators ---------------------------------------------------


def edited_sample(edits: dict[int, tuple[str, str]]) -> bytes:
    """The sample with ``old`` replaced by ``new`` on the given (1-based) lines."""
    lines = list(SAMPLE_LINES)
    for number, (old, new) in edits.items():
        assert old in lines[number - 1], (number, lines[number - 1])
        lines[number - 1] = lines[number - 1].replace(old, new)
    return ("\n".join(lines) + "\n").encode("utf-8")


def without_texts(data: Any) -> Any:
    """JSON data without the written ``text`` of figures and year mentions (the written form is
    what the edits change)."""
    if isinstance(data, dict):
        return {k: without_texts(v) for k, v in data.items() if k != "text"}
    if isinstance(data, list):
        return [without_texts(x) for x in data]
    return data


def test_full_width_digits_and_thousands_separators_read_to_the_same_decimals(reference):
    data = edited_sample(
        {
            35: ("2834.55万元", "２８３４.５５万元"),  # 2021年年初部门收入预算总额
            52: ("2.7万元", "２．７万元"),  # 财政拨款“三公经费”预算数
            2308: ("45.11", "４５.１１"),  # the procurement 合计 row's 预算资金
            2503: ("1534512.83", "1,534,512.83"),  # 二、固定资产 年末数 (元)
            2539: ("1255247.83", "1,255,247.83"),  # （四）其他固定资产
        }
    )
    loaded = read_bytes(data, "x.txt")
    doc = loaded.document
    income = doc.budget.income_total
    assert (income.value, income.line, income.unit) == (Decimal("2834.55"), 35, "万元")
    assert str(income.value) == "2834.55"
    assert income.text == "２８３４.５５万元"
    stated = doc.three_public.stated_total
    assert (stated.value, stated.line) == (Decimal("2.7"), 52)
    total_budget = doc.procurement.total_row.budget
    assert (total_budget.value, total_budget.line) == (Decimal("45.11"), 2308)
    fixed, other = doc.assets.rows[0], doc.assets.rows[-1]
    assert (fixed.name, fixed.value.value, fixed.value.line) == (
        "二、固定资产",
        Decimal("1534512.83"),
        2503,
    )
    assert (other.name, other.value.value) == ("（四）其他固定资产", Decimal("1255247.83"))
    assert doc.assets.table_unit == "元"
    assert without_texts(comparable(loaded)) == without_texts(comparable(reference))


# --- nothing else ever escapes -------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_document_or_a_read_error(data):
    try:
        loaded = read_bytes(data, "x.txt")
    except ReadError as error:
        assert error.reason
        return
    assert isinstance(loaded, Loaded)


@st.composite
def mangled_samples(draw: st.DrawFn) -> bytes:
    """The sample with lines deleted, duplicated and shuffled, digits garbled, re-encoded and
    perhaps cut short in the middle of a character."""
    lines = list(SAMPLE_LINES)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "shuffle", "garble"]))
        start = draw(st.integers(0, len(lines) - 1))
        count = draw(st.integers(1, 80))
        if op == "delete":
            del lines[start : start + count]
        elif op == "duplicate":
            lines[start:start] = lines[start : start + count]
        elif op == "shuffle":
            lines[start : start + count] = draw(st.permutations(lines[start : start + count]))
        else:
            noise = st.sampled_from(list("0123456789０９.,，-−－%％万元≥＜<　\t"))
            for i in range(start, min(len(lines), start + count)):
                lines[i] = "".join(draw(noise) if ch.isdigit() else ch for ch in lines[i])
        if not lines:
            lines = ["第一部分："]
    text = "\n".join(lines) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    data = text.encode(encoding)
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mangled_samples())
def test_mangled_samples_never_crash_the_reader_or_the_rules(data):
    try:
        loaded = read_bytes(data, "x.txt")
    except ReadError:
        return
    findings = check([loaded.document])
    assert all(f.document == "x.txt" for f in findings)


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE_BYTES[:-2],  # cut inside the last character (。 is three bytes)
        SAMPLE_TEXT.encode("gb18030")[:-1],
        (codecs.BOM_UTF16_LE + SAMPLE_TEXT.encode("utf-16-le"))[:-1],
        SAMPLE_BYTES[: len(SAMPLE_BYTES) // 2],
        "\n".join(reversed(SAMPLE_LINES)).encode(),
        "\n".join(SAMPLE_LINES[::2]).encode(),
        "\n".join(line for line in SAMPLE_LINES if not line.startswith("\t")).encode(),
        "\n".join(line for line in SAMPLE_LINES if line.startswith("\t")).encode(),
    ],
    ids=[
        "utf-8 cut mid-character",
        "gb18030 cut mid-character",
        "utf-16 cut mid-character",
        "first half",
        "lines reversed",
        "every other line",
        "no table lines",
        "only table lines",
    ],
)
def test_known_manglings_never_crash_the_reader_or_the_rules(data):
    try:
        loaded = read_bytes(data, "x.txt")
    except ReadError as error:
        assert error.reason
        return
    check([loaded.document])


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (SAMPLE_BYTES, (SAMPLE_BYTES, "utf-8")),
        (codecs.BOM_UTF8 + SAMPLE_BYTES, (SAMPLE_BYTES, "utf-8-sig")),
        # what decode must judge: another byte-order mark, NUL bytes, a known format, another
        # encoding from the start, a file of a few kilobytes
        (SAMPLE_TEXT.encode("utf-16"), None),
        (codecs.BOM_UTF32_LE + SAMPLE_TEXT.encode("utf-32-le"), None),
        (SAMPLE_BYTES + b"\x00", None),
        (b"%PDF-1.4\n" + SAMPLE_BYTES, None),
        (SAMPLE_TEXT.encode("gb18030"), None),
        (SAMPLE_BYTES[:4096], None),
    ],
)
def test_utf8_text_takes_what_decode_reads_as_utf8(data: bytes, found: Any) -> None:
    got = utf8_text(data)
    assert (got[:2] if got else None) == found
    if got:
        assert decode(data, "x.txt").encoding == got[1]
        assert SAMPLE_TEXT.startswith(got[2]) and len(got[2]) > 1000


def test_utf8_text_leaves_out_a_character_cut_by_its_head() -> None:
    # 4,095 ASCII bytes, then 中 (three bytes) across the head's end: not an error
    data = b"a" * 4095 + "中文".encode() * 10
    payload, name, head = utf8_text(data) or (b"", "", "")
    assert (payload, name, head) == (data, "utf-8", "a" * 4095)
    # ... but a byte UTF-8 never has, inside the head, is
    assert utf8_text(b"a" * 100 + b"\xff" + b"a" * 5000) is None


def test_a_path_that_is_no_file_is_refused_with_a_reason(tmp_path, monkeypatch) -> None:
    with pytest.raises(ReadError, match="no such file"):
        read_path(str(tmp_path / "missing.txt"))
    with pytest.raises(ReadError, match="is a folder"):
        read_path(str(tmp_path))
    (tmp_path / "link.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "f.txt").write_bytes(SAMPLE_BYTES)
    # what Path.exists() finds missing: a dangling link, a loop, a file taken for a folder, a NUL
    for missing in ("link.txt", "loop.txt", "f.txt/x", "a\0b"):
        with pytest.raises(ReadError, match="no such file"):
            read_path(str(tmp_path / missing))
    # a path as Path reads it: "f.txt/" is the file, "" the current folder
    assert read_path(str(tmp_path / "f.txt") + "/").document.info.encoding == "utf-8"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ReadError, match="is a folder"):
        read_path("")
    with pytest.raises(ReadError, match="cannot read: File name too long"):
        read_path("x" * 300 + ".txt")
    # over the size limit: refused by its size, before it is read (a .docx by what is read)
    monkeypatch.setattr(reader, "MAX_DOCUMENT_BYTES", 1000)
    (tmp_path / "big.txt").write_bytes(SAMPLE_BYTES)
    with pytest.raises(ReadError, match=f"the file is {len(SAMPLE_BYTES)} bytes, over the 1000"):
        read_path(str(tmp_path / "big.txt"))
    for name in ("big.docx", "..docx"):  # a suffix as Path sees it
        (tmp_path / name).write_bytes(SAMPLE_BYTES)
        with pytest.raises(ReadError, match="the input is over the 1000 byte limit"):
            read_path(str(tmp_path / name))
