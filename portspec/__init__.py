"""portspec: Docker port publishing and container links, parsed, checked and written out."""

from portspec._parse import parse_expose, parse_link, parse_publish
from portspec._version import __version__
from portspec.errors import PortSpecError
from portspec.model import (
    Dialect,
    Expose,
    Link,
    Located,
    PortMapping,
    PortRange,
    Protocol,
    Span,
)

__all__ = [
    "Dialect",
    "Expose",
    "Link",
    "Located",
    "PortMapping",
    "PortRange",
    "PortSpecError",
    "Protocol",
    "Span",
    "__version__",
    "parse_expose",
    "parse_link",
    "parse_publish",
]
