"""What the rules of several families share: reading a unit, writing a fix, naming a place."""

from __future__ import annotations

import re
import shlex

from portspec.errors import PortSpecError
from portspec.lint.diagnostic import Edit, Fix
from portspec.lint.units import Entry, Site, Unit
from portspec.model import PortMapping


def _compose(body: str) -> str:
    return "services:\n" + body


def _publishes(unit: Unit) -> bool:
    """Whether Docker publishes the unit's ports at all (not with host, none, shared networks)."""
    return unit.container.publishes


def _wildcard(mapping: PortMapping) -> bool:
    address = mapping.host_ip
    return address is None or address.is_unspecified


def _shell_quote(text: str) -> str:
    return shlex.quote(text)


# What a YAML double-quoted scalar may hold as itself: printable ASCII but
# the quote and the backslash. Anything else is escaped, so that no reader
# folds a line break (U+0085, U+2028) or drops a byte order mark.
_YAML_VERBATIM = re.compile(r"[ !#-\[\]-~]*")


def _yaml_double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that every YAML 1.1 and 1.2 reader reads back.

    >>> print(_yaml_double_quoted('say "22:22"'))
    "say \\"22:22\\""
    """
    out = ['"']
    for char in text:
        if _YAML_VERBATIM.fullmatch(char):
            out.append(char)
        elif char in '"\\':
            out.append("\\" + char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


def _value_text(entry: Entry[PortMapping]) -> str | None:
    """The entry's text as the tool that reads the file sees it, or ``None`` if unknown.

    A fix is written from this, never from the spelling: Compose reads the
    plain scalar ``017`` as the integer 15 (go-yaml keeps YAML 1.1 octals),
    ``0x16`` as 22 and ``1_000`` as 1000, and then takes the port from the
    integer's decimal form.
    """
    if not entry.text or entry.long:
        return None
    if entry.site.document.kind != "compose" or entry.site.text != entry.text:
        return entry.text
    from portspec.sources._yaml import Scalar, load_yaml  # noqa: PLC0415 - only for fixes

    try:
        node = load_yaml(entry.text)
    except PortSpecError:
        return None
    if not isinstance(node, Scalar):
        return None
    if node.yaml_type == "!!int" and type(node.value) is int:
        return str(node.value)
    if node.yaml_type == "!!str" and node.value == entry.text:
        return entry.text
    return None


def _rewrite(
    entry: Entry[PortMapping], new: str, message: str, *, safe: bool, value: PortMapping
) -> Fix | None:
    """A fix that writes ``new`` for a short-syntax value, keeping (or adding) the quotes it needs.

    ``value`` is what the rewritten entry must read as; ``--fix`` checks it.
    """
    site = entry.site
    raw = site.text
    if entry.long or not entry.text or "$" in new:
        return None
    if raw == entry.text:
        if site.document.kind == "compose":
            replacement = _yaml_double_quoted(new)
        else:
            replacement = _shell_quote(new)
        edit = Edit(site.start, site.end, replacement)
    elif len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and raw[1:-1] == entry.text:
        if any(char in new for char in "\\\"'$`") or not _YAML_VERBATIM.fullmatch(new):
            return None
        edit = Edit(site.start + 1, site.end - 1, new)
    else:
        return None
    return Fix(message, (edit,), safe=safe, value=value)


def _where(site: Site) -> str:
    line, column = site.document.position(site.start)
    return f"{site.document.path}:{line}:{column}"


def _mode(unit: Unit) -> str:
    """The network mode as written, empty when none is."""
    return unit.container.network_mode or ""
