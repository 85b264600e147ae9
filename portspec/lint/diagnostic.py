"""What the linter finds: a diagnostic with its place, code, severity, message and fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portspec.codes import Severity

if TYPE_CHECKING:
    from portspec.model import PortMapping

__all__ = ["Diagnostic", "Edit", "Fix", "Severity"]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` of a file with ``replacement`` (0-based offsets)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Fix:
    """Edits that make a diagnostic go away; ``safe`` ones are applied by ``--fix``.

    An unsafe fix changes what Docker does (rebinding to 127.0.0.1): it is
    applied only when asked for with ``--unsafe-fixes``.
    """

    message: str
    edits: tuple[Edit, ...]
    safe: bool = True
    #: What the edited entry must read as once fixed; ``--fix`` reads the
    #: file again and drops a fix that does not give exactly this.
    value: PortMapping | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: where (1-based line and column, end exclusive), what and how bad.

    ``start`` and ``end`` are the same place as 0-based offsets into the file's
    text; ``path`` is as the user named it (``-`` or ``--stdin-filename`` for stdin).
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    severity: Severity
    message: str
    fix: Fix | None = None
    start: int = 0
    end: int = 0

    def sort_key(self) -> tuple[str, int, int, str]:
        """Files in name order, then by position, then by code."""
        return (self.path, self.line, self.column, self.code)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"
