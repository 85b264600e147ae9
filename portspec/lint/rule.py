"""The shape of a rule: a small class whose docstring says what it finds and why.

A rule's first docstring line is its summary; the paragraphs after it say why
it matters. ``bad`` and ``good`` are whole example files: the rule fires on
the first and stays silent on the second, which the tests check for every
rule, and the docs pages and ``portspec rule CODE`` show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from portspec import codes
from portspec.checks.conflicts import HostSettings
from portspec.lint.diagnostic import Fix, Severity
from portspec.lint.units import Entry, Site, Unit
from portspec.model import Expose, Link, PortMapping

__all__ = [
    "DOCS_URL",
    "Context",
    "Example",
    "Finding",
    "Rule",
    "register",
]

#: Ports of services that should never face the network unguarded (PS301).
SENSITIVE_PORTS = frozenset(
    {
        22,  # ssh
        23,  # telnet
        1433,  # SQL Server
        1521,  # Oracle
        2375,  # Docker API, plain
        2376,  # Docker API, TLS
        2379,  # etcd
        2380,  # etcd peers
        3306,  # MySQL, MariaDB
        3389,  # RDP
        5432,  # PostgreSQL
        5900,  # VNC
        5984,  # CouchDB
        6379,  # Redis
        6443,  # Kubernetes API
        8086,  # InfluxDB
        8500,  # Consul
        9042,  # Cassandra
        9200,  # Elasticsearch
        9300,  # Elasticsearch transport
        10250,  # kubelet
        11211,  # memcached
        27017,  # MongoDB
    }
)

#: Where each rule's page is published; ``{code}`` is filled in.
DOCS_URL = "https://github.com/portspec/portspec/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True, slots=True)
class Example:
    """A whole example input: a file name (which says its kind) and its text."""

    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules may assume: the target engine, the host and the team's options."""

    #: The Docker Engine the files are meant for, as (major, minor); None: the latest.
    docker_version: tuple[int, int] | None = None
    host: HostSettings = field(default_factory=HostSettings)
    sensitive_ports: frozenset[int] = SENSITIVE_PORTS
    large_range: int = 100
    quote_all_ports: bool = False
    #: Check conflicts between different compose projects too.
    across_projects: bool = False
    #: Every Markdown page's code blocks are one script (``markdown-one-session``).
    markdown_one_session: bool = False
    #: Compose profiles enabled (``--profile``); None: every single choice is checked.
    profiles: tuple[str, ...] | None = None

    def engine_at_least(self, major: int) -> bool:
        """Whether the target engine is ``major`` or later (the latest is)."""
        return self.docker_version is None or self.docker_version[0] >= major


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports: a place, a message, maybe a fix or a severity of its own."""

    site: Site
    message: str
    fix: Fix | None = None
    severity: Severity | None = None


class Rule:
    """Base of every rule; subclasses set the class variables and write a docstring.

    ``code`` names the rule's entry in ``portspec/codes.py``, which gives the
    ``name`` and ``severity`` a rule does not set itself (the catalogue's
    rules agree with that table, which a test checks). A rule overrides the
    hooks it needs: one value at a time (``mapping``, ``expose``, ``link``),
    one container (``unit``) or the whole set (``units``).

    A value hook judges an entry by what it reads: its value, the text as
    typed, whether it is long syntax, the ``extends`` it came through, and
    its spelling in the file (``entry.site.text``), not by where it stands.
    The engine relies on it: when a rule finds nothing in an entry, it is
    not asked about the unit's later entries that read the same.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    bad: ClassVar[Example]
    good: ClassVar[Example]
    #: On by default; a rule that sets this to False runs only when selected.
    default: ClassVar[bool] = True
    #: Whether some findings carry a fix.
    fixable: ClassVar[bool] = False

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        entry = codes.by_code(vars(cls).get("code", ""))
        if entry is None:
            return
        for attribute in ("name", "severity"):
            if attribute not in vars(cls):
                setattr(cls, attribute, getattr(entry, attribute))

    @classmethod
    def summary(cls) -> str:
        """The one-line summary: the docstring's first line, else the code's summary."""
        first = _doc(cls).partition("\n")[0].strip()
        entry = codes.by_code(cls.code)
        return entry.summary if not first and entry is not None else first

    @classmethod
    def why(cls) -> str:
        """Why it matters: the docstring after its first line."""
        return _doc(cls).partition("\n")[2].strip()

    @classmethod
    def help_url(cls) -> str:
        """The rule's documentation page."""
        return DOCS_URL.format(code=cls.code)

    def mapping(self, entry: Entry[PortMapping], unit: Unit, ctx: Context) -> Iterable[Finding]:
        """Findings about one published port."""
        return ()

    def expose(self, entry: Entry[Expose], unit: Unit, ctx: Context) -> Iterable[Finding]:
        """Findings about one exposed port."""
        return ()

    def link(self, entry: Entry[Link], unit: Unit, ctx: Context) -> Iterable[Finding]:
        """Findings about one link (``links`` and ``--link``; not ``external_links``)."""
        return ()

    def unit(self, unit: Unit, ctx: Context) -> Iterable[Finding]:
        """Findings about one container as a whole."""
        return ()

    def units(self, units: Sequence[Unit], ctx: Context) -> Iterable[Finding]:
        """Findings about the whole set of containers of a run."""
        return ()


def _doc(cls: type[Rule]) -> str:
    """The docstring with its indentation removed (``inspect.cleandoc``, without inspect)."""
    lines = (cls.__doc__ or "").expandtabs().splitlines()
    if not lines:
        return ""
    rest = lines[1:]
    indent = min((len(line) - len(line.lstrip()) for line in rest if line.strip()), default=0)
    return "\n".join([lines[0].strip(), *(line[indent:] for line in rest)]).strip()


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator that marks a rule of the catalogue; it changes nothing.

    The catalogue itself is the table in ``portspec/lint/catalogue.py``, and a
    test checks that it lists every rule class.
    """
    return cls
