"""Texts generated from the grammar itself: they parse, and both parsers agree on them.

The patterns generated from the grammar (``portspec/_matchers.py``) must accept
exactly what the LALR parser accepts and read it into the same parse, made of
the same classes.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from portspec import PortSpecError, _grammar, parse_expose, parse_link, parse_publish
from tests.property.strategies import any_text, ipv4, ipv6

# Terminals whose look-aheads hypothesis cannot generate from: given here.
# Ports stay within 0-65535 so that every generated text is valid.
_port_text = st.builds(
    lambda zeros, port: "0" * zeros + str(port),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=65535),
)
_address_text = st.one_of(
    ipv4.map(str),
    ipv4.map(lambda a: f"[{a}]"),
    ipv6.map(lambda a: f"[{a}]"),
    ipv6.map(str),
    ipv6.map(lambda a: a.exploded.upper()),
    st.just("[]"),
)
EXPLICIT = {
    "HOST_IP": _address_text,
    "HOST_PORT": _port_text,
    "CONTAINER_PORT": _port_text,
    "PORT": _port_text,
    "PROTOCOL": st.sampled_from(["tcp", "udp", "sctp", "TCP", "Udp", "sCTP"]),
}


def _generator(name: str, start: str) -> st.SearchStrategy[str]:
    def build() -> st.SearchStrategy[str]:
        grammar = Lark(
            _grammar.grammar_text(name), parser="lalr", start=start, maybe_placeholders=True
        )
        names = {terminal.name for terminal in grammar.terminals}
        explicit = {key: value for key, value in EXPLICIT.items() if key in names}
        return from_lark(grammar, start=start, explicit=explicit)

    return st.deferred(build)


@given(_generator("ports", "publish"))
def test_generated_publish_parses(text: str) -> None:
    # docker run reads any text with '=' in it as the long syntax.
    assume("=" not in text)
    try:
        value = parse_publish(text)
    except PortSpecError as error:
        assert "range" in error.message, text
    else:
        assert parse_publish(str(value)) == value


@given(_generator("ports", "compose_publish"))
def test_generated_compose_publish_parses(text: str) -> None:
    try:
        value = parse_publish(text, dialect="compose")
    except PortSpecError as error:
        assert "range" in error.message or "port 0" in error.message, text
    else:
        assert parse_publish(str(value), dialect="compose") == value


@given(_generator("ports", "publish_long"))
def test_generated_long_syntax_parses_or_names_an_option(text: str) -> None:
    try:
        parse_publish(text)
    except PortSpecError as error:
        assert error.span is not None


@given(_generator("ports", "expose"))
def test_generated_expose_parses(text: str) -> None:
    try:
        value = parse_expose(text)
    except PortSpecError as error:
        assert "range" in error.message, text
    else:
        assert parse_expose(str(value)) == value


@given(_generator("link", "link"))
def test_generated_link_parses(text: str) -> None:
    value = parse_link(text)
    assert parse_link(str(value)) == value


# ---------------------------------------------- compiled pattern == LALR parser

STARTS = {
    "publish": _generator("ports", "publish"),
    "compose_publish": _generator("ports", "compose_publish"),
    "expose": _generator("ports", "expose"),
    "link": _generator("link", "link"),
}


def _lark_parse(start: str, text: str) -> Any:
    from lark.exceptions import UnexpectedInput

    try:
        return _grammar._parser(_grammar._FILE_OF[start]).parse(text, start=start)
    except UnexpectedInput:
        return None


def _typed(parsed: object) -> object:
    """``parsed`` with each part's class beside its fields, so that the classes compare too."""
    if isinstance(parsed, tuple):
        return type(parsed), tuple(map(_typed, parsed))
    return parsed


@pytest.mark.parametrize("start", STARTS)
def test_every_regular_start_is_compiled(start: str) -> None:
    assert _grammar._matcher(start) is not None


@pytest.mark.parametrize("start", STARTS)
@given(data=st.data())
def test_compiled_pattern_agrees_with_lalr(start: str, data: st.DataObject) -> None:
    text = data.draw(st.one_of(STARTS[start], any_text))
    matcher = _grammar._matcher(start)
    assert matcher is not None
    assert _typed(matcher(text)) == _typed(_lark_parse(start, text))
