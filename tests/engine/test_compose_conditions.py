"""``depends_on`` conditions on the private daemon, as ``simulate_up`` reads them.

A ``service_healthy`` dependency with no healthcheck makes ``docker compose
up`` fail before it starts the dependent; with a healthcheck, and for
``service_completed_successfully``, whether the dependent starts is up to the
program in the dependency, which no plan tells.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portspec import HostSettings, load_compose, simulate_up
from tests.engine._daemon import EngineDaemon
from tests.engine.test_compose_up import Project
from tests.engine.test_scenarios import _ephemeral_range, _version

pytestmark = pytest.mark.engine


@pytest.fixture
def project(clean_engine: EngineDaemon, tmp_path: Path) -> Iterator[Project]:
    made = Project(clean_engine, tmp_path, "conditions")
    try:
        yield made
    finally:
        made.down()


def _predicted(project: Project, engine: EngineDaemon) -> dict[str, str]:
    loaded = load_compose(project.folder / "compose.yaml")
    host = HostSettings(engine_version=_version(engine), ephemeral=_ephemeral_range(engine))
    return {o.label.split("-")[1]: o.status for o in simulate_up(loaded, host=host)}


@pytest.mark.parametrize(
    ("db", "condition", "web_runs", "predicted"),
    [
        # No healthcheck in the file, none in the image: Compose stops.
        ({}, "service_healthy", False, "depends"),
        # A healthcheck that passes, and one that cannot run in the image.
        (
            {"healthcheck": {"test": ["CMD", "sleep", "0"], "interval": "1s", "retries": 3}},
            "service_healthy",
            True,
            "depends",
        ),
        (
            {"healthcheck": {"test": ["CMD", "/no/such/check"], "interval": "1s", "retries": 1}},
            "service_healthy",
            False,
            "depends",
        ),
        # A disabled healthcheck never turns healthy: certain.
        ({"healthcheck": {"disable": True}}, "service_healthy", False, "skipped"),
        # A program that exits 0.
        ({"command": ["sleep", "0"]}, "service_completed_successfully", True, "depends"),
        # A dependency that is only started: nothing to wait for.
        ({}, "service_started", True, "starts"),
    ],
)
def test_a_condition_decides_whether_the_dependent_starts(
    project: Project, db: dict[str, object], condition: str, web_runs: bool, predicted: str
) -> None:
    project.write({"db": db, "web": {"depends_on": {"db": {"condition": condition}}}})
    running = project.up()
    assert (running.get("web", 0) == 1) is web_runs
    assert _predicted(project, project.engine)["web"] == predicted
