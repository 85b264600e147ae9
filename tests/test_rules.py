"""Every rule fires on its failing example and stays silent on its passing one.

The examples are the ones ``portspec rule CODE`` prints and the docs pages
show, so what users read is what is tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portspec.lint import Context, Rule, all_rules, get_rule, lint_text
from portspec.lint.diagnostic import Diagnostic, Severity
from portspec.lint.discover import classify
from portspec.lint.units import Kind

RULES = list(all_rules())
_ENV = {"PS_EXAMPLE_SET": "1"}


def _kind(path: str) -> Kind:
    """The kind of an example file, by its name, as ``portspec lint`` tells it."""
    kind = classify(Path(path))
    assert kind is not None, path
    return kind


def _lint(rule: type[Rule], path: str, text: str, ctx: Context | None = None) -> list[Diagnostic]:
    return lint_text(text, path, _kind(path), ctx=ctx, enabled=lambda code, _path: True, env=_ENV)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_fires_on_its_failing_example(rule: type[Rule]) -> None:
    found = _lint(rule, rule.bad.path, rule.bad.text)
    assert rule.code in {d.code for d in found}, found


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_silent_on_its_passing_example(rule: type[Rule]) -> None:
    found = _lint(rule, rule.good.path, rule.good.text)
    assert rule.code not in {d.code for d in found}, found
    # A passing example reads cleanly: no reading error of any code.
    assert not [d for d in found if d.code < "PS100" and d.severity is Severity.ERROR], found


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_each_rule_is_documented(rule: type[Rule]) -> None:
    assert rule.summary().endswith("."), rule.code
    assert len(rule.why()) > 40, rule.code
    assert rule.name == rule.name.lower()
    assert " " not in rule.name
    assert rule.bad.text != rule.good.text
    assert get_rule(rule.code.lower()) is rule


def test_codes_and_names_are_unique() -> None:
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_the_catalogue_covers_the_design() -> None:
    design = {
        *(f"PS00{i}" for i in range(1, 6)),
        *(f"PS10{i}" for i in range(1, 6)),
        *(f"PS11{i}" for i in range(1, 5)),
        *(f"PS20{i}" for i in range(1, 9)),
        *(f"PS30{i}" for i in range(1, 7)),
        "PS309",
    }
    assert design <= {r.code for r in RULES}


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # every wildcard spelling is all interfaces
        ("ports: ['5432:5432']", ["PS301"]),
        ("ports: ['0.0.0.0:5432:5432']", ["PS301"]),
        ("ports: ['[::]:5432:5432']", ["PS301"]),
        ("ports: ['[::0]:5432:5432']", ["PS301"]),
        ("ports: ['5432']", ["PS301"]),
        ("ports: ['127.0.0.1:5432:5432']", []),
        ("ports: ['[::1]:6379:6379']", []),
        ("ports: ['15432:5432']", ["PS301"]),  # the service is the container's port
        ("ports: ['5432:80']", []),
        ("ports: [{target: 5432, published: 5432}]", ["PS301"]),
        ("ports: [{target: 5432, published: 5432, host_ip: 127.0.0.1}]", []),
        # 8080:80 is safe for YAML 1.1 only because 80 > 59
        ("ports: [8080:80]", []),
        ("ports: [2122:22]", ["PS301", "PS305"]),
        ("ports: [3000:3000]", []),
        ("ports: [1:59]", ["PS305"]),
        ("ports: ['22:22']", ["PS301"]),
        ("network_mode: host\n    ports: ['5432:5432']", ["PS203"]),
        ("ports: ['1-65535:1-65535']", ["PS301", "PS303"]),
    ],
)
def test_compose_port_table(text: str, codes: list[str]) -> None:
    found = lint_text(f"services:\n  svc:\n    {text}\n", "compose.yaml", env={})
    assert [d.code for d in found] == codes


def test_docker_version_gates_the_expose_range_rule() -> None:
    text = "FROM alpine\nEXPOSE 9000-9002\n"
    latest = lint_text(text, "Dockerfile", "dockerfile")
    old = lint_text(text, "Dockerfile", "dockerfile", ctx=Context(docker_version=(28, 5)))
    new = lint_text(text, "Dockerfile", "dockerfile", ctx=Context(docker_version=(29, 0)))
    assert [d.code for d in latest] == [d.code for d in new] == ["PS205"]
    assert old == []


def test_quote_all_ports_option() -> None:
    text = "services:\n  web:\n    ports:\n      - 8080:80\n      - '8443:443'\n"
    assert lint_text(text, "compose.yaml") == []
    found = lint_text(text, "compose.yaml", ctx=Context(quote_all_ports=True))
    assert [(d.code, d.line) for d in found] == [("PS305", 4)]
    assert found[0].fix is not None
    assert found[0].fix.edits[0].replacement == '"8080:80"'


def test_sensitive_ports_setting() -> None:
    text = "services:\n  web:\n    ports: ['8080:8080']\n"
    assert lint_text(text, "compose.yaml") == []
    found = lint_text(text, "compose.yaml", ctx=Context(sensitive_ports=frozenset({8080})))
    assert [d.code for d in found] == ["PS301"]


def test_large_range_setting() -> None:
    text = "services:\n  web:\n    ports: ['9000-9020:9000-9020']\n"
    assert lint_text(text, "compose.yaml") == []
    assert [d.code for d in lint_text(text, "compose.yaml", ctx=Context(large_range=10))] == [
        "PS303"
    ]
