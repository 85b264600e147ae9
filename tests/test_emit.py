"""Table tests for the emitters and their inverses: each container and exactly what it becomes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from portspec import PortSpecError, parse_docker_run, to_docker_args, to_engine_api
from portspec.emit.docker_sdk import to_docker_sdk
from portspec.sources.docker_sdk import from_docker_sdk
from portspec.sources.engine_api import from_engine_api

Json = dict[str, Any]


def _ids(table: Sequence[tuple[object, ...]]) -> list[str]:
    return [str(row[0]) for row in table]


def _host_config(
    bindings: Json | None = None,
    links: list[str] | None = None,
    publish_all: bool = False,
    network: str = "default",
) -> Json:
    return {
        "PortBindings": bindings or {},
        "Links": links,
        "PublishAllPorts": publish_all,
        "NetworkMode": network,
    }


def _bind(host_ip: str = "", host_port: str = "") -> dict[str, str]:
    return {"HostIp": host_ip, "HostPort": host_port}


# ------------------------------------------------------------- to_docker_args

ARGS: list[tuple[str, list[str]]] = [
    ("", []),
    ("nginx", ["nginx"]),
    ("--name=web -dp 8080:80 nginx", ["--name", "web", "--publish", "8080:80", "nginx"]),
    (
        "-p published=8080,target=80,protocol=udp,mode=host -p 0080:080",
        ["--publish", "8080:80/udp", "--publish", "80:80"],
    ),
    (
        "--expose=7000-7002/UDP -P --link db:db --link cache:c",
        ["--publish-all", "--expose", "7000-7002/UDP", "--link", "db", "--link", "cache:c"],
    ),
    (
        "--net a --network b -p [0:0::1]::53/sctp alpine sh -c 'echo hi'",
        [
            "--network",
            "a",
            "--network",
            "b",
            "--publish",
            "[0:0::1]::53/sctp",
            "alpine",
            "sh",
            "-c",
            "echo hi",
        ],
    ),
    ("-- -odd --flag", ["--", "-odd", "--flag"]),
]


@pytest.mark.parametrize(("line", "expected"), ARGS, ids=_ids(ARGS))
def test_to_docker_args(line: str, expected: list[str]) -> None:
    container = parse_docker_run(line)
    assert to_docker_args(container) == expected
    assert parse_docker_run(expected) == container


# -------------------------------------------------------------- to_engine_api

ENGINE: list[tuple[str, Json]] = [
    ("nginx", {"HostConfig": _host_config()}),
    (
        "-p 8080:80",
        {
            "ExposedPorts": {"80/tcp": {}},
            "HostConfig": _host_config({"80/tcp": [_bind(host_port="8080")]}),
        },
    ),
    (
        "-p 127.0.0.1:8000-8001:80-81/udp",
        {
            "ExposedPorts": {"80/udp": {}, "81/udp": {}},
            "HostConfig": _host_config(
                {
                    "80/udp": [_bind("127.0.0.1", "8000")],
                    "81/udp": [_bind("127.0.0.1", "8001")],
                }
            ),
        },
    ),
    (
        "-p 8000-8010:80 -p 80 -p [0:0::1]::53/sctp",
        {
            "ExposedPorts": {"80/tcp": {}, "53/sctp": {}},
            "HostConfig": _host_config(
                {
                    "80/tcp": [_bind(host_port="8000-8010"), _bind()],
                    "53/sctp": [_bind("0:0::1")],
                }
            ),
        },
    ),
    (
        "-P --expose 7000-7001 --expose 80/TCP -p 7000",
        {
            "ExposedPorts": {"7000/tcp": {}, "7001/tcp": {}, "80/TCP": {}},
            "HostConfig": _host_config({"7000/tcp": [_bind()]}, publish_all=True),
        },
    ),
    (
        "--link db --link db:db --link /db:/web/database --link cache:",
        {"HostConfig": _host_config(links=["db", "db:db", "/db:/web/database", "cache:"])},
    ),
    ("--network a --network b", {"HostConfig": _host_config(network="a")}),
    ("--network host", {"HostConfig": _host_config(network="host")}),
]


@pytest.mark.parametrize(("line", "expected"), ENGINE, ids=_ids(ENGINE))
def test_to_engine_api(line: str, expected: Json) -> None:
    assert to_engine_api(parse_docker_run(line)) == expected


@pytest.mark.parametrize(("line", "request_"), ENGINE, ids=_ids(ENGINE))
def test_engine_api_reads_back(line: str, request_: Json) -> None:
    assert to_engine_api(from_engine_api(request_)) == request_


# -------------------------------------------------------------- to_docker_sdk

SDK: list[tuple[str, Json]] = [
    ("nginx", {}),
    ("--name web -p 8080:80", {"name": "web", "ports": {"80/tcp": 8080}}),
    (
        "-p 127.0.0.1:8000-8001:80-81/udp",
        {"ports": {"80/udp": ("127.0.0.1", 8000), "81/udp": ("127.0.0.1", 8001)}},
    ),
    (
        "-p 8000-8010:80 -p 80 -p 127.0.0.1:8000-8010:80 -p [0:0::1]::53/sctp",
        {
            "ports": {
                "80/tcp": ["8000-8010", None, ("127.0.0.1", "8000-8010")],
                "53/sctp": ("0:0::1",),
            }
        },
    ),
    (
        "-P --expose 7000-7001 --expose 80/TCP -p 7000",
        {
            "ports": {"7000/tcp": None, "7001/tcp": [], "80/TCP": []},
            "publish_all_ports": True,
        },
    ),
    (
        "--link db --link db:db --link /db:/web/database --link cache: --link :alias",
        {
            "links": [
                ("db", ""),
                ("db", "db"),
                ("/db", "/web/database"),
                ("cache:", ""),
                ("", "alias"),
            ]
        },
    ),
    ("--network a --network b alpine sh", {"network_mode": "a"}),
    ("--network default --name ''", {"name": "", "network_mode": "default"}),
    ("--network host -P", {"publish_all_ports": True, "network_mode": "host"}),
]


@pytest.mark.parametrize(("line", "expected"), SDK, ids=_ids(SDK))
def test_to_docker_sdk(line: str, expected: Json) -> None:
    assert to_docker_sdk(parse_docker_run(line)) == expected


@pytest.mark.parametrize("line", ["--network host -p 80", "--network host --expose 80"])
def test_to_docker_sdk_refuses_ports_on_the_host_network(line: str) -> None:
    with pytest.raises(PortSpecError, match="network_mode 'host'"):
        to_docker_sdk(parse_docker_run(line))


@pytest.mark.parametrize(("line", "kwargs"), SDK, ids=_ids(SDK))
def test_docker_sdk_reads_back(line: str, kwargs: Json) -> None:
    container = parse_docker_run(line)
    assert to_docker_sdk(from_docker_sdk(kwargs)) == kwargs
    assert to_engine_api(from_docker_sdk(kwargs)) == to_engine_api(container)


# ------------------------------------------------------------ from_engine_api

FROM_ENGINE: list[tuple[str, Mapping[str, Any], str]] = [
    ("empty", {}, ""),
    ("nulls", {"ExposedPorts": None, "HostConfig": {"PortBindings": None, "Links": None}}, ""),
    (
        "bindings",
        {
            "HostConfig": {
                "PortBindings": {
                    "80/tcp": [{"HostIp": "", "HostPort": "8080"}, {"HostPort": ""}],
                    "53/udp": [{"HostIp": "::FFFF:1.2.3.4", "HostPort": "8000-8010"}],
                    "81": [{}],
                }
            }
        },
        "-p 8080:80 -p 80 -p [::ffff:1.2.3.4]:8000-8010:53/udp -p 81",
    ),
    (
        "expose-only",
        {
            "ExposedPorts": {"80/tcp": {}, "81/tcp": {}, "82/Tcp": {}, "83/": {}},
            "HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8080"}], "81/tcp": []}},
        },
        "-p 8080:80 --expose 81 --expose 82/Tcp --expose 83",
    ),
    (
        "links",
        {"HostConfig": {"Links": ["db", "db:db", "/db:/web/database", "cache:"]}},
        "--link db --link db --link db:database --link cache:",
    ),
    ("publish-all", {"HostConfig": {"PublishAllPorts": True}}, "-P"),
    ("default network", {"HostConfig": {"NetworkMode": "default"}}, ""),
    ("user network", {"HostConfig": {"NetworkMode": "backend"}}, "--network backend"),
]


@pytest.mark.parametrize(("_id", "request_", "expected"), FROM_ENGINE, ids=_ids(FROM_ENGINE))
def test_from_engine_api(_id: str, request_: Mapping[str, Any], expected: str) -> None:
    assert from_engine_api(request_) == parse_docker_run(expected)


def test_from_engine_api_keeps_the_text_docker_sends() -> None:
    container = from_engine_api(
        {
            "HostConfig": {
                "PortBindings": {"80/tcp": [{"HostIp": "::FFFF:1.2.3.4", "HostPort": ""}]},
                "Links": ["/db:/web/database"],
            }
        }
    )
    assert container.publish[0].host_ip_as_typed == "::FFFF:1.2.3.4"
    assert container.links[0].as_typed == "/db:/web/database"


INVALID_ENGINE: list[tuple[str, object, str]] = [
    ("not a mapping", ["ExposedPorts"], "expected the create request as a mapping, not list"),
    ("ExposedPorts list", {"ExposedPorts": ["80/tcp"]}, "ExposedPorts: expected an object"),
    ("HostConfig text", {"HostConfig": "x"}, "HostConfig: expected an object, not str"),
    ("port key", {"ExposedPorts": {"http/tcp": {}}}, "invalid port key 'http/tcp'"),
    ("port range key", {"ExposedPorts": {"80-81/tcp": {}}}, "invalid port key '80-81/tcp'"),
    ("port too big", {"ExposedPorts": {"65536/tcp": {}}}, "invalid port 65536"),
    ("two slashes", {"ExposedPorts": {"80/tcp/x": {}}}, "more than one '/'"),
    ("expose value", {"ExposedPorts": {"80/tcp": []}}, "expected an empty object, not list"),
    (
        "bindings not a list",
        {"HostConfig": {"PortBindings": {"80/tcp": {"HostPort": "80"}}}},
        "PortBindings['80/tcp']: expected a list, not dict",
    ),
    (
        "binding not a mapping",
        {"HostConfig": {"PortBindings": {"80/tcp": ["8080"]}}},
        "PortBindings['80/tcp'][0]: expected a binding",
    ),
    (
        "host port number",
        {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": 8080}]}}},
        "HostPort: expected text, not 8080",
    ),
    (
        "host port text",
        {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "http"}]}}},
        "invalid host port 'http'",
    ),
    (
        "host port too big",
        {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "70000"}]}}},
        "ports are 0-65535",
    ),
    (
        "host range reversed",
        {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8010-8000"}]}}},
        "the end is before the start",
    ),
    (
        "host ip",
        {"HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "localhost"}]}}},
        "invalid host IP 'localhost'",
    ),
    (
        "bound protocol",
        {"HostConfig": {"PortBindings": {"80/TCP": [{"HostPort": "80"}]}}},
        "invalid protocol 'TCP' in port '80/TCP'",
    ),
    ("links text", {"HostConfig": {"Links": "db"}}, "HostConfig.Links: expected a list, not str"),
    ("link number", {"HostConfig": {"Links": [1]}}, "HostConfig.Links[0]: a link is text"),
    ("link syntax", {"HostConfig": {"Links": ["a:b:c"]}}, "HostConfig.Links[0]: invalid link"),
    ("publish-all", {"HostConfig": {"PublishAllPorts": "yes"}}, "expected true or false"),
    ("network", {"HostConfig": {"NetworkMode": ["a"]}}, "NetworkMode: expected text"),
]


@pytest.mark.parametrize(("_id", "request_", "message"), INVALID_ENGINE, ids=_ids(INVALID_ENGINE))
def test_from_engine_api_refuses(_id: str, request_: Any, message: str) -> None:
    with pytest.raises(PortSpecError) as caught:
        from_engine_api(request_)
    assert message in caught.value.message


# ------------------------------------------------------------ from_docker_sdk

FROM_SDK: list[tuple[str, Json, str]] = [
    ("empty", {}, ""),
    (
        "int keys",
        {"ports": {80: 8080, "81": None, "82/udp": "9000"}},
        "-p 8080:80 -p 81 -p 9000:82/udp",
    ),
    (
        "tuples and dicts",
        {
            "ports": {
                "80/tcp": [("127.0.0.1", 8080), ("::1",), (8081,), ("", None)],
                "81/tcp": {"HostIp": "10.0.0.1", "HostPort": 9000},
                "82/tcp": {"HostPort": None},
                "83/tcp": (None, "8000-8010"),
            }
        },
        "-p 127.0.0.1:8080:80 -p [::1]::80 -p 8081:80 -p 80 -p 10.0.0.1:9000:81 -p 82"
        " -p 8000-8010:83",
    ),
    ("later key wins", {"ports": {80: 8080, "80/tcp": 9090}}, "-p 9090:80"),
    ("expose", {"ports": {"80/tcp": [], "81/TCP": []}}, "--expose 80 --expose 81/TCP"),
    (
        "links as a dict",
        {"links": {"db": "database", "cache": None, "queue": ""}},
        "--link db:database --link cache --link queue",
    ),
    ("links as pairs", {"links": [("db", "db"), ["a", "b"]]}, "--link db --link a:b"),
    ("publish all", {"publish_all_ports": True}, "-P"),
    ("network_mode", {"network_mode": "backend"}, "--network backend"),
    ("network wins", {"network": "a", "network_mode": "b"}, "--network a"),
    ("no network", {"network_mode": ""}, ""),
    ("name", {"name": "web", "detach": True, "environment": {"A": "1"}}, "--name web"),
    ("image", {"image": "alpine", "command": "sh -c 'echo hi'"}, "alpine sh -c 'echo hi'"),
    ("command list", {"image": "alpine", "command": ["ls", "-l"]}, "alpine ls -l"),
]


@pytest.mark.parametrize(("_id", "kwargs", "expected"), FROM_SDK, ids=_ids(FROM_SDK))
def test_from_docker_sdk(_id: str, kwargs: Json, expected: str) -> None:
    assert from_docker_sdk(kwargs) == parse_docker_run(expected)


INVALID_SDK: list[tuple[str, object, str]] = [
    ("not a mapping", [("ports", {})], "expected the keyword arguments as a mapping"),
    ("ports list", {"ports": [80]}, "ports: expected a dict, not list"),
    ("port key float", {"ports": {80.0: 80}}, "a key is a port such as 80 or '80/tcp'"),
    ("port key bool", {"ports": {True: 80}}, "a key is a port"),
    ("port key range", {"ports": {"80-81/tcp": None}}, "invalid port key '80-81/tcp'"),
    ("bound protocol", {"ports": {"80/TCP": 80}}, "invalid protocol 'TCP'"),
    ("host port float", {"ports": {80: 80.0}}, "ports['80/tcp']: a host port is a number"),
    ("host port bool", {"ports": {80: True}}, "a host port is a number"),
    ("host port text", {"ports": {80: "http"}}, "invalid host port 'http'"),
    ("host port big", {"ports": {80: 65536}}, "ports are 0-65535"),
    ("3-tuple", {"ports": {80: ("127.0.0.1", 80, "x")}}, "not a 3-tuple"),
    ("0-tuple", {"ports": {80: ()}}, "not a 0-tuple"),
    ("address type", {"ports": {80: (1, 80)}}, "the host address is text"),
    ("bad address", {"ports": {80: [8080, ("localhost", 80)]}}, "ports['80/tcp'][1]"),
    ("dict binding", {"ports": {80: {"HostIp": "127.0.0.1"}}}, "needs 'HostPort'"),
    ("links text", {"links": "db"}, "links: expected a dict or a list of pairs"),
    ("link text", {"links": ["db"]}, "links[0]: expected a (name, alias) pair"),
    ("link number", {"links": [("db", 1)]}, "links[0]: a name and an alias are text"),
    ("link syntax", {"links": [("a:b", "c")]}, "links[0]: invalid link"),
    ("publish all", {"publish_all_ports": 1}, "publish_all_ports: expected True or False"),
    ("network", {"network_mode": 1}, "network_mode: expected a network name"),
    ("name", {"name": 1}, "name: expected text"),
    ("image", {"image": 1}, "image: expected text"),
    ("command", {"image": "a", "command": 1}, "command: expected text or a list of text"),
    ("command quote", {"image": "a", "command": "echo 'hi"}, "command: No closing quotation"),
    ("command alone", {"command": "ls"}, "a command needs an image"),
]


@pytest.mark.parametrize(("_id", "kwargs", "message"), INVALID_SDK, ids=_ids(INVALID_SDK))
def test_from_docker_sdk_refuses(_id: str, kwargs: Any, message: str) -> None:
    with pytest.raises(PortSpecError) as caught:
        from_docker_sdk(kwargs)
    assert message in caught.value.message
