"""The linter's configuration: rule selection, finding and reading files, command-line options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portspec.lint.config import (
    Config,
    ConfigError,
    find_config,
    load_config,
    merge_cli,
    parse_docker_version,
)
from portspec.lint.diagnostic import Severity

# (id, config, code, on by default, expected)
SELECTION: list[tuple[str, Config, str, bool, bool]] = [
    ("default set has default rule", Config(), "PS301", True, True),
    ("default set lacks off rule", Config(), "PS399", False, False),
    ("ALL enables off rule", Config(select=("ALL",)), "PS399", False, True),
    ("full code enables off rule", Config(select=("PS399",)), "PS399", False, True),
    ("prefix enables off rule", Config(select=("PS3",)), "PS399", False, True),
    ("extend-select enables off rule", Config(extend_select=("PS399",)), "PS399", False, True),
    ("select replaces default set", Config(select=("PS1",)), "PS301", True, False),
    ("select prefix keeps its rules", Config(select=("PS1",)), "PS101", True, True),
    ("empty select runs nothing", Config(select=()), "PS301", True, False),
    ("extend-select keeps default set", Config(extend_select=("PS399",)), "PS301", True, True),
    ("prefix ignore", Config(ignore=("PS3",)), "PS301", True, False),
    ("prefix ignore spares others", Config(ignore=("PS3",)), "PS101", True, True),
    ("code ignore", Config(ignore=("PS301",)), "PS301", True, False),
    ("ignore ALL", Config(ignore=("ALL",)), "PS101", True, False),
    ("longer select beats ignore", Config(select=("PS301",), ignore=("PS3",)), "PS301", True, True),
    ("longer ignore beats select", Config(select=("PS3",), ignore=("PS30",)), "PS301", True, False),
    ("select around longer ignore", Config(select=("PS3",), ignore=("PS30",)), "PS311", True, True),
    ("tie goes to ignore", Config(select=("PS3",), ignore=("PS3",)), "PS301", True, False),
    ("ALL tie goes to ignore", Config(select=("ALL",), ignore=("ALL",)), "PS301", True, False),
    (
        "code beats ignore ALL",
        Config(ignore=("ALL",), extend_select=("PS301",)),
        "PS301",
        True,
        True,
    ),
    (
        "prefix beats default set ignore",
        Config(ignore=("PS",), extend_select=("PS3",)),
        "PS301",
        True,
        True,
    ),
    ("ignore beats default set", Config(ignore=("PS",)), "PS301", True, False),
]


@pytest.mark.parametrize(
    ("config", "code", "default", "expected"),
    [case[1:] for case in SELECTION],
    ids=[case[0] for case in SELECTION],
)
def test_enabled(config: Config, code: str, default: bool, expected: bool) -> None:
    assert config.enabled(code, default=default) is expected


PER_FILE = (
    ("tests/**/*.yaml", ("PS3",)),
    ("compose.ci.yaml", ("PS101",)),
    ("!deploy/*", ("PS2",)),
)

# (path, code, expected enabled): globs are relative to the config's folder.
PER_FILE_CASES = [
    ("tests/compose.yaml", "PS301", False),
    ("tests/a/b/compose.yaml", "PS302", False),
    ("tests/a/b/compose.yaml", "PS101", True),
    ("tests/compose.yml", "PS301", True),
    ("docs/compose.yaml", "PS301", True),
    ("compose.ci.yaml", "PS101", False),
    ("sub/dir/compose.ci.yaml", "PS101", False),  # a name-only glob matches the name anywhere
    ("deploy/compose.yaml", "PS201", True),  # `!deploy/*`: only files outside deploy/
    ("compose.yaml", "PS201", False),
]


@pytest.mark.parametrize(("path", "code", "expected"), PER_FILE_CASES)
def test_per_file_ignores(
    path: str, code: str, expected: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(per_file_ignores=PER_FILE, root=tmp_path)
    monkeypatch.chdir(tmp_path)
    assert config.enabled(code, default=True, path=path) is expected
    assert config.enabled(code, default=True, path=str(tmp_path / path)) is expected
    assert config.enabled(code, default=True) is True


def test_per_file_ignores_relative_to_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "project").mkdir()
    config = Config(per_file_ignores=(("tests/*", ("PS3",)),), root=tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    assert config.enabled("PS301", default=True, path="project/tests/compose.yaml") is False
    assert config.enabled("PS301", default=True, path="tests/compose.yaml") is True


# (id, files to create, where to start, expected config file or None)
FIND: list[tuple[str, dict[str, str], str, str | None]] = [
    ("dedicated file", {"a/.portspec.toml": ""}, "a", "a/.portspec.toml"),
    ("walks up", {".portspec.toml": "", "a/b/c/x.txt": ""}, "a/b/c", ".portspec.toml"),
    (
        "starts at a file's folder",
        {"a/.portspec.toml": "", "a/compose.yaml": ""},
        "a/compose.yaml",
        "a/.portspec.toml",
    ),
    (
        "nearest wins",
        {".portspec.toml": "", "a/.portspec.toml": "", "a/b/x": ""},
        "a/b",
        "a/.portspec.toml",
    ),
    (
        "pyproject with table",
        {"pyproject.toml": "[tool.portspec]\n", "a/x": ""},
        "a",
        "pyproject.toml",
    ),
    (
        "dotted pyproject table",
        {"pyproject.toml": 'tool.portspec.select = ["PS"]\n'},
        ".",
        "pyproject.toml",
    ),
    (
        "pyproject without table skipped",
        {".portspec.toml": "", "a/pyproject.toml": "[tool.ruff]\n", "a/b/x": ""},
        "a/b",
        ".portspec.toml",
    ),
    (
        "dedicated file beats pyproject",
        {"pyproject.toml": "[tool.portspec]\n", ".portspec.toml": ""},
        ".",
        ".portspec.toml",
    ),
    (
        "stops at the repository root",
        {".portspec.toml": "", "repo/.git/HEAD": "", "repo/a/x": ""},
        "repo/a",
        None,
    ),
    (
        "repository root checked",
        {"repo/.portspec.toml": "", "repo/.git/HEAD": "", "repo/a/x": ""},
        "repo/a",
        "repo/.portspec.toml",
    ),
    ("none at all", {"repo/.git": "", "repo/a/x": ""}, "repo/a", None),
]


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "start", "expected"), [case[1:] for case in FIND], ids=[case[0] for case in FIND]
)
def test_find_config(
    files: dict[str, str], start: str, expected: str | None, tmp_path: Path
) -> None:
    _tree(tmp_path, files)
    found = find_config(tmp_path / start)
    assert found == (None if expected is None else tmp_path / expected)


FULL = """\
select = ["PS1", "PS301"]
extend-select = ["PS399"]
ignore = ["PS102"]
fail-on = "Error"
docker-version = "28.2"
exclude = ["generated/"]
extend-exclude = ["*.tmp.yaml"]
respect-gitignore = false
ephemeral-ports = "49152-65535"
sensitive-ports = [22, 5432]
large-range = 20
quote-all-ports = true

[per-file-ignores]
"tests/**" = ["PS3"]
"compose.ci.yaml" = ["PS101", "PS2"]
"""


def _expected_full(root: Path, source: Path) -> Config:
    return Config(
        select=("PS1", "PS301"),
        extend_select=("PS399",),
        ignore=("PS102",),
        per_file_ignores=(("tests/**", ("PS3",)), ("compose.ci.yaml", ("PS101", "PS2"))),
        fail_on=Severity.ERROR,
        docker_version=(28, 2),
        exclude=("generated/",),
        extend_exclude=("*.tmp.yaml",),
        respect_gitignore=False,
        ephemeral_ports=(49152, 65535),
        sensitive_ports=(22, 5432),
        large_range=20,
        quote_all_ports=True,
        root=root,
        source=source,
    )


def test_load_every_key(tmp_path: Path) -> None:
    path = tmp_path / ".portspec.toml"
    path.write_text(FULL, encoding="utf-8")
    assert load_config(path) == _expected_full(tmp_path, path)


def test_load_pyproject_table(tmp_path: Path) -> None:
    body = FULL.replace("[per-file-ignores]", "[tool.portspec.per-file-ignores]")
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.portspec]\n' + body, encoding="utf-8")
    assert load_config(path) == _expected_full(tmp_path, path)


def test_load_empty_is_default(tmp_path: Path) -> None:
    path = tmp_path / ".portspec.toml"
    path.write_text("", encoding="utf-8")
    assert load_config(path) == Config(root=tmp_path, source=path)


# (id, file contents, words the message must hold)
INVALID: list[tuple[str, str, tuple[str, ...]]] = [
    ("unknown key", 'selec = ["PS"]\n', ("selec", "unknown key", "did you mean 'select'")),
    (
        "snake case key",
        'extend_select = ["PS"]\n',
        ("extend_select", "did you mean 'extend-select'"),
    ),
    ("unknown key no hint", "colour = true\n", ("colour", "unknown key")),
    (
        "select not a list",
        'select = "PS3"\n',
        ("select", "expected an array of rule codes", "a string"),
    ),
    ("bad selector", 'ignore = ["E501"]\n', ("ignore", "'E501' is not a rule code or prefix")),
    ("lower case selector", 'ignore = ["ps3"]\n', ("ignore", "write it in upper case: 'PS3'")),
    ("too long code", 'select = ["PS3011"]\n', ("select", "'PS3011'")),
    (
        "per-file not a table",
        'per-file-ignores = ["x"]\n',
        ("per-file-ignores", "expected a table"),
    ),
    (
        "per-file bad code",
        '[per-file-ignores]\n"x/*" = ["X1"]\n',
        ("per-file-ignores", "'x/*'", "'X1'"),
    ),
    ("fail-on unknown", 'fail-on = "fatal"\n', ("fail-on", "unknown severity 'fatal'")),
    ("fail-on not a string", "fail-on = 2\n", ("fail-on", "an integer")),
    (
        "docker-version bad",
        'docker-version = "latest"\n',
        ("docker-version", "invalid Docker version 'latest'"),
    ),
    ("docker-version float", "docker-version = 28.2\n", ("docker-version", "a float")),
    (
        "respect-gitignore string",
        'respect-gitignore = "no"\n',
        ("respect-gitignore", "expected true or false"),
    ),
    (
        "ephemeral reversed",
        'ephemeral-ports = "60999-32768"\n',
        ("ephemeral-ports", "ends before it starts"),
    ),
    (
        "ephemeral not a range",
        'ephemeral-ports = "32768"\n',
        ("ephemeral-ports", "expected a range"),
    ),
    ("ephemeral too high", 'ephemeral-ports = "1-70000"\n', ("ephemeral-ports", "70000")),
    ("sensitive not ports", 'sensitive-ports = ["22"]\n', ("sensitive-ports", "port number")),
    ("sensitive boolean", "sensitive-ports = [true]\n", ("sensitive-ports", "a boolean")),
    ("large-range zero", "large-range = 0\n", ("large-range", "positive integer")),
    ("exclude not strings", "exclude = [1]\n", ("exclude", "gitignore-style patterns")),
    ("quote-all-ports int", "quote-all-ports = 1\n", ("quote-all-ports", "expected true or false")),
]


@pytest.mark.parametrize(
    ("text", "words"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid(text: str, words: tuple[str, ...], tmp_path: Path) -> None:
    path = tmp_path / ".portspec.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    for word in words:
        assert word in message


def test_invalid_in_pyproject_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.portspec]\nlarge-range = "big"\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"pyproject\.toml: large-range: expected a positive"
    ) as info:
        load_config(path)
    assert info.value.key == "large-range"


def test_pyproject_without_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.ruff]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no \[tool\.portspec\] table"):
        load_config(path)


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    path = tmp_path / ".portspec.toml"
    path.write_text('select = ["PS"]\nignore = [\n"PS1",,\n]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"invalid TOML") as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:3:")


def test_syntax_error_in_pyproject_found_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.portspec\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pyproject\.toml:1:"):
        find_config(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / ".portspec.toml"
    path.write_bytes(b'select = ["\xff"]\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


DOCKER_VERSIONS = [
    ("28", (28, 0)),
    ("28.2", (28, 2)),
    ("29.0.1", (29, 0)),
    ("v20.10.7", (20, 10)),
    ("1.13.1", (1, 13)),
    ("18.09.1-ce", (18, 9)),
    (" 27.5 ", (27, 5)),
]


@pytest.mark.parametrize(("text", "expected"), DOCKER_VERSIONS)
def test_parse_docker_version(text: str, expected: tuple[int, int]) -> None:
    assert parse_docker_version(text) == expected


@pytest.mark.parametrize("text", ["", "latest", "28.", ".2", "28.x", "twenty"])
def test_parse_docker_version_invalid(text: str) -> None:
    with pytest.raises(ValueError, match=r"invalid Docker version .*expected MAJOR"):
        parse_docker_version(text)


def test_docker_version_integer(tmp_path: Path) -> None:
    path = tmp_path / ".portspec.toml"
    path.write_text("docker-version = 27\n", encoding="utf-8")
    assert load_config(path).docker_version == (27, 0)


FILE = Config(
    select=("PS1", "PS3"),
    extend_select=("PS399",),
    ignore=("PS30",),
    per_file_ignores=(("tests/*", ("PS1",)),),
    exclude=("gen/",),
    extend_exclude=("*.bak",),
)

# (id, command-line options, code, on by default, expected)
MERGE: list[tuple[str, dict[str, Any], str, bool, bool]] = [
    ("nothing given keeps the file", {}, "PS301", True, False),
    ("select replaces select", {"select": ["PS2"]}, "PS201", True, True),
    ("select drops the file's select", {"select": ["PS2"]}, "PS101", True, False),
    ("select drops the file's ignore", {"select": ["PS3"]}, "PS301", True, True),
    ("select drops the file's extend", {"select": ["PS2"]}, "PS399", False, False),
    ("extend-select beats the file's ignore", {"extend_select": ["PS301"]}, "PS301", True, True),
    ("extend prefix beats longer file ignore", {"extend_select": ["PS3"]}, "PS301", True, True),
    ("extend keeps file's select", {"extend_select": ["PS2"]}, "PS101", True, True),
    ("ignore adds", {"ignore": ["PS1"]}, "PS101", True, False),
    ("ignore beats the file's longer select", {"ignore": ["PS"]}, "PS399", False, False),
    ("ignore keeps the rest", {"ignore": ["PS10"]}, "PS110", True, True),
    (
        "cli ignore and extend: longer wins",
        {"ignore": ["PS3"], "extend_select": ["PS311"]},
        "PS311",
        True,
        True,
    ),
]


@pytest.mark.parametrize(
    ("options", "code", "default", "expected"),
    [case[1:] for case in MERGE],
    ids=[case[0] for case in MERGE],
)
def test_merge_selection(options: dict[str, Any], code: str, default: bool, expected: bool) -> None:
    assert merge_cli(FILE, **options).enabled(code, default=default) is expected


def test_merge_other_options() -> None:
    merged = merge_cli(
        FILE,
        fail_on=Severity.INFO,
        docker_version=(25, 0),
        exclude=["vendor/"],
        extend_exclude=["*.orig"],
        extend_per_file_ignores=[("docs/*", ["PS2"])],
        respect_gitignore=False,
    )
    assert merged.fail_on is Severity.INFO
    assert merged.docker_version == (25, 0)
    assert merged.exclude == ("vendor/",)
    assert merged.extend_exclude == ("*.bak", "*.orig")
    assert merged.per_file_ignores == (("tests/*", ("PS1",)), ("docs/*", ("PS2",)))
    assert merged.respect_gitignore is False


def test_merge_keeps_unset_options() -> None:
    assert merge_cli(FILE) == FILE
    none_given = merge_cli(
        FILE, select=None, extend_select=None, ignore=None, extend_exclude=None, fail_on=None
    )
    assert none_given == FILE
    replaced = merge_cli(FILE, per_file_ignores=[("x/*", ["PS3"])])
    assert replaced.per_file_ignores == (("x/*", ("PS3",)),)


@pytest.mark.parametrize(
    "options",
    [
        {"select": ["X1"]},
        {"extend_select": ["ps3"]},
        {"ignore": ["PS1234"]},
        {"per_file_ignores": [("x", ["E"])]},
    ],
)
def test_merge_rejects_bad_selectors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"^command line: .* is not a rule code or prefix"):
        merge_cli(Config(), **options)
