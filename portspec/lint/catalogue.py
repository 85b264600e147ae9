"""The rule catalogue: every rule, listed once, in code order.

A new rule is a class in its family's module of ``portspec/lint/rules/`` (its docstring, examples
and code) and a line in this table; ``portspec/codes.py`` names its code, and
its page under docs/rules/ is generated from it (``python -m portspec.lint._docs docs/rules``).

>>> get_rule("ps301").name
'sensitive-port-public'
"""

from __future__ import annotations

from collections.abc import Iterator

from portspec.lint import rules
from portspec.lint.rule import Rule

__all__ = ["RULES", "all_rules", "get_rule"]

RULES: tuple[type[Rule], ...] = (
    rules.UnreadableFile,
    rules.InvalidPortMapping,
    rules.InvalidExpose,
    rules.InvalidLink,
    rules.ComposeWrongShape,
    rules.UnsetVariable,
    rules.InvalidCommand,
    rules.UnknownValue,
    rules.ComposeRefused,
    rules.RefusedAtCreate,
    rules.HostPortBound,
    rules.DynamicRangeExhausted,
    rules.DynamicRangeContended,
    rules.EphemeralCollision,
    rules.DuplicateMapping,
    rules.ReplicasFixedHostPort,
    rules.ReplicasRangeExhausted,
    rules.LinkUndefined,
    rules.LinkAliasTwice,
    rules.LinkToItself,
    rules.LinkCycle,
    rules.ContainerNameInUse,
    rules.ContainerPortZero,
    rules.IgnoredLongKey,
    rules.PortsWithHostNetwork,
    rules.PortsWithSharedNetwork,
    rules.ExposeRange,
    rules.InvalidLinkName,
    rules.UnbracketedIPv6,
    rules.HostIpIgnoredInIngress,
    rules.SensitivePortPublic,
    rules.PrivilegedHostPort,
    rules.LargeRange,
    rules.LegacyLink,
    rules.UnquotedPortMapping,
    rules.PublishAll,
    rules.PortPublic,
)

_BY_CODE: dict[str, type[Rule]] = {}
for _rule in RULES:
    if _rule.code in _BY_CODE:
        raise RuntimeError(f"rule code {_rule.code} is listed twice")
    _BY_CODE[_rule.code] = _rule


def all_rules() -> Iterator[type[Rule]]:
    """Every rule, in code order."""
    return iter(RULES)


def get_rule(code: str) -> type[Rule] | None:
    """The rule with ``code`` (``PS301``, in any case), or None."""
    return _BY_CODE.get(code.upper())
