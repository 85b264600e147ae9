"""A container as ``docker run`` arguments."""

from __future__ import annotations

import shlex

from portspec.model import Container, _run_arguments

__all__ = ["to_docker_args", "to_docker_command"]


def to_docker_args(container: Container) -> list[str]:
    """The canonical ``docker run``/``docker create`` arguments for ``container``.

    Flags come in a fixed order (name, networks, published ports, publish-all,
    exposed ports, links), each value in its canonical form, then the image
    and its command. ``parse_docker_run(to_docker_args(c)) == c``.

    >>> to_docker_args(parse_docker_run("-p 8080:80 -P --link db:database nginx"))
    ['--publish', '8080:80', '--publish-all', '--link', 'db:database', 'nginx']
    """
    return _run_arguments(container)


def to_docker_command(container: Container, *, subcommand: str = "run") -> str:
    """The same arguments as one shell-quoted ``docker run`` line.

    >>> to_docker_command(parse_docker_run(["-p", "8080:80", "nginx", "sh", "-c", "echo hi"]))
    "docker run --publish 8080:80 nginx sh -c 'echo hi'"
    """
    return shlex.join(["docker", subcommand, *to_docker_args(container)])
