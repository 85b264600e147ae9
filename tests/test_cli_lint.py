"""``portspec lint``, ``check`` and ``rule`` through the real entry point.

Exit codes, formats, stdin, configuration, fixes that write atomically and
only when asked, and errors of our own that print one line.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from portspec.cli import EXIT_FAULT, EXIT_OK, EXIT_USAGE, main

BAD = "services:\n  db:\n    image: postgres\n    ports:\n      - 22:22   # ssh\n"
CLEAN = "services:\n  web:\n    image: nginx\n    ports: ['127.0.0.1:8080:80']\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one compose file with findings, one clean, and no configuration above."""
    (tmp_path / ".git").mkdir()  # stops the configuration search here
    (tmp_path / "compose.yaml").write_text(BAD)
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "compose.yaml").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_findings_exit_1_with_positions_and_carets(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "lint")
    assert status == EXIT_FAULT
    assert out.splitlines()[:3] == [
        "compose.yaml:5:9: PS301 port 22 (SSH) is published on all interfaces",
        "        - 22:22   # ssh",
        "          ^^^^^",
    ]
    assert "compose.yaml:5:9: PS305 [*] YAML 1.1 reads 22:22 as a base-60 number" in out
    assert out.rstrip().endswith("1 fixable with --fix.")
    assert "\x1b[" not in out  # not a terminal: no colour


def test_clean_files_exit_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "lint", "clean") == (EXIT_OK, "All checks passed.\n", "")


@pytest.mark.parametrize(
    ("options", "status"),
    [
        ((), EXIT_FAULT),
        (("--fail-on", "error"), EXIT_OK),
        (("--fail-on", "info"), EXIT_FAULT),
        (("--exit-zero",), EXIT_OK),
        (("--ignore", "PS3"), EXIT_OK),
        (("--select", "PS305"), EXIT_FAULT),
        (("--select", "PS1"), EXIT_OK),
    ],
)
def test_fail_on_and_selection(
    project: Path, capsys: pytest.CaptureFixture[str], options: tuple[str, ...], status: int
) -> None:
    assert run(capsys, "lint", *options)[0] == status


def test_json_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "lint", "--format", "json")
    found = json.loads(out)
    assert status == EXIT_FAULT
    assert [(d["code"], d["line"], d["column"], d["severity"]) for d in found] == [
        ("PS301", 5, 9, "warning"),
        ("PS305", 5, 9, "warning"),
    ]
    assert found[1]["fix"]["edits"][0]["replacement"] == '"22:22"'


def test_sarif_to_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "lint", "--format", "sarif", "-o", "out.sarif")
    log = json.loads((project / "out.sarif").read_text())
    assert (status, out) == (EXIT_FAULT, "")
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["PS301", "PS305"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "compose.yaml"


def test_github_format_by_default_on_actions(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    _, out, _ = run(capsys, "lint")
    assert out.splitlines()[0].startswith("::warning file=compose.yaml,line=5,col=9,")


def test_colour_is_asked_for_and_no_color_is_honoured(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "\x1b[" in run(capsys, "lint", "--color", "always")[1]
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run(capsys, "lint")[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(capsys, "lint")[1]


def test_stdin_with_a_filename(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("FROM x\nEXPOSE 9000-9002\n"))
    status, out, _ = run(capsys, "lint", "-", "--stdin-filename", "app/Dockerfile")
    assert status == EXIT_FAULT
    assert out.startswith("app/Dockerfile:2:8: PS205 ")


def test_stdin_sniffs_compose(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(BAD))
    assert run(capsys, "lint", "-", "--select", "PS301")[1].startswith("-:5:9: PS301")


def test_configuration_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".portspec.toml").write_text('ignore = ["PS301"]\nfail-on = "error"\n')
    status, out, _ = run(capsys, "lint", "--format", "json")
    assert status == EXIT_OK
    assert [d["code"] for d in json.loads(out)] == ["PS305"]
    # The command line wins over the file.
    assert run(capsys, "lint", "--fail-on", "warning")[0] == EXIT_FAULT


def test_per_file_ignores_in_pyproject(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.portspec]\nper-file-ignores = { "compose.yaml" = ["PS3"] }\n'
    )
    assert run(capsys, "lint") == (EXIT_OK, "All checks passed.\n", "")


def test_bad_configuration_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".portspec.toml").write_text("selct = ['PS1']\n")
    status, out, err = run(capsys, "lint")
    assert (status, out) == (EXIT_USAGE, "")
    assert "selct" in err
    assert "select" in err


def test_missing_path_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "lint", "nope.yaml")
    assert status == EXIT_USAGE
    assert "nope.yaml" in err


def test_docker_version(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "Dockerfile").write_text("FROM x\nEXPOSE 9000-9002\n")
    assert run(capsys, "lint", "Dockerfile")[0] == EXIT_FAULT
    assert run(capsys, "lint", "Dockerfile", "--docker-version", "28.5")[0] == EXIT_OK
    assert run(capsys, "lint", "Dockerfile", "--docker-version", "x")[0] == EXIT_USAGE


def test_without_fix_nothing_is_written(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    run(capsys, "lint", "--format", "sarif")
    run(capsys, "lint", "--diff")
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_diff_shows_the_fix(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "lint", "--diff")
    assert '-      - 22:22   # ssh\n+      - "22:22"   # ssh\n' in out
    assert out.startswith("--- a/compose.yaml\n+++ b/compose.yaml\n")


def test_fix_writes_atomically_keeping_mode_and_comments(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project / "compose.yaml"
    target.chmod(0o640)
    status, out, err = run(capsys, "lint", "--fix", "--format", "json")
    assert target.read_text() == BAD.replace("- 22:22 ", '- "22:22" ')
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [d["code"] for d in json.loads(out)] == ["PS301"]  # what is left
    assert status == EXIT_FAULT
    assert "Fixed 1 problem." in err
    assert sorted(p.name for p in project.iterdir()) == [".git", "clean", "compose.yaml"]


def test_unsafe_fix_rebinds_to_localhost(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "lint", "--fix", "--unsafe-fixes")
    assert '- "127.0.0.1:22:22"   # ssh' in (project / "compose.yaml").read_text()
    assert run(capsys, "lint")[0] == EXIT_OK


def test_fix_follows_a_symlink(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = project / "clean" / "docker-compose.yml"
    link.symlink_to(project / "compose.yaml")
    run(capsys, "lint", "--fix", str(link))
    assert link.is_symlink()
    assert '"22:22"' in (project / "compose.yaml").read_text()


def test_fix_and_diff_together_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "lint", "--fix", "--diff")[0] == EXIT_USAGE


def test_conflicts_across_a_compose_file_and_a_script(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "dev.sh").write_text("docker run -p 22:2222 --name dev sshd\n")
    _, out, _ = run(capsys, "lint", "--format", "json", "--select", "PS101")
    (found,) = json.loads(out)
    assert (found["path"], found["code"]) == ("dev.sh", "PS101")
    _, out, _ = run(capsys, "lint", "--format", "json", "--select", "PS101", "--per-file")
    assert json.loads(out) == []


def test_internal_errors_print_one_line_and_a_hint(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import portspec.lint.engine

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(portspec.lint.engine, "lint", boom)
    status, out, err = run(capsys, "lint")
    assert (status, out) == (EXIT_USAGE, "")
    assert err.splitlines() == [
        "portspec: internal error: RuntimeError: boom",
        "portspec: this is a bug; rerun with --debug for the traceback",
    ]
    with pytest.raises(RuntimeError):
        main(["--debug", "lint"])


def test_check_a_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "--", "-p", "5432:5432", "postgres")
    assert status == EXIT_FAULT
    assert out.startswith("<command line>:1:15: PS301 port 5432 (PostgreSQL)")
    status, out, _ = run(capsys, "check", "--", "docker", "run", "-p", "127.0.0.1:5432:5432", "pg")
    assert (status, out) == (EXIT_OK, "All checks passed.\n")
    status, out, _ = run(capsys, "check", "--", "-p", "99999:80", "x")
    assert status == EXIT_FAULT
    assert "PS001" in out


def test_rule_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rule", "PS305")
    assert status == EXIT_OK
    assert out.startswith("PS305 unquoted-port-mapping (warning, on by default")
    assert "      - 22:22" in out
    status, out, _ = run(capsys, "rule")
    assert len(out.splitlines()) >= 30
    assert run(capsys, "rule", "PS999")[0] == EXIT_USAGE
    assert json.loads(run(capsys, "rule", "ps301", "--format", "json")[1])["code"] == "PS301"


def test_convert_and_ports_through_the_app(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "convert", "--to", "compose", "--", "-p", "8080:80", "nginx")
    assert status == EXIT_OK
    assert "8080:80" in out
    status, out, _ = run(capsys, "ports", "compose.yaml")
    assert status == EXIT_OK
    assert "22" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_finding(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "compose.yaml").chmod(0)
    status, out, _ = run(capsys, "lint", "compose.yaml")
    assert status == EXIT_FAULT
    assert "PS000" in out
