"""Lint reports: pure functions from diagnostics to text, JSON, SARIF or GitHub annotations.

Nothing here reads a file or writes to a stream; the caller passes in each
file's text (``sources``) and the rule classes of the run, and prints what
comes back::

    >>> render([], fmt="text", sources={}, rules=[])
    'All checks passed.\\n'
"""

from __future__ import annotations

import bisect
import json
import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TextIO

from portspec._escape import printable, printable_char, printable_pieces
from portspec._version import __version__
from portspec.lint.diagnostic import Diagnostic, Fix, Severity
from portspec.lint.rule import Example, Rule

__all__ = ["FORMATS", "Format", "render", "use_color"]

#: An output format of ``portspec lint --format``.
Format = Literal["text", "json", "sarif", "github"]
FORMATS: tuple[Format, ...] = ("text", "json", "sarif", "github")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/portspec/portspec"
SRCROOT = "%SRCROOT%"

_TAB_STOP = 8
# GitHub code scanning cuts rule descriptions longer than this.
_GITHUB_DESCRIPTION_LIMIT = 1024

_RESET = "\x1b[0m"
_BOLD = "1"
_HUE = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# GitHub reads these as high, medium and low; only security rules carry one.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "recommendation",
}
_FENCE_LANGUAGE = {".yaml": "yaml", ".yml": "yaml", ".sh": "sh", ".bash": "bash"}


def render(
    diagnostics: Sequence[Diagnostic],
    *,
    fmt: Format,
    sources: Mapping[str, str],
    rules: Sequence[type[Rule]],
    color: bool = False,
    root: str | None = None,
) -> str:
    """The whole report for a run, in the given order, ending with a newline when not empty.

    ``sources`` maps a diagnostic's path to its file's text (a path without an
    entry gets no source line and no edit locations); ``rules`` are the rule
    classes that ran; ``root`` is the directory SARIF URIs and GitHub paths are
    made relative to.

    >>> render([], fmt="github", sources={}, rules=[])
    ''
    """
    # Each file's lines are found once, however many findings point into it.
    indexed = _Sources(sources)
    if fmt == "text":
        return _text(diagnostics, indexed, color=color)
    if fmt == "json":
        return _json(diagnostics, indexed, rules)
    if fmt == "sarif":
        return _sarif(diagnostics, indexed, rules, root)
    if fmt == "github":
        return _github(diagnostics, root)
    raise ValueError(f"unknown report format {fmt!r}: expected one of {', '.join(FORMATS)}")


def use_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Whether to colour output written to ``stream``, by https://no-color.org rules.

    A non-empty ``NO_COLOR`` always turns colour off; otherwise a non-empty
    ``FORCE_COLOR`` turns it on, and without either a terminal gets colour.

    >>> import io
    >>> use_color(io.StringIO(), {"FORCE_COLOR": "1"})
    True
    """
    if environ.get("NO_COLOR", ""):
        return False
    if environ.get("FORCE_COLOR", ""):
        return True
    try:
        return stream.isatty()
    except (ValueError, OSError):  # a closed or detached stream
        return False


class _Lines:
    """One file's text with where each line starts, found once.

    A byte order mark is no character of the first line: it is not shown, and
    columns count from after it, as editors count them.
    """

    __slots__ = ("bom", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.bom = 1 if text.startswith("\ufeff") else 0
        self.starts = [0]
        at = text.find("\n")
        while at >= 0:
            self.starts.append(at + 1)
            at = text.find("\n", at + 1)

    def line(self, number: int) -> str | None:
        """Line ``number`` (1-based) without its line break, or None."""
        if not 1 <= number <= len(self.starts):
            return None
        start = self.starts[number - 1] + (self.bom if number == 1 else 0)
        end = self.starts[number] - 1 if number < len(self.starts) else len(self.text)
        return self.text[start:end].removesuffix("\r")

    def location(self, offset: int) -> dict[str, int]:
        """The 1-based line and column of a 0-based ``offset``."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset)
        column = offset - self.starts[line - 1] + 1
        if line == 1 and self.bom:
            column = max(column - 1, 1)
        return {"line": line, "column": column}


class _Sources:
    """The texts of a run by path, each indexed on first use."""

    __slots__ = ("indexed", "texts")

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = texts
        self.indexed: dict[str, _Lines | None] = {}

    def get(self, path: str) -> _Lines | None:
        if path not in self.indexed:
            text = self.texts.get(path)
            self.indexed[path] = None if text is None else _Lines(text)
        return self.indexed[path]


# -- text ---------------------------------------------------------------------


def _text(diagnostics: Sequence[Diagnostic], sources: _Sources, *, color: bool) -> str:
    if not diagnostics:
        return "All checks passed.\n"
    blocks = [_text_block(d, sources.get(d.path), color=color) for d in diagnostics]
    counts = Counter(d.severity for d in diagnostics)
    summary = (
        f"Found {_plural(len(diagnostics), 'problem')} ("
        f"{_plural(counts[Severity.ERROR], 'error')}, "
        f"{_plural(counts[Severity.WARNING], 'warning')}, "
        f"{counts[Severity.INFO]} info)."
    )
    fixable = sum(1 for d in diagnostics if _has_safe_fix(d))
    if fixable:
        summary += f"\n{fixable} fixable with --fix."
    return "\n\n".join([*blocks, summary]) + "\n"


def _text_block(diagnostic: Diagnostic, source: _Lines | None, *, color: bool) -> str:
    # Paths and messages carry names from the files read: escaped, they can
    # neither start a line of their own nor drive the terminal.
    path, code, message = printable(diagnostic.path), diagnostic.code, printable(diagnostic.message)
    if color:
        path = _sgr(_BOLD, path)
        code = _sgr(f"{_BOLD};{_HUE[diagnostic.severity]}", code)
    marker = " [*]" if _has_safe_fix(diagnostic) else ""
    head = f"{path}:{diagnostic.line}:{diagnostic.column}: {code}{marker} {message}"
    line = _source_line(source, diagnostic.line)
    if line is None:
        return head
    first = max(diagnostic.column - 1, 0)
    if diagnostic.end_line == diagnostic.line:
        last = max(diagnostic.end_column - 1, first)
    else:  # the span goes on past this line: underline the rest of it
        last = max(len(line), first)
    shown, before, width = _underline(line, first, last)
    carets = "^" * max(width, 1)
    if color:
        carets = _sgr(_HUE[diagnostic.severity], carets)
    return f"{head}\n  {shown}\n  {' ' * before}{carets}"


def _source_line(source: _Lines | None, number: int) -> str | None:
    """Line ``number`` (1-based) of ``source`` without its line break, or None."""
    return None if source is None else source.line(number)


def _underline(line: str, first: int, last: int) -> tuple[str, int, int]:
    """``line`` as shown, and the display columns before and of ``line[first:last]``."""
    shown: list[str] = []
    column = before = 0
    for index, (ch, printed) in enumerate(zip(line, printable_pieces(line), strict=True)):
        if index == first:
            before = column
        piece = " " * (_TAB_STOP - column % _TAB_STOP) if ch == "\t" else printed
        shown.append(piece)
        column += _width(piece)
    if first >= len(line):
        before = column + first - len(line)
        return "".join(shown), before, 1
    end_column = _display_column(line, last, shown)
    return "".join(shown), before, end_column - before


def _display_column(line: str, index: int, shown: list[str]) -> int:
    """Where ``line[index]`` starts on screen; past the end, one column a character."""
    width = sum(_width(piece) for piece in shown[: min(index, len(line))])
    return width + max(index - len(line), 0)


def _width(piece: str) -> int:
    """How many terminal columns ``piece`` takes."""
    total = 0
    for ch in piece:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return total


def _sgr(code: str, text: str) -> str:
    return f"\x1b[{code}m{text}{_RESET}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _has_safe_fix(diagnostic: Diagnostic) -> bool:
    return diagnostic.fix is not None and diagnostic.fix.safe


# -- json ---------------------------------------------------------------------


def _json(diagnostics: Sequence[Diagnostic], sources: _Sources, rules: Sequence[type[Rule]]) -> str:
    by_code = {rule.code: rule for rule in rules}

    def objects() -> Iterator[dict[str, Any]]:
        for d in diagnostics:
            rule = by_code.get(d.code)
            yield {
                "path": d.path,
                "line": d.line,
                "column": d.column,
                "end_line": d.end_line,
                "end_column": d.end_column,
                "code": d.code,
                "severity": str(d.severity),
                "message": printable(d.message),
                "url": rule.help_url() if rule is not None else None,
                "fix": None if d.fix is None else _json_fix(d.fix, sources.get(d.path)),
            }

    return _dump(_Rows(objects()))


def _json_fix(fix: Fix, source: _Lines | None) -> dict[str, Any]:
    return {
        "message": printable(fix.message),
        "safe": fix.safe,
        "edits": [
            {
                "start": edit.start,
                "end": edit.end,
                "replacement": edit.replacement,
                "location": _location(source, edit.start),
                "end_location": _location(source, edit.end),
            }
            for edit in fix.edits
        ],
    }


def _location(source: _Lines | None, offset: int) -> dict[str, int] | None:
    """The 1-based line and column of a 0-based ``offset`` into ``source``."""
    return None if source is None else source.location(offset)


class _Rows:
    """A list written one item a line, its items made as they are written.

    Each finding's object is built, encoded and dropped in turn, so a report
    of 40,000 findings never holds 40,000 of them at once.
    """

    __slots__ = ("items",)

    def __init__(self, items: Iterable[object]) -> None:
        self.items = items


def _dump(value: object) -> str:
    """``value`` as indented JSON, where each ``_Rows`` in it holds one item a line.

    One finding a line reads and diffs well, and leaves the work to Python's
    C encoder (which ``indent`` turns off): a report of 40,000 findings takes
    a fraction of a second. ``ensure_ascii``, as for ``portspec parse``: any
    terminal or pipe can carry it.
    """
    encode = json.JSONEncoder(ensure_ascii=True, separators=(", ", ": ")).encode
    out: list[str] = []

    def emit(item: object, level: int) -> None:
        inner = "\n" + "  " * (level + 1)
        if isinstance(item, _Rows):
            opened = len(out)
            for member in item.items:
                out.append(("," if len(out) > opened else "[") + inner + encode(member))
            out.append("[]" if len(out) == opened else "\n" + "  " * level + "]")
            return
        if not isinstance(item, dict | list) or not item:
            out.append(encode(item))
            return
        if isinstance(item, list):
            out.append("[")
            for number, member in enumerate(item):
                out.append(("," if number else "") + inner)
                emit(member, level + 1)
            out.append("\n" + "  " * level + "]")
            return
        out.append("{")
        for number, (name, member) in enumerate(item.items()):
            out.append(("," if number else "") + inner + encode(name) + ": ")
            emit(member, level + 1)
        out.append("\n" + "  " * level + "}")

    emit(value, 0)
    return "".join(out) + "\n"


# -- sarif --------------------------------------------------------------------


def _sarif(
    diagnostics: Sequence[Diagnostic],
    sources: _Sources,
    rules: Sequence[type[Rule]],
    root: str | None,
) -> str:
    known = {rule.code: rule for rule in rules}
    descriptors = [_sarif_rule(known[code]) for code in sorted(known)]
    missing = sorted({d.code for d in diagnostics} - known.keys())
    descriptors += [_sarif_unknown_rule(code, diagnostics) for code in missing]
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}

    seen: Counter[tuple[str, str, str]] = Counter()
    artifacts: dict[str, dict[str, str]] = {}

    def results() -> Iterator[dict[str, Any]]:
        for d in diagnostics:
            artifact = artifacts.get(d.path)
            if artifact is None:
                artifact = artifacts[d.path] = _artifact_location(d.path, root)
            line = _source_line(sources.get(d.path), d.line) or ""
            key = (d.code, artifact["uri"], line.strip())
            seen[key] += 1
            result: dict[str, Any] = {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _SARIF_LEVEL[d.severity],
                "message": {"text": printable(d.message)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact,
                            "region": {
                                "startLine": d.line,
                                "startColumn": d.column,
                                "endLine": d.end_line,
                                "endColumn": d.end_column,
                            },
                        }
                    }
                ],
                "partialFingerprints": {"primaryLocationLineHash": _fingerprint(key, seen[key])},
            }
            if d.fix is not None and d.fix.edits:
                result["fixes"] = [_sarif_fix(d.fix, artifact)]
            yield result

    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "portspec",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": _Rows(descriptors),
            }
        },
    }
    if root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": Path(os.path.abspath(root)).as_uri() + "/"}}
    run["results"] = _Rows(results())
    run["columnKind"] = "unicodeCodePoints"
    sarif = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return _dump(sarif)


def _sarif_rule(rule: type[Rule]) -> dict[str, Any]:
    summary = rule.summary() or rule.code
    why = rule.why() or summary
    security = _is_security(rule.code)
    properties: dict[str, Any] = {"tags": ["security" if security else "correctness"]}
    if security:
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    else:
        properties["problem.severity"] = _PROBLEM_SEVERITY[rule.severity]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(summary)},
        "fullDescription": {"text": _clip(_unwrap(why))},
        "help": {"text": _help_text(rule, why), "markdown": _help_markdown(rule, why)},
        "helpUri": rule.help_url(),
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity], "enabled": rule.default},
        "properties": properties,
    }


def _sarif_unknown_rule(code: str, diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    """A stand-in descriptor for a code no rule class of the run has (a parse error)."""
    severity = max(d.severity for d in diagnostics if d.code == code)
    text = f"portspec {code}"
    tag = "security" if _is_security(code) else "correctness"
    properties: dict[str, Any] = {"tags": [tag]}
    if tag == "security":
        properties["security-severity"] = _SECURITY_SEVERITY[severity]
    return {
        "id": code,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": properties,
    }


def _is_security(code: str) -> bool:
    return code.upper().startswith("PS3")


def _unwrap(text: str) -> str:
    """Docstring paragraphs as single lines: plain-text viewers wrap them themselves."""
    return "\n\n".join(" ".join(part.split()) for part in text.split("\n\n"))


def _clip(text: str) -> str:
    if len(text) <= _GITHUB_DESCRIPTION_LIMIT:
        return text
    return text[: _GITHUB_DESCRIPTION_LIMIT - 3].rstrip() + "..."


def _examples(rule: type[Rule]) -> list[tuple[str, Example]]:
    pairs = [("Bad", getattr(rule, "bad", None)), ("Good", getattr(rule, "good", None))]
    return [(label, example) for label, example in pairs if isinstance(example, Example)]


def _help_text(rule: type[Rule], why: str) -> str:
    parts = [why]
    for label, example in _examples(rule):
        body = "\n".join(f"    {line}" for line in example.text.rstrip("\n").split("\n"))
        parts.append(f"{label} ({example.path}):\n{body}")
    return "\n\n".join(parts)


def _help_markdown(rule: type[Rule], why: str) -> str:
    parts = [why]
    for label, example in _examples(rule):
        text = example.text.rstrip("\n")
        fence = "```"
        while fence in text:
            fence += "`"
        language = _FENCE_LANGUAGE.get(Path(example.path).suffix.lower(), "")
        parts.append(f"**{label}** (`{example.path}`):\n\n{fence}{language}\n{text}\n{fence}")
    parts.append(f"[Rule documentation]({rule.help_url()})")
    return "\n\n".join(parts)


def _artifact_location(path: str, root: str | None) -> dict[str, str]:
    """A SARIF artifactLocation, relative to ``%SRCROOT%``.

    A file outside the root is named by a relative reference that climbs out
    of it (``../other/compose.yaml``): with a root, no report names a file by
    the absolute path of the machine that ran it.
    """
    from urllib.parse import quote  # noqa: PLC0415 - SARIF only

    if path == "-":
        return {"uri": "stdin"}
    relative = _relative_to_root(path, root)
    if relative is None and root is not None:
        try:
            relative = Path(
                os.path.relpath(os.path.abspath(path), os.path.abspath(root))
            ).as_posix()
        except ValueError:  # another drive on Windows: the name alone
            relative = Path(path).name
    if relative is not None:
        return {"uri": quote(relative), "uriBaseId": SRCROOT}
    if not os.path.isabs(path):
        return {"uri": quote(Path(path).as_posix()), "uriBaseId": SRCROOT}
    # No root to be relative to: the caller chose absolute names.
    return {"uri": Path(path).as_uri()}


def _relative_to_root(path: str, root: str | None) -> str | None:
    """``path`` relative to ``root`` with forward slashes, or None when it is outside."""
    if root is None or path == "-":
        return None
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    try:
        if os.path.commonpath([absolute, base]) != base:
            return None
    except ValueError:  # another drive on Windows
        return None
    return Path(os.path.relpath(absolute, base)).as_posix()


def _fingerprint(key: tuple[str, str, str], occurrence: int) -> str:
    """Code, file and the line's text, hashed; the count tells identical lines apart."""
    import hashlib  # noqa: PLC0415 - SARIF only

    digest = hashlib.sha256("\0".join(key).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{digest[:16]}:{occurrence}"


def _sarif_fix(fix: Fix, artifact: dict[str, str]) -> dict[str, Any]:
    return {
        "description": {"text": printable(fix.message)},
        "artifactChanges": [
            {
                "artifactLocation": artifact,
                "replacements": [
                    {
                        "deletedRegion": {
                            "charOffset": edit.start,
                            "charLength": edit.end - edit.start,
                        },
                        "insertedContent": {"text": edit.replacement},
                    }
                    for edit in fix.edits
                ],
            }
        ],
        "properties": {"safe": fix.safe},
    }


# -- github -------------------------------------------------------------------


def _github(diagnostics: Sequence[Diagnostic], root: str | None) -> str:
    lines = []
    for d in diagnostics:
        path = _relative_to_root(d.path, root) or d.path
        properties = [("file", path), ("line", str(d.line))]
        # GitHub keeps columns only for a span on one line.
        if d.end_line == d.line:
            properties.append(("col", str(d.column)))
        properties.append(("endLine", str(d.end_line)))
        if d.end_line == d.line:
            properties.append(("endColumn", str(d.end_column)))
        properties.append(("title", d.code))
        props = ",".join(f"{name}={_escape_property(value)}" for name, value in properties)
        lines.append(f"::{_GITHUB_COMMAND[d.severity]} {props}::{_escape_data(d.message)}\n")
    return "".join(lines)


def _escape_data(text: str) -> str:
    """As ``escapeData`` of GitHub's @actions/core toolkit does, after every other control.

    The toolkit turns only ``%``, CR and LF into escapes the runner reads back;
    the rest of the controls (ESC, BEL, C1, bidirectional marks) would reach
    the log as they are, so they are shown escaped first. ``##[`` is the
    runner's older command prefix: its ``#`` are written ``%23``.

    >>> _escape_data("50%\\n::error::x\\x1b")
    '50%25%0A::error::x\\\\x1b'
    """
    shown = "".join(ch if ch in "\r\n" else printable_char(ch) for ch in text)
    escaped = shown.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace("##[", "%23%23[")


def _escape_property(text: str) -> str:
    """As ``escapeProperty`` of GitHub's @actions/core toolkit does."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
