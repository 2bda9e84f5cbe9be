"""The app on a folder the size of a batch: loaded as ``reconcile check`` reads it (in shares, the
identities and findings only), each document read whole when it is first opened. It must show
what loading every document whole shows."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.workspace as workspace
from reconcile.reader import read_path
from reconcile.readers import PARALLEL_FROM, discover
from tui.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [
    ROOT / "samples" / "baigou-zuzhirenshi-2020-budget.txt",
    ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt",
]
DEPARTMENT = "保定白沟新城管理委员会组织人事局"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """PARALLEL_FROM + 2 disclosures: the two samples under other departments' names, one with
    a figure changed, one saved as GB18030 with CRLF line ends."""
    out = tmp_path / "province"
    out.mkdir()
    count = PARALLEL_FROM + 2
    for n in range(count):
        sample = SAMPLES[n % 2]
        text = sample.read_text(encoding="utf-8")
        text = text.replace(DEPARTMENT, f"保定市第{n // 2}局")
        if n == 3:
            text = text.replace("基本支出 497.2万元", "基本支出 498.2万元")
        path = out / f"{n:02d}-{sample.name}"
        if n == 5:
            path.write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
        else:
            path.write_text(text, encoding="utf-8")
    return out


def test_a_batch_loads_as_if_every_document_were_read_whole(folder, monkeypatch):
    batch = load_workspace([str(folder)])
    assert all(e._document is None for e in batch.entries)  # nothing read whole yet
    monkeypatch.setattr(workspace, "is_batch", lambda files: False)
    whole = load_workspace([str(folder)])
    assert len(batch.entries) == len(whole.entries) == PARALLEL_FROM + 2
    assert batch.pairs == whole.pairs and len(batch.pairs) == (PARALLEL_FROM + 2) // 2
    assert batch.report.frame.equals(whole.report.frame)
    assert batch.report.frame.filter(rule="BUD003").height == 1  # the changed figure
    reads = []
    monkeypatch.setattr(workspace, "read_path", lambda path: reads.append(path) or read_path(path))
    for b, w in zip(batch.entries, whole.entries, strict=True):
        assert b.info == w.document.info
        assert b.frame.equals(w.frame)
        assert b.counts() == w.counts()
        assert b._document is None
        assert b.lines() == w.lines()  # read now, whole
        assert b.document == w.document
        assert b.figures_by_line == w.figures_by_line
    assert reads == [e.source for e in batch.entries]  # each file read once, for all of it
    assert [e.name for e in batch.years_of(batch.entries[0])] == [
        "保定市第0局 2020",
        "保定市第0局 2021",
    ]


def test_a_document_gone_since_loading_opens_as_its_identity_alone(folder):
    loaded = load_workspace([str(folder)])
    entry = loaded.entries[1]
    expected = read_path(entry.source).document
    Path(entry.source).unlink()
    assert entry.document.info == expected.info
    assert entry.document.budget is None and entry.document.parts == ()
    assert entry.lines() == ()
    assert loaded.entries[2].document == read_path(loaded.entries[2].source).document


def test_the_app_opens_a_batch_with_reader_processes_started_before_it_runs(
    folder, monkeypatch
) -> None:
    """The loader starts the batch's reader processes before the app takes the terminal (from
    inside the running app they cannot be started), and the app lists and opens the documents."""
    from tui_helpers import press, run, settle

    import tui.loader as loader
    from reconcile.readers import default_jobs
    from tui.app import ReconcileApp
    from tui.screens.documents import DocumentsScreen
    from tui.screens.overview import OverviewScreen
    from tui.widgets.table import DataGrid

    started = []
    real = loader._batch_readers
    monkeypatch.setattr(
        loader,
        "_batch_readers",
        lambda files, jobs=None: started.append(real(files, jobs)) or started[-1],
    )

    async def body() -> None:
        app = ReconcileApp([str(folder)])
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, DocumentsScreen)
            grid = app.screen.query_one("#doc-table", DataGrid)
            assert grid.row_count == PARALLEL_FROM + 2
            await press(pilot, "down", "down", "down", "enter")
            assert isinstance(app.screen, OverviewScreen)
            entry = app.current
            assert entry is not None and entry.info.department == "保定市第1局"
            assert entry._document is not None and entry.document.budget is not None

    run(body)
    assert len(started) == 1
    assert (started[0] is not None) == (default_jobs() > 1)  # processes when there are cores


def test_without_reader_processes_the_app_reads_the_batch_itself(folder, monkeypatch) -> None:
    """Where processes cannot be started, the loader hands none over and the batch is read in the
    app's own process."""
    import reconcile.readers
    import tui.loader as loader

    def refused(workers: int) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(reconcile.readers, "start", refused)
    monkeypatch.setattr(reconcile.readers, "default_jobs", lambda: 2)
    assert loader._batch_readers(discover([str(folder)])[0]) is None
    loaded = loader.start([str(folder)], "en").result(timeout=120)
    assert len(loaded.entries) == PARALLEL_FROM + 2
    assert loaded.report.frame.filter(rule="BUD003").height == 1


@pytest.mark.parametrize(
    ("config", "argv", "expected"),
    [
        ('jobs = 1\nlang = "zh"\n', [], ("zh", 1)),
        ('jobs = 3\nlang = "zh"\n', ["--lang", "en"], ("en", 3)),  # the option wins
        ("", [], ("en", None)),
        # a wrong value is left out, and only that one
        ('lang = "zh"\njobs = 0\n', [], ("zh", None)),
        ('lang = "zh"\njobs = true\n', [], ("zh", None)),
        ('lang = "fr"\njobs = 2\n', [], ("en", 2)),
        ('lang = "zh"\nfail-on = "bogus"\n', [], ("zh", None)),  # not the app's setting
        ('lang = "zh"\njobs = [\n', [], ("en", None)),  # a file that is not TOML: none of it
    ],
)
def test_the_app_takes_lang_and_jobs_from_the_settings_as_check_does(
    tmp_path, monkeypatch, config, argv, expected
):
    import tui.app
    from reconcile.cli import main

    (tmp_path / "reconcile.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    opened = []
    monkeypatch.setattr(
        tui.app, "run", lambda paths, lang, jobs: opened.append((paths, lang, jobs)) or 0
    )
    assert main(["tui", "somewhere", *argv]) == 0
    assert opened == [(["somewhere"], *expected)]


@pytest.mark.parametrize(("jobs", "workers"), [(1, None), (2, 1), (3, 2)])
def test_the_app_starts_jobs_minus_one_reader_processes_for_a_batch(folder, jobs, workers):
    import tui.loader as loader

    pool = loader._batch_readers(discover([str(folder)])[0], jobs)
    try:
        assert (pool and pool._max_workers) == workers
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def test_the_app_with_one_job_reads_a_batch_in_its_own_process(folder, monkeypatch):
    import reconcile.readers
    import tui.loader as loader

    def refused(workers: int) -> None:
        raise AssertionError("no reader process for jobs = 1")

    monkeypatch.setattr(reconcile.readers, "start", refused)
    loaded = loader.start([str(folder)], "en", jobs=1).result(timeout=120)
    assert len(loaded.entries) == PARALLEL_FROM + 2


@pytest.mark.parametrize(
    ("config", "notice"),
    [
        ("jobs = 0\n", "jobs must be a whole number of at least 1; ignored"),
        ('lang = "fr"\n', "lang must be en or zh; ignored"),
        ('select = "BUD,XYZ9"\n', "--select: XYZ9 names no rule (`reconcile rules` lists them)"),
        ("ignore = 3\n", "--ignore takes codes or prefixes separated by commas"),
        ("jobs = [\n", "cannot read config"),
    ],
)
def test_the_app_says_which_setting_it_left_out(tmp_path, monkeypatch, config, notice):
    (tmp_path / "reconcile.toml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    loaded = load_workspace([str(SAMPLES[0])])
    assert len(loaded.notices) == 1 and notice in loaded.notices[0]
    assert "reconcile.toml" in loaded.notices[0]


def test_the_app_leaves_out_a_select_that_names_no_rule(tmp_path, monkeypatch):
    """A typo in select would show no finding at all: the app checks every rule but those the
    file ignores, as ``check --ignore PRF`` does, and says why."""
    from reconcile.batch import run_check

    (tmp_path / "reconcile.toml").write_text('select = "BUDD"\nignore = "PRF"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    loaded = load_workspace([str(SAMPLES[1])])
    rules = loaded.report.frame.get_column("rule").to_list()
    # the 2021 sample: its project change (364.75) exceeds the whole change (353.32)
    assert "BUD008" in rules
    assert not any(r.startswith("PRF") for r in rules)
    expected = run_check([str(SAMPLES[1])], ignore=("PRF",)).frame
    assert rules == expected.get_column("rule").to_list()
    assert loaded.notices == [
        f"{tmp_path / 'reconcile.toml'}: --select: BUDD names no rule "
        "(`reconcile rules` lists them); ignored"
    ]


def test_the_loader_looks_for_the_files_once(folder, monkeypatch):
    """The loader lists the folder to decide on reader processes; the loading takes that list
    rather than walking the folder again."""
    import reconcile.readers
    import tui.loader as loader

    walks = []
    real = reconcile.readers.discover
    monkeypatch.setattr(reconcile.readers, "discover", lambda p: walks.append(p) or real(p))
    monkeypatch.setattr(workspace, "discover", lambda p: walks.append(p) or real(p))
    loaded = loader.start([str(folder)], "en", jobs=1).result(timeout=120)
    assert len(loaded.entries) == PARALLEL_FROM + 2
    assert walks == [[str(folder)]]
