"""The hooks of ``.pre-commit-hooks.yaml``, run by the real pre-commit as its users run them.

pre-commit pip-installs the hook from a git repository at a commit. The tests
commit the checkout's working tree (tracked and untracked files, less what
.gitignore leaves out) into a temporary repository, then, in small temporary
repositories of files to lint, run ``pre-commit try-repo`` against it (what a
hook author runs), and ``pre-commit run --all-files`` with a
``.pre-commit-config.yaml`` that uses it (what a user runs). ``try-repo``
builds the hook's environment afresh on every call, so it runs once. HOME
and PRE_COMMIT_HOME live under the session's temporary folder, so nothing
outside it is touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.paths import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")

# Kept when the rest of GIT_* goes: how to reach git and the network. The rest
# (GIT_DIR, GIT_INDEX_FILE, ... set when the tests run inside a git hook)
# would point the temporary repositories' git commands elsewhere.
_GIT_KEEP = ("GIT_EXEC_PATH", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_NO_VERIFY")

# Never walked into or copied: virtual environments and caches are large and
# none of the hook's business.
_NOT_COPIED = (
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
)

# A finding of its own (PS301), a clean file, and a script whose port the
# compose file already takes: PS101 shows only when both reach one process.
FINDINGS = {
    "compose.yaml": "services:\n  db:\n    image: postgres\n    ports: ['5432:5432']\n",
    "deploy/docker-compose.web.yml": (
        "services:\n  web:\n    image: nginx\n    ports: ['127.0.0.1:8080:80']\n"
    ),
    "scripts/web.sh": "#!/bin/sh\ndocker run -d -p 8080:80 httpd\n",
}

# Clean, and a GitHub Actions workflow whose service container would be PS301
# if it were read as a compose file: the hook's `files` must keep it out.
CLEAN = {
    "deploy/docker-compose.web.yml": FINDINGS["deploy/docker-compose.web.yml"],
    "Dockerfile": "FROM nginx\nEXPOSE 80\n",
    "README.md": "# app\n\n```sh\ndocker run -p 127.0.0.1:8081:80 nginx\n```\n",
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    services:\n      db:\n        image: postgres\n        ports: ['5432:5432']\n"
        "    steps:\n      - run: 'true'\n"
    ),
}


def _environment(home: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GIT_", "PRE_COMMIT")) or name in _GIT_KEEP
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        NO_COLOR="1",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="portspec tests",
        GIT_AUTHOR_EMAIL="tests@portspec.invalid",
        GIT_COMMITTER_NAME="portspec tests",
        GIT_COMMITTER_EMAIL="tests@portspec.invalid",
    )
    # On Actions portspec would pick the github format; the assertions want text.
    env.pop("GITHUB_ACTIONS", None)
    return env


def _run(command: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _commit_all(folder: Path, env: Mapping[str, str]) -> None:
    for command in (
        ["git", "init", "--quiet"],
        ["git", "add", "--all"],
        ["git", "commit", "--quiet", "--no-verify", "--message", "files"],
    ):
        done = _run(command, folder, env)
        assert done.returncode == 0, done.stderr


def _project_files() -> list[str]:
    """The checkout's files as its working tree has them, relative to ROOT."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        names = listed.stdout.decode().split("\0")
        # A tracked file deleted in the working tree is gone for the hook too.
        return [name for name in names if name and (ROOT / name).is_file()]
    # An unpacked sdist: no git, so copy what is there but the usual clutter.
    ignore = shutil.ignore_patterns(*_NOT_COPIED)
    files: list[str] = []
    for folder, subfolders, names in os.walk(ROOT):
        skipped = ignore(folder, subfolders)
        subfolders[:] = [name for name in subfolders if name not in skipped]
        files += [os.path.relpath(os.path.join(folder, name), ROOT) for name in names]
    return files


@pytest.fixture(scope="session")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One HOME and PRE_COMMIT_HOME for the session: the hook's environment is built once."""
    return _environment(tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str]) -> Path:
    """A git repository holding this checkout's working tree, committed."""
    repository = tmp_path_factory.mktemp("portspec")
    for name in _project_files():
        target = repository / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    _commit_all(repository, environment)
    return repository


def _run_hook(
    files: Mapping[str, str], folder: Path, hook_repository: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Commit ``files`` and a config that uses the hook, as a user would; run pre-commit."""
    head = _run(["git", "rev-parse", "HEAD"], hook_repository, environment).stdout.strip()
    config = f"repos:\n- repo: {hook_repository}\n  rev: {head}\n  hooks:\n  - id: portspec\n"
    for name, text in {**files, ".pre-commit-config.yaml": config}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _commit_all(folder, environment)
    return _run([str(PRE_COMMIT), "run", "--all-files", "--color", "never"], folder, environment)


def test_try_repo_reports_findings_across_files(
    tmp_path: Path, hook_repository: Path, environment: dict[str, str]
) -> None:
    head = _run(["git", "rev-parse", "HEAD"], hook_repository, environment).stdout.strip()
    for name, text in FINDINGS.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _commit_all(tmp_path, environment)
    command = [str(PRE_COMMIT), "try-repo", str(hook_repository), "portspec"]
    command += ["--ref", head, "--all-files", "--color", "never"]
    done = _run(command, tmp_path, environment)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "compose.yaml:4:13: PS301" in output
    # Found only when the compose file and the script are linted in one run.
    assert "scripts/web.sh:2:18: PS101" in output
    assert not any(line.startswith("deploy/") for line in output.splitlines())


def test_hook_passes_clean_files_and_skips_other_yaml(
    tmp_path: Path, hook_repository: Path, environment: dict[str, str]
) -> None:
    done = _run_hook(CLEAN, tmp_path, hook_repository, environment)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "portspec" in output
    assert "Passed" in output
