"""Which files to lint: the paths named on the command line and the files found under folders.

A file named explicitly is always linted. Folders are walked without
following symlinked folders; a symlinked file found by the walk is linted
only when it resolves inside the folder walked (name it to lint it anyway).
The walk skips the built-in excludes (``.git``,
``node_modules``, ...), the configured ones and, unless told otherwise, what
``.gitignore`` files (at every level, as git reads them) and
``.git/info/exclude`` ignore. A file is kept when its name, or for YAML and
extensionless files its first 4 KiB, says what it is:

>>> classify(Path("deploy/compose.prod.yaml")), classify(Path("app.Dockerfile"))
('compose', 'dockerfile')
>>> classify(Path("run"), "#!/usr/bin/env bash\\nset -e\\n")
'shell'
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from portspec._files import inside, read_regular
from portspec.lint.units import Kind

__all__ = ["DEFAULT_EXCLUDE", "HEAD_SIZE", "Input", "Kind", "classify", "discover"]

_Keep = Callable[[str, Kind, str, "str | None"], None]

#: How much of a file is read to tell what it is.
HEAD_SIZE = 4096

#: Folders never walked into (gitignore patterns; ``exclude`` may negate them with ``!``).
DEFAULT_EXCLUDE: tuple[str, ...] = tuple(
    f"{name}/"
    for name in (
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "build",
        "dist",
        "site-packages",
        ".direnv",
        ".eggs",
        "*.egg-info",
    )
)

_SKIPPED = "not a compose file, script, Makefile, Dockerfile or Markdown"

_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:\.[^/]+)?\.ya?ml")
_MAKEFILE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile"})
_SHELL_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".ksh"})
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_YAML_SUFFIXES = frozenset({".yml", ".yaml"})
_SHELLS = frozenset({"sh", "bash", "zsh", "ksh", "dash"})

_SHEBANG = re.compile(r"#!\s*(?P<interpreter>\S+)(?P<args>[^\n]*)")
_SERVICES = re.compile(r"^services:[ \t]*(?:#.*)?\r?$", re.MULTILINE)
# Kubernetes (and kin: kustomize, skaffold, argo) manifests.
_MANIFEST = re.compile(r"^(?:apiVersion|kind):", re.MULTILINE)
_DOCKERFILE_START = re.compile(r"(?:FROM|ARG)\s", re.IGNORECASE)

# YAML files that have a top-level `services:` key (CI systems) or are
# well known to be something else; a compose file is never named so.
_NOT_COMPOSE_NAMES = frozenset(
    {
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
        ".pre-commit-config.yaml",
        ".pre-commit-config.yml",
        ".pre-commit-hooks.yaml",
        "mkdocs.yml",
        "mkdocs.yaml",
        ".travis.yml",
        ".drone.yml",
        ".woodpecker.yml",
        ".woodpecker.yaml",
        "azure-pipelines.yml",
        "azure-pipelines.yaml",
        "bitbucket-pipelines.yml",
        "appveyor.yml",
        ".appveyor.yml",
        "codecov.yml",
        ".codecov.yml",
        "action.yml",
        "action.yaml",
        "chart.yaml",
        "values.yaml",
        ".readthedocs.yml",
        ".readthedocs.yaml",
        "cloudbuild.yaml",
        "cloudbuild.yml",
        "buildspec.yml",
        "pnpm-lock.yaml",
        "pnpm-workspace.yaml",
    }
)
_NOT_COMPOSE_FOLDERS = frozenset({".github", ".gitlab", ".circleci", ".woodpecker", ".buildkite"})


@dataclass(frozen=True, slots=True)
class Input:
    """A file to lint: where it is (absolute), what it is, and how to name it to the user."""

    path: Path
    kind: Kind
    #: Relative to the working folder when inside it, else as the user gave it.
    display: str


def classify(path: Path, head: str | None = None) -> Kind | None:
    """What ``path`` is, by its name, then by ``head`` (its first 4 KiB) when given; None: not ours.

    >>> classify(Path(".github/workflows/ci.yml"), "services:\\n  db: {}\\n") is None
    True
    """
    kind = _by_name(path.name)
    if kind is not None or head is None or "\0" in head:
        return kind
    if _is_shell_script(head):
        return "shell"
    if path.suffix.lower() in _YAML_SUFFIXES and _looks_like_compose(path, head):
        return "compose"
    return None


def _by_name(name: str) -> Kind | None:
    lower = name.lower()
    suffix = os.path.splitext(lower)[1]
    if suffix in _MARKDOWN_SUFFIXES:
        return "markdown"
    if _COMPOSE_NAME.fullmatch(lower):
        return "compose"
    if lower in {"dockerfile", "containerfile"} or (
        lower.startswith(("dockerfile.", "containerfile.")) or lower.endswith(".dockerfile")
    ):
        # Dockerfile.dockerignore is the ignore file of a Dockerfile, not one.
        return None if suffix == ".dockerignore" else "dockerfile"
    if name in _MAKEFILE_NAMES or suffix == ".mk":
        return "makefile"
    if suffix in _SHELL_SUFFIXES:
        return "shell"
    return None


def _is_shell_script(head: str) -> bool:
    match = _SHEBANG.match(head)
    if match is None:
        return False
    interpreter = match["interpreter"].rpartition("/")[2]
    if interpreter == "env":
        # `#!/usr/bin/env bash`, `#!/usr/bin/env -S bash -e`: the first word that is no option.
        words = [word for word in match["args"].split() if not word.startswith("-")]
        interpreter = words[0] if words else ""
    return interpreter in _SHELLS


def _looks_like_compose(path: Path, head: str) -> bool:
    name = path.name.lower()
    if name in _NOT_COMPOSE_NAMES or name.endswith((".gitlab-ci.yml", ".gitlab-ci.yaml")):
        return False
    if not _NOT_COMPOSE_FOLDERS.isdisjoint(path.parts[:-1]):
        return False
    return _SERVICES.search(head) is not None and _MANIFEST.search(head) is None


def _read_head(path: str) -> str | None:
    """The first 4 KiB of a regular file as text, or None when it cannot be read."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(HEAD_SIZE)
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")


def _wants_head(name: str) -> bool:
    """YAML and extensionless files may be told apart only by their content."""
    suffix = os.path.splitext(name)[1].lower()
    return suffix == "" or suffix in _YAML_SUFFIXES


def _guess(path: Path, head: str | None) -> Kind | None:
    """The kind of an explicitly named file that its name and content do not settle."""
    if path.suffix.lower() in _YAML_SUFFIXES:
        return "compose"
    if head is not None:
        for line in head.splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                return "dockerfile" if _DOCKERFILE_START.match(stripped) else None
    return None


class _Patterns:
    """A gitignore pattern list, matched against ``/``-separated paths relative to its base.

    Without negations the patterns are folded into one regex: the walk asks
    about every file, and this is the hot spot.
    """

    __slots__ = ("regex", "spec")

    def __init__(self, lines: Sequence[str]) -> None:
        from pathspec import GitIgnoreSpec  # noqa: PLC0415 - only when a walk needs it

        try:
            self.spec = GitIgnoreSpec.from_lines(lines)
        except ValueError:
            # A line git cannot use (one ending in a lone backslash) matches
            # nothing in git; the others keep their meaning.
            self.spec = GitIgnoreSpec.from_lines([line for line in lines if _usable(line)])
        self.regex: re.Pattern[str] | None = None
        active = [pattern for pattern in self.spec.patterns if pattern.include is not None]
        if active and all(pattern.include for pattern in active):
            # Each pattern's regex names its groups alike: unname them to join them.
            sources: list[str] = []
            for pattern in active:
                source = getattr(getattr(pattern, "regex", None), "pattern", None)
                if not isinstance(source, str):
                    return  # not a regex pattern: leave it to pathspec
                sources.append(_NAMED_GROUP.sub("(?:", source))
            self.regex = re.compile("|".join(sources))

    def __bool__(self) -> bool:
        return any(pattern.include is not None for pattern in self.spec.patterns)

    def decide(self, relative: str) -> bool | None:
        """True: ignored; False: re-included by a negation; None: no pattern matches."""
        if self.regex is not None:
            return True if self.regex.search(relative) else None
        return self.spec.check_file(relative).include


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _usable(line: str) -> bool:
    """Whether one gitignore line is a pattern pathspec can read."""
    from pathspec import GitIgnoreSpec  # noqa: PLC0415 - only for a bad ignore file

    try:
        GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True


class _Ignores:
    """The ignore files in force in one folder, deepest last, each with its folder's prefix."""

    __slots__ = ("layers",)

    def __init__(self, layers: tuple[tuple[int, _Patterns], ...] = ()) -> None:
        self.layers = layers

    def with_file(self, base: str, file: str, notes: list[str]) -> _Ignores:
        """These plus the patterns of ``file``, which apply under ``base``."""
        try:
            text = read_regular(file).decode("utf-8", errors="replace")
            patterns = _Patterns(text.splitlines())
        except FileNotFoundError:
            return self
        except OSError as error:
            notes.append(f"could not read {file}: {error.strerror or error}")
            return self
        if not patterns:
            return self
        return _Ignores((*self.layers, (len(os.path.join(base, "")), patterns)))

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Git's answer: the deepest file with a matching pattern decides, its last match wins."""
        for prefix, patterns in reversed(self.layers):
            decision = patterns.decide(_posix(path[prefix:]) + ("/" if is_dir else ""))
            if decision is not None:
                return decision
        return False


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")


_inside = inside


def _repository_ignores(folder: str, notes: list[str]) -> _Ignores:
    """The ignore files above ``folder`` (not its own) up to the repository root, if any."""
    ancestors: list[str] = []
    current = folder
    while True:
        parent = os.path.dirname(current)
        if os.path.exists(os.path.join(current, ".git")):
            break
        if parent == current:
            return _Ignores()  # not in a repository: only the walked folders' files apply
        ancestors.append(parent)
        current = parent
    repository = current
    ignores = _Ignores().with_file(
        repository, os.path.join(repository, ".git", "info", "exclude"), notes
    )
    for ancestor in reversed(ancestors):
        ignores = ignores.with_file(ancestor, os.path.join(ancestor, ".gitignore"), notes)
    return ignores


def _display(given: Path, cwd: str) -> str:
    absolute = os.path.abspath(given)
    if _inside(absolute, cwd):
        return os.path.relpath(absolute, cwd)
    return str(given)


def discover(
    paths: Sequence[Path],
    *,
    exclude: Sequence[str] = (),
    extend_exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    root: Path | None = None,
) -> tuple[list[Input], list[str]]:
    """The files to lint under ``paths``, sorted and each once, and notes on what was skipped.

    ``exclude`` and ``extend_exclude`` add gitignore patterns to
    :data:`DEFAULT_EXCLUDE`, relative to ``root`` (the configuration's folder)
    for files under it, else to the folder walked. Raises FileNotFoundError
    for a path that does not exist.
    """
    for given in paths:
        if not os.path.exists(given):
            raise FileNotFoundError(errno.ENOENT, "no such file or directory", str(given))
    cwd = os.getcwd()
    # Files named one by one are linted whatever the excludes say: only a walk
    # needs the patterns (and pathspec).
    excludes: _Patterns | None = None
    root_text = None if root is None else os.path.abspath(root)
    found: dict[str, Input] = {}
    notes: list[str] = []

    def keep(absolute: str, kind: Kind, display: str, real: str | None = None) -> None:
        # One file under two names (a symlink and its target) is linted once.
        key = os.path.realpath(absolute) if real is None else real
        if key not in found:
            found[key] = Input(Path(absolute), kind, display)

    for given in paths:
        absolute = os.path.abspath(given)
        display = _display(given, cwd)
        if not os.path.isdir(absolute):
            regular = os.path.isfile(absolute)
            head = _read_head(absolute) if regular else None
            kind = classify(Path(absolute), head) or _guess(Path(absolute), head)
            if kind is None:
                notes.append(f"skipped {display}: {_SKIPPED}")
            else:
                keep(absolute, kind, display)
            continue
        if excludes is None:
            excludes = _Patterns([*DEFAULT_EXCLUDE, *exclude, *extend_exclude])
        base = root_text if root_text is not None and _inside(absolute, root_text) else absolute
        ignores = _repository_ignores(absolute, notes) if respect_gitignore else _Ignores()
        _walk(
            absolute,
            display,
            base=base,
            excludes=excludes,
            ignores=ignores,
            respect_gitignore=respect_gitignore,
            keep=keep,
            notes=notes,
        )

    inputs = sorted(found.values(), key=lambda item: item.path.parts)
    return inputs, notes


def _walk(
    top: str,
    top_display: str,
    *,
    base: str,
    excludes: _Patterns,
    ignores: _Ignores,
    respect_gitignore: bool,
    keep: _Keep,
    notes: list[str],
) -> None:
    """Walk ``top`` depth first, without following symlinked folders."""
    base_prefix = len(os.path.join(base, ""))
    top_prefix = len(os.path.join(top, ""))
    # No symlinked folder is entered below `top`, so only a file itself may be a link.
    real_top = os.path.join(os.path.realpath(top), "")
    stack = [(top, ignores)]
    while stack:
        folder, inherited = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            shown = _join_display(top_display, os.path.relpath(folder, top))
            notes.append(f"skipped {shown}: cannot read the folder ({error.strerror or error})")
            continue
        if respect_gitignore and any(entry.name == ".gitignore" for entry in entries):
            inherited = inherited.with_file(folder, os.path.join(folder, ".gitignore"), notes)
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if not is_dir and not is_file:
                continue  # a symlinked folder, a broken link, a socket...
            path = entry.path
            relative = _posix(path[base_prefix:]) + ("/" if is_dir else "")
            if excludes.decide(relative) or inherited.ignored(path, is_dir):
                continue
            if is_dir:
                stack.append((path, inherited))
                continue
            kind = _by_name(entry.name)
            if kind is None and _wants_head(entry.name):
                head = _read_head(path)
                kind = None if head is None else classify(Path(path), head)
            if kind is not None:
                below = path[top_prefix:]
                shown = _join_display(top_display, below)
                real = real_top + below
                if entry.is_symlink():
                    real = os.path.realpath(path)
                    if not _inside(real, real_top[:-1]):
                        notes.append(
                            f"skipped {shown}: a symlink to a file outside {top_display}"
                            " (name it to lint it)"
                        )
                        continue
                keep(path, kind, shown, real)


def _join_display(top_display: str, relative: str) -> str:
    if relative in ("", "."):
        return top_display
    return relative if top_display == "." else os.path.join(top_display, relative)
