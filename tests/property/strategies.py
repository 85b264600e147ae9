"""Shared hypothesis strategies: values of the model, and texts near the syntax."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from hypothesis import assume
from hypothesis import strategies as st

from portspec import Expose, Link, PortMapping, PortRange, PortSpecError, Protocol
from portspec.model import MAX_PORT

ports = st.integers(min_value=0, max_value=MAX_PORT)
protocols = st.sampled_from(Protocol)


@st.composite
def port_ranges(draw: st.DrawFn, max_length: int = 70_000) -> PortRange:
    start = draw(ports)
    length = draw(st.integers(min_value=0, max_value=min(max_length, MAX_PORT - start)))
    return PortRange(start, start + length)


ipv4 = st.builds(IPv4Address, st.integers(min_value=0, max_value=2**32 - 1))
ipv6 = st.one_of(
    st.builds(IPv6Address, st.integers(min_value=0, max_value=2**128 - 1)),
    st.builds(IPv6Address, st.integers(min_value=0, max_value=2**16)),
    st.builds(lambda v4: IPv6Address("::ffff:" + str(v4)), ipv4),
)


@st.composite
def address_spellings(draw: st.DrawFn, address: IPv4Address | IPv6Address) -> str | None:
    """How a user may have typed ``address`` (``None``: not kept)."""
    if isinstance(address, IPv4Address):
        return draw(st.sampled_from([None, str(address)]))
    return draw(st.sampled_from([None, str(address), address.exploded, str(address).upper()]))


@st.composite
def port_mappings(draw: st.DrawFn) -> PortMapping:
    container = draw(port_ranges(max_length=draw(st.sampled_from([0, 0, 10, 70_000]))))
    host: PortRange | None = None
    kind = draw(st.sampled_from(["none", "same", "dynamic"]))
    if kind == "same":
        start = draw(st.integers(min_value=0, max_value=MAX_PORT - (len(container) - 1)))
        host = PortRange(start, start + len(container) - 1)
    elif kind == "dynamic" and container.is_single:
        host = draw(port_ranges())
    address = draw(st.one_of(st.none(), ipv4, ipv6))
    text = None if address is None else draw(address_spellings(address))
    return PortMapping(container, draw(protocols), address, host, host_ip_text=text)


expose_protocols = st.one_of(
    protocols,
    st.text(st.characters(exclude_characters="/:"), min_size=1).filter(
        lambda text: text not in {"tcp", "udp", "sctp"}
    ),
)
exposes = st.builds(Expose, port_ranges(), expose_protocols)

link_parts = st.text(st.characters(exclude_characters=":", exclude_categories=["Cs"]))


@st.composite
def links(draw: st.DrawFn) -> Link:
    name, alias = draw(link_parts), draw(st.one_of(st.none(), link_parts))
    try:
        return Link(name, alias)
    except PortSpecError:
        assume(False)
        raise


# Texts made of the characters the syntax cares about, so that random
# strings land near the valid ones far more often than arbitrary text would.
near_syntax = st.text(
    st.sampled_from(list("0123456789:-/[]. abcdefABCDEF%tcpudpsctTCPUDPSCT=,x")), max_size=30
)
any_text = st.one_of(near_syntax, st.text(max_size=40))
