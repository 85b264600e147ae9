"""docs/ci.md shows valid CI files, and .pre-commit-hooks.yaml is a valid pre-commit manifest.

The GitHub workflows and the GitLab file are checked against the JSON schemas
that check-jsonschema vendors from SchemaStore; the pre-commit files against
pre-commit's own schemas.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]

from tests.paths import ROOT

pytest.importorskip("pre_commit", reason="pre-commit is a test dependency")
from pre_commit.clientlib import (  # type: ignore[import-untyped, unused-ignore]
    load_config,
    load_manifest,
)

PAGE = ROOT / "docs" / "ci.md"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

# A fenced YAML block whose first line names the file it shows.
_BLOCK = re.compile(r"^```yaml\n# (?P<name>\S+)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


class _Yaml12Loader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
    """YAML as GitHub reads it: only true and false are booleans, so ``on:`` stays a key."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_Yaml12Loader)


def _blocks() -> dict[str, str]:
    return {
        match["name"]: match["body"] for match in _BLOCK.finditer(PAGE.read_text(encoding="utf-8"))
    }


def _schema(name: str) -> dict[str, Any]:
    vendor = resources.files("check_jsonschema") / "builtin_schemas" / "vendor"
    schema: dict[str, Any] = json.loads((vendor / name).read_text(encoding="utf-8"))
    return schema


def _validate(document: Any, schema: dict[str, Any]) -> None:
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, error.path))}: {error.message}" for error in errors
    )


def _hook_ids() -> list[str]:
    return [hook["id"] for hook in load_manifest(str(MANIFEST))]


def test_page_shows_the_files() -> None:
    assert set(_blocks()) == {
        ".github/workflows/portspec.yml",
        ".github/workflows/pre-commit.yml",
        ".pre-commit-config.yaml",
        ".gitlab-ci.yml",
    }


@pytest.mark.parametrize(
    "name", [".github/workflows/portspec.yml", ".github/workflows/pre-commit.yml"]
)
def test_github_workflow_is_valid(name: str) -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema ships the workflow schema")
    _validate(_load(_blocks()[name]), _schema("github-workflows.json"))


def test_sarif_workflow_uploads_what_it_writes() -> None:
    workflow = _load(_blocks()[".github/workflows/portspec.yml"])
    job = workflow["jobs"]["code-scanning"]
    assert job["permissions"]["security-events"] == "write"
    lint, upload = job["steps"][-2:]
    assert "--format sarif -o portspec.sarif" in lint["run"]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == "portspec.sarif"
    annotations = workflow["jobs"]["annotations"]["steps"][-1]
    assert annotations["run"] == "portspec lint --format github"


def test_gitlab_ci_is_valid() -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema ships the GitLab CI schema")
    _validate(_load(_blocks()[".gitlab-ci.yml"]), _schema("gitlab-ci.json"))


def test_pre_commit_config_uses_a_defined_hook(tmp_path: Path) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(_blocks()[".pre-commit-config.yaml"], encoding="utf-8")
    (repository,) = load_config(str(config))["repos"]
    assert repository["repo"] == "https://github.com/portspec/portspec"
    assert {hook["id"] for hook in repository["hooks"]} <= set(_hook_ids())


def test_manifest_is_valid() -> None:
    # load_manifest raises InvalidManifestError on anything pre-commit refuses.
    assert _hook_ids() == ["portspec", "portspec-fix"]
    for hook in load_manifest(str(MANIFEST)):
        assert hook["entry"].startswith("portspec lint")
        assert hook["language"] == "python"
        assert hook["require_serial"] is True


FILES = [
    ("compose.yaml", True),
    ("deploy/docker-compose.prod.yml", True),
    ("Compose.override.YAML", True),
    ("Dockerfile", True),
    ("scripts/run.sh", True),
    ("README.md", True),
    ("Makefile", True),
    (".github/workflows/ci.yml", False),
    (".gitlab-ci.yml", False),
    ("k8s/deployment.yaml", False),
    (".pre-commit-config.yaml", False),
]


@pytest.mark.parametrize(("path", "passed"), FILES, ids=[path for path, _ in FILES])
def test_hook_files_keep_yaml_to_compose_names(path: str, passed: bool) -> None:
    for hook in load_manifest(str(MANIFEST)):
        assert (re.search(hook["files"], path) is not None) is passed
