"""load_compose and to_compose: tables of compose text and the values Compose gives them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from portspec._parse import parse_expose, parse_link, parse_publish
from portspec.emit.compose import to_compose
from portspec.errors import PortSpecError
from portspec.model import Container
from portspec.sources.compose import (
    UNSET_VARIABLE,
    ComposeError,
    iter_compose_problems,
    load_compose,
)


def _svc(body: str) -> str:
    return f"services:\n  db:\n    image: x\n  s:\n    {body}\n"


VALID: list[tuple[str, list[str], list[str], list[str], tuple[str, ...]]] = [
    ("ports: ['80', 8080:80, 81]", ["80", "8080:80", "81"], [], [], ()),
    ("ports: [0x50]", ["80"], [], [], ()),
    ("ports: ['127.0.0.1:9000-9001:90-91/udp']", ["127.0.0.1:9000-9001:90-91/udp"], [], [], ()),
    ("ports: [{target: 80, published: '8000-8010'}]", ["8000-8010:80"], [], [], ()),
    ("ports: [{target: 80, published: 8080, host_ip: '::1'}]", ["[::1]:8080:80"], [], [], ()),
    ("ports: ['80', '80', {target: 80}]", ["80"], [], [], ()),
    ("expose: ['80', 81, '82-83/udp', '80']", [], ["80", "81", "82-83/udp"], [], ()),
    ("links: [db, 'db:database', db]", [], [], ["db", "db:database"], ()),
    ("network_mode: host", [], [], [], ("host",)),
    ("network_mode: 'service:db'", [], [], [], ("service:db",)),
]


@pytest.mark.parametrize(
    ("body", "ports", "expose", "links", "networks"), VALID, ids=[v[0] for v in VALID]
)
def test_valid(
    body: str, ports: list[str], expose: list[str], links: list[str], networks: tuple[str, ...]
) -> None:
    service = load_compose(_svc(body), env={}).services["s"]
    assert service.publish == tuple(parse_publish(p, dialect="compose") for p in ports)
    assert service.expose == tuple(parse_expose(e) for e in expose)
    assert service.links == tuple(parse_link(link) for link in links)
    assert service.networks == networks


# A fault inside a quoted value is placed on the value, past the quote.
INVALID = [
    ("ports: ['abc']", "invalid container port 'abc'", (5, 14)),
    ("ports: ['0']", "Compose needs a target port", (5, 14)),
    ("ports: ['1.2.3.999:80:80']", "invalid host address '1.2.3.999'", (5, 14)),
    ("ports: [80:80/tcpx]", "invalid protocol 'tcpx'", (5, 19)),
    ("ports: [{target: 80, x: 1}]", "additional properties 'x' not allowed", (5, 13)),
    ("ports: [{target: 80, host_ip: abc}]", "invalid ip address: abc", (5, 13)),
    ("ports: [80.5]", "invalid type float64", (5, 13)),
    ("links: [nope]", 'depends on undefined service "nope"', (5, 13)),
    ("network_mode: 'service:nope'", 'undefined service "nope"', (5, 19)),
    ("ports: ['${P:?need P}:80']", "required variable P is missing a value: need P", (5, 13)),
]


@pytest.mark.parametrize(("body", "message", "where"), INVALID, ids=[v[0] for v in INVALID])
def test_invalid(body: str, message: str, where: tuple[int, int]) -> None:
    with pytest.raises(ComposeError) as caught:
        load_compose(_svc(body), env={})
    assert isinstance(caught.value, PortSpecError)
    (problem,) = caught.value.problems
    assert message in problem.message
    assert (problem.span.line, problem.span.column) == where


def test_every_problem_is_listed() -> None:
    text = _svc("ports: ['abc', '99999:80']\n    links: [nope]")
    problems = list(iter_compose_problems(text, env={}))
    assert [(p.span.line, p.severity) for p in problems] == [
        (5, "error"),
        (5, "error"),
        (6, "error"),
    ]


def test_interpolation_and_unset_warning() -> None:
    project = load_compose(_svc("ports: ['${HOST_PORT:-8080}:80', '${IP}${P}81']"), env={"P": ""})
    assert project.services["s"].publish == (parse_publish("8080:80"), parse_publish("81"))
    (warning,) = project.problems
    assert warning.code == UNSET_VARIABLE
    assert "IP" in warning.message
    assert (warning.span.line, warning.span.column) == (5, 38)


def test_dotenv_and_environment(tmp_path: Path) -> None:
    folder = tmp_path / "My.App"
    folder.mkdir()
    (folder / ".env").write_text("A=1111\nB=2222\n")
    compose = folder / "compose.yaml"
    compose.write_text("services:\n  s:\n    image: x\n    ports: ['${A}:80', '${B}:81']\n")
    project = load_compose(compose, env={"A": "3333"})
    assert project.name == "myapp"
    assert [str(m) for m in project.services["s"].publish] == ["3333:80", "2222:81"]
    assert project.locations[("s", "ports", 1)].path == str(compose)


def test_override_files(tmp_path: Path) -> None:
    base = tmp_path / "compose.yaml"
    body = "image: x\n    ports: ['80', '8080:80']\n    expose: ['1']\n    links: [db]"
    base.write_text(_svc(body))
    override = tmp_path / "override.yaml"
    override.write_text(
        "services:\n  s:\n    ports: ['8080:80', '81']\n    expose: !override ['5']\n"
        "    links: !reset []\n    network_mode: host\n"
    )
    service = load_compose(base, env={}, files=[override]).services["s"]
    assert [str(m) for m in service.publish] == ["80", "8080:80", "81"]
    assert [str(e) for e in service.expose] == ["5"]
    assert service.links == ()
    assert service.networks == ("host",)


def test_extends_same_file() -> None:
    text = (
        "services:\n  base:\n    ports: ['80']\n  s:\n    extends: base\n    ports: ['81', '80']\n"
    )
    assert [str(m) for m in load_compose(text, env={}).services["s"].publish] == ["80", "81"]


def test_services_sorted_by_name() -> None:
    assert list(load_compose("services:\n  b: {}\n  a: {}\n", env={}).services) == ["a", "b"]


ROUND_TRIP = [
    "80",
    "8080:80",
    "127.0.0.1::80/udp",
    "[::1]:7000:70",
    "8000-8010:80",
    "9000-9001:90-91",
]


@pytest.mark.parametrize("long", [False, True])
def test_round_trip(long: bool) -> None:
    container = Container(
        name="s",
        publish=tuple(parse_publish(p) for p in ROUND_TRIP),
        expose=(parse_expose("82-83/udp"),),
        links=(parse_link("db:database"),),
        networks=("bridge",),
    )
    fragment = to_compose(container, long=long)
    text = yaml.safe_dump({"services": {"s": fragment, "db": {"image": "x"}}})
    back = load_compose(text, env={}).services["s"]
    expected = tuple(m for p in container.publish for m in (p.expand() if long else (p,)))
    assert back.publish == expected
    assert (back.expose, back.links, back.networks) == (
        container.expose,
        container.links,
        container.networks,
    )


def test_long_syntax_matches_compose_config() -> None:
    container = load_compose(
        _svc("ports: [{target: 80, published: 8080, mode: host, name: w}]"), env={}
    )
    assert to_compose(container.services["s"], long=True)["ports"] == [
        {"name": "w", "mode": "host", "target": 80, "published": "8080", "protocol": "tcp"}
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_an_empty_file_is_refused_as_compose_refuses_it(text: str) -> None:
    with pytest.raises(ComposeError) as info:
        load_compose(text, env={})
    assert [problem.message for problem in info.value.problems] == ["empty compose file"]


@pytest.mark.parametrize(
    ("entry", "text", "long"),
    [
        ("'8080:80'", "8080:80", False),
        ('"8080:80"', "8080:80", False),
        ("8080:80", "8080:80", False),
        ("80", "80", False),
        ("0x50", "0x50", False),
        ('"80\\x3a80"', "", False),
        ("'${P:-8080}:80'", "", False),
        ("!!str 8080:80", "", False),
        ("{target: 80, published: 8080}", "", True),
    ],
)
def test_entries_are_located_as_typed(entry: str, text: str, long: bool) -> None:
    source = f"services:\n  web:\n    image: x\n    ports:\n      - {entry}\n      - 9090:90\n"
    project = load_compose(source, env={})
    first, second = project.entries["web"]["ports"]
    assert (first.value, second.value) == project.services["web"].publish
    assert (first.text, first.long) == (text, long)
    assert first.span == project.locations[("web", "ports", 0)]
    assert source[first.span.start : first.span.end] == entry
    assert (second.text, second.span.line, second.span.column) == ("9090:90", 6, 9)


def test_entries_follow_the_final_lists() -> None:
    source = (
        "services:\n  web:\n    image: x\n    expose: ['80', 80, '443']\n"
        "    links: [db]\n    external_links: ['cache:c']\n  db: {image: y}\n"
    )
    project = load_compose(source, env={})
    web = project.entries["web"]
    assert [e.value for e in web["expose"]] == list(project.services["web"].expose)
    assert [e.value for e in web["links"]] == list(project.services["web"].links)
    assert [e.value for e in web["external_links"]] == list(project.external_links["web"])
    assert project.entries["db"]["ports"] == ()
