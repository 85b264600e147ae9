"""The grammar files themselves: they build without conflicts and load lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest

from portspec import _grammar
from portspec._tokens import (
    ContainerPart,
    LinkAlias,
    LinkName,
    Option,
    Parsed,
    Ports,
    PublishAddress,
    PublishHost,
    PublishLong,
    Tok,
)
from portspec.errors import PortSpecError


@pytest.mark.parametrize("name", sorted(_grammar.START_SYMBOLS))
def test_grammar_builds_strictly(name: str) -> None:
    # strict=True fails on any shift/reduce conflict and on terminal collisions.
    parser = _grammar.build(name, strict=True)
    assert {rule.origin.name for rule in parser.rules} >= set(_grammar.START_SYMBOLS[name])


@pytest.mark.parametrize("name", sorted(_grammar.START_SYMBOLS))
def test_every_grammar_section_has_an_example_comment(name: str) -> None:
    text = _grammar.grammar_text(name)
    assert text.lstrip().startswith("//")
    for start in _grammar.START_SYMBOLS[name]:
        before = text[: text.index(f"\n{start}:")]
        assert before.rstrip().splitlines()[-1].startswith("//"), start


def test_import_builds_no_grammar() -> None:
    code = (
        "import sys, portspec; "
        "assert 'lark' not in sys.modules, 'lark imported'; "
        "assert 'yaml' not in sys.modules, 'yaml imported'; "
        "assert 'portspec.sources.compose' not in sys.modules, 'compose loaded'; "
        # A value the generated patterns take needs no parser at all ...
        "portspec.parse_publish('127.0.0.1:8080:80/udp'); "
        "assert 'lark' not in sys.modules, 'lark built for a valid value'; "
        # ... an error, or the long syntax, builds it.
        "portspec.parse_publish('published=8080,target=80'); "
        "assert 'lark' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lark_errors_do_not_escape() -> None:
    with pytest.raises(PortSpecError) as info:
        _grammar.parse("80:x", "publish", lambda at: PortSpecError(f"at {at.position}"))
    assert info.value.message == "at 3"
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_every_public_name_resolves() -> None:
    import portspec

    missing = [name for name in portspec.__all__ if not hasattr(portspec, name)]
    assert missing == []
    assert set(portspec.__all__) <= set(dir(portspec))
    with pytest.raises(AttributeError, match="no_such_name"):
        portspec.no_such_name  # noqa: B018


def test_generated_matchers_are_what_the_grammar_gives() -> None:
    """portspec/_matchers.py is made from the grammar; a grammar change must regenerate it."""
    from pathlib import Path

    from portspec import _generate_matchers

    generated = Path(_generate_matchers.__file__).with_name("_matchers.py")
    assert generated.read_text(encoding="utf-8") == _generate_matchers.generate_module(), (
        "grammar/*.lark changed: run `python -m portspec._generate_matchers` to regenerate"
        " portspec/_matchers.py"
    )


def test_concurrent_builds_leave_lark_as_it_was() -> None:
    """Builds in several threads at once (first parses in a pool) restore Lark's switch."""
    from concurrent.futures import ThreadPoolExecutor

    import lark.lexer

    before = lark.lexer.has_interegular
    with ThreadPoolExecutor(max_workers=8) as pool:
        parsers = list(pool.map(lambda _: _grammar.build("link"), range(16)))
    assert len(parsers) == 16
    assert lark.lexer.has_interegular == before


def _typed(parsed: object) -> object:
    """``parsed`` with each part's class beside its fields, so that the classes compare too."""
    if isinstance(parsed, tuple):
        return type(parsed), tuple(map(_typed, parsed))
    return parsed


def _port(kind: str, text: str, start: int) -> Tok:
    return Tok(kind, text, start, start + len(text))


@pytest.mark.parametrize(
    ("start", "text", "parsed"),
    [
        (
            "publish",
            "[::1]:8080-8081:80-81-x/udp/y",
            PublishAddress(
                _port("HOST_IP", "[::1]", 0),
                Ports(_port("HOST_PORT", "8080", 6), _port("HOST_PORT", "8081", 11), None),
                ContainerPart(
                    Ports(
                        _port("CONTAINER_PORT", "80", 16),
                        _port("CONTAINER_PORT", "81", 19),
                        _port("RANGE_EXTRA", "-x", 21),
                    ),
                    _port("PROTOCOL", "udp", 24),
                    _port("EXTRA", "y", 28),
                ),
            ),
        ),
        (
            "compose_publish",
            ":80/tcp",
            PublishHost(
                None,
                ContainerPart(
                    Ports(_port("CONTAINER_PORT", "80", 1), None, None), _port("PROTOCOL", "tcp", 4)
                ),
            ),
        ),
        ("link", "db", LinkName(_port("LINK_PART", "db", 0))),
        ("link", ":web", LinkAlias(None, _port("LINK_PART", "web", 1))),
    ],
)
def test_both_readers_give_each_rule_as_its_class(start: str, text: str, parsed: Parsed) -> None:
    """A parse is made of the classes of ``portspec._tokens``, whichever reader made it."""
    matcher = _grammar._matcher(start)
    assert matcher is not None
    lark = _grammar._parser(_grammar._FILE_OF[start]).parse(text, start=start)
    assert _typed(matcher(text)) == _typed(lark) == _typed(parsed)


def test_the_long_syntax_is_its_options_in_order() -> None:
    parsed = _grammar.parse("target=80,mode=", "publish_long", PortSpecError)
    expected = PublishLong(
        [
            Option(_port("OPTION_KEY", "target", 0), _port("OPTION_VALUE", "80", 7)),
            Option(_port("OPTION_KEY", "mode", 10), None),
        ]
    )
    assert _typed(parsed) == _typed(expected)
