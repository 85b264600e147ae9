"""``portspec preflight``: will the planned containers bind on this host, now?

The plan is read as ``portspec lint`` reads it (compose files, scripts,
Makefiles, Markdown, and a ``docker run`` command line after ``--``); what is
live comes from the Docker daemon (running containers and the host ports they
hold) and from ``/proc/net`` (every other program's listening sockets). The
live holders go to the conflict checker as bindings made before the plan's,
and each planned binding they block is a finding at the place it was written.

A compose project that is running is not in conflict with itself: ``docker
compose up`` recreates the containers of its services, so the containers that
carry the project's and a planned service's labels are left out.

Exit status as ``lint``: 0 clean, 1 findings, 2 the host could not be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from portspec._escape import printable
from portspec.cli._common import (
    EXIT_FAULT,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    add_debug_option,
    print_to,
)
from portspec.codes import DYNAMIC_RANGE_CONTENDED, DYNAMIC_RANGE_EXHAUSTED, HOST_PORT_BOUND
from portspec.model import Container, PortMapping

if TYPE_CHECKING:
    from portspec.checks.conflicts import Conflict, HostSettings
    from portspec.lint.diagnostic import Diagnostic
    from portspec.lint.engine import LintResult, Source
    from portspec.lint.units import Unit
    from portspec.sources.host import Endpoint, Listener, RunningContainer

__all__ = [
    "Blocked",
    "Holder",
    "Live",
    "add_parser",
    "blocked",
    "describe_age",
    "holders_of",
    "host_settings",
    "read_live",
    "run",
]

_FORMATS = ("text", "json", "sarif", "github")
_UNSPECIFIED_V4 = IPv4Address(0)
_UNSPECIFIED_V6 = IPv6Address(0)


# ------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Holder:
    """Something live that holds host ports: a running container or a program's sockets.

    ``container.publish`` are its bindings. Those at ``derived`` stand for no
    socket of their own: a program listening on ``[::]`` without
    ``IPV6_V6ONLY`` holds the IPv4 port too. Those at ``likely`` are only
    probable: the flag could not be read, and Linux's default is dual-stack.
    """

    label: str
    container: Container
    running: RunningContainer | None = None
    pid: int | None = None
    program: str | None = None
    likely: frozenset[int] = frozenset()
    derived: frozenset[int] = frozenset()

    def describe(self, now: datetime | None = None) -> str:
        """Who holds the port, as a message says it; names escaped.

        >>> Holder("x", Container(), pid=1234, program="nginx").describe()
        'a process on the host (pid 1234, nginx)'
        """
        if self.running is not None:
            running = self.running
            notes = []
            if running.project is not None:
                notes.append(f"compose project {printable(running.project)}")
            if running.started is not None:
                notes.append(f"started {describe_age(running.started, now)}")
            extra = f" ({', '.join(notes)})" if notes else ""
            return f"container {printable(running.name)}{extra}"
        if self.pid is None:
            return "a process on the host (owner not readable)"
        program = "" if self.program is None else f", {printable(self.program)}"
        return f"a process on the host (pid {self.pid}{program})"


@dataclass(frozen=True, slots=True)
class Live:
    """What the host runs: containers, other programs' sockets, and how they were read."""

    containers: tuple[RunningContainer, ...] = ()
    listeners: tuple[Listener, ...] = ()
    endpoint: Endpoint | None = None
    #: Why host sockets were not read (a remote daemon, not Linux), or None.
    sockets_skipped: str | None = None
    #: The Engine version the daemon reports (``20.10.24+dfsg1``), or None.
    engine_version: str | None = None


@dataclass(frozen=True, slots=True)
class Blocked:
    """A planned binding that a live holder keeps from binding.

    ``certain`` is False where the outcome depends on what cannot be seen
    (which port of a range Docker takes next, a dual-stack listener).
    """

    unit: Unit
    index: int | None
    mapping: PortMapping | None
    code: str
    certain: bool
    #: (holder, the addresses and the ports it holds of this binding)
    by: tuple[tuple[Holder, tuple[str, ...], tuple[str, ...]], ...] = field(default=())


# --------------------------------------------------------------- escaping


def describe_age(started: datetime, now: datetime | None = None) -> str:
    """How long ago ``started`` was, as ``docker ps`` says it.

    >>> from datetime import timedelta
    >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    >>> describe_age(now - timedelta(hours=2, minutes=5), now)
    '2 hours ago'
    """
    current = now if now is not None else datetime.now(timezone.utc)
    seconds = int((current - started).total_seconds())
    if seconds < 0:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size or unit == "second":
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- reading


def read_live(environ: Mapping[str, str], *, sockets: bool = True) -> Live:
    """Read the daemon the docker CLI would use, and the sockets of its host when it is local."""
    from portspec.sources.host import (  # noqa: PLC0415
        daemon_pid,
        find_endpoint,
        read_engine,
        read_listeners,
    )

    endpoint = find_endpoint(environ)
    engine, containers = read_engine(endpoint)
    pid = daemon_pid(endpoint) if endpoint.local else None
    skipped: str | None = None
    listeners: list[Listener] = []
    if not sockets:
        skipped = "host sockets not read (--no-sockets)"
    elif not endpoint.local:
        skipped = (
            f"the Docker daemon at {endpoint.host} ({endpoint.origin}) is not on this machine:"
            " this machine's sockets are not its host's, and were not read"
        )
    elif not Path("/proc/net/tcp").exists():
        skipped = "no /proc/net here (not Linux): only the daemon's containers were read"
    else:
        # The daemon binds published ports in its own network namespace: read
        # that one's sockets where its pid is known and its /proc readable.
        known = pid is not None and Path(f"/proc/{pid}/net/tcp").exists()
        listeners = read_listeners(pid=pid if known else None)
    return Live(tuple(containers), tuple(listeners), endpoint, skipped, engine)


def ephemeral_range(proc: Path = Path("/proc")) -> tuple[int, int] | None:
    """Linux ``net.ipv4.ip_local_port_range``, the range Docker takes ephemeral ports from."""
    try:
        low, high = (proc / "sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- holders


def _recreated(units: Sequence[Unit]) -> set[tuple[str, str]]:
    """(project, service) of every planned compose service: ``up`` recreates their containers."""
    return {
        (unit.project_name, unit.link_name)
        for unit in units
        if unit.origin == "compose" and unit.project_name is not None and unit.link_name
    }


def holders_of(live: Live, plan: Sequence[Unit] = ()) -> list[Holder]:
    """The live holders of host ports, less the containers the plan's ``up`` would recreate.

    Sockets that a container's binding accounts for (``docker-proxy``'s) are
    the container's; the rest are grouped by owning process.
    """
    from portspec.sources.host import holders  # noqa: PLC0415

    recreated = _recreated(plan)
    containers, sockets = holders(live.containers, live.listeners)
    out: list[Holder] = []
    for running in containers:
        if (
            not running.oneoff
            and running.project is not None
            and running.service is not None
            and (running.project, running.service) in recreated
        ):
            continue
        if running.container.publish:
            out.append(Holder(f"container:{running.id}", running.container, running))
    by_owner: dict[object, list[Listener]] = {}
    for socket in sockets:
        key: object = ("pid", socket.pid) if socket.pid is not None else ("inode", socket.inode)
        by_owner.setdefault(key, []).append(socket)
    for number, group in enumerate(by_owner.values()):
        publish = [socket.mapping() for socket in group]
        wildcard_v4 = {(s.protocol, s.port) for s in group if s.address == _UNSPECIFIED_V4}
        likely: set[int] = set()
        derived: set[int] = set()
        for socket in group:
            if (
                socket.address != _UNSPECIFIED_V6
                or socket.v6only
                or (socket.protocol, socket.port) in wildcard_v4
            ):
                continue
            # Without IPV6_V6ONLY a socket on [::] takes the IPv4 port too; when
            # sock_diag could not tell, it probably does (Linux's default).
            if socket.v6only is None:
                likely.add(len(publish))
            held = socket.mapping()
            derived.add(len(publish))
            publish.append(PortMapping(held.container, socket.protocol, _UNSPECIFIED_V4, held.host))
        first = group[0]
        out.append(
            Holder(
                f"process:{number}",
                Container(publish=tuple(publish)),
                pid=first.pid,
                program=first.program,
                likely=frozenset(likely),
                derived=frozenset(derived),
            )
        )
    return out


# --------------------------------------------------------------- checking


def blocked(
    plan: Sequence[Unit], holders: Sequence[Holder], host: HostSettings | None = None
) -> list[Blocked]:
    """Each planned binding a live holder keeps from binding, in the plan's order.

    The holders are bindings already made: a planned fixed port they hold is
    refused (PS101), a dynamic range they fill is exhausted (PS102). A range
    they fill only in part depends on which port Docker takes next when a
    program holds some of it (Docker's allocator knows its own containers'
    ports and steps over them, not other programs').
    """
    from portspec.checks.conflicts import find_conflicts  # noqa: PLC0415

    units = [unit for unit in plan if unit.origin != "dockerfile"]
    labels: dict[str, Container] = {}
    by_label: dict[str, Unit] = {}
    for unit in units:
        labels[unit.label] = unit.container
        by_label[unit.label] = unit
    by_holder: dict[str, Holder] = {}
    for holder in holders:
        label = holder.label
        while label in labels:
            label = f"{label}'"
        labels[label] = holder.container
        by_holder[label] = holder
    found = find_conflicts(labels, host=host)

    grouped: dict[tuple[str, int | None], list[tuple[Conflict, Holder, int | None]]] = {}
    for conflict in found:
        sides = (conflict.first, conflict.second)
        planned = [side for side in sides if side.label in by_label]
        live = [side for side in sides if side.label in by_holder]
        if len(planned) != 1 or len(live) != 1:
            continue
        holder = by_holder[live[0].label]
        if not _blocks(conflict, holder):
            continue
        grouped.setdefault((planned[0].label, planned[0].index), []).append(
            (conflict, holder, live[0].index)
        )

    out: list[Blocked] = []
    for (label, index), conflicts in grouped.items():
        unit = by_label[label]
        mapping = None if index is None else unit.container.publish[index]
        codes = {conflict.code for conflict, _, _ in conflicts}
        code = (
            DYNAMIC_RANGE_EXHAUSTED.code
            if DYNAMIC_RANGE_EXHAUSTED.code in codes
            else (
                HOST_PORT_BOUND.code
                if HOST_PORT_BOUND.code in codes
                else DYNAMIC_RANGE_CONTENDED.code
            )
        )
        certain = any(
            conflict.code in (HOST_PORT_BOUND.code, DYNAMIC_RANGE_EXHAUSTED.code)
            and (held is None or held not in holder.likely)
            for conflict, holder, held in conflicts
        )
        parts: dict[str, tuple[Holder, list[str], list[str]]] = {}
        for conflict, holder, _ in conflicts:
            _, addresses, ports = parts.setdefault(holder.label, (holder, [], []))
            for address in conflict.addresses:
                if str(address) not in addresses:
                    addresses.append(str(address))
            if str(conflict.ports) not in ports:
                ports.append(str(conflict.ports))
        by = tuple((holder, tuple(a), tuple(p)) for holder, a, p in parts.values())
        out.append(Blocked(unit, index, mapping, code, certain, by))
    return out


def _blocks(conflict: Conflict, holder: Holder) -> bool:
    """Whether a conflict with a live holder keeps the planned binding from being made."""
    if conflict.code in (HOST_PORT_BOUND.code, DYNAMIC_RANGE_EXHAUSTED.code):
        return True
    # A range partly held: Docker steps over its own containers' ports, not a program's.
    return conflict.code == DYNAMIC_RANGE_CONTENDED.code and holder.running is None


def message(item: Blocked, now: datetime | None = None) -> str:
    """The finding's text: what will not bind, and who holds it."""
    what = "-P" if item.mapping is None else f"-p {item.mapping}"
    held = "; ".join(
        f"{_ports(ports, item)} on {', '.join(addresses)} is held by {holder.describe(now)}"
        for holder, addresses, ports in item.by
    )
    unit = item.unit
    if unit.origin == "compose":
        what = f"service {printable(unit.label)}: {what}"
    elif unit.container.name is not None:
        what = f"container {printable(unit.container.name)}: {what}"
    if item.code == DYNAMIC_RANGE_EXHAUSTED.code:
        return f"{what} will not bind, no port of its range is free: {held}"
    if item.certain:
        return f"{what} will not bind: {held}"
    why = (
        "Docker takes a range's ports in turn and does not see other programs' sockets"
        if item.code == DYNAMIC_RANGE_CONTENDED.code
        else "a program listening on [::] holds IPv4 too unless it set IPV6_V6ONLY"
    )
    return f"{what} may not bind ({why}): {held}"


def _ports(ports: Iterable[str], item: Blocked) -> str:
    protocol = str(item.mapping.protocol) if item.mapping is not None else "tcp"
    return ", ".join(f"{port}/{protocol}" for port in ports)


def diagnostics(found: Sequence[Blocked], now: datetime | None = None) -> list[Diagnostic]:
    """The findings as lint diagnostics, at the place each planned binding was written."""
    from portspec.lint.diagnostic import Diagnostic, Severity  # noqa: PLC0415

    out: list[Diagnostic] = []
    for item in found:
        unit = item.unit
        site = unit.site
        if item.index is not None:
            site = next((e.site for e in unit.publish if e.index == item.index), site)
        elif unit.publish_all is not None:
            site = unit.publish_all
        document = site.document
        line, column = document.position(site.start)
        end_line, end_column = document.position(max(site.end, site.start))
        if (end_line, end_column) == (line, column):
            end_column = column + 1
        out.append(
            Diagnostic(
                document.path,
                line,
                column,
                end_line,
                end_column,
                item.code,
                Severity.ERROR if item.certain else Severity.WARNING,
                message(item, now),
                None,
                site.start,
                site.end,
            )
        )
    out.sort(key=lambda d: d.sort_key())
    return out


def host_settings(live: Live, engine_version: tuple[int, int] | None = None) -> HostSettings:
    """What the live host says of itself: its Engine version, and its ephemeral range
    when the daemon is local. ``engine_version`` (``docker-version``) overrides the
    version the daemon reports."""
    from portspec.checks.conflicts import HostSettings  # noqa: PLC0415
    from portspec.lint.config import parse_docker_version  # noqa: PLC0415

    version = engine_version
    if version is None and live.engine_version is not None:
        try:
            version = parse_docker_version(live.engine_version)
        except ValueError:
            version = None  # a version this reading does not know: the latest model
    ephemeral = ephemeral_range() if live.endpoint is not None and live.endpoint.local else None
    if ephemeral is None:
        return HostSettings(engine_version=version)
    return HostSettings(ephemeral=ephemeral, engine_version=version)


# -------------------------------------------------------------------- cli


class _SplitParser(argparse.ArgumentParser):
    """Everything after the first ``--`` is a ``docker run`` command line, kept as given."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = list(sys.argv[1:] if args is None else args)
        command: list[str] = []
        if "--" in words:
            at = words.index("--")
            words, command = words[:at], words[at + 1 :]
        parsed, extra = super().parse_known_args(words, namespace)
        parsed.command = command
        return parsed, extra


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``preflight`` to the app's subcommands."""
    # The subparser reads its own `--`: argparse would fold the command line into PATHs.
    previous = commands._parser_class
    commands._parser_class = _SplitParser
    try:
        parser = commands.add_parser(
            "preflight",
            help="check the plan against what runs on this host now",
            description=(
                "Check the port bindings of PATHs (compose files, scripts, Makefiles, Markdown;"
                " folders are searched; default: .) and of a docker run command line after '--'"
                " against what is live: the running containers of the Docker daemon (DOCKER_HOST,"
                " the current docker context, or the default socket) and the listening sockets"
                " of this host. Exit status: 0 all will bind, 1 findings, 2 the host or the"
                " daemon could not be read."
            ),
        )
    finally:
        commands._parser_class = previous
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    parser.add_argument(
        "--format", choices=_FORMATS, default=None, help="output format (text; github on Actions)"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format (auto: on a terminal, unless NO_COLOR is set)",
    )
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )
    parser.add_argument(
        "--no-sockets",
        dest="sockets",
        action="store_false",
        help="read only the daemon's containers, not this host's listening sockets",
    )
    parser.add_argument(
        "--docker-version",
        metavar="X.Y",
        help="predict for this Docker Engine (default: the version the daemon reports)",
    )
    add_debug_option(parser)
    parser.set_defaults(handler=run, subparser=parser, command=[])


def plan_sources(paths: Sequence[str], command: Sequence[str]) -> list[Source]:
    """What to read: the files of ``paths`` (as lint finds them) and the command line."""
    import shlex  # noqa: PLC0415

    from portspec.lint.discover import discover  # noqa: PLC0415
    from portspec.lint.engine import Source  # noqa: PLC0415

    sources: list[Source] = []
    wanted = list(paths) or ([] if command else ["."])
    if wanted:
        try:
            inputs, notes = discover([Path(p) for p in wanted])
        except FileNotFoundError as error:
            raise UsageError(f"no such file or directory: {error.filename}") from None
        for note in notes:
            print_to(sys.stderr, f"portspec: {note}")
        sources.extend(Source(i.display, i.kind, path=i.path) for i in inputs)
    if command:
        words = list(command)
        if words[0] not in ("docker", "sudo"):
            words = ["docker", "run", *words]
        sources.append(Source("<command line>", "shell", text=shlex.join(words) + "\n"))
    return sources


def run(args: argparse.Namespace) -> int:
    """Read the plan and the host; report what will not bind."""
    from portspec.lint.config import parse_docker_version  # noqa: PLC0415
    from portspec.lint.diagnostic import Severity  # noqa: PLC0415
    from portspec.lint.engine import read_units  # noqa: PLC0415
    from portspec.sources.host import HostError  # noqa: PLC0415

    version = None
    if args.docker_version is not None:
        try:
            version = parse_docker_version(args.docker_version)
        except ValueError as error:
            raise UsageError(str(error)) from None
    sources = plan_sources(args.paths, args.command)
    units, result = read_units(sources)
    try:
        live = read_live(os.environ, sockets=args.sockets)
    except HostError as error:
        print_to(sys.stderr, f"portspec preflight: {printable(str(error))}")
        return EXIT_USAGE
    if live.sockets_skipped is not None and args.sockets:
        print_to(sys.stderr, f"portspec preflight: warning: {live.sockets_skipped}")
    found = diagnostics(blocked(units, holders_of(live, units), host_settings(live, version)))
    # What kept a file from being read comes first, as lint reports it.
    problems = [
        d for d in result.diagnostics if d.code.startswith("PS0") and d.severity >= Severity.ERROR
    ]
    report = sorted([*problems, *found], key=lambda d: d.sort_key())
    _report(args, report, result)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FAULT if report else EXIT_OK


def _report(args: argparse.Namespace, found: Sequence[Diagnostic], result: LintResult) -> None:
    from portspec.cli._report import Format, render, use_color  # noqa: PLC0415
    from portspec.lint.catalogue import get_rule  # noqa: PLC0415

    fmt: Format = args.format or (
        "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    )
    stream: TextIO = sys.stdout
    color = False
    if fmt == "text" and args.output is None:
        color = {"always": True, "never": False}.get(args.color, use_color(stream, os.environ))
    rules: list[Any] = []
    for code in (HOST_PORT_BOUND.code, DYNAMIC_RANGE_EXHAUSTED.code, DYNAMIC_RANGE_CONTENDED.code):
        rule = get_rule(code)
        if rule is not None:
            rules.append(rule)
    text = render(
        found,
        fmt=fmt,
        sources={path: document.text for path, document in result.documents.items()},
        rules=rules,
        color=color,
        root=os.getcwd(),
    )
    if args.output is not None:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
        return
    if text:
        stream.write(text)
        stream.flush()
