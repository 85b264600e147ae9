"""A container as the docker CLI sends it to the Engine API (``POST /containers/create``)."""

from __future__ import annotations

from typing import Any

from portspec.model import Container

__all__ = ["to_engine_api"]


def to_engine_api(container: Container) -> dict[str, Any]:
    """The parts of the create request that ports, links and networks decide.

    Exactly what the docker CLI 28 sends for the same flags: ranges expanded as
    Docker expands them (``8000-8010:80`` stays one binding with a host range),
    host addresses as typed, a binding for every ``-p`` in order (duplicates
    kept), ``ExposedPorts`` left out when empty, ``Links`` ``None`` when empty.

    >>> api = to_engine_api(parse_docker_run("-p 127.0.0.1:8080:80 --expose 53/udp"))
    >>> api["ExposedPorts"], api["HostConfig"]["PortBindings"]
    ({'80/tcp': {}, '53/udp': {}}, {'80/tcp': [{'HostIp': '127.0.0.1', 'HostPort': '8080'}]})
    """
    exposed: dict[str, dict[str, Any]] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for mapping in container.publish:
        host_ip = mapping.host_ip_as_typed
        dynamic = mapping.is_dynamic_range
        for offset, port in enumerate(mapping.container):
            key = f"{port}/{mapping.protocol}"
            if mapping.host is None:
                host_port = ""
            elif dynamic:
                host_port = str(mapping.host)
            else:
                host_port = str(mapping.host.start + offset)
            exposed.setdefault(key, {})
            bindings.setdefault(key, []).append({"HostIp": host_ip, "HostPort": host_port})
    for expose in container.expose:
        for port in expose.ports:
            exposed.setdefault(f"{port}/{expose.protocol}", {})
    request: dict[str, Any] = {}
    if exposed:
        request["ExposedPorts"] = exposed
    request["HostConfig"] = {
        "PortBindings": bindings,
        "Links": [link.as_typed for link in container.links] or None,
        "PublishAllPorts": container.publish_all,
        "NetworkMode": container.network_mode or "default",
    }
    return request
