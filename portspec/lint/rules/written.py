"""PS2xx: Docker accepts it, but it will not do what it says."""

from __future__ import annotations

import re
from collections.abc import Iterable
from ipaddress import IPv6Address

from portspec.lint.diagnostic import Severity
from portspec.lint.rule import Context, Example, Finding, Rule, register
from portspec.lint.rules._common import (
    _compose,
    _mode,
    _rewrite,
    _value_text,
)
from portspec.lint.units import Entry, Unit
from portspec.model import Expose, Link, PortMapping


@register
class ContainerPortZero(Rule):
    """A mapping to container port 0.

    The docker CLI accepts ``-p 8080:0``, but no process listens on port 0:
    the Engine refuses the mapping when the container is created.
    """

    code = "PS201"
    name = "container-port-zero"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run -p 8080:0 nginx\n")
    good = Example("run.sh", "docker run -p 8080:80 nginx\n")

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if entry.value.container.start == 0:
            yield Finding(entry.site, "container port 0: nothing can listen on it")


@register
class IgnoredLongKey(Rule):
    """A long ``--publish`` key that ``docker run`` silently ignores.

    ``docker run`` reads ``published``, ``target`` and ``protocol``; it accepts
    ``host_ip`` and ``mode`` and drops them, so ``host_ip=127.0.0.1`` still
    publishes the port on every address. Use the short syntax:
    ``-p 127.0.0.1:8080:80``.
    """

    code = "PS202"
    name = "ignored-long-key"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run -p published=8080,target=80,host_ip=127.0.0.1 nginx\n")
    good = Example("run.sh", "docker run -p 127.0.0.1:8080:80 nginx\n")

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.origin != "command":
            return
        for part in entry.value.ignored:
            key = part.partition("=")[0]
            if key in ("host_ip", "mode"):
                effect = (
                    "the port is published on every address"
                    if key == "host_ip"
                    else "the mode has no effect"
                )
                yield Finding(entry.site, f"docker run ignores {part!r}: {effect}")


@register
class PortsWithHostNetwork(Rule):
    """Published ports on a container that uses the host's network.

    With ``network_mode: host`` (``--network host``) the container's ports are
    the host's own; Docker discards ``ports`` with a warning, so the mapping
    (and any rebinding it asks for) does nothing.
    """

    code = "PS203"
    name = "ports-with-host-network"
    severity = Severity.WARNING
    bad = Example(
        "compose.yaml", _compose("  web:\n    network_mode: host\n    ports: ['8080:80']\n")
    )
    good = Example("compose.yaml", _compose("  web:\n    network_mode: host\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if _mode(unit) == "host":
            yield Finding(entry.site, "published ports are discarded with the host network")

    def unit(self, unit: Unit, ctx: Context) -> Iterable[Finding]:
        if _mode(unit) == "host" and unit.publish_all is not None:
            yield Finding(unit.publish_all, "-P publishes nothing with the host network")


@register
class PortsWithSharedNetwork(Rule):
    """Published ports on a container that joins another's network.

    With ``network_mode: service:x`` or ``--network container:x`` the container
    has no network of its own: Docker refuses to create it ("conflicting
    options: port publishing and the container type network mode"). Publish
    the port on the container that owns the network.
    """

    code = "PS204"
    name = "ports-with-shared-network"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  vpn: {}\n  web:\n    network_mode: service:vpn\n    ports: ['8080:80']\n"),
    )
    good = Example(
        "compose.yaml",
        _compose("  vpn:\n    ports: ['8080:80']\n  web:\n    network_mode: service:vpn\n"),
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mode = _mode(unit)
        if mode.startswith(("service:", "container:")):
            yield Finding(entry.site, f"ports cannot be published with network_mode {mode!r}")


@register
class ExposeRange(Rule):
    """An exposed port range, which Docker Engine 29 and later refuse.

    Engine 29 no longer takes a range in a container's ``ExposedPorts``:
    Compose releases that pass ``expose: ['9000-9010']`` through fail with
    "invalid port", and an image built with ``EXPOSE 9000-9010`` cannot be
    pulled or run. (``docker run --expose`` expands the range itself and is
    not affected.) List the ports, or publish the range with ``ports``. Set
    ``--docker-version 28`` to silence it for older engines.
    """

    code = "PS205"
    name = "expose-range"
    severity = Severity.WARNING
    bad = Example("Dockerfile", "FROM alpine\nEXPOSE 9000-9002\n")
    good = Example("Dockerfile", "FROM alpine\nEXPOSE 9000 9001 9002\n")

    def expose(self, entry: Entry[Expose], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.origin == "command" or entry.value.ports.is_single:
            return
        if ctx.engine_at_least(29):
            yield Finding(entry.site, f"Engine 29 and later refuse the range {entry.value.ports}")


_CONTAINER_NAME = re.compile(r"/?[a-zA-Z0-9][a-zA-Z0-9_.-]+")
_ALIAS = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")


@register
class InvalidLinkName(Rule):
    """A link name or alias that is not a valid container name.

    Docker accepts any text after ``--link``, but container names match
    ``[a-zA-Z0-9][a-zA-Z0-9_.-]+``, so no container can have the name; an
    alias with other characters is written into ``/etc/hosts`` where no
    resolver can look it up.
    """

    code = "PS206"
    name = "invalid-link-name"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run --name db redis\ndocker run --link 'db:my cache' app\n")
    good = Example("run.sh", "docker run --name db redis\ndocker run --link db:my-cache app\n")

    def link(self, entry: Entry[Link], unit: Unit, ctx: Context) -> Iterable[Finding]:
        link = entry.value
        if unit.origin == "command" and not _CONTAINER_NAME.fullmatch(link.name):
            yield Finding(entry.site, f"{link.name!r} is not a valid container name")
        elif link.alias != link.name and not _ALIAS.fullmatch(link.alias):
            yield Finding(entry.site, f"alias {link.alias!r} is not a valid host name")


@register
class UnbracketedIPv6(Rule):
    """An IPv6 host address written without brackets.

    Docker splits a mapping at its last two colons, so ``::1:8080:80`` works,
    but it reads differently to every person and most tools, and one colon
    less changes its meaning. Write ``[::1]:8080:80``.
    """

    code = "PS207"
    name = "unbracketed-ipv6"
    severity = Severity.WARNING
    fixable = True
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['::1:8080:80']\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['[::1]:8080:80']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mapping = entry.value
        typed = mapping.host_ip_text
        if entry.long or not isinstance(mapping.host_ip, IPv6Address) or typed is None:
            return
        if not entry.text.startswith(typed):
            return
        text = _value_text(entry)
        fix = None
        if text is not None and text.startswith(typed):
            new = f"[{typed}]{text[len(typed) :]}"
            fix = _rewrite(entry, new, f"Write {new}", safe=True, value=mapping)
        yield Finding(entry.site, f"IPv6 host address {typed} without brackets", fix)


@register
class HostIpIgnoredInIngress(Rule):
    """``host_ip`` on a port in swarm ``ingress`` mode, where it is ignored.

    ``docker stack deploy`` publishes ingress ports on every node's every
    address; ``host_ip`` only works with ``mode: host``.
    """

    code = "PS208"
    name = "host-ip-ignored-in-ingress"
    severity = Severity.WARNING
    bad = Example(
        "compose.yaml",
        _compose(
            "  web:\n    ports:\n      - {target: 80, published: 8080,"
            " host_ip: 127.0.0.1, mode: ingress}\n"
        ),
    )
    good = Example(
        "compose.yaml",
        _compose(
            "  web:\n    ports:\n      - {target: 80, published: 8080,"
            " host_ip: 127.0.0.1, mode: host}\n"
        ),
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mapping = entry.value
        if (
            unit.origin == "compose"
            and mapping.host_ip is not None
            and "mode=ingress" in mapping.ignored
        ):
            yield Finding(
                entry.site, f"host_ip {mapping.host_ip_as_typed} is ignored in ingress mode"
            )
