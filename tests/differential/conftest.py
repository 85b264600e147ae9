"""The docker CLI as an oracle: a fake Engine for it to talk to, for the whole session."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.differential._engine import DockerCLI, FakeEngine

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.differential)


@pytest.fixture(scope="session")
def docker_cli() -> Iterator[DockerCLI]:
    """The real docker CLI, talking to a fake Engine on a unix socket."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("the docker CLI is not on PATH: the differential tests use it as the oracle")
    # A unix socket path holds about 100 bytes at most: keep it short.
    workdir = Path(tempfile.mkdtemp(prefix="ps", dir="/tmp"))
    engine = FakeEngine(str(workdir / "engine.sock")).start()
    try:
        yield DockerCLI(engine, workdir / "config", docker=docker)
    finally:
        engine.stop()
        shutil.rmtree(workdir, ignore_errors=True)
