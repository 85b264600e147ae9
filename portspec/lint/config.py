"""The linter's settings: which rules run where, read from ``.portspec.toml`` or ``pyproject.toml``.

Selection follows ruff. ``select`` (or, when unset, the default set of rules)
is extended by ``extend-select`` and trimmed by ``ignore``; when a selector
and an ignore both match a rule, the longer one wins (``PS301`` beats
``PS3``, ``PS3`` beats ``PS``, any prefix beats ``ALL``) and on a tie the
ignore wins. ``per-file-ignores`` then turn rules off for matching files.

>>> config = Config(select=("PS3",), ignore=("PS30",), extend_select=("PS301",))
>>> config.enabled("PS301", default=True), config.enabled("PS302", default=True)
(True, False)
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from portspec.lint.diagnostic import Severity

__all__ = [
    "CONFIG_NAME",
    "Config",
    "ConfigError",
    "find_config",
    "load_config",
    "merge_cli",
    "parse_docker_version",
]

#: The dedicated configuration file; it wins over ``pyproject.toml`` in the same folder.
CONFIG_NAME = ".portspec.toml"
_PYPROJECT = "pyproject.toml"

_SELECTOR = re.compile(r"ALL|PS[0-9]{0,3}")
_DOCKER_VERSION = re.compile(
    r"v?(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+)(?:\.[0-9]+)?)?(?:[-+~].*)?"
)
_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")


class ConfigError(Exception):
    """A configuration file (or option) that cannot be used; the message names file and key.

    >>> str(ConfigError("expected true or false", path=Path("x.toml"), key="quote-all-ports"))
    'x.toml: quote-all-ports: expected true or false'
    """

    def __init__(self, message: str, *, path: Path | str | None = None, key: str | None = None):
        self.message = message
        self.path = path
        self.key = key
        prefix = "".join(f"{part}: " for part in (path, key) if part is not None)
        super().__init__(prefix + message)


@dataclass(frozen=True, slots=True)
class Config:
    """Resolved linter settings; the defaults are what runs without any configuration file."""

    #: None: the default set (every rule whose ``default`` is True).
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: (glob, selectors) pairs; a glob starting with ``!`` applies to files it does *not* match.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: Severity = Severity.WARNING
    #: The target Docker Engine as (major, minor); None: the latest.
    docker_version: tuple[int, int] | None = None
    #: gitignore-style patterns excluded on top of the built-in ones.
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    ephemeral_ports: tuple[int, int] = (32768, 60999)
    #: None: the built-in list.
    sensitive_ports: tuple[int, ...] | None = None
    #: PS303 fires on a mapping publishing more ports than this.
    large_range: int = 100
    #: PS305: every short port mapping must be quoted, not only the risky ones.
    quote_all_ports: bool = False
    #: The code blocks of every Markdown page run one after another, as one script.
    markdown_one_session: bool = False
    #: Compose profiles enabled, as ``--profile`` (``*``: all); None: every single choice.
    profiles: tuple[str, ...] | None = None
    #: Read files a compose file names outside its project folder (``extends``, ``include``...).
    allow_outside: bool = False
    #: The most bytes read from any one file.
    max_file_size: int = 32 * 1024 * 1024
    #: The folder the per-file-ignores globs are relative to (the config file's folder).
    root: Path | None = None
    #: The file the settings came from.
    source: Path | None = None

    def enabled(self, code: str, *, default: bool, path: str | None = None) -> bool:
        """Whether rule ``code`` (on by default or not) runs, on ``path`` if given.

        >>> everything = Config(select=("ALL",))
        >>> Config().enabled("PS999", default=False), everything.enabled("PS999", default=False)
        (False, True)
        """
        selected = _best(self.extend_select, code)
        if self.select is None:
            if default:
                selected = max(selected, 0)
        else:
            selected = max(selected, _best(self.select, code))
        if selected < 0 or _best(self.ignore, code) >= selected:
            return False
        return path is None or not self.ignored_in(code, path)

    def ignored_in(self, code: str, path: str) -> bool:
        """Whether a per-file-ignores entry turns ``code`` off for ``path``."""
        if not self.per_file_ignores:
            return False
        relative, name = _relative(path, self.root)
        for pattern, selectors in self.per_file_ignores:
            if _best(selectors, code) < 0:
                continue
            negated = pattern.startswith("!")
            regex = _glob(pattern[1:] if negated else pattern)
            matched = bool(regex.fullmatch(relative) or regex.fullmatch(name))
            if matched != negated:
                return True
        return False


def _best(selectors: Sequence[str], code: str) -> int:
    """The specificity of the most specific selector matching ``code``, or -1.

    ``ALL`` counts 0 (like the default set), a prefix its length.
    """
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


def _relative(path: str, root: Path | None) -> tuple[str, str]:
    """``path`` in ``/`` form, relative to ``root`` (absolute when outside it); and its name.

    Without a root the path is taken as given, relative to the working folder.
    """
    text = os.path.normpath(path)
    if root is not None:
        text = os.path.abspath(text)
        folder = os.path.join(os.path.abspath(root), "")
        if text.startswith(folder):
            text = text[len(folder) :]
    text = text.replace(os.sep, "/")
    return text, text.rpartition("/")[2]


@functools.cache
def _glob(pattern: str) -> re.Pattern[str]:
    """A glob as a regex: ``*`` and ``?`` stay within a folder, ``**`` crosses folders.

    >>> bool(_glob("tests/**/*.yaml").fullmatch("tests/a/b/c.yaml"))
    True
    """
    pattern = pattern.replace(os.sep, "/").removeprefix("./")
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body}]")
            i = end + 1
            continue
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def parse_docker_version(text: str) -> tuple[int, int]:
    """A Docker Engine version as (major, minor); the patch level and suffixes are dropped.

    >>> parse_docker_version("28"), parse_docker_version("29.0.1"), parse_docker_version("v20.10")
    ((28, 0), (29, 0), (20, 10))
    """
    match = _DOCKER_VERSION.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"invalid Docker version {text!r}: expected MAJOR, MAJOR.MINOR or "
            "MAJOR.MINOR.PATCH, as in '28', '28.2' or '29.0.1'"
        )
    return int(match["major"]), int(match["minor"] or 0)


def _has_table(data: Mapping[str, Any]) -> bool:
    tool = data.get("tool")
    return isinstance(tool, dict) and "portspec" in tool


def find_config(start: Path) -> Path | None:
    """The configuration for ``start`` (a file or folder): the nearest one walking up.

    In each folder ``.portspec.toml`` comes first, then a ``pyproject.toml``
    with a ``[tool.portspec]`` table (one without it is passed over). The walk
    stops after the folder holding ``.git``, or at the filesystem root.
    """
    folder = Path(os.path.abspath(start))
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        dedicated = candidate / CONFIG_NAME
        if dedicated.is_file():
            return dedicated
        pyproject = candidate / _PYPROJECT
        if pyproject.is_file() and _has_table(_read_toml(pyproject)):
            return pyproject
        if (candidate / ".git").exists():
            return None
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read it: {error.strerror or error}", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path=path) from None
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415 - only when there is a configuration file
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # noqa: PLC0415
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_POSITION.search(message)
        if where is None:
            raise ConfigError(f"invalid TOML: {message}", path=path) from None
        reason = message[: where.start()]
        raise ConfigError(
            f"invalid TOML: {reason}", path=f"{path}:{where['line']}:{where['column']}"
        ) from None


def load_config(path: Path) -> Config:
    """Read one configuration file: ``pyproject.toml`` (its ``[tool.portspec]``) or any other TOML.

    Raises ConfigError for unreadable or invalid TOML, an unknown key (with
    the closest known one suggested) or a value of the wrong type.
    """
    data = _read_toml(path)
    if path.name == _PYPROJECT:
        if not _has_table(data):
            raise ConfigError("no [tool.portspec] table", path=path)
        table = data["tool"]["portspec"]
        if not isinstance(table, dict):
            raise ConfigError("expected a table", path=path, key="tool.portspec")
    else:
        table = data
    values: dict[str, Any] = {}
    for key, value in table.items():
        reader = _READERS.get(key)
        if reader is None:
            import difflib  # noqa: PLC0415 - only for a typo's hint

            close = difflib.get_close_matches(key, _READERS, n=1, cutoff=0.6)
            if not close:
                close = difflib.get_close_matches(key.replace("_", "-"), _READERS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"unknown key{hint}", path=path, key=key)
        try:
            values[key.replace("-", "_")] = reader(value)
        except ValueError as error:
            raise ConfigError(str(error), path=path, key=key) from None
    return Config(**values, root=Path(os.path.abspath(path.parent)), source=path)


# Each reader checks one key's TOML value and raises ValueError saying what it expected.


def _describe(value: object) -> str:
    kind = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    return f"{kind} ({value!r})" if not isinstance(value, (list, dict)) else kind


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected an array of {what}, got {_describe(value)}")
    return tuple(value)


def _selectors(value: object) -> tuple[str, ...]:
    selectors = _strings(value, "rule codes or prefixes")
    for selector in selectors:
        _check_selector(selector)
    return selectors


def _check_selector(selector: str) -> None:
    if _SELECTOR.fullmatch(selector) is None:
        hint = (
            f" (write it in upper case: {selector.upper()!r})"
            if _SELECTOR.fullmatch(selector.upper())
            else ""
        )
        raise ValueError(
            f"{selector!r} is not a rule code or prefix{hint}: "
            "expected 'ALL' or 'PS' followed by up to three digits, as in 'PS3' or 'PS301'"
        )


def _per_file_ignores(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a table of glob = [codes], got {_describe(value)}")
    pairs = []
    for pattern, selectors in value.items():
        try:
            pairs.append((pattern, _selectors(selectors)))
        except ValueError as error:
            raise ValueError(f"{pattern!r}: {error}") from None
    return tuple(pairs)


def _severity(value: object) -> Severity:
    if not isinstance(value, str):
        raise ValueError(f"expected 'error', 'warning' or 'info', got {_describe(value)}")
    return Severity.parse(value)


def _docker_version(value: object) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, 0)
    if not isinstance(value, str):
        raise ValueError(f"expected a version string such as '28.2', got {_describe(value)}")
    return parse_docker_version(value)


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_describe(value)}")
    return value


def _port(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError(f"expected a port number 0-65535, got {_describe(value)}")
    return value


def _ephemeral_ports(value: object) -> tuple[int, int]:
    if isinstance(value, str):
        low, dash, high = value.partition("-")
        if not dash or not low.strip().isdigit() or not high.strip().isdigit():
            raise ValueError(f"expected a range such as '32768-60999', got {value!r}")
        bounds = (int(low), int(high))
    elif isinstance(value, list) and len(value) == 2:
        bounds = (_port(value[0]), _port(value[1]))
    else:
        raise ValueError(f"expected a range such as '32768-60999', got {_describe(value)}")
    low_port, high_port = (_port(bound) for bound in bounds)
    if low_port > high_port:
        raise ValueError(f"the range {low_port}-{high_port} ends before it starts")
    return (low_port, high_port)


def _sensitive_ports(value: object) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected an array of port numbers, got {_describe(value)}")
    return tuple(_port(item) for item in value)


def _large_range(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a positive integer, got {_describe(value)}")
    return value


_READERS: dict[str, Callable[[object], object]] = {
    "select": _selectors,
    "extend-select": _selectors,
    "ignore": _selectors,
    "per-file-ignores": _per_file_ignores,
    "fail-on": _severity,
    "docker-version": _docker_version,
    "exclude": lambda value: _strings(value, "gitignore-style patterns"),
    "extend-exclude": lambda value: _strings(value, "gitignore-style patterns"),
    "respect-gitignore": _boolean,
    "ephemeral-ports": _ephemeral_ports,
    "sensitive-ports": _sensitive_ports,
    "large-range": _large_range,
    "quote-all-ports": _boolean,
    "markdown-one-session": _boolean,
    "profiles": lambda value: _strings(value, "compose profile names"),
    "allow-outside": _boolean,
    "max-file-size": _large_range,
}


def _covered(selector: str, by: Sequence[str]) -> bool:
    """Whether one of ``by`` matches every rule ``selector`` matches."""
    return any(other == "ALL" or selector.startswith(other) for other in by)


def merge_cli(
    config: Config,
    *,
    select: Sequence[str] | None = None,
    extend_select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    per_file_ignores: Sequence[tuple[str, Sequence[str]]] | None = None,
    extend_per_file_ignores: Sequence[tuple[str, Sequence[str]]] | None = None,
    fail_on: Severity | None = None,
    docker_version: tuple[int, int] | None = None,
    exclude: Sequence[str] | None = None,
    extend_exclude: Sequence[str] | None = None,
    respect_gitignore: bool | None = None,
    allow_outside: bool | None = None,
) -> Config:
    """The file's settings overridden by command-line options, as ruff layers them.

    ``--select`` replaces the file's select, extend-select and ignore;
    ``--extend-select`` and ``--ignore`` add to them and beat the file's
    choices for the rules they name (``--extend-select PS301`` runs PS301 even
    when the file ignores ``PS3``). ``--per-file-ignores`` and ``--exclude``
    replace, their ``extend`` forms add; other options replace.

    None, like an empty list, leaves a setting as the file has it.

    >>> merge_cli(Config(ignore=("PS301",)), extend_select=["PS3"]).enabled("PS301", default=True)
    True
    """
    extend_select = extend_select or ()
    ignore = ignore or ()
    extend_per_file_ignores = extend_per_file_ignores or ()
    extend_exclude = extend_exclude or ()
    for selector in (*(select or ()), *extend_select, *ignore):
        try:
            _check_selector(selector)
        except ValueError as error:
            raise ConfigError(str(error), path="command line") from None
    for _, selectors in (*(per_file_ignores or ()), *extend_per_file_ignores):
        for selector in selectors:
            try:
                _check_selector(selector)
            except ValueError as error:
                raise ConfigError(str(error), path="command line") from None

    if select is not None:
        new_select: tuple[str, ...] | None = tuple(select)
        new_extend = tuple(extend_select)
        new_ignore = tuple(ignore)
    else:
        # The command line wins over the file: drop the file's selectors and
        # ignores that a command-line ignore or selector fully overrides, so the
        # single specificity rule of `enabled` gives ruff's layered result.
        adding = tuple(extend_select)
        new_select = (
            None
            if config.select is None
            else tuple(s for s in config.select if not _covered(s, ignore))
        )
        new_extend = tuple(s for s in config.extend_select if not _covered(s, ignore)) + adding
        new_ignore = tuple(s for s in config.ignore if not _covered(s, adding)) + tuple(ignore)

    pfi = (
        config.per_file_ignores
        if per_file_ignores is None
        else tuple((glob, tuple(codes)) for glob, codes in per_file_ignores)
    )
    pfi += tuple((glob, tuple(codes)) for glob, codes in extend_per_file_ignores)
    return replace(
        config,
        select=new_select,
        extend_select=new_extend,
        ignore=new_ignore,
        per_file_ignores=pfi,
        fail_on=config.fail_on if fail_on is None else fail_on,
        docker_version=config.docker_version if docker_version is None else docker_version,
        exclude=config.exclude if exclude is None else tuple(exclude),
        extend_exclude=config.extend_exclude + tuple(extend_exclude),
        respect_gitignore=(
            config.respect_gitignore if respect_gitignore is None else respect_gitignore
        ),
        allow_outside=config.allow_outside if allow_outside is None else allow_outside,
    )
