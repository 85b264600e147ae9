"""Whole command lines and compose texts: whatever they hold, a value or a PortSpecError."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portspec import (
    ComposeError,
    Container,
    PortSpecError,
    load_compose,
    parse_docker_run,
    to_docker_args,
)

_command_words = st.sampled_from(
    [
        "docker",
        "run",
        "create",
        "container",
        "sudo",
        "-p",
        "-P",
        "--publish",
        "-dp",
        "--expose",
        "--link",
        "--name",
        "--network",
        "--net=host",
        "--",
        "-e",
        "A=b",
        "nginx",
        "'",
        '"',
        "\\",
        "8080:80",
        "--rm=false",
        "-itp",
        "#",
        "&&",
        "$PORT:80",
        "name=a,alias=b",
        "\n",
    ]
)
command_lines = st.one_of(
    st.lists(_command_words, max_size=12).map(" ".join),
    st.text(max_size=60),
)


@given(command_lines)
def test_command_lines_parse_or_raise_portspec_errors(text: str) -> None:
    try:
        container = parse_docker_run(text)
    except PortSpecError as error:
        assert error.text == text
    else:
        assert parse_docker_run(to_docker_args(container)) == container


_yaml_pieces = st.sampled_from(
    [
        "services:",
        "\n  web:",
        "\n    ports:",
        "\n      - ",
        "'8080:80'",
        "80",
        "0x50",
        "22:22",
        "\n    expose: [",
        "]",
        "\n    links: [db]",
        "\n  db: {}",
        "!reset",
        "!override",
        "&a",
        "*a",
        "<<: *a",
        "${PORT:-80}",
        "$",
        "{",
        "}",
        "[",
        "\t",
        "\x00",
        ": ",
        "- ",
        "\n",
    ]
)
compose_texts = st.one_of(st.lists(_yaml_pieces, max_size=16).map("".join), st.text(max_size=80))


@given(compose_texts)
def test_compose_texts_load_or_raise_portspec_errors(text: str) -> None:
    try:
        project = load_compose(text, env={})
    except ComposeError as error:
        assert error.problems
        assert all(problem.span.line >= 1 for problem in error.problems)
    except PortSpecError as error:
        assert error.message
    else:
        assert all(isinstance(service, Container) for service in project.services.values())
