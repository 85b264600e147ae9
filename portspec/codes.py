"""Every code portspec reports: its name, severity, one-line summary and family.

This is a leaf: it imports nothing of portspec, so any layer may name a code.
The layers below the linter say *what* happened with one of these values
(``codes.HOST_PORT_BOUND``), never with the code's text. The rule catalogue
(``portspec/lint/rules/``) stays the one place that decides when a code is
reported and documents why; each rule class takes its name, severity and
summary from here, and its page under docs/rules/ is generated from both.

>>> HOST_PORT_BOUND
Code('PS101', 'host-port-bound', <Severity.ERROR: 3>)
>>> by_code("ps301").name
'sensitive-port-public'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["CODES", "FAMILIES", "Code", "Severity", "by_code"]


class Severity(enum.IntEnum):
    """How much a finding matters; ``--fail-on`` compares by this order."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``"error"``, ``"warning"`` or ``"info"``, in any case.

        >>> Severity.parse("Warning")
        <Severity.WARNING: 2>
        """
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(str(s) for s in cls)
            raise ValueError(f"unknown severity {text!r}: expected one of {names}") from None


@dataclass(frozen=True, slots=True)
class Code:
    """One code: ``PS101``, its rule's name, its default severity and its summary.

    ``phrase`` is the short lowercase head a finding's message starts with,
    for the codes whose messages have one (the conflicts).
    """

    code: str
    name: str
    severity: Severity
    summary: str = field(repr=False)
    phrase: str = field(default="", repr=False)

    def __repr__(self) -> str:
        return f"Code({self.code!r}, {self.name!r}, {self.severity!r})"

    def __str__(self) -> str:
        return self.code


#: Every code, in code order.
CODES: dict[str, Code] = {}


def _code(code: str, name: str, severity: Severity, summary: str, *, phrase: str = "") -> Code:
    if code in CODES:
        raise RuntimeError(f"code {code} is defined twice")
    CODES[code] = Code(code, name, severity, summary, phrase)
    return CODES[code]


def by_code(code: str) -> Code | None:
    """The code ``code`` (``PS301``, in any case), or None."""
    return CODES.get(code.upper())


#: The families, by the code's first digit: a title and what they have in common.
FAMILIES: dict[str, tuple[str, str]] = {
    "0": ("PS0xx: the text does not read", "Docker or Compose would refuse the input itself."),
    "1": ("PS1xx: conflicts", "Bindings and links that clash across the containers of a run."),
    "2": (
        "PS2xx: Docker accepts it, but it will not do what it says",
        "Valid input that Docker ignores, discards or refuses later.",
    ),
    "3": ("PS3xx: security and practice", "Working input that is risky or fragile."),
}

# PS0xx: the text does not read

UNREADABLE_FILE = _code(
    "PS000",
    "unreadable-file",
    Severity.ERROR,
    "The file cannot be read: I/O error, bad encoding or broken YAML.",
)
INVALID_PORT_MAPPING = _code(
    "PS001",
    "invalid-port-mapping",
    Severity.ERROR,
    "A port mapping Docker refuses.",
)
INVALID_EXPOSE = _code("PS002", "invalid-expose", Severity.ERROR, "An exposed port Docker refuses.")
INVALID_LINK = _code("PS003", "invalid-link", Severity.ERROR, "A link Docker refuses.")
COMPOSE_WRONG_SHAPE = _code(
    "PS004",
    "compose-wrong-shape",
    Severity.ERROR,
    "A compose key whose value has the wrong shape.",
)
UNSET_VARIABLE = _code(
    "PS005",
    "unset-variable",
    Severity.WARNING,
    "A port, expose or link entry uses a variable that is not set and has no default.",
)
INVALID_COMMAND = _code(
    "PS006",
    "invalid-command",
    Severity.ERROR,
    "A ``docker run``/``docker create`` command line the docker CLI refuses.",
)
UNKNOWN_VALUE = _code(
    "PS007",
    "unknown-value",
    Severity.INFO,
    "A value portspec cannot know: it comes from a shell or make variable.",
)
COMPOSE_REFUSED = _code(
    "PS008",
    "compose-refused",
    Severity.ERROR,
    "A compose file Compose refuses for a reason no finer code covers.",
)
REFUSED_AT_CREATE = _code(
    "PS009",
    "refused-at-create",
    Severity.ERROR,
    "A value accepted as written that Docker refuses when it creates the container.",
)

# PS1xx: conflicts

HOST_PORT_BOUND = _code(
    "PS101",
    "host-port-bound",
    Severity.ERROR,
    "Two containers bind the same host port on overlapping addresses.",
    phrase="host port already bound",
)
DYNAMIC_RANGE_EXHAUSTED = _code(
    "PS102",
    "dynamic-range-exhausted",
    Severity.ERROR,
    "A host range (``8000-8001:80``) whose every port other bindings take.",
    phrase="dynamic host range exhausted",
)
DYNAMIC_RANGE_CONTENDED = _code(
    "PS103",
    "dynamic-range-contended",
    Severity.WARNING,
    "A host range (``8000-8010:80``) that other bindings partly take.",
    phrase="dynamic host range contended",
)
EPHEMERAL_COLLISION = _code(
    "PS104",
    "ephemeral-collision",
    Severity.WARNING,
    "A fixed host port inside the ephemeral range, where Docker also picks ports.",
    phrase="fixed host port inside the ephemeral range",
)
DUPLICATE_MAPPING = _code(
    "PS105",
    "duplicate-mapping",
    Severity.WARNING,
    "The same mapping twice in one container.",
    phrase="the same mapping twice",
)
REPLICAS_FIXED_HOST_PORT = _code(
    "PS106",
    "replicas-fixed-host-port",
    Severity.ERROR,
    "A fixed host port on a service that runs two or more replicas.",
)
REPLICAS_RANGE_EXHAUSTED = _code(
    "PS107",
    "replicas-range-exhausted",
    Severity.ERROR,
    "A dynamic host range with fewer ports than the service has replicas.",
)
LINK_UNDEFINED = _code(
    "PS111",
    "link-undefined",
    Severity.ERROR,
    "A link to a container or service that is not there.",
)
LINK_ALIAS_TWICE = _code(
    "PS112",
    "link-alias-twice",
    Severity.ERROR,
    "One link alias used twice by the same container.",
)
LINK_TO_ITSELF = _code(
    "PS113",
    "link-to-itself",
    Severity.ERROR,
    "A container that links to itself.",
)
LINK_CYCLE = _code("PS114", "link-cycle", Severity.ERROR, "Links that form a cycle.")
CONTAINER_NAME_IN_USE = _code(
    "PS121",
    "container-name-in-use",
    Severity.ERROR,
    "A ``--name`` that a container of the same script still holds.",
)

# PS2xx: Docker accepts it, but it will not do what it says

CONTAINER_PORT_ZERO = _code(
    "PS201",
    "container-port-zero",
    Severity.ERROR,
    "A mapping to container port 0.",
)
IGNORED_LONG_KEY = _code(
    "PS202",
    "ignored-long-key",
    Severity.WARNING,
    "A long ``--publish`` key that ``docker run`` silently ignores.",
)
PORTS_WITH_HOST_NETWORK = _code(
    "PS203",
    "ports-with-host-network",
    Severity.WARNING,
    "Published ports on a container that uses the host's network.",
)
PORTS_WITH_SHARED_NETWORK = _code(
    "PS204",
    "ports-with-shared-network",
    Severity.ERROR,
    "Published ports on a container that joins another's network.",
)
EXPOSE_RANGE = _code(
    "PS205",
    "expose-range",
    Severity.WARNING,
    "An exposed port range, which Docker Engine 29 and later refuse.",
)
INVALID_LINK_NAME = _code(
    "PS206",
    "invalid-link-name",
    Severity.WARNING,
    "A link name or alias that is not a valid container name.",
)
UNBRACKETED_IPV6 = _code(
    "PS207",
    "unbracketed-ipv6",
    Severity.WARNING,
    "An IPv6 host address written without brackets.",
)
HOST_IP_IGNORED_IN_INGRESS = _code(
    "PS208",
    "host-ip-ignored-in-ingress",
    Severity.WARNING,
    "``host_ip`` on a port in swarm ``ingress`` mode, where it is ignored.",
)

# PS3xx: security and practice

SENSITIVE_PORT_PUBLIC = _code(
    "PS301",
    "sensitive-port-public",
    Severity.WARNING,
    "A sensitive service published on all interfaces.",
)
PRIVILEGED_HOST_PORT = _code(
    "PS302",
    "privileged-host-port",
    Severity.INFO,
    "A host port below 1024, which rootless Docker cannot bind.",
)
LARGE_RANGE = _code("PS303", "large-range", Severity.WARNING, "A very large port range.")
LEGACY_LINK = _code(
    "PS304",
    "legacy-link",
    Severity.WARNING,
    "A legacy link on the default bridge network.",
)
UNQUOTED_PORT_MAPPING = _code(
    "PS305",
    "unquoted-port-mapping",
    Severity.WARNING,
    "A port mapping a YAML 1.1 reader misreads as a base-60 number.",
)
PUBLISH_ALL = _code(
    "PS306",
    "publish-all",
    Severity.WARNING,
    "``-P`` (publish-all) publishes every exposed port on all interfaces.",
)
PORT_PUBLIC = _code("PS309", "port-public", Severity.INFO, "A port published on all interfaces.")
