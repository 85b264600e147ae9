"""``portspec ports``, run in-process through a parser of its own."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from portspec.cli import _ports
from portspec.cli._common import EXIT_FAULT, EXIT_OK, EXIT_USAGE, UsageError

COMPOSE = """\
services:
  web:
    ports:
      - "8080:80"
      - "127.0.0.1::53/udp"
  api:
    ports: ["8000-8010:81"]
  hostnet:
    network_mode: host
    ports: ["9999:9"]
"""
SCRIPT = """\
#!/bin/sh
docker run -d -p 8080:8080 -P --name other nginx
docker run -p [::1]:5000:5000 x
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portspec")
    _ports.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``portspec ports ARGV`` as the app does: a UsageError is exit 2."""
    args = _parser().parse_args(["ports", *argv])
    try:
        status: int = args.handler(args)
    except UsageError:
        status = EXIT_USAGE
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder, made the current one, with a compose file and a script that conflict."""
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "run.sh").write_text(SCRIPT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_table(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "compose.yaml", "run.sh")
    assert (status, err) == (EXIT_FAULT, "")
    assert out.splitlines() == [
        "ADDRESS    PORT             PROTO  CONTAINER  TARGET         WHERE               CONFLICT",
        "::1        5000             tcp    run.sh:3   5000           run.sh:3:15",
        "*          8000-8010 (any)  tcp    api        81             compose.yaml:7:13",
        "*          8080             tcp    other      8080           run.sh:2:18"
        "         PS101 with web",
        "*          8080             tcp    web        80             compose.yaml:4:9"
        "    PS101 with other",
        "*          9999             tcp    hostnet    9              compose.yaml:10:13"
        "  (not published: network_mode host)",
        "127.0.0.1  (ephemeral)      udp    web        53             compose.yaml:5:9",
        "*          (ephemeral)      *      other      (exposed, -P)  run.sh:2:28",
    ]


def test_a_folder_is_searched(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, ".")
    assert status == EXIT_FAULT
    assert "PS101 with web" in out


def test_per_file_keeps_files_apart(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--per-file", "compose.yaml", "run.sh")
    assert status == EXIT_OK
    assert "PS101" not in out


def test_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--format", "json", "compose.yaml", "run.sh")
    assert status == EXIT_FAULT
    rows: list[dict[str, Any]] = json.loads(out)
    assert [(row["port"], row["container"]) for row in rows] == [
        ("5000", "run.sh:3"),
        ("8000-8010 (any)", "api"),
        ("8080", "other"),
        ("8080", "web"),
        ("9999", "hostnet"),
        ("(ephemeral)", "web"),
        ("(ephemeral)", "other"),
    ]
    web = rows[3]
    assert web == {
        "address": "*",
        "port": "8080",
        "protocol": "tcp",
        "container": "web",
        "target": "80",
        "where": "compose.yaml:4:9",
        "host_ip": None,
        "host_port": {"start": 8080, "end": 8080},
        "ephemeral": False,
        "dynamic": False,
        "container_port": {"start": 80, "end": 80},
        "path": "compose.yaml",
        "line": 4,
        "column": 9,
        "conflicts": [{"code": "PS101", "with": "other"}],
        "published": True,
        "note": None,
    }
    assert rows[1]["dynamic"] is True
    assert rows[5]["ephemeral"] is True
    assert rows[4]["published"] is False


def test_sorted_by_protocol_port_then_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.sh").write_text(
        "docker run -p 10.0.0.1:90:1/udp -p 10.0.0.1:80:1 -p 0.0.0.0:80:2 -p 80:3 -p 443:4 x\n",
        encoding="utf-8",
    )
    _, out, _ = run(capsys, "--format", "json", "run.sh")
    rows = json.loads(out)
    assert [(r["protocol"], r["port"], r["address"]) for r in rows] == [
        ("tcp", "80", "*"),
        ("tcp", "80", "0.0.0.0"),
        ("tcp", "80", "10.0.0.1"),
        ("tcp", "443", "*"),
        ("udp", "90", "10.0.0.1"),
    ]


def test_warning_level_conflict_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.sh").write_text(
        "docker run -d --name app -p 40000:80 x\ndocker run -d --name box -p 81 x\n",
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "run.sh")
    assert status == EXIT_OK
    assert "PS104 with box" in out
    assert "PS104 with app" in out


def test_unreadable_file_is_reported_and_the_rest_listed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docker-compose.yml").write_bytes(b"services:\n  x:\n    ports: ['\xff']\n")
    status, out, err = run(capsys, "docker-compose.yml", "run.sh")
    assert status == EXIT_FAULT
    assert err == "docker-compose.yml:1:1: PS000 not UTF-8 text\n"
    assert "run.sh:2:18" in out


def test_bad_value_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.sh").write_text("docker run -p 99999:80 x\n", encoding="utf-8")
    status, out, err = run(capsys, "run.sh")
    assert (status, out) == (EXIT_FAULT, "")
    assert err.startswith("run.sh:1:")
    assert "99999" in err


def test_nothing_found_prints_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run.sh").write_text("echo hello\n", encoding="utf-8")
    assert run(capsys, "run.sh") == (EXIT_OK, "", "")
    assert run(capsys, "--format", "json", "run.sh") == (EXIT_OK, "[]\n", "")


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, str(tmp_path / "nope.yaml"))[0] == EXIT_USAGE


def test_a_path_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    # Without --running, which lists the live bindings alone.
    assert run(capsys)[0] == EXIT_USAGE
