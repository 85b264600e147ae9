"""``simulate_starts`` against the private daemon: containers started in order, outcome by outcome.

Each scenario is one to four containers of ``docker run -d`` (the busybox
image, ``sleep``), started one after another. The truth is what the daemon
does: the run is refused or the container starts, and ``docker inspect``
says which host ports it was given. Nothing connects to a container. For
every container ``simulate_starts`` must say exactly that: ``starts`` with
the same bindings (a port Docker picks at run time lies in the ephemeral
range), or ``refused``; ``depends`` is a hedge, allowed only for the reasons
``docs/conflicts.md`` gives.

The daemon's allocator remembers, for the whole of its life, where each range
left off; so every scenario gets ports of its own (a window of 20), and its
containers are removed before the next one.

The generated scenarios are seeded: ``PORTSPEC_SCENARIOS`` (default 30) sets
how many, ``PORTSPEC_SCENARIO_SEED`` (default 16) which ones.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv6Address, ip_address

import pytest

from portspec import parse_docker_run
from portspec.checks.conflicts import HostSettings
from portspec.checks.simulate import StartOutcome, simulate_starts
from portspec.model import HostAddress
from tests.engine._daemon import EngineDaemon

#: Generated scenarios take ports from here, 20 each.
_FIRST, _LAST, _WINDOW = 20000, 32000, 20
#: The fixed cases take ports from here.
_CASES = 9000
#: The reasons docs/conflicts.md gives for ``depends``.
_HEDGES = ("run time", "Go map order", "earlier container")

_ADDRESSES = ["", "", "0.0.0.0", "127.0.0.1", "127.0.0.2", "::", "::1", "::ffff:127.0.0.1"]

# The reproducers of the four misses and two false alarms found by hand, and
# their neighbours; {n} is the scenario's first port plus n.
FIXED_CASES: list[tuple[str, list[str]]] = [
    ("one range, four times", ["-p {0}-{2}:80"] * 4),
    ("two ranges in one container", ["-p [::ffff:127.0.0.1]:{0}-{1}:80 -p {0}-{1}:80"]),
    (
        "a range per family",
        ["-p [::1]:{1}:81", "-p {1}-{2}:80", "-p 127.0.0.2:{2}:81"],
    ),
    ("a range per family, one container", ["-p [::1]:{1}:81 -p {1}-{2}:80", "-p 127.0.0.2:{2}:81"]),
    ("one port twice", ["-p {0}:80 -p {0}:80"]),
    ("an address and none", ["-p 127.0.0.1:{0}:80 -p {0}:80"]),
    ("a range, then a port in it", ["-p {0}-{1}:80", "-p {0}:81"]),
    ("a port, then a range over it", ["-p {0}:81", "-p {0}-{1}:80"]),
    ("udp twice", ["-p {0}:80/udp -p {0}:80/udp"]),
    ("udp on overlapping addresses", ["-p 127.0.0.1:{0}:80/udp", "-p {0}:81/udp"]),
    ("a refused range keeps its cursor", ["-p [::1]:{1}:81", "-p {1}-{2}:80", "-p {1}-{2}:80"]),
    ("ports without host ports", ["-p 80 -p 81 -p 127.0.0.1::82/udp", "-p [::1]::80"]),
]


@dataclass
class Tally:
    """How each container's prediction compared with the daemon."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, kind: str, note: str = "") -> None:
        self.counts[kind] += 1
        if note:
            self.failures.append(note)


def _publish(rng: random.Random, base: int) -> str:
    address = rng.choice(_ADDRESSES)
    host_ip = f"[{address}]:" if ":" in address else (f"{address}:" if address else "")
    port = base + rng.randrange(_WINDOW - 4)
    target = rng.choice([80, 80, 81, 82])
    protocol = "/udp" if rng.random() < 0.3 else ""
    kind = rng.choices(["fixed", "range", "dynamic", "none"], weights=[5, 1, 4, 1])[0]
    if kind == "fixed":
        return f"{host_ip}{port}:{target}{protocol}"
    if kind == "range":
        size = rng.randint(1, 2)
        return f"{host_ip}{port}-{port + size}:{target}-{target + size}{protocol}"
    if kind == "dynamic":
        size = rng.randint(1, 3)
        return f"{host_ip}{port}-{port + size}:{target}{protocol}"
    return f"{host_ip}:{target}{protocol}" if host_ip else f"{target}{protocol}"


def generated(count: int, seed: int) -> Iterator[tuple[str, list[str]]]:
    rng = random.Random(seed)
    windows = (_LAST - _FIRST) // _WINDOW
    if count > windows:
        raise ValueError(f"at most {windows} scenarios: each needs ports of its own")
    for number in range(count):
        base = _FIRST + number * _WINDOW
        containers = []
        for _ in range(rng.randint(1, 4)):
            flags = [f"-p {_publish(rng, base)}" for _ in range(rng.randint(1, 3))]
            containers.append(" ".join(flags))
        yield f"generated {number}", containers


def _ephemeral_range(engine: EngineDaemon) -> tuple[int, int]:
    """The daemon's ip_local_port_range, read in its network namespace."""
    try:
        done = subprocess.run(
            [
                "nsenter",
                "-t",
                str(engine.pid),
                "-n",
                "cat",
                "/proc/sys/net/ipv4/ip_local_port_range",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        low, high = done.stdout.split()
        return int(low), int(high)
    except (OSError, subprocess.SubprocessError, ValueError):
        return (32768, 60999)


def _version(engine: EngineDaemon) -> tuple[int, int]:
    major, minor = engine.version.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def _normal(address: str) -> HostAddress:
    value = ip_address(address)
    if isinstance(value, IPv6Address) and value.ipv4_mapped is not None:
        return value.ipv4_mapped
    return value


def _got(state: dict[str, object]) -> Counter[tuple[str, HostAddress, int]]:
    ports = state["NetworkSettings"]["Ports"] or {}  # type: ignore[index]
    found: Counter[tuple[str, HostAddress, int]] = Counter()
    for key, bindings in ports.items():
        for binding in bindings or ():
            found[(key, _normal(binding["HostIp"]), int(binding["HostPort"]))] += 1
    return found


def _compare(
    outcome: StartOutcome,
    started: bool,
    got: Counter[tuple[str, HostAddress, int]],
    ephemeral: tuple[int, int],
) -> str:
    """agree, hedge, miss (refused, said to start), false (started, said refused) or ports."""
    if outcome.status == "depends":
        return "hedge" if any(word in outcome.reason for word in _HEDGES) else "bad hedge"
    if outcome.status == "refused":
        return "false" if started else "agree"
    if not started:
        return "miss"
    exact: Counter[tuple[str, HostAddress, int]] = Counter()
    vague: Counter[tuple[str, HostAddress]] = Counter()
    for bound in outcome.bindings:
        key = f"{bound.container_port}/{bound.protocol}"
        if bound.port is None:
            vague[(key, bound.address)] += 1
        else:
            exact[(key, bound.address, bound.port)] += 1
    rest = got - exact
    if exact - got:
        return "ports"
    low, high = ephemeral
    if any(not low <= port <= high for _, _, port in rest):
        return "ports"
    if Counter((key, address) for key, address, _ in rest.elements()) != vague:
        return "ports"
    return "agree"


def play(
    engine: EngineDaemon,
    name: str,
    lines: Sequence[str],
    host: HostSettings,
    tally: Tally,
) -> None:
    plan = [parse_docker_run(line) for line in lines]
    outcomes = simulate_starts(plan, host=host)
    try:
        for line, outcome in zip(lines, outcomes, strict=True):
            result = engine.run(line.split())
            got = Counter[tuple[str, HostAddress, int]]()
            if result.started:
                assert result.container_id is not None
                got = _got(engine.inspect([result.container_id])[0])
            verdict = _compare(outcome, result.started, got, host.ephemeral)
            note = ""
            if verdict not in {"agree", "hedge"}:
                truth = (
                    f"started {sorted(map(str, got))}" if result.started else result.error[-160:]
                )
                note = f"{name}: {lines}: {line!r}: said {outcome}; daemon {truth}"
            tally.add(verdict, note)
    finally:
        engine.remove_containers()


def _cases() -> list[tuple[str, list[str]]]:
    cases = []
    for number, (name, lines) in enumerate(FIXED_CASES):
        base = _CASES + number * _WINDOW
        offsets = {str(n): base + n for n in range(_WINDOW)}
        cases.append((name, [line.format(*offsets.values()) for line in lines]))
    return cases


def test_the_reproducers_start_as_predicted(engine: EngineDaemon) -> None:
    host = HostSettings(engine_version=_version(engine), ephemeral=_ephemeral_range(engine))
    tally = Tally()
    for name, lines in _cases():
        play(engine, name, lines, host, tally)
    print(f"\nfixed cases on Engine {engine.version}: {dict(tally.counts)}")
    assert tally.failures == []
    assert set(tally.counts) <= {"agree", "hedge"}


def test_generated_scenarios_start_as_predicted(engine: EngineDaemon) -> None:
    count = int(os.environ.get("PORTSPEC_SCENARIOS", "30"))
    seed = int(os.environ.get("PORTSPEC_SCENARIO_SEED", "16"))
    host = HostSettings(engine_version=_version(engine), ephemeral=_ephemeral_range(engine))
    tally = Tally()
    for name, lines in generated(count, seed):
        play(engine, name, lines, host, tally)
    print(f"\n{count} scenarios (seed {seed}) on Engine {engine.version}: {dict(tally.counts)}")
    assert tally.failures == [], "\n".join(tally.failures[:20])


@pytest.mark.parametrize("count", [1, 600])
def test_the_generator_is_seeded_and_keeps_scenarios_apart(count: int) -> None:
    first = list(generated(count, 3))
    assert first == list(generated(count, 3))
    assert len(first) == count
    with pytest.raises(ValueError, match="at most"):
        list(generated(10_000, 3))
