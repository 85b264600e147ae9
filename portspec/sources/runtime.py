"""Running containers, read from ``docker ps``, ``docker port`` and ``docker inspect``.

These give the ports Docker has bound, ephemeral ones included, so running
containers can be checked against planned ones with ``find_conflicts``::

    docker ps --format '{{.Names}}\t{{.Ports}}'   ->  parse_docker_ps
    docker port web                               ->  parse_docker_port
    docker inspect web db                         ->  parse_docker_inspect

The docker CLI prints an IPv6 host address in brackets (``[::]:8080``); older
versions printed it bare (``:::8080``). Both are read.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from portspec._parse import parse_link
from portspec.errors import PortSpecError
from portspec.model import (
    MAX_PORT,
    Container,
    Expose,
    HostAddress,
    Link,
    PortMapping,
    PortRange,
    Protocol,
    parse_address,
)
from portspec.sources.engine_api import (
    binding_mapping,
    exposed_port,
    from_engine_api,
    port_number,
    publish_protocol,
    shown,
    split_port_key,
)

__all__ = ["parse_docker_inspect", "parse_docker_port", "parse_docker_ps", "parse_ps_ports"]

_RANGE = r"[0-9]+(?:-[0-9]+)?"
# 0.0.0.0:8000-8010->8000-8010/tcp · [::]:8080->80/tcp · :::8080->80/tcp · 443/tcp
_PS_ENTRY = re.compile(
    rf"(?:(?P<ip>\[[^\]]*\]|[^\s,\[\]]*):(?P<host>{_RANGE})->)?(?P<port>{_RANGE})/(?P<proto>[a-z]+)"
)
# 80/tcp -> 0.0.0.0:8080
_PORT_LINE = re.compile(
    r"(?P<port>[0-9]+)/(?P<proto>[a-z]+) -> (?P<ip>\[[^\]]*\]|\S*):(?P<host>[0-9]+)"
)


def parse_ps_ports(text: str, *, name: str | None = None) -> Container:
    """One ``{{.Ports}}`` value of ``docker ps``: published ports and exposed ones.

    >>> web = parse_ps_ports("0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 443/tcp", name="web")
    >>> [str(m) for m in web.publish], [str(e) for e in web.expose]
    (['0.0.0.0:8080:80', '[::]:8080:80'], ['443'])
    """
    if not isinstance(text, str):
        raise PortSpecError(f"expected the ports as text, not {type(text).__name__}")
    publish: list[PortMapping] = []
    expose: list[Expose] = []
    offset = 0
    for part in text.split(","):
        entry = part.strip()
        start = offset + len(part) - len(part.lstrip())
        offset += len(part) + 1
        if not entry:
            if text.strip():
                raise PortSpecError("empty entry in the ports", text, (start, start + 1))
            continue
        span = (start, start + len(entry))
        match = _PS_ENTRY.fullmatch(entry)
        if match is None:
            raise PortSpecError(
                "expected a port such as '0.0.0.0:8080->80/tcp' or '443/tcp'", text, span
            )
        container = _range(match["port"], text, span)
        if match["host"] is None:
            known = Protocol.named(match["proto"])
            expose.append(Expose(container, known if known is not None else match["proto"]))
            continue
        protocol = _protocol(match["proto"], text, span)
        address, address_text = _address(match["ip"], text, span)
        try:
            publish.append(
                PortMapping(
                    container,
                    protocol,
                    address,
                    _range(match["host"], text, span),
                    host_ip_text=address_text,
                )
            )
        except PortSpecError as error:
            raise PortSpecError(error.message, text, span) from None
    return Container(name=name, publish=tuple(publish), expose=tuple(expose))


def parse_docker_ps(text: str) -> list[Container]:
    """``docker ps --format '{{.Names}}\\t{{.Ports}}'`` (or ``'{{.Ports}}'``): one container a line.

    Without a name, a container is named by its line number, from 1.

    >>> [c.name for c in parse_docker_ps("web\\t0.0.0.0:80->80/tcp\\ndb\\t5432/tcp\\n")]
    ['web', 'db']
    """
    if not isinstance(text, str):
        raise PortSpecError(f"expected docker ps output as text, not {type(text).__name__}")
    containers: list[Container] = []
    for number, line in enumerate(text.splitlines(), start=1):
        name, tab, ports = line.partition("\t")
        if not tab:
            name, ports = str(number), line
        if not line.strip():
            continue
        try:
            containers.append(parse_ps_ports(ports, name=name.strip()))
        except PortSpecError as error:
            raise PortSpecError(f"line {number}: {error.message}", error.text, error.span) from None
    return containers


def parse_docker_port(text: str, *, name: str | None = None) -> Container:
    """``docker port CONTAINER`` output: one ``80/tcp -> 0.0.0.0:8080`` binding a line.

    >>> output = "80/tcp -> 0.0.0.0:8080\\n80/tcp -> [::]:8080\\n"
    >>> [str(mapping) for mapping in parse_docker_port(output).publish]
    ['0.0.0.0:8080:80', '[::]:8080:80']
    """
    if not isinstance(text, str):
        raise PortSpecError(f"expected docker port output as text, not {type(text).__name__}")
    publish: list[PortMapping] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry:
            continue
        match = _PORT_LINE.fullmatch(entry)
        if match is None:
            raise PortSpecError(
                f"line {number}: expected a binding such as '80/tcp -> 0.0.0.0:8080'",
                line,
                (0, len(line)),
            )
        span = (0, len(line))
        address, address_text = _address(match["ip"], line, span)
        publish.append(
            PortMapping(
                _range(match["port"], line, span),
                _protocol(match["proto"], line, span),
                address,
                _range(match["host"], line, span),
                host_ip_text=address_text,
            )
        )
    return Container(name=name, publish=tuple(publish))


def parse_docker_inspect(
    data: str | Sequence[Mapping[str, Any]] | Mapping[str, Any],
    *,
    bindings: Literal["actual", "requested"] = "actual",
) -> list[Container]:
    """``docker inspect`` JSON (text, a list of objects or one object) read into containers.

    ``bindings="actual"`` reads ``NetworkSettings.Ports``, what Docker has
    bound (nothing, for a stopped container); ``"requested"`` reads
    ``HostConfig.PortBindings`` and ``PublishAllPorts``, what it will bind on
    start.

    >>> web = {"Name": "/web", "HostConfig": {
    ...     "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": ""}]}, "Links": ["/db:/web/db"]},
    ...     "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]}}}
    >>> [(c.name, [str(m) for m in c.publish], c.links) for c in parse_docker_inspect(web)]
    [('web', ['0.0.0.0:32768:80'], (Link(name='db', alias='db'),))]
    >>> [str(m) for m in parse_docker_inspect(web, bindings="requested")[0].publish]
    ['80']
    """
    if bindings not in ("actual", "requested"):
        raise PortSpecError(f"bindings must be 'actual' or 'requested', not {bindings!r}")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as error:
            raise PortSpecError(f"invalid JSON: {error}") from None
        except RecursionError:
            # docker inspect nests five levels; Python's reader recurses.
            raise PortSpecError(
                "invalid JSON: nested too deeply to be docker inspect output"
            ) from None
    if isinstance(data, Mapping):
        data = [data]
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise PortSpecError(f"expected a list of containers, not {type(data).__name__}")
    return [_inspected(item, index, bindings) for index, item in enumerate(data)]


# ------------------------------------------------------------------ parts


def _inspected(item: object, index: int, bindings: str) -> Container:
    where = f"[{index}]"
    if not isinstance(item, Mapping):
        raise PortSpecError(f"{where}: expected a container object, not {type(item).__name__}")
    name = item.get("Name")
    if name is not None and not isinstance(name, str):
        raise PortSpecError(f"{where}.Name: expected text, not {shown(name)}")
    host_config = _object(item.get("HostConfig"), f"{where}.HostConfig")
    config = _object(item.get("Config"), f"{where}.Config")
    request = {
        "ExposedPorts": config.get("ExposedPorts"),
        "HostConfig": {
            "NetworkMode": host_config.get("NetworkMode"),
            **(
                {
                    "PortBindings": host_config.get("PortBindings"),
                    "PublishAllPorts": host_config.get("PublishAllPorts"),
                }
                if bindings == "requested"
                else {}
            ),
        },
    }
    try:
        container = from_engine_api(request)
    except PortSpecError as error:
        raise PortSpecError(f"{where}: {error.message}") from None
    if bindings == "actual":
        publish, expose = _actual(item.get("NetworkSettings"), f"{where}.NetworkSettings")
        known = {(e.ports, e.protocol) for e in expose} | {
            (m.container, m.protocol) for m in publish
        }
        expose += [e for e in container.expose if (e.ports, e.protocol) not in known]
        container = dataclasses.replace(container, publish=tuple(publish), expose=tuple(expose))
    links = _links(host_config.get("Links"), f"{where}.HostConfig.Links")
    return dataclasses.replace(
        container, name=None if name is None else name.removeprefix("/"), links=links
    )


def _actual(value: object, where: str) -> tuple[list[PortMapping], list[Expose]]:
    ports = _object(_object(value, where).get("Ports"), f"{where}.Ports")
    publish: list[PortMapping] = []
    expose: list[Expose] = []
    for key, found in ports.items():
        at = f"{where}.Ports[{shown(key)}]"
        port, protocol_text = split_port_key(key, f"{where}.Ports")
        if found is None:
            expose.append(exposed_port(port, protocol_text, key))
            continue
        if isinstance(found, str) or not isinstance(found, Sequence):
            raise PortSpecError(f"{at}: expected a list of bindings, not {type(found).__name__}")
        protocol = publish_protocol(protocol_text, key)
        for number, binding in enumerate(found):
            if not isinstance(binding, Mapping):
                raise PortSpecError(f"{at}[{number}]: expected a binding object")
            host_ip, host_port = binding.get("HostIp") or "", binding.get("HostPort") or ""
            if not isinstance(host_ip, str) or not isinstance(host_port, str):
                raise PortSpecError(f"{at}[{number}]: HostIp and HostPort are text")
            publish.append(binding_mapping(port, protocol, host_ip, host_port, f"{at}[{number}]"))
    return publish, expose


def _links(value: object, where: str) -> tuple[Link, ...]:
    """Links as docker inspect writes them: ``/db:/web/alias``."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise PortSpecError(f"{where}: expected a list, not {type(value).__name__}")
    links: list[Link] = []
    for index, text in enumerate(value):
        if not isinstance(text, str) or not text:
            raise PortSpecError(f"{where}[{index}]: a link is text such as '/db:/web/db'")
        try:
            links.append(parse_link(text))
        except PortSpecError as error:
            raise PortSpecError(f"{where}[{index}]: {error.message}") from None
    return tuple(links)


def _object(value: object, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PortSpecError(f"{where}: expected an object, not {type(value).__name__}")
    return value


def _range(text: str, source: str, span: tuple[int, int]) -> PortRange:
    start_text, _, end_text = text.partition("-")
    start, end = port_number(start_text), port_number(end_text or start_text)
    if start is None or end is None:
        shown_text = shown(start_text if start is None else end_text, quote=False)
        raise PortSpecError(f"invalid port {shown_text}: ports are 0-{MAX_PORT}", source, span)
    try:
        return PortRange(start, end)
    except PortSpecError as error:
        raise PortSpecError(error.message, source, span) from None


def _protocol(text: str, source: str, span: tuple[int, int]) -> Protocol:
    protocol = Protocol.named(text)
    if protocol is None:
        raise PortSpecError(
            f"invalid protocol {shown(text)}: a published port is tcp, udp or sctp", source, span
        )
    return protocol


def _address(
    text: str, source: str, span: tuple[int, int]
) -> tuple[HostAddress | None, str | None]:
    bare = text[1:-1] if text.startswith("[") else text
    if not bare:
        return None, None
    address = parse_address(bare)
    if address is None:
        raise PortSpecError(f"invalid host address {shown(bare)}", source, span)
    return address, bare
