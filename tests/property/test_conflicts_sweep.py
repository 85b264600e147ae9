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
from portspec.checks.simulate import simulate_starts
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

    def __init__(  # noqa: PLR0917 - test helper
        self,
        owner: int,
        side: ConflictSide,
        kind: str,
        protocols: set[Protocol],
        ports: set[int],
        exact: bool,
    ) -> None:
        self.owner, self.side, self.kind = owner, side, kind
        self.protocols, self.ports = protocols, ports
        mapping = side.mapping
        self.places = _places(None if mapping is None else mapping.host_ip, exact)
        self.start, self.end = min(ports), max(ports)


def _places(address: HostAddress | None, exact: bool) -> list[tuple[int, HostAddress | None]]:
    if address is None:
        if exact:
            return [(4, IPv4Address(0)), (6, IPv6Address(0))]
        return ALL_FAMILIES
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified and not exact:
        return [(address.version, None)]
    return [(address.version, address)]


def _meets(x: HostAddress | None, y: HostAddress | None) -> bool:
    return x is None or y is None or x == y


def _any(family: int) -> HostAddress:
    return ip_address("0.0.0.0" if family == 4 else "::")


def _shared(a: _Binding, b: _Binding) -> list[HostAddress]:
    found = []
    for family, x in a.places:
        for other_family, y in b.places:
            if family == other_family and _meets(x, y):
                found.append(x or y or _any(family))
    return sorted(set(found), key=lambda address: (address.version, int(address)))


def _bindings(containers: list[Container], host: HostSettings) -> list[_Binding]:
    low, high = host.ephemeral
    version = host.engine_version or (99, 0)
    udp_exact = (27, 0) <= version < (28, 3)
    ephemeral = set(range(low, high + 1))
    bindings = []
    for owner, container in enumerate(containers):
        label = container.name or str(owner)
        if container.networks[:1] in (("host",), ("none",)):
            continue
        for index, mapping in enumerate(container.publish):
            side = ConflictSide(label, index, mapping)
            host_ports = mapping.host
            if host_ports is None:
                kind, ports = "ephemeral", ephemeral
            elif len(host_ports) > 1 and len(mapping.container) == 1:
                kind, ports = "dynamic", set(host_ports)
            else:
                kind, ports = "fixed", set(host_ports)
            exact = udp_exact and mapping.protocol is Protocol.UDP
            bindings.append(_Binding(owner, side, kind, {mapping.protocol}, ports, exact))
        if container.publish_all:
            side = ConflictSide(label, None, None)
            bindings.append(_Binding(owner, side, "ephemeral", set(Protocol), ephemeral, False))
    return bindings


def brute_force(containers: list[Container], host: HostSettings = HOST) -> list[Conflict]:
    """Every pair of bindings, port by port; a copy of a binding meets only its first."""
    version = host.engine_version or (99, 0)
    legacy = version < (27, 0)
    bindings = _bindings(containers, host)
    found: dict[tuple[int, int, str], tuple[set[HostAddress], int, int, bool]] = {}

    def record(  # noqa: PLR0917 - test helper
        code: str, i: int, j: int, addresses: list[HostAddress], low: int, high: int, certain: bool
    ) -> None:
        key = (min(i, j), max(i, j), code)
        entry = found.setdefault(key, (set(), low, high, certain))
        entry[0].update(addresses)

    def cls(i: int, family: int, address: HostAddress | None) -> tuple[object, ...]:
        b = bindings[i]
        return (next(iter(b.protocols)), family, b.kind, b.start, b.end, address)

    firsts: dict[tuple[object, ...], int] = {}
    for i, b in enumerate(bindings):
        if b.kind != "ephemeral":
            for family, address in b.places:
                firsts.setdefault(cls(i, family, address), i)

    def first_of(i: int, family: int, address: HostAddress | None) -> int:
        return firsts[cls(i, family, address)]

    copies: dict[int, set[int]] = {}
    for i, a in enumerate(bindings):
        for j, b in enumerate(bindings):
            if i == j or a.kind == "ephemeral" or b.kind == "ephemeral":
                continue
            if not a.protocols & b.protocols:
                continue
            for family, x in a.places:
                for other_family, y in b.places:
                    if family != other_family or not _meets(x, y):
                        continue
                    ports = a.ports & b.ports
                    if not ports:
                        continue
                    shared = [x or y or _any(family)]
                    fi, fj = first_of(i, family, x), first_of(j, family, y)
                    if fj != j:
                        if fj == i and i < j and b.kind == "fixed":
                            one = a.owner == b.owner
                            same = one and a.side.mapping == b.side.mapping
                            udp = b.protocols == {Protocol.UDP}
                            certain = not (one and udp and not legacy)
                            code = "PS105" if same else "PS101"
                            record(code, i, j, shared, b.start, b.end, certain)
                        elif fj == i and b.kind == "dynamic":
                            copies.setdefault(i, set()).add(j)
                        continue
                    if fi != i:
                        continue
                    if i < j and a.kind == b.kind == "fixed":
                        one = a.owner == b.owner
                        same = one and a.side.mapping == b.side.mapping
                        udp = a.protocols == {Protocol.UDP}
                        certain = not (one and udp and not legacy)
                        code = "PS105" if same else "PS101"
                        record(code, i, j, shared, min(ports), max(ports), certain)
                    elif a.kind == "dynamic" and b.kind == "fixed":
                        record("dyn", i, j, shared, min(ports), max(ports), False)
                    elif (
                        a.kind == b.kind == "dynamic"
                        and (b.start, j) < (a.start, i)
                        and b.end >= a.start
                    ):
                        record("meet", i, j, shared, a.start, min(a.end, b.end), False)

    # A dynamic binding meets, among earlier ranges on other addresses, the lowest id only.
    meets: dict[tuple[int, int], int] = {}
    for i, j, code in list(found):
        if code != "meet":
            continue
        del found[(i, j, code)]
        for later, earlier in ((i, j), (j, i)):
            a, b = bindings[later], bindings[earlier]
            for family, x in a.places:
                for other_family, y in b.places:
                    if (
                        family == other_family
                        and _meets(x, y)
                        and (b.start, earlier) < (a.start, later)
                        and b.start <= a.start <= b.end
                    ):
                        best = meets.get((later, family))
                        if best is None or earlier < best:
                            meets[(later, family)] = earlier
    for (later, family), earlier in meets.items():
        a, b = bindings[later], bindings[earlier]
        shared = [
            x or y or _any(family)
            for f, x in a.places
            for g, y in b.places
            if f == g == family and _meets(x, y)
        ]
        grouped = not legacy and a.protocols != {Protocol.UDP} and _one_group(a, b)
        code = "PS101" if grouped else "PS103"
        record(code, later, earlier, shared, a.start, min(a.end, b.end), grouped)

    results: list[tuple[tuple[int, int, str], Conflict]] = []

    def add(
        key: tuple[int, int, str], code: str, value: tuple[set[HostAddress], int, int, bool]
    ) -> None:
        i, j, _ = key
        a, b = bindings[i], bindings[j]
        protocol = next(iter(a.protocols & b.protocols))
        addresses = tuple(sorted(value[0], key=lambda address: (address.version, int(address))))
        conflict = Conflict(
            code, a.side, b.side, protocol, addresses, PortRange(value[1], value[2]), value[3]
        )
        results.append(((i, j, code), conflict))

    dynamic_pairs: dict[int, list[tuple[int, int]]] = {}
    for (i, j, code), value in found.items():
        if code == "dyn":
            dyn = i if bindings[i].kind == "dynamic" else j
            dynamic_pairs.setdefault(dyn, []).append((value[1], value[2]))
    for (i, j, code), value in found.items():
        if code == "dyn":
            dyn = i if bindings[i].kind == "dynamic" else j
            taken: set[int] = set()
            for low, high in dynamic_pairs[dyn]:
                taken |= set(range(low, high + 1))
            full = taken >= bindings[dyn].ports
            add((i, j, code), "PS102" if full else "PS103", (value[0], value[1], value[2], full))
        else:
            add((i, j, code), code, value)
    for first, members in copies.items():
        item = bindings[first]
        taken = set()
        for low, high in dynamic_pairs.get(first, []):
            taken |= set(range(low, high + 1))
        free = len(item.ports - taken)
        if free <= 0:
            for copy in sorted(members):
                value = (set(_shared(item, item)), item.start, item.end, True)
                add((first, copy, "PS102"), "PS102", value)
            continue
        ordered = sorted(members)
        if not legacy and item.protocols != {Protocol.UDP}:
            twice = set()
            for n, member in enumerate([first, *ordered]):
                heads = [
                    h for h in [first, *ordered][:n] if _one_group(bindings[h], bindings[member])
                ]
                if heads:
                    head = heads[0]
                    value = (set(_shared(item, item)), item.start, item.end, True)
                    same = bindings[member].side.mapping == bindings[head].side.mapping
                    code = "PS105" if same else "PS101"
                    add((head, member, code), code, value)
                    twice.add(member)
            ordered = [c for c in ordered if c not in twice]
        for copy in ordered[max(free - 1, 0) :]:
            value = (set(_shared(item, item)), item.start, item.end, True)
            add((first, copy, "PS102"), "PS102", value)
        contended = any(first in (i, j) for (i, j, code) in found if code == "PS103")
        if taken or contended:
            for copy in ordered[: free - 1]:
                value = (set(_shared(item, item)), item.start, item.end, False)
                add((first, copy, "PS103"), "PS103", value)
    if not legacy:
        kept: list[int] = []
        for j, b in enumerate(bindings):
            if b.kind != "ephemeral" or b.side.mapping is None or b.protocols == {Protocol.UDP}:
                continue
            heads = [i for i in kept if _one_group(bindings[i], b) and _shared(bindings[i], b)]
            if heads:
                i = heads[0]
                same = bindings[i].side.mapping == b.side.mapping
                code = "PS105" if same else "PS101"
                value = (set(_shared(bindings[i], b)), host.ephemeral[0], host.ephemeral[1], True)
                add((i, j, code), code, value)
            else:
                kept.append(j)
    for i, a in enumerate(bindings):
        if a.kind != "fixed":
            continue
        users = [j for j, b in enumerate(bindings) if b.kind == "ephemeral" and meet(a, b)]
        if users:
            ports = meet(a, bindings[users[0]])
            value = (set(_shared(a, bindings[users[0]])), min(ports), max(ports), False)
            add((min(i, users[0]), max(i, users[0]), "PS104"), "PS104", value)
    results.sort(key=lambda pair: pair[0])
    return [conflict for _, conflict in results]


def _one_group(a: _Binding, b: _Binding) -> bool:
    ma, mb = a.side.mapping, b.side.mapping
    return (
        a.owner == b.owner
        and ma is not None
        and mb is not None
        and (ma.container, ma.protocol, ma.host) == (mb.container, mb.protocol, mb.host)
    )


def meet(a: _Binding, b: _Binding) -> set[int]:
    if not a.protocols & b.protocols or not _shared(a, b):
        return set()
    return a.ports & b.ports


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


ENGINES = [
    HOST,
    HostSettings(ephemeral=(20, 30), engine_version=(20, 10)),
    HostSettings(ephemeral=(20, 30), engine_version=(27, 5)),
]


@given(st.lists(containers, max_size=6), st.sampled_from(ENGINES))
def test_sweep_agrees_with_brute_force(group: list[Container], host: HostSettings) -> None:
    assert find_conflicts(group, host=host) == brute_force(group, host)


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


# --------------------------------------------- agreement with simulate_starts


@given(st.lists(containers, min_size=1, max_size=5), st.sampled_from(ENGINES))
def test_find_conflicts_agrees_with_simulate_starts(
    group: list[Container], host: HostSettings
) -> None:
    """A refused container is in some conflict; a certain conflict never has both sides started."""
    labelled = {f"c{i}": container for i, container in enumerate(group)}
    outcomes = {o.label: o for o in simulate_starts(labelled, host=host)}
    found = find_conflicts(labelled, host=host)
    involved = {side.label for c in found for side in (c.first, c.second)}
    for label, outcome in outcomes.items():
        if outcome.status == "refused":
            assert label in involved, (label, outcome)
    for conflict in found:
        if not conflict.certain:
            continue
        both_dynamic = all(
            side.mapping is not None and side.mapping.is_dynamic_range
            for side in (conflict.first, conflict.second)
        )
        if both_dynamic:
            continue  # a shared range: some member fails, not a given pair
        first, second = outcomes[conflict.first.label], outcomes[conflict.second.label]
        assert not (first.status == second.status == "starts"), conflict
