"""The model as a file format: JSON and TOML out, TOML back in.

A figure is written as ``{value = "2834.55", line = 35, col = 16, text = "2834.55万元"}``; in a
hand-written TOML file it may also be a plain number (``2834.55``, read exactly as written) or a
string (``"2834.55"``, ``"2,834.55万元"``), which then has no line: its place is its key path
(``budget.income_total``, ``procurement.lines[3].amount``). TOML has no null: empty figures and
missing parts are left out. The schema is documented in docs/format.md.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import fields, is_dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import tomli_w

from reconcile import tomltext
from reconcile.errors import ReadError
from reconcile.model import (
    BUDGET_FIELDS,
    PROCUREMENT_FIGURE_FIELDS,
    SCHEMA_DISCLOSURE,
    AssetRow,
    Assets,
    Budget,
    Document,
    DocumentInfo,
    Figure,
    GlossaryEntry,
    Indicator,
    Organization,
    OrgUnit,
    Part,
    Performance,
    PerformanceProject,
    Problem,
    Procurement,
    ProcurementLine,
    RunningCostItem,
    RunningCosts,
    ThreePublic,
    ThreePublicRow,
    YearMention,
)
from reconcile.numbers import first_number, in_range

# ---------------------------------------------------------------------------------------------
# Model -> plain data (the JSON contract)


def decimal_str(value: Decimal) -> str:
    """An exact decimal as plain ASCII digits, never in exponent form."""
    text = format(value, "f")
    return "0" if text in ("-0", "+0") else text


def figure_dict(fig: Figure | None) -> dict[str, Any] | None:
    if fig is None:
        return None
    out: dict[str, Any] = {"value": decimal_str(fig.value), "line": fig.line}
    if fig.col is not None:
        out["col"] = fig.col
    if fig.text is not None:
        out["text"] = fig.text
    if fig.unit is not None:
        out["unit"] = fig.unit
    if fig.location is not None:
        out["location"] = fig.location
    return out


def _plain(obj: Any) -> Any:
    if isinstance(obj, Figure):
        return figure_dict(obj)
    if isinstance(obj, Decimal):
        return decimal_str(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, tuple | list):
        return [_plain(x) for x in obj]
    return obj


def document_to_dict(doc: Document) -> dict[str, Any]:
    """The ``reconcile.disclosure/1`` object: absent parts are None."""
    info = doc.info
    out: dict[str, Any] = {
        "schema": SCHEMA_DISCLOSURE,
        "document": {
            "department": info.department,
            "year": info.year,
            "kind": info.kind,
            "title": info.title,
            "source": info.source,
            "encoding": info.encoding,
            "source_kind": info.source_kind,
            "line": info.line,
        },
    }
    for name in (
        "organization",
        "budget",
        "running_costs",
        "three_public",
        "procurement",
        "assets",
        "performance",
    ):
        out[name] = _plain(getattr(doc, name))
    out["glossary"] = _plain(doc.glossary) if doc.glossary is not None else None
    out["parts"] = _plain(doc.parts)
    out["years"] = _plain(doc.years)
    out["problems"] = _plain(doc.problems)
    return out


def dumps_json(doc: Document) -> str:
    return json.dumps(document_to_dict(doc), ensure_ascii=False, indent=2) + "\n"


def drop_nulls(obj: Any) -> Any:
    """TOML has no null: leave out keys whose value is None (and None items of lists)."""
    if isinstance(obj, dict):
        return {k: drop_nulls(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [drop_nulls(x) for x in obj if x is not None]
    return obj


def dumps_toml(doc: Document) -> str:
    data = drop_nulls(document_to_dict(doc))
    return tomli_w.dumps(data)


# ---------------------------------------------------------------------------------------------
# TOML -> model


class _Reader:
    """Builds the model from parsed TOML, collecting what does not fit instead of raising."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def figure(self, raw: Any, path: str, section: str) -> Figure | None:
        if raw is None:
            return None
        line = col = None
        text = unit = location = None
        value_raw = raw
        if isinstance(raw, dict):
            value_raw = raw.get("value")
            line = self.integer(raw.get("line"))
            col = self.integer(raw.get("col"))
            text = raw.get("text") if isinstance(raw.get("text"), str) else None
            unit = raw.get("unit") if isinstance(raw.get("unit"), str) else None
            location = raw.get("location") if isinstance(raw.get("location"), str) else None
            if value_raw is None:
                return None
        value: Decimal | None = None
        if isinstance(value_raw, bool):
            value = None
        elif isinstance(value_raw, Decimal):
            value = value_raw
        elif isinstance(value_raw, int):
            value = Decimal(value_raw)
        elif isinstance(value_raw, str):
            if not value_raw.strip():
                return None
            try:
                value = Decimal(value_raw.strip())
            except InvalidOperation:
                number = first_number(value_raw)
                if number is not None:
                    value = number.value
                    unit = unit or number.unit
        if value is None or not in_range(value):
            self.problems.append(
                Problem(section, f"{path}: not a number: {value_raw!r}", None, path)
            )
            return None
        if line is None and location is None:
            location = path
        return Figure(value=value, line=line, col=col, text=text, unit=unit, location=location)

    def text(self, raw: Any) -> str | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            return raw
        if isinstance(raw, Decimal | int):
            return str(raw)
        return None

    def integer(self, raw: Any) -> int | None:
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return raw if abs(raw) < 10**12 else None
        if isinstance(raw, Decimal):
            if raw.is_finite() and raw.adjusted() < 12 and raw == raw.to_integral_value():
                return int(raw)
            return None
        if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
            return int(raw.strip()) if len(raw.strip()) < 13 else None
        return None

    def table(self, raw: Any, path: str) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.problems.append(Problem("document", f"{path}: expected a table", None, path))
            return {}
        return raw

    def items(self, raw: Any, path: str) -> list[dict[str, Any]]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problems.append(
                Problem("document", f"{path}: expected an array of tables", None, path)
            )
            return []
        return [x if isinstance(x, dict) else {} for x in raw]

    def line(self, raw: dict[str, Any]) -> int | None:
        return self.integer(raw.get("line"))

    # -- sections ------------------------------------------------------------------------

    def info(self, data: dict[str, Any], encoding: str | None) -> DocumentInfo:
        d = self.table(data.get("document"), "document")
        return DocumentInfo(
            department=self.text(d.get("department")),
            year=self.integer(d.get("year")),
            kind=self.text(d.get("kind")) or "budget",
            title=self.text(d.get("title")),
            source=self.source,
            encoding=encoding,
            source_kind="toml",
            line=self.line(d),
        )

    def organization(self, raw: Any) -> Organization | None:
        if raw is None:
            return None
        t = self.table(raw, "organization")
        units = tuple(
            OrgUnit(
                self.text(u.get("name")),
                self.text(u.get("nature")),
                self.text(u.get("level")),
                self.text(u.get("funding")),
                self.line(u),
                self.text(u.get("location"))
                or (f"organization.units[{i}]" if self.line(u) is None else None),
            )
            for i, u in enumerate(self.items(t.get("units"), "organization.units"))
        )
        return Organization(units=units, line=self.line(t))

    def budget(self, raw: Any) -> Budget | None:
        if raw is None:
            return None
        t = self.table(raw, "budget")
        figs = {f: self.figure(t.get(f), f"budget.{f}", "budget") for f in BUDGET_FIELDS}
        return Budget(**figs, unit=self.text(t.get("unit")) or "万元", line=self.line(t))

    def running_costs(self, raw: Any) -> RunningCosts | None:
        if raw is None:
            return None
        t = self.table(raw, "running_costs")
        items = tuple(
            RunningCostItem(
                name=self.text(it.get("name")) or "?",
                amount=self.figure(
                    it.get("amount"), f"running_costs.items[{i}].amount", "running_costs"
                ),
            )
            for i, it in enumerate(self.items(t.get("items"), "running_costs.items"))
        )
        return RunningCosts(
            total=self.figure(t.get("total"), "running_costs.total", "running_costs"),
            partial=bool(t.get("partial", False)),
            items=items,
            unit=self.text(t.get("unit")) or "万元",
            line=self.line(t),
        )

    def three_public(self, raw: Any) -> ThreePublic | None:
        if raw is None:
            return None
        t = self.table(raw, "three_public")
        rows = []
        for i, r in enumerate(self.items(t.get("rows"), "three_public.rows")):
            p = f"three_public.rows[{i}]"
            rows.append(
                ThreePublicRow(
                    name=self.text(r.get("name")) or "",
                    prior=self.figure(r.get("prior"), f"{p}.prior", "three_public"),
                    current=self.figure(r.get("current"), f"{p}.current", "three_public"),
                    change=self.figure(r.get("change"), f"{p}.change", "three_public"),
                    reason=self.text(r.get("reason")),
                    line=self.line(r),
                    location=self.text(r.get("location")) or (p if self.line(r) is None else None),
                )
            )
        return ThreePublic(
            stated_total=self.figure(
                t.get("stated_total"), "three_public.stated_total", "three_public"
            ),
            prior_year=self.integer(t.get("prior_year")),
            year=self.integer(t.get("year")),
            unit=self.text(t.get("unit")),
            rows=tuple(rows),
            line=self.line(t),
            table_line=self.integer(t.get("table_line")),
        )

    def procurement_line(self, raw: dict[str, Any], path: str) -> ProcurementLine:
        figs = {
            f: self.figure(raw.get(f), f"{path}.{f}", "procurement")
            for f in PROCUREMENT_FIGURE_FIELDS
        }
        return ProcurementLine(
            project=self.text(raw.get("project")),
            item=self.text(raw.get("item")),
            code=self.text(raw.get("code")),
            unit=self.text(raw.get("unit")),
            line=self.line(raw),
            location=self.text(raw.get("location")) or (path if self.line(raw) is None else None),
            **figs,
        )

    def procurement(self, raw: Any) -> Procurement | None:
        if raw is None:
            return None
        t = self.table(raw, "procurement")
        lines = tuple(
            self.procurement_line(r, f"procurement.lines[{i}]")
            for i, r in enumerate(self.items(t.get("lines"), "procurement.lines"))
        )
        total = t.get("total_row")
        return Procurement(
            stated_total=self.figure(
                t.get("stated_total"), "procurement.stated_total", "procurement"
            ),
            table_unit=self.text(t.get("table_unit")),
            lines=lines,
            total_row=self.procurement_line(
                self.table(total, "procurement.total_row"), "procurement.total_row"
            )
            if total is not None
            else None,
            line=self.line(t),
            table_line=self.integer(t.get("table_line")),
        )

    def assets(self, raw: Any) -> Assets | None:
        if raw is None:
            return None
        t = self.table(raw, "assets")
        table_unit = self.text(t.get("table_unit"))
        rows = []
        for i, r in enumerate(self.items(t.get("rows"), "assets.rows")):
            p = f"assets.rows[{i}]"
            value = self.figure(r.get("value"), f"{p}.value", "assets")
            rows.append(
                AssetRow(
                    name=self.text(r.get("name")) or "",
                    row_no=self.text(r.get("row_no")),
                    value=value,
                    parent=self.text(r.get("parent")),
                    level=self.integer(r.get("level")) or 1,
                    line=self.line(r),
                    location=self.text(r.get("location")) or (p if self.line(r) is None else None),
                )
            )
        return Assets(
            stated_total=self.figure(t.get("stated_total"), "assets.stated_total", "assets"),
            stated_total_unit=self.text(t.get("stated_total_unit")),
            year_end=self.integer(t.get("year_end")),
            planned_purchase=self.figure(
                t.get("planned_purchase"), "assets.planned_purchase", "assets"
            ),
            planned_purchase_year=self.integer(t.get("planned_purchase_year")),
            planned_in_procurement=bool(t.get("planned_in_procurement", False)),
            table_year_label=self.text(t.get("table_year_label")),
            table_year_line=self.integer(t.get("table_year_line")),
            table_year_location=self.text(t.get("table_year_location"))
            or (
                "assets.table_year_label"
                if t.get("table_year_label") is not None and t.get("table_year_line") is None
                else None
            ),
            table_unit=table_unit,
            table_unit_inferred=bool(t.get("table_unit_inferred", False)),
            rows=tuple(rows),
            line=self.line(t),
            table_line=self.integer(t.get("table_line")),
        )

    def performance(self, raw: Any) -> Performance | None:
        if raw is None:
            return None
        t = self.table(raw, "performance")
        projects = []
        for i, p in enumerate(self.items(t.get("projects"), "performance.projects")):
            path = f"performance.projects[{i}]"
            indicators = []
            for j, ind in enumerate(self.items(p.get("indicators"), f"{path}.indicators")):
                ipath = f"{path}.indicators[{j}]"
                target = self.text(ind.get("target"))
                value = ind.get("target_value")
                indicators.append(
                    Indicator(
                        level1=self.text(ind.get("level1")),
                        level2=self.text(ind.get("level2")),
                        level3=self.text(ind.get("level3")),
                        description=self.text(ind.get("description")),
                        target=target,
                        target_op=self.text(ind.get("target_op")),
                        target_value=self._decimal(value),
                        target_unit=self.text(ind.get("target_unit")),
                        basis=self.text(ind.get("basis")),
                        line=self.line(ind),
                        location=self.text(ind.get("location"))
                        or (ipath if self.line(ind) is None else None),
                    )
                )
                if target is not None and "target_op" not in ind and "target_value" not in ind:
                    from reconcile.numbers import parse_target

                    parsed = parse_target(target)
                    last = indicators[-1]
                    indicators[-1] = Indicator(
                        **{
                            **{f.name: getattr(last, f.name) for f in fields(last)},
                            "target_op": parsed.op,
                            "target_value": parsed.value,
                            "target_unit": parsed.unit,
                        }
                    )
            goals = p.get("goals") or []
            projects.append(
                PerformanceProject(
                    name=self.text(p.get("name")) or "",
                    line=self.line(p),
                    goals=tuple(g for g in goals if isinstance(g, str))
                    if isinstance(goals, list)
                    else (),
                    indicators=tuple(indicators),
                    location=self.text(p.get("location"))
                    or (path if self.line(p) is None else None),
                )
            )
        return Performance(
            overall_goal_year=self.integer(t.get("overall_goal_year")),
            overall_goal_line=self.integer(t.get("overall_goal_line")),
            projects=tuple(projects),
            line=self.line(t),
        )

    def _decimal(self, raw: Any) -> Decimal | None:
        if raw is None or isinstance(raw, bool):
            return None
        value: Decimal | None = None
        if isinstance(raw, Decimal):
            value = raw
        elif isinstance(raw, int):
            value = Decimal(raw)
        elif isinstance(raw, str):
            try:
                value = Decimal(raw)
            except InvalidOperation:
                return None
        return value if value is not None and in_range(value) else None

    def glossary(self, raw: Any) -> tuple[GlossaryEntry, ...] | None:
        if raw is None:
            return None
        return tuple(
            GlossaryEntry(
                self.text(g.get("term")) or "", self.text(g.get("definition")) or "", self.line(g)
            )
            for g in self.items(raw, "glossary")
        )

    def parts(self, data: dict[str, Any]) -> tuple[Part, ...]:
        raw = data.get("parts")
        if isinstance(raw, list):
            return tuple(
                Part(
                    self.text(p.get("key")) or "other",
                    self.text(p.get("heading")) or "",
                    self.line(p),
                )
                for p in raw
                if isinstance(p, dict)
            )
        keys = (
            "organization",
            "budget",
            "running_costs",
            "three_public",
            "performance",
            "procurement",
            "assets",
            "glossary",
        )
        return tuple(Part(k, k, None) for k in keys if k in data)

    def years(self, data: dict[str, Any]) -> tuple[YearMention, ...]:
        out = []
        for i, y in enumerate(self.items(data.get("years"), "years")):
            year = self.integer(y.get("year"))
            if year is None:
                continue
            out.append(
                YearMention(
                    year=year,
                    context=self.text(y.get("context")) or "text",
                    expect=self.text(y.get("expect")) or "current",
                    text=self.text(y.get("text")) or "",
                    line=self.line(y),
                    location=self.text(y.get("location"))
                    or (f"years[{i}]" if self.line(y) is None else None),
                )
            )
        return tuple(out)


def loads_toml(text: str, source: str, *, encoding: str | None = "utf-8") -> Document:
    """Read a canonical TOML disclosure; raise ReadError if it is not TOML or not our schema."""
    try:
        data = tomltext.loads(text.lstrip("\ufeff"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ReadError(source, f"not valid TOML: {exc}") from None
    schema = data.get("schema")
    if schema != SCHEMA_DISCLOSURE:
        raise ReadError(
            source, f"a TOML file whose schema is {schema!r}, not {SCHEMA_DISCLOSURE!r}"
        )
    r = _Reader(source)
    doc = Document(
        info=r.info(data, encoding),
        organization=r.organization(data.get("organization")),
        budget=r.budget(data.get("budget")),
        running_costs=r.running_costs(data.get("running_costs")),
        three_public=r.three_public(data.get("three_public")),
        performance=r.performance(data.get("performance")),
        procurement=r.procurement(data.get("procurement")),
        assets=r.assets(data.get("assets")),
        glossary=r.glossary(data.get("glossary")),
        parts=r.parts(data),
        years=r.years(data),
    )
    problems = tuple(r.problems) + tuple(
        Problem(
            r.text(p.get("section")) or "document",
            r.text(p.get("message")) or "",
            r.integer(p.get("line")),
            r.text(p.get("location")),
        )
        for p in r.items(data.get("problems"), "problems")
    )
    return Document(**{**{f.name: getattr(doc, f.name) for f in fields(doc)}, "problems": problems})
