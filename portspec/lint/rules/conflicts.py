"""PS1xx: containers that cannot, or may not, run together; links between them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from portspec.checks.conflicts import (
    Conflict,
    ConflictSide,
    find_conflicts,
    find_link_problems,
)
from portspec.lint.diagnostic import Severity
from portspec.lint.rule import Context, Example, Finding, Rule, register
from portspec.lint.rules._common import (
    _compose,
    _publishes,
    _shell_quote,
    _where,
)
from portspec.lint.units import Entry, Site, Unit, UnitSet, coexist
from portspec.model import PortMapping


def conflicts_of(units: Sequence[Unit], ctx: Context) -> list[Conflict]:
    """The conflicts of a set of units, as the lint rules see them (projects kept apart)."""
    return _conflicts(units, ctx)


def _by_code(units: Sequence[Unit], ctx: Context) -> dict[str, list[Conflict]]:
    """The conflicts of a set by code, computed once for the five rules that report them."""
    memo = units.memo if isinstance(units, UnitSet) else {}
    known = memo.get("by code")
    if isinstance(known, tuple) and known[0] is ctx:
        return known[1]  # type: ignore[no-any-return]
    found: dict[str, list[Conflict]] = {}
    for conflict in _conflicts(units, ctx):
        found.setdefault(conflict.code, []).append(conflict)
    memo["by code"] = (ctx, found)
    return found


def _conflicts(units: Sequence[Unit], ctx: Context) -> list[Conflict]:
    """The conflicts of a set, computed once for the five rules that report them."""
    memo = units.memo if isinstance(units, UnitSet) else {}
    known = memo.get("conflicts")
    if isinstance(known, tuple) and known[0] is ctx:
        return known[1]  # type: ignore[no-any-return]
    publishing = {unit.label: unit.container for unit in units if unit.origin != "dockerfile"}
    found = find_conflicts(publishing, host=ctx.host)
    by_label = {unit.label: unit for unit in units}
    # Many conflicts share their two containers: ask once a pair.
    pairs: dict[tuple[str, str], bool] = {}
    kept = []
    for c in found:
        sides = (c.first.label, c.second.label)
        together = pairs.get(sides)
        if together is None:
            together = pairs[sides] = _together(by_label[sides[0]], by_label[sides[1]], ctx)
        if together:
            kept.append(c)
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
    memo["conflicts"] = (ctx, kept)
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
        # What many findings share (a binding repeated n times gives n - 1),
        # worked out once each: which side a pair of containers reports, and
        # the text naming the other side.
        firsts: dict[tuple[str, str], bool] = {}
        others: dict[tuple[str, str, int | None], str] = {}
        heads: dict[tuple[int, int, int], str] = {}
        for conflict in _by_code(units, ctx).get(self.code, ()):
            here, there = conflict.second, conflict.first
            if self.code == "PS104" and not _fixed(here.mapping):
                here, there = there, here  # the fixed binding is the one at risk
            else:
                pair = (here.label, there.label)
                later = firsts.get(pair)
                if later is None:
                    later = firsts[pair] = _started_first(by_label[pair[0]], by_label[pair[1]])
                if later:
                    here, there = there, here  # Docker refuses the one a script starts later
            unit = by_label[here.label]
            site = _side_site(unit, here.index)
            if site is None:
                continue
            key = (here.label, there.label, there.index)
            tail = others.get(key)
            if tail is None:
                tail = others[key] = _other_side(unit, by_label[there.label], there)
            # An entry inherited through extends is written in the base: name
            # the service it binds for.
            mine = _via(unit, here.index)
            if mine is not None:
                tail = f" for {unit.label} (extends at {_where(mine)}){tail}"
            # By the objects, which conflicts share (hashing an address is slow).
            head_key = (id(conflict.protocol), id(conflict.ports), id(conflict.addresses))
            head = heads.get(head_key)
            if head is None:
                where = " and ".join(map(str, conflict.addresses))
                head = heads[head_key] = (
                    f"{conflict.summary}: {conflict.protocol}/{conflict.ports} on {where}"
                )
            yield Finding(site, head + tail)


def _other_side(unit: Unit, other: Unit, there: ConflictSide) -> str:
    """The end of a conflict's message: who else binds the port, and where."""
    what = "-P" if there.mapping is None else str(there.mapping)
    whom = f"{what} of the same container" if other is unit else f"{other.label} ({what})"
    other_site = _side_site(other, there.index)
    place = "" if other_site is None else f" at {_where(other_site)}"
    theirs = _via(other, there.index)
    if theirs is not None and other is not unit:
        place = f"{place}, through its extends at {_where(theirs)}"
    return f" is also bound by {whom}{place}"


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
