"""The words of a command line, and where each stood in its text.

Text is split by the shell reader of ``portspec.sources.scripts``
(``split_command``); an argv given as a list is joined here into a line that
splits back into it.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Word", "join"]


class Word(NamedTuple):
    """One word of a command line: its value and the span of its text."""

    value: str
    start: int
    end: int
    #: Whether the value is the text at ``start:end`` exactly (no quotes or escapes).
    plain: bool


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
