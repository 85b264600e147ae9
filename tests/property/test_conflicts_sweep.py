"""The interval sweep agrees with a brute force that expands every port and compares every pair."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

from hypothesis import given
from hypothesis import strategies as st

from portspec import Container, PortMapping, PortRange, Protocol
from portspec.checks.conflicts import (
    Conflict,
    ConflictSide,
    HostSettings,
    find_conflicts,
)
from portspec.model import HostAddress

HOST = HostSettings(ephemeral=(20, 30))
ADDRESSES: list[HostAddress | None] = [
    None,
    IPv4Address("0.0.0.0"),
    IPv6Address("::"),
    IPv4Address("127.0.0.1"),
    IPv4Address("127.0.0.2"),
    IPv6Address("::1"),
    IPv6Address("::ffff:127.0.0.1"),
]
ALL_FAMILIES: list[tuple[int, HostAddress | None]] = [(4, None), (6, None)]


# ------------------------------------------------------------- reference


class _Binding:
    """One published mapping, with every host port it may take spelled out."""

    def __init__(
        self, owner: int, side: ConflictSide, kind: str, protocols: set[Protocol], ports: set[int]
    ) -> None:
        self.owner, self.side, self.kind = owner, side, kind
        self.protocols, self.ports = protocols, ports
        mapping = side.mapping
        self.places = _places(None if mapping is None else mapping.host_ip)


def _places(address: HostAddress | None) -> list[tuple[int, HostAddress | None]]:
    if address is None:
        return ALL_FAMILIES
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return [(address.version, None if address.is_unspecified else address)]


def _shared(a: _Binding, b: _Binding) -> list[HostAddress]:
    found = []
    for family, x in a.places:
        for other_family, y in b.places:
            if family == other_family and (x is None or y is None or x == y):
                found.append(x or y or ip_address("0.0.0.0" if family == 4 else "::"))
    return sorted(set(found), key=lambda address: (address.version, int(address)))


def _bindings(containers: list[Container]) -> list[_Binding]:
    low, high = HOST.ephemeral
    ephemeral = set(range(low, high + 1))
    bindings = []
    for owner, container in enumerate(containers):
        label = container.name or str(owner)
        if container.networks[:1] in (("host",), ("none",)):
            continue
        for index, mapping in enumerate(container.publish):
            side = ConflictSide(label, index, mapping)
            host = mapping.host
            if host is None:
                kind, ports = "ephemeral", ephemeral
            elif len(host) > 1 and len(mapping.container) == 1:
                kind, ports = "dynamic", set(host)
            else:
                kind, ports = "fixed", set(host)
            bindings.append(_Binding(owner, side, kind, {mapping.protocol}, ports))
        if container.publish_all:
            side = ConflictSide(label, None, None)
            bindings.append(_Binding(owner, side, "ephemeral", set(Protocol), ephemeral))
    return bindings


def brute_force(containers: list[Container]) -> list[Conflict]:
    """Every pair of bindings, port by port."""
    bindings = _bindings(containers)
    found: list[tuple[tuple[int, int, str], Conflict]] = []

    def add(code: str, i: int, j: int, ports: set[int], certain: bool) -> None:
        a, b = bindings[i], bindings[j]
        first, second = (a, b) if i < j else (b, a)
        protocol = next(iter(a.protocols & b.protocols))
        overlap = PortRange(min(ports), max(ports))
        conflict = Conflict(
            code, first.side, second.side, protocol, tuple(_shared(a, b)), overlap, certain
        )
        found.append(((min(i, j), max(i, j), code), conflict))

    def meet(a: _Binding, b: _Binding) -> set[int]:
        if not a.protocols & b.protocols or not _shared(a, b):
            return set()
        return a.ports & b.ports

    for i, a in enumerate(bindings):
        for j, b in enumerate(bindings):
            ports = meet(a, b)
            if not ports:
                continue
            if i < j and a.kind == b.kind == "fixed":
                same = a.owner == b.owner and a.side.mapping == b.side.mapping
                add("PS105" if same else "PS101", i, j, ports, not same)
            elif a.kind == "dynamic" and b.kind == "fixed":
                taken: set[int] = set()
                for other in bindings:
                    if other.kind == "fixed":
                        taken |= meet(a, other)
                full = taken >= a.ports
                add("PS102" if full else "PS103", i, j, ports, full)
    for i, a in enumerate(bindings):
        if a.kind != "fixed":
            continue
        users = [j for j, b in enumerate(bindings) if b.kind == "ephemeral" and meet(a, b)]
        if users:
            add("PS104", i, users[0], meet(a, bindings[users[0]]), False)
    found.sort(key=lambda pair: pair[0])
    return [conflict for _, conflict in found]


# ------------------------------------------------------------- strategies

small_ports = st.integers(min_value=1, max_value=40)


@st.composite
def mappings(draw: st.DrawFn) -> PortMapping:
    protocol = draw(st.sampled_from([Protocol.TCP, Protocol.UDP]))
    address = draw(st.sampled_from(ADDRESSES))
    start = draw(small_ports)
    length = draw(st.integers(min_value=0, max_value=min(8, 40 - start)))
    kind = draw(st.sampled_from(["none", "fixed", "range", "dynamic"]))
    port = draw(small_ports)
    if kind == "none":
        return PortMapping(PortRange.single(port), protocol, address, None)
    if kind == "fixed":
        return PortMapping(PortRange.single(port), protocol, address, PortRange.single(start))
    if kind == "range":
        container = PortRange(port, port + length)
        host = PortRange(start, start + len(container) - 1)
        return PortMapping(container, protocol, address, host)
    return PortMapping(PortRange.single(port), protocol, address, PortRange(start, start + length))


containers = st.builds(
    Container,
    publish=st.lists(mappings(), max_size=4).map(tuple),
    publish_all=st.booleans(),
    networks=st.sampled_from([(), ("bridge",), ("host",), ("none",)]),
)


@given(st.lists(containers, max_size=6))
def test_sweep_agrees_with_brute_force(group: list[Container]) -> None:
    assert find_conflicts(group, host=HOST) == brute_force(group)


@given(st.lists(containers, min_size=1, max_size=6))
def test_order_of_input_only_relabels(group: list[Container]) -> None:
    labelled = {f"c{i}": container for i, container in enumerate(group)}
    found = find_conflicts(labelled, host=HOST)
    assert len(found) == len(find_conflicts(list(reversed(list(labelled.values()))), host=HOST))


def test_brute_force_sees_a_plain_clash() -> None:
    mapping = PortMapping(PortRange.single(80), host=PortRange.single(8))
    group = [Container(publish=(mapping,)), Container(publish=(mapping,))]
    assert [c.code for c in brute_force(group)] == ["PS101"]
    assert find_conflicts(group, host=HOST) == brute_force(group)
