"""Output formats: pure functions from parsed values to text and JSON-ready dicts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from portspec.model import Expose, Link, PortMapping, PortRange

__all__ = ["Parsed", "as_json", "as_text", "to_json_object"]

#: What one spec parses to.
Parsed = PortMapping | Expose | Link


def to_json_object(value: Parsed, spec: str) -> dict[str, Any]:
    """The JSON form of one parsed ``spec``: its canonical text and every field.

    >>> to_json_object(Link("db", "database"), "db:database")["alias"]
    'database'
    """
    head: dict[str, Any] = {"input": spec, "canonical": str(value)}
    if isinstance(value, PortMapping):
        return {
            "kind": "publish",
            **head,
            "container": _range(value.container),
            "protocol": str(value.protocol),
            # As typed, because that is the text Docker sends to the Engine.
            "host_ip": value.host_ip_as_typed if value.host_ip is not None else None,
            "host": None if value.host is None else _range(value.host),
            "dynamic_range": value.is_dynamic_range,
            "ignored": list(value.ignored),
        }
    if isinstance(value, Expose):
        return {
            "kind": "expose",
            **head,
            "ports": _range(value.ports),
            "protocol": str(value.protocol),
        }
    return {
        "kind": "link",
        **head,
        "name": value.name,
        "alias": value.alias,
        "text": value.as_typed,
    }


def as_text(value: Parsed) -> str:
    """The canonical docker form of ``value``, as one output line.

    >>> as_text(Link("db", "db"))
    'db'
    """
    return str(value)


def as_json(objects: Sequence[dict[str, Any]]) -> str:
    """The JSON document for a run: an array with one object a parsed spec."""
    # ensure_ascii keeps any odd character of the input printable on any terminal.
    return json.dumps(list(objects), indent=2, ensure_ascii=True)


def _range(ports: PortRange) -> dict[str, int]:
    return {"start": ports.start, "end": ports.end}
