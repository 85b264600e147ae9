"""A container as keyword arguments for the docker SDK for Python.

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

``portspec.sources.docker_sdk.from_docker_sdk`` reads such keyword arguments
back, as the SDK reads them.
"""

from __future__ import annotations

from typing import Any

from portspec.errors import PortSpecError
from portspec.model import Container, Link, PortMapping

__all__ = ["to_docker_sdk"]

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
