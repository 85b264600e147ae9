"""Split a command line into words as a POSIX shell would, keeping where each word stood.

Quotes, backslashes and line continuations are undone; nothing is expanded:
``$PORT`` stays ``$PORT``, for the caller to report as unknown.
"""

from __future__ import annotations

from typing import NamedTuple

from portspec.errors import PortSpecError

__all__ = ["Word", "join", "split"]

_BLANKS = " \t\n"
# Inside double quotes a backslash escapes only these.
_DOUBLE_QUOTED_ESCAPES = '$`"\\\n'
# Characters that end a word and make a token of their own in the shell.
_OPERATORS = ";&|<>()"


class Word(NamedTuple):
    """One word of a command line: its value and the span of its text."""

    value: str
    start: int
    end: int
    #: Whether the value is the text at ``start:end`` exactly (no quotes or escapes).
    plain: bool


def split(text: str) -> list[Word]:
    """The words of ``text`` up to its first shell operator or comment.

    >>> [word.value for word in split("docker run -p '8080:80' \\\\\\n  nginx # web")]
    ['docker', 'run', '-p', '8080:80', 'nginx']
    """
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in _BLANKS:
            i += 1
            continue
        if char == "\\" and text.startswith("\\\n", i):
            i += 2
            continue
        if char == "#" or char in _OPERATORS:
            break
        start, value, plain = i, [], True
        while i < n:
            char = text[i]
            if char in _BLANKS or char in _OPERATORS:
                break
            if char == "\\":
                plain = False
                if i + 1 >= n:
                    i += 1
                    break
                if text[i + 1] != "\n":
                    value.append(text[i + 1])
                i += 2
            elif char == "'":
                plain = False
                close = text.find("'", i + 1)
                if close < 0:
                    raise PortSpecError("unterminated single quote", text, (i, n))
                value.append(text[i + 1 : close])
                i = close + 1
            elif char == '"':
                plain = False
                i = _double_quoted(text, i, value)
            else:
                value.append(char)
                i += 1
        words.append(Word("".join(value), start, i, plain))
    return words


def _double_quoted(text: str, opening: int, value: list[str]) -> int:
    i, n = opening + 1, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            return i + 1
        if char == "\\" and i + 1 < n and text[i + 1] in _DOUBLE_QUOTED_ESCAPES:
            if text[i + 1] != "\n":
                value.append(text[i + 1])
            i += 2
            continue
        value.append(char)
        i += 1
    raise PortSpecError("unterminated double quote", text, (opening, n))


def join(argv: list[str]) -> tuple[str, list[Word]]:
    """A command line that splits back into ``argv``, and the words of it."""
    import shlex  # noqa: PLC0415 - only for argv given as a list

    parts, words, offset = [], [], 0
    for arg in argv:
        quoted = shlex.quote(arg)
        words.append(Word(arg, offset, offset + len(quoted), quoted == arg))
        parts.append(quoted)
        offset += len(quoted) + 1
    return " ".join(parts), words
