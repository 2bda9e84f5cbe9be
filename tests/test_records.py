"""The model's records built by ``model.stored_directly``: the same classes, signatures and
behaviour as the frozen dataclasses they are, only built faster."""

from __future__ import annotations

import dataclasses
import inspect
from decimal import Decimal

import pytest

from reconcile import model
from reconcile.model import Figure, Indicator, stored_directly

RECORDS = [
    cls
    for cls in vars(model).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == model.__name__
]
QUICK = [cls for cls in RECORDS if cls.__init__.__code__.co_varnames[:1] == ("__record",)]


def _plain(cls: type) -> type:
    """``cls``'s fields in a frozen dataclass made the ordinary way."""
    fields = [
        (f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, fields, frozen=True)


def test_the_records_a_document_has_many_of_are_built_directly() -> None:
    names = {cls.__name__ for cls in QUICK}
    assert {"Figure", "Indicator", "PerformanceProject", "AssetRow", "Part"} <= names


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
def test_a_record_keeps_the_dataclass_signature(cls: type) -> None:
    assert inspect.signature(cls) == inspect.signature(_plain(cls))


@pytest.mark.parametrize("cls", QUICK, ids=lambda cls: cls.__name__)
def test_a_record_holds_its_arguments_like_the_dataclass(cls: type) -> None:
    # every field given a value of its own, by position and by keyword
    values = {f.name: f"v{i}" for i, f in enumerate(dataclasses.fields(cls))}
    plain = _plain(cls)
    by_position, by_keyword = cls(*values.values()), cls(**values)
    assert by_position == by_keyword
    assert dataclasses.asdict(by_keyword) == dataclasses.asdict(plain(**values)) == values
    assert hash(by_position) == hash(by_keyword)
    name = next(iter(values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(by_keyword, name, "changed")


def test_defaults_wrong_arguments_and_equality() -> None:
    figure = Figure(Decimal("12.50"), 7)
    assert (figure.value, figure.line, figure.col, figure.unit, figure.location) == (
        Decimal("12.50"),
        7,
        None,
        None,
        None,
    )
    assert figure == Figure(value=Decimal("12.50"), line=7)
    assert figure != Figure(value=Decimal("12.50"), line=8)
    assert repr(figure).startswith("Figure(value=Decimal('12.50'), line=7, col=None")
    assert Indicator().level3 is None
    with pytest.raises(TypeError, match="value"):
        Figure()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="nonsense"):
        Figure(Decimal(1), nonsense=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Figure(Decimal(1), 1, 2, "1", "元", "x", "one too many")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values"):
        Figure(Decimal(1), value=Decimal(2))  # type: ignore[misc]


def test_a_field_may_be_called_self() -> None:
    @stored_directly
    @dataclasses.dataclass(frozen=True)
    class Odd:
        self: int
        d: int = 2

    assert (Odd(1).self, Odd(1).d, Odd(self=3, d=4).d) == (1, 2, 4)


def test_what_it_cannot_build_faithfully_is_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Factory:
        items: list[int] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class Posted:
        x: int

        def __post_init__(self) -> None:
            pass

    @dataclasses.dataclass
    class Mutable:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        x: int

    @dataclasses.dataclass(frozen=True)
    class KeywordOnly:
        x: int = dataclasses.field(default=1, kw_only=True)

    for cls in (Factory, Posted, Mutable, Slotted, KeywordOnly, int):
        with pytest.raises(TypeError, match="stored_directly"):
            stored_directly(cls)
