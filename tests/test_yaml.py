"""YAML as Compose v2 reads it: scalar typing, structure, positions, errors, hostile input.

Every row of the tables was checked against ``docker-compose config`` (v2.40,
go-yaml v3.0.4); tests/differential/test_compose_yaml.py checks them again
wherever the binary is installed.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import random
import time
from collections.abc import Sequence as SequenceOf

import pytest

from portspec import PortSpecError
from portspec.sources._yaml import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    Mapping,
    Node,
    Scalar,
    ScalarStyle,
    Sequence,
    compose_document,
    load_yaml,
    load_yaml_documents,
    to_python,
)

UTC = datetime.timezone.utc
NAN = math.nan

# (the scalar as written after "k: ", its YAML type, its value) as go-yaml
# decodes it into Compose's map[string]interface{}.
TYPING: list[tuple[str, str, object]] = [
    # strings where YAML 1.1 would have numbers or booleans
    ("22:22", "!!str", "22:22"),
    ("12:30:00", "!!str", "12:30:00"),
    ("190:20:30", "!!str", "190:20:30"),
    ("1:2", "!!str", "1:2"),
    ("yes", "!!str", "yes"),
    ("no", "!!str", "no"),
    ("on", "!!str", "on"),
    ("off", "!!str", "off"),
    ("y", "!!str", "y"),
    ("tRue", "!!str", "tRue"),
    ("0b", "!!str", "0b"),
    ("0x", "!!str", "0x"),
    ("0o8", "!!str", "0o8"),
    ("0b2", "!!str", "0b2"),
    ("0xG", "!!str", "0xG"),
    ("_1", "!!str", "_1"),
    ("1,000", "!!str", "1,000"),
    ("1 000", "!!str", "1 000"),
    ("1.0.0", "!!str", "1.0.0"),
    ("80-81", "!!str", "80-81"),
    ("80/udp", "!!str", "80/udp"),
    ("Infinity", "!!str", "Infinity"),
    ("inf", "!!str", "inf"),
    ("+inf", "!!str", "+inf"),
    ("NaN", "!!str", "NaN"),
    (".iNf", "!!str", ".iNf"),
    (".Nan", "!!str", ".Nan"),
    ("+.NaN", "!!str", "+.NaN"),
    ("-.nan", "!!str", "-.nan"),
    (".", "!!str", "."),
    ("..5", "!!str", "..5"),
    ("._5", "!!str", "._5"),
    (".5_", "!!str", ".5_"),
    (".5e", "!!str", ".5e"),
    (".5e400", "!!str", ".5e400"),
    ("1e400", "!!str", "1e400"),
    ("1.8e308", "!!str", "1.8e308"),
    ("0x10000000000000000", "!!str", "0x10000000000000000"),
    ("0x1p4", "!!str", "0x1p4"),
    ("1e", "!!str", "1e"),
    ("1.e", "!!str", "1.e"),
    ("e1", "!!str", "e1"),
    ("1.5e3.", "!!str", "1.5e3."),
    ("2001-02-30", "!!str", "2001-02-30"),
    ("2001-13-01", "!!str", "2001-13-01"),
    ("20011-01-01", "!!str", "20011-01-01"),
    ("2001-01-01T00:00:00", "!!str", "2001-01-01T00:00:00"),
    ("2001-01-01 00:00:00Z", "!!str", "2001-01-01 00:00:00Z"),
    ("2001-01-01T24:00:00Z", "!!str", "2001-01-01T24:00:00Z"),
    ("'80'", "!!str", "80"),
    ('"0x50"', "!!str", "0x50"),
    ("''", "!!str", ""),
    ("!!str 80", "!!str", "80"),
    ("!!str 0x50", "!!str", "0x50"),
    ("!!str", "!!str", ""),
    ("!custom 0x1F", "!custom", "0x1F"),
    ("!custom ~", "!custom", "~"),
    ("!custom", "!custom", ""),
    ("!override 0x50", "!override", "0x50"),
    ("!!binary aGVsbG8=", "!!binary", "hello"),
    ("!!binary gA==", "!!binary", "\ufffd"),
    # integers: Go's ParseInt(text, 0, 64) once every '_' is gone
    ("80", "!!int", 80),
    ("0x50", "!!int", 80),
    ("0X1F", "!!int", 31),
    ("0x1F", "!!int", 31),
    ("-0x1F", "!!int", -31),
    ("+0x10", "!!int", 16),
    ("0o17", "!!int", 15),
    ("0O17", "!!int", 15),
    ("-0o17", "!!int", -15),
    ("017", "!!int", 15),
    ("0_17", "!!int", 15),
    ("0b101", "!!int", 5),
    ("0b1_0", "!!int", 2),
    # go-yaml's fallback for 0b/0o reads a sign after the prefix
    ("0o-41", "!!int", -33),
    ("0o+17", "!!int", 15),
    ("0b-101", "!!int", -5),
    ("0o-", "!!str", "0o-"),
    ("0O-17", "!!str", "0O-17"),
    ("0x-1F", "!!str", "0x-1F"),
    ("+0o-17", "!!str", "+0o-17"),
    ("1_000", "!!int", 1000),
    ("1__0", "!!int", 10),
    ("1_", "!!int", 1),
    ("1__", "!!int", 1),
    ("-_1", "!!int", -1),
    ("+_1", "!!int", 1),
    ("0_x10", "!!int", 16),
    ("0x_1F", "!!int", 31),
    ("+80", "!!int", 80),
    ("-80", "!!int", -80),
    ("-0", "!!int", 0),
    ("+0", "!!int", 0),
    ("0", "!!int", 0),
    ("00", "!!int", 0),
    ("9223372036854775807", "!!int", 9223372036854775807),
    ("9223372036854775808", "!!int", 9223372036854775808),
    ("18446744073709551615", "!!int", 18446744073709551615),
    ("0xFFFFFFFFFFFFFFFF", "!!int", 18446744073709551615),
    ("-9223372036854775808", "!!int", -9223372036854775808),
    ("!!int '80'", "!!int", 80),
    ("!!int 0x50", "!!int", 80),
    ("! 0x1F", "!!int", 31),
    ("!<!> 0x1F", "!!int", 31),
    ("!<tag:yaml.org,2002:int> 80", "!!int", 80),
    # floats
    ("08", "!!float", 8.0),
    ("08.0", "!!float", 8.0),
    ("01.5", "!!float", 1.5),
    ("80.0", "!!float", 80.0),
    ("80.5", "!!float", 80.5),
    ("1.", "!!float", 1.0),
    ("0.", "!!float", 0.0),
    (".5", "!!float", 0.5),
    ("+.5", "!!float", 0.5),
    ("-.5", "!!float", -0.5),
    ("+.5e1", "!!float", 5.0),
    (".5E-1", "!!float", 0.05),
    (".1e-400", "!!float", 0.0),
    (".5_0", "!!float", 0.5),
    (".5e1_0", "!!float", 5e9),
    ("1e3", "!!float", 1000.0),
    ("1E3", "!!float", 1000.0),
    ("1e+3", "!!float", 1000.0),
    ("1.e+3", "!!float", 1000.0),
    ("1.0e+3", "!!float", 1000.0),
    ("0.1e-2", "!!float", 0.001),
    ("1e-7", "!!float", 1e-7),
    ("2e-400", "!!float", 0.0),
    ("4e-324", "!!float", 5e-324),
    ("1e4_0", "!!float", 1e40),
    ("1_000.5", "!!float", 1000.5),
    ("1.5_5", "!!float", 1.55),
    ("-0.0", "!!float", -0.0),
    ("99999999999999999999", "!!float", 1e20),
    ("18446744073709551616", "!!float", 18446744073709551616.0),
    ("-9223372036854775809", "!!float", -9223372036854775809.0),
    ("+18446744073709551615", "!!float", 18446744073709551615.0),
    ("1.7976931348623157e308", "!!float", 1.7976931348623157e308),
    (".inf", "!!float", math.inf),
    (".Inf", "!!float", math.inf),
    (".INF", "!!float", math.inf),
    ("+.inf", "!!float", math.inf),
    ("-.INF", "!!float", -math.inf),
    (".nan", "!!float", NAN),
    (".NaN", "!!float", NAN),
    (".NAN", "!!float", NAN),
    ("!!float 80", "!!float", 80.0),
    ("!!float 0x50", "!!float", 80.0),
    ("!!float '1'", "!!float", 1.0),
    # booleans and null
    ("true", "!!bool", True),
    ("True", "!!bool", True),
    ("TRUE", "!!bool", True),
    ("false", "!!bool", False),
    ("False", "!!bool", False),
    ("FALSE", "!!bool", False),
    ("!!bool true", "!!bool", True),
    ("~", "!!null", None),
    ("null", "!!null", None),
    ("Null", "!!null", None),
    ("NULL", "!!null", None),
    ("", "!!null", None),
    ("!!null", "!!null", None),
    ("!!null ''", "!!null", None),
    # timestamps (which Compose then refuses wherever they are read)
    ("2001-12-14", "!!timestamp", datetime.datetime(2001, 12, 14, tzinfo=UTC)),
    ("2001-1-1", "!!timestamp", datetime.datetime(2001, 1, 1, tzinfo=UTC)),
    ("2000-02-29", "!!timestamp", datetime.datetime(2000, 2, 29, tzinfo=UTC)),
    ("2001-01-01T00:00:00Z", "!!timestamp", datetime.datetime(2001, 1, 1, tzinfo=UTC)),
    ("2001-01-01 00:00:00", "!!timestamp", datetime.datetime(2001, 1, 1, tzinfo=UTC)),
    ("2001-01-01  00:00:00", "!!timestamp", datetime.datetime(2001, 1, 1, tzinfo=UTC)),
    (
        "2001-01-01T00:00:00,5Z",
        "!!timestamp",
        datetime.datetime(2001, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
    ),
    (
        "2001-01-01t1:2:3+01:00",
        "!!timestamp",
        datetime.datetime(
            2001, 1, 1, 1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
        ),
    ),
    ("!!timestamp 2001-12-14", "!!timestamp", datetime.datetime(2001, 12, 14, tzinfo=UTC)),
]

# (the scalar as written after "k: ", the start of the message) for scalars
# go-yaml refuses to decode.
BAD_SCALARS: list[tuple[str, str]] = [
    ("!!int 80.0", "cannot read `80.0` as !!int: it is a float in YAML"),
    ("!!int a", "cannot read `a` as !!int: it is a str in YAML"),
    ("!!bool yes", "cannot read `yes` as !!bool: it is a str in YAML"),
    ("!!bool 1", "cannot read `1` as !!bool: it is a int in YAML"),
    ("!!null a", "cannot read `a` as !!null: it is a str in YAML"),
    ("!!timestamp a", "cannot read `a` as !!timestamp: it is a str in YAML"),
    (
        "!!float 18446744073709551615",
        "cannot read `18446744073709551615` as !!float: it is a int in YAML",
    ),
    ("!!binary aGVsbG8", "!!binary value contains invalid base64 data"),
]

# (YAML text, the plain Python value Compose reads) for structure: merge keys,
# anchors, tags, escapes and layout.
STRUCTURE: list[tuple[str, object]] = [
    ("a: {b: [1, 'x', ~]}", {"a": {"b": [1, "x", None]}}),
    ("a: &x {k: 1}\nb: *x", {"a": {"k": 1}, "b": {"k": 1}}),
    ("a: &x [&x 1, *x]\nb: *x", {"a": [1, 1], "b": 1}),
    ("a: &x 1\nb: &x 2\nc: *x", {"a": 1, "b": 2, "c": 2}),
    ("*k : 1\nk: &k z", None),  # an alias before its anchor: refused (see ERRORS)
    ("<<: {a: 1, b: 2}\nb: 3", {"a": 1, "b": 3}),
    ("b: 3\n<<: {a: 1, b: 2}", {"b": 3, "a": 1}),
    ("<<: [{a: 1}, {a: 2, b: 3}]\nc: 4", {"c": 4, "a": 1, "b": 3}),
    ("x: &a {k: 1}\ny: {<<: [*a, {k: 2, j: 3}]}", {"x": {"k": 1}, "y": {"k": 1, "j": 3}}),
    ("x: &a [{k: 1}]\ny: {<<: *a}", {"x": [{"k": 1}], "y": {"k": 1}}),
    ("x: &a {k: 1}\ny: {<<: {<<: *a, j: 2}}", {"x": {"k": 1}, "y": {"j": 2, "k": 1}}),
    ("!!merge <<: {a: 1}", {"a": 1}),
    ("'<<': {a: 1}", {"<<": {"a": 1}}),
    ("!!str <<: {a: 1}", {"<<": {"a": 1}}),
    ("<<: []", {}),
    # a string map decodes merged keys as the text they were spelled as
    ("<<: {1: a}\n'1': b", {"1": "b"}),
    ("<<: {~: a, true: b, 0x1: c}\nz: 1", {"z": 1, "true": "b", "0x1": "c"}),
    ('a: "it\\\'s"', {"a": "it's"}),
    ('a: ["\\\'", "\\\\\'", "\\e\\\'\\x1b"]', {"a": ["'", "\\'", "\x1b'\x1b"]}),
    ("a: 'x\\'", {"a": "x\\"}),
    ("a: x\\'y", {"a": "x\\'y"}),
    ('a: "\\x41\\u0042\\U00000043\\N\\_\\L\\P\\ "', {"a": "ABC\x85\xa0\u2028\u2029 "}),
    ("a: |\n  x\n   y\n", {"a": "x\n y\n"}),
    ("a: >-\n  x\n  y\n\n", {"a": "x y"}),
    ("a: 'x\n\n  y'", {"a": "x\ny"}),
    ("a: x\n  y", {"a": "x y"}),
    ("a: x #c", {"a": "x"}),
    ("a: x#c", {"a": "x#c"}),
    ("a: [a: 1]", {"a": [{"a": 1}]}),
    ("a: {x, y}", {"a": {"x": None, "y": None}}),
    ("a: !reset [1]", {"a": [1]}),
    ("\ufeffa: 1", {"a": 1}),
    ("a: x\u2028b", None),  # LS is a line break in YAML 1.1 (see ERRORS)
    ("a: 1\r\nb: 2\r\n", {"a": 1, "b": 2}),
    ("%YAML 1.1\n---\na: 1", {"a": 1}),
    ("---\na: 1\n...\n", {"a": 1}),
]

# (text, the message without its position, the caret line) for YAML Compose refuses.
ERRORS: list[tuple[str, str, str]] = [
    ("a: [1\n", "did not find expected ',' or ']'", "a: [1"),
    ("a: b: c", "mapping values are not allowed in this context", "a: b: c"),
    ("a:\n\t- b", "found character that cannot start any token", "\\t- b"),
    ("a: 'x", "found unexpected end of stream", "a: 'x"),
    ("a: 1\na: 2", 'mapping key "a" already defined at line 1', "a: 2"),
    ("a: 1\n'a': 2", 'mapping key "a" already defined at line 1', "'a': 2"),
    ("<<: {a: 1}\n<<: {b: 1}", 'mapping key "<<" already defined at line 1', "<<: {b: 1}"),
    ("a: *x", "unknown anchor 'x' referenced", "a: *x"),
    ("*k : 1\nk: &k z", "unknown anchor 'k' referenced", "*k : 1"),
    ("a: &x [*x]", "alias *x is inside the node its anchor names: a cycle", "a: &x [*x]"),
    ("<<: 1", "map merge requires map or sequence of maps as the value", "<<: 1"),
    ("<<: ~", "map merge requires map or sequence of maps as the value", "<<: ~"),
    ("<<: [1]", "map merge requires map or sequence of maps as the value", "<<: [1]"),
    ("<<: [[{a: 1}]]", "map merge requires map or sequence of maps as the value", "<<: [[{a: 1}]]"),
    ("? [a]\n: 1", "a mapping key must be a scalar, not a collection", "? [a]"),
    ('a: "x\\/y"', "found unknown escape character \\/", 'a: "x\\/y"'),
    ('a: "\\q"', "found unknown escape character", 'a: "\\q"'),
    ('a: "\\uD800"', "found invalid Unicode character escape code", 'a: "\\uD800"'),
    ("a: 'x'y", "did not find expected key", "a: 'x'y"),
    ("%YAML 1.2\n---\na: 1", "found incompatible YAML document: %YAML 1.2", "%YAML 1.2"),
    ("a: 1\n---\nb: 2", "a second YAML document: expected one", "---"),
    ("a: 1\n...\nfoo", "did not find expected <document start>", "foo"),
    ("a: x\x00y", "control characters are not allowed: found U+0000", "a: x\\x00y"),
    ("a: x\x07y", "control characters are not allowed: found U+0007", "a: x\\x07y"),
    ("a: x\x7fy", "control characters are not allowed: found U+007F", "a: x\\x7fy"),
    ("a: x\ud800", "control characters are not allowed: found U+D800", "a: x\\ud800"),
    ("a: x\u2028b", "could not find expected ':'", "b"),
    ("!!int 80.0: x", "cannot read `80.0` as !!int: it is a float in YAML", "!!int 80.0: x"),
]


def _scalar(text: str) -> Scalar:
    node = load_yaml(f"k: {text}")
    assert isinstance(node, Mapping)
    value = node["k"]
    assert isinstance(value, Scalar)
    return value


def _ids(table: SequenceOf[tuple[object, ...]]) -> list[str]:
    return [repr(row[0]) for row in table]


def _same(got: object, expected: object) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(got, float) and math.isnan(got)
    if isinstance(expected, float):
        return (
            type(got) is float
            and got == expected
            and math.copysign(1, got) == math.copysign(1, expected)
        )
    return type(got) is type(expected) and got == expected


@pytest.mark.parametrize(("text", "yaml_type", "value"), TYPING, ids=_ids(TYPING))
def test_typing(text: str, yaml_type: str, value: object) -> None:
    node = _scalar(text)
    assert node.yaml_type == yaml_type
    assert _same(node.value, value), node.value


@pytest.mark.parametrize(("text", "message"), BAD_SCALARS, ids=_ids(BAD_SCALARS))
def test_bad_scalar(text: str, message: str) -> None:
    with pytest.raises(PortSpecError) as info:
        load_yaml(f"k: {text}")
    assert info.value.message == f"line 1, column 4: {message}"
    assert info.value.text == f"k: {text}"
    assert info.value.span == (3, 3 + len(text))


@pytest.mark.parametrize(("text", "expected"), STRUCTURE, ids=_ids(STRUCTURE))
def test_structure(text: str, expected: object) -> None:
    if expected is None:
        with pytest.raises(PortSpecError):
            load_yaml(text)
        return
    assert to_python(load_yaml(text)) == expected


@pytest.mark.parametrize(("text", "message", "line"), ERRORS, ids=_ids(ERRORS))
def test_errors(text: str, message: str, line: str) -> None:
    with pytest.raises(PortSpecError) as info:
        load_yaml(text, path="compose.yaml")
    error = info.value
    assert error.message.startswith("compose.yaml:")
    assert message in error.message
    shown = error.caret_lines().splitlines()[0].strip()
    assert shown == line.strip()


def test_error_position_and_caret() -> None:
    with pytest.raises(PortSpecError) as info:
        load_yaml("services:\n  web:\n    ports: [80\n", path="compose.yaml")
    # at the end of the stream: shown after the last text
    assert str(info.value) == (
        "compose.yaml:3:15: did not find expected ',' or ']'"
        " (while parsing a flow sequence at line 3, column 12)\n"
        "      ports: [80\n"
        "                ^"
    )
    with pytest.raises(PortSpecError) as info:
        load_yaml("services:\n  web:\n    ports: !!int 8o\n")
    assert str(info.value) == (
        "line 3, column 12: cannot read `8o` as !!int: it is a str in YAML\n"
        "      ports: !!int 8o\n"
        "             ^^^^^^^^"
    )


def test_positions() -> None:
    text = "\ufeffservices:\n  web:\n    ports:\n      - 0x50\n      - 'é:80'\n"
    doc = load_yaml(text, path="c.yaml")
    assert isinstance(doc, Mapping)
    services = doc["services"]
    assert isinstance(services, Mapping)
    key = services.entries[0].key
    assert isinstance(key, Scalar)
    assert (key.span.line, key.span.column, key.raw) == (2, 3, "web")
    ports = services["web"]
    assert isinstance(ports, Mapping)
    items = ports["ports"]
    assert isinstance(items, Sequence)
    first, second = items.items
    assert isinstance(first, Scalar)
    assert isinstance(second, Scalar)
    assert (first.value, first.text, first.raw, first.style) == (
        80,
        "0x50",
        "0x50",
        ScalarStyle.PLAIN,
    )
    assert text[first.span.start : first.span.end] == "0x50"
    assert (first.span.line, first.span.column, first.span.path) == (4, 9, "c.yaml")
    assert second.style is ScalarStyle.SINGLE_QUOTED
    assert (second.value, second.raw) == ("é:80", "'é:80'")
    assert text[second.span.start : second.span.end] == "'é:80'"


def test_tags_stay_on_nodes() -> None:
    doc = load_yaml("ports: !reset []\nlabels: !override {a: 1}\nimage: !reset x\n")
    assert isinstance(doc, Mapping)
    assert [doc[key].tag for key in ("ports", "labels", "image")] == [
        "!reset",
        "!override",
        "!reset",
    ]
    assert isinstance(doc["ports"], Sequence)


def test_merged_entries_are_marked() -> None:
    doc = load_yaml("base: &b {image: x, ports: [80]}\nweb:\n  <<: *b\n  image: y\n")
    assert isinstance(doc, Mapping)
    web = doc["web"]
    assert isinstance(web, Mapping)
    assert [(e.key.value, e.merged) for e in web.entries if isinstance(e.key, Scalar)] == [
        ("image", False),
        ("ports", True),
    ]
    # an alias is the very node its anchor names, with the anchor's position
    base = doc["base"]
    assert isinstance(base, Mapping)
    assert web["ports"] is base["ports"]
    assert web["ports"].span.line == 1


def test_documents() -> None:
    assert load_yaml_documents("") == ()
    assert load_yaml_documents("# nothing\n") == ()
    empty = load_yaml("")
    assert isinstance(empty, Scalar)
    assert empty.value is None
    docs = load_yaml_documents("a: &x 1\n---\nb: *x\n---\n")
    assert [to_python(doc) for doc in docs] == [{"a": 1}, {"b": 1}, None]


def test_bytes_and_encodings() -> None:
    assert to_python(load_yaml(b"a: caf\xc3\xa9")) == {"a": "café"}
    assert to_python(load_yaml(b"\xef\xbb\xbfa: 1")) == {"a": 1}
    assert to_python(load_yaml("\ufeffa: 1".encode("utf-16"))) == {"a": 1}
    assert to_python(load_yaml("\ufeffa: 1".encode("utf-16-be"))) == {"a": 1}
    with pytest.raises(PortSpecError) as info:
        load_yaml(b"a: 1\nb: caf\xe9\n")
    assert "invalid UTF-8 at byte offset 11 (0xe9)" in info.value.message
    assert info.value.message.startswith("line 2, column 7:")
    # UTF-16 without a byte order mark reads as UTF-8 with NULs, as in Compose
    with pytest.raises(PortSpecError, match="control characters"):
        load_yaml("a: 1".encode("utf-16-le"))
    with pytest.raises(PortSpecError, match="expected YAML as text or bytes"):
        load_yaml(42)  # type: ignore[arg-type]


def test_compose_document() -> None:
    doc = compose_document(load_yaml("services:\n  web:\n    labels:\n      a: b\n"))
    assert "services" in doc
    cases = [
        ("[1]", "top-level object must be a mapping"),
        ("x", "top-level object must be a mapping"),
        ("80: x", "non-string key at top level: 80"),
        (
            "services:\n  web:\n    labels:\n      80: x",
            "non-string key in services.web.labels: 80",
        ),
        ("s:\n  l:\n    ~: a", "non-string key in s.l: <nil>"),
        ("s:\n  l:\n    true: a", "non-string key in s.l: true"),
        ("s:\n  l:\n    1.5: a", "non-string key in s.l: 1.5"),
        ("s:\n  l:\n    1e7: a", "non-string key in s.l: 1e+07"),
        ("s:\n  l:\n    -0.0: a", "non-string key in s.l: -0"),
        ("s: [{a: 1}, {2: b}]", "non-string key in s[1]: 2"),
    ]
    for text, message in cases:
        with pytest.raises(PortSpecError) as info:
            compose_document(load_yaml(text))
        assert info.value.message.endswith(message), info.value.message
    # tagged strings are strings
    compose_document(load_yaml("!custom a: 1\n!!binary aGVsbG8=: 2\n'80': 3"))


def test_mapping_access() -> None:
    doc = load_yaml("a: 1\n2: b\n'3': c")
    assert isinstance(doc, Mapping)
    assert doc.get("a") == Scalar(1, "!!int")
    assert doc.get("2") is None
    assert "3" in doc
    assert 3 not in doc
    assert len(doc) == 3
    assert [key.value for key, _ in doc.items() if isinstance(key, Scalar)] == ["a", 2, "3"]
    with pytest.raises(KeyError):
        doc["nope"]


def test_equality_ignores_spelling_and_place() -> None:
    assert load_yaml("[0x50, 80, '80']") == load_yaml('[\n  80,\n  0o120,\n  "80"\n]')
    assert load_yaml("[80]") != load_yaml("['80']")
    assert load_yaml("[1]") != load_yaml("[true]")


# ------------------------------------------------------------------ hostile input


def _laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghijk"[: levels - 1]:
        refs = ",".join(f"*{previous}" for _ in range(9))
        lines.append(f"{name}: &{name} [{refs}]")
        previous = name
    return "\n".join(lines) + "\n"


def _quick(text: str, seconds: float = 5.0) -> Node:
    """load_yaml, which must answer (a node or an error) within ``seconds``."""
    start = time.perf_counter()
    try:
        return load_yaml(text)
    finally:
        assert time.perf_counter() - start < seconds


def test_billion_laughs() -> None:
    with pytest.raises(PortSpecError) as info:
        _quick(_laughs(9))
    assert "too many aliases" in info.value.message
    assert f"{MAX_ALIAS_NODES:,}" in info.value.message
    # 9^5 expands to some 66,000 nodes: Compose reads it (in seconds), so do we
    doc = _quick(_laughs(5))
    assert isinstance(doc, Mapping)


def test_merge_bomb() -> None:
    keys = ",".join(f"k{i}: {i}" for i in range(300))
    text = f"x: &a {{{keys}}}\n" + "".join(f"y{i}: {{<<: *a}}\n" for i in range(1000))
    with pytest.raises(PortSpecError, match="too many aliases"):
        _quick(text)


@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 5000 + "]" * 5000,
        "x: " + "{a: " * 5000 + "1" + "}" * 5000,
        "".join(" " * i + "k:\n" for i in range(5000)) + " " * 5000 + "v\n",
        "- " * 5000 + "x\n",
        "[" * 1_000_000,
    ],
    ids=["flow sequences", "flow mappings", "block mappings", "block sequences", "1M brackets"],
)
def test_deep_nesting(text: str) -> None:
    with pytest.raises(PortSpecError) as info:
        _quick(text)
    assert f"too deeply nested: more than {MAX_DEPTH} levels" in info.value.message


def test_deepest_allowed() -> None:
    text = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    node = load_yaml(text)
    depth = 0
    while isinstance(node, (Mapping, Sequence)):
        node = node.entries[0].value if isinstance(node, Mapping) else (node.items or [None])[0]  # type: ignore[assignment]
        depth += 1
    assert depth == MAX_DEPTH
    to_python(load_yaml(text))  # no RecursionError


def test_large_input_is_linear() -> None:
    service = "  svc{i}:\n    image: nginx\n    ports: ['{p}:80', 127.0.0.1:{p}:81/udp]\n"
    text = "services:\n" + "".join(service.format(i=i, p=1000 + i) for i in range(12_000))
    assert len(text) > 700_000
    doc = _quick(text, seconds=20.0)
    assert isinstance(doc, Mapping)
    big = 'x: "' + "a\\'" * 300_000 + '"\n'
    assert to_python(_quick(big)) == {"x": "a'" * 300_000}


def test_many_escaped_quotes_in_many_strings() -> None:
    text = "".join(f'k{i}: "it\\\'s {i}"\n' for i in range(300))
    assert to_python(load_yaml(text))["k299"] == "it's 299"


def test_random_input_raises_only_portspec_errors() -> None:
    rng = random.Random(20240611)
    alphabet = ["a", "1", " ", "\n", ":", "-", "[", "]", "{", "}", ",", "&a", "*a", "!", "'", '"']
    alphabet += ["<<", "#", "|", ">", "?", "\\", "%", "---", "...", "\t", "0x", "é", "\x00"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40)))
        with contextlib.suppress(PortSpecError):
            load_yaml_documents(text)
    for _ in range(300):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))
        with contextlib.suppress(PortSpecError):
            load_yaml_documents(data)


def _walk(node: Node) -> int:
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        count += 1
        if isinstance(current, Mapping):
            stack.extend(entry.value for entry in current.entries)
        elif isinstance(current, Sequence):
            stack.extend(current.items)
    return count


def test_aliases_share_nodes() -> None:
    doc = load_yaml(_laughs(5))
    # 5 shared lists of 9 make 66,430 nodes when walked, far more than were read
    assert _walk(doc) > 66_000
