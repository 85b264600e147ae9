"""Compose interpolation and .env files: tables checked against ``docker-compose config``.

tests/differential/test_compose_yaml.py runs the same tables through the real
binary (v2.40, compose-go v2.9.1) wherever it is installed.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from portspec import PortSpecError
from portspec.sources._interpolate import (
    Interpolated,
    Variable,
    interpolate,
    parse_dotenv,
    project_environment,
)

# The environment the INTERPOLATION tables are read with.
ENV = {"A": "1", "E": "", "B": "two", "X_1": "x1", "lower": "low", "\u017f": "longs"}
# The process environment the DOTENV tables are read with.
OS_ENV = {"OSV": "os", "SHARED": "from-os"}

# (template, result, the variables Compose warns about: unset, no default)
INTERPOLATION: list[tuple[str, str, list[str]]] = [
    ("$A", "1", []),
    ("${A}", "1", []),
    ("$E", "", []),
    ("${E}", "", []),
    ("$U", "", ["U"]),
    ("${U}", "", ["U"]),
    ("${A:-d}", "1", []),
    ("${E:-d}", "d", []),
    ("${U:-d}", "d", []),
    ("${A-d}", "1", []),
    ("${E-d}", "", []),
    ("${U-d}", "d", []),
    ("${A:+alt}", "alt", []),
    ("${E:+alt}", "", []),
    ("${U:+alt}", "", []),
    ("${A+alt}", "alt", []),
    ("${E+alt}", "alt", []),
    ("${U+alt}", "", []),
    ("${A:?err}", "1", []),
    ("${E?err}", "", []),
    ("$$", "$", []),
    ("$$A", "$A", []),
    ("$$$A", "$1", []),
    ("$$$$", "$$", []),
    ("a$", "a$", []),
    ("$", "$", []),
    ("$1", "$1", []),
    ("$ A", "$ A", []),
    ("$-", "$-", []),
    ("$.", "$.", []),
    ("${A}${B}", "1two", []),
    ("$A$B", "1two", []),
    ("${A}B", "1B", []),
    ("$AB", "", ["AB"]),
    ("$A_B", "", ["A_B"]),
    ("${A:-${B:-x}}", "1", []),
    ("${U:-${U2:-x}}", "x", []),
    ("${U:-${B}}", "two", []),
    ("${A:-${U3}}", "1", ["U3"]),
    ("${U:-$B}", "two", []),
    ("${U:-$U4}", "", ["U4"]),
    ("${A:-x}}", "1}", []),
    ("${A}}", "1}", []),
    ("}${A}", "}1", []),
    ("${A:-{x}}", "1", []),
    ("${U:-{x}}", "{x}", []),
    ("${U:-{}x}", "{}x", []),
    ("${U:-}", "", []),
    ("${U-}", "", []),
    ("${U:+}", "", []),
    ("${U:-a}b${B}", "abtwo", []),
    ("${U:-a}b${U5}", "ab", ["U5"]),
    ("${A-x:-y}", "1", []),
    ("${U-x:-y}", "x:-y", []),
    ("${U:-x-y}", "x-y", []),
    ("${U:-x?y}", "x?y", []),
    ("${U+x-y}", "", []),
    ("${A+x-y}", "x-y", []),
    ("${U:-a:b}", "a:b", []),
    ("${lower}", "low", []),
    ("$lower", "low", []),
    ("${LOWER:-no}", "no", []),
    ("${X_1}", "x1", []),
    ("$X_1x", "", ["X_1x"]),
    ("${_}", "", ["_"]),
    ("$_", "", ["_"]),
    ("${__U:-q}", "q", []),
    ("${\u017f}", "longs", []),
    ("$\u017f", "longs", []),
    ("${U:-${E:-${A}}}", "1", []),
    ("${U:-$$}", "$", []),
    ("${U:-$${B}}", "${B}", []),
    ("${U:-a\\}b}", "a\\b}", []),
    ("\\${A}", "\\1", []),
    ("${U:-'q'}", "'q'", []),
    ('${U:-"q"}', '"q"', []),
    ("${U:- sp }", " sp ", []),
    ("${U:-a}${U:-b}", "ab", []),
    ("${U:-${U:-${U:-deep}}}", "deep", []),
    ("$A:$B", "1:two", []),
    ("${A}:${B:-3}", "1:two", []),
    ("x${U:-}y", "xy", []),
    ("${A:-}", "1", []),
    ("${E:-}", "", []),
    ("${U:-é}", "é", []),
    ("${U:-a b c}", "a b c", []),
    ("${U:-$1}", "$1", []),
    ("${U:-$ }", "$ ", []),
    ("pre ${A} post", "pre 1 post", []),
]

# (template, the start of the message, the text under the caret)
INTERPOLATION_ERRORS: list[tuple[str, str, str]] = [
    ("${A:-x}${B", "invalid interpolation format", "${B"),
    ("${", "invalid interpolation format", "${"),
    ("${}", "invalid interpolation format", "${}"),
    ("${1A}", "invalid interpolation format", "${1A}"),
    ("${A", "invalid interpolation format", "${A"),
    ("${A:x}", "invalid interpolation format", "${A:x}"),
    ("${A!}", "invalid interpolation format", "${A!}"),
    ("${A:-x", "invalid interpolation format", "${A:-x"),
    ("${ A}", "invalid interpolation format", "${ A}"),
    ("${A }", "invalid interpolation format", "${A }"),
    ("${U:?}", "required variable U is missing a value", "${U:?}"),
    ("${U?}", "required variable U is missing a value", "${U?}"),
    ("${E:?}", "required variable E is missing a value", "${E:?}"),
    ("${U:?boom}", "required variable U is missing a value", "${U:?boom}"),
    ("${E:?boom ${B}}", "required variable E is missing a value", "${E:?boom ${B}}"),
    ("${A:-${U:?inner}}", "required variable U is missing a value", "${U:?inner}"),
    ("${A:-${1}}", "invalid interpolation format", "${1}"),
    ("x${", "invalid interpolation format", "${"),
    ("${U:-a}${", "invalid interpolation format", "${"),
    ("${A#x}", "invalid interpolation format", "${A#x}"),
    ("${A/x/y}", "invalid interpolation format", "${A/x/y}"),
    ("${\u0131}", "invalid interpolation format", "${\u0131}"),
    ("${U:-x\ny}", "invalid interpolation format", "${U:-x"),
    ("${A:?${U:?nested}}", "required variable U is missing a value", "${U:?nested}"),
    ("${U?${B}}", "required variable U is missing a value", "${U?${B}}"),
    ("${-}", "invalid interpolation format", "${-}"),
    ("${:-x}", "invalid interpolation format", "${:-x}"),
    ("${A}${1}", "invalid interpolation format", "${1}"),
    ("${A:-${}}", "invalid interpolation format", "${}"),
    ("${A:?${U:?nested}}", "required variable U is missing a value", "${U:?nested}"),
]

# (.env text, the variables it defines) with OS_ENV as the process environment
DOTENV: list[tuple[str, dict[str, str]]] = [
    ("A=1\n", {"A": "1"}),
    ("A = 1\n", {"A": "1"}),
    ("A=1 # c\n", {"A": "1"}),
    ("A=1# c\n", {"A": "1# c"}),
    ("A='1 # c'\n", {"A": "1 # c"}),
    ('A="1 # c"\n', {"A": "1 # c"}),
    ("export A=1\n", {"A": "1"}),
    ("export  A=1\n", {"A": "1"}),
    ("exportA=1\n", {"exportA": "1"}),
    ("A: 1\n", {"A": "1"}),
    ("A:1\n", {"A": "1"}),
    ("A=\n", {"A": ""}),
    ("A\n", {}),
    ("OSV\n", {"OSV": "os"}),
    ("A=1\nB=$A\n", {"A": "1", "B": "1"}),
    ("A=1\nB=${A}x\n", {"A": "1", "B": "1x"}),
    ("B=${A:-d}\n", {"B": "d"}),
    ("A='$OSV'\n", {"A": "$OSV"}),
    ('A="$OSV"\n', {"A": "os"}),
    ("A=$OSV\n", {"A": "os"}),
    ('A="a\\nb"\n', {"A": "a\nb"}),
    ("A='a\\nb'\n", {"A": "a\\nb"}),
    ('A="a\\"b"\n', {"A": 'a"b'}),
    ("A='a\\'b'\n", {"A": "a'b"}),
    ('A="\\$OSV"\n', {"A": "$OSV"}),
    ("A=\\$OSV\n", {"A": "\\os"}),
    ("A=$$OSV\n", {"A": "$OSV"}),
    ('A="\\0101"\n', {"A": "A"}),
    ('A="\\x41"\n', {"A": "\\x41"}),
    ('A="\\t\\c"\n', {"A": "\t\\c"}),
    ('A="multi\nline"\n', {"A": "multi\nline"}),
    ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    ("\ufeffA=1\n", {"A": "1"}),
    ("# only\n", {}),
    ("\n\n  A=1\n", {"A": "1"}),
    ("  # c\n A=2\n", {"A": "2"}),
    ("A=1\nA=2\n", {"A": "2"}),
    ("SHARED=file\nB=$SHARED\n", {"SHARED": "file", "B": "from-os"}),
    ("A.B=1\n", {"A.B": "1"}),
    ("A-B=1\n", {"A-B": "1"}),
    ("A[0]=1\n", {"A[0]": "1"}),
    ("1A=1\n", {"1A": "1"}),
    ("A=1 2\n", {"A": "1 2"}),
    ("A=  spaced  \n", {"A": "spaced"}),
    ("A='x' trailing\n", {"A": "x"}),
    ('A="x"#c\n', {"A": "x"}),
    ("A=${UNSET}\n", {"A": ""}),
    ("A=${UNSET:-def}\n", {"A": "def"}),
    ("A=é\n", {"A": "é"}),
    ("Aé=1\n", {"Aé": "1"}),
    ("A=1\nexport B\n", {"A": "1"}),
    ("A=a#b\n", {"A": "a#b"}),
    ("A=a #b #c\n", {"A": "a"}),
    ('A=1\nB="$A ${A}"\n', {"A": "1", "B": "1 1"}),
    ("B=$A\nA=1\n", {"B": "", "A": "1"}),
    ("A=x=y\n", {"A": "x=y"}),
    ("A==\n", {"A": "="}),
    ("A=1\n\tB=2\n", {"A": "1", "B": "2"}),
    ("A=1\nB='$A'\n", {"A": "1", "B": "$A"}),
    ("A=${OSV:?need}\n", {"A": "os"}),
    ("A='${'\n", {"A": "${"}),
    ("FOO", {"": "FOO"}),
    ("FOO=bar", {"FOO": "bar"}),
    ("export\n", {}),
    ("A=1\nexport\tB=2\n", {"A": "1", "B": "2"}),
]

# (.env text, the start of the message)
DOTENV_ERRORS: list[tuple[str, str]] = [
    ('A="a\nB=2\n', 'line 3: unterminated quoted value "a'),
    ("A B=1\n", "line 1: key cannot contain a space"),
    ("A*=1\n", 'line 1: unexpected character "*" in variable name "A*=1"'),
    ("A=${NOPE:?need}\n", "line 2: required variable NOPE is missing a value: need"),
    (
        "A=${\n",
        "line 2: invalid interpolation format: ",
    ),
    (
        'A="${"\n',
        "line 1: invalid interpolation format: ",
    ),
]


def _ids(table: Sequence[tuple[object, ...]]) -> list[str]:
    return [repr(row[0]) for row in table]


@pytest.mark.parametrize(("template", "result", "unset"), INTERPOLATION, ids=_ids(INTERPOLATION))
def test_interpolation(template: str, result: str, unset: list[str]) -> None:
    done = interpolate(template, ENV)
    assert done.text == result
    assert [variable.name for variable in done.unset] == unset


@pytest.mark.parametrize(
    ("template", "message", "caret"), INTERPOLATION_ERRORS, ids=_ids(INTERPOLATION_ERRORS)
)
def test_interpolation_errors(template: str, message: str, caret: str) -> None:
    with pytest.raises(PortSpecError) as info:
        interpolate(template, ENV)
    error = info.value
    assert error.message.startswith(message)
    assert error.text == template
    assert error.span is not None
    start, end = error.span
    assert template[start:end] == caret


def test_where_names_the_value() -> None:
    with pytest.raises(PortSpecError) as info:
        interpolate("${PORT:?set PORT}", {}, where="services.web.ports.[]")
    assert info.value.message == (
        "error while interpolating services.web.ports.[]:"
        " required variable PORT is missing a value: set PORT"
    )
    with pytest.raises(PortSpecError) as info:
        interpolate("${1}", {}, where="services.web.ports.[]")
    assert info.value.message.startswith("invalid interpolation format for services.web.ports.[]: ")
    assert str(info.value).endswith("  ${1}\n  ^^^^")


def test_variables_and_positions() -> None:
    text = "${HOST:-0.0.0.0}:$PORT:${TARGET?}"
    done = interpolate(text, {"PORT": "8080", "TARGET": "80"})
    assert done == Interpolated(
        "0.0.0.0:8080:80",
        (
            Variable("HOST", 0, 16, ":-", False, ""),
            Variable("PORT", 17, 22, "", True, "8080"),
            Variable("TARGET", 23, 33, "?", True, "80"),
        ),
    )
    assert [text[v.start : v.end] for v in done.variables] == [
        "${HOST:-0.0.0.0}",
        "$PORT",
        "${TARGET?}",
    ]
    assert done.unset == ()


def test_nested_defaults_are_always_read() -> None:
    # Compose interpolates a default before it looks at the variable: B is
    # looked up (and warned about) although A is set.
    done = interpolate("${A:-${B}}", {"A": "1"})
    assert done.text == "1"
    assert [(v.name, v.start, v.end) for v in done.unset] == [("B", 5, 9)]
    with pytest.raises(PortSpecError, match="required variable B"):
        interpolate("${A:-${B:?}}", {"A": "1"})


def test_no_dollar_is_fast_and_untouched() -> None:
    assert interpolate("8080:80", {}) == Interpolated("8080:80")
    with pytest.raises(PortSpecError):
        interpolate(80, {})  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "expected"), DOTENV, ids=_ids(DOTENV))
def test_dotenv(text: str, expected: dict[str, str]) -> None:
    assert parse_dotenv(text, environ=OS_ENV) == expected
    assert parse_dotenv(text.encode(), environ=OS_ENV) == expected


@pytest.mark.parametrize(("text", "message"), DOTENV_ERRORS, ids=_ids(DOTENV_ERRORS))
def test_dotenv_errors(text: str, message: str) -> None:
    with pytest.raises(PortSpecError) as info:
        parse_dotenv(text, environ=OS_ENV)
    assert str(info.value).startswith(message)
    with pytest.raises(PortSpecError) as info:
        parse_dotenv(text, environ=OS_ENV, path=".env")
    assert info.value.message.startswith(".env:")


def test_dotenv_bytes() -> None:
    assert parse_dotenv(b"\xef\xbb\xbfA=caf\xc3\xa9\n") == {"A": "café"}
    # as in Compose: a byte that is not UTF-8 reads as U+FFFD, and is refused in a name
    assert parse_dotenv(b"A=caf\xe9\n") == {"A": "caf\ufffd"}
    with pytest.raises(PortSpecError, match="unexpected character"):
        parse_dotenv(b"A\xe9=1\n", path=".env")


def test_project_environment() -> None:
    first = "PORT=8080\nHOST=0.0.0.0\nURL=$HOST:$PORT\n"
    second = "HOST=127.0.0.1\nNEXT=$HOST\n"
    merged = project_environment({"PORT": "9090"}, first, second)
    # the process environment wins, a later file overrides an earlier one
    # and sees its variables
    assert merged == {
        "PORT": "9090",
        "HOST": "127.0.0.1",
        "URL": "0.0.0.0:9090",
        "NEXT": "127.0.0.1",
    }
    with pytest.raises(PortSpecError, match=r"^b\.env:2: unterminated quoted value"):
        project_environment({}, "A=1\n", "B='x\n", paths=("a.env", "b.env"))
