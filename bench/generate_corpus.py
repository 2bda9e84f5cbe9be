"""Generate a corpus of disclosures from the sample: other departments, other years, other
figures, other encodings. Deterministic for a given seed.

    python bench/generate_corpus.py N OUT_DIR [--seed S]

Each document is the sample with: a generated department name (and its short form), the years
shifted to a year between 2019 and 2025 (the prior-year and two-years-back mentions shifted with
it), a few figures garbled (a digit changed, so that some identities break as they do in real
documents), project names varied, and about 15 % written as GB18030, 5 % with CRLF line endings
and 5 % with a UTF-8 BOM.

By default every other figure is the sample's own: the documents are near-copies, and the
reader's caches (of cells and texts it has parsed) hit far more often than on documents of real
departments. ``--scale`` gives each document figures of its own: every decimal figure but the
percentages multiplied by a factor of the document's (0.50 to 2.00), rounded half-to-even to the
decimals it was written with, so that sums and differences still hold within rounding. Whole
numbers keep the sample's values (quantities, and the few amounts written without decimals: a
procurement line whose amount is one no longer meets quantity × the scaled unit price).

    python bench/generate_corpus.py 1000 /tmp/corpus1000s --scale
"""

from __future__ import annotations

import argparse
import random
import re
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
DEPARTMENT = "保定白沟新城管理委员会组织人事局"
SHORT = "组织人事局"

CITIES = [
    "保定",
    "石家庄",
    "唐山",
    "邯郸",
    "邢台",
    "沧州",
    "廊坊",
    "衡水",
    "承德",
    "张家口",
    "秦皇岛",
]
DISTRICTS = [
    "竞秀区",
    "莲池区",
    "满城区",
    "清苑区",
    "徐水区",
    "涿州市",
    "定州市",
    "安国市",
    "高碑店市",
    "涞水县",
    "阜平县",
    "定兴县",
    "唐县",
    "高阳县",
    "容城县",
    "涞源县",
    "望都县",
    "安新县",
]
BUREAUS = [
    "人力资源和社会保障局",
    "财政局",
    "教育局",
    "民政局",
    "农业农村局",
    "自然资源局",
    "卫生健康局",
    "文化广电和旅游局",
    "审计局",
    "统计局",
    "应急管理局",
    "市场监督管理局",
    "水利局",
    "住房和城乡建设局",
]
_NUMBER = re.compile(r"(?<![0-9年])\d+\.\d+|(?<=\t)\d+(?=\n)")
# A decimal figure that is not a percentage (nor part of a longer dotted number).
_DECIMAL = re.compile(r"(?<![0-9年.])\d+\.(\d+)(?![0-9.]*[%％])")


def department(rng: random.Random, i: int) -> tuple[str, str]:
    bureau = rng.choice(BUREAUS)
    return f"{rng.choice(CITIES)}市{rng.choice(DISTRICTS)}{bureau}", bureau


def scaled(text: str, factor: Decimal) -> str:
    """Every decimal figure of ``text`` but the percentages times ``factor``, rounded
    half-to-even to the decimals it was written with."""

    def times(m: re.Match[str]) -> str:
        places = Decimal(1).scaleb(-len(m.group(1)))
        return str((Decimal(m.group(0)) * factor).quantize(places, rounding=ROUND_HALF_EVEN))

    return _DECIMAL.sub(times, text)


def vary(text: str, rng: random.Random, i: int, scale: bool = False) -> tuple[str, str]:
    name, short = department(rng, i)
    year = rng.randint(2019, 2025)
    if scale:
        text = scaled(text, Decimal(rng.randint(50, 200)) / 100)
    text = text.replace(DEPARTMENT, name).replace(SHORT, short)
    shift = {2021: year, 2020: year - 1, 2019: year - 2}
    text = re.sub(r"(20(?:19|20|21))(?=年)", lambda m: str(shift[int(m.group(1))]), text)
    # garble a few figures
    matches = list(_NUMBER.finditer(text))
    for m in rng.sample(matches, k=min(3, len(matches))):
        digits = list(m.group(0))
        pos = rng.choice([k for k, ch in enumerate(digits) if ch.isdigit()])
        digits[pos] = str((int(digits[pos]) + rng.randint(1, 9)) % 10)
        text = text[: m.start()] + "".join(digits) + text[m.end() :]
    text = text.replace("组织人事", short[:2] + "事务", rng.randint(0, 5))
    return text, f"{year}-{i:05d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument(
        "--scale", action="store_true", help="figures of each document's own (see above)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = SAMPLE.read_text(encoding="utf-8")
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.n):
        text, stem = vary(base, rng, i, args.scale)
        roll = rng.random()
        if roll < 0.15:
            data = text.encode("gb18030")
        elif roll < 0.20:
            data = text.replace("\n", "\r\n").encode("utf-8")
        elif roll < 0.25:
            data = b"\xef\xbb\xbf" + text.encode("utf-8")
        else:
            data = text.encode("utf-8")
        (args.out / f"{stem}.txt").write_bytes(data)
    print(f"wrote {args.n} documents to {args.out}")


if __name__ == "__main__":
    main()
