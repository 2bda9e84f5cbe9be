"""The rule catalogue: each rule is a function registered with a code, a name, a default severity,
the section it belongs to, a message in English and Chinese, and a docstring (first line = summary;
then what it checks, why it matters, an example). Codes are never reused.

A rule takes a :class:`Context` and returns a Polars DataFrame (or, better, a LazyFrame: the engine
collects every rule's lazy query together with ``pl.collect_all``) with one row per finding:

=============  =====================================================================
column         meaning
=============  =====================================================================
doc            int, index of the document in ``Context.documents`` (required)
key            str, the item the finding is about, stable across line moves (required)
lines          list[int], every line involved, the main one first (may be empty)
expected       str | null, exact decimal string
actual         str | null
difference     str | null
tolerance      str | null
location       str | null, a place for sources without lines (key path, table cell)
severity       str | null, to override the rule's default (e.g. a sign-only mismatch)
section        str | null, to override the rule's section (a year rule about the assets part)
(others)       str columns used by the message templates, ``{name}`` placeholders
=============  =====================================================================

Frames are built once per run by builders registered with :func:`frame` and cached on the
Context, so every rule runs as Polars queries over all documents at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from reconcile.model import Document, Severity

RuleFunc = Callable[["Context"], pl.DataFrame | pl.LazyFrame]
FrameBuilder = Callable[["Context"], pl.DataFrame]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    code: str
    name: str
    severity: Severity
    section: str
    func: RuleFunc
    messages: dict[str, str]
    doc: str

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")


RULES: dict[str, RuleSpec] = {}
FRAMES: dict[str, FrameBuilder] = {}
# Frames built from each document alone (a ``doc`` column, one document's rows independent of
# the others'), which reader processes can build for their share of a batch.
PER_DOCUMENT: set[str] = set()


def rule(
    code: str, name: str, *, severity: str, section: str, en: str, zh: str
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule. ``en``/``zh`` are message templates with ``{column}`` placeholders."""

    def register(func: RuleFunc) -> RuleFunc:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = RuleSpec(
            code=code,
            name=name,
            severity=Severity.parse(severity),
            section=section,
            func=func,
            messages={"en": en, "zh": zh},
            doc=func.__doc__ or "",
        )
        return func

    return register


def frame(name: str, *, per_document: bool = True) -> Callable[[FrameBuilder], FrameBuilder]:
    """Register a frame builder: ``ctx.frame(name)`` builds it once per run.

    A builder is ``per_document`` (the default) when its rows for one document depend on that
    document alone and carry its index in ``doc``: a batch's reader processes build those for
    their shares. One that looks across documents (year pairs), or that is cheaper built once
    from other frames over every document of the run (``perf_indicators``), says
    ``per_document=False`` and is built in the main process."""

    def register(func: FrameBuilder) -> FrameBuilder:
        FRAMES[name] = func
        if per_document:
            PER_DOCUMENT.add(name)
        else:
            PER_DOCUMENT.discard(name)
        return func

    return register


@dataclass
class Context:
    """What a rule sees: every document of the run, the year pairs, and cached frames."""

    documents: Sequence[Document]
    pairs: Sequence[tuple[int, int]] = ()  # (older doc index, newer doc index)
    # Performance indicator rows a batch read straight from the layout's columns
    # (``extract.performance_columns.ROW_SCHEMA``), for documents whose projects hold none.
    indicator_rows: pl.DataFrame | None = None
    # Procurement lines a batch built straight from its tables' rows (``_frames.procurement_rows``),
    # for documents whose Procurement holds none.
    procurement_rows: pl.DataFrame | None = None
    _cache: dict[str, pl.DataFrame] = field(default_factory=dict)

    def frame(self, name: str) -> pl.DataFrame:
        if name not in self._cache:
            self._cache[name] = FRAMES[name](self)
        return self._cache[name]

    def preload(self, frames: Mapping[str, pl.DataFrame]) -> None:
        """Use frames built elsewhere (by reader processes) instead of building them here."""
        self._cache.update(frames)


def build_document_frames(
    documents: Sequence[Document],
    indicator_rows: pl.DataFrame | None = None,
    procurement_rows: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Every per-document frame over ``documents`` (what a reader process sends back)."""
    load_all()
    ctx = Context(
        documents=documents, indicator_rows=indicator_rows, procurement_rows=procurement_rows
    )
    return {name: ctx.frame(name) for name in sorted(PER_DOCUMENT)}


def load_all() -> dict[str, RuleSpec]:
    """Import every rule family so that the catalogue is complete."""
    import importlib
    import pkgutil

    import reconcile.rules as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in ("registry",) and not info.name.startswith("_"):
            importlib.import_module(f"reconcile.rules.{info.name}")
    return RULES
