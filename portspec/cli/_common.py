"""What every command of the app shares: the usage error, exit codes and printing."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

__all__ = [
    "EXIT_FAULT",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "add_debug_option",
    "print_to",
    "read_text",
]

EXIT_OK = 0
EXIT_FAULT = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A problem with how portspec was called, found after argparse was done (exit 2)."""


def print_to(stream: TextIO, text: str) -> None:
    """Print ``text``, escaping what ``stream`` cannot encode rather than failing."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    print(text, file=stream, flush=stream is sys.stderr)


def add_debug_option(parser: argparse.ArgumentParser) -> None:
    """``--debug`` after a command too; SUPPRESS keeps one given before the command."""
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an internal error",
    )


def read_text(path: str) -> tuple[str, str]:
    """The name to show for ``path`` and its UTF-8 text; ``-`` is stdin (exit 2 if unreadable)."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            return name, sys.stdin.read()
        with open(path, encoding="utf-8") as file:
            return name, file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise UsageError(f"cannot read {name}: {reason}") from None
