"""Apply fixes to a file's text, show them as a diff, write them back atomically."""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from portspec.lint.diagnostic import Diagnostic, Edit

__all__ = ["apply_fixes", "unified_diff", "write_atomically"]


def apply_fixes(
    text: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool = False
) -> tuple[str, list[Diagnostic]]:
    """``text`` with the fixes of ``diagnostics`` applied, and the diagnostics fixed.

    Fixes are taken in position order; one that overlaps a fix already taken
    waits for the next run, as in ruff. Unsafe fixes only when ``unsafe``.

    >>> from portspec.lint.diagnostic import Fix, Severity
    >>> d = Diagnostic("f", 1, 1, 1, 6, "PS305", Severity.WARNING, "m",
    ...                Fix("quote", (Edit(0, 5, '"22:22"'),)), 0, 5)
    >>> apply_fixes("22:22 # ssh", [d])[0]
    '"22:22" # ssh'
    """
    chosen: list[Edit] = []
    fixed: list[Diagnostic] = []
    taken: list[tuple[int, int]] = []
    for diagnostic in sorted(diagnostics, key=lambda d: (d.start, d.code)):
        fix = diagnostic.fix
        if fix is None or not (fix.safe or unsafe):
            continue
        spans = [(edit.start, edit.end) for edit in fix.edits]
        if any(_overlap(span, other) for span in spans for other in taken):
            continue
        taken.extend(spans)
        chosen.extend(fix.edits)
        fixed.append(diagnostic)
    out = text
    for edit in sorted(chosen, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: edit.start] + edit.replacement + out[edit.end :]
    return out, fixed


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return (a[0] < b[1] and b[0] < a[1]) or a == b


def unified_diff(path: str, before: str, after: str) -> str:
    """The change as a unified diff with ``a/`` and ``b/`` names, as ``git diff`` shows it."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{path}",
            f"b/{path}",
        )
    )


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path``'s content with ``text``: all or nothing, mode and owner kept.

    The new text goes to a temporary file in the same folder, flushed to disk,
    which then takes the old file's place in one rename; a crash leaves the
    old file or the new one, never half of either. A symlink is followed, so
    the file it points to is the one changed.
    """
    target = path.resolve()
    info = target.stat()
    data = text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown"):
            # Only root may give a file away; the mode is kept all the same.
            with contextlib.suppress(PermissionError):
                os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
