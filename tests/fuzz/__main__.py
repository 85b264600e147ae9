"""Run the fuzz targets for a time budget: ``python -m tests.fuzz --seconds 60``.

Targets take turns, a batch of examples each, until the budget is spent
(``--seconds 0``: one batch each), or with ``--count N`` until every target
has had N examples, however long it takes. The report gives each target's
examples and rate.

``--plain`` draws the same kinds of inputs from a seeded ``random.Random``
instead of hypothesis, fifty to a thousand times faster, for runs of millions
(``--count 1000000 --plain``); it does not shrink, and prints the seed, the
example's number and the input of a failure, which ``--plain --seed S``
finds again. Hypothesis shrinks a failure to a small
input and prints it; the run then stops with exit status 1. Add what it
found to ``REGRESSIONS`` in ``tests/fuzz/targets.py``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings

from tests.fuzz.targets import TARGETS, Target, check


def run_batch(target: Target, examples: int) -> None:
    """``examples`` inputs through ``target``; raises what hypothesis found."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=target.inputs)
    def fuzz(value: object) -> None:
        check(target, value)

    fuzz()


def run_plain(target: Target, rng: random.Random, examples: int) -> None:
    """``examples`` inputs from ``target.sample``; raises ``PlainFailure`` at the first crash."""
    for number in range(examples):
        value = target.sample(rng)
        try:
            check(target, value)
        except Exception as error:
            raise PlainFailure(number, value, error) from error


def shown_value(value: object) -> str:
    """``repr(value)``, cut at 2,000 characters; ints too long for ``repr`` named."""
    try:
        shown = repr(value)
    except ValueError:  # an int past Python's 4,300-digit limit
        return f"<a {type(value).__name__} holding an int of over 4300 digits>"
    return shown if len(shown) <= 2000 else shown[:2000] + "..."


class PlainFailure(Exception):
    """A crash in a plain run: which example, its input and the error."""

    def __init__(self, number: int, value: object, error: BaseException) -> None:
        shown = shown_value(value)
        super().__init__(f"example {number}: {error!r} on {shown}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget (default 60)")
    parser.add_argument("--examples", type=int, default=200, help="examples a batch (default 200)")
    parser.add_argument(
        "--target", action="append", choices=sorted(TARGETS), help="only these (repeatable)"
    )
    parser.add_argument(
        "--count", type=int, default=0, help="examples every target must get (overrides --seconds)"
    )
    parser.add_argument(
        "--plain", action="store_true", help="seeded random inputs, no hypothesis (fast)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the seed of --plain (default 0)")
    args = parser.parse_args(argv)
    chosen = [TARGETS[name] for name in args.target or sorted(TARGETS)]
    # One generator a target: a target's inputs do not depend on the others run.
    rngs = {t.name: random.Random(f"{args.seed}:{t.name}") for t in chosen}
    counts = dict.fromkeys((t.name for t in chosen), 0)
    spent = dict.fromkeys((t.name for t in chosen), 0.0)
    deadline = time.monotonic() + args.seconds
    while True:
        for target in chosen:
            if args.count and counts[target.name] >= args.count:
                continue
            started = time.monotonic()
            try:
                if args.plain:
                    run_plain(target, rngs[target.name], args.examples)
                else:
                    run_batch(target, args.examples)
            except Exception as error:
                print(f"{target.name}: FAILED after {counts[target.name]} examples: {error}")
                if args.plain:
                    print(f"(--plain --seed {args.seed} --target '{target.name}')")
                return 1
            spent[target.name] += time.monotonic() - started
            counts[target.name] += args.examples
        if args.count:
            if all(count >= args.count for count in counts.values()):
                break
        elif time.monotonic() >= deadline:
            break
    for name, count in counts.items():
        rate = count / spent[name] if spent[name] else 0.0
        print(f"{name}: {count} examples in {spent[name]:.0f} s ({rate:.0f}/s), no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
