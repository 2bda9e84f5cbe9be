"""Run the rule catalogue over documents and turn the result frames into findings.

The rules are Polars queries over all documents at once. Their results are normalised and joined
into one findings frame here, still in Polars: the message is filled from the rule's template, the
document's identity joined in, and each finding given a fingerprint id. Only renderers that need
Python records (text, JSON, the app) turn that frame into :class:`Finding` objects, in the single
step :func:`findings_from_frame`.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from hashlib import sha1
from typing import Any

import polars as pl

from reconcile.model import Document, DocumentInfo, Finding, Severity
from reconcile.rules.registry import Context, RuleSpec, load_all

_TEXT_COLUMNS = ("key", "expected", "actual", "difference", "tolerance", "location")

FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "rule": pl.String(),
    "name": pl.String(),
    "severity": pl.String(),
    "section": pl.String(),
    "document": pl.String(),
    "message": pl.String(),
    "expected": pl.String(),
    "actual": pl.String(),
    "difference": pl.String(),
    "tolerance": pl.String(),
    "lines": pl.List(pl.Int64()),
    "location": pl.String(),
    "key": pl.String(),
    "department": pl.String(),
    "year": pl.Int64(),
    "doc": pl.Int64(),
}


def parse_codes(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"PRC,BUD001"`` -> ("PRC", "BUD001"); codes or prefixes, upper-cased."""
    if text is None:
        return ()
    items = text.split(",") if isinstance(text, str) else list(text)
    return tuple(i.strip().upper() for i in items if i and i.strip())


def selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    if select and not any(code.startswith(s) for s in select):
        return False
    return not any(code.startswith(i) for i in ignore)


def fingerprint(rule: str, department: str | None, year: int | None, section: str, key: str) -> str:
    """A finding's id: its meaning (rule, department, year, section, item key), not its lines.

    ``check`` computes the same digest in bulk (see :func:`with_ids`)."""
    raw = "\x1f".join([rule, department or "", str(year or ""), section, key])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _message(template: str, columns: Collection[str]) -> pl.Expr:
    """The rule's message template as a Polars expression over its result columns."""
    pieces: list[pl.Expr] = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        if literal:
            pieces.append(pl.lit(literal))
        if field is not None and field in columns:
            pieces.append(pl.col(field).cast(pl.String).fill_null(""))
    return pl.concat_str(pieces) if pieces else pl.lit("")


def _normalise(spec: RuleSpec, frame: pl.DataFrame, lang: str) -> pl.LazyFrame:
    """A rule's result (collected) in the common shape: one row per finding, the standard
    columns only."""
    columns = set(frame.columns)

    def text(name: str) -> pl.Expr:
        return (pl.col(name).cast(pl.String) if name in columns else pl.lit(None, pl.String)).alias(
            name
        )

    lines = (
        pl.col("lines").cast(pl.List(pl.Int64)).list.drop_nulls()
        if "lines" in columns
        else pl.lit([], pl.List(pl.Int64))
    )
    template = spec.messages.get(lang) or spec.messages["en"]
    return (
        frame.lazy()
        .select(
            pl.col("doc").cast(pl.Int64),
            pl.lit(spec.code).alias("rule"),
            pl.lit(spec.name).alias("name"),
            (
                pl.coalesce(pl.col("severity").cast(pl.String), pl.lit(spec.severity.label))
                if "severity" in columns
                else pl.lit(spec.severity.label)
            ).alias("severity"),
            (
                pl.coalesce(pl.col("section").cast(pl.String), pl.lit(spec.section))
                if "section" in columns
                else pl.lit(spec.section)
            ).alias("section"),
            _message(template, columns).alias("message"),
            *(text(name) for name in _TEXT_COLUMNS),
            lines.alias("lines"),
        )
        .with_columns(pl.col("key").fill_null(""))
    )


def _documents_frame(infos: Sequence[DocumentInfo]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc": list(range(len(infos))),
            "document": [i.source for i in infos],
            "department": [i.department for i in infos],
            "year": [i.year for i in infos],
        },
        schema={"doc": pl.Int64, "document": pl.String, "department": pl.String, "year": pl.Int64},
    )


# The column a findings frame holds in place of ``id`` until the ids are computed (see
# ``check_frame``'s ``ids``): the finding's repeat number (UInt32; 0 for the first finding of its
# meaning in its document). The meaning itself is in the frame's own columns.
ID_REPEAT = "id_repeat"


def _meaning() -> pl.Expr:
    """What a finding's id is the digest of, but for a repeat's ``#n``: rule, department, year,
    section and key joined by U+001F."""
    return pl.concat_str(
        [
            pl.col("rule"),
            pl.col("department").fill_null(""),
            pl.col("year").cast(pl.String).fill_null(""),
            pl.col("section"),
            pl.col("key"),
        ],
        separator="\x1f",
    )


def _repeats(frame: pl.DataFrame) -> pl.Series:
    """Each finding's repeat number (``ID_REPEAT``): n for the n-th repeat of the same meaning in
    one document, in the order of ``frame``, else 0. Meanings are compared as the joined texts
    the ids are the digests of: a section or key may hold U+001F itself (a hand-written
    document's problem can give it one), so its columns apart would not tell. Within one
    document the department and the year are the same on every row, and a rule's code holds no
    U+001F, so two meanings there are equal exactly when rule, section and key joined are: those
    three are joined, not all five (54 -> 39 ms for 168,000 findings)."""
    meaning = pl.concat_str(["rule", "section", "key"], separator="\x1f")
    same = frame.select("doc", meaning.alias("meaning"))
    repeats = pl.zeros(frame.height, dtype=pl.UInt32, eager=True).alias(ID_REPEAT)
    # Repeats are rare: one hash pass finds them, and only those rows are numbered (a window over
    # every finding costs ten times as much).
    rows = same.select(pl.struct(same.columns).is_duplicated()).to_series().arg_true()
    if rows.len():
        numbered = same.gather(rows).select(
            pl.int_range(pl.len(), dtype=pl.UInt32).over(same.columns)
        )
        repeats = repeats.scatter(rows, numbered.to_series())
    return repeats


def with_ids(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame from ``check_frame(..., ids=False)`` with its ids computed: the ``id_repeat``
    column replaced, in place, by the fingerprint ids (FINDINGS_SCHEMA)."""
    repeat = pl.col(ID_REPEAT)
    raw = frame.select(
        pl.when(repeat > 0)
        .then(pl.concat_str(_meaning(), pl.lit("#"), repeat.cast(pl.String)))
        .otherwise(_meaning())
        .cast(pl.Binary)
    ).to_series()
    # One sha1 per finding over the UTF-8 bytes (Polars hands them over without decoding); most
    # meanings are distinct, so hashing each beats finding the distinct ones first.
    digests = pl.Series(ID_REPEAT, [sha1(data).digest() for data in raw.to_list()], pl.Binary)
    ids = digests.bin.encode("hex").str.head(16)
    return frame.with_columns(ids).rename({ID_REPEAT: "id"})


OPTIMISE_FROM = 64  # documents; see _optimisations


def _optimisations(documents: int) -> dict[str, Any]:
    """How the rule queries are planned. Polars' optimiser pays on many documents and costs more
    than it saves on a few: collecting the ~50 queries of one document took 33 ms optimised and
    19 ms not, of 16 documents 33 and 24 ms; from about 64 documents on the two are even, and on
    1,000 the optimised plan wins (0.39 s against 0.56 s). The results are the same."""
    return {} if documents >= OPTIMISE_FROM else {"optimizations": pl.QueryOptFlags.none()}


def check_frame(
    documents: Sequence[Document],
    *,
    pairs: Sequence[tuple[int, int]] = (),
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    lang: str = "en",
    frames: Mapping[str, pl.DataFrame] | None = None,
    ids: bool = True,
) -> pl.DataFrame:
    """Every finding of every selected rule over ``documents`` as one frame (FINDINGS_SCHEMA),
    ordered by document, first line, rule and key.

    ``frames`` may carry frames already built (by reader processes, see batch.py); the rest are
    built from ``documents`` on demand. With ``ids=False`` the frame holds, in place of ``id``,
    each finding's repeat number (``ID_REPEAT``), and ``with_ids`` computes the ids when they are
    wanted: the text report prints none, and one sha1 per finding is a tenth of a second per
    100,000 findings (a ``Report`` computes them on first use).
    """
    rules = load_all()
    ctx = Context(documents=documents, pairs=pairs)
    if frames:
        ctx.preload(frames)
    ran: list[RuleSpec] = []
    queries: list[pl.LazyFrame] = []
    for code in sorted(rules):
        if not selected(code, select, ignore):
            continue
        spec = rules[code]
        result = spec.func(ctx)
        # A rule that knows it has nothing to check returns an empty frame: no query to run.
        if isinstance(result, pl.DataFrame) and result.is_empty():
            continue
        ran.append(spec)
        queries.append(result.lazy())
    # Collected together, so Polars plans and runs them as one set (in parallel, sharing common
    # sub-plans) instead of one query at a time. The in-memory engine: these are many small
    # queries, and the streaming engine (what "auto" picks in polars 2.1) costs about three times
    # as much to start each of them (measured: 52 queries over one document, 190 ms against 62).
    optimise = _optimisations(len(documents))
    results = pl.collect_all(queries, engine="in-memory", **optimise) if queries else []
    # Only the rules that found something are shaped into findings (on one document most rules
    # find nothing), their columns known from the results; the shapes are collected together too.
    shaped = [
        _normalise(spec, result, lang)
        for spec, result in zip(ran, results, strict=True)
        if result.height
    ]
    parts = pl.collect_all(shaped, engine="in-memory", **optimise) if shaped else []
    if not parts:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)  # no ids to compute
    found = pl.concat(parts, how="vertical_relaxed")
    # Every finding's document by position (``doc`` indexes ``documents``), cheaper than a join.
    info = _documents_frame([d.info for d in documents]).drop("doc")
    found = found.with_columns(info.select(pl.all().gather(found.get_column("doc"))).get_columns())
    # the repeats are numbered in this order, the rules' own, before the sort
    found = found.with_columns(_repeats(found))
    found = found.sort(
        pl.col("doc"),
        pl.col("lines").list.first().fill_null(0),
        pl.col("rule"),
        pl.col("key"),
        maintain_order=True,
    ).select(ID_REPEAT, *(name for name in FINDINGS_SCHEMA if name != "id"))  # id's place
    return with_ids(found) if ids else found


def findings_from_frame(frame: pl.DataFrame) -> list[Finding]:
    """The one step that walks result rows in Python: frame rows -> Finding records."""
    return [
        Finding(
            id=row["id"],
            rule=row["rule"],
            name=row["name"],
            severity=Severity.parse(row["severity"]),
            section=row["section"],
            document=row["document"],
            message=row["message"],
            expected=row["expected"],
            actual=row["actual"],
            difference=row["difference"],
            tolerance=row["tolerance"],
            lines=tuple(row["lines"] or ()),
            location=row["location"],
            key=row["key"],
            department=row["department"],
            year=row["year"],
        )
        for row in frame.iter_rows(named=True)
    ]


def check(
    documents: Sequence[Document],
    *,
    pairs: Sequence[tuple[int, int]] = (),
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    lang: str = "en",
) -> list[Finding]:
    """Every finding of every selected rule over ``documents``, ordered by document, line, code."""
    frame = check_frame(documents, pairs=pairs, select=select, ignore=ignore, lang=lang)
    return findings_from_frame(frame)
