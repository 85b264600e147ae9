"""``portspec convert``: one container description to another format.

Inputs are a ``docker run`` command line (after ``--``), or a file (``-`` for
stdin) holding a compose file, an Engine API body, docker SDK keyword
arguments, ``args`` output, or ``docker run`` lines. Outputs are docker
arguments, a ``docker run`` line, Engine API JSON, SDK keyword arguments, or
a compose document in short or long syntax.

>>> from portspec import parse_docker_run
>>> print(render([("web", parse_docker_run("-p 22:22 --name web sshd"))], "compose", True))
services:
  web:
    image: sshd
    ports:
    - '22:22'
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from portspec._escape import printable
from portspec.cli._common import (
    EXIT_FAULT,
    EXIT_OK,
    UsageError,
    add_debug_option,
    print_to,
    read_text,
)
from portspec.emit.compose import to_compose
from portspec.emit.docker_args import to_docker_args, to_docker_command
from portspec.emit.docker_sdk import to_docker_sdk
from portspec.emit.engine_api import to_engine_api
from portspec.errors import PortSpecError
from portspec.model import Container, Link
from portspec.sources.argv import parse_docker_run
from portspec.sources.compose import load_compose, override_of
from portspec.sources.docker_sdk import from_docker_sdk
from portspec.sources.engine_api import from_engine_api

__all__ = ["FORMATS", "SOURCES", "add_parser", "read_input", "render", "run"]

#: The output formats, as ``--to`` names them.
FORMATS = ("args", "command", "engine-api", "sdk", "compose", "compose-long")
#: The input kinds, as ``--from`` names them.
SOURCES = ("auto", "command", "compose", "engine-api", "sdk")

_SERVICES = re.compile(r"^services[ \t]*:", re.MULTILINE)
_ENGINE_KEYS = frozenset({"HostConfig", "ExposedPorts"})
# The keyword arguments from_docker_sdk reads (others are ignored by it).
_SDK_KEYS = frozenset(
    {"ports", "links", "network_mode", "network", "publish_all_ports", "name", "image", "command"}
)
_LOOKS_LIKE_PATH = re.compile(r"[/\\]|\.(?:ya?ml|json|txt|sh|bash|md|mk)\Z", re.IGNORECASE)

Named = list[tuple[str | None, Container]]

#: The most port entries ``--to compose-long`` writes (it writes one a port of a range).
MAX_LONG_PORTS = 10_000
#: The most bytes ``convert`` writes.
MAX_OUTPUT = 4 * 1024 * 1024


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``convert`` to the app's subcommands."""
    parser = commands.add_parser(
        "convert",
        help="convert containers between docker run, compose, Engine API and SDK forms",
        usage=(
            "%(prog)s --to FORMAT [--from KIND] [--no-override] [--debug] [INPUT]\n"
            "       %(prog)s --to FORMAT [--debug] -- DOCKER-RUN-ARGS..."
        ),
        description=(
            "Read containers from INPUT (a compose file, Engine API or docker SDK JSON,"
            " or docker run lines, one a line; '-' is stdin) or from a docker run command"
            " line after '--', and write them in another format. A bad value is reported"
            " on stderr with a caret under it, and the exit status is 1."
        ),
    )
    parser.add_argument(
        "--to",
        required=True,
        choices=FORMATS,
        metavar="FORMAT",
        help=f"one of {', '.join(FORMATS)}",
    )
    parser.add_argument(
        "--from",
        dest="source",
        choices=SOURCES,
        default="auto",
        metavar="KIND",
        help=f"what INPUT holds: one of {', '.join(SOURCES)} (auto: tell from its text)",
    )
    parser.add_argument(
        "words",
        nargs="*",
        metavar="INPUT | -- DOCKER-RUN-ARGS",
        help="a file to read ('-' for stdin), or after '--' a docker run command line",
    )
    parser.add_argument(
        "--no-override",
        action="store_true",
        help="read a compose.yaml alone, without the compose.override.yaml docker compose merges",
    )
    add_debug_option(parser)
    parser.set_defaults(handler=run, subparser=parser)


def run(args: argparse.Namespace) -> int:
    """Convert what ``args`` names; print the result, or errors with carets (exit 1)."""
    words: list[str] = list(args.words)
    if not words:
        raise UsageError("nothing to convert: give INPUT, '-' for stdin, or '-- DOCKER-RUN-ARGS'")
    try:
        if _is_input(words):
            keyed, containers = read_input(words[0], args.source, override=not args.no_override)
        else:
            if args.source not in ("auto", "command"):
                raise UsageError(f"--from {args.source} needs INPUT, a file or '-'")
            keyed, containers = False, [(None, parse_docker_run(words))]
        text = render(containers, args.to, keyed, warn=_warn)
    except PortSpecError as error:
        print_to(sys.stderr, f"error: {error}")
        return EXIT_FAULT
    print_to(sys.stdout, text)
    return EXIT_OK


def _is_input(words: Sequence[str]) -> bool:
    """Whether ``words`` name one file (or stdin) rather than a docker command line.

    argparse drops the ``--``, so one word is a file when it is ``-``, when it
    exists, or when it looks like a path (then reading it reports it missing).
    """
    if len(words) != 1:
        return False
    word = words[0]
    if word == "-":
        return True
    if word.startswith("-"):
        return False
    return os.path.isfile(word) or bool(_LOOKS_LIKE_PATH.search(word))


def _warn(message: str) -> None:
    print_to(sys.stderr, f"warning: {printable(message)}")


# ------------------------------------------------------------------ reading


def read_input(path: str, source: str = "auto", *, override: bool = True) -> tuple[bool, Named]:
    """The containers of a file (``-``: stdin), and whether they are keyed by name.

    ``keyed`` is true for a compose file and for a JSON object of named
    containers; their names are then the service names. A compose file is
    merged with the override file ``docker compose`` merges into it, unless
    ``override`` is false.
    """
    name, text = read_text(path)
    kind = source if source != "auto" else _detect(text)
    if kind == "compose":
        extra = override_of(Path(path)) if override and path != "-" else None
        files = [extra] if extra is not None else []
        project = load_compose(
            Path(path) if path != "-" else text, files=files, allow_outside=False
        )
        # external_links are links of the container, to containers outside the project.
        return True, [
            (name, _with_links(container, project.external_links.get(name, ())))
            for name, container in project.services.items()
        ]
    if kind in ("json", "engine-api", "sdk") or (kind == "command" and text.lstrip()[:1] in "[{"):
        try:
            data = json.loads(text)
        except ValueError as error:
            raise PortSpecError(f"{name}: not JSON: {error}") from None
        return _from_json(data, kind, name)
    return False, list(_command_lines(text, name))


def _with_links(container: Container, external: Sequence[Link]) -> Container:
    if not external:
        return container
    return dataclasses.replace(container, links=(*container.links, *external))


def _detect(text: str) -> str:
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        return "json"
    if _SERVICES.search(text):
        return "compose"
    return "command"


def _from_json(data: object, kind: str, name: str) -> tuple[bool, Named]:
    """One container or several named ones, from parsed JSON of ``kind`` (or ``json``: guess)."""
    if _is_one(data, kind):
        return False, [(None, _one_from_json(data, kind))]
    if isinstance(data, dict) and data:
        return True, [(str(key), _one_from_json(value, kind)) for key, value in data.items()]
    raise PortSpecError(
        f"{name}: expected an Engine API body, docker SDK keyword arguments,"
        " an argument list, or an object of these by container name"
    )


def _is_one(data: object, kind: str) -> bool:
    """Whether JSON ``data`` is one container, not an object of containers by name."""
    if isinstance(data, list):
        return True
    if not isinstance(data, dict):
        return False
    known = (
        _ENGINE_KEYS
        if kind == "engine-api"
        else _SDK_KEYS
        if kind == "sdk"
        else (_ENGINE_KEYS | _SDK_KEYS)
    )
    named = all(isinstance(value, (dict, list)) for value in data.values())
    return not data or bool(known & data.keys()) or not named


def _one_from_json(data: object, kind: str) -> Container:
    if isinstance(data, list):
        if all(isinstance(word, str) for word in data):
            return parse_docker_run(data)
        raise PortSpecError("an argument list holds only text")
    if not isinstance(data, dict):
        raise PortSpecError(f"expected a JSON object, not {type(data).__name__}")
    if kind == "engine-api" or (kind != "sdk" and _ENGINE_KEYS & data.keys()):
        return from_engine_api(data)
    return from_docker_sdk(data)


def _command_lines(text: str, name: str) -> Iterator[tuple[None, Container]]:
    """One container a ``docker run`` line; ``#`` comments, blank lines and ``\\`` joins."""
    pending: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            first = number
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        command, pending = " ".join(pending).strip(), []
        if command:
            yield None, _parse_line(command, f"{name}:{first}")
    if pending and " ".join(pending).strip():
        yield None, _parse_line(" ".join(pending).strip(), f"{name}:{first}")


def _parse_line(command: str, where: str) -> Container:
    try:
        return parse_docker_run(command)
    except PortSpecError as error:
        raise PortSpecError(
            f"{where}: {error.message}", error.text, error.span, prefix=error.prefix
        ) from None


# ------------------------------------------------------------------ writing


def render(
    containers: Named,
    target: str,
    keyed: bool,
    *,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The text of ``containers`` in format ``target``.

    Several containers, or ``keyed`` ones, are written by name: the service
    name, the container name, else ``app``, ``app-2``, ... . ``warn`` hears of
    what the format cannot hold and leaves out; what it refuses raises
    ``PortSpecError``, and so does output over :data:`MAX_OUTPUT` bytes.
    """
    text = _render(containers, target, keyed, warn)
    if len(text) > MAX_OUTPUT:
        raise PortSpecError(
            f"the {target} output would be {len(text)} characters, more than {MAX_OUTPUT}:"
            " not written"
        )
    return text


def _render(containers: Named, target: str, keyed: bool, warn: Callable[[str], None] | None) -> str:
    named = _names(containers)
    warn = warn or (lambda message: None)
    for label, container in named:
        for message in _losses(container, target):
            warn(f"{label}: {message}")
    if target == "command":
        return "\n".join(to_docker_command(container) for _, container in named)
    if target in ("compose", "compose-long"):
        long = target == "compose-long"
        known = {label for label, _ in named} | {c.name for _, c in named if c.name}
        services = {label: _service(label, c, long, known) for label, c in named}
        return _yaml_dump(
            {"services": services},
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
        ).rstrip("\n")
    emit: Callable[[Container], Any] = {
        "args": to_docker_args,
        "engine-api": to_engine_api,
        "sdk": _sdk,
    }[target]
    document: Any
    if len(named) == 1 and not keyed:
        document = emit(named[0][1])
    else:
        document = {label: _labelled(label, emit, c) for label, c in named}
    return json.dumps(document, indent=2)


def _labelled(label: str, emit: Callable[[Container], Any], container: Container) -> Any:
    try:
        return emit(container)
    except PortSpecError as error:
        raise PortSpecError(f"{label}: {error}") from None


def _sdk(container: Container) -> dict[str, Any]:
    """SDK keyword arguments as JSON can hold them: a tuple binding becomes the SDK's dict form."""
    kwargs = to_docker_sdk(container)
    ports = kwargs.get("ports")
    if ports:
        kwargs["ports"] = {
            key: [_sdk_binding(b) for b in value]
            if isinstance(value, list)
            else _sdk_binding(value)
            for key, value in ports.items()
        }
    if "links" in kwargs:
        kwargs["links"] = [list(pair) for pair in kwargs["links"]]
    return kwargs


def _sdk_binding(binding: object) -> object:
    # JSON reads a tuple back as a list, which the SDK takes for several bindings.
    if isinstance(binding, tuple):
        host_ip = binding[0]
        host_port = "" if len(binding) < 2 or binding[1] is None else str(binding[1])
        return {"HostIp": host_ip, "HostPort": host_port}
    return binding


def _names(containers: Named) -> list[tuple[str, Container]]:
    taken: set[str] = set()
    out: list[tuple[str, Container]] = []
    for given, container in containers:
        wanted = given or container.name or "app"
        label, number = wanted, 2
        while label in taken:
            label = f"{wanted}-{number}"
            number += 1
        taken.add(label)
        out.append((label, container))
    return out


def _losses(container: Container, target: str) -> Iterator[str]:
    """What ``target`` cannot say about ``container``, each to be left out."""
    if target in ("args", "command"):
        return
    if len(container.networks) > 1:
        rest = ", ".join(container.networks[1:])
        yield f"{target} names one network: {rest} left out"
    if target in ("compose", "compose-long") and container.publish_all:
        yield "Compose has no publish-all (-P): left out"


def _service(label: str, container: Container, long: bool, known: set[str]) -> dict[str, Any]:
    """The compose service of ``container``; a link outside ``known`` is an ``external_links``.

    Compose refuses ``links`` to a service the file does not define.
    """
    service: dict[str, Any] = {}
    if container.name is not None and container.name != label:
        service["container_name"] = container.name
    if container.image is not None:
        service["image"] = container.image
    if long:
        ports = sum(len(mapping.container) for mapping in container.publish)
        if ports > MAX_LONG_PORTS:
            raise PortSpecError(
                f"{label}: the long syntax would write {ports} port entries, one a port,"
                f" more than {MAX_LONG_PORTS}: use --to compose for the short syntax"
            )
    try:
        fragment = to_compose(container, long=long)
    except PortSpecError as error:
        raise PortSpecError(f"{label}: {error}") from None
    quoted = ("expose", "links") if long else ("ports", "expose", "links")
    for key, value in fragment.items():
        if key == "links":
            inside = [str(link) for link in container.links if link.name in known]
            outside = [str(link) for link in container.links if link.name not in known]
            if inside:
                service["links"] = [_Quoted(item) for item in inside]
            if outside:
                service["external_links"] = [_Quoted(item) for item in outside]
            continue
        service[key] = [_Quoted(item) for item in value] if key in quoted else value
    if container.command:
        service["command"] = list(container.command)
    # Compose interpolates every value: a literal $ is written $$.
    return {key: _dollars(value) for key, value in service.items()}


def _dollars(value: Any) -> Any:
    if isinstance(value, str) and "$" in value:
        escaped = value.replace("$", "$$")
        return _Quoted(escaped) if isinstance(value, _Quoted) else escaped
    if isinstance(value, list):
        return [_dollars(item) for item in value]
    if isinstance(value, dict):
        return {key: _dollars(item) for key, item in value.items()}
    return value


class _Quoted(str):
    """A string written in quotes, so no YAML 1.1 reader takes ``22:22`` for a number."""

    __slots__ = ()


def _yaml_dump(data: object, **options: Any) -> str:
    import yaml  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415 - light import

    return str(yaml.dump(data, Dumper=_dumper(), **options))


@functools.cache
def _dumper() -> Any:
    """PyYAML's safe dumper, writing strings as go-yaml (Compose's reader) reads them back.

    ``_Quoted`` strings are single-quoted; so is any string go-yaml would
    type as something else when plain (``08``, ``0o17``, ``1e3``, ``0x1F``),
    whatever YAML 1.1 says of it; a string with a character that is no
    printable text (U+0085, a control, a bidi mark) is double-quoted, where
    it is an escape.
    """
    import yaml  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415 - light import

    from portspec.sources._yaml import plain_type  # noqa: PLC0415

    def represent_str(dumper: Any, data: str) -> Any:
        text = str(data)
        style: str | None = "'" if isinstance(data, _Quoted) else None
        if style is None and text and plain_type(text) != "!!str":
            style = "'"
        if any(not ch.isprintable() and ch not in "\n" for ch in text):
            style = '"'
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    dumper: Any = type("_Dumper", (yaml.SafeDumper,), {})
    dumper.add_representer(_Quoted, represent_str)
    dumper.add_representer(str, represent_str)
    return dumper
