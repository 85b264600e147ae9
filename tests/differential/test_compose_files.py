"""Compose files read by portspec and by Docker Compose v2 (``docker-compose config``).

Acceptance and the normalized ``ports``/``expose``/``links``/``network_mode``
of every service must agree: portspec's ``to_compose(long=True)`` against
the binary's ``config --format json``.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from portspec.emit.compose import to_compose
from portspec.errors import PortSpecError
from portspec.sources.compose import UNSET_VARIABLE, Project, iter_compose_problems, load_compose
from tests.differential._compose_oracle import compose_binary
from tests.paths import CORPUS

pytestmark = pytest.mark.differential

_CORPUS = CORPUS
_KEYS = ("ports", "expose", "links", "network_mode")


def _config(binary: str, path: Path, env: dict[str, str]) -> dict[str, Any] | None:
    """Compose's normalized services, or None when it refuses the file."""
    done = subprocess.run(
        [binary, "-f", str(path), "config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=path.parent,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(path.parent), **env},
        check=False,
        timeout=60,
    )
    if done.returncode != 0 or not done.stdout.strip():
        return None
    services: dict[str, Any] = json.loads(done.stdout)["services"]
    return services


def _theirs(service: dict[str, Any]) -> dict[str, Any]:
    return {key: service[key] for key in _KEYS if service.get(key)}


def _ours(project: Project) -> dict[str, dict[str, Any]]:
    return {
        name: to_compose(c, long=True, unrunnable=project.unrunnable.get(name, ()))
        for name, c in project.services.items()
    }


def _load(path: Path, env: dict[str, str]) -> Project | None:
    try:
        return load_compose(path, env=env)
    except PortSpecError:
        return None


def _agree(binary: str, path: Path, env: dict[str, str]) -> tuple[bool, str]:
    theirs = _config(binary, path, env)
    ours = _load(path, env)
    if theirs is None or ours is None:
        return (theirs is None) == (ours is None), f"compose ok={theirs is not None}"
    expected = {name: _theirs(s) for name, s in theirs.items()}
    got = _ours(ours)
    diff = [
        f"{name}:\n  compose  {expected.get(name)}\n  portspec {got.get(name)}"
        for name in sorted(set(expected) | set(got))
        if expected.get(name) != got.get(name)
    ]
    return not diff, "\n".join(diff)


# ------------------------------------------------------------------ corpus


def _corpus_files() -> list[Path]:
    if not _CORPUS.is_dir():
        return []
    return sorted(p for p in _CORPUS.rglob("*.y*ml") if p.name.startswith(("compose", "docker-")))


def _unset_variables(path: Path) -> dict[str, str]:
    """A value for each variable the file uses unset, as its user would give one."""
    names = {
        match.group(1)
        for problem in iter_compose_problems(path, env={})
        if problem.code == UNSET_VARIABLE
        for match in [re.match(r"variable (\S+) is not set", problem.message)]
        if match
    }
    return dict.fromkeys(sorted(names), "/tmp")


def test_awesome_compose_corpus() -> None:
    binary = compose_binary()
    files = _corpus_files()
    if not files:
        pytest.skip(f"{_CORPUS} is absent: the corpus test reads it in place")
    with ThreadPoolExecutor(8) as pool:
        configs = list(pool.map(lambda p: _config(binary, p, {}), files))
    loaded, agreed, with_variables, failures = 0, 0, 0, []
    for path, first in zip(files, configs, strict=True):
        env: dict[str, str] = {}
        theirs = first
        if first is None:
            # Some files need variables set (plex: an unset one leaves a volume
            # spec empty, which Compose refuses); give them what a user would.
            env = _unset_variables(path)
            theirs = _config(binary, path, env) if env else None
            with_variables += bool(env)
        project = _load(path, env)
        loaded += project is not None
        if theirs is None or project is None:
            failures.append(
                f"{path}: compose ok={theirs is not None}, portspec ok={project is not None}"
            )
            continue
        expected = {name: _theirs(s) for name, s in theirs.items()}
        if expected == _ours(project):
            agreed += 1
        else:
            failures.append(f"{path}:\n compose {expected}\n portspec {_ours(project)}")
    print(
        f"\ncompose corpus: {len(files)} files, {loaded} loaded, {agreed} agree with Compose"
        f" ({with_variables} with the variables they need set)"
    )
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------ curated

CURATED: list[tuple[str, str]] = [
    ("short forms", "ports: ['80', '8080:80', 81, '127.0.0.1::80', '[::1]:7000:70', ':82']"),
    ("ranges", "ports: ['9000-9001:90-91/udp', '8000-8010:80', '7000-7001:70-71']"),
    ("protocols", "ports: ['80/UDP', '81/sctp', '82/tcp']"),
    ("yaml int", "ports: [0x50, 0o17, 1_000]"),
    ("leading zero", "ports: ['080:080']"),
    ("ipv6 bare", "ports: ['::1:80:80']"),
    (
        "long",
        "ports: [{target: 80}, {target: 81, published: 8081}, {target: 82, published: '8000-8010',"
        " host_ip: '::1', protocol: udp, mode: host, name: web, app_protocol: http}]",
    ),
    ("long target text", "ports: [{target: '80', published: ''}]"),
    ("long x-", "ports: [{target: 80, x-note: 1}]"),
    ("dedup", "ports: ['80', '80', {target: 80}, '8080:80', {target: 80, published: '8080'}]"),
    ("dedup int published", "ports: ['8080:80', {target: 80, published: 8080}]"),
    ("dedup replaces", "ports: ['8080:80', {target: 80, published: '8080', mode: host}]"),
    ("expose", "expose: ['80', 81, '82-83/udp', '84/tcp', '80']"),
    ("links", "links: [db, 'db:database', db]"),
    ("network_mode", "network_mode: 'service:db'"),
    ("network_mode host", "network_mode: host\n    ports: ['80:80']"),
    ("variables", "ports: ['${HOST_PORT:-8080}:80', '$${X}0']"),
    ("bad container", "ports: ['abc']"),
    ("bad host", "ports: ['99999:80']"),
    ("bad proto", "ports: ['80/foo']"),
    ("zero", "ports: ['0']"),
    ("zero int", "ports: [0]"),
    ("float", "ports: [80.5]"),
    ("bool", "ports: [true]"),
    ("bad ip", "ports: ['localhost:80:80']"),
    ("range lengths", "ports: ['8000-8001:80-82']"),
    ("long no target", "ports: [{published: 80}]"),
    ("long extra key", "ports: [{target: 80, x: 1}]"),
    ("long bad ip", "ports: [{target: 80, host_ip: abc}]"),
    ("long bracket ip", "ports: [{target: 80, host_ip: '[::1]'}]"),
    ("long float published", "ports: [{target: 80, published: 8080.0}]"),
    ("long negative", "ports: [{target: -1}]"),
    ("long name int", "ports: [{target: 80, name: 5}]"),
    ("expose float", "expose: [80.5]"),
    ("links undefined", "links: [nope]"),
    ("links int", "links: [80]"),
    ("network_mode undefined", "network_mode: 'service:nope'"),
    ("network_mode int", "network_mode: 80"),
    ("network_mode and networks", "network_mode: host\n    networks: [default]"),
    ("required variable", "ports: ['${P:?need P}:80']"),
    ("expose as typed", "expose: ['80/tcp', '080', '80-80', '82/UDP', 83]"),
    ("links as typed", "links: ['db:db', db, 'db:x']"),
    ("expose docker refuses", "expose: ['8000:8050', 'abc', '83/https']"),
    ("long published text", "ports: [{target: 80, published: 'abc'}, {target: 81, published: -5}]"),
    ("long published out of range", "ports: [{target: 80, published: 65536}, '8080:80']"),
    ("long protocol https", "ports: ['70', {target: 81, protocol: https}, '71']"),
    ("long target 0", "ports: [{target: 0}, {target: 70000, published: '8000-7000'}]"),
    ("long published null", "ports: [{target: 80, published: null}]"),
    ("ports null", "ports:"),
    ("expose null", "expose:"),
    ("links null", "links:"),
    ("networks null", "networks:"),
    ("network_mode null", "network_mode:"),
    ("scale", "scale: 3\n    ports: ['80']"),
    ("scale and replicas", "scale: 3\n    deploy: {replicas: 2}"),
    ("container_name with replicas", "container_name: c\n    deploy: {replicas: 2}"),
    ("undefined network", "networks: [front]"),
    ("undefined secret", "secrets: [pw]"),
    ("depends_on undefined", "depends_on: [nope]"),
    ("depends_on optional", "depends_on: {db: {condition: service_started, required: false}}"),
    ("depends_on optional undefined", "depends_on: {nope: {required: false}}"),
    (
        "depends_on optional profiled",
        "depends_on: {p: {required: false}}\n  p:\n    image: x\n    profiles: [x]",
    ),
    ("profiled out", "profiles: [x]\n    ports: ['80:80']"),
    ("volume empty section", "volumes: [':/media/']"),
    ("volume too many colons", "volumes: ['./a:/b:ro:x']"),
    ("volume undefined", "volumes: ['data:/data']"),
    ("volume windows drive", "volumes: ['C:\\\\data:/data']"),
    ("volume bind", "volumes: ['./a:/b:ro', '/c:/d', '~/e:/f', '/tmp']"),
    ("volume long undefined", "volumes: [{type: volume, source: data, target: /d}]"),
    ("volume interpolated colon", "volumes: ['${X:-./a}:/b']"),
    ("link to profiled", "links: [p]\n  p:\n    image: x\n    profiles: [x]"),
    ("bad interpolation", "ports: ['${1A}:80']"),
]


def _file(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"services:\n  db:\n    image: x\n  s:\n    image: x\n    {body}\n")
    return path


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="pscompose"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_curated(workdir: Path) -> None:
    binary = compose_binary()
    paths = [_file(workdir, f"c{i}.yaml", body) for i, (_, body) in enumerate(CURATED)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda p: _agree(binary, p, {}), paths))
    failures = [
        f"{label}: {body}\n{detail}"
        for (label, body), (ok, detail) in zip(CURATED, results, strict=True)
        if not ok
    ]
    print(f"\ncompose curated: {len(CURATED) - len(failures)}/{len(CURATED)} agree")
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------ generated


def _port(rng: random.Random) -> int:
    return rng.choice([1, 22, 80, 443, 1000, 8080, 65535, rng.randint(1, 65535)])


def _short(rng: random.Random, *, ranges: bool) -> str:
    target = _port(rng)
    width = rng.choice([0, 0, 0, 1, 3]) if ranges else 0
    container = str(target) if not width or target + width > 65535 else f"{target}-{target + width}"
    text = container
    if rng.random() < 0.7:
        host = _port(rng)
        if width and target + width <= 65535 and host + width <= 65535:
            text = f"{host}-{host + width}:{container}"
        elif rng.random() < 0.2 and host + 5 <= 65535:
            text = f"{host}-{host + 5}:{container}"
        else:
            text = f"{host}:{container}"
        if rng.random() < 0.3:
            ip = rng.choice(["127.0.0.1", "0.0.0.0", "[::1]", "::", "10.0.0.1"])
            text = f"{ip}:{text}"
    elif rng.random() < 0.2:
        text = f"127.0.0.1::{container}"
    if rng.random() < 0.3:
        text += "/" + rng.choice(["tcp", "udp", "sctp", "UDP"])
    return text


def _long_port(rng: random.Random) -> str:
    parts = [f"target: {_port(rng)}"]
    if rng.random() < 0.6:
        published = _port(rng)
        parts.append(f"published: {rng.choice([str(published), repr(str(published))])}")
    if rng.random() < 0.3:
        parts.append(f"host_ip: '{rng.choice(['127.0.0.1', '::1', '0.0.0.0'])}'")
    if rng.random() < 0.3:
        parts.append(f"protocol: {rng.choice(['tcp', 'udp', 'sctp'])}")
    if rng.random() < 0.2:
        parts.append(f"mode: {rng.choice(['host', 'ingress'])}")
    return "{" + ", ".join(parts) + "}"


def _service(rng: random.Random, index: int, names: list[str]) -> str:
    lines = [f"  s{index}:", "    image: x"]
    # A container range beside a long entry for one of its ports is a known
    # difference (docs/compose.md): Compose expands the range before it de-duplicates.
    ranges = rng.random() < 0.5
    ports = [
        repr(_short(rng, ranges=ranges)) if ranges or rng.random() < 0.7 else _long_port(rng)
        for _ in range(rng.randint(0, 5))
    ]
    if ports:
        lines.append(f"    ports: [{', '.join(ports)}]")
    expose = [rng.choice([str(_port(rng)), f"'{_port(rng)}/udp'", f"'{_port(rng)}'"])]
    if rng.random() < 0.5:
        lines.append(f"    expose: [{', '.join(expose * rng.randint(1, 2))}]")
    if names and rng.random() < 0.3:
        link = rng.choice(names)
        lines.append(f"    links: [{link}, '{link}:alias{index}']")
    if names and rng.random() < 0.1:
        lines.append(f"    network_mode: {rng.choice(['host', 'none', 'service:' + names[0]])}")
    return "\n".join(lines)


def test_generated(workdir: Path) -> None:
    binary = compose_binary()
    rng = random.Random(20261128)
    paths, count = [], 0
    for batch in range(6):
        services = [_service(rng, i, [f"s{j}" for j in range(i)]) for i in range(60)]
        count += len(services)
        path = workdir / f"g{batch}.yaml"
        path.write_text("services:\n" + "\n".join(services) + "\n")
        paths.append(path)
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda p: _agree(binary, p, {}), paths))
    failures = [
        f"{path}:\n{detail}" for path, (ok, detail) in zip(paths, results, strict=True) if not ok
    ]
    print(
        f"\ncompose generated: {count} services in {len(paths)} files,"
        f" {len(paths) - len(failures)} files agree"
    )
    assert not failures, "\n".join(failures)
