"""Apply fixes to a file's text, prove they keep its meaning, and write them back as editors do.

A fix is an edit of the source text, made from a value the linter parsed.
Before anything is written, the fixed text is read again the way the file's
reader reads it (Compose's YAML for compose files, the shell word splitter
for scripts, Makefiles and Markdown): everything the fixes did not target
must read exactly as before, and each targeted entry must read as the value
its fix promised. A fix that fails this is dropped, with a note saying so.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from portspec.errors import PortSpecError
from portspec.lint.diagnostic import Diagnostic, Edit
from portspec.lint.units import Kind
from portspec.model import PortMapping

__all__ = [
    "FixResult",
    "WriteRefused",
    "apply_fixes",
    "fix_text",
    "unified_diff",
    "write_fixed",
]

#: How many times a file's fixes are applied again after some were dropped.
_ROUNDS = 3


def apply_fixes(
    text: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool = False
) -> tuple[str, list[Diagnostic]]:
    """``text`` with the fixes of ``diagnostics`` applied, and the diagnostics fixed.

    Fixes are taken in position order; one that overlaps a fix already taken
    waits for the next run, as in ruff. Unsafe fixes only when ``unsafe``.
    Nothing is checked here: :func:`fix_text` is the checked form.

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
    pieces: list[str] = []
    at = 0
    for edit in sorted(chosen, key=lambda e: (e.start, e.end)):
        pieces.append(text[at : edit.start])
        pieces.append(edit.replacement)
        at = edit.end
    pieces.append(text[at:])
    return "".join(pieces), fixed


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return (a[0] < b[1] and b[0] < a[1]) or a == b


@dataclass
class FixResult:
    """The fixed text, the diagnostics it fixes, and notes on the fixes dropped."""

    text: str
    fixed: list[Diagnostic] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def fix_text(
    text: str, diagnostics: Sequence[Diagnostic], kind: Kind, *, unsafe: bool = False
) -> FixResult:
    """The fixes of ``diagnostics`` applied to ``text`` (a file of ``kind``), each one proven.

    The fixed text is read again; a fix whose entry does not read as its
    promised value is dropped and the rest applied again. When something the
    fixes did not target reads differently, no fix of the file is kept.

    >>> from portspec.lint.engine import lint_text
    >>> from portspec.lint.rule import Context
    >>> text = "services:\\n  a:\\n    ports: [017]\\n"
    >>> found = lint_text(text, ctx=Context(quote_all_ports=True))
    >>> fix_text(text, found, "compose").text
    'services:\\n  a:\\n    ports: ["15"]\\n'
    """
    candidates = list(diagnostics)
    dropped: list[str] = []
    for _ in range(_ROUNDS):
        after, fixed = apply_fixes(text, candidates, unsafe=unsafe)
        if not fixed:
            return FixResult(text, [], dropped)
        wrong, broken = _check(kind, text, after, fixed)
        if broken is not None:
            dropped.append(f"no fix applied: the fixed file would read differently ({broken})")
            return FixResult(text, [], dropped)
        if not wrong:
            return FixResult(after, fixed, dropped)
        for diagnostic, reason in wrong:
            where = f"{diagnostic.line}:{diagnostic.column}"
            dropped.append(f"{where}: {diagnostic.code} fix dropped: {reason}")
        bad = {id(d) for d, _ in wrong}
        candidates = [d for d in candidates if id(d) not in bad]
    return FixResult(text, [], [*dropped, "no fix applied: the fixes could not be proven"])


# ------------------------------------------------------------------ checking


def _check(
    kind: Kind, before: str, after: str, fixed: Sequence[Diagnostic]
) -> tuple[list[tuple[Diagnostic, str]], str | None]:
    """The fixes whose entries read wrong, and what else changed (``None``: nothing)."""
    targets = [
        (edit, diagnostic)
        for diagnostic in fixed
        if diagnostic.fix is not None
        for edit in diagnostic.fix.edits
    ]
    if kind == "compose":
        return _check_compose(before, after, targets)
    return _check_commands(kind, before, after, targets)


def _same(a: PortMapping, b: PortMapping) -> bool:
    # The address as typed travels to the Engine too, so it must be kept.
    return a == b and a.host_ip_text == b.host_ip_text and a.ignored == b.ignored


def _promised(diagnostic: Diagnostic, found: PortMapping | None, why: str) -> str | None:
    """Why the entry a fix rewrote is wrong, or ``None`` when it reads as promised."""
    fix = diagnostic.fix
    if fix is None or fix.value is None:
        return "the fix promises no value to check"
    if found is None:
        return why
    if not _same(found, fix.value):
        return f"it would read as {found}, not {fix.value}"
    return None


def _check_compose(
    before: str, after: str, targets: Sequence[tuple[Edit, Diagnostic]]
) -> tuple[list[tuple[Diagnostic, str]], str | None]:
    from portspec.sources._yaml import (  # noqa: PLC0415 - only when fixing
        Mapping,
        Node,
        Scalar,
        Sequence,
        load_yaml_documents,
    )

    try:
        old = load_yaml_documents(before)
    except PortSpecError as error:
        return [], f"the file does not read: {error.message}"
    try:
        new = load_yaml_documents(after)
    except PortSpecError as error:
        return [], f"YAML error: {error.message}"
    if len(old) != len(new):
        return [], "a different number of YAML documents"
    wrong: dict[int, tuple[Diagnostic, str]] = {}
    hit: set[int] = set()

    def targeted(node: Scalar) -> list[Diagnostic]:
        span = node.span
        return [
            diagnostic
            for edit, diagnostic in targets
            if span.start <= edit.start and edit.end <= span.end and span.start < span.end
        ]

    # Aliases make the tree a graph: each pair of nodes is compared once.
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Node, Node, str]] = [
        (a, b, "document") for a, b in zip(old, new, strict=True)
    ]
    while stack:
        a, b, where = stack.pop()
        if (id(a), id(b)) in seen:
            continue
        seen.add((id(a), id(b)))
        if isinstance(a, Scalar):
            aimed = targeted(a)
            if aimed:
                found = _compose_port(b) if isinstance(b, Scalar) else None
                for diagnostic in aimed:
                    hit.add(id(diagnostic))
                    reason = _promised(diagnostic, found, "it would not read as a port mapping")
                    if reason is not None:
                        wrong[id(diagnostic)] = (diagnostic, reason)
            elif a != b:
                return [], f"the value at {where} would change"
        elif isinstance(a, Mapping):
            if not isinstance(b, Mapping) or a.tag != b.tag or len(a.entries) != len(b.entries):
                return [], f"the mapping at {where} would change"
            for x, y in zip(a.entries, b.entries, strict=True):
                name = x.key.value if isinstance(x.key, Scalar) else "?"
                stack.append((x.key, y.key, f"{where}.{name}"))
                stack.append((x.value, y.value, f"{where}.{name}"))
        elif isinstance(a, Sequence):
            if not isinstance(b, Sequence) or a.tag != b.tag or len(a.items) != len(b.items):
                return [], f"the list at {where} would change"
            pairs = enumerate(zip(a.items, b.items, strict=True))
            stack.extend((x, y, f"{where}[{i}]") for i, (x, y) in pairs)
    for _, diagnostic in targets:
        if id(diagnostic) not in hit and id(diagnostic) not in wrong:
            wrong[id(diagnostic)] = (diagnostic, "its edit is not inside the value it fixes")
    return list(wrong.values()), None


def _compose_port(node: object) -> PortMapping | None:
    """A ``ports`` scalar as Compose reads it (no interpolation: a fix never writes ``$``)."""
    from portspec._parse import parse_publish  # noqa: PLC0415
    from portspec.model import Dialect  # noqa: PLC0415
    from portspec.sources._yaml import Scalar  # noqa: PLC0415

    if not isinstance(node, Scalar):
        return None
    value = node.value
    if type(value) is int and value > 0:
        text = str(value)
    elif isinstance(value, str) and node.yaml_type == "!!str" and "$" not in value:
        text = value
    else:
        return None
    try:
        return parse_publish(text, dialect=Dialect.COMPOSE)
    except PortSpecError:
        return None


def _check_commands(
    kind: Kind, before: str, after: str, targets: Sequence[tuple[Edit, Diagnostic]]
) -> tuple[list[tuple[Diagnostic, str]], str | None]:
    from portspec.lint.engine import Source, read_units  # noqa: PLC0415 - engine imports us

    old_units, old_result = read_units([Source("-", kind, text=before)], env={})
    new_units, new_result = read_units([Source("-", kind, text=after)], env={})
    old_problems = [(d.code, d.message) for d in old_result.diagnostics]
    new_problems = [(d.code, d.message) for d in new_result.diagnostics]
    if old_problems != new_problems:
        return [], "what cannot be read would change"
    if len(old_units) != len(new_units):
        return [], "a different number of docker commands"
    wrong: dict[int, tuple[Diagnostic, str]] = {}
    hit: set[int] = set()
    for old, new in zip(old_units, new_units, strict=True):
        if replace(old.container, publish=()) != replace(new.container, publish=()):
            return [], f"the command of {old.label} would change"
        if len(old.publish) != len(new.publish):
            return [], f"the ports of {old.label} would change"
        for a, b in zip(old.publish, new.publish, strict=True):
            aimed = [
                d for edit, d in targets if a.site.start <= edit.start and edit.end <= a.site.end
            ]
            for diagnostic in aimed:
                hit.add(id(diagnostic))
                reason = _promised(diagnostic, b.value, "")
                if reason is not None:
                    wrong[id(diagnostic)] = (diagnostic, reason)
            if not aimed and not _same(a.value, b.value):
                return [], f"a port of {old.label} would change"
    for _, diagnostic in targets:
        if id(diagnostic) not in hit and id(diagnostic) not in wrong:
            wrong[id(diagnostic)] = (diagnostic, "its edit is not inside the value it fixes")
    return list(wrong.values()), None


# ------------------------------------------------------------------ showing


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


# ------------------------------------------------------------------ writing


class WriteRefused(Exception):
    """The file cannot be written by this user: the run reports it and ends with status 2."""


class _Changed(Exception):
    """The file changed between the check and the write."""


_SPECIAL_BITS = stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX
_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _decode(data: bytes) -> tuple[str, str, bytes]:
    """The text of a file as the linter reads it, the codec to write it back, and its BOM."""
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec), codec, bom
    return data.decode("utf-8"), "utf-8", b""


def _encode(text: str, expected: str, codec: str, bom: bytes) -> bytes:
    if not bom:
        return text.encode(codec)
    # A UTF-16 text read with its byte order mark as U+FEFF writes it back itself.
    return text.encode(codec) if expected.startswith("\ufeff") else bom + text.encode(codec)


def _holds(current: str, expected: str) -> bool:
    return current == expected or "\ufeff" + current == expected


def write_fixed(path: Path, expected: str, text: str) -> str | None:
    """Write ``text`` to ``path`` if it still holds ``expected``; else why not (nothing written).

    Written as careful editors save: in place when the file has other hard
    links or setuid, setgid or sticky bits, or when a new file could not keep
    its owner or its folder cannot be written; otherwise atomically, through a
    temporary file in the same folder that takes the owner, group and mode of
    the old one and replaces it in one rename, with the file and the folder
    flushed to disk. The encoding (UTF-8, with or without a byte order mark,
    or UTF-16 with one) is kept. Raises :class:`WriteRefused` for a file the
    user may not write or that has no write permission at all.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise WriteRefused(f"cannot read it: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if not stat.S_IMODE(info.st_mode) & _WRITE_BITS or not os.access(path, os.W_OK):
            raise WriteRefused("the file is read-only")
        data = stream.read()
    try:
        current, codec, bom = _decode(data)
    except UnicodeDecodeError:
        return "it changed since it was read"
    if not _holds(current, expected):
        return "it changed since it was read"
    encoded = _encode(text, expected, codec, bom)
    folder = path.resolve().parent
    in_place = (
        info.st_nlink > 1
        or info.st_mode & _SPECIAL_BITS
        or not os.access(folder, os.W_OK | os.X_OK)
        or (info.st_uid != _euid() and _euid() != 0)
    )
    try:
        if in_place:
            _write_in_place(path, data, encoded)
        else:
            _write_replacing(path.resolve(), info, data, encoded)
    except _Changed:
        return "it changed since it was read"
    return None


def _euid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def _write_in_place(path: Path, data: bytes, encoded: bytes) -> None:
    """Overwrite the file itself, so its inode, links and mode bits stay as they are."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise WriteRefused(f"cannot write it: {error.strerror}") from None
    with os.fdopen(descriptor, "r+b") as stream:
        # Checked once more on the very descriptor that writes.
        if stream.read() != data:
            raise _Changed
        stream.seek(0)
        stream.write(encoded)
        stream.truncate()
        stream.flush()
        os.fsync(stream.fileno())


def _write_replacing(target: Path, info: os.stat_result, data: bytes, encoded: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(encoded)
            stream.flush()
            if hasattr(os, "fchown"):
                # chown first: it clears mode bits that chmod then sets.
                with contextlib.suppress(PermissionError):
                    os.fchown(stream.fileno(), info.st_uid, info.st_gid)
            os.fchmod(stream.fileno(), stat.S_IMODE(info.st_mode))
            os.fsync(stream.fileno())
        now = os.stat(target)
        if (now.st_ino, now.st_dev, now.st_size, now.st_mtime_ns) != (
            info.st_ino,
            info.st_dev,
            info.st_size,
            info.st_mtime_ns,
        ) or target.read_bytes() != data:
            raise _Changed
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
