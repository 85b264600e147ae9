"""Time hostile inputs at 10 KB, 100 KB and 1 MB: each should cost time linear in its size.

Run from the repository root::

    .venv/bin/python benchmarks/bench_hostile.py             # every case, 10 KB to 1 MB
    .venv/bin/python benchmarks/bench_hostile.py --quick     # smoke run: 1 KB to 100 KB
    .venv/bin/python benchmarks/bench_hostile.py --case yaml-escapes --timeout 30

Each case builds an input of the given size (not timed) and times one entry
point on it, best of ``--rounds``, each size in a fresh process that is
stopped after ``--timeout`` seconds (the larger sizes of that case are then
skipped). The cases are the small files that used to take quadratic time:

- ``compose-dollar-brace``: a compose value of ``${`` repeated (``load_compose``);
- ``dotenv-dollar-brace``: a ``.env`` value of ``${`` repeated (``parse_dotenv``);
- ``compose-nested``: ``${P:-`` nested as deep as the size allows (``interpolate``);
- ``yaml-escapes``: one ``\\'`` in each double-quoted scalar (``load_compose``);
- ``makefile-colons``: one Makefile line ``a:::…`` (``lint_text``, kind makefile);
- ``docker-run-ports``: one ``docker run`` with ``-p 80:80`` repeated (``lint_text``, shell);
- ``render-text`` / ``render-sarif`` / ``render-json`` / ``render-github``: one
  finding a line of a file, each with a fix, rendered as each report
  (``cli._report.render``); 1 MB is some 40,000 findings.

Goal: every case under 2 s at 1 MB on one core, and each x10 in size at most
x12 in time (``growth``). The last line of output is one JSON object with
every figure (``null`` for a size skipped or stopped).
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 2.0
GOAL_GROWTH = 12.0


def _compose_dollar_brace(size: int) -> Callable[[], object]:
    from portspec import PortSpecError, load_compose

    text = "services:\n  web:\n    image: x\n    ports: ['" + "${" * (size // 2) + "']\n"

    def run() -> object:
        try:
            return load_compose(text)
        except PortSpecError as error:
            return error

    return run


def _dotenv_dollar_brace(size: int) -> Callable[[], object]:
    from portspec import PortSpecError
    from portspec.sources._interpolate import parse_dotenv

    text = "A=" + "${" * (size // 2) + "\n"

    def run() -> object:
        try:
            return parse_dotenv(text)
        except PortSpecError as error:
            return error

    return run


def _compose_nested(size: int) -> Callable[[], object]:
    from portspec.sources._interpolate import interpolate

    depth = size // 6
    text = "${P:-" * depth + "8080" + "}" * depth
    return lambda: interpolate(text, {})


def _yaml_escapes(size: int) -> Callable[[], object]:
    from portspec import load_compose

    lines = "".join(f'  k{i}: "it\\\'s {i}"\n' for i in range(size // 20))
    text = "services:\n  web:\n    image: x\nx-text:\n" + lines
    return lambda: load_compose(text)


def _makefile_colons(size: int) -> Callable[[], object]:
    from portspec.lint.engine import lint_text

    text = "a" + ":" * size + "\n"
    return lambda: lint_text(text, path="Makefile", kind="makefile", env={})


def _docker_run_ports(size: int) -> Callable[[], object]:
    from portspec.lint.engine import lint_text

    text = "docker run" + " -p 80:80" * (size // 9) + " nginx\n"
    return lambda: lint_text(text, path="run.sh", kind="shell", env={})


def _findings(size: int) -> tuple[list[object], dict[str, str]]:
    from portspec.lint.diagnostic import Diagnostic, Edit, Fix, Severity

    line = "    ports: ['5432:5432']\n"
    count = size // len(line)
    source = line * count
    found = [
        Diagnostic(
            "compose.yaml",
            number,
            13,
            number,
            24,
            "PS301",
            Severity.WARNING,
            "port 5432 (PostgreSQL) is published on all interfaces",
            fix=Fix(
                "Bind to 127.0.0.1",
                (Edit((number - 1) * len(line) + 12, (number - 1) * len(line) + 12, "127.0.0.1:"),),
                safe=False,
            ),
            start=(number - 1) * len(line) + 12,
            end=(number - 1) * len(line) + 23,
        )
        for number in range(1, count + 1)
    ]
    return list(found), {"compose.yaml": source}


def _render(fmt: str) -> Callable[[int], Callable[[], object]]:
    def make(size: int) -> Callable[[], object]:
        from portspec.cli._report import render
        from portspec.lint.catalogue import all_rules

        found, sources = _findings(size)
        rules = list(all_rules())
        return lambda: render(found, fmt=fmt, sources=sources, rules=rules)  # type: ignore[arg-type]

    return make


CASES: dict[str, Callable[[int], Callable[[], object]]] = {
    "compose-dollar-brace": _compose_dollar_brace,
    "dotenv-dollar-brace": _dotenv_dollar_brace,
    "compose-nested": _compose_nested,
    "yaml-escapes": _yaml_escapes,
    "makefile-colons": _makefile_colons,
    "docker-run-ports": _docker_run_ports,
    "render-text": _render("text"),
    "render-sarif": _render("sarif"),
    "render-json": _render("json"),
    "render-github": _render("github"),
}


def _one(case: str, size: int, rounds: int) -> float:
    """The best of ``rounds`` runs of ``case`` at ``size`` bytes, in this process."""
    run = CASES[case](size)
    run()  # warm up: imports, the grammar, caches
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return best


def _measure(case: str, size: int, rounds: int, timeout: float) -> float | None:
    """``_one`` in a fresh process; None when it ran past ``timeout`` seconds."""
    command = [sys.executable, __file__, "--one", case, str(size), "--rounds", str(rounds)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=True, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 KB, 10 KB and 100 KB")
    parser.add_argument("--rounds", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a size may take")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only these")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(_one(args.one[0], int(args.one[1]), args.rounds))
        return 0
    sizes = [1_000, 10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    figures: dict[str, dict[str, object]] = {}
    print(f"{'case':22}" + "".join(f"{s // 1000:>9} KB" for s in sizes) + "   growth")
    for case in args.case or list(CASES):
        times: list[float | None] = []
        for size in sizes:
            if times and times[-1] is None:
                times.append(None)
                continue
            times.append(_measure(case, size, args.rounds, args.timeout))
        growth = [
            None if a is None or b is None else b / max(a, 1e-6)
            for a, b in itertools.pairwise(times)
        ]
        cells = "".join(f"{'stopped' if t is None else f'{t:.3f} s':>12}" for t in times)
        ratios = " ".join("-" if g is None else f"x{g:.1f}" for g in growth)
        last = times[-1]
        met = (
            last is not None
            and last < GOAL_SECONDS
            and all(g is not None and g <= GOAL_GROWTH for g in growth)
        )
        print(f"{case:22}{cells}   {ratios}{'' if met else '   (over the goal)'}")
        seconds = dict(zip(map(str, sizes), times, strict=True))
        figures[case] = {"seconds": seconds, "growth": growth}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
