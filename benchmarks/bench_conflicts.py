"""Time ``find_conflicts``: growth with size, range cost, and the speed-up over a brute force.

Run from the repository root::

    .venv/bin/python benchmarks/bench_conflicts.py            # 100k, 400k, 1M mappings
    .venv/bin/python benchmarks/bench_conflicts.py --quick    # smoke run: 10k, 40k

Each corpus has ten mappings a container, built from a fixed seed: most bound
on the container's own address (IPv4 or IPv6, some IPv4-mapped), some on no
address, some ranges, dynamic ranges and ephemeral ports, tcp and udp, so that
every part of the sweep runs and a few hundred conflicts are found. Building
the containers is not timed; the best of ``--rounds`` runs of the check is.

- ``growth``: time(4n) / time(n). The sweep is O(n log n + k), so the ratio
  should stay near 4 (a little above, for the sort).
- ``range``: one ``1-65535:1-65535/sctp`` mapping against one ``80:80/sctp``
  mapping, alone and added to the 100k corpus (which has no sctp, so neither
  adds findings): the whole port space costs what one port costs.
- ``brute``: a brute force that expands every port and compares every pair,
  on a corpus small enough for it; the speed-up is its time over the sweep's.
- ``copies``: n containers publishing one host port (4k, 16k, 64k): each
  later one is reported against the first, so n - 1 conflicts, and the time
  ratio for 4n over n stays near 4.

The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portspec import Container, PortMapping, PortRange, Protocol  # noqa: E402
from portspec.checks.conflicts import find_conflicts  # noqa: E402
from portspec.model import HostAddress  # noqa: E402

PER_CONTAINER = 10


def _address(rng: random.Random, index: int) -> HostAddress | None:
    roll = rng.random()
    if roll < 0.02:
        return None
    if roll < 0.5:
        return IPv4Address(0x0A000000 + index)
    if roll < 0.55:
        return IPv6Address(0xFFFF0A000000 + index)  # ::ffff:10.x.y.z, the same as IPv4
    return IPv6Address((0x20010DB8 << 96) + index)


def _mapping(rng: random.Random, address: HostAddress | None, slot: int) -> PortMapping:
    protocol = Protocol.TCP if rng.random() < 0.8 else Protocol.UDP
    port = 1 + (slot * 997 + rng.randrange(50)) % 30000
    roll = rng.random()
    if address is None:
        # A wildcard meets every address of its family: keep wildcards on ports of
        # their own, so k grows with n and not with n squared.
        port = 40_000 + rng.randrange(25_000)
    if roll < 0.7:
        return PortMapping(PortRange.single(80), protocol, address, PortRange.single(port))
    if roll < 0.85:
        width = rng.randrange(1, 20)
        return PortMapping(
            PortRange(8000, 8000 + width), protocol, address, PortRange(port, port + width)
        )
    if roll < 0.95:
        return PortMapping(
            PortRange.single(80), protocol, address, PortRange(port, port + rng.randrange(1, 10))
        )
    return PortMapping(PortRange.single(80 + slot), protocol, address, None)


def corpus(mappings: int, seed: int = 7) -> list[Container]:
    """``mappings`` mappings over ``mappings // 10`` containers."""
    rng = random.Random(seed)
    containers = []
    for index in range(mappings // PER_CONTAINER):
        address = _address(rng, index)
        publish = tuple(_mapping(rng, address, slot) for slot in range(PER_CONTAINER))
        containers.append(Container(name=f"c{index}", publish=publish))
    return containers


def best(rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def repeat(times: int, run: Callable[[], object]) -> None:
    for _ in range(times):
        run()


def brute_force(containers: list[Container]) -> int:
    """Pairs of clashing fixed bindings, found port by port, pair by pair."""
    ports: list[tuple[int, int, HostAddress | None, Protocol, int]] = []
    for owner, container in enumerate(containers):
        for mapping in container.publish:
            if mapping.host is None or mapping.is_dynamic_range:
                continue
            address = mapping.host_ip
            if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
                address = address.ipv4_mapped
            places = (
                [(4, None), (6, None)]
                if address is None
                else [(address.version, None if address.is_unspecified else address)]
            )
            for family, place in places:
                for port in mapping.host:
                    ports.append((owner, family, place, mapping.protocol, port))
    clashes = 0
    for a, b in itertools.combinations(ports, 2):
        if (
            a[0] != b[0]
            and a[1] == b[1]
            and a[3] == b[3]
            and a[4] == b[4]
            and (a[2] is None or b[2] is None or a[2] == b[2])
        ):
            clashes += 1
    return clashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    sizes = [10_000, 40_000] if args.quick else [100_000, 400_000, 1_000_000]
    by_size: dict[str, object] = {}
    figures: dict[str, object] = {"sizes": by_size}

    times: list[float] = []
    for size in sizes:
        containers = corpus(size)
        found = find_conflicts(containers)
        seconds = best(args.rounds, partial(find_conflicts, containers))
        times.append(seconds)
        per = seconds / size * 1e6
        print(
            f"{size:>9,} mappings, {len(containers):>7,} containers:"
            f" {seconds:7.3f} s  ({per:.2f} us a mapping, {len(found):,} conflicts)"
        )
        by_size[str(size)] = {
            "seconds": round(seconds, 4),
            "containers": len(containers),
            "conflicts": len(found),
        }
    growth = [round(later / earlier, 2) for earlier, later in itertools.pairwise(times)]
    print(
        f"growth ratios (size x{sizes[1] / sizes[0]:.1f}, then x{sizes[-1] / sizes[-2]:.1f}):",
        growth,
    )
    figures["growth"] = growth

    base = corpus(sizes[0])
    # On sctp, which the corpus never uses, so neither finds a conflict to report.
    sctp = Protocol.SCTP
    single = PortMapping(PortRange.single(80), sctp, host=PortRange.single(80))
    whole = PortMapping(PortRange(1, 65535), sctp, host=PortRange(1, 65535))
    costs = {}
    for label, mapping in (("one port", single), ("1-65535:1-65535", whole)):
        group = [*base, Container(name="extra", publish=(mapping,))]
        costs[label] = best(args.rounds, partial(find_conflicts, group))
        alone = [Container(name="extra", publish=(mapping,))]
        micro = best(args.rounds, partial(repeat, 1000, partial(find_conflicts, alone))) * 1e3
        print(f"{label:>16} on {sizes[0]:,}: {costs[label]:.3f} s; alone: {micro:.1f} us")
        figures[f"range:{label}"] = {
            "with_corpus_s": round(costs[label], 4),
            "alone_us": round(micro, 1),
        }
    ratio = costs["1-65535:1-65535"] / costs["one port"]
    print(f"range / one port: {ratio:.2f}")
    figures["range_ratio"] = round(ratio, 3)

    small = corpus(1_000 if args.quick else 10_000, seed=11)
    small = [
        Container(name=c.name, publish=tuple(m for m in c.publish if len(m.container) == 1))
        for c in small
    ]
    brute = best(1, partial(brute_force, small))
    sweep = best(args.rounds, partial(find_conflicts, small))
    mappings = sum(len(c.publish) for c in small)
    print(
        f"brute force on {mappings:,} mappings: {brute:.3f} s; sweep {sweep * 1e3:.2f} ms;"
        f" speed-up x{brute / sweep:,.0f}"
    )
    figures["brute"] = {
        "mappings": mappings,
        "brute_s": round(brute, 4),
        "sweep_s": round(sweep, 5),
        "speedup": round(brute / sweep),
    }
    copies_sizes = [1_000, 4_000] if args.quick else [4_000, 16_000, 64_000]
    copy_times = []
    copies: dict[str, object] = {}
    for size in copies_sizes:
        same = PortMapping(PortRange.single(80), host=PortRange.single(8080))
        group = [Container(name=f"c{i}", publish=(same,)) for i in range(size)]
        found = find_conflicts(group)
        seconds = best(args.rounds, partial(find_conflicts, group))
        copy_times.append(seconds)
        print(f"{size:>9,} copies of one port: {seconds:.3f} s, {len(found):,} conflicts")
        copies[str(size)] = {"seconds": round(seconds, 4), "conflicts": len(found)}
    copies["growth"] = [
        round(later / earlier, 2) for earlier, later in itertools.pairwise(copy_times)
    ]
    print("copies growth ratios:", copies["growth"])
    figures["copies"] = copies
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
