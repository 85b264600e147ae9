"""What every command of the app shares: the usage error, exit codes and printing."""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["EXIT_FAULT", "EXIT_OK", "EXIT_USAGE", "UsageError", "print_to"]

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
