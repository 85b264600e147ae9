"""The ``EXPOSE`` values of a Dockerfile, each with exact offsets into the text.

Read as BuildKit reads the file: parser directives at the top (``# escape=```),
line continuations with the escape character, comment lines inside an
instruction, and here-documents of ``RUN``/``COPY``/``ADD`` skipped whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from portspec.sources.scripts import _lines

__all__ = ["ExposeValue", "find_dockerfile_exposes"]


@dataclass(frozen=True, slots=True)
class ExposeValue:
    """One word of a Dockerfile ``EXPOSE`` instruction, and where it stands.

    >>> [value] = find_dockerfile_exposes("FROM nginx\\nEXPOSE ${PORT:-80}\\n")
    >>> value.value, value.start, value.end, value.unknown
    ('${PORT:-80}', 18, 29, True)
    """

    value: str
    start: int
    end: int
    unknown: bool


_DIRECTIVE = re.compile(r"[ \t]*#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(.*?)[ \t\r]*")
_INSTRUCTION = re.compile(r"[ \t]*([A-Za-z]+)(?=[ \t\r]|$)")
_HEREDOC = re.compile(r"<<(-?)[ \t]*([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_NOT_BLANK = re.compile(r"[^ \t\r]+")


def find_dockerfile_exposes(text: str) -> Iterator[ExposeValue]:
    """Each value of each ``EXPOSE`` instruction of a Dockerfile.

    >>> dockerfile = "# escape=`\\nFROM nginx\\nexpose 80/tcp `\\n  # web\\n  443\\n"
    >>> [(value.value, dockerfile[value.start : value.end]) for value in
    ...     find_dockerfile_exposes(dockerfile)]
    [('80/tcp', '80/tcp'), ('443', '443')]
    """
    lines = list(_lines(text))
    escape = "\\"
    index = 0
    while index < len(lines):  # parser directives, at the very top only
        directive = _DIRECTIVE.fullmatch(text, lines[index][0], lines[index][1])
        if directive is None:
            break
        index += 1
        if directive.group(1).lower() == "escape" and directive.group(2) in ("\\", "`"):
            escape = directive.group(2)
    while index < len(lines):
        start, end, _ = lines[index]
        index += 1
        content = text[start:end].strip()
        if not content or content.startswith("#"):
            continue
        # The instruction's physical pieces: (start, end) without the escape.
        pieces = []
        while True:
            stripped_end = start + len(text[start:end].rstrip(" \t\r"))
            continued = stripped_end > start and text[stripped_end - 1] == escape
            pieces.append((start, stripped_end - 1 if continued else end))
            if not continued:
                break
            while index < len(lines):
                content = text[lines[index][0] : lines[index][1]].strip()
                if content and not content.startswith("#"):
                    break
                index += 1
            if index >= len(lines):
                break
            start, end, _ = lines[index]
            index += 1
        instruction = _INSTRUCTION.match(text, pieces[0][0], pieces[0][1])
        keyword = instruction.group(1).lower() if instruction else ""
        if instruction is not None and keyword == "expose":
            pieces[0] = (instruction.end(), pieces[0][1])
            yield from _expose_values(text, pieces)
        elif keyword in ("run", "copy", "add"):
            for heredoc in _HEREDOC.finditer("".join(text[a:b] for a, b in pieces)):
                strip_tabs, delimiter = heredoc.group(1) == "-", heredoc.group(3)
                while index < len(lines):
                    line = text[lines[index][0] : lines[index][1]].rstrip("\r")
                    index += 1
                    if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                        break


def _expose_values(text: str, pieces: list[tuple[int, int]]) -> Iterator[ExposeValue]:
    """Split the pieces of one instruction into words; a word may run across pieces."""
    value: list[str] = []
    first = last = 0
    for start, end in pieces:
        position = start
        for match in _NOT_BLANK.finditer(text, start, end):
            if value and match.start() != position:
                yield _expose_value("".join(value), first, last)
                value = []
            if not value:
                first = match.start()
            value.append(match.group())
            last = position = match.end()
        if value and position != end:
            yield _expose_value("".join(value), first, last)
            value = []
    if value:
        yield _expose_value("".join(value), first, last)


def _expose_value(value: str, start: int, end: int) -> ExposeValue:
    return ExposeValue(value, start, end, "$" in value)
