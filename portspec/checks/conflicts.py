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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address

from portspec._collector import paused
from portspec.codes import (
    CODES,
    DUPLICATE_MAPPING,
    DYNAMIC_RANGE_CONTENDED,
    DYNAMIC_RANGE_EXHAUSTED,
    EPHEMERAL_COLLISION,
    HOST_PORT_BOUND,
    LINK_ALIAS_TWICE,
    LINK_CYCLE,
    LINK_TO_ITSELF,
    LINK_UNDEFINED,
)
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

_UNSPECIFIED: dict[int, HostAddress] = {4: IPv4Address(0), 6: IPv6Address(0)}

_FIXED, _DYNAMIC, _EPHEMERAL = 0, 1, 2


@dataclass(frozen=True, slots=True)
class HostSettings:
    """What portspec assumes of the Docker host it checks for.

    ``ephemeral`` is the range Docker takes a port from when none is given
    (Linux ``net.ipv4.ip_local_port_range``; moby falls back to 49153-65535
    when it cannot read it). ``ipv6`` says whether a mapping with no host
    address is also bound on ``::``. ``engine_version`` is the Docker Engine
    as (major, minor), ``None`` for the latest: how ports are allocated
    changed in 27.0 and 28.3 (see ``portspec.checks.simulate``).

    >>> HostSettings().ephemeral, HostSettings(ephemeral=(49153, 65535)).ephemeral
    ((32768, 60999), (49153, 65535))
    """

    ephemeral: tuple[int, int] = (32768, 60999)
    ipv6: bool = True
    engine_version: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        start, end = self.ephemeral
        if not 1 <= start <= end <= 65535:
            raise PortSpecError(f"invalid ephemeral port range {start}-{end}")
        version = self.engine_version
        if version is not None and not (
            isinstance(version, tuple)
            and len(version) == 2
            and all(isinstance(part, int) and part >= 0 for part in version)
        ):
            raise PortSpecError(f"invalid engine version {version!r}: expected (major, minor)")


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
        return CODES[self.code].phrase

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


class _Item:
    """One binding to place: built for every mapping, so kept light (no dataclass)."""

    __slots__ = (
        "end",
        "index",
        "kind",
        "label",
        "made",
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
        self.made: ConflictSide | None = None

    @property
    def side(self) -> ConflictSide:
        """The binding as a conflict names it; made once, for the bindings that conflict.

        A binding repeated n times is a side of n - 1 conflicts, all with this one value.
        """
        made = self.made
        if made is None:
            made = self.made = ConflictSide(self.label, self.index, self.mapping, self.span)
        return made


def _targets(
    address: HostAddress | None, ipv6: bool, exact: bool = False
) -> tuple[tuple[int, HostAddress | None], ...]:
    """Where a binding lands: (family, address), None for the wildcard of the family.

    With ``exact``, an unspecified address is an address like another and
    meets only itself (UDP from Engine 27.0 to 28.2).
    """
    if address is None:
        if exact:
            return ((4, _UNSPECIFIED[4]), (6, _UNSPECIFIED[6])) if ipv6 else ((4, _UNSPECIFIED[4]),)
        return ((4, None), (6, None)) if ipv6 else ((4, None),)
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    family = 4 if isinstance(address, IPv4Address) else 6
    return ((family, None if address.is_unspecified and not exact else address),)


def _engine(settings: HostSettings) -> tuple[int, int]:
    return settings.engine_version or (99, 0)


def _udp_exact(settings: HostSettings) -> bool:
    """Engine 27.0 to 28.2: UDP bindings on overlapping addresses do not stop each other.

    The daemon binds the sockets itself with SO_REUSEADDR (moby v27.0.1
    ``libnetwork/drivers/bridge/port_mapping_linux.go``, ``bindTCPOrUDP``) and
    the allocator checks only the address asked for; from 28.3 it checks the
    unspecified address too (v28.3.0 ``libnetwork/portallocator``).
    """
    return (27, 0) <= _engine(settings) < (28, 3)


# Each protocol alone, the protocols of a binding that is not ``-P``.
_ONE = {protocol: (protocol,) for protocol in Protocol}


def _items(
    pairs: list[tuple[str, Container]],
    settings: HostSettings,
    spans: Mapping[tuple[str, int], Span] | None,
) -> list[_Item]:
    low, high = settings.ephemeral
    items: list[_Item] = []
    ipv6 = settings.ipv6
    udp_exact = _udp_exact(settings)
    # Containers share a few addresses between many mappings.
    targets: dict[tuple[HostAddress | None, bool], tuple[tuple[int, HostAddress | None], ...]] = {}
    for owner, (label, container) in enumerate(pairs):
        if not container.publishes:
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
            exact = udp_exact and mapping.protocol is Protocol.UDP
            found = targets.get((address, exact))
            if found is None:
                found = targets[address, exact] = _targets(address, ipv6, exact)
            items.append(
                _Item(
                    label,
                    index,
                    mapping,
                    span,
                    owner,
                    kind,
                    _ONE[mapping.protocol],
                    found,
                    start,
                    end,
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
    #: (family, protocol) -> the first binding of each class the sweep met:
    #: (kind, start, end, address) -> its id.
    firsts: dict[tuple[int, Protocol], dict[tuple[int, int, int, HostAddress | None], int]] = field(
        default_factory=dict
    )
    #: dynamic id -> {fixed id: (addresses, start, end)}
    dynamic: dict[int, dict[int, _Overlap]] = field(default_factory=dict)
    #: dynamic id -> the later dynamic ids of the same range on the same address
    copies: dict[int, list[int]] = field(default_factory=dict)
    #: (earlier dynamic id, later dynamic id) -> overlap, addresses apart
    shared: dict[tuple[int, int], _Overlap] = field(default_factory=dict)


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
    firsts: dict[tuple[int, int, int, HostAddress | None], int],
) -> None:
    """Pair every binding with the ones it overlaps; a copy meets only its first occurrence.

    Bindings of one kind, address and host ports (container ports aside) are
    one class: the first of a class is swept, a later one is paired with it
    alone, so n copies give n - 1 findings. A dynamic range is paired with
    the first other range it meets: they draw from one pool, and which ports
    each gets depends on the order and on the cursors' history.
    """
    # By start, then by id: ids are unique, so the addresses are never compared.
    records.sort()
    fixed, dynamic = _Pool(), _Pool()
    for start, item_id, end, address in records:
        kind = items[item_id].kind
        first = firsts.setdefault((kind, start, end, address), item_id)
        if first != item_id:
            shared = address or _UNSPECIFIED[family]
            if kind == _FIXED:
                entry = found.fixed.setdefault((first, item_id), ([], start, end))
                if shared not in entry[0]:
                    entry[0].append(shared)
            else:
                copies = found.copies.setdefault(first, [])
                if item_id not in copies:
                    copies.append(item_id)
            continue
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
        if kind == _DYNAMIC and dynamic:
            meets = dynamic.overlapping(address, start)
            if meets:
                other_end, other_id, other_address = min(meets, key=lambda entry: entry[1])
                shared = address or other_address or _UNSPECIFIED[family]
                key = (other_id, item_id) if other_id < item_id else (item_id, other_id)
                entry = found.shared.setdefault(key, ([], start, min(end, other_end)))
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


def _ordered(
    addresses: list[HostAddress], known: dict[tuple[int, ...], tuple[HostAddress, ...]]
) -> tuple[HostAddress, ...]:
    """The addresses in order, IPv4 first; ``known`` keeps the orders already made.

    It is keyed by the objects (which the bindings hold for the whole call),
    as hashing an address is slow.
    """
    key = tuple(map(id, addresses))
    found = known.get(key)
    if found is None:
        found = known[key] = tuple(sorted(addresses, key=_address_order))
    return found


def _covers(intervals: list[tuple[int, int]], start: int, end: int) -> bool:
    reach = start - 1
    for low, high in sorted(intervals):
        if low > reach + 1:
            return False
        reach = max(reach, high)
        if reach >= end:
            return True
    return reach >= end


def _group_key(item: _Item) -> object:
    mapping = item.mapping
    assert mapping is not None
    return (item.owner, mapping.container, mapping.protocol, mapping.host)


def _one_group(a: _Item, b: _Item) -> bool:
    """Two ranges of one container that Engine 27+ gives one port (moby needSamePort)."""
    ma, mb = a.mapping, b.mapping
    return (
        a.owner == b.owner
        and ma is not None
        and mb is not None
        and (ma.container, ma.protocol, ma.host) == (mb.container, mb.protocol, mb.host)
    )


def _covered(intervals: list[tuple[int, int]], start: int, end: int) -> int:
    """How many ports of start-end the intervals cover."""
    count, reach = 0, start - 1
    for low, high in sorted(intervals):
        first, last = max(low, reach + 1), min(high, end)
        if first <= last:
            count += last - first + 1
            reach = last
    return count


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
    with paused():
        return _find_conflicts(containers, host, spans)


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
    # A fixed binding with the protocol, host ports and addresses of an
    # earlier one (``-p 80:80`` written twice) meets in each family just what
    # that one meets first, and nothing after it: it is paired after the
    # sweep instead of swept. Equal addresses share one targets tuple.
    classes: dict[tuple[Protocol, int, int, int], int] = {}
    repeats: dict[int, list[int]] = {}
    for item_id, item in enumerate(items):
        if item.kind == _FIXED:
            head = classes.setdefault(
                (item.protocols[0], item.start, item.end, id(item.targets)), item_id
            )
            if head != item_id:
                repeats.setdefault(head, []).append(item_id)
                continue
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
    legacy = _engine(settings) < (27, 0)
    for (family, protocol), records in groups.items():
        firsts = found.firsts[family, protocol] = {}
        _sweep(items, records, family, found, firsts)

    # Each conflict and its place in the output: (first id, second id, code).
    results: list[Conflict] = []
    keys: list[tuple[int, int, str]] = []
    # Values many conflicts share (n copies of a binding give n - 1), made once.
    ranges: dict[tuple[int, int], PortRange] = {}
    orders: dict[tuple[int, ...], tuple[HostAddress, ...]] = {}

    def add(code: str, a: int, b: int, overlap: _Overlap, certain: bool) -> None:
        addresses, low, high = overlap
        first, second = (a, b) if a < b else (b, a)
        mapping = items[a].mapping
        protocol = mapping.protocol if mapping is not None else Protocol.TCP
        ports = ranges.get((low, high))
        if ports is None:
            ports = ranges[low, high] = PortRange(low, high)
        conflict = Conflict(
            code,
            items[first].side,
            items[second].side,
            protocol,
            _ordered(addresses, orders),
            ports,
            certain,
        )
        results.append(conflict)
        keys.append((first, second, code))

    # Two bindings of one container on overlapping addresses: refused, except
    # UDP ones the grouped allocator binds with SO_REUSEADDR (Engine 27+).
    udp_reuse = not legacy

    def add_fixed(a: int, b: int, overlap: _Overlap) -> None:
        one = items[a].owner == items[b].owner
        mine, theirs = items[a].mapping, items[b].mapping
        same = one and (mine is theirs or mine == theirs)
        udp = items[a].protocols == (Protocol.UDP,)
        code = DUPLICATE_MAPPING.code if same else HOST_PORT_BOUND.code
        add(code, a, b, overlap, not (one and udp and udp_reuse))

    for head, later in repeats.items():
        repeated = items[head]
        # What the copies meet: in each family, the first of their class.
        met: dict[int, list[HostAddress]] = {}
        for family, address in repeated.targets:
            firsts = found.firsts[family, repeated.protocols[0]]
            met_first = firsts[(_FIXED, repeated.start, repeated.end, address)]
            spot = address or _UNSPECIFIED[family]
            addresses = met.setdefault(met_first, [])
            if spot not in addresses:
                addresses.append(spot)
        for met_first, addresses in met.items():
            overlap = (addresses, repeated.start, repeated.end)
            for copy in later:
                add_fixed(met_first, copy, overlap)
    for (a, b), overlap in found.fixed.items():
        add_fixed(a, b, overlap)

    for dyn, pairs in found.dynamic.items():
        item = items[dyn]
        full = _covers([(low, high) for _, low, high in pairs.values()], item.start, item.end)
        for fix, overlap in pairs.items():
            add(
                DYNAMIC_RANGE_EXHAUSTED.code if full else DYNAMIC_RANGE_CONTENDED.code,
                dyn,
                fix,
                overlap,
                full,
            )

    # A range on one address gives each of its users its own port: more users
    # than free ports and the last ones are refused, whatever the order.
    contended = {side for pair in found.shared for side in pair}
    for first, copies in found.copies.items():
        item = items[first]
        pairs = found.dynamic.get(first, {})
        taken = _covered([(low, high) for _, low, high in pairs.values()], item.start, item.end)
        free = item.end - item.start + 1 - taken
        shared = _shared_addresses(item, item)
        if free <= 0:
            # Fixed bindings take the whole range: the first is reported with
            # them, each copy with the first.
            for copy in sorted(copies):
                add(DYNAMIC_RANGE_EXHAUSTED.code, first, copy, (shared, item.start, item.end), True)
            continue
        ordered = sorted(copies)
        if not legacy and item.protocols != (Protocol.UDP,):
            # Engine 27+ gives one port to the bindings of a container that
            # differ only in address (moby needSamePort): a TCP copy then
            # binds that port twice and the container is refused.
            heads: dict[object, int] = {}
            twice: set[int] = set()
            for member in (first, *ordered):
                head = heads.setdefault(_group_key(items[member]), member)
                if head != member:
                    code = (
                        DUPLICATE_MAPPING.code
                        if items[member].mapping == items[head].mapping
                        else HOST_PORT_BOUND.code
                    )
                    add(code, head, member, (shared, item.start, item.end), True)
                    twice.add(member)
            ordered = [c for c in ordered if c not in twice]
        for copy in ordered[max(free - 1, 0) :]:
            add(DYNAMIC_RANGE_EXHAUSTED.code, first, copy, (shared, item.start, item.end), True)
        if taken or first in contended:
            # The first one contends with other bindings: so does each copy.
            for copy in ordered[: free - 1]:
                add(
                    DYNAMIC_RANGE_CONTENDED.code, first, copy, (shared, item.start, item.end), False
                )

    for (a, b), overlap in found.shared.items():
        if not legacy and items[a].protocols != (Protocol.UDP,) and _one_group(items[a], items[b]):
            add(HOST_PORT_BOUND.code, a, b, overlap, True)
        else:
            add(DYNAMIC_RANGE_CONTENDED.code, a, b, overlap, False)

    if not legacy:
        # No host port: one group's bindings share the port Docker picks, and
        # two TCP ones on overlapping addresses cannot both bind it.
        earlier: dict[object, list[int]] = {}
        for item_id, item in enumerate(items):
            if item.kind != _EPHEMERAL or item.mapping is None or item.protocols == (Protocol.UDP,):
                continue
            members = earlier.setdefault(_group_key(item), [])
            for other in members:
                shared = _shared_addresses(items[other], item)
                if shared:
                    code = (
                        DUPLICATE_MAPPING.code
                        if items[other].mapping == item.mapping
                        else HOST_PORT_BOUND.code
                    )
                    low, high = settings.ephemeral
                    add(code, other, item_id, (shared, low, high), True)
                    break
            else:
                members.append(item_id)

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
                add(EPHEMERAL_COLLISION.code, item_id, user, overlap, False)

    return [results[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]


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
        aliases: dict[str, str] = {}
        out = edges.setdefault(label, [])
        for link in container.links:
            # docker inspect writes names as /name; Docker resolves them the same.
            target = link.name[1:] if link.name.startswith("/") else link.name
            # The same link twice is one (moby's name registrar reserves a name
            # again for the same container); another target is ignored.
            first = aliases.setdefault(link.alias, target)
            if first != target:
                problems.append(
                    LinkProblem(
                        LINK_ALIAS_TWICE.code,
                        label,
                        link,
                        f"alias {link.alias!r} is used twice: it already names {first}",
                    )
                )
            if target == label:
                problems.append(
                    LinkProblem(
                        LINK_TO_ITSELF.code, label, link, "a container cannot link to itself"
                    )
                )
            elif target not in labels:
                problems.append(
                    LinkProblem(
                        LINK_UNDEFINED.code,
                        label,
                        link,
                        f"no container or service named {target!r}",
                    )
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
                LINK_CYCLE.code,
                cycle[0],
                first_link,
                "links form a cycle: " + " -> ".join(cycle),
                tuple(cycle),
            )
        )
    return problems
