"""A private Docker daemon for tests: started as root in a temporary folder, always stopped.

The daemon is Debian's ``dockerd`` (``docker.io``), run with its own socket,
data root, exec root and pid file under a short folder in ``/tmp`` (a unix
socket path holds about 100 bytes), ``--storage-driver vfs`` (no overlay
mounts to leak) and ``--iptables=false --ip6tables=false``: a published port
is then bound by ``docker-proxy`` (the userland proxy, on by default), which
is exactly the allocation the tests look at. The image is one static busybox
binary, imported from a tar: no registry is involved.

By default the daemon gets network and mount namespaces of its own
(``unshare --net --mount``). Two daemons on one machine otherwise share the
``docker0`` bridge and its addresses, and the ports they publish share the
host's port space with every other program: a test of which ports a daemon
grants would then depend on what else runs. In its own network namespace the
daemon has its own ``lo`` (brought up first: ``127.0.0.0/8`` and ``::1``), its
own ``docker0``, and a port space that holds only what the test starts, so
several test runs can each have a daemon at once; its mounts die with its mount
namespace. ``own_network=False`` runs it in the caller's namespaces instead
(to see its ``docker-proxy`` sockets in the caller's ``/proc/net``); then only
one such daemon runs at a time on the machine, under an exclusive lock, and
the ``docker0`` bridge is deleted afterwards if this daemon made it.

Nothing here ever talks to a system daemon: every client call names this
daemon's socket (``DOCKER_HOST``) and a private client configuration
(``DOCKER_CONFIG``), so neither a context nor ``/var/run/docker.sock`` is used.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = [
    "IMAGE",
    "LABEL",
    "DaemonError",
    "EngineDaemon",
    "RunResult",
    "engine_daemon",
]

#: The tag of the one-binary image every test container runs.
IMAGE = "portspec-busybox"
#: The label on every container the helpers start, so that they can all be removed.
LABEL = "portspec.test"
#: Held for the lifetime of a daemon that shares the caller's network namespace.
HOST_LOCK = Path("/tmp/portspec-dockerd.lock")

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 20.0


class DaemonError(RuntimeError):
    """The private daemon could not be started; the message says why."""


@dataclass(frozen=True, slots=True)
class RunResult:
    """What ``docker run -d`` did: the container's id when it started, else the error."""

    started: bool
    container_id: str | None
    error: str


def _which(name: str, *extra: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *extra])
    return shutil.which(name, path=path)


def _link_exists(name: str) -> bool:
    return Path("/sys/class/net", name).exists()


def _mounts_under(root: Path) -> list[str]:
    """Mount points at or below ``root`` in this mount namespace, in mount order."""
    prefix = str(root)
    found: list[str] = []
    with contextlib.suppress(OSError), open("/proc/self/mountinfo", encoding="utf-8") as lines:
        for line in lines:
            fields = line.split()
            if len(fields) < 5:
                continue
            # mountinfo escapes blanks in paths as octal.
            point = fields[4].encode().decode("unicode_escape")
            if point == prefix or point.startswith(prefix + "/"):
                found.append(point)
    return found


def _remove_stale() -> None:
    """Delete the folders of daemons whose test process was killed outright (SIGKILL)."""
    for folder in Path("/tmp").glob("psd*"):
        pidfile, log = folder / "docker.pid", folder / "dockerd.log"
        if not log.is_file() or _mounts_under(folder):
            continue
        try:
            os.kill(int(pidfile.read_text()), 0)
        except ProcessLookupError:
            pass  # its daemon is gone
        except FileNotFoundError:
            # A daemon deletes its pid file when it stops; one that is still
            # starting has not written it yet, but has just written its log.
            with contextlib.suppress(OSError):
                if time.time() - log.stat().st_mtime < _START_TIMEOUT * 2:
                    continue
        except (OSError, ValueError):
            continue
        else:
            continue
        shutil.rmtree(folder, ignore_errors=True)


class EngineDaemon:
    """A running private ``dockerd`` and a docker CLI pointed at it."""

    def __init__(self, *, own_network: bool = True) -> None:
        docker = _which("docker", "/usr/local/bin")
        if docker is None:
            raise DaemonError("the docker CLI is not on PATH")
        self.docker_cli = docker
        self.own_network = own_network
        self.root = Path(tempfile.mkdtemp(prefix="psd", dir="/tmp"))
        self.socket = self.root / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.version = ""
        self.api_version = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log = self.root / "dockerd.log"
        self._lock: int | None = None
        self._made_bridge = False
        self._closed = False
        self._guard = threading.Lock()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> EngineDaemon:
        """Start the daemon and import the image; on any failure, clean up and raise."""
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        if os.geteuid() != 0:
            raise DaemonError("dockerd needs root")
        _remove_stale()
        dockerd = _which("dockerd", "/usr/sbin", "/usr/bin")
        busybox = _which("busybox", "/usr/bin", "/bin")
        if dockerd is None:
            raise DaemonError("dockerd is not installed (Debian: apt-get install docker.io)")
        if busybox is None:
            raise DaemonError("busybox is not installed (Debian: apt-get install busybox-static)")
        command = [
            dockerd,
            "--host",
            self.host,
            "--data-root",
            str(self.root / "data"),
            "--exec-root",
            str(self.root / "exec"),
            "--pidfile",
            str(self.root / "docker.pid"),
            "--storage-driver",
            "vfs",
            "--iptables=false",
            "--ip6tables=false",
        ]
        if self.own_network:
            unshare = _which("unshare", "/usr/bin")
            ip = _which("ip", "/usr/sbin", "/sbin")
            if unshare is None or ip is None:
                raise DaemonError("unshare and ip (util-linux, iproute2) are needed")
            script = f'"{ip}" link set lo up && exec "$@"'
            command = [
                unshare,
                "--net",
                "--mount",
                "--propagation",
                "private",
                "--",
                "sh",
                "-c",
                script,
                "dockerd",
                *command,
            ]
        else:
            self._lock = os.open(HOST_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self._made_bridge = not _link_exists("docker0")
        # If the test process is killed outright, the daemon gets SIGTERM and
        # stops its containers and containerd; the setting survives exec.
        setpriv = _which("setpriv", "/usr/bin")
        if setpriv is not None:
            command = [setpriv, "--pdeathsig", "TERM", "--", *command]
        _register(self)
        with open(self._log, "wb") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")},
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                raise DaemonError(f"dockerd exited with {self._process.returncode}: {self.log()}")
            probe = self.docker(
                "version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}", check=False
            )
            if probe.returncode == 0:
                self.version, self.api_version = probe.stdout.split()
                break
            if time.monotonic() > deadline:
                raise DaemonError(f"dockerd did not answer in {_START_TIMEOUT:.0f} s: {self.log()}")
            time.sleep(0.1)
        self._import_image(busybox)

    def _import_image(self, busybox: str) -> None:
        tar = self.root / "image.tar"
        with tarfile.open(tar, "w") as archive:
            archive.add(busybox, arcname="bin/busybox")
            link = tarfile.TarInfo("bin/sleep")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            archive.addfile(link)
        self.docker("import", str(tar), IMAGE)

    def log(self, tail: int = 2000) -> str:
        """The end of the daemon's log, for error messages."""
        try:
            return self._log.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    @property
    def pid(self) -> int | None:
        """The daemon's process id (``nsenter -t PID -n`` enters its network namespace)."""
        return None if self._process is None else self._process.pid

    def close(self) -> None:
        """Remove the containers, stop the daemon, unmount and delete its folder; idempotent."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
        try:
            process = self._process
            if process is not None and process.poll() is None:
                with contextlib.suppress(Exception):
                    self.remove_containers(everything=True)
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for point in reversed(_mounts_under(self.root)):
                subprocess.run(["umount", "-l", point], check=False, capture_output=True)
            shutil.rmtree(self.root, ignore_errors=True)
            if self._made_bridge and _link_exists("docker0"):
                subprocess.run(
                    ["ip", "link", "delete", "docker0"], check=False, capture_output=True
                )
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None
            _unregister(self)

    def __enter__(self) -> EngineDaemon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --------------------------------------------------------------- client

    def env(self) -> dict[str, str]:
        """The environment for a docker client of this daemon, and of no other."""
        config = self.root / "client"
        config.mkdir(exist_ok=True)
        return {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(config),
            "DOCKER_HOST": self.host,
            "DOCKER_CONFIG": str(config),
            "DOCKER_CLI_HINTS": "false",
        }

    def docker(
        self, *args: str, check: bool = True, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        """Run the docker CLI against this daemon."""
        done = subprocess.run(
            [self.docker_cli, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise DaemonError(f"docker {' '.join(args)}: {done.stderr.strip()}")
        return done

    def client(self) -> Any:
        """A ``docker`` SDK client of this daemon."""
        import docker

        return docker.DockerClient(base_url=self.host, version=self.api_version)

    def run(self, args: Sequence[str], command: Sequence[str] = ("sleep", "600")) -> RunResult:
        """``docker run -d ARGS IMAGE COMMAND``: started, or refused with the daemon's error."""
        done = self.docker(
            "run", "-d", "--label", LABEL, *args, IMAGE, *command, check=False, timeout=120.0
        )
        if done.returncode == 0:
            return RunResult(True, done.stdout.strip(), "")
        return RunResult(False, None, done.stderr.strip())

    def inspect(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """``docker inspect`` of containers, in the order given."""
        if not ids:
            return []
        found: list[dict[str, Any]] = json.loads(self.docker("inspect", *ids).stdout)
        return found

    def remove_containers(self, *, everything: bool = False) -> None:
        """Remove the containers the helpers started (every container with ``everything``)."""
        listing = ["ps", "-aq"] if everything else ["ps", "-aq", "--filter", f"label={LABEL}"]
        ids = self.docker(*listing).stdout.split()
        if ids:
            self.docker("rm", "-f", "-v", *ids, timeout=120.0)


# Daemons still running at exit or on SIGTERM are closed: a test run never
# leaves one behind, whatever ends it.
_running: list[EngineDaemon] = []
_running_lock = threading.Lock()
_handlers: list[bool] = []


def _close_all() -> None:
    with _running_lock:
        daemons = list(_running)
    for daemon in daemons:
        daemon.close()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _close_all()
    raise SystemExit(128 + signum)


def _register(daemon: EngineDaemon) -> None:
    with _running_lock:
        _running.append(daemon)
        if not _handlers:
            _handlers.append(True)
            atexit.register(_close_all)
            if (
                threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
            ):
                signal.signal(signal.SIGTERM, _on_sigterm)


def _unregister(daemon: EngineDaemon) -> None:
    with _running_lock, contextlib.suppress(ValueError):
        _running.remove(daemon)


@contextlib.contextmanager
def engine_daemon(*, own_network: bool = True) -> Iterator[EngineDaemon]:
    """A started private daemon for the ``with`` block; ``DaemonError`` if it cannot start."""
    daemon = EngineDaemon(own_network=own_network).start()
    try:
        yield daemon
    finally:
        daemon.close()
