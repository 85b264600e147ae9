"""``portspec ports``: a table of every host binding in compose files, scripts and docs.

Each row is one ``-p`` value (or one ``-P``): the host address and port it
takes, the protocol, the container, the container port, where it was written,
and the conflicts Docker's port allocator would report for it.

>>> print(table([Row("*", "8080", "tcp", "web", "80", "compose.yaml:4:9", "")]))
ADDRESS  PORT  PROTO  CONTAINER  TARGET  WHERE             CONFLICT
*        8080  tcp    web        80      compose.yaml:4:9
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portspec._escape import printable
from portspec.checks.conflicts import Conflict
from portspec.cli._common import (
    EXIT_FAULT,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_debug_option,
    print_to,
)
from portspec.codes import DYNAMIC_RANGE_EXHAUSTED, HOST_PORT_BOUND
from portspec.lint.diagnostic import Severity
from portspec.lint.rule import Context
from portspec.lint.rules import conflicts_of
from portspec.lint.units import Site, Unit
from portspec.model import PortMapping

if TYPE_CHECKING:
    from portspec.cli._preflight import Holder

__all__ = ["Row", "add_parser", "rows", "run", "table"]

_HEADER = ("ADDRESS", "PORT", "PROTO", "CONTAINER", "TARGET", "WHERE", "CONFLICT")
_ERROR_CODES = frozenset({HOST_PORT_BOUND.code, DYNAMIC_RANGE_EXHAUSTED.code})


@dataclass(frozen=True, slots=True)
class Row:
    """One host binding as shown: every column as text, and its sort key and details."""

    address: str
    port: str
    protocol: str
    container: str
    target: str
    where: str
    conflict: str
    key: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    details: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def cells(self) -> tuple[str, ...]:
        """The columns, in the table's order."""
        return (
            self.address,
            self.port,
            self.protocol,
            self.container,
            self.target,
            self.where,
            self.conflict,
        )


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ports`` to the app's subcommands."""
    parser = commands.add_parser(
        "ports",
        help="list every host port binding in files, with conflicts",
        description=(
            "List every host port binding (-p, -P, compose ports) found in PATHs (compose"
            " files, shell scripts, Makefiles, Markdown, Dockerfiles; folders are searched),"
            " sorted by protocol, port and address, with the conflicts Docker would report."
            " The exit status is 1 when two bindings cannot both be made (PS101, PS102) or a"
            " file could not be read."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="a file or folder to read")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (text)"
    )
    parser.add_argument(
        "--per-file",
        action="store_true",
        help="check conflicts within each file (a compose project) only, not across files",
    )
    parser.add_argument(
        "--running",
        action="store_true",
        help="also list the live bindings: running containers and this host's listening sockets",
    )
    add_debug_option(parser)
    parser.set_defaults(handler=run, subparser=parser)


def run(args: argparse.Namespace) -> int:
    """Print the bindings of ``args.paths``; 1 on an error-level conflict or unreadable file."""
    from portspec.lint.discover import discover  # noqa: PLC0415
    from portspec.lint.engine import Source, read_units  # noqa: PLC0415

    if not args.paths and not getattr(args, "running", False):
        raise UsageError("nothing to list: give PATHs, or --running for the live bindings")
    try:
        inputs, _notes = discover([Path(path) for path in args.paths]) if args.paths else ([], [])
    except FileNotFoundError as error:
        raise UsageError(f"cannot read {error.filename}: no such file or directory") from None
    sources = [Source(i.display, i.kind, i.path) for i in inputs]
    units, result = read_units(sources)
    live: list[Row] = []
    held: dict[tuple[str, int | None], list[tuple[str, str]]] = {}
    blocked = False
    if getattr(args, "running", False):
        from portspec.sources.host import HostError  # noqa: PLC0415

        try:
            live, held, blocked = live_rows(units)
        except HostError as error:
            # The environment, not the call: one line, no usage.
            print_to(sys.stderr, f"portspec ports: {printable(str(error))}")
            return EXIT_USAGE
    status = EXIT_OK
    for diagnostic in result.diagnostics:
        print_to(
            sys.stderr,
            f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}:"
            f" {diagnostic.code} {diagnostic.message}",
        )
        if diagnostic.severity >= Severity.ERROR:
            status = EXIT_FAULT
    found = rows(units, per_file=args.per_file, held=held)
    if any(code in _ERROR_CODES for row in found for code in row.details["codes"]):
        status = EXIT_FAULT
    if blocked:
        status = EXIT_FAULT
    if live:
        found = sorted([*found, *live], key=lambda row: row.key)
    if args.format == "json":
        print_to(sys.stdout, json.dumps([_json_row(row) for row in found], indent=2))
    elif found:
        print_to(sys.stdout, table(found))
    return status


# -------------------------------------------------------------------- rows


def rows(
    units: Sequence[Unit],
    *,
    per_file: bool = False,
    held: Mapping[tuple[str, int | None], Sequence[tuple[str, str]]] | None = None,
) -> list[Row]:
    """The bindings of ``units``, sorted by protocol, host port, address, container, place.

    ``held`` adds (code, holder) marks from live holders, keyed as the conflicts are.
    """
    units = [unit for unit in units if unit.origin != "dockerfile"]
    conflicts = _conflicts(units, per_file)
    for key, marks in (held or {}).items():
        conflicts.setdefault(key, []).extend(marks)
    out: list[Row] = []
    for unit in units:
        note = _not_published(unit)
        for entry in unit.publish:
            marks = conflicts.get((unit.label, entry.index), [])
            out.append(_mapping_row(unit, entry.value, entry.site, marks, note))
        if unit.container.publish_all:
            marks = conflicts.get((unit.label, None), [])
            out.append(_all_row(unit, unit.publish_all or unit.site, marks, note))
    out.sort(key=lambda row: row.key)
    return out


def _conflicts(
    units: Sequence[Unit], per_file: bool
) -> dict[tuple[str, int | None], list[tuple[str, str]]]:
    """(code, other container) for each binding, keyed by (label, index in publish)."""
    groups: list[list[Unit]]
    if per_file:
        by_file: dict[str, list[Unit]] = {}
        for unit in units:
            by_file.setdefault(unit.project or unit.site.document.path, []).append(unit)
        groups = list(by_file.values())
    else:
        groups = [list(units)]
    marks: dict[tuple[str, int | None], list[tuple[str, str]]] = {}
    for group in groups:
        # The sets and exceptions of `portspec lint`: compose projects and
        # Markdown pages apart.
        found: list[Conflict] = conflicts_of(group, Context())
        for conflict in found:
            for side, other in (
                (conflict.first, conflict.second),
                (conflict.second, conflict.first),
            ):
                whom = "itself" if other.label == side.label else other.label
                marks.setdefault((side.label, side.index), []).append((conflict.code, whom))
    return marks


def _not_published(unit: Unit) -> str:
    if not unit.container.publishes:
        return f"(not published: network_mode {unit.container.network_mode})"
    return ""


def _place(site: Site) -> tuple[str, int, int]:
    line, column = site.document.position(site.start)
    return site.document.path, line, column


def _conflict_text(marks: Iterable[tuple[str, str]], note: str) -> tuple[str, list[str]]:
    unique = list(dict.fromkeys(marks))
    text = ", ".join(f"{code} with {whom}" for code, whom in unique)
    return (note if note and not text else text), [code for code, _ in unique]


def _mapping_row(
    unit: Unit, mapping: PortMapping, site: Site, marks: list[tuple[str, str]], note: str
) -> Row:
    path, line, column = _place(site)
    address = "*" if mapping.host_ip is None else mapping.host_ip_as_typed
    if mapping.host is None:
        port, port_key = "(ephemeral)", (1, 0, 0)
    else:
        port = str(mapping.host) + (" (any)" if mapping.is_dynamic_range else "")
        port_key = (0, mapping.host.start, mapping.host.end)
    conflict, codes = _conflict_text(marks, note)
    protocol = str(mapping.protocol)
    return Row(
        address,
        port,
        protocol,
        unit.label,
        str(mapping.container),
        f"{path}:{line}:{column}",
        conflict,
        key=(protocol, port_key, address != "*", address, unit.label, path, line, column),
        details={
            "host_ip": None if mapping.host_ip is None else mapping.host_ip_as_typed,
            "host_port": None
            if mapping.host is None
            else {"start": mapping.host.start, "end": mapping.host.end},
            "ephemeral": mapping.host is None,
            "dynamic": mapping.is_dynamic_range,
            "container_port": {"start": mapping.container.start, "end": mapping.container.end},
            "path": path,
            "line": line,
            "column": column,
            "codes": codes,
            "conflicts": [{"code": code, "with": whom} for code, whom in dict.fromkeys(marks)],
            "published": not note,
            "note": note or None,
        },
    )


def _all_row(unit: Unit, site: Site, marks: list[tuple[str, str]], note: str) -> Row:
    """The row of ``-P``: every exposed port, each on an ephemeral host port."""
    path, line, column = _place(site)
    conflict, codes = _conflict_text(marks, note)
    return Row(
        "*",
        "(ephemeral)",
        "*",
        unit.label,
        "(exposed, -P)",
        f"{path}:{line}:{column}",
        conflict,
        key=("~", (1, 0, 0), False, "*", unit.label, path, line, column),
        details={
            "host_ip": None,
            "host_port": None,
            "ephemeral": True,
            "dynamic": False,
            "container_port": None,
            "path": path,
            "line": line,
            "column": column,
            "codes": codes,
            "conflicts": [{"code": code, "with": whom} for code, whom in dict.fromkeys(marks)],
            "published": not note,
            "note": note or None,
        },
    )


# ------------------------------------------------------------------ output


def table(found: Sequence[Row]) -> str:
    """The rows as an aligned table under a header, trailing spaces trimmed."""
    # Names come from the files read: escaped, a cell can never break a line.
    lines = [_HEADER, *(tuple(printable(cell) for cell in row.cells()) for row in found)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEADER))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _json_row(row: Row) -> dict[str, Any]:
    out = {
        "address": row.address,
        "port": row.port,
        "protocol": row.protocol,
        "container": row.container,
        "target": row.target,
        "where": row.where,
    }
    details = {key: value for key, value in row.details.items() if key != "codes"}
    out.update(details)
    return {key: _printable_value(value) for key, value in out.items()}


def _printable_value(value: Any) -> Any:
    """``value`` with every string in it escaped as the table shows it."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [_printable_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _printable_value(item) for key, item in value.items()}
    return value


# ------------------------------------------------------------ --running


def live_rows(
    plan: Sequence[Unit],
) -> tuple[list[Row], dict[tuple[str, int | None], list[tuple[str, str]]], bool]:
    """For ``ports --running``: a row per live binding, the plan's marks, and whether one fails.

    The marks are ``(code, holder)`` keyed by (unit label, index in
    publish), as ``ports`` keys its conflicts.
    """
    from portspec.cli._preflight import blocked, holders_of, host_settings, read_live  # noqa: PLC0415

    live = read_live(os.environ)
    if live.sockets_skipped is not None:
        print_to(sys.stderr, f"portspec ports: warning: {live.sockets_skipped}")
    out: list[Row] = []
    for holder in holders_of(live):
        out.extend(_holder_rows(holder))
    marks: dict[tuple[str, int | None], list[tuple[str, str]]] = {}
    found = blocked(plan, holders_of(live, plan), host_settings(live))
    for item in found:
        for holder, _, _ in item.by:
            marks.setdefault((item.unit.label, item.index), []).append((item.code, _short(holder)))
    return out, marks, any(item.certain for item in found)


def _short(holder: Holder) -> str:
    if holder.running is not None:
        return f"container {printable(holder.running.name)} (running)"
    if holder.pid is None:
        return "a process (listening)"
    return f"pid {holder.pid} (listening)"


def _holder_rows(holder: Holder) -> list[Row]:
    out: list[Row] = []
    running = holder.running
    if running is not None:
        who = printable(running.name)
        where = "running" + (
            "" if running.project is None else f" (project {printable(running.project)})"
        )
        details: dict[str, Any] = {
            "live": "container",
            "id": running.id,
            "name": running.name,
            "project": running.project,
            "service": running.service,
            "started": None if running.started is None else running.started.isoformat(),
        }
    else:
        who = "(process)" if holder.pid is None else f"pid {holder.pid}"
        if holder.program is not None:
            who += f" {printable(holder.program)}"
        where = "listening"
        details = {"live": "process", "pid": holder.pid, "program": holder.program}
    for index, mapping in enumerate(holder.container.publish):
        if index in holder.derived or mapping.host is None or mapping.host_ip is None:
            continue
        address = str(mapping.host_ip)
        protocol = str(mapping.protocol)
        port = str(mapping.host)
        target = str(mapping.container) if running is not None else "-"
        out.append(
            Row(
                address,
                port,
                protocol,
                who,
                target,
                where,
                "",
                key=(protocol, (0, mapping.host.start, mapping.host.end), True, address, who, "~"),
                details={
                    "host_ip": address,
                    "host_port": {"start": mapping.host.start, "end": mapping.host.end},
                    "container_port": None
                    if running is None
                    else {"start": mapping.container.start, "end": mapping.container.end},
                    **details,
                },
            )
        )
    return out
