"""A small budget of every fuzz target, and the inputs the fuzzer once crashed on."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.fuzz.__main__ import run_batch, run_plain, shown_value
from tests.fuzz.targets import REGRESSIONS, TARGETS, check


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target(name: str) -> None:
    run_batch(TARGETS[name], 30)


@pytest.mark.parametrize(("name", "value"), REGRESSIONS, ids=[n for n, _ in REGRESSIONS])
def test_regression(name: str, value: Any) -> None:
    check(TARGETS[name], value)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_plain_target(name: str) -> None:
    target = TARGETS[name]
    rng = random.Random(name)
    # The plain sampler makes inputs of the target's kind, and they vary.
    drawn = [target.sample(rng) for _ in range(20)]
    assert len({shown_value(value) for value in drawn}) > 5
    run_plain(target, rng, 200)
