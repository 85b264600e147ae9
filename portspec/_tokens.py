"""What a parse is made of, for both readers of the grammar: tokens, and compiled patterns.

Lark's parser (``portspec._grammar``) and the generated patterns
(``portspec._matchers``) both give their parse in these terms, so neither
needs the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = ["Matcher", "Parsed", "Tok"]


class Tok(NamedTuple):
    """A token of the input: its text and where it stands."""

    kind: str
    text: str
    start: int
    end: int


#: What a parse gives back: nested tuples of ``Tok``, ``None`` for an absent
#: optional part, and ``(alias, children)`` pairs for the rules below a start.
Parsed = Any

#: Reads a match back into the parse: ``(text, match) -> Parsed``.
Reader = Callable[[str, "re.Match[str]"], Parsed]


class Matcher:
    """One start symbol as a compiled pattern and the reader of its matches."""

    __slots__ = ("_fullmatch", "_read", "pattern")

    def __init__(self, pattern: str, read: Reader) -> None:
        self.pattern = pattern
        self._fullmatch = re.compile(pattern).fullmatch
        self._read = read

    def __call__(self, text: str) -> Parsed | None:
        """The parse of ``text``, or ``None`` when the pattern does not take it."""
        match = self._fullmatch(text)
        if match is None:
            return None
        return self._read(text, match)
