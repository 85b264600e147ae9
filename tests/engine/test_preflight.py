"""``portspec preflight`` and ``ports --running`` against the private daemon and real sockets.

Ports held by containers are the daemon's own allocations; ports held by a
program are sockets a helper process binds inside the daemon's network
namespace (where the daemon binds what it publishes, and where preflight reads
``/proc/PID/net``). Nothing connects to any container.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.engine._daemon import IMAGE, EngineDaemon

_BIN = Path(sys.executable).parent

_HOLD = """
import socket, sys
kinds = {"tcp": socket.SOCK_STREAM, "udp": socket.SOCK_DGRAM}
held = []
for spec in sys.argv[1:]:
    kind, address, port = spec.split(",")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    s = socket.socket(family, kinds[kind])
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((address, int(port)))
    if kind == "tcp":
        s.listen()
    held.append(s)
print("ready", flush=True)
sys.stdin.read()
"""


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(_BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def _portspec(
    engine: EngineDaemon, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**engine.env(), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "portspec", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def hold_sockets(engine: EngineDaemon) -> Iterator[Any]:
    """Bind sockets (``tcp,ADDRESS,PORT``) in the daemon's network namespace; yields the pid."""
    children: list[subprocess.Popen[str]] = []

    def hold(specs: Sequence[str]) -> int:
        pid = engine.pid
        assert pid is not None
        child = subprocess.Popen(
            [_tool("nsenter"), "-t", str(pid), "-n", sys.executable, "-c", _HOLD, *specs],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        return child.pid

    try:
        yield hold
    finally:
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=30)
            assert child.stdout is not None
            child.stdout.close()


def _compose(engine: EngineDaemon, project: str, folder: Path, *args: str) -> None:
    done = subprocess.run(
        [_tool("docker-compose"), "-p", project, *args],
        env={**engine.env(), "COMPOSE_PROJECT_NAME": project},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _write_compose(folder: Path, ports: Sequence[str], name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    head = f"name: {name}\n" if name else ""
    listed = "".join(f'      - "{port}"\n' for port in ports)
    text = (
        f"{head}services:\n"
        "  web:\n"
        f"    image: {IMAGE}\n"
        "    pull_policy: never\n"
        '    command: ["sleep", "600"]\n'
        "    ports:\n"
        f"{listed}"
    )
    path = folder / "compose.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_port_held_by_a_container_is_reported_naming_it(
    clean_engine: EngineDaemon, tmp_path: Path
) -> None:
    holder = clean_engine.run(["--name", "holder", "-p", "127.0.0.1:18080:80"])
    assert holder.started, holder.error
    plan = _write_compose(tmp_path / "shop", ["18080:80"])
    text = _portspec(clean_engine, "preflight", str(plan))
    assert text.returncode == 1, text.stderr
    assert "PS101" in text.stdout
    assert "18080/tcp on 127.0.0.1 is held by container holder" in text.stdout

    command = _portspec(
        clean_engine, "preflight", "--format", "json", "--", "-p", "127.0.0.1:18080:80", "x"
    )
    assert command.returncode == 1, command.stderr
    found = json.loads(command.stdout)
    items = found if isinstance(found, list) else found["diagnostics"]
    assert [item["code"] for item in items] == ["PS101"]
    assert "container holder" in items[0]["message"]

    free = _portspec(clean_engine, "preflight", "--", "-p", "127.0.0.1:18081:80", "x")
    assert free.returncode == 0, free.stdout + free.stderr
    assert "PS1" not in free.stdout
    assert _portspec(clean_engine, "preflight", "--exit-zero", str(plan)).returncode == 0


def test_a_port_held_by_a_program_is_reported_with_its_pid(
    engine: EngineDaemon, hold_sockets: Any
) -> None:
    pid = hold_sockets(["tcp,127.0.0.1,18082", "tcp,::1,18083", "udp,127.0.0.1,18084"])
    hold_sockets(["udp,::1,18085"])
    cases = {
        ("127.0.0.1:18082:80", "18082/tcp on 127.0.0.1"),
        ("[::1]:18083:80", "18083/tcp on ::1"),
        ("127.0.0.1:18084:80/udp", "18084/udp on 127.0.0.1"),
        ("[::1]:18085:80/udp", "18085/udp on ::1"),
    }
    for spec, held in cases:
        done = _portspec(engine, "preflight", "--", "-p", spec, "x")
        assert done.returncode == 1, (spec, done.stdout, done.stderr)
        assert f"{held} is held by a process on the host (pid " in done.stdout, done.stdout
    done = _portspec(engine, "preflight", "--", "-p", "127.0.0.1:18082:80", "x")
    assert f"(pid {pid}, " in done.stdout, done.stdout
    # The other address family, and the other protocol, are free.
    free = _portspec(engine, "preflight", "--", "-p", "[::1]:18082:80", "-p", "18083:80/udp", "x")
    assert free.returncode == 0, free.stdout + free.stderr


def test_a_running_project_is_not_in_conflict_with_itself(
    clean_engine: EngineDaemon, tmp_path: Path
) -> None:
    shop = tmp_path / "shop"
    plan = _write_compose(shop, ["18086:80"])
    other = _write_compose(tmp_path / "other", ["18086:80"])
    _compose(clean_engine, "shop", shop, "up", "-d")
    try:
        again = _portspec(clean_engine, "preflight", str(plan))
        assert again.returncode == 0, again.stdout + again.stderr
        assert again.stdout.strip() == "" or "PS1" not in again.stdout

        clash = _portspec(clean_engine, "preflight", "--format", "sarif", str(other))
        assert clash.returncode == 1, clash.stderr
        sarif = json.loads(clash.stdout)
        (result,) = sarif["runs"][0]["results"]
        assert result["ruleId"] == "PS101"
        text = result["message"]["text"]
        assert "18086/tcp" in text
        assert "compose project shop" in text

        listing = _portspec(clean_engine, "ports", "--running")
        assert listing.returncode == 0, listing.stderr
        assert "18086" in listing.stdout
        assert "shop" in listing.stdout
    finally:
        _compose(clean_engine, "shop", shop, "down", "--timeout", "0")
    after = _portspec(clean_engine, "preflight", str(other))
    assert after.returncode == 0, after.stdout + after.stderr


def test_preflight_predicts_for_the_engine_the_daemon_reports(engine: EngineDaemon) -> None:
    from portspec.cli._preflight import host_settings, read_live
    from portspec.lint.config import parse_docker_version

    live = read_live(engine.env(), sockets=False)
    assert live.engine_version == engine.version
    assert host_settings(live).engine_version == parse_docker_version(engine.version)
    # --docker-version (docker-version) wins over what the daemon says.
    assert host_settings(live, (28, 3)).engine_version == (28, 3)
