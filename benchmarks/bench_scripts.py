"""How the script, Makefile and Markdown readers grow with their input.

Run from the repository root::

    .venv/bin/python benchmarks/bench_scripts.py            # 100 KB and 1 MB inputs
    .venv/bin/python benchmarks/bench_scripts.py --quick    # 10 KB and 100 KB

Each case is a text built to make a careless reader backtrack or rescan (a
Makefile line of 100,000 colons, a shell line of unclosed quotes, a Markdown
page of fence openers, ...), read by ``find_docker_commands`` at two sizes ten
times apart. The figure of a case is its growth ratio, the time of the large
input divided by the time of the small one, best of N rounds: about 10 for a
reader linear in its input, about 100 for a quadratic one. The last line of
output is one JSON object with every ratio.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from portspec.sources.scripts import find_docker_commands

RUN = "docker run -p 8080:80 nginx\n"

#: name -> (kind, a text of about ``size`` characters).
CASES: dict[str, tuple[str, Callable[[int], str]]] = {
    "makefile-colons": ("makefile", lambda size: "a" + ":" * size + "\n\t" + RUN),
    "makefile-colons-recipe": ("makefile", lambda size: "a" + ":" * size + " ; " + RUN),
    "makefile-dollars": ("makefile", lambda size: "a:\n\t" + "$(" * (size // 2) + RUN),
    "shell-quotes": ("shell", lambda size: RUN + "'\"" * (size // 2)),
    "shell-runs": ("shell", lambda size: RUN * (size // len(RUN))),
    "shell-substitutions": ("shell", lambda size: "$(" * (size // 2) + RUN),
    "shell-backslashes": ("shell", lambda size: "docker run " + "\\\n" * (size // 2) + "x\n"),
    "markdown-fences": ("markdown", lambda size: "```\n" * (size // 4)),
    "markdown-blocks": ("markdown", lambda size: ("```sh\n" + RUN + "```\n") * (size // 40)),
    "markdown-quotes": ("markdown", lambda size: "> " * (size // 2) + "```sh\n" + RUN),
    "markdown-lists": ("markdown", lambda size: "- " * (size // 2) + "```sh\n" + RUN),
}


def best(kind: str, text: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        list(find_docker_commands(text, kind))  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 KB and 100 KB inputs")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    small = 10_000 if args.quick else 100_000
    ratios: dict[str, float] = {}
    for name, (kind, make) in CASES.items():
        low = best(kind, make(small), args.rounds)
        high = best(kind, make(small * 10), args.rounds)
        ratios[name] = round(high / max(low, 1e-9), 1)
        print(f"{name:26} {low * 1000:9.2f} ms {high * 1000:10.2f} ms  x{ratios[name]}")
    print(json.dumps({"small": small, "large": small * 10, "ratios": ratios}))


if __name__ == "__main__":
    main()
