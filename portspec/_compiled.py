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

import ast
import re
from collections.abc import Callable
from typing import Any

from portspec._grammar import Parsed, Tok

__all__ = ["Matcher", "compile_start"]

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
    rules = {str(name): tree for name, _params, tree, _options in lark.grammar.rule_defs}
    compiler = _Compiler(rules, lambda name: lark.get_terminal(name).pattern.to_regexp())
    pattern, expression = compiler.rule(start, ())
    source = (
        "def read(text, match):\n"
        "    start, end = match.start, match.end\n"
        f"    return {expression}\n"
    )
    namespace: dict[str, Any] = {"Tok": Tok, "new": tuple.__new__}
    exec(compile(source, f"<portspec compiled {start}>", "exec"), namespace)
    return Matcher(pattern, namespace["read"])


class _Compiler:
    """Walks Lark's rule trees, writing the pattern and the reader's expression side by side."""

    def __init__(self, rules: dict[str, Any], terminal: Callable[[str], str]) -> None:
        self._rules = rules
        self._terminal = terminal
        self._groups = 0

    def _group(self) -> int:
        self._groups += 1
        return self._groups

    def rule(self, name: str, seen: tuple[str, ...]) -> tuple[str, str]:
        """A rule: one group for each alternative, the first that matched is the one."""
        if name in seen:
            raise Unsupported(f"rule {name} recurses")
        if name.startswith(("_", "?")) or name not in self._rules:
            raise Unsupported(f"rule {name} is inlined or unknown")
        tree = self._rules[name]
        alternatives = tree.children if tree.data == "expansions" else [tree]
        patterns, choices = [], []
        for choice in alternatives:
            data, alternative = name, choice
            if choice.data == "alias":
                alternative, alias = choice.children
                if alias is not None:
                    data = str(alias.name)
            if len(alternatives) == 1:
                # Nothing to choose: no group needed to tell which matched.
                group = 0
                pattern, children = self._sequence(alternative, (*seen, name))
                patterns.append(pattern)
            else:
                group = self._group()
                pattern, children = self._sequence(alternative, (*seen, name))
                patterns.append(f"({pattern})")
            choices.append((group, f"({data!r}, {_tuple(children)})"))
        expression = choices[-1][1]
        for group, choice in reversed(choices[:-1]):
            expression = f"({choice} if start({group}) >= 0 else {expression})"
        return "(?:" + "|".join(patterns) + ")", expression

    def _sequence(self, node: Any, seen: tuple[str, ...]) -> tuple[str, list[str]]:
        """A sequence of items: the pattern and the reader's expression for each child it keeps."""
        items = node.children if node.data == "expansion" else [node]
        pattern, children = "", []
        for item in items:
            part, kept = self._item(item, seen)
            pattern += part
            children += kept
        return pattern, children

    def _item(self, item: Any, seen: tuple[str, ...]) -> tuple[str, list[str]]:
        if item.data == "maybe":
            (inner,) = item.children
            if inner.data == "expansions":
                if len(inner.children) != 1:
                    raise Unsupported("alternatives inside [...]")
                (inner,) = inner.children
            group = self._group()
            pattern, children = self._sequence(inner, seen)
            if not children:
                return f"({pattern})?", []
            nones = _tuple(["None"] * len(children))
            return f"({pattern})?", [f"*({_tuple(children)} if start({group}) >= 0 else {nones})"]
        if item.data != "value":
            raise Unsupported(f"{item.data} in a rule")
        (symbol,) = item.children
        if getattr(symbol, "data", None) == "literal":
            # A quoted string: matched, and left out of the tree as Lark leaves it.
            (literal,) = symbol.children
            text = ast.literal_eval(str(literal))
            if not isinstance(text, str):
                raise Unsupported(f"literal {literal}")
            return f"(?:{re.escape(text)})", []
        name = str(symbol.name)
        if symbol.is_term:
            regexp = self._terminal(name)
            if re.compile(regexp).groups:
                raise Unsupported(f"terminal {name} has groups of its own")
            if name.startswith("_"):
                return f"(?:{regexp})", []
            group = self._group()
            where = f"start({group}), end({group})"
            token = f"new(Tok, ({name!r}, text[{where.replace(', ', ':')}], {where}))"
            return f"({regexp})", [token]
        pattern, expression = self.rule(name, seen)
        return pattern, [expression]


def _tuple(items: list[str]) -> str:
    """Python source for a tuple of ``items``."""
    return "(" + "".join(item + ", " for item in items) + ")"
