"""Table tests: each text and the value it means, each bad text and its caret."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from portspec import (
    Dialect,
    Expose,
    Link,
    PortMapping,
    PortSpecError,
    parse_expose,
    parse_link,
    parse_publish,
)
from tests.tables import (
    INVALID_COMPOSE,
    INVALID_EXPOSE,
    INVALID_LINK,
    INVALID_PUBLISH,
    VALID_COMPOSE,
    VALID_EXPOSE,
    VALID_LINK,
    VALID_PUBLISH,
)


def _ids(table: Sequence[tuple[object, ...]]) -> list[str]:
    return [repr(row[0]) for row in table]


@pytest.mark.parametrize(("text", "expected"), VALID_PUBLISH, ids=_ids(VALID_PUBLISH))
def test_valid_publish(text: str, expected: PortMapping) -> None:
    value = parse_publish(text)
    assert value == expected
    assert parse_publish(str(value)) == value


@pytest.mark.parametrize(("text", "message", "caret"), INVALID_PUBLISH, ids=_ids(INVALID_PUBLISH))
def test_invalid_publish(text: str, message: str, caret: str) -> None:
    with pytest.raises(PortSpecError) as info:
        parse_publish(text)
    _assert_error(info.value, text, message, caret)


@pytest.mark.parametrize(("text", "expected"), VALID_COMPOSE, ids=_ids(VALID_COMPOSE))
def test_valid_compose(text: str, expected: PortMapping) -> None:
    value = parse_publish(text, dialect="compose")
    assert value == expected
    assert parse_publish(str(value), dialect=Dialect.COMPOSE) == value


@pytest.mark.parametrize(("text", "message", "caret"), INVALID_COMPOSE, ids=_ids(INVALID_COMPOSE))
def test_invalid_compose(text: str, message: str, caret: str) -> None:
    with pytest.raises(PortSpecError) as info:
        parse_publish(text, dialect=Dialect.COMPOSE)
    _assert_error(info.value, text, message, caret)


@pytest.mark.parametrize(("text", "expected"), VALID_EXPOSE, ids=_ids(VALID_EXPOSE))
def test_valid_expose(text: str, expected: Expose) -> None:
    value = parse_expose(text)
    assert value == expected
    assert parse_expose(str(value)) == value


@pytest.mark.parametrize(("text", "message", "caret"), INVALID_EXPOSE, ids=_ids(INVALID_EXPOSE))
def test_invalid_expose(text: str, message: str, caret: str) -> None:
    with pytest.raises(PortSpecError) as info:
        parse_expose(text)
    _assert_error(info.value, text, message, caret)


@pytest.mark.parametrize(("text", "expected"), VALID_LINK, ids=_ids(VALID_LINK))
def test_valid_link(text: str, expected: Link) -> None:
    value = parse_link(text)
    assert value == expected
    assert value.as_typed == text
    assert parse_link(str(value)) == value


@pytest.mark.parametrize(("text", "message", "caret"), INVALID_LINK, ids=_ids(INVALID_LINK))
def test_invalid_link(text: str, message: str, caret: str) -> None:
    with pytest.raises(PortSpecError) as info:
        parse_link(text)
    _assert_error(info.value, text, message, caret)


def _assert_error(error: PortSpecError, text: str, message: str, caret: str) -> None:
    assert error.message == message
    assert error.text == text
    assert isinstance(error, ValueError)
    shown, carets = str(error).split("\n")[1:]
    assert carets == "  " + caret
    assert shown.startswith("  ")


# ------------------------------------------------------- what is kept aside


def test_host_address_is_kept_as_typed() -> None:
    value = parse_publish("[0::0001]:80:80")
    assert value.host_ip_text == "0::0001"
    assert value.host_ip_as_typed == "0::0001"
    assert str(value) == "[0::0001]:80:80"
    assert value == parse_publish("[::1]:80:80")


def test_bare_ipv6_is_bracketed_in_the_canonical_form() -> None:
    assert str(parse_publish("::1:8080:80")) == "[::1]:8080:80"


@pytest.mark.parametrize(
    ("text", "ignored"),
    [
        ("80/tcp/x", ("/x",)),
        ("1-2-3", ("-3",)),
        ("1-2-x:5-6-y", ("-y", "-x")),
        ("target=80,mode=host,host_ip=1.2.3.4", ("mode=host", "host_ip=1.2.3.4")),
        ("target=80,target=90", ("target=80",)),
        ("80", ()),
    ],
)
def test_ignored_parts_are_remembered(text: str, ignored: tuple[str, ...]) -> None:
    assert parse_publish(text).ignored == ignored


def test_ignored_parts_take_no_part_in_equality() -> None:
    assert parse_publish("target=80,mode=host") == parse_publish("80")


def test_dynamic_range() -> None:
    assert parse_publish("8000-8010:80").is_dynamic_range
    assert not parse_publish("8000-8010:80-90").is_dynamic_range
    assert not parse_publish("8080:80").is_dynamic_range
    assert not parse_publish("80").is_dynamic_range


def test_link_text_is_kept_as_typed() -> None:
    link = parse_link("/db:/web/database")
    assert link.as_typed == "/db:/web/database"
    assert str(link) == "db:database"
    assert Link("db", "database").as_typed == "db:database"


def test_expose_protocol_text() -> None:
    assert parse_expose("80/UDP").known_protocol is None
    assert parse_expose("80/udp").known_protocol is not None


@pytest.mark.parametrize("function", [parse_publish, parse_expose, parse_link])
@pytest.mark.parametrize("value", [80, None, b"80", ["80"]])
def test_text_only(function: object, value: object) -> None:
    with pytest.raises(PortSpecError, match="as text"):
        function(value)  # type: ignore[operator]


def test_unknown_dialect() -> None:
    with pytest.raises(PortSpecError, match="podman"):
        parse_publish("80", dialect="podman")


# ------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    "text",
    [
        "0" * 1_000_000 + "80",
        "9" * 1_000_000,
        "1" * 100_000 + ":80",
        ":" * 100_000,
        "\x00",
        "80\x00",
        "\udcff",
        "8080:80\n",
        "x" * 1_000_000,
    ],
    ids=[
        "zeros",
        "nines",
        "long-host",
        "colons",
        "nul",
        "nul-after",
        "surrogate",
        "newline",
        "1MB",
    ],
)
def test_hostile_input_raises_portspec_error(text: str) -> None:
    for function in (parse_publish, parse_expose, parse_link):
        try:
            function(text)
        except PortSpecError as error:
            assert len(str(error)) < 1000
    with pytest.raises(PortSpecError):
        parse_publish(text) if text != "0" * 1_000_000 + "80" else parse_publish(text + "x")


def test_a_million_leading_zeros_is_port_80() -> None:
    assert parse_publish("0" * 1_000_000 + "80") == parse_publish("80")
