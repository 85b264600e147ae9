"""The ``portspec`` command line, run in-process through ``main`` (and once as a process)."""

from __future__ import annotations

import doctest
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import portspec
from portspec import PortSpecError, parse_expose, parse_link, parse_publish
from portspec.cli import EXIT_FAULT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE = ROOT / "examples" / "publish.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, Any]]:
    status, out, err = run(capsys, "parse", "--format", "json", *argv)
    assert (status, err) == (EXIT_OK, "")
    objects: list[dict[str, Any]] = json.loads(out)
    return objects


def source_env() -> dict[str, str]:
    """The environment for a child Python that imports portspec from this tree."""
    package_root = str(Path(portspec.__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, path]))}


# ----------------------------------------------------------------- version


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (EXIT_OK, f"portspec {portspec.__version__}\n", "")


def test_version_is_x_y_z() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", portspec.__version__)


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "portspec", "--version"],
        cwd=tmp_path,
        env=source_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"portspec {portspec.__version__}\n",
        "",
    )


def test_import_does_not_build_the_grammar() -> None:
    code = "import sys, portspec.cli; print(sorted(m for m in sys.modules if m.startswith('lark')))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=source_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "[]\n"


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "parse", "--help")
    assert status == EXIT_OK
    assert "--from-file" in out


# -------------------------------------------------------------- text output


@pytest.mark.parametrize(
    ("argv", "lines"),
    [
        (["80"], ["80"]),
        (["8080:80", "80/UDP"], ["8080:80", "80/udp"]),
        (["127.0.0.1:8080:00080/tcp"], ["127.0.0.1:8080:80"]),
        (["[::1]:8080:80", "::1:8080:80"], ["[::1]:8080:80", "[::1]:8080:80"]),
        (["8000-8010:80"], ["8000-8010:80"]),
        (["published=8080,target=80,protocol=udp"], ["8080:80/udp"]),
        (["--publish", "0.0.0.0::53/udp"], ["0.0.0.0::53/udp"]),
        (["--dialect", "compose", "8080:80"], ["8080:80"]),
        (["--expose", "7000-7010/udp", "80/tcp"], ["7000-7010/udp", "80"]),
        (["--link", "db", "db:database"], ["db", "db:database"]),
        (["--", "80"], ["80"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_text_is_canonical(
    capsys: pytest.CaptureFixture[str], argv: list[str], lines: list[str]
) -> None:
    assert run(capsys, "parse", *argv) == (EXIT_OK, "".join(f"{line}\n" for line in lines), "")


def test_text_escapes_what_the_terminal_cannot_show(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["parse", "--link", "caf\u00e9"]) == EXIT_OK
    stdout.seek(0)
    assert stdout.read() == "caf\\xe9\n"


# -------------------------------------------------------------- json output


def test_json_publish(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "127.0.0.1:8080:80/udp", "80") == [
        {
            "kind": "publish",
            "input": "127.0.0.1:8080:80/udp",
            "canonical": "127.0.0.1:8080:80/udp",
            "container": {"start": 80, "end": 80},
            "protocol": "udp",
            "host_ip": "127.0.0.1",
            "host": {"start": 8080, "end": 8080},
            "dynamic_range": False,
            "ignored": [],
        },
        {
            "kind": "publish",
            "input": "80",
            "canonical": "80",
            "container": {"start": 80, "end": 80},
            "protocol": "tcp",
            "host_ip": None,
            "host": None,
            "dynamic_range": False,
            "ignored": [],
        },
    ]


def test_json_publish_range_and_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    dynamic, long = run_json(capsys, "8000-8010:80", "mode=host,published=8080,target=80")
    assert dynamic["host"] == {"start": 8000, "end": 8010}
    assert dynamic["dynamic_range"] is True
    assert long["canonical"] == "8080:80"
    assert long["ignored"] == ["mode=host"]


def test_json_host_ip_is_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    (mapping,) = run_json(capsys, "[0:0::1]:8080:80")
    assert mapping["host_ip"] == "0:0::1"
    assert mapping["canonical"] == "[0:0::1]:8080:80"


def test_json_expose(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--expose", "7000-7010/udp") == [
        {
            "kind": "expose",
            "input": "7000-7010/udp",
            "canonical": "7000-7010/udp",
            "ports": {"start": 7000, "end": 7010},
            "protocol": "udp",
        }
    ]


def test_json_link(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--link", "db:database", "cache") == [
        {
            "kind": "link",
            "input": "db:database",
            "canonical": "db:database",
            "name": "db",
            "alias": "database",
            "text": "db:database",
        },
        {
            "kind": "link",
            "input": "cache",
            "canonical": "cache",
            "name": "cache",
            "alias": "cache",
            "text": "cache",
        },
    ]


def test_json_of_nothing_is_an_empty_array(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n", encoding="utf-8")
    assert run_json(capsys, "--from-file", str(empty)) == []


# ------------------------------------------------------------------- errors


def test_error_has_a_caret_and_the_others_go_on(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "parse", "8080:80", "127.0.0.1:99999:80", "53/udp")
    assert status == EXIT_FAULT
    assert out == "8080:80\n53/udp\n"
    with pytest.raises(PortSpecError) as raised:
        parse_publish("127.0.0.1:99999:80")
    assert err == f"error: {raised.value}\n"
    assert err.splitlines()[1:] == ["  127.0.0.1:99999:80", "            ^^^^^"]


def test_error_in_json_mode(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "parse", "--format", "json", "--expose", "80", "8080:80")
    assert status == EXIT_FAULT
    assert [entry["canonical"] for entry in json.loads(out)] == ["80"]
    assert err.startswith("error: ")
    assert "^" in err


def test_every_bad_spec_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "parse", "--link", "a:b:c", "", "x")
    assert (status, out) == (EXIT_FAULT, "x\n")
    assert err.count("error: ") == 2


def test_compose_dialect_differs(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "parse", "80/tcp/x")[0] == EXIT_OK
    status, _, err = run(capsys, "parse", "--dialect", "compose", "80/tcp/x")
    assert status == EXIT_FAULT
    assert err.startswith("error: ")


def test_error_from_a_file_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    specs = tmp_path / "specs.txt"
    specs.write_text("80\n\n# a comment\n8080:80/tpc  # a typo\n", encoding="utf-8")
    status, out, err = run(capsys, "parse", "-f", str(specs))
    assert (status, out) == (EXIT_FAULT, "80\n")
    assert err.startswith(f"error: {specs}:4: invalid protocol 'tpc'")
    assert err.endswith("  8080:80/tpc\n          ^^^\n")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["parse"],
        ["frobnicate"],
        ["parse", "--format", "xml", "80"],
        ["parse", "--dialect", "podman", "80"],
        ["parse", "--expose", "--dialect", "compose", "80"],
        ["parse", "--link", "--expose", "80"],
        ["parse", "--no-such-option", "80"],
        ["parse", "--from-file", "/no/such/file"],
    ],
    ids=lambda argv: " ".join(argv) or "(nothing)",
)
def test_usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (EXIT_USAGE, "")
    assert "usage: portspec" in err
    assert "Traceback" not in err


def test_unreadable_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"80\n\xff\xfe\n")
    status, _, err = run(capsys, "parse", "-f", str(binary))
    assert status == EXIT_USAGE
    assert f"cannot read {binary}" in err


def test_internal_error_is_one_line_and_debug_raises(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portspec.cli import _app

    def broken(text: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(_app, "_parse_function", lambda kind, dialect: broken)
    status, out, err = run(capsys, "parse", "80")
    assert (status, out) == (EXIT_INTERNAL, "")
    assert err.splitlines() == [
        "portspec: internal error: RuntimeError: boom",
        "portspec: this is a bug; rerun with --debug for the traceback",
    ]
    for argv in (["--debug", "parse", "80"], ["parse", "--debug", "80"]):
        with pytest.raises(RuntimeError, match="boom"):
            main(argv)


# ------------------------------------------------------------------- files


def test_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("db\n  # links\nweb:www\n"))
    assert run(capsys, "parse", "--link", "-f", "-") == (EXIT_OK, "db\nweb:www\n", "")


def test_arguments_come_before_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    specs = tmp_path / "specs.txt"
    specs.write_text("81\n", encoding="utf-8")
    assert run(capsys, "parse", "-f", str(specs), "80") == (EXIT_OK, "80\n81\n", "")


def test_bundled_example_parses_and_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    objects = run_json(capsys, "--from-file", str(EXAMPLE))
    assert len(objects) >= 12
    for entry in objects:
        assert parse_publish(entry["canonical"]) == parse_publish(entry["input"])
    kinds = {(e["host_ip"] is not None, e["host"] is not None, e["protocol"]) for e in objects}
    assert len(kinds) >= 5, "the example should show a variety of forms"
    assert any(entry["dynamic_range"] for entry in objects)


def test_expose_and_link_round_trip(capsys: pytest.CaptureFixture[str]) -> None:
    for entry in run_json(capsys, "--expose", "80", "7000-7010/udp", "53/sctp"):
        assert parse_expose(entry["canonical"]) == parse_expose(entry["input"])
    for entry in run_json(capsys, "--link", "db", "db:database"):
        assert parse_link(entry["canonical"]) == parse_link(entry["input"])


# ------------------------------------------------------------------ README


def _readme_commands() -> list[tuple[str, str]]:
    """The ``$ portspec ...`` lines of README's console blocks and the output under each."""
    commands: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for chunk in re.split(r"^(?=\$ )", block, flags=re.M):
            if chunk.strip():
                command, _, output = chunk.partition("\n")
                commands.append((command.removeprefix("$ "), output))
    return commands


@pytest.mark.parametrize(
    ("command", "output"), [pytest.param(*example, id=example[0]) for example in _readme_commands()]
)
def test_readme_console_examples(
    capsys: pytest.CaptureFixture[str], command: str, output: str
) -> None:
    program, *argv = shlex.split(command)
    assert program == "portspec"
    _, out, err = run(capsys, *argv)
    assert out + err == output


def test_readme_python_examples() -> None:
    result = doctest.testfile(str(README), module_relative=False, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = README.read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick_start, re.S)
    assert len(commands) == 2, "Quick start has exactly two commands"
    tests = commands[1]
    assert "pytest" in tests
    ci_run = ROOT / ".ci" / "run"
    if not ci_run.exists():
        pytest.skip("no .ci/run here (an sdist has none)")
    ci = ci_run.read_text(encoding="utf-8")
    assert any(line.strip() == tests for line in ci.splitlines()), ".ci/run must run it verbatim"
    example = commands[0]
    assert example.endswith("portspec lint examples/")


def test_readme_main_command_shows_findings(capsys: pytest.CaptureFixture[str]) -> None:
    """The Quick start's first command lints the bundled example and shows what it finds."""
    status, out, _ = run(capsys, "lint", str(ROOT / "examples"))
    codes = re.findall(r"^\S+:\d+:\d+: (PS\d{3}) ", out, re.M)
    assert status == EXIT_FAULT
    assert {"PS101", "PS207", "PS301", "PS305", "PS007"} <= set(codes)
