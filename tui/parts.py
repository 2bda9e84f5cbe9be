"""What the Parts screen shows, computed from the engine's own frames.

The tables are built from the frames the rules run on (``Context.frame("procurement_lines")`` …),
so a figure shown here is the figure the rule saw. The computed columns (sums, quantity × unit
price, differences, change) are Polars expressions on the exact ``Decimal(38, 8)`` columns (the
engine's ``MONEY``), formatted with the engine's ``fmt`` so that a number reads the same as in a
finding. Cells are marked from the findings' lines: a cell whose figure sits on a line a finding
names is marked with the finding's severity, and its row carries the codes in a Flags column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

import reconcile.rules._frames  # noqa: F401  (registers the frame builders Context.frame uses)
from reconcile.model import Document, Finding
from reconcile.rules._tolerance import exceeds, fmt, half_unit_if, product_band, zero
from reconcile.rules.registry import Context
from tui.i18n import t
from tui.widgets.table import Column, FrameRows, ListRows, RowSource

SEVERITY_NAMES = {3: "error", 2: "warning", 1: "info"}


@dataclass
class PartTable:
    """A table ready for the DataGrid: columns, rows, and the marks from the findings."""

    columns: list[Column]
    source: RowSource
    row_class: dict[int, str] = field(default_factory=dict)
    cell_marks: dict[int, dict[int, str]] = field(default_factory=dict)
    note: str = ""

    @property
    def flagged(self) -> list[int]:
        """Rows a finding marks (for ``n``/``N``)."""
        failing = {r for r, c in self.row_class.items() if c in _FAILING}
        return sorted(failing | set(self.cell_marks))


_FAILING = {"grid--error", "grid--warning", "grid--info"}


def findings_lines(findings: Sequence[Finding]) -> pl.DataFrame:
    """One row per (finding line): line, rank (3 error … 1 info), rule."""
    lines, ranks, rules = [], [], []
    for f in findings:
        for n in f.lines:
            lines.append(n)
            ranks.append(int(f.severity))
            rules.append(f.rule)
    return pl.DataFrame(
        {"line": lines, "rank": ranks, "rule": rules},
        schema={"line": pl.Int64, "rank": pl.Int64, "rule": pl.String},
    )


def mark_cells(
    frame: pl.DataFrame, line_columns: dict[int, str], found: pl.DataFrame
) -> tuple[dict[int, dict[int, str]], dict[int, str]]:
    """Cells of ``frame`` whose line (column ``line_columns[i]`` gives the line of display column
    ``i``) a finding names -> ({row: {col: mark class}}, {row: comma-joined rules})."""
    if frame.is_empty() or found.is_empty():
        return {}, {}
    indexed = frame.with_row_index("_row")
    long = (
        pl.concat(
            [
                indexed.select(
                    "_row", _col=pl.lit(i, dtype=pl.Int64), _line=pl.col(name).cast(pl.Int64)
                )
                for i, name in line_columns.items()
            ]
        )
        .drop_nulls("_line")
        .join(found.rename({"line": "_line"}), on="_line", how="inner")
    )
    cells = long.group_by("_row", "_col").agg(pl.col("rank").max())
    marks: dict[int, dict[int, str]] = {}
    for row, col, rank in cells.iter_rows():  # marked cells only: as few as the findings
        marks.setdefault(row, {})[col] = f"grid--mark-{SEVERITY_NAMES[rank]}"
    flags = long.group_by("_row").agg(pl.col("rule").unique().sort().str.join(" "))
    return marks, dict(flags.iter_rows())


def _money(name: str) -> pl.Expr:
    return fmt(name)


def _count(name: str) -> pl.Expr:
    return fmt(name, min_decimals=0)


# --------------------------------------------------------------------------------- budget

_IDENTITIES: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "id.income",
        "BUD001",
        "income_total",
        ("income_personnel", "income_operating", "income_project"),
        (),
    ),
    ("id.expenditure", "BUD002", "expenditure_total", ("basic_total", "project_total"), ()),
    ("id.basic", "BUD003", "basic_total", ("basic_personnel", "basic_operating"), ()),
    ("id.personnel", "BUD004", "basic_personnel", ("income_personnel",), ()),
    ("id.operating", "BUD005", "basic_operating", ("income_operating",), ()),
    ("id.balance", "BUD006", "expenditure_total", ("income_total",), ()),
    (
        "id.project_levels",
        "BUD007",
        "project_total",
        ("project_own_level",),
        ("project_lower_level",),
    ),
    ("id.project_income", "BUD009", "project_total", ("income_project",), ()),
    ("id.change_part", "BUD008", "change_project", ("change_total",), ()),
)


def budget_table(doc: Document, ctx: Context, findings: Sequence[Finding], lang: str) -> PartTable:
    """The budget identities (and the running-cost ones) with their sums and differences."""
    columns = [
        Column("identity", t("pt.identity", lang), max_width=40),
        Column("stated", t("pt.stated", lang), justify="right"),
        Column("computed", t("pt.computed", lang), justify="right"),
        Column("difference", t("pt.difference", lang), justify="right"),
        Column("tolerance", t("pt.tolerance", lang), justify="right"),
        Column("status", t("pt.status", lang), flex=True, min_width=10),
    ]
    rules: dict[str, Finding] = {}
    for f in findings:
        rules.setdefault(f.rule, f)
    rows: list[tuple[str, ...]] = []
    row_class: dict[int, str] = {}
    budget = ctx.frame("budget")
    if not budget.is_empty():
        for key, code, total, parts, optional in _IDENTITIES:
            exprs = [pl.col(p) for p in parts] + [pl.col(p).fill_null(zero()) for p in optional]
            computed = exprs[0]
            for e in exprs[1:]:
                computed = computed + e
            band = half_unit_if(total, f"{total}_dec")
            for p in (*parts, *optional):
                band = band + half_unit_if(p, f"{p}_dec")
            present = pl.all_horizontal([pl.col(c).is_not_null() for c in (total, *parts)])
            out = budget.select(
                stated=_money(total),
                computed=pl.when(present).then(fmt(computed)),
                difference=pl.when(present).then(fmt(pl.col(total) - computed)),
                tolerance=pl.when(present).then(fmt(band)),
                ok=pl.when(present).then(~exceeds(pl.col(total) - computed, band)),
            ).row(0)
            stated, comp, diff, tol, ok = out
            rows.append(
                (t(key, lang), *_blank(stated, comp, diff, tol), _status(code, rules, ok, lang))
            )
            _class_for(len(rows) - 1, code, rules, ok, row_class)
        prior = budget.select(total=fmt(pl.col("income_total") - pl.col("change_total"))).row(0)
        rows.append((t("id.prior_total", lang), "", prior[0] or "", "", "", ""))
    running = ctx.frame("running_costs")
    items = ctx.frame("running_cost_items")
    if not running.is_empty():
        sums = items.select(s=fmt(pl.col("amount").fill_null(zero()).sum())).row(0)
        stated_total, partial = running.select(t=_money("total"), p=pl.col("partial")).row(0)
        code = next((c for c in ("RUN001", "RUN002") if c in rules), "RUN001")
        label = t("id.running_items", lang) + (" (等)" if partial else "")
        rows.append(
            (label, stated_total or "", sums[0] or "", "", "", _status(code, rules, True, lang))
        )
        _class_for(len(rows) - 1, code, rules, True, row_class)
        if not budget.is_empty():
            op = budget.select(_money("basic_operating")).item()
            rows.append(
                (
                    t("id.running_operating", lang),
                    stated_total or "",
                    op or "",
                    "",
                    "",
                    _status("RUN003", rules, True, lang),
                )
            )
            _class_for(len(rows) - 1, "RUN003", rules, True, row_class)
    unit = doc.budget.unit if doc.budget else "万元"
    return PartTable(
        columns,
        ListRows(rows),
        row_class=row_class,
        note=t("pt.table_unit", lang, unit=unit),
    )


def _blank(*values: str | None) -> tuple[str, ...]:
    return tuple(v or "" for v in values)


def _status(code: str, rules: dict[str, Finding], ok: bool | None, lang: str) -> str:
    if code in rules:
        return f"✗ {code} {rules[code].severity.label}"
    if ok is None:
        return t("none", lang)
    return f"✓ {code}"


def _class_for(
    row: int, code: str, rules: dict[str, Finding], ok: bool | None, out: dict[int, str]
) -> None:
    if code in rules:
        out[row] = f"grid--{rules[code].severity.label}"
    elif ok:
        out[row] = "grid--ok"


# --------------------------------------------------------------------------- three public


def three_public_table(ctx: Context, findings: Sequence[Finding], lang: str) -> PartTable:
    """The 三公 table with the change computed (this year − prior year) and the sum of the rows."""
    rows = ctx.frame("three_public_rows")
    part = ctx.frame("three_public")
    columns = [
        Column("name", t("pt.row", lang), max_width=24),
        Column("prior", t("pt.prior", lang), justify="right"),
        Column("current", t("pt.current", lang), justify="right"),
        Column("change", t("pt.change", lang), justify="right"),
        Column("computed", t("pt.computed_change", lang), justify="right"),
        Column("difference", t("pt.difference", lang), justify="right"),
        Column("reason", t("pt.reason", lang), max_width=24),
        Column("flags", t("pt.flags", lang), flex=True, min_width=6),
    ]
    if rows.is_empty():
        return PartTable(columns, ListRows([]), note=t("pt.absent", lang))
    computed = pl.when(pl.col("current").is_not_null() | pl.col("prior").is_not_null()).then(
        pl.col("current").fill_null(zero()) - pl.col("prior").fill_null(zero())
    )
    band = (
        half_unit_if("current", "current_dec")
        + half_unit_if("prior", "prior_dec")
        + half_unit_if("change", "change_dec")
    )
    shown = rows.with_columns(
        _computed=computed,
        _diff=pl.col("change") - computed,
        _band=band,
    )
    body = shown.select(
        name=pl.col("name"),
        prior=_money("prior"),
        current=_money("current"),
        change=_money("change"),
        computed=fmt("_computed"),
        difference=fmt("_diff"),
        reason=pl.col("reason"),
    )
    sums = rows.filter(~pl.col("is_total")).select(
        name=pl.lit(t("pt.rows_sum", lang)),
        prior=fmt(pl.col("prior").fill_null(zero()).sum()),
        current=fmt(pl.col("current").fill_null(zero()).sum()),
        change=fmt(pl.col("change").fill_null(zero()).sum()),
        computed=fmt(
            (pl.col("current").fill_null(zero()) - pl.col("prior").fill_null(zero())).sum()
        ),
        difference=pl.lit(None, dtype=pl.String),
        reason=pl.lit(None, dtype=pl.String),
    )
    found = findings_lines(findings)
    marks, flags = mark_cells(
        rows, {0: "line", 1: "prior_line", 2: "current_line", 3: "change_line"}, found
    )
    # a change that differs from the computed one, outside the band, marks the difference cell
    off = shown.with_row_index("_row").filter(exceeds("_diff", "_band").fill_null(False))["_row"]
    for r in off.to_list():
        marks.setdefault(r, {})[5] = "grid--mark-error"
    table = pl.concat([body, sums]).with_columns(
        flags=pl.Series([flags.get(i, "") for i in range(rows.height + 1)], dtype=pl.String)
    )
    unit = part.select("unit").item() if not part.is_empty() else None
    stated = part.select(_money("stated_total")).item() if not part.is_empty() else None
    note = t("pt.table_unit", lang, unit=unit or "万元")
    if stated:
        note += f"  {t('pt.stated', lang)}: {stated}"
    sums_row = rows.height
    return PartTable(
        columns,
        FrameRows(table),
        row_class={sums_row: "grid--muted"},
        cell_marks=marks,
        note=note,
    )


# ----------------------------------------------------------------------------- procurement

_PROC_LINES = {
    0: "line",
    1: "line",
    3: "quantity_line",
    4: "unit_price_line",
    5: "amount_line",
    8: "current_year_total_line",
    9: "general_budget_line",
}


def procurement_table(ctx: Context, findings: Sequence[Finding], lang: str) -> PartTable:
    """Each line with quantity × unit price computed and the difference to its amount, and the
    funding columns added up (一般公共 + 基金 + 财政专户 + 其他来源 against 当年合计)."""
    lines = ctx.frame("procurement_lines")
    part = ctx.frame("procurement")
    columns = [
        Column("item", t("pt.item", lang), max_width=16),
        Column("code", t("pt.code", lang), max_width=12),
        Column("unit", t("pt.unit", lang), max_width=6),
        Column("quantity", t("pt.quantity", lang), justify="right"),
        Column("unit_price", t("pt.price", lang), justify="right"),
        Column("amount", t("pt.amount", lang), justify="right"),
        Column("product", t("pt.product", lang), justify="right"),
        Column("difference", t("pt.diff", lang), justify="right"),
        Column("current", t("pt.current_total", lang), justify="right"),
        Column("funding", t("pt.funding", lang), justify="right"),
        Column("flags", t("pt.flags", lang), flex=True, min_width=6),
    ]
    if lines.is_empty():
        return PartTable(columns, ListRows([]), note=t("pt.absent", lang))
    funding = (
        pl.col("general_budget").fill_null(zero())
        + pl.col("fund_budget").fill_null(zero())
        + pl.col("special_account").fill_null(zero())
        + pl.col("other_sources").fill_null(zero())
    )
    product = pl.col("quantity") * pl.col("unit_price")  # scale 8 x 8: exact for written figures
    shown = lines.with_columns(
        _product=pl.when(~pl.col("is_total")).then(product),
        _funding=funding,
    ).with_columns(
        _diff=pl.col("amount") - pl.col("_product"),
        _band=product_band("quantity", "unit_price_dec", "amount_dec"),
    )
    found = findings_lines(findings)
    marks, flags = mark_cells(lines, _PROC_LINES, found)
    off = shown.with_row_index("_row").filter(exceeds("_diff", "_band").fill_null(False))["_row"]
    for r in off.to_list():
        marks.setdefault(r, {}).update({6: "grid--mark-error", 7: "grid--mark-error"})
    flag_frame = pl.DataFrame(
        {"_row": list(flags), "flags": list(flags.values())},
        schema={"_row": pl.UInt32, "flags": pl.String},
    )
    table = (
        shown.with_row_index("_row")
        .join(flag_frame, on="_row", how="left")
        .sort("_row")
        .select(
            item=pl.when(pl.col("is_total"))
            .then(pl.lit(t("pt.total_row", lang)))
            .otherwise(pl.col("item")),
            code=pl.col("code"),
            unit=pl.col("unit"),
            quantity=_count("quantity"),
            unit_price=_money("unit_price"),
            amount=_money("amount"),
            product=fmt("_product"),
            difference=fmt("_diff"),
            current=_money("current_year_total"),
            funding=fmt("_funding"),
            flags=pl.col("flags"),
        )
    )
    total_rows = shown.with_row_index("_row").filter(pl.col("is_total"))["_row"].to_list()
    note = t("pt.table_unit", lang, unit=part.select("table_unit").item() or "万元")
    stated = part.select(_money("stated_total")).item()
    if stated:
        note += f"  {t('pt.stated', lang)}: {stated}"
    return PartTable(
        columns,
        FrameRows(table),
        row_class={r: "grid--muted" for r in total_rows},
        cell_marks=marks,
        note=note,
    )


# ---------------------------------------------------------------------------------- assets


@dataclass(frozen=True)
class AssetNode:
    name: str
    value: str | None
    children_sum: str | None
    differs: bool
    severity: str | None
    level: int
    parent: str | None
    parent_place: int | None  # the parent's place in the list (``asset_rows.parent_idx``)
    line: int | None


def asset_nodes(
    ctx: Context, findings: Sequence[Finding]
) -> tuple[list[AssetNode], tuple[str, str | None, str | None] | None]:
    """The asset rows with the computed sum of each row's children (when any child is filled),
    and (table unit, stated total, its unit)."""
    rows = ctx.frame("asset_rows")
    part = ctx.frame("assets")
    if rows.is_empty():
        return [], None
    children = (
        rows.filter(pl.col("parent_idx").is_not_null())
        .group_by("parent_idx")
        .agg(
            _sum=pl.col("value").fill_null(zero()).sum(),
            _band=half_unit_if("value", "value_dec").sum(),
            _filled=pl.col("value").is_not_null().sum(),
        )
        .filter(pl.col("_filled") > 0)
    )
    found = findings_lines(findings)
    worst = (
        rows.select("idx", pl.coalesce("value_line", "line").alias("line"))
        .join(found, on="line", how="inner")
        .group_by("idx")
        .agg(pl.col("rank").max())
    )
    table = (
        rows.join(children, left_on="idx", right_on="parent_idx", how="left")
        .join(worst, on="idx", how="left")
        .sort("idx")
        .select(
            "name",
            "level",
            "parent",
            "parent_idx",
            "line",
            value=_money("value"),
            children_sum=fmt("_sum"),
            differs=exceeds(
                pl.col("value").fill_null(zero()) - pl.col("_sum"),
                pl.col("_band") + half_unit_if("value", "value_dec"),
            ).fill_null(False),
            rank=pl.col("rank"),
        )
    )
    nodes = [
        AssetNode(
            name=r["name"],
            value=r["value"],
            children_sum=r["children_sum"],
            differs=bool(r["differs"]),
            severity=SEVERITY_NAMES.get(r["rank"]) if r["rank"] else None,
            level=r["level"],
            parent=r["parent"],
            parent_place=r["parent_idx"],
            line=r["line"],
        )
        for r in table.iter_rows(named=True)  # the asset table has a score of rows
    ]
    info = part.row(0, named=True)
    stated = part.select(_money("stated_total")).item()
    return nodes, (info["table_unit"] or "元", stated, info["stated_unit"])


# ----------------------------------------------------------------------------- performance


def performance_table(doc: Document, findings: Sequence[Finding], lang: str) -> PartTable:
    """Every indicator of every project's 绩效目标表, with the codes of the findings on its row."""
    columns = [
        Column("project", t("pt.project", lang), max_width=18),
        Column("level1", t("pt.level1", lang), max_width=10),
        Column("level2", t("pt.level2", lang), max_width=12),
        Column("level3", t("pt.level3", lang), max_width=22),
        Column("target", t("pt.target", lang), max_width=14),
        Column("basis", t("pt.basis", lang), max_width=18),
        Column("flags", t("pt.flags", lang), flex=True, min_width=6),
    ]
    perf = doc.performance
    if perf is None:
        return PartTable(columns, ListRows([]), note=t("pt.absent", lang))
    by_line: dict[int, list[Finding]] = {}
    for f in findings:
        for n in f.lines:
            by_line.setdefault(n, []).append(f)
    rows: list[tuple[str, ...]] = []
    row_class: dict[int, str] = {}
    marks: dict[int, dict[int, str]] = {}
    for project in perf.projects:
        for k, ind in enumerate(project.indicators):
            hits = by_line.get(ind.line, []) if ind.line is not None else []
            codes = " ".join(sorted({f.rule for f in hits}))
            rows.append(
                (
                    project.name if k == 0 else "",
                    ind.level1 or "",
                    ind.level2 or "",
                    ind.level3 or ind.description or "",
                    ind.target or "",
                    ind.basis or "",
                    codes,
                )
            )
            if hits:
                worst = max(f.severity for f in hits).label
                marks[len(rows) - 1] = {4: f"grid--mark-{worst}", 6: f"grid--mark-{worst}"}
    return PartTable(columns, ListRows(rows), row_class=row_class, cell_marks=marks)


def context_for(doc: Document) -> Context:
    """The engine's rule context for one document (its frames are built on first use)."""
    return Context(documents=[doc])
