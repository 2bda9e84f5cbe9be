"""The ``reconcile`` command: argument parsing, output and exit codes only.

Exit codes: 0 clean, 1 findings at or above ``--fail-on`` (diff: differences), 2 usage errors and
unreadable inputs. stdout carries only the report; notices and errors go to stderr.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, cast

from reconcile.errors import ReadError, ReadFailure, UsageError, WriteError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_ON = ("error", "warning", "info", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reconcile",
        description="Read departmental budget disclosures and show what does not add up.",
    )
    from reconcile import __version__

    parser.add_argument("--version", action="version", version=f"reconcile {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("extract", help="print or write the structured model of a disclosure")
    p.add_argument("path", metavar="PATH", help="a .txt dump, a .docx, a canonical .toml, or -")
    p.add_argument("--format", choices=("json", "toml"), default="json")
    p.add_argument("--output", "-o", metavar="FILE")

    p = sub.add_parser("check", help="reconcile every figure and report findings")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, or - for stdin")
    p.add_argument(
        "--format", choices=("text", "json", "toml", "csv", "markdown", "parquet"), default="text"
    )
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument("--fail-on", choices=FAIL_ON)
    p.add_argument("--select", metavar="CODES", help="codes or prefixes, comma-separated")
    p.add_argument("--ignore", metavar="CODES", help="codes or prefixes, comma-separated")
    p.add_argument("--baseline", metavar="FILE", help="hide the findings listed in FILE")
    p.add_argument("--write-baseline", metavar="FILE", help="write every finding's id to FILE")
    p.add_argument("--lang", choices=("en", "zh"))
    p.add_argument("--config", metavar="FILE")
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="readers: this process and N-1 workers (default: all cores; at most one per file)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    p = sub.add_parser("rules", help="list every rule")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    p = sub.add_parser("rule", help="show one rule's documentation")
    p.add_argument("code", metavar="CODE")

    p = sub.add_parser("diff", help="compare two years of a disclosure, or two tables")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--format", choices=("text", "json", "toml", "csv"), default="text")
    p.add_argument("--output", "-o", metavar="FILE")
    p.add_argument("--only-changed", action="store_true")
    p.add_argument("--fail-on", choices=FAIL_ON)
    p.add_argument("--key", metavar="COLS", help="table mode: key columns, comma-separated")
    p.add_argument("--tolerance", metavar="SPEC", help="0.01, 0.5%%, or col=0.01,col2=1%%")
    p.add_argument("--lang", choices=("en", "zh"))

    p = sub.add_parser("tui", help="open the interactive app")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--lang", choices=("en", "zh"))
    return parser


# -- output -----------------------------------------------------------------------------------


def _emit(data: str | bytes | Callable[[BinaryIO], object], output: str | None) -> None:
    """Write ``data`` (or what the function ``data`` writes to a binary file) to ``output``
    atomically, or to stdout."""
    if output:
        from reconcile.export import atomic_write

        atomic_write(output, data)
        print(f"wrote {output}", file=sys.stderr)
        return
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    elif isinstance(data, str):
        sys.stdout.write(data)
    else:
        sys.stdout.flush()
        data(_stdout_for_utf8())
    sys.stdout.flush()


class _Transcoder(io.RawIOBase):
    """A binary stream that takes UTF-8 and writes it as text to ``stream`` (so in the
    stream's encoding, with its newline and its error handling)."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.stream.write(self.decoder.decode(bytes(data)))
        return len(data)


def _stdout_for_utf8() -> BinaryIO:
    """stdout as a binary stream for UTF-8 text: its own buffer when it takes UTF-8 as it is
    (the fast path), otherwise a transcoder (a GBK terminal, Windows line ends, a capture)."""
    buffer = getattr(sys.stdout, "buffer", None)
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    if buffer is not None and codecs.lookup(encoding).name == "utf-8" and os.linesep == "\n":
        return buffer  # type: ignore[no-any-return]
    return cast(BinaryIO, _Transcoder(sys.stdout))


def _error(message: str) -> int:
    print(f"reconcile: {message}", file=sys.stderr)
    return EXIT_ERROR


# -- commands ---------------------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace) -> int:
    from reconcile.canonical import dumps_json, dumps_toml
    from reconcile.reader import read_path

    loaded = read_path(args.path)
    text = dumps_toml(loaded.document) if args.format == "toml" else dumps_json(loaded.document)
    _emit(text, args.output)
    return EXIT_OK


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    from reconcile.config import (
        codes_problem,
        default_lang,
        jobs_problem,
        lang_problem,
        load_settings,
    )

    settings = load_settings(getattr(args, "config", None))
    merged = {
        "select": args.select
        if getattr(args, "select", None) is not None
        else settings.get("select"),
        "ignore": args.ignore
        if getattr(args, "ignore", None) is not None
        else settings.get("ignore"),
        "fail-on": getattr(args, "fail_on", None) or settings.get("fail-on") or "error",
        "lang": args.lang or settings.get("lang") or default_lang(),
        "jobs": args.jobs if getattr(args, "jobs", None) is not None else settings.get("jobs"),
    }
    if merged["fail-on"] not in FAIL_ON:
        raise UsageError(f"fail-on must be one of {', '.join(FAIL_ON)}")
    problem = (
        lang_problem(merged["lang"])
        or jobs_problem(merged["jobs"])
        or codes_problem(merged["select"], "select")
        or codes_problem(merged["ignore"], "ignore")
    )
    if problem:
        raise UsageError(problem)
    return merged


def _fails(worst: Any, fail_on: str) -> bool:
    from reconcile.model import Severity

    if fail_on == "never" or worst is None:
        return False
    return bool(worst >= Severity.parse(fail_on))


PROGRESS_AFTER = 1.0  # seconds: a batch that is done sooner shows no progress bar


def _progress(quiet: bool) -> Any:
    """A rich progress bar on stderr for a batch still reading after about a second, when stderr
    is a terminal (never on stdout, which may carry the report)."""
    if quiet or not sys.stderr.isatty():
        return None, None
    started = time.monotonic()
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if done >= total or time.monotonic() - started < PROGRESS_AFTER:
                return
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(transient=True, console=Console(stderr=True))
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task("reading", total=total)
        state["bar"].update(state["task"], completed=done)

    def stop() -> None:
        if "bar" in state:
            state["bar"].stop()

    return update, stop


def cmd_check(args: argparse.Namespace) -> int:
    from reconcile import readers

    settings = _settings(args)
    if args.format == "parquet" and not args.output:
        raise UsageError("--format parquet needs --output FILE")
    discovered = readers.discover(args.paths)
    jobs = readers.readers_for(discovered[0], settings["jobs"] or readers.default_jobs())
    batch = readers.is_batch(discovered[0])
    if batch:
        readers.keep_freed_pages()
    if jobs == 1 or not batch:
        return _check(args, settings, jobs, discovered, None)
    # Started before the engine is imported, so that they import the reader meanwhile.
    with readers.start(jobs - 1) as started:
        return _check(args, settings, jobs, discovered, started)


def _check(
    args: argparse.Namespace,
    settings: dict[str, Any],
    jobs: int,
    discovered: tuple[list[str], list[ReadFailure]],
    started: ProcessPoolExecutor | None,
) -> int:
    from reconcile.baseline import read_baseline, read_reasons, write_baseline
    from reconcile.batch import run_check
    from reconcile.engine import parse_codes
    from reconcile.report import use_colour, write

    hidden_ids = read_baseline(args.baseline) if args.baseline else set()
    reasons = read_reasons(args.write_baseline) if args.write_baseline else None
    update, stop = _progress(args.quiet)
    try:
        report = run_check(
            args.paths,
            select=parse_codes(settings["select"]),
            ignore=parse_codes(settings["ignore"]),
            lang=settings["lang"],
            jobs=jobs,
            progress=update,
            discovered=discovered,
            readers=started,
        )
    finally:
        if stop:
            stop()
    for e in report.errors:
        print(f"reconcile: {e.document}: {e.message}", file=sys.stderr)
    if not report.documents and report.errors:
        return EXIT_ERROR  # nothing was read: no report, and nothing written
    if args.write_baseline:
        if report.errors:
            # a baseline from a partial run would drop the ids of the unreadable documents
            print(
                f"reconcile: {args.write_baseline} not written: some inputs could not be read",
                file=sys.stderr,
            )
        else:
            count = write_baseline(args.write_baseline, report.frame, reasons)
            print(f"wrote {count} finding id(s) to {args.write_baseline}", file=sys.stderr)
    if hidden_ids:
        report.hide(hidden_ids)
    colour = args.format == "text" and not args.output and use_colour(sys.stdout)
    _emit(lambda out: write(report, args.format, out, colour=colour), args.output)
    if report.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if _fails(report.worst(), settings["fail-on"]) else EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    import json

    from reconcile.rules.registry import load_all

    rules = load_all()
    rows = [
        {
            "code": s.code,
            "name": s.name,
            "severity": s.severity.label,
            "section": s.section,
            "summary": s.summary,
        }
        for s in (rules[c] for c in sorted(rules))
    ]
    if args.format == "json":
        _emit(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", None)
    elif args.format == "markdown":
        _emit(rules_markdown(rows), None)
    else:
        width = max((len(r["name"]) for r in rows), default=10)
        lines = [
            f"{r['code']:<7} {r['name']:<{width}} {r['severity']:<7} {r['summary']}" for r in rows
        ]
        _emit("\n".join(lines) + "\n", None)
    return EXIT_OK


def rules_markdown(rows: list[dict[str, str]]) -> str:
    """The rule table of the README, generated from the catalogue."""
    out = ["| code | name | severity | section | summary |", "|---|---|---|---|---|"]
    for r in rows:
        summary = r["summary"].replace("|", "\\|")
        out.append(f"| {r['code']} | {r['name']} | {r['severity']} | {r['section']} | {summary} |")
    return "\n".join(out) + "\n"


def cmd_rule(args: argparse.Namespace) -> int:
    import inspect

    from reconcile.rules.registry import load_all

    rules = load_all()
    spec = rules.get(args.code.upper())
    if spec is None:
        return _error(f"no rule {args.code!r}; `reconcile rules` lists them")
    text = (
        f"{spec.code} {spec.name} ({spec.severity.label}, {spec.section})\n\n"
        f"{inspect.cleandoc(spec.doc)}\n\nMessage: {spec.messages['en']}\n消息：{spec.messages['zh']}\n"
    )
    _emit(text, None)
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from reconcile.tablediff import is_table_path

    settings = _settings(args)
    if args.old == args.new == "-":  # the second would read an input the first has used up
        raise UsageError("standard input (-) can be one of OLD and NEW, not both")
    if is_table_path(args.old) or is_table_path(args.new):
        from reconcile import tablediff

        if not (is_table_path(args.old) and is_table_path(args.new)):
            raise UsageError("compare a table with a table, or a disclosure with a disclosure")
        if not args.key:
            raise UsageError("table mode needs --key COLS (the columns that identify an item)")
        tolerance = tablediff.parse_tolerance(args.tolerance)
        keys = [k.strip() for k in args.key.split(",") if k.strip()]
        result = tablediff.diff_tables(
            args.old, args.new, keys, tolerance, only_changed=args.only_changed
        )
        renderers = {
            "text": tablediff.render_text,
            "json": tablediff.render_json,
            "toml": tablediff.render_toml,
            "csv": tablediff.render_csv,
        }
        _emit(renderers[args.format](result), args.output)
        return EXIT_FINDINGS if result.has_differences else EXIT_OK
    from reconcile import compare
    from reconcile.reader import read_path

    old = read_path(args.old).document
    new = read_path(args.new).document
    diff = compare.diff_documents(
        old,
        new,
        only_changed=args.only_changed,
        lang=settings["lang"],
        tolerance=args.tolerance,
    )
    _emit(compare.render(diff, args.format), args.output)
    worst = max((f.severity for f in diff.findings), default=None)
    return EXIT_FINDINGS if _fails(worst, settings["fail-on"]) else EXIT_OK


def cmd_tui(args: argparse.Namespace) -> int:
    """The app, with ``lang`` and ``jobs`` from reconcile.toml as ``check`` takes them (``--lang``
    wins). A settings file that cannot be read, or a wrong value, is not fatal here: the app opens
    without it and says why (``tui.workspace.load_workspace`` has the notices)."""
    from reconcile.config import default_lang, usable_settings

    settings, _ = usable_settings(("lang", "jobs"))
    from tui.app import run  # the only place the engine's command line reaches the UI

    lang = args.lang or settings.get("lang") or default_lang()
    return int(run(args.paths, lang=lang, jobs=settings.get("jobs")) or 0)


COMMANDS = {
    "extract": cmd_extract,
    "check": cmd_check,
    "rules": cmd_rules,
    "rule": cmd_rule,
    "diff": cmd_diff,
    "tui": cmd_tui,
}


def _safe_streams() -> None:
    """Never crash on a terminal whose encoding cannot show every character (e.g. GBK)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    _safe_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        if args.command == "tui":  # a long-lived app keeps the collector
            return cmd_tui(args)
        from reconcile.gcpause import without_cycle_collection

        with without_cycle_collection():  # a short run that makes many objects and no cycles
            return COMMANDS[args.command](args)
    except ReadError as exc:
        return _error(f"{exc.path}: {exc.reason}")
    except (UsageError, WriteError) as exc:
        return _error(str(exc))
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_OK
    except KeyboardInterrupt:
        print("reconcile: interrupted", file=sys.stderr)
        return 130
    except BaseException as exc:  # a bug (or a Polars panic), not the user's fault
        if isinstance(exc, SystemExit | GeneratorExit):
            raise
        if os.environ.get("RECONCILE_DEBUG"):
            raise
        return _error(
            f"internal error ({type(exc).__name__}: {exc}); "
            "rerun with RECONCILE_DEBUG=1 for a traceback and report it"
        )


def run() -> NoReturn:
    """The command's entry point (``reconcile``, ``python -m reconcile``): ``main``, then the
    process ends at once.

    Python's orderly shutdown frees every module and object one by one and waits for Polars'
    threads; that took about 50 ms of a 0.35 s one-document check (measured: bench/README.md).
    A finished command has nothing left to clean up: every file it wrote is closed (written
    atomically), and its output is flushed here, so it ends with ``os._exit``. ``--help``,
    ``--version`` and other early exits (SystemExit) take the ordinary way out."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # OSError: the reader went away (``| head``); ValueError: the stream is closed.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _quiet_broken_pipe() -> None:
    """After the reader of our stdout went away (``| head``), exit without a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
