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
import random
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
    #: The same kind of inputs drawn from a seeded ``random.Random``, without
    #: hypothesis: fifty to a thousand times faster, for runs of millions.
    sample: Callable[[random.Random], Any] = lambda rng: ""


def _pieces(*words: str) -> st.SearchStrategy[str]:
    """Text made of ``words``, digits of any length and any characters, glued together."""
    numbers = st.integers(0, 6000).map(lambda n: "9" * n) | st.integers(0, 99999).map(str)
    piece = st.sampled_from(words) | numbers | st.text(max_size=4)
    return st.lists(piece, max_size=40).map("".join)


#: Characters a random piece is made of: printable ASCII, controls, and the
#: non-ASCII ones parsers trip on (NEL, LS, BOM, RTL override, a lone surrogate).
_CHARS = [chr(c) for c in range(32, 127)] + list(
    "\x00\x01\t\n\r\x1b\x7f\x85\u2028\ufeff\u202e\ud800é"
)


def _sample_pieces(*words: str) -> Callable[[random.Random], str]:
    """What ``_pieces(*words)`` draws, from a seeded ``random.Random``."""

    def sample(rng: random.Random) -> str:
        out: list[str] = []
        for _ in range(rng.randint(0, 40)):
            roll = rng.random()
            if roll < 0.55:
                out.append(rng.choice(words))
            elif roll < 0.75:
                out.append(str(rng.randint(0, 99999)))
            elif roll < 0.76:
                out.append("9" * rng.randint(0, 6000))
            else:
                out.append("".join(rng.choice(_CHARS) for _ in range(rng.randint(0, 4))))
        return "".join(out)

    return sample


def _sample_json(rng: random.Random, depth: int = 0, *, huge: bool = True) -> Any:
    """A JSON-like value: what ``_engine_shaped`` draws, from a seeded ``random.Random``."""
    roll = rng.random()
    if depth > 4 or roll < 0.45:
        leaf = rng.random()
        if leaf < 0.15:
            return None
        if leaf < 0.25:
            return rng.random() < 0.5
        if leaf < 0.45:
            return rng.choice([0, -1, 80, 65535, 65536, 2**64, rng.randint(-(2**70), 2**70)])
        if leaf < 0.5:
            return 10 ** rng.randint(4300, 6000) if huge else rng.randint(4300, 6000)
        if leaf < 0.55:
            return rng.uniform(-1e6, 1e6)
        return _sample_pieces(*_PORT_WORDS)(rng)
    if roll < 0.7:
        return [_sample_json(rng, depth + 1, huge=huge) for _ in range(rng.randint(0, 4))]
    keys = [*_KEYS, "80/tcp", "9" * 5000 + "/tcp"]
    return {
        (rng.choice(keys) if rng.random() < 0.8 else _sample_pieces(*_PORT_WORDS)(rng)): (
            _sample_json(rng, depth + 1, huge=huge)
        )
        for _ in range(rng.randint(0, 5))
    }


def _sample_inspect(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        n = rng.randint(0, 3000)
        return "[" * n + "]" * n
    if roll < 0.7:
        return json.dumps(_sample_json(rng, huge=False))
    return _sample_pieces("[", "]", "{", "}", '"', ":", ",")(rng)


def _sample_encoded(sample: Callable[[random.Random], str]) -> Callable[[random.Random], bytes]:
    def encoded(rng: random.Random) -> bytes:
        text = sample(rng)
        encoding, bom = rng.choice(
            [
                ("utf-8", b""),
                ("utf-8", b"\xef\xbb\xbf"),
                ("utf-16-le", b"\xff\xfe"),
                ("utf-16-be", b"\xfe\xff"),
            ]
        )
        return bom + text.encode(encoding, "surrogatepass")

    return encoded


def _sample_bytes(rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return rng.randbytes(rng.randint(0, 60))
    return _sample_pieces(*_ENV_WORDS)(rng).encode("utf-8", "replace")


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
_YAML_SAMPLE = _sample_pieces(*_YAML_WORDS)
_OBJECTS = (PortSpecError, TypeError)


def _argv(rng: random.Random) -> list[str]:
    return [_sample_pieces(*_SHELL_WORDS)(rng) for _ in range(rng.randint(0, 12))]


def _with(*words: str) -> tuple[st.SearchStrategy[str], Callable[[random.Random], str]]:
    return _pieces(*words), _sample_pieces(*words)


def _target(
    name: str,
    inputs: tuple[st.SearchStrategy[Any], Callable[[random.Random], Any]],
    run: Callable[[Any], object],
    allowed: tuple[type[BaseException], ...] = (PortSpecError,),
) -> Target:
    return Target(name, inputs[0], run, allowed, inputs[1])


def _compose_publish(text: str) -> object:
    return portspec.parse_publish(text, dialect="compose")


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        _target("parse_publish", _with(*_PORT_WORDS), portspec.parse_publish),
        _target("parse_publish(compose)", _with(*_PORT_WORDS, "${", "}"), _compose_publish),
        _target("parse_expose", _with(*_PORT_WORDS), portspec.parse_expose),
        _target("parse_link", _with(":", "/", "a", "-", "_", "."), portspec.parse_link),
        _target(
            "parse_docker_run",
            (st.lists(_pieces(*_SHELL_WORDS), max_size=12), _argv),
            lambda argv: portspec.parse_docker_run(["docker", "run", *argv]),
        ),
        _target("parse_ps_ports", _with(*_PORT_WORDS, "->", ", "), portspec.parse_ps_ports),
        _target(
            "parse_docker_ps", _with(*_PORT_WORDS, "->", ", ", "\t", "\n"), portspec.parse_docker_ps
        ),
        _target("parse_docker_port", _with(*_PORT_WORDS, " -> ", "\n"), portspec.parse_docker_port),
        _target(
            "parse_docker_inspect",
            (_inspect_text(), _sample_inspect),
            portspec.parse_docker_inspect,
        ),
        _target(
            "parse_docker_inspect(objects)",
            (_engine_shaped(), _sample_json),
            portspec.parse_docker_inspect,
            _OBJECTS,
        ),
        _target(
            "from_engine_api", (_engine_shaped(), _sample_json), portspec.from_engine_api, _OBJECTS
        ),
        _target(
            "from_docker_sdk", (_engine_shaped(), _sample_json), portspec.from_docker_sdk, _OBJECTS
        ),
        _target("load_compose", (_YAML_TEXT, _YAML_SAMPLE), _compose),
        _target(
            "load_yaml(bytes)",
            (_YAML_TEXT.flatmap(_encoded), _sample_encoded(_YAML_SAMPLE)),
            _compose_bytes,
        ),
        _target(
            "interpolate",
            _with(*_ENV_WORDS),
            lambda text: interpolate(text, {"A": "1", "E": ""}),
        ),
        _target("parse_dotenv", _with(*_ENV_WORDS), parse_dotenv),
        _target(
            "parse_dotenv(bytes)",
            (
                st.binary(max_size=60)
                | _pieces(*_ENV_WORDS).map(lambda t: t.encode("utf-8", "replace")),
                _sample_bytes,
            ),
            parse_dotenv,
        ),
        _target("lint_text(compose)", (_YAML_TEXT, _YAML_SAMPLE), _lint("compose")),
        _target("lint_text(shell)", _with(*_SHELL_WORDS), _lint("shell")),
        _target("lint_text(makefile)", _with(*_MAKE_WORDS), _lint("makefile")),
        _target("lint_text(markdown)", _with(*_MD_WORDS), _lint("markdown")),
        _target("lint_text(dockerfile)", _with(*_DOCKERFILE_WORDS), _lint("dockerfile")),
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
