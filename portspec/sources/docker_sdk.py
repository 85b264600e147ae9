"""Keyword arguments of the docker SDK for Python read back into a ``Container``.

``from_docker_sdk`` reads what ``client.containers.create(image, **kwargs)``
takes, as the SDK reads it; ``portspec.emit.docker_sdk.to_docker_sdk``
writes such keyword arguments (its docstring gives the mapping).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from portspec._parse import parse_link
from portspec.errors import PortSpecError
from portspec.model import MAX_PORT, Container, Expose, Link, PortMapping
from portspec.sources.engine_api import (
    binding_mapping,
    exposed_port,
    publish_protocol,
    shown,
    split_port_key,
)

__all__ = ["from_docker_sdk"]


def from_docker_sdk(kwargs: Mapping[str, Any]) -> Container:
    """The container the docker SDK creates from these keyword arguments.

    Reads ``ports``, ``links``, ``publish_all_ports``, ``network_mode`` (or
    ``network``, which wins as it does in the SDK), ``name``, and ``image``
    and ``command`` when given; other keyword arguments decide nothing about
    ports and are ignored. Links keep the order given.

    >>> print(from_docker_sdk({"ports": {80: 8080, "53/udp": ("127.0.0.1", None)},
    ...                        "links": {"db": "database"}}))
    docker run --publish 8080:80 --publish 127.0.0.1::53/udp --link db:database

    A value of a shape the SDK does not take raises ``PortSpecError``.
    """
    if not isinstance(kwargs, Mapping):
        raise PortSpecError(
            f"expected the keyword arguments as a mapping, not {type(kwargs).__name__}"
        )
    publish, expose = _read_ports(kwargs.get("ports"))
    network = kwargs.get("network") or kwargs.get("network_mode")
    if network is not None and not isinstance(network, str):
        raise PortSpecError(f"network_mode: expected a network name, not {shown(network)}")
    name = kwargs.get("name")
    if name is not None and not isinstance(name, str):
        raise PortSpecError(f"name: expected text, not {shown(name)}")
    image = kwargs.get("image")
    if image is not None and not isinstance(image, str):
        raise PortSpecError(f"image: expected text, not {shown(image)}")
    return Container(
        name=name,
        publish=tuple(publish),
        expose=tuple(expose),
        publish_all=_read_publish_all(kwargs.get("publish_all_ports")),
        links=tuple(_read_links(kwargs.get("links"))),
        networks=(network,) if network else (),
        image=image,
        command=_read_command(kwargs.get("command")),
    )


def _read_ports(ports: object) -> tuple[list[PortMapping], list[Expose]]:
    if ports is None:
        return [], []
    if not isinstance(ports, Mapping):
        raise PortSpecError(f"ports: expected a dict, not {type(ports).__name__}")
    # As the SDK does: 80 and "80" mean "80/tcp", and a later key replaces an earlier one.
    by_key: dict[str, object] = {}
    for key, value in ports.items():
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise PortSpecError(f"ports: a key is a port such as 80 or '80/tcp', not {shown(key)}")
        if type(key) is int and not 0 <= key <= MAX_PORT:
            raise PortSpecError(f"ports: invalid port {shown(key)}: ports are 0-{MAX_PORT}")
        text = str(key)
        by_key[text if "/" in text else f"{text}/tcp"] = value
    publish: list[PortMapping] = []
    expose: list[Expose] = []
    for key, value in by_key.items():
        port, protocol_text = split_port_key(key, "ports")
        values = value if isinstance(value, list) else [value]
        if not values:
            expose.append(exposed_port(port, protocol_text, key))
            continue
        protocol = publish_protocol(protocol_text, key)
        for index, binding in enumerate(values):
            where = f"ports[{shown(key)}]" + (f"[{index}]" if isinstance(value, list) else "")
            host_ip, host_port = _read_binding(binding, where)
            publish.append(binding_mapping(port, protocol, host_ip, host_port, where))
    return publish, expose


def _read_binding(binding: object, where: str) -> tuple[str, str]:
    """The HostIp and HostPort the SDK sends for one binding."""
    host_ip: object = ""
    host_port: object = None
    if isinstance(binding, tuple):
        if len(binding) == 2:
            host_ip, host_port = binding
        elif len(binding) == 1 and isinstance(binding[0], str):
            host_ip = binding[0]
        elif len(binding) == 1:
            host_port = binding[0]
        else:
            raise PortSpecError(
                f"{where}: expected (address,) or (address, port), not a {len(binding)}-tuple"
            )
    elif isinstance(binding, Mapping):
        if "HostPort" not in binding:
            raise PortSpecError(f"{where}: a binding given as a dict needs 'HostPort'")
        host_ip, host_port = binding.get("HostIp", ""), binding["HostPort"]
    else:
        host_port = binding
    if host_ip is None:
        host_ip = ""
    if not isinstance(host_ip, str):
        raise PortSpecError(f"{where}: the host address is text, not {shown(host_ip)}")
    if host_port is None:
        return host_ip, ""
    if isinstance(host_port, bool) or not isinstance(host_port, int | str):
        raise PortSpecError(
            f"{where}: a host port is a number, a range such as '8000-8010' or None,"
            f" not {shown(host_port)}"
        )
    if type(host_port) is int and not 0 <= host_port <= MAX_PORT:
        raise PortSpecError(
            f"{where}: invalid host port {shown(host_port)}: ports are 0-{MAX_PORT}"
        )
    return host_ip, str(host_port)


def _read_links(links: object) -> list[Link]:
    if links is None:
        return []
    pairs: Sequence[object]
    if isinstance(links, Mapping):
        pairs = list(links.items())
    elif isinstance(links, Sequence) and not isinstance(links, str):
        pairs = links
    else:
        raise PortSpecError(f"links: expected a dict or a list of pairs, not {shown(links)}")
    result: list[Link] = []
    for index, pair in enumerate(pairs):
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise PortSpecError(f"links[{index}]: expected a (name, alias) pair, not {shown(pair)}")
        name, alias = pair
        if not isinstance(name, str) or not (alias is None or isinstance(alias, str)):
            raise PortSpecError(f"links[{index}]: a name and an alias are text, not {shown(pair)}")
        text = f"{name}:{alias}" if alias else name
        try:
            result.append(parse_link(text))
        except PortSpecError as error:
            raise PortSpecError(
                f"links[{index}]: {error.message}", error.text, error.span
            ) from None
    return result


def _read_publish_all(value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise PortSpecError(f"publish_all_ports: expected True or False, not {shown(value)}")
    return value


def _read_command(command: object) -> tuple[str, ...]:
    if command is None:
        return ()
    if isinstance(command, str):
        # The SDK splits a command given as text as a shell would.
        try:
            return tuple(shlex.split(command))
        except ValueError as error:
            raise PortSpecError(f"command: {error}", command) from None
    if isinstance(command, Sequence) and all(isinstance(word, str) for word in command):
        return tuple(command)
    raise PortSpecError(f"command: expected text or a list of text, not {shown(command)}")
