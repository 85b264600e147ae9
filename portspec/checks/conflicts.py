"""Host port conflicts between published ports, and problems with links, found statically.

Docker's port allocator (moby ``daemon/libnetwork/portallocator``) keeps one
table of taken ports per host address and protocol. A request for an
unspecified address (``0.0.0.0``, ``::``) checks every address of its family;
a request for a specific address also checks the unspecified one; an
IPv4-mapped IPv6 address is unmapped to IPv4 first. A mapping with no host
address is bound on ``0.0.0.0`` and, with IPv6, on ``::``.

Every binding here is an interval of host ports, and the check is a sweep over
the intervals sorted by start, one sweep per (address family, protocol): a
range is never expanded port by port, so ``1-65535:1-65535`` costs what one
port costs. The run time is O(n log n + k) for n bindings and k findings.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address

from portspec.errors import PortSpecError
from portspec.model import Container, HostAddress, Link, PortMapping, PortRange, Protocol, Span

__all__ = [
    "Conflict",
    "ConflictSide",
    "HostSettings",
    "LinkProblem",
    "find_conflicts",
    "find_link_problems",
]

#: Network modes that give a container no published ports of its own.
_NO_PUBLISH_MODES = frozenset({"host", "none"})
_NO_PUBLISH_PREFIXES = ("container:", "service:")
_UNSPECIFIED: dict[int, HostAddress] = {4: IPv4Address(0), 6: IPv6Address(0)}

_SUMMARIES = {
    "PS101": "host port already bound",
    "PS102": "dynamic host range exhausted",
    "PS103": "dynamic host range contended",
    "PS104": "fixed host port inside the ephemeral range",
    "PS105": "the same mapping twice",
}

_FIXED, _DYNAMIC, _EPHEMERAL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class HostSettings:
    """What portspec assumes of the Docker host it checks for.

    ``ephemeral`` is the range Docker takes a port from when none is given
    (Linux ``net.ipv4.ip_local_port_range``; moby falls back to 49153-65535
    when it cannot read it). ``ipv6`` says whether a mapping with no host
    address is also bound on ``::``.

    >>> HostSettings().ephemeral, HostSettings(ephemeral=(49153, 65535)).ephemeral
    ((32768, 60999), (49153, 65535))
    """

    ephemeral: tuple[int, int] = (32768, 60999)
    ipv6: bool = True

    def __post_init__(self) -> None:
        start, end = self.ephemeral
        if not 1 <= start <= end <= 65535:
            raise PortSpecError(f"invalid ephemeral port range {start}-{end}")


@dataclass(frozen=True, slots=True)
class ConflictSide:
    """One side of a conflict: which container, and which of its mappings.

    ``index`` is the position in ``Container.publish``; it and ``mapping`` are
    ``None`` for the ports ``-P`` (publish-all) takes.

    >>> ConflictSide("web", 0, None).label
    'web'
    """

    label: str
    index: int | None
    mapping: PortMapping | None
    span: Span | None = field(default=None, compare=False)

    def __str__(self) -> str:
        what = "-P" if self.mapping is None else f"-p {self.mapping}"
        return f"{self.label} ({what})"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two bindings that want the same host port: who, where and how sure.

    ``first`` comes before ``second`` in the input. ``addresses`` are the host
    addresses both bind (an unspecified one when both are wildcards),
    ``ports`` the host ports both want. ``certain`` is ``False`` when the
    clash depends on what Docker picks at run time, or on start order.

    >>> from portspec import parse_docker_run
    >>> found = find_conflicts({"a": parse_docker_run("-p 8080:80"),
    ...                         "b": parse_docker_run("-p 127.0.0.1:8080:81")})
    >>> print(found[0])
    PS101 host port already bound: b (-p 127.0.0.1:8080:81) and a (-p 8080:80) on 127.0.0.1 tcp/8080
    """

    code: str
    first: ConflictSide
    second: ConflictSide
    protocol: Protocol
    addresses: tuple[HostAddress, ...]
    ports: PortRange
    certain: bool

    @property
    def summary(self) -> str:
        """The one-line summary of the code."""
        return _SUMMARIES[self.code]

    def __str__(self) -> str:
        where = ", ".join(str(address) for address in self.addresses)
        return (
            f"{self.code} {self.summary}: {self.second} and {self.first}"
            f" on {where} {self.protocol}/{self.ports}"
        )


@dataclass(frozen=True, slots=True)
class LinkProblem:
    """A link that Docker will refuse: its container, the link, and a message.

    ``cycle`` lists the containers of a cycle (PS114), starting and ending at
    ``container``.

    >>> from portspec import parse_docker_run
    >>> print(find_link_problems({"web": parse_docker_run("--link db")})[0])
    PS111 web: --link db: no container or service named 'db'
    """

    code: str
    container: str
    link: Link
    message: str
    cycle: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.code} {self.container}: --link {self.link}: {self.message}"


# ----------------------------------------------------------------- inputs


def _labelled(
    containers: Mapping[str, Container] | Iterable[Container],
) -> list[tuple[str, Container]]:
    if isinstance(containers, Mapping):
        pairs = list(containers.items())
    else:
        pairs = [
            (c.name if isinstance(c, Container) and c.name else str(i), c)
            for i, c in enumerate(containers)
        ]
    for label, container in pairs:
        if not isinstance(container, Container):
            raise PortSpecError(f"{label}: expected a Container, not {type(container).__name__}")
    return pairs


def _publishes(container: Container) -> bool:
    mode = container.network_mode
    return mode is None or not (mode in _NO_PUBLISH_MODES or mode.startswith(_NO_PUBLISH_PREFIXES))


class _Item:
    """One binding to place: built for every mapping, so kept light (no dataclass)."""

    __slots__ = (
        "end",
        "index",
        "kind",
        "label",
        "mapping",
        "owner",
        "protocols",
        "span",
        "start",
        "targets",
    )

    def __init__(  # noqa: PLR0917 - one call site, in order
        self,
        label: str,
        index: int | None,
        mapping: PortMapping | None,
        span: Span | None,
        owner: int,
        kind: int,
        protocols: tuple[Protocol, ...],
        targets: tuple[tuple[int, HostAddress | None], ...],
        start: int,
        end: int,
    ) -> None:
        self.label, self.index, self.mapping, self.span = label, index, mapping, span
        self.owner, self.kind, self.protocols = owner, kind, protocols
        #: (family, address); address None is a wildcard of the family.
        self.targets = targets
        self.start, self.end = start, end

    @property
    def side(self) -> ConflictSide:
        """The binding as a conflict names it; made only for the bindings that conflict."""
        return ConflictSide(self.label, self.index, self.mapping, self.span)


def _targets(address: HostAddress | None, ipv6: bool) -> tuple[tuple[int, HostAddress | None], ...]:
    if address is None:
        return ((4, None), (6, None)) if ipv6 else ((4, None),)
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    family = 4 if isinstance(address, IPv4Address) else 6
    return ((family, None if address.is_unspecified else address),)


def _items(
    pairs: list[tuple[str, Container]],
    settings: HostSettings,
    spans: Mapping[tuple[str, int], Span] | None,
) -> list[_Item]:
    low, high = settings.ephemeral
    items: list[_Item] = []
    ipv6 = settings.ipv6
    # Containers share a few addresses between many mappings.
    targets: dict[HostAddress | None, tuple[tuple[int, HostAddress | None], ...]] = {}
    for owner, (label, container) in enumerate(pairs):
        if not _publishes(container):
            continue
        for index, mapping in enumerate(container.publish):
            host = mapping.host
            if host is None or host.end == 0:
                kind, start, end = _EPHEMERAL, low, high
            else:
                kind = _DYNAMIC if mapping.is_dynamic_range else _FIXED
                start, end = host.start, host.end
            span = None if spans is None else spans.get((label, index))
            address = mapping.host_ip
            found = targets.get(address)
            if found is None:
                found = targets[address] = _targets(address, ipv6)
            items.append(
                _Item(
                    label, index, mapping, span, owner, kind, (mapping.protocol,), found, start, end
                )
            )
        if container.publish_all:
            items.append(
                _Item(
                    label,
                    None,
                    None,
                    None,
                    owner,
                    _EPHEMERAL,
                    tuple(Protocol),
                    _targets(None, ipv6),
                    low,
                    high,
                )
            )
    return items


# ------------------------------------------------------------------ sweep

# An active binding: (end, item id, address or None).
_Active = tuple[int, int, HostAddress | None]
# Where two bindings meet: the addresses both bind, the first and last port.
_Overlap = tuple[list[HostAddress], int, int]


@dataclass
class _Found:
    """Overlaps found so far, keyed by (first id, second id): addresses and ports."""

    fixed: dict[tuple[int, int], _Overlap] = field(default_factory=dict)
    #: dynamic id -> {fixed id: (addresses, start, end)}
    dynamic: dict[int, dict[int, _Overlap]] = field(default_factory=dict)


def _prune(active: list[_Active], start: int) -> list[_Active]:
    return [entry for entry in active if entry[0] >= start]


class _Pool:
    """The bindings of one kind still open at the sweep line, wildcards apart.

    Specific addresses are kept both by address and all together, so that a
    wildcard meets them in one list instead of a walk over every address.
    """

    __slots__ = ("by_address", "specific", "wild")

    def __init__(self) -> None:
        self.wild: list[_Active] = []
        self.specific: list[_Active] = []
        self.by_address: dict[HostAddress, list[_Active]] = {}

    def __bool__(self) -> bool:
        return bool(self.wild or self.specific or self.by_address)

    def add(self, entry: _Active) -> None:
        address = entry[2]
        if address is None:
            self.wild.append(entry)
        else:
            self.specific.append(entry)
            self.by_address.setdefault(address, []).append(entry)

    def overlapping(self, address: HostAddress | None, start: int) -> list[_Active]:
        """The open bindings that share an address with ``address``; drops closed ones."""
        if self.wild:
            self.wild = _prune(self.wild, start)
        if address is None:
            if self.specific:
                self.specific = _prune(self.specific, start)
            return self.wild + self.specific
        found = list(self.wild)
        if not self.by_address:
            return found
        active = self.by_address.get(address)
        if active is not None:
            active = _prune(active, start)
            if active:
                self.by_address[address] = active
                found.extend(active)
            else:
                del self.by_address[address]
        return found


def _sweep(
    items: list[_Item],
    records: list[tuple[int, int, int, HostAddress | None]],
    family: int,
    found: _Found,
) -> None:
    """Pair every fixed binding with the fixed and dynamic ones it overlaps."""
    # By start, then by id: ids are unique, so the addresses are never compared.
    records.sort()
    fixed, dynamic = _Pool(), _Pool()
    for start, item_id, end, address in records:
        kind = items[item_id].kind
        others = fixed.overlapping(address, start) if fixed else []
        if kind == _FIXED and dynamic:
            others += dynamic.overlapping(address, start)
        for other_end, other_id, other_address in others:
            shared = address or other_address or _UNSPECIFIED[family]
            low, high = start, min(end, other_end)
            if kind == _FIXED and items[other_id].kind == _FIXED:
                key = (other_id, item_id) if other_id < item_id else (item_id, other_id)
                entry = found.fixed.setdefault(key, ([], low, high))
            else:
                dyn, fix = (other_id, item_id) if kind == _FIXED else (item_id, other_id)
                entry = found.dynamic.setdefault(dyn, {}).setdefault(fix, ([], low, high))
            if shared not in entry[0]:
                entry[0].append(shared)
        (dynamic if kind == _DYNAMIC else fixed).add((end, item_id, address))


def _shared_addresses(a: _Item, b: _Item) -> list[HostAddress]:
    shared: list[HostAddress] = []
    for family, address in a.targets:
        for other_family, other in b.targets:
            if family == other_family and (address is None or other is None or address == other):
                value = address or other or _UNSPECIFIED[family]
                if value not in shared:
                    shared.append(value)
    return shared


def _address_order(address: HostAddress) -> tuple[int, int]:
    return address.version, int(address)


def _covers(intervals: list[tuple[int, int]], start: int, end: int) -> bool:
    reach = start - 1
    for low, high in sorted(intervals):
        if low > reach + 1:
            return False
        reach = max(reach, high)
        if reach >= end:
            return True
    return reach >= end


def find_conflicts(
    containers: Mapping[str, Container] | Iterable[Container],
    *,
    host: HostSettings | None = None,
    spans: Mapping[tuple[str, int], Span] | None = None,
) -> list[Conflict]:
    """Every pair of published ports that Docker cannot, or may not, bind together.

    ``containers`` is a mapping of labels to containers, or containers alone
    (labelled by name, else by position). ``spans`` maps (label, index in
    ``publish``) to where the mapping was written. Conflicts come in input
    order.

    >>> from portspec import parse_docker_run
    >>> [c.code for c in find_conflicts([parse_docker_run("--name a -p 8000-8001:80"),
    ...                                  parse_docker_run("--name b -p 8000:80 -p 8001:81")])]
    ['PS102', 'PS102']
    """
    # Hundreds of thousands of small, acyclic records: the cyclic collector's
    # passes over them cost more than the sweep itself.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _find_conflicts(containers, host, spans)
    finally:
        if collecting:
            gc.enable()


def _find_conflicts(
    containers: Mapping[str, Container] | Iterable[Container],
    host: HostSettings | None,
    spans: Mapping[tuple[str, int], Span] | None,
) -> list[Conflict]:
    settings = HostSettings() if host is None else host
    if not isinstance(settings, HostSettings):
        raise PortSpecError(f"host must be HostSettings, not {type(settings).__name__}")
    items = _items(_labelled(containers), settings, spans)

    groups: dict[tuple[int, Protocol], list[tuple[int, int, int, HostAddress | None]]] = {}
    # Per group: the first user of ephemeral ports, the first wildcard one, by address.
    users: dict[tuple[int, Protocol], tuple[int, int, dict[HostAddress, int]]] = {}
    unset = len(items)
    for item_id, item in enumerate(items):
        for protocol in item.protocols:
            for family, address in item.targets:
                key = (family, protocol)
                if item.kind != _EPHEMERAL:
                    groups.setdefault(key, []).append((item.start, item_id, item.end, address))
                    continue
                first, first_wild, by_address = users.get(key, (unset, unset, {}))
                if address is None:
                    first_wild = min(first_wild, item_id)
                else:
                    by_address.setdefault(address, item_id)
                users[key] = (min(first, item_id), first_wild, by_address)

    found = _Found()
    for (family, _), records in groups.items():
        _sweep(items, records, family, found)

    results: list[tuple[tuple[int, int, str], Conflict]] = []

    def add(code: str, a: int, b: int, overlap: _Overlap, certain: bool) -> None:
        addresses, low, high = overlap
        first, second = (a, b) if a < b else (b, a)
        mapping = items[a].side.mapping
        protocol = mapping.protocol if mapping is not None else Protocol.TCP
        conflict = Conflict(
            code,
            items[first].side,
            items[second].side,
            protocol,
            tuple(sorted(addresses, key=_address_order)),
            PortRange(low, high),
            certain,
        )
        results.append(((first, second, code), conflict))

    for (a, b), overlap in found.fixed.items():
        same = items[a].owner == items[b].owner and items[a].side.mapping == items[b].side.mapping
        add("PS105" if same else "PS101", a, b, overlap, not same)

    for dyn, pairs in found.dynamic.items():
        item = items[dyn]
        full = _covers([(low, high) for _, low, high in pairs.values()], item.start, item.end)
        for fix, overlap in pairs.items():
            add("PS102" if full else "PS103", dyn, fix, overlap, full)

    low_e, high_e = settings.ephemeral
    if users:
        for item_id, item in enumerate(items):
            if item.kind != _FIXED or item.end < low_e or item.start > high_e:
                continue
            user = unset
            for family, address in item.targets:
                entry = users.get((family, item.protocols[0]))
                if entry is None:
                    continue
                first, first_wild, by_address = entry
                if address is None:
                    user = min(user, first)
                else:
                    user = min(user, first_wild, by_address.get(address, unset))
            if user != unset:
                shared = _shared_addresses(item, items[user])
                overlap = (shared, max(item.start, low_e), min(item.end, high_e))
                add("PS104", item_id, user, overlap, False)

    results.sort(key=lambda pair: pair[0])
    return [conflict for _, conflict in results]


# ------------------------------------------------------------------ links


def find_link_problems(
    containers: Mapping[str, Container] | Iterable[Container],
) -> list[LinkProblem]:
    """Links to containers that are not there, to themselves, twice by alias, or in a cycle.

    >>> from portspec import parse_docker_run
    >>> found = find_link_problems({"a": parse_docker_run("--link b"),
    ...                             "b": parse_docker_run("--link a")})
    >>> [(p.code, p.cycle) for p in found]
    [('PS114', ('a', 'b', 'a'))]
    """
    pairs = _labelled(containers)
    labels = {label for label, _ in pairs}
    problems: list[LinkProblem] = []
    edges: dict[str, list[tuple[str, Link]]] = {}
    for label, container in pairs:
        aliases: set[str] = set()
        out = edges.setdefault(label, [])
        for link in container.links:
            # docker inspect writes names as /name; Docker resolves them the same.
            target = link.name[1:] if link.name.startswith("/") else link.name
            if link.alias in aliases:
                problems.append(
                    LinkProblem("PS112", label, link, f"alias {link.alias!r} is used twice")
                )
            aliases.add(link.alias)
            if target == label:
                problems.append(
                    LinkProblem("PS113", label, link, "a container cannot link to itself")
                )
            elif target not in labels:
                problems.append(
                    LinkProblem("PS111", label, link, f"no container or service named {target!r}")
                )
            else:
                out.append((target, link))
    problems.extend(_cycles(edges))
    return problems


def _cycles(edges: dict[str, list[tuple[str, Link]]]) -> list[LinkProblem]:
    """One problem per strongly connected group of links, naming one cycle in it."""
    order = {label: i for i, label in enumerate(edges)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, next_edge = work.pop()
            if next_edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            out = edges[node]
            if next_edge < len(out):
                work.append((node, next_edge + 1))
                target = out[next_edge][0]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])

    problems: list[LinkProblem] = []
    for component in sorted(components, key=lambda c: min(order[m] for m in c)):
        members = set(component)
        start = min(component, key=order.__getitem__)
        path = [start]
        seen = {start: 0}
        links: list[Link] = []
        node = start
        while True:
            target, link = next((t, lk) for t, lk in edges[node] if t in members)
            links.append(link)
            if target in seen:
                cycle = [*path[seen[target] :], target]
                first_link = links[seen[target]]
                break
            seen[target] = len(path)
            path.append(target)
            node = target
        problems.append(
            LinkProblem(
                "PS114",
                cycle[0],
                first_link,
                "links form a cycle: " + " -> ".join(cycle),
                tuple(cycle),
            )
        )
    return problems
