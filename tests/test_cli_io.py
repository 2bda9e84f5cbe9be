"""The command line's input and output: nothing it writes is ever lost or half-written, a run that
fails writes nothing, bad options are usage errors, ``-`` reads standard input, and output into a
closed pipe or onto a terminal that is not UTF-8 ends quietly.

Every file the tool writes (``--output`` of check, extract and diff, ``--write-baseline``) goes to
a temporary file in the target folder and is renamed into place; the tests make that fail at each
step and check that the existing file is byte-identical after and that no temporary is left.
(test_canonical covers extract's ``--output`` replacing a file, a missing folder and a failing
rename.)
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest

from reconcile.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE = SAMPLES / "baigou-zuzhirenshi-2021-budget.txt"
SAMPLE_BYTES = SAMPLE.read_bytes()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PREVIOUS = b"the previous file, which must survive\n" * 50
BASELINE = (
    'schema = "reconcile.baseline/1"\n\n[[finding]]\nid = "0123456789abcdef"\nrule = "PRC001"\n'
    'document = "x.txt"\nmessage = "accepted"\nreason = "reviewed with the finance bureau"\n'
)


def run(argv: list[str]) -> int:
    """``reconcile ARGV`` in this process; argparse's usage errors exit through SystemExit."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def one_clean_line(err: str) -> str:
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith("reconcile: "), err
    assert "Traceback" not in err
    return err


def cli(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None):
    """``python -m reconcile ARGS`` in a subprocess, from the project folder."""
    return subprocess.run(
        [sys.executable, "-m", "reconcile", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


# --- writes are atomic ---------------------------------------------------------------------------


def test_check_output_replaces_an_existing_report_whole_and_keeps_its_mode(tmp_path, capsys):
    assert run(["check", str(SAMPLE), "--format", "json"]) == 0
    expected = capsys.readouterr().out
    out = tmp_path / "report.json"
    out.write_bytes(PREVIOUS * 100)  # longer than the report
    out.chmod(0o640)
    assert run(["check", str(SAMPLE), "--format", "json", "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8") == expected
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert names(tmp_path) == ["report.json"]


def test_write_baseline_keeps_the_reasons_already_written(tmp_path, capsys):
    baseline = tmp_path / "baseline.toml"
    assert run(["check", str(SAMPLE), "--write-baseline", str(baseline)]) == 0
    first = tomllib.loads(baseline.read_text(encoding="utf-8"))
    some_id = first["finding"][0]["id"]
    baseline.write_text(
        baseline.read_text(encoding="utf-8").replace('reason = ""', 'reason = "known"', 1),
        encoding="utf-8",
    )
    assert run(["check", str(SAMPLE), "--write-baseline", str(baseline)]) == 0
    again = {f["id"]: f["reason"] for f in tomllib.loads(baseline.read_text())["finding"]}
    assert again[some_id] == "known"
    assert names(tmp_path) == ["baseline.toml"]
    capsys.readouterr()


FAILING_WRITES = [
    pytest.param(
        ["check", str(SAMPLE), "--format", "json", "--output"],
        "os.fsync",
        id="check --output, fsync fails",
    ),
    pytest.param(
        ["check", str(SAMPLE), "--format", "parquet", "--output"],
        "os.replace",
        id="check --output parquet, rename fails",
    ),
    pytest.param(
        ["check", str(SAMPLE), "--write-baseline"], "os.fsync", id="--write-baseline, fsync fails"
    ),
    pytest.param(
        ["check", str(SAMPLE), "--write-baseline"],
        "os.replace",
        id="--write-baseline, rename fails",
    ),
    pytest.param(["extract", str(SAMPLE), "--output"], "os.fsync", id="extract, fsync fails"),
    pytest.param(
        ["diff", str(SAMPLES / "baigou-zuzhirenshi-2020-budget.txt"), str(SAMPLE), "--output"],
        "os.fsync",
        id="diff --output, fsync fails",
    ),
]


@pytest.mark.parametrize(("argv", "step"), FAILING_WRITES)
def test_a_write_that_fails_midway_leaves_the_existing_file_byte_identical(
    tmp_path, capsys, monkeypatch, argv, step
):
    target = tmp_path / "existing.out"
    # a baseline that cannot be read is never rewritten: this one is read, then written anew
    previous = BASELINE.encode() if "--write-baseline" in argv else PREVIOUS
    target.write_bytes(previous)

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f"reconcile.export.{step}", disk_full)
    assert run([*argv, str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    one_clean_line(err)
    assert str(target) in err and "No space left on device" in err
    assert target.read_bytes() == previous
    assert names(tmp_path) == ["existing.out"]


def test_an_interrupted_write_leaves_the_existing_file_and_no_temporary(
    tmp_path, capsys, monkeypatch
):
    target = tmp_path / "report.json"
    target.write_bytes(PREVIOUS)

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("reconcile.export.os.fsync", interrupted)
    assert run(["check", str(SAMPLE), "--format", "json", "--output", str(target)]) == 130
    assert capsys.readouterr().err == "reconcile: interrupted\n"
    assert target.read_bytes() == PREVIOUS
    assert names(tmp_path) == ["report.json"]


@pytest.mark.parametrize(
    ("failing", "error", "fmt"),
    [
        pytest.param("reconcile.report.write", RuntimeError("cannot render"), "toml", id="render"),
        pytest.param(  # a PanicException is a BaseException: it must not escape main either
            "reconcile.batch.run_check",
            pl.exceptions.PanicException("index out of bounds"),
            "json",
            id="polars panic",
        ),
    ],
)
def test_an_internal_failure_is_one_line_and_leaves_the_existing_file(
    tmp_path, capsys, monkeypatch, failing, error, fmt
):
    target = tmp_path / f"report.{fmt}"
    target.write_bytes(PREVIOUS)

    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(failing, broken)
    try:
        status = run(["check", str(SAMPLE), "--format", fmt, "--output", str(target)])
    except BaseException as exc:
        pytest.fail(f"{type(exc).__name__} escaped main")
    assert status == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "internal error" in one_clean_line(err)
    assert target.read_bytes() == PREVIOUS
    assert names(tmp_path) == [target.name]


@pytest.mark.parametrize("fmt", ["json", "toml", "text", "markdown"])
def test_a_disk_that_fills_halfway_through_the_report_leaves_the_existing_file(
    tmp_path, capsys, monkeypatch, fmt
):
    """The report is written a slice of findings at a time: part of it is in the temporary
    file when the disk fills."""
    from reconcile import report

    target = tmp_path / f"report.{fmt}"
    target.write_bytes(PREVIOUS)
    written = []

    def fills(out, *args, **kwargs):
        out.write(b"[\n    {")
        written.append(fmt)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report, "_write_rows", fills)
    monkeypatch.setattr(report, "_md_rows", lambda frame: fills(io.BytesIO()))
    assert run(["check", str(SAMPLE), "--format", fmt, "--output", str(target)]) == 2
    out, err = capsys.readouterr()
    assert written == [fmt]
    assert out == ""
    assert one_clean_line(err) == f"reconcile: {target}: No space left on device\n"
    assert target.read_bytes() == PREVIOUS
    assert names(tmp_path) == [target.name]


def test_writing_into_a_missing_folder_is_exit_2_and_creates_nothing(tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    for argv in (
        ["check", str(SAMPLE), "--output", str(missing / "report.json")],
        ["check", str(SAMPLE), "--write-baseline", str(missing / "baseline.toml")],
        ["diff", str(SAMPLE), str(SAMPLE), "--output", str(missing / "diff.json")],
    ):
        assert run(argv) == 2, argv
        out, err = capsys.readouterr()
        assert out == ""
        assert "no-such-folder" in one_clean_line(err)
    assert names(tmp_path) == []


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in. As root (as in CI) permission bits do not
    stop us, so the 'folder' is then a regular file."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    return blocker


def test_writing_into_an_unwritable_folder_is_exit_2_and_writes_nothing(tmp_path, capsys):
    folder = unwritable_folder(tmp_path)
    try:
        before = names(tmp_path)
        for argv in (
            ["check", str(SAMPLE), "--output", str(folder / "report.json")],
            ["check", str(SAMPLE), "--write-baseline", str(folder / "baseline.toml")],
            ["extract", str(SAMPLE), "--output", str(folder / "sample.json")],
        ):
            assert run(argv) == 2, argv
            out, err = capsys.readouterr()
            assert out == ""
            assert str(folder) in one_clean_line(err)
        assert names(tmp_path) == before
        if folder.is_dir():
            assert names(folder) == []
    finally:
        if folder.is_dir():
            folder.chmod(0o700)


def test_a_folder_that_refuses_new_files_is_exit_2_with_the_reason(tmp_path, capsys, monkeypatch):
    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("reconcile.export.tempfile.mkstemp", refused)
    target = tmp_path / "report.json"
    target.write_bytes(PREVIOUS)
    assert run(["check", str(SAMPLE), "--output", str(target)]) == 2
    err = one_clean_line(capsys.readouterr().err)
    assert "cannot write in" in err and "Permission denied" in err
    assert target.read_bytes() == PREVIOUS


def test_output_onto_a_folder_is_exit_2(tmp_path, capsys):
    assert run(["check", str(SAMPLE), "--output", str(tmp_path)]) == 2
    assert "is a folder" in one_clean_line(capsys.readouterr().err)
    assert names(tmp_path) == []


def test_output_through_a_link_replaces_its_destination_and_keeps_the_link(tmp_path, capsys):
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run(["check", str(SAMPLE), "--format", "json", "--output", str(link)]) in (0, 1)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert json.loads(real.read_text(encoding="utf-8"))["findings"]
    assert sorted(names(tmp_path)) == ["link.json", "real.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_output_into_a_named_pipe_is_written_to_the_pipe_not_over_it(tmp_path, capsys):
    import threading

    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert run(["check", str(SAMPLE), "--format", "json", "--output", str(fifo)]) in (0, 1)
    reader.join(timeout=60)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the pipe, not a file put in its place
    assert json.loads(got[0])["findings"]


@pytest.mark.parametrize(
    "name", ["x" * 300 + ".json", "a\0b.json"], ids=["a name too long", "a NUL in the name"]
)
def test_a_name_the_system_refuses_is_exit_2(tmp_path, capsys, name):
    assert run(["check", str(SAMPLE), "--output", str(tmp_path / name)]) == 2
    line = one_clean_line(capsys.readouterr().err)
    assert "internal error" not in line
    assert names(tmp_path) == []


# --- a run that fails writes nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        pytest.param(
            ["check", "{missing}", "--output", "{target}"],
            "out.toml",
            id="check a missing file --output",
        ),
        pytest.param(
            ["check", "{pdf}", "--format", "json", "--output", "{target}"],
            "report.json",
            id="check a PDF --output",
        ),
        pytest.param(
            ["check", "{missing}", "--write-baseline", "{target}"],
            "baseline.toml",
            id="check a missing file --write-baseline",
        ),
        pytest.param(
            ["check", str(SAMPLE), "--baseline", "{missing}", "--output", "{target}"],
            "report.json",
            id="check with a missing --baseline",
        ),
        pytest.param(
            ["extract", "{missing}", "--output", "{target}"], "sample.json", id="extract missing"
        ),
        pytest.param(
            ["diff", "{missing}", str(SAMPLE), "--output", "{target}"],
            "diff.json",
            id="diff missing",
        ),
    ],
)
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_a_run_that_fails_before_its_report_writes_nothing(
    tmp_path, capsys, argv, target, existing
):
    (tmp_path / "scan.txt").write_bytes(PDF)
    out = tmp_path / target
    if existing:
        out.write_text(BASELINE, encoding="utf-8")
    values = {"missing": str(tmp_path / "missing.txt"), "pdf": str(tmp_path / "scan.txt")}
    values["target"] = str(out)
    assert run([a.format(**values) for a in argv]) == 2
    capsys.readouterr()
    if existing:
        assert out.read_text(encoding="utf-8") == BASELINE
    else:
        assert not out.exists()
    assert names(tmp_path) == sorted(["scan.txt", *([target] if existing else [])])


# --- bad options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        pytest.param(["check", str(SAMPLE), "--fail-on", "bogus"], "--fail-on", id="fail-on"),
        pytest.param(["check", str(SAMPLE), "--format", "bogus"], "--format", id="format"),
        pytest.param(
            ["check", str(SAMPLE), "--jobs", "0"],
            "jobs",
            id="jobs 0",
        ),
        pytest.param(["check", str(SAMPLE), "--jobs", "-1"], "jobs", id="jobs -1"),
        pytest.param(["check", str(SAMPLE), "--jobs", "two"], "--jobs", id="jobs two"),
        pytest.param(
            ["check", str(SAMPLE), "--select", "PRC;BUD"],
            "select",
            id="select with a semicolon",
        ),
        pytest.param(
            ["check", str(SAMPLE), "--select", "价格"],
            "select",
            id="select in Chinese",
        ),
        pytest.param(
            ["check", str(SAMPLE), "--select", "XYZ"],
            "select",
            id="select a family that does not exist",
        ),
        pytest.param(
            ["check", str(SAMPLE), "--ignore", "PRC 001"],
            "ignore",
            id="ignore with a space inside a code",
        ),
        pytest.param(["check", str(SAMPLE), "--lang", "fr"], "--lang", id="lang"),
        pytest.param(["check", str(SAMPLE), "--format", "parquet"], "--output", id="parquet"),
        pytest.param(["check", str(SAMPLE), "--no-such-option"], "--no-such-option", id="option"),
        pytest.param(["check"], "PATH", id="check without a path"),
        pytest.param(["extract", str(SAMPLE), "--format", "csv"], "--format", id="extract csv"),
        pytest.param(["rule"], "CODE", id="rule without a code"),
        pytest.param(["bogus"], "bogus", id="unknown command"),
        pytest.param([], "usage", id="no command"),
    ],
)
def test_bad_options_are_exit_2_with_a_usage_message(capsys, argv, needle):
    assert run(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert needle in err
    assert "Traceback" not in err


def test_select_and_ignore_take_codes_and_prefixes_in_any_case(capsys):
    assert run(["check", str(SAMPLE), "--format", "json", "--select", "tpe,prf001"]) == 0
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert rules and all(r.startswith("TPE") or r == "PRF001" for r in rules)
    assert run(["check", str(SAMPLE), "--format", "json", "--ignore", "PRF, YR"]) == 0
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert rules and not any(r.startswith(("PRF", "YR")) for r in rules)


# --- standard input ------------------------------------------------------------------------------


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(data)))


def test_check_reads_a_document_from_standard_input(capsys, monkeypatch):
    assert run(["check", str(SAMPLE), "--format", "json"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    stdin_of(
        monkeypatch, SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n").encode("gb18030")
    )
    assert run(["check", "-", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [d["path"] for d in report["documents"]] == ["-"]
    assert report["documents"][0]["encoding"] == "gb18030"
    assert {f["document"] for f in report["findings"]} == {"-"}
    assert [(f["rule"], f["lines"]) for f in report["findings"]] == [
        (f["rule"], f["lines"]) for f in from_file["findings"]
    ]


def test_check_reads_a_canonical_toml_from_standard_input(capsys, monkeypatch):
    assert run(["extract", str(SAMPLE), "--format", "toml"]) == 0
    stdin_of(monkeypatch, capsys.readouterr().out.encode("utf-8"))
    assert run(["check", "-", "--format", "json", "--select", "TPE002"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in report["findings"]] == ["TPE002", "TPE002"]


def test_empty_standard_input_is_one_line_and_exit_2(capsys, monkeypatch):
    stdin_of(monkeypatch, b"")
    assert run(["check", "-"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_clean_line(err) == "reconcile: -: the file is empty\n"


@pytest.mark.skipif(sys.platform == "win32", reason="a closed descriptor 0")
@pytest.mark.parametrize("command", ["check", "extract"])
def test_standard_input_closed_is_one_line_and_exit_2(command):
    done = subprocess.run(
        ["sh", "-c", f'"{sys.executable}" -m reconcile {command} - <&-'],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr == b"reconcile: -: standard input is closed\n"


def test_diff_takes_standard_input_for_one_side_only(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(SAMPLE_BYTES)))
    assert run(["diff", "-", "-"]) == 2
    assert "not both" in one_clean_line(capsys.readouterr().err)


def test_a_real_pipe_into_check_and_extract():
    checked = cli("check", "-", "--format", "json", stdin=SAMPLE_BYTES)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["documents"][0]["path"] == "-"
    extracted = cli("extract", "-", "--format", "toml", stdin=SAMPLE_BYTES)
    assert extracted.returncode == 0, extracted.stderr
    data = tomllib.loads(extracted.stdout.decode("utf-8"))
    assert data["document"]["source"] == "-"
    assert data["budget"]["income_total"]["value"] == "2834.55"


def test_the_entry_point_ends_with_mains_status_and_all_of_the_output(tmp_path, capsys):
    """``python -m reconcile`` ends the process with ``os._exit`` once the output is flushed:
    the status is main's, the printed report is whole, and a report written with --output is
    the same as the one main prints in this process."""
    shown = cli("check", str(SAMPLE), "--fail-on", "warning")
    assert shown.returncode == 1, shown.stderr
    assert run(["check", str(SAMPLE), "--fail-on", "warning"]) == 1
    assert shown.stdout.decode("utf-8") == capsys.readouterr().out
    report = tmp_path / "report.json"
    written = cli("check", str(SAMPLE), "--format", "json", "--output", str(report))
    assert written.returncode == 0, written.stderr
    assert run(["check", str(SAMPLE), "--format", "json"]) == 0
    assert json.loads(report.read_text("utf-8")) == json.loads(capsys.readouterr().out)


# --- output into a closed pipe, and onto terminals that are not UTF-8 ------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(SAMPLES), "--format", "json"],
        ["check", str(SAMPLES)],
        ["extract", str(SAMPLE), "--format", "json"],
    ],
    ids=["check json", "check text", "extract json"],
)
def test_output_into_a_pipe_that_closes_early_ends_quietly(args):
    """``reconcile ... | head -1``: the reader goes away after one line (the output is larger than
    a pipe's buffer, so the writer is still writing when it does)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reconcile", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode("utf-8", "replace")
    status = process.wait(timeout=120)
    assert first.strip()
    assert status in (0, 1)  # 0, or the run's own status (1: findings at --fail-on)
    assert err == ""


ENCODING_DRIVER = """
import sys
from reconcile.cli import main
runs = {runs!r}
codes = []
for argv in runs:
    sys.stdout.write("=== " + " ".join(argv[:1]) + "\\n")
    sys.stdout.flush()
    codes.append(main(argv))
sys.stderr.write("codes %r\\n" % (codes,))
"""


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_a_terminal_that_is_not_utf8_does_not_crash(encoding):
    runs = [
        ["check", str(SAMPLE), "--lang", "zh"],
        ["check", str(SAMPLE), "--format", "json"],
        ["extract", str(SAMPLE)],
        ["rule", "TPE002"],
        ["check", str(SAMPLES / "不存在.txt")],
    ]
    done = subprocess.run(
        [sys.executable, "-c", ENCODING_DRIVER.format(runs=runs)],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": encoding},
        timeout=120,
    )
    err = done.stderr.decode(encoding, "replace")
    assert done.returncode == 0, err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    assert err.strip().endswith("codes [0, 0, 0, 0, 2]"), err
    out = done.stdout.decode(encoding)  # every byte written is in the terminal's encoding
    sections = out.split("=== ")[1:]
    assert [s.split("\n", 1)[0] for s in sections] == ["check", "check", "extract", "rule", "check"]
    assert "TPE002" in sections[0] and "TPE002" in sections[3]
    if encoding == "gbk":  # Chinese survives where the terminal can show it
        assert "保定白沟新城管理委员会组织人事局" in sections[2]
        assert sum("\u4e00" <= ch <= "\u9fff" for ch in sections[0]) > 1000
