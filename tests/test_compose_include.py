"""include:, profiles and replicas, read as Docker Compose reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portspec.errors import PortSpecError
from portspec.sources.compose import iter_compose_problems, load_compose


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_include_short_and_long_forms(tmp_path: Path) -> None:
    kafka = "services:\n  kafka:\n    image: k\n    expose: [9092]\n"
    _write(tmp_path, "kafka/compose.yaml", kafka)
    _write(tmp_path, "db/a.yaml", "services:\n  db:\n    image: d\n    ports: ['5432:5432']\n")
    _write(tmp_path, "db/b.yaml", "services:\n  db:\n    ports: ['127.0.0.1:5433:5432']\n")
    main = _write(
        tmp_path,
        "compose.yaml",
        "include:\n  - kafka/compose.yaml\n  - path: [db/a.yaml, db/b.yaml]\n"
        "services:\n  web:\n    image: w\n    links: [kafka, db]\n",
    )
    project = load_compose(main, env={})
    assert sorted(project.services) == ["db", "kafka", "web"]
    assert [str(m) for m in project.services["db"].publish] == ["5432:5432", "127.0.0.1:5433:5432"]
    span = project.locations[("kafka", "expose", 0)]
    assert span.path == str(tmp_path / "kafka/compose.yaml")
    assert (span.line, span.column) == (4, 14)


def test_nested_include_is_relative_to_the_included_project(tmp_path: Path) -> None:
    _write(tmp_path, "a/compose.yaml", "include: [b/compose.yaml]\n")
    _write(tmp_path, "a/b/compose.yaml", "services:\n  deep:\n    image: x\n    ports: ['1:1']\n")
    main = _write(tmp_path, "compose.yaml", "include: [a/compose.yaml]\n")
    assert list(load_compose(main, env={}).services) == ["deep"]


def test_include_env_file_and_project_directory(tmp_path: Path) -> None:
    _write(tmp_path, "sub/.env", "PORT=7000\n")
    _write(tmp_path, "other.env", "PORT=7100\n")
    sub = "services:\n  s:\n    image: x\n    ports: ['${PORT}:80']\n"
    _write(tmp_path, "sub/compose.yaml", sub)
    main = _write(tmp_path, "compose.yaml", "include: [sub/compose.yaml]\n")
    assert str(load_compose(main, env={}).services["s"].publish[0]) == "7000:80"
    main.write_text("include:\n  - path: sub/compose.yaml\n    env_file: other.env\n")
    assert str(load_compose(main, env={}).services["s"].publish[0]) == "7100:80"
    # The process environment wins over an included project's env file.
    assert str(load_compose(main, env={"PORT": "7200"}).services["s"].publish[0]) == "7200:80"


def test_a_service_defined_twice_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "services:\n  web:\n    image: a\n")
    _write(tmp_path, "b.yaml", "services:\n  web:\n    image: b\n")
    main = _write(tmp_path, "compose.yaml", "include: [a.yaml, b.yaml]\n")
    with pytest.raises(PortSpecError, match=r"services\.web conflicts with imported resource"):
        load_compose(main, env={})
    main.write_text("include: [a.yaml]\nservices:\n  web:\n    image: a\n")
    with pytest.raises(PortSpecError, match=r"services\.web conflicts with imported resource"):
        load_compose(main, env={})
    # The same definition twice is one service.
    _write(tmp_path, "c.yaml", "services:\n  web:\n    image: a\n")
    main.write_text("include: [a.yaml, c.yaml]\n")
    assert list(load_compose(main, env={}).services) == ["web"]


def test_include_cycle_and_missing_file(tmp_path: Path) -> None:
    main = _write(tmp_path, "compose.yaml", "include: [b.yaml]\n")
    _write(tmp_path, "b.yaml", "include: [compose.yaml]\n")
    messages = [p.message for p in iter_compose_problems(main, env={})]
    assert any(m.startswith("include cycle detected") for m in messages)
    main.write_text("include: [missing.yaml]\n")
    problems = list(iter_compose_problems(main, env={}))
    assert "no such file" in problems[0].message
    assert (problems[0].span.path, problems[0].span.line) == (str(main), 1)


PROFILED = """\
services:
  web:
    image: w
    ports: ['80:80']
  cpu:
    image: s
    profiles: [cpu]
    ports: ['8000:8000']
  gpu:
    image: s
    profiles: [gpu, all]
    ports: ['8000:8000']
"""


@pytest.mark.parametrize(
    ("profiles", "env", "expected"),
    [
        (None, {}, ["web"]),
        (["cpu"], {}, ["cpu", "web"]),
        (["all"], {}, ["gpu", "web"]),
        (["*"], {}, ["cpu", "gpu", "web"]),
        (None, {"COMPOSE_PROFILES": " gpu ,cpu"}, ["cpu", "gpu", "web"]),
        (["cpu"], {"COMPOSE_PROFILES": "gpu"}, ["cpu", "web"]),
    ],
)
def test_profiles_select_services(
    profiles: list[str] | None, env: dict[str, str], expected: list[str]
) -> None:
    project = load_compose(PROFILED, env=env, profiles=profiles)
    assert list(project.services) == expected
    assert project.profiles.get("gpu", frozenset()) <= {"gpu", "all"}


def test_dependency_on_a_disabled_service_is_refused() -> None:
    text = PROFILED + "  app:\n    image: a\n    links: [cpu]\n"
    with pytest.raises(PortSpecError, match='service "app" depends on undefined service "cpu"'):
        load_compose(text, env={})
    assert "app" in load_compose(text, env={}, profiles=["cpu"]).services
    optional = PROFILED + (
        "  app:\n    image: a\n    depends_on: {cpu: {condition: x, required: false}}\n"
    )
    assert "app" in load_compose(optional, env={}).services
    required = PROFILED + "  app:\n    image: a\n    depends_on: [cpu]\n"
    with pytest.raises(PortSpecError, match="undefined service"):
        load_compose(required, env={})


def test_replicas_and_scale() -> None:
    text = "services:\n  a: {image: x, deploy: {replicas: 3}}\n  b: {image: x, scale: 2}\n"
    assert dict(load_compose(text, env={}).replicas) == {"a": 3, "b": 2}
    with pytest.raises(PortSpecError, match="can't set distinct values on 'scale'"):
        load_compose("services:\n  a: {image: x, scale: 2, deploy: {replicas: 3}}\n", env={})
    with pytest.raises(PortSpecError, match="can't set container_name and a"):
        load_compose("services:\n  a: {image: x, scale: 2, container_name: c}\n", env={})
    assert load_compose("services:\n  a: {image: x, scale: 1, container_name: c}\n", env={})


@pytest.mark.parametrize("key", ["ports", "expose", "links", "networks", "network_mode"])
def test_null_is_refused_where_compose_refuses_it(key: str) -> None:
    with pytest.raises(PortSpecError, match=f"services.a.{key} must be a"):
        load_compose(f"services:\n  a:\n    image: x\n    {key}:\n", env={})


def test_a_file_needs_an_image_or_a_build(tmp_path: Path) -> None:
    path = _write(tmp_path, "compose.yaml", "services:\n  a:\n    ports: ['80']\n")
    with pytest.raises(PortSpecError, match="neither an image nor a build context"):
        load_compose(path, env={})
    path.write_text("services:\n  a:\n    build: .\n    ports: ['80']\n")
    assert load_compose(path, env={}).services["a"].publish
    # YAML text is a fragment: read without one.
    assert load_compose("services:\n  a:\n    ports: ['80']\n", env={}).services["a"].publish


def test_undefined_network_and_secret() -> None:
    text = "services:\n  a:\n    image: x\n    networks: [front]\n    secrets: [pw]\n"
    messages = [p.message for p in iter_compose_problems(text, env={})]
    assert 'service "a" refers to undefined network front' in messages
    assert 'service "a" refers to undefined secret pw' in messages
    defined = text + "networks:\n  front: {}\nsecrets:\n  pw: {file: ./pw}\n"
    assert load_compose(defined, env={}).services["a"]


def test_lint_compares_only_services_that_can_run_together() -> None:
    from portspec.lint.engine import lint_text
    from portspec.lint.rule import Context

    text = PROFILED + "  both:\n    image: s\n    profiles: [cpu]\n    ports: ['8000:9000']\n"
    codes = [(d.code, d.line) for d in lint_text(text, "compose.yaml", ctx=Context())]
    # cpu and both share a profile; cpu and gpu are alternatives.
    assert [c for c in codes if c[0] == "PS101"] == [("PS101", 8)]
    selected = lint_text(text, "compose.yaml", ctx=Context(profiles=("*",)))
    # Three services on one port: each later one against the first.
    assert sum(d.code == "PS101" for d in selected) == 2


def test_lint_profile_option_and_config_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from portspec.cli import main

    path = _write(tmp_path, "compose.yaml", PROFILED)

    def run(*args: str) -> list[str]:
        main(["lint", "--format", "json", "--exit-zero", *args, str(path)])
        return [d["code"] for d in json.loads(capsys.readouterr().out)]

    assert "PS101" not in run("--isolated")
    assert run("--isolated", "--profile", "cpu", "--profile", "gpu").count("PS101") == 1
    assert run("--isolated", "--profile", "*").count("PS101") == 1
    assert "PS101" not in run("--isolated", "--profile", "cpu")
    config = tmp_path / "portspec.toml"
    config.write_text('profiles = ["cpu", "all"]\n')
    assert run("--config", str(config)).count("PS101") == 1


def test_convert_merges_the_override_file_unless_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from portspec.cli import main

    base = _write(tmp_path, "compose.yaml", "services:\n  web:\n    image: w\n    ports: ['80']\n")
    _write(tmp_path, "docker-compose.override.yml", "services:\n  web:\n    ports: ['81']\n")
    assert main(["convert", "--to", "command", str(base)]) == 0
    assert capsys.readouterr().out.split() == [
        "docker",
        "run",
        "--name",
        "web",
        "--publish",
        "80",
        "--publish",
        "81",
        "w",
    ]
    assert main(["convert", "--to", "command", "--no-override", str(base)]) == 0
    assert capsys.readouterr().out.split() == [
        "docker",
        "run",
        "--name",
        "web",
        "--publish",
        "80",
        "w",
    ]
    other = _write(tmp_path, "other.yaml", base.read_text())
    assert main(["convert", "--to", "command", str(other)]) == 0
    assert "--publish 81" not in capsys.readouterr().out


def test_a_file_linted_and_included_gives_its_findings_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portspec.cli import main

    _write(
        tmp_path, "docker-compose.yml", "services:\n  db:\n    image: p\n    ports: ['5432:5432']\n"
    )
    _write(tmp_path, "docker-compose-extras.yml", "include: [docker-compose.yml]\nservices: {}\n")
    monkeypatch.chdir(tmp_path)
    main(["lint", "--isolated", "--format", "json", "--exit-zero", "."])
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(capsys.readouterr().out)]
    assert found == [("docker-compose.yml", 4, "PS301")]
    # Linted alone, the including file points into the included one by its relative name.
    main(["lint", "--isolated", "--format", "json", "--exit-zero", "docker-compose-extras.yml"])
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(capsys.readouterr().out)]
    assert found == [("docker-compose.yml", 4, "PS301")]
