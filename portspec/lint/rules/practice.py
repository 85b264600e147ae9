"""PS3xx: security and practice."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from ipaddress import IPv4Address

from portspec.lint.diagnostic import Edit, Fix, Severity
from portspec.lint.rule import Context, Example, Finding, Rule, register
from portspec.lint.rules._common import (
    _compose,
    _mode,
    _publishes,
    _rewrite,
    _value_text,
    _wildcard,
    _yaml_double_quoted,
)
from portspec.lint.units import Entry, Unit
from portspec.model import Link, PortMapping

_NAMES = {
    22: "SSH",
    23: "Telnet",
    1433: "SQL Server",
    1521: "Oracle",
    2375: "the Docker API",
    2376: "the Docker API",
    2379: "etcd",
    2380: "etcd",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5900: "VNC",
    5984: "CouchDB",
    6379: "Redis",
    6443: "the Kubernetes API",
    8086: "InfluxDB",
    8500: "Consul",
    9042: "Cassandra",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    10250: "the kubelet",
    11211: "memcached",
    27017: "MongoDB",
}


def _sensitive(mapping: PortMapping, ports: frozenset[int]) -> list[int]:
    span = mapping.container
    if len(span) <= len(ports):
        return [port for port in span if port in ports]
    return sorted(port for port in ports if port in span)


_LOOPBACK = IPv4Address("127.0.0.1")


def _localhost_fix(entry: Entry[PortMapping]) -> Fix | None:
    mapping = entry.value
    text = _value_text(entry)
    if text is None:
        return None
    if mapping.host_ip is None:
        new = f"127.0.0.1:{text}" if ":" in text else f"127.0.0.1::{text}"
    elif mapping.host_ip_text == "0.0.0.0" and text.startswith("0.0.0.0:"):
        new = "127.0.0.1" + text[len("0.0.0.0") :]
    else:
        return None
    value = dataclasses.replace(mapping, host_ip=_LOOPBACK, host_ip_text="127.0.0.1")
    return _rewrite(entry, new, f"Bind to 127.0.0.1: {new}", safe=False, value=value)


@register
class SensitivePortPublic(Rule):
    """A sensitive service published on all interfaces.

    Docker writes its own firewall rules for published ports, ahead of ufw
    and firewalld: a database, cache or remote-admin port published without
    an address is reachable from every network the host is on. Every
    wildcard spelling counts: none, ``0.0.0.0``, ``::``, ``[::]``. Bind it to
    ``127.0.0.1`` (the fix does, with ``--unsafe-fixes``), or let other
    containers reach it over a Docker network without publishing it. The
    list of ports is the ``sensitive-ports`` setting.
    """

    code = "PS301"
    name = "sensitive-port-public"
    severity = Severity.WARNING
    fixable = True
    bad = Example(
        "compose.yaml", _compose("  db:\n    image: postgres\n    ports: ['5432:5432']\n")
    )
    good = Example(
        "compose.yaml", _compose("  db:\n    image: postgres\n    ports: ['127.0.0.1:5432:5432']\n")
    )

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        mapping = entry.value
        if not _wildcard(mapping) or mapping.container.start == 0:
            return
        found = _sensitive(mapping, ctx.sensitive_ports)
        if not found:
            return
        port = found[0]
        service = _NAMES.get(port, "a sensitive service")
        more = f" (and {len(found) - 1} more sensitive ports)" if len(found) > 1 else ""
        yield Finding(
            entry.site,
            f"port {port} ({service}){more} is published on all interfaces",
            _localhost_fix(entry),
        )


@register
class PortPublic(Rule):
    """A port published on all interfaces.

    The same reasoning as PS301 for every port: Docker's rules bypass the
    host firewall. In most compose files every entry is like this, so the
    rule is for teams that bind everything to an address on purpose.
    """

    code = "PS309"
    name = "port-public"
    severity = Severity.INFO
    default = False
    fixable = True
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['8080:80']\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['127.0.0.1:8080:80']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        if _wildcard(entry.value):
            yield Finding(
                entry.site,
                f"port {entry.value.container} is published on all interfaces",
                _localhost_fix(entry),
            )


@register
class PrivilegedHostPort(Rule):
    """A host port below 1024, which rootless Docker cannot bind.

    Rootless Docker runs as an ordinary user; the kernel keeps ports below
    ``net.ipv4.ip_unprivileged_port_start`` (1024) for root, and the
    container fails to start. Select it if the files are meant for rootless
    Docker.
    """

    code = "PS302"
    name = "privileged-host-port"
    severity = Severity.INFO
    default = False
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['80:80']\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['8080:80']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        host = entry.value.host
        if host is not None and 0 < host.start < 1024:
            yield Finding(entry.site, f"host port {host.start} is below 1024")


@register
class LargeRange(Rule):
    """A very large port range.

    Docker starts one ``docker-proxy`` process per published port and address
    family, and writes firewall rules for each: a range of thousands of ports
    costs memory and start time. The threshold is the ``large-range`` setting
    (100 ports).
    """

    code = "PS303"
    name = "large-range"
    severity = Severity.WARNING
    bad = Example("compose.yaml", _compose("  rtp:\n    ports: ['10000-20000:10000-20000/udp']\n"))
    good = Example("compose.yaml", _compose("  rtp:\n    ports: ['10000-10050:10000-10050/udp']\n"))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if not _publishes(unit):
            return
        count = len(entry.value.container)
        if entry.value.host is not None and not entry.value.is_dynamic_range:
            count = max(count, len(entry.value.host))
        if count > ctx.large_range:
            yield Finding(entry.site, f"{count} ports in one mapping")


@register
class LegacyLink(Rule):
    """A legacy link on the default bridge network.

    ``--link`` is deprecated: on the default bridge it copies environment
    variables and writes ``/etc/hosts``, and its removal is planned. Put the
    containers on a user-defined network (``docker network create``) and use
    their names.

    Compose puts services on a network of its own, where ``links`` are only
    aliases: one that adds no other name (``links: [db]``, ``db:db``) is not
    needed, as a service reaches ``db`` by its name on every network the two
    share, and is reported as info (``depends_on`` gives the start order it
    also implies). Between services that share no network it is not reported. A link with
    an alias of its own names the service another way and is not reported;
    under ``network_mode: bridge`` a compose link is a legacy link as above.
    """

    code = "PS304"
    name = "legacy-link"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run --name db redis\ndocker run --link db app\n")
    good = Example(
        "run.sh",
        "docker network create net\ndocker run --name db --network net redis\n"
        "docker run --network net app\n",
    )

    def link(self, entry: Entry[Link], unit: Unit, ctx: Context) -> Iterable[Finding]:
        mode = _mode(unit)
        if mode in ("", "bridge", "default") and (unit.origin == "command" or mode == "bridge"):
            yield Finding(entry.site, "legacy link on the default bridge network")

    def units(self, units: Sequence[Unit], ctx: Context) -> Iterable[Finding]:
        services = {
            (unit.project, unit.link_name): unit for unit in units if unit.origin == "compose"
        }
        for unit in units:
            if unit.origin != "compose" or _mode(unit):
                continue
            for entry in unit.links:
                name = entry.value.name
                target = services.get((unit.project, name))
                # Only where the two share a network does the name already reach it.
                if entry.value.alias != name or (
                    target is not None and not unit.networks & target.networks
                ):
                    continue
                where = "Compose's network" if target is None else "the network they share"
                yield Finding(
                    entry.site,
                    f"link {name} is not needed: on {where}, {unit.label}"
                    f" reaches {name} by its name (depends_on gives the start order)",
                    severity=Severity.INFO,
                )


# YAML 1.1 reads these plain scalars as base-60 numbers.
_SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


@register
class UnquotedPortMapping(Rule):
    """A port mapping a YAML 1.1 reader misreads as a base-60 number.

    Compose reads YAML 1.2, but PyYAML, Ansible, older docker-compose and
    many other tools read YAML 1.1, where ``22:22`` is the number 1342 and
    ``2122:22`` is 127342 (``8080:80`` is safe only because 80 > 59). Quote
    it. The ``quote-all-ports`` setting asks for quotes on every mapping.
    """

    code = "PS305"
    name = "unquoted-port-mapping"
    severity = Severity.WARNING
    fixable = True
    bad = Example("compose.yaml", _compose("  git:\n    ports:\n      - 22:22\n"))
    good = Example("compose.yaml", _compose('  git:\n    ports:\n      - "22:22"\n'))

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.origin != "compose" or entry.long or entry.site.text != entry.text:
            return
        if _SEXAGESIMAL.fullmatch(entry.text):
            message = f"YAML 1.1 reads {entry.text} as a base-60 number"
        elif ctx.quote_all_ports:
            message = "port mapping without quotes"
        else:
            return
        yield Finding(entry.site, message, _quote_fix(entry))


def _quote_fix(entry: Entry[PortMapping]) -> Fix | None:
    """Quotes around the value as Compose reads it: ``017`` (the integer 15) becomes ``"15"``."""
    text = _value_text(entry)
    if text is None or "$" in text:
        return None
    quoted = _yaml_double_quoted(text)
    edit = Edit(entry.site.start, entry.site.end, quoted)
    return Fix(f"Quote it: {quoted}", (edit,), value=entry.value)


@register
class PublishAll(Rule):
    """``-P`` (publish-all) publishes every exposed port on all interfaces.

    Which ports that is depends on the image's ``EXPOSE`` lines, which can
    change with any image update, and each goes to a random host port on
    every address. Publish the ports you need with ``-p``.
    """

    code = "PS306"
    name = "publish-all"
    severity = Severity.WARNING
    bad = Example("run.sh", "docker run -P nginx\n")
    good = Example("run.sh", "docker run -p 127.0.0.1:8080:80 nginx\n")

    def unit(self, unit: Unit, ctx: Context) -> Iterable[Finding]:
        if unit.publish_all is not None and unit.container.publish_all and _mode(unit) != "host":
            yield Finding(unit.publish_all, "-P publishes every exposed port on all interfaces")
