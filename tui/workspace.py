"""What the interface has loaded: the documents, their findings and their source lines.

Loading calls the same functions as ``reconcile check`` (``discover``, ``read_path``/``load_many``,
``pair_years``, ``check``), with the settings of ``reconcile.toml`` when there is one, so the
findings shown and exported are the ones the command line reports for the same paths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import TYPE_CHECKING

import polars as pl

from reconcile.batch import discover, pair_years, run_check
from reconcile.engine import check_frame, findings_from_frame, parse_codes
from reconcile.errors import ReadError
from reconcile.model import Document, DocumentInfo, Figure, Finding
from reconcile.reader import read_path
from reconcile.readers import default_jobs, is_batch
from reconcile.report import ReadFailure, Report

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


def shown_path(path: str) -> str:
    """``path`` relative to the working folder when it lies under it (stable across machines)."""
    if path == "-" or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if rel.startswith("..") else rel


@dataclass
class DocEntry:
    """One loaded document with its findings (the engine's findings frame, filtered to it).

    A batch (``reconcile.readers.is_batch``) is read as ``reconcile check`` reads it, in shares
    and in parallel, which keeps only each document's identity; the whole document (``document``)
    and its source lines (``lines``) are then read when first asked for, one document at a
    time (a province's 1,000 documents: about 5 s to load instead of 22)."""

    index: int
    info: DocumentInfo
    frame: pl.DataFrame
    _document: Document | None = None
    _lines: tuple[str, ...] | None = None

    @property
    def document(self) -> Document:
        """The whole document (read on first use when the run kept only its identity; a file
        that can no longer be read gives its identity alone, with no parts)."""
        if self._document is None:
            try:
                loaded = read_path(self.source)
            except ReadError:
                self._document = Document(info=self.info)
            else:
                self._document = loaded.document
                if self._lines is None:
                    self._lines = loaded.lines
        return self._document

    @cached_property
    def findings(self) -> list[Finding]:
        return findings_from_frame(self.frame)

    def finding(self, index: int) -> Finding:
        """The ``index``-th finding, built from its frame row alone (a document can have 100,000:
        the findings view never builds them all)."""
        if "findings" in self.__dict__:
            return self.findings[index]
        return findings_from_frame(self.frame.slice(index, 1))[0]

    @property
    def source(self) -> str:
        return self.info.source

    @property
    def name(self) -> str:
        info = self.info
        return " ".join(str(x) for x in (info.department, info.year) if x) or self.source

    def lines(self) -> tuple[str, ...]:
        """The source lines (read with the whole document on first use when the run kept only
        its identity; none when the file can no longer be read)."""
        if self._lines is None:
            self.document  # noqa: B018  (reads the file once, for both)
            if self._lines is None:
                self._lines = ()
        return self._lines

    def counts(self) -> dict[str, int]:
        """Findings by severity (error, warning, info)."""
        return dict(self._counts)

    @cached_property
    def _counts(self) -> dict[str, int]:
        counts = dict(self.frame.get_column("severity").value_counts().iter_rows())
        return {s: int(counts.get(s, 0)) for s in ("error", "warning", "info")}

    @cached_property
    def figures_by_line(self) -> dict[int, list[Figure]]:
        """Every figure of the model, by the line it was written on."""
        out: dict[int, list[Figure]] = {}
        for fig in _walk_figures(self.document):
            if fig.line is not None:
                out.setdefault(fig.line, []).append(fig)
        return out

    @cached_property
    def findings_frame(self) -> pl.DataFrame:
        """One row per finding (``idx`` into ``findings``): severity, its rank, rule, section,
        message and the lines as text, for filtering and for the findings table."""
        return self.frame.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("idx"),
            pl.col("severity"),
            pl.col("severity").replace_strict(_RANKS, return_dtype=pl.Int64).alias("rank"),
            pl.col("rule"),
            pl.col("section"),
            pl.col("message"),
            pl.when(pl.col("lines").list.len() > 0)
            .then(pl.col("lines").cast(pl.List(pl.String)).list.join(" "))
            .otherwise(pl.col("location").fill_null(""))
            .alias("lines"),
        )


_RANKS = {"error": 3, "warning": 2, "info": 1}


def _walk_figures(node: object, depth: int = 0) -> Iterator[Figure]:
    if depth > 6 or node is None:
        return
    if isinstance(node, Figure):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from _walk_figures(item, depth + 1)
    elif is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            value = getattr(node, f.name)
            if isinstance(value, (Figure, tuple)) or is_dataclass(value):
                yield from _walk_figures(value, depth + 1)


@dataclass
class Workspace:
    paths: list[str]
    entries: list[DocEntry]
    report: Report
    pairs: list[tuple[int, int]]
    notices: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[ReadFailure]:
        return self.report.errors

    def years_of(self, entry: DocEntry) -> list[DocEntry]:
        """The documents of ``entry``'s department and kind, oldest first."""
        info = entry.info
        if not info.department or info.year is None:
            return [entry]
        return self._by_department.get((info.department, info.kind or "budget"), [entry])

    @cached_property
    def _by_department(self) -> dict[tuple[str, str], list[DocEntry]]:
        groups: dict[tuple[str, str], list[DocEntry]] = {}
        for e in self.entries:
            info = e.info
            if info.department and info.year is not None:
                groups.setdefault((info.department, info.kind or "budget"), []).append(e)
        for members in groups.values():
            members.sort(key=lambda e: e.info.year or 0)
        return groups

    def pair_for(self, entry: DocEntry) -> tuple[DocEntry, DocEntry] | None:
        """(older, newer): ``entry`` and the year before it, else the year after it."""
        for old, new in self.pairs:
            if new == entry.index:
                return self.entries[old], self.entries[new]
        for old, new in self.pairs:
            if old == entry.index:
                return self.entries[old], self.entries[new]
        return None


def load_workspace(
    paths: Sequence[str],
    *,
    lang: str = "en",
    progress: Callable[[int, int], None] | None = None,
    readers: ProcessPoolExecutor | None = None,
    jobs: int | None = None,
    discovered: tuple[list[str], list[ReadFailure]] | None = None,
) -> Workspace:
    """Find, read and check ``paths`` as ``reconcile check`` does (settings from reconcile.toml);
    ``readers``: the ``jobs - 1`` reader processes started already for a batch (see
    ``tui.loader``; ``jobs`` by default one per core); ``discovered``: what ``discover(paths)``
    found, when the caller has looked already."""
    from reconcile.config import usable_settings

    # lang and jobs are the command's to use (cli.cmd_tui); checked here too, to say what is wrong
    settings, notices = usable_settings(("select", "ignore", "lang", "jobs"))
    select = parse_codes(settings.get("select"))
    ignore = parse_codes(settings.get("ignore"))
    files, found_errors = discover(paths) if discovered is None else discovered
    errors = list(found_errors)  # added to below
    read: list[tuple[Document, tuple[str, ...]] | None]
    if is_batch(files):
        report = run_check(
            paths,
            select=select,
            ignore=ignore,
            lang=lang,
            # the app's reader processes, or none: the app cannot start processes once it runs
            jobs=(jobs or default_jobs()) if readers is not None else 1,
            progress=progress,
            discovered=(files, errors),
            readers=readers,
        )
        pairs = pair_years(report.documents)
        read = [None] * len(report.documents)  # identities only: read whole when first opened
    else:
        read = []
        for i, path in enumerate(files, 1):
            try:
                loaded = read_path(path)  # kept whole: the source pane shows the text
            except ReadError as exc:
                errors.append(ReadFailure(path, exc.reason))
            else:
                read.append((loaded.document, loaded.lines))
            if progress:
                progress(i, len(files))
        documents = [whole[0] for whole in read if whole is not None]
        pairs = pair_years(documents)
        found = check_frame(documents, pairs=pairs, select=select, ignore=ignore, lang=lang)
        report = Report(documents=documents, frame=found, errors=errors)
    found = report.frame
    parts = found.partition_by("doc", as_dict=True, maintain_order=True) if found.height else {}
    entries = [
        DocEntry(i, d.info, parts.get((i,), found.clear()), *(read[i] or (None, None)))
        for i, d in enumerate(report.documents)
    ]
    return Workspace(list(paths), entries, report, pairs, notices)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def finding_numbers(finding: Finding) -> set[Decimal]:
    """The numbers a finding is about: expected, actual and those its message quotes."""
    texts = [finding.expected, finding.actual, finding.message]
    out: set[Decimal] = set()
    for text in texts:
        for match in _NUMBER.findall(text or ""):
            try:
                out.add(abs(Decimal(match)))
            except InvalidOperation:
                continue
    return out


def marked_spans(
    entry: DocEntry, finding: Finding, line_no: int, text: str
) -> list[tuple[int, int]]:
    """Character spans (start, end) of ``text`` (source line ``line_no``) to mark for ``finding``:
    the model's figures on that line whose value the finding mentions (all of them when it
    mentions none), and the finding's ``actual`` text where it is written literally."""
    spans: list[tuple[int, int]] = []
    figures = entry.figures_by_line.get(line_no, [])
    wanted = finding_numbers(finding)
    chosen = [f for f in figures if abs(f.value) in wanted] or figures
    for fig in chosen:
        span = _locate(text, fig)
        if span:
            spans.append(span)
    if finding.actual and not figures:
        start = text.find(finding.actual)
        if start >= 0:
            spans.append((start, start + len(finding.actual)))
    return sorted(set(spans))


def _locate(text: str, fig: Figure) -> tuple[int, int] | None:
    written = fig.text or ""
    if not written:
        return None
    if fig.col is not None:
        start = fig.col - 1
        if text[start : start + len(written)] == written:
            return start, start + len(written)
    start = text.find(written)
    return (start, start + len(written)) if start >= 0 else None
