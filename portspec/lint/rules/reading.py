"""PS0xx: the text does not read (bad values, files Compose refuses)."""

from __future__ import annotations

from portspec.lint.diagnostic import Severity
from portspec.lint.rule import Example, Rule, register
from portspec.lint.rules._common import (
    _compose,
)


@register
class UnreadableFile(Rule):
    """The file cannot be read: I/O error, bad encoding or broken YAML.

    Nothing in a file that does not read can be checked, and Docker refuses
    it too: Compose stops at the first YAML error.
    """

    code = "PS000"
    name = "unreadable-file"
    severity = Severity.ERROR
    bad = Example("compose.yaml", _compose("  web:\n    ports: [80:80\n"))
    good = Example("compose.yaml", _compose("  web:\n    ports: ['80:80']\n"))


@register
class InvalidPortMapping(Rule):
    """A port mapping Docker refuses.

    ``docker run -p`` and Compose's ``ports`` refuse it before anything runs:
    a port above 65535, ranges of different lengths, an unknown protocol, a
    host address that is not one.
    """

    code = "PS001"
    name = "invalid-port-mapping"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run -p 8080:80/tpc nginx\n")
    good = Example("run.sh", "docker run -p 8080:80/tcp nginx\n")


@register
class InvalidExpose(Rule):
    """An exposed port Docker refuses.

    ``--expose``, Compose's ``expose`` and a Dockerfile's ``EXPOSE`` take a
    port or a range, with an optional protocol, and nothing else.
    """

    code = "PS002"
    name = "invalid-expose"
    severity = Severity.ERROR
    bad = Example("Dockerfile", "FROM nginx\nEXPOSE 80:80\n")
    good = Example("Dockerfile", "FROM nginx\nEXPOSE 80\n")


@register
class InvalidLink(Rule):
    """A link Docker refuses.

    ``--link`` and Compose's ``links`` take ``name`` or ``name:alias``.
    """

    code = "PS003"
    name = "invalid-link"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run --link db:alias:x app\n")
    good = Example("run.sh", "docker run --name db postgres\ndocker run --link db:alias app\n")


@register
class ComposeWrongShape(Rule):
    """A compose key whose value has the wrong shape.

    Compose refuses the file: ``ports`` must be a list, a service a mapping,
    ``network_mode`` a string.
    """

    code = "PS004"
    name = "compose-wrong-shape"
    severity = Severity.ERROR
    bad = Example("compose.yaml", _compose("  web:\n    image: nginx\n    ports: '80:80'\n"))
    good = Example("compose.yaml", _compose("  web:\n    image: nginx\n    ports: ['80:80']\n"))


@register
class UnsetVariable(Rule):
    """A port, expose or link entry uses a variable that is not set and has no default.

    Compose substitutes an empty string and warns; the entry then means
    something else than intended (``${PORT}:80`` becomes ``:80``), or Compose
    refuses it. Give the variable a default: ``${PORT:-8080}``. Each variable
    is reported once, at its first use; the entries it leaves unreadable
    (``${PORT}:${PORT}`` becomes ``:``) are named there, and make the finding
    an error, since Compose refuses the file until the variable is set.
    """

    code = "PS005"
    name = "unset-variable"
    severity = Severity.WARNING
    bad = Example("compose.yaml", _compose("  web:\n    ports: ['${PS_EXAMPLE_UNSET}:80']\n"))
    good = Example(
        "compose.yaml", _compose("  web:\n    ports: ['${PS_EXAMPLE_UNSET:-8080}:80']\n")
    )


@register
class InvalidCommand(Rule):
    """A ``docker run``/``docker create`` command line the docker CLI refuses.

    An unknown flag, a flag without its value, a bad ``--network``: the CLI
    stops before it creates anything.
    """

    code = "PS006"
    name = "invalid-command"
    severity = Severity.ERROR
    bad = Example("run.sh", "docker run --publsh 8080:80 nginx\n")
    good = Example("run.sh", "docker run --publish 8080:80 nginx\n")


@register
class UnknownValue(Rule):
    """A value portspec cannot know: it comes from a shell or make variable.

    ``-p $PORT:80`` is whatever ``PORT`` holds when the script runs; portspec
    reports it and checks nothing it cannot see, rather than guess.
    """

    code = "PS007"
    name = "unknown-value"
    severity = Severity.INFO
    bad = Example("run.sh", 'docker run -p "$PORT:80" nginx\n')
    good = Example("run.sh", "docker run -p 8080:80 nginx\n")


@register
class ComposeRefused(Rule):
    """A compose file Compose refuses for a reason no finer code covers.

    A missing ``extends`` target, ``network_mode`` together with ``networks``,
    a bad ``.env`` file.
    """

    code = "PS008"
    name = "compose-refused"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    network_mode: host\n    networks: [front]\n"),
    )
    good = Example("compose.yaml", _compose("  web:\n    image: nginx\n    network_mode: host\n"))


@register
class RefusedAtCreate(Rule):
    """A value accepted as written that Docker refuses when it creates the container.

    ``docker compose config`` passes long-syntax ports and ``expose`` entries
    on with little checking: a ``published`` that is not a port or a range
    (``abc``, ``65536``), a ``target`` of 0 or above 65535, a ``protocol``
    other than tcp, udp or sctp, an ``expose`` entry that is not a port
    (``8000:8050``). ``docker compose up`` then fails for the service.

    The docker CLI sends a ``--name`` as it is; the Engine takes only names
    of two characters or more, ``[a-zA-Z0-9][a-zA-Z0-9_.-]+`` (``--name a``
    and ``--name my_app!`` are refused), and that ``docker run`` fails.
    """

    code = "PS009"
    name = "refused-at-create"
    severity = Severity.ERROR
    bad = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    ports: [{target: 80, protocol: https}]\n"),
    )
    good = Example(
        "compose.yaml",
        _compose("  web:\n    image: nginx\n    ports: [{target: 80, protocol: tcp}]\n"),
    )
