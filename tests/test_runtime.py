"""docker ps, docker port and docker inspect output read back into containers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portspec import Container, Expose, Link, PortSpecError, parse_docker_run, parse_publish
from portspec.checks.conflicts import find_conflicts
from portspec.sources.runtime import (
    parse_docker_inspect,
    parse_docker_port,
    parse_docker_ps,
    parse_ps_ports,
)

PS_VALID: list[tuple[str, list[str], list[str]]] = [
    ("", [], []),
    ("0.0.0.0:8080->80/tcp", ["0.0.0.0:8080:80"], []),
    ("0.0.0.0:8080->80/tcp, [::]:8080->80/tcp", ["0.0.0.0:8080:80", "[::]:8080:80"], []),
    (":::8080->80/tcp", ["[::]:8080:80"], []),
    ("443/tcp", [], ["443"]),
    ("7000-7002/udp", [], ["7000-7002/udp"]),
    ("0.0.0.0:8000-8010->8000-8010/tcp", ["0.0.0.0:8000-8010:8000-8010"], []),
    ("127.0.0.1:5353->53/udp, 9000/sctp", ["127.0.0.1:5353:53/udp"], ["9000/sctp"]),
    ("[::1]:32768->80/tcp", ["[::1]:32768:80"], []),
]


@pytest.mark.parametrize(("text", "publish", "expose"), PS_VALID, ids=[t for t, _, _ in PS_VALID])
def test_ps_ports(text: str, publish: list[str], expose: list[str]) -> None:
    container = parse_ps_ports(text)
    assert [str(mapping) for mapping in container.publish] == publish
    assert [str(value) for value in container.expose] == expose


PS_INVALID: list[tuple[str, str, str]] = [
    ("8080", "expected a port", "8080"),
    ("0.0.0.0:8080->80", "expected a port", "0.0.0.0:8080->80"),
    ("80/tcp,, 81/tcp", "empty entry", ","),
    ("1.2.3.999:80->80/tcp", "invalid host address '1.2.3.999'", "1.2.3.999:80->80/tcp"),
    ("0.0.0.0:80->80/icmp", "invalid protocol 'icmp'", "0.0.0.0:80->80/icmp"),
    ("0.0.0.0:70000->80/tcp", "invalid port 70000", "0.0.0.0:70000->80/tcp"),
    ("0.0.0.0:81-82->80-82/tcp", "must be the same length", "0.0.0.0:81-82->80-82/tcp"),
]


@pytest.mark.parametrize(
    ("text", "message", "fault"), PS_INVALID, ids=[t for t, _, _ in PS_INVALID]
)
def test_ps_ports_invalid(text: str, message: str, fault: str) -> None:
    with pytest.raises(PortSpecError, match=message) as caught:
        parse_ps_ports(text)
    assert caught.value.span is not None
    start, end = caught.value.span
    assert text[start:end] == fault


def test_ps_lines_with_and_without_names() -> None:
    output = "web\t0.0.0.0:80->80/tcp\ndb\t5432/tcp\n\n"
    assert parse_docker_ps(output) == [
        Container(name="web", publish=(parse_publish("0.0.0.0:80:80"),)),
        Container(name="db", expose=(Expose(parse_publish("5432").container),)),
    ]
    assert [c.name for c in parse_docker_ps("0.0.0.0:80->80/tcp\n443/tcp")] == ["1", "2"]


def test_ps_error_names_the_line() -> None:
    with pytest.raises(PortSpecError, match="line 2: expected a port"):
        parse_docker_ps("web\t80/tcp\ndb\tnonsense")


def test_docker_port() -> None:
    output = "80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n53/udp -> 127.0.0.1:5353\n"
    container = parse_docker_port(output, name="web")
    assert container.name == "web"
    assert [str(m) for m in container.publish] == [
        "0.0.0.0:8080:80",
        "[::]:8080:80",
        "127.0.0.1:5353:53/udp",
    ]
    assert parse_docker_port("80/tcp -> :::8080").publish == (parse_publish("[::]:8080:80"),)


@pytest.mark.parametrize(
    "text", ["80/tcp 0.0.0.0:8080", "80/tcp -> 0.0.0.0", "80/icmp -> 0.0.0.0:1", "0.0.0.0:8080"]
)
def test_docker_port_invalid(text: str) -> None:
    with pytest.raises(PortSpecError):
        parse_docker_port(text)


def inspect(**parts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Name": "/web",
        "Config": {"ExposedPorts": {"80/tcp": {}, "443/tcp": {}}},
        "HostConfig": {
            "NetworkMode": "bridge",
            "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": ""}]},
            "PublishAllPorts": False,
            "Links": ["/db:/web/database"],
        },
        "NetworkSettings": {
            "Ports": {
                "80/tcp": [
                    {"HostIp": "0.0.0.0", "HostPort": "32768"},
                    {"HostIp": "::", "HostPort": "32768"},
                ],
                "443/tcp": None,
            }
        },
    }
    base.update(parts)
    return base


def test_inspect_actual_bindings() -> None:
    [container] = parse_docker_inspect(json.dumps([inspect()]))
    assert container.name == "web"
    assert [str(m) for m in container.publish] == ["0.0.0.0:32768:80", "[::]:32768:80"]
    assert [str(e) for e in container.expose] == ["443"]
    assert container.links == (Link("db", "database"),)
    assert container.networks == ("bridge",)


def test_inspect_requested_bindings() -> None:
    [container] = parse_docker_inspect(inspect(), bindings="requested")
    assert [str(m) for m in container.publish] == ["80"]
    assert [str(e) for e in container.expose] == ["443"]


def test_inspect_stopped_container_binds_nothing() -> None:
    [container] = parse_docker_inspect([inspect(NetworkSettings={"Ports": {}})])
    assert container.publish == ()
    assert [str(e) for e in container.expose] == ["80", "443"]


def test_inspect_default_network() -> None:
    host_config = {"NetworkMode": "default", "Links": None, "PortBindings": None}
    [container] = parse_docker_inspect([inspect(HostConfig=host_config)])
    assert container.networks == ()
    assert container.links == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("[{", "invalid JSON"),
        ("42", "expected a list of containers"),
        ([42], r"\[0\]: expected a container object"),
        ([inspect(Name=3)], r"\[0\]\.Name"),
        ([inspect(HostConfig=[])], r"\[0\]\.HostConfig: expected an object"),
        ([inspect(NetworkSettings={"Ports": {"80/tcp": "x"}})], "expected a list of bindings"),
        ([inspect(NetworkSettings={"Ports": {"x/tcp": None}})], "invalid port key"),
        (
            [inspect(NetworkSettings={"Ports": {"80/tcp": [{"HostIp": "nope", "HostPort": "1"}]}})],
            "invalid host IP",
        ),
        ([inspect(HostConfig={"Links": "db"})], "expected a list"),
        ([inspect(HostConfig={"Links": [""]})], "a link is text"),
    ],
)
def test_inspect_invalid(data: Any, message: str) -> None:
    with pytest.raises(PortSpecError, match=message):
        parse_docker_inspect(data)


def test_inspect_bindings_choice_is_checked() -> None:
    with pytest.raises(PortSpecError):
        parse_docker_inspect([], bindings="both")  # type: ignore[arg-type]


def test_running_containers_checked_against_a_planned_one() -> None:
    running = parse_docker_ps("web\t0.0.0.0:8080->80/tcp, [::]:8080->80/tcp\n")
    planned = parse_docker_run("--name api -p 127.0.0.1:8080:3000")
    [conflict] = find_conflicts([*running, planned])
    assert (conflict.code, conflict.first.label, conflict.second.label) == ("PS101", "web", "api")
