"""Several compose files merged, as ``docker-compose -f a -f b config --format json`` merges them.

Ports appended then de-duplicated, ``!reset``/``!override`` on ``ports``,
``expose`` and ``links``, ``network_mode`` replaced, ``extends`` (same file and
``file:``) bringing ports, and ``.env``/environment interpolation in override
files. Normalized ``ports`` (``to_compose(long=True)``), ``expose`` (by
meaning), ``links``, ``network_mode`` and the services each one waits for
(``Project.depends_on``, Compose's normalized ``depends_on``) and the
networks each joins (``Project.networks``) must agree.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from portspec._parse import parse_expose
from portspec.emit.compose import to_compose
from portspec.errors import PortSpecError
from portspec.sources.compose import load_compose
from tests.differential._compose_oracle import compose_binary

pytestmark = pytest.mark.differential

_KEYS = ("ports", "expose", "links", "network_mode")


@dataclass
class Case:
    """Files written to a fresh folder; ``files`` are given as ``-f`` in order."""

    label: str
    texts: dict[str, str]
    files: list[str]
    env: dict[str, str] = field(default_factory=dict)


def _config(binary: str, folder: Path, case: Case) -> dict[str, Any] | None:
    args = [binary]
    for name in case.files:
        args += ["-f", str(folder / name)]
    done = subprocess.run(
        [*args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=folder,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(folder), **case.env},
        check=False,
        timeout=60,
    )
    if done.returncode != 0 or not done.stdout.strip():
        return None
    services: dict[str, Any] = json.loads(done.stdout)["services"]
    return {name: _theirs(service) for name, service in services.items()}


def _theirs(service: dict[str, Any]) -> dict[str, Any]:
    out = {key: service[key] for key in _KEYS if service.get(key)}
    if "expose" in out:
        out["expose"] = [str(parse_expose(str(text))) for text in out["expose"]]
    if service.get("depends_on"):
        out["waits"] = sorted(service["depends_on"])
    if service.get("networks"):
        out["joins"] = sorted(service["networks"])
    return out


def _ours(folder: Path, case: Case) -> dict[str, Any] | None:
    first, *rest = (folder / name for name in case.files)
    try:
        project = load_compose(first, env=case.env, files=rest)
    except PortSpecError:
        return None
    ours = {name: to_compose(c, long=True) for name, c in project.services.items()}
    for name, waits in project.depends_on.items():
        ours[name]["waits"] = sorted(waits)
    for name, joins in project.networks.items():
        if joins:
            ours[name]["joins"] = sorted(joins)
    return ours


def _run(binary: str, root: Path, index: int, case: Case) -> tuple[bool, str]:
    folder = root / f"case{index}"
    folder.mkdir()
    for name, text in case.texts.items():
        (folder / name).write_text(text)
    theirs = _config(binary, folder, case)
    ours = _ours(folder, case)
    if theirs is None or ours is None:
        ok = (theirs is None) == (ours is None)
        return ok, f"compose accepts={theirs is not None} portspec accepts={ours is not None}"
    diff = [
        f"{name}:\n  compose  {theirs.get(name)}\n  portspec {ours.get(name)}"
        for name in sorted(set(theirs) | set(ours))
        if theirs.get(name) != ours.get(name)
    ]
    return not diff, "\n".join(diff)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="psmerge"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------ curated

_A = """\
services:
  db:
    image: x
  base:
    image: x
    ports: ['7000:70']
    expose: ['7']
  s:
    image: x
    ports: ['80', '8080:80', {target: 81, published: '8081'}]
    expose: ['80', 81]
    links: [db]
    network_mode: host
"""


def _two(label: str, b: str, **more: str) -> Case:
    return Case(label, {"a.yaml": _A, "b.yaml": b, **more}, ["a.yaml", "b.yaml"])


CURATED: list[Case] = [
    _two("append", "services:\n  s:\n    ports: ['90', '8080:80/udp']\n"),
    _two("append duplicate", "services:\n  s:\n    ports: ['80', '8080:80', 8080:80]\n"),
    _two(
        "duplicate replaces in place",
        "services:\n  s:\n    ports: [{target: 81, published: '8081', mode: host}, '91']\n",
    ),
    _two(
        "int published is another entry",
        "services:\n  s:\n    ports: [{target: 80, published: 8080}]\n",
    ),
    _two("reset ports", "services:\n  s:\n    ports: !reset []\n"),
    _two("override ports", "services:\n  s:\n    ports: !override ['90', '80']\n"),
    _two("reset expose", "services:\n  s:\n    expose: !reset []\n"),
    _two("override expose", "services:\n  s:\n    expose: !override ['90/udp']\n"),
    _two("append expose", "services:\n  s:\n    expose: ['80', '82-83/udp', 81]\n"),
    _two("append links", "services:\n  s:\n    links: ['db:d', db]\n"),
    _two("reset links", "services:\n  s:\n    links: !reset []\n"),
    _two("override links", "services:\n  s:\n    links: !override ['db:x']\n"),
    _two("network_mode replaced", "services:\n  s:\n    network_mode: none\n"),
    _two("network_mode service", "services:\n  s:\n    network_mode: 'service:db'\n"),
    _two("network_mode reset", "services:\n  s:\n    network_mode: !reset null\n"),
    _two("override service", "services:\n  s: !override\n    image: y\n    ports: ['1']\n"),
    _two("new service", "services:\n  n:\n    image: x\n    ports: ['5']\n    links: [s]\n"),
    _two("link to undefined", "services:\n  s:\n    links: [nope]\n"),
    Case(
        "extends same file",
        {
            "a.yaml": _A + "  t:\n    extends: base\n    ports: ['90']\n",
            "b.yaml": "services:\n  t:\n    ports: ['91']\n    expose: ['9']\n",
        },
        ["a.yaml", "b.yaml"],
    ),
    Case(
        "extends file",
        {
            "a.yaml": _A + "  t:\n    extends: {file: c.yaml, service: far}\n    ports: ['90']\n",
            "c.yaml": "services:\n  far:\n    image: x\n    ports: ['6000:60', '90']\n"
            "    links: [db]\n  db:\n    image: x\n",
            "b.yaml": "services:\n  t:\n    ports: ['6000:60/udp']\n",
        },
        ["a.yaml", "b.yaml"],
    ),
    Case(
        "extends mapping same file",
        {
            "a.yaml": _A + "  t:\n    extends: {service: s}\n    ports: ['8080:80']\n",
            "b.yaml": "services:\n  t:\n    network_mode: bridge\n",
        },
        ["a.yaml", "b.yaml"],
    ),
    Case(
        "interpolation env and .env",
        {
            "a.yaml": _A,
            "b.yaml": "services:\n  s:\n    ports: ['${HP}:80', '${DP:-9000}:90', '${EP}:91']\n"
            "    expose: ['${EX}']\n",
            ".env": "HP=1111\nEP=2222\nEX=7777/udp\n",
        },
        ["a.yaml", "b.yaml"],
        {"HP": "3333"},
    ),
    Case(
        "three files",
        {
            "a.yaml": _A,
            "b.yaml": "services:\n  s:\n    ports: !reset []\n",
            "c.yaml": "services:\n  s:\n    ports: ['1:1', '80']\n",
        },
        ["a.yaml", "b.yaml", "c.yaml"],
    ),
    Case(
        "reset and override on an extending service",
        {
            "a.yaml": _A
            + "  t:\n    extends: s\n    ports: !reset []\n    expose: !override ['2']\n"
            "    links: !reset []\n    network_mode: bridge\n",
        },
        ["a.yaml"],
    ),
    Case(
        "what a service waits for, through extends and overrides",
        {
            "a.yaml": "services:\n  db:\n    image: x\n  cache:\n    image: x\n"
            "  base:\n    image: x\n    volumes_from: [db, 'container:c']\n"
            "    ipc: 'service:cache'\n    profiles: [off]\n"
            "  t:\n    extends: base\n    profiles: !reset []\n    pid: 'service:db'\n"
            "  u:\n    extends: base\n    profiles: !reset []\n    volumes_from: !reset []\n"
            "    ipc: host\n",
            "b.yaml": "services:\n  t:\n    ipc: !reset null\n  u:\n    depends_on: [cache]\n"
            "  v:\n    image: x\n    network_mode: 'service:t'\n    links: [u]\n",
        },
        ["a.yaml", "b.yaml"],
    ),
    Case(
        "networks joined, through extends and overrides",
        {
            "a.yaml": "services:\n  a:\n    image: x\n    networks: [front]\n"
            "  b:\n    extends: a\n  c:\n    image: x\n    networks: {back: {}, default: {}}\n"
            "  d:\n    image: x\n    network_mode: host\n"
            "networks:\n  front: {}\n  back: {}\n",
            "b.yaml": "services:\n  a:\n    networks: [back]\n  c:\n    networks: !reset []\n",
        },
        ["a.yaml", "b.yaml"],
    ),
    # Disagreements found while writing this file (reported, not fixed here):
    _two("reset null", "services:\n  s:\n    ports: !reset null\n"),
    _two("reset without a value", "services:\n  s:\n    ports: !reset\n"),
    _two("reset with a value", "services:\n  s:\n    ports: !reset ['92']\n"),
    Case(
        "extends resolved per file",
        {
            "a.yaml": _A + "  t:\n    extends: base\n    ports: ['90']\n",
            "b.yaml": "services:\n  base:\n    ports: ['7001:71']\n",
        },
        ["a.yaml", "b.yaml"],
    ),
    Case(
        "override on an extending service",
        {
            "a.yaml": _A + "  t:\n    extends: base\n    ports: ['90']\n",
            "b.yaml": "services:\n  t:\n    ports: !override ['92']\n",
        },
        ["a.yaml", "b.yaml"],
    ),
    Case(
        "extends in an override file names another file's service",
        {"a.yaml": _A, "b.yaml": "services:\n  t:\n    extends: base\n    ports: ['90']\n"},
        ["a.yaml", "b.yaml"],
    ),
]


@pytest.fixture(scope="module")
def curated_results(workdir: Path) -> list[tuple[bool, str]]:
    """Every curated case run at once, a few binaries at a time."""
    binary = compose_binary()
    root = workdir / "curated"
    root.mkdir()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: _run(binary, root, i, CURATED[i]), range(len(CURATED))))
    agreeing = sum(ok for ok, _ in results)
    print(f"\ncompose merge curated: {agreeing}/{len(CURATED)} cases agree")
    return results


@pytest.mark.parametrize("index", range(len(CURATED)), ids=[c.label for c in CURATED])
def test_curated(curated_results: list[tuple[bool, str]], index: int) -> None:
    ok, detail = curated_results[index]
    assert ok, f"{CURATED[index].texts}\n{detail}"


# ------------------------------------------------------------------ generated

SEED = 20261130
FILE_PAIRS = 4
PAIRS_PER_FILE = 30


def _port(rng: random.Random) -> int:
    return rng.choice([1, 22, 80, 443, 8080, 65535, rng.randint(1, 65535)])


def _short(rng: random.Random, ranges: bool) -> str:
    target = _port(rng)
    width = rng.choice([0, 0, 1, 3]) if ranges and target + 3 <= 65535 else 0
    container = f"{target}-{target + width}" if width else str(target)
    text = container
    if rng.random() < 0.7:
        host = _port(rng)
        if width and host + width <= 65535:
            text = f"{host}-{host + width}:{container}"
        elif not width:
            text = f"{host}:{container}"
        if text != container and rng.random() < 0.3:
            text = f"{rng.choice(['127.0.0.1', '[::1]', '0.0.0.0'])}:{text}"
    if rng.random() < 0.3:
        text += "/" + rng.choice(["tcp", "udp", "sctp"])
    return repr(text)


def _long(rng: random.Random) -> str:
    parts = [f"target: {_port(rng)}"]
    if rng.random() < 0.6:
        published = _port(rng)
        parts.append(f"published: {rng.choice([str(published), repr(str(published))])}")
    if rng.random() < 0.3:
        parts.append(f"protocol: {rng.choice(['tcp', 'udp'])}")
    if rng.random() < 0.2:
        parts.append("mode: host")
    return "{" + ", ".join(parts) + "}"


def _ports(rng: random.Random, ranges: bool, pool: list[str]) -> list[str]:
    """Fresh entries, and some drawn again from ``pool`` so that merging finds duplicates."""
    out = []
    for _ in range(rng.randint(0, 4)):
        if pool and rng.random() < 0.3:
            out.append(rng.choice(pool))
        else:
            # A container range beside a long entry for one of its ports is a
            # documented difference: never mix the two in one service.
            out.append(_short(rng, ranges) if ranges or rng.random() < 0.6 else _long(rng))
    pool.extend(out)
    return out


def _expose(rng: random.Random) -> list[str]:
    return [
        rng.choice([str(_port(rng)), f"'{_port(rng)}/udp'", "'80'", "80"])
        for _ in range(rng.randint(1, 3))
    ]


def _generated_case(rng: random.Random, batch: int) -> tuple[Case, int]:
    a = ["services:", "  db:", "    image: x"]
    b = ["services:"]
    c = ["services:", "  db:", "    image: x"]
    env: dict[str, str] = {}
    dotenv: list[str] = []
    names = ["db"]
    bases: list[str] = []
    for i in range(PAIRS_PER_FILE):
        name = f"p{i}"
        ranges = rng.random() < 0.4
        pool: list[str] = []
        extends = rng.random() < 0.25
        a += [f"  {name}:", "    image: x"]
        if extends:
            if rng.random() < 0.5:
                bases += [f"  base{i}:", "    image: x"]
                bases += [f"    ports: [{', '.join(_ports(rng, ranges, pool) or ['80'])}]"]
                bases += [f"    expose: [{', '.join(_expose(rng))}]"]
                a += [f"    extends: base{i}"]
            else:
                c += [f"  far{i}:", "    image: x"]
                c += [f"    ports: [{', '.join(_ports(rng, ranges, pool) or ['80'])}]"]
                a += [f"    extends: {{file: c.yaml, service: far{i}}}"]
        first = _ports(rng, ranges, pool)
        if first:
            a.append(f"    ports: [{', '.join(first)}]")
        if rng.random() < 0.5:
            a.append(f"    expose: [{', '.join(_expose(rng))}]")
        if rng.random() < 0.3:
            link = rng.choice(names)
            a.append(f"    links: [{link}, '{link}:al{i}']")
        if rng.random() < 0.2:
            a.append(f"    network_mode: {rng.choice(['host', 'none', 'service:db'])}")
        # The override file.
        b.append(f"  {name}:")
        body = []
        # Tags on an extending service differ (extends is resolved per file in
        # Compose): see the curated cases; keep them to the others here.
        tag = "" if extends else rng.choice(["", "", "", "!reset ", "!override "])
        second = _ports(rng, ranges, pool)
        if rng.random() < 0.4:
            variable = f"V{batch}_{i}"
            where = rng.choice(["env", "dotenv", "default", "both"])
            host = _port(rng)
            if where in ("env", "both"):
                env[variable] = str(host)
            if where in ("dotenv", "both"):
                dotenv.append(f"{variable}={_port(rng)}")
            default = f":-{host}" if where == "default" else ""
            second.append(f"'${{{variable}{default}}}:{_port(rng)}'")
        if tag == "!reset ":
            body.append("    ports: !reset []")
        elif second or tag:
            body.append(f"    ports: {tag}[{', '.join(second)}]")
        if rng.random() < 0.4:
            etag = "" if extends else rng.choice(["", "!reset ", "!override "])
            values = [] if etag == "!reset " else _expose(rng)
            body.append(f"    expose: {etag}[{', '.join(values)}]")
        if rng.random() < 0.3:
            link = rng.choice(names)
            ltag = "" if extends else rng.choice(["", "!reset ", "!override "])
            values = [] if ltag == "!reset " else [f"'{link}:bl{i}'", link]
            body.append(f"    links: {ltag}[{', '.join(values)}]")
        if rng.random() < 0.2:
            body.append(f"    network_mode: {rng.choice(['bridge', 'none', 'service:db'])}")
        b += body or ["    image: y"]
        names.append(name)
    texts = {"a.yaml": "\n".join(a + bases) + "\n", "b.yaml": "\n".join(b) + "\n"}
    texts["c.yaml"] = "\n".join(c) + "\n"
    if dotenv:
        texts[".env"] = "\n".join(dotenv) + "\n"
    return Case(f"generated {batch}", texts, ["a.yaml", "b.yaml"], env), PAIRS_PER_FILE


def test_generated(workdir: Path) -> None:
    binary = compose_binary()
    rng = random.Random(SEED)
    cases = [_generated_case(rng, batch) for batch in range(FILE_PAIRS)]
    root = workdir / "generated"
    root.mkdir()
    with ThreadPoolExecutor(FILE_PAIRS) as pool:
        results = list(
            pool.map(lambda item: _run(binary, root, item[0], item[1][0]), enumerate(cases))
        )
    pairs = sum(count for _, count in cases)
    failures = [
        f"{case.label}:\n{case.texts}\n{detail}"
        for (case, _), (ok, detail) in zip(cases, results, strict=True)
        if not ok
    ]
    agreeing = sum(count for (_, count), (ok, _) in zip(cases, results, strict=True) if ok)
    print(
        f"\ncompose merge generated: {pairs} service pairs in {len(cases)} file pairs,"
        f" {agreeing}/{pairs} pairs in {len(cases) - len(failures)}/{len(cases)} agreeing files"
    )
    assert not failures, "\n".join(failures)
