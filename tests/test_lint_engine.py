"""The lint engine: every kind of input, one set for conflicts, suppressions and fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from portspec.lint import Context, Source, lint, lint_text
from portspec.lint.diagnostic import Diagnostic, Severity
from portspec.lint.fix import apply_fixes
from portspec.lint.units import Kind


def _codes(found: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in found]


def test_shell_script_positions() -> None:
    text = "#!/bin/sh\nset -e\nsudo docker container run -d \\\n  -p 5432:5432 postgres\n"
    (found,) = lint_text(text, "run.sh", "shell")
    assert (found.code, found.line, found.column, found.end_column) == ("PS301", 4, 6, 15)
    assert text[found.start : found.end] == "5432:5432"


def test_shell_variables_are_unknown_never_guessed() -> None:
    text = 'docker run -p "$PORT:22" -p 2375:2375 --expose ${E} $OPTS -p 22:22 img\n'
    found = lint_text(text, "run.sh", "shell")
    assert [(d.code, text[d.start : d.end]) for d in found] == [
        ("PS007", '"$PORT:22"'),
        ("PS301", "2375:2375"),
        ("PS007", "${E}"),
        ("PS007", "$OPTS"),
        ("PS301", "22:22"),
    ]


def test_parse_errors_in_scripts_have_codes_and_carets() -> None:
    text = "docker run -p 80:80/tpc nginx\ndocker run --expose x nginx\ndocker run --bogus img\n"
    found = lint_text(text, "run.sh", "shell")
    assert [(d.code, text[d.start : d.end]) for d in found] == [
        ("PS001", "tpc"),
        ("PS002", "x"),
        ("PS006", "--bogus"),
    ]


def test_makefile_and_markdown() -> None:
    makefile = "run:\n\t@docker run -p 6379:6379 redis\n\tdocker run -p $(P):80 x\n"
    assert _codes(lint_text(makefile, "Makefile", "makefile")) == [
        ("PS301", 2, 17),
        ("PS007", 3, 16),
    ]
    markdown = (
        "# Try it\n\n```console\n$ docker run -p 3306:3306 mysql\nstarting...\n```\n\n"
        "```python\ndocker run -p 22:22 x\n```\n"
    )
    assert _codes(lint_text(markdown, "README.md", "markdown")) == [("PS301", 4, 17)]


def test_dockerfile_expose() -> None:
    text = "FROM alpine\nEXPOSE 80/tcp \\\n  9000-9002 $PORT 70000\n"
    found = lint_text(text, "Dockerfile", "dockerfile")
    assert [(d.code, text[d.start : d.end]) for d in found] == [
        ("PS205", "9000-9002"),
        ("PS007", "$PORT"),
        ("PS002", "70000"),
    ]


def test_all_inputs_form_one_set(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  web:\n    ports: ['127.0.0.1:8080:80']\n")
    script = tmp_path / "dev.sh"
    script.write_text("docker run --name dev -p 8080:3000 node\n")
    sources = [
        Source("compose.yaml", "compose", path=compose),
        Source("dev.sh", "shell", path=script),
    ]
    together = lint(sources, ctx=Context())
    assert _codes(together.diagnostics) == [("PS101", 1, 26)]
    assert "web (127.0.0.1:8080:80) at compose.yaml:3:13" in together.diagnostics[0].message
    assert lint(sources, ctx=Context(), per_file=True).diagnostics == []


def test_compose_projects_are_apart_unless_asked(tmp_path: Path) -> None:
    sources = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        path = tmp_path / name / "compose.yaml"
        path.write_text("services:\n  web:\n    ports: ['8080:80']\n")
        sources.append(Source(f"{name}/compose.yaml", "compose", path=path))
    assert lint(sources, ctx=Context()).diagnostics == []
    found = lint(sources, ctx=Context(across_projects=True)).diagnostics
    assert _codes(found) == [("PS101", 3, 13)]


def test_override_file_merges_into_its_base(tmp_path: Path) -> None:
    base = tmp_path / "compose.yaml"
    base.write_text("services:\n  web:\n    ports: ['8080:80']\n  db: {}\n")
    override = tmp_path / "compose.override.yaml"
    override.write_text("services:\n  db:\n    ports: ['8080:5432']\n")
    sources = [
        Source("compose.override.yaml", "compose", path=override),
        Source("compose.yaml", "compose", path=base),
    ]
    found = lint(sources, ctx=Context()).diagnostics
    # db (from the override) comes first, so web's binding is the one that clashes.
    assert [(d.path, d.code, d.line) for d in found] == [
        ("compose.override.yaml", "PS301", 3),
        ("compose.yaml", "PS101", 3),
    ]


def _overlay_run(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int]]:
    sources = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        sources.append(Source(name, "compose", path=path))
    found = lint(sources, ctx=Context()).diagnostics
    return [(d.path, d.code, d.line) for d in found if d.code == "PS111"]


_BASE = "services:\n  db:\n    image: postgres\n"
_FRAGMENT = "services:\n  app:\n    image: app\n    depends_on: [db]\n    links: [db]\n"


@pytest.mark.parametrize("fragment", ["extra.yml", "extensions/extra/extra-compose.yml"])
def test_a_fragment_resolves_against_a_base_beside_or_above(tmp_path: Path, fragment: str) -> None:
    # Run as docker compose -f compose.yaml -f FRAGMENT: db is the base's.
    assert _overlay_run(tmp_path, {"compose.yaml": _BASE, fragment: _FRAGMENT}) == []


def test_a_fragment_uses_the_networks_and_secrets_of_its_base(tmp_path: Path) -> None:
    base = "services:\n  db:\n    image: pg\nnetworks:\n  elk: {}\nsecrets:\n  pw:\n    file: pw\n"
    fragment = (
        "services:\n  agent:\n    image: a\n    networks: [elk]\n    secrets: [pw]\n"
        "    depends_on: [db]\n"
    )
    sources = []
    for name, text in {"compose.yaml": base, "ext/agent/agent-compose.yml": fragment}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        sources.append(Source(name, "compose", path=path))
    assert [d.code for d in lint(sources, ctx=Context()).diagnostics] == []
    alone = lint(sources[1:], ctx=Context()).diagnostics
    assert sorted(d.code for d in alone) == ["PS008", "PS008", "PS111"]


def test_a_reference_no_nearby_file_defines_is_still_undefined(tmp_path: Path) -> None:
    alone = _overlay_run(tmp_path, {"extra.yml": _FRAGMENT})
    assert alone == [("extra.yml", "PS111", 4), ("extra.yml", "PS111", 5)]
    # A base in a sibling folder, or one that defines other services, resolves nothing.
    other = _overlay_run(
        tmp_path / "two",
        {
            "x/compose.yaml": _BASE,
            "y/extra.yml": _FRAGMENT,
            "compose.yaml": _BASE.replace("db", "d"),
        },
    )
    assert other == [("y/extra.yml", "PS111", 4), ("y/extra.yml", "PS111", 5)]
    # A file never resolves its own references.
    own = _overlay_run(tmp_path / "three", {"compose.yaml": _FRAGMENT})
    assert [code for _, code, _ in own] == ["PS111", "PS111"]


_DB = "services:\n  db:\n    ports: "
_PORTS = "    ports: ['5432:5432']\n"


@pytest.mark.parametrize(
    ("kind", "path", "text"),
    [
        ("compose", "compose.yaml", f"{_DB}['5432:5432'] # portspec: ignore[PS301]\n"),
        ("compose", "compose.yaml", "services:\n  db:\n    # portspec: ignore[PS3]\n" + _PORTS),
        ("compose", "compose.yaml", f"{_DB}['5432:5432']  # portspec: ignore\n"),
        ("shell", "run.sh", "docker run -p 5432:5432 pg  # portspec: ignore[PS301, PS101]\n"),
        ("shell", "run.sh", "# portspec: ignore[PS301]\ndocker run -p 5432:5432 pg\n"),
        ("markdown", "README.md", "```sh\ndocker run -p 5432:5432 pg # portspec: ignore\n```\n"),
    ],
)
def test_inline_suppression(kind: Kind, path: str, text: str) -> None:
    assert lint_text(text, path, kind) == []


@pytest.mark.parametrize(
    "text",
    [
        "services:\n  db:\n    ports: ['5432:5432'] # portspec: ignore[PS101]\n",
        "services:\n  db:\n    ports: ['5432:5432'] # portspec ignore PS301\n",
        "services:\n  db:\n    x: 1 # portspec: ignore[PS301]\n\n    ports: ['5432:5432']\n",
        "services:\n  db:\n    image: 'a # portspec: ignore'\n    ports: ['5432:5432']\n",
    ],
)
def test_suppression_is_exact(text: str) -> None:
    assert [d.code for d in lint_text(text, "compose.yaml")] == ["PS301"]


def test_markdown_html_comment_suppression() -> None:
    text = "<!-- portspec: ignore[PS301] -->\n\n```sh\ndocker run -p 5432:5432 pg\n```\n"
    assert [d.code for d in lint_text(text, "README.md", "markdown")] == ["PS301"]
    text = "```sh\ndocker run -p 5432:5432 pg <!-- portspec: ignore[PS301] -->\n```\n"
    assert lint_text(text, "README.md", "markdown") == []


def test_fixes_keep_everything_else() -> None:
    text = (
        "# keep me\nservices:\n  git:\n    ports:\n      - 22:22   # ssh\n"
        "      - '::1:8080:80'\n      - 5432:5432\n"
    )
    found = lint_text(text, "compose.yaml")
    fixed, applied = apply_fixes(text, found)
    assert fixed == (
        '# keep me\nservices:\n  git:\n    ports:\n      - "22:22"   # ssh\n'
        "      - '[::1]:8080:80'\n      - 5432:5432\n"
    )
    assert {d.code for d in applied} == {"PS305", "PS207"}
    unsafe, _ = apply_fixes(fixed, lint_text(fixed, "compose.yaml"), unsafe=True)
    assert '"127.0.0.1:22:22"' in unsafe
    assert '"127.0.0.1:5432:5432"' in unsafe
    assert lint_text(unsafe, "compose.yaml") == []


def test_shell_fix_quotes_what_the_shell_would_glob() -> None:
    text = "docker run -p ::1:8080:80 nginx\n"
    found = lint_text(text, "run.sh", "shell")
    fixed, _ = apply_fixes(text, found)
    assert fixed == "docker run -p '[::1]:8080:80' nginx\n"
    assert lint_text(fixed, "run.sh", "shell") == []


def test_unreadable_compose_is_one_finding_with_its_place() -> None:
    found = lint_text("services:\n  web:\n    ports: [80:80\n", "compose.yaml")
    assert [(d.code, d.line) for d in found] == [("PS000", 4)] or [d.code for d in found] == [
        "PS000"
    ]


def test_unset_variable_only_where_it_matters() -> None:
    text = "services:\n  web:\n    environment:\n      - A=${NOPE_A}\n    ports: ['${NOPE_B}:80']\n"
    found = lint_text(text, "compose.yaml", env={})
    assert [(d.code, d.line) for d in found] == [("PS005", 5)]


def test_an_unset_variable_is_one_finding_naming_the_entries_it_breaks() -> None:
    text = (
        "services:\n  web:\n    image: x\n    ports:\n"
        "      - ${CALLS}:${CALLS}/udp\n      - ${CALLS}:${CALLS}/tcp\n"
        "      - ${APP}:8065\n      - '${OTHER:-9}:9'\n"
    )
    found = lint_text(text, "compose.yaml", env={})
    assert [(d.code, d.line, d.severity) for d in found] == [
        ("PS005", 5, Severity.ERROR),
        ("PS005", 7, Severity.WARNING),
    ]
    first, second = found
    assert "variable CALLS is not set" in first.message
    assert "refuses 2 entries" in first.message
    assert "':/udp'" in first.message
    assert "variable APP is not set" in second.message
    assert "refuses" not in second.message
    # Set, the variable breaks nothing and nothing is said.
    assert lint_text(text, "compose.yaml", env={"CALLS": "7000", "APP": "80"}) == []


def test_a_missing_required_variable_refuses_the_file_once() -> None:
    text = (
        "services:\n  db:\n    image: pg\n    environment:\n"
        "      A: ${PW:?set PW}\n      B: ${PW:?set PW}\n      C: ${PW:?set PW}\n"
        "      D: ${OTHER:?}\n"
    )
    found = lint_text(text, "compose.yaml", env={})
    assert [(d.code, d.line) for d in found] == [("PS008", 5), ("PS008", 8)]
    assert found[0].message.endswith(
        "required variable PW is missing a value: set PW (and 2 more uses)"
    )
    assert "OTHER" in found[1].message
    assert "more use" not in found[1].message
    assert lint_text(text, "compose.yaml", env={"PW": "x", "OTHER": "y"}) == []


def test_links_across_command_lines() -> None:
    text = "docker run -d --name db postgres\ndocker run --link db --link db:db2 --link cache app\n"
    found = lint_text(text, "run.sh", "shell")
    assert [(d.code, text[d.start : d.end]) for d in found] == [
        ("PS304", "db"),
        ("PS304", "db:db2"),
        ("PS111", "cache"),
        ("PS304", "cache"),
    ]


def test_ephemeral_collision_is_reported_at_the_fixed_binding() -> None:
    text = "services:\n  a:\n    ports: ['3000']\n  b:\n    ports: ['40000:80']\n"
    (found,) = lint_text(text, "compose.yaml")
    assert (found.code, text[found.start : found.end]) == ("PS104", "'40000:80'")
    assert "a (3000)" in found.message


def test_documentation_examples_are_compared_within_their_page(tmp_path: Path) -> None:
    pages = []
    for name in ("one.md", "two.md"):
        path = tmp_path / name
        path.write_text("```sh\ndocker run -p 8080:80 nginx\n```\n")
        pages.append(Source(name, "markdown", path=path))
    assert lint(pages, ctx=Context()).diagnostics == []
    page = tmp_path / "three.md"
    page.write_text("```sh\ndocker run -d -p 8080:80 a\ndocker run -d -p 8080:81 b\n```\n")
    found = lint([Source("three.md", "markdown", path=page)], ctx=Context()).diagnostics
    assert [(d.code, d.line) for d in found] == [("PS101", 3)]


def test_one_image_run_several_ways_on_a_page_is_variants(tmp_path: Path) -> None:
    page = tmp_path / "run.md"
    page.write_text(
        "```bash\n## publish it on 8080\n$ docker run -d -p 8080:80 nginx:latest\n"
        "## or on a port Docker picks\n$ docker run -d -P nginx:latest\n"
        "## or only on localhost\n$ docker run -d -p 127.0.0.1:8080:80 nginx:latest\n"
        "$ docker run -d -p 8080:3000 api\n```\n"
    )
    found = lint([Source("run.md", "markdown", path=page)], ctx=Context()).diagnostics
    # The variants never run together; another image on the port still
    # clashes, with each of them.
    assert [(d.code, d.line) for d in found if d.code == "PS101"] == [("PS101", 8)] * 2
    # A shell script is no page of examples: it runs every line.
    script = tmp_path / "run.sh"
    script.write_text(
        "docker run -d -p 8080:80 nginx:latest\ndocker run -d -p 127.0.0.1:8080:80 nginx:latest\n"
    )
    found = lint([Source("run.sh", "shell", path=script)], ctx=Context()).diagnostics
    assert [(d.code, d.line) for d in found] == [("PS101", 2)]


_REPLICAS = (
    "services:\n  vote:\n    image: vote\n    ports: ['8080:80']\n    deploy:\n      replicas: 2\n"
)


@pytest.mark.parametrize(
    ("name", "text", "codes"),
    [
        ("compose.yaml", _REPLICAS, ["PS106"]),
        ("docker-compose.stacked.yml", _REPLICAS, ["PS106"]),
        ("docker-stack.yml", _REPLICAS, []),
        ("voting-app-stack.yml", _REPLICAS, []),
        (
            "compose.yaml",
            _REPLICAS + "      placement:\n        constraints: [node.role==worker]\n",
            [],
        ),
        ("compose.yaml", _REPLICAS + "      update_config:\n        parallelism: 1\n", []),
        ("compose.yaml", _REPLICAS + "networks:\n  front:\n    driver: overlay\n", []),
        ("compose.yaml", _REPLICAS + "networks:\n  front:\n    driver: bridge\n", ["PS106"]),
    ],
)
def test_replicas_share_a_port_only_outside_swarm(
    tmp_path: Path, name: str, text: str, codes: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text)
    found = lint([Source(name, "compose", path=path)], ctx=Context()).diagnostics
    assert [d.code for d in found if d.code in ("PS106", "PS107")] == codes


def test_a_profile_compose_refuses_runs_nothing_together() -> None:
    # extends appends profiles: under "none" all three run, and Compose refuses
    # that choice (container name "app" twice); each real profile runs one.
    text = (
        "services:\n"
        "  base:\n    image: x\n    ports: ['8080:8080']\n    profiles: [none]\n"
        "  from-image:\n    extends: base\n    container_name: app\n    profiles: [image]\n"
        "  local:\n    extends: base\n    container_name: app\n    profiles: [local]\n"
    )
    assert [d.code for d in lint_text(text, "compose.yaml", env={})] == []
    # Without the shared name the "none" choice runs them together: a real clash.
    clash = text.replace("    container_name: app\n", "", 1)
    assert [d.code for d in lint_text(clash, "compose.yaml", env={})].count("PS101") == 2


def test_a_clash_inherited_through_extends_names_both_real_places() -> None:
    text = (
        "services:\n"
        "  base:\n    image: x\n    ports: ['8080:80']\n    profiles: [tools]\n"
        "  web:\n    extends: base\n    profiles: !reset []\n"
        "  api:\n    extends: {service: base}\n    profiles: !reset []\n"
    )
    found = lint_text(text, "compose.yaml", env={})
    assert [(d.code, d.line, d.column) for d in found] == [("PS101", 4, 13)] * 2  # as in base
    assert [d.message for d in found] == [
        "host port already bound: tcp/8080 on 0.0.0.0 and ::"
        " is also bound by api (8080:80)"
        " at compose.yaml:4:13, through its extends at compose.yaml:10:14",
        "host port already bound: tcp/8080 on 0.0.0.0 and ::"
        " for web (extends at compose.yaml:7:14) is also bound by api (8080:80)"
        " at compose.yaml:4:13, through its extends at compose.yaml:10:14",
    ]
    # A service's own entries are its own: no extends named.
    own = text.replace("    extends: base\n", "    extends: base\n    ports: ['9000:80']\n", 1)
    own += "  other:\n    image: x\n    ports: ['9000:81']\n"
    [mine] = [d for d in lint_text(own, "c.yaml", env={}) if "9000" in d.message]
    assert mine.line == 8
    assert mine.message == (
        "host port already bound: tcp/9000 on 0.0.0.0 and :: is also bound by other (9000:81)"
        " at c.yaml:15:13"
    )


@pytest.mark.parametrize(
    ("links", "network", "found"),
    [
        ("[db]", "", [("PS304", "info")]),
        ("['db:db']", "", [("PS304", "info")]),
        ("['db:database']", "", []),  # the alias is a name of its own
        ("[db]", "    network_mode: bridge\n", [("PS304", "warning")]),
        # On networks they do not share, the name does not reach it: no such advice.
        ("[db]", "    networks: [front]\nnetworks: {front: {}}\n", []),
        ("[db]", "    networks: [front, default]\nnetworks: {front: {}}\n", [("PS304", "info")]),
    ],
)
def test_compose_links_are_legacy_only_where_they_add_nothing(
    links: str, network: str, found: list[tuple[str, str]]
) -> None:
    text = f"services:\n  db:\n    image: x\n  web:\n    image: x\n    links: {links}\n{network}"
    codes = [(d.code, str(d.severity)) for d in lint_text(text, "compose.yaml", env={})]
    assert [c for c in codes if c[0] == "PS304"] == found


def test_the_planted_file_gives_every_finding_in_one_run() -> None:
    text = (
        'services:\n  web:\n    image: nginx\n    ports: ["8080:80", 2222:22]\n'
        '    links: [cache]\n  db:\n    image: postgres\n    ports: ["5432:5432"]\n'
        '  admin:\n    image: adminer\n    ports: ["127.0.0.1:8080:8080"]\n'
        '  bad:\n    image: alpine\n    ports: ["99999:80"]\n'
    )
    found = {(d.code, d.line) for d in lint_text(text, "compose.yaml", env={})}
    assert found >= {
        ("PS001", 14),
        ("PS111", 5),
        ("PS101", 4),
        ("PS301", 8),
        ("PS305", 4),
        ("PS304", 5),
    }
