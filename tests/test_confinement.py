"""Files a compose file names are read only inside its project folder, once, and only if regular.

A pull request can name ``/proc/self/environ`` (the CI runner's secrets),
``../../etc/passwd`` or ``/dev/zero`` in ``extends.file``, ``include`` or
``env_file``, or make ``.env`` a symlink to them: the linter names the path
and quotes nothing of the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portspec import ComposeError, load_compose
from portspec._files import Outside, Reader
from portspec.cli import EXIT_FAULT, EXIT_OK, main
from portspec.lint.discover import discover
from portspec.sources.compose import iter_compose_problems

FORMATS = ("text", "json", "sarif", "github")
SECRET = "s3cr3t-token-value"
BASE = "services:\n  base:\n    image: postgres\n    ports: ['5432:5432']\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder (a repository of its own) and, beside it, a file outside it."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".git").mkdir()
    (tmp_path / "outside.yaml").write_text(BASE + f"x-secret: {SECRET}\n")
    monkeypatch.chdir(folder)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def extends(file: str) -> str:
    return f"services:\n  web:\n    image: x\n    extends: {{file: {file!r}, service: base}}\n"


HOSTILE = ["/proc/self/environ", "../../../../../../../etc/passwd", "/dev/zero", "../outside.yaml"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("target", HOSTILE)
def test_extends_outside_is_named_and_not_read(
    project: Path, capsys: pytest.CaptureFixture[str], target: str, fmt: str
) -> None:
    (project / "compose.yaml").write_text(extends(target))
    status, out, err = run(capsys, "lint", "--format", fmt)
    assert status == EXIT_FAULT
    if fmt == "sarif":  # what was found, without the rule descriptions
        out = json.dumps(json.loads(out)["runs"][0]["results"])
    assert "is outside the project folder: not read" in out
    assert target in out.replace("\\/", "/")
    assert "root:" not in out
    assert SECRET not in out
    assert "PS008" not in out
    assert err == ""


def test_the_runner_environment_is_never_printed(project: Path) -> None:
    """As in CI: the secret is in the environment the process started with."""
    (project / "compose.yaml").write_text(extends("/proc/self/environ"))
    for fmt in FORMATS:
        done = subprocess.run(
            [sys.executable, "-m", "portspec", "lint", "--format", fmt],
            capture_output=True,
            text=True,
            env={**os.environ, "CI_TOKEN": SECRET, "GITHUB_ACTIONS": ""},
            timeout=60,
            check=False,
        )
        assert done.returncode == EXIT_FAULT, done.stderr
        assert SECRET not in done.stdout + done.stderr
        assert "CI_TOKEN" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "body",
    [
        "include: ['../outside.yaml']\nservices: {}\n",
        "include: [{path: compose.inc.yaml, env_file: ../outside.env}]\nservices: {}\n",
    ],
    ids=["include", "include-env-file"],
)
def test_include_outside_is_named_and_not_read(
    project: Path, capsys: pytest.CaptureFixture[str], body: str
) -> None:
    (project.parent / "outside.env").write_text(f"TOKEN={SECRET}\n")
    (project / "compose.inc.yaml").write_text("services:\n  inc:\n    image: x\n")
    (project / "compose.yaml").write_text(body)
    status, out, _ = run(capsys, "lint")
    assert status == EXIT_FAULT
    assert "is outside the project folder: not read" in out
    assert SECRET not in out


@pytest.mark.parametrize("target", ["/proc/self/environ", "../outside.yaml", "/etc/passwd"])
def test_dotenv_symlink_outside_is_not_read(
    project: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    (project / "compose.yaml").write_text("services:\n  web:\n    image: x\n")
    (project / ".env").symlink_to(target)
    status, out, _ = run(capsys, "lint")
    assert status == EXIT_FAULT
    assert "compose.yaml:1:1: PS000 .env" in out
    assert "is outside the project folder: not read" in out
    assert SECRET not in out
    assert "root:" not in out


def test_allow_outside_reads_as_compose_does(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(extends("../outside.yaml"))
    status, out, _ = run(capsys, "lint", "--allow-outside")
    assert status == EXIT_FAULT
    assert "PS301" in out  # the base's 5432 reached the service
    assert "outside the project folder" not in out


def test_allow_outside_as_a_config_key(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "compose.yaml").write_text(extends("../outside.yaml"))
    (project / "pyproject.toml").write_text("[tool.portspec]\nallow-outside = true\n")
    _, out, _ = run(capsys, "lint")
    assert "PS301" in out
    assert "outside the project folder" not in out


def test_project_directory_widens_the_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(extends("../outside.yaml"))
    _, out, _ = run(capsys, "lint", "--project-directory", "..")
    assert "PS301" in out
    assert "outside the project folder" not in out


def test_a_file_inside_is_read(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "common").mkdir()
    (project / "common" / "base.yaml").write_text(BASE)
    (project / "compose.yaml").write_text(extends("common/base.yaml"))
    _, out, _ = run(capsys, "lint")
    assert "PS301" in out
    assert "outside" not in out


def test_a_fifo_inside_is_not_waited_on(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(project / "base.yaml")
    (project / "compose.yaml").write_text(extends("base.yaml"))
    status, out, _ = run(capsys, "lint")
    assert status == EXIT_FAULT
    assert "PS000 cannot read extends.file 'base.yaml': not a regular file" in out


def test_a_file_over_the_size_cap_is_not_read(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "base.yaml").write_text(BASE + "#" * 2000 + "\n")
    (project / "compose.yaml").write_text(extends("base.yaml"))
    (project / "pyproject.toml").write_text("[tool.portspec]\nmax-file-size = 1000\n")
    _, out, _ = run(capsys, "lint")
    assert "PS000 cannot read extends.file 'base.yaml': larger than 1000 bytes" in out


def test_each_file_is_opened_once(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader reads the text the findings (and fixes) point into, not a second copy."""
    (project / "base.yaml").write_text(BASE)
    (project / "compose.yaml").write_text(extends("base.yaml") + "    ports: [22:22]\n")
    opened: list[str] = []
    real = os.open

    def spy(path: str, *args: int, **kwargs: int) -> int:
        opened.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    run(capsys, "lint", "--fix", "--select", "PS305")
    # compose.yaml: read, then read and written by the fix; base.yaml once.
    assert opened.count("base.yaml") == 1
    assert opened.count("compose.yaml") == 2


def test_sarif_names_an_outside_file_relative_to_the_root(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(extends("../outside.yaml"))
    (project.parent / "outside.yaml").write_text("services:\n  base:\n    ports: ['x']\n")
    _, out, _ = run(capsys, "lint", "--allow-outside", "--format", "sarif")
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in json.loads(out)["runs"][0]["results"]
        for location in result["locations"]
    }
    assert "../outside.yaml" in uris
    assert not any(uri.startswith("file:") for uri in uris)


# ------------------------------------------------------------------ the walk


def test_a_symlink_found_by_walking_that_leaves_the_folder_is_skipped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").symlink_to(project.parent / "outside.yaml")
    inputs, notes = discover([Path(".")])
    assert inputs == []
    assert notes == ["skipped compose.yaml: a symlink to a file outside . (name it to lint it)"]
    status, out, err = run(capsys, "lint", "--fix", "--select", "PS305")
    assert (status, out) == (EXIT_OK, "All checks passed.\n")
    # Named, it is linted, and still not fixed through.
    (project.parent / "outside.yaml").write_text("services:\n  db:\n    ports: [22:22]\n")
    _, out, err = run(capsys, "lint", "--fix", "--select", "PS305", "compose.yaml")
    assert "PS305" in out
    assert "compose.yaml not fixed: it is a symlink to a file outside" in err
    assert "22:22]" in (project.parent / "outside.yaml").read_text()


def test_a_symlink_inside_the_folder_is_linted_once(project: Path) -> None:
    (project / "real").mkdir()
    (project / "real" / "compose.yaml").write_text(BASE)
    (project / "compose.yaml").symlink_to(project / "real" / "compose.yaml")
    inputs, notes = discover([Path(".")])
    assert [i.display for i in inputs] == ["compose.yaml"]
    assert notes == []


# ------------------------------------------------------------------ the library


def test_load_compose_reads_as_compose_does_unless_confined(project: Path) -> None:
    (project / "compose.yaml").write_text(extends("../outside.yaml"))
    project_value = load_compose(project / "compose.yaml")
    assert [str(m) for m in project_value.services["web"].publish] == ["5432:5432"]
    with pytest.raises(ComposeError, match="is outside the project folder: not read") as caught:
        load_compose(project / "compose.yaml", allow_outside=False)
    assert SECRET not in str(caught.value)
    load_compose(project / "compose.yaml", allow_outside=False, project_directory=project.parent)


def test_load_compose_never_reads_a_device(project: Path) -> None:
    (project / "compose.yaml").write_text(extends("/dev/zero"))
    with pytest.raises(ComposeError, match="'/dev/zero': not a regular file"):
        load_compose(project / "compose.yaml")


def test_iter_compose_problems_confined(project: Path) -> None:
    (project / "compose.yaml").write_text(extends("/etc/passwd"))
    messages = [
        p.message for p in iter_compose_problems(project / "compose.yaml", allow_outside=False)
    ]
    assert messages == ["extends.file '/etc/passwd' is outside the project folder: not read"]


@pytest.mark.parametrize(
    ("keyword", "value", "message"),
    [
        ("allow_outside", "no", "allow_outside must be a bool, not str"),
        ("max_file_size", 1.5, "max_file_size must be an int, not float"),
        ("project_directory", 3, "project_directory must be a str or a Path, not int"),
    ],
)
def test_wrong_keyword_types_name_the_argument(keyword: str, value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        load_compose("services: {}\n", **{keyword: value})  # type: ignore[arg-type]


def test_reader_refuses_before_opening(tmp_path: Path) -> None:
    reader = Reader(tmp_path)
    with pytest.raises(Outside):
        reader.read("/proc/self/environ", named=True)
    (tmp_path / "link").symlink_to("/etc/passwd")
    with pytest.raises(Outside):
        reader.read(tmp_path / "link", named=True)
    assert reader.cached("/etc/passwd") is None


def test_a_dotenv_fifo_is_not_waited_on(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "compose.yaml").write_text("services:\n  web:\n    image: x\n")
    os.mkfifo(project / ".env")
    status, out, _ = run(capsys, "lint")
    assert status == EXIT_FAULT
    assert "compose.yaml:1:1: PS000 cannot read .env '.env': not a regular file" in out
