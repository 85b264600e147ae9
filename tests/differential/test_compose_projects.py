"""Whole compose projects read by portspec and by Docker Compose v2 (``config --format json``).

Every file and documented multi-file project of the second corpus, with the
env files its repository documents, and generated projects of ``include:``,
``profiles`` and replicas: acceptance and every service's ``ports``,
``expose`` and ``links`` must agree.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from portspec.emit.compose import to_compose
from portspec.errors import PortSpecError
from portspec.sources._interpolate import project_environment
from portspec.sources.compose import load_compose
from tests.differential._compose_oracle import compose_binary
from tests.paths import CORPUS2

pytestmark = pytest.mark.differential

_KEYS = ("ports", "expose", "links")


@dataclass(frozen=True)
class _Case:
    folder: Path
    files: tuple[str, ...]
    env_file: Path | None = None
    variables: tuple[tuple[str, str], ...] = ()
    profiles: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.folder}/{'+'.join(self.files)} {' '.join(self.profiles)}".strip()


def _corpus_cases() -> list[_Case]:
    manifest = CORPUS2 / "MANIFEST.jsonl"
    if not manifest.is_file():
        return []
    records = [json.loads(line) for line in manifest.read_text().splitlines() if line.strip()]
    folders = {r["repo"]: r["local"].split("/", 1)[0] for r in records}
    combos: list[tuple[str, list[str]]] = []
    envs: dict[tuple[str, str], list[str]] = {}
    for line in (CORPUS2 / "SELECTION.txt").read_text().splitlines():
        words = line.split()
        if words and words[0] == "combo":
            combos.append((words[1], words[2:]))
        elif words and words[0] == "env":
            envs[(words[1], words[2])] = words[3:]
    wanted = [(r["repo"], [r["path"]]) for r in records if r["role"] == "compose"] + combos
    cases = []
    for repo, files in wanted:
        folder = CORPUS2 / folders[repo]
        spec = envs.get((repo, "+".join(files)), [])
        env_file = None
        variables: tuple[tuple[str, str], ...] = ()
        if len(spec) == 1 and "=" not in spec[0]:
            env_file = folder / spec[0]
            if not env_file.is_file():
                env_file = folder / Path(files[0]).parent / spec[0]
        else:
            variables = tuple(tuple(word.split("=", 1)) for word in spec)  # type: ignore[misc]
        cases.append(_Case(folder, tuple(files), env_file, variables))
    return cases


def _config(binary: str, case: _Case) -> dict[str, Any] | None:
    args = [binary]
    for name in case.files:
        args += ["-f", str(case.folder / name)]
    if case.env_file is not None:
        args += ["--env-file", str(case.env_file)]
    for profile in case.profiles:
        args += ["--profile", profile]
    done = subprocess.run(
        [*args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=case.folder / Path(case.files[0]).parent,
        env={"PATH": os.environ.get("PATH", ""), "HOME": "/tmp", **dict(case.variables)},
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        return None
    services: dict[str, Any] = json.loads(done.stdout)["services"]
    return {name: {k: s[k] for k in _KEYS if s.get(k)} for name, s in services.items()}


def _ours(case: _Case) -> dict[str, Any] | None:
    env = dict(case.variables)
    if case.env_file is not None:
        # --env-file stands in for .env: read the same way, the environment first.
        env = project_environment(env, case.env_file.read_bytes())
    try:
        project = load_compose(
            case.folder / case.files[0],
            env=env,
            files=[case.folder / name for name in case.files[1:]],
            profiles=case.profiles or None,
        )
    except PortSpecError:
        return None
    out = {}
    for name, container in project.services.items():
        written = to_compose(container, long=True, unrunnable=project.unrunnable.get(name, ()))
        out[name] = {key: written[key] for key in _KEYS if key in written}
    return out


def _disagreements(cases: list[_Case]) -> list[str]:
    binary = compose_binary()
    with ThreadPoolExecutor(4) as pool:
        theirs = list(pool.map(lambda case: _config(binary, case), cases))
    out = []
    for case, expected in zip(cases, theirs, strict=True):
        got = _ours(case)
        if (expected is None) != (got is None):
            out.append(
                f"{case.label}: compose ok={expected is not None}, portspec ok={got is not None}"
            )
        elif expected != got:
            assert expected is not None
            assert got is not None
            diff = [
                f"  {name}: compose {expected.get(name)} portspec {got.get(name)}"
                for name in sorted(set(expected) | set(got))
                if expected.get(name) != got.get(name)
            ]
            out.append(f"{case.label}:\n" + "\n".join(diff))
    return out


def test_every_project_of_the_corpus() -> None:
    cases = _corpus_cases()
    if not cases:
        pytest.skip(f"{CORPUS2} is absent: the corpus test reads it in place")
    failures = _disagreements(cases)
    print(f"\ncompose-2: {len(cases) - len(failures)}/{len(cases)} projects agree with Compose")
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------ generated


def _generated(root: Path, seed: int) -> _Case:
    """A project of included files, profiles, replicas and env files, drawn from ``seed``."""
    rng = random.Random(seed)
    folder = root / f"p{seed}"
    names = [f"s{i}" for i in range(rng.randint(2, 6))]
    homes: dict[str, str] = {}
    includes: list[str] = []
    for index in range(rng.randint(0, 2)):
        sub = f"inc{index}" if rng.random() < 0.7 else f"deep/inc{index}"
        includes.append(sub)
    for name in names:
        homes[name] = rng.choice(["", *includes])
    bodies: dict[str, list[str]] = {home: [] for home in ["", *includes]}
    for name in names:
        lines = [f"  {name}:", "    image: busybox"]
        if rng.random() < 0.4:
            lines.append(f"    profiles: [{rng.choice(['a', 'b', 'a, b'])}]")
        count = rng.choice([None, None, 1, 2, 3])
        if count is not None:
            lines.append(
                f"    scale: {count}"
                if rng.random() < 0.5
                else f"    deploy: {{replicas: {count}}}"
            )
        ports = [
            rng.choice(["'80'", "'${PORT:-8000}:80'", "'9000-9002:80'", "{target: 81}"])
            for _ in range(rng.randint(0, 2))
        ]
        if ports:
            lines.append(f"    ports: [{', '.join(ports)}]")
        if rng.random() < 0.3:
            expose = rng.choice(["80", "'81/tcp'", "'080'"])
            lines.append(f"    expose: [{expose}]")
        others = [n for n in names if n != name and homes[n] == homes[name]]
        if others and rng.random() < 0.3:
            lines.append(f"    links: ['{rng.choice(others)}:x']")
        bodies[homes[name]].extend(lines)
    folder.mkdir(parents=True)
    for home in includes:
        (folder / home).mkdir(parents=True, exist_ok=True)
        text = "services:\n" + "\n".join(bodies[home]) + "\n" if bodies[home] else "services: {}\n"
        (folder / home / "compose.yaml").write_text(text)
        if rng.random() < 0.5:
            (folder / home / ".env").write_text(f"PORT={rng.randint(8000, 8999)}\n")
    main = ""
    if includes:
        forms = [
            f"  - {home}/compose.yaml" if rng.random() < 0.5 else f"  - path: {home}/compose.yaml"
            for home in includes
        ]
        main = "include:\n" + "\n".join(forms) + "\n"
    main += "services:\n" + "\n".join(bodies[""]) + "\n" if bodies[""] else ""
    (folder / "compose.yaml").write_text(main or "services: {}\n")
    profiles = rng.choice([(), ("a",), ("b",), ("*",), ("a", "b")])
    return _Case(folder, ("compose.yaml",), profiles=profiles)


def test_generated_include_profile_and_replica_projects(tmp_path: Path) -> None:
    cases = [_generated(tmp_path, seed) for seed in range(150)]
    failures = _disagreements(cases)
    print(f"\ngenerated projects: {len(cases) - len(failures)}/{len(cases)} agree with Compose")
    assert not failures, "\n".join(failures)
