"""Generate a corpus of disclosures from the sample: other departments, other years, other
figures, other encodings. Deterministic for a given seed.

    python bench/generate_corpus.py N OUT_DIR [--seed S]

Each document is the sample with: a generated department name (and its short form), the years
shifted to a year between 2019 and 2025 (the prior-year and two-years-back mentions shifted with
it), a few figures garbled (a digit changed, so that some identities break as they do in real
documents), project names varied, and about 15 % written as GB18030, 5 % with CRLF line endings
and 5 % with a UTF-8 BOM.
"""

from __future__ import annotations

import argparse
import random
import re
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


def department(rng: random.Random, i: int) -> tuple[str, str]:
    bureau = rng.choice(BUREAUS)
    return f"{rng.choice(CITIES)}市{rng.choice(DISTRICTS)}{bureau}", bureau


def vary(text: str, rng: random.Random, i: int) -> tuple[str, str]:
    name, short = department(rng, i)
    year = rng.randint(2019, 2025)
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
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = SAMPLE.read_text(encoding="utf-8")
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.n):
        text, stem = vary(base, rng, i)
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
