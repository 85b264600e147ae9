"""Finding the files to lint: classification by name and content, walking, ignoring, naming."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

import pytest

from portspec.lint import discover as discover_module
from portspec.lint.discover import Input, Kind, classify, discover

COMPOSE = "services:\n  web:\n    ports: ['8080:80']\n"

# (path, kind by name alone)
BY_NAME: list[tuple[str, Kind | None]] = [
    ("compose.yaml", "compose"),
    ("compose.yml", "compose"),
    ("compose.override.yaml", "compose"),
    ("deploy/compose.prod.yml", "compose"),
    ("docker-compose.yml", "compose"),
    ("docker-compose.yaml", "compose"),
    ("docker-compose.ci.test.yml", "compose"),
    ("Dockerfile", "dockerfile"),
    ("dockerfile", "dockerfile"),
    ("Dockerfile.dev", "dockerfile"),
    ("api.Dockerfile", "dockerfile"),
    ("api.dockerfile", "dockerfile"),
    ("Containerfile", "dockerfile"),
    ("Makefile", "makefile"),
    ("makefile", "makefile"),
    ("GNUmakefile", "makefile"),
    ("rules.mk", "makefile"),
    ("README.md", "markdown"),
    ("docs/guide.markdown", "markdown"),
    ("NOTES.MD", "markdown"),
    ("Dockerfile.md", "markdown"),
    ("run.sh", "shell"),
    ("run.bash", "shell"),
    ("run.zsh", "shell"),
    ("run.ksh", "shell"),
    # negative cases
    ("compose.json", None),
    ("compose.yaml.orig", None),
    ("my-compose.yaml", None),
    ("Dockerfile.dockerignore", None),
    (".dockerignore", None),
    ("MAKEFILE", None),
    ("Makefile.am", None),
    ("script.py", None),
    ("run", None),
    ("values.yaml", None),
    ("notes.txt", None),
]


@pytest.mark.parametrize(("name", "expected"), BY_NAME)
def test_classify_by_name(name: str, expected: Kind | None) -> None:
    assert classify(Path(name)) == expected


# (path, head, kind)
BY_CONTENT: list[tuple[str, str, Kind | None]] = [
    ("stack.yml", COMPOSE, "compose"),
    ("deploy/app.yaml", "# the app\nname: app\nservices:   # all of them\n  web: {}\n", "compose"),
    ("app.yaml", "services:\r\n  web: {}\r\n", "compose"),
    ("run", "#!/bin/sh\necho hi\n", "shell"),
    ("run", "#!/bin/bash -eu\n", "shell"),
    ("run", "#! /usr/bin/env bash\n", "shell"),
    ("run", "#!/usr/bin/env -S zsh -f\n", "shell"),
    ("tools/deploy", "#!/bin/dash\n", "shell"),
    ("run", "#!/usr/local/bin/ksh\n", "shell"),
    ("compose.yaml", "", "compose"),  # the name settles it
    # negative cases
    ("run", "#!/usr/bin/env python3\n", None),
    ("run", "#!/usr/bin/bashful\n", None),
    ("run", "echo no shebang\n#!/bin/sh\n", None),
    ("app.yaml", "name: app\n", None),
    ("app.yaml", "x:\n  services:\n    web: {}\n", None),
    ("app.yaml", "services: [a, b]\n", None),
    ("app.txt", COMPOSE, None),
    ("k8s/svc.yaml", "apiVersion: v1\nkind: Service\nservices:\n", None),
    (".github/workflows/ci.yml", "on: push\nservices:\n  db: {}\n", None),
    (".gitlab-ci.yml", "image: alpine\nservices:\n  - docker:dind\n", None),
    ("ci/build.gitlab-ci.yml", "services:\n  - docker:dind\n", None),
    (".pre-commit-config.yaml", "services:\n", None),
    ("mkdocs.yml", "services:\n", None),
    (".drone.yml", "services:\n", None),
    (".circleci/config.yml", "services:\n", None),
    ("blob.yaml", "services:\n\0\0\0", None),
]


@pytest.mark.parametrize(("name", "head", "expected"), BY_CONTENT)
def test_classify_by_content(name: str, head: str, expected: Kind | None) -> None:
    assert classify(Path(name), head) == expected


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _found(root: Path, *, chdir: pytest.MonkeyPatch, **options: object) -> list[str]:
    chdir.chdir(root)
    inputs, _ = discover([Path(".")], **options)  # type: ignore[arg-type]
    return [item.display for item in inputs]


MIXED = {
    "compose.yaml": COMPOSE,
    "Dockerfile": "FROM alpine\n",
    "Makefile": "all:\n",
    "README.md": "# x\n",
    "scripts/up.sh": "docker run -p 80:80 x\n",
    "scripts/up": "#!/bin/bash\n",
    "scripts/tool.py": "#!/bin/bash\n",  # only YAML and extensionless files are read
    "deploy/stack.yml": COMPOSE,
    "deploy/values.yml": "replicas: 2\n",
    "notes.txt": "services:\n",
    ".github/workflows/ci.yml": "services:\n",
}


def test_walk_finds_each_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, MIXED)
    monkeypatch.chdir(tmp_path)
    inputs, notes = discover([Path(".")])
    assert [(item.display, item.kind) for item in inputs] == [
        ("Dockerfile", "dockerfile"),
        ("Makefile", "makefile"),
        ("README.md", "markdown"),
        ("compose.yaml", "compose"),
        (os.path.join("deploy", "stack.yml"), "compose"),
        (os.path.join("scripts", "up"), "shell"),
        (os.path.join("scripts", "up.sh"), "shell"),
    ]
    assert notes == []
    assert all(item.path.is_absolute() and item.path.is_file() for item in inputs)


DEFAULT_EXCLUDED = [
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules/pkg",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "dist",
    "lib/site-packages",
    ".direnv",
    ".eggs",
    "portspec.egg-info",
    "deep/inside/node_modules",
]


@pytest.mark.parametrize("folder", DEFAULT_EXCLUDED)
def test_default_excludes(folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {f"{folder}/compose.yaml": COMPOSE, "keep/compose.yaml": COMPOSE})
    assert _found(tmp_path, chdir=monkeypatch) == [os.path.join("keep", "compose.yaml")]


def test_default_exclude_is_folders_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"build.sh": "echo\n", "dist.mk": "x:\n"})
    assert _found(tmp_path, chdir=monkeypatch) == ["build.sh", "dist.mk"]


GITIGNORE_TREE = {
    ".gitignore": "*.generated.yaml\n/top-only/\nlogs/\n!keep.generated.yaml\n",
    "a.generated.yaml": COMPOSE,
    "keep.generated.yaml": COMPOSE,
    "top-only/compose.yaml": COMPOSE,
    "sub/top-only/compose.yaml": COMPOSE,
    "sub/logs/compose.yaml": COMPOSE,
    "logs": "#!/bin/sh\n",  # `logs/` ignores folders only
    "sub/.gitignore": "compose.*.yaml\n!compose.keep.yaml\n**/deep/*.sh\n",
    "sub/compose.prod.yaml": COMPOSE,
    "sub/compose.keep.yaml": COMPOSE,
    "sub/x/deep/run.sh": "",
    "sub/deep/run.sh": "",
    "compose.prod.yaml": COMPOSE,  # sub/.gitignore does not reach up here
    "sub/inner/.gitignore": "!compose.prod.yaml\n",
    "sub/inner/compose.prod.yaml": COMPOSE,  # the deeper file re-includes it
}


def test_gitignore_nested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, GITIGNORE_TREE)
    assert _found(tmp_path, chdir=monkeypatch) == [
        "compose.prod.yaml",
        "keep.generated.yaml",
        "logs",
        os.path.join("sub", "compose.keep.yaml"),
        os.path.join("sub", "inner", "compose.prod.yaml"),
        os.path.join("sub", "top-only", "compose.yaml"),
    ]


def test_gitignore_not_respected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, GITIGNORE_TREE)
    found = _found(tmp_path, chdir=monkeypatch, respect_gitignore=False)
    assert "a.generated.yaml" in found
    assert os.path.join("sub", "logs", "compose.yaml") in found
    assert len(found) == 12


def test_ignored_folder_cannot_be_reincluded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in git: a file inside an ignored folder stays ignored whatever a negation says.
    _tree(tmp_path, {".gitignore": "gen/\n!gen/compose.yaml\n", "gen/compose.yaml": COMPOSE})
    assert _found(tmp_path, chdir=monkeypatch) == []


def test_gitignore_above_walked_folder_in_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(
        tmp_path,
        {
            ".git/info/exclude": "*.local.yaml\n",
            ".gitignore": "sub/gen/\n",
            "sub/gen/compose.yaml": COMPOSE,
            "sub/compose.yaml": COMPOSE,
            "sub/compose.local.yaml": COMPOSE,
        },
    )
    monkeypatch.chdir(tmp_path)
    inputs, _ = discover([Path("sub")])
    assert [item.display for item in inputs] == [os.path.join("sub", "compose.yaml")]


def test_gitignore_above_repository_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(
        tmp_path,
        {".gitignore": "compose.yaml\n", "repo/.git/HEAD": "", "repo/compose.yaml": COMPOSE},
    )
    assert _found(tmp_path / "repo", chdir=monkeypatch) == ["compose.yaml"]


EXCLUDES: list[tuple[str, dict[str, object], list[str]]] = [
    ("exclude name", {"exclude": ["stack.yml"]}, ["compose.yaml", "docs/compose.yaml"]),
    ("extend-exclude folder", {"extend_exclude": ["docs/"]}, ["compose.yaml"]),
    ("anchored to root", {"exclude": ["/compose.yaml"]}, ["docs/compose.yaml", "docs/stack.yml"]),
    ("double star", {"exclude": ["**/docs/*.yaml"]}, ["compose.yaml", "docs/stack.yml"]),
    (
        "negated default",
        {"exclude": ["!build/"]},
        ["build/compose.yaml", "compose.yaml", "docs/compose.yaml", "docs/stack.yml"],
    ),
]


@pytest.mark.parametrize(
    ("options", "expected"), [case[1:] for case in EXCLUDES], ids=[case[0] for case in EXCLUDES]
)
def test_excludes(
    options: dict[str, object], expected: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(
        tmp_path,
        {
            "compose.yaml": COMPOSE,
            "docs/compose.yaml": COMPOSE,
            "docs/stack.yml": COMPOSE,
            "build/compose.yaml": COMPOSE,
        },
    )
    found = _found(tmp_path, chdir=monkeypatch, **options)
    assert found == [os.path.normpath(name) for name in expected]


def test_exclude_relative_to_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"app/docs/compose.yaml": COMPOSE, "app/compose.yaml": COMPOSE})
    monkeypatch.chdir(tmp_path)
    inputs, _ = discover([Path("app")], exclude=["/app/docs/"], root=tmp_path)
    assert [item.display for item in inputs] == [os.path.join("app", "compose.yaml")]


def test_explicit_ignored_file_is_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(
        tmp_path,
        {
            ".gitignore": "gen/\n",
            "gen/compose.yaml": COMPOSE,
            "node_modules/x/Dockerfile": "FROM a\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    inputs, notes = discover(
        [Path("gen/compose.yaml"), Path("node_modules/x/Dockerfile")], exclude=["*.yaml"]
    )
    assert [(item.display, item.kind) for item in inputs] == [
        (os.path.join("gen", "compose.yaml"), "compose"),
        (os.path.join("node_modules", "x", "Dockerfile"), "dockerfile"),
    ]
    assert notes == []


# (file name, text, kind guessed or None for a note)
EXPLICIT: list[tuple[str, str, Kind | None]] = [
    ("ci.yml", "image: alpine\n", "compose"),
    (".gitlab-ci.yml", "services:\n", "compose"),
    ("build.docker", "# syntax=docker/dockerfile:1\nFROM alpine\n", "dockerfile"),
    ("run.txt", "#!/bin/sh\n", "shell"),
    ("notes.txt", "hello\n", None),
    ("data.bin", "\0\0\0", None),
]


@pytest.mark.parametrize(("name", "text", "expected"), EXPLICIT)
def test_explicit_unknown_kind(
    name: str, text: str, expected: Kind | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, {name: text})
    monkeypatch.chdir(tmp_path)
    inputs, notes = discover([Path(name)])
    if expected is None:
        assert inputs == []
        assert notes == [
            f"skipped {name}: not a compose file, script, Makefile, Dockerfile or Markdown"
        ]
    else:
        assert [item.kind for item in inputs] == [expected]
        assert notes == []


def test_symlink_loop_does_not_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"a/compose.yaml": COMPOSE, "real/Makefile": "x:\n"})
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "link.mk").symlink_to(tmp_path / "real" / "Makefile")
    (tmp_path / "broken.sh").symlink_to(tmp_path / "missing.sh")
    found = _found(tmp_path, chdir=monkeypatch)
    # link.mk and real/Makefile are one file: it is linted once, under its first name.
    assert found == [os.path.join("a", "compose.yaml"), "link.mk"]


def test_explicit_symlinked_folder_is_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, {"real/compose.yaml": COMPOSE})
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    inputs, _ = discover([Path("alias")])
    assert [item.display for item in inputs] == [os.path.join("alias", "compose.yaml")]


@pytest.mark.parametrize("missing", ["nope", "nope/compose.yaml", "dangling"])
def test_missing_path_raises(missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"compose.yaml": COMPOSE})
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        discover([Path("compose.yaml"), Path(missing)])
    assert info.value.filename == missing


def test_sorted_and_deduplicated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"b/compose.yaml": COMPOSE, "a/Dockerfile": "FROM x\n", "a/z.sh": ""})
    monkeypatch.chdir(tmp_path)
    inputs, _ = discover(
        [Path("b/compose.yaml"), Path("."), Path("./b/compose.yaml"), Path("b"), Path("a/z.sh")]
    )
    assert [item.display for item in inputs] == [
        os.path.join("a", "Dockerfile"),
        os.path.join("a", "z.sh"),
        os.path.join("b", "compose.yaml"),
    ]


def test_display_outside_cwd_is_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"project/compose.yaml": COMPOSE, "work/x": ""})
    monkeypatch.chdir(tmp_path / "work")
    inputs, _ = discover([Path("../project")])
    assert inputs == [
        Input(
            tmp_path / "project" / "compose.yaml",
            "compose",
            os.path.join("..", "project", "compose.yaml"),
        )
    ]
    absolute, _ = discover([tmp_path / "project"])
    assert [item.display for item in absolute] == [str(tmp_path / "project" / "compose.yaml")]


def test_display_inside_cwd_is_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"project/compose.yaml": COMPOSE})
    monkeypatch.chdir(tmp_path)
    inputs, _ = discover([tmp_path / "project" / "compose.yaml"])
    assert [item.display for item in inputs] == [os.path.join("project", "compose.yaml")]


def test_unreadable_folder_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, {"ok/compose.yaml": COMPOSE, "locked/compose.yaml": COMPOSE})
    real_scandir = os.scandir
    locked = str(tmp_path / "locked")

    def scandir(path: str) -> object:
        if path == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    inputs, notes = discover([Path(".")])
    assert [item.display for item in inputs] == [os.path.join("ok", "compose.yaml")]
    assert notes == ["skipped locked: cannot read the folder (Permission denied)"]


def test_reads_only_the_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("x: 1\n" * 10_000 + "services:\n", encoding="utf-8")
    sizes: list[int] = []

    class Spy:
        def __init__(self, path: str, mode: str = "r", **options: Any) -> None:
            self.stream: IO[Any] = open(path, mode, **options)  # noqa: SIM115 - closed in __exit__

        def __enter__(self) -> Spy:
            return self

        def __exit__(self, *args: object) -> None:
            self.stream.close()

        def read(self, size: int = -1) -> str | bytes:
            sizes.append(size)
            data: str | bytes = self.stream.read(size)
            return data

    monkeypatch.setattr(discover_module, "open", Spy, raising=False)
    assert _found(tmp_path, chdir=monkeypatch) == []
    assert sizes == [4096]
