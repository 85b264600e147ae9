"""Whatever the text, parsing gives a value that round-trips or a PortSpecError."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given

from portspec import PortSpecError, parse_expose, parse_link, parse_publish
from tests.property.strategies import any_text


def _compose(text: str) -> object:
    return parse_publish(text, dialect="compose")


PARSERS: dict[str, Callable[[str], object]] = {
    "publish": parse_publish,
    "compose": _compose,
    "expose": parse_expose,
    "link": parse_link,
}


@pytest.mark.parametrize("kind", PARSERS)
@given(text=any_text)
def test_only_portspec_errors(kind: str, text: str) -> None:
    parse = PARSERS[kind]
    try:
        value = parse(text)
    except PortSpecError as error:
        assert error.text == text
        assert error.span is not None
        start, end = error.span
        assert 0 <= start <= end <= len(text)
        assert error.message in str(error)
    else:
        assert parse(str(value)) == value
