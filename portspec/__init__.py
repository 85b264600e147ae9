"""portspec: Docker port publishing and container links, parsed, checked and written out."""

from typing import TYPE_CHECKING, Any

from portspec._parse import parse_expose, parse_link, parse_publish
from portspec._version import __version__
from portspec.errors import PortSpecError
from portspec.model import (
    Container,
    Dialect,
    Expose,
    Link,
    Located,
    PortMapping,
    PortRange,
    Protocol,
    Span,
)

if TYPE_CHECKING:
    from portspec.checks.conflicts import (
        Conflict,
        ConflictSide,
        HostSettings,
        LinkProblem,
        find_conflicts,
        find_link_problems,
    )
    from portspec.checks.simulate import Bound, StartOutcome, simulate_starts, simulate_up
    from portspec.emit.compose import to_compose
    from portspec.emit.docker_args import to_docker_args, to_docker_command
    from portspec.emit.docker_sdk import to_docker_sdk
    from portspec.emit.engine_api import to_engine_api
    from portspec.sources.argv import parse_docker_run
    from portspec.sources.compose import ComposeError, ComposeProblem, Project, load_compose
    from portspec.sources.docker_sdk import from_docker_sdk
    from portspec.sources.engine_api import from_engine_api
    from portspec.sources.runtime import (
        parse_docker_inspect,
        parse_docker_port,
        parse_docker_ps,
        parse_ps_ports,
    )

# The parsers and values load with the package; the rest (command lines,
# compose files, conflicts, emitters) loads on first use, so that a tool that
# only parses a port pays for nothing else.
_LAZY = {
    "portspec.checks.conflicts": (
        "Conflict",
        "ConflictSide",
        "HostSettings",
        "LinkProblem",
        "find_conflicts",
        "find_link_problems",
    ),
    "portspec.checks.simulate": ("Bound", "StartOutcome", "simulate_starts", "simulate_up"),
    "portspec.emit.compose": ("to_compose",),
    "portspec.emit.docker_args": ("to_docker_args", "to_docker_command"),
    "portspec.emit.docker_sdk": ("to_docker_sdk",),
    "portspec.emit.engine_api": ("to_engine_api",),
    "portspec.sources.argv": ("parse_docker_run",),
    "portspec.sources.compose": ("ComposeError", "ComposeProblem", "Project", "load_compose"),
    "portspec.sources.docker_sdk": ("from_docker_sdk",),
    "portspec.sources.engine_api": ("from_engine_api",),
    "portspec.sources.runtime": (
        "parse_docker_inspect",
        "parse_docker_port",
        "parse_docker_ps",
        "parse_ps_ports",
    ),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'portspec' has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Bound",
    "ComposeError",
    "ComposeProblem",
    "Conflict",
    "ConflictSide",
    "Container",
    "Dialect",
    "Expose",
    "HostSettings",
    "Link",
    "LinkProblem",
    "Located",
    "PortMapping",
    "PortRange",
    "PortSpecError",
    "Project",
    "Protocol",
    "Span",
    "StartOutcome",
    "__version__",
    "find_conflicts",
    "find_link_problems",
    "from_docker_sdk",
    "from_engine_api",
    "load_compose",
    "parse_docker_inspect",
    "parse_docker_port",
    "parse_docker_ps",
    "parse_docker_run",
    "parse_expose",
    "parse_link",
    "parse_ps_ports",
    "parse_publish",
    "simulate_starts",
    "simulate_up",
    "to_compose",
    "to_docker_args",
    "to_docker_command",
    "to_docker_sdk",
    "to_engine_api",
]
