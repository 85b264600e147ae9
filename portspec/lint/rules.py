"""The rule catalogue: one small class per code.

Codes are stable: a code is never reused and never changes its meaning.
PS0xx: the text does not read. PS1xx: conflicts between containers. PS2xx:
Docker accepts it but will not do what it says. PS3xx: security and practice.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address, IPv6Address

from portspec.checks.conflicts import Conflict, find_conflicts, find_link_problems
from portspec.errors import PortSpecError
from portspec.lint.diagnostic import Edit, Fix, Severity
from portspec.lint.rule import Context, Example, Finding, Rule, register
from portspec.lint.units import Entry, Site, Unit, coexist
from portspec.model import Expose, Link, PortMapping

__all__ = ["conflicts_of"]

_NAMES = {
    22: "SSH",
    23: "Telnet",
    1433: "SQL Server",
    1521: "Oracle",
    2375: "the Docker API",
    2376: "the Docker API",
    2379: "etcd",
    2380: "etcd",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5900: "VNC",
    5984: "CouchDB",
    6379: "Redis",
    6443: "the Kubernetes API",
    8086: "InfluxDB",
    8500: "Consul",
    9042: "Cassandra",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    10250: "the kubelet",
    11211: "memcached",
    27017: "MongoDB",
}


# ------------------------------------------------------------------ helpers


def _compose(body: str) -> str:
    return "services:\n" + body


def _publishes(unit: Unit) -> bool:
    """Whether Docker publishes the unit's ports at all (not with host, none, shared networks)."""
    mode = _mode(unit)
    return not (mode in ("host", "none") or mode.startswith(("service:", "container:")))


def _wildcard(mapping: PortMapping) -> bool:
    address = mapping.host_ip
    return address is None or address.is_unspecified


def _shell_quote(text: str) -> str:
    return shlex.quote(text)


# What a YAML double-quoted scalar may hold as itself: printable ASCII but
# the quote and the backslash. Anything else is escaped, so that no reader
# folds a line break (U+0085, U+2028) or drops a byte order mark.
_YAML_VERBATIM = re.compile(r"[ !#-\[\]-~]*")


def _yaml_double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that every YAML 1.1 and 1.2 reader reads back.

    >>> print(_yaml_double_quoted('say "22:22"'))
    "say \\"22:22\\""
    """
    out = ['"']
    for char in text:
        if _YAML_VERBATIM.fullmatch(char):
            out.append(char)
        elif char in '"\\':
            out.append("\\" + char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


def _value_text(entry: Entry[PortMapping]) -> str | None:
    """The entry's text as the tool that reads the file sees it, or ``None`` if unknown.

    A fix is written from this, never from the spelling: Compose reads the
    plain scalar ``017`` as the integer 15 (go-yaml keeps YAML 1.1 octals),
    ``0x16`` as 22 and ``1_000`` as 1000, and then takes the port from the
    integer's decimal form.
    """
    if not entry.text or entry.long:
        return None
    if entry.site.document.kind != "compose" or entry.site.text != entry.text:
        return entry.text
    from portspec.sources._yaml import Scalar, load_yaml  # noqa: PLC0415 - only for fixes

    try:
        node = load_yaml(entry.text)
    except PortSpecError:
        return None
    if not isinstance(node, Scalar):
        return None
    if node.yaml_type == "!!int" and type(node.value) is int:
        return str(node.value)
    if node.yaml_type == "!!str" and node.value == entry.text:
        return entry.text
    return None


def _rewrite(
    entry: Entry[PortMapping], new: str, message: str, *, safe: bool, value: PortMapping
) -> Fix | None:
    """A fix that writes ``new`` for a short-syntax value, keeping (or adding) the quotes it needs.

    ``value`` is what the rewritten entry must read as; ``--fix`` checks it.
    """
    site = entry.site
    raw = site.text
    if entry.long or not entry.text or "$" in new:
        return None
    if raw == entry.text:
        if site.document.kind == "compose":
            replacement = _yaml_double_quoted(new)
        else:
            replacement = _shell_quote(new)
        edit = Edit(site.start, site.end, replacement)
    elif len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and raw[1:-1] == entry.text:
        if any(char in new for char in "\\\"'$`") or not _YAML_VERBATIM.fullmatch(new):
            return None
        edit = Edit(site.start + 1, site.end - 1, new)
    else:
        return None
    return Fix(message, (edit,), safe=safe, value=value)


def _where(site: Site) -> str:
    line, column = site.document.position(site.start)
    return f"{site.document.path}:{line}:{column}"


# --------------------------------------------------------- PS0xx: reading


@register
class UnreadableFile(Rule):
    """The file cannot be read: I/O error, bad encoding or broken YAML.

    Nothing in a file that does not read can be checked, and Docker refuses
    it too: Compose stops at the first YAML error.
    """

    code = "PS000"
    name = "unreadable-file"
    severity = Severity.ERROR
    bad = Example("compose.yaml", _compose("  web:\n    ports: [80:80\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['80:80']\n"))


@register
class InvalidPortMapping(Rule):
    """A port mapping Docker refuses.

    ``docker run -p`` and Compose's ``ports`` refuse it before anything runs:
    a port above 65535, ranges of different lengths, an unknown protocol, a
    host address that is not one.
    """

    code = "PS001"
    name = "invalid-port-mapping"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run -p 8080:80/tpc nginx\n")
    good = Example("run.sh", "docker run -p 8080:80/tcp nginx\n")


@register
class InvalidExpose(Rule):
    """An exposed port Docker refuses.

    ``--expose``, Compose's ``expose`` and a Dockerfile's ``EXPOSE`` take a
    port or a range, with an optional protocol, and nothing else.
    """

    code = "PS002"
    name = "invalid-expose"
    severity = Severity.ERROR
    bad = Example("Dockerfile", "FROM nginx\nEXPOSE 80:80\n")
    good = Example("Dockerfile", "FROM nginx\nEXPOSE 80\n")


@register
class InvalidLink(Rule):
    """A link Docker refuses.

    ``--link`` and Compose's ``links`` take ``name`` or ``name:alias``.
    """

    code = "PS003"
    name = "invalid-link"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run --link db:alias:x app\n")
    good = Example("run.sh", "docker run --name db postgres\ndocker run --link db:alias app\n")


@register
class ComposeWrongShape(Rule):
    """A compose key whose value has the wrong shape.

    Compose refuses the file: ``ports`` must be a list, a service a mapping,
    ``network_mode`` a string.
    """

    code = "PS004"
    name = "compose-wrong-shape"
    severity = Severity.ERROR
    bad = Example("compose.yaml", _compose("  web:\n    image: nginx\n    ports: '80:80'\n"))
    good = Example("compose.yaml", _compose("  web:\n    image: nginx\n    ports: ['80:80']\n"))


@register
class UnsetVariable(Rule):
    """A port, expose or link entry uses a variable that is not set and has no default.

    Compose substitutes an empty string and warns; the entry then means
    something else than intended (``${PORT}:80`` becomes ``:80``), or Compose
    refuses it. Give the variable a default: ``${PORT:-8080}``. Each variable
    is reported once, at its first use; the entries it leaves unreadable
    (``${PORT}:${PORT}`` becomes ``:``) are named there, and make the finding
    an error, since Compose refuses the file until the variable is set.
    """

    code = "PS005"
    name = "unset-variable"
    severity = Severity.WARNING
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['${PS_EXAMPLE_UNSET}:80']\n"))
    good = Example(
        "compose.yaml", _compose("  web:\n    ports: ['${PS_EXAMPLE_UNSET:-8080}:80']\n")
    )


@register
class InvalidCommand(Rule):
    """A ``docker run``/``docker create`` command line the docker CLI refuses.

    An unknown flag, a flag without its value, a bad ``--network``: the CLI
    stops before it creates anything.
    """

    code = "PS006"
    name = "invalid-command"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run --publsh 8080:80 nginx\n")
    good = Example("run.sh", "docker run --publish 8080:80 nginx\n")


@register
class UnknownValue(Rule):
    """A value portspec cannot know: it comes from a shell or make variable.

    ``-p $PORT:80`` is whatever ``PORT`` holds when the script runs; portspec
    reports it and checks nothing it cannot see, rather than guess.
    """

    code = "PS007"
    name = "unknown-value"
    severity = Severity.INFO
    bad = Example("run.sh", 'docker run -p "$PORT:80" nginx\n')
    good = Example("run.sh", "docker run -p 8080:80 nginx\n")


@register
class ComposeRefused(Rule):
    """A compose file Compose refuses for a reason no finer code covers.

    A missing ``extends`` target, ``network_mode`` together with ``networks``,
    a bad ``.env`` file.
    """

    code = "PS008"
    name = "compose-refused"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    network_mode: host\n    networks: [front]\n"),
    )
    good = Example("compose.yaml", _compose("  web:\n    image: nginx\n    network_mode: host\n"))


@register
class RefusedAtCreate(Rule):
    """A value accepted as written that Docker refuses when it creates the container.

    ``docker compose config`` passes long-syntax ports and ``expose`` entries
    on with little checking: a ``published`` that is not a port or a range
    (``abc``, ``65536``), a ``target`` of 0 or above 65535, a ``protocol``
    other than tcp, udp or sctp, an ``expose`` entry that is not a port
    (``8000:8050``). ``docker compose up`` then fails for the service.

    The docker CLI sends a ``--name`` as it is; the Engine takes only names
    of two characters or more, ``[a-zA-Z0-9][a-zA-Z0-9_.-]+`` (``--name a``
    and ``--name my_app!`` are refused), and that ``docker run`` fails.
    """

    code = "PS009"
    name = "refused-at-create"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    ports: [{target: 80, protocol: https}]\n"),
    )
    good = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    ports: [{target: 80, protocol: tcp}]\n"),
    )


# ------------------------------------------------------- PS1xx: conflicts

# The units themselves are kept, not their ids: an id is reused once its
# object is gone, and a later run with the same context would get stale results.
_conflict_cache: list[tuple[tuple[Unit, ...], Context, list[Conflict]]] = []


def conflicts_of(units: Sequence[Unit], ctx: Context) -> list[Conflict]:
    """The conflicts of a set of units, as the lint rules see them (projects kept apart)."""
    return _conflicts(units, ctx)


def _conflicts(units: Sequence[Unit], ctx: Context) -> list[Conflict]:
    """The conflicts of a set, computed once for the five rules that report them."""
    key = tuple(units)
    for cached_key, cached_ctx, found in _conflict_cache:
        if cached_ctx is not ctx or len(cached_key) != len(key):
            continue
        if all(a is b for a, b in zip(cached_key, key, strict=True)):
            return found
    publishing = {unit.label: unit.container for unit in units if unit.origin != "dockerfile"}
    found = find_conflicts(publishing, host=ctx.host)
    by_label = {unit.label: unit for unit in units}
    kept = [c for c in found if _together(by_label[c.first.label], by_label[c.second.label], ctx)]
    # A copy of a binding is paired with its first occurrence only: when the
    # two never run together, pair the copy again among those it runs with.
    dropped = {c.second.label for c in found} - {c.second.label for c in kept}
    for label in sorted(dropped):
        unit = by_label[label]
        peers = {
            peer: publishing[peer]
            for peer in publishing
            if peer == label or _together(by_label[peer], unit, ctx)
        }
        for conflict in find_conflicts(peers, host=ctx.host):
            sides = (conflict.first.label, conflict.second.label)
            together = _together(by_label[sides[0]], by_label[sides[1]], ctx)
            if label in sides and together and conflict not in kept:
                kept.append(conflict)
    _conflict_cache[:] = [(key, ctx, kept)]
    return kept


def _together(a: Unit, b: Unit, ctx: Context) -> bool:
    """Whether two units may run on one host at once, as far as the files tell.

    Two compose projects are two applications, often never run together (a
    folder of examples, a file and its alternative): apart unless asked.
    Examples in documentation are compared only within their own page.
    Compose services of profiles that share none run together only when
    two profiles are enabled at once: they are alternatives. A profile whose
    services share a ``container_name`` is one Compose refuses, so it runs
    nothing together.
    """
    if (a.dormant or b.dormant) and a.project == b.project:
        return False
    if a.profiles and b.profiles and not a.profiles & b.profiles and a.project == b.project:
        # Only a choice of two profiles at once runs both: alternatives, not a clash.
        return False
    told = coexist(a, b)
    if told is not None:
        return told
    if a.site.document is b.site.document:
        return True
    if a.isolated or b.isolated:
        return False
    return ctx.across_projects or a.project is None or b.project is None or a.project == b.project


class _ConflictRule(Rule):
    def units(self, units: Sequence[Unit], ctx: Context) -> Iterable[Finding]:
        by_label = {unit.label: unit for unit in units}
        for conflict in _conflicts(units, ctx):
            if conflict.code != self.code:
                continue
            here, there = conflict.second, conflict.first
            if self.code == "PS104" and not _fixed(here.mapping):
                here, there = there, here  # the fixed binding is the one at risk
            elif _started_first(by_label[here.label], by_label[there.label]):
                here, there = there, here  # Docker refuses the one a script starts later
            unit = by_label[here.label]
            other = by_label[there.label]
            site = _side_site(unit, here.index)
            other_site = _side_site(other, there.index)
            if site is None:
                continue
            where = " and ".join(str(a) for a in conflict.addresses)
            what = "-P" if there.mapping is None else str(there.mapping)
            whom = f"{what} of the same container" if other is unit else f"{other.label} ({what})"
            place = "" if other_site is None else f" at {_where(other_site)}"
            # An entry inherited through extends is written in the base: name
            # the service it binds for, and where each side took it.
            mine = _via(unit, here.index)
            theirs = _via(other, there.index)
            subject = "" if mine is None else f" for {unit.label} (extends at {_where(mine)})"
            if theirs is not None and other is not unit:
                place = f"{place}, through its extends at {_where(theirs)}"
            yield Finding(
                site,
                f"{conflict.summary}: {conflict.protocol}/{conflict.ports} on {where}{subject}"
                f" is also bound by {whom}{place}",
            )


def _spans(unit: Unit) -> dict[str, list[tuple[int, int]]]:
    """The steps during which a unit runs, by the script that runs it."""
    spans: dict[str, list[tuple[int, int]]] = {}
    if unit.session is not None and unit.running:
        spans[unit.session] = list(unit.running)
    for session, start, end in unit.windows:
        spans.setdefault(session, []).append((start, end))
    return spans


def _started_first(a: Unit, b: Unit) -> bool:
    """Whether a script that runs both starts ``a`` first, and ``b`` while ``a`` runs.

    Then ``b`` is the one Docker refuses, and the one to report.
    """
    theirs = _spans(b)
    for session, mine in _spans(a).items():
        for x, y in mine:
            for v, w in theirs.get(session, ()):
                if x < w and v < y:
                    return x < v
    return False


def _fixed(mapping: PortMapping | None) -> bool:
    return mapping is not None and mapping.host is not None and mapping.host.start != 0


def _via(unit: Unit, index: int | None) -> Site | None:
    """The ``extends`` through which a unit inherited the entry, if it did."""
    if index is None or index >= len(unit.publish):
        return None
    return unit.publish[index].via


def _side_site(unit: Unit, index: int | None) -> Site | None:
    if index is None:
        return unit.publish_all or unit.site
    return unit.publish[index].site if index < len(unit.publish) else None


@register
class HostPortBound(_ConflictRule):
    """Two containers bind the same host port on overlapping addresses.

    Docker binds a host port once per address family and protocol; an
    unspecified address (``0.0.0.0``, ``::``, or none) takes it on every
    address of its family. The second container fails to start with "port is
    already allocated".
    """

    code = "PS101"
    name = "host-port-bound"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml", _compose("  a:\n    ports: ['8080:80']\n  b:\n    ports: ['8080:81']\n")
    )
    good = Example(
        "compose.yaml",
        _compose(
            "  a:\n    ports: ['127.0.0.1:8080:80']\n  b:\n    ports: ['127.0.0.2:8080:81']\n"
        ),
    )


@register
class DynamicRangeExhausted(_ConflictRule):
    """A host range (``8000-8001:80``) whose every port other bindings take.

    Docker picks one free port of the range; when none is left the container
    does not start.
    """

    code = "PS102"
    name = "dynamic-range-exhausted"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  a:\n    ports: ['8000-8001:80']\n  b:\n    ports: ['8000:80', '8001:81']\n"),
    )
    good = Example(
        "compose.yaml",
        _compose("  a:\n    ports: ['8000-8002:80']\n  b:\n    ports: ['8000:80', '8001:81']\n"),
    )


@register
class DynamicRangeContended(_ConflictRule):
    """A host range (``8000-8010:80``) that other bindings partly take.

    It works while a port of the range is free, but which one Docker picks
    depends on start order.
    """

    code = "PS103"
    name = "dynamic-range-contended"
    severity = Severity.WARNING
    bad = Example(
        "compose.yaml",
        _compose("  a:\n    ports: ['8000-8010:80']\n  b:\n    ports: ['8000:80']\n"),
    )
    good = Example(
        "compose.yaml",
        _compose("  a:\n    ports: ['8000-8010:80']\n  b:\n    ports: ['9000:80']\n"),
    )


@register
class EphemeralCollision(_ConflictRule):
    """A fixed host port inside the ephemeral range, where Docker also picks ports.

    A mapping without a host port (``80``, ``127.0.0.1::80``, ``-P``) takes a
    free port from the kernel's ephemeral range (32768-60999 on Linux). A
    fixed binding in that range may find its port taken at run time.
    """

    code = "PS104"
    name = "ephemeral-collision"
    severity = Severity.WARNING
    bad = Example(
        "compose.yaml", _compose("  a:\n    ports: ['40000:80']\n  b:\n    ports: ['3000']\n")
    )
    good = Example(
        "compose.yaml", _compose("  a:\n    ports: ['30000:80']\n  b:\n    ports: ['3000']\n")
    )


@register
class ReplicasFixedHostPort(Rule):
    """A fixed host port on a service that runs two or more replicas.

    Every replica of ``scale`` or ``deploy.replicas`` asks for the same host
    port: the first binds it, every other fails with "port is already
    allocated". Leave the host port out (``"80"``) or give a range with a
    port for each replica. A swarm stack file (``docker-stack.yml``, or one
    using ``deploy.placement``, ``update_config``, ``mode: global`` or an
    ``overlay`` network) is not checked: under ``docker stack deploy`` the
    routing mesh publishes the port once for every replica.
    """

    code = "PS106"
    name = "replicas-fixed-host-port"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml", _compose("  web:\n    image: nginx\n    scale: 2\n    ports: ['8090:80']\n")
    )
    good = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    scale: 2\n    ports: ['8090-8091:80']\n"),
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mapping = entry.value
        if unit.replicas < 2 or unit.swarm or not _publishes(unit) or mapping.host is None:
            return
        if mapping.host.start == 0 or mapping.is_dynamic_range:
            return
        yield Finding(
            entry.site,
            f"{unit.label} runs {unit.replicas} replicas and each binds host port"
            f" {mapping.host}/{mapping.protocol}: all but one fail (port is already allocated)",
        )


@register
class ReplicasRangeExhausted(Rule):
    """A dynamic host range with fewer ports than the service has replicas.

    Each replica takes one free port of ``8000-8001:80``; with more replicas
    than ports in the range, the last ones find none and do not start. Swarm
    stack files are not checked, as for PS106.
    """

    code = "PS107"
    name = "replicas-range-exhausted"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    scale: 3\n    ports: ['8000-8001:80']\n"),
    )
    good = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    scale: 3\n    ports: ['8000-8002:80']\n"),
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mapping = entry.value
        host = mapping.host
        if unit.replicas < 2 or unit.swarm or not _publishes(unit) or host is None:
            return
        if not mapping.is_dynamic_range or host.end - host.start + 1 >= unit.replicas:
            return
        yield Finding(
            entry.site,
            f"{unit.label} runs {unit.replicas} replicas but host range {host} has"
            f" {host.end - host.start + 1} ports: the others do not start",
        )


@register
class DuplicateMapping(_ConflictRule):
    """The same mapping twice in one container.

    Docker refuses the container ("port is already allocated"); from Engine
    27 two UDP copies bind. Usually a copy-paste slip, or one of two ports
    was meant to differ.
    """

    code = "PS105"
    name = "duplicate-mapping"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run -p 8080:80 -p 8080:80 nginx\n")
    good = Example("run.sh", "docker run -p 8080:80 -p 8443:443 nginx\n")


class _LinkRule(Rule):
    def units(self, units: Sequence[Unit], ctx: Context) -> Iterable[Finding]:
        # Compose resolves links within a project; command lines by --name.
        groups: dict[str | None, list[Unit]] = {}
        for unit in units:
            if unit.origin != "dockerfile":
                groups.setdefault(unit.project, []).append(unit)
        names = {unit.link_name for unit in units if unit.link_name}
        for project, members in groups.items():
            keyed: dict[str, Unit] = {}
            for unit in members:
                keyed.setdefault(unit.link_name or unit.label, unit)
            containers = {key: unit.container for key, unit in keyed.items()}
            for problem in find_link_problems(containers):
                if problem.code != self.code:
                    continue
                if problem.code == "PS111" and (
                    project is not None or problem.link.name.lstrip("/") in names
                ):
                    continue  # Compose refuses the file itself; the name is in the run
                unit = keyed[problem.container]
                entry = next((e for e in unit.links if e.value == problem.link), None)
                if entry is None:
                    continue
                message = problem.message
                if problem.cycle:
                    message = "links form a cycle: " + " -> ".join(problem.cycle)
                yield Finding(entry.site, f"link {problem.link.as_typed}: {message}")


@register
class LinkUndefined(_LinkRule):
    """A link to a container or service that is not there.

    Compose refuses a ``links`` entry naming no service of the project; the
    docker CLI's ``--link`` fails at create when no container has the name.
    Command lines are checked against every ``--name`` and service of the run.
    A compose file linted beside a compose file of its own folder or a folder
    above it that defines the service is a fragment, run as ``docker compose
    -f compose.yaml -f fragment.yaml``: its reference resolves there.
    """

    code = "PS111"
    name = "link-undefined"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run --name app --link db nginx\n")
    good = Example("run.sh", "docker run --name db postgres\ndocker run --link db nginx\n")


@register
class LinkAliasTwice(_LinkRule):
    """One link alias used twice by the same container.

    Docker keeps the first link of an alias and ignores another one to a
    different container (its daemon logs a warning): the container reaches
    only the first by that name. The same link written twice is one link and
    is not reported.
    """

    code = "PS112"
    name = "link-alias-twice"
    severity = Severity.ERROR
    bad = Example(
        "run.sh",
        "docker run --name redis1 redis\ndocker run --name redis2 redis\n"
        "docker run --link redis1:cache --link redis2:cache app\n",
    )
    good = Example(
        "run.sh",
        "docker run --name redis1 redis\ndocker run --name redis2 redis\n"
        "docker run --link redis1:cache --link redis2:queue app\n",
    )


@register
class LinkToItself(_LinkRule):
    """A container that links to itself.

    Docker refuses it: a container cannot be its own link target.
    """

    code = "PS113"
    name = "link-to-itself"
    severity = Severity.ERROR
    bad = Example("compose.yaml", _compose("  web:\n    links: [web]\n"))
    good = Example("compose.yaml", _compose("  web:\n    links: [db]\n  db: {}\n"))


@register
class LinkCycle(_LinkRule):
    """Links that form a cycle.

    A container can only link to one that already exists: in a cycle none
    can be created first, and Compose cannot order them.
    """

    code = "PS114"
    name = "link-cycle"
    severity = Severity.ERROR
    bad = Example("compose.yaml", _compose("  a:\n    links: [b]\n  b:\n    links: [a]\n"))
    good = Example("compose.yaml", _compose("  a:\n    links: [b]\n  b: {}\n"))


@register
class ContainerNameInUse(Rule):
    """A ``--name`` that a container of the same script still holds.

    A name is taken from the container's creation until it is removed
    (``docker rm``, or its stop when it runs with ``--rm``): a container
    that has stopped still holds it. Docker refuses the second ``docker
    run`` with 'The container name "/web" is already in use', and that
    container never starts, so its ports are not compared with the first.
    """

    code = "PS121"
    name = "container-name-in-use"
    severity = Severity.ERROR
    bad = Example(
        "run.sh", "docker run -d --name web -p 8080:80 nginx\ndocker run -d --name web nginx\n"
    )
    good = Example(
        "run.sh",
        "docker run -d --name web -p 8080:80 nginx\ndocker rm -f web\n"
        "docker run -d --name web nginx\n",
    )

    def unit(self, unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.name_taken is None:
            return
        name = unit.container.name or ""
        yield Finding(
            unit.name_site or unit.site,
            f'the container name "/{name}" is already in use by the container started at'
            f" {_where(unit.name_taken)}: Docker refuses this command"
            f" (remove that one first: docker rm -f {_shell_quote(name)})",
        )


# ----------------------------------------------- PS2xx: will not do as written


@register
class ContainerPortZero(Rule):
    """A mapping to container port 0.

    The docker CLI accepts ``-p 8080:0``, but no process listens on port 0:
    the Engine refuses the mapping when the container is created.
    """

    code = "PS201"
    name = "container-port-zero"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run -p 8080:0 nginx\n")
    good = Example("run.sh", "docker run -p 8080:80 nginx\n")

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if entry.value.container.start == 0:
            yield Finding(entry.site, "container port 0: nothing can listen on it")


@register
class IgnoredLongKey(Rule):
    """A long ``--publish`` key that ``docker run`` silently ignores.

    ``docker run`` reads ``published``, ``target`` and ``protocol``; it accepts
    ``host_ip`` and ``mode`` and drops them, so ``host_ip=127.0.0.1`` still
    publishes the port on every address. Use the short syntax:
    ``-p 127.0.0.1:8080:80``.
    """

    code = "PS202"
    name = "ignored-long-key"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run -p published=8080,target=80,host_ip=127.0.0.1 nginx\n")
    good = Example("run.sh", "docker run -p 127.0.0.1:8080:80 nginx\n")

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.origin != "command":
            return
        for part in entry.value.ignored:
            key = part.partition("=")[0]
            if key in ("host_ip", "mode"):
                effect = (
                    "the port is published on every address"
                    if key == "host_ip"
                    else "the mode has no effect"
                )
                yield Finding(entry.site, f"docker run ignores {part!r}: {effect}")


def _mode(unit: Unit) -> str:
    return unit.container.network_mode or ""


@register
class PortsWithHostNetwork(Rule):
    """Published ports on a container that uses the host's network.

    With ``network_mode: host`` (``--network host``) the container's ports are
    the host's own; Docker discards ``ports`` with a warning, so the mapping
    (and any rebinding it asks for) does nothing.
    """

    code = "PS203"
    name = "ports-with-host-network"
    severity = Severity.WARNING
    bad = Example(
        "compose.yaml", _compose("  web:\n    network_mode: host\n    ports: ['8080:80']\n")
    )
    good = Example("compose.yaml", _compose("  web:\n    network_mode: host\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if _mode(unit) == "host":
            yield Finding(entry.site, "published ports are discarded with the host network")

    def unit(self, unit: Unit, ctx: Context) -> Iterable[Finding]:
        if _mode(unit) == "host" and unit.publish_all is not None:
            yield Finding(unit.publish_all, "-P publishes nothing with the host network")


@register
class PortsWithSharedNetwork(Rule):
    """Published ports on a container that joins another's network.

    With ``network_mode: service:x`` or ``--network container:x`` the container
    has no network of its own: Docker refuses to create it ("conflicting
    options: port publishing and the container type network mode"). Publish
    the port on the container that owns the network.
    """

    code = "PS204"
    name = "ports-with-shared-network"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  vpn: {}\n  web:\n    network_mode: service:vpn\n    ports: ['8080:80']\n"),
    )
    good = Example(
        "compose.yaml",
        _compose("  vpn:\n    ports: ['8080:80']\n  web:\n    network_mode: service:vpn\n"),
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mode = _mode(unit)
        if mode.startswith(("service:", "container:")):
            yield Finding(entry.site, f"ports cannot be published with network_mode {mode!r}")


@register
class ExposeRange(Rule):
    """An exposed port range, which Docker Engine 29 and later refuse.

    Engine 29 no longer takes a range in a container's ``ExposedPorts``:
    Compose releases that pass ``expose: ['9000-9010']`` through fail with
    "invalid port", and an image built with ``EXPOSE 9000-9010`` cannot be
    pulled or run. (``docker run --expose`` expands the range itself and is
    not affected.) List the ports, or publish the range with ``ports``. Set
    ``--docker-version 28`` to silence it for older engines.
    """

    code = "PS205"
    name = "expose-range"
    severity = Severity.WARNING
    bad = Example("Dockerfile", "FROM alpine\nEXPOSE 9000-9002\n")
    good = Example("Dockerfile", "FROM alpine\nEXPOSE 9000 9001 9002\n")

    def expose(self, entry: Entry[Expose], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.origin == "command" or entry.value.ports.is_single:
            return
        if ctx.engine_at_least(29):
            yield Finding(entry.site, f"Engine 29 and later refuse the range {entry.value.ports}")


_CONTAINER_NAME = re.compile(r"/?[a-zA-Z0-9][a-zA-Z0-9_.-]+")
_ALIAS = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")


@register
class InvalidLinkName(Rule):
    """A link name or alias that is not a valid container name.

    Docker accepts any text after ``--link``, but container names match
    ``[a-zA-Z0-9][a-zA-Z0-9_.-]+``, so no container can have the name; an
    alias with other characters is written into ``/etc/hosts`` where no
    resolver can look it up.
    """

    code = "PS206"
    name = "invalid-link-name"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run --name db redis\ndocker run --link 'db:my cache' app\n")
    good = Example("run.sh", "docker run --name db redis\ndocker run --link db:my-cache app\n")

    def link(self, entry: Entry[Link], unit: Unit, ctx: Context) -> Iterable[Finding]:
        link = entry.value
        if unit.origin == "command" and not _CONTAINER_NAME.fullmatch(link.name):
            yield Finding(entry.site, f"{link.name!r} is not a valid container name")
        elif link.alias != link.name and not _ALIAS.fullmatch(link.alias):
            yield Finding(entry.site, f"alias {link.alias!r} is not a valid host name")


@register
class UnbracketedIPv6(Rule):
    """An IPv6 host address written without brackets.

    Docker splits a mapping at its last two colons, so ``::1:8080:80`` works,
    but it reads differently to every person and most tools, and one colon
    less changes its meaning. Write ``[::1]:8080:80``.
    """

    code = "PS207"
    name = "unbracketed-ipv6"
    severity = Severity.WARNING
    fixable = True
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['::1:8080:80']\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['[::1]:8080:80']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mapping = entry.value
        typed = mapping.host_ip_text
        if entry.long or not isinstance(mapping.host_ip, IPv6Address) or typed is None:
            return
        if not entry.text.startswith(typed):
            return
        text = _value_text(entry)
        fix = None
        if text is not None and text.startswith(typed):
            new = f"[{typed}]{text[len(typed) :]}"
            fix = _rewrite(entry, new, f"Write {new}", safe=True, value=mapping)
        yield Finding(entry.site, f"IPv6 host address {typed} without brackets", fix)


@register
class HostIpIgnoredInIngress(Rule):
    """``host_ip`` on a port in swarm ``ingress`` mode, where it is ignored.

    ``docker stack deploy`` publishes ingress ports on every node's every
    address; ``host_ip`` only works with ``mode: host``.
    """

    code = "PS208"
    name = "host-ip-ignored-in-ingress"
    severity = Severity.WARNING
    bad = Example(
        "compose.yaml",
        _compose(
            "  web:\n    ports:\n      - {target: 80, published: 8080,"
            " host_ip: 127.0.0.1, mode: ingress}\n"
        ),
    )
    good = Example(
        "compose.yaml",
        _compose(
            "  web:\n    ports:\n      - {target: 80, published: 8080,"
            " host_ip: 127.0.0.1, mode: host}\n"
        ),
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mapping = entry.value
        if (
            unit.origin == "compose"
            and mapping.host_ip is not None
            and "mode=ingress" in mapping.ignored
        ):
            yield Finding(
                entry.site, f"host_ip {mapping.host_ip_as_typed} is ignored in ingress mode"
            )


# -------------------------------------------------- PS3xx: security, practice


def _sensitive(mapping: PortMapping, ports: frozenset[int]) -> list[int]:
    span = mapping.container
    if len(span) <= len(ports):
        return [port for port in span if port in ports]
    return sorted(port for port in ports if port in span)


_LOOPBACK = IPv4Address("127.0.0.1")


def _localhost_fix(entry: Entry[PortMapping]) -> Fix | None:
    mapping = entry.value
    text = _value_text(entry)
    if text is None:
        return None
    if mapping.host_ip is None:
        new = f"127.0.0.1:{text}" if ":" in text else f"127.0.0.1::{text}"
    elif mapping.host_ip_text == "0.0.0.0" and text.startswith("0.0.0.0:"):
        new = "127.0.0.1" + text[len("0.0.0.0") :]
    else:
        return None
    value = dataclasses.replace(mapping, host_ip=_LOOPBACK, host_ip_text="127.0.0.1")
    return _rewrite(entry, new, f"Bind to 127.0.0.1: {new}", safe=False, value=value)


@register
class SensitivePortPublic(Rule):
    """A sensitive service published on all interfaces.

    Docker writes its own firewall rules for published ports, ahead of ufw
    and firewalld: a database, cache or remote-admin port published without
    an address is reachable from every network the host is on. Every
    wildcard spelling counts: none, ``0.0.0.0``, ``::``, ``[::]``. Bind it to
    ``127.0.0.1`` (the fix does, with ``--unsafe-fixes``), or let other
    containers reach it over a Docker network without publishing it. The
    list of ports is the ``sensitive-ports`` setting.
    """

    code = "PS301"
    name = "sensitive-port-public"
    severity = Severity.WARNING
    fixable = True
    bad = Example(
        "compose.yaml", _compose("  db:\n    image: postgres\n    ports: ['5432:5432']\n")
    )
    good = Example(
        "compose.yaml", _compose("  db:\n    image: postgres\n    ports: ['127.0.0.1:5432:5432']\n")
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        mapping = entry.value
        if not _wildcard(mapping) or mapping.container.start == 0:
            return
        found = _sensitive(mapping, ctx.sensitive_ports)
        if not found:
            return
        port = found[0]
        service = _NAMES.get(port, "a sensitive service")
        more = f" (and {len(found) - 1} more sensitive ports)" if len(found) > 1 else ""
        yield Finding(
            entry.site,
            f"port {port} ({service}){more} is published on all interfaces",
            _localhost_fix(entry),
        )


@register
class PortPublic(Rule):
    """A port published on all interfaces.

    The same reasoning as PS301 for every port: Docker's rules bypass the
    host firewall. In most compose files every entry is like this, so the
    rule is for teams that bind everything to an address on purpose.
    """

    code = "PS309"
    name = "port-public"
    severity = Severity.INFO
    default = False
    fixable = True
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['8080:80']\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['127.0.0.1:8080:80']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        if _wildcard(entry.value):
            yield Finding(
                entry.site,
                f"port {entry.value.container} is published on all interfaces",
                _localhost_fix(entry),
            )


@register
class PrivilegedHostPort(Rule):
    """A host port below 1024, which rootless Docker cannot bind.

    Rootless Docker runs as an ordinary user; the kernel keeps ports below
    ``net.ipv4.ip_unprivileged_port_start`` (1024) for root, and the
    container fails to start. Select it if the files are meant for rootless
    Docker.
    """

    code = "PS302"
    name = "privileged-host-port"
    severity = Severity.INFO
    default = False
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['80:80']\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['8080:80']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        host = entry.value.host
        if host is not None and 0 < host.start < 1024:
            yield Finding(entry.site, f"host port {host.start} is below 1024")


@register
class LargeRange(Rule):
    """A very large port range.

    Docker starts one ``docker-proxy`` process per published port and address
    family, and writes firewall rules for each: a range of thousands of ports
    costs memory and start time. The threshold is the ``large-range`` setting
    (100 ports).
    """

    code = "PS303"
    name = "large-range"
    severity = Severity.WARNING
    bad = Example("compose.yaml", _compose("  rtp:\n    ports: ['10000-20000:10000-20000/udp']\n"))
    good = Example("compose.yaml", _compose("  rtp:\n    ports: ['10000-10050:10000-10050/udp']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        count = len(entry.value.container)
        if entry.value.host is not None and not entry.value.is_dynamic_range:
            count = max(count, len(entry.value.host))
        if count > ctx.large_range:
            yield Finding(entry.site, f"{count} ports in one mapping")


@register
class LegacyLink(Rule):
    """A legacy link on the default bridge network.

    ``--link`` is deprecated: on the default bridge it copies environment
    variables and writes ``/etc/hosts``, and its removal is planned. Put the
    containers on a user-defined network (``docker network create``) and use
    their names. (Compose's ``links`` on its own networks are only aliases and
    are not reported.)
    """

    code = "PS304"
    name = "legacy-link"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run --name db redis\ndocker run --link db app\n")
    good = Example(
        "run.sh",
        "docker network create net\ndocker run --name db --network net redis\n"
        "docker run --network net app\n",
    )

    def link(self, entry: Entry[Link], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if _mode(unit) in ("", "bridge", "default") and (
            unit.origin == "command" or _mode(unit) == "bridge"
        ):
            yield Finding(entry.site, "legacy link on the default bridge network")


# YAML 1.1 reads these plain scalars as base-60 numbers.
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


@register
class UnquotedPortMapping(Rule):
    """A port mapping a YAML 1.1 reader misreads as a base-60 number.

    Compose reads YAML 1.2, but PyYAML, Ansible, older docker-compose and
    many other tools read YAML 1.1, where ``22:22`` is the number 1342 and
    ``2122:22`` is 127342 (``8080:80`` is safe only because 80 > 59). Quote
    it. The ``quote-all-ports`` setting asks for quotes on every mapping.
    """

    code = "PS305"
    name = "unquoted-port-mapping"
    severity = Severity.WARNING
    fixable = True
    bad = Example("compose.yaml", _compose("  git:\n    ports:\n      - 22:22\n"))
    good = Example("compose.yaml", _compose('  git:\n    ports:\n      - "22:22"\n'))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.origin != "compose" or entry.long or entry.site.text != entry.text:
            return
        if _SEXAGESIMAL.fullmatch(entry.text):
            message = f"YAML 1.1 reads {entry.text} as a base-60 number"
        elif ctx.quote_all_ports:
            message = "port mapping without quotes"
        else:
            return
        yield Finding(entry.site, message, _quote_fix(entry))


def _quote_fix(entry: Entry[PortMapping]) -> Fix | None:
    """Quotes around the value as Compose reads it: ``017`` (the integer 15) becomes ``"15"``."""
    text = _value_text(entry)
    if text is None or "$" in text:
        return None
    quoted = _yaml_double_quoted(text)
    edit = Edit(entry.site.start, entry.site.end, quoted)
    return Fix(f"Quote it: {quoted}", (edit,), value=entry.value)


@register
class PublishAll(Rule):
    """``-P`` (publish-all) publishes every exposed port on all interfaces.

    Which ports that is depends on the image's ``EXPOSE`` lines, which can
    change with any image update, and each goes to a random host port on
    every address. Publish the ports you need with ``-p``.
    """

    code = "PS306"
    name = "publish-all"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run -P nginx\n")
    good = Example("run.sh", "docker run -p 127.0.0.1:8080:80 nginx\n")

    def unit(self, unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.publish_all is not None and unit.container.publish_all and _mode(unit) != "host":
            yield Finding(unit.publish_all, "-P publishes every exposed port on all interfaces")
