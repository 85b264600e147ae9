"""portspec against the real docker CLI: the same verdict on every value, and the same meaning.

Each value goes to ``docker create`` (pointed at a fake Engine) and to
portspec. Where portspec accepts, docker must accept and send the Engine
exactly the JSON portspec's value stands for; where portspec refuses, docker
must refuse. Values portspec accepts go to docker many at a time (a refused
run is cut in halves to find the culprit); values it refuses go one by one.

``pytest -s`` shows how many values agreed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from portspec import (
    Expose,
    Link,
    PortMapping,
    PortSpecError,
    parse_expose,
    parse_link,
    parse_publish,
)
from tests.differential import _values
from tests.differential._engine import Batch, DockerCLI
from tests.tables import (
    INVALID_EXPOSE,
    INVALID_LINK,
    INVALID_PUBLISH,
    VALID_EXPOSE,
    VALID_LINK,
    VALID_PUBLISH,
)

Json = dict[str, Any]

# How many values each run draws, for each flag.
GENERATED = {"-p": 2000, "--expose": 500, "--link": 500}
FROM_GRAMMAR = {"-p": 300, "--expose": 120, "--link": 120}

# Values checked on every run whatever the generators draw: past
# disagreements, and edge cases the generators reach only now and then.
PINNED: dict[str, list[str]] = {
    "-p": [
        # docker cuts a long-syntax option at its first '=' and keeps the rest
        # of the value; portspec read the rebuilt short value as long syntax.
        "target=80/tcp/x=y",
        "target=80-81-x=y",
        "target=80,protocol=tcp/x=y",
        "published=8000-8010-x=y,target=80",
        "published=1.2.3.4:8080,target=80,protocol=udp/a=b",
        "target=80=1",
        # every port at once: docker sends 65536 bindings
        "1-65535:1-65535",
        "[::1]:0-65535:0-65535/udp",
        "0-65535:80",
    ],
    "--expose": ["0-65535/UDP"],
    "--link": [],
}


# ------------------------------------------------------ what a value means


def publish_json(mappings: Sequence[PortMapping]) -> Json:
    """The Engine JSON docker sends for these ``-p`` values, in this order."""
    exposed: dict[str, Json] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for mapping in mappings:
        for offset, port in enumerate(mapping.container):
            key = f"{port}/{mapping.protocol.value}"
            if mapping.host is None:
                host_port = ""
            elif mapping.is_dynamic_range:
                host_port = f"{mapping.host.start}-{mapping.host.end}"
            else:
                # docker pairs a host range with a container range port by port.
                host_port = str(mapping.host.start + offset)
            exposed[key] = {}
            binding = {"HostIp": mapping.host_ip_as_typed, "HostPort": host_port}
            bindings.setdefault(key, []).append(binding)
    return {"ExposedPorts": exposed, "PortBindings": bindings, "Links": []}


def expose_json(values: Sequence[Expose]) -> Json:
    """The Engine JSON for these ``--expose`` values: the protocol goes as typed."""
    exposed: dict[str, Json] = {
        f"{port}/{value.protocol}": {} for value in values for port in value.ports
    }
    return {"ExposedPorts": exposed, "PortBindings": {}, "Links": []}


def link_json(links: Sequence[Link]) -> Json:
    """The Engine JSON for these ``--link`` values: each link as typed."""
    return {"ExposedPorts": {}, "PortBindings": {}, "Links": [link.as_typed for link in links]}


def docker_json(body: Json | None) -> Json:
    """The parts of docker's create request that ``-p``, ``--expose`` and ``--link`` fill."""
    body = body or {}
    host_config = body.get("HostConfig") or {}
    return {
        "ExposedPorts": body.get("ExposedPorts") or {},
        "PortBindings": host_config.get("PortBindings") or {},
        "Links": host_config.get("Links") or [],
    }


@dataclass(frozen=True)
class Flag:
    """A docker flag, how portspec reads its value and what the value means."""

    label: str
    option: str
    parse: Callable[[str], Any]
    meaning: Callable[[Sequence[Any]], Json]
    #: How heavy a parsed value is for one docker run (a range is many ports).
    weight: Callable[[Any], int]


FLAGS = {
    "-p": Flag("-p", "--publish", parse_publish, publish_json, lambda m: len(m.container)),
    "--expose": Flag("--expose", "--expose", parse_expose, expose_json, lambda e: len(e.ports)),
    "--link": Flag("--link", "--link", parse_link, link_json, lambda _: 1),
}
TABLES: dict[str, tuple[Sequence[tuple[str, object]], Sequence[tuple[str, str, str]]]] = {
    "-p": (VALID_PUBLISH, INVALID_PUBLISH),
    "--expose": (VALID_EXPOSE, INVALID_EXPOSE),
    "--link": (VALID_LINK, INVALID_LINK),
}


# --------------------------------------------------------------- comparing


@dataclass
class Comparison:
    """What docker and portspec made of a list of values for one flag."""

    flag: Flag
    values: list[str]
    docker_accepts: dict[str, bool] = field(default_factory=dict)
    #: value -> what differs, in words
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def agreed(self) -> int:
        return len(self.values) - len(self.problems)

    def summary(self) -> str:
        return f"{self.agreed}/{len(self.values)} {self.flag.label}"

    def report(self, what: str) -> str:
        lines = [
            f"docker CLI and portspec disagree on {len(self.problems)} of {len(self.values)}"
            f" {self.flag.label} values ({what}):"
        ]
        for value, problem in self.problems.items():
            lines += [
                f"  {self.flag.option}={value!r}",
                *(f"    {line}" for line in problem.splitlines()),
            ]
        return "\n".join(lines)


def _first_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[0] if lines else "(nothing on stderr)"


def _shown(meaning: Json) -> str:
    text = json.dumps(meaning, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 400 else text[:397] + "..."


def _portspec_verdict(value: object) -> str:
    if isinstance(value, PortSpecError):
        return f"refuses: {value.message}"
    if isinstance(value, BaseException):
        return f"CRASHES with {type(value).__name__}: {value} (not a PortSpecError)"
    return f"accepts: {value!r}"


def compare(cli: DockerCLI, flag: Flag, values: Sequence[str]) -> Comparison:
    """Ask portspec and docker about every value; note each one they differ on."""
    comparison = Comparison(flag, list(dict.fromkeys(values)))
    parsed: dict[str, Any] = {}
    failed: dict[str, BaseException] = {}
    for value in comparison.values:
        try:
            parsed[value] = flag.parse(value)
        except Exception as error:  # a crash is a finding too, not an error of the test
            failed[value] = error

    batches = cli.run_batches(
        flag.option,
        list(parsed),
        weight=lambda value: 1 + flag.weight(parsed[value]) // 100,
        max_weight=250,
    )
    for batch in batches:
        for value in batch.values:
            comparison.docker_accepts[value] = batch.result.accepted
        if not batch.result.accepted:
            (value,) = batch.values
            comparison.problems[value] = (
                f"portspec {_portspec_verdict(parsed[value])}\n"
                f"docker   refuses: {_first_line(batch.result.stderr)}"
            )
        elif flag.meaning([parsed[v] for v in batch.values]) != docker_json(batch.result.body):
            _find_other_meanings(cli, comparison, batch, parsed)

    refused = list(failed)
    results = cli.create_each([[f"{flag.option}={value}"] for value in refused])
    for value, result in zip(refused, results, strict=True):
        comparison.docker_accepts[value] = result.accepted
        reason = failed[value]
        if result.accepted or not isinstance(reason, PortSpecError):
            docker = (
                f"accepts: {_shown(docker_json(result.body))}"
                if result.accepted
                else f"refuses: {_first_line(result.stderr)}"
            )
            comparison.problems[value] = f"portspec {_portspec_verdict(reason)}\ndocker   {docker}"
    return comparison


def _find_other_meanings(
    cli: DockerCLI, comparison: Comparison, batch: Batch, parsed: dict[str, Any]
) -> None:
    """A batch's JSON differs from portspec's: find the values that mean something else."""
    flag, values = comparison.flag, batch.values
    singles = (
        [batch.result]
        if len(values) == 1
        else cli.create_each([[f"{flag.option}={value}"] for value in values])
    )
    found = False
    for value, result in zip(values, singles, strict=True):
        expected, actual = flag.meaning([parsed[value]]), docker_json(result.body)
        if not result.accepted or expected != actual:
            found = True
            comparison.problems[value] = (
                f"portspec accepts: {parsed[value]!r}\n"
                f"  meaning {_shown(expected)}\n"
                f"docker   {'accepts' if result.accepted else 'refuses'}:"
                f" {_shown(actual) if result.accepted else _first_line(result.stderr)}"
            )
    if not found:
        comparison.problems[" + ".join(values)] = (
            "each value alone means the same to both, together they do not:\n"
            f"portspec {_shown(flag.meaning([parsed[v] for v in values]))}\n"
            f"docker   {_shown(docker_json(batch.result.body))}"
        )


# ------------------------------------------------------------------- tally


@pytest.fixture(scope="module")
def tally(docker_cli: DockerCLI) -> Iterator[dict[str, list[int]]]:
    """Agreement counts of the whole module, printed once at its end."""
    counts: dict[str, list[int]] = {label: [0, 0] for label in FLAGS}
    runs = docker_cli.runs
    yield counts
    print(
        "\ndocker CLI agreement: "
        + ", ".join(f"{agreed}/{total} {label}" for label, (agreed, total) in counts.items())
        + f" ({docker_cli.runs - runs} docker runs)"
    )


def _check(
    comparison: Comparison,
    what: str,
    tally: dict[str, list[int]],
    record_property: Callable[[str, object], None],
) -> None:
    counts = tally[comparison.flag.label]
    counts[0] += comparison.agreed
    counts[1] += len(comparison.values)
    print(f"\ndocker CLI agreement ({what}): {comparison.summary()}")
    record_property(f"docker_agreement {comparison.flag.label} {what}", comparison.summary())
    if comparison.problems:
        pytest.fail(comparison.report(what), pytrace=False)


# ------------------------------------------------------------------- tests


def test_the_oracle_answers(docker_cli: DockerCLI) -> None:
    accepted = docker_cli.create(["--publish=127.0.0.1:8080:80/udp", "--expose=53", "--link=db:d"])
    assert accepted.accepted, accepted.stderr
    assert docker_json(accepted.body) == {
        "ExposedPorts": {"80/udp": {}, "53/tcp": {}},
        "PortBindings": {"80/udp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]},
        "Links": ["db:d"],
    }
    refused = docker_cli.create(["--publish=65536"])
    assert not refused.accepted
    assert "65536" in refused.stderr


@pytest.mark.parametrize("label", list(FLAGS))
def test_table_values(
    docker_cli: DockerCLI,
    label: str,
    tally: dict[str, list[int]],
    record_property: Callable[[str, object], None],
) -> None:
    """Every value of tests/tables.py: docker agrees with portspec, and with the table."""
    valid, invalid = TABLES[label]
    claims = {text: True for text, _ in valid} | {text: False for text, _, _ in invalid}
    comparison = compare(docker_cli, FLAGS[label], list(claims))
    for text, claim in claims.items():
        if comparison.docker_accepts.get(text, claim) != claim and text not in comparison.problems:
            # portspec agrees with docker, so the table is what is wrong.
            comparison.problems[text] = (
                f"tests/tables.py says {'valid' if claim else 'invalid'},"
                f" docker and portspec say {'invalid' if claim else 'valid'}"
            )
    _check(comparison, "tables", tally, record_property)


@pytest.mark.parametrize("label", list(FLAGS))
def test_generated_values(
    docker_cli: DockerCLI,
    label: str,
    tally: dict[str, list[int]],
    record_property: Callable[[str, object], None],
) -> None:
    """Thousands of drawn values, valid and nearly valid: docker agrees on each."""
    draw = {"-p": _values.publish, "--expose": _values.expose, "--link": _values.link}[label]
    values = _values.draw_many(draw, GENERATED[label], seed=f"portspec {label}")
    _check(compare(docker_cli, FLAGS[label], values), "generated", tally, record_property)


@pytest.mark.parametrize("label", list(FLAGS))
def test_grammar_values(
    docker_cli: DockerCLI,
    label: str,
    tally: dict[str, list[int]],
    record_property: Callable[[str, object], None],
) -> None:
    """Texts drawn from portspec's own grammar: docker agrees on each."""
    name, starts = {
        "-p": ("ports", ["publish", "publish_long"]),
        "--expose": ("ports", ["expose"]),
        "--link": ("link", ["link"]),
    }[label]
    values = _values.grammar_values(name, starts, FROM_GRAMMAR[label])
    _check(compare(docker_cli, FLAGS[label], values), "from the grammar", tally, record_property)


# Last, so that ``pytest -x`` still runs everything else while these fail.
@pytest.mark.parametrize("label", [label for label in FLAGS if PINNED[label]])
def test_pinned_values(
    docker_cli: DockerCLI,
    label: str,
    tally: dict[str, list[int]],
    record_property: Callable[[str, object], None],
) -> None:
    """Past disagreements and rare edge cases: docker agrees on each."""
    comparison = compare(docker_cli, FLAGS[label], PINNED[label])
    _check(comparison, "pinned", tally, record_property)
