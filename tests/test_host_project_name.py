"""The compose project name preflight matches running containers by, as Compose gives it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from portspec.sources.compose import load_compose
from tests.differential._compose_oracle import compose_binary

BODY = "services:\n  web:\n    image: busybox\n"

# (folder, the file's top-level name:, COMPOSE_PROJECT_NAME in the environment, in .env)
CASES = [
    pytest.param("My_Shop", None, None, None, id="folder"),
    pytest.param("My_Shop", "bar", None, None, id="name-key"),
    pytest.param("My_Shop", "bar", "from-env", None, id="environment-wins"),
    pytest.param("My_Shop", "bar", None, "from-dotenv", id="dotenv-wins"),
    pytest.param("My_Shop", None, "from-env", "from-dotenv", id="environment-over-dotenv"),
    pytest.param("-.Dots and Spaces", None, None, None, id="folder-normalized"),
]


def _project(tmp_path: Path, folder: str, name: str | None, dotenv: str | None) -> Path:
    where = tmp_path / folder
    where.mkdir()
    path = where / "compose.yaml"
    path.write_text(("" if name is None else f"name: {name}\n") + BODY)
    if dotenv is not None:
        (where / ".env").write_text(f"COMPOSE_PROJECT_NAME={dotenv}\n")
    return path


@pytest.mark.parametrize(("folder", "name", "environ", "dotenv"), CASES)
def test_project_name_precedence(
    tmp_path: Path, folder: str, name: str | None, environ: str | None, dotenv: str | None
) -> None:
    path = _project(tmp_path, folder, name, dotenv)
    env = {} if environ is None else {"COMPOSE_PROJECT_NAME": environ}
    expected = environ or dotenv or name or ("dotsandspaces" if "Dots" in folder else "my_shop")
    assert load_compose(path, env=env).name == expected


@pytest.mark.differential
@pytest.mark.parametrize(("folder", "name", "environ", "dotenv"), CASES)
def test_project_name_as_compose_gives_it(
    tmp_path: Path, folder: str, name: str | None, environ: str | None, dotenv: str | None
) -> None:
    binary = compose_binary()
    path = _project(tmp_path, folder, name, dotenv)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    if environ is not None:
        env["COMPOSE_PROJECT_NAME"] = environ
    done = subprocess.run(
        [binary, "-f", str(path), "config", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    given = {} if environ is None else {"COMPOSE_PROJECT_NAME": environ}
    assert load_compose(path, env=given).name == json.loads(done.stdout)["name"]
