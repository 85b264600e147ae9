"""A container as ``docker run`` arguments."""

from __future__ import annotations

import shlex

from portspec.model import Container

__all__ = ["to_docker_args", "to_docker_command"]


def to_docker_args(container: Container) -> list[str]:
    """The canonical ``docker run``/``docker create`` arguments for ``container``.

    Flags come in a fixed order (name, networks, published ports, publish-all,
    exposed ports, links), each value in its canonical form, then the image
    and its command. ``parse_docker_run(to_docker_args(c)) == c``.

    >>> to_docker_args(parse_docker_run("-p 8080:80 -P --link db:database nginx"))
    ['--publish', '8080:80', '--publish-all', '--link', 'db:database', 'nginx']
    """
    args: list[str] = []
    if container.name is not None:
        args += ["--name", container.name]
    for network in container.networks:
        args += ["--network", network]
    for mapping in container.publish:
        args += ["--publish", str(mapping)]
    if container.publish_all:
        args.append("--publish-all")
    for expose in container.expose:
        args += ["--expose", str(expose)]
    for link in container.links:
        args += ["--link", str(link)]
    if container.image is not None:
        image = container.image
        # An image that looks like a flag is only an image after "--"; so is
        # one named like the words a command line may start with.
        if image.startswith("-") or not image or (not args and image in ("sudo", "docker")):
            args.append("--")
        args.append(container.image)
        args += container.command
    return args


def to_docker_command(container: Container, *, subcommand: str = "run") -> str:
    """The same arguments as one shell-quoted ``docker run`` line.

    >>> to_docker_command(parse_docker_run(["-p", "8080:80", "nginx", "sh", "-c", "echo hi"]))
    "docker run --publish 8080:80 nginx sh -c 'echo hi'"
    """
    return shlex.join(["docker", subcommand, *to_docker_args(container)])
