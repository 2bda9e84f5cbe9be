"""The README stays true: its rule table is the catalogue's, and its quick start is what CI runs.

Run ``python tests/test_readme.py`` to regenerate the rule table after adding a rule.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def generated_table() -> str:
    from reconcile.cli import rules_markdown
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
    return rules_markdown(rows)


def readme_table(text: str) -> str:
    body = text.split(START, 1)[1].split(END, 1)[0]
    return body.strip("\n") + "\n"


def test_readme_rule_table_is_the_catalogue() -> None:
    assert readme_table(README.read_text(encoding="utf-8")) == generated_table(), (
        "README rule table is stale: run `python tests/test_readme.py`"
    )


def test_catalogue_has_at_least_25_rules() -> None:
    assert generated_table().count("\n| ") >= 25


def test_quick_start_has_two_commands_and_ci_runs_the_second() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "reconcile" in commands[0] and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_rules_command_prints_the_same_table() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "reconcile", "rules", "--format", "markdown"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    assert out == generated_table()


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{START}\n{generated_table()}{END}{tail}", encoding="utf-8")
    print("README rule table updated")
