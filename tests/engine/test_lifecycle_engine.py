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

import subprocess
from dataclasses import dataclass

import pytest

from portspec.lint import lint_text
from portspec.sources.argv import read_command
from portspec.sources.scripts import Command, find_lifecycle
from tests.engine._daemon import IMAGE, LABEL, EngineDaemon
from tests.test_lifecycle import SCRIPTS

_NAME_IN_USE = "is already in use"
_PORT_TAKEN = ("port is already allocated", "address already in use")


@dataclass
class _Played:
    """One ``docker run``/``docker create`` of a script and what Docker made of it."""

    command: Command
    container: str | None = None  # the id Docker gave it
    outcome: str = "started"  # or "name" / "port": refused for its name or a port


def _refusal(message: str) -> str:
    if _NAME_IN_USE in message:
        return "name"
    if any(text in message for text in _PORT_TAKEN):
        return "port"
    raise AssertionError(f"refused for another reason: {message}")


def _run_argv(script: str, command: Command) -> list[str]:
    """The command's docker words, with the busybox image and a command that sleeps."""
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
    # KILL on stop: busybox as process 1 ignores TERM, and stop would wait its timeout.
    extra = ["--label", LABEL, "--stop-signal", "KILL"]
    return words[1:image_at] + extra + [IMAGE, "sleep", sleep]


def play(engine: EngineDaemon, script: str) -> list[_Played]:
    """Play the script's docker commands in order; what became of each run."""
    played: list[_Played] = []
    for command in find_lifecycle(script, "shell"):
        if command.action in ("run", "create"):
            entry = _Played(command)
            played.append(entry)
            done = engine.docker(*_run_argv(script, command), check=False, timeout=120.0)
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
        code = {"PS121": "name", "PS101": "port"}.get(finding.code)
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
    # one address of the host port, then all of them
    "docker run -d -p 127.0.0.1:8080:80 x\ndocker run -d -p 8080:80 y\n",
    "docker run -d -p 127.0.0.1:8080:80 x\ndocker run -d -p 127.0.0.2:8080:80 y\n",
]


@pytest.mark.parametrize("script", EXTRA)
def test_lint_predicts_what_docker_refuses_more(clean_engine: EngineDaemon, script: str) -> None:
    played = play(clean_engine, script)
    assert [entry.outcome for entry in played] == predicted(script, played)
