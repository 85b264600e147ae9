"""Generate the rule pages of ``docs/rules/`` from the rule classes.

Each page is built from the rule's code, name, severity, docstring and
examples, and shows what portspec really reports on the failing example (the
linter is run to find out), so the pages cannot drift from the code; a test
compares the committed pages with these. Regenerate them with::

    python -m portspec.lint._docs docs/rules
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from portspec.codes import FAMILIES
from portspec.lint.catalogue import all_rules
from portspec.lint.diagnostic import Diagnostic
from portspec.lint.discover import classify
from portspec.lint.engine import lint_text
from portspec.lint.rule import Example, Rule
from portspec.lint.units import Kind

__all__ = ["COMMAND", "index_page", "main", "rule_page", "write_pages"]

#: How to regenerate the pages, from the project's root.
COMMAND = "python -m portspec.lint._docs docs/rules"

# The examples read no variable of the machine: PS_EXAMPLE_SET is set, nothing else.
_ENV = {"PS_EXAMPLE_SET": "1"}
_PAGE_NAME = re.compile(r"PS[0-9]{3}\.md")
_LANGUAGES: dict[Kind, str] = {
    "compose": "yaml",
    "shell": "sh",
    "makefile": "makefile",
    "markdown": "markdown",
    "dockerfile": "dockerfile",
}


def _kind(path: str) -> Kind:
    """The kind of an example file, by its name, as ``portspec lint`` tells it."""
    kind = classify(Path(path))
    if kind is None:
        raise ValueError(f"an example's name must say its kind: {path}")
    return kind


def _lint(example: Example) -> list[Diagnostic]:
    return lint_text(
        example.text,
        example.path,
        _kind(example.path),
        enabled=lambda code, path: True,
        env=_ENV,
    )


def _markdown(text: str) -> str:
    """Docstring text as Markdown: reStructuredText's ````code```` becomes ```code```."""
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _fence(text: str, language: str) -> list[str]:
    """A fenced block long enough for any backticks inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return [f"{marks}{language}", *text.rstrip("\n").split("\n"), marks]


def _example(example: Example) -> list[str]:
    language = _LANGUAGES[_kind(example.path)]
    return [f"`{example.path}`:", "", *_fence(example.text, language)]


def _fix_note(rule: type[Rule], found: Sequence[Diagnostic]) -> str:
    """The fix column and header text: whether ``--fix`` or ``--unsafe-fixes`` applies it."""
    if not rule.fixable:
        return "no fix"
    fixes = [d.fix for d in found if d.code == rule.code and d.fix is not None]
    if fixes and all(fix.safe for fix in fixes):
        return "fix available (safe: `--fix`)"
    if fixes and not any(fix.safe for fix in fixes):
        return "fix available (unsafe: `--fix --unsafe-fixes`)"
    return "fix available for some findings"


def _suppressed_example(rule: type[Rule], found: Sequence[Diagnostic]) -> Example | None:
    """The failing example with an ignore comment that silences the rule, or None.

    The comment goes at the end of the reported line; where that does not
    work (a Dockerfile reads ``#`` only at the start of a line), alone on
    the line above. Each candidate is linted to make sure it works.
    """
    example = rule.bad
    lines = example.text.split("\n")
    comment = f"# portspec: ignore[{rule.code}]"
    numbers = sorted({d.line for d in found if d.code == rule.code})
    if not numbers:
        return None
    kind = _kind(example.path)
    candidates: list[list[str]] = []
    if kind != "dockerfile":
        candidates.append(
            [f"{line}  {comment}" if n in numbers else line for n, line in enumerate(lines, 1)]
        )
    above: list[str] = []
    for n, line in enumerate(lines, 1):
        if n in numbers:
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            above.append(indent + comment)
        above.append(line)
    candidates.append(above)
    for candidate in candidates:
        text = "\n".join(candidate)
        attempt = Example(example.path, text)
        if rule.code not in {d.code for d in _lint(attempt)}:
            return attempt
    return None


def rule_page(rule: type[Rule]) -> str:
    """The Markdown page of one rule: what it finds, why, its examples and how to silence it."""
    found = _lint(rule.bad)
    default = "on by default" if rule.default else "off by default (select it to use it)"
    lines = [
        f"# {rule.code}: {rule.name}",
        "",
        f"**Severity:** {rule.severity} · **{default.capitalize()}** · "
        f"**{_fix_note(rule, found).capitalize()}**",
        "",
        _markdown(rule.summary()),
        "",
        "## Why it matters",
        "",
        _markdown(rule.why()),
        "",
        "## Fails",
        "",
        *_example(rule.bad),
        "",
        "## Passes",
        "",
        *_example(rule.good),
        "",
        "## What portspec reports",
        "",
        "On the failing example, with every rule selected:",
        "",
        *_fence("\n".join(str(d) for d in found), "text"),
    ]
    fixes = [d for d in found if d.code == rule.code and d.fix is not None]
    if fixes:
        lines.append("")
        for diagnostic in fixes:
            assert diagnostic.fix is not None
            how = "`--fix`" if diagnostic.fix.safe else "`--fix --unsafe-fixes`"
            lines.append(f"- line {diagnostic.line}: {diagnostic.fix.message} ({how} applies it)")
    lines += ["", "## Suppressing it", ""]
    if not rule.default:
        lines += [
            "The rule is off by default; it runs only when selected, for example",
            f'with `--extend-select {rule.code}` or `extend-select = ["{rule.code}"]`.',
            "",
        ]
    quiet = _suppressed_example(rule, found)
    if quiet is not None:
        lines += [
            "For one finding, a comment on its line (or alone on the line above):",
            "",
            *_example(quiet),
            "",
        ]
    lines += [
        "For a whole project, in `pyproject.toml` (or without the table header in",
        "`.portspec.toml`):",
        "",
        *_fence(
            "[tool.portspec]\n"
            f'ignore = ["{rule.code}"]\n'
            "# or only for some files:\n"
            f'per-file-ignores = {{ "examples/**" = ["{rule.code}"] }}',
            "toml",
        ),
        "",
        f"On the command line: `portspec lint --ignore {rule.code}`. See [all rules](index.md)",
        "and the [linter guide](../lint.md).",
    ]
    return "\n".join(lines) + "\n"


def _fix_column(note: str) -> str:
    if "unsafe" in note:
        return "unsafe"
    if "safe" in note:
        return "safe"
    return "some" if "some" in note else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def index_page() -> str:
    """The Markdown index of every rule, grouped by family, in code order."""
    lines = [
        "# Rules",
        "",
        "Every rule `portspec lint` knows, by family. Each code links to its page:",
        "why it matters, a failing and a passing example, what portspec reports and",
        "how to silence it. `portspec rule CODE` prints the same in a terminal.",
        "",
        f"These pages are generated from the rules: `{COMMAND}`.",
    ]
    family = None
    for rule in all_rules():
        if rule.code[2] != family:
            family = rule.code[2]
            title, blurb = FAMILIES.get(family, (f"PS{family}xx", ""))
            lines += ["", f"## {title}", ""]
            if blurb:
                lines += [blurb, ""]
            lines += [
                "| Code | Name | Severity | Default | Fix | Summary |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
        default = "on" if rule.default else "off"
        fix = _fix_column(_fix_note(rule, _lint(rule.bad)))
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity} | {default}"
            f" | {fix} | {_cell(_markdown(rule.summary()))} |"
        )
    return "\n".join(lines) + "\n"


def write_pages(folder: Path) -> list[Path]:
    """Write every rule's page and the index into ``folder``; remove pages of retired codes.

    Returns the files written, index last.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    names: set[str] = set()
    for rule in all_rules():
        path = folder / f"{rule.code}.md"
        path.write_bytes(rule_page(rule).encode("utf-8"))
        written.append(path)
        names.add(path.name)
    for stale in sorted(folder.iterdir()):
        if _PAGE_NAME.fullmatch(stale.name) and stale.name not in names:
            stale.unlink()
    index = folder / "index.md"
    index.write_bytes(index_page().encode("utf-8"))
    written.append(index)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m portspec.lint._docs FOLDER``: regenerate the pages in FOLDER."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print(f"usage: {COMMAND}", file=sys.stderr)
        return 2
    written = write_pages(Path(args[0]))
    print(f"wrote {len(written)} pages to {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
