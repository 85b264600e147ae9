"""The rules: one small class a code, whose docstring is its documentation.

Codes are stable: a code is never reused and never changes its meaning. One
module a family: ``reading`` (PS0xx: the text does not read), ``conflicts``
(PS1xx: conflicts between containers, and links), ``written`` (PS2xx: Docker
accepts it but will not do what it says), ``practice`` (PS3xx: security and
practice). The table of them all, in code order, is
``portspec/lint/catalogue.py``.
"""

from __future__ import annotations

from portspec.lint.rules.conflicts import (
    ContainerNameInUse,
    DuplicateMapping,
    DynamicRangeContended,
    DynamicRangeExhausted,
    EphemeralCollision,
    HostPortBound,
    LinkAliasTwice,
    LinkCycle,
    LinkToItself,
    LinkUndefined,
    ReplicasFixedHostPort,
    ReplicasRangeExhausted,
    conflicts_of,
)
from portspec.lint.rules.practice import (
    LargeRange,
    LegacyLink,
    PortPublic,
    PrivilegedHostPort,
    PublishAll,
    SensitivePortPublic,
    UnquotedPortMapping,
)
from portspec.lint.rules.reading import (
    ComposeRefused,
    ComposeWrongShape,
    InvalidCommand,
    InvalidExpose,
    InvalidLink,
    InvalidPortMapping,
    RefusedAtCreate,
    UnknownValue,
    UnreadableFile,
    UnsetVariable,
)
from portspec.lint.rules.written import (
    ContainerPortZero,
    ExposeRange,
    HostIpIgnoredInIngress,
    IgnoredLongKey,
    InvalidLinkName,
    PortsWithHostNetwork,
    PortsWithSharedNetwork,
    UnbracketedIPv6,
)

__all__ = [
    "ComposeRefused",
    "ComposeWrongShape",
    "ContainerNameInUse",
    "ContainerPortZero",
    "DuplicateMapping",
    "DynamicRangeContended",
    "DynamicRangeExhausted",
    "EphemeralCollision",
    "ExposeRange",
    "HostIpIgnoredInIngress",
    "HostPortBound",
    "IgnoredLongKey",
    "InvalidCommand",
    "InvalidExpose",
    "InvalidLink",
    "InvalidLinkName",
    "InvalidPortMapping",
    "LargeRange",
    "LegacyLink",
    "LinkAliasTwice",
    "LinkCycle",
    "LinkToItself",
    "LinkUndefined",
    "PortPublic",
    "PortsWithHostNetwork",
    "PortsWithSharedNetwork",
    "PrivilegedHostPort",
    "PublishAll",
    "RefusedAtCreate",
    "ReplicasFixedHostPort",
    "ReplicasRangeExhausted",
    "SensitivePortPublic",
    "UnbracketedIPv6",
    "UnknownValue",
    "UnquotedPortMapping",
    "UnreadableFile",
    "UnsetVariable",
    "conflicts_of",
]
