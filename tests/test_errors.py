"""PortSpecError: its message, its caret, and what it keeps."""

from __future__ import annotations

import pickle

import pytest

from portspec import PortSpecError, parse_publish


def test_caret_under_the_fault() -> None:
    error = PortSpecError(
        "invalid host port 99999: ports are 0-65535", "127.0.0.1:99999:80", (10, 15)
    )
    assert str(error) == (
        "invalid host port 99999: ports are 0-65535\n  127.0.0.1:99999:80\n            ^^^^^"
    )


def test_prefix_is_shown_but_not_counted() -> None:
    error = PortSpecError("bad", "8080:", (5, 6), prefix="-p ")
    assert str(error).splitlines()[1:] == ["  -p 8080:", "          ^"]


def test_message_only() -> None:
    assert str(PortSpecError("expected text")) == "expected text"


def test_it_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid container port"):
        parse_publish("http")


def test_span_is_clamped_to_the_text() -> None:
    assert PortSpecError("m", "abc", (2, 99)).span == (2, 3)
    assert PortSpecError("m", "abc", (-5, 1)).span == (0, 1)


@pytest.mark.parametrize(
    ("text", "shown"),
    [("a\tb", "a\\tb"), ("a\nb", "a\\nb"), ("a\x00b", "a\\x00b"), ("a\u200bb", "a\\u200bb")],
)
def test_unprintable_characters_are_escaped_and_carets_follow(text: str, shown: str) -> None:
    error = PortSpecError("m", text, (2, 3))
    line, carets = str(error).splitlines()[1:]
    assert line == "  " + shown
    assert carets == "  " + " " * (len(shown) - 1) + "^"


def test_long_text_is_cut_around_the_fault() -> None:
    text = "1" * 5000 + ":x:80"
    error = PortSpecError("m", text, (5001, 5002))
    line, carets = str(error).splitlines()[1:]
    assert len(line) < 200
    assert line[carets.index("^")] == "x"


def test_long_span_is_shown_bounded() -> None:
    error = PortSpecError("m", "9" * 1_000_000, (0, 1_000_000))
    assert len(str(error)) < 500


def test_pickles() -> None:
    error = PortSpecError("m", "text", (1, 2), prefix="-p ")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.text, copy.span, copy.prefix) == ("m", "text", (1, 2), "-p ")
    assert str(copy) == str(error)
