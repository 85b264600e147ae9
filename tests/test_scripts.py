"""docker run/create commands in shell scripts, Makefiles and Markdown; Dockerfile EXPOSE.

Every command must give back words whose spans are the exact source text of
each word, so the rows give both a word's value and its text in the document.

A string handed to another shell (``bash -c "docker run ..."``, ``eval``,
``ssh host docker run``) is not looked into: it is data to this shell, and
reading it would need a second level of quoting to keep the offsets right.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portspec import PortSpecError, parse_docker_run
from portspec.sources.argv import read_command
from portspec.sources.dockerfile import ExposeValue, find_dockerfile_exposes
from portspec.sources.scripts import Command, find_docker_commands, split_command
from tests.paths import ROOT

DocumentKind = Literal["shell", "makefile", "markdown"]
KINDS: tuple[DocumentKind, ...] = ("shell", "makefile", "markdown")


def values(text: str, kind: DocumentKind = "shell") -> list[list[str]]:
    return [[word.value for word in command.words] for command in _find(text, kind)]


def sources(text: str, kind: DocumentKind = "shell") -> list[list[str]]:
    return [
        [text[word.start : word.end] for word in command.words] for command in _find(text, kind)
    ]


def _find(text: str, kind: DocumentKind) -> list[Command]:
    return list(find_docker_commands(text, kind))


# ------------------------------------------------------------------- shell

# (script, the words of each docker command found, in order)
FOUND: list[tuple[str, list[list[str]]]] = [
    ("docker run -p 80:80 nginx", [["docker", "run", "-p", "80:80", "nginx"]]),
    ("docker create -p 80 x", [["docker", "create", "-p", "80", "x"]]),
    ("docker container run -p 80 x", [["docker", "container", "run", "-p", "80", "x"]]),
    (
        "sudo docker container run -dp 3000:3000 app",
        [["sudo", "docker", "container", "run", "-dp", "3000:3000", "app"]],
    ),
    # sudo's own options and everything between sudo and docker are dropped
    ("sudo -E -u web docker run -p 1 x", [["sudo", "docker", "run", "-p", "1", "x"]]),
    ("sudo --user=web FOO=1 docker run x", [["sudo", "docker", "run", "x"]]),
    # assignments and the other wrappers are dropped
    ("FOO=1 BAR+=2 docker run x", [["docker", "run", "x"]]),
    ("env -i FOO=bar docker run x", [["docker", "run", "x"]]),
    ("exec -a name docker run x", [["docker", "run", "x"]]),
    ("time -p nohup command docker run x", [["docker", "run", "x"]]),
    # docker's global flags stay
    (
        "docker -H unix:///d.sock --debug -l info run -p 1 x",
        [["docker", "-H", "unix:///d.sock", "--debug", "-l", "info", "run", "-p", "1", "x"]],
    ),
    ("docker --context=prod --tls run x", [["docker", "--context=prod", "--tls", "run", "x"]]),
    ("docker -c run run x", [["docker", "-c", "run", "run", "x"]]),
    # quotes, escapes and continuations undone
    (
        "docker run -p '8080:80' -e \"A=b c\" n\\ x",
        [["docker", "run", "-p", "8080:80", "-e", "A=b c", "n x"]],
    ),
    ("docker run \\\n  -p 80:80 \\\n  nginx", [["docker", "run", "-p", "80:80", "nginx"]]),
    ("docker run -p 80\\\n:80 x", [["docker", "run", "-p", "80:80", "x"]]),
    ("docker run -p '80:\n80' x", [["docker", "run", "-p", "80:\n80", "x"]]),
    ('docker run -e "a\\\nb" x', [["docker", "run", "-e", "ab", "x"]]),
    ("docker run -e $'a\\tb' x", [["docker", "run", "-e", "a\tb", "x"]]),
    ("docker run -p 80:80 nginx\r\n", [["docker", "run", "-p", "80:80", "nginx"]]),
    # where commands start and end
    (
        "docker run -p 1 a && docker run -p 2 b",
        [["docker", "run", "-p", "1", "a"], ["docker", "run", "-p", "2", "b"]],
    ),
    (
        "true; docker run a || docker create b | cat & docker run c&",
        [["docker", "run", "a"], ["docker", "create", "b"], ["docker", "run", "c"]],
    ),
    ("id=$(docker run -d -p 80 x)", [["docker", "run", "-d", "-p", "80", "x"]]),
    ('id="$(docker run -p 80 x)"', [["docker", "run", "-p", "80", "x"]]),
    ("id=`docker run -p 80 x`", [["docker", "run", "-p", "80", "x"]]),
    ("(docker run x) ; { docker run y; }", [["docker", "run", "x"], ["docker", "run", "y"]]),
    ("if docker run x; then docker run y; fi", [["docker", "run", "x"], ["docker", "run", "y"]]),
    ("for i in 1; do docker run $i; done", [["docker", "run", "$i"]]),
    ("while true; do ! docker run x; done", [["docker", "run", "x"]]),
    ("docker run x # docker run y", [["docker", "run", "x"]]),
    ("docker run -p 1 x > log 2>&1 y", [["docker", "run", "-p", "1", "x", "y"]]),
    ("docker run x 2>/dev/null &>log >|f", [["docker", "run", "x"]]),
    ("docker run -p 1 a#b", [["docker", "run", "-p", "1", "a#b"]]),
    (
        "docker run -p 1 x <<EOF\ndocker run -p 2 y\nEOF\ndocker run z",
        [["docker", "run", "-p", "1", "x"], ["docker", "run", "z"]],
    ),
    ("cat <<-'END'\n\tdocker run a\n\tEND\ndocker run b", [["docker", "run", "b"]]),
    ('cat <<"E" <<F\ndocker run a\nE\ndocker run b\nF\ndocker run c', [["docker", "run", "c"]]),
    ("cat <<< 'docker run a'; docker run b", [["docker", "run", "b"]]),
    ("cat <<EOF; docker run a\ndocker run b\nEOF\n", [["docker", "run", "a"]]),
    ("f() { docker run -p 1 x; }", [["docker", "run", "-p", "1", "x"]]),
    ("case $1 in up) docker run x;; esac", [["docker", "run", "x"]]),
    (
        "docker run -p 1 x <(docker run y)",
        [["docker", "run", "-p", "1", "x", "<(docker run y)"], ["docker", "run", "y"]],
    ),
]

NOT_FOUND = [
    "docker ps",
    "docker",
    "docker -H run",
    "docker container ls",
    "echo docker run -p 1:1 x",
    "docker-compose run web",
    "docker runx",
    "docker rm run",
    "# docker run -p 1:1 x",
    "echo 'docker run -p 1:1'",
    'echo "docker run -p 1:1"',
    "bash -c 'docker run -p 1:1 x'",
    'bash -c "docker run -p 1:1 x"',
    "command -v docker run",
    "$DOCKER run -p 1:1 x",
    "$SUDO docker run -p 1:1 x",
    "docker $CMD -p 1:1 x",
    "cat <<EOF\ndocker run -p 1 x\nEOF",
    "echo 'unterminated\ndocker run -p 1 x",
    "docker\\\\\nrun",
]


@pytest.mark.parametrize(("text", "expected"), FOUND, ids=[text for text, _ in FOUND])
def test_found(text: str, expected: list[list[str]]) -> None:
    assert values(text) == expected


@pytest.mark.parametrize("text", NOT_FOUND)
def test_not_found(text: str) -> None:
    assert values(text) == []


# (script, the source text of each word of the first command)
SOURCES: list[tuple[DocumentKind, str, list[str]]] = [
    ("shell", "cd /; docker run -p '80':80 x", ["docker", "run", "-p", "'80':80", "x"]),
    ("shell", 'FOO=1 docker run -p "$P" x', ["docker", "run", "-p", '"$P"', "x"]),
    ("shell", "sudo -E docker run -p\\\n 1 x", ["sudo", "docker", "run", "-p", "1", "x"]),
    ("shell", "docker run -p 80\\\n:80 x", ["docker", "run", "-p", "80\\\n:80", "x"]),
    ("shell", "a=$(docker run -p ${P}:1 x)", ["docker", "run", "-p", "${P}:1", "x"]),
    (
        "makefile",
        "run:\n\t@docker run -p $(PORT):80 -p $$P:1 x",
        ["docker", "run", "-p", "$(PORT):80", "-p", "$$P:1", "x"],
    ),
    (
        "makefile",
        "run:\n\tdocker run -e A=$$ -e $$$$ x",
        ["docker", "run", "-e", "A=$$", "-e", "$$$$", "x"],
    ),
    (
        "makefile",
        "run:\n\tdocker run \\\n\t-p 80 \\\n\t\tx",
        ["docker", "run", "-p", "80", "x"],
    ),
    (
        "markdown",
        "Run:\n\n  ```console\n  $ docker run -p 80 \\\n  >   x\n  ```\n",
        ["docker", "run", "-p", "80", "x"],
    ),
]


@pytest.mark.parametrize(("kind", "text", "expected"), SOURCES, ids=[t for _, t, _ in SOURCES])
def test_spans_are_source_text(kind: DocumentKind, text: str, expected: list[str]) -> None:
    command = _find(text, kind)[0]
    assert sources(text, kind)[0] == expected
    assert command.start == command.words[0].start
    assert command.end == command.words[-1].end
    assert text[command.start : command.start + 4] in ("sudo", "dock")


def test_plain_says_whether_value_is_the_text() -> None:
    [command] = _find("docker run -p '80:80' -e a\\ b x", "shell")
    assert [word.plain for word in command.words] == [True, True, True, False, True, False, True]


# (kind, text, values of the first command, its unknown indexes)
UNKNOWN: list[tuple[DocumentKind, str, list[str], set[int]]] = [
    ("shell", "docker run -p $PORT:80 x", ["docker", "run", "-p", "$PORT:80", "x"], {3}),
    ("shell", "docker run -p ${P:-1}:80 x", ["docker", "run", "-p", "${P:-1}:80", "x"], {3}),
    ("shell", 'docker run -p "${P}":80 x', ["docker", "run", "-p", "${P}:80", "x"], {3}),
    ("shell", "docker run -p $(port):1 x", ["docker", "run", "-p", "$(port):1", "x"], {3}),
    ("shell", "docker run -p `port`:1 x", ["docker", "run", "-p", "`port`:1", "x"], {3}),
    ("shell", "docker run -p $1 $@ x", ["docker", "run", "-p", "$1", "$@", "x"], {3, 4}),
    ("shell", "docker run -p '$P:80' x", ["docker", "run", "-p", "$P:80", "x"], set()),
    ("shell", "docker run -p \\$P:80 x", ["docker", "run", "-p", "$P:80", "x"], set()),
    ("shell", "docker run -p $ 5$ x", ["docker", "run", "-p", "$", "5$", "x"], set()),
    ("shell", "sudo docker run -p $P x", ["sudo", "docker", "run", "-p", "$P", "x"], {4}),
    (
        "makefile",
        "a:\n\t@docker run -p $(PORT):80 -p ${Q}:1 -p $X:2 x",
        ["docker", "run", "-p", "$(PORT):80", "-p", "${Q}:1", "-p", "$X:2", "x"],
        {3, 5, 7},
    ),
    (
        "makefile",
        "a:\n\tdocker run -p $$PORT:80 -e '$$HOME' -e '$(V)' -e $$$$ x",
        ["docker", "run", "-p", "$PORT:80", "-e", "$HOME", "-e", "$(V)", "-e", "$$", "x"],
        {3, 7, 9},
    ),
    (
        "makefile",
        "a:\n\tdocker run -p $(call port,$(X)):1 x",
        ["docker", "run", "-p", "$(call port,$(X)):1", "x"],
        {3},
    ),
]


@pytest.mark.parametrize(
    ("kind", "text", "expected", "unknown"), UNKNOWN, ids=[t for _, t, _, _ in UNKNOWN]
)
def test_unknown(kind: DocumentKind, text: str, expected: list[str], unknown: set[int]) -> None:
    [command] = _find(text, kind)
    assert [word.value for word in command.words] == expected
    assert command.unknown == unknown


def test_offsets_into_whole_document() -> None:
    text = "#!/bin/sh\nset -e\n\nexec docker run --rm -p 127.0.0.1:8080:80 nginx\n"
    [command] = _find(text, "shell")
    publish = command.words[4]
    where = text.index("127.")
    assert (publish.value, publish.start, publish.end) == ("127.0.0.1:8080:80", where, where + 17)
    assert command.start == text.index("docker")
    assert command.end == len(text) - 1


# ---------------------------------------------------------------- makefile

MAKEFILES: list[tuple[str, list[list[str]]]] = [
    ("run:\n\t@docker run -p 80 x\n", [["docker", "run", "-p", "80", "x"]]),
    ("run:\n\t-+@ docker run x\n", [["docker", "run", "x"]]),
    ("run: ; docker run x\n", [["docker", "run", "x"]]),
    ("%.run: %.img ; @docker run $<\n", [["docker", "run", "$<"]]),
    # make's own lines are not shell
    ("docker run x\nPORT = 80\n", []),
    ("CMD = docker run x\nrun: ; $(CMD)\n", []),
    ("X := a; docker run -p 1 x\n", []),
    ("SRCS = a \\\n\tdocker run -p 1 x\n", []),
    ("# docker run x\n", []),
    # each recipe line is its own shell
    (
        "a:\n\tdocker run x\n\n\t@echo hi; docker create y\n",
        [["docker", "run", "x"], ["docker", "create", "y"]],
    ),
    ("a:\n\techo 'x\n\tdocker run y'\n", [["docker", "run", "y"]]),
    ("a:\n\tdocker run \\\n\t  -p 1 \\\n\t  x\n", [["docker", "run", "-p", "1", "x"]]),
    ("a:\n\tdocker run -p\\\n\t80 x\n", [["docker", "run", "-p80", "x"]]),
    ("a:\n\tif true; then \\\n\t  docker run x; \\\n\tfi\n", [["docker", "run", "x"]]),
    # a rule line with its recipe after ';', however many colons its head holds
    ("a:: b ; docker run x\n", [["docker", "run", "x"]]),
    ("a" + ":" * 5000 + " ; docker run x\n", [["docker", "run", "x"]]),
    ("a" + ":" * 5000 + "\n\tdocker run x\n", [["docker", "run", "x"]]),
    ("a: b # c ; docker run x\n", []),
    ("a: X=1 ; docker run x\n", []),
    (":a ; docker run x\n", []),
]


@pytest.mark.parametrize(("text", "expected"), MAKEFILES, ids=[text for text, _ in MAKEFILES])
def test_makefile(text: str, expected: list[list[str]]) -> None:
    assert values(text, "makefile") == expected


# ---------------------------------------------------------------- markdown

FENCE_RUN = "docker run -p 80:80 nginx"
RUN = ["docker", "run", "-p", "80:80", "nginx"]

MARKDOWN: list[tuple[str, list[list[str]]]] = [
    (f"```sh\n{FENCE_RUN}\n```\n", [RUN]),
    (f"```bash\n$ {FENCE_RUN}\n```\n", [RUN]),
    (f"```Shell\n{FENCE_RUN}\n```\n", [RUN]),
    (f"~~~zsh\n{FENCE_RUN}\n~~~\n", [RUN]),
    (f"``` bash title=run.sh\n{FENCE_RUN}\n```\n", [RUN]),
    (f"```console\n$ {FENCE_RUN}\nabc123\n```\n", [RUN]),
    (f"```shell-session\nuser $ ls\n$ {FENCE_RUN}\n```\n", [RUN]),
    (f"```shellsession\n# {FENCE_RUN}\n```\n", [RUN]),
    (f"```terminal\n  $ {FENCE_RUN}\n```\n", [RUN]),
    # output lines of a session are not commands
    (f"```console\n{FENCE_RUN}\n$ ls\n```\n", []),
    (
        "```console\n$ docker run -p 1 \\\n    x\n$ docker run y\n",
        [
            ["docker", "run", "-p", "1", "x"],
            ["docker", "run", "y"],
        ],
    ),
    (
        "```console\n$ docker run -p 1 'a\n> b' x\ndocker run y\n```",
        [["docker", "run", "-p", "1", "a\nb", "x"]],
    ),
    # a quote left open in one session command does not swallow the next
    ("```console\n$ echo 'oops\n$ docker run x\n```", [["docker", "run", "x"]]),
    # blocks without a language, fenced or indented: every line that is shell
    (f"```\n{FENCE_RUN}\n```\n", [RUN]),
    (f"    {FENCE_RUN}\n", [RUN]),
    (f"Text\n\n    {FENCE_RUN}\n    Here's the output\n    {FENCE_RUN}\n", [RUN, RUN]),
    (f"```\n$ {FENCE_RUN}\nStarting... it's up\n```\n", [RUN]),
    ("```\nservices:\n  web:\n    command: docker run x\n```\n", []),
    ('```\n{"cmd": "docker run x"}\n```\n', []),
    # other shell-like languages
    (f"```docker\n{FENCE_RUN}\n```\n", [RUN]),
    ("```powershell\ndocker run `\n  -p 80:80 `\n  nginx\n```\n", [RUN]),
    ("```pwsh\nPS C:\\app> docker run -p 80:80 nginx\n```\n", [RUN]),
    ("```ps1\nPS> docker run -p 80:80 nginx\n```\n", [RUN]),
    ("```cmd\ndocker run ^\n  -p 80:80 ^\n  nginx\n```\n", [RUN]),
    ("```bat\nC:\\> docker run -p 80:80 nginx\n```\n", [RUN]),
    ("```console\nuser@host:~/app$ docker run -p 80:80 nginx\n```\n", [RUN]),
    (
        "```\nhost-A $ docker run -p 80:80 nginx\nhost-B $ docker run x\n```\n",
        [RUN, ["docker", "run", "x"]],
    ),
    ("```\nbash-5.2$ docker run -p 80:80 nginx\n```\n", [RUN]),
    # a ``$`` word inside a command is no prompt
    ("```sh\necho $ docker run -p 80:80 nginx\n```\n", []),
    ("```console\n> docker run -p 80:80 nginx\n```\n", [RUN]),
    # a bash block with prompts is a session: the other lines are output
    (f"```bash\n$ {FENCE_RUN}\nUnable to find image 'nginx'\n$ {FENCE_RUN}\n```\n", [RUN, RUN]),
    # in a script block, ``# `` starts a comment, not a prompt
    (f"```bash\n# {FENCE_RUN}\n```\n", []),
    # fences inside list items, block quotes, MyST directives, MkDocs tabs
    (f"1. Run:\n\n   ```sh\n   {FENCE_RUN}\n   ```\n", [RUN]),
    (f"> ```sh\n> {FENCE_RUN}\n> ```\n", [RUN]),
    (f"> Note:\n>\n>     {FENCE_RUN}\n", [RUN]),
    (f"- a\n  - b\n\n    ```bash\n    {FENCE_RUN}\n    ```\n", [RUN]),
    (f"```{{note}}\nRun it:\n\n    {FENCE_RUN}\n```\n", [RUN]),
    (f"```{{code-block}} bash\n{FENCE_RUN}\n```\n", [RUN]),
    (f"```{{literalinclude}} {FENCE_RUN}\n```\n", []),
    (f'=== "Docker"\n\n    ```bash\n    {FENCE_RUN}\n    ```\n', [RUN]),
    # other languages, inline code
    (f"```python\n{FENCE_RUN}\n```\n", []),
    (f"```yaml\ncommand: {FENCE_RUN}\n```\n", []),
    (f"```dockerfile\nRUN {FENCE_RUN}\n```\n", []),
    (f"Run `{FENCE_RUN}` now.\n", []),
    (f"{FENCE_RUN}\n", []),
    (f"    ```sh\n{FENCE_RUN}\n```\n", []),
    # fences: longer runs, closing rules, unclosed, indentation
    (f"````sh\n```\n{FENCE_RUN}\n````\n{FENCE_RUN}\n", [RUN]),
    (f"```sh\n~~~\n{FENCE_RUN}\n```\n", [RUN]),
    (f"```sh\n{FENCE_RUN}\n```\n{FENCE_RUN}\n```sh\n{FENCE_RUN}\n", [RUN, RUN]),
    (f"```sh\n{FENCE_RUN}", [RUN]),
    (f"   ```sh\n   {FENCE_RUN}\n   ```\n", [RUN]),
    (f"```sh\ncat <<EOF\n{FENCE_RUN}\nEOF\n```\n", []),
    (f"- item\n  ```bash\n  {FENCE_RUN}\n  ```\n", [RUN]),
    (f"```sh\r\n{FENCE_RUN}\r\n```\r\n", [RUN]),
]


@pytest.mark.parametrize(("text", "expected"), MARKDOWN, ids=[text for text, _ in MARKDOWN])
def test_markdown(text: str, expected: list[list[str]]) -> None:
    assert values(text, "markdown") == expected
    for command in _find(text, "markdown"):
        assert text[command.start : command.end].startswith("docker run")


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        list(find_docker_commands("docker run x", "yaml"))  # type: ignore[arg-type]


# -------------------------------------------------------------- dockerfile

# (Dockerfile, each EXPOSE value as (value, source text, unknown))
DOCKERFILES: list[tuple[str, list[tuple[str, str, bool]]]] = [
    (
        "FROM x\nEXPOSE 80/tcp 443 8000-8010\n",
        [
            ("80/tcp", "80/tcp", False),
            ("443", "443", False),
            ("8000-8010", "8000-8010", False),
        ],
    ),
    ("expose 80\n  Expose\t53/udp\n", [("80", "80", False), ("53/udp", "53/udp", False)]),
    ("EXPOSE\nEXPOSE80\nEXPOSED 1\n", []),
    ("# EXPOSE 1\n  # EXPOSE 2\nRUN echo EXPOSE 3\n", []),
    ("EXPOSE 80 # 81\n", [("80", "80", False), ("#", "#", False), ("81", "81", False)]),
    ("EXPOSE 80 \\\n  443\n", [("80", "80", False), ("443", "443", False)]),
    ("EXPOSE 80 \\  \n  443\n", [("80", "80", False), ("443", "443", False)]),
    ("EXPOSE 80 \\\n# a comment\n\n   \n  443\n", [("80", "80", False), ("443", "443", False)]),
    ("EXPOSE 8\\\n0\n", [("80", "8\\\n0", False)]),
    ("EXPOSE 80 \\\n", [("80", "80", False)]),
    ("# escape=`\nEXPOSE 80 `\n  443\n", [("80", "80", False), ("443", "443", False)]),
    ("# escape=`\nEXPOSE 80\\\nEXPOSE 1\n", [("80\\", "80\\", False), ("1", "1", False)]),
    ("FROM x\n# escape=`\nEXPOSE 80 `\n1\n", [("80", "80", False), ("`", "`", False)]),
    (
        "# syntax=docker/dockerfile:1\n# ESCAPE = `\nEXPOSE 1 `\n2\n",
        [
            ("1", "1", False),
            ("2", "2", False),
        ],
    ),
    (
        "ARG P=80\nEXPOSE $P ${Q}/udp ${R:-80}\n",
        [
            ("$P", "$P", True),
            ("${Q}/udp", "${Q}/udp", True),
            ("${R:-80}", "${R:-80}", True),
        ],
    ),
    ("RUN <<EOF\nEXPOSE 1\nEOF\nEXPOSE 2\n", [("2", "2", False)]),
    ("RUN cat <<-'A' > x\n\tEXPOSE 1\n\tA\nEXPOSE 2\n", [("2", "2", False)]),
    ("RUN echo \\\n  <<EOF\nEXPOSE 1\nEOF\nEXPOSE 2\n", [("2", "2", False)]),
    ("EXPOSE 80\r\nEXPOSE 81\r\n", [("80", "80", False), ("81", "81", False)]),
]


@pytest.mark.parametrize(("text", "expected"), DOCKERFILES, ids=[t for t, _ in DOCKERFILES])
def test_dockerfile_exposes(text: str, expected: list[tuple[str, str, bool]]) -> None:
    found = list(find_dockerfile_exposes(text))
    assert [(v.value, text[v.start : v.end], v.unknown) for v in found] == expected
    assert all(isinstance(v, ExposeValue) for v in found)


# ------------------------------------------------------------- any input

_PIECES = st.sampled_from(
    [
        "docker",
        " run",
        " create",
        " container",
        " -p",
        " 80:80",
        "sudo ",
        "$",
        "$$",
        "(",
        ")",
        "{",
        "}",
        "'",
        '"',
        "`",
        "\\",
        "\n",
        "\r\n",
        "\t",
        " ",
        "#",
        ";",
        "&",
        "|",
        "<<",
        "<<-",
        "EOF",
        "> ",
        "<",
        "=",
        "@",
        "-",
        "```",
        "~~~",
        "sh\n",
        "console\n",
        "$ ",
        "EXPOSE ",
        "# escape=`\n",
        "RUN ",
        ":",
        ";",
        "x",
        "${",
        "$(",
    ]
)
_TEXTS = st.one_of(st.text(), st.lists(_PIECES, max_size=40).map("".join))


def _check(text: str, commands: list[Command]) -> None:
    starts = [command.start for command in commands]
    assert starts == sorted(starts)
    for command in commands:
        assert command.words[0].value in ("sudo", "docker")
        assert command.start == command.words[0].start
        assert command.end == command.words[-1].end
        assert all(0 <= index < len(command.words) for index in command.unknown)
        previous = command.start
        for word in command.words:
            assert previous <= word.start < word.end <= len(text)
            previous = word.end


@settings(max_examples=150, deadline=None)
@given(_TEXTS)
def test_any_text(text: str) -> None:
    for kind in KINDS:
        _check(text, _find(text, kind))
    last = 0
    for value in find_dockerfile_exposes(text):
        assert last <= value.start < value.end <= len(text)
        assert value.value
        last = value.end


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "docker run x",
        "$(" * 5000 + "docker run x",
        '"$(' * 3000,
        "`" * 5001,
        "'" * 5001,
        "<<A " * 3000 + "\n",
        "a:\n\t" + "$(" * 5000,
    ],
    ids=["parens", "substitutions", "quoted", "backticks", "quotes", "heredocs", "make"],
)
def test_deep_or_unterminated(text: str) -> None:
    for kind in KINDS:
        _check(text, _find(text, kind))


# ------------------------------------- every real run line, in every style of block

_DOCS = ROOT.parent / "shared" / "corpus" / "docs-2"


def _publishing_lines() -> list[str]:
    """The real ``docker run`` lines with ``-p``/``-P`` of the pages, as shell text."""
    found = []
    for path in sorted(_DOCS.rglob("*.md")) if _DOCS.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        for command in find_docker_commands(text, "markdown"):
            line = text[command.start : command.end]
            alone = list(find_docker_commands(line, "shell"))
            if (
                not alone
                or [w.value for w in alone[0].words] != [w.value for w in command.words]
                or re.search(r"[`^][ \t]*$", line, re.MULTILINE)
            ):
                continue  # a session's ``> `` lines, another shell's continuations
            try:
                container = parse_docker_run(line)
            except PortSpecError:
                continue
            if container.publish or container.publish_all:
                found.append(line)
    return found


_PUBLISHING = _publishing_lines()


def _continued_with(line: str, mark: str) -> str | None:
    """The line with ``mark`` for its continuations, if nothing else in it is shell syntax."""
    lines = line.split("\\\n")
    if any(c in part for part in lines for c in "\\'\"$`^%<>{}\n"):
        return None
    return f" {mark}\n".join(part.rstrip() for part in lines)


def _indent(block: str, prefix: str) -> str:
    return "".join(
        prefix + row if row.strip() else prefix.rstrip() + row for row in block.splitlines(True)
    )


def _styles(line: str) -> dict[str, str]:
    """Pages holding ``line``, one for each way a page shows a command."""
    prompted = "$ " + line.replace("\n", "\n  ")
    pages = {
        "no language": f"```\n{line}\n```\n",
        **{
            language: f"```{language}\n{line}\n```\n" for language in ("sh", "bash", "zsh", "shell")
        },
        **{
            language: f"```{language}\n{prompted}\noutput\n```\n"
            for language in ("console", "shell-session", "terminal")
        },
        "root prompt": f"```console\n# {line}\n```\n",
        "> prompt": f"```console\n> {line}\n```\n",
        "prompt, no language": f"```\n{prompted}\n```\n",
        "host prompt": f"```\nhost-a {prompted}\n```\n",
        "indented block": "Run:\n\n" + _indent(line + "\n", "    "),
        "list item": "1. Run:\n\n" + _indent(f"```bash\n{line}\n```\n", "   "),
        "nested list item": "- a\n  - b\n\n" + _indent(f"```bash\n{line}\n```\n", "    "),
        "block quote": _indent(f"```sh\n{line}\n```\n", "> "),
    }
    powershell = _continued_with(line, "`")
    if powershell is not None:
        pages["powershell"] = f"```powershell\n{powershell}\n```\n"
        pages["PS> prompt"] = f"```pwsh\nPS> {powershell}\n```\n"
        pages["ps1"] = f"```ps1\n{powershell}\n```\n"
    cmd = _continued_with(line, "^")
    if cmd is not None:
        pages["cmd"] = f"```cmd\n{cmd}\n```\n"
        pages["bat"] = f"```bat\nC:\\app> {cmd}\n```\n"
    return pages


@pytest.mark.skipif(not _PUBLISHING, reason=f"no pages at {_DOCS}")
def test_every_real_run_line_is_read_in_every_style_of_block() -> None:
    missed = []
    styles = set()
    for line in _PUBLISHING:
        expected = parse_docker_run(line)
        for style, page in _styles(line).items():
            styles.add(style)
            found = list(find_docker_commands(page, "markdown"))
            words = [w.value for w in found[0].words] if len(found) == 1 else []
            if words != [w.value for w in split_command(line)]:
                missed.append((style, line))
                continue
            container, _ = read_command(page, found[0].words, found[0].unknown)
            if (container.publish, container.publish_all) != (
                expected.publish,
                expected.publish_all,
            ):
                missed.append((style, line))
    assert missed == []
    assert len(_PUBLISHING) >= 150
    assert len(styles) == 21


@pytest.mark.skipif(not _PUBLISHING, reason=f"no pages at {_DOCS}")
@pytest.mark.parametrize("style", ["no language", "indented block", "list item", "powershell"])
def test_ports_lists_every_host_binding_of_a_page(tmp_path: Path, style: str) -> None:
    pages = [_styles(line) for line in _PUBLISHING]
    chosen = [
        (line, page[style]) for line, page in zip(_PUBLISHING, pages, strict=True) if style in page
    ]
    text = "\n".join(f"Step {k}:\n\n{page}" for k, (_, page) in enumerate(chosen))
    (tmp_path / "page.md").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "portspec", "ports", "--format", "json", str(tmp_path / "page.md")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    listed = json.loads(done.stdout)
    expected = 0
    for line, _ in chosen:
        container = parse_docker_run(line)
        expected += len(container.publish) + container.publish_all
    assert len(listed) == expected
