"""Values to a compose service fragment: ``ports``, ``expose``, ``links``, ``network_mode``.

>>> from portspec import parse_publish
>>> to_compose(Container(publish=(parse_publish("8080:80"),)))
{'ports': ['8080:80']}
"""

from __future__ import annotations

from typing import Any

from portspec.errors import PortSpecError
from portspec.model import Container, PortMapping

__all__ = ["to_compose"]

_OPTIONS = ("mode=", "name=", "app_protocol=")


def to_compose(container: Container, *, long: bool = False) -> dict[str, Any]:
    """The service fragment for ``container``, in short syntax or (``long=True``) long syntax.

    >>> from portspec import parse_publish
    >>> to_compose(Container(publish=(parse_publish("8080:80/udp"),)), long=True)
    {'ports': [{'mode': 'ingress', 'target': 80, 'published': '8080', 'protocol': 'udp'}]}

    The long syntax is what ``docker compose config --format json`` prints:
    a container range becomes one entry a port, as Compose expands it.
    Every value of the short syntax is a string, so YAML cannot retype it.
    Raises ``PortSpecError`` for what Compose cannot say (container port 0).
    """
    out: dict[str, Any] = {}
    if container.publish:
        for mapping in container.publish:
            if mapping.container.start == 0:
                raise PortSpecError(
                    f"cannot write {mapping} for Compose: it needs a container port from 1"
                )
        if long:
            out["ports"] = [_long(m) for mapping in container.publish for m in mapping.expand()]
        else:
            out["ports"] = [str(mapping) for mapping in container.publish]
    if container.expose:
        out["expose"] = [str(expose) for expose in container.expose]
    if container.links:
        out["links"] = [str(link) for link in container.links]
    if container.network_mode is not None:
        out["network_mode"] = container.network_mode
    return out


def _long(mapping: PortMapping) -> dict[str, Any]:
    options = {
        text.split("=", 1)[0]: text.split("=", 1)[1]
        for text in mapping.ignored
        if text.startswith(_OPTIONS)
    }
    entry: dict[str, Any] = {}
    if "name" in options:
        entry["name"] = options["name"]
    entry["mode"] = options.get("mode", "ingress")
    if mapping.host_ip is not None:
        entry["host_ip"] = mapping.host_ip_as_typed
    entry["target"] = mapping.container.start
    if mapping.host is not None:
        entry["published"] = str(mapping.host)
    entry["protocol"] = mapping.protocol.value
    if "app_protocol" in options:
        entry["app_protocol"] = options["app_protocol"]
    return entry
