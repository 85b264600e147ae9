"""Compose files to values: every service's ``ports``, ``expose``, ``links`` and ``network_mode``.

A file is read as Docker Compose v2 reads it: YAML typed by go-yaml's rules
(``_yaml``), every string interpolated from the environment and ``.env``
(``_interpolate``), several files merged in order (``-f a -f b``), ``extends``
resolved, and list entries made unique as Compose makes them.

>>> project = load_compose("services:\\n  web:\\n    ports: ['8080:80']\\n")
>>> [str(m) for m in project.services["web"].publish]
['8080:80']
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from collections.abc import Mapping as AbcMapping
from collections.abc import Sequence as AbcSequence
from collections.abc import Set as AbcSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from portspec import codes
from portspec._collector import paused
from portspec._escape import printable
from portspec._files import DEFAULT_LIMIT, Outside, Reader
from portspec._parse import parse_expose, parse_link, parse_publish
from portspec.errors import PortSpecError
from portspec.model import (
    MAX_PORT,
    Container,
    Dialect,
    Expose,
    Link,
    Located,
    PortMapping,
    PortRange,
    Protocol,
    Span,
    parse_address,
)
from portspec.sources._interpolate import (
    RequiredVariableError,
    interpolate,
    project_environment,
)
from portspec.sources._yaml import (
    Mapping,
    Node,
    Scalar,
    ScalarStyle,
    Sequence,
    YamlError,
    compose_document,
    load_yaml_documents,
)
from portspec.sources.engine_api import shown

__all__ = [
    "COMPOSE_ERROR",
    "REFUSED_AT_CREATE",
    "UNDEFINED_SERVICE",
    "UNREADABLE",
    "UNSET_VARIABLE",
    "WRONG_SHAPE",
    "ComposeError",
    "ComposeProblem",
    "Project",
    "Unrunnable",
    "iter_compose_problems",
    "load_compose",
    "override_of",
    "project_folder",
    "read_compose",
]

#: The code of a problem Compose refuses the file for, where no finer code fits.
COMPOSE_ERROR = codes.COMPOSE_REFUSED.code
#: A file that cannot be read: I/O, encoding, YAML syntax.
UNREADABLE = codes.UNREADABLE_FILE.code
#: A key whose value has the wrong shape (a string where a list belongs).
WRONG_SHAPE = codes.COMPOSE_WRONG_SHAPE.code
#: ``links`` or ``network_mode: service:`` naming a service the project lacks.
UNDEFINED_SERVICE = codes.LINK_UNDEFINED.code
_ITEM_CODES = {
    "ports": codes.INVALID_PORT_MAPPING.code,
    "expose": codes.INVALID_EXPOSE.code,
    "links": codes.INVALID_LINK.code,
    "external_links": codes.INVALID_LINK.code,
}
#: The code of a variable that is unset and has no default: Compose warns and substitutes "".
UNSET_VARIABLE = codes.UNSET_VARIABLE.code
#: An entry Compose accepts that Docker refuses when it creates the container.
REFUSED_AT_CREATE = codes.REFUSED_AT_CREATE.code

_ListKey = Literal["ports", "expose", "links", "external_links"]
_LISTS: tuple[_ListKey, ...] = ("ports", "expose", "links", "external_links")
_SCALARS = ("network_mode", "container_name", "image")
_LONG_KEYS = frozenset(
    {"target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"}
)
_PUBLISHED = re.compile(r"([0-9]+)(?:-([0-9]+))?")
_UINT32 = 2**32 - 1
# extends.file read from a file itself read by extends.file...: each level is a
# recursion of the reader, so a stranger's chain of files is cut off here.
_MAX_EXTENDS_FILES = 64
_PROJECT_NAME = re.compile(r"[^a-z0-9_-]")
# Service keys whose value may be null; Compose refuses null for every other.
_NULLABLE = frozenset({"develop", "deploy", "command", "entrypoint", "pid"})
# What Compose says a null must be instead, by key (the rest: "array").
_SHAPES = dict.fromkeys(
    [
        "annotations",
        "environment",
        "extra_hosts",
        "labels",
        "sysctls",
        "blkio_config",
        "credential_spec",
        "provider",
        "healthcheck",
        "logging",
        "storage_opt",
        "ulimits",
    ],
    "mapping",
)
_SHAPES.update(
    dict.fromkeys(
        [
            "build",
            "extends",
            "cgroup",
            "cgroup_parent",
            "container_name",
            "cpuset",
            "domainname",
            "hostname",
            "image",
            "ipc",
            "isolation",
            "mac_address",
            "network_mode",
            "platform",
            "pull_policy",
            "pull_refresh_after",
            "restart",
            "runtime",
            "stop_grace_period",
            "stop_signal",
            "user",
            "uts",
            "userns_mode",
            "working_dir",
            "dns",
            "dns_search",
            "env_file",
            "label_file",
            "gpus",
            "tmpfs",
        ],
        "string",
    )
)
_SHAPES.update(
    dict.fromkeys(
        ["attach", "init", "oom_kill_disable", "privileged", "read_only", "stdin_open", "tty"],
        "boolean",
    )
)
_SHAPES.update(dict.fromkeys(["mem_swappiness", "scale"], "integer or string"))


@dataclass(frozen=True, slots=True)
class ComposeProblem:
    """One problem found in a compose file: a code, a message and where it stood.

    ``severity`` is ``"error"`` where Compose refuses the file, ``"warning"``
    where it goes on (an unset variable, which it reads as ``""``).
    """

    code: str
    message: str
    span: Span
    severity: Literal["error", "warning"] = "error"
    #: What a reference names where it is not defined: (``services``, ``networks``,
    #: ``secrets``, ``configs`` or ``volumes``; the name).
    missing: tuple[str, str] | None = None
    #: The variable an unset-variable warning, or a missing required variable, is about.
    variable: str | None = None
    #: For an entry that does not read, the error with the entry's text and
    #: where in it the fault is (``fault.text``, ``fault.caret_lines()``).
    fault: PortSpecError | None = field(default=None, compare=False)

    def __str__(self) -> str:
        """The problem on a line (the entry and a caret under the fault after it), escaped."""
        where = f"{self.span.path}:" if self.span.path else ""
        line = f"{where}{self.span.line}:{self.span.column}: {self.severity}: {self.message}"
        # Escaped whole: a line break in a message came from a name in the file.
        shown = printable(line)
        if self.fault is not None and self.fault.text:
            return f"{shown}\n{self.fault.caret_lines('    ')}"
        return shown


@dataclass(frozen=True, slots=True)
class Unrunnable:
    """An entry Compose accepts and Docker refuses when it creates the container.

    ``key`` is ``"ports"`` or ``"expose"``; ``index`` its place in the
    service's final list as ``docker compose config`` prints it (the values
    Docker can run keep their own order around it); ``compose`` what
    ``config --format json`` prints for it; ``reason`` why Docker refuses it.
    """

    key: str
    index: int
    compose: object
    reason: str
    span: Span = field(compare=False)


class ComposeError(PortSpecError):
    """A compose file Compose would refuse; ``problems`` holds every fault found, in order."""

    def __init__(self, problems: AbcSequence[ComposeProblem]) -> None:
        errors = tuple(p for p in problems if p.severity == "error")
        count = len(errors)
        head = "1 problem" if count == 1 else f"{count} problems"
        lines = "\n".join("  " + str(p).replace("\n", "\n  ") for p in errors)
        super().__init__(f"Compose would refuse this file ({head}):\n{lines}")
        self.problems = errors

    def __str__(self) -> str:
        # Each problem escaped itself: the line breaks of the list are kept.
        return self.message


@dataclass(frozen=True, slots=True)
class Project:
    """A compose project: its name and what each service asks of Docker's networking.

    ``services`` is ordered by name, as ``docker compose config`` orders
    them. ``locations`` says where each entry stood, keyed by
    ``(service, "ports" | "expose" | "links" | "external_links", index)``,
    the index counting the service's final (merged, de-duplicated) list.
    """

    name: str
    services: AbcMapping[str, Container]
    #: ``external_links`` of each service that has some: links to containers
    #: outside the project (``links`` name services of this project).
    external_links: AbcMapping[str, tuple[Link, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    locations: AbcMapping[tuple[str, str, int], Span] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )
    #: Warnings Compose gives and goes on (unset variables).
    problems: tuple[ComposeProblem, ...] = field(default=(), compare=False, repr=False)
    #: The ``profiles`` of each service that has some: it runs only when one is enabled.
    profiles: AbcMapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    #: The containers of each service whose ``scale`` or ``deploy.replicas`` is not 1.
    replicas: AbcMapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    #: Entries Compose accepts and Docker refuses when it creates the container
    #: (``expose: ["abc"]``, ``{target: 80, protocol: https}``), by service:
    #: they are no values, and ``to_compose(..., unrunnable=...)`` writes them back.
    unrunnable: AbcMapping[str, tuple[Unrunnable, ...]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    #: Written for ``docker stack deploy``: a file named ``*stack*`` (``docker-stack.yml``),
    #: or one using what only swarm mode honours (``deploy.placement``,
    #: ``update_config``, ``rollback_config``, ``endpoint_mode``, ``mode: global``,
    #: an ``overlay`` network). Its published ports go through the routing mesh.
    swarm: bool = field(default=False, compare=False)
    #: The top-level ``networks``, ``volumes``, ``secrets`` and ``configs`` defined:
    #: (kind, name).
    resources: frozenset[tuple[str, str]] = field(default=frozenset(), compare=False)
    #: The services each service waits for before it starts, as Compose orders
    #: ``up``: its ``depends_on``, ``links``, and the ``service:`` of its
    #: ``network_mode``, ``ipc``, ``pid`` and ``volumes_from``; services that do
    #: not run are left out.
    depends_on: AbcMapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    #: The ``depends_on`` of each service that waits for more than a start:
    #: target -> ``service_healthy`` or ``service_completed_successfully``
    #: (required dependencies only: Compose goes on past an optional one).
    conditions: AbcMapping[str, AbcMapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    #: Each service's ``healthcheck``, where the file gives one: ``on`` (a test
    #: of its own) or ``off`` (disabled); else the image's, if it has one.
    healthchecks: AbcMapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    #: The networks each service joins (``default`` when it names none); none
    #: for a service under a ``network_mode``.
    networks: AbcMapping[str, frozenset[str]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False
    )
    #: Each value of a service's lists and where it was written:
    #: ``entries[service]["ports"][i]`` is the ``Located`` of
    #: ``services[service].publish[i]`` (its span as in ``locations``, its text
    #: as typed, whether it is long syntax); ``"expose"``, ``"links"`` and
    #: ``"external_links"`` the same.
    entries: AbcMapping[str, AbcMapping[str, tuple[Located[ListValue], ...]]] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )


#: A value of a service's lists.
ListValue = PortMapping | Expose | Link

#: ``deploy`` keys only ``docker stack deploy`` honours.
_SWARM_DEPLOY = ("placement", "update_config", "rollback_config", "endpoint_mode")


def _stack_name(name: str) -> bool:
    """``docker-stack.yml``, ``stack.yaml``, ``voting-app-stack.yml``: a swarm stack file."""
    return "stack" in re.split(r"[-_.]", name.lower())


def load_compose(
    source: str | Path,
    *,
    env: AbcMapping[str, str] | None = None,
    files: AbcSequence[str | Path] = (),
    profiles: AbcSequence[str] | None = None,
    allow_outside: bool = True,
    project_directory: str | Path | None = None,
    max_file_size: int = DEFAULT_LIMIT,
) -> Project:
    """Read a compose file (a ``Path``, or YAML text) and its overrides as ``docker compose`` does.

    >>> p = load_compose("services:\\n  db:\\n    expose: [5432]\\n  web:\\n    links: [db]\\n")
    >>> [str(e) for e in p.services["db"].expose], [str(link) for link in p.services["web"].links]
    (['5432'], ['db'])

    ``env`` stands for the process environment (``os.environ`` when None); a
    ``.env`` beside a ``Path`` fills in the variables it lacks. ``files`` are
    merged after the first, in order, as ``-f a -f b``. ``profiles`` are
    enabled as ``--profile`` enables them (``"*"``: all); when None,
    ``COMPOSE_PROFILES`` of the environment or ``.env`` names them. Services
    of no enabled profile are left out, as ``docker compose config`` leaves
    them. A file Compose would refuse raises ``ComposeError`` (a
    ``PortSpecError``) listing every problem.

    Every file is read only if it is a regular file of at most
    ``max_file_size`` bytes (a FIFO, a device or a huge file is a problem, not
    a hang). Like ``docker compose``, files named by the project
    (``extends.file``, ``include``, ``env_file``, ``.env``) are read wherever
    they are; with ``allow_outside=False`` only those inside the project folder
    are (``project_directory``, else the first file's folder, else the working
    folder), symlinks resolved, and any other is a problem naming its path.
    Pass ``allow_outside=False`` for files you did not write yourself.
    """
    reader = _reader(source, allow_outside, project_directory, max_file_size)
    require = isinstance(source, Path)
    with paused():
        result = _Loader(source, env, files, profiles, require_image=require, reader=reader).run()
    errors = [p for p in result[1] if p.severity == "error"]
    if errors or result[0] is None:
        raise ComposeError(errors)
    return result[0]


#: The names ``docker compose`` looks for, in its order, and their override files.
COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)


def override_of(path: Path) -> Path | None:
    """The override file ``docker compose`` merges into ``path`` when run in its folder.

    Compose finds its file by name (``compose.yaml``, ...) and then the first
    override file of its list that exists beside it, whatever the file's own
    name; a file of another name has none.
    """
    if path.name not in COMPOSE_FILE_NAMES:
        return None
    for name in OVERRIDE_FILE_NAMES:
        candidate = path.parent / name
        if candidate.is_file():
            return candidate
    return None


def iter_compose_problems(
    source: str | Path,
    *,
    env: AbcMapping[str, str] | None = None,
    files: AbcSequence[str | Path] = (),
    profiles: AbcSequence[str] | None = None,
    allow_outside: bool = True,
    project_directory: str | Path | None = None,
    max_file_size: int = DEFAULT_LIMIT,
) -> Iterator[ComposeProblem]:
    """Every problem of a compose project, errors and warnings, without stopping at the first.

    The files are read as :func:`load_compose` reads them.

    >>> [p.message for p in iter_compose_problems("services: {web: {ports: ['${P}:80']}}", env={})]
    ['variable P is not set: Compose substitutes an empty string']
    """
    reader = _reader(source, allow_outside, project_directory, max_file_size)
    with paused():
        problems = _Loader(source, env, files, profiles, reader=reader).run()[1]
    yield from problems


def read_compose(
    source: str | Path,
    *,
    env: AbcMapping[str, str] | None = None,
    files: AbcSequence[str | Path] = (),
    profiles: AbcSequence[str] | None = None,
    every_profile: bool = False,
    allow_outside: bool = True,
    project_directory: str | Path | None = None,
    max_file_size: int = DEFAULT_LIMIT,
    reader: Reader | None = None,
) -> tuple[Project | None, list[ComposeProblem]]:
    """Read a project as the linter does: every problem, and the project whatever they are.

    >>> project, problems = read_compose(
    ...     "services: {web: {image: x, ports: ['99999:80', '8080:80']}}", env={}
    ... )
    >>> [str(p) for p in project.services["web"].publish], [p.code for p in problems]
    (['8080:80'], ['PS001'])

    Unlike :func:`load_compose` it never raises for what the files hold: a
    bad entry is a problem and is left out, and the rest is read on
    (``None`` only when no project can be made at all). The files are read
    as :func:`load_compose` reads them; a ``reader`` of the caller's, when
    given, decides instead and keeps what it read. With ``every_profile``
    every service is kept, whatever profiles it needs, and
    ``Project.profiles`` tells them, so that each single choice of profiles
    can be checked.
    """
    if reader is None:
        reader = _reader(source, allow_outside, project_directory, max_file_size)
    loader = _Loader(
        source, env, files, profiles, every_profile=every_profile, keep_going=True, reader=reader
    )
    with paused():
        return loader.run()


def project_folder(source: str | Path, project_directory: str | Path | None = None) -> Path:
    """The folder a project's own files are in: ``project_directory``, else the first file's."""
    if project_directory is not None:
        return Path(project_directory)
    return source.parent if isinstance(source, Path) else Path.cwd()


def _reader(
    source: str | Path,
    allow_outside: bool,
    project_directory: str | Path | None,
    max_file_size: int,
) -> Reader:
    for name, value in (("allow_outside", allow_outside),):
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    if isinstance(max_file_size, bool) or not isinstance(max_file_size, int):
        raise TypeError(f"max_file_size must be an int, not {type(max_file_size).__name__}")
    if project_directory is not None and not isinstance(project_directory, (str, Path)):
        raise TypeError(
            f"project_directory must be a str or a Path, not {type(project_directory).__name__}"
        )
    root = None if allow_outside else project_folder(source, project_directory)
    return Reader(root, limit=max_file_size)


# ------------------------------------------------------------------ loading


@dataclass
class _Item:
    """One entry of a list key, parsed, with its identity for de-duplication."""

    key: object
    value: PortMapping | Expose | Link | None
    span: Span
    #: Why Docker refuses the entry at create, for one ``value`` cannot hold.
    refused: str = ""
    #: What ``docker compose config --format json`` prints for a refused entry.
    compose: object = None
    #: The value as typed and whether it is a mapping (``Located.text``, ``.long``).
    typed: str = ""
    long: bool = False


@dataclass
class _Service:
    name: str
    span: Span
    lists: dict[str, list[_Item]] = field(default_factory=dict)
    scalars: dict[str, tuple[str, Span]] = field(default_factory=dict)
    has_networks: bool = False
    extends: tuple[str, str | None, Span] | None = None  # service, file, where
    # How this file's definition merges onto the earlier files' (``!override``, ``!reset``).
    replace_all: bool = False
    resets: set[str] = field(default_factory=set)
    overrides: set[str] = field(default_factory=set)
    networks_given: bool = False
    profiles: dict[str, Span] = field(default_factory=dict)
    #: ``depends_on`` targets: whether each is required, and where it stood.
    depends: dict[str, tuple[bool, Span, str]] = field(default_factory=dict)
    #: Services it waits for besides ``depends_on``, by key: ``volumes_from``, and
    #: ``ipc`` and ``pid`` of the ``service:`` form (links and ``network_mode`` are
    #: read apart).
    waits: dict[str, set[str]] = field(default_factory=dict)
    #: ``scale`` and ``deploy.replicas``, where given.
    counts: dict[str, tuple[int, Span]] = field(default_factory=dict)
    build: bool = False
    #: Named resources used: (``networks`` | ``secrets`` | ``configs``, name) -> where.
    uses: dict[tuple[str, str], Span] = field(default_factory=dict)
    #: The body as written, to tell two included definitions apart.
    body: Node | None = None
    #: Where each file defines the service (its bodies), and the ``extends``
    #: through which it took its base's entries: an entry outside the bodies
    #: was inherited.
    bodies: list[Span] = field(default_factory=list)
    extended: Span | None = None


class _Loader:
    def __init__(
        self,
        source: str | Path,
        env: AbcMapping[str, str] | None,
        files: AbcSequence[str | Path],
        profiles: AbcSequence[str] | None = None,
        *,
        every_profile: bool = False,
        keep_going: bool = False,
        require_image: bool = False,
        reader: Reader | None = None,
    ) -> None:
        self.source = source
        self.files = files
        # Compose reads files wherever they are; a caller may confine it.
        self.reader = Reader(None) if reader is None else reader
        self.extends_depth = 0
        self.problems: list[ComposeProblem] = []
        self.value = _Values()
        self.documents: list[Mapping] = []
        environ = dict(os.environ if env is None else env)
        self.name = "default"
        dotenv: list[str | bytes] = []
        paths: list[str] = []
        self.workdir = Path.cwd()
        if isinstance(source, Path):
            folder = source.resolve().parent
            # As given (not resolved), so included files keep names like the includer's.
            self.workdir = source.parent
            self.name = _project_name(folder.name)
            candidate = folder / ".env"
            # Compose reads the bytes as they are (see parse_dotenv)
            data = self.named_file(candidate, ".env", Span(0, 0, path=str(source)), "", ".env")
            if data is not None:
                dotenv.append(data)
                paths.append(str(candidate))
        self.dotenv = (dotenv, paths)
        self.environ = environ
        self.selected = None if profiles is None else tuple(profiles)
        # Lint's view: every service, each with its profiles, the checks made
        # for every single profile choice (see ``_Loader.check_profiles``).
        self.every_profile = every_profile
        # Lint goes on past faults of the project as a whole (``refuse``).
        self.keep_going = keep_going
        # Compose refuses a service with neither; a fragment is read all the same.
        self.require_image = require_image
        #: Top-level resources defined: (``networks`` | ``secrets`` | ``configs``, name).
        self.resources: set[tuple[str, str]] = {("networks", "default")}
        self.soft: set[int] = set()
        #: Written for ``docker stack deploy`` (see ``Project.swarm``).
        self.swarm = isinstance(source, Path) and _stack_name(source.name)

    def error(
        self,
        message: str,
        span: Span,
        code: str = COMPOSE_ERROR,
        missing: tuple[str, str] | None = None,
        fault: PortSpecError | None = None,
    ) -> None:
        self.problems.append(ComposeProblem(code, message, span, missing=missing, fault=fault))

    def named_file(
        self, path: Path, what: str, span: Span, missing: str = "", written: str | None = None
    ) -> bytes | None:
        """The bytes of a file the project names, or None with the reason reported at ``span``.

        A file that does not exist is reported with ``missing``, or not at all
        when it is empty (an optional file); nothing of a file that is not read
        is quoted, its path alone is named (``written``, as the file spells it).
        """
        name = shown(str(path) if written is None else written, limit=160)
        try:
            return self.reader.read(path, named=True)
        except Outside:
            self.error(
                f"{what} {name} is outside the project folder: not read",
                span,
                UNREADABLE,
            )
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            if missing:
                self.error(missing, span)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            self.error(f"cannot read {what} {name}: {reason}", span, UNREADABLE)
        return None

    def refuse(
        self,
        message: str,
        span: Span,
        code: str = COMPOSE_ERROR,
        missing: tuple[str, str] | None = None,
    ) -> None:
        """A fault of the project as a whole: lint reports it and still checks the services."""
        self.error(message, span, code, missing)
        self.soft.add(id(self.problems[-1]))

    def run(self) -> tuple[Project | None, list[ComposeProblem]]:
        try:
            env = project_environment(self.environ, *self.dotenv[0], paths=self.dotenv[1])
        except PortSpecError as error:
            self.error(error.message, Span(0, 0, path=self.dotenv[1][0]))
            return None, self.problems
        sources: list[str | Path] = [self.source, *self.files]
        documents: list[tuple[Mapping, str | None]] = []
        for source in sources:
            documents.extend(self.read(source))
        if not documents:
            if not self.problems:
                path = str(self.source) if isinstance(self.source, Path) else None
                self.error("empty compose file", Span(0, 0, path=path))
            return None, self.problems
        # COMPOSE_PROJECT_NAME (the environment's or .env's) wins, as in compose-go;
        # then a top-level name: (the last file to give one); then the folder's.
        given = env.get("COMPOSE_PROJECT_NAME", "")
        for document, _ in documents:
            node = document.get("name")
            if isinstance(node, Scalar) and isinstance(node.value, str) and node.value:
                self.name = node.value
        if given:
            self.name = given
        env["COMPOSE_PROJECT_NAME"] = self.name
        if self.selected is None:
            # --profile wins over COMPOSE_PROFILES, which .env may set too.
            listed = env.get("COMPOSE_PROFILES", "")
            self.selected = tuple(p.strip() for p in listed.split(",") if p.strip())
        services: dict[str, _Service] = {}
        for document, path in documents:
            first = path if path is not None else str(self.workdir / "-")
            _merge_layer(services, self.load_document(document, path, env, self.workdir, (first,)))
        project = self.build(services)
        # Going on, every entry that failed was reported at its place and left out, so
        # the rest of the project is still checked; a library caller gets no project.
        if not self.keep_going and any(p.severity == "error" for p in self.problems):
            return None, self.problems
        return project, self.problems

    def load_document(
        self,
        document: Mapping,
        path: str | None,
        env: AbcMapping[str, str],
        workdir: Path,
        chain: tuple[str, ...],
    ) -> dict[str, _Service]:
        """One document's services, its ``include:`` imported and ``extends`` resolved."""
        # Compose interpolates a file, imports what it includes, then resolves extends.
        self.interpolate(document, env)
        self.note_resources(document)
        layer: dict[str, _Service] = {}
        self.merge_file(document, path, layer, env)
        for name, service in self.includes(document, env, workdir, chain).items():
            if name in layer:
                self.error(f"services.{name} conflicts with imported resource", layer[name].span)
                continue
            layer[name] = service
        self.resolve_extends(layer, env)
        return layer

    def plain(self, node: Node | None) -> object:
        """A scalar's value; None for anything else."""
        return self.value(node) if isinstance(node, Scalar) else None

    def note_resources(self, document: Mapping) -> None:
        for kind in ("networks", "secrets", "configs", "volumes"):
            node = document.get(kind)
            if isinstance(node, Mapping):
                for entry in node.entries:
                    self.resources.add((kind, str(self.value(entry.key))))
                    if (
                        kind == "networks"
                        and isinstance(entry.value, Mapping)
                        and self.plain(entry.value.get("driver")) == "overlay"
                    ):
                        self.swarm = True

    def includes(
        self,
        document: Mapping,
        env: AbcMapping[str, str],
        workdir: Path,
        chain: tuple[str, ...],
    ) -> dict[str, _Service]:
        """The services of a document's ``include:`` entries, as compose-go imports them."""
        node = document.get("include")
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return {}
        if not isinstance(node, Sequence):
            self.error("`include` must be a list", node.span, WRONG_SHAPE)
            return {}
        imported: dict[str, _Service] = {}
        for item in node.items:
            entry = self.include_entry(item)
            if entry is None:
                continue
            paths, project_directory, env_files = entry
            # Paths are relative to the including project's directory; the first
            # file's folder is the included project's, unless project_directory says.
            files = [workdir / p for p in paths]
            folder = files[0].parent if project_directory is None else workdir / project_directory
            if str(files[0]) in chain:
                trail = "\n include ".join([*chain[1:], str(files[0])])
                self.error(f"include cycle detected:\n{chain[0]}\n include {trail}", item.span)
                continue
            texts: list[str | bytes] = []
            names: list[str] = []
            if env_files is None:
                default = folder / ".env"
                if os.path.lexists(default) and not default.is_dir():
                    env_files = [str(default)]
            for name in env_files or ():
                if name == "/dev/null":
                    continue
                found = workdir / name
                data = self.named_file(
                    found, "include.env_file", item.span, f"env file {found} not found", name
                )
                if data is None:
                    break
                texts.append(data)
                names.append(str(found))
            else:
                try:
                    own = project_environment(env, *texts, paths=names)
                except PortSpecError as error:
                    self.error(error.message, item.span)
                    continue
                services = self.include_files(files, own, folder, chain, item.span)
                for name, service in services.items():
                    earlier = imported.get(name)
                    if earlier is not None and earlier.body != service.body:
                        self.error(
                            f"services.{name} conflicts with imported resource", service.span
                        )
                        continue
                    imported[name] = service
        return imported

    def include_entry(self, item: Node) -> tuple[list[str], str | None, list[str] | None] | None:
        if isinstance(item, Scalar) and isinstance(self.value(item), str):
            return [str(self.value(item))], None, None
        if not isinstance(item, Mapping):
            self.error("include entries must be a path or a mapping", item.span, WRONG_SHAPE)
            return None
        paths: list[str] = []
        directory: str | None = None
        env_files: list[str] | None = None
        for entry in item.entries:
            key = str(self.value(entry.key))
            value = entry.value
            if key in ("path", "env_file"):
                listed = self.strings(value)
                if listed is None:
                    self.error(f"include.{key} must be a string or a list", value.span, WRONG_SHAPE)
                    return None
                if key == "path":
                    paths = listed
                else:
                    env_files = listed
            elif key == "project_directory":
                text = self.value(value)
                if not isinstance(text, str):
                    self.error("include.project_directory must be a string", value.span)
                    return None
                directory = text
            else:
                self.error(f"include additional properties '{key}' not allowed", entry.key.span)
                return None
        if not paths:
            self.error("include entry needs a path", item.span)
            return None
        return paths, directory, env_files

    def strings(self, node: Node) -> list[str] | None:
        if isinstance(node, Scalar) and isinstance(self.value(node), str):
            return [str(self.value(node))]
        if isinstance(node, Sequence):
            out = [self.value(item) for item in node.items]
            if all(isinstance(text, str) for text in out):
                return [str(text) for text in out]
        return None

    def include_files(
        self,
        files: list[Path],
        env: AbcMapping[str, str],
        folder: Path,
        chain: tuple[str, ...],
        span: Span,
    ) -> dict[str, _Service]:
        """Included files merged in order as ``-f a -f b`` merges them."""
        services: dict[str, _Service] = {}
        for path in files:
            data = self.named_file(path, "include", span, f"open {path}: no such file or directory")
            if data is None:
                return {}
            for document, doc_path in self.read(path, data):
                layer = self.load_document(document, doc_path, env, folder, (*chain, str(path)))
                _merge_layer(services, layer)
        return services

    def read(
        self, source: str | Path, data: bytes | None = None
    ) -> list[tuple[Mapping, str | None]]:
        path: str | None = None
        if isinstance(source, Path):
            path = str(source)
            try:
                text: str | bytes = self.reader.read(source) if data is None else data
            except OSError as error:
                reason = error.strerror or type(error).__name__
                self.error(f"cannot read {path}: {reason}", Span(0, 0, path=path), UNREADABLE)
                return []
        elif isinstance(source, str):
            text = source
        else:
            raise PortSpecError(
                f"expected a compose file as a Path or YAML text, not {type(source).__name__}"
            )
        try:
            nodes = load_yaml_documents(text, path=path)
            self.documents.extend(n for n in nodes if isinstance(n, Mapping))
            return [(compose_document(node, path=path), path) for node in nodes]
        except YamlError as error:
            self.error(error.reason, error.location, UNREADABLE)
            return []
        except PortSpecError as error:
            self.error(error.message, Span(0, 0, path=path), UNREADABLE)
            return []

    # Compose interpolates every string of a file, and refuses it for any bad one.
    def interpolate(self, document: Mapping, env: AbcMapping[str, str]) -> None:
        stack: list[tuple[Node, str]] = [(document, "")]
        while stack:
            node, where = stack.pop()
            if isinstance(node, Sequence):
                stack.extend((item, f"{where}.[]") for item in node.items)
                continue
            if isinstance(node, Mapping):
                for entry in node.entries:
                    key = entry.key
                    name = key.value if isinstance(key, Scalar) else "?"
                    stack.append((entry.value, f"{where}.{name}" if where else str(name)))
                continue
            if not isinstance(node.value, str) or "$" not in node.value:
                continue
            self.interpolate_scalar(node, env, where)

    def interpolate_scalar(self, node: Scalar, env: AbcMapping[str, str], where: str) -> None:
        try:
            result = interpolate(str(node.value), env, where=where)
        except RequiredVariableError as error:
            self.problems.append(
                ComposeProblem(COMPOSE_ERROR, error.message, node.span, variable=error.variable)
            )
            self.value.failed.add(id(node))
            return
        except PortSpecError as error:
            self.error(error.message, node.span)
            self.value.failed.add(id(node))
            return
        for variable in result.unset:
            self.problems.append(
                ComposeProblem(
                    UNSET_VARIABLE,
                    f"variable {variable.name} is not set: Compose substitutes an empty string",
                    node.span,
                    "warning",
                    variable=variable.name,
                )
            )
        self.value.texts[id(node)] = result.text

    def merge_file(
        self,
        document: Mapping,
        path: str | None,
        services: dict[str, _Service],
        env: AbcMapping[str, str],
    ) -> None:
        node = document.get("services")
        if node is None or (isinstance(node, Scalar) and node.value is None):
            return
        if not isinstance(node, Mapping):
            self.error("services must be a mapping", node.span, WRONG_SHAPE)
            return
        for entry in node.entries:
            name = str(self.value(entry.key))
            body = entry.value
            if isinstance(body, Scalar) and body.value is None:
                body = Mapping(())
            if not isinstance(body, Mapping):
                self.error(f"services.{name} must be a mapping", body.span, WRONG_SHAPE)
                continue
            service = services.get(name)
            if service is None or body.tag == "!override":
                service = services[name] = _Service(name, entry.key.span)
                service.replace_all = body.tag == "!override"
            service.body = body
            service.bodies.append(body.span)
            self.merge_service(service, body)

    def merge_service(self, service: _Service, body: Mapping) -> None:
        for entry in body.entries:
            key = str(self.value(entry.key))
            value = entry.value
            if (
                isinstance(value, Scalar)
                and value.value is None
                and value.tag != "!reset"
                and key not in _NULLABLE
                and not key.startswith("x-")
            ):
                what = _SHAPES.get(key, "array")
                self.error(
                    f"services.{service.name}.{key} must be a {what}", value.span, WRONG_SHAPE
                )
                continue
            if value.tag == "!reset":
                # Compose drops a !reset key whatever value it holds.
                service.lists.pop(key, None)
                service.scalars.pop(key, None)
                service.resets.add(key)
                service.overrides.discard(key)
                if key == "networks":
                    service.has_networks, service.networks_given = False, True
                continue
            if key in _LISTS:
                items = self.list_items(service.name, key, value)
                if value.tag == "!override":
                    service.lists[key] = items
                    service.overrides.add(key)
                else:
                    service.lists.setdefault(key, []).extend(items)
            elif key in _SCALARS:
                text = self.value(value) if isinstance(value, Scalar) else None
                if not isinstance(text, str):
                    if not (isinstance(value, Scalar) and value.value is None):
                        self.error(
                            f"services.{service.name}.{key} must be a string",
                            value.span,
                            WRONG_SHAPE,
                        )
                    continue
                service.scalars[key] = (text, value.span)
            elif key == "networks":
                service.networks_given = True
                service.has_networks = not (isinstance(value, Scalar) and value.value is None)
                self.merge_other(service, key, value)
            elif key == "extends":
                service.extends = self.extends_of(service.name, value)
            else:
                self.merge_other(service, key, value)

    def merge_other(self, service: _Service, key: str, value: Node) -> None:
        """The keys read for what they tell of running: profiles, dependencies, counts."""
        name = service.name
        if key == "build":
            service.build = True
        elif key == "profiles":
            listed = self.strings(value) if isinstance(value, Sequence) else None
            if listed is None:
                self.error(f"services.{name}.profiles must be a array", value.span, WRONG_SHAPE)
                return
            for profile in listed:
                service.profiles.setdefault(profile, value.span)
        elif key == "depends_on":
            if isinstance(value, Sequence):
                for item in value.items:
                    target = self.value(item)
                    if isinstance(target, str):
                        service.depends[target] = (True, item.span, "service_started")
            elif isinstance(value, Mapping):
                for entry in value.entries:
                    target = str(self.value(entry.key))
                    where = f"services.{name}.depends_on.{target}"
                    if not isinstance(entry.value, Mapping):
                        self.error(f"{where} must be a mapping", entry.value.span, WRONG_SHAPE)
                        continue
                    condition = entry.value.get("condition")
                    if condition is None:
                        self.error(f"{where} missing property 'condition'", entry.key.span)
                    flag = entry.value.get("required")
                    required = not (isinstance(flag, Scalar) and self.value(flag) is False)
                    how = self.value(condition) if isinstance(condition, Scalar) else None
                    service.depends[target] = (
                        required,
                        entry.key.span,
                        how if isinstance(how, str) else "service_started",
                    )
        elif key == "healthcheck" and isinstance(value, Mapping):
            # What service_healthy waits on: "off" (disabled), "on" (a test of
            # its own), or "image" (the image's HEALTHCHECK, if it has one).
            test = value.get("test")
            first = test.items[0] if isinstance(test, Sequence) and test.items else test
            disable = value.get("disable")
            if (isinstance(disable, Scalar) and self.value(disable) is True) or (
                isinstance(first, Scalar) and self.value(first) == "NONE"
            ):
                state = "off"
            else:
                state = "image" if test is None else "on"
            service.scalars["healthcheck"] = (state, value.span)
        elif key in ("ipc", "pid") and isinstance(value, Scalar):
            mode = self.value(value)
            if isinstance(mode, str) and mode.startswith("service:"):
                service.waits[key] = {mode[len("service:") :]}
            else:
                service.waits[key] = set()
        elif key == "volumes_from" and isinstance(value, Sequence):
            sources = service.waits.setdefault(key, set())
            for item in value.items:
                source = self.value(item)
                if isinstance(source, str) and not source.startswith("container:"):
                    sources.add(source.split(":", 1)[0])
        elif key in ("scale", "deploy"):
            node = value.get("replicas") if isinstance(value, Mapping) else value
            if key == "deploy" and not isinstance(value, Mapping):
                return
            if isinstance(value, Mapping) and (
                any(value.get(k) is not None for k in _SWARM_DEPLOY)
                or self.plain(value.get("mode")) == "global"
            ):
                self.swarm = True
            count = self.value(node) if node is not None else None
            if isinstance(count, str) and re.fullmatch(r"[0-9]+", count):
                count = int(count)
            if node is not None and type(count) is int:
                service.counts[key] = (count, node.span)
        elif key == "volumes" and isinstance(value, Sequence):
            for item in value.items:
                spec = self.value(item)
                if isinstance(item, Mapping):
                    kind, source = item.get("type"), item.get("source")
                    if kind is not None and self.value(kind) == "volume" and source is not None:
                        named = self.value(source)
                        if isinstance(named, str) and named:
                            service.uses[("volumes", named)] = source.span
                elif isinstance(spec, str) and not self.keep_going:
                    # A volume is no port: lint leaves short specs to Compose.
                    try:
                        source_text = _volume_source(spec)
                    except PortSpecError as error:
                        self.error(error.message, item.span)
                        continue
                    if source_text and not _is_file_path(source_text):
                        service.uses[("volumes", source_text)] = item.span
        elif key in ("networks", "secrets", "configs"):
            items: list[tuple[object, Span]] = []
            if isinstance(value, Sequence):
                for item in value.items:
                    if isinstance(item, Mapping):
                        source = item.get("source")
                        if source is not None:
                            items.append((self.value(source), source.span))
                    else:
                        items.append((self.value(item), item.span))
            elif isinstance(value, Mapping):
                items = [(self.value(e.key), e.key.span) for e in value.entries]
            for used, span in items:
                if isinstance(used, str):
                    service.uses[(key, used)] = span

    def extends_of(self, name: str, value: Node) -> tuple[str, str | None, Span] | None:
        if isinstance(value, Scalar) and isinstance(self.value(value), str):
            return str(self.value(value)), None, value.span
        if isinstance(value, Mapping):
            target, file = value.get("service"), value.get("file")
            if isinstance(target, Scalar) and isinstance(self.value(target), str):
                file_text = self.value(file) if isinstance(file, Scalar) else None
                return (
                    str(self.value(target)),
                    file_text if isinstance(file_text, str) else None,
                    (value.span),
                )
        self.error(f"services.{name}.extends must name a service", value.span)
        return None

    def list_items(self, service: str, key: str, node: Node) -> list[_Item]:
        if isinstance(node, Scalar) and node.value is None:
            return []
        if not isinstance(node, Sequence):
            self.error(f"services.{service}.{key} must be an array", node.span, WRONG_SHAPE)
            return []
        items: list[_Item] = []
        for index, item in enumerate(node.items):
            where = f"services.{service}.{key}.[{index}]"
            if id(item) in self.value.failed:
                continue
            try:
                parsed = _PARSERS[key](item, where, self.value)
            except PortSpecError as error:
                self.error(error.message, _fault_span(item, error), _ITEM_CODES[key], fault=error)
                continue
            parsed.typed, parsed.long = _as_typed(item)
            items.append(parsed)
        return items

    def resolve_extends(self, services: dict[str, _Service], env: AbcMapping[str, str]) -> None:
        done: set[str] = set()

        def merge(service: _Service, base: _Service) -> None:
            # A key the service marks !reset or !override takes nothing from its base.
            dropped = service.resets | service.overrides
            for key, items in base.lists.items():
                if key not in dropped:
                    service.lists[key] = [*items, *service.lists.get(key, [])]
            for key, scalar in base.scalars.items():
                if key not in dropped:
                    service.scalars.setdefault(key, scalar)
            service.build = service.build or base.build
            if "profiles" not in dropped:
                for profile, where in base.profiles.items():
                    service.profiles.setdefault(profile, where)
            if "depends_on" not in dropped:
                service.depends = {**base.depends, **service.depends}
            for key, names in base.waits.items():
                # volumes_from is a list and adds up; ipc and pid are replaced.
                if key == "volumes_from" and key not in dropped:
                    service.waits[key] = names | service.waits.get(key, set())
                elif key not in dropped:
                    service.waits.setdefault(key, names)
            service.counts = {
                **{k: v for k, v in base.counts.items() if k not in dropped},
                **service.counts,
            }
            service.uses = {
                **{k: v for k, v in base.uses.items() if k[0] not in dropped},
                **service.uses,
            }

        def resolve(start: _Service) -> None:
            # The chain start -> its base -> ... walked with a list, not the stack:
            # a chain of any length is linear and never overflows.
            chain: list[tuple[_Service, _Service | str | None]] = []
            seen: set[str] = set()
            service = start
            while service.name not in done and service.extends is not None:
                target, file, span = service.extends
                if file is not None:
                    chain.append((service, file))
                    break
                if target in seen or target == service.name:
                    self.error(f"circular reference with extends in service {service.name}", span)
                    chain.append((service, None))
                    break
                base = services.get(target)
                if base is None:
                    self.error(f"cannot extend service {service.name}: {target} not found", span)
                    chain.append((service, None))
                    break
                seen.add(service.name)
                chain.append((service, base))
                service = base
            done.add(service.name)
            for service, found in reversed(chain):
                done.add(service.name)
                base = found if isinstance(found, _Service) else None
                if isinstance(found, str) and service.extends is not None:
                    target, _, span = service.extends
                    base = self.extends_file(found, target, span, env)
                # Resolved once: an included service is not extended again by its includer.
                if base is not None and service.extends is not None:
                    service.extended = service.extends[2]
                service.extends = None
                if base is not None:
                    merge(service, base)

        for service in list(services.values()):
            resolve(service)

    def extends_file(
        self, file: str, target: str, span: Span, env: AbcMapping[str, str]
    ) -> _Service | None:
        folder = Path(span.path).parent if span.path else Path.cwd()
        path = folder / file
        if self.extends_depth >= _MAX_EXTENDS_FILES:
            self.error(f"extends.file nested more than {_MAX_EXTENDS_FILES} files deep", span)
            return None
        data = self.named_file(
            path, "extends.file", span, f"cannot read {path}: no such file or directory", file
        )
        if data is None:
            return None
        services: dict[str, _Service] = {}
        self.extends_depth += 1
        try:
            for document, doc_path in self.read(path, data):
                self.interpolate(document, env)
                self.merge_file(document, doc_path, services, env)
            self.resolve_extends(services, env)
        finally:
            self.extends_depth -= 1
        found = services.get(target)
        if found is None:
            self.error(f"cannot extend service: {target} not found in {file}", span)
        return found

    def build(self, services: dict[str, _Service]) -> Project:
        built: dict[str, Container] = {}
        external: dict[str, tuple[Link, ...]] = {}
        locations: dict[tuple[str, str, int], Span] = {}
        entries: dict[str, AbcMapping[str, tuple[Located[ListValue], ...]]] = {}
        profiles: dict[str, frozenset[str]] = {}
        replicas: dict[str, int] = {}
        refused: dict[str, list[Unrunnable]] = {}
        linked: dict[str, list[str]] = {}
        depends_on: dict[str, frozenset[str]] = {}
        networks: dict[str, frozenset[str]] = {}
        conditions: dict[str, AbcMapping[str, str]] = {}
        healthchecks: dict[str, str] = {}
        selected = set(self.selected or ())
        active = {
            name: service
            for name, service in services.items()
            if self.every_profile
            or not service.profiles
            or "*" in selected
            or selected & service.profiles.keys()
        }
        for name in sorted(active):
            service = active[name]
            if service.profiles:
                profiles[name] = frozenset(service.profiles)
            self.check_service(service, active, services)
            count = self.replicas(service)
            if count != 1:
                replicas[name] = count
                where = service.counts.get("deploy") or service.counts["scale"]
                locations[(name, "replicas", 0)] = where[1]
            lists: dict[str, list[_Item]] = {}
            located: dict[str, tuple[Located[ListValue], ...]] = {}
            entries[name] = MappingProxyType(located)
            for key in _LISTS:
                unique = _unique(service.lists.get(key, []))
                lists[key] = [item for item in unique if item.value is not None]
                for index, item in enumerate(lists[key]):
                    locations[(name, key, index)] = item.span
                located[key] = tuple(
                    Located(item.value, item.span, item.typed, item.long)
                    for item in lists[key]
                    if item.value is not None
                )
                for index, item in enumerate(unique):
                    if item.value is None:
                        entry = Unrunnable(key, index, item.compose, item.refused, item.span)
                        refused.setdefault(name, []).append(entry)
                        self.problems.append(
                            ComposeProblem(
                                REFUSED_AT_CREATE,
                                "Compose accepts this; Docker refuses it at create:"
                                f" {item.refused}",
                                item.span,
                                "warning",
                            )
                        )
            network_mode = service.scalars.get("network_mode")
            mode = network_mode[0] if network_mode else ""
            locations[(name, "service", 0)] = service.span
            if service.extended is not None:
                locations[(name, "extends", 0)] = service.extended
                for index, span in enumerate(service.bodies):
                    locations[(name, "body", index)] = span
            if network_mode:
                locations[(name, "network_mode", 0)] = network_mode[1]
            if mode and service.has_networks:
                self.error(
                    f"service {name} declares mutually exclusive `network_mode` and `networks`",
                    network_mode[1] if network_mode else service.span,
                )
            linked[name] = [i.value.name for i in lists["links"] if isinstance(i.value, Link)]
            for item in lists["links"]:
                assert isinstance(item.value, Link)
                self.check_dependency(service, item.value.name, item.span, active)
            if mode.startswith("service:"):
                assert network_mode is not None
                self.check_dependency(service, mode[len("service:") :], network_mode[1], active)
            container_name = service.scalars.get("container_name")
            image = service.scalars.get("image")
            built[name] = Container(
                name=container_name[0] if container_name else name,
                publish=tuple(i.value for i in lists["ports"] if isinstance(i.value, PortMapping)),
                expose=tuple(i.value for i in lists["expose"] if isinstance(i.value, Expose)),
                links=tuple(i.value for i in lists["links"] if isinstance(i.value, Link)),
                networks=(mode,) if mode else (),
                image=image[0] if image else None,
            )
            links = tuple(i.value for i in lists["external_links"] if isinstance(i.value, Link))
            if links:
                external[name] = links
            waits = {*service.depends, *linked[name], *itertools.chain(*service.waits.values())}
            if mode.startswith("service:"):
                waits.add(mode[len("service:") :])
            waits = {target for target in waits if target in active and target != name}
            if waits:
                depends_on[name] = frozenset(waits)
            gates = {
                target: how
                for target, (required, _, how) in service.depends.items()
                if required and target in active and how != "service_started"
            }
            if gates:
                conditions[name] = MappingProxyType(gates)
            health = service.scalars.get("healthcheck")
            if health is not None and health[0] != "image":
                healthchecks[name] = health[0]
            joined = {used for kind, used in service.uses if kind == "networks"}
            networks[name] = frozenset(() if mode else joined or {"default"})
        self.check_cycles(active, linked)
        return Project(
            self.name,
            MappingProxyType(built),
            MappingProxyType(external),
            MappingProxyType(locations),
            tuple(p for p in self.problems if p.severity != "error"),
            MappingProxyType(profiles),
            MappingProxyType(replicas),
            MappingProxyType({name: tuple(entries) for name, entries in refused.items()}),
            self.swarm,
            frozenset(self.resources),
            MappingProxyType(depends_on),
            MappingProxyType(conditions),
            MappingProxyType(healthchecks),
            MappingProxyType(networks),
            MappingProxyType(entries),
        )

    def check_dependency(
        self,
        service: _Service,
        target: str,
        span: Span,
        active: AbcMapping[str, _Service],
        *,
        soft: bool = False,
        required: bool = True,
    ) -> None:
        """A link, ``network_mode: service:`` or required ``depends_on``: its service must run."""
        name = service.name
        found = active.get(target)
        if found is None:
            (self.refuse if soft else self.error)(
                f'service "{name}" depends on undefined service "{target}"',
                span,
                UNDEFINED_SERVICE,
                ("services", target),
            )
            return
        if self.every_profile and found.profiles and required:
            # Every choice of profiles that runs the service must run its dependency.
            missing = sorted(set(service.profiles or {"": span}) - found.profiles.keys())
            if missing:
                needs = ", ".join(sorted(found.profiles))
                self.refuse(
                    f'service "{name}" depends on service "{target}", which runs only with'
                    f" profile {needs}: Compose refuses the project without it",
                    span,
                    UNDEFINED_SERVICE,
                )

    def check_service(
        self,
        service: _Service,
        active: AbcMapping[str, _Service],
        defined: AbcMapping[str, _Service],
    ) -> None:
        """What Compose checks of a service that runs, beyond its ports and links."""
        name = service.name
        if self.require_image and "image" not in service.scalars and not service.build:
            self.refuse(
                f'service "{name}" has neither an image nor a build context specified',
                service.span,
            )
        for target, (required, span, _) in service.depends.items():
            # An optional dependency may be of a profile not enabled, never undefined.
            where = active if required else defined
            self.check_dependency(service, target, span, where, soft=True, required=required)
        for (kind, used), span in service.uses.items():
            if (kind, used) not in self.resources:
                self.refuse(
                    f'service "{name}" refers to undefined {kind[:-1]} {used}',
                    span,
                    missing=(kind, used),
                )
        counts = service.counts
        if "scale" in counts and "deploy" in counts and counts["scale"][0] != counts["deploy"][0]:
            self.refuse(
                f"services.{name}: can't set distinct values on 'scale' and 'deploy.replicas'",
                counts["scale"][1],
            )
        container_name = service.scalars.get("container_name")
        if container_name is not None and self.replicas(service) > 1:
            key = "deploy.replicas" if "deploy" in counts else "scale"
            self.refuse(
                f"services.{key}: can't set container_name and {name} as container name must be"
                " unique",
                container_name[1],
            )

    def check_cycles(
        self, active: AbcMapping[str, _Service], links: AbcMapping[str, list[str]]
    ) -> None:
        """Compose refuses a project whose services depend on each other in a circle."""
        edges: dict[str, list[tuple[str, bool]]] = {}
        for name, service in active.items():
            out = [(t, True) for t in links.get(name, [])]
            out += [(t, False) for t in service.depends]
            mode = service.scalars.get("network_mode", ("", service.span))[0]
            if mode.startswith("service:"):
                out.append((mode[len("service:") :], False))
            edges[name] = [(t, by_link) for t, by_link in out if t in active]
        state: dict[str, int] = {}
        for start in sorted(edges):
            if state.get(start):
                continue
            # An iterative walk: a long chain of services is no deep recursion.
            path: list[str] = [start]
            kinds: list[bool] = []
            todo: list[list[tuple[str, bool]]] = [list(edges[start])]
            state[start] = 1
            while todo:
                if not todo[-1]:
                    state[path.pop()] = 2
                    todo.pop()
                    if kinds:
                        kinds.pop()
                    continue
                target, by_link = todo[-1].pop(0)
                if state.get(target) == 1:
                    at = path.index(target)
                    cycle_kinds = [*kinds[at:], by_link]
                    # Lint's PS114 reports a circle of links; any other is Compose's refusal.
                    if not (self.keep_going and all(cycle_kinds)):
                        circle = " -> ".join([*path[at:], target])
                        span = active[path[at]].span
                        self.refuse(f"dependency cycle detected: {circle}", span)
                    continue
                if state.get(target):
                    continue
                state[target] = 1
                path.append(target)
                kinds.append(by_link)
                todo.append(list(edges[target]))

    @staticmethod
    def replicas(service: _Service) -> int:
        counts = service.counts
        found = counts.get("deploy") or counts.get("scale")
        return 1 if found is None else found[0]


class _Values:
    """Scalars' values after interpolation, by node identity (the nodes are frozen).

    The loader keeps every document alive while it runs, so an id names one node.
    """

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}
        #: Scalars whose interpolation failed: already reported, not read further.
        self.failed: set[int] = set()

    def __call__(self, node: Node) -> object:
        if not isinstance(node, Scalar):
            return None
        if isinstance(node.value, str) and "$" in node.value:
            return self.texts.get(id(node), node.value)
        return node.value


def _merge_layer(services: dict[str, _Service], layer: dict[str, _Service]) -> None:
    """Merge one file's services onto those of the files before it."""
    for name, incoming in layer.items():
        current = services.get(name)
        if current is None or incoming.replace_all:
            services[name] = incoming
            continue
        _forget(current, incoming.resets | incoming.overrides)
        for key, items in incoming.lists.items():
            if key in incoming.overrides:
                current.lists[key] = list(items)
            else:
                current.lists.setdefault(key, []).extend(items)
        current.scalars.update(incoming.scalars)
        if incoming.networks_given:
            current.has_networks = incoming.has_networks
        current.build = current.build or incoming.build
        for profile, where in incoming.profiles.items():
            current.profiles.setdefault(profile, where)
        current.depends.update(incoming.depends)
        current.bodies += incoming.bodies
        current.extended = current.extended or incoming.extended
        for key, names in incoming.waits.items():
            current.waits[key] = (
                names | current.waits.get(key, set()) if key == "volumes_from" else names
            )
        current.counts.update(incoming.counts)
        current.uses.update(incoming.uses)


def _forget(service: _Service, keys: AbcSet[str]) -> None:
    """Drop what the keys gave a service: a later file marks them !reset or !override."""
    for key in keys:
        service.lists.pop(key, None)
        service.scalars.pop(key, None)
        service.counts.pop(key, None)
        service.waits.pop(key, None)
    service.uses = {used: span for used, span in service.uses.items() if used[0] not in keys}
    if "profiles" in keys:
        service.profiles.clear()
    if "depends_on" in keys:
        service.depends.clear()


def _volume_source(spec: str) -> str:
    """The source of a short-syntax volume, split on colons as compose-go splits it."""
    if not spec:
        raise PortSpecError("invalid empty volume spec")
    if len(spec) <= 2:
        return ""
    parts: list[str] = []
    buffer: list[str] = []
    depth = 0
    for index, char in enumerate(spec + "\0"):
        if char == "$" and spec[index + 1 : index + 2] == "{":
            depth += 1
            buffer.append(char)
        elif char == "}" and depth:
            depth -= 1
            buffer.append(char)
        elif char == ":" and len(buffer) == 1 and buffer[0].isalpha():
            buffer.append(char)  # a Windows drive, C:
        elif char in ":\0" and not depth:
            if not buffer:
                raise PortSpecError(f"invalid spec: {spec}: empty section between colons")
            if len(parts) == 2 and char == ":":
                raise PortSpecError(f"invalid spec: {spec}: too many colons")
            parts.append("".join(buffer))
            buffer = []
        else:
            buffer.append(char)
    return parts[0] if len(parts) > 1 else ""


def _is_file_path(source: str) -> bool:
    """Whether a volume source is a path on the host, not a named volume."""
    return source.startswith((".", "/", "~", "\\\\")) or (
        len(source) >= 2 and source[0].isalpha() and source[1] == ":"
    )


def _fault_span(node: Node, error: PortSpecError) -> Span:
    """Where in the file the fault of a scalar's value stood, or the scalar's span."""
    span = node.span
    if not isinstance(node, Scalar) or error.span is None or not error.text:
        return span
    raw = node.raw
    if node.style is ScalarStyle.PLAIN and raw == error.text:
        skip = 0
    elif len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and raw[1:-1] == error.text:
        skip = 1
    else:
        return span
    start, end = error.span
    end = max(end, start + 1)
    if "\n" in raw[: skip + end]:
        return span
    return Span(
        span.start + skip + start,
        span.start + skip + end,
        span.line,
        span.column + skip + start,
        span.path,
    )


def _unique(items: list[_Item]) -> list[_Item]:
    """Compose's unicity rule: a later entry with the same key replaces the first, in its place."""
    out: list[_Item] = []
    index: dict[object, int] = {}
    for item in items:
        at = index.get(item.key)
        if at is None:
            index[item.key] = len(out)
            out.append(item)
        else:
            out[at] = item
    return out


# ------------------------------------------------------------------ entries


def _as_typed(node: Node) -> tuple[str, bool]:
    """An entry's ``Located.text`` and ``.long``: its text as typed, and whether it is a mapping.

    The text is the scalar's own when its source spells exactly that: plain,
    or quoted with nothing to undo but the quotes. It is empty for a block
    scalar, a tag, an anchor, a variable, or an escape or quote inside.
    """
    if not isinstance(node, Scalar):
        return "", True
    raw = node.raw
    if node.tag is not None or raw[:1] in "&!*" or "$" in raw:
        return "", False
    if node.style is ScalarStyle.PLAIN:
        return (raw if raw == node.text else ""), False
    if node.style in (ScalarStyle.SINGLE_QUOTED, ScalarStyle.DOUBLE_QUOTED):
        inner = raw[1:-1]
        plain = inner == node.text and not any(char in inner for char in "\\'\"")
        return (inner if plain else ""), False
    return "", False


def _port_item(node: Node, where: str, _value: _Values) -> _Item:
    if isinstance(node, Mapping):
        return _long_port(node, where, _value)
    value = _value(node)
    if isinstance(node, Scalar) and type(value) is int:
        if value == 0:
            raise PortSpecError(f"service ports {where} is missing a target port")
        text = str(value)
    elif isinstance(node, Scalar) and isinstance(value, str):
        text = value
    elif isinstance(node, Scalar) and isinstance(value, float):
        raise PortSpecError(f"{where}: invalid type float64 for port")
    else:
        raise PortSpecError(f"{where} must be a number, a string or a mapping")
    mapping = parse_publish(text, dialect=Dialect.COMPOSE)
    host_ip = mapping.host_ip_as_typed or "0.0.0.0"
    published = "" if mapping.host is None else str(mapping.host)
    key = (host_ip, ("str", published), str(mapping.container), mapping.protocol.value)
    return _Item(key, mapping, node.span)


def _long_port(node: Mapping, where: str, _value: _Values) -> _Item:
    fields: dict[str, tuple[object, Node]] = {}
    for entry in node.entries:
        name = str(_value(entry.key))
        if name.startswith("x-"):
            continue
        if name not in _LONG_KEYS:
            raise PortSpecError(f"{where} additional properties '{name}' not allowed")
        fields[name] = (_value(entry.value), entry.value)
    faults: list[str] = []
    target = _target(fields.get("target"), where, faults)
    host: PortRange | None = None
    published_text = ""
    if "published" in fields:
        published_value = fields["published"][0]
        if published_value is None or isinstance(published_value, (bool, float)):
            raise PortSpecError(f"{where}.published must be a integer or string")
        if type(published_value) is int:
            published_key: tuple[str, str] = ("int", str(published_value))
        elif isinstance(published_value, str):
            published_key = ("str", published_value)
        else:
            raise PortSpecError(f"{where}.published must be a integer or string")
        published_text = str(published_value)
        host = _published(published_text, faults) if published_text else None
    else:
        published_key = ("str", "")
    host_ip_text: str | None = None
    host_ip = None
    if "host_ip" in fields:
        typed = fields["host_ip"][0]
        if not isinstance(typed, str):
            raise PortSpecError(f"{where}.host_ip must be a string")
        host_ip = parse_address(typed)
        if host_ip is None:
            raise PortSpecError(f"{where}: invalid ip address: {typed}")
        host_ip_text = typed
    protocol_text = fields.get("protocol", ("tcp", None))[0]
    if not isinstance(protocol_text, str):
        raise PortSpecError(f"{where}.protocol must be a string")
    protocol = Protocol.named((protocol_text or "tcp").lower())
    if protocol is None:
        faults.append(f"invalid protocol {protocol_text!r}: Docker knows tcp, udp and sctp")
    options: dict[str, str] = {}
    for option in ("mode", "name", "app_protocol"):
        if option in fields:
            text = fields[option][0]
            if not isinstance(text, str):
                raise PortSpecError(f"{where}.{option} must be a string")
            options[option] = text
    key = (host_ip_text or "0.0.0.0", published_key, str(target), protocol_text or "tcp")
    if faults or protocol is None:
        # What config prints: Go's omitempty drops a zero target, an empty text.
        printed: dict[str, object] = {"mode": options.get("mode", "ingress")}
        for name, value in (
            ("name", options.get("name", "")),
            ("host_ip", host_ip_text or ""),
            ("target", target),
            ("published", published_text),
            ("protocol", protocol_text),
            ("app_protocol", options.get("app_protocol", "")),
        ):
            if value:
                printed[name] = value
        return _Item(key, None, node.span, "; ".join(faults), printed)
    ignored = tuple(f"{option}={text}" for option, text in options.items())
    mapping = PortMapping(PortRange.single(target), protocol, host_ip, host, host_ip_text, ignored)
    return _Item(key, mapping, node.span)


def _target(found: tuple[object, Node] | None, where: str, faults: list[str]) -> int:
    if found is None:
        raise PortSpecError(f"service ports {where} is missing a target port")
    value = found[0]
    number: int | None = None
    if type(value) is int:
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\+?[0-9]+", value):
        digits = value.lstrip("+").lstrip("0") or "0"
        number = int(digits) if len(digits) <= 10 else _UINT32 + 1
    if number is None or not 0 <= number <= _UINT32:
        raise PortSpecError(f"{where}.target must be a integer or string, not {shown(value)}")
    if not 1 <= number <= MAX_PORT:
        faults.append(f"invalid target port {number}: ports are 1-{MAX_PORT}")
    return number


def _published(text: str, faults: list[str]) -> PortRange | None:
    match = _PUBLISHED.fullmatch(text)
    if match is not None and all(len(g.lstrip("0")) <= 5 for g in match.groups() if g):
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
        if start <= end <= MAX_PORT:
            return PortRange(start, end)
    faults.append(f"invalid published port {text!r}: expected a port or a range such as 8000-8010")
    return None


def _expose_item(node: Node, where: str, _value: _Values) -> _Item:
    value = _value(node)
    if not isinstance(node, Scalar) or isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PortSpecError(f"{where}: unsupported expose value {value!r}")
    text = str(value)
    try:
        expose = replace(parse_expose(text), text=text)
    except PortSpecError as error:
        # Compose passes expose entries on unchecked: the Engine refuses this one.
        return _Item(text, None, node.span, f"invalid expose {text!r}: {error.message}", text)
    return _Item(text, expose, node.span)


def _link_item(node: Node, where: str, _value: _Values) -> _Item:
    value = _value(node)
    if not isinstance(node, Scalar) or not isinstance(value, str):
        raise PortSpecError(f"{where}: unexpected type {type(value).__name__}")
    return _Item(value, replace(parse_link(value), text=value), node.span)


_PARSERS = {
    "ports": _port_item,
    "expose": _expose_item,
    "links": _link_item,
    "external_links": _link_item,
}


def _project_name(folder: str) -> str:
    """Compose's default project name: the folder's name, lower-cased, other characters dropped."""
    name = _PROJECT_NAME.sub("", folder.lower()).lstrip("_-")
    return name or "default"
