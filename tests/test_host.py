"""Reading the live host: /proc/net sockets, their owners, the daemon's endpoint, containers."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

import pytest

from portspec.model import PortRange, Protocol
from portspec.sources.host import (
    DEFAULT_HOST,
    Endpoint,
    HostError,
    Listener,
    RunningContainer,
    attribute_owners,
    find_endpoint,
    holders,
    parse_proc_net,
    parse_timestamp,
    read_listeners,
    running_container,
    v6only_flags,
)

LINUX = Path("/proc/net/tcp").exists()
needs_proc = pytest.mark.skipif(not LINUX, reason="no /proc/net: not Linux")


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    made: list[socket.socket] = []
    yield made
    for item in made:
        item.close()


def _open(
    made: list[socket.socket], family: int, kind: int, address: str, *, listen: bool = True
) -> socket.socket:
    item = socket.socket(family, kind)
    made.append(item)
    if family == socket.AF_INET6:
        item.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    item.bind((address, 0))
    if listen and kind == socket.SOCK_STREAM:
        item.listen()
    return item


def _inode(item: socket.socket) -> int:
    # A socket's inode is what /proc/net lists and /proc/PID/fd links to.
    return os.fstat(item.fileno()).st_ino


def _table(name: str) -> str:
    return Path("/proc/net", name).read_text(encoding="ascii")


# ------------------------------------------------------------ /proc/net


@needs_proc
def test_a_tcp_listener_on_ipv4_loopback_is_read_back(sockets: list[socket.socket]) -> None:
    item = _open(sockets, socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1")
    port = item.getsockname()[1]
    found = [s for s in parse_proc_net(_table("tcp"), Protocol.TCP, 4) if s.inode == _inode(item)]
    assert found == [Listener(Protocol.TCP, IPv4Address("127.0.0.1"), port, _inode(item))]


@needs_proc
@needs_ipv6
def test_a_tcp_listener_on_ipv6_loopback_is_read_back(sockets: list[socket.socket]) -> None:
    item = _open(sockets, socket.AF_INET6, socket.SOCK_STREAM, "::1")
    port = item.getsockname()[1]
    found = [s for s in parse_proc_net(_table("tcp6"), Protocol.TCP, 6) if s.inode == _inode(item)]
    assert found == [Listener(Protocol.TCP, IPv6Address("::1"), port, _inode(item))]


@needs_proc
@needs_ipv6
def test_an_ipv4_mapped_listener_holds_the_ipv4_address(sockets: list[socket.socket]) -> None:
    item = _open(sockets, socket.AF_INET6, socket.SOCK_STREAM, "::ffff:127.0.0.1")
    found = [s for s in parse_proc_net(_table("tcp6"), Protocol.TCP, 6) if s.inode == _inode(item)]
    assert [(s.address, s.port) for s in found] == [
        (IPv4Address("127.0.0.1"), item.getsockname()[1])
    ]


@needs_proc
@needs_ipv6
def test_bound_udp_sockets_are_read_on_both_families(sockets: list[socket.socket]) -> None:
    four = _open(sockets, socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")
    six = _open(sockets, socket.AF_INET6, socket.SOCK_DGRAM, "::1")
    by_inode = {s.inode: s for s in read_listeners(owners=False)}
    assert by_inode[_inode(four)] == Listener(
        Protocol.UDP, IPv4Address("127.0.0.1"), four.getsockname()[1], _inode(four)
    )
    assert by_inode[_inode(six)] == Listener(
        Protocol.UDP, IPv6Address("::1"), six.getsockname()[1], _inode(six)
    )


@needs_proc
@needs_ipv6
def test_the_v6only_flag_is_read_from_the_kernel(sockets: list[socket.socket]) -> None:
    made = {}
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        for flag in (True, False):
            item = socket.socket(socket.AF_INET6, kind)
            sockets.append(item)
            item.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(flag))
            item.bind(("::", 0))
            if kind == socket.SOCK_STREAM:
                item.listen()
            made[_inode(item)] = flag
    if not v6only_flags(Protocol.TCP):
        pytest.skip("no sock_diag netlink here")
    found = {s.inode: s.v6only for s in read_listeners(owners=False) if s.inode in made}
    if not v6only_flags(Protocol.UDP):  # udp_diag is a module of its own
        made = {inode: flag for inode, flag in made.items() if found.get(inode) is not None}
    assert found == made
    assert len(made) >= 2


@needs_proc
def test_sockets_that_hold_no_port_for_a_server_are_left_out(
    sockets: list[socket.socket],
) -> None:
    # Bound but not listening: no LISTEN state, nothing to connect to.
    bound = _open(sockets, socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1", listen=False)
    server = _open(sockets, socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1")
    # A connected client and the server's accepted end: established, not listening.
    client = socket.create_connection(server.getsockname())
    sockets.append(client)
    accepted, _ = server.accept()
    sockets.append(accepted)
    # A connected UDP socket is a client's.
    peer = _open(sockets, socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")
    udp_client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sockets.append(udp_client)
    udp_client.connect(peer.getsockname())
    inodes = {s.inode for s in read_listeners(owners=False)}
    assert _inode(server) in inodes
    assert _inode(peer) in inodes
    for item in (bound, client, accepted, udp_client):
        assert _inode(item) not in inodes


@needs_proc
def test_the_owner_of_a_socket_is_this_process(sockets: list[socket.socket]) -> None:
    item = _open(sockets, socket.AF_INET, socket.SOCK_STREAM, "127.0.0.1")
    ours = [s for s in read_listeners() if s.inode == _inode(item)]
    comm = Path(f"/proc/{os.getpid()}/comm").read_text().strip()
    assert [(s.pid, s.program) for s in ours] == [(os.getpid(), comm)]


def test_owners_are_best_effort_on_an_unreadable_proc(tmp_path: Path) -> None:
    listener = Listener(Protocol.TCP, IPv4Address("127.0.0.1"), 80, 4242)
    (tmp_path / "17").mkdir()  # a process whose fd folder is gone (it exited)
    (tmp_path / "self").mkdir()
    assert attribute_owners([listener], tmp_path) == [listener]
    assert attribute_owners([listener], tmp_path / "absent") == [listener]
    assert read_listeners(tmp_path) == []


# Lines as the kernel prints them (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c), for
# both byte orders: each 32-bit word of the address is a native integer in hex.
HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
PROC_LINES = [
    pytest.param(
        "0100007F:1F90 00000000:0000 0A",
        4,
        "little",
        (IPv4Address("127.0.0.1"), 8080),
        id="v4-little",
    ),
    pytest.param(
        "7F000001:1F90 00000000:0000 0A", 4, "big", (IPv4Address("127.0.0.1"), 8080), id="v4-big"
    ),
    pytest.param(
        "00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A",
        6,
        "little",
        (IPv6Address("::1"), 80),
        id="v6-loopback-little",
    ),
    pytest.param(
        "00000000000000000000000000000001:0050 00000000000000000000000000000000:0000 0A",
        6,
        "big",
        (IPv6Address("::1"), 80),
        id="v6-loopback-big",
    ),
    pytest.param(
        "B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A",
        6,
        "little",
        (IPv6Address("2001:db8::1"), 443),
        id="v6-global-little",
    ),
    pytest.param(
        "0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A",
        6,
        "little",
        (IPv4Address("127.0.0.1"), 8080),
        id="v4-mapped-little",
    ),
]


@pytest.mark.parametrize(("fields", "family", "order", "expected"), PROC_LINES)
def test_addresses_decode_in_either_byte_order(
    fields: str, family: int, order: str, expected: tuple[object, int]
) -> None:
    text = HEADER + f"   0: {fields} 00000000:00000000 00:00000000 00000000  0 0 99 1\n"
    found = parse_proc_net(text, Protocol.TCP, family, byteorder=order)
    assert [(s.address, s.port, s.inode) for s in found] == [(*expected, 99)]


TAIL = " 00000000:00000000 00:00000000 00000000 0 0 99"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("   0: 0100007F:1F90 00000000:0000 01" + TAIL, id="established"),
        pytest.param("   0: 0100007F:0000 00000000:0000 0A" + TAIL, id="port-0"),
        pytest.param("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000", id="cut-short"),
        pytest.param("   0: zz00007F:1F90 00000000:0000 0A" + TAIL, id="not-hex"),
        pytest.param("   0: 0100007F00:1F90 00000000:0000 0A" + TAIL, id="wrong-width"),
    ],
)
def test_lines_that_hold_no_port_or_do_not_read_are_passed_over(line: str) -> None:
    assert parse_proc_net(HEADER + line + "\n", Protocol.TCP, 4, byteorder="little") == []


# ------------------------------------------------------------- endpoint


def _context(config: Path, name: str, host: str, *, tls: bool = False) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    endpoint = {"Host": host, "SkipTLSVerify": False}
    (meta / "meta.json").write_text(
        json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": endpoint}})
    )
    if tls:
        (config / "contexts" / "tls" / digest / "docker").mkdir(parents=True)


def test_docker_host_wins_over_every_context(tmp_path: Path) -> None:
    _context(tmp_path, "far", "tcp://10.0.0.9:2375")
    (tmp_path / "config.json").write_text('{"currentContext": "far"}')
    environ = {"DOCKER_HOST": "unix:///run/x.sock", "DOCKER_CONTEXT": "far"}
    environ["DOCKER_CONFIG"] = str(tmp_path)
    assert find_endpoint(environ) == Endpoint("unix:///run/x.sock", "DOCKER_HOST")


def test_docker_context_then_current_context_then_the_default(tmp_path: Path) -> None:
    _context(tmp_path, "far", "tcp://10.0.0.9:2375")
    _context(tmp_path, "near", "unix:///run/near.sock", tls=True)
    base = {"DOCKER_CONFIG": str(tmp_path)}
    assert find_endpoint(base) == Endpoint(DEFAULT_HOST, "default")
    (tmp_path / "config.json").write_text('{"currentContext": "near"}')
    near = find_endpoint(base)
    assert (near.host, near.origin) == ("unix:///run/near.sock", "context near")
    assert near.tls is not None
    assert near.tls.is_dir()
    far = find_endpoint({**base, "DOCKER_CONTEXT": "far"})
    assert (far.host, far.origin, far.tls) == ("tcp://10.0.0.9:2375", "context far", None)
    assert find_endpoint({**base, "DOCKER_CONTEXT": "default"}).host == DEFAULT_HOST


def test_the_config_folder_is_under_home_without_docker_config(tmp_path: Path) -> None:
    _context(tmp_path / ".docker", "near", "unix:///run/near.sock")
    (tmp_path / ".docker" / "config.json").write_text('{"currentContext": "near"}')
    assert find_endpoint({}, home=tmp_path).host == "unix:///run/near.sock"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"config.json": "{not json"}, "cannot read"),
        ({"config.json": '{"currentContext": "gone"}'}, "docker context 'gone' not found"),
    ],
)
def test_a_broken_context_is_an_environment_fault(
    tmp_path: Path, setup: dict[str, str], message: str
) -> None:
    for name, text in setup.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(HostError, match=message):
        find_endpoint({"DOCKER_CONFIG": str(tmp_path)})


DOCKER = shutil.which("docker")


@pytest.mark.differential
@pytest.mark.skipif(DOCKER is None, reason="no docker CLI")
def test_the_context_the_docker_cli_writes_is_the_one_read(tmp_path: Path) -> None:
    assert DOCKER is not None
    environ = {"PATH": os.environ.get("PATH", ""), "DOCKER_CONFIG": str(tmp_path)}

    def docker(*args: str) -> None:
        subprocess.run([DOCKER, *args], env=environ, check=True, capture_output=True)

    docker("context", "create", "far", "--docker", "host=tcp://192.0.2.7:2375")
    docker("context", "create", "near", "--docker", "host=unix:///run/near.sock")
    docker("context", "use", "far")
    assert find_endpoint(environ) == Endpoint("tcp://192.0.2.7:2375", "context far")
    assert find_endpoint({**environ, "DOCKER_CONTEXT": "near"}).host == "unix:///run/near.sock"
    docker("context", "use", "default")
    assert find_endpoint(environ).host == DEFAULT_HOST


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("unix:///var/run/docker.sock", True),
        ("npipe:////./pipe/docker_engine", True),
        ("tcp://127.0.0.1:2375", True),
        ("tcp://localhost:2375", True),
        ("tcp://[::1]:2375", True),
        ("tcp://192.0.2.7:2375", False),
        ("ssh://me@build-box", False),
        ("tcp://docker.example:2376", False),
    ],
)
def test_only_a_daemon_on_this_machine_shares_its_sockets(host: str, local: bool) -> None:
    assert Endpoint(host, "DOCKER_HOST").local is local


# ----------------------------------------------------------- containers


def _inspect(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Id": "0123456789abcdef",
        "Name": "/shop-web-1",
        "State": {"Running": True, "StartedAt": "2026-12-05T13:00:00.5Z"},
        "Config": {
            "Labels": {
                "com.docker.compose.project": "shop",
                "com.docker.compose.service": "web",
                "com.docker.compose.oneoff": "False",
            },
            "ExposedPorts": {"80/tcp": {}},
        },
        "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}},
        "NetworkSettings": {
            "Ports": {
                "80/tcp": [
                    {"HostIp": "0.0.0.0", "HostPort": "8080"},
                    {"HostIp": "::", "HostPort": "8080"},
                ]
            }
        },
    }
    item.update(changes)
    return item


def test_a_running_container_keeps_its_name_labels_start_and_bindings() -> None:
    found = running_container(_inspect())
    assert found is not None
    assert (found.name, found.project, found.service, found.oneoff) == (
        "shop-web-1",
        "shop",
        "web",
        False,
    )
    assert found.started == datetime(2026, 12, 5, 13, 0, 0, 500000, tzinfo=timezone.utc)
    assert [str(m) for m in found.container.publish] == ["0.0.0.0:8080:80", "[::]:8080:80"]


def test_a_stopped_container_holds_nothing() -> None:
    assert running_container(_inspect(State={"Running": False})) is None


def test_a_binding_that_does_not_read_keeps_the_container_without_ports() -> None:
    bad = _inspect(NetworkSettings={"Ports": {"80/tcp": [{"HostIp": "x", "HostPort": "8080"}]}})
    found = running_container(bad)
    assert found is not None
    assert (found.name, found.container.publish) == ("shop-web-1", ())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-05T15:00:00Z", datetime(2026, 12, 5, 15, tzinfo=timezone.utc)),
        (
            "2026-12-05T15:00:00.123456789Z",
            datetime(2026, 12, 5, 15, 0, 0, 123456, tzinfo=timezone.utc),
        ),
        ("2026-12-05T17:00:00+02:00", datetime(2026, 12, 5, 15, tzinfo=timezone.utc)),
        ("0001-01-01T00:00:00Z", None),  # Go's zero time: never started
        ("yesterday", None),
        ("2026-13-05T15:00:00Z", None),
    ],
)
def test_engine_timestamps(text: str, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_docker_proxy_sockets_belong_to_their_container() -> None:
    web = running_container(_inspect())
    assert web is not None
    proxy = Listener(Protocol.TCP, IPv4Address(0), 8080, 1, pid=10, program="docker-proxy")
    proxy6 = Listener(Protocol.TCP, IPv6Address(0), 8080, 2, pid=11, program="docker-proxy")
    other = Listener(Protocol.TCP, IPv4Address(0), 8081, 3, pid=12, program="nginx")
    udp = Listener(Protocol.UDP, IPv4Address(0), 8080, 4, pid=13, program="dnsmasq")
    running, rest = holders([web], [proxy, proxy6, other, udp])
    assert running == [web]
    assert rest == [other, udp]


def test_a_container_binding_range_accounts_for_each_port() -> None:
    item = running_container(
        _inspect(
            NetworkSettings={
                "Ports": {
                    "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}],
                    "81/tcp": [{"HostIp": "::ffff:127.0.0.1", "HostPort": "9001"}],
                }
            }
        )
    )
    assert isinstance(item, RunningContainer)
    assert [m.host for m in item.container.publish] == [
        PortRange(9000, 9000),
        PortRange(9001, 9001),
    ]
    sockets = [
        Listener(Protocol.TCP, IPv4Address("127.0.0.1"), port, port) for port in (9000, 9001, 9002)
    ]
    assert [s.port for s in holders([item], sockets)[1]] == [9002]


def test_without_the_sdk_reading_containers_is_an_environment_fault(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portspec.sources.host import read_containers

    monkeypatch.setitem(sys.modules, "docker", None)
    with pytest.raises(HostError, match=r"pip install 'portspec\[host\]'"):
        read_containers(Endpoint("unix:///nonexistent.sock", "default"))


def test_an_absent_daemon_is_one_line_with_the_reason(tmp_path: Path) -> None:
    from portspec.sources.host import read_containers

    socket_path = tmp_path / "none.sock"
    with pytest.raises(HostError) as caught:
        read_containers(Endpoint(f"unix://{socket_path}", "DOCKER_HOST"), timeout=5)
    assert str(caught.value) == (
        f"cannot reach the Docker daemon at unix://{socket_path} (DOCKER_HOST):"
        " No such file or directory"
    )


def test_the_daemon_pid_is_the_socket_listeners(tmp_path: Path) -> None:
    from portspec.sources.host import daemon_pid

    path = tmp_path / "d.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen()
        assert daemon_pid(Endpoint(f"unix://{path}", "DOCKER_HOST")) == os.getpid()
    assert daemon_pid(Endpoint("tcp://127.0.0.1:2375", "DOCKER_HOST")) is None
    with pytest.raises(HostError, match="Connection refused"):
        daemon_pid(Endpoint(f"unix://{path}", "DOCKER_HOST"))


UNSHARE = shutil.which("unshare")
HOLDER = """
import socket, sys
six = socket.socket(socket.AF_INET6)
six.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
six.bind(("::", 0))
six.listen()
four = socket.socket()
four.bind(("127.0.0.1", 0))
four.listen()
print(six.getsockname()[1], four.getsockname()[1], flush=True)
sys.stdin.read()
"""


@needs_proc
@pytest.mark.skipif(UNSHARE is None or os.geteuid() != 0, reason="needs root and unshare")
def test_the_sockets_of_another_network_namespace_are_read_through_its_process() -> None:
    assert UNSHARE is not None
    with subprocess.Popen(
        [UNSHARE, "--net", "sh", "-c", f"ip link set lo up && exec {sys.executable} -c '{HOLDER}'"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdin is not None
        assert holder.stdout is not None
        six_port, four_port = (int(word) for word in holder.stdout.readline().split())
        theirs = {(s.address, s.port): s for s in read_listeners(pid=holder.pid)}
        ours = {s.inode for s in read_listeners(owners=False)}
        holder.stdin.close()
    six = theirs[(IPv6Address(0), six_port)]
    four = theirs[(IPv4Address("127.0.0.1"), four_port)]
    assert (six.pid, four.pid) == (holder.pid, holder.pid)
    # The flag is read inside their namespace (sock_diag answers for one namespace).
    assert six.v6only is True
    assert {six.inode, four.inode}.isdisjoint(ours)
