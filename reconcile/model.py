"""The records of the disclosure model and of findings.

Every figure remembers where it came from: ``line`` is the 1-based line of a text dump (or the
1-based block number of a Word file), ``location`` a readable place for sources without lines
(``table 3, row 4, cell 2`` in a Word file, ``budget.income_total`` in a hand-written TOML).

A part a document lacks is ``None`` on the Document, never zeros.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")

SCHEMA_DISCLOSURE = "reconcile.disclosure/1"
SCHEMA_FINDINGS = "reconcile.findings/1"
SCHEMA_DIFF = "reconcile.diff/1"

SECTIONS = (
    "document",
    "organization",
    "budget",
    "running_costs",
    "three_public",
    "performance",
    "procurement",
    "assets",
)


def stored_directly(cls: type[T]) -> type[T]:
    """``cls``, a frozen dataclass, with an ``__init__`` that stores its fields straight into the
    instance's ``__dict__``. The one ``dataclass`` writes for a frozen class sets each field
    through ``object.__setattr__``, two to three times slower; the records a document has many
    of are built tens of thousands of times a batch (about 2 % of a reader's instructions). The
    signature and defaults are the dataclass's, and so is everything else (equality, hashing, the
    frozen ``__setattr__``). Fields with a default factory, ``init=False`` or ``kw_only``, a
    ``__post_init__`` and slots are not handled, and are refused as the class is made."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" in vars(cls):
        raise TypeError(f"{cls.__name__}: stored_directly takes a frozen dataclass without slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: stored_directly does not run __post_init__")
    defaults: dict[str, object] = {}
    signature = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: stored_directly takes plain fields only")
        if f.default is dataclasses.MISSING:
            signature.append(f.name)
        else:
            defaults[f"__default_{f.name}"] = f.default
            signature.append(f"{f.name}=__default_{f.name}")
    # ``__record``, ``__fields``: names no field can take (a field may be called ``self``)
    lines = [f"def __init__(__record, {', '.join(signature)}):", "    __fields = __record.__dict__"]
    lines += [f"    __fields[{f.name!r}] = {f.name}" for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, object] = defaults
    exec("\n".join(lines), namespace)  # the text is made of the fields' names alone
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    init.__annotations__ = dict(cls.__init__.__annotations__)  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[assignment, misc]
    return cls


@stored_directly
@dataclass(frozen=True)
class Figure:
    """A number as the document writes it, with the place it was written."""

    value: Decimal
    line: int | None = None
    col: int | None = None
    text: str | None = None
    unit: str | None = None
    location: str | None = None

    @property
    def decimals(self) -> int:
        return decimals_of(self.value)


def decimals_of(value: Decimal) -> int:
    """How many decimals a figure was written with (``12.50`` -> 2, ``3`` -> 0)."""
    exponent = exponent_of(value)
    return -exponent if exponent is not None and exponent < 0 else 0


def exponent_of(value: Decimal) -> int | None:
    """The exponent of ``value`` as written (``12.50`` -> -2, ``1E+3`` -> 3); None for an
    infinity or NaN. The same as ``value.as_tuple().exponent``, read off the value's string in a
    fifth of the time: ``as_tuple`` builds a tuple of every digit, and the reader asks this of
    every figure it finds. A finite Decimal's string is its digits with a point, in scientific
    notation when the exponent is positive or the value is small (``1.5E-7``)."""
    if not value.is_finite():  # Infinity, NaN, sNaN (a NaN may carry digits: NaN123)
        return None
    text = str(value)
    mark = text.find("E")
    if mark < 0:
        mark = text.find("e")  # a context with ``capitals=0``
    if mark < 0:
        point = text.find(".")
        return point - len(text) + 1 if point >= 0 else 0
    point = text.find(".", 0, mark)
    return int(text[mark + 1 :]) - (mark - point - 1 if point >= 0 else 0)


@stored_directly
@dataclass(frozen=True)
class YearMention:
    """A year written in the document, with the year it should name (``current`` = the document's
    year, ``prior`` = the year before) so that the year rules can test it."""

    year: int
    context: str  # title, heading, overall_goal, planned_purchase, asset_year_end, ...
    expect: str  # "current" or "prior"
    text: str
    line: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class Problem:
    """Something the reader noticed but could not make sense of; reported by the checker."""

    section: str
    message: str
    line: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class DocumentInfo:
    department: str | None
    year: int | None
    kind: str | None  # "budget" or "final_accounts"
    title: str | None
    source: str
    encoding: str | None
    source_kind: str = "text"  # text, docx, toml
    line: int | None = None


@dataclass(frozen=True)
class OrgUnit:
    name: str | None
    nature: str | None = None
    level: str | None = None
    funding: str | None = None
    line: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class Organization:
    units: tuple[OrgUnit, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Budget:
    income_total: Figure | None = None
    income_personnel: Figure | None = None
    income_operating: Figure | None = None
    income_project: Figure | None = None
    expenditure_total: Figure | None = None
    basic_total: Figure | None = None
    basic_personnel: Figure | None = None
    basic_operating: Figure | None = None
    project_total: Figure | None = None
    project_own_level: Figure | None = None
    project_lower_level: Figure | None = None
    change_total: Figure | None = None
    change_project: Figure | None = None
    unit: str = "万元"
    line: int | None = None


BUDGET_FIELDS = (
    "income_total",
    "income_personnel",
    "income_operating",
    "income_project",
    "expenditure_total",
    "basic_total",
    "basic_personnel",
    "basic_operating",
    "project_total",
    "project_own_level",
    "project_lower_level",
    "change_total",
    "change_project",
)


@stored_directly
@dataclass(frozen=True)
class RunningCostItem:
    name: str
    amount: Figure | None


@dataclass(frozen=True)
class RunningCosts:
    total: Figure | None = None
    partial: bool = False
    items: tuple[RunningCostItem, ...] = ()
    unit: str = "万元"
    line: int | None = None


@stored_directly
@dataclass(frozen=True)
class ThreePublicRow:
    name: str
    prior: Figure | None = None
    current: Figure | None = None
    change: Figure | None = None
    reason: str | None = None
    line: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class ThreePublic:
    stated_total: Figure | None = None
    prior_year: int | None = None
    year: int | None = None
    unit: str | None = None
    rows: tuple[ThreePublicRow, ...] = ()
    line: int | None = None
    table_line: int | None = None

    def row(self, name_part: str) -> ThreePublicRow | None:
        return next((r for r in self.rows if name_part in r.name), None)


PROCUREMENT_AMOUNT_FIELDS = (
    "budget",
    "amount",
    "current_year_total",
    "general_budget",
    "fund_budget",
    "special_account",
    "other_sources",
    "other_channels",
)
PROCUREMENT_FIGURE_FIELDS = ("budget", "quantity", "unit_price", *PROCUREMENT_AMOUNT_FIELDS[1:])


@stored_directly
@dataclass(frozen=True)
class ProcurementLine:
    project: str | None = None
    budget: Figure | None = None
    item: str | None = None
    code: str | None = None
    unit: str | None = None
    quantity: Figure | None = None
    unit_price: Figure | None = None
    amount: Figure | None = None
    current_year_total: Figure | None = None
    general_budget: Figure | None = None
    fund_budget: Figure | None = None
    special_account: Figure | None = None
    other_sources: Figure | None = None
    other_channels: Figure | None = None
    line: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class Procurement:
    stated_total: Figure | None = None
    table_unit: str | None = None
    lines: tuple[ProcurementLine, ...] = ()
    total_row: ProcurementLine | None = None
    line: int | None = None
    table_line: int | None = None


@stored_directly
@dataclass(frozen=True)
class AssetRow:
    name: str
    row_no: str | None = None
    value: Figure | None = None
    parent: str | None = None
    level: int = 0
    line: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class Assets:
    stated_total: Figure | None = None
    stated_total_unit: str | None = None
    year_end: int | None = None
    planned_purchase: Figure | None = None
    planned_purchase_year: int | None = None
    planned_in_procurement: bool = False
    table_year_label: str | None = None
    table_year_line: int | None = None  # where the label is written (its cell's line)
    table_year_location: str | None = None
    table_unit: str | None = None
    table_unit_inferred: bool = False
    rows: tuple[AssetRow, ...] = ()
    line: int | None = None
    table_line: int | None = None


@stored_directly
@dataclass(frozen=True)
class Indicator:
    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    description: str | None = None
    target: str | None = None
    target_op: str | None = None
    target_value: Decimal | None = None
    target_unit: str | None = None
    basis: str | None = None
    line: int | None = None
    location: str | None = None


@stored_directly
@dataclass(frozen=True)
class PerformanceProject:
    name: str
    line: int | None = None
    goals: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    location: str | None = None


@dataclass(frozen=True)
class Performance:
    overall_goal_year: int | None = None
    overall_goal_line: int | None = None
    projects: tuple[PerformanceProject, ...] = ()
    line: int | None = None


@stored_directly
@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    line: int | None = None


@stored_directly
@dataclass(frozen=True)
class Part:
    """A part of the template as found in the document (第X部分 headings)."""

    key: str  # one of SECTIONS or "glossary", "other"
    heading: str
    line: int | None = None


@dataclass(frozen=True)
class Document:
    info: DocumentInfo
    organization: Organization | None = None
    budget: Budget | None = None
    running_costs: RunningCosts | None = None
    three_public: ThreePublic | None = None
    performance: Performance | None = None
    procurement: Procurement | None = None
    assets: Assets | None = None
    glossary: tuple[GlossaryEntry, ...] | None = None
    parts: tuple[Part, ...] = ()
    years: tuple[YearMention, ...] = ()
    problems: tuple[Problem, ...] = ()


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]


@dataclass(frozen=True)
class Finding:
    id: str
    rule: str
    name: str
    severity: Severity
    section: str
    document: str
    message: str
    expected: str | None = None
    actual: str | None = None
    difference: str | None = None
    tolerance: str | None = None
    lines: tuple[int, ...] = ()
    location: str | None = None
    key: str | None = None
    department: str | None = None
    year: int | None = None
