"""Containers started one after another, granted host ports as the Docker Engine grants them.

``simulate_starts`` replays moby's port allocation for containers in start
order, from a daemon that holds nothing yet, and says for each one whether it
starts (and with which host ports), is refused (and by which binding), or
*depends* on what cannot be known from the plan: which port Docker picked for
an earlier binding without a host port.

Two allocators are modelled, chosen by ``HostSettings.engine_version``:

*Per address, Engine before 27* (moby v20.10.24
``vendor/github.com/docker/libnetwork/portallocator/portallocator.go``,
unchanged in v26.1.5 ``libnetwork/portallocator/portallocator.go``). The
allocator keeps a table of taken ports per host address string (``0.0.0.0``
and ``::`` are addresses like any other) and protocol, and one cursor per
address, protocol and range (``"8000-8010"``) that starts at the range's
end, so the first pick is the range's first port. A binding with no host
address is two bindings, ``0.0.0.0`` then ``::`` (``drivers/bridge/
port_mapping.go``, ``allocatePortsInternal``), each picking its own port. An
address the allocator does not see as taken can still be held on an
overlapping address: the userland proxy (or the dummy proxy) then fails to
bind (``portmapper/mapper.go``, ``MapRange``), and only a binding without a
host port is tried again (``allocatePort``: "no point in immediately retrying
to map an explicitly chosen port", which holds for ranges too). The order in
which one container's bindings are made comes from go-connections'
``nat.SortPortMap`` (``vendor/github.com/docker/go-connections/nat/sort.go``),
whose comparison is not a strict order, over the container ports in Go map
order (``daemon/network.go``, ``buildCreateEndpointOptions``): every order
the map can give is tried, and where they disagree the outcome depends.

*Grouped, Engine 27 and later* (moby v28.5.2
``libnetwork/drivers/bridge/port_mapping_linux.go``, ``addPortMappings``):
bindings are sorted by ``cmpPortBinding`` (fixed ports first), those that
differ only in host address are one group and get one port
(``RequestPortsInRange``), the daemon binds the sockets itself with
``SO_REUSEADDR`` (``bindTCPOrUDP``), and a range or an ephemeral request is
tried up to 10 times (``bindHostPorts``). From 28.3 (v28.3.0
``libnetwork/portallocator/portallocator.go``) a request on an unspecified
address also checks every address of its family, and one on a specific
address checks the unspecified one; before, each address is its own table
and an overlap is found only when a TCP socket listens. UDP sockets the
daemon binds with ``SO_REUSEADDR`` never stop each other.

``simulate_up`` plays ``docker compose up`` on top: services in dependency
order, independent ones in parallel, replicas one after another, and the run
stopped at the first container it cannot start.

The per-address model is checked against a real daemon (Engine 20.10) in
``tests/engine/test_scenarios.py`` and, for Compose, in
``tests/engine/test_compose_order.py``; the grouped one follows the source.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from typing import TYPE_CHECKING, Literal

from portspec.checks.conflicts import (
    Conflict,
    ConflictSide,
    HostSettings,
    _labelled,
)
from portspec.codes import (
    DUPLICATE_MAPPING,
    DYNAMIC_RANGE_CONTENDED,
    DYNAMIC_RANGE_EXHAUSTED,
    EPHEMERAL_COLLISION,
    HOST_PORT_BOUND,
)
from portspec.errors import PortSpecError
from portspec.model import Container, HostAddress, PortMapping, PortRange, Protocol

if TYPE_CHECKING:
    from portspec.sources.compose import Project

__all__ = ["Bound", "StartOutcome", "simulate_starts", "simulate_up"]

Status = Literal["starts", "refused", "skipped", "depends"]

_V4_ANY = IPv4Address(0)
_V6_ANY = IPv6Address(0)
#: moby ``maxAllocatePortAttempts`` (``drivers/bridge/bridge.go``).
_ATTEMPTS = 10
#: Orders of a container's ports tried in full up to this many distinct ports.
_PERMUTE = 6
#: Go's sort.Sort is an insertion sort up to 12 elements (pdqsort, Go 1.19+).
_INSERTION = 12
#: Possible daemon states followed at once; beyond, later outcomes depend.
_WORLDS = 32


@dataclass(frozen=True, slots=True)
class Bound:
    """One host binding a started container gets.

    ``address`` is where Docker binds it (``0.0.0.0`` and ``::`` for no
    address; an IPv4-mapped address as IPv4). ``port`` is ``None`` when
    Docker picks it at run time from ``ports`` (no host port: the ephemeral
    range); otherwise ``ports`` is that one port.
    """

    index: int | None
    protocol: Protocol
    address: HostAddress
    port: int | None
    ports: PortRange
    container_port: int

    def __str__(self) -> str:
        where = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        port = str(self.ports) if self.port is None else str(self.port)
        return f"{where}:{port}->{self.container_port}/{self.protocol}"


@dataclass(frozen=True, slots=True)
class StartOutcome:
    """What ``docker run`` (or a service's start) does: starts, is refused, or depends.

    ``bindings`` are the host bindings a started container gets, in the
    order Docker makes them. ``conflict`` is what refuses it (``first`` holds
    the port, ``second`` is this container's binding), or for ``depends`` what
    may. ``reason`` says in words why.
    """

    label: str
    status: Status
    bindings: tuple[Bound, ...] = ()
    conflict: Conflict | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.status == "starts":
            return f"{self.label}: starts " + (", ".join(map(str, self.bindings)) or "(no ports)")
        return f"{self.label}: {self.status}: {self.reason}"


# ---------------------------------------------------------------- entries


@dataclass(frozen=True, slots=True)
class _Entry:
    """One host binding request: a container port, and a host port, range or none."""

    index: int | None
    mapping: PortMapping | None
    container_port: int
    protocol: Protocol
    address: HostAddress | None
    low: int  # 0, 0: no host port
    high: int

    @property
    def fixed(self) -> bool:
        return self.low != 0 and self.low == self.high


def _unmapped(address: HostAddress | None) -> HostAddress | None:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _entries(container: Container) -> tuple[list[_Entry], list[tuple[int, Protocol]]]:
    """Every binding request, and the container ports without one (exposed, or for -P)."""
    entries: list[_Entry] = []
    bound: set[tuple[int, Protocol]] = set()
    for index, mapping in enumerate(container.publish):
        host, ports = mapping.host, mapping.container
        address = _unmapped(mapping.host_ip)
        for offset, port in enumerate(range(ports.start, ports.end + 1)):
            if host is None or host.end == 0:
                low = high = 0
            elif mapping.is_dynamic_range:
                low, high = host.start, host.end
            else:
                low = high = host.start + offset
            entries.append(_Entry(index, mapping, port, mapping.protocol, address, low, high))
            bound.add((port, mapping.protocol))
    bare: list[tuple[int, Protocol]] = []
    for expose in container.expose:
        if not isinstance(expose.protocol, Protocol):
            continue
        for port in range(expose.ports.start, expose.ports.end + 1):
            key = (port, expose.protocol)
            if key not in bound and key not in bare:
                bare.append(key)
    return entries, bare


# ------------------------------------------------------------------ state


@dataclass(frozen=True, slots=True)
class _Holder:
    owner: int
    label: str
    index: int | None
    mapping: PortMapping | None

    @property
    def side(self) -> ConflictSide:
        return ConflictSide(self.label, self.index, self.mapping)


# A port held at a place Docker picked at run time: (address, low, high, holder).
_Vague = tuple[HostAddress, int, int, _Holder]
_UNKNOWN = -1  # a cursor whose position the plan does not tell


class _World:
    """One possible state of the daemon: ports taken, sockets bound, cursors."""

    __slots__ = ("alloc", "cursors", "sockets", "vague")

    def __init__(self) -> None:
        #: (protocol, address) -> port -> holder: the allocator's tables.
        self.alloc: dict[tuple[Protocol, HostAddress], dict[int, _Holder]] = {}
        #: (protocol, family, port) -> address -> (holder, reuse): bound sockets.
        self.sockets: dict[tuple[Protocol, int, int], dict[HostAddress, _Holder]] = {}
        #: (protocol, family) -> ports held where the plan cannot tell.
        self.vague: dict[tuple[Protocol, int], list[_Vague]] = {}
        #: (protocol, address, low, high) -> the last port given from that range.
        self.cursors: dict[tuple[Protocol, HostAddress, int, int], int] = {}

    def copy(self) -> _World:
        new = _World()
        new.alloc = {key: dict(value) for key, value in self.alloc.items()}
        new.sockets = {key: dict(value) for key, value in self.sockets.items()}
        new.vague = {key: list(value) for key, value in self.vague.items()}
        new.cursors = dict(self.cursors)
        return new

    def fingerprint(self) -> object:
        return (
            frozenset((k, frozenset(v.items())) for k, v in self.alloc.items() if v),
            frozenset((k, frozenset(v.items())) for k, v in self.sockets.items() if v),
            frozenset((k, tuple(v)) for k, v in self.vague.items() if v),
            frozenset(self.cursors.items()),
        )


def _family(address: HostAddress) -> int:
    return address.version


def _overlap(a: HostAddress, b: HostAddress) -> bool:
    return a == b or a.is_unspecified or b.is_unspecified


class _Fork(Exception):
    """The next step depends on a port the plan does not tell: both ways are followed."""

    def __init__(self, conflict: Conflict) -> None:
        super().__init__()
        self.conflict = conflict


class _Refused(Exception):
    def __init__(self, conflict: Conflict, reason: str) -> None:
        super().__init__()
        self.conflict = conflict
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Model:
    grouped: bool  # Engine 27+
    cross_alloc: bool  # Engine 28.3+
    udp_kernel: bool  # UDP sockets of two bindings stop each other (before 27)
    ipv6: bool
    ephemeral: tuple[int, int]


def _model(settings: HostSettings) -> _Model:
    version = settings.engine_version or (99, 0)
    return _Model(
        grouped=version >= (27, 0),
        cross_alloc=version >= (28, 3),
        udp_kernel=version < (27, 0),
        ipv6=settings.ipv6,
        ephemeral=settings.ephemeral,
    )


class _Run:
    """One attempt to start one container in one world; raises _Refused or _Fork.

    ``lenient`` takes every binding whose outcome depends on a port picked at
    run time as granted (a range then holds a port the plan cannot tell).
    """

    def __init__(  # noqa: PLR0917 - internal, one call site
        self,
        world: _World,
        model: _Model,
        owner: int,
        label: str,
        container: Container,
        lenient: bool = False,
    ) -> None:
        self.world, self.model = world, model
        self.owner, self.label, self.container = owner, label, container
        self.lenient = lenient
        self.made: list[tuple[Protocol, HostAddress, int | None, _Vague | None]] = []
        self.bindings: list[Bound] = []
        self.cursor_log: list[tuple[tuple[Protocol, HostAddress, int, int], int | None]] = []

    def run(self, order: Sequence[_Entry]) -> None:
        if self.model.grouped:
            self.grouped(order)
        else:
            for entry in order:
                for address in self.targets(entry):
                    self.legacy_one(entry, address)

    # ------------------------------------------------------------ helpers

    def holder(self, entry: _Entry) -> _Holder:
        return _Holder(self.owner, self.label, entry.index, entry.mapping)

    def conflict(  # noqa: PLR0917 - internal
        self,
        code: str,
        first: _Holder,
        entry: _Entry,
        address: HostAddress,
        ports: PortRange,
        certain: bool = True,
    ) -> Conflict:
        mine = self.holder(entry)
        if (
            code == HOST_PORT_BOUND.code
            and first.owner == self.owner
            and first.mapping == mine.mapping
        ):
            code = DUPLICATE_MAPPING.code
        return Conflict(code, first.side, mine.side, entry.protocol, (address,), ports, certain)

    def set_cursor(self, key: tuple[Protocol, HostAddress, int, int], value: int) -> None:
        self.cursor_log.append((key, self.world.cursors.get(key)))
        self.world.cursors[key] = value

    def restore_cursors(self, world: _World) -> None:
        for key, old in reversed(self.cursor_log):
            if old is None:
                world.cursors.pop(key, None)
            else:
                world.cursors[key] = old

    def kernel_stops(self, protocol: Protocol) -> bool:
        return protocol is not Protocol.UDP or self.model.udp_kernel

    def socket_holder(self, protocol: Protocol, address: HostAddress, port: int) -> _Holder | None:
        bound = self.world.sockets.get((protocol, _family(address), port))
        if bound:
            for other, holder in bound.items():
                if _overlap(address, other):
                    return holder
        return None

    def vague_holder(
        self, protocol: Protocol, address: HostAddress, low: int, high: int, exact: bool
    ) -> _Holder | None:
        if self.lenient:
            return None
        for other, v_low, v_high, holder in self.world.vague.get((protocol, _family(address)), ()):
            same = other == address if exact else _overlap(address, other)
            if same and v_low <= high and low <= v_high:
                return holder
        return None

    def may_hold(self, entry: _Entry, address: HostAddress, port: int, exact: bool) -> None:
        """Fork when a port picked at run time may be ``port``."""
        holder = self.vague_holder(entry.protocol, address, port, port, exact)
        if holder is not None:
            raise _Fork(
                self.conflict(
                    EPHEMERAL_COLLISION.code, holder, entry, address, PortRange.single(port), False
                )
            )

    def take(
        self, entry: _Entry, address: HostAddress, port: int | None, span: tuple[int, int]
    ) -> None:
        protocol = entry.protocol
        holder = self.holder(entry)
        vague: _Vague | None = None
        if port is None:
            vague = (address, span[0], span[1], holder)
            self.world.vague.setdefault((protocol, _family(address)), []).append(vague)
        else:
            self.world.alloc.setdefault((protocol, address), {})[port] = holder
            self.world.sockets.setdefault((protocol, _family(address), port), {})[address] = holder
        self.made.append((protocol, address, port, vague))
        low, high = (port, port) if port is not None else span
        self.bindings.append(
            Bound(entry.index, protocol, address, port, PortRange(low, high), entry.container_port)
        )

    def release(self, keep: int = 0) -> None:
        """Give back the ports taken after the first ``keep`` (cursors stay where they are)."""
        while len(self.made) > keep:
            protocol, address, port, vague = self.made.pop()
            self.bindings.pop()
            if vague is not None:
                self.world.vague[(protocol, _family(address))].remove(vague)
                continue
            assert port is not None
            self.world.alloc[(protocol, address)].pop(port, None)
            self.world.sockets[(protocol, _family(address), port)].pop(address, None)

    def targets(self, entry: _Entry) -> list[HostAddress]:
        address = entry.address
        if address is None:
            return [_V4_ANY, _V6_ANY] if self.model.ipv6 else [_V4_ANY]
        return [address]

    def refuse_held(
        self, entry: _Entry, address: HostAddress, port: int, span: tuple[int, int] | None
    ) -> None:
        """Refuse when a socket on an overlapping address holds the port (bind fails)."""
        if not self.kernel_stops(entry.protocol):
            return
        held = self.socket_holder(entry.protocol, address, port)
        if held is not None:
            code = HOST_PORT_BOUND.code if span is None else DYNAMIC_RANGE_CONTENDED.code
            raise _Refused(
                self.conflict(code, held, entry, address, PortRange.single(port)),
                f"{entry.protocol}/{port} is bound on an address overlapping {address}",
            )

    def exhausted(
        self, entry: _Entry, address: HostAddress, check: Sequence[HostAddress]
    ) -> _Refused:
        holder = None
        for other in check:
            table = self.world.alloc.get((entry.protocol, other), {})
            holder = next((table[p] for p in range(entry.low, entry.high + 1) if p in table), None)
            if holder is not None:
                break
        assert holder is not None
        return _Refused(
            self.conflict(
                DYNAMIC_RANGE_EXHAUSTED.code,
                holder,
                entry,
                address,
                PortRange(entry.low, entry.high),
            ),
            f"all ports of {entry.protocol}/{entry.low}-{entry.high} on {address} are allocated",
        )

    def pick(self, entry: _Entry, address: HostAddress, check: Sequence[HostAddress]) -> int | None:
        """The port findPort gives next from the range's cursor; None: one the plan cannot tell."""
        protocol, low, high = entry.protocol, entry.low, entry.high
        tables = [self.world.alloc.get((protocol, other), {}) for other in check]
        last = self.world.cursors.get((protocol, address, low, high), high)
        if last == _UNKNOWN:
            if all(any(p in t for t in tables) for p in range(low, high + 1)):
                raise self.exhausted(entry, address, check)
            if not self.lenient:
                raise _Fork(
                    self.conflict(
                        DYNAMIC_RANGE_CONTENDED.code,
                        self.vague_any(entry, address, check),
                        entry,
                        address,
                        PortRange(low, high),
                        False,
                    )
                )
            return None
        port = last
        for _ in range(high - low + 1):
            port = low if port >= high else port + 1
            if any(port in table for table in tables):
                continue
            for other in check:
                self.may_hold(entry, other, port, exact=True)
            return port
        raise self.exhausted(entry, address, check)

    def vague_any(
        self, entry: _Entry, address: HostAddress, check: Sequence[HostAddress]
    ) -> _Holder:
        for other in (address, *check):
            holder = self.vague_holder(entry.protocol, other, entry.low, entry.high, exact=False)
            if holder is not None:
                return holder
        return self.holder(entry)

    # ----------------------------------------------------- per address (< 27)

    def legacy_one(self, entry: _Entry, address: HostAddress) -> None:
        protocol = entry.protocol
        if entry.low == 0:
            low, high = self.model.ephemeral
            self.set_cursor((protocol, address, low, high), _UNKNOWN)
            self.take(entry, address, None, (low, high))
            return
        if entry.fixed:
            port = entry.low
            held = self.world.alloc.get((protocol, address), {}).get(port)
            if held is not None:
                raise _Refused(
                    self.conflict(
                        HOST_PORT_BOUND.code, held, entry, address, PortRange.single(port)
                    ),
                    f"{protocol}/{port} on {address} is already allocated",
                )
            self.may_hold(entry, address, port, exact=True)
            self.refuse_held(entry, address, port, None)
            self.may_hold(entry, address, port, exact=False)
            self.take(entry, address, port, (port, port))
            return
        key = (protocol, address, entry.low, entry.high)
        picked = self.pick(entry, address, [address])
        if picked is None:
            self.set_cursor(key, _UNKNOWN)
            self.take(entry, address, None, (entry.low, entry.high))
            return
        # findPort moves the cursor before the proxy binds; a failed bind keeps it moved.
        self.set_cursor(key, picked)
        self.refuse_held(entry, address, picked, (entry.low, entry.high))
        self.may_hold(entry, address, picked, exact=False)
        self.take(entry, address, picked, (picked, picked))

    # ------------------------------------------------------ grouped (27+)

    def grouped(self, order: Sequence[_Entry]) -> None:
        index = 0
        while index < len(order):
            group = [order[index]]
            index += 1
            while index < len(order) and _same_group(order[index - 1], order[index]):
                group.append(order[index])
                index += 1
            self.group(group)

    def checked(self, protocol: Protocol, ips: Sequence[HostAddress]) -> list[HostAddress]:
        """The tables RequestPortsInRange looks at for ``ips`` (all of a family from 28.3)."""
        check = list(ips)
        if not self.model.cross_alloc:
            return check
        for family in sorted({_family(address) for address in ips}):
            unspecified = _V4_ANY if family == 4 else _V6_ANY
            if unspecified in ips:
                check += [
                    other
                    for (proto, other), table in self.world.alloc.items()
                    if proto is protocol and _family(other) == family and other not in check
                ]
                check += [
                    other
                    for other, _, _, _ in self.world.vague.get((protocol, family), ())
                    if other not in check
                ]
            elif unspecified not in check:
                check.append(unspecified)
        return check

    def group(self, group: list[_Entry]) -> None:
        targets = [(entry, address) for entry in group for address in self.targets(entry)]
        head = group[0]
        protocol = head.protocol
        ips: list[HostAddress] = []
        for _, address in targets:
            if address not in ips:
                ips.append(address)
        check = self.checked(protocol, ips)
        if self.kernel_stops(protocol):
            # One port for the whole group: two sockets on overlapping
            # addresses never both bind it, whichever port is tried.
            for n, (entry, address) in enumerate(targets):
                for other_entry, other in targets[:n]:
                    if _family(address) == _family(other) and _overlap(address, other):
                        raise _Refused(
                            self.conflict(
                                HOST_PORT_BOUND.code,
                                self.holder(other_entry),
                                entry,
                                address,
                                PortRange(head.low, head.high),
                            ),
                            f"{protocol} bindings on {other} and {address} need one port",
                        )
        if head.low == 0:
            low, high = self.model.ephemeral
            for address in ips:
                self.set_cursor((protocol, address, low, high), _UNKNOWN)
            for entry, address in targets:
                self.take(entry, address, None, (low, high))
            return
        if head.fixed:
            port = head.low
            for other in check:
                held = self.world.alloc.get((protocol, other), {}).get(port)
                if held is not None:
                    raise _Refused(
                        self.conflict(
                            HOST_PORT_BOUND.code, held, head, other, PortRange.single(port)
                        ),
                        f"{protocol}/{port} on {other} is already allocated",
                    )
                self.may_hold(head, other, port, exact=True)
            self.bind_group(targets, port, None)
            return
        failed: _Refused | None = None
        for _ in range(_ATTEMPTS):
            picked = self.pick(head, ips[0], check)
            if picked is None:
                for address in ips:
                    self.set_cursor((protocol, address, head.low, head.high), _UNKNOWN)
                for entry, address in targets:
                    self.take(entry, address, None, (head.low, head.high))
                return
            for address in ips:
                self.set_cursor((protocol, address, head.low, head.high), picked)
            try:
                self.bind_group(targets, picked, (head.low, head.high))
            except _Refused as refused:
                failed = refused
                continue
            return
        assert failed is not None
        raise failed

    def bind_group(
        self, targets: list[tuple[_Entry, HostAddress]], port: int, span: tuple[int, int] | None
    ) -> None:
        keep = len(self.made)
        try:
            for entry, address in targets:
                self.refuse_held(entry, address, port, span)
                if self.kernel_stops(entry.protocol):
                    self.may_hold(entry, address, port, exact=False)
                self.take(entry, address, port, (port, port))
        except _Refused:
            self.release(keep)
            raise


def _same_group(a: _Entry, b: _Entry) -> bool:
    # moby needSamePort: same container port, protocol and host port range.
    return (a.container_port, a.protocol, a.low, a.high) == (
        b.container_port,
        b.protocol,
        b.low,
        b.high,
    )


# ------------------------------------------------------------------ orders


def _legacy_less(
    a: _Entry | None, pa: tuple[int, Protocol], b: _Entry | None, pb: tuple[int, Protocol]
) -> bool:
    # go-connections nat portMapSorter.Less, as written: not a strict order.
    ha = 0 if a is None else a.low
    hb = 0 if b is None else b.low
    return ha > hb or pa[0] > pb[0] or (pa[0] == pb[0] and pa[1] is Protocol.TCP)


def _legacy_order(
    ports: Sequence[tuple[int, Protocol]],
    by_port: Mapping[tuple[int, Protocol], list[_Entry]],
    publish_all: bool,
) -> tuple[_Entry, ...]:
    """The bindings in the order SortPortMap leaves them, for one Go map order of ``ports``."""
    items: list[tuple[_Entry | None, tuple[int, Protocol]]] = []
    for port in ports:
        entries = by_port.get(port)
        if entries:
            items.extend((entry, port) for entry in entries)
        else:
            items.append((None, port))
    if len(items) <= _INSERTION:
        for i in range(1, len(items)):
            j = i
            while j > 0 and _legacy_less(*items[j], *items[j - 1]):
                items[j], items[j - 1] = items[j - 1], items[j]
                j -= 1
    else:
        items.sort(key=lambda item: (-(item[0].low if item[0] else 0), -item[1][0]))
    order: list[tuple[int, Protocol]] = []
    for _, port in items:
        if port not in order:
            order.append(port)
    result: list[_Entry] = []
    for port in order:
        entries = [entry for entry, p in items if p == port and entry is not None]
        if entries:
            result.extend(entries)
        elif publish_all:
            result.append(_Entry(None, None, port[0], port[1], None, 0, 0))
    return tuple(result)


def _legacy_orders(
    container: Container, entries: list[_Entry], bare: list[tuple[int, Protocol]]
) -> list[tuple[_Entry, ...]]:
    by_port: dict[tuple[int, Protocol], list[_Entry]] = {}
    for entry in entries:
        by_port.setdefault((entry.container_port, entry.protocol), []).append(entry)
    ports = [*by_port, *bare]
    if len(ports) <= _PERMUTE:
        candidates: Iterable[Sequence[tuple[int, Protocol]]] = itertools.permutations(ports)
    else:
        candidates = (ports, ports[::-1])
    found: dict[tuple[_Entry, ...], None] = {}
    for candidate in candidates:
        found.setdefault(_legacy_order(candidate, by_port, container.publish_all))
    return list(found)


def _ip_order(address: HostAddress | None) -> tuple[int, int]:
    # netip.Addr.Compare after Unmap: the zero Addr, then IPv4, then IPv6.
    if address is None:
        return (0, 0)
    return (1 if address.version == 4 else 2, int(address))


_PROTOCOL_ORDER = {Protocol.TCP: 0, Protocol.UDP: 1, Protocol.SCTP: 2}


def _grouped_order(
    entries: list[_Entry], bare: list[tuple[int, Protocol]], publish_all: bool
) -> tuple[_Entry, ...]:
    full = list(entries)
    if publish_all:
        full += [_Entry(None, None, port, protocol, None, 0, 0) for port, protocol in bare]
    full.sort(
        key=lambda e: (
            e.low == 0 or e.low != e.high,
            e.container_port,
            _PROTOCOL_ORDER[e.protocol],
            e.low,
            e.high,
            _ip_order(e.address),
        )
    )
    return tuple(full)


def _order_matters(entries: Sequence[_Entry], model: _Model) -> bool:
    """Whether two bindings of one container might want one host port."""
    spans: dict[tuple[Protocol, int], list[tuple[int, int]]] = {}
    for entry in entries:
        low, high = (entry.low, entry.high) if entry.low else model.ephemeral
        families = (4, 6) if entry.address is None else (entry.address.version,)
        for family in families:
            spans.setdefault((entry.protocol, family), []).append((low, high))
    for found in spans.values():
        found.sort()
        reach = 0
        for low, high in found:
            if low <= reach:
                return True
            reach = max(reach, high)
    return False


# -------------------------------------------------------------- simulation


_Result = tuple[Status, tuple[Bound, ...], Conflict | None, str]


def _attempt(  # noqa: PLR0917 - internal
    world: _World,
    model: _Model,
    owner: int,
    label: str,
    container: Container,
    order: Sequence[_Entry],
) -> list[tuple[_Result, _World]]:
    """Every way starting the container in ``world`` may go (``world`` is consumed)."""
    run = _Run(world, model, owner, label, container)
    try:
        run.run(order)
    except _Refused as refused:
        run.release()
        return [(("refused", (), refused.conflict, refused.reason), world)]
    except _Fork as fork:
        # It depends on a port Docker picked at run time. One way: refused, the
        # cursors moved as far as they did. The other: every such port missed.
        run.release()
        granted = world.copy()
        run.restore_cursors(granted)
        reason = _RUN_TIME
        results: list[tuple[_Result, _World]] = [(("refused", (), fork.conflict, reason), world)]
        lenient = _Run(granted, model, owner, label, container, lenient=True)
        try:
            lenient.run(order)
        except _Refused as refused:
            lenient.release()
            results.append((("refused", (), refused.conflict, refused.reason), granted))
        else:
            results.append((("starts", tuple(lenient.bindings), None, ""), granted))
        return results
    return [(("starts", tuple(run.bindings), None, ""), world)]


def _orders(container: Container, model: _Model) -> list[tuple[_Entry, ...]]:
    """The orders in which Docker may make the container's bindings."""
    entries, bare = _entries(container)
    if model.grouped:
        return [_grouped_order(entries, bare, container.publish_all)]
    orders = _legacy_orders(container, entries, bare)
    if len(orders) > 1 and not _order_matters(orders[0], model):
        return orders[:1]
    return orders


def simulate_starts(
    containers: Mapping[str, Container] | Iterable[Container],
    *,
    host: HostSettings | None = None,
) -> list[StartOutcome]:
    """Start the containers in order on a daemon holding nothing: one outcome each.

    ``containers`` are in start order: a mapping of labels to containers, or
    containers alone (labelled by name, else by position). A refused
    container holds nothing afterwards; the ranges it took ports from keep
    their place, as Docker's do.

    >>> from portspec import parse_docker_run
    >>> plan = [parse_docker_run(f"--name c{i} -p 8000-8001:80") for i in range(3)]
    >>> for outcome in simulate_starts(plan, host=HostSettings(ipv6=False)):
    ...     print(outcome)
    c0: starts 0.0.0.0:8000->80/tcp
    c1: starts 0.0.0.0:8001->80/tcp
    c2: refused: all ports of tcp/8000-8001 on 0.0.0.0 are allocated
    """
    settings = HostSettings() if host is None else host
    if not isinstance(settings, HostSettings):
        raise PortSpecError(f"host must be HostSettings, not {type(settings).__name__}")
    model = _model(settings)
    worlds = [_World()]
    outcomes: list[StartOutcome] = []
    lost = False
    for owner, (label, container) in enumerate(_labelled(containers)):
        if not container.publishes:
            outcomes.append(StartOutcome(label, "starts"))
            continue
        if lost:
            outcomes.append(
                StartOutcome(label, "depends", reason="too many earlier outcomes depend")
            )
            continue
        orders = _orders(container, model)
        results: list[tuple[_Result, _World]] = []
        for world in worlds:
            for number, order in enumerate(orders):
                base = world if number == len(orders) - 1 else world.copy()
                results.extend(_attempt(base, model, owner, label, container, order))
        outcomes.append(_combine(label, [result for result, _ in results], len(worlds)))
        worlds = _distinct([world for _, world in results])
        if len(worlds) > _WORLDS:
            lost = True
    return outcomes


def _canonical(result: _Result) -> object:
    status, bindings, _, _ = result
    if status != "starts":
        return status
    return (
        status,
        tuple(sorted(bindings, key=lambda b: (b.index or -1, b.container_port, str(b)))),
    )


_RUN_TIME = "a port Docker picks at run time may be the one it needs"


def _combine(label: str, results: list[_Result], worlds: int) -> StartOutcome:
    first = results[0]
    if all(_canonical(result) == _canonical(first) for result in results[1:]):
        status, bindings, conflict, reason = first
        return StartOutcome(label, status, bindings, conflict, reason)
    conflict = next((r[2] for r in results if r[2] is not None), None)
    if conflict is not None and conflict.certain:
        conflict = _uncertain(conflict)
    if any(r[3] == _RUN_TIME for r in results):
        reason = _RUN_TIME
    elif worlds > 1:
        reason = "it depends on whether an earlier container started"
    else:
        reason = "the order Docker makes this container's bindings in decides (Go map order)"
    return StartOutcome(label, "depends", (), conflict, reason)


def _distinct(worlds: list[_World]) -> list[_World]:
    if len(worlds) == 1:
        return worlds
    seen: dict[object, _World] = {}
    for world in worlds:
        seen.setdefault(world.fingerprint(), world)
    return list(seen.values())


# ------------------------------------------------------------- compose up

#: Containers of one group of interacting services, and starts tried for it,
#: followed at most; beyond, their outcomes depend.
_MEMBERS = 512
_STARTS = 50_000
#: Pairs of a container and a refusal elsewhere weighed at most.
_PAIRS = 1_000_000


@dataclass(frozen=True, slots=True)
class _Replica:
    """One container ``docker compose up`` starts."""

    label: str
    service: str
    number: int
    container: Container


def _container_label(project: Project, service: str, number: int) -> str:
    name = project.services[service].name or service
    if name != service:  # container_name
        return name
    return f"{project.name}-{service}-{number}"


def _host_spans(
    container: Container, settings: HostSettings
) -> list[tuple[Protocol, int, int, bool]]:
    """Host ports the container may take: (protocol, low, high, ephemeral)."""
    if not container.publishes:
        return []
    spans: list[tuple[Protocol, int, int, bool]] = []
    low, high = settings.ephemeral
    entries, bare = _entries(container)
    for entry in entries:
        if entry.low == 0:
            spans.append((entry.protocol, low, high, True))
        else:
            spans.append((entry.protocol, entry.low, entry.high, False))
    if container.publish_all:
        spans += [(protocol, low, high, True) for _, protocol in bare]
    return spans


def _ancestors(project: Project) -> dict[str, frozenset[str]]:
    """Every service each one waits for, directly or through others."""
    done: dict[str, frozenset[str]] = {}
    for start in project.services:
        if start in done:
            continue
        # Iterative depth-first walk: a long chain is no deep recursion.
        stack: list[tuple[str, list[str]]] = [(start, sorted(project.depends_on.get(start, ())))]
        visiting = {start}
        while stack:
            name, todo = stack[-1]
            if todo:
                target = todo.pop()
                if target not in done and target not in visiting and target in project.services:
                    visiting.add(target)
                    stack.append((target, sorted(project.depends_on.get(target, ()))))
                continue
            stack.pop()
            visiting.discard(name)
            found: set[str] = set()
            for target in project.depends_on.get(name, ()):
                if target in project.services:
                    found.add(target)
                    found |= done.get(target, frozenset())
            done[name] = frozenset(found)
    return done


def _groups(
    services: Sequence[str],
    spans: Mapping[str, list[tuple[Protocol, int, int, bool]]],
    ephemeral: tuple[int, int],
) -> list[list[str]]:
    """Services whose host ports may meet, joined into groups (union-find, linear)."""
    parent = {name: name for name in services}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    fixed: dict[Protocol, list[tuple[int, int, str]]] = {}
    drawing: dict[Protocol, list[str]] = {}  # services taking ephemeral ports
    for name in services:
        for protocol, low, high, from_ephemeral in spans[name]:
            if from_ephemeral:
                drawing.setdefault(protocol, []).append(name)
            else:
                fixed.setdefault(protocol, []).append((low, high, name))
    for protocol, items in fixed.items():
        # Overlapping intervals, swept by start, join one cluster.
        items.sort()
        reach, first = -1, ""
        for low, high, name in items:
            if low <= reach:
                join(name, first)
            else:
                first = name
            reach = max(reach, high)
        # Ephemeral requests never refuse each other; they meet fixed ports in their range.
        takers = drawing.get(protocol, [])
        inside = [name for low, high, name in items if low <= ephemeral[1] and ephemeral[0] <= high]
        if takers and inside:
            for name in [*takers, *inside]:
                join(name, takers[0])
    grouped: dict[str, list[str]] = {}
    for name in services:
        grouped.setdefault(root(name), []).append(name)
    return list(grouped.values())


def simulate_up(project: Project, *, host: HostSettings | None = None) -> list[StartOutcome]:
    """What ``docker compose up`` does with each container of the project: one outcome each.

    Compose starts a service once the services it waits for
    (``Project.depends_on``) have started, independent services in parallel,
    and a service's replicas one after another (docker/compose
    ``pkg/compose/dependencies.go``, ``InDependencyOrder``;
    ``convergence.go``, ``startService``). The first container Docker refuses
    stops the run: the service's later replicas and every service waiting
    for it are not started (``skipped``), and whether a service started in
    parallel got its turn before is a matter of timing (``depends``).
    Where two services start in parallel and the first to bind wins, the
    outcome ``depends`` too, naming them; so does a service that waits for a
    dependency to be healthy or to exit 0, which is up to that program
    (``skipped`` where its healthcheck is disabled).

    Outcomes are in the order of ``project.services``, each service's
    replicas numbered from 1 (``<project>-<service>-<n>``, or the
    ``container_name``); replicas are alike, so the numbers count them in
    the order Compose starts them.

    >>> from portspec import load_compose
    >>> project = load_compose(
    ...     "name: shop\\n"
    ...     "services:\\n"
    ...     "  db: {image: postgres, ports: ['5432:5432']}\\n"
    ...     "  web: {image: nginx, scale: 2, ports: ['8080:80'], depends_on: [db]}\\n"
    ...     "  worker: {image: busybox, depends_on: [web]}\\n"
    ... )
    >>> for outcome in simulate_up(project, host=HostSettings(ipv6=False)):
    ...     print(outcome)
    shop-db-1: starts 0.0.0.0:5432->5432/tcp
    shop-web-1: starts 0.0.0.0:8080->80/tcp
    shop-web-2: refused: tcp/8080 on 0.0.0.0 is already allocated
    shop-worker-1: skipped: it waits for web, and shop-web-2 was refused
    """
    from portspec.sources import compose  # noqa: PLC0415 - sources sit above checks

    if not isinstance(project, compose.Project):
        raise PortSpecError(f"project must be a compose Project, not {type(project).__name__}")
    settings = HostSettings() if host is None else host
    if not isinstance(settings, HostSettings):
        raise PortSpecError(f"host must be HostSettings, not {type(settings).__name__}")
    model = _model(settings)
    ancestors = _ancestors(project)
    replicas: list[_Replica] = []
    for service, container in project.services.items():
        for number in range(1, project.replicas.get(service, 1) + 1):
            label = _container_label(project, service, number)
            replicas.append(_Replica(label, service, number, container))
    spans = {name: _host_spans(c, settings) for name, c in project.services.items()}
    seen: list[dict[object, _Seen]] = [{} for _ in replicas]
    gates = _gates(project)
    group_of = [0] * len(replicas)
    lost: set[int] = set()
    for number, group in enumerate(_groups(list(project.services), spans, settings.ephemeral)):
        members = [i for i, r in enumerate(replicas) if r.service in group]
        for i in members:
            group_of[i] = number
        if not _follow(members, replicas, ancestors, model, seen, gates):
            lost.update(members)
    return _settle(replicas, ancestors, seen, group_of, lost)


#: One way a container's start may go, as seen on one start order.
_Seen = tuple[
    Literal["starts", "refused", "gated", "skipped", "timing"],
    tuple[Bound, ...],
    Conflict | None,
    str,
    int,
]


def _before(a: _Replica, b: _Replica, ancestors: Mapping[str, frozenset[str]]) -> bool:
    """Compose starts ``a`` before ``b`` whatever the timing."""
    if a.service == b.service:
        return a.number < b.number
    return a.service in ancestors.get(b.service, frozenset())


def _gates(project: Project) -> dict[str, tuple[bool, str]]:
    """Services whose start waits for more than a start: (it never starts, why not), by service.

    Compose waits for a ``service_healthy`` dependency to be healthy and a
    ``service_completed_successfully`` one to exit 0, and fails the run when
    it is not (docker/compose ``convergence.go``, ``waitDependencies``; a
    container with no healthcheck is an error there, ``isServiceHealthy``).
    Whether a program becomes healthy or exits 0 no plan tells, nor whether
    an image has a ``HEALTHCHECK`` of its own; a disabled healthcheck never
    turns healthy.
    """
    gates: dict[str, tuple[bool, str]] = {}
    for service, conditions in project.conditions.items():
        ways: list[tuple[bool, str]] = []
        for target, condition in sorted(conditions.items()):
            health = project.healthchecks.get(target)
            if condition == "service_completed_successfully":
                ways.append((False, f"it waits for {target} to exit 0, which is up to {target}"))
            elif health == "off":
                ways.append(
                    (True, f"it waits for {target} to be healthy, and its healthcheck is off")
                )
            elif health == "on":
                ways.append((False, f"it waits for {target} to pass its healthcheck"))
            else:
                ways.append(
                    (
                        False,
                        f"it waits for {target} to be healthy; the file gives it no healthcheck,"
                        " so that is up to its image's (with none, Compose stops)",
                    )
                )
        gates[service] = max(ways, key=lambda way: way[0])
    return gates


def _follow(  # noqa: PLR0917 - internal
    members: list[int],
    replicas: Sequence[_Replica],
    ancestors: Mapping[str, frozenset[str]],
    model: _Model,
    seen: list[dict[object, _Seen]],
    gates: Mapping[str, tuple[bool, str]],
) -> bool:
    """Every start order of one group, each outcome it gives recorded; False if too many."""
    if len(members) > _MEMBERS:
        return False
    waits = {
        i: frozenset(j for j in members if _before(replicas[j], replicas[i], ancestors))
        for i in members
    }
    visited: set[object] = set()
    todo: list[tuple[frozenset[int], _World]] = [(frozenset(), _World())]
    budget = _STARTS
    while todo:
        done, world = todo.pop()
        key = (done, world.fingerprint())
        if key in visited:
            continue
        visited.add(key)
        for i in members:
            if i in done or not waits[i] <= done:
                continue
            budget -= 1
            if budget < 0:
                return False
            replica = replicas[i]
            container = replica.container

            def stop(i: int, done: frozenset[int] = done) -> None:
                """Compose stops here: nothing after this container starts for sure."""
                for j in members:
                    if j in done or j == i:
                        continue
                    if _before(replicas[i], replicas[j], ancestors):
                        _note(seen[j], ("skipped", (), None, "", i))
                    else:
                        _note(seen[j], ("timing", (), None, "", i))

            gate = gates.get(replica.service) if replica.number == 1 else None
            if gate is not None:
                # The wait fails one way (always, where it cannot succeed).
                _note(seen[i], ("gated", (), None, gate[1], -1))
                stop(i)
                if gate[0]:
                    continue
            branches: list[tuple[_Result, _World]] = []
            if not container.publishes:
                branches.append((("starts", (), None, ""), world.copy()))
            else:
                orders = _orders(container, model)
                for order in orders:
                    branches += _attempt(world.copy(), model, i, replica.label, container, order)
            for (status, bindings, conflict, reason), after in branches:
                if status == "starts":
                    _note(seen[i], ("starts", bindings, None, "", -1))
                    todo.append((done | {i}, after))
                    continue
                _note(seen[i], ("refused", (), conflict, reason, -1))
                stop(i)
    return True


def _note(seen: dict[object, _Seen], outcome: _Seen) -> None:
    status, bindings, _, _, cause = outcome
    if status == "starts":
        key: object = (status, tuple(sorted(bindings, key=str)))
    elif status in ("refused", "gated"):
        key = status
    else:
        key = (status, cause)
    seen.setdefault(key, outcome)


def _settle(
    replicas: Sequence[_Replica],
    ancestors: Mapping[str, frozenset[str]],
    seen: list[dict[object, _Seen]],
    group_of: Sequence[int],
    lost: set[int],
) -> list[StartOutcome]:
    """One outcome per container from every way its start was seen to go."""
    refusing = [
        i
        for i, ways in enumerate(seen)
        if i in lost or any(w[0] in ("refused", "gated") for w in ways.values())
    ]
    certain = {i for i in refusing if i not in lost and len(seen[i]) == 1}
    if len(replicas) * len(refusing) > _PAIRS:
        lost = set(range(len(replicas)))
        refusing = []
    # A refusal in another group stops the run too, at a time the plan cannot tell.
    for i, replica in enumerate(replicas):
        for r in refusing:
            other = replicas[r]
            if group_of[r] == group_of[i] or _before(replica, other, ancestors):
                continue
            after = _before(other, replica, ancestors)
            way: Literal["skipped", "timing"] = "skipped" if after and r in certain else "timing"
            _note(seen[i], (way, (), None, "", r))
    outcomes: list[StartOutcome] = []
    for i, replica in enumerate(replicas):
        label = replica.label
        ways = list(seen[i].values())
        if i in lost:
            outcomes.append(
                StartOutcome(label, "depends", reason="too many start orders to follow")
            )
            continue
        causes = [w[4] for w in ways if w[0] == "skipped" and (w[4] in certain or len(ways) == 1)]
        if causes or all(w[0] == "skipped" for w in ways):
            number = causes[0] if causes else ways[0][4]
            cause = replicas[number]
            fate = "was not started" if "gated" in seen[number] else "was refused"
            if cause.service == replica.service:
                why = f"{cause.label} {fate} and Compose starts no more of {cause.service}"
            else:
                why = f"it waits for {cause.service}, and {cause.label} {fate}"
            outcomes.append(StartOutcome(label, "skipped", reason=why))
            continue
        gated = [w[3] for w in ways if w[0] == "gated"]
        if gated and not any(w[0] in ("starts", "refused") for w in ways):
            # Its wait cannot succeed: it never starts, whatever else happens.
            why = f"{gated[0]}: Compose stops here"
            outcomes.append(StartOutcome(label, "skipped", reason=why))
            continue
        if len(ways) == 1:
            status, bindings, conflict, reason, _ = ways[0]
            assert status in ("starts", "refused")
            outcomes.append(
                StartOutcome(
                    label, "starts" if status == "starts" else "refused", bindings, conflict, reason
                )
            )
            continue
        conflict = next((w[2] for w in ways if w[2] is not None), None)
        if conflict is not None and conflict.certain:
            conflict = _uncertain(conflict)
        stopped = sorted({replicas[w[4]].label for w in ways if w[0] in ("timing", "skipped")})
        if gated:
            reason = gated[0]
        elif stopped:
            reason = (
                f"Compose stops at the first container it cannot start ({', '.join(stopped)});"
                " whether this one started before it is a matter of timing"
            )
        elif any(w[3] == _RUN_TIME for w in ways):
            reason = _RUN_TIME
        elif all(w[0] == "starts" for w in ways):
            reason = (
                "it starts either way; Compose starts services in parallel,"
                " and which binds first decides the host ports it gets"
            )
        else:
            reason = "Compose starts services in parallel; which binds first decides"
        outcomes.append(StartOutcome(label, "depends", (), conflict, reason))
    return outcomes


def _uncertain(conflict: Conflict) -> Conflict:
    """The conflict, as one that may happen rather than one that will."""
    return dataclasses.replace(conflict, certain=False)
