"""Typed, immutable values for what Docker does with ports and links.

Equality means "Docker would do the same thing": spellings Docker forgets
(leading zeros, the case of a protocol, brackets around an address) are gone,
while the text Docker sends on as typed (a host address, a link) is kept in
fields that take no part in equality.
"""

from __future__ import annotations

import enum
import functools
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address
from typing import Generic, TypeVar

from portspec.errors import PortSpecError

__all__ = [
    "MAX_PORT",
    "Container",
    "Dialect",
    "Expose",
    "HostAddress",
    "Link",
    "Located",
    "PortMapping",
    "PortRange",
    "Protocol",
    "Span",
]

MAX_PORT = 65535

HostAddress = IPv4Address | IPv6Address
_ADDRESS_TYPES = (IPv4Address, IPv6Address)


class Protocol(enum.Enum):
    """A transport protocol Docker can publish."""

    TCP = "tcp"
    UDP = "udp"
    SCTP = "sctp"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def named(cls, text: str) -> Protocol | None:
        """The protocol spelled exactly ``text`` (``"udp"``), or None: no case folding.

        >>> Protocol.named("udp"), Protocol.named("UDP")
        (<Protocol.UDP: 'udp'>, None)
        """
        return _PROTOCOLS.get(text)


_PROTOCOLS = {protocol.value: protocol for protocol in Protocol}


class Dialect(enum.Enum):
    """Who reads the text: the docker CLI and Docker Compose differ in places."""

    DOCKER = "docker"
    COMPOSE = "compose"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PortRange:
    """An inclusive range of ports; ``start == end`` is a single port.

    >>> PortRange(8000, 8010), len(PortRange(8000, 8010)), 8005 in PortRange(8000, 8010)
    (PortRange(start=8000, end=8010), 11, True)
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        start, end = self.start, self.end
        if type(start) is not int or type(end) is not int or not 0 <= start <= end <= MAX_PORT:
            self._refuse()

    def _refuse(self) -> None:
        for value in (self.start, self.end):
            if type(value) is not int or not 0 <= value <= MAX_PORT:
                raise PortSpecError(f"invalid port {value!r}: ports are 0-{MAX_PORT}")
        if self.end < self.start:
            raise PortSpecError(
                f"invalid port range {self.start}-{self.end}: the end is before the start"
            )

    @classmethod
    def single(cls, port: int) -> PortRange:
        """The range holding one port.

        >>> PortRange.single(80)
        PortRange(start=80, end=80)
        """
        return cls(port, port)

    def __len__(self) -> int:
        return self.end - self.start + 1

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.start <= port <= self.end

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.start, self.end + 1))

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    @property
    def is_single(self) -> bool:
        """Whether the range holds exactly one port."""
        return self.start == self.end


@dataclass(frozen=True, slots=True)
class Span:
    """Where a value stood in its source: 0-based offsets, 1-based line and column."""

    start: int
    end: int
    line: int = 1
    column: int = 1
    path: str | None = None


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A value and where it came from; equality is the value's alone.

    ``text`` is the value as it was typed, quotes undone, when that spelling
    is the value's own; it is empty when the source wrote it otherwise
    (escapes, a variable, a tag or an anchor) and for the long syntax, which
    ``long`` marks (a compose mapping such as ``{target: 80}``).
    """

    value: T
    span: Span = field(compare=False)
    text: str = field(default="", compare=False)
    long: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class PortMapping:
    """One ``-p``/``--publish`` value: a container port range and how the host reaches it.

    ``host`` is ``None`` when Docker picks an ephemeral host port; a host range
    with a single container port (``8000-8010:80``) means "any free port of the
    range" and is kept as it is.

    >>> str(PortMapping(PortRange(80, 80), host=PortRange(8080, 8080)))
    '8080:80'
    """

    container: PortRange
    protocol: Protocol = Protocol.TCP
    host_ip: HostAddress | None = None
    host: PortRange | None = None
    #: The host address as typed, brackets removed: Docker sends this text to
    #: the Engine unchanged.
    host_ip_text: str | None = field(default=None, compare=False, repr=False)
    #: Parts of the text Docker reads past without effect (``mode=host`` in the
    #: long syntax, ``/x`` after the protocol, ``-3`` after a range), for lint.
    ignored: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        container, host = self.container, self.host
        if type(container) is not PortRange:
            raise PortSpecError(f"container must be a PortRange, not {container!r}")
        if type(self.protocol) is not Protocol:
            raise PortSpecError(f"protocol must be a Protocol, not {self.protocol!r}")
        if host is not None:
            if type(host) is not PortRange:
                raise PortSpecError(f"host must be a PortRange or None, not {host!r}")
            if host.end - host.start != container.end - container.start and (
                container.start != container.end
            ):
                raise PortSpecError(
                    f"invalid ranges: host {host} and container {container} must be the same length"
                )
        if self.host_ip is not None and type(self.host_ip) not in _ADDRESS_TYPES:
            raise PortSpecError(f"host_ip must be an IP address or None, not {self.host_ip!r}")
        text = self.host_ip_text
        if (
            text is not None
            and parse_address(text) is not self.host_ip
            and (parse_address(text) != self.host_ip)
        ):
            raise PortSpecError(
                f"host_ip_text {self.host_ip_text!r} does not spell host_ip {self.host_ip}"
            )

    @property
    def is_dynamic_range(self) -> bool:
        """Whether Docker picks one free port of a host range (``8000-8010:80``)."""
        return self.host is not None and not self.host.is_single and self.container.is_single

    @property
    def host_ip_as_typed(self) -> str:
        """The host address as Docker sends it to the Engine (``""`` for none)."""
        if self.host_ip is None:
            return ""
        return self.host_ip_text if self.host_ip_text is not None else str(self.host_ip)

    def expand(self) -> Iterator[PortMapping]:
        """One mapping a container port, as Docker expands a range.

        >>> [str(m) for m in PortMapping(PortRange(80, 81), host=PortRange(8080, 8081)).expand()]
        ['8080:80', '8081:81']
        """
        if self.container.is_single:
            yield self
            return
        for offset, port in enumerate(self.container):
            host = None if self.host is None else PortRange.single(self.host.start + offset)
            yield PortMapping(
                PortRange.single(port),
                self.protocol,
                self.host_ip,
                host,
                host_ip_text=self.host_ip_text,
            )

    def __str__(self) -> str:
        container = str(self.container)
        if self.protocol is not Protocol.TCP:
            container = f"{container}/{self.protocol}"
        host = "" if self.host is None else str(self.host)
        if self.host_ip is None:
            return container if self.host is None else f"{host}:{container}"
        address = self.host_ip_as_typed
        if isinstance(self.host_ip, IPv6Address):
            address = f"[{address}]"
        return f"{address}:{host}:{container}"


@dataclass(frozen=True, slots=True)
class Expose:
    """One ``--expose`` value: ports a container listens on, published by ``-P`` only.

    The docker CLI passes an ``--expose`` protocol on unchecked and in the case
    it was typed; a spelling other than ``tcp``, ``udp`` or ``sctp`` is kept
    as the text.

    >>> str(Expose(PortRange(7000, 7002), Protocol.UDP))
    '7000-7002/udp'
    """

    ports: PortRange
    protocol: Protocol | str = Protocol.TCP
    #: The value as typed (``80/tcp``, ``080``), which Compose passes on as it is.
    text: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.ports, PortRange):
            raise PortSpecError(f"ports must be a PortRange, not {self.ports!r}")
        if isinstance(self.protocol, str):
            if self.protocol in {p.value for p in Protocol} or not self.protocol:
                raise PortSpecError(f"use Protocol for {self.protocol!r}, not the text")
            if "/" in self.protocol or ":" in self.protocol:
                raise PortSpecError(f"invalid protocol {self.protocol!r}")
        elif not isinstance(self.protocol, Protocol):
            raise PortSpecError(f"protocol must be a Protocol or text, not {self.protocol!r}")

    @property
    def known_protocol(self) -> Protocol | None:
        """The protocol when Docker knows it, else ``None``."""
        return self.protocol if isinstance(self.protocol, Protocol) else None

    def __str__(self) -> str:
        if self.protocol is Protocol.TCP:
            return str(self.ports)
        return f"{self.ports}/{self.protocol}"


@dataclass(frozen=True, slots=True)
class Link:
    """One ``--link`` value: a container name and the alias it is known by.

    ``--link db`` and ``--link db:db`` do the same thing and are equal; the
    text as typed, which the docker CLI sends to the Engine, is kept apart.

    >>> Link("db") == Link("db", "db"), str(Link("db", "database"))
    (True, 'db:database')
    """

    name: str
    alias: str = ""
    text: str | None = field(default=None, compare=False, repr=False)

    def __init__(self, name: str, alias: str | None = None, text: str | None = None) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "alias", name if alias is None else alias)
        object.__setattr__(self, "text", text)
        self.__post_init__()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not isinstance(self.alias, str):
            raise PortSpecError("a link's name and alias are text")
        if ":" in self.name or ":" in self.alias:
            raise PortSpecError(
                f"invalid link {self.name}:{self.alias}: ':' separates name and alias"
            )
        if self.name.startswith("/") and self.alias != self.name and "/" in self.alias:
            # Written out, such a link reads as docker inspect's /name:/container/alias.
            raise PortSpecError(
                f"invalid link {self.name}:{self.alias}: with a name starting with '/',"
                " the alias cannot hold '/'"
            )

    @property
    def as_typed(self) -> str:
        """The text the docker CLI sends to the Engine for this link."""
        return self.text if self.text is not None else str(self)

    def __str__(self) -> str:
        if self.alias == self.name and self.name:
            return self.name
        if self.name.startswith("/"):
            # The CLI drops one leading '/' from a name that has an alias.
            return f"/{self.name}:{self.alias}"
        return f"{self.name}:{self.alias}"


@dataclass(frozen=True, slots=True)
class Container:
    """What a container asks of Docker's networking: published and exposed ports, links.

    ``network_mode`` is the first ``--network`` as given (``None``: Docker's
    default bridge); ``networks`` holds every one, in order. ``image`` and
    ``command`` are what follows the flags of a ``docker run`` line, if anything.

    >>> web = Container(name="web", publish=(parse_publish("8080:80"),), links=(Link("db"),))
    >>> str(web)
    'docker run --name web --publish 8080:80 --link db'
    """

    name: str | None = None
    publish: tuple[PortMapping, ...] = ()
    expose: tuple[Expose, ...] = ()
    publish_all: bool = False
    links: tuple[Link, ...] = ()
    networks: tuple[str, ...] = ()
    image: str | None = None
    command: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for label, values, kind in (
            ("publish", self.publish, PortMapping),
            ("expose", self.expose, Expose),
            ("links", self.links, Link),
            ("networks", self.networks, str),
            ("command", self.command, str),
        ):
            if type(values) is not tuple or any(type(v) is not kind for v in values):
                raise PortSpecError(f"{label} must be a tuple of {kind.__name__}, not {values!r}")
        if self.command and self.image is None:
            raise PortSpecError("a command needs an image to run in")

    @property
    def network_mode(self) -> str | None:
        """The network the container joins first, as given to ``--network``."""
        return self.networks[0] if self.networks else None

    @property
    def publishes(self) -> bool:
        """Whether Docker publishes the container's ports at all.

        Not under ``host`` or ``none``, nor on another container's network
        (``container:NAME``, Compose's ``service:NAME``): Docker binds no port
        for it there.

        >>> Container(networks=("host",)).publishes, Container().publishes
        (False, True)
        """
        mode = self.network_mode
        return mode is None or not (mode in _NO_PUBLISH_MODES or mode.startswith(_SHARED))

    def __str__(self) -> str:
        return shlex.join(["docker", "run", *_run_arguments(self)])


#: Network modes under which Docker publishes none of a container's ports,
#: and the prefixes of those that share another container's network.
_NO_PUBLISH_MODES = frozenset({"host", "none"})
_SHARED = ("container:", "service:")


def _run_arguments(container: Container) -> list[str]:
    """The canonical ``docker run`` arguments of ``container``, the image and its command last.

    Flags come in a fixed order (name, networks, published ports, publish-all,
    exposed ports, links), each value in its canonical form.
    """
    args: list[str] = []
    if container.name is not None:
        args += ["--name", container.name]
    for network in container.networks:
        args += ["--network", network]
    for mapping in container.publish:
        args += ["--publish", str(mapping)]
    if container.publish_all:
        args.append("--publish-all")
    for expose in container.expose:
        args += ["--expose", str(expose)]
    for link in container.links:
        args += ["--link", str(link)]
    if container.image is not None:
        image = container.image
        # An image that looks like a flag is only an image after "--"; so is
        # one named like the words a command line may start with.
        if image.startswith("-") or not image or (not args and image in ("sudo", "docker")):
            args.append("--")
        args.append(container.image)
        args += container.command
    return args


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")


@functools.lru_cache(maxsize=1024)
def parse_address(text: str) -> HostAddress | None:
    """The IPv4 or IPv6 address ``text`` spells as Go's ``net.ParseIP`` reads it, else ``None``.

    Both refuse an IPv4 octet with a leading zero; Python's ``ipaddress`` also
    takes an IPv6 zone (``fe80::1%eth0``), which Go refuses.
    """
    if ":" in text:
        if "%" in text:
            return None
        if "." not in text:
            # The C parser reads plain hex groups the same way, several times faster.
            from socket import AF_INET6, inet_pton  # noqa: PLC0415 - keeps the import light

            try:
                return IPv6Address(inet_pton(AF_INET6, text))
            except (OSError, ValueError):
                pass
        try:
            return IPv6Address(text)
        except ValueError:
            return None
    if _IPV4.fullmatch(text) is None:
        return None
    a, b, c, d = text.split(".")
    return IPv4Address(int(a) << 24 | int(b) << 16 | int(c) << 8 | int(d))
