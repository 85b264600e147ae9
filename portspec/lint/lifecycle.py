"""Which containers of a script run at the same time, as Docker would run them.

A script is a list of steps. ``docker run -d`` (or a command sent to the
background with ``&``) starts a container that runs until ``docker
stop|kill|rm -f`` names it or the script ends; a ``docker run`` in the
foreground has ended before the next step; ``docker create`` makes one that
runs from ``docker start``. A container's name is taken from its creation to
its removal (``docker rm``, or its stop under ``--rm``), and Docker refuses a
second container of that name meanwhile, whose ports are then never bound.
``docker compose up``/``down`` open and close a window for a compose project.
The shell's ``wait`` returns once the ``docker run`` commands sent to the
background without ``-d`` have returned, that is once their containers have
ended; with operands (``wait $!``, ``wait %1``, ``wait "$pid"`` after
``pid=$!``) only those.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portspec.sources.scripts import Command

__all__ = [
    "FOREVER",
    "Compose",
    "Remove",
    "Run",
    "Start",
    "Stop",
    "Target",
    "Timeline",
    "Wait",
    "event_of",
    "overlap",
]

#: The end of a span that lasts to the end of the script.
FOREVER = 1 << 62


@dataclass(frozen=True, slots=True)
class Run:
    """``docker run``/``docker create`` at a step; ``name`` None when not given or unknown."""

    step: int
    name: str | None
    detach: bool
    remove: bool
    create: bool = False
    #: Sent to the background without ``-d``: ``docker run`` returns, and the
    #: shell's ``wait`` with it, when the container ends.
    attached: bool = False
    #: Sent to the background (``&``), with or without ``-d``.
    background: bool = False
    #: Where the command starts in its document (what ``wait`` names it by).
    at: int = -1


@dataclass(frozen=True, slots=True)
class Target:
    """A container a command names: by its name, or by an expansion portspec cannot see.

    ``every`` marks an expansion that lists containers (``$(docker ps -q)``).
    """

    name: str | None
    every: bool = False


@dataclass(frozen=True, slots=True)
class Stop:
    """``docker stop``/``docker kill``."""

    step: int
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class Remove:
    """``docker rm``; without ``force`` Docker refuses to remove a running container."""

    step: int
    targets: tuple[Target, ...]
    force: bool


@dataclass(frozen=True, slots=True)
class Start:
    """``docker start``/``docker restart``."""

    step: int
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class Wait:
    """The shell's ``wait``: every ``docker run`` in the background has returned.

    ``jobs``: with operands, only the runs starting at these offsets.
    """

    step: int
    jobs: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Compose:
    """``docker compose up|down|start|stop|kill|restart`` of one project (its key)."""

    step: int
    project: str
    verb: str
    detach: bool = False


Event = Run | Stop | Remove | Start | Compose | Wait


@dataclass
class _Container:
    run: int  # the index of its Run among the runs
    name: str | None
    remove: bool
    since: int | None = None
    attached: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)
    stopped: bool = False


@dataclass
class Outcome:
    """What became of one ``Run``.

    ``spans`` are the steps it runs, ``[start, end)``; ``refused_by`` the
    index of the run whose container held its name; ``stopped`` whether the
    script itself stopped or removed it.
    """

    spans: tuple[tuple[int, int], ...] = ()
    refused_by: int | None = None
    stopped: bool = False


class Timeline:
    """Plays one script's events in order.

    >>> timeline = Timeline()
    >>> timeline.play([Run(0, "web", True, False), Run(1, "web", True, False)])
    >>> [(o.spans, o.refused_by) for o in timeline.outcomes]
    [(((0, 4611686018427387904),), None), ((), 0)]
    """

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        #: The compose projects' windows: project -> spans.
        self.windows: dict[str, list[tuple[int, int]]] = {}
        self._containers: list[_Container] = []
        self._names: dict[str, _Container] = {}
        self._open: dict[str, int] = {}
        self._seen: set[str] = set()
        #: The containers of the runs sent to the background, by where they start.
        self._jobs: dict[int, _Container] = {}

    def play(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Run):
                self._run(event)
            elif isinstance(event, Compose):
                self._compose(event)
            elif isinstance(event, Wait):
                self._wait(event)
            else:
                for container in self._targets(event.targets):
                    self._act(event, container)
        for container in self._containers:
            if container.since is not None:
                container.spans.append((container.since, FOREVER))
            outcome = self.outcomes[container.run]
            outcome.spans = tuple(container.spans)
            outcome.stopped = container.stopped and container.since is None
        for project, since in self._open.items():
            self.windows.setdefault(project, []).append((since, FOREVER))

    def _run(self, event: Run) -> None:
        holder = self._names.get(event.name) if event.name else None
        if holder is not None:
            self.outcomes.append(Outcome(refused_by=holder.run))
            if event.background:  # ``$!`` is its process, which has returned
                self._jobs[event.at] = _Container(len(self.outcomes) - 1, None, False)
            return
        container = _Container(
            len(self.outcomes), event.name, event.remove, attached=event.attached
        )
        if event.background:
            self._jobs[event.at] = container
        self.outcomes.append(Outcome())
        self._containers.append(container)
        if event.name:
            self._names[event.name] = container
        if event.create:
            return
        if event.detach:
            container.since = event.step
            return
        container.spans.append((event.step, event.step + 1))
        if event.remove:
            self._forget(container)

    def _targets(self, targets: tuple[Target, ...]) -> list[_Container]:
        found: list[_Container] = []
        for target in targets:
            if target.name is not None:
                container = self._names.get(target.name.lstrip("/"))
                if container is not None:
                    found.append(container)
            else:
                # An id in a variable: one of the unnamed containers, which only
                # an id reaches; a listing (``$(docker ps -q)``) reaches them all.
                found.extend(c for c in self._containers if target.every or c.name is None)
        return found

    def _act(self, event: Stop | Remove | Start, container: _Container) -> None:
        running = container.since is not None
        if isinstance(event, Start):
            if not running and self._exists(container):
                container.since = event.step
                container.stopped = False
            return
        if isinstance(event, Remove) and running and not event.force:
            return  # Docker refuses to remove a running container without -f
        if running:
            assert container.since is not None
            container.spans.append((container.since, event.step))
            container.since = None
            container.stopped = True
        if isinstance(event, Remove):
            container.stopped = True
            self._forget(container)
        elif container.remove and running:
            self._forget(container)

    def _wait(self, event: Wait) -> None:
        waited = [c for c in self._containers if c.attached]
        if event.jobs is not None:
            waited = [self._jobs[at] for at in event.jobs if at in self._jobs]
            waited = [c for c in waited if c.attached]
        for container in waited:
            if container.since is not None:
                container.spans.append((container.since, event.step))
                container.since = None
                container.stopped = True
                if container.remove:
                    self._forget(container)

    def _exists(self, container: _Container) -> bool:
        return container.name is None or self._names.get(container.name) is container

    def _forget(self, container: _Container) -> None:
        if container.name and self._names.get(container.name) is container:
            del self._names[container.name]
        if container.name is None:
            container.name = ""  # removed: no longer reached by an id either

    def _compose(self, event: Compose) -> None:
        if event.project not in self._seen and event.verb in ("down", "stop"):
            # Taken down before any ``up``: it may have run until then.
            self._open[event.project] = 0
        self._seen.add(event.project)
        since = self._open.pop(event.project, None)
        if since is not None:
            self.windows.setdefault(event.project, []).append((since, event.step))
        if event.verb in ("up", "start", "restart"):
            if event.verb == "up" and not event.detach:
                self.windows.setdefault(event.project, []).append((event.step, event.step + 1))
            else:
                self._open[event.project] = event.step


def overlap(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> bool:
    """Whether two sets of ``[start, end)`` spans share a step."""
    return any(x < w and v < y for x, y in a for v, w in b)


# Options of the commands that take a value (the others are switches).
_VALUE_OPTIONS = {
    "stop": frozenset({"-t", "--time", "--timeout", "-s", "--signal"}),
    "restart": frozenset({"-t", "--time", "--timeout", "-s", "--signal"}),
    "kill": frozenset({"-s", "--signal"}),
    "start": frozenset({"--detach-keys", "--checkpoint", "--checkpoint-dir"}),
    "rm": frozenset(),
}
_COMPOSE_VALUE_OPTIONS = frozenset(
    {"-f", "--file", "-p", "--project-name", "--project-directory", "--env-file"}
    | {"--profile", "--ansi", "--progress", "--parallel", "-H", "--host", "-c", "--context"}
)
_DEFAULT_FILES = frozenset(
    {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}
)
_COMPOSE_VERBS = frozenset({"up", "down", "start", "stop", "kill", "restart", "rm"})


def event_of(command: Command, step: int, folder: str) -> Event | None:
    """The event of a docker command other than run/create; None if it changes nothing known.

    ``folder`` is the script's folder, where ``docker compose`` finds its file.
    A compose project is named ``dir:FOLDER`` for the file ``docker compose``
    finds in a folder (``compose.yaml``, ..., named with ``-f`` or not), else
    ``file:PATH`` (``-f other.yaml``).
    """
    if command.action == "wait":
        return Wait(step, command.waits)
    values = [word.value for word in command.words]
    unknown = command.unknown
    at = values.index(command.action) if command.action in values else len(values)
    if command.action == "compose":
        at = values.index("docker-compose") if "docker-compose" in values[:1] else at
        if values[:2] == ["sudo", "docker-compose"]:
            at = 1
        return _compose_event(values, unknown, at + 1, step, folder)
    options = _VALUE_OPTIONS.get(command.action)
    if options is None:
        return None
    targets: list[Target] = []
    force = False
    index = at + 1
    while index < len(values):
        value = values[index]
        if index in unknown:
            text = command.words[index].value
            targets.append(Target(None, every="docker" in text and " ps" in text))
        elif value.startswith("-") and value != "-":
            if value in options:
                index += 1
            elif (not value.startswith("--") and "f" in value[1:]) or value == "--force":
                force = True
        else:
            targets.append(Target(value))
        index += 1
    if command.action in ("stop", "kill"):
        return Stop(step, tuple(targets))
    if command.action == "rm":
        return Remove(step, tuple(targets), force)
    return Start(step, tuple(targets))


def _compose_event(
    values: list[str], unknown: frozenset[int], index: int, step: int, folder: str
) -> Event | None:
    files: list[str] = []
    while index < len(values) and values[index].startswith("-"):
        option, equals, value = values[index].partition("=")
        if option in _COMPOSE_VALUE_OPTIONS and not equals:
            value = values[index + 1] if index + 1 < len(values) else ""
            if index + 1 in unknown:
                return None
            index += 1
        if option in ("-f", "--file"):
            files.append(value)
        index += 1
    if index >= len(values) or index in unknown or values[index] not in _COMPOSE_VERBS:
        return None
    verb = values[index]
    rest = values[index + 1 :]
    detach = any(v in ("-d", "--detach", "--wait") or v.startswith("-d") for v in rest)
    if verb == "rm" and not any(v in ("-f", "--force", "-s", "--stop") for v in rest):
        return None
    verb = "down" if verb in ("rm", "kill") else verb
    path = os.path.normpath(os.path.join(folder, files[0])) if files else ""
    if files and os.path.basename(path) not in _DEFAULT_FILES:
        project = "file:" + path
    else:
        # The file ``docker compose`` finds in its folder: the same project
        # whether it is named with -f or found.
        where = os.path.dirname(path) if files else os.path.normpath(folder or ".")
        project = "dir:" + (where or ".")
    return Compose(step, project, verb, detach)
