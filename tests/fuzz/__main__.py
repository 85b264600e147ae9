"""Run the fuzz targets for a time budget: ``python -m tests.fuzz --seconds 60``.

Targets take turns, a batch of examples each, until the budget is spent
(``--seconds 0``: one batch each), or with ``--count N`` until every target
has had N examples, however long it takes. The report gives each target's
examples and rate. Hypothesis shrinks a failure to a small
input and prints it; the run then stops with exit status 1. Add what it
found to ``REGRESSIONS`` in ``tests/fuzz/targets.py``.
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args(argv)
    chosen = [TARGETS[name] for name in args.target or sorted(TARGETS)]
    counts = dict.fromkeys((t.name for t in chosen), 0)
    spent = dict.fromkeys((t.name for t in chosen), 0.0)
    deadline = time.monotonic() + args.seconds
    while True:
        for target in chosen:
            if args.count and counts[target.name] >= args.count:
                continue
            started = time.monotonic()
            try:
                run_batch(target, args.examples)
            except Exception as error:
                print(f"{target.name}: FAILED after {counts[target.name]} examples: {error!r}")
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
