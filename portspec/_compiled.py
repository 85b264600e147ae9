"""The grammar's non-recursive start symbols, compiled to one regular expression each.

A port mapping is a regular language, so a start symbol whose rules never
recurse can be matched by a single ``re`` pattern built from the grammar's own
rules and terminals, with a capture group for every kept token and every
alternative. A small function, generated from the same rules, reads the match
back into exactly the tuples the Lark parse gives (``tests/property`` checks
that on generated input). Texts the pattern does not take go to Lark, which
then either parses them or says where they fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from portspec._grammar import Parsed, Tok

__all__ = ["Matcher", "compile_start", "generate_module"]

#: Reads a match back into the parse: ``(text, match) -> Parsed``.
Reader = Callable[[str, "re.Match[str]"], Parsed]


class Unsupported(Exception):
    """The start symbol uses something a single regular expression cannot hold."""


class Matcher:
    """One start symbol as a compiled pattern and the reader of its matches."""

    __slots__ = ("_fullmatch", "_read", "pattern")

    def __init__(self, pattern: str, read: Reader) -> None:
        self.pattern = pattern
        self._fullmatch = re.compile(pattern).fullmatch
        self._read = read

    def __call__(self, text: str) -> Parsed | None:
        """The parse of ``text``, or ``None`` when the pattern does not take it."""
        match = self._fullmatch(text)
        if match is None:
            return None
        return self._read(text, match)


def compile_start(lark: Any, start: str) -> Matcher:
    """Compile ``start`` of a built Lark parser; raises ``Unsupported`` if it recurses."""
    pattern, expression = _compile(lark, start)
    source = (
        "def read(text, match):\n"
        "    start, end = match.start, match.end\n"
        f"    return {expression}\n"
    )
    namespace: dict[str, Any] = {"Tok": Tok, "new": tuple.__new__}
    exec(compile(source, f"<portspec compiled {start}>", "exec"), namespace)
    return Matcher(pattern, namespace["read"])


def _compile(lark: Any, start: str) -> tuple[str, str]:
    rules = {str(name): tree for name, _params, tree, _options in lark.grammar.rule_defs}
    compiler = _Compiler(rules, lambda name: lark.get_terminal(name).pattern.to_regexp())
    pattern, expression, _ = compiler.rule(start, ())
    return pattern, expression


def generate_module() -> str:
    """The source of ``portspec/_matchers.py``: every compilable start symbol, ready to import.

    A fresh process then parses without building Lark at all; Lark is built
    only for what the patterns do not take (errors, the long syntax).
    ``tests/test_grammar.py`` checks the module is what the grammar gives today.
    """
    from portspec._grammar import START_SYMBOLS, build  # noqa: PLC0415

    lines = [
        '"""The grammar\'s start symbols compiled to patterns: generated, do not edit.',
        "",
        "Made from grammar/*.lark by ``python -m portspec._compiled``; the grammar",
        "stays the one definition (tests/test_grammar.py checks this file matches it).",
        '"""',
        "",
        "# ruff: noqa",
        "# mypy: ignore-errors",
        "from portspec._grammar import Tok",
        "",
        "new = tuple.__new__",
        "",
    ]
    starts: list[str] = []
    for name, symbols in START_SYMBOLS.items():
        lark = build(name)
        for start in symbols:
            try:
                pattern, expression = _compile(lark, start)
            except Unsupported:
                continue
            starts.append(start)
            lines += [
                f"{start.upper()} = {pattern!r}",
                "",
                "",
                f"def read_{start}(text, match):",
                "    start, end = match.start, match.end",
                f"    return {expression}",
                "",
                "",
            ]
    lines.append("MATCHERS = {")
    lines += [f"    {s!r}: ({s.upper()}, read_{s})," for s in starts]
    lines.append("}")
    return "\n".join(lines) + "\n"


class _Compiler:
    """Walks Lark's rule trees, writing the pattern and the reader's expression side by side."""

    def __init__(self, rules: dict[str, Any], terminal: Callable[[str], str]) -> None:
        self._rules = rules
        self._terminal = terminal
        self._groups = 0

    def _group(self) -> int:
        self._groups += 1
        return self._groups

    def rule(self, name: str, seen: tuple[str, ...]) -> tuple[str, str, int | None]:
        """A rule: the first of its alternatives that matched is the one.

        Besides the pattern and the reader's expression, each step returns an
        *anchor*: a group that takes part in the match exactly when the step
        matched, or ``None`` when there is none.
        """
        if name in seen:
            raise Unsupported(f"rule {name} recurses")
        if name.startswith(("_", "?")) or name not in self._rules:
            raise Unsupported(f"rule {name} is inlined or unknown")
        tree = self._rules[name]
        alternatives = tree.children if tree.data == "expansions" else [tree]
        seen = (*seen, name)
        patterns, choices = [], []
        anchor: int | None = None
        for choice in alternatives:
            data, alternative = name, choice
            if choice.data == "alias":
                alternative, alias = choice.children
                if alias is not None:
                    data = str(alias.name)
            if len(alternatives) == 1:
                pattern, children, anchor = self._sequence(alternative, seen)
                group = 0
            else:
                pattern, children, group = self._anchored(alternative, seen)
            patterns.append(pattern)
            choices.append((group, f"({data!r}, {_tuple(children)})"))
        expression = choices[-1][1]
        for group, choice in reversed(choices[:-1]):
            expression = f"({choice} if start({group}) >= 0 else {expression})"
        return "(?:" + "|".join(patterns) + ")", expression, anchor

    def _anchored(self, node: Any, seen: tuple[str, ...]) -> tuple[str, list[str], int]:
        """``node`` with a group telling whether it matched: its own anchor, or a new group."""
        before = self._groups
        group = self._group()
        pattern, children, anchor = self._sequence(node, seen)
        if anchor is None:
            return f"({pattern})", children, group
        # It has an anchor of its own: compile it again without the extra group.
        self._groups = before
        pattern, children, anchor = self._sequence(node, seen)
        assert anchor is not None
        return f"(?:{pattern})", children, anchor

    def _sequence(self, node: Any, seen: tuple[str, ...]) -> tuple[str, list[str], int | None]:
        """A sequence of items: the pattern and the reader's expression for each child it keeps."""
        items = node.children if node.data == "expansion" else [node]
        pattern, children, anchor = "", [], None
        for item in items:
            part, kept, item_anchor = self._item(item, seen)
            pattern += part
            children += kept
            anchor = item_anchor if anchor is None else anchor
        return pattern, children, anchor

    def _item(self, item: Any, seen: tuple[str, ...]) -> tuple[str, list[str], int | None]:
        if item.data == "maybe":
            (inner,) = item.children
            if inner.data == "expansions":
                if len(inner.children) != 1:
                    raise Unsupported("alternatives inside [...]")
                (inner,) = inner.children
            pattern, children, present = self._anchored(inner, seen)
            # Each child is None when its part did not match. A child of a
            # nested [...] is already guarded by that part's own anchor, which
            # can only take part in the match when this part did too.
            return f"{pattern}?", [_guard(child, present) for child in children], None
        if item.data != "value":
            raise Unsupported(f"{item.data} in a rule")
        (symbol,) = item.children
        if getattr(symbol, "data", None) == "literal":
            # A quoted string: matched, and left out of the tree as Lark leaves it.
            (literal,) = symbol.children
            import ast  # noqa: PLC0415 - only when compiling the grammar

            text = ast.literal_eval(str(literal))
            if not isinstance(text, str):
                raise Unsupported(f"literal {literal}")
            return f"(?:{re.escape(text)})", [], None
        name = str(symbol.name)
        if symbol.is_term:
            regexp = self._terminal(name)
            if re.compile(regexp).groups:
                raise Unsupported(f"terminal {name} has groups of its own")
            if name.startswith("_"):
                return f"(?:{regexp})", [], None
            group = self._group()
            # The walrus keeps each position to one call; the slice bounds run first.
            token = f"new(Tok, ({name!r}, text[(s := start({group})):(e := end({group}))], s, e))"
            return f"({regexp})", [token], group
        pattern, expression, anchor = self.rule(name, seen)
        return pattern, [expression], anchor


_GUARDED = " >= 0 else None)"


def _guard(child: str, present: int) -> str:
    """``child``, or ``None`` when the group ``present`` did not take part."""
    if child.endswith(_GUARDED):
        return child
    return f"({child} if start({present}){_GUARDED}"


def _tuple(items: list[str]) -> str:
    """Python source for a tuple of ``items``."""
    return "(" + "".join(item + ", " for item in items) + ")"


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).with_name("_matchers.py")
    target.write_text(generate_module(), encoding="utf-8")
    print(f"wrote {target}")
