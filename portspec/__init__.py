"""portspec: Docker port publishing and container links, parsed, checked and written out."""

from portspec._parse import parse_expose, parse_link, parse_publish
from portspec._version import __version__
from portspec.checks.conflicts import (
    Conflict,
    ConflictSide,
    HostSettings,
    LinkProblem,
    find_conflicts,
    find_link_problems,
)
from portspec.emit.compose import to_compose
from portspec.emit.docker_args import to_docker_args, to_docker_command
from portspec.emit.docker_sdk import from_docker_sdk, to_docker_sdk
from portspec.emit.engine_api import to_engine_api
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
from portspec.sources.argv import parse_docker_run
from portspec.sources.compose import ComposeError, ComposeProblem, Project, load_compose
from portspec.sources.engine import from_engine_api
from portspec.sources.runtime import (
    parse_docker_inspect,
    parse_docker_port,
    parse_docker_ps,
    parse_ps_ports,
)

__all__ = [
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
    "to_compose",
    "to_docker_args",
    "to_docker_command",
    "to_docker_sdk",
    "to_engine_api",
]
