"""portspec's flag tables against the flags the installed docker CLI lists.

``portspec/sources/_docker_flags.py`` holds, for ``docker run``, ``docker
create`` and ``docker`` itself, each long flag with its shorthand and whether
it takes a value. The CLI's own help lists the same three things: a flag that
takes a value shows a type word (``--name string``), a boolean shows none
(``--rm``). The few flags the CLI reads but hides from its help are checked by
what docker does with them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import pytest

from portspec.sources._docker_flags import (
    CREATE_FLAGS,
    DOCKER_VERSION,
    GLOBAL_FLAGS,
    RUN_FLAGS,
    Flag,
)
from tests.differential._engine import DockerCLI, run_label

# "  -p, --publish list      Publish ..." or "      --rm       Automatically ...":
# the shorthand, the long name, and the type word a flag with a value shows.
_FLAG_LINE = re.compile(
    r"^  (?:-(?P<short>\S), |    )--(?P<long>[A-Za-z0-9][\w-]*)(?: (?P<kind>[\w-]+))?(?: {2,}|$)"
)

#: Flags of ``docker run``/``docker create`` that docker reads but does not list.
HIDDEN = {"net": "network", "net-alias": "network-alias", "dns-opt": "dns-option"}
#: ``docker --help`` lists no ``--help`` among its options, yet ``-h`` and ``--help`` work
#: (``-h`` with a warning that the shorthand is deprecated).
HIDDEN_GLOBAL: dict[str, Flag] = {"help": ("h", None)}

TABLES = {
    "run": RUN_FLAGS,
    "container run": RUN_FLAGS,
    "create": CREATE_FLAGS,
    "container create": CREATE_FLAGS,
}


@pytest.fixture(scope="module")
def docker() -> Iterator[tuple[str, dict[str, str]]]:
    """The docker executable, and an environment that reads no configuration of the user's."""
    found = shutil.which("docker")
    if found is None:
        pytest.skip("the docker CLI is not on PATH: the flag tables are checked against its help")
    home = tempfile.mkdtemp(prefix="ps-help-")
    env = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": home,
        "DOCKER_CONFIG": home,
        "DOCKER_CLI_HINTS": "false",
        "LC_ALL": "C.UTF-8",
    }
    try:
        yield found, env
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _help(docker: tuple[str, dict[str, str]], *words: str) -> str:
    executable, env = docker
    done = subprocess.run(
        [executable, *words, "--help"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def listed_flags(help_text: str, section: str) -> dict[str, Flag]:
    """The flags one section of a ``--help`` text lists, as ``_docker_flags`` writes them.

    >>> listed_flags("Options:\\n  -p, --publish list   Publish\\n      --rm   Remove", "Options")
    {'publish': ('p', 'list'), 'rm': (None, None)}
    """
    flags: dict[str, Flag] = {}
    inside = False
    for line in help_text.splitlines():
        if not line.startswith(" "):
            inside = line.rstrip() == f"{section}:"
            continue
        found = _FLAG_LINE.match(line) if inside else None
        if found is not None:
            flags[found["long"]] = (found["short"], found["kind"])
    return flags


def _difference(table: dict[str, Flag], listed: dict[str, Flag]) -> list[str]:
    lines = []
    for name in sorted(table.keys() | listed.keys()):
        ours, theirs = table.get(name), listed.get(name)
        if ours != theirs:
            lines.append(f"  --{name}: portspec {ours!r}, docker {theirs!r}")
    return lines


def test_docker_version(docker: tuple[str, dict[str, str]]) -> None:
    """The installed CLI is the one the tables were read from (a newer one may add flags)."""
    executable, env = docker
    done = subprocess.run(
        [executable, "--version"], env=env, capture_output=True, text=True, check=False
    )
    assert f"version {DOCKER_VERSION}," in done.stdout, done.stdout


@pytest.mark.parametrize("words", list(TABLES))
def test_subcommand_flags(docker: tuple[str, dict[str, str]], words: str) -> None:
    """``docker WORDS --help`` lists exactly the table's flags, less the hidden ones."""
    listed = listed_flags(_help(docker, *words.split()), "Options")
    assert len(listed) > 90, f"the help of docker {words} no longer reads as expected"
    table = TABLES[words]
    hidden = {name: table[name] for name in HIDDEN if name in table}
    difference = _difference(table, listed | hidden)
    assert not difference, f"docker {words} flags differ:\n" + "\n".join(difference)


def test_global_flags(docker: tuple[str, dict[str, str]]) -> None:
    """``docker --help`` lists exactly the global flags, less ``--help`` itself."""
    listed = listed_flags(_help(docker), "Global Options")
    assert len(listed) > 5, "the help of docker no longer reads as expected"
    difference = _difference(GLOBAL_FLAGS, listed | HIDDEN_GLOBAL)
    assert not difference, "docker global flags differ:\n" + "\n".join(difference)


@pytest.mark.parametrize("spelling", ["-h", "--help"])
def test_global_help_is_hidden_but_real(docker: tuple[str, dict[str, str]], spelling: str) -> None:
    executable, env = docker
    done = subprocess.run(
        [executable, spelling], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage:  docker [OPTIONS] COMMAND"), done.stdout[:200]


def test_run_only_flags() -> None:
    """``create`` is ``run`` less the flags that only make sense when attaching."""
    assert RUN_FLAGS.keys() - CREATE_FLAGS.keys() == {"detach", "detach-keys", "sig-proxy"}


@pytest.mark.parametrize(("hidden", "twin"), list(HIDDEN.items()))
def test_hidden_flag_is_its_twin(docker_cli: DockerCLI, hidden: str, twin: str) -> None:
    """A hidden flag is read like the listed one it stands for: same value, same effect."""
    assert RUN_FLAGS[hidden] == RUN_FLAGS[twin] or (hidden, twin) == ("net", "network")
    assert RUN_FLAGS[hidden][1] is not None, "every hidden flag takes a value"
    user_network = ["--network=web"] if hidden != "net" else []
    bodies = []
    for flag in (hidden, twin):
        key = f"hidden-{flag}"
        argv = ["create", run_label(key), *user_network, f"--{flag}=web", "alpine"]
        result = docker_cli.command(argv, key)
        assert result.accepted, result.stderr
        assert result.body is not None
        body = dict(result.body)
        body.pop("Labels")
        bodies.append(body)
    assert bodies[0] == bodies[1]
    missing = docker_cli.command(["create", run_label("hidden-end"), f"--{hidden}"], "hidden-end")
    assert not missing.accepted
    assert "flag needs an argument" in missing.stderr
