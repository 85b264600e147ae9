"""Time ``portspec.parse_publish`` against the docker SDK's ``split_port``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_parse.py            # full run
    .venv/bin/python benchmarks/bench_parse.py --quick    # smoke run

Both parsers run in this process, in interleaved rounds (the order flips each
round so neither always runs warm); the best round of each is compared.

- ``unique``: every spec differs from every other, so portspec's cache cannot
  help; it is also cleared before each round. Goal: portspec <= 3x split_port.
- ``realistic``: a few common mappings make up most entries, as in real
  compose files. portspec's cache is allowed (its values are immutable) but
  starts cold each round. Goal: portspec faster than split_port.

Also measured, each in fresh interpreters: ``import portspec`` (from
``-X importtime``) and the first parse, which builds the grammar.

The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Measure the source tree beside this script, installed or not.
sys.path.insert(0, str(ROOT))

import docker  # noqa: E402
from docker.utils.ports import split_port  # noqa: E402

import portspec  # noqa: E402
from portspec import _parse  # noqa: E402

SEED = 20240601

UNIQUE_GOAL = 3.0
REALISTIC_GOAL = 1.0

COMMON = (
    "80:80",
    "443:443",
    "5432:5432",
    "3306:3306",
    "6379:6379",
    "8080:80",
    "127.0.0.1:5432:5432",
    "3000:3000",
    "9200:9200",
    "27017:27017",
)


# ------------------------------------------------------------------ corpora


def _protocol(rng: random.Random) -> str:
    return rng.choice(("", "", "", "/tcp", "/udp", "/sctp"))


def _port(rng: random.Random) -> int:
    return rng.randint(1, 65535)


def _range(rng: random.Random, length: int) -> tuple[int, int]:
    start = rng.randint(1, 65535 - length + 1)
    return start, start + length - 1


def _ipv4(rng: random.Random) -> str:
    return str(IPv4Address(rng.getrandbits(32)))


def _ipv6(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return str(IPv6Address(rng.getrandbits(128)))
    # The short, compressed spellings people actually type.
    return str(IPv6Address((0x2001_0DB8 << 96) | rng.getrandbits(16)))


def _container_only(rng: random.Random) -> str:
    return f"{_port(rng)}{_protocol(rng)}"


def _host_container(rng: random.Random) -> str:
    return f"{_port(rng)}:{_port(rng)}{_protocol(rng)}"


def _ip_host_container(rng: random.Random) -> str:
    return f"{_ipv4(rng)}:{_port(rng)}:{_port(rng)}{_protocol(rng)}"


def _ip_container(rng: random.Random) -> str:
    return f"{_ipv4(rng)}::{_port(rng)}{_protocol(rng)}"


def _ipv6_host_container(rng: random.Random) -> str:
    return f"[{_ipv6(rng)}]:{_port(rng)}:{_port(rng)}{_protocol(rng)}"


def _ranges(rng: random.Random) -> str:
    length = rng.randint(2, 11)
    host, container = _range(rng, length), _range(rng, length)
    return f"{host[0]}-{host[1]}:{container[0]}-{container[1]}{_protocol(rng)}"


def _dynamic_range(rng: random.Random) -> str:
    host = _range(rng, rng.randint(2, 11))
    return f"{host[0]}-{host[1]}:{_port(rng)}{_protocol(rng)}"


FORMS: tuple[Callable[[random.Random], str], ...] = (
    _container_only,
    _host_container,
    _ip_host_container,
    _ip_container,
    _ipv6_host_container,
    _ranges,
    _dynamic_range,
)


def _accepted_by_both(spec: str) -> bool:
    try:
        split_port(spec)
        portspec.parse_publish(spec)
    except ValueError:  # PortSpecError is a ValueError, as is split_port's
        return False
    return True


def unique_corpus(size: int, rng: random.Random) -> list[str]:
    """``size`` distinct specs, the forms taking turns."""
    seen: set[str] = set()
    corpus: list[str] = []
    while len(corpus) < size:
        spec = FORMS[len(corpus) % len(FORMS)](rng)
        if spec not in seen and _accepted_by_both(spec):
            seen.add(spec)
            corpus.append(spec)
    return corpus


def realistic_corpus(size: int, common_share: float, rng: random.Random) -> list[str]:
    """Mostly ``COMMON`` mappings, the rest unique specs, shuffled."""
    unique_count = size - round(size * common_share)
    rest = [spec for spec in unique_corpus(unique_count + len(COMMON), rng) if spec not in COMMON]
    corpus = rest[:unique_count]
    corpus += [rng.choice(COMMON) for _ in range(size - len(corpus))]
    rng.shuffle(corpus)
    return corpus


# ------------------------------------------------------------------ timing


def clear_portspec_cache() -> None:
    _parse._parse_publish_cached.cache_clear()


def _time_portspec(corpus: Sequence[str]) -> float:
    parse = portspec.parse_publish
    clear_portspec_cache()
    start = time.perf_counter()
    for spec in corpus:
        parse(spec)
    return time.perf_counter() - start


def _time_split_port(corpus: Sequence[str]) -> float:
    split = split_port
    start = time.perf_counter()
    for spec in corpus:
        split(spec)
    return time.perf_counter() - start


@dataclass(frozen=True)
class Result:
    name: str
    entries: int
    distinct: int
    portspec: float
    split_port: float
    cache_hits: int
    goal: float

    @property
    def ratio(self) -> float:
        return self.portspec / self.split_port

    @property
    def met(self) -> bool:
        return self.ratio <= self.goal if self.goal > 1 else self.ratio < self.goal


def compare(name: str, corpus: Sequence[str], rounds: int, goal: float) -> Result:
    ours: list[float] = []
    theirs: list[float] = []
    hits = 0
    for index in range(rounds):
        if index % 2 == 0:
            ours.append(_time_portspec(corpus))
            hits = _parse._parse_publish_cached.cache_info().hits
            theirs.append(_time_split_port(corpus))
        else:
            theirs.append(_time_split_port(corpus))
            ours.append(_time_portspec(corpus))
            hits = _parse._parse_publish_cached.cache_info().hits
    return Result(name, len(corpus), len(set(corpus)), min(ours), min(theirs), hits, goal)


# --------------------------------------------------------- fresh processes

_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s*(\S.*)$")

_FIRST_PARSE = """\
import time
import portspec
start = time.perf_counter()
portspec.parse_publish("127.0.0.1:8080:80/udp")
print(time.perf_counter() - start)
"""


def _python(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )


def import_time_us(runs: int) -> int:
    """The best cumulative ``import portspec`` time, in microseconds."""
    best: int | None = None
    for _ in range(runs):
        stderr = _python(["-X", "importtime", "-c", "import portspec"]).stderr
        for line in stderr.splitlines():
            match = _IMPORT_LINE.match(line)
            if match and match.group(3).strip() == "portspec":
                cumulative = int(match.group(2))
                best = cumulative if best is None else min(best, cumulative)
    if best is None:
        raise RuntimeError("-X importtime printed no line for portspec")
    return best


def first_parse_ms(runs: int) -> float:
    """The best time of the first ``parse_publish`` in a fresh interpreter, in ms."""
    return min(float(_python(["-c", _FIRST_PARSE]).stdout) for _ in range(runs)) * 1000


# ------------------------------------------------------------------ report


def _us(seconds: float, entries: int) -> str:
    return f"{seconds / entries * 1e6:8.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--quick", action="store_true", help="small corpora, few rounds")
    args = parser.parse_args(argv)
    rounds = max(1, args.rounds if not args.quick else min(args.rounds, 2))
    size = 2_000 if args.quick else 20_000
    runs = 2 if args.quick else 5

    rng = random.Random(SEED)
    unique = unique_corpus(size, rng)
    realistic = realistic_corpus(size, 0.9, rng)
    results = [
        compare("unique", unique, rounds, UNIQUE_GOAL),
        compare("realistic", realistic, rounds, REALISTIC_GOAL),
    ]
    import_us = import_time_us(runs)
    first_ms = first_parse_ms(runs)

    print(
        f"portspec {portspec.__version__} vs docker SDK {docker.__version__} split_port"
        f" - Python {platform.python_version()}, best of {rounds} rounds"
    )
    print()
    print(
        f"{'corpus':<10} {'entries':>7} {'distinct':>8} {'portspec us':>11}"
        f" {'split_port us':>13} {'ratio':>6} {'goal':>7}  met  cache hits"
    )
    for r in results:
        goal = f"<={r.goal:g}x" if r.goal > 1 else f"<{r.goal:g}x"
        print(
            f"{r.name:<10} {r.entries:>7} {r.distinct:>8} {_us(r.portspec, r.entries):>11}"
            f" {_us(r.split_port, r.entries):>13} {r.ratio:>6.2f} {goal:>7}"
            f"  {'yes' if r.met else 'NO ':<3}  {r.cache_hits}"
        )
    print("(us = microseconds per entry; ratio = portspec time / split_port time)")
    print()
    print(f"import portspec (cumulative, -X importtime, best of {runs}): {import_us} us")
    print(f"first parse_publish, fresh process (grammar build, best of {runs}): {first_ms:.1f} ms")

    figures: dict[str, object] = {
        "portspec": portspec.__version__,
        "docker_sdk": docker.__version__,
        "python": platform.python_version(),
        "rounds": rounds,
        "quick": args.quick,
        "import_us": import_us,
        "first_parse_ms": round(first_ms, 2),
    }
    for r in results:
        figures[r.name] = {
            "entries": r.entries,
            "distinct": r.distinct,
            "portspec_s": round(r.portspec, 6),
            "split_port_s": round(r.split_port, 6),
            "ratio": round(r.ratio, 2),
            "goal": r.goal,
            "met": r.met,
            "cache_hits": r.cache_hits,
        }
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
