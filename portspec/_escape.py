"""Text from the files portspec reads, made safe to show on a terminal or in a CI log.

Names, paths and values come from files written by strangers. Any character
Python does not call printable (C0 and C1 controls, DEL, line and paragraph
separators, bidirectional and other format controls) is shown as its Python
escape, so that a name can neither start a new log line nor move the cursor,
retitle a terminal or reorder what a reader sees. The space stays a space.
A CI runner also acts on ``##[`` anywhere in a log line (the older form of
its workflow commands), so its second ``#`` is shown as ``\\x23``.

>>> printable("web\\x1b]0;pwned\\x07")
'web\\\\x1b]0;pwned\\\\x07'
>>> printable("caf\\u00e9 \\u202eevil")
'café \\\\u202eevil'
"""

from __future__ import annotations

__all__ = ["printable", "printable_char", "printable_pieces"]


_RUNNER_PREFIX = "##["


def printable_char(ch: str) -> str:
    """One character as it can be shown: itself, or its escape (a tab is escaped too).

    >>> printable_char("\\t"), printable_char("a")
    ('\\\\t', 'a')
    """
    if ch.isprintable():
        return ch
    return ascii(ch)[1:-1]


def printable_pieces(text: str) -> list[str]:
    """How each character of ``text`` is shown, one piece a character.

    >>> printable_pieces("a\\n##[")
    ['a', '\\\\n', '#', '\\\\x23', '[']
    """
    pieces = [printable_char(ch) for ch in text]
    start = text.find(_RUNNER_PREFIX)
    while start >= 0:
        pieces[start + 1] = "\\x23"
        start = text.find(_RUNNER_PREFIX, start + 1)
    return pieces


def printable(text: str) -> str:
    """``text`` with every unprintable character escaped; plain text is returned as it is.

    >>> printable("##[error]x")
    '#\\\\x23[error]x'
    """
    if text.isprintable() and _RUNNER_PREFIX not in text:
        return text
    return "".join(printable_pieces(text))
