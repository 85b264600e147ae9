"""One fuzz target a public entry point: any input gives a value or a ``PortSpecError``.

Each target is a strategy of inputs and a function that feeds one to the
entry point. The strategies mix random text with the pieces each format is
made of (``${``, ``\\'``, ``-p``, brackets, digits of every length, byte order
marks), so that hypothesis reaches the parsers' corners quickly. A crash
found by ``python -m tests.fuzz`` goes into ``REGRESSIONS``, which the test
suite replays.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

import portspec
from portspec import PortSpecError
from portspec.lint.engine import lint_text
from portspec.sources._interpolate import interpolate, parse_dotenv
from portspec.sources._yaml import load_yaml_documents

__all__ = ["REGRESSIONS", "TARGETS", "Target"]


@dataclass(frozen=True)
class Target:
    """An entry point, the inputs to try on it, and the errors it may raise."""

    name: str
    inputs: st.SearchStrategy[Any]
    run: Callable[[Any], object]
    #: Besides PortSpecError: TypeError for a value of the wrong type.
    allowed: tuple[type[BaseException], ...] = (PortSpecError,)


def _pieces(*words: str) -> st.SearchStrategy[str]:
    """Text made of ``words``, digits of any length and any characters, glued together."""
    numbers = st.integers(0, 6000).map(lambda n: "9" * n) | st.integers(0, 99999).map(str)
    piece = st.sampled_from(words) | numbers | st.text(max_size=4)
    return st.lists(piece, max_size=40).map("".join)


_PORT_WORDS: tuple[str, ...] = (
    ":",
    "-",
    "/",
    "tcp",
    "udp",
    "sctp",
    "[",
    "]",
    "::",
    "0.0.0.0",
    "127.0.0.1",
)
_PORT_WORDS += ("[::1]", "80", "8080", "65535", "65536", "0", " ", "/TCP", ".", "%eth0")
_YAML_WORDS: tuple[str, ...] = (
    "\n",
    "  ",
    "- ",
    ": ",
    '"',
    "'",
    "\\'",
    "\\",
    "#",
    "[",
    "]",
    "{",
    "}",
    ",",
)
_YAML_WORDS += ("|", ">", "&a ", "*a", "<<: ", "!!str ", "!reset ", "services:", "ports:")
_YAML_WORDS += ("web:", "image: x", "target: ", "published: ", "${", "$", "}", ":-", "\t")
_YAML_WORDS += ("expose:", "links:", "extends:", "profiles:", "network_mode: ", "0x", "0o")
_ENV_WORDS: tuple[str, ...] = (
    "\n",
    "=",
    "export ",
    "#",
    " ",
    '"',
    "'",
    "\\",
    "${",
    "$",
    "}",
    ":-",
    ":?",
)
_ENV_WORDS += ("A", "B", "_", "\r\n", "\\n", "\\0", ":+", "?", "-", "\ufeff")
_SHELL_WORDS: tuple[str, ...] = (
    "docker run ",
    "docker ",
    "run ",
    "-p ",
    "--publish ",
    "--expose ",
    "-P ",
)
_SHELL_WORDS += ("--link ", "--network ", "80:80", "\\\n", "'", '"', "$'", "\n", " ", "-d ")
_SHELL_WORDS += ("--name ", "x", "a:", ":", "::", "\t", "${", "$(", ")", "&&", ";", "|", "#")
_MAKE_WORDS = (*_SHELL_WORDS, "\t", "a:", ":::", "=", ".PHONY", "$$", "%:", "\\")
_MD_WORDS = (*_SHELL_WORDS, "```", "```sh\n", "```yaml\n", "```\n", "<!--", "-->")
_DOCKERFILE_WORDS = ("EXPOSE ", "FROM x\n", "\n", "80", "/udp", "${", "}", "ARG ", "\\\n")


def _json_values(*, huge: bool = True) -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.sampled_from([-1, 65536, 2**64])
        | st.integers(4300, 6000).map(lambda n: 10**n if huge else n)
        | _pieces(*_PORT_WORDS)
        | st.floats(allow_nan=False)
    )
    keys = _pieces(*_PORT_WORDS) | st.sampled_from(["HostIp", "HostPort", "80/tcp", "Name"])

    def nest(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)

    return st.recursive(scalars, nest, max_leaves=20)


_KEYS: tuple[str, ...] = (
    "Name",
    "HostConfig",
    "NetworkSettings",
    "Config",
    "Ports",
    "PortBindings",
)
_KEYS += ("ExposedPorts", "PublishAllPorts", "Links", "NetworkMode", "HostIp", "HostPort")
_KEYS += ("ports", "links", "publish_all_ports", "network_mode", "expose")


def _engine_shaped(*, huge: bool = True) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(_KEYS) | _pieces(*_PORT_WORDS)

    def nest(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.dictionaries(keys, inner, max_size=5) | st.lists(inner, max_size=3)

    return st.recursive(_json_values(huge=huge), nest, max_leaves=25)


def _inspect_text() -> st.SearchStrategy[str]:
    deep = st.integers(0, 3000).map(lambda n: "[" * n + "]" * n)
    return (
        deep
        | _engine_shaped(huge=False).map(json.dumps)
        | _pieces("[", "]", "{", "}", '"', ":", ",")
    )


def _compose(text: str) -> object:
    return portspec.load_compose(text, env={"A": "1", "E": ""})


def _compose_bytes(data: bytes) -> object:
    return load_yaml_documents(data)


def _lint(kind: str) -> Callable[[str], object]:
    def run(text: str) -> object:
        return lint_text(text, path=f"fuzz.{kind}", kind=kind, env={})  # type: ignore[arg-type]

    return run


def _encoded(text: str) -> st.SearchStrategy[bytes]:
    return st.sampled_from(
        [
            text.encode("utf-8", "surrogatepass"),
            b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass"),
            b"\xff\xfe" + text.encode("utf-16-le", "surrogatepass"),
            b"\xfe\xff" + text.encode("utf-16-be", "surrogatepass"),
        ]
    )


_YAML_TEXT = _pieces(*_YAML_WORDS)
TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("parse_publish", _pieces(*_PORT_WORDS), portspec.parse_publish),
        Target(
            "parse_publish(compose)",
            _pieces(*_PORT_WORDS, "${", "}"),
            lambda text: portspec.parse_publish(text, dialect="compose"),
        ),
        Target("parse_expose", _pieces(*_PORT_WORDS), portspec.parse_expose),
        Target("parse_link", _pieces(":", "/", "a", "-", "_", "."), portspec.parse_link),
        Target(
            "parse_docker_run",
            st.lists(_pieces(*_SHELL_WORDS), max_size=12),
            lambda argv: portspec.parse_docker_run(["docker", "run", *argv]),
        ),
        Target("parse_ps_ports", _pieces(*_PORT_WORDS, "->", ", "), portspec.parse_ps_ports),
        Target(
            "parse_docker_ps",
            _pieces(*_PORT_WORDS, "->", ", ", "\t", "\n"),
            portspec.parse_docker_ps,
        ),
        Target(
            "parse_docker_port", _pieces(*_PORT_WORDS, " -> ", "\n"), portspec.parse_docker_port
        ),
        Target("parse_docker_inspect", _inspect_text(), portspec.parse_docker_inspect),
        Target(
            "parse_docker_inspect(objects)",
            _engine_shaped(),
            portspec.parse_docker_inspect,
            (PortSpecError, TypeError),
        ),
        Target(
            "from_engine_api",
            _engine_shaped(),
            portspec.from_engine_api,
            (PortSpecError, TypeError),
        ),
        Target(
            "from_docker_sdk",
            _engine_shaped(),
            portspec.from_docker_sdk,
            (PortSpecError, TypeError),
        ),
        Target("load_compose", _YAML_TEXT, _compose),
        Target("load_yaml(bytes)", _YAML_TEXT.flatmap(_encoded), _compose_bytes),
        Target(
            "interpolate",
            _pieces(*_ENV_WORDS),
            lambda text: interpolate(text, {"A": "1", "E": ""}),
        ),
        Target("parse_dotenv", _pieces(*_ENV_WORDS), parse_dotenv),
        Target(
            "parse_dotenv(bytes)",
            st.binary(max_size=60)
            | _pieces(*_ENV_WORDS).map(lambda t: t.encode("utf-8", "replace")),
            parse_dotenv,
        ),
        Target("lint_text(compose)", _YAML_TEXT, _lint("compose")),
        Target("lint_text(shell)", _pieces(*_SHELL_WORDS), _lint("shell")),
        Target("lint_text(makefile)", _pieces(*_MAKE_WORDS), _lint("makefile")),
        Target("lint_text(markdown)", _pieces(*_MD_WORDS), _lint("markdown")),
        Target("lint_text(dockerfile)", _pieces(*_DOCKERFILE_WORDS), _lint("dockerfile")),
    )
}

#: (target, input) of every crash the fuzzer has found, replayed by the tests.
REGRESSIONS: list[tuple[str, Any]] = [
    ("parse_ps_ports", "0.0.0.0:" + "9" * 5000 + "->80/tcp"),
    ("parse_docker_port", "80/tcp -> 0.0.0.0:" + "9" * 5000),
    ("from_engine_api", {"ExposedPorts": {"9" * 5000 + "/tcp": {}}}),
    ("parse_docker_inspect", "[" * 995 + "]" * 995),
    ("interpolate", "${A:-" * 331 + "}" * 331),
    ("parse_dotenv", 'A="' + "${A:-" * 331 + "}" * 331 + '"'),
    ("load_compose", "services:\n  w:\n    image: x\n    ports:\n      - target: " + "9" * 5000),
    ("parse_dotenv(bytes)", b"A\xe9=1\n"),
]


def check(target: Target, value: Any) -> None:
    """Feed ``value`` to ``target``: anything but the errors it may raise is a failure."""
    with contextlib.suppress(*target.allowed):
        target.run(value)
