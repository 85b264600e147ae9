"""What every command of the app shares: the usage error, exit codes and printing."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TextIO

from portspec._files import read_regular

__all__ = [
    "EXIT_FAULT",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "add_debug_option",
    "print_to",
    "read_stdin",
    "read_text",
]

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with how portspec was called, found after argparse was done (exit 2)."""


def print_to(stream: TextIO | None, text: str) -> None:
    """Print ``text``, escaping what ``stream`` cannot encode rather than failing."""
    if stream is None:  # a stream closed when portspec was started
        return
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    if stream is not sys.stderr:
        print(text, file=stream)
        return
    with contextlib.suppress(OSError, ValueError):  # nowhere left to say it
        print(text, file=stream, flush=True)


def add_debug_option(parser: argparse.ArgumentParser) -> None:
    """``--debug`` after a command too; SUPPRESS keeps one given before the command."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an internal error",
    )


def read_stdin() -> str:
    """All of standard input; :class:`UsageError` when it is closed or unreadable."""
    if sys.stdin is None:
        raise UsageError("cannot read <stdin>: standard input is closed")
    try:
        return sys.stdin.read()
    except (OSError, ValueError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise UsageError(f"cannot read <stdin>: {reason}") from None


def read_text(path: str) -> tuple[str, str]:
    """The name to show for ``path`` and its UTF-8 text; ``-`` is stdin (exit 2 if unreadable)."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            return name, read_stdin()
        return name, read_regular(path).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise UsageError(f"cannot read {name}: {reason}") from None
