"""Engine API create requests read back into a ``Container``: the inverse of ``to_engine_api``.

A request is the JSON body of ``POST /containers/create`` as the docker CLI
sends it: ``ExposedPorts`` at the top, ``PortBindings``, ``Links``,
``PublishAllPorts`` and ``NetworkMode`` under ``HostConfig``. Every part may
be absent (or ``null``, as Go writes an empty map or list): it then means what
Docker takes it to mean, nothing.

Docker has expanded ranges by the time they reach the Engine, so each binding
comes back as a mapping of its own; a host range on one binding
(``"HostPort": "8000-8010"``) stays one mapping, "any free port of the range".
A port in ``ExposedPorts`` that no binding names comes back as an ``Expose``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from portspec._parse import parse_link
from portspec.errors import PortSpecError
from portspec.model import (
    MAX_PORT,
    Container,
    Expose,
    Link,
    PortMapping,
    PortRange,
    Protocol,
    parse_address,
)

__all__ = ["from_engine_api", "port_number", "shown"]

_HOST_PORT = re.compile(r"([0-9]+)(?:-([0-9]+))?")
_PORT = re.compile(r"[0-9]+")
# NetworkMode values that leave the container on Docker's default network.
_DEFAULT_NETWORK = frozenset({"", "default"})


def from_engine_api(request: Mapping[str, Any]) -> Container:
    """Read the ports, links and network of a ``POST /containers/create`` body.

    ``to_engine_api(from_engine_api(to_engine_api(c))) == to_engine_api(c)``.

    >>> api = {"ExposedPorts": {"80/tcp": {}, "53/udp": {}},
    ...        "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]},
    ...                       "Links": ["db:database"], "NetworkMode": "default"}}
    >>> print(from_engine_api(api))
    docker run --publish 8080:80 --expose 53/udp --link db:database

    A part of the wrong shape raises ``PortSpecError`` naming where it is.
    """
    if not isinstance(request, Mapping):
        raise PortSpecError(
            f"expected the create request as a mapping, not {type(request).__name__}"
        )
    exposed = _mapping(request.get("ExposedPorts"), "ExposedPorts")
    host_config = _mapping(request.get("HostConfig"), "HostConfig")
    bindings = _mapping(host_config.get("PortBindings"), "HostConfig.PortBindings")

    publish: list[PortMapping] = []
    bound: set[tuple[int, str]] = set()
    for key, value in bindings.items():
        where = f"HostConfig.PortBindings[{shown(key)}]"
        port, protocol_text = split_port_key(key, "HostConfig.PortBindings")
        protocol = publish_protocol(protocol_text, key)
        for index, binding in enumerate(_sequence(value, where)):
            host_ip, host_port = _binding(binding, f"{where}[{index}]")
            publish.append(binding_mapping(port, protocol, host_ip, host_port, f"{where}[{index}]"))
            bound.add((port, protocol_text))

    expose: list[Expose] = []
    for key, value in exposed.items():
        port, protocol_text = split_port_key(key, "ExposedPorts")
        if value is not None and not isinstance(value, Mapping):
            raise PortSpecError(
                f"ExposedPorts[{shown(key)}]: expected an empty object, not {type(value).__name__}"
            )
        if (port, protocol_text) not in bound:
            expose.append(exposed_port(port, protocol_text, key))

    return Container(
        publish=tuple(publish),
        expose=tuple(expose),
        publish_all=_publish_all(host_config.get("PublishAllPorts")),
        links=tuple(_links(host_config.get("Links"))),
        networks=_networks(host_config.get("NetworkMode")),
    )


# ------------------------------------------------------------- ports


def split_port_key(key: object, where: str) -> tuple[int, str]:
    """The port and protocol text of a key such as ``80/tcp``, as Docker splits it.

    Docker's ``nat.SplitProtoPort`` takes a key with no protocol, or an empty
    one (``80``, ``80/``), as TCP.
    """
    if not isinstance(key, str):
        raise PortSpecError(f"{where}: a port key is text such as '80/tcp', not {shown(key)}")
    port_text, _, protocol = key.partition("/")
    if _PORT.fullmatch(port_text) is None:
        raise PortSpecError(
            f"{where}: invalid port key {shown(key)}: expected a container port such as '80/tcp'"
        )
    port = port_number(port_text)
    if port is None or port > MAX_PORT:
        raise PortSpecError(
            f"{where}: invalid port {shown(port_text, quote=False)} in {shown(key)}:"
            f" ports are 0-{MAX_PORT}"
        )
    if "/" in protocol:
        raise PortSpecError(f"{where}: invalid port key {shown(key)}: more than one '/'")
    return port, protocol or Protocol.TCP.value


def port_number(digits: str) -> int | None:
    """The number ASCII ``digits`` spell, or None when it is past any port.

    Go's ``ParseUint`` reads any number of leading zeros; a number of more
    than five other digits is out of range whatever they are, and is never
    handed to ``int()`` (which refuses 4,300 digits).

    >>> port_number("0008080"), port_number("9" * 5000)
    (8080, None)
    """
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= 5 else None


def shown(value: object, *, quote: bool = True, limit: int = 40) -> str:
    """``value`` as a message shows it: text quoted as ``repr`` does, anything cut short.

    >>> shown("80/tcp"), shown("9" * 50, quote=False), shown(10**5000)
    ("'80/tcp'", '9999999999999999999999999999999999999...', 'an int of some 5001 digits')
    """
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 3] + "..."
        return repr(text) if quote else text
    if type(value) is int and value.bit_length() > 128:
        # str() would refuse past 4,300 digits
        return f"an int of some {int(value.bit_length() * 0.30103) + 1} digits"
    try:
        text = repr(value)
    except ValueError:  # pragma: no cover - repr of a foreign object
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def publish_protocol(text: str, key: str) -> Protocol:
    """The protocol of a bound port: Docker binds only tcp, udp and sctp, in lower case."""
    protocol = Protocol.named(text)
    if protocol is None:
        raise PortSpecError(
            f"invalid protocol {shown(text)} in port {shown(key)}:"
            " a published port is tcp, udp or sctp"
        )
    return protocol


def exposed_port(port: int, protocol: str, key: str) -> Expose:
    """An exposed port, its protocol kept as text when Docker does not know it."""
    known = Protocol.named(protocol)
    try:
        return Expose(PortRange.single(port), known if known is not None else protocol)
    except PortSpecError as error:
        raise PortSpecError(f"invalid exposed port {shown(key)}: {error.message}") from None


def binding_mapping(
    port: int, protocol: Protocol, host_ip: str, host_port: str, where: str
) -> PortMapping:
    """The mapping one Engine binding stands for (``""`` is no address, no host port)."""
    address = None
    if host_ip:
        address = parse_address(host_ip)
        if address is None:
            raise PortSpecError(f"{where}: invalid host IP {shown(host_ip)}")
    return PortMapping(
        PortRange.single(port),
        protocol,
        address,
        _host_ports(host_port, where),
        host_ip_text=host_ip or None,
    )


def _host_ports(text: str, where: str) -> PortRange | None:
    if not text:
        return None
    match = _HOST_PORT.fullmatch(text)
    if match is None:
        raise PortSpecError(
            f"{where}: invalid host port {shown(text)}:"
            " expected a port or a range such as '8000-8010'"
        )
    start = port_number(match[1])
    end = start if match[2] is None else port_number(match[2])
    if start is None or end is None or start > MAX_PORT or end > MAX_PORT:
        raise PortSpecError(f"{where}: invalid host port {shown(text)}: ports are 0-{MAX_PORT}")
    if end < start:
        raise PortSpecError(
            f"{where}: invalid host port range {shown(text)}: the end is before the start"
        )
    return PortRange(start, end)


def _binding(binding: object, where: str) -> tuple[str, str]:
    if not isinstance(binding, Mapping):
        raise PortSpecError(
            f"{where}: expected a binding such as {{'HostIp': '', 'HostPort': '8080'}},"
            f" not {type(binding).__name__}"
        )
    # Go decodes a missing field (or null) as "".
    host_ip = _text(binding.get("HostIp"), f"{where}.HostIp")
    host_port = _text(binding.get("HostPort"), f"{where}.HostPort")
    return host_ip, host_port


# ------------------------------------------------- links and the rest


def _links(value: object) -> list[Link]:
    links: list[Link] = []
    for index, text in enumerate(_sequence(value, "HostConfig.Links")):
        if not isinstance(text, str):
            raise PortSpecError(
                f"HostConfig.Links[{index}]: a link is text such as 'db:database',"
                f" not {type(text).__name__}"
            )
        try:
            links.append(parse_link(text))
        except PortSpecError as error:
            raise PortSpecError(
                f"HostConfig.Links[{index}]: {error.message}", error.text, error.span
            ) from None
    return links


def _publish_all(value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise PortSpecError(
            f"HostConfig.PublishAllPorts: expected true or false, not {shown(value)}"
        )
    return value


def _networks(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, str):
        raise PortSpecError(f"HostConfig.NetworkMode: expected text, not {shown(value)}")
    return () if value in _DEFAULT_NETWORK else (value,)


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PortSpecError(f"{where}: expected an object, not {type(value).__name__}")
    return value


def _sequence(value: object, where: str) -> Sequence[object]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise PortSpecError(f"{where}: expected a list, not {type(value).__name__}")
    return value


def _text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PortSpecError(f"{where}: expected text, not {shown(value)}")
    return value
