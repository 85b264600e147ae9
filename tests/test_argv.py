"""docker run / docker create command lines: flag syntax, what is read, what is refused."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from portspec import (
    Container,
    Link,
    PortMapping,
    PortSpecError,
    parse_docker_run,
    parse_expose,
    parse_publish,
)
from portspec.sources.argv import read_command
from portspec.sources.scripts import find_docker_commands, split_command
from tests.paths import CORPUS, CORPUS2, ROOT


def p(*texts: str) -> tuple[PortMapping, ...]:
    return tuple(parse_publish(text) for text in texts)


VALID: list[tuple[str | list[str], Container]] = [
    ("docker run nginx", Container(image="nginx")),
    ("", Container()),
    ("-p 8080:80", Container(publish=p("8080:80"))),
    ("docker run -p 8080:80 nginx", Container(publish=p("8080:80"), image="nginx")),
    ("docker container run -p 80 nginx", Container(publish=p("80"), image="nginx")),
    ("docker create -p 80 nginx", Container(publish=p("80"), image="nginx")),
    ("docker container create -p 80 x", Container(publish=p("80"), image="x")),
    ("sudo docker run -p 80 x", Container(publish=p("80"), image="x")),
    ("docker -H unix:///run/d.sock --debug run -p 80 x", Container(publish=p("80"), image="x")),
    ("docker --context=prod run -p 80 x", Container(publish=p("80"), image="x")),
    # every way to spell a value
    ("-p8080:80", Container(publish=p("8080:80"))),
    ("-p=8080:80", Container(publish=p("8080:80"))),
    ("--publish 8080:80", Container(publish=p("8080:80"))),
    ("--publish=8080:80", Container(publish=p("8080:80"))),
    ("--publish=published=8080,target=80", Container(publish=p("8080:80"))),
    # combined shorthands: booleans, then one flag that takes the rest or the next word
    ("-dp 3000:3000 app", Container(publish=p("3000:3000"), image="app")),
    ("-itp 80:80 app", Container(publish=p("80:80"), image="app")),
    ("-dp3000:3000", Container(publish=p("3000:3000"))),
    ("-tiP", Container(publish_all=True)),
    ("-Pp 80", Container(publish=p("80"), publish_all=True)),
    ("-P=false", Container()),
    ("--publish-all", Container(publish_all=True)),
    ("--publish-all=false -P", Container(publish_all=True)),
    ("-P --publish-all=0", Container()),
    ("--publish-all=T", Container(publish_all=True)),
    # repeated flags keep every value, in order
    ("-p 80 -p 80 -p 81/udp", Container(publish=p("80", "80", "81/udp"))),
    (
        "--expose 53/udp --expose=7000-7001",
        Container(expose=(parse_expose("53/udp"), parse_expose("7000-7001"))),
    ),
    ("--link db --link cache:redis", Container(links=(Link("db"), Link("cache", "redis")))),
    ("--name web --name api", Container(name="api")),
    # networks
    ("--network host", Container(networks=("host",))),
    ("--net=bridge", Container(networks=("bridge",))),
    ("--network container:db", Container(networks=("container:db",))),
    ("--network a --network b", Container(networks=("a", "b"))),
    ("--network name=Front,alias=web", Container(networks=("front",))),
    ("--network '\"name=a,b\",alias=x'", Container(networks=("a,b",))),
    ("--network 'é=é'", Container(networks=("é=é",))),
    ("--network-alias web --network front", Container(networks=("front",))),
    ("--network name=front,mac-address=02:42:ac:11:00:02", Container(networks=("front",))),
    ("--mac-address 02-42-ac-11-00-02", Container()),
    # the image ends the flags: what follows is the container's command
    ("run -p 80 x", Container(image="run", command=("-p", "80", "x"))),
    ("nginx -p 80", Container(image="nginx", command=("-p", "80"))),
    ("-- nginx -p 80", Container(image="nginx", command=("-p", "80"))),
    ("-p 80 -- -weird-image", Container(publish=p("80"), image="-weird-image")),
    (
        "-e A=b -v /a:/b --rm -w /tmp x sh -c 'echo hi'",
        Container(image="x", command=("sh", "-c", "echo hi")),
    ),
    # a value flag takes the next word even when it looks like a flag
    ("--name -p x", Container(name="-p", image="x")),
    ("-e -p x", Container(image="x")),
    # argv lists are taken as they are
    (
        ["docker", "run", "-p", "8080:80", "my image"],
        Container(publish=p("8080:80"), image="my image"),
    ),
    (["-p", "8080:80"], Container(publish=p("8080:80"))),
    # shell syntax
    ("docker run \\\n  -p 8080:80 \\\n  nginx", Container(publish=p("8080:80"), image="nginx")),
    ("docker run -p \"8080:80\" 'nginx' # comment", Container(publish=p("8080:80"), image="nginx")),
    ("docker run -p 80 x && echo done", Container(publish=p("80"), image="x")),
]


@pytest.mark.parametrize(("command", "expected"), VALID, ids=[repr(row[0]) for row in VALID])
def test_valid(command: str | list[str], expected: Container) -> None:
    assert parse_docker_run(command) == expected


INVALID: list[tuple[str, str, str]] = [
    ("docker run --publishh 80 x", "unknown flag: --publishh", "           ^^^^^^^^^^"),
    ("docker run -X x", "unknown shorthand flag: 'X' in -X", "           ^^"),
    ("docker run -dX x", "unknown shorthand flag: 'X' in -dX", "           ^^^"),
    ("docker run -p", "flag needs an argument: 'p' in -p", "           ^^"),
    ("docker run --publish", "flag needs an argument: --publish", "           ^^^^^^^^^"),
    ("docker run --=x y", "bad flag syntax: --=x", "           ^^^^"),
    ("docker run ---p y", "bad flag syntax: ---p", "           ^^^^"),
    (
        "docker run --rm=maybe x",
        'invalid argument "maybe" for "--rm" flag: expected true or false',
        "           ^^^^^^^^^^",
    ),
    ("docker create -d x", "unknown shorthand flag: 'd' in -d", "              ^^"),
    ("docker create --sig-proxy x", "unknown flag: --sig-proxy", "              ^^^^^^^^^^^"),
    ("docker ps -a", "expected 'run' or 'create' after 'docker', found 'ps'", "       ^^"),
    ("docker", "expected 'run' or 'create' after 'docker', found nothing", "      ^"),
    (
        "docker run -p 127.0.0.1:99999:80 x",
        "--publish: invalid host port 99999: ports are 0-65535",
        "                        ^^^^^",
    ),
    (
        "docker run --publish=8080:http x",
        "--publish: invalid container port 'http'",
        "                          ^^^^",
    ),
    (
        "docker run -p '8080 :80' x",
        "--publish: invalid host port '8080 '",
        "              ^^^^^^^^^^",
    ),
    (
        "docker run --expose 80:81 x",
        "--expose: --expose takes a port or a range, not a host port: publish with -p instead",
        "                      ^",
    ),
    (
        "docker run --link a:b:c x",
        "--link: invalid link: expected NAME or NAME:ALIAS, with one ':' at most",
        "                     ^",
    ),
    (
        "docker run --network host --network web x",
        "conflicting options: cannot attach both user-defined and non-user-defined network-modes",
        "                                    ^^^",
    ),
    (
        "docker run --network a --net a x",
        "network 'a' is specified multiple times",
        "                             ^",
    ),
    (
        "docker run --network name=a,color=red x",
        "--network: invalid field key color",
        "                     ^^^^^^^^^^^^^^^^",
    ),
    (
        "docker run --network alias=x x",
        "--network: network name/id is not specified",
        "                     ^^^^^^^",
    ),
    (
        "docker run --network-alias web x",
        "network-scoped aliases are only supported for user-defined networks",
        "                           ^^^",
    ),
    (
        "docker run --network host --net-alias web x",
        "network-scoped aliases are only supported for user-defined networks",
        "                     ^^^^",
    ),
    ("docker run --network '' x", "no name set for network", "                     ^^"),
    (
        "docker run --network name=a,alias=b --network-alias c x",
        "conflicting options: cannot specify both --network-alias and per-network alias",
        "                     ^^^^^^^^^^^^^^",
    ),
    (
        "docker run --network 'name=a\"b' x",
        '--network: bare " in non-quoted-field',
        "                     ^^^^^^^^^^",
    ),
    (
        "docker run --mac-address xyz x",
        "xyz is not a valid mac address",
        "                         ^^^",
    ),
    (
        "docker run --network name=a,gw-priority=9223372036854775808 x",
        "--network: invalid gw-priority (9223372036854775808): value out of range",
        "                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
    ),
    ("docker run -p 'unclosed", "unterminated single quote", "              ^^^^^^^^^"),
]


@pytest.mark.parametrize(("command", "message", "caret"), INVALID, ids=[row[0] for row in INVALID])
def test_invalid(command: str, message: str, caret: str) -> None:
    with pytest.raises(PortSpecError) as info:
        parse_docker_run(command)
    assert info.value.message == message
    assert info.value.text == command
    assert str(info.value).splitlines()[-1] == "  " + caret


def test_argv_list_errors_point_into_the_joined_line() -> None:
    with pytest.raises(PortSpecError) as info:
        parse_docker_run(["docker", "run", "-p", "8080:99999", "my image"])
    assert info.value.text == "docker run -p 8080:99999 'my image'"
    assert str(info.value).splitlines()[-1] == "  " + " " * 19 + "^^^^^"


@pytest.mark.parametrize("bad", [42, None, [1, 2], b"docker run"])
def test_only_text(bad: object) -> None:
    with pytest.raises(PortSpecError):
        parse_docker_run(bad)  # type: ignore[arg-type]


def test_variables_are_kept_for_the_caller_to_report() -> None:
    with pytest.raises(PortSpecError, match="invalid host port"):
        parse_docker_run("docker run -p $PORT:80 nginx")


def test_shell_split_keeps_positions() -> None:
    words = split_command('a \'b c\' d\\ e "f\\"g"')
    assert [word.value for word in words] == ["a", "b c", "d e", 'f"g']
    assert [(word.start, word.end, word.plain) for word in words] == [
        (0, 1, True),
        (2, 7, False),
        (8, 12, False),
        (13, 19, False),
    ]


# ------------------------------------------------------- one reader, as bash splits

# Text, and the argv bash makes of it (substitutions kept as their text, which
# is what a reader that runs nothing can know of them).
SPLIT: list[tuple[str, list[str]]] = [
    ("docker run -u $(id -u) -p 80:80 x", ["docker", "run", "-u", "$(id -u)", "-p", "80:80", "x"]),
    (
        "docker run -e A=$(echo $(date) `uname`) -p 80:80 x",
        ["docker", "run", "-e", "A=$(echo $(date) `uname`)", "-p", "80:80", "x"],
    ),
    (
        r"docker run -e A=`echo \`date\`` -p 1:1 x",
        ["docker", "run", "-e", r"A=`echo \`date\``", "-p", "1:1", "x"],
    ),
    ("docker run -e 'A=$(x) b' -p 1:1 x", ["docker", "run", "-e", "A=$(x) b", "-p", "1:1", "x"]),
    (
        'docker run -e "A=$(x "y z")" -p 1:1 x',
        ["docker", "run", "-e", 'A=$(x "y z")', "-p", "1:1", "x"],
    ),
    (
        "docker run -e A=`#optional` `#optional` -p 1:1 x",
        ["docker", "run", "-e", "A=", "-p", "1:1", "x"],
    ),
    ("docker run -p 1:1 x # -p 2:2", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p 1:1 x#y", ["docker", "run", "-p", "1:1", "x#y"]),
    ("docker run -p 1:1 x; docker run -p 2:2 y", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p 1:1 x && echo ok", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p 1:1 x || true", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p 1:1 x | tee log", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p 1:1 x > log 2>&1", ["docker", "run", "-p", "1:1", "x"]),
    ("cd app && docker run -p 1:1 x", ["docker", "run", "-p", "1:1", "x"]),
    ("sudo docker run -p 1:1 x", ["sudo", "docker", "run", "-p", "1:1", "x"]),
    ("sudo -u root docker run -p 1:1 x", ["sudo", "docker", "run", "-p", "1:1", "x"]),
    ("env A=1 B=2 docker run -p 1:1 x", ["docker", "run", "-p", "1:1", "x"]),
    ("A=1 docker run -p 1:1 x", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run x \\\\\n -p 1:1 x", ["docker", "run", "x", "\\"]),
    ("docker run -p \\\n 1:1 x", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p 1\\:1 \\x", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p \"1\"''\\:1 x", ["docker", "run", "-p", "1:1", "x"]),
    ("docker run -p $'1:1' x", ["docker", "run", "-p", "1:1", "x"]),
]


@pytest.mark.parametrize(("text", "argv"), SPLIT, ids=[row[0] for row in SPLIT])
def test_text_is_split_as_the_shell_splits_it(text: str, argv: list[str]) -> None:
    assert [word.value for word in split_command(text)] == argv
    assert parse_docker_run(text) == parse_docker_run(argv)


def test_a_placeholder_is_text_of_its_word() -> None:
    line = "docker run -v <my-vol>:/data -p 8888:8888 {{ image }}"
    assert parse_docker_run(line) == parse_docker_run(
        ["docker", "run", "-v", "<my-vol>:/data", "-p", "8888:8888", "{{ image }}"]
    )


_CORPORA = [CORPUS, CORPUS2, ROOT.parent / "shared" / "corpus" / "docs-2"]
# Commands a substitution on a real line may run: harmless ones, and no docker.
_SAFE_COMMANDS = ("id", "pwd", "echo", "printf", "cat", "date", "hostname", "uname", "whoami")


def _real_run_lines() -> list[tuple[str, str]]:
    """Every ``docker run`` of the corpora's scripts and pages whose text is shell as it stands."""
    lines = []
    for corpus in _CORPORA:
        for path in sorted(corpus.rglob("*")) if corpus.is_dir() else []:
            name = path.name
            kind = (
                "markdown"
                if name.endswith(".md")
                else "makefile"
                if name == "Makefile"
                else "shell"
                if name.endswith(".sh")
                else None
            )
            if kind is None or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for command in find_docker_commands(text, kind):  # type: ignore[arg-type]
                line = text[command.start : command.end]
                alone = list(find_docker_commands(line, "shell"))
                # A prompt or another shell's continuation inside the command: not shell text.
                if alone and [w.value for w in alone[0].words] == [w.value for w in command.words]:
                    lines.append((f"{path.relative_to(corpus.parent)}:{command.start}", line))
    return lines


_LINES = _real_run_lines()


def _bash_argv(line: str, tools: Path) -> list[str] | None:
    """What bash makes of ``line`` as arguments, or None when it fails or warns.

    No globbing, no unset variable (``set -u``), and only harmless commands for
    substitutions; a redirection to a file that does not exist fails.
    """
    script = 'set -fu; argv() { printf "%s\\0" "$@"; }; argv ' + line
    done = subprocess.run(
        ["/bin/bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": str(tools), "HOME": str(tools)},
        cwd=tools,
        timeout=20,
        check=False,
    )
    if done.returncode or done.stderr:
        return None
    return done.stdout.split("\0")[:-1]


def _reading(argv: str | list[str]) -> object:
    try:
        return parse_docker_run(argv)
    except PortSpecError as error:
        return ("refused", error.message)


@pytest.mark.skipif(not _LINES or shutil.which("bash") is None, reason="no corpus or no bash")
def test_text_reads_as_bash_splits_it_on_every_real_run_line(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in _SAFE_COMMANDS:
        found = shutil.which(tool)
        if found:
            (tools / tool).symlink_to(found)
    compared, differ = 0, []
    for where, line in _LINES:
        if "{{" in line:
            continue  # a template's ``{{ name }}``, one word to portspec and three to bash
        argv = _bash_argv(line, tools)
        if argv is None:
            continue  # a placeholder bash takes for a redirection, an unset variable
        compared += 1
        if _reading(line) != _reading(argv):
            differ.append((where, line, _reading(line), _reading(argv)))
    assert differ == []
    assert compared >= 200, compared


# A value with expansions is checked where it can be: refused whatever they hold.
UNKNOWN_PARTS: list[tuple[str, str | None, str]] = [
    ("-p localhost:$PORT:80", "--publish: invalid host address 'localhost'", "localhost"),
    ("-p <port>:99999", "--publish: invalid container port 99999", "99999"),
    ("-p ${HOST}:8080:80/tcpp", "--publish: invalid protocol", "tcpp"),
    ("--expose 70000/$PROTO", "--expose: invalid exposed port 70000", "70000"),
    # accepted for some value of the expansion: not checked
    ("-p $PORT:80", None, ""),
    ("-p $IP:8080:80", None, ""),
    ("-p 8080:80/$PROTO", None, ""),
    ("-p <host-port>:<container-port>", None, ""),
    ("-p ${PORTS}", None, ""),
    ("-p %%PORT%%:80", None, ""),
    ("-p {{ .Port }}:80", None, ""),
    ("-p [$IPV6]:8080:80", None, ""),
    ("--link $DB:db", None, ""),
    ("--link %%DB%%", None, ""),
    ("--expose $PORT", None, ""),
]


@pytest.mark.parametrize(
    ("flags", "message", "caret"), UNKNOWN_PARTS, ids=[r[0] for r in UNKNOWN_PARTS]
)
def test_unknown_values_are_checked_where_they_can_be(
    flags: str, message: str | None, caret: str
) -> None:
    text = f"docker run {flags} nginx"
    [command] = find_docker_commands(text, "shell")
    if message is None:
        _, sites = read_command(text, command.words, command.unknown)
        assert [flag for flag, _ in sites.unknown] != []
        return
    with pytest.raises(PortSpecError) as info:
        read_command(text, command.words, command.unknown)
    assert info.value.message.startswith(message)
    assert info.value.span is not None
    assert text[info.value.span[0] : info.value.span[1]] == caret


def test_command_sites_are_located_values() -> None:
    text = (
        "echo hi\n  docker run --name web -p 127.0.0.1:8080:80 --expose 9000 \\\n"
        " --link db:d -P x\n"
    )
    [command] = find_docker_commands(text, "shell")
    container, sites = read_command(text, command.words, command.unknown)
    assert tuple(p.value for p in sites.publish) == container.publish
    assert tuple(e.value for e in sites.expose) == container.expose
    assert tuple(link.value for link in sites.links) == container.links
    (publish,) = sites.publish
    assert publish.text == "127.0.0.1:8080:80"
    assert text[publish.span.start : publish.span.end] == publish.text
    assert (publish.span.line, publish.span.column) == (2, 28)
    (link,) = sites.links
    assert (link.text, link.span.line, link.span.column) == ("db:d", 3, 9)
    assert sites.name is not None
    assert (sites.name.value, sites.name.span.column) == ("web", 21)
    assert sites.publish_all is not None
    assert text[sites.publish_all.start : sites.publish_all.end] == "-P"
    assert text[sites.command.start : sites.command.end].startswith("docker run")
