"""What the rules look at: documents, and the containers found in them with their places.

Every input, whatever its kind, becomes ``Unit`` values: a container (a
compose service, a ``docker run`` line, a Dockerfile's ``EXPOSE``) and, beside
it, where each of its values was written. Rules see only these.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from portspec.model import Container, Expose, Link, PortMapping

__all__ = ["Document", "Entry", "Kind", "Origin", "Site", "Unit", "UnitSet", "coexist"]

_LINE_BREAK = re.compile("\n")

Kind = Literal["compose", "shell", "makefile", "markdown", "dockerfile"]
Origin = Literal["compose", "command", "dockerfile"]
T = TypeVar("T")


@dataclass(eq=False)
class Document:
    """One input file: its name as shown, its text and its kind."""

    path: str
    text: str
    kind: Kind
    _starts: list[int] = field(default_factory=list, repr=False)
    #: What each line's ``# portspec: ignore`` comment says, once read (the engine's).
    directives: dict[tuple[int, bool], tuple[bool, frozenset[str]] | None] = field(
        default_factory=dict, repr=False
    )
    #: Whether any line may hold such a comment: the text names ``portspec``.
    may_ignore: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.may_ignore = "portspec" in self.text

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a 0-based offset.

        A byte order mark (kept as U+FEFF at offset 0) is no column of the
        first line, as editors count.

        >>> Document("f", "ab\\ncd", "sh").position(4), Document("f", "\\ufeffab", "sh").position(2)
        ((2, 2), (1, 2))
        """
        if not self._starts:
            self._starts = [0]
            self._starts.extend(match.end() for match in _LINE_BREAK.finditer(self.text))
        if not 0 <= offset <= len(self.text):
            offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset)
        column = offset - self._starts[line - 1] + 1
        if line == 1 and column > 1 and self.text.startswith("\ufeff"):
            column -= 1
        return line, column

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its end."""
        self.position(0)
        if not 1 <= line <= len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : len(self.text) if end < 0 else end].rstrip("\r")


@dataclass(frozen=True, slots=True)
class Site:
    """A place in a document: ``text[start:end]``."""

    document: Document
    start: int
    end: int

    @property
    def text(self) -> str:
        """The source text at the place."""
        return self.document.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    """One value of a unit and where it was written.

    ``text`` is the value as typed, quotes undone (empty for compose's long
    syntax, which ``long`` marks). ``site`` is where it is written: for an
    entry inherited through ``extends``, in the base service, and ``via`` is
    then the inheriting service's ``extends``.
    """

    value: T
    site: Site
    index: int
    text: str = ""
    long: bool = False
    #: For a compose entry a service inherited, the ``extends`` it came through.
    via: Site | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A container as written somewhere, with the places of its values.

    ``label`` names it in messages (a service, a ``--name``, or the command's
    place); ``project`` groups compose services loaded together (their path),
    ``None`` for command lines and Dockerfiles.
    """

    label: str
    container: Container
    origin: Origin
    site: Site
    publish: tuple[Entry[PortMapping], ...] = ()
    expose: tuple[Entry[Expose], ...] = ()
    links: tuple[Entry[Link], ...] = ()
    external_links: tuple[Entry[Link], ...] = ()
    network: Site | None = None
    publish_all: Site | None = None
    project: str | None = None
    #: The compose project's name, as Compose labels its containers.
    project_name: str | None = None
    #: The name links use for it: the service, or the ``--name``.
    link_name: str | None = None
    #: The compose networks the service joins (empty for other units).
    networks: frozenset[str] = frozenset()
    #: An example in documentation: compared only with units of its own file.
    isolated: bool = False
    #: The script a command belongs to (a shell script, a Makefile rule's
    #: recipe, a Markdown code block or page), and the steps of it during
    #: which its container runs (``[start, end)``; none: Docker refuses it).
    session: str | None = None
    running: tuple[tuple[int, int], ...] | None = None
    #: The script stops or removes the container itself: it does not outlive it.
    stopped: bool = False
    #: Where ``--name`` is written, and where the container that holds the
    #: name when this one is created was started.
    name_site: Site | None = None
    name_taken: Site | None = None
    #: A compose project brought up by scripts: (session, start, end) of each time.
    windows: tuple[tuple[str, int, int], ...] = ()
    #: The compose profiles it runs in (empty: always).
    profiles: frozenset[str] = frozenset()
    #: How many containers it runs (compose ``scale``, ``deploy.replicas``).
    replicas: int = 1
    #: A service of a swarm stack file: its replicas publish through the routing mesh.
    swarm: bool = False
    #: A compose service whose every profile is one Compose refuses to run (two
    #: of the services it starts share a ``container_name``): it runs with no other.
    dormant: bool = False


class UnitSet(tuple[Unit, ...]):
    """Units checked together, and what the rules worked out about them, once.

    The lint engine hands the same set to every rule's ``units`` hook, so
    what several rules need (the conflicts) is computed for the first one and
    kept with the set, not in a global: it goes when the set goes.
    """

    memo: dict[str, object]

    def __new__(cls, units: Iterable[Unit] = ()) -> UnitSet:
        made = super().__new__(cls, units)
        made.memo = {}
        return made


def coexist(a: Unit, b: Unit) -> bool | None:
    """Whether two containers run at the same time, when their scripts tell; else None.

    >>> from portspec.model import Container
    >>> site = Site(Document("run.sh", "", "shell"), 0, 0)
    >>> first = Unit("a", Container(), "command", site, session="s", running=((0, 1),))
    >>> second = Unit("b", Container(), "command", site, session="s", running=((1, 2),))
    >>> coexist(first, second)
    False
    """
    from portspec.lint.lifecycle import overlap  # noqa: PLC0415

    if a.session is not None and a.session == b.session:
        if (
            a.isolated
            and b.isolated
            and a.container.image
            and (a.container.image == b.container.image)
        ):
            # Documentation showing one image run several ways ("publish it on
            # 8080", "or only on localhost"): variants of one container, never
            # run together. A page that runs one image twice side by side
            # gives the copies other ports, and never meets this.
            return False
        return overlap(a.running or (), b.running or ())
    if (a.running == () and a.name_taken) or (b.running == () and b.name_taken):
        return False  # refused by Docker: it never runs
    if a.site.document is b.site.document and (a.session or b.session):
        return False  # two scripts of one file: alternatives (a Makefile's rules, a page's blocks)
    for one, other in ((a, b), (b, a)):
        spans = tuple((x, y) for session, x, y in one.windows if session == other.session)
        if spans and other.running is not None:
            return overlap(spans, other.running)
    shared = {session for session, _, _ in a.windows} & {session for session, _, _ in b.windows}
    for session in shared:
        if overlap(
            tuple((x, y) for s, x, y in a.windows if s == session),
            tuple((x, y) for s, x, y in b.windows if s == session),
        ):
            return True
    if a.stopped or b.stopped:
        return False
    return None
