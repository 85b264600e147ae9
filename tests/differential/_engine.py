"""A fake Docker Engine on a unix socket, and the real docker CLI pointed at it.

The docker CLI checks ``-p``, ``--expose`` and ``--link`` itself and sends what
it understood as the body of ``POST /containers/create``. Answering that
request (and the ping and version requests before it) is all an Engine has to
do for the CLI to tell us, value by value, what Docker accepts and what it
means. No daemon, no image, no network.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "API_VERSION",
    "RUN_LABEL",
    "Batch",
    "DockerCLI",
    "FakeEngine",
    "HarnessError",
    "Result",
    "run_label",
]

API_VERSION = "1.50"
_VERSION = {
    "ApiVersion": API_VERSION,
    "MinAPIVersion": "1.24",
    "Version": "28.2.2",
    "Os": "linux",
    "Arch": "amd64",
    "KernelVersion": "6.0.0",
    "GitCommit": "0000000",
    "GoVersion": "go1.24.0",
    "Components": [],
}
_ROUTE = re.compile(r"^(?:/v[0-9.]+)?(/.*)$")
# Docker refused to run for a reason that has nothing to do with the value.
_NOT_THE_VALUE = re.compile(
    r"Cannot connect to the Docker daemon|error during connect|Error response from daemon"
    r"|unknown flag|requires at least|permission denied",
    re.IGNORECASE,
)
# A whole command line may be refused for any flag: only these say the CLI never judged it.
_NOT_THE_COMMAND = re.compile(
    r"Cannot connect to the Docker daemon|error during connect|Error response from daemon",
    re.IGNORECASE,
)
#: A container labelled ``RUN_LABEL=key`` has its create body filed under the key, not its name.
RUN_LABEL = "portspec.differential.run"


def run_label(key: str) -> str:
    """The argument that files a ``DockerCLI.command`` run's create body under ``key``."""
    return f"--label={RUN_LABEL}={key}"


class HarnessError(RuntimeError):
    """The oracle itself misbehaved: its answer says nothing about the value."""


@dataclass(frozen=True, slots=True)
class Result:
    """What one ``docker create`` run did."""

    accepted: bool
    stderr: str
    #: The JSON body of ``POST /containers/create``; ``None`` when none was sent.
    body: dict[str, Any] | None
    #: The container name the create request asked for, where the run kept it.
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """Values docker saw in one run, and how that run went."""

    values: tuple[str, ...]
    result: Result


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_HEAD(self) -> None:
        self._route(with_body=False)

    def do_GET(self) -> None:
        self._route(with_body=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        match = _ROUTE.match(url.path)
        if match is None or match.group(1) != "/containers/create":
            self._answer(404, {"message": f"page not found: {url.path}"})
            return
        name = parse_qs(url.query).get("name", [""])[0]
        body = json.loads(raw or b"{}")
        labels = body.get("Labels") if isinstance(body, dict) else None
        key = labels.get(RUN_LABEL) if isinstance(labels, dict) else None
        self.server.record(name if key is None else f"{RUN_LABEL}={key}", name, body)
        self._answer(201, {"Id": "0" * 64, "Warnings": []})

    def _route(self, *, with_body: bool) -> None:
        match = _ROUTE.match(urlsplit(self.path).path)
        route = "" if match is None else match.group(1)
        if route == "/_ping":
            self._answer(200, b"OK", with_body=with_body)
        elif route == "/version":
            self._answer(200, _VERSION, with_body=with_body)
        else:
            self._answer(404, {"message": f"page not found: {route}"}, with_body=with_body)

    def _answer(self, status: int, body: object, *, with_body: bool = True) -> None:
        if isinstance(body, bytes):
            data, kind = body, "text/plain; charset=utf-8"
        else:
            data, kind = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the CLI's requests are the point, not noise on stderr


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str) -> None:
        super().__init__(path, _Handler)
        self._lock = threading.Lock()
        self._bodies: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def get_request(self) -> tuple[socket.socket, Any]:
        request, _ = super().get_request()
        # BaseHTTPRequestHandler logs and formats a (host, port) client address.
        return request, ("local", 0)

    def record(self, key: str, name: str, body: dict[str, Any]) -> None:
        with self._lock:
            self._bodies.setdefault(key, []).append((name, body))

    def take(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return self._bodies.pop(key, [])


class FakeEngine:
    """A Docker Engine API that creates nothing and remembers every create request."""

    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path
        self._server = _Server(socket_path)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-docker-engine", daemon=True
        )

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> FakeEngine:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        Path(self.socket_path).unlink(missing_ok=True)

    def take(self, name: str) -> list[dict[str, Any]]:
        """The create bodies sent for the container ``name``, forgotten once taken."""
        return [body for _, body in self._server.take(name)]

    def take_named(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        """The (name, body) of each create request filed under ``key``, forgotten once taken."""
        return self._server.take(key)


class DockerCLI:
    """``docker create`` against a ``FakeEngine``, reading no configuration of the user's.

    ``create(["--publish=8080:80"]).body["HostConfig"]["PortBindings"]`` is
    ``{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}``.
    """

    def __init__(
        self,
        engine: FakeEngine,
        config_dir: Path,
        *,
        docker: str = "docker",
        image: str = "alpine",
        workers: int = 4,
        timeout: float = 60.0,
    ) -> None:
        self.engine = engine
        self.docker = docker
        self.image = image
        self.workers = workers
        self.timeout = timeout
        self.runs = 0
        self._names = itertools.count()
        self._lock = threading.Lock()
        config_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(config_dir),
            "DOCKER_HOST": engine.url,
            "DOCKER_CONFIG": str(config_dir),
            "DOCKER_CLI_HINTS": "false",
            "LC_ALL": "C.UTF-8",
            # One short-lived process: a single OS thread and no garbage
            # collection make each run cheaper when several run at once.
            "GOMAXPROCS": "1",
            "GOGC": "off",
        }

    def create(self, args: Sequence[str]) -> Result:
        """Run ``docker create ARGS IMAGE`` once and say what became of it."""
        with self._lock:
            name = f"portspec-{next(self._names)}"
            self.runs += 1
        argv = [self.docker, "create", f"--name={name}", *args, self.image]
        done = subprocess.run(
            argv,
            env=self.env,
            capture_output=True,
            timeout=self.timeout,
            check=False,
        )
        stderr = done.stderr.decode("utf-8", "replace")
        bodies = self.engine.take(name)
        if done.returncode == 0:
            if len(bodies) != 1:
                raise HarnessError(f"docker create succeeded with {len(bodies)} requests: {stderr}")
            return Result(True, stderr, bodies[0])
        # The values are echoed in the message: only the rest tells why.
        scrubbed = stderr
        for arg in args:
            value = arg.partition("=")[2]
            scrubbed = scrubbed.replace(value, "") if value else scrubbed
        if bodies or _NOT_THE_VALUE.search(scrubbed) or not stderr.strip():
            raise HarnessError(
                f"docker create failed for a reason other than its flags"
                f" (exit {done.returncode}): {stderr.strip()!r}"
            )
        return Result(False, stderr, None)

    def command(self, argv: Sequence[str], key: str, *, starts: bool = False) -> Result:
        """Run ``docker ARGV`` as it stands, ``ARGV`` holding ``run_label(key)``.

        Any argument may be at fault, so a refusal is only doubted when docker
        never got to judge the command line (no Engine, or the Engine refused).
        ``starts``: ``docker run``, which goes on to start, attach to or wait
        for what it created; the fake Engine cannot, so there the create
        request alone is what accepting means. The result's ``name`` is the
        container name docker asked for (``""``: none).
        """
        with self._lock:
            self.runs += 1
        done = subprocess.run(
            [self.docker, *argv],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=self.timeout,
            check=False,
        )
        stderr = done.stderr.decode("utf-8", "replace")
        named = self.engine.take_named(f"{RUN_LABEL}={key}")
        if len(named) > 1 or (not named and done.returncode == 0):
            raise HarnessError(f"docker {list(argv)!r} sent {len(named)} create requests: {stderr}")
        if named and (done.returncode == 0 or starts):
            name, body = named[0]
            return Result(True, stderr, body, name)
        scrubbed = stderr
        for arg in sorted(argv, key=len, reverse=True):
            scrubbed = scrubbed.replace(arg, "") if arg else scrubbed
        if named or _NOT_THE_COMMAND.search(scrubbed) or not stderr.strip():
            raise HarnessError(
                f"docker {list(argv)!r} failed for a reason other than its arguments"
                f" (exit {done.returncode}): {stderr.strip()!r}"
            )
        return Result(False, stderr, None)

    def create_each(self, arg_lists: Iterable[Sequence[str]]) -> list[Result]:
        """``create`` for each argument list, a few at a time."""
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(self.create, arg_lists))

    def run_batches(
        self,
        flag: str,
        values: Sequence[str],
        *,
        weight: Callable[[str], int] = lambda _: 1,
        max_weight: int = 400,
    ) -> list[Batch]:
        """Give docker many values expected valid, one run for as many as fit.

        A refused run is cut in halves until each refused value stands alone,
        so the answer holds accepted batches and refused single values.
        Batches run a few at a time.
        """
        batches: list[list[str]] = [[]]
        total = 0
        for value in values:
            cost = max(1, weight(value))
            if batches[-1] and total + cost > max_weight:
                batches.append([])
                total = 0
            batches[-1].append(value)
            total += cost
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            found = pool.map(lambda batch: self._bisect(flag, batch), [b for b in batches if b])
            return [batch for part in found for batch in part]

    def _bisect(self, flag: str, values: Sequence[str]) -> list[Batch]:
        result = self.create([f"{flag}={value}" for value in values])
        if result.accepted or len(values) == 1:
            return [Batch(tuple(values), result)]
        middle = len(values) // 2
        return self._bisect(flag, values[:middle]) + self._bisect(flag, values[middle:])
