"""A container as keyword arguments for the docker SDK for Python, and back.

``to_docker_sdk(c)`` gives the keyword arguments of
``client.containers.create(image, **kwargs)`` (or ``containers.run``) that make
the SDK send the Engine what the docker CLI sends for ``c``: ``ports``,
``links``, ``publish_all_ports``, ``network_mode`` and ``name``, each only when
it applies. The SDK writes them out in its own way, and where it cannot say
exactly what the CLI says, this is the mapping, and what differs:

- ``ports`` maps ``"80/tcp"`` to the host side of each binding: ``None``
  (an ephemeral port), ``8080``, ``"8000-8010"`` (any free port of a host
  range), ``("127.0.0.1",)``, ``("127.0.0.1", 8080)``, or a list of these
  when a container port is published more than once. Ranges are expanded one
  key a port, as Docker expands them. The host address is kept as typed.
- The SDK has no keyword for ``--expose``: it exposes exactly the keys of
  ``ports``. An exposed port with no binding is written as an empty list,
  ``{"53/udp": []}``: the SDK exposes it and sends ``"53/udp": []`` in
  ``PortBindings``, which the Engine treats as no binding at all (``-P``
  still publishes it). Protocols Docker does not know (``--expose 80/TCP``)
  pass through unchanged, as the CLI passes them.
- ``links`` is a list of ``(name, alias)`` pairs, split from the text the CLI
  would send, so that the SDK writes the same text: ``--link db`` is
  ``("db", "")`` and the SDK sends ``db``; ``--link db:db`` is
  ``("db", "db")``. A link typed with an empty alias (``db:``) becomes
  ``("db:", "")`` so the text survives. The SDK sorts links before sending
  them; Docker does not care about their order.
- ``network_mode`` is the first network only. The SDK creates a container on
  one network; connect the others after creating it
  (``client.networks.get(name).connect(container)``), as the CLI does itself.
- The SDK refuses ``ports`` with ``network_mode="host"`` (Docker discards
  them there anyway), so such a container raises ``PortSpecError``.
- The SDK leaves out what the CLI sends as empty: no ``PortBindings`` without
  ``ports``, no ``Links`` without links, no ``PublishAllPorts`` when false,
  ``ExposedPorts`` ``null``. These mean the same to the Engine.
- The image and its command are not keyword arguments here: pass them to
  ``create`` yourself.

``from_docker_sdk`` reads such keyword arguments back, as the SDK reads them.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from portspec._parse import parse_link
from portspec.errors import PortSpecError
from portspec.model import MAX_PORT, Container, Expose, Link, PortMapping
from portspec.sources.engine import (
    binding_mapping,
    exposed_port,
    publish_protocol,
    shown,
    split_port_key,
)

__all__ = ["from_docker_sdk", "to_docker_sdk"]

#: The host side of one binding, in the shapes the SDK's ``ports`` takes.
_Binding = int | str | None | tuple[str] | tuple[str, int | str]


def to_docker_sdk(container: Container) -> dict[str, Any]:
    """Keyword arguments for ``client.containers.create(image, **kwargs)``.

    >>> to_docker_sdk(parse_docker_run(
    ...     "--name web -p 8080:80 -p 127.0.0.1::53/udp --expose 9000 --link db -P nginx"))
    {'name': 'web', 'ports': {'80/tcp': 8080, '53/udp': ('127.0.0.1',), '9000/tcp': []},
     'publish_all_ports': True, 'links': [('db', '')]}

    A container on the host network with ports raises ``PortSpecError``: the
    SDK refuses it.
    """
    kwargs: dict[str, Any] = {}
    if container.name is not None:
        kwargs["name"] = container.name
    ports = _ports(container)
    if ports:
        if container.network_mode == "host":
            raise PortSpecError(
                "the docker SDK refuses ports with network_mode 'host'"
                " (Docker discards published ports on the host network)"
            )
        kwargs["ports"] = ports
    if container.publish_all:
        kwargs["publish_all_ports"] = True
    if container.links:
        kwargs["links"] = [_link_pair(link) for link in container.links]
    if container.network_mode is not None:
        kwargs["network_mode"] = container.network_mode
    return kwargs


def _ports(container: Container) -> dict[str, _Binding | list[_Binding]]:
    bindings: dict[str, list[_Binding]] = {}
    for mapping in container.publish:
        for one in mapping.expand():
            key = f"{one.container.start}/{one.protocol}"
            bindings.setdefault(key, []).append(_binding(one))
    for expose in container.expose:
        for port in expose.ports:
            bindings.setdefault(f"{port}/{expose.protocol}", [])
    return {key: value[0] if len(value) == 1 else value for key, value in bindings.items()}


def _binding(mapping: PortMapping) -> _Binding:
    host_ip = mapping.host_ip_as_typed
    host: int | str | None
    if mapping.host is None:
        host = None
    elif mapping.host.is_single:
        host = mapping.host.start
    else:
        host = str(mapping.host)
    if not host_ip:
        return host
    return (host_ip,) if host is None else (host_ip, host)


def _link_pair(link: Link) -> tuple[str, str]:
    text = link.as_typed
    name, colon, alias = text.partition(":")
    if not colon or not alias:
        # The SDK writes a pair with an empty alias as its name alone.
        return text, ""
    return name, alias


# --------------------------------------------------------------- back


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
