"""The pre-flight check on given live holders: which planned binding they block, and why."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path
from typing import Any

import pytest

from portspec.cli import _preflight
from portspec.cli._app import main
from portspec.cli._preflight import Live, blocked, diagnostics, holders_of
from portspec.lint.engine import Source, read_units
from portspec.lint.units import Unit
from portspec.model import Protocol
from portspec.sources.host import HostError, Listener, RunningContainer, running_container

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)


def _container(
    name: str,
    bindings: Sequence[tuple[str, int]],
    *,
    project: str | None = None,
    service: str | None = None,
    oneoff: bool = False,
    protocol: str = "tcp",
    started: datetime = NOW - timedelta(hours=2),
) -> RunningContainer:
    labels = {}
    if project is not None:
        labels["com.docker.compose.project"] = project
    if service is not None:
        labels["com.docker.compose.service"] = service
    if oneoff:
        labels["com.docker.compose.oneoff"] = "True"
    item: dict[str, Any] = {
        "Id": f"id-{name}",
        "Name": f"/{name}",
        "State": {"Running": True, "StartedAt": started.isoformat().replace("+00:00", "Z")},
        "Config": {"Labels": labels},
        "NetworkSettings": {
            "Ports": {
                f"{80 + i}/{protocol}": [{"HostIp": address, "HostPort": str(port)}]
                for i, (address, port) in enumerate(bindings)
            }
        },
    }
    found = running_container(item)
    assert found is not None
    return found


def _socket(
    address: str,
    port: int,
    *,
    pid: int | None = 1234,
    program: str = "nginx",
    proto: str = "tcp",
    v6only: bool | None = None,
) -> Listener:
    return Listener(Protocol(proto), ip_address(address), port, port * 7 + 1, pid, program, v6only)


def _units(text: str, kind: str = "shell", path: str = "plan.sh") -> list[Unit]:
    units, result = read_units([Source(path, kind, text=text)])  # type: ignore[arg-type]
    assert [d for d in result.diagnostics if d.code < "PS100"] == []
    return units


def _messages(units: list[Unit], live: Live) -> list[tuple[str, str, str]]:
    found = diagnostics(blocked(units, holders_of(live, units)), NOW)
    return [(d.code, str(d.severity), d.message) for d in found]


def test_a_port_a_container_holds_is_refused_naming_it() -> None:
    live = Live((_container("web", [("0.0.0.0", 8080), ("::", 8080)], project="shop"),))
    assert _messages(_units("docker run -p 8080:80 nginx\n"), live) == [
        (
            "PS101",
            "error",
            "-p 8080:80 will not bind: 8080/tcp on 0.0.0.0, :: is held by container web"
            " (compose project shop, started 2 hours ago)",
        )
    ]


def test_a_port_a_process_holds_is_refused_naming_the_pid() -> None:
    live = Live(listeners=(_socket("127.0.0.1", 9090),))
    units = _units("docker run --name api -p 127.0.0.1:9090:80 -p 127.0.0.2:9090:80 x\n")
    assert _messages(units, live) == [
        (
            "PS101",
            "error",
            "container api: -p 127.0.0.1:9090:80 will not bind: 9090/tcp on 127.0.0.1 is held"
            " by a process on the host (pid 1234, nginx)",
        )
    ]


def test_an_unreadable_owner_is_still_a_holder() -> None:
    live = Live(listeners=(_socket("0.0.0.0", 53, pid=None, proto="udp"),))
    assert _messages(_units("docker run -p 53:53/udp -p 53:53 x\n"), live) == [
        (
            "PS101",
            "error",
            "-p 53:53/udp will not bind: 53/udp on 0.0.0.0 is held by a process on the host"
            " (owner not readable)",
        )
    ]


def test_the_place_is_the_planned_binding() -> None:
    text = "services:\n  web:\n    ports:\n      - '8080:80'\n      - '9000:90'\n"
    live = Live(listeners=(_socket("0.0.0.0", 9000),))
    found = diagnostics(blocked(_units(text, "compose", "compose.yaml"), holders_of(live)), NOW)
    assert [(d.path, d.line, d.column, d.end_column) for d in found] == [("compose.yaml", 5, 9, 18)]
    assert found[0].message.startswith("service web: -p 9000:90 will not bind")


def test_a_range_the_holders_fill_is_exhausted() -> None:
    live = Live(
        (_container("a", [("0.0.0.0", 8000)]),),
        (_socket("0.0.0.0", 8001),),
    )
    [(code, severity, text)] = _messages(_units("docker run -p 8000-8001:80 x\n"), live)
    assert (code, severity) == ("PS102", "error")
    assert "no port of its range is free" in text
    assert "container a" in text
    assert "pid 1234" in text


def test_a_range_a_container_fills_in_part_starts() -> None:
    # Docker's allocator knows its own containers' ports and steps over them.
    live = Live((_container("a", [("0.0.0.0", 8000)]),))
    assert _messages(_units("docker run -p 8000-8001:80 x\n"), live) == []


def test_a_range_a_program_fills_in_part_depends() -> None:
    live = Live(listeners=(_socket("0.0.0.0", 8000),))
    [(code, severity, text)] = _messages(_units("docker run -p 8000-8001:80 x\n"), live)
    assert (code, severity) == ("PS103", "warning")
    assert "may not bind (Docker takes a range's ports in turn" in text


def test_an_ephemeral_port_is_never_blocked() -> None:
    live = Live(
        (_container("a", [("0.0.0.0", 32768)]),),
        (_socket("0.0.0.0", 32769),),
    )
    assert _messages(_units("docker run -p 80 -P x\n"), live) == []


def test_a_dual_stack_listener_probably_holds_ipv4_too() -> None:
    live = Live(listeners=(_socket("::", 8080),))
    found = _messages(_units("docker run -p 0.0.0.0:8080:80 -p [::]:8080:81 x\n"), live)
    assert [(code, severity) for code, severity, _ in found] == [
        ("PS101", "warning"),
        ("PS101", "error"),
    ]
    assert "unless it set IPV6_V6ONLY" in found[0][2]


@pytest.mark.parametrize(
    ("v6only", "expected"), [(False, [("PS101", "error")]), (True, [])], ids=["dual", "v6only"]
)
def test_a_listener_on_ipv6_whose_flag_is_known(
    v6only: bool, expected: list[tuple[str, str]]
) -> None:
    live = Live(listeners=(_socket("::", 8080, v6only=v6only),))
    found = _messages(_units("docker run -p 0.0.0.0:8080:80 x\n"), live)
    assert [(code, severity) for code, severity, _ in found] == expected


def test_a_listener_on_both_families_is_certain_on_each() -> None:
    live = Live(listeners=(_socket("::", 8080), _socket("0.0.0.0", 8080)))
    found = _messages(_units("docker run -p 0.0.0.0:8080:80 x\n"), live)
    assert [(code, severity) for code, severity, _ in found] == [("PS101", "error")]


SHOP = "services:\n  web:\n    ports: ['8080:80']\n  db:\n    expose: [5432]\n"


def test_a_running_project_is_not_in_conflict_with_its_own_re_up() -> None:
    units = _units("name: shop\n" + SHOP, "compose", "compose.yaml")
    live = Live((_container("shop-web-1", [("0.0.0.0", 8080)], project="shop", service="web"),))
    assert _messages(units, live) == []


def test_another_project_of_the_same_services_is_a_conflict() -> None:
    units = _units("name: shop\n" + SHOP, "compose", "compose.yaml")
    live = Live((_container("cafe-web-1", [("0.0.0.0", 8080)], project="cafe", service="web"),))
    assert [code for code, _, _ in _messages(units, live)] == ["PS101"]


@pytest.mark.parametrize(
    "holder",
    [
        # A service no longer in the file: `up` leaves the orphan running.
        _container("shop-old-1", [("0.0.0.0", 8080)], project="shop", service="old"),
        # `docker compose run` containers are not recreated by `up`.
        _container(
            "shop-web-run-1", [("0.0.0.0", 8080)], project="shop", service="web", oneoff=True
        ),
    ],
    ids=["orphan", "one-off"],
)
def test_containers_of_the_project_that_up_keeps_still_hold(holder: RunningContainer) -> None:
    units = _units("name: shop\n" + SHOP, "compose", "compose.yaml")
    assert [code for code, _, _ in _messages(units, Live((holder,)))] == ["PS101"]


def test_the_project_name_is_the_one_compose_gives(tmp_path: Path) -> None:
    folder = tmp_path / "My_Shop"
    folder.mkdir()
    (folder / "compose.yaml").write_text(SHOP)
    units, _ = read_units([Source("compose.yaml", "compose", path=folder / "compose.yaml")])
    live = Live((_container("w", [("0.0.0.0", 8080)], project="my_shop", service="web"),))
    assert _messages(units, live) == []


def test_names_from_strangers_are_escaped() -> None:
    hostile = _container("we\x1b[2Jb\n", [("0.0.0.0", 8080)], project="s\rp")
    live = Live((hostile,), (_socket("0.0.0.0", 9090, program="ng\x07inx"),))
    found = _messages(_units("docker run -p 8080:80 -p 9090:90 x\n"), live)
    for _, _, text in found:
        assert text.isprintable()
    assert "container we\\x1b[2Jb\\n (compose project s\\rp" in found[0][2]
    assert "ng\\x07inx" in found[1][2]


def test_a_socket_of_a_listed_container_is_not_a_process() -> None:
    web = _container("web", [("0.0.0.0", 8080)])
    proxy = _socket("0.0.0.0", 8080, pid=99, program="docker-proxy")
    held = holders_of(Live((web,), (proxy,)))
    assert [(h.running is not None, h.pid) for h in held] == [(True, None)]


def test_a_socket_of_a_container_up_recreates_goes_with_it() -> None:
    units = _units("name: shop\n" + SHOP, "compose", "compose.yaml")
    web = _container("shop-web-1", [("0.0.0.0", 8080)], project="shop", service="web")
    proxy = _socket("0.0.0.0", 8080, pid=99, program="docker-proxy")
    assert _messages(units, Live((web,), (proxy,))) == []


# ------------------------------------------------------------------- cli


@pytest.fixture
def live_host(monkeypatch: pytest.MonkeyPatch) -> list[Live]:
    """What ``read_live`` returns to the command: set the first item."""
    given = [Live()]

    def fake(environ: object, *, sockets: bool = True) -> Live:
        return given[0]

    monkeypatch.setattr(_preflight, "read_live", fake)
    return given


def test_the_command_line_after_the_double_dash_is_the_plan(
    live_host: list[Live], capsys: pytest.CaptureFixture[str]
) -> None:
    live_host[0] = Live(listeners=(_socket("127.0.0.1", 5432, program="postgres"),))
    assert main(["preflight", "--", "-p", "127.0.0.1:5432:5432", "postgres"]) == 1
    out = capsys.readouterr().out
    assert "<command line>:1:15: PS101 -p 127.0.0.1:5432:5432 will not bind" in out
    assert "(pid 1234, postgres)" in out
    assert main(["preflight", "--", "docker", "run", "-p", "5433:5432", "postgres"]) == 0
    assert capsys.readouterr().out == "All checks passed.\n"


def test_paths_and_a_command_line_together(
    live_host: list[Live], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "compose.yaml").write_text(SHOP)
    live_host[0] = Live(listeners=(_socket("0.0.0.0", 8080), _socket("0.0.0.0", 9000)))
    status = main(["preflight", "--format", "json", str(tmp_path), "--", "-p", "9000:80", "x"])
    assert status == 1
    import json

    found = json.loads(capsys.readouterr().out)
    # By path, as lint orders them: the folder's file, then the command line.
    assert [(d["code"], d["path"].endswith("compose.yaml")) for d in found] == [
        ("PS101", True),
        ("PS101", False),
    ]


def test_sarif_as_lint_writes_it(live_host: list[Live], capsys: pytest.CaptureFixture[str]) -> None:
    import json

    live_host[0] = Live(listeners=(_socket("0.0.0.0", 8080),))
    assert main(["preflight", "--format", "sarif", "--", "-p", "8080:80"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["PS101"]
    assert "PS101" in [rule["id"] for rule in run["tool"]["driver"]["rules"]]


def test_exit_zero_and_a_clean_plan(live_host: list[Live]) -> None:
    live_host[0] = Live(listeners=(_socket("0.0.0.0", 8080),))
    assert main(["preflight", "--exit-zero", "--", "-p", "8080:80"]) == 0


def test_an_unreadable_host_exits_2_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(environ: object, *, sockets: bool = True) -> Live:
        raise HostError("cannot reach the Docker daemon at unix:///x.sock (default): \x1bgone")

    monkeypatch.setattr(_preflight, "read_live", fail)
    assert main(["preflight", "--", "-p", "80:80"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "portspec preflight: cannot reach the Docker daemon at unix:///x.sock (default):"
        " \\x1bgone\n"
    )


def test_a_remote_daemon_skips_this_hosts_sockets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from portspec.sources import host

    monkeypatch.setattr(host, "read_engine", lambda endpoint: (None, []))

    def no_sockets(*args: object, **kwargs: object) -> list[Listener]:
        raise AssertionError("a remote daemon's host is not this one")

    monkeypatch.setattr(host, "read_listeners", no_sockets)
    live = _preflight.read_live({"DOCKER_HOST": "tcp://192.0.2.7:2375"})
    assert live.listeners == ()
    assert live.sockets_skipped is not None
    assert "not on this machine" in live.sockets_skipped
    monkeypatch.setenv("DOCKER_HOST", "ssh://me@far")
    assert main(["preflight", "--", "-p", "80:80"]) == 0
    assert "warning: the Docker daemon at ssh://me@far (DOCKER_HOST) is not on this machine" in (
        capsys.readouterr().err
    )


def test_a_missing_path_is_a_usage_error(live_host: list[Live]) -> None:
    assert main(["preflight", "/nonexistent/compose.yaml"]) == 2


def test_the_split_parser_keeps_flags_after_the_double_dash() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    _preflight.add_parser(commands)
    args = parser.parse_args(["preflight", "a", "--", "-p", "1:1", "--format", "x", "--"])
    assert (args.paths, args.command, args.format) == (
        ["a"],
        ["-p", "1:1", "--format", "x", "--"],
        None,
    )


def test_age_wording() -> None:
    from portspec.cli._preflight import describe_age

    assert [
        describe_age(NOW - timedelta(seconds=s), NOW) for s in (-5, 0, 1, 59, 60, 7200, 86400 * 3)
    ] == [
        "just now",
        "0 seconds ago",
        "1 second ago",
        "59 seconds ago",
        "1 minute ago",
        "2 hours ago",
        "3 days ago",
    ]


def test_v4_and_v6_addresses_are_told_apart() -> None:
    assert _socket("::", 1).address == IPv6Address(0)
    assert _socket("0.0.0.0", 1).address == IPv4Address(0)


@pytest.mark.parametrize(
    ("reported", "expected"),
    [("20.10.24+dfsg1", (20, 10)), ("28.5.2", (28, 5)), ("dev", None), (None, None)],
)
def test_the_engine_version_the_daemon_reports_sets_the_model(
    reported: str | None, expected: tuple[int, int] | None
) -> None:
    live = Live(engine_version=reported)
    assert _preflight.host_settings(live).engine_version == expected
    assert _preflight.host_settings(live, (27, 0)).engine_version == (27, 0)
