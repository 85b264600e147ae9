"""The values: validation, equality, hashing and their small helpers."""

from __future__ import annotations

import dataclasses
from ipaddress import IPv4Address, IPv6Address

import pytest

from portspec import Expose, Link, Located, PortMapping, PortRange, PortSpecError, Protocol, Span


def test_port_range_basics() -> None:
    ports = PortRange(8000, 8010)
    assert len(ports) == 11
    assert 8000 in ports
    assert 8010 in ports
    assert 8011 not in ports
    assert "8000" not in ports
    assert list(PortRange(1, 3)) == [1, 2, 3]
    assert str(ports) == "8000-8010"
    assert str(PortRange.single(80)) == "80"
    assert PortRange.single(80).is_single
    assert not ports.is_single


def test_whole_range_stays_cheap() -> None:
    everything = PortRange(0, 65535)
    assert len(everything) == 65536
    assert 65535 in everything


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 5, "invalid port -1"),
        (1, 65536, "invalid port 65536"),
        (5, 1, "the end is before the start"),
        (True, 1, "invalid port True"),
        ("1", 2, "invalid port '1'"),
    ],
)
def test_port_range_refuses(start: object, end: object, message: str) -> None:
    with pytest.raises(PortSpecError, match=message):
        PortRange(start, end)  # type: ignore[arg-type]


def test_values_are_frozen_and_hashable() -> None:
    mapping = PortMapping(PortRange(80, 80))
    with pytest.raises(dataclasses.FrozenInstanceError):
        mapping.protocol = Protocol.UDP  # type: ignore[misc]
    assert len({mapping, PortMapping(PortRange(80, 80)), Expose(PortRange(80, 80))}) == 2


def test_mapping_refuses_ranges_of_other_lengths() -> None:
    with pytest.raises(PortSpecError, match="same length"):
        PortMapping(PortRange(80, 85), host=PortRange(8000, 8010))


def test_mapping_allows_a_dynamic_host_range() -> None:
    mapping = PortMapping(PortRange(80, 80), host=PortRange(8000, 8010))
    assert mapping.is_dynamic_range
    assert str(mapping) == "8000-8010:80"


def test_host_ip_text_must_spell_the_address() -> None:
    with pytest.raises(PortSpecError, match="does not spell"):
        PortMapping(PortRange(80, 80), host_ip=IPv4Address("1.2.3.4"), host_ip_text="1.2.3.5")
    mapping = PortMapping(PortRange(80, 80), host_ip=IPv6Address("::1"), host_ip_text="0::1")
    assert mapping == PortMapping(PortRange(80, 80), host_ip=IPv6Address("::1"))
    assert mapping.host_ip_as_typed == "0::1"


@pytest.mark.parametrize(
    "fields",
    [
        {"container": 80},
        {"container": PortRange(80, 80), "protocol": "tcp"},
        {"container": PortRange(80, 80), "host": 8080},
        {"container": PortRange(80, 80), "host_ip": "127.0.0.1"},
    ],
)
def test_mapping_refuses_untyped_fields(fields: dict[str, object]) -> None:
    with pytest.raises(PortSpecError):
        PortMapping(**fields)  # type: ignore[arg-type]


def test_expand_pairs_host_and_container_ports() -> None:
    mapping = PortMapping(
        PortRange(80, 82), Protocol.UDP, IPv4Address("127.0.0.1"), PortRange(8000, 8002)
    )
    assert [str(m) for m in mapping.expand()] == [
        "127.0.0.1:8000:80/udp",
        "127.0.0.1:8001:81/udp",
        "127.0.0.1:8002:82/udp",
    ]
    dynamic = PortMapping(PortRange(80, 80), host=PortRange(8000, 8010))
    assert list(dynamic.expand()) == [dynamic]


def test_expose() -> None:
    assert str(Expose(PortRange(53, 53), Protocol.UDP)) == "53/udp"
    assert Expose(PortRange(80, 80), "foo").known_protocol is None
    for bad in ("tcp", "", "a/b", "a:b"):
        with pytest.raises(PortSpecError):
            Expose(PortRange(80, 80), bad)


def test_link() -> None:
    assert Link("db") == Link("db", "db")
    assert hash(Link("db")) == hash(Link("db", "db", text="db:db"))
    assert str(Link("db")) == "db"
    assert str(Link("db", "")) == "db:"
    assert str(Link("", "")) == ":"
    assert str(Link("/db", "x")) == "//db:x"
    for name, alias in (("a:b", None), ("a", "b:c"), ("/a", "b/c")):
        with pytest.raises(PortSpecError):
            Link(name, alias)


def test_located_compares_by_value_only() -> None:
    one = Located(PortRange(80, 80), Span(0, 2, 1, 1, "a.yaml"), "80")
    two = Located(PortRange(80, 80), Span(5, 7, 3, 9, "b.yaml"), "080")
    assert one == two
    assert hash(one) == hash(two)
    assert one.span.path == "a.yaml"


def test_protocol_text() -> None:
    assert [str(p) for p in Protocol] == ["tcp", "udp", "sctp"]
