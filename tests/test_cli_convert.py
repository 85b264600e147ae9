"""``portspec convert``, run in-process through a parser of its own."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

from portspec import Container, from_docker_sdk, from_engine_api, load_compose, parse_docker_run
from portspec.cli import _convert
from portspec.cli._common import EXIT_FAULT, EXIT_OK, EXIT_USAGE, UsageError

SAMPLE = ["-p", "8080:80", "-p", "22:22", "-p", "127.0.0.1::53/udp", "--name", "web", "nginx"]
COMPOSE = (
    "services:\n"
    "  web:\n"
    "    image: nginx\n"
    "    ports: ['8080:80', '127.0.0.1:2222:22']\n"
    "    links: [db]\n"
    "  db:\n"
    "    image: postgres\n"
    "    expose: ['5432']\n"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portspec")
    _convert.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None
) -> tuple[int, str, str]:
    """Run ``portspec convert ARGV`` as the app does: a UsageError is exit 2."""
    args = _parser().parse_args(["convert", *argv])
    if stdin is not None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdin", io.StringIO(stdin))
            status = _handle(args)
    else:
        status = _handle(args)
    out, err = capsys.readouterr()
    return status, out, err


def _handle(args: argparse.Namespace) -> int:
    try:
        status: int = args.handler(args)
    except UsageError:
        return EXIT_USAGE
    return status


def unnamed(container: Container) -> Container:
    return dataclasses.replace(container, name=None)


# ------------------------------------------------------------------ outputs


def test_to_args(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--to", "args", "--", *SAMPLE)
    assert (status, err) == (EXIT_OK, "")
    words: list[str] = json.loads(out)
    assert parse_docker_run(words) == parse_docker_run(SAMPLE)
    assert words[:2] == ["--name", "web"]


def test_to_command(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--to", "command", "--", *SAMPLE)
    assert (status, err) == (EXIT_OK, "")
    assert out == (
        "docker run --name web --publish 8080:80 --publish 22:22"
        " --publish 127.0.0.1::53/udp nginx\n"
    )


def test_to_engine_api(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--to", "engine-api", "--", *SAMPLE)
    assert status == EXIT_OK
    body: dict[str, Any] = json.loads(out)
    assert body["HostConfig"]["PortBindings"]["22/tcp"] == [{"HostIp": "", "HostPort": "22"}]
    # the Engine API body has no name or image: they are the query and another key
    assert from_engine_api(body) == dataclasses.replace(
        parse_docker_run(SAMPLE), name=None, image=None
    )


def test_to_sdk_writes_tuples_in_dict_form(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*SAMPLE[:-1], "--link", "db:database"]
    status, out, _ = run(capsys, "--to", "sdk", "--", *argv, "nginx")
    assert status == EXIT_OK
    kwargs: dict[str, Any] = json.loads(out)
    assert kwargs["ports"]["53/udp"] == {"HostIp": "127.0.0.1", "HostPort": ""}
    assert kwargs["ports"]["80/tcp"] == 8080
    assert kwargs["links"] == [["db", "database"]]
    assert from_docker_sdk(kwargs) == parse_docker_run(argv)


def test_to_compose_quotes_ports(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--to", "compose", "--", *SAMPLE)
    assert (status, err) == (EXIT_OK, "")
    assert out == (
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    ports:\n"
        "    - '8080:80'\n"
        "    - '22:22'\n"
        "    - '127.0.0.1::53/udp'\n"
    )


def test_to_compose_long(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--to", "compose-long", "--", "-p", "8080-8081:80-81", "x")
    assert status == EXIT_OK
    ports = load_compose(out).services["app"].publish
    assert [str(mapping) for mapping in ports] == ["8080:80", "8081:81"]
    assert "published: '8080'" in out


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(SAMPLE, id="named"),
        pytest.param(["-p", "8000-8010:80", "--expose", "9000/udp", "--link", "db", "x"], id="app"),
        pytest.param(["-p", "[::1]:8080:80", "--network", "host", "x"], id="host-network"),
    ],
)
def test_command_to_compose_and_back(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    status, compose, _ = run(capsys, "--to", "compose", "--", *argv)
    assert status == EXIT_OK
    original = parse_docker_run(argv)
    project = load_compose(compose)
    (service, back), *_ = project.services.items()
    assert service == (original.name or "app")
    # a link to a container converted with it stays in links, any other is external
    links = back.links + project.external_links.get(service, ())
    assert unnamed(dataclasses.replace(back, links=links)) == unnamed(original)


def test_links_inside_and_outside(capsys: pytest.CaptureFixture[str]) -> None:
    text = "docker run --name db x\ndocker run --link db --link cache:c --name web x\n"
    status, out, _ = run(capsys, "--to", "compose", "-", stdin=text)
    assert status == EXIT_OK
    assert "    links:\n    - 'db'\n    external_links:\n    - 'cache:c'\n" in out
    assert load_compose(out).external_links["web"] == parse_docker_run("--link cache:c").links


def test_compose_to_command_and_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE, encoding="utf-8")
    status, out, _ = run(capsys, "--to", "command", str(path))
    assert status == EXIT_OK
    lines = out.splitlines()
    assert lines == [
        "docker run --name db --expose 5432 postgres",
        "docker run --name web --publish 8080:80 --publish 127.0.0.1:2222:22 --link db nginx",
    ]
    text = tmp_path / "commands.txt"
    text.write_text(out, encoding="utf-8")
    status, back, _ = run(capsys, "--to", "compose", str(text))
    assert status == EXIT_OK
    assert load_compose(back).services == load_compose(path).services


def test_compose_input_is_keyed_even_for_one_service(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "--to", "args", "-", stdin="services:\n  web:\n    ports: ['80']\n"
    )
    assert status == EXIT_OK
    assert json.loads(out) == {"web": ["--name", "web", "--publish", "80"]}


def test_several_lines_are_named_app_app_2(capsys: pytest.CaptureFixture[str]) -> None:
    text = "# two containers\n\ndocker run -p 80 \\\n    -p 90:90 nginx\ndocker run -p 1:1 x\n"
    status, out, _ = run(capsys, "--to", "args", "-", stdin=text)
    assert status == EXIT_OK
    assert json.loads(out) == {
        "app": ["--publish", "80", "--publish", "90:90", "nginx"],
        "app-2": ["--publish", "1:1", "x"],
    }


def test_names_stay_unique(capsys: pytest.CaptureFixture[str]) -> None:
    text = "docker run --name web -p 1:1 x\ndocker run --name web -p 2:2 x\n"
    _, out, _ = run(capsys, "--to", "compose", "-", stdin=text)
    assert list(load_compose(out).services) == ["web", "web-2"]
    assert "container_name: web\n" in out


# ----------------------------------------------------------- auto-detection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(COMPOSE, {"db", "web"}, id="compose"),
        pytest.param(
            json.dumps({"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "8080"}]}}}),
            ["--publish", "8080:80"],
            id="engine-api",
        ),
        pytest.param(
            json.dumps({"ports": {"80/tcp": 8080}, "detach": True}),
            ["--publish", "8080:80"],
            id="sdk",
        ),
        pytest.param(json.dumps(["-p", "8080:80"]), ["--publish", "8080:80"], id="args"),
        pytest.param(
            json.dumps({"a": {"ports": {"80": 1}}, "b": {"HostConfig": {}}}),
            {"a", "b"},
            id="named-json",
        ),
        pytest.param("docker run -p 8080:80\n", ["--publish", "8080:80"], id="command-lines"),
    ],
)
def test_auto_detection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: object
) -> None:
    path = tmp_path / "input"
    path.write_text(text, encoding="utf-8")
    status, out, err = run(capsys, "--to", "args", str(path))
    assert (status, err) == (EXIT_OK, "")
    result = json.loads(out)
    assert (set(result) if isinstance(expected, set) else result) == expected


def test_from_forces_the_kind(capsys: pytest.CaptureFixture[str]) -> None:
    # with --from sdk, an empty object is SDK arguments, not an Engine API body
    body = json.dumps({"ports": {"80/tcp": None}})
    status, out, _ = run(capsys, "--to", "command", "--from", "sdk", "-", stdin=body)
    assert (status, out) == (EXIT_OK, "docker run --publish 80\n")
    status, out, _ = run(capsys, "--to", "command", "--from", "compose", "-", stdin=COMPOSE)
    assert status == EXIT_OK
    assert len(out.splitlines()) == 2


# ------------------------------------------------------------------- losses


def test_publish_all_is_left_out_of_compose_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "--to", "compose", "--", "-P", "--name", "web", "x")
    assert status == EXIT_OK
    assert err == "warning: web: Compose has no publish-all (-P): left out\n"
    assert "publish" not in out


def test_extra_networks_are_left_out_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--to", "sdk", "--", "--network", "a", "--network", "b", "x")
    assert status == EXIT_OK
    assert json.loads(out) == {"network_mode": "a"}
    assert err == "warning: app: sdk names one network: b left out\n"


def test_sdk_refuses_host_network_with_ports(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--to", "sdk", "--", "--network", "host", "-p", "80", "x")
    assert (status, out) == (EXIT_FAULT, "")
    assert err.startswith("error: the docker SDK refuses ports with network_mode 'host'")


def test_a_refused_service_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    text = "docker run -p 1:1 x\ndocker run --network host -p 2:2 --name h x\n"
    status, out, err = run(capsys, "--to", "sdk", "-", stdin=text)
    assert (status, out) == (EXIT_FAULT, "")
    assert err.startswith("error: h: the docker SDK refuses")


def test_compose_refuses_container_port_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--to", "compose", "--", "-p", "8080:0", "x")
    assert status == EXIT_FAULT
    assert "it needs a container port from 1" in err


# ------------------------------------------------------------------- errors


def test_bad_spec_shows_a_caret(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--to", "args", "--", "-p", "99999:80", "x")
    assert (status, out) == (EXIT_FAULT, "")
    assert err.startswith("error: ")
    assert "invalid host port 99999" in err
    assert err.splitlines()[-1].strip() == "^^^^^"


def test_bad_line_in_a_file_names_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--to", "args", "-", stdin="# x\n\ndocker run -p 1:x y\n")
    assert status == EXIT_FAULT
    assert err.startswith("error: <stdin>:3: ")
    assert "^" in err


def test_bad_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--to", "args", "-", stdin="{nope")
    assert status == EXIT_FAULT
    assert err.startswith("error: <stdin>: not JSON")


def test_bad_compose(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--to", "args", "-", stdin="services:\n  a:\n    ports: ['x']\n")
    assert status == EXIT_FAULT
    assert err.startswith("error: Compose would refuse this file")


def test_nothing_given_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--to", "args")[0] == EXIT_USAGE


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--to", "args", str(tmp_path / "compose.yaml"))[0] == EXIT_USAGE


def test_from_a_file_kind_needs_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--to", "args", "--from", "sdk", "--", "-p", "80")[0] == EXIT_USAGE


def test_to_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        _parser().parse_args(["convert", "-"])
    assert stop.value.code == 2
    capsys.readouterr()


def test_one_word_is_a_command_unless_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--to", "command", "--", "nginx")
    assert (status, out) == (EXIT_OK, "docker run nginx\n")


# ------------------------------------------------------------------ round trips

HOSTILE_COMPOSE = """\
services:
  "08":
    image: "price$$5"
    container_name: "1e3"
    external_links: ["redis:cache"]
    ports: ["8080:80/udp"]
  "0o17":
    image: "a\\u0085b"
    links: ["08"]
"""


def _compose_config(path: Path) -> dict[str, Any]:
    import subprocess

    from tests.differential._compose_oracle import find_compose

    binary = find_compose()
    if binary is None:
        pytest.skip("no docker-compose")
    done = subprocess.run(
        [str(binary), "-f", str(path), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=path.parent,
        timeout=60,
    )
    services: dict[str, Any] = json.loads(done.stdout)["services"]
    return services


def test_compose_round_trip_keeps_meaning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """external_links kept, $ written $$, numeric-looking names quoted, U+0085 escaped."""
    source = tmp_path / "compose.yaml"
    source.write_text(HOSTILE_COMPOSE)
    status, out, err = run(capsys, "--to", "compose", str(source))
    assert (status, err) == (EXIT_OK, "")
    assert "'08':" in out
    assert "'0o17':" in out
    assert "container_name: '1e3'" in out
    assert "image: price$$5" in out
    assert "- 'redis:cache'" in out
    assert "\x85" not in out
    target = tmp_path / "out" / "compose.yaml"
    target.parent.mkdir()
    target.write_text(out)
    before, after = load_compose(source), load_compose(target)
    assert before.services == after.services
    assert before.external_links == after.external_links
    assert _compose_config(source) == _compose_config(target)


def test_long_syntax_beyond_the_cap_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "compose.yaml"
    source.write_text("services:\n  w:\n    image: x\n    ports: ['1-65535:1-65535']\n")
    status, out, err = run(capsys, "--to", "compose-long", str(source))
    assert (status, out) == (EXIT_FAULT, "")
    assert err == (
        "error: w: the long syntax would write 65535 port entries, one a port, more than"
        " 10000: use --to compose for the short syntax\n"
    )
    assert run(capsys, "--to", "compose", str(source))[0] == EXIT_OK


def test_output_beyond_the_cap_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_convert, "MAX_OUTPUT", 100)
    status, out, err = run(capsys, "--to", "engine-api", "--", *["-p", "80:80"] * 20, "x")
    assert (status, out) == (EXIT_FAULT, "")
    assert err.startswith("error: the engine-api output would be ")
    assert err.endswith(" characters, more than 100: not written\n")


def test_convert_reads_no_file_outside_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "project").mkdir()
    source = tmp_path / "project" / "compose.yaml"
    source.write_text(
        "services:\n  w:\n    image: x\n    extends: {file: /etc/passwd, service: x}\n"
    )
    status, out, err = run(capsys, "--to", "compose", str(source))
    assert (status, out) == (EXIT_FAULT, "")
    assert "extends.file '/etc/passwd' is outside the project folder: not read" in err
    assert "root:" not in err
