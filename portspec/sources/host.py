"""What holds ports on a live host: containers the Docker Engine runs, and listening sockets.

Two readers, each usable alone:

- ``read_containers(endpoint)`` asks the Docker Engine API (through the
  optional ``docker`` SDK: ``pip install 'portspec[host]'``) for the running
  containers and the host ports Docker bound for them.
- ``read_listeners()`` reads Linux ``/proc/net/{tcp,tcp6,udp,udp6}``: TCP
  sockets in LISTEN state and unconnected UDP sockets, with the process that
  owns each where ``/proc/PID/fd`` can be read.

``find_endpoint(environ)`` says which daemon the docker CLI would talk to:
``DOCKER_HOST``, else the context named by ``DOCKER_CONTEXT`` or the
``currentContext`` of ``~/.docker/config.json``, else the default socket.

>>> parse_proc_net("  sl  local_address rem_address   st\\n"
...                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000"
...                " 00000000     0        0 4242 1\\n",
...                Protocol.TCP, 4, byteorder="little")
[Listener(protocol=<Protocol.TCP: 'tcp'>, address=IPv4Address('127.0.0.1'), port=8080, inode=4242)]
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import socket
import struct
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portspec.model import Container, HostAddress, PortMapping, PortRange, Protocol

__all__ = [
    "DEFAULT_HOST",
    "Endpoint",
    "HostError",
    "Listener",
    "RunningContainer",
    "attribute_owners",
    "daemon_pid",
    "find_endpoint",
    "holders",
    "parse_proc_net",
    "parse_timestamp",
    "read_containers",
    "read_engine",
    "read_listeners",
    "running_container",
    "v6only_flags",
]

#: Where the docker CLI looks for the daemon when nothing else names one.
DEFAULT_HOST = "unix:///var/run/docker.sock"

_PROJECT_LABEL = "com.docker.compose.project"
_SERVICE_LABEL = "com.docker.compose.service"
_ONEOFF_LABEL = "com.docker.compose.oneoff"

# include/net/tcp_states.h: TCP_LISTEN; an unconnected UDP socket stays TCP_CLOSE.
_TCP_LISTEN = 0x0A
_UDP_UNCONNECTED = 0x07
_PROC_NET = (
    ("tcp", Protocol.TCP, 4),
    ("tcp6", Protocol.TCP, 6),
    ("udp", Protocol.UDP, 4),
    ("udp6", Protocol.UDP, 6),
)
_SOCKET_LINK = re.compile(r"socket:\[([0-9]+)\]")
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class HostError(Exception):
    """The live host cannot be read: no docker SDK, no daemon, a broken context (exit 2)."""


# ------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the Docker daemon listens, and how that was decided.

    ``origin`` is ``"DOCKER_HOST"``, ``"context NAME"`` or ``"default"``;
    ``tls`` holds the certificate folder of a context that has one.

    >>> Endpoint("unix:///run/docker.sock", "default").local
    True
    >>> Endpoint("ssh://me@far", "DOCKER_HOST").local
    False
    """

    host: str
    origin: str
    tls: Path | None = None
    skip_tls_verify: bool = False

    @property
    def local(self) -> bool:
        """Whether the daemon runs on this machine, so that its sockets are this host's."""
        parts = urlsplit(self.host)
        if parts.scheme in ("unix", "npipe", "fd"):
            return True
        if parts.scheme in ("tcp", "http", "https"):
            return (parts.hostname or "") in _LOOPBACK_NAMES
        return False


@dataclass(frozen=True, slots=True)
class RunningContainer:
    """A running container: its name, compose labels, start time and the ports Docker bound.

    ``container.publish`` holds one fixed mapping per host binding, as
    ``docker port`` lists them.
    """

    id: str
    name: str
    container: Container
    project: str | None = None
    service: str | None = None
    oneoff: bool = False
    started: datetime | None = None


@dataclass(frozen=True, slots=True)
class Listener:
    """A socket that holds a host port: TCP in LISTEN state, or UDP bound and unconnected.

    ``pid`` and ``program`` are known only where ``/proc/PID/fd`` was readable.
    """

    protocol: Protocol
    address: HostAddress
    port: int
    inode: int
    pid: int | None = field(default=None, compare=False)
    program: str | None = field(default=None, compare=False)
    #: For an IPv6 socket: whether it set ``IPV6_V6ONLY`` (None when unknown).
    #: One on ``[::]`` without it takes the IPv4 port too.
    v6only: bool | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        owner = "" if self.pid is None else f", pid={self.pid}, program={self.program!r}"
        only = "" if self.v6only is None else f", v6only={self.v6only}"
        return (
            f"Listener(protocol={self.protocol!r}, address={self.address!r},"
            f" port={self.port}, inode={self.inode}{owner}{only})"
        )

    def mapping(self) -> PortMapping:
        """The socket as the fixed binding it stands for (container port = host port)."""
        port = PortRange(self.port, self.port)
        return PortMapping(port, self.protocol, self.address, port)


# ------------------------------------------------------------ /proc/net


def _decode_address(text: str, family: int, byteorder: str) -> HostAddress:
    """A ``/proc/net`` address: 32-bit words in the kernel's byte order, hex-printed."""
    raw = bytes.fromhex(text)
    if byteorder == "little":
        # Each 32-bit word of the network-order address was printed as a native integer.
        raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    address: HostAddress = IPv4Address(raw) if family == 4 else IPv6Address(raw)
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        # A v6 socket bound to ::ffff:a.b.c.d holds the IPv4 port.
        return address.ipv4_mapped
    return address


def parse_proc_net(
    text: str,
    protocol: Protocol,
    family: int,
    *,
    byteorder: str = sys.byteorder,
) -> list[Listener]:
    """The sockets of one ``/proc/net/{tcp,tcp6,udp,udp6}`` text that hold a port.

    A line that does not read as a socket is passed over: the file belongs to
    the kernel, and a reader must not fail on a field it does not know.
    """
    found: list[Listener] = []
    wanted = _TCP_LISTEN if protocol is Protocol.TCP else _UDP_UNCONNECTED
    width = 8 if family == 4 else 32
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        address_hex, _, port_hex = local.partition(":")
        try:
            if int(state, 16) != wanted or len(address_hex) != width:
                continue
            port = int(port_hex, 16)
            remote_port = int(remote.partition(":")[2] or "0", 16)
            number = int(inode)
            address = _decode_address(address_hex, family, byteorder)
        except ValueError:
            continue
        if port == 0 or (protocol is Protocol.UDP and remote_port != 0):
            continue
        found.append(Listener(protocol, address, port, number))
    return found


def read_listeners(
    proc: Path = Path("/proc"), *, pid: int | None = None, owners: bool = True
) -> list[Listener]:
    """The listening sockets of a network namespace, owners found where readable.

    The namespace is this process's, or that of process ``pid`` (the Docker
    daemon's: where it binds the ports it publishes). Nothing here fails for
    want of permission: an unreadable table or process is left out
    (``/proc/net/tcp6`` is absent without IPv6).
    """
    net = proc / "net" if pid is None else proc / str(pid) / "net"
    found: list[Listener] = []
    for name, protocol, family in _PROC_NET:
        try:
            text = (net / name).read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        found.extend(parse_proc_net(text, protocol, family))
    if any(isinstance(s.address, IPv6Address) for s in found):
        namespace = None if pid is None else proc / str(pid) / "ns" / "net"
        found = _with_v6only(found, namespace)
    return attribute_owners(found, proc) if owners and found else found


def _with_v6only(listeners: list[Listener], namespace: Path | None) -> list[Listener]:
    known: dict[int, bool] = {}
    for protocol in (Protocol.TCP, Protocol.UDP):
        known.update(v6only_flags(protocol, namespace))
    return [
        dataclasses.replace(s, v6only=known[s.inode])
        if isinstance(s.address, IPv6Address) and s.inode in known
        else s
        for s in listeners
    ]


# include/uapi/linux/{netlink,sock_diag,inet_diag}.h
_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST_DUMP = 0x1 | 0x300
_NLMSG_ERROR, _NLMSG_DONE = 2, 3
_INET_DIAG_SKV6ONLY = 11
_NLMSG_HEADER = struct.Struct("=IHHII")
# inet_diag_req_v2: family, protocol, ext, pad, states, then a 48-byte inet_diag_sockid.
_DIAG_REQUEST = struct.Struct("=BBBxI48x")
# inet_diag_msg: family, state, timer, retrans, sockid, expires, rqueue, wqueue, uid, inode.
_DIAG_MESSAGE = struct.Struct("=BBBB48xIIIII")
_RTATTR = struct.Struct("=HH")


def v6only_flags(protocol: Protocol, namespace: Path | None = None) -> dict[int, bool]:
    """``IPV6_V6ONLY`` of a namespace's listening IPv6 sockets, by inode, from sock_diag.

    ``/proc/net`` does not show the flag; the kernel's sock_diag netlink
    interface reports it for every IPv6 socket in LISTEN or CLOSE state
    (``INET_DIAG_SKV6ONLY``). ``namespace`` is a ``/proc/PID/ns/net`` file
    (entering it needs ``CAP_SYS_ADMIN``); None is this process's. Empty
    where netlink, the protocol's diag module or the namespace is not
    available.
    """
    family = getattr(socket, "AF_NETLINK", None)
    if family is None:
        return {}
    if namespace is not None:
        try:
            if os.stat(namespace).st_ino != os.stat("/proc/self/ns/net").st_ino:
                return _in_namespace(namespace, lambda: v6only_flags(protocol))
        except OSError:
            return {}
    number = socket.IPPROTO_TCP if protocol is Protocol.TCP else socket.IPPROTO_UDP
    states = 1 << (_TCP_LISTEN if protocol is Protocol.TCP else _UDP_UNCONNECTED)
    body = _DIAG_REQUEST.pack(socket.AF_INET6, number, 0, states)
    header = _NLMSG_HEADER.pack(
        _NLMSG_HEADER.size + len(body), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST_DUMP, 1, 0
    )
    found: dict[int, bool] = {}
    try:
        with socket.socket(family, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as link:
            link.settimeout(5)
            link.sendall(header + body)
            while True:
                data = link.recv(1 << 16)
                if not data or not _read_diag(data, found):
                    return found
    except OSError:
        return {}


def _in_namespace(namespace: Path, work: Callable[[], dict[int, bool]]) -> dict[int, bool]:
    """Run ``work`` in a thread of its own that entered the network namespace ``namespace``.

    ``setns`` moves only the calling thread, and a socket stays in the namespace
    it was made in: the thread ends after the query, the process never moves.
    """
    import ctypes  # noqa: PLC0415 - only for another namespace
    import threading  # noqa: PLC0415

    clone_newnet = 0x40000000
    result: list[dict[int, bool]] = [{}]

    def enter_and_work() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            with open(namespace, "rb") as handle:
                if libc.setns(handle.fileno(), clone_newnet) != 0:
                    return
            result[0] = work()
        except (OSError, AttributeError):
            return

    thread = threading.Thread(target=enter_and_work, name="portspec-netns", daemon=True)
    thread.start()
    thread.join(10)
    return result[0]


def _read_diag(data: bytes, found: dict[int, bool]) -> bool:
    """Read one netlink datagram into ``found``; False once the dump is over."""
    offset = 0
    while offset + _NLMSG_HEADER.size <= len(data):
        length, kind, _, _, _ = _NLMSG_HEADER.unpack_from(data, offset)
        if length < _NLMSG_HEADER.size or offset + length > len(data):
            return False
        if kind in (_NLMSG_DONE, _NLMSG_ERROR):
            return False
        start = offset + _NLMSG_HEADER.size
        if kind == _SOCK_DIAG_BY_FAMILY and length >= _NLMSG_HEADER.size + _DIAG_MESSAGE.size:
            inode = _DIAG_MESSAGE.unpack_from(data, start)[-1]
            at, end = start + _DIAG_MESSAGE.size, offset + length
            while at + _RTATTR.size <= end:
                size, attribute = _RTATTR.unpack_from(data, at)
                if size < _RTATTR.size:
                    break
                if attribute == _INET_DIAG_SKV6ONLY and size > _RTATTR.size:
                    found[inode] = data[at + _RTATTR.size] != 0
                at += (size + 3) & ~3
        offset += (length + 3) & ~3
    return True


def attribute_owners(listeners: Sequence[Listener], proc: Path = Path("/proc")) -> list[Listener]:
    """``listeners`` with the pid and program holding each socket, where ``/proc`` tells."""
    wanted = {listener.inode for listener in listeners}
    owner: dict[int, tuple[int, str | None]] = {}
    try:
        entries = list(os.scandir(proc))
    except OSError:
        return list(listeners)
    for entry in entries:
        if not entry.name.isdigit() or len(owner) == len(wanted):
            continue
        pid = int(entry.name)
        try:
            links = os.listdir(os.path.join(entry.path, "fd"))
        except OSError:  # EACCES for another user's process, ENOENT once it exited
            continue
        for fd in links:
            try:
                target = os.readlink(os.path.join(entry.path, "fd", fd))
            except OSError:
                continue
            match = _SOCKET_LINK.fullmatch(target)
            if match is None:
                continue
            inode = int(match[1])
            if inode in wanted and inode not in owner:
                owner[inode] = (pid, _program(Path(entry.path)))
    out: list[Listener] = []
    for listener in listeners:
        known = owner.get(listener.inode)
        if known is None:
            out.append(listener)
        else:
            out.append(dataclasses.replace(listener, pid=known[0], program=known[1]))
    return out


def _program(process: Path) -> str | None:
    try:
        return (process / "comm").read_text(encoding="utf-8", errors="replace").strip() or None
    except OSError:
        return None


# ------------------------------------------------------------ endpoint


def find_endpoint(environ: Mapping[str, str], home: Path | None = None) -> Endpoint:
    """The daemon the docker CLI would use: ``DOCKER_HOST``, the current context, the default.

    As ``docker/cli`` resolves it: ``DOCKER_HOST`` wins; then ``DOCKER_CONTEXT``;
    then ``currentContext`` in ``config.json`` (in ``DOCKER_CONFIG``, else
    ``~/.docker``); the context ``default`` is the default socket.

    >>> find_endpoint({"DOCKER_HOST": "tcp://10.0.0.5:2376"}).origin
    'DOCKER_HOST'
    """
    host = environ.get("DOCKER_HOST", "")
    if host:
        cert = environ.get("DOCKER_CERT_PATH", "")
        verify = environ.get("DOCKER_TLS_VERIFY", "") not in ("", "0")
        return Endpoint(host, "DOCKER_HOST", Path(cert) if cert and verify else None)
    config_dir = _config_dir(environ, home)
    name = environ.get("DOCKER_CONTEXT", "") or _current_context(config_dir)
    if not name or name == "default":
        return Endpoint(DEFAULT_HOST, "default")
    return _context_endpoint(config_dir, name)


def _config_dir(environ: Mapping[str, str], home: Path | None) -> Path:
    given = environ.get("DOCKER_CONFIG", "")
    if given:
        return Path(given)
    return (home if home is not None else Path.home()) / ".docker"


def _current_context(config_dir: Path) -> str:
    path = config_dir / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ""
    except (OSError, ValueError) as error:
        raise HostError(f"cannot read {path}: {error}") from None
    name = data.get("currentContext", "") if isinstance(data, dict) else ""
    return name if isinstance(name, str) else ""


def _context_endpoint(config_dir: Path, name: str) -> Endpoint:
    # docker/cli stores a context under the sha256 of its name.
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest / "meta.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HostError(f"docker context {name!r} not found ({meta})") from None
    except (OSError, ValueError) as error:
        raise HostError(f"cannot read docker context {name!r}: {error}") from None
    endpoints = data.get("Endpoints") if isinstance(data, dict) else None
    docker = endpoints.get("docker") if isinstance(endpoints, dict) else None
    host = docker.get("Host") if isinstance(docker, dict) else None
    if not isinstance(host, str) or not host:
        raise HostError(f"docker context {name!r} has no docker endpoint")
    assert isinstance(docker, dict)
    tls = config_dir / "contexts" / "tls" / digest / "docker"
    return Endpoint(
        host,
        f"context {name}",
        tls if tls.is_dir() else None,
        bool(docker.get("SkipTLSVerify", False)),
    )


# ---------------------------------------------------------- containers


def read_containers(endpoint: Endpoint, *, timeout: float = 10.0) -> list[RunningContainer]:
    """The running containers of the daemon at ``endpoint`` and the host ports each holds.

    Raises ``HostError`` when the docker SDK is not installed or the daemon
    does not answer.
    """
    return read_engine(endpoint, timeout=timeout)[1]


def read_engine(
    endpoint: Endpoint, *, timeout: float = 10.0
) -> tuple[str | None, list[RunningContainer]]:
    """The daemon's Engine version (``20.10.24+dfsg1``) and its running containers.

    As :func:`read_containers`, and the version the daemon reports of itself.
    """
    try:
        import docker  # noqa: PLC0415 - an optional extra
        import docker.errors  # noqa: PLC0415
        import requests.exceptions  # noqa: PLC0415 - the SDK's transport
    except ImportError:
        raise HostError(
            "reading running containers needs the docker SDK: pip install 'portspec[host]'"
        ) from None
    _reach_unix_socket(endpoint)
    tls = _tls(endpoint)
    errors = (docker.errors.DockerException, requests.exceptions.RequestException)
    try:
        # The SDK's version="auto" asks the daemon from its constructor and leaks
        # the connection when that fails: ask first, with a client we can close.
        probe = docker.APIClient(base_url=endpoint.host, tls=tls, timeout=timeout, version="1.24")
        try:
            about = probe.version(api_version=False)
            version = about["ApiVersion"]
            engine = about.get("Version")
        finally:
            probe.close()
        client = docker.APIClient(base_url=endpoint.host, tls=tls, timeout=timeout, version=version)
    except errors as error:
        raise _unreachable(endpoint, error) from None
    try:
        # The list gives the ids; only inspect gives the start time and labels in full.
        details = []
        for summary in client.containers(filters={"status": "running"}):
            try:
                details.append(client.inspect_container(summary["Id"]))
            except docker.errors.NotFound:  # it stopped in between
                continue
    except errors as error:
        raise _unreachable(endpoint, error) from None
    finally:
        client.close()
    found = [running for item in details if (running := running_container(item)) is not None]
    return (engine if isinstance(engine, str) else None), found


def _reach_unix_socket(endpoint: Endpoint) -> int | None:
    """Connect once to a unix socket endpoint: the SDK leaks its socket when connect fails.

    Returns the pid of the process that listens on it, where the system tells.
    """
    parts = urlsplit(endpoint.host)
    if parts.scheme != "unix" or not hasattr(socket, "AF_UNIX"):
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(5)
        try:
            probe.connect(parts.path)
        except OSError as error:
            raise _unreachable(endpoint, error) from None
        peer = getattr(socket, "SO_PEERCRED", None)
        if peer is None:
            return None
        try:
            pid, _, _ = struct.unpack("=iII", probe.getsockopt(socket.SOL_SOCKET, peer, 12))
        except OSError:
            return None
        # 0: the daemon is in a pid namespace this process cannot see.
        return pid if pid > 0 else None


def daemon_pid(endpoint: Endpoint) -> int | None:
    """The pid of the daemon behind a unix socket endpoint (``SO_PEERCRED``), where known.

    Its ``/proc/PID/net`` shows the sockets of the network namespace where it
    binds the ports it publishes. Raises ``HostError`` when nothing listens.
    """
    return _reach_unix_socket(endpoint)


def _unreachable(endpoint: Endpoint, error: BaseException) -> HostError:
    """One line: the daemon, how it was chosen, and the operating system's reason if any."""
    return HostError(
        f"cannot reach the Docker daemon at {endpoint.host} ({endpoint.origin}): {_reason(error)}"
    )


def _reason(error: BaseException) -> str:
    """The innermost ``OSError`` text of an SDK error (they nest several deep), else its text."""
    seen: set[int] = set()
    work: list[object] = [error]
    while work:
        item = work.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, OSError) and item.strerror:
            return item.strerror
        work.extend([*item.args, item.__cause__, item.__context__])
    return str(error).partition("\n")[0]


def _tls(endpoint: Endpoint) -> Any:
    if endpoint.tls is None:
        return False
    from docker.tls import TLSConfig  # noqa: PLC0415

    folder = endpoint.tls
    cert = (str(folder / "cert.pem"), str(folder / "key.pem"))
    ca = folder / "ca.pem"
    return TLSConfig(
        client_cert=cert if (folder / "cert.pem").is_file() else None,
        ca_cert=str(ca) if ca.is_file() else None,
        verify=not endpoint.skip_tls_verify and ca.is_file(),
    )


def running_container(item: Mapping[str, Any]) -> RunningContainer | None:
    """One ``docker inspect`` object as a running container, or None when it is not running."""
    from portspec.errors import PortSpecError  # noqa: PLC0415
    from portspec.sources.runtime import parse_docker_inspect  # noqa: PLC0415

    state = item.get("State")
    if isinstance(state, Mapping) and state.get("Running") is False:
        return None
    try:
        container = parse_docker_inspect(item)[0]
    except PortSpecError:
        # A binding this reader cannot make sense of: keep the container, not its ports.
        container = Container(name=_name(item))
    # Only what Docker bound: the host port of each binding is known.
    publish = tuple(m for m in container.publish if m.host is not None and m.host.start != 0)
    container = dataclasses.replace(container, publish=publish)
    config = item.get("Config")
    labels = config.get("Labels") if isinstance(config, Mapping) else None
    labels = labels if isinstance(labels, Mapping) else {}
    started = state.get("StartedAt") if isinstance(state, Mapping) else None
    identity = item.get("Id")
    return RunningContainer(
        id=identity if isinstance(identity, str) else "",
        name=_name(item),
        container=container,
        project=_text(labels.get(_PROJECT_LABEL)),
        service=_text(labels.get(_SERVICE_LABEL)),
        oneoff=str(labels.get(_ONEOFF_LABEL, "")).lower() == "true",
        started=parse_timestamp(started) if isinstance(started, str) else None,
    )


def _name(item: Mapping[str, Any]) -> str:
    name = item.get("Name")
    if isinstance(name, str) and name:
        return name.removeprefix("/")
    identity = item.get("Id")
    return identity[:12] if isinstance(identity, str) else "?"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_timestamp(text: str) -> datetime | None:
    """An Engine API time (RFC 3339, nanoseconds) in UTC; None for Go's zero time or junk.

    >>> parse_timestamp("2026-12-05T15:00:00.123456789Z")
    datetime.datetime(2026, 12, 5, 15, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    """
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text)
    if match is None:
        return None
    zone = "+00:00" if match[3] == "Z" else match[3]
    fraction = (match[2] or "0")[:6].ljust(6, "0")
    try:
        value = datetime.fromisoformat(f"{match[1]}.{fraction}{zone}")
    except ValueError:
        return None
    if value.year <= 1:
        return None
    return value.astimezone(timezone.utc)


def holders(
    containers: Iterable[RunningContainer], listeners: Iterable[Listener]
) -> tuple[list[RunningContainer], list[Listener]]:
    """The containers, and the sockets not already accounted for by a container's binding.

    A container's host port is held by ``docker-proxy`` (or by dockerd
    itself): the socket belongs to the container, not to a program on the host.
    """
    running = list(containers)
    bound: set[tuple[Protocol, HostAddress, int]] = set()
    for item in running:
        for mapping in item.container.publish:
            if mapping.host is None or mapping.host_ip is None:
                continue
            address = mapping.host_ip
            if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped
            for port in range(mapping.host.start, mapping.host.end + 1):
                bound.add((mapping.protocol, address, port))
    rest = [s for s in listeners if (s.protocol, s.address, s.port) not in bound]
    return running, rest
