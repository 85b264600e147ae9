"""Shared hypothesis strategies: values of the model, and texts near the syntax."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from hypothesis import assume
from hypothesis import strategies as st

from portspec import Container, Expose, Link, PortMapping, PortRange, PortSpecError, Protocol
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
def port_mappings(draw: st.DrawFn, lengths: tuple[int, ...] = (0, 0, 10, 70_000)) -> PortMapping:
    """Any mapping; ``lengths`` are the container range lengths to draw from."""
    container = draw(port_ranges(max_length=draw(st.sampled_from(lengths))))
    host: PortRange | None = None
    kind = draw(st.sampled_from(["none", "same", "dynamic"]))
    if kind == "same":
        start = draw(st.integers(min_value=0, max_value=MAX_PORT - (len(container) - 1)))
        host = PortRange(start, start + len(container) - 1)
    elif kind == "dynamic" and container.is_single:
        # A host range is never expanded: any length is cheap.
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


# ------------------------------------------------------------ containers

#: Ports a mapping or an exposed range covers at most, so that expanding it
#: (to_engine_api, the docker SDK) stays cheap.
SMALL_RANGE = 20


def small_port_mappings() -> st.SearchStrategy[PortMapping]:
    """Like ``port_mappings``, with at most ``SMALL_RANGE`` container ports."""
    return port_mappings(lengths=(0, 0, 0, 2, SMALL_RANGE - 1))


small_exposes = st.builds(Expose, port_ranges(max_length=SMALL_RANGE - 1), expose_protocols)

simple_names = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,15}", fullmatch=True)
BUILTIN_NETWORKS = ("default", "bridge", "host", "none", "container:db")
user_networks = simple_names.filter(lambda name: name not in BUILTIN_NETWORKS)
networks = st.one_of(
    st.just(()),
    st.sampled_from(BUILTIN_NETWORKS).map(lambda name: (name,)),
    # The docker CLI refuses a network twice, and user-defined mixed with builtin.
    st.lists(user_networks, min_size=1, max_size=2, unique=True).map(tuple),
)
images = st.one_of(
    st.sampled_from(["nginx", "alpine:3.20", "registry.local:5000/team/app:1.0", "-odd", ""]),
    st.from_regex(r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[a-zA-Z0-9_.-]{1,10})?", fullmatch=True),
)
# A word of a command line: anything but NUL, which no argv can hold.
command_words = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]))


@st.composite
def containers(draw: st.DrawFn) -> Container:
    """A container as ``docker run`` can ask for it, its ranges small."""
    image = draw(st.one_of(st.none(), images))
    command = () if image is None else tuple(draw(st.lists(command_words, max_size=3)))
    return Container(
        name=draw(st.one_of(st.none(), simple_names)),
        publish=tuple(draw(st.lists(small_port_mappings(), max_size=4))),
        expose=tuple(draw(st.lists(small_exposes, max_size=3))),
        publish_all=draw(st.booleans()),
        links=tuple(draw(st.lists(links(), max_size=3))),
        networks=draw(networks),
        image=image,
        command=command,
    )
