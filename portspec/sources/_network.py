"""``--network`` and the flags that configure the first network, as the docker CLI checks them.

Only the network names reach a ``Container``; the rest is read so that a
command line the CLI refuses is refused here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portspec.errors import PortSpecError

__all__ = [
    "Attachment",
    "NetworkError",
    "NetworkFlags",
    "check_attachments",
    "is_mac_address",
    "parse_network",
]

# The CLI reads --network as key=value fields when this matches anywhere (Go's \w is ASCII).
_FIELDS = re.compile(r"\w+=\w+(,\w+=\w+)*", re.ASCII)
_BUILTIN = frozenset({"default", "bridge", "host", "none"})
_INT64 = 2**63
# The fields of --network name=... that an endpoint option also sets.
_FIELD_OPTIONS = frozenset({"alias", "ip", "ip6", "mac-address", "link-local-ip"})


@dataclass
class _EndpointOptions:
    """What a network endpoint may be given, by a ``--network`` field or by a flag."""

    aliases: list[str] = field(default_factory=list)
    ipv4: str = ""
    ipv6: str = ""
    mac: str = ""
    link_local_ips: list[str] = field(default_factory=list)

    def set(self, option: str, value: str) -> bool:
        """Take ``option`` (a field or flag name); ``False`` when it is none of these."""
        if option in ("alias", "network-alias", "net-alias"):
            self.aliases.append(value)
        elif option == "ip":
            self.ipv4 = value
        elif option == "ip6":
            self.ipv6 = value
        elif option == "mac-address":
            self.mac = value
        elif option == "link-local-ip":
            self.link_local_ips.append(value)
        else:
            return False
        return True


@dataclass
class Attachment(_EndpointOptions):
    """One network to join, with the options ``--network`` gave it."""

    target: str = ""

    @property
    def user_defined(self) -> bool:
        target = self.target
        return target not in _BUILTIN and not target.startswith("container:")


@dataclass
class NetworkFlags(_EndpointOptions):
    """The flags that apply to the first network: ``--network-alias``, ``--ip``, ..."""


def parse_network(value: str) -> Attachment:
    """One ``--network`` value: a name, or ``name=NAME,alias=A,...`` fields (CSV)."""
    if not _FIELDS.search(value):
        return Attachment(target=value)
    attachment = Attachment()
    for item in _first_csv_record(value):
        key, equals, text = _go_lower(item).partition("=")
        if not equals or not key:
            raise PortSpecError(f"invalid field {item}")
        key, text = key.strip(), text.strip()
        if key == "name":
            attachment.target = text
        elif key in _FIELD_OPTIONS:
            attachment.set(key, text)
        elif key == "driver-opt":
            option, equals, _ = text.partition("=")
            if not equals or not option:
                raise PortSpecError("invalid key value pair format in driver options")
        elif key == "gw-priority":
            if not re.fullmatch(r"[+-]?[0-9]+", text, re.ASCII):
                raise PortSpecError(f"invalid gw-priority ({text}): invalid syntax")
            if not -_INT64 <= int(text) < _INT64:
                raise PortSpecError(f"invalid gw-priority ({text}): value out of range")
        else:
            raise PortSpecError(f"invalid field key {key}")
    if not attachment.target:
        raise PortSpecError("network name/id is not specified")
    return attachment


def check_attachments(attachments: list[Attachment], flags: NetworkFlags) -> None:
    """Refuse what the CLI refuses, with a ``NetworkError`` naming the attachment at fault."""
    if flags.mac and not is_mac_address(flags.mac):
        raise _about(PortSpecError(f"{flags.mac} is not a valid mac address"), None)
    user_defined: bool | None = None
    seen: set[str] = set()
    for index, attachment in enumerate(attachments or [Attachment(target="default")]):
        try:
            if index == 0:
                _apply_flags(attachment, flags)
            _check(attachment)
        except PortSpecError as error:
            raise _about(error, index if attachments else None) from None
        if attachment.target in seen:
            raise _about(
                PortSpecError(f"network {attachment.target!r} is specified multiple times"), index
            )
        seen.add(attachment.target)
        if user_defined is not None and user_defined != attachment.user_defined:
            raise _about(
                PortSpecError(
                    "conflicting options: cannot attach both user-defined and"
                    " non-user-defined network-modes"
                ),
                index,
            )
        user_defined = attachment.user_defined


class NetworkError(PortSpecError):
    """A network problem: the index of the ``--network`` it is about, or else the flag at fault."""

    index: int | None = None
    flag: str = "network"


def _about(error: PortSpecError, index: int | None) -> NetworkError:
    about = NetworkError(error.message)
    about.index = index
    about.flag = "network-alias" if "alias" in error.message else "mac-address"
    return about


def _apply_flags(attachment: Attachment, flags: NetworkFlags) -> None:
    pairs = (
        (attachment.aliases and flags.aliases, "--network-alias and per-network alias"),
        (attachment.ipv4 and flags.ipv4, "--ip and per-network IPv4 address"),
        (attachment.ipv6 and flags.ipv6, "--ip6 and per-network IPv6 address"),
        (attachment.mac and flags.mac, "--mac-address and per-network MAC address"),
        (
            attachment.link_local_ips and flags.link_local_ips,
            "--link-local-ip and per-network link-local IP addresses",
        ),
    )
    for both, what in pairs:
        if both:
            raise PortSpecError(f"conflicting options: cannot specify both {what}")
    if flags.aliases:
        attachment.aliases = list(flags.aliases)
    attachment.ipv4 = flags.ipv4 or attachment.ipv4
    attachment.ipv6 = flags.ipv6 or attachment.ipv6
    attachment.mac = flags.mac or attachment.mac
    if flags.link_local_ips:
        attachment.link_local_ips = list(flags.link_local_ips)


def _check(attachment: Attachment) -> None:
    if not attachment.target.strip():
        raise PortSpecError("no name set for network")
    if not attachment.user_defined and attachment.aliases:
        raise PortSpecError("network-scoped aliases are only supported for user-defined networks")
    if attachment.mac and not is_mac_address(attachment.mac):
        raise PortSpecError(f"{attachment.mac} is not a valid mac address")


def is_mac_address(text: str) -> bool:
    """Whether Go's ``net.ParseMAC`` takes ``text`` (spaces around it trimmed)."""
    text = text.strip(" \t\n\r\v\f")
    if len(text) < 14:
        return False
    if text[2] in ":-":
        separator = text[2]
        if (len(text) + 1) % 3:
            return False
        groups = text.split(separator)
        width = 2
    elif text[4] == ".":
        if (len(text) + 1) % 5:
            return False
        groups = text.split(".")
        width = 4
    else:
        return False
    octets = len(groups) * width // 2
    return octets in (6, 8, 20) and all(
        len(group) == width and re.fullmatch(r"[0-9A-Fa-f]+", group) for group in groups
    )


def _first_csv_record(text: str) -> list[str]:
    """The first record of ``text`` as Go's ``encoding/csv`` reads it (strict quotes)."""
    fields: list[str] = []
    i, n = 0, len(text)
    while True:
        if i < n and text[i] == '"':
            value, i = [], i + 1
            while True:
                close = text.find('"', i)
                if close < 0:
                    raise PortSpecError('extraneous or missing " in quoted-field')
                value.append(text[i:close])
                if text.startswith('""', close):
                    value.append('"')
                    i = close + 2
                    continue
                i = close + 1
                break
            if i < n and text[i] not in ",\r\n":
                raise PortSpecError('extraneous or missing " in quoted-field')
            fields.append("".join(value).replace("\r\n", "\n"))
        else:
            end = i
            while end < n and text[end] not in ",\n":
                end += 1
            value_text = text[i:end]
            if value_text.endswith("\r") and (end == n or text[end] == "\n"):
                value_text = value_text[:-1]
            if '"' in value_text:
                raise PortSpecError('bare " in non-quoted-field')
            fields.append(value_text)
            i = end
        if i < n and text[i] == ",":
            i += 1
            continue
        return fields


def _go_lower(text: str) -> str:
    # Go lower-cases a rune at a time (simple case mapping): U+0130 becomes 'i'.
    return "".join("i" if char == "\u0130" else char.lower() for char in text)
