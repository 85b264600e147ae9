"""Tests against a real Docker daemon, private to the test session (see ``_daemon``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine._daemon import DaemonError, EngineDaemon, engine_daemon

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def engine() -> Iterator[EngineDaemon]:
    """A private dockerd with the busybox image; fails in CI when it cannot start, else skips."""
    try:
        context = engine_daemon()
        daemon = context.__enter__()
    except DaemonError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the private Docker daemon did not start: {error}", pytrace=False)
        pytest.skip(f"no private Docker daemon: {error}")
    try:
        yield daemon
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def clean_engine(engine: EngineDaemon) -> Iterator[EngineDaemon]:
    """The session's daemon, with the containers a test starts removed after it."""
    try:
        yield engine
    finally:
        engine.remove_containers()
