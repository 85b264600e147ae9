"""Values to a compose service fragment: ``ports``, ``expose``, ``links``, ``network_mode``.

>>> from portspec import parse_publish
>>> to_compose(Container(publish=(parse_publish("8080:80"),)))
{'ports': ['8080:80']}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from portspec.errors import PortSpecError
from portspec.model import Container, PortMapping

if TYPE_CHECKING:
    from portspec.sources.compose import Unrunnable

__all__ = ["to_compose"]

_OPTIONS = ("mode=", "name=", "app_protocol=")


def to_compose(
    container: Container, *, long: bool = False, unrunnable: Sequence[Unrunnable] = ()
) -> dict[str, Any]:
    """The service fragment for ``container``, in short syntax or (``long=True``) long syntax.

    >>> from portspec import parse_publish
    >>> to_compose(Container(publish=(parse_publish("8080:80/udp"),)), long=True)
    {'ports': [{'mode': 'ingress', 'target': 80, 'published': '8080', 'protocol': 'udp'}]}

    The long syntax is what ``docker compose config --format json`` prints:
    a container range becomes one entry a port, as Compose expands it.
    Every value of the short syntax is a string, so YAML cannot retype it;
    the long syntax keeps the text Compose keeps (``expose: ["80/tcp"]``,
    ``links: ["db:db"]``). ``unrunnable`` (a ``Project``'s entries Docker
    refuses at create) are written back in their places in the long syntax.
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
            out["ports"] = [[_long(m) for m in mapping.expand()] for mapping in container.publish]
        else:
            out["ports"] = [str(mapping) for mapping in container.publish]
    if container.expose:
        out["expose"] = [
            expose.text if long and expose.text is not None else str(expose)
            for expose in container.expose
        ]
    if container.links:
        out["links"] = [link.as_typed if long else str(link) for link in container.links]
    if long:
        for key in ("ports", "expose"):
            placed = [e for e in unrunnable if e.key == key]
            if placed:
                values = list(out.get(key, []))
                for entry in sorted(placed, key=lambda e: e.index):
                    values.insert(entry.index, [entry.compose] if key == "ports" else entry.compose)
                out[key] = values
        if "ports" in out:
            out["ports"] = [entry for group in out["ports"] for entry in group]
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
