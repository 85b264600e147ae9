"""A small budget of every fuzz target, and the inputs the fuzzer once crashed on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fuzz.__main__ import run_batch
from tests.fuzz.targets import REGRESSIONS, TARGETS, check


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target(name: str) -> None:
    run_batch(TARGETS[name], 30)


@pytest.mark.parametrize(("name", "value"), REGRESSIONS, ids=[n for n, _ in REGRESSIONS])
def test_regression(name: str, value: Any) -> None:
    check(TARGETS[name], value)
