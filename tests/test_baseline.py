"""Baselines of a province's size: written from the findings frame, and read line by line by
Polars when the file is in the layout written (tomllib otherwise). Whatever the file holds, the
ids and reasons read must be what tomllib reads from it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconcile import baseline
from reconcile.baseline import read_baseline, read_reasons, write_baseline
from reconcile.engine import FINDINGS_SCHEMA
from reconcile.errors import UsageError

HEX = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cs",)), st.sampled_from('"\\\n\r\t\x00\x7f#=[]')
    ),
    max_size=20,
)


def by_tomllib(text: str) -> list[tuple[str, str | None]]:
    """(id, reason) of every [[finding]] table with an id, as tomllib reads the text."""
    entries = tomllib.loads(text).get("finding", [])
    return [
        (str(e["id"]), str(e["reason"]) if e.get("reason") else None)
        for e in entries
        if isinstance(e, dict) and "id" in e
    ]


def fast(text: str) -> list[tuple[str, str | None]] | None:
    frame = baseline._entries_as_written(text.encode("utf-8"))
    if frame is None:
        return None
    return [(i, r or None) for i, r in frame.iter_rows()]


@st.composite
def written(draw: st.DrawFn) -> str:
    """A baseline as tomli_w writes it (the layout write_baseline gives), reasons filled in."""
    entries = [
        {
            "id": draw(HEX),
            "rule": draw(st.sampled_from(["BUD001", "TPE002"])),
            "document": draw(TEXT),
            "message": draw(TEXT) + "x" * 80,  # long enough not to be inlined, as messages are
            "reason": draw(TEXT),
        }
        for _ in range(draw(st.integers(0, 5)))
    ]
    return tomli_w.dumps({"schema": "reconcile.baseline/1", "finding": entries})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written())
def test_the_layout_written_is_read_as_tomllib_reads_it(text):
    assert fast(text) == by_tomllib(text)
    assert fast(text.replace("\n", "\r\n")) == by_tomllib(text)


EDITS = [
    ('reason = ""', 'reason = """\nid = "ffffffffffffffff"\n"""'),  # a line that looks like an id
    ('reason = ""', "reason = 'literal'"),
    ('reason = ""', 'reason = "x" # a comment'),
    ('reason = ""', 'reason = ""\nreason = "twice"'),  # a key repeated: tomllib refuses it
    ('reason = ""', 'reason = "\\ud800"'),  # not a character: tomllib refuses it
    ('rule = "BUD001"', 'rule = "\\uDFFF"'),  # ... in any key, not only the two read
    ('rule = "BUD001"', 'rule = "\\U00110000"'),
    ('schema = "reconcile.baseline/1"', 'schema = "reconcile.baseline/1\\U0000d800"'),
    ('reason = ""', 'reason = "tab\\there \\u00e9 \\U0001F600 \\"quoted\\""'),
    ('reason = ""', "reason = []"),
    ('id = "0000000000000001"', "id = []"),
    ('schema = "reconcile.baseline/1"', "finding = []"),
    ("[[finding]]", "[[ finding ]]"),
    ("[[finding]]", "[finding]"),
    ('id = "', 'id  =  "'),
    ('schema = "reconcile.baseline/1"', 'finding = "oops"'),
    ('schema = "reconcile.baseline/1"', '\ufeffschema = "reconcile.baseline/1"'),
]


@pytest.mark.parametrize(("old", "new"), EDITS)
def test_an_edited_baseline_reads_as_tomllib_reads_it(tmp_path, old, new):
    text = tomli_w.dumps(
        {
            "schema": "reconcile.baseline/1",
            "finding": [
                {"id": f"{i:016x}", "rule": "BUD001", "message": "m" * 90, "reason": ""}
                for i in range(3)
            ],
        }
    ).replace(old, new, 1)
    path = tmp_path / "baseline.toml"
    path.write_text(text, encoding="utf-8")
    try:
        expected = by_tomllib(text)
    except tomllib.TOMLDecodeError:
        assert fast(text) is None  # left to tomllib, which reports the error and its line
        with pytest.raises(UsageError, match="not a readable baseline"):
            read_baseline(str(path))
        return
    assert fast(text) in (None, expected)
    assert read_baseline(str(path)) == {i for i, _ in expected}
    if "ffffffffffffffff" in new:
        assert "ffffffffffffffff" not in read_baseline(str(path))


def findings(ids: list[str]) -> pl.DataFrame:
    rows = [
        {k: None for k in FINDINGS_SCHEMA}
        | {"id": i, "rule": "BUD001", "document": "a.txt", "message": f"finding {n}" + "x" * 90}
        for n, i in enumerate(ids)
    ]
    return pl.DataFrame(rows, schema=FINDINGS_SCHEMA)


def test_rewriting_keeps_reasons_reads_once_and_writes_what_tomli_w_writes(tmp_path, monkeypatch):
    path = tmp_path / "baseline.toml"
    ids = [f"{n:016x}" for n in range(5)]
    assert write_baseline(str(path), findings(ids[:3] + ids[:1])) == 3  # a repeated id once
    text = path.read_text(encoding="utf-8")
    text = text.replace('reason = ""', 'reason = "checked \\"by hand\\""', 1)
    path.write_text(text, encoding="utf-8")
    reads = []
    real = baseline._entries_as_written
    monkeypatch.setattr(baseline, "_entries_as_written", lambda d: reads.append(1) or real(d))
    baseline._read_entries.cache_clear()
    assert read_baseline(str(path)) == set(ids[:3])
    write_baseline(str(path), findings(ids[1:]), read_reasons(str(path)))
    assert len(reads) == 1  # the same file, unchanged, is read once
    expected = {
        "schema": "reconcile.baseline/1",
        "finding": [
            {
                "id": i,
                "rule": "BUD001",
                "document": "a.txt",
                "message": f"finding {n}" + "x" * 90,
                "reason": 'checked "by hand"' if i == ids[0] else "",
            }
            for n, i in enumerate(ids[1:])
        ],
    }
    assert path.read_text(encoding="utf-8") == tomli_w.dumps(expected)  # id 0 is gone
    assert read_baseline(str(path)) == set(ids[1:])  # rewritten: read again
    assert len(reads) == 2


def test_the_reason_of_a_kept_id_survives_the_rewrite(tmp_path):
    path = tmp_path / "baseline.toml"
    ids = [f"{n:016x}" for n in range(3)]
    write_baseline(str(path), findings(ids))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('reason = ""', 'reason = "known, 2021"', 2), encoding="utf-8")
    write_baseline(str(path), findings(ids[1:]), read_reasons(str(path)))
    reasons = {e["id"]: e["reason"] for e in tomllib.loads(path.read_text())["finding"]}
    assert reasons == {ids[1]: "known, 2021", ids[2]: ""}


def test_an_empty_baseline_is_written_and_read(tmp_path):
    path = tmp_path / "baseline.toml"
    assert write_baseline(str(path), findings([])) == 0
    assert tomllib.loads(path.read_text()) == {"schema": "reconcile.baseline/1", "finding": []}
    assert read_baseline(str(path)) == set()
    assert Path(path).read_text() == tomli_w.dumps(
        {"schema": "reconcile.baseline/1", "finding": []}
    )


def test_a_bad_escape_is_reported_at_its_line_in_the_file(tmp_path):
    path = tmp_path / "baseline.toml"
    write_baseline(str(path), findings(["0" * 16, "1" * 16]))
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[14] == 'reason = ""'  # the second finding's reason
    lines[14] = 'reason = "\\ud800"'
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(UsageError, match=r"not a readable baseline: .*\(at line 15, column 17\)"):
        read_baseline(str(path))


def test_every_unicode_escape_is_taken_as_tomllib_takes_it():
    """The fast path's pattern accepts the \\u and \\U escapes tomllib reads and no other."""
    codes = [*range(0x10000), 0x10000, 0xFFFFF, 0x100000, 0x10FFFF, 0x110000, 0x7FFFFFFF, 2**32 - 1]
    escapes = [f"\\u{c:04x}" for c in range(0x10000)] + [f"\\U{c:08X}" for c in codes]

    def tomllib_reads(escape: str) -> bool:
        try:
            tomllib.loads(f'v = "{escape}"')
        except tomllib.TOMLDecodeError:
            return False
        return True

    taken = pl.Series(escapes).str.contains(f"^{baseline._BASIC}$").to_list()
    assert taken == [tomllib_reads(e) for e in escapes]


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\r\r\n"])
def test_old_mac_line_ends_are_read_as_path_read_text_reads_them(tmp_path, line_end):
    """A baseline saved with CR line ends (or a mix) is read, and its reasons kept, as before
    the fast path: the file is text with universal newlines."""
    path = tmp_path / "baseline.toml"
    ids = [f"{n:016x}" for n in range(3)]
    write_baseline(str(path), findings(ids))
    text = path.read_text(encoding="utf-8").replace('reason = ""', 'reason = "seen"', 1)
    path.write_bytes(text.replace("\n", line_end).encode("utf-8"))
    assert read_baseline(str(path)) == set(ids)
    assert read_reasons(str(path)).rows() == [(ids[0], "seen")]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda text: text.replace("reviewed by Li", "reviewed by Li, see C:\\docs", 1),
        lambda text: text.replace("reviewed by Li", "reviewed by Li \\ud800", 1),
    ],
    ids=["a stray backslash", "an escape of a lone surrogate"],
)
def test_a_baseline_that_cannot_be_read_is_not_rewritten(tmp_path, capsys, spoil):
    """Rewriting it would drop every reason a reviewer wrote in it."""
    from reconcile.cli import main

    sample = Path(__file__).resolve().parents[1] / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
    path = tmp_path / "baseline.toml"
    assert main(["check", str(sample), "--write-baseline", str(path), "-q"]) in (0, 1)
    text = path.read_text(encoding="utf-8").replace('reason = ""', 'reason = "reviewed by Li"')
    path.write_text(spoil(text), encoding="utf-8")
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["check", str(sample), "--write-baseline", str(path), "-q"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: not rewritten" in err and "Traceback" not in err
    assert path.read_bytes() == before
    with pytest.raises(UsageError, match="not rewritten"):
        read_reasons(str(path))
