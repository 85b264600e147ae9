"""Names from hostile files never reach a report, a table or a log raw.

A service or container name, a path or a value can hold a line break, ESC,
BEL, C1 controls or bidirectional marks. Shown raw they would start a GitHub
workflow command of their own (``::error ...``), retitle or clear a terminal,
or reorder what a reviewer reads. Every output format and ``ports`` must show
them escaped, as the source lines of the text report already are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portspec._escape import printable
from portspec.cli import main
from portspec.errors import PortSpecError

# Each would do harm written raw: a new log line carrying a workflow command,
# the runner's older command prefix, a terminal title, an OSC 8 link, a bell,
# a C1 next-line, a right-to-left override, a line separator.
HOSTILE = [
    "x\n::error file=README.md,line=1::pwned",
    "y\r##[error]pwned",
    "t\x1b]0;title\x07",
    "l\x1b]8;;https://example.invalid\x1b\\link\x1b]8;;\x1b\\",
    "c\x9b31m\x85next",
    "b\u202eevil\u2028sep",
]


def _ansi_c(text: str) -> str:
    """``text`` as a bash ``$'...'`` word."""
    return "$'" + "".join(ch if ch.isalnum() else f"\\u{ord(ch):04x}" for ch in text) + "'"


COMPOSE = "services:\n" + "".join(
    f"  {json.dumps(name)}:\n    image: nginx\n    ports: ['8080:80']\n" for name in HOSTILE
)
SCRIPT = "#!/bin/bash\n" + "".join(
    f"docker run -d --name {_ansi_c(name)} -p 9090:80 --link {_ansi_c(name + 'l')} img\n"
    for name in HOSTILE
)


def _unsafe_characters(text: str) -> list[str]:
    """Every character of ``text`` a terminal or CI log would act on, but the line break."""
    return sorted({ch for ch in text if ch != "\n" and not ch.isprintable()})


@pytest.fixture
def hostile_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "run.sh").write_text(SCRIPT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    main(list(argv))
    return capsys.readouterr()


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_lint_reports_escape_hostile_names(
    hostile_project: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out, err = _run(capsys, "lint", "--isolated", "--format", fmt, ".")
    assert out.strip(), "the planted conflicts and links give findings"
    for stream in (out, err):
        assert _unsafe_characters(stream) == []
        assert "##[" not in stream
    lines = out.splitlines()
    if fmt == "github":
        # One annotation a finding, each a line of its own.
        assert lines
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
        found = json.loads(_run(capsys, "lint", "--isolated", "--format", "json", ".")[0])
        assert len(lines) == len(found)
    else:
        assert not any(line.lstrip().startswith("::") for line in lines)
    if fmt in ("json", "sarif"):
        json.loads(out)  # still a whole document


def test_lint_messages_name_the_hostile_containers_escaped(
    hostile_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = _run(capsys, "lint", "--isolated", "--format", "json", ".")
    messages = " ".join(d["message"] for d in json.loads(out))
    # The names are still there for the reader, in their escaped form (each
    # later service on 8080 is reported against the first one).
    assert any(printable(name) in messages for name in HOSTILE)
    assert not any(name in messages for name in HOSTILE)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_ports_escapes_hostile_names(
    hostile_project: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    out, err = _run(capsys, "ports", "--format", fmt, ".")
    assert "9090" in out
    assert "8080" in out
    for stream in (out, err):
        assert _unsafe_characters(stream) == []
        assert "##[" not in stream
        assert not any(line.lstrip().startswith("::") for line in stream.splitlines())


def test_error_message_escapes_the_value_it_quotes() -> None:
    error = PortSpecError("invalid link name 'a\nb\x1b[2J'", "a\nb\x1b[2J", (0, 4))
    shown = str(error)
    assert _unsafe_characters(shown) == []
    assert shown.splitlines()[0] == "invalid link name 'a\\nb\\x1b[2J'"


@pytest.mark.parametrize("ch", ["\n", "\r", "\x1b", "\x07", "\x7f", "\x85", "\u202e", "\u2066"])
def test_printable_escapes_each_control(ch: str) -> None:
    shown = printable(f"a{ch}b")
    assert shown.startswith("a")
    assert shown.endswith("b")
    assert _unsafe_characters(shown) == []
    assert len(shown) > 3


def test_a_compose_error_lists_each_problem_on_its_lines_escaped() -> None:
    from portspec import ComposeError, load_compose

    text = (
        "services:\n  w:\n    image: x\n"
        '    ports: ["99999:80", "a\\u001b[31m"]\n'
        '    depends_on: ["x\\n::error::y"]\n'
    )
    with pytest.raises(ComposeError) as raised:
        load_compose(text)
    shown = str(raised.value)
    lines = shown.split("\n")
    assert lines[0] == "Compose would refuse this file (3 problems):"
    assert "      99999:80" in lines
    assert "      ^^^^^" in lines
    assert "\x1b" not in shown
    assert not any(line.startswith("::") for line in lines)
    assert "a\\x1b[31m" in shown
    # A line break in a name is shown escaped, on the problem's own line.
    assert '5:18: error: service "w" depends on undefined service "x\\n::error::y"' in shown
    # The entry and its caret come from the problem's fault, not from its message.
    assert all("^" not in p.message for p in raised.value.problems)
