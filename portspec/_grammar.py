"""Parse a text from a start symbol of the grammar, and turn Lark's errors into ours.

A start symbol whose rules never recurse is matched first by its generated
pattern (``portspec._matchers``, made from grammar/*.lark by the development
tool ``python -m portspec._generate_matchers``), so a fresh process parses
without Lark. The Lark grammars are built once, on first need, for what the
patterns do not take: the long ``--publish`` syntax, and every text that is
wrong, so that the error says where. This is the only runtime module that
touches Lark: nothing Lark-typed leaves it, and Lark's exceptions are caught
here alone.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, Literal, NamedTuple, overload

from portspec._tokens import (
    SHAPES,
    ExposePart,
    LinkAlias,
    LinkName,
    Matcher,
    Option,
    Parsed,
    Publish,
    PublishLong,
    Tok,
    compile_matcher,
)
from portspec.errors import PortSpecError

__all__ = ["Parsed", "Tok", "grammar_text", "parse"]

# The start symbols each grammar file offers.
START_SYMBOLS: dict[str, tuple[str, ...]] = {
    "ports": ("publish", "compose_publish", "publish_long", "expose"),
    "link": ("link",),
}
_FILE_OF = {start: name for name, starts in START_SYMBOLS.items() for start in starts}


class ErrorAt(NamedTuple):
    """Where Lark gave up and what it would have taken there."""

    position: int
    expected: frozenset[str]


def grammar_text(name: str) -> str:
    """The text of ``grammar/<name>.lark``, from the installed package or the source tree."""
    from importlib import resources  # noqa: PLC0415 - only when a grammar is built
    from pathlib import Path  # noqa: PLC0415

    filename = f"{name}.lark"
    packaged = resources.files("portspec").joinpath("grammar").joinpath(filename)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # A source checkout (or an editable install) keeps the grammar at the top.
    source = Path(__file__).resolve().parent.parent / "grammar" / filename
    return source.read_text(encoding="utf-8")


def build(name: str, *, strict: bool = False) -> Any:
    """A fresh LALR parser for one grammar file (``strict`` fails on any conflict)."""
    import lark.lexer  # noqa: PLC0415 - keep `import portspec` light
    from lark import Lark  # noqa: PLC0415

    # With the optional `interegular` installed, Lark checks every pair of
    # terminals for collisions on each build, which triples the first parse.
    # The grammar's own test does that check once, strictly; users need not.
    # The switch is Lark's module global: one build at a time sets it, or two
    # threads' first parses would leave it off for good.
    with _BUILDING:
        checked = lark.lexer.has_interegular
        lark.lexer.has_interegular = checked and strict
        try:
            return Lark(
                grammar_text(name),
                parser="lalr",
                lexer="contextual",
                start=list(START_SYMBOLS[name]),
                maybe_placeholders=True,
                transformer=_transformer(),
                strict=strict,
            )
        finally:
            lark.lexer.has_interegular = checked


_BUILDING = threading.Lock()


def _parser(name: str) -> Any:
    parser = _PARSERS.get(name)
    if parser is None:
        with _FIRST:  # one build per grammar, even when threads ask at once
            parser = _PARSERS.get(name)
            if parser is None:
                parser = _PARSERS[name] = build(name)
    return parser


_PARSERS: dict[str, Any] = {}
_FIRST = threading.Lock()


@overload
def parse(
    text: str,
    start: Literal["publish", "compose_publish"],
    on_error: Callable[..., PortSpecError],
    *context: object,
) -> Publish: ...
@overload
def parse(
    text: str,
    start: Literal["publish_long"],
    on_error: Callable[..., PortSpecError],
    *context: object,
) -> PublishLong: ...
@overload
def parse(
    text: str, start: Literal["expose"], on_error: Callable[..., PortSpecError], *context: object
) -> ExposePart: ...
@overload
def parse(
    text: str, start: Literal["link"], on_error: Callable[..., PortSpecError], *context: object
) -> LinkName | LinkAlias: ...
def parse(
    text: str, start: str, on_error: Callable[..., PortSpecError], *context: object
) -> Parsed:
    """Parse ``text`` from ``start``; a failure raises ``on_error(*context, where)``."""
    matcher: Matcher | None = _MATCHERS.get(start, _UNSET)
    if matcher is _UNSET:
        matcher = _MATCHERS[start] = _matcher(start)
    if matcher is not None:
        parsed = matcher(text)
        if parsed is not None:
            return parsed
    from lark.exceptions import (  # noqa: PLC0415
        UnexpectedCharacters,
        UnexpectedEOF,
        UnexpectedInput,
        UnexpectedToken,
    )

    parser = _parser(_FILE_OF[start])
    try:
        tree: Parsed = parser.parse(text, start=start)
    except UnexpectedInput as error:
        if isinstance(error, UnexpectedCharacters):
            where = ErrorAt(error.pos_in_stream or 0, frozenset(error.allowed or ()))
        elif isinstance(error, UnexpectedToken):
            token = error.token
            position = len(text) if token.type == "$END" else token.start_pos
            where = ErrorAt(
                position if position is not None else len(text), frozenset(error.expected)
            )
        elif isinstance(error, UnexpectedEOF):
            where = ErrorAt(len(text), frozenset(error.expected))
        else:  # pragma: no cover - Lark has no other kind today
            where = ErrorAt(0, frozenset())
        raise on_error(*context, where) from None
    return tree


_UNSET: Any = object()
_MATCHERS: dict[str, Matcher | None] = {}


def _matcher(start: str) -> Matcher | None:
    """The start symbol compiled to one regular expression, when it can be.

    The patterns are generated from the grammar ahead of time
    (``portspec/_matchers.py``), so a fresh process parses without Lark.
    """
    from portspec._matchers import MATCHERS  # noqa: PLC0415

    found = MATCHERS.get(start)
    return None if found is None else compile_matcher(*found)


@functools.cache
def _transformer() -> Any:
    """A Lark transformer that keeps tokens as ``Tok`` and each rule as its class in ``SHAPES``."""
    from lark import Token, Transformer, Tree  # noqa: PLC0415

    def keep(child: Any) -> Any:
        if isinstance(child, Token):
            return Tok(child.type, str(child), child.start_pos or 0, child.end_pos or 0)
        return child

    class _Shapes(Transformer[Any, Any]):
        def publish_long(self, options: list[Option]) -> PublishLong:
            return PublishLong(options)

        def __default__(self, data: Any, children: list[Any], meta: Any) -> Any:
            if data.startswith("_"):
                # Lark's own helper rules (for `x*`) are inlined by Lark itself.
                return Tree(data, children)
            # A part the rule leaves out (Compose's container has no extra)
            # takes its class's default.
            return SHAPES[data](*map(keep, children))

    return _Shapes()
