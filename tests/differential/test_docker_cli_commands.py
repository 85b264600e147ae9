"""portspec against the real docker CLI on whole command lines.

Each command line goes to ``docker create`` (or ``docker run``), pointed at a
fake Engine, and to ``portspec.parse_docker_run``. Docker must accept exactly
when portspec does, and when both accept, the create request docker sends
must hold what ``portspec.to_engine_api`` says: the same exposed ports, port
bindings, links, publish-all and network mode, and the same image, command
and container name. A curated table holds the tricky cases with docker's
verdict on each; thousands more are drawn by ``_commands``.

Every line carries ``--label=portspec.differential.run=KEY`` right after the
subcommand, for the fake Engine to file its create request under; portspec
is given the very same arguments and ignores labels.

``pytest -s`` shows how many command lines agreed.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from portspec import Container, PortSpecError, parse_docker_run, to_engine_api
from tests.differential import _commands
from tests.differential._commands import CommandLine, command_line
from tests.differential._engine import DockerCLI, Result, run_label

Json = dict[str, Any]

SEED = "portspec command lines"
#: How many command lines each run draws, for each subcommand.
GENERATED = {"create": 5000, "run": 300}
#: docker runs at once: each is a short-lived process that mostly waits on the Engine.
WORKERS = 5

_keys = itertools.count()

# ------------------------------------------------------------- curated

#: (command line after ``docker``, does docker accept it?). Where portspec
#: disagrees, the test fails: the verdicts here are docker's.
CURATED: list[tuple[str | list[str], bool]] = [
    # every spelling of -p, and of -P beside it
    ("create -p 8080:80 alpine", True),
    ("create -p8080:80 alpine", True),
    ("create -p=8080:80 alpine", True),
    ("create --publish 8080:80 alpine", True),
    ("create --publish=8080:80 alpine", True),
    ("create -p= alpine", False),  # the value is '='
    ("create -p== alpine", False),
    ("create -p -P alpine", False),  # '-P' is -p's value
    ("create --publish --expose alpine", False),
    ("create -p '' alpine", False),
    ("create -tiP alpine", True),
    ("create -Pp 80 alpine", True),
    ("create -itp 80 alpine", True),
    ("create -itp80 alpine", True),
    ("create -itp=80 alpine", True),
    ("create -pP alpine", False),  # 'P' is -p's value
    ("create -P=false alpine", True),
    ("create -P=0 alpine", True),
    ("create -P= alpine", False),
    ("create -ti=true alpine", True),
    ("create -it=false -P alpine", True),
    ("create --publish-all alpine", True),
    ("create --publish-all=false alpine", True),
    ("create --publish-all=T alpine", True),
    ("create --publish-all=F alpine", True),
    ("create --publish-all=TRUE alpine", True),
    ("create --publish-all=True alpine", True),
    ("create --publish-all= alpine", False),
    ("create --publish-all=yes alpine", False),
    ("create --publish-all=tRUE alpine", False),
    ("create -P -P=false alpine", True),
    ("create -P=false -P alpine", True),
    ("create -P=truep 80 alpine", False),
    ("create --publish-all false alpine", True),  # 'false' is the image, 'alpine' its command
    ("create --rm=maybe alpine", False),
    ("create --disable-content-trust -p 80 alpine", True),
    ("create --disable-content-trust=true alpine", True),
    ("create --rm= alpine", False),
    ("create -p 80 -p 80 -p 8080:80 alpine", True),
    ("create -p 1-65535:1-65535 alpine", True),
    ("create -p 8000-8010:80 -p 127.0.0.1:9000-9001:9000-9001/udp alpine", True),
    # --expose and --link
    ("create --expose 80 --expose=53/udp --expose 8000-8010 alpine", True),
    ("create --expose 80:80 alpine", False),
    ("create --expose= alpine", False),
    ("create --publish= alpine", False),
    ("create --link= alpine", False),
    ("create --link db --link=db:alias --link /db:/web/db alpine", True),
    ("create --link db: alpine", True),  # the alias is '', kept as typed
    # syntax errors
    ("create --=x alpine", False),
    ("create ---p alpine", False),
    ("create --- alpine", False),
    ("create -= alpine", False),
    ("create -X alpine", False),
    ("create --publishh 80 alpine", False),
    ("create --Publish 80 alpine", False),
    ("create --publish_all alpine", False),
    ("create --p 80 alpine", False),
    ("create -publish 80 alpine", False),  # -p with the value 'ublish'
    ("create -p", False),
    ("create --publish", False),
    ("create -P -p", False),
    ("create --expose", False),
    ("create --link", False),
    ("create --network", False),
    ("create --name", False),
    # run-only flags given to create
    ("create -d alpine", False),
    ("create --detach alpine", False),
    ("create -dp 80 alpine", False),
    ("create -itd alpine", False),
    ("create --sig-proxy=false alpine", False),
    ("create --detach-keys ctrl-a alpine", False),
    # the image ends the flags; what follows is the command
    ("create -- alpine", True),
    ("create -p 80 -- alpine -- x", True),
    ("create alpine -p 1:2", True),
    ("create alpine --publish=99999", True),
    ("create alpine -d", True),
    ("create alpine --rm=maybe", True),
    ("create -p 80 alpine sh -c 'echo hi'", True),
    ("create --name web nginx:1.27 nginx -g 'daemon off;'", True),
    ("create alpine ''", True),
    ("create --rm false", True),  # a boolean takes no separate value: 'false' is the image
    # --name, and repeated flags: the last wins
    ("create --name a --name b alpine", True),
    ("create --name= alpine", True),
    ("create --name 'a b' alpine", True),
    # networks
    ("create --network host -p 80 alpine", True),
    ("create --network none -p 80 --link db alpine", True),
    ("create --network bridge alpine", True),
    ("create --network default alpine", True),
    ("create --net host alpine", True),
    ("create --network=container:db -p 80 alpine", True),
    ("create --network host --network foo alpine", False),
    ("create --network foo --network host alpine", False),
    ("create --network foo --network container:db alpine", False),
    ("create --network foo --network foo alpine", False),
    ("create --network host --network host alpine", False),
    ("create --network foo --net name=foo alpine", False),
    ("create --network foo --network bar alpine", True),
    ("create --network host --network none alpine", True),
    ("create --network default --network bridge alpine", True),
    ("create --network container:a --network container:b alpine", True),
    ("create --network HOST --network foo alpine", True),  # HOST is a user network
    ("create --network name=HOST --network foo alpine", False),  # but name=HOST is host
    ("create --network name=Foo alpine", True),
    ("create --network NAME=foo,ALIAS=x alpine", True),
    ("create --network 'name=foo, alias=x' alpine", True),
    ("create --network name=foo,alias=web alpine", True),
    ("create --network name=foo,driver-opt=a=b alpine", True),
    ("create --network name=foo,gw-priority=+7 alpine", True),
    ("create --network name=foo,gw-priority=-9223372036854775808 alpine", True),
    ("create --network name=foo,gw-priority=1_0 alpine", False),
    ("create --network a,b=c alpine", False),
    ("create --network x=y,name=a alpine", False),
    ("create --network =x=y alpine", False),
    ("create --network name=a,,alias=b alpine", False),
    ("create --network name=,alias=x alpine", False),
    ("create --network name=foo,name= alpine", False),
    ("create --network host:x=y alpine", False),
    ("create --network 'name= ' alpine", True),  # no word after '=': a user network 'name= '
    ("create --network 'name=\"a,b\"' alpine", True),  # likewise
    ("create --network - alpine", True),
    ("create --network container: alpine", True),
    ("create --link db --network host alpine", True),
    ("create --link db --network container:x alpine", True),
    ("create --link db:alias --network foo alpine", True),
    ("create --network-alias x --network foo alpine", True),
    ("create --network foo --net-alias x alpine", True),
    ("create --network-alias x --network foo --network bar alpine", True),
    ("create --ip 172.20.0.5 alpine", True),
    # network options docker's client checks against the networks
    ("create --network '' alpine", False),
    ("create --network= alpine", False),
    ("create --network ' ' alpine", False),
    ("create --network-alias web alpine", False),
    ("create --network host --network-alias web alpine", False),
    ("create --net-alias web --network container:db alpine", False),
    ("create --network name=host,alias=web alpine", False),
    ("create --network name=foo,alias=a --network-alias b alpine", False),
    ("create --network name=foo,ip=172.20.0.5 --ip 172.20.0.6 alpine", False),
    ("create --network name=foo,ip6=2001:db8::1 --ip6 2001:db8::2 alpine", False),
    (
        "create --network name=foo,mac-address=02:42:ac:11:00:02"
        " --mac-address 02:42:ac:11:00:03 alpine",
        False,
    ),
    (
        "create --network name=foo,link-local-ip=169.254.1.1 --link-local-ip 169.254.1.2 alpine",
        False,
    ),
    ("create --network name=foo,mac-address=xyz alpine", False),
    ("create --network name=foo,driver-opt=x alpine", False),
    ("create --network name=foo,driver-opt==x alpine", False),
    ("create --network name=foo,gw-priority=9223372036854775808 alpine", False),
    ("create --network 'name=a\"b' alpine", False),
    ("create --network 'name=a,alias=\"x' alpine", False),
    ("create --network '\"name=a,b\",alias=x' alpine", True),  # CSV: the name is 'a,b'
    ("create --network '\"name=a\"' alpine", True),
    (["create", "--network", "name=a\nb", "alpine"], True),  # CSV: one record, the name is 'a'
    (["create", "--network", "name=a\r\nb,alias=x", "alpine"], True),
    ("create --network \u00e9=\u00e9 alpine", True),  # Go's \w is ASCII: a user network
    ("create --network name=w\u00e9b alpine", True),
    ("create --network name=\u0130x alpine", True),
    # subcommand words and docker's own flags
    ("container create -p 80 alpine", True),
    ("container create -tiP alpine", True),
    ("-D create -p 80 alpine", True),
    ("--debug container create -p 80 alpine", True),
    ("--log-level=error create -p 80 alpine", True),
    ("-l warn container create -p 80 alpine", True),
    ("-lwarn create --expose 80 alpine", True),
    # docker run: a create request sent is accepted (the fake Engine starts nothing)
    ("run -d -p 8080:80 nginx", True),
    ("run -dp 8080:80 nginx", True),
    ("run -dp8080:80 nginx", True),
    ("run -dP alpine", True),
    ("run -Pd=false alpine", True),
    ("run -dit -p 80 alpine", True),
    ("run --rm -d --sig-proxy=false alpine", True),
    ("run --detach-keys=ctrl-x,x -d alpine", True),
    ("run --detach=false -p 80 alpine", True),
    ("run -d=maybe alpine", False),
    ("run -dp 99999 alpine", False),
    ("run --sig-proxy=nope alpine", False),
    ("run --detach-keys", False),
    ("container run -d --network host -p 80 alpine", True),
    ("container run -d --network host --network foo alpine", False),
    ("run -d alpine -p 1:2", True),
]


# ------------------------------------------------------ what a line means


def docker_meaning(result: Result) -> Json:
    """The parts of docker's create request that portspec answers for."""
    body = result.body or {}
    host_config = body.get("HostConfig") or {}
    return {
        "ExposedPorts": body.get("ExposedPorts"),
        "PortBindings": host_config.get("PortBindings"),
        "Links": host_config.get("Links"),
        "PublishAllPorts": host_config.get("PublishAllPorts"),
        "NetworkMode": host_config.get("NetworkMode"),
        "Image": body.get("Image"),
        "Cmd": body.get("Cmd"),
        "name": result.name,
    }


def portspec_meaning(container: Container) -> Json:
    """The same parts, as portspec's container and ``to_engine_api`` say."""
    api = to_engine_api(container)
    host_config = api["HostConfig"]
    return {
        "ExposedPorts": api.get("ExposedPorts"),
        "PortBindings": host_config["PortBindings"],
        "Links": host_config["Links"],
        "PublishAllPorts": host_config["PublishAllPorts"],
        "NetworkMode": host_config["NetworkMode"],
        "Image": container.image,
        "Cmd": list(container.command) or None,
        "name": container.name or "",
    }


# ----------------------------------------------------------- comparing


@dataclass(frozen=True)
class Verdict:
    """What docker and portspec made of one command line."""

    line: CommandLine
    argv: tuple[str, ...]
    docker: Result
    #: portspec's container, its PortSpecError, or whatever else it raised
    portspec: Container | BaseException
    #: what differs, in words; ``None`` when they agree
    problem: str | None

    @property
    def both_accept(self) -> bool:
        return self.docker.accepted and isinstance(self.portspec, Container)

    def kind(self) -> str:
        """A short name for how they disagree, to group alike disagreements under."""
        if (self.problem or "").startswith(_TABLE_IS_WRONG):
            return "the curated table is wrong about docker"
        if isinstance(self.portspec, BaseException) and not isinstance(
            self.portspec, PortSpecError
        ):
            return f"portspec crashes with {type(self.portspec).__name__}"
        if self.both_accept:
            meaning = self.problem or ""
            fields = re.findall(r"^  (\w+):", meaning, re.MULTILINE)
            return "both accept, but mean otherwise: " + ", ".join(fields)
        if self.docker.accepted:
            return f"docker accepts, portspec refuses: {_shape(_message(self.portspec))}"
        return f"docker refuses ({_shape(_first_line(self.docker.stderr))}), portspec accepts"


def _first_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[0] if lines else "(nothing on stderr)"


def _message(error: object) -> str:
    return error.message if isinstance(error, PortSpecError) else str(error)


_TABLE_IS_WRONG = "the table says docker"
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")


def _shape(message: str) -> str:
    """A message with the text it quotes left out: alike errors read alike."""
    message = message.removeprefix("docker: ")
    message = re.sub(r"^--net: ", "--network: ", message)
    message = re.sub(r"^invalid argument .* for (\".*?\") flag: ", r"\1: ", message)
    message = _QUOTED.sub("…", message)
    message = re.sub(r"(invalid field(?: key)?|invalid gw-priority) .*", r"\1 …", message)
    message = re.sub(r"line \d+, column \d+", "line …, column …", message)
    return re.sub(r".* (is not a valid mac address)", r"… \1", message)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 300 else text[:297] + "..."


def _portspec_verdict(value: Container | BaseException) -> str:
    if isinstance(value, PortSpecError):
        return f"refuses: {value.message}"
    if isinstance(value, BaseException):
        return f"CRASHES with {type(value).__name__}: {value} (not a PortSpecError)"
    return f"accepts: {value!r}"


def _judge(line: CommandLine, argv: Sequence[str], docker: Result) -> Verdict:
    portspec: Container | BaseException
    ours: Json = {}
    try:
        portspec = parse_docker_run(["docker", *argv])
        ours = portspec_meaning(portspec)
    except Exception as error:  # a crash is a finding, not an error of the test
        portspec = error
    problem = None
    if isinstance(portspec, BaseException) and not isinstance(portspec, PortSpecError):
        problem = _portspec_verdict(portspec)
    elif docker.accepted != isinstance(portspec, Container):
        docker_says = (
            f"accepts: {_shown(docker_meaning(docker))}"
            if docker.accepted
            else f"refuses: {_first_line(docker.stderr)}"
        )
        problem = f"docker   {docker_says}\nportspec {_portspec_verdict(portspec)}"
    elif docker.accepted:
        theirs = docker_meaning(docker)
        differences = [
            f"  {key}: docker {_shown(theirs[key])}, portspec {_shown(ours[key])}"
            for key in theirs
            if theirs[key] != ours[key]
        ]
        if differences:
            problem = "both accept, and mean otherwise:\n" + "\n".join(differences)
    return Verdict(line, tuple(argv), docker, portspec, problem)


def judge(cli: DockerCLI, lines: Sequence[CommandLine]) -> list[Verdict]:
    """Give each command line to docker and to portspec, a few at a time."""

    def run(line: CommandLine) -> Verdict:
        key = f"c{next(_keys)}"
        argv = line.argv(run_label(key))
        result = cli.command(argv, key, starts=line.subcommand == "run")
        return _judge(line, argv, result)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, lines))


@dataclass
class Tally:
    """How a list of command lines went."""

    what: str
    verdicts: list[Verdict]

    @property
    def problems(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if verdict.problem is not None]

    def summary(self) -> str:
        total = len(self.verdicts)
        agreed = [verdict for verdict in self.verdicts if verdict.problem is None]
        accepted = sum(verdict.both_accept for verdict in agreed)
        return (
            f"docker CLI command-line agreement ({self.what}): {len(agreed)}/{total} agree"
            f" ({accepted} accepted with equal meaning, {len(agreed) - accepted} refused"
            f" by both), {total - len(agreed)} disagree"
        )

    def report(self, examples: int) -> str:
        """Every disagreement, grouped by how they disagree, ``examples`` shown a group."""
        groups: dict[str, list[Verdict]] = {}
        for verdict in self.problems:
            groups.setdefault(verdict.kind(), []).append(verdict)
        lines = [
            f"docker CLI and portspec disagree on {len(self.problems)} of"
            f" {len(self.verdicts)} command lines ({self.what}), in {len(groups)} ways:"
        ]
        ordered = sorted(groups.items(), key=lambda group: -len(group[1]))
        for number, (kind, verdicts) in enumerate(ordered, 1):
            lines.append(f"[{number}] {len(verdicts)} x {kind}")
            for verdict in verdicts[:examples]:
                lines.append(f"  {verdict.line}")
                lines += [f"    {text}" for text in (verdict.problem or "").splitlines()]
            if len(verdicts) > examples:
                lines.append(f"  ... and {len(verdicts) - examples} more like these")
        return "\n".join(lines)


def _check(
    tally: Tally, record_property: Callable[[str, object], None], *, examples: int = 4
) -> None:
    print(f"\n{tally.summary()}")
    record_property(f"docker_command_agreement {tally.what}", tally.summary())
    if tally.problems:
        pytest.fail(tally.report(examples), pytrace=False)


# --------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def runs(docker_cli: DockerCLI) -> Iterator[None]:
    """How many docker runs the module took, printed once at its end."""
    before = docker_cli.runs
    yield
    print(f"\n{docker_cli.runs - before} docker command-line runs")


def test_the_oracle_answers(docker_cli: DockerCLI) -> None:
    line = command_line("create --name web -p 127.0.0.1:8080:80/udp --link db:d alpine sh")
    (verdict,) = judge(docker_cli, [line])
    assert verdict.docker.accepted, verdict.docker.stderr
    assert docker_meaning(verdict.docker) == {
        "ExposedPorts": {"80/udp": {}},
        "PortBindings": {"80/udp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]},
        "Links": ["db:d"],
        "PublishAllPorts": False,
        "NetworkMode": "default",
        "Image": "alpine",
        "Cmd": ["sh"],
        "name": "web",
    }
    (refused,) = judge(docker_cli, [command_line("create -p 65536 alpine")])
    assert not refused.docker.accepted
    assert "65536" in refused.docker.stderr


def test_curated(
    docker_cli: DockerCLI, runs: None, record_property: Callable[[str, object], None]
) -> None:
    """The table of tricky command lines: docker says what the table says, and so does portspec."""
    lines = [command_line(words) for words, _ in CURATED]
    assert len(set(lines)) == len(lines), "a curated command line is there twice"
    tally = Tally("curated", judge(docker_cli, lines))
    for verdict, (_, claim) in zip(tally.verdicts, CURATED, strict=True):
        if verdict.docker.accepted != claim and verdict.problem is None:
            # portspec agrees with docker, so the table is what is wrong.
            tally.verdicts[tally.verdicts.index(verdict)] = Verdict(
                verdict.line,
                verdict.argv,
                verdict.docker,
                verdict.portspec,
                f"{_TABLE_IS_WRONG} {'accepts' if claim else 'refuses'};"
                f" docker and portspec {'accept' if verdict.docker.accepted else 'refuse'}",
            )
    _check(tally, record_property, examples=100)


@pytest.mark.parametrize("subcommand", list(GENERATED))
def test_generated(
    docker_cli: DockerCLI,
    runs: None,
    record_property: Callable[[str, object], None],
    subcommand: str,
) -> None:
    """Thousands of drawn command lines, valid and one step from valid: docker agrees on each."""
    lines = _commands.draw_many(GENERATED[subcommand], f"{SEED} {subcommand}", subcommand)
    what = f"{len(lines)} docker {subcommand} lines generated from seed {SEED!r}"
    _check(Tally(what, judge(docker_cli, lines)), record_property)
