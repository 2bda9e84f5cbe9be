"""Fuzz the reader and the rules: random and mutated text dumps, Word files and canonical TOML.

    python bench/fuzz_reader.py --minutes 5                 # atheris if installed, else hypothesis
    python bench/fuzz_reader.py --minutes 30 --engine random --seed 7
    python bench/fuzz_reader.py --minutes 5 --no-extremes   # figures within what a budget holds

Every input is read with ``reconcile.reader.read_bytes`` and, when it gives a model, checked with
``reconcile.engine.check``. A ReadError is the expected refusal; any other exception (Polars panics
included) is a crash: the input is saved under ``bench/out/fuzz/`` as ``crash-<sha>.<ext>`` with
the traceback next to it (``.txt``), and the run goes on. Crashes are grouped by signature (the
exception type and where it was raised) and each signature is marked *known* when it matches a bug
already written down as an ``xfail`` test (tests/test_hostile.py), else *new*. An input that keeps
the reader busy for more than ``--hang-seconds`` is saved as ``hang-<sha>.<ext>`` by a watchdog
process (a regex stuck in C code cannot be interrupted from inside the process).

Engines
    atheris     coverage-guided (libFuzzer), the reconcile package instrumented; ``pip install
                atheris`` in the venv (not a project dependency)
    hypothesis  ``st.binary()`` with a very large ``max_examples``, stopped by the clock
    random      ``random.Random(seed).randbytes``

Each engine produces raw bytes; the first byte picks a generator and the rest drives it (see
``Chooser``), so that coverage guidance and shrinking work on the same bytes. Generators:
raw bytes named .txt/.docx/.toml; the sample text with lines and table rows mangled (cells deleted,
duplicated, TABs removed and added, rows of 1 or 30 cells, figures replaced by huge, negative,
dashed or full-width junk); TOML from the grammar of ``reconcile.disclosure/1``; the sample's
canonical TOML mangled line by line; Word files from a grammar of headings, sentences and tables;
the sample rebuilt as Word with its XML mangled.

Every batch of models is also read again as ``reconcile check FOLDER`` reads it
(``reconcile.batch._read_chunk``, the text dumps laid out together as columns), and its frames
must equal those of the documents read one by one; a difference is a crash of the "batch" stage.

Checking one document costs about 0.15 s of Polars planning whatever its size, so models are
checked in batches of ``--batch`` (a batch that raises is re-checked one model at a time to find
the culprit). Statistics go to ``bench/out/fuzz/last-run.json`` every few seconds and at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import mmap
import os
import random
import re
import signal
import struct
import sys
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

os.environ["RUST_BACKTRACE"] = "0"  # a Polars panic is a recorded crash, not a screenful
ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "tests"):  # the package, and the mangling and Word files the tests share
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
from wordxml import w_p, w_tbl, word_file, word_file_raw  # noqa: E402

OUT = ROOT / "bench" / "out" / "fuzz"
SAMPLE = ROOT / "samples" / "baigou-zuzhirenshi-2021-budget.txt"
MAX_INPUT = 256 * 1024

# Crashes already written down as xfail tests: (pattern over "Type: message", what it is). None
# today: every crash the fuzzer found is fixed and has a passing test, so any crash is new.
KNOWN: list[tuple[str, str]] = []


# --- bytes -> choices ----------------------------------------------------------------------------


class Chooser:
    """Choices read from a byte string, so that any engine's bytes drive the generators. When the
    bytes run out every choice is its smallest value."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def between(self, lo: int, hi: int) -> int:
        span = hi - lo
        if span <= 0:
            return lo
        value = 0
        for _ in range((span.bit_length() + 7) // 8):
            value = (value << 8) | self.byte()
        return lo + value % (span + 1)

    def flip(self) -> bool:
        return bool(self.byte() & 1)

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.between(0, len(seq) - 1)]

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        return chunk

    def rest(self) -> bytes:
        return self.take(len(self.data))

    def text(self, max_len: int) -> str:
        """Text of domain characters, digits, signs, spaces, and now and then any code point."""
        out = []
        for _ in range(self.between(0, max_len)):
            kind = self.byte() % 8
            if kind < 5:
                out.append(self.pick(ALPHABET))
            elif kind < 7:
                out.append(self.pick(TOKENS))
            else:
                code = self.between(0, 0x10FFFF)
                out.append(chr(code) if not 0xD800 <= code <= 0xDFFF else "?")
        return "".join(out)


ALPHABET = list(
    "0123456789０１２３４５６７８９.,，。；：:-−－+%％≥≤><＞＜=万元亿千台人次个年月日"
    "合计总额收入支出项目经费三公采购资产绩效指标（）()、\t \u3000\u00a0—★*[]"
)
TOKENS = [
    "2834.55",
    "2,834.55万元",
    "较上年增加",
    "减少",
    "持平",
    "第二部分",
    "[bookmark: _GoBack]",
    "[bookmark:",
    "现将",
    "当年",
    "不低于",
    "百分比",
    "2021年",
    "2020年末",
    "拟购置",
    "已列入政府采购",
    "公务用车运行经费",
    "合计",
    "A02010104",
    "C050301",
]
EXTRA_EXTREME = "1" + "0" * 400  # beyond the extremes the tests use (tests/mangle.py)


# --- generators ----------------------------------------------------------------------------------


class Generators:
    def __init__(self, extremes: bool) -> None:
        from mangle import HUGE_NUMBERS, IN_RANGE_NUMBERS

        from reconcile.canonical import document_to_dict, drop_nulls
        from reconcile.reader import read_bytes

        self.numbers = IN_RANGE_NUMBERS + ([*HUGE_NUMBERS, EXTRA_EXTREME] if extremes else [])
        self.extremes = extremes
        self.sample_bytes = SAMPLE.read_bytes()
        self.sample_lines = self.sample_bytes.decode("utf-8").split("\n")[:-1]
        import tomli_w

        loaded = read_bytes(self.sample_bytes, "sample.txt")
        self.sample_toml = tomli_w.dumps(drop_nulls(document_to_dict(loaded.document)))
        self.sample_docx_xml = _sample_docx_xml()
        self.all: list[tuple[str, str, Callable[[Chooser], bytes]]] = [
            ("raw-txt", ".txt", lambda ch: ch.rest()),
            ("raw-docx", ".docx", lambda ch: ch.rest()),
            ("raw-toml", ".toml", lambda ch: ch.rest()),
            ("zip-magic-docx", ".docx", lambda ch: b"PK\x03\x04" + ch.rest()),
            ("mangled-text", ".txt", self.mangled_text),
            ("mangled-tables", ".txt", self.mangled_tables),
            ("toml-grammar", ".toml", self.toml_grammar),
            ("mangled-toml", ".toml", self.mangled_toml),
            ("docx-grammar", ".docx", self.docx_grammar),
            ("mangled-docx", ".docx", self.mangled_docx),
        ]

    # text dumps

    def mangled_text(self, ch: Chooser) -> bytes:
        lines = list(self.sample_lines)
        for _ in range(ch.between(1, 6)):
            op = ch.pick(["delete", "duplicate", "shuffle", "garble", "insert", "long line"])
            at = ch.between(0, max(0, len(lines) - 1))
            count = ch.between(1, 80)
            if op == "delete":
                del lines[at : at + count]
            elif op == "duplicate":
                lines[at:at] = lines[at : at + count]
            elif op == "shuffle":
                part = lines[at : at + count]
                random.Random(ch.between(0, 2**16)).shuffle(part)
                lines[at : at + count] = part
            elif op == "garble":
                for i in range(at, min(len(lines), at + count)):
                    lines[i] = "".join(
                        ch.pick(ALPHABET) if c.isdigit() and ch.flip() else c for c in lines[i]
                    )
            elif op == "insert":
                lines.insert(at, ch.text(60))
            else:  # a long line; in range, its figures stay short
                unit = ch.text(8) + ("" if self.extremes else " ")
                lines.insert(at, unit * ch.between(1, 4000))
            if not lines:
                lines = ["第一部分"]
        return self._encode(ch, "\n".join(lines) + "\n")

    def mangled_tables(self, ch: Chooser) -> bytes:
        from mangle import mangle_tables  # tests/mangle.py: the tests mangle tables the same way

        lines = mangle_tables(
            self.sample_lines,
            rounds=ch.between(1, 10),
            between=ch.between,
            pick=ch.pick,
            numbers=self.numbers,
            junk=lambda: ch.text(20),
        )
        return self._encode(ch, "\n".join(lines) + "\n")

    def _encode(self, ch: Chooser, text: str) -> bytes:
        encoding = ch.pick(["utf-8", "utf-8", "gb18030", "utf-16", "utf-8-sig"])
        data = text.encode(encoding, "replace")
        if ch.byte() == 255:  # now and then cut short
            data = data[: ch.between(0, len(data))]
        return data

    # canonical TOML

    def _figure(self, ch: Chooser) -> Any:
        from decimal import Decimal

        kind = ch.between(0, 9)
        if kind == 0:
            return ch.pick(self.numbers) or "0"
        if kind == 1:
            return ch.text(12)
        if kind == 2:
            return ch.between(-(10**6), 10**9)
        if kind == 3:
            return {"value": ch.pick([*self.numbers, "2834.55"]), "line": ch.between(-5, 5000)}
        if kind == 4:
            return ch.flip()
        if kind == 5:
            return [ch.text(4) for _ in range(ch.between(0, 3))]
        if kind == 6 and self.extremes:
            return ch.pick([10**25, -(2**70), Decimal("1E+400"), Decimal("1E-60"), "NaN", "inf"])
        return Decimal(ch.between(-(10**12), 10**12)).scaleb(-ch.between(0, 6))

    def _keyed(self, ch: Chooser, keys: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for _ in range(ch.between(0, len(keys))):
            key = ch.pick(keys) if ch.byte() < 230 else ch.text(6) or "k"
            out[key] = self._figure(ch) if ch.flip() else ch.text(10)
        return out

    def toml_grammar(self, ch: Chooser) -> bytes:
        from dataclasses import fields

        import tomli_w

        from reconcile import model

        def names(record: type) -> list[str]:  # the keys of a record: its fields
            return [f.name for f in fields(record)]

        data: dict[str, Any] = {"schema": "reconcile.disclosure/1"}
        sections = {
            "document": ["department", "year", "kind", "title", "line"],
            "budget": names(model.Budget),
            "running_costs": ["total", "partial", "unit", "line"],
            "three_public": ["stated_total", "prior_year", "year", "unit", "line", "table_line"],
            "procurement": ["stated_total", "table_unit", "line", "table_line"],
            "assets": ["stated_total", "year_end", "planned_purchase", "table_unit", "line"],
            "performance": ["overall_goal_year", "overall_goal_line"],
        }
        items = {
            "running_costs": ("items", names(model.RunningCostItem)),
            "three_public": ("rows", names(model.ThreePublicRow)),
            "procurement": ("lines", names(model.ProcurementLine)),
            "assets": ("rows", names(model.AssetRow)),
        }
        for name, keys in sections.items():
            if not ch.flip():
                continue
            if ch.byte() > 240:
                data[name] = self._figure(ch)  # a section of the wrong type
                continue
            table = self._keyed(ch, keys)
            if name in items:
                key, item_keys = items[name]
                table[key] = [self._keyed(ch, item_keys) for _ in range(ch.between(0, 6))]
            if name == "performance":
                table["projects"] = [
                    {
                        "name": ch.text(6),
                        "indicators": [
                            self._keyed(ch, names(model.Indicator)) for _ in range(ch.between(0, 6))
                        ],
                    }
                    for _ in range(ch.between(0, 3))
                ]
            data[name] = table
        for name in ("years", "parts", "glossary", "problems"):
            if ch.flip():
                data[name] = [
                    self._keyed(ch, ["year", "key", "term", "section", "text", "line"])
                    for _ in range(ch.between(0, 4))
                ]
        try:
            text = tomli_w.dumps(data)
        except (TypeError, ValueError):
            text = 'schema = "reconcile.disclosure/1"\n'
        return text.encode("utf-8")

    def mangled_toml(self, ch: Chooser) -> bytes:
        lines = self.sample_toml.split("\n")
        for _ in range(ch.between(1, 8)):
            at = ch.between(0, len(lines) - 1)
            op = ch.pick(["delete", "duplicate", "value", "cut", "swap"])
            if op == "delete":
                del lines[at : at + ch.between(1, 40)]
            elif op == "duplicate":
                lines[at:at] = lines[at : at + ch.between(1, 40)]
            elif op == "value":
                key, eq, _ = lines[at].partition(" = ")
                if eq:
                    lines[at] = f"{key} = {json.dumps(ch.pick([*self.numbers, ch.text(8)]))}"
            elif op == "cut":
                lines[at] = lines[at][: ch.between(0, len(lines[at]))]
            else:
                other = ch.between(0, len(lines) - 1)
                lines[at], lines[other] = lines[other], lines[at]
            if not lines:
                lines = ['schema = "reconcile.disclosure/1"']
        return "\n".join(lines).encode(ch.pick(["utf-8", "gb18030", "utf-16"]))

    # Word files

    def docx_grammar(self, ch: Chooser) -> bytes:
        blocks = [w_p("保定白沟新城管理委员会组织人事局"), w_p("2021年部门预算")]
        for _ in range(ch.between(0, 16)):
            kind = ch.between(0, 3)
            if kind == 0:
                blocks.append(w_p(ch.pick(HEADINGS)))
            elif kind == 1:
                blocks.append(w_p(ch.pick(TOKENS) + ch.pick(self.numbers) + ch.text(10)))
            else:
                width = ch.pick([1, 2, 5, 6, 14, 30])
                rows = [
                    [
                        ch.pick(self.numbers) if ch.flip() else ch.pick([*TOKENS, ch.text(6)])
                        for _ in range(ch.between(1, width))
                    ]
                    for _ in range(ch.between(1, 10))
                ]
                blocks.append(w_tbl(rows))
        return word_file("".join(blocks))

    def mangled_docx(self, ch: Chooser) -> bytes:
        xml = self.sample_docx_xml
        for _ in range(ch.between(1, 6)):
            at = ch.between(0, len(xml))
            op = ch.pick(["cut", "delete", "insert", "number", "nest"])
            if op == "cut":
                xml = xml[:at]
            elif op == "delete":
                xml = xml[:at] + xml[at + ch.between(1, 400) :]
            elif op == "insert":
                xml = xml[:at] + ch.pick(XML_BITS) + xml[at:]
            elif op == "number":
                m = re.compile(r"\d+(?:\.\d+)?").search(xml, at)
                if m:
                    xml = xml[: m.start()] + escape(ch.pick(self.numbers)) + xml[m.end() :]
            else:
                xml = xml[:at] + "<w:tbl><w:tr><w:tc>" * ch.between(1, 300) + xml[at:]
        data = word_file_raw(xml.encode("utf-8"))
        if ch.byte() == 255:
            buf = bytearray(data)
            for _ in range(ch.between(1, 8)):
                buf[ch.between(0, len(buf) - 1)] = ch.byte()
            data = bytes(buf)
        return data


HEADINGS = [
    "第一部分 部门职责及机构设置情况",
    "第二部分 部门预算安排的总体情况",
    "第三部分 机关运行经费安排情况",
    "第四部分 财政拨款“三公”经费预算情况及增减变化原因",
    "第五部分 绩效预算信息",
    "第六部分 政府采购预算情况",
    "第七部分 国有资产信息情况说明",
    "第八部分 名词解释",
    "第九部分 其他需说明的事项",
]
XML_BITS = [
    "<w:p/>",
    "</w:tc>",
    "<w:tc><w:p><w:r><w:t>合计</w:t></w:r></w:p></w:tc>",
    '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>',
    "<w:tcPr><w:vMerge/></w:tcPr>",
    '<w:tcPr><w:gridSpan w:val="99999"/></w:tcPr>',
    "<w:tcPr><w:hMerge/></w:tcPr>",
    "<w:sdt><w:sdtContent>",
    "</w:sdtContent></w:sdt>",
    "<w:r><w:tab/><w:br/><w:cr/></w:r>",
    "&amp;",
    "<!DOCTYPE x>",
    "<w:trPr><w:del/></w:trPr>",
]


def _sample_docx_xml() -> str:
    """The sample rebuilt as Word (tests/make_docx.py), its main part as text."""
    from tests.make_docx import build_docx, layout_of_dump

    data = build_docx(layout_of_dump(SAMPLE))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("word/document.xml").decode("utf-8")


# --- the run -------------------------------------------------------------------------------------


class Watchdog:
    """A forked process that watches a heartbeat in shared memory and saves the input in hand
    when one takes longer than ``seconds`` (the main process may be stuck in C code)."""

    HEADER = struct.Struct("<dQI8s")  # started (0 = idle), counter, length, suffix

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.shm = mmap.mmap(-1, self.HEADER.size + MAX_INPUT + 8)
        self.pid = os.fork()
        if self.pid == 0:  # the watchdog
            self._watch()
            os._exit(0)

    def begin(self, data: bytes, suffix: str) -> None:
        data = data[:MAX_INPUT]
        self.shm[self.HEADER.size : self.HEADER.size + len(data)] = data
        counter = self.HEADER.unpack_from(self.shm, 0)[1] + 1
        self.HEADER.pack_into(self.shm, 0, time.time(), counter, len(data), suffix.encode())

    def end(self) -> None:
        counter = self.HEADER.unpack_from(self.shm, 0)[1]
        self.HEADER.pack_into(self.shm, 0, 0.0, counter, 0, b"")

    def _watch(self) -> None:
        parent = os.getppid()
        saved = -1
        while os.getppid() == parent:
            time.sleep(1)
            started, counter, length, suffix = self.HEADER.unpack_from(self.shm, 0)
            if started and counter != saved and time.time() - started > self.seconds:
                data = bytes(self.shm[self.HEADER.size : self.HEADER.size + length])
                ext = suffix.rstrip(b"\0").decode()
                name = f"hang-{hashlib.sha1(data).hexdigest()[:12]}{ext}"
                OUT.mkdir(parents=True, exist_ok=True)
                (OUT / name).write_bytes(data)
                (OUT / "hangs.log").open("a").write(
                    f"{time.strftime('%H:%M:%S')} {name}: over {self.seconds:.0f} s\n"
                )
                saved = counter

    def stop(self) -> None:
        os.kill(self.pid, signal.SIGTERM)


class Fuzz:
    def __init__(self, args: argparse.Namespace) -> None:
        from reconcile.engine import check
        from reconcile.errors import ReadError
        from reconcile.reader import read_bytes

        self.check, self.ReadError, self.read_bytes = check, ReadError, read_bytes
        self.args = args
        self.gens = Generators(extremes=not args.no_extremes)
        self.deadline = time.monotonic() + args.minutes * 60
        self.started = time.time()
        self.stats: Counter[str] = Counter()
        self.by_generator: Counter[str] = Counter()
        self.crashes: dict[str, dict[str, Any]] = {}
        self.pending: list[tuple[Any, bytes, str, str]] = []
        self.last_written = 0.0
        self.watchdog = Watchdog(args.hang_seconds)
        OUT.mkdir(parents=True, exist_ok=True)

    def one(self, data: bytes) -> None:
        """One engine input: pick a generator with the first byte, build, read, check."""
        if time.monotonic() > self.deadline:
            self.finish()
        ch = Chooser(data)
        name, suffix, make = self.gens.all[ch.byte() % len(self.gens.all)]
        try:
            payload = make(ch)[:MAX_INPUT]
        except Exception as exc:  # a generator bug, not the reader's
            self.stats["generator errors"] += 1
            self.record(data, ".bin", exc, "generator")
            return
        self.stats["inputs"] += 1
        self.by_generator[name] += 1
        self.watchdog.begin(payload, suffix)
        try:
            loaded = self.read_bytes(payload, f"fuzz{suffix}")
        except self.ReadError:
            self.stats["read errors"] += 1
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            self.record(payload, suffix, exc, "reader")
            return
        finally:
            self.watchdog.end()
        self.stats["models"] += 1
        self.pending.append((loaded.document, payload, suffix, name))
        if len(self.pending) >= self.args.batch:
            self.flush()
        if time.time() - self.last_written > 5:
            self.write_stats()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        self.compare_batch(batch)
        try:
            self.check([doc for doc, *_ in batch])
            self.stats["checked"] += len(batch)
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            pass
        for doc, payload, suffix, _ in batch:  # find the culprit(s)
            try:
                self.check([doc])
                self.stats["checked"] += 1
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                self.record(payload, suffix, exc, "rules")

    def compare_batch(self, batch: list[tuple[Any, bytes, str, str]]) -> None:
        """Read the batch's inputs again as a batch does (``reconcile.batch._read_chunk``: text
        dumps laid out together as columns) and compare its frames, and the performance rows
        finished from them, with those of the documents read one by one; a difference is
        recorded as a crash of the "batch" stage."""
        import tempfile

        from reconcile.batch import _read_chunk
        from reconcile.rules.registry import Context, build_document_frames

        def finished(frames: dict[str, Any]) -> Any:
            """The performance rows as the main process finishes them from the shares' cells."""
            ctx = Context(documents=())
            ctx.preload(frames)
            return ctx.frame("perf_indicators")

        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for n, (_, payload, suffix, _) in enumerate(batch):
                path = Path(folder) / f"{n:03d}{suffix}"
                path.write_bytes(payload)
                paths.append(str(path))
            try:
                _, frames, errors = _read_chunk(paths)
                expected = build_document_frames([doc for doc, *_ in batch])
                differ = [name for name in expected if not frames[name].equals(expected[name])]
                if not differ and not finished(frames).equals(finished(expected)):
                    differ = ["perf_indicators"]
                if errors or not differ:
                    self.stats["batches compared"] += 1
                    if not errors:
                        return
                problem: BaseException = AssertionError(
                    f"the batch reader differs from one-by-one reading in {differ or errors}"
                )
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                problem = exc
            if len(batch) > 1:  # find the input(s) that make the difference
                for item in batch:
                    self.compare_batch([item])
                return
            _, payload, suffix, _ = batch[0]
            self.record(payload, suffix, problem, "batch")

    def record(self, payload: bytes, suffix: str, exc: BaseException, stage: str) -> None:
        self.stats[f"crashes in the {stage}"] += 1
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/reconcile/" in f.filename]
        where = f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else "?"
        text = (f"{type(exc).__name__}: {exc}".splitlines() or [""])[0][:300]
        probe = f"{stage} {type(exc).__name__} at {where}: {text}"
        signature = re.sub(r"[0-9]+", "N", probe)[:200]
        known = next((label for pattern, label in KNOWN if re.search(pattern, probe)), None)
        entry = self.crashes.setdefault(
            signature, {"count": 0, "known": known, "examples": [], "stage": stage}
        )
        entry["count"] += 1
        if len(entry["examples"]) < 3:
            name = f"crash-{hashlib.sha1(payload).hexdigest()[:12]}{suffix}"
            (OUT / name).write_bytes(payload)
            (OUT / (name + ".txt")).write_text(
                f"{signature}\n\n"
                + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
                encoding="utf-8",
            )
            entry["examples"].append(name)

    def write_stats(self, final: bool = False) -> None:
        self.last_written = time.time()
        report = {
            "engine": self.args.engine,
            "extremes": not self.args.no_extremes,
            "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started)),
            "seconds": round(time.time() - self.started),
            "finished": final,
            **dict(self.stats),
            "by generator": dict(self.by_generator),
            "crash signatures": {
                "known": sum(1 for c in self.crashes.values() if c["known"]),
                "new": sum(1 for c in self.crashes.values() if not c["known"]),
            },
            "crashes": self.crashes,
            "hangs": (OUT / "hangs.log").read_text().splitlines()
            if (OUT / "hangs.log").exists()
            else [],
        }
        name = "last-run.json" if not self.args.no_extremes else "last-run-in-range.json"
        (OUT / name).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    def finish(self) -> None:
        self.flush()
        self.write_stats(final=True)
        self.watchdog.stop()
        s = self.stats
        new = sum(1 for c in self.crashes.values() if not c["known"])
        print(
            f"{s['inputs']} inputs in {time.time() - self.started:.0f} s: {s['models']} models "
            f"({s['checked']} checked), {s['read errors']} read errors, "
            f"{sum(c['count'] for c in self.crashes.values())} crashes "
            f"({len(self.crashes)} signatures, {new} new); see {OUT}",
            file=sys.stderr,
            flush=True,
        )
        os._exit(1 if new else 0)


def seed_inputs(gens: Generators) -> list[bytes]:
    """One input per generator, plus the sample itself through the raw generators."""
    seeds = [bytes([i]) + bytes(64) for i in range(len(gens.all))]
    seeds.append(bytes([0]) + gens.sample_bytes)  # raw-txt
    seeds.append(bytes([2]) + gens.sample_toml.encode("utf-8"))  # raw-toml
    return seeds


def run_atheris(fuzz: Fuzz) -> None:
    import atheris

    corpus = OUT / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seed_inputs(fuzz.gens):
        (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_len={MAX_INPUT}",
            "-timeout=3600",  # hangs are the watchdog's
            "-rss_limit_mb=8192",
            f"-seed={fuzz.args.seed}",
            "-print_final_stats=0",
            f"-artifact_prefix={OUT}/libfuzzer-",
        ],
        fuzz.one,
    )
    atheris.Fuzz()


def run_hypothesis(fuzz: Fuzz) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    @settings(
        max_examples=10**9,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(st.sampled_from(seed_inputs(fuzz.gens)), st.binary(max_size=4096)))
    def one(data: bytes) -> None:
        fuzz.one(data)

    one()
    fuzz.finish()


def run_random(fuzz: Fuzz) -> None:
    rng = random.Random(fuzz.args.seed)
    while True:
        fuzz.one(rng.randbytes(rng.choice([16, 64, 256, 1024, 4096])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--engine", choices=("atheris", "hypothesis", "random"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=16, help="models checked together")
    parser.add_argument("--hang-seconds", type=float, default=20.0)
    parser.add_argument(
        "--no-extremes",
        action="store_true",
        help="leave out figures beyond Decimal(38, 8) and integers beyond Int64 (known crashes)",
    )
    args = parser.parse_args(argv)
    if args.engine is None:
        try:
            import atheris

            del atheris
            args.engine = "atheris"
        except ImportError:
            args.engine = "hypothesis"
    if args.engine == "atheris":
        import atheris

        with atheris.instrument_imports(include=["reconcile"]):
            import reconcile.engine
            import reconcile.reader  # noqa: F401
    fuzz = Fuzz(args)
    print(f"fuzzing for {args.minutes:g} minutes with {args.engine}", file=sys.stderr)
    {"atheris": run_atheris, "hypothesis": run_hypothesis, "random": run_random}[args.engine](fuzz)
    return 0


if __name__ == "__main__":
    sys.exit(main())
