"""``portspec ports --running``: the live bindings beside the plan's."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

import pytest

from portspec.cli import _preflight
from portspec.cli._app import main
from portspec.cli._preflight import Live
from portspec.model import Protocol
from portspec.sources.host import HostError, Listener, running_container

WEB = running_container(
    {
        "Id": "abc",
        "Name": "/shop-web-1",
        "State": {"Running": True, "StartedAt": "2026-12-05T13:00:00Z"},
        "Config": {
            "Labels": {"com.docker.compose.project": "shop", "com.docker.compose.service": "web"}
        },
        "NetworkSettings": {
            "Ports": {
                "80/tcp": [
                    {"HostIp": "0.0.0.0", "HostPort": "8080"},
                    {"HostIp": "::", "HostPort": "8080"},
                ]
            }
        },
    }
)
PROXY = Listener(Protocol.TCP, IPv4Address(0), 8080, 1, pid=50, program="docker-proxy")
NGINX = Listener(Protocol.TCP, IPv6Address(0), 9000, 2, pid=60, program="ngi\x1bnx")


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert WEB is not None
    given = Live((WEB,), (PROXY, NGINX))
    monkeypatch.setattr(_preflight, "read_live", lambda environ, sockets=True: given)
    (tmp_path / "run.sh").write_text("docker run -p 8080:80 -p 9000:90 -p 9001:91 x\n")
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("live")
def test_live_rows_beside_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ports", "--running", "run.sh"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "ADDRESS  PORT  PROTO  CONTAINER         TARGET  WHERE                   CONFLICT",
        "*        8080  tcp    run.sh:1          80      run.sh:1:15"
        "             PS101 with container shop-web-1 (running)",
        "0.0.0.0  8080  tcp    shop-web-1        80      running (project shop)",
        "::       8080  tcp    shop-web-1        80      running (project shop)",
        "*        9000  tcp    run.sh:1          90      run.sh:1:26"
        "             PS101 with pid 60 (listening)",
        "::       9000  tcp    pid 60 ngi\\x1bnx  -       listening",
        "*        9001  tcp    run.sh:1          91      run.sh:1:37",
    ]


@pytest.mark.usefixtures("live")
def test_live_rows_alone_and_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ports", "--running", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["address"], r["port"], r["live"]) for r in rows] == [
        ("0.0.0.0", "8080", "container"),
        ("::", "8080", "container"),
        ("::", "9000", "process"),
    ]
    assert rows[0]["started"] == datetime(2026, 12, 5, 13, tzinfo=timezone.utc).isoformat()
    assert (rows[0]["project"], rows[0]["service"]) == ("shop", "web")
    assert (rows[2]["pid"], rows[2]["program"]) == (60, "ngi\\x1bnx")


def test_without_paths_or_running_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ports"]) == 2
    assert "give PATHs, or --running" in capsys.readouterr().err


def test_an_unreachable_daemon_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(environ: object, sockets: bool = True) -> Live:
        raise HostError("cannot reach the Docker daemon at unix:///x (DOCKER_HOST): gone")

    monkeypatch.setattr(_preflight, "read_live", fail)
    assert main(["ports", "--running"]) == 2
    assert capsys.readouterr().err == (
        "portspec ports: cannot reach the Docker daemon at unix:///x (DOCKER_HOST): gone\n"
    )
