"""Table mode of ``reconcile diff``: small ledgers written inline to tmp_path, compared by key.

Every expected figure below is read off the input rows by hand (and worked out in the comment
next to it), never computed by the code under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from reconcile.errors import ReadError, UsageError
from reconcile.tablediff import (
    Bound,
    Tolerance,
    diff_tables,
    is_table_path,
    parse_tolerance,
    render_csv,
    render_json,
    render_text,
    render_toml,
)

KEYS = ["dept_id", "item_code"]

OLD = """\
dept_id,item_code,item_name,unit,quantity,unit_price,amount
101,A01,复印纸,箱,10,0.35,3.50
101,A02,硒鼓,个,4,0.12,0.48
102,B01,台式计算机,台,2,0.65,1.30
102,B02,办公椅,把,6,0.08,0.48
"""

NEW = """\
dept_id,item_code,item_name,unit,quantity,unit_price,amount
101,A01,复印纸,箱,10,0.36,3.60
101,A02,硒鼓,个,4,0.12,0.48
102,B01,台式计算机,台,2,0.65,1.30
103,C01,碎纸机,台,1,0.15,0.15
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = folder / name
    path.write_text(text, encoding=encoding)
    return str(path)


def pair(tmp_path: Path, old: str, new: str) -> tuple[str, str]:
    return write(tmp_path, "old.csv", old), write(tmp_path, "new.csv", new)


def by_field(diff: Any, key: str) -> dict[str, dict[str, Any]]:
    rows = diff.rows.filter(pl.col("key") == key).to_dicts()
    return {row["field"]: row for row in rows}


def one_column(values_old: list[str], values_new: list[str], column: str = "amount") -> str:
    """Two-column CSV bodies: key ``k`` 1, 2, … and one value column."""
    return "\n".join(
        [f"k,{column}", *(f"{i},{v}" for i, v in enumerate(values_old + values_new, 1))]
    )


def single(tmp_path: Path, old: str, new: str, tolerance: str | None = None) -> dict[str, Any]:
    """Compare one item (key 1) with one column ``amount``; its row."""
    old_path, new_path = pair(tmp_path, f"k,amount\n1,{old}\n", f"k,amount\n1,{new}\n")
    diff = diff_tables(old_path, new_path, ["k"], parse_tolerance(tolerance))
    [row] = diff.rows.to_dicts()
    return row


# ---------------------------------------------------------------------------------------------
# Counts, statuses and the row contract


def test_counts_items_by_key(tmp_path: Path) -> None:
    # A01 changed (unit_price 0.35 -> 0.36, amount 3.50 -> 3.60); A02 and B01 unchanged;
    # B02 only in old; C01 only in new.
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS)
    assert diff.summary == {"changed": 1, "added": 1, "removed": 1, "unchanged": 2}
    assert diff.has_differences
    assert diff.columns == ("item_name", "unit", "quantity", "unit_price", "amount")


def test_changed_item_has_one_row_per_column(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS)
    rows = by_field(diff, "101|A01")
    assert list(rows) == ["item_name", "unit", "quantity", "unit_price", "amount"]
    assert rows["amount"] == {
        "section": "table",
        "key": "101|A01",
        "field": "amount",
        "label": "amount",
        "old": "3.50",
        "new": "3.60",
        "delta": "0.10",
        "delta_pct": "2.86",  # 0.10 / 3.50 = 2.857 %
        "stated_delta": None,
        "status": "changed",
        "old_line": 1,
        "new_line": 1,
    }
    assert rows["unit_price"]["delta"] == "0.01"
    assert rows["unit_price"]["delta_pct"] == "2.86"  # 0.01 / 0.35 = 2.857 %
    assert rows["quantity"]["status"] == "unchanged"
    assert rows["quantity"]["delta"] == "0"
    name = rows["item_name"]
    assert (name["old"], name["new"], name["delta"], name["status"]) == (
        "复印纸",
        "复印纸",
        None,  # text has no delta
        "unchanged",
    )


def test_added_and_removed_items_list_every_column(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS)
    removed = by_field(diff, "102|B02")
    assert {f: (r["old"], r["new"], r["status"]) for f, r in removed.items()} == {
        "item_name": ("办公椅", None, "removed"),
        "unit": ("把", None, "removed"),
        "quantity": ("6", None, "removed"),
        "unit_price": ("0.08", None, "removed"),
        "amount": ("0.48", None, "removed"),
    }
    assert {(r["old_line"], r["new_line"]) for r in removed.values()} == {(4, None)}
    added = by_field(diff, "103|C01")
    assert added["amount"]["old"] is None
    assert added["amount"]["new"] == "0.15"
    assert added["amount"]["delta"] is None
    assert {(r["old_line"], r["new_line"], r["status"]) for r in added.values()} == {
        (None, 4, "added")
    }


def test_rows_come_in_old_table_order_added_last(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS)
    keys = list(dict.fromkeys(diff.rows.get_column("key").to_list()))
    assert keys == ["101|A01", "101|A02", "102|B01", "102|B02", "103|C01"]
    assert diff.rows.height == 5 * 5
    assert diff.rows.schema == pl.Schema(
        {
            **{name: pl.String for name in ("section", "key", "field", "label", "old", "new")},
            **{name: pl.String for name in ("delta", "delta_pct", "stated_delta", "status")},
            "old_line": pl.Int64,
            "new_line": pl.Int64,
        }
    )


def test_only_changed_leaves_out_unchanged_rows(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS, only_changed=True)
    assert diff.summary == {"changed": 1, "added": 1, "removed": 1, "unchanged": 2}
    statuses = diff.rows.select("key", "field", "status").rows()
    assert statuses[:2] == [
        ("101|A01", "unit_price", "changed"),
        ("101|A01", "amount", "changed"),
    ]
    assert {s for _, _, s in statuses} == {"changed", "added", "removed"}
    assert len(statuses) == 2 + 5 + 5


def test_identical_tables_have_no_differences(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, OLD), KEYS)
    assert diff.summary == {"changed": 0, "added": 0, "removed": 0, "unchanged": 4}
    assert not diff.has_differences
    assert set(diff.rows.get_column("status")) == {"unchanged"}


def test_empty_tables(tmp_path: Path) -> None:
    header = "dept_id,item_code,amount\n"
    diff = diff_tables(*pair(tmp_path, header, header), KEYS)
    assert diff.summary == {"changed": 0, "added": 0, "removed": 0, "unchanged": 0}
    assert not diff.has_differences
    assert diff.rows.height == 0
    assert diff.to_dict()["rows"] == []
    assert json.loads(render_json(diff))["rows"] == []


def test_empty_old_table_means_everything_added(tmp_path: Path) -> None:
    header = "dept_id,item_code,amount\n"
    diff = diff_tables(*pair(tmp_path, header, header + "101,A01,1.00\n101,A02,2.00\n"), KEYS)
    assert diff.summary == {"changed": 0, "added": 2, "removed": 0, "unchanged": 0}
    assert diff.rows.get_column("new").to_list() == ["1.00", "2.00"]


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    old = "k,amount\n1,5\n\n2,6\n"  # data rows: 1 = "1,5", 2 = blank, 3 = "2,6"
    new = "k,amount\n2,7\n1,5\n"
    diff = diff_tables(*pair(tmp_path, old, new), ["k"])
    assert diff.summary == {"changed": 1, "added": 0, "removed": 0, "unchanged": 1}
    amount = by_field(diff, "2")["amount"]
    assert (amount["old_line"], amount["new_line"], amount["delta"]) == (3, 1, "1")


def test_values_and_names_are_trimmed_and_empty_is_missing(tmp_path: Path) -> None:
    old = "k , amount ,note\n 1 , 2.50 ,\n2,3,x\n"
    new = "k,amount,note\n1,2.5,  \n2,3,\n"
    diff = diff_tables(*pair(tmp_path, old, new), ["k"])
    # 1: 2.50 = 2.5 and '' = '  ' (both missing); 2: note 'x' -> missing.
    assert diff.summary == {"changed": 1, "added": 0, "removed": 0, "unchanged": 1}
    note = by_field(diff, "2")["note"]
    assert (note["old"], note["new"], note["status"]) == ("x", None, "changed")


def test_columns_only_in_one_table(tmp_path: Path) -> None:
    old = "k,amount,remark\n1,5,a\n2,6,b\n"
    new = "k,amount,budget_code\n1,5,X1\n3,7,X3\n"
    diff = diff_tables(*pair(tmp_path, old, new), ["k"])
    assert diff.columns == ("amount",)
    assert (diff.only_old, diff.only_new) == (("remark",), ("budget_code",))
    assert list(by_field(diff, "1")) == ["amount"]
    assert list(by_field(diff, "2")) == ["amount", "remark"]
    assert list(by_field(diff, "3")) == ["amount", "budget_code"]
    assert by_field(diff, "3")["budget_code"]["new"] == "X3"
    assert "columns only in old (not compared): remark" in render_text(diff)


def test_keys_are_text(tmp_path: Path) -> None:
    old = "code,amount\n001,5\n"
    new = "code,amount\n1,5\n"
    diff = diff_tables(*pair(tmp_path, old, new), ["code"])
    assert diff.summary == {"changed": 0, "added": 1, "removed": 1, "unchanged": 0}
    assert set(diff.rows.get_column("key")) == {"001", "1"}


def test_missing_key_value_is_a_key_too(tmp_path: Path) -> None:
    old = "dept_id,item_code,amount\n101,,5\n"
    new = "dept_id,item_code,amount\n101,,6\n"
    diff = diff_tables(*pair(tmp_path, old, new), KEYS)
    assert diff.summary["changed"] == 1
    assert diff.rows.get_column("key").to_list() == ["101|"]


# ---------------------------------------------------------------------------------------------
# Exact decimals


def test_no_float_noise(tmp_path: Path) -> None:
    # 0.1 -> 0.3: in binary floating point 0.3 - 0.1 = 0.19999999999999998.
    row = single(tmp_path, "0.1", "0.3")
    assert (row["delta"], row["delta_pct"]) == ("0.2", "200.00")
    # 0.1 + 0.2 written out: 0.30000000000000004 would be float noise; here 0.3 stays 0.3.
    row = single(tmp_path, "0.30", "0.3")
    assert (row["status"], row["delta"]) == ("unchanged", "0.00")


def test_thousandths_are_not_rounded(tmp_path: Path) -> None:
    # At scale 2, '0.005' would become 0.01 (or 0.00) and '0.004' 0.00.
    row = single(tmp_path, "0.005", "0.004")
    assert (row["status"], row["delta"], row["delta_pct"]) == ("changed", "-0.001", "-20.00")
    row = single(tmp_path, "1.005", "1.005")
    assert row["status"] == "unchanged"


def test_delta_has_the_decimals_of_the_more_precise_value(tmp_path: Path) -> None:
    assert single(tmp_path, "100", "105")["delta"] == "5"
    assert single(tmp_path, "100", "105.5")["delta"] == "5.5"
    assert single(tmp_path, "0.10", "0.3")["delta"] == "0.20"
    assert single(tmp_path, "12.5", "-0.125")["delta"] == "-12.625"
    assert single(tmp_path, "-3", "+3")["delta"] == "6"


def test_delta_pct_rounds_half_to_even(tmp_path: Path) -> None:
    # 0.5 / 400 × 100 = 0.125 exactly: half, 2 is even -> 0.12.
    assert single(tmp_path, "400", "400.5")["delta_pct"] == "0.12"
    # 1.5 / 400 × 100 = 0.375 exactly: half, 7 is odd -> 0.38.
    assert single(tmp_path, "400", "401.5")["delta_pct"] == "0.38"
    # 1 / 3 × 100 = 33.333… -> 33.33; 2 / 3 × 100 = 66.666… -> 66.67.
    assert single(tmp_path, "3", "4")["delta_pct"] == "33.33"
    assert single(tmp_path, "3", "5")["delta_pct"] == "66.67"
    # -0.5 / 400 × 100 = -0.125 -> -0.12.
    assert single(tmp_path, "400", "399.5")["delta_pct"] == "-0.12"
    # From a negative value a rise is positive: (-50 - -100) / |-100| × 100 = 50.
    assert single(tmp_path, "-100", "-50")["delta_pct"] == "50.00"


def test_delta_pct_is_null_when_old_is_zero(tmp_path: Path) -> None:
    row = single(tmp_path, "0.00", "1.25")
    assert (row["delta"], row["delta_pct"], row["status"]) == ("1.25", None, "changed")


def test_text_against_number_is_compared_as_text(tmp_path: Path) -> None:
    row = single(tmp_path, "—", "0")
    assert (row["status"], row["delta"], row["delta_pct"]) == ("changed", None, None)
    row = single(tmp_path, '"1,234.50"', "1234.50")  # thousands separators are text
    assert (row["status"], row["delta"]) == ("changed", None)


def test_number_missing_on_one_side(tmp_path: Path) -> None:
    row = single(tmp_path, "", "3.5")
    assert (row["old"], row["new"], row["status"], row["delta"]) == (None, "3.5", "changed", None)


# ---------------------------------------------------------------------------------------------
# Tolerance


def test_parse_tolerance_forms() -> None:
    assert parse_tolerance(None) == Tolerance()
    assert parse_tolerance("  ") == Tolerance()
    assert parse_tolerance("0.01") == Tolerance(Bound(absolute=Decimal("0.01")))
    assert parse_tolerance("0.5%") == Tolerance(Bound(relative=Decimal("0.5")))
    assert parse_tolerance("0.01, 0.5 %") == Tolerance(Bound(Decimal("0.01"), Decimal("0.5")))
    assert parse_tolerance("amount=0.01,unit_price=1%") == Tolerance(
        columns=(
            ("amount", Bound(absolute=Decimal("0.01"))),
            ("unit_price", Bound(relative=Decimal("1"))),
        )
    )
    combined = parse_tolerance("0.5%,amount=0.01,amount=2%")
    assert combined.default == Bound(relative=Decimal("0.5"))
    assert combined.for_column("amount") == Bound(Decimal("0.01"), Decimal("2"))
    assert combined.for_column("quantity") == Bound(relative=Decimal("0.5"))
    assert str(combined) == "0.5%,amount=0.01,amount=2%"


@pytest.mark.parametrize(
    "spec",
    ["-0.01", "abc", "1%%", "=0.01", "0.01,", "0.01,0.02", "amount=1,amount=2", "1e-3",
     "0.0000001", "1000%", "amount="],
)  # fmt: skip
def test_parse_tolerance_refuses(spec: str) -> None:
    with pytest.raises(UsageError, match="--tolerance"):
        parse_tolerance(spec)


def test_absolute_tolerance(tmp_path: Path) -> None:
    # |100.01 - 100.00| = 0.01 <= 0.01: unchanged; |100.02 - 100.00| = 0.02 > 0.01: changed.
    old, new = pair(tmp_path, "k,amount\n1,100.00\n2,100.00\n", "k,amount\n1,100.01\n2,100.02\n")
    diff = diff_tables(old, new, ["k"], parse_tolerance("0.01"))
    assert diff.summary == {"changed": 1, "added": 0, "removed": 0, "unchanged": 1}
    assert diff.rows.select("key", "delta", "status").rows() == [
        ("1", "0.01", "unchanged"),
        ("2", "0.02", "changed"),
    ]


def test_absolute_tolerance_finer_than_the_figures(tmp_path: Path) -> None:
    # 0.005 allowed, figures in cents: 0.01 is beyond it.
    row = single(tmp_path, "1.00", "1.01", "0.005")
    assert row["status"] == "changed"
    row = single(tmp_path, "1.000", "1.005", "0.005")
    assert row["status"] == "unchanged"


def test_relative_tolerance(tmp_path: Path) -> None:
    # 0.5 % of 200 is 1: 201 is within, 201.01 is not; 0.5 % of -200 is also 1.
    assert single(tmp_path, "200", "201", "0.5%")["status"] == "unchanged"
    assert single(tmp_path, "200", "201.01", "0.5%")["status"] == "changed"
    assert single(tmp_path, "-200", "-199", "0.5%")["status"] == "unchanged"
    # Nothing is within a percentage of zero but zero itself.
    assert single(tmp_path, "0", "0.000001", "50%")["status"] == "changed"


def test_absolute_or_relative(tmp_path: Path) -> None:
    # 0.01 or 1 %: 1000 -> 1009 within 1 % (10); 1 -> 1.01 within 0.01; 1 -> 1.02 in neither.
    assert single(tmp_path, "1000", "1009", "0.01,1%")["status"] == "unchanged"
    assert single(tmp_path, "1", "1.01", "0.01,1%")["status"] == "unchanged"
    assert single(tmp_path, "1", "1.02", "0.01,1%")["status"] == "changed"


def test_per_column_tolerance(tmp_path: Path) -> None:
    old = "k,amount,unit_price,quantity\n1,10.00,2.00,5\n"
    new = "k,amount,unit_price,quantity\n1,10.01,2.02,6\n"
    diff = diff_tables(
        *pair(tmp_path, old, new), ["k"], parse_tolerance("amount=0.01,unit_price=1%")
    )
    # amount +0.01 <= 0.01; unit_price +0.02 <= 1 % of 2.00; quantity has no tolerance.
    statuses = dict(diff.rows.select("field", "status").rows())
    assert statuses == {"amount": "unchanged", "unit_price": "unchanged", "quantity": "changed"}
    diff = diff_tables(*pair(tmp_path, old, new), ["k"], parse_tolerance("1,amount=0.001"))
    # A column's own bound replaces the general one: amount +0.01 > 0.001; the others <= 1.
    statuses = dict(diff.rows.select("field", "status").rows())
    assert statuses == {"amount": "changed", "unit_price": "unchanged", "quantity": "unchanged"}


def test_tolerance_never_applies_to_text(tmp_path: Path) -> None:
    assert single(tmp_path, "n/a", "n/b", "100")["status"] == "changed"


def test_tolerance_naming_unknown_or_key_column(tmp_path: Path) -> None:
    old, new = pair(tmp_path, OLD, NEW)
    with pytest.raises(UsageError, match="amonut"):
        diff_tables(old, new, KEYS, parse_tolerance("amonut=0.01"))
    with pytest.raises(UsageError, match="key column dept_id"):
        diff_tables(old, new, KEYS, parse_tolerance("dept_id=1"))


# ---------------------------------------------------------------------------------------------
# Bad input


def test_duplicate_keys_are_named(tmp_path: Path) -> None:
    new = NEW + "101,A01,复印纸,箱,1,0.36,0.36\n101,A01,复印纸,箱,2,0.36,0.72\n102,B01,x,台,1,1,1\n"
    old_path, new_path = pair(tmp_path, OLD, new)
    with pytest.raises(ReadError) as caught:
        diff_tables(old_path, new_path, KEYS)
    assert caught.value.path == new_path
    assert "101|A01 (3 rows)" in caught.value.reason
    assert "102|B01 (2 rows)" in caught.value.reason
    assert caught.value.reason.index("101|A01") < caught.value.reason.index("102|B01")


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        # the repeated key is not in new at all: still an error, naming the old file
        ("k,amount\n7,1\n7,2\n8,3\n", "k,amount\n8,3\n", "7 (2 rows)"),
        # distinct as written, one key once trimmed: the join sees them as the same item
        ("k,amount\nA01,5\n A01 ,6\nA02,1\n", "k,amount\nA01,5\nA02,1\n", "A01 (2 rows)"),
    ],
    ids=["in-old-only", "equal-once-trimmed"],
)
def test_duplicate_keys_in_old_are_named(tmp_path: Path, old: str, new: str, named: str) -> None:
    old_path, new_path = pair(tmp_path, old, new)
    with pytest.raises(ReadError) as caught:
        diff_tables(old_path, new_path, ["k"])
    assert caught.value.path == old_path
    assert named in caught.value.reason


def test_many_duplicates_are_summarised(tmp_path: Path) -> None:
    old = "k,amount\n" + "".join(f"{i},1\n{i},2\n" for i in range(1, 9))
    old_path, new_path = pair(tmp_path, old, "k,amount\n1,1\n")
    with pytest.raises(ReadError, match=r"1 \(2 rows\), 2 \(2 rows\), .* and 3 more"):
        diff_tables(old_path, new_path, ["k"])


def test_rows_of_empty_cells_are_no_repeated_key(tmp_path: Path) -> None:
    # ",," rows have no key as written, twice; they are blank rows, dropped, not duplicates
    old = "k,amount,note\n1,5,a\n,,\n , ,\n2,6,b\n"
    new = "k,amount,note\n2,7,b\n,,\n1,5,a\n,,\n"
    diff = diff_tables(*pair(tmp_path, old, new), ["k"])
    assert diff.summary == {"changed": 1, "added": 0, "removed": 0, "unchanged": 1}
    assert by_field(diff, "2")["amount"]["old_line"] == 4


def _padded(i: int) -> str:
    """A01 with spaces and tabs around it as the bits of ``i`` say: distinct as written."""
    pad = "".join(" \t"[(i >> bit) & 1] for bit in range(15))
    return f"{pad}A01{pad[::-1]}"


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
@pytest.mark.parametrize(
    ("code", "key"),
    [
        (lambda i: "A01", "item_code"),  # a wrong --key: one column of two
        (_padded, "item_code"),  # distinct as written, one key trimmed
    ],
    ids=["repeated", "equal-once-trimmed"],
)
def test_a_key_repeated_in_both_tables_is_reported_before_the_join(
    tmp_path: Path, code: Any, key: str
) -> None:
    """A key in 20,000 rows of each table would join to 400,000,000 rows. The command names the
    repeats instead, within a memory limit the join would break (the limit, not a clock, tells
    them apart)."""
    table = "dept_id,item_code,name,amount\n" + "".join(
        f'10{i % 7},"{code(i)}",item {i},1\n' for i in range(20_000)
    )
    old_path, new_path = pair(tmp_path, table, table)
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from reconcile.cli import main\n"
        f"sys.exit(main(['diff', {old_path!r}, {new_path!r}, '--key', {key!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"{old_path}: duplicate keys ({key})" in done.stderr
    assert "A01 (" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_a_table_of_250_columns_is_compared_column_by_column(tmp_path: Path) -> None:
    """Every other value of 250 columns × 40 items changed by one. The rows of such a diff were
    planned with every column's figures in every column's part: 100 columns took 5 s, 250 ran
    out of memory (the limit, not a clock, tells them apart)."""
    columns = [f"c{i}" for i in range(250)]
    head = "k," + ",".join(columns) + "\n"
    old = head + "".join(
        f"{r}," + ",".join(str(r + i) for i in range(250)) + "\n" for r in range(40)
    )
    new = head + "".join(
        f"{r}," + ",".join(str(r + i + i % 2) for i in range(250)) + "\n" for r in range(40)
    )
    old_path, new_path = pair(tmp_path, old, new)
    out = tmp_path / "diff.json"
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "from reconcile.cli import main\n"
        f"sys.exit(main(['diff', {old_path!r}, {new_path!r}, '--key', 'k', '--format', 'json',"
        f" '-o', {str(out)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    changed = {(r["key"], r["field"]) for r in rows if r["status"] == "changed"}
    assert changed == {(str(r), f"c{i}") for r in range(40) for i in range(1, 250, 2)}
    assert all(r["delta"] == "1" for r in rows if r["status"] == "changed")


def _decimal_tables(tmp_path: Path, old: str, new: str) -> tuple[str, str]:
    """Two Parquet tables of one item, its amount a Decimal(38, 9) written as given."""
    paths = []
    for name, value in (("old", old), ("new", new)):
        path = tmp_path / f"{name}.parquet"
        pl.DataFrame(
            {"k": ["1"], "amount": pl.Series([Decimal(value)], dtype=pl.Decimal(38, 9))}
        ).write_parquet(path)
        paths.append(str(path))
    return paths[0], paths[1]


def test_a_percentage_of_a_tiny_old_value_is_exact(tmp_path: Path) -> None:
    # 0.000000001 -> 100000000000000000000: the change is about 10^31 % (it did not fit a
    # 38-digit decimal of scale 2, and the diff stopped with an internal error)
    diff = diff_tables(*_decimal_tables(tmp_path, "0.000000001", "1E+20"), ["k"])
    amount = by_field(diff, "1")["amount"]
    with localcontext() as exact:
        exact.prec = 60
        expected = (Decimal("1E+20") - Decimal("0.000000001")) / Decimal("0.000000001") * 100
    assert amount["delta"] == "99999999999999999999.999999999"
    assert Decimal(amount["delta_pct"]) == expected
    assert amount["delta_pct"].endswith(".00")


def test_typed_values_too_large_to_compare_exactly_are_refused(tmp_path: Path) -> None:
    # 1e26 -> 3e26 is +200 %; the integers behind it wrapped around and it read -4.17 %
    old_path, new_path = _decimal_tables(tmp_path, "1E+26", "3E+26")
    with pytest.raises(ReadError) as caught:
        diff_tables(old_path, new_path, ["k"])
    assert caught.value.path == old_path
    assert "column amount holds values beyond ±10^24" in caught.value.reason


def test_a_table_name_too_long_is_a_read_error(tmp_path: Path) -> None:
    long = str(tmp_path / ("x" * 300 + ".csv"))
    _, new_path = pair(tmp_path, OLD, NEW)
    with pytest.raises(ReadError) as caught:
        diff_tables(long, new_path, KEYS)
    assert caught.value.path == long and "too long" in caught.value.reason


def test_missing_key_column(tmp_path: Path) -> None:
    old_path, new_path = pair(tmp_path, OLD, NEW.replace("item_code", "code"))
    with pytest.raises(ReadError) as caught:
        diff_tables(old_path, new_path, KEYS)
    assert caught.value.path == new_path
    assert "no key column item_code" in caught.value.reason


def test_unreadable_inputs(tmp_path: Path) -> None:
    old_path, _ = pair(tmp_path, OLD, NEW)
    with pytest.raises(ReadError, match="no such file"):
        diff_tables(old_path, str(tmp_path / "missing.csv"), KEYS)
    with pytest.raises(ReadError, match="not a table format"):
        diff_tables(old_path, write(tmp_path, "new.txt", NEW), KEYS)
    with pytest.raises(ReadError, match="empty"):
        diff_tables(old_path, write(tmp_path, "empty.csv", ""), KEYS)
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(ReadError) as caught:
        diff_tables(old_path, str(tmp_path / "broken.parquet"), KEYS)
    assert caught.value.path.endswith("broken.parquet")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ReadError, match="xlsx"):
        diff_tables(old_path, str(tmp_path / "broken.xlsx"), KEYS)


def test_bad_key_lists() -> None:
    with pytest.raises(UsageError):
        diff_tables("a.csv", "b.csv", [])
    with pytest.raises(UsageError):
        diff_tables("a.csv", "b.csv", ["k", "k"])


def test_is_table_path() -> None:
    assert is_table_path("a.csv")
    assert is_table_path("dir/A.CSV")
    assert is_table_path("a.tsv")
    assert is_table_path("a.parquet")
    assert is_table_path("a.xlsx")
    assert not is_table_path("a.txt")
    assert not is_table_path("budget.docx")
    assert not is_table_path("a.toml")


# ---------------------------------------------------------------------------------------------
# Formats and types


def test_parquet_with_other_types_and_column_order(tmp_path: Path) -> None:
    # new: columns in another order; quantity as integers, amounts as Decimal(10, 2), keys as
    # integers.
    new = pl.DataFrame(
        {
            "amount": [Decimal("3.60"), Decimal("0.48"), Decimal("1.30"), Decimal("0.15")],
            "item_code": ["A01", "A02", "B01", "C01"],
            "quantity": [10, 4, 3, 1],
            "dept_id": [101, 101, 102, 103],
            "unit_price": [Decimal("0.36"), Decimal("0.12"), Decimal("0.65"), Decimal("0.15")],
            "unit": ["箱", "个", "台", "台"],
            "item_name": ["复印纸", "硒鼓", "台式计算机", "碎纸机"],
        },
        schema_overrides={"amount": pl.Decimal(10, 2), "unit_price": pl.Decimal(10, 2)},
    )
    new.write_parquet(tmp_path / "new.parquet")
    old_path = write(tmp_path, "old.csv", OLD)
    diff = diff_tables(old_path, str(tmp_path / "new.parquet"), KEYS)
    # A01 changed as in the CSV pair; B01 quantity 2 -> 3 (amount stays 1.30).
    assert diff.summary == {"changed": 2, "added": 1, "removed": 1, "unchanged": 1}
    quantity = by_field(diff, "102|B01")["quantity"]
    assert (quantity["old"], quantity["new"], quantity["delta"], quantity["delta_pct"]) == (
        "2",
        "3",
        "1",
        "50.00",
    )
    assert by_field(diff, "102|B01")["amount"]["status"] == "unchanged"
    assert by_field(diff, "103|C01")["amount"]["new_line"] == 4


def test_parquet_against_parquet_typed(tmp_path: Path) -> None:
    old = pl.DataFrame(
        {"k": [1, 2, 3], "amount": ["0.005", "2.5", "7"], "n": [1, 2, 3]}
    ).with_columns(pl.col("amount").str.to_decimal(scale=3))
    new = pl.DataFrame({"k": [3, 2, 1], "amount": ["7.000", "2.499", "0.004"], "n": [3, 2, 1]})
    new = new.with_columns(pl.col("amount").str.to_decimal(scale=3))
    old.write_parquet(tmp_path / "old.parquet")
    new.write_parquet(tmp_path / "new.parquet")
    diff = diff_tables(str(tmp_path / "old.parquet"), str(tmp_path / "new.parquet"), ["k"])
    assert diff.summary == {"changed": 2, "added": 0, "removed": 0, "unchanged": 1}
    amounts = diff.rows.filter(pl.col("field") == "amount")
    assert amounts.select("key", "old", "new", "delta", "old_line", "new_line").rows() == [
        ("1", "0.005", "0.004", "-0.001", 1, 3),
        ("2", "2.500", "2.499", "-0.001", 2, 2),
        ("3", "7.000", "7.000", "0.000", 3, 1),
    ]
    # -0.001 / 2.5 × 100 = -0.04; -0.001 / 0.005 × 100 = -20.
    assert amounts.get_column("delta_pct").to_list() == ["-20.00", "-0.04", "0.00"]
    tolerant = diff_tables(
        str(tmp_path / "old.parquet"),
        str(tmp_path / "new.parquet"),
        ["k"],
        parse_tolerance("0.001"),
    )
    assert tolerant.summary["unchanged"] == 3


def test_xlsx_against_csv(tmp_path: Path) -> None:
    pl.DataFrame(
        {
            "item_code": ["A01", "A02", "B01", "C01"],
            "dept_id": ["101", "101", "102", "103"],
            "amount": [3.6, 0.48, 1.3, 0.15],
            "quantity": [10, 4, 2, 1],
            "unit_price": [0.36, 0.12, 0.65, 0.15],
            "item_name": ["复印纸", "硒鼓", "台式计算机", "碎纸机"],
            "unit": ["箱", "个", "台", "台"],
        }
    ).write_excel(tmp_path / "new.xlsx")
    diff = diff_tables(write(tmp_path, "old.csv", OLD), str(tmp_path / "new.xlsx"), KEYS)
    assert diff.summary == {"changed": 1, "added": 1, "removed": 1, "unchanged": 2}
    amount = by_field(diff, "101|A01")["amount"]
    # The cell holds 3.6; the CSV wrote 3.50: delta 0.10 with the CSV's two decimals.
    assert (amount["old"], amount["new"], amount["delta"]) == ("3.50", "3.6", "0.10")
    assert by_field(diff, "103|C01")["amount"]["new_line"] == 4


def test_xlsx_empty_rows_are_counted(tmp_path: Path) -> None:
    pl.DataFrame({"k": ["1", None, "2"], "amount": ["5", None, "6"]}).write_excel(
        tmp_path / "old.xlsx"
    )
    pl.DataFrame({"k": ["2", "1"], "amount": ["6", "5"]}).write_excel(tmp_path / "new.xlsx")
    diff = diff_tables(str(tmp_path / "old.xlsx"), str(tmp_path / "new.xlsx"), ["k"])
    assert diff.summary == {"changed": 0, "added": 0, "removed": 0, "unchanged": 2}
    assert diff.rows.select("key", "old_line", "new_line").rows() == [("1", 1, 2), ("2", 3, 1)]


def test_tsv_and_gb18030(tmp_path: Path) -> None:
    old = write(tmp_path, "old.tsv", OLD.replace(",", "\t"))
    new = write(tmp_path, "new.csv", NEW, encoding="gb18030")
    diff = diff_tables(old, new, KEYS)
    assert diff.summary == {"changed": 1, "added": 1, "removed": 1, "unchanged": 2}
    assert by_field(diff, "103|C01")["item_name"]["new"] == "碎纸机"


def test_int_column_against_text_column(tmp_path: Path) -> None:
    pl.DataFrame({"k": ["1", "2", "3"], "quantity": [5, 6, 7]}).write_parquet(
        tmp_path / "o.parquet"
    )
    new = write(tmp_path, "new.csv", "k,quantity\n1,5.0\n2,06\n3,seven\n")
    diff = diff_tables(str(tmp_path / "o.parquet"), new, ["k"])
    # 5 = 5.0 and 6 = 06 as numbers; 7 against 'seven' as text.
    assert dict(diff.rows.select("key", "status").rows()) == {
        "1": "unchanged",
        "2": "unchanged",
        "3": "changed",
    }


# ---------------------------------------------------------------------------------------------
# Renderers


def test_to_dict_and_json(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS, only_changed=True)
    document = diff.to_dict()
    assert document["schema"] == "reconcile.diff/1"
    assert document["old"].endswith("old.csv")
    assert document["new"].endswith("new.csv")
    assert document["summary"] == {"changed": 1, "added": 1, "removed": 1, "unchanged": 2}
    assert document["findings"] == []
    assert document["rows"][0]["old_line"] == 1
    assert json.loads(render_json(diff)) == document


def test_toml_leaves_out_nulls(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS, only_changed=True)
    document = tomllib.loads(render_toml(diff))
    assert document["summary"]["unchanged"] == 2
    removed = [row for row in document["rows"] if row["status"] == "removed"]
    assert removed[0] == {
        "section": "table",
        "key": "102|B02",
        "field": "item_name",
        "label": "item_name",
        "old": "办公椅",
        "status": "removed",
        "old_line": 4,
    }


def test_csv(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS, only_changed=True)
    lines = render_csv(diff).splitlines()
    assert lines[0] == (
        "section,key,field,label,old,new,delta,delta_pct,stated_delta,status,old_line,new_line"
    )
    assert lines[2] == "table,101|A01,amount,amount,3.50,3.60,0.10,2.86,,changed,1,1"


def test_text_lists_only_what_changed(tmp_path: Path) -> None:
    diff = diff_tables(*pair(tmp_path, OLD, NEW), KEYS, parse_tolerance("quantity=1"))
    text = render_text(diff)
    assert text.splitlines()[2:4] == [
        "key: dept_id, item_code   tolerance: quantity=1",
        "1 changed, 1 added, 1 removed, 2 unchanged",
    ]
    assert "    unit_price  0.35 -> 0.36   +0.01 (+2.86%)" in text
    assert "    amount      3.50 -> 3.60   +0.10 (+2.86%)" in text
    assert "removed  102|B02  (old row 4)" in text
    assert "added    103|C01  (new row 4)" in text
    assert "复印纸" not in text  # unchanged value of a changed item
    assert "101|A02" not in text  # unchanged item


# ---------------------------------------------------------------------------------------------
# The sample pair (samples/tables)

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "tables"


def test_sample_procurement_pair() -> None:
    old, new = SAMPLES / "procurement-2020.csv", SAMPLES / "procurement-2021.csv"
    diff = diff_tables(str(old), str(new), KEYS)
    # Changed: 301001|A02010104 (10 -> 12 台), 301001|A020618 (renamed 空调机（分体式）),
    # 301001|A090101 (复印纸 0.02 -> 0.025), 301002|A02021001 (投影仪 0.60 -> 0.58);
    # removed 301001|A020201 (复印机); added 301002|A02010105 (便携式计算机).
    assert diff.summary == {"changed": 4, "added": 1, "removed": 1, "unchanged": 8}
    paper = by_field(diff, "301001|A090101")
    assert (paper["unit_price"]["delta"], paper["amount"]["delta"]) == ("0.005", "0.60")
    assert (paper["amount"]["old_line"], paper["amount"]["new_line"]) == (7, 6)
    projector = by_field(diff, "301002|A02021001")["amount"]
    assert (projector["delta"], projector["delta_pct"]) == ("-0.04", "-3.33")  # 0.04 / 1.20
    tolerant = diff_tables(str(old), str(new), KEYS, parse_tolerance("amount=0.05,unit_price=5%"))
    # The projector's -0.02 on 0.60 (3.33 %) and -0.04 are within; quantity has no tolerance.
    assert tolerant.summary == {"changed": 3, "added": 1, "removed": 1, "unchanged": 9}


# ---------------------------------------------------------------------------------------------
# Through the command line: exit 1 on differences, 0 when the tables agree, 2 on bad input


def test_command_line_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reconcile.cli import main

    old, new = pair(tmp_path, OLD, NEW)
    assert main(["diff", old, new, "--key", "dept_id,item_code"]) == 1
    assert "1 changed, 1 added, 1 removed, 2 unchanged" in capsys.readouterr().out
    assert main(["diff", old, old, "--key", "dept_id,item_code", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["unchanged"] == 4
    assert main(["diff", old, new, "--key", "dept_id,code"]) == 2
    assert "no key column code" in capsys.readouterr().err
    duplicated = write(tmp_path, "dup.csv", OLD + "101,A01,复印纸,箱,1,0.35,0.35\n")
    assert main(["diff", duplicated, new, "--key", "dept_id,item_code"]) == 2
    assert "101|A01 (2 rows)" in capsys.readouterr().err
    assert main(["diff", old, new, "--key", "dept_id,item_code", "--tolerance", "5x"]) == 2


def test_float_parquet_column_reads_as_its_shortest_text(tmp_path: Path) -> None:
    # Floats 0.35 and 3.5 (as written by someone's script) against the CSV's 0.35 and 3.50.
    pl.DataFrame({"k": ["1", "2"], "price": [0.35, 3.5]}).write_parquet(tmp_path / "f.parquet")
    new = write(tmp_path, "new.csv", "k,price\n1,0.35\n2,3.60\n")
    diff = diff_tables(str(tmp_path / "f.parquet"), new, ["k"])
    assert diff.rows.select("key", "old", "new", "delta", "status").rows() == [
        ("1", "0.35", "0.35", "0.00", "unchanged"),
        ("2", "3.5", "3.60", "0.10", "changed"),
    ]


def test_empty_xlsx(tmp_path: Path) -> None:
    empty = pl.DataFrame(schema={"k": pl.String, "amount": pl.String})
    empty.write_excel(tmp_path / "old.xlsx")
    new = write(tmp_path, "new.csv", "k,amount\n1,5\n")
    diff = diff_tables(str(tmp_path / "old.xlsx"), new, ["k"])
    assert diff.summary == {"changed": 0, "added": 1, "removed": 0, "unchanged": 0}
