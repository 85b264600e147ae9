"""Every real ``docker run`` line of the corpora: lint reports an error where docker refuses.

Each line of ``tests/test_argv.py``'s corpus lines is split by portspec's
shell reader (itself checked against bash there) and run by the real docker
CLI against the fake Engine, with ``-t`` left out (no terminal here). A line
lint gives an error (PS0xx, PS2xx: what one command line says, not what it
meets) must be refused by docker; a line docker refuses for its ports,
links or networks must have one. The refusals portspec does not report by
design are named: an image reference it keeps as text (``<version>``,
``{{ tag }}``, ``[OPTIONS]`` of a synopsis), a file read when the command
runs (``--env-file``), a missing image, and flags the fake Engine does not
answer for.
"""

from __future__ import annotations

import itertools
import re

import pytest

from portspec import PortSpecError
from portspec.lint import Severity, lint_text
from portspec.sources.argv import _EXPANSION, _STAND_INS
from portspec.sources.scripts import split_command
from tests.differential._engine import DockerCLI, run_label
from tests.test_argv import _LINES, UNKNOWN_PARTS

_NOT_PORTS = re.compile(
    r"invalid reference format|repository name must be lowercase|no such file or directory"
    r"|requires at least 1 argument|unknown server OS"
)
_TERMINAL = {"-it": "-i", "-ti": "-i", "-t": "-i", "--tty": "-i"}


@pytest.mark.skipif(not _LINES, reason="no corpus beside the checkout")
def test_lint_errors_where_docker_refuses_a_real_line(docker_cli: DockerCLI) -> None:
    wrong = []
    refused = 0
    for key, (where, line) in enumerate(_LINES):
        try:
            split = split_command(line)
        except PortSpecError:
            continue  # a quote left open: the shell too refuses the line
        words = [_TERMINAL.get(word.value, word.value) for word in split]
        words = words[1:] if words[0] == "sudo" else words
        at = words.index("run") + 1
        result = docker_cli.command(
            [*words[1:at], run_label(str(key)), *words[at:]], str(key), starts=True
        )
        errors = [
            finding.code
            for finding in lint_text(line, "run.sh", "shell")
            if finding.severity is Severity.ERROR and finding.code[2] in "02"
        ]
        refused += not result.accepted
        if result.accepted and errors:
            wrong.append((where, "accepted by docker", errors))
        elif not result.accepted and not errors and not _NOT_PORTS.search(result.stderr):
            wrong.append((where, result.stderr.strip(), errors))
    assert wrong == []
    assert refused >= 5


def _substituted(value: str, stand_ins: tuple[str, ...]) -> str:
    held = iter(stand_ins)
    return _EXPANSION.sub(lambda _: next(held), value)


def test_a_value_refused_whatever_its_expansions_hold(docker_cli: DockerCLI) -> None:
    """Where lint reports a value with expansions, docker refuses every stand-in for them."""
    for flags, message, _ in UNKNOWN_PARTS:
        flag, value = flags.split(" ", 1)
        parts = list(_EXPANSION.finditer(value))
        combinations = itertools.product(_STAND_INS, repeat=len(parts))
        tried = [_substituted(value, held) for held in combinations]
        results = docker_cli.create_each([[flag, text] for text in tried])
        accepted = [text for text, result in zip(tried, results, strict=True) if result.accepted]
        assert (accepted == []) == (message is not None), (flags, accepted)
