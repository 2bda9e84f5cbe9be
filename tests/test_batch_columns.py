"""A batch reads its text dumps together, as columns (``sources.textcols``), and reads their
performance tables from those columns (``extract.performance_columns``) instead of building a
Python object per cell. Whatever the inputs, the per-document frames it sends back must be the
frames of the same documents read one by one; and the sample's performance rows must be those
written in the document.
"""

from __future__ import annotations

import ast
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from make_docx import build_docx, layout_of_dump
from mangle import IN_RANGE_NUMBERS, mangle_tables
from polars.exceptions import PanicException
from polars.testing import assert_frame_equal

import reconcile.batch as batch
from reconcile import cli, reader, readers
from reconcile.canonical import dumps_toml
from reconcile.reader import Utf8Text, read_path, sniff_batch_file
from reconcile.report import ReadFailure
from reconcile.rules.registry import Context, build_document_frames

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
PRIOR = ROOT / "samples" / "baigou-zuzhirenshi-2020-budget.txt"
SAMPLE_TEXT = SAMPLE.read_text(encoding="utf-8")


def one_by_one(paths: list[Path]) -> tuple[list, dict[str, pl.DataFrame], list[str]]:
    documents, failed = [], []
    for path in paths:
        found = batch._read_one(str(path))
        if isinstance(found, ReadFailure):
            failed.append(found.document)
        else:
            documents.append(found)
    return [d.info for d in documents], build_document_frames(documents), failed


def finished(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The per-document frames, with the performance rows finished as the main process of a
    batch finishes them, over every document at once."""
    ctx = Context(documents=())
    ctx.preload(frames)
    return {**frames, "perf_indicators": ctx.frame("perf_indicators")}


def assert_same_frames(frames: dict[str, pl.DataFrame], expected: dict[str, pl.DataFrame]) -> None:
    assert sorted(frames) == sorted(expected)
    for name in expected:
        assert_frame_equal(frames[name], expected[name], check_exact=True)


def assert_batch_reads_as_one_by_one(paths: list[Path]) -> dict[str, pl.DataFrame]:
    infos, frames, errors = batch._read_chunk([str(p) for p in paths])
    expected_infos, expected, failed = one_by_one(paths)
    assert infos == expected_infos
    assert [e.document for e in errors] == failed
    frames, expected = finished(frames), finished(expected)
    assert_same_frames(frames, expected)
    return frames


def test_the_samples_procurement_lines_in_a_batch_are_those_of_the_document():
    # The table of 第六部分 (sample lines 2270-2482): its 合计 row first (line 2307), then ten
    # lines, 激光打印机 (line 2322) to 车辆加油服务; the batch builds them without objects.
    frames = assert_batch_reads_as_one_by_one([SAMPLE])
    lines = frames["procurement_lines"]
    assert lines.height == 11
    first = lines.row(0, named=True)
    assert (first["is_total"], first["key"]) == (False, "A0201060102|激光打印机")
    assert (first["item"], first["unit"], first["line"]) == ("激光打印机", "台", 2322)
    assert (first["budget"], first["budget_line"]) == (Decimal("0.4"), 2323)
    assert (first["quantity"], first["quantity_dec"], first["quantity_line"]) == (2, 0, 2327)
    assert (first["unit_price"], first["unit_price_line"]) == (Decimal("0.2"), 2328)
    assert (first["amount"], first["amount_dec"], first["amount_line"]) == (Decimal("0.4"), 1, 2329)
    assert lines.row(9, named=True)["item"] == "车辆加油服务"
    total = lines.row(10, named=True)
    assert (total["is_total"], total["key"], total["line"]) == (True, "合计", 2307)
    assert (total["quantity"], total["unit_price"]) == (159, Decimal("5.33"))
    assert (total["amount"], total["amount_dec"], total["amount_line"]) == (
        Decimal("45.11"),
        2,
        2314,
    )
    procurement = frames["procurement"].row(0, named=True)
    assert (procurement["n_lines"], procurement["has_total_row"]) == (10, True)
    assert (procurement["stated_total"], procurement["stated_total_line"]) == (
        Decimal("45.11"),
        2271,
    )


def test_the_samples_performance_rows_in_a_batch_are_those_of_the_document():
    frames = assert_batch_reads_as_one_by_one([SAMPLE])
    rows = frames["perf_indicators"]
    first = rows.filter(pl.col("project_no") == 1).head(2).to_dicts()
    # samples/baigou-zuzhirenshi-2021-budget.txt, lines 125 and 139-152: the first project's
    # first two indicator rows; the second row's 产出指标 is a merged cell, filled down.
    assert first[0]["project"] == "组织人事党建事务管理资金"
    assert first[0]["project_line"] == 125
    assert [first[0][k] for k in ("level1", "level2", "level3", "target", "basis", "line")] == [
        "产出指标",
        "数量指标",
        "宣传活动数量",
        "≥95%",
        "按照工作实际完成情况",
        139,
    ]
    target = (first[0]["target_op"], first[0]["target_value"], first[0]["target_unit"])
    assert target == ("≥", Decimal("95"), "%")
    assert [first[1][k] for k in ("level1", "level2", "level3", "line")] == [
        "产出指标",
        "质量指标",
        "宣传覆盖人次",
        146,
    ]


def test_other_encodings_line_endings_word_and_toml_in_one_batch_read_as_one_by_one(tmp_path):
    files = {
        "a-utf8.txt": SAMPLE_TEXT.encode("utf-8"),
        "b-gb18030-crlf.txt": SAMPLE_TEXT.replace("\n", "\r\n").encode("gb18030"),
        "c-bom.txt": b"\xef\xbb\xbf" + PRIOR.read_bytes(),
        "d-utf16.txt": SAMPLE_TEXT.encode("utf-16"),
        "e.docx": build_docx(layout_of_dump(PRIOR)),
        "f.toml": dumps_toml(read_path(str(SAMPLE)).document).encode("utf-8"),
        "g-cr.txt": PRIOR.read_text(encoding="utf-8").replace("\n", "\r").encode("utf-8"),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    frames = assert_batch_reads_as_one_by_one(paths)
    assert frames["perf_indicators"].get_column("doc").unique().sort().to_list() == list(range(7))


def test_files_utf8_only_at_their_start_read_as_one_by_one(tmp_path, monkeypatch):
    # A batch takes a file whose first kilobytes are UTF-8 for UTF-8 and lets Polars check the
    # rest; a file that turns out otherwise must come out as ``decode`` reads it on its own.
    head, tail = SAMPLE_TEXT[:3000], SAMPLE_TEXT[3000:]
    files = {
        "a-utf8.txt": SAMPLE_TEXT.encode("utf-8"),
        # a first line of 4,100 ASCII letters (UTF-8 and GB18030 alike), then the sample in
        # GB18030: not UTF-8 after all, and read as GB18030
        "b-late-gb18030.txt": b"x" * 4100 + b"\n" + SAMPLE_TEXT.encode("gb18030"),
        # a UTF-8 byte-order mark and a byte UTF-8 never has near the end: refused with its reason
        "c-bom-late-invalid.txt": b"\xef\xbb\xbf" + SAMPLE_TEXT.encode("utf-8") + b"\xff\n",
        "d-bom.txt": b"\xef\xbb\xbf" + SAMPLE_TEXT.encode("utf-8"),
        # the canonical TOML under a .txt name, and after 5,000 spaces: known by its schema line
        "e-toml.txt": dumps_toml(read_path(str(PRIOR)).document).encode("utf-8"),
        "f-spaced-toml.txt": b" " * 5000 + dumps_toml(read_path(str(PRIOR)).document).encode(),
        "g-crlf.txt": SAMPLE_TEXT.replace("\n", "\r\n").encode("utf-8"),
        # Chinese in UTF-8, then in GB18030: neither, refused as on its own
        "h-mixed.txt": head.encode("utf-8") + tail.encode("gb18030"),
    }
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    undecoded = [p.name for p in paths if isinstance(sniff_batch_file(str(p)), Utf8Text)]
    assert undecoded == [name for name in files if name[0] in "abcdgh"]
    frames = assert_batch_reads_as_one_by_one(paths)
    opened: list[str] = []
    read_bytes_from = reader._read_bytes_from
    monkeypatch.setattr(
        reader, "_read_bytes_from", lambda p: opened.append(p) or read_bytes_from(p)
    )
    infos, _, errors = batch._read_chunk([str(p) for p in paths])
    monkeypatch.undo()
    assert sorted(opened) == sorted(str(p) for p in paths)  # each file read once, kept in memory
    assert [(Path(i.source).name, i.encoding) for i in infos] == [
        ("a-utf8.txt", "utf-8"),
        ("b-late-gb18030.txt", "gb18030"),
        ("d-bom.txt", "utf-8-sig"),
        ("e-toml.txt", "utf-8"),
        ("f-spaced-toml.txt", "utf-8"),
        ("g-crlf.txt", "utf-8"),
    ]
    assert [(Path(e.document).name, e.message) for e in errors] == [
        (paths[k].name, batch._read_one(str(paths[k])).message) for k in (2, 7)
    ]
    assert "invalid utf-8-sig after its byte-order mark" in errors[0].message
    assert "no text encoding fits its bytes" in errors[1].message
    # the CRLF copy has the sample's rows on the sample's lines
    rows = frames["perf_indicators"]
    first, crlf = (rows.filter(pl.col("doc") == d).select("line", "level3") for d in (0, 5))
    assert first.equals(crlf) and first.height > 0


def test_bad_files_between_good_ones_keep_every_documents_rows_its_own(tmp_path):
    (tmp_path / "1.txt").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "2.txt").write_bytes(b"")  # empty: a read error
    (tmp_path / "3.txt").write_bytes(PRIOR.read_bytes())
    (tmp_path / "4.pdf").write_bytes(b"%PDF-1.4 not a disclosure")
    (tmp_path / "5.txt").write_bytes(SAMPLE.read_bytes())
    paths = sorted(tmp_path.iterdir())
    frames = assert_batch_reads_as_one_by_one(paths)
    # the 2021 sample has 22 projects (its last heading: "22、城乡居民基本养老保险补助资金绩效目标表",
    # line 2164), the 2020 sample 3 (line 305); the empty file and the PDF are not documents
    projects = frames["perf_indicators"].group_by("doc").agg(pl.col("project_no").max())
    assert sorted(projects.rows()) == [(0, 22), (1, 3), (2, 22)]


def test_a_document_the_extractor_fails_on_is_listed_and_the_rest_keep_their_rows(
    tmp_path, monkeypatch
):
    for name in ("1.txt", "2-crash.txt", "3.txt"):
        (tmp_path / name).write_bytes((PRIOR if name == "3.txt" else SAMPLE).read_bytes())
    real = batch.extract

    def extractor_bug(layout, *, source, **kw):
        if source.endswith("2-crash.txt"):
            raise ValueError("an extractor bug")
        return real(layout, source=source, **kw)

    monkeypatch.setattr(batch, "extract", extractor_bug)
    infos, frames, errors = batch._read_chunk([str(p) for p in sorted(tmp_path.iterdir())])
    assert [Path(e.document).name for e in errors] == ["2-crash.txt"]
    assert "an extractor bug" in errors[0].message
    expected_infos, expected, _ = one_by_one([tmp_path / "1.txt", tmp_path / "3.txt"])
    assert infos == expected_infos
    assert_same_frames(frames, expected)


@pytest.mark.parametrize(
    ("failing", "error"),
    [
        ("TextCells", RuntimeError),
        ("TextCells", PanicException),  # a Polars panic is a BaseException
        ("indicator_rows", RuntimeError),
        ("indicator_rows", PanicException),
    ],
)
def test_when_the_columns_fail_the_batch_reads_each_file_on_its_own(
    tmp_path, monkeypatch, failing, error
):
    import reconcile.extract.performance_columns
    import reconcile.sources.textcols

    def broken(*args, **kwargs):
        raise error("columns failed")

    module = (
        reconcile.sources.textcols
        if failing == "TextCells"
        else reconcile.extract.performance_columns
    )
    monkeypatch.setattr(module, failing, broken)
    for name, source in (("1.txt", SAMPLE), ("2.txt", PRIOR)):
        (tmp_path / name).write_bytes(source.read_bytes())
    frames = assert_batch_reads_as_one_by_one(sorted(tmp_path.iterdir()))
    assert frames["perf_indicators"].height > 0


def _mangled(seed: int) -> str:
    rng = random.Random(seed)
    lines = mangle_tables(
        SAMPLE_TEXT.split("\n")[:-1],
        rounds=rng.randint(1, 12),
        between=rng.randint,
        pick=rng.choice,
        numbers=IN_RANGE_NUMBERS,
    )
    return "\n".join(lines) + "\n"


def test_forty_mangled_documents_in_one_batch_read_as_one_by_one(tmp_path):
    paths = []
    for seed in range(40):
        path = tmp_path / f"{seed:02d}.txt"
        path.write_text(_mangled(seed), encoding="utf-8")
        paths.append(path)
    assert_batch_reads_as_one_by_one(paths)


def test_the_performance_rows_finished_once_per_distinct_text_are_those_finished_row_by_row(
    tmp_path, monkeypatch
):
    # Over many documents the main process normalises each distinct combination of texts once
    # and spreads the results back to the rows; row by row, every row is normalised itself.
    import reconcile.rules._frames_perf as perf_frames

    paths = []
    for seed in range(20):
        path = tmp_path / f"{seed:02d}.txt"
        path.write_text(_mangled(seed), encoding="utf-8")
        paths.append(path)
    _, frames, _ = batch._read_chunk([str(p) for p in paths])
    rows = frames["perf_indicator_cells"]
    assert rows.height > perf_frames._DISTINCT_FROM
    assert rows.get_column("level3").null_count() > 0  # nulls are a distinct value too
    once = finished(frames)["perf_indicators"]
    monkeypatch.setattr(perf_frames, "_DISTINCT_FROM", rows.height + 1)
    row_by_row = finished(frames)["perf_indicators"]
    assert once.columns == row_by_row.columns
    assert_frame_equal(once, row_by_row, check_exact=True)
    # and the normalising did something: a 产出指标 label is compared as 产出
    assert "产出" in once.get_column("l1n").to_list()


@settings(
    deadline=None,
    max_examples=15,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=4), st.data())
def test_mangled_batches_read_as_one_by_one(tmp_path_factory, seeds, data):
    folder = tmp_path_factory.mktemp("batch")
    paths = []
    for n, seed in enumerate(seeds):
        text = _mangled(seed)
        if data.draw(st.booleans()):
            text = text.replace("\n", "\r\n")
        path = folder / f"{n}.txt"
        path.write_bytes(text.encode(data.draw(st.sampled_from(["utf-8", "gb18030"]))))
        paths.append(path)
    assert_batch_reads_as_one_by_one(paths)


def test_a_batch_on_one_job_reads_in_shares_and_finds_what_two_jobs_and_one_by_one_find(
    tmp_path, monkeypatch
):
    for n in range(readers.PARALLEL_FROM):
        source = SAMPLE if n % 2 else PRIOR
        (tmp_path / f"{n:02d}.txt").write_bytes(source.read_bytes())
    shares = []
    read_chunk = batch._read_chunk
    monkeypatch.setattr(
        batch, "_read_chunk", lambda paths: shares.append(paths) or read_chunk(paths)
    )
    one_job = batch.run_check([str(tmp_path)], jobs=1)
    assert sum(map(len, shares)) == readers.PARALLEL_FROM  # read in shares, in this process
    monkeypatch.undo()
    two_jobs = batch.run_check([str(tmp_path)], jobs=2)
    assert_frame_equal(one_job.frame, two_jobs.frame, check_exact=True)
    documents = [read_path(str(p)).document for p in sorted(tmp_path.iterdir())]
    from reconcile.engine import check_frame

    alone = check_frame(documents, pairs=batch.pair_years(documents))
    assert_frame_equal(one_job.frame, alone, check_exact=True)
    assert one_job.frame.height > 0


@given(st.integers(1, 3000), st.integers(1, 8))
def test_shares_keep_every_file_in_order_large_first_and_small_last(n, jobs):
    files = [f"{i}.txt" for i in range(n)]
    shares = batch.shares_of(files, jobs)
    assert [f for share in shares for f in share] == files
    sizes = [len(share) for share in shares]
    assert max(sizes) <= batch.SHARE
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)  # they only shrink, but for the last
    if n >= 2 * jobs:
        assert len(shares) >= jobs  # every reader has work
    if n >= 2 * jobs * batch.SHARE:
        assert sizes[0] == batch.SHARE and sizes[-2] < 2 * batch.LAST_SHARE


def test_two_jobs_read_shares_here_and_in_a_worker_and_keep_the_files_order(tmp_path, monkeypatch):
    for n in range(readers.PARALLEL_FROM):
        (tmp_path / f"{n:02d}.txt").write_bytes((SAMPLE if n % 3 else PRIOR).read_bytes())
    files = sorted(str(p) for p in tmp_path.iterdir())
    read_here = []  # what this process reads itself (the worker reads with its own functions)
    read_chunk = batch._read_chunk
    monkeypatch.setattr(
        batch, "_read_chunk", lambda paths: read_here.extend(paths) or read_chunk(paths)
    )
    documents, frames, errors = batch.load_frames(files, jobs=2)
    assert 0 < len(read_here) < len(files)
    assert files[0] not in read_here  # the first share is handed to the worker before any is read
    assert [d.info.source for d in documents] == files
    assert [d.info.year for d in documents] == [2021 if n % 3 else 2020 for n in range(16)]
    assert errors == []
    monkeypatch.undo()
    _, alone, _ = batch.load_frames(files, jobs=1)
    assert_same_frames(frames, alone)


def test_a_workers_frames_come_back_in_one_spill_file_removed_once_read(tmp_path):
    files = [str(SAMPLE), str(PRIOR)]
    infos, expected, _ = batch._read_chunk(files)
    spill = tmp_path / "spill"
    spill.mkdir()
    packed = batch._read_chunk_packed(files, str(spill))
    assert len(list(spill.iterdir())) == 1  # every frame of the share in one file
    got_infos, frames, errors = batch._unpacked(packed)
    assert list(spill.iterdir()) == []
    assert got_infos == infos and errors == []
    assert_same_frames(frames, expected)


def test_without_a_spill_folder_a_workers_frames_travel_inline(tmp_path):
    files = [str(SAMPLE), str(PRIOR)]
    _, expected, _ = batch._read_chunk(files)
    packed = batch._read_chunk_packed(files, str(tmp_path / "gone"))  # cannot be written
    assert isinstance(packed[1], bytes)  # the frames themselves, not a path
    assert_same_frames(batch._unpacked(packed)[1], expected)


def test_a_spill_file_that_cannot_be_finished_is_removed_and_the_frames_travel_inline(
    tmp_path, monkeypatch
):
    files = [str(SAMPLE), str(PRIOR)]
    _, expected, _ = batch._read_chunk(files)
    write_ipc = pl.DataFrame.write_ipc

    def disk_full(frame, sink, **options):
        if isinstance(sink, io.BytesIO):
            return write_ipc(frame, sink, **options)
        sink.write(b"half a frame")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_ipc", disk_full)
    packed = batch._read_chunk_packed(files, str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # the half-written file is gone
    assert isinstance(packed[1], bytes)
    monkeypatch.undo()
    assert_same_frames(batch._unpacked(packed)[1], expected)


def test_a_batch_spills_its_workers_frames_and_leaves_no_file_behind(tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(readers.PARALLEL_FROM):
        (folder / f"{n:02d}.txt").write_bytes((SAMPLE if n % 2 else PRIOR).read_bytes())
    files = sorted(str(p) for p in folder.iterdir())
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    spilled, folders = [], []
    unpacked, spill_folder = batch._unpacked, batch._spill_folder
    monkeypatch.setattr(
        batch, "_unpacked", lambda packed: spilled.append(packed[1]) or unpacked(packed)
    )
    monkeypatch.setattr(
        batch, "_spill_folder", lambda: folders.append(spill_folder()) or folders[-1]
    )
    _, frames, _ = batch.load_frames(files, jobs=2)
    assert spilled and all(isinstance(s, str) for s in spilled)  # a path, not the frames
    assert len(folders) == 1 and Path(folders[0]).parent == temp
    assert not Path(folders[0]).exists()  # every file and the folder removed
    monkeypatch.undo()
    _, alone, _ = batch.load_frames(files, jobs=1)
    assert_same_frames(frames, alone)


def test_readers_started_before_the_check_read_what_one_job_reads(tmp_path):
    for n in range(readers.PARALLEL_FROM):
        (tmp_path / f"{n:02d}.txt").write_bytes((SAMPLE if n % 2 else PRIOR).read_bytes())
    discovered = readers.discover([str(tmp_path)])
    assert readers.is_batch(discovered[0])
    with readers.start(1) as started:
        early = batch.run_check([str(tmp_path)], jobs=2, discovered=discovered, readers=started)
        with pytest.raises(RuntimeError):  # shut down once read: the rules need the memory
            started.submit(readers.default_jobs)
    alone = batch.run_check([str(tmp_path)], jobs=1)
    assert_frame_equal(early.frame, alone.frame, check_exact=True)
    assert [d.info.source for d in early.documents] == [d.info.source for d in alone.documents]


def test_a_batch_check_starts_its_readers_before_polars_is_imported(tmp_path):
    """The readers import the reader on the other core while this process imports the engine:
    nothing the check does before starting them may import Polars. On Linux they are forked
    then (nothing threaded is loaded yet), and read what one job reads."""
    for n in range(readers.PARALLEL_FROM):
        (tmp_path / f"{n:02d}.txt").write_bytes((SAMPLE if n % 3 else PRIOR).read_bytes())
    script = f"""
import sys
from reconcile import cli, readers
polars_then, methods = [], []
start = readers.start
def starting(workers):
    polars_then.append("polars" in sys.modules)
    methods.append(readers.start_method())
    return start(workers)
readers.start = starting
code = cli.main(["check", {str(tmp_path)!r}, "--jobs", "2", "--format", "json", "--quiet",
                 "--output", {str(tmp_path / "two.json")!r}])
print(code, polars_then, methods)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    method = "fork" if sys.platform == "linux" else readers.start_method()
    assert done.stdout.split() == ["0", "[False]", f"['{method}']"], done.stderr
    alone = cli.main(
        [
            "check",
            str(tmp_path),
            "--jobs",
            "1",
            "--format",
            "json",
            "--quiet",
            "--output",
            str(tmp_path / "one.json"),
        ]
    )
    assert alone == 0
    two = json.loads((tmp_path / "two.json").read_text(encoding="utf-8"))
    assert two == json.loads((tmp_path / "one.json").read_text(encoding="utf-8"))
    assert len(two["findings"]) > 0


@pytest.mark.parametrize("user_value", [None, "dirty_decay_ms:100"])
def test_a_batch_has_polars_allocator_keep_freed_pages_unless_the_user_says_otherwise(
    tmp_path, user_value
):
    """The setting is in this process's environment before Polars is imported (Polars puts it
    after its own defaults for its allocator, which reads it once, as it starts) and in the
    reader processes; a value the user set is left as it is. A single document's check leaves
    the environment alone."""
    for n in range(readers.PARALLEL_FROM):
        (tmp_path / f"{n:02d}.txt").write_bytes(SAMPLE.read_bytes())
    batch_run = f"""
import os, sys
from reconcile import cli, readers
seen = []
start = readers.start
def starting(workers):
    seen.append(("polars" in sys.modules, os.environ.get(readers.ALLOCATOR_SETTINGS)))
    pool = start(workers)
    seen.append(pool.submit(os.getenv, readers.ALLOCATOR_SETTINGS).result())
    return pool
readers.start = starting
code = cli.main(["check", {str(tmp_path)!r}, "--jobs", "2", "--format", "json", "--quiet",
                  "--output", {str(tmp_path / "all.json")!r}])
print(repr((code, seen, os.environ.get(readers.ALLOCATOR_SETTINGS))))
"""
    single_run = f"""
import os
from reconcile import cli, readers
code = cli.main(["check", {str(tmp_path / "00.txt")!r}, "--quiet", "--format", "json",
                 "--output", {str(tmp_path / "one.json")!r}])
print(repr((code, os.environ.get(readers.ALLOCATOR_SETTINGS))))
"""
    env = {k: v for k, v in os.environ.items() if k != readers.ALLOCATOR_SETTINGS}
    if user_value is not None:
        env[readers.ALLOCATOR_SETTINGS] = user_value
    said = []
    for script in (batch_run, single_run):
        done = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        said.append(ast.literal_eval(done.stdout.strip()))
    (code, [(polars_then, at_start), in_reader], after), (single, after_single) = said
    ours = user_value or readers.KEEP_FREED_PAGES
    assert code == single == 0
    assert (polars_then, at_start) == (False, ours)
    # Polars' own defaults first, then ours: the last value of a setting is the one that holds
    assert in_reader.endswith("," + ours) and in_reader.startswith("dirty_decay_ms:")
    assert after.endswith("," + ours)
    assert readers.KEEP_FREED_PAGES not in after_single
    if user_value:
        assert after_single.endswith("," + user_value)


def test_a_batch_starts_no_more_readers_than_it_has_files(tmp_path, monkeypatch):
    """``--jobs 100000`` on 16 files: 15 workers and this process, not 99,999 workers (they
    were forked until the machine had no processes left); the report is the one job's."""
    for n in range(readers.PARALLEL_FROM):
        (tmp_path / f"{n:02d}.txt").write_bytes((SAMPLE if n % 3 else PRIOR).read_bytes())
    asked = []
    start = readers.start

    def starting(workers):
        asked.append(workers)
        return start(min(workers, 2))  # a guard: the test must not fork a thousand processes

    monkeypatch.setattr(readers, "start", starting)
    many = tmp_path / "many.json"
    code = cli.main(
        ["check", str(tmp_path), "--jobs", "100000", "--format", "json", "--quiet", "-o", str(many)]
    )
    assert (code, asked) == (0, [readers.PARALLEL_FROM - 1])
    one = tmp_path / "one.json"
    assert (
        cli.main(["check", str(tmp_path), "-j", "1", "--format", "json", "-q", "-o", str(one)]) == 0
    )
    assert json.loads(many.read_text(encoding="utf-8")) == json.loads(
        one.read_text(encoding="utf-8")
    )
    assert readers.readers_for(["a", "b"], 8) == 2 and readers.readers_for([], 8) == 1


def test_workers_are_never_forked_once_polars_is_loaded():
    # this test process has imported Polars (and started its threads)
    assert "polars" in sys.modules
    assert readers.start_method() in ("forkserver", "spawn")


def test_a_share_that_fails_here_ends_the_batch_and_hands_out_no_more(tmp_path, monkeypatch):
    files = []
    for n in range(readers.PARALLEL_FROM * 2):
        (tmp_path / f"{n:02d}.txt").write_bytes(SAMPLE.read_bytes())
        files.append(str(tmp_path / f"{n:02d}.txt"))

    def failing(paths):
        raise RuntimeError("a bug in a share")

    monkeypatch.setattr(batch, "_read_chunk", failing)
    reading = batch._read_shares([files[i : i + 4] for i in range(0, len(files), 4)], workers=1)
    with pytest.raises(RuntimeError, match="a bug in a share"):
        next(reading)
    with pytest.raises(StopIteration):  # the workers were shut down: nothing more is read
        next(reading)


def test_a_share_of_large_files_is_laid_out_a_few_at_a_time(tmp_path, monkeypatch):
    laid_out = []
    import reconcile.sources.textcols

    class Counting(reconcile.sources.textcols.TextCells):
        def __init__(self, texts):
            laid_out.append(len(texts))
            super().__init__(texts)

    monkeypatch.setattr(reconcile.sources.textcols, "TextCells", Counting)
    monkeypatch.setattr(batch, "SHARE_BYTES", len(SAMPLE_TEXT.encode()) + 1)
    for name, source in (("1.txt", SAMPLE), ("2.txt", SAMPLE), ("3.txt", PRIOR), ("4.txt", SAMPLE)):
        (tmp_path / name).write_bytes(source.read_bytes())
    assert_batch_reads_as_one_by_one(sorted(tmp_path.iterdir()))
    # a sample alone stays under the limit, two go over it: laid out two and two
    assert laid_out == [2, 2]


# Pieces of the cells that need finishing: spaces of every kind the cleaning strips (and one it
# does not, U+2002), leftover markers whole and broken, a part heading, plain words and figures.
CELL_PIECES = [
    "",
    " ",
    "\u3000",
    "\u00a0",
    "\u2009",
    "\u202f",
    "\ufeff",
    "\t",
    "\u2002",
    "[bookmark: _GoBack]",
    "[bookmark:",
    "]",
    "[",
    "项目",
    "数量",
    "1,534.50",
    "第三部分",
    "x[bookmark: a b]y",
    "[bookmark:" + "z" * 210 + "]",  # too long to be a marker
]


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["cell", "line", "blank"]),
            st.lists(st.sampled_from(CELL_PIECES), max_size=4),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_cells_with_spaces_markers_and_continued_lines_are_laid_out_as_line_by_line(lines):
    """Cells that start or end with spaces, hold markers or run over several lines are finished
    as columns in a batch (``textcols._finished``): their text, raw text, first column and last
    line must be what the line-by-line layout makes of them."""
    from reconcile.sources.decode import split_lines
    from reconcile.sources.text import layout_text
    from reconcile.sources.textcols import TextCells

    text = "\n".join(
        "" if kind == "blank" else ("\t" if kind == "cell" else "") + "".join(pieces)
        for kind, pieces in lines
    )
    other = "第一部分：部门职责\n\t甲\n\t乙\n"  # laid out between two others, as in a batch
    columnar = TextCells([other, text, other]).layouts(lines=[(), tuple(split_lines(text)), ()])
    assert columnar[1].blocks == layout_text(text).blocks
