"""Write ``portspec/_matchers.py``: the grammar's regular start symbols as patterns.

A development tool, run after a grammar change; portspec itself never imports
it::

    python -m portspec._generate_matchers

A port mapping is a regular language, so a start symbol whose rules never
recurse can be matched by a single ``re`` pattern built from the grammar's own
rules and terminals, with a capture group for every kept token and every
alternative. The module names one pattern a line, each terminal and then each
rule from the ones above it, and a small reader for each start symbol,
generated from the same rules, reads a match back into exactly the parse
Lark gives, in the classes of ``portspec._tokens`` (``tests/property``
checks that on generated input). Texts a pattern does not take go to Lark,
which then either parses them or says where they fail.
``tests/test_grammar.py`` checks the module is what the grammar gives today.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

from portspec._grammar import START_SYMBOLS, build
from portspec._tokens import SHAPES

__all__ = ["generate_module"]

#: A pattern as written: pieces of regular expression (``False, text``) and
#: names of patterns defined above it (``True, name``).
Pieces = list[tuple[bool, str]]


class Unsupported(Exception):
    """The start symbol uses something a single regular expression cannot hold."""


def generate_module() -> str:
    """The source of ``portspec/_matchers.py``: every compilable start symbol, ready to import."""
    compiler = _Compiler()
    readers: list[tuple[str, str]] = []
    for name, symbols in START_SYMBOLS.items():
        lark = build(name)
        rules = {str(rule): tree for rule, _params, tree, _options in lark.grammar.rule_defs}
        for start in symbols:
            try:
                readers.append((start, compiler.start(lark, rules, start)))
            except Unsupported:
                continue
    lines = [
        '"""The grammar\'s start symbols compiled to patterns: generated, do not edit.',
        "",
        "Made from grammar/*.lark by ``python -m portspec._generate_matchers``; the",
        "grammar stays the one definition (tests/test_grammar.py checks this file",
        "matches it). Terminals come first, as Lark writes them, then each rule",
        "from the patterns above it; a start symbol's reader turns a match into",
        "the parse Lark would give.",
        '"""',
        "",
        "# ruff: noqa",
        "# mypy: ignore-errors",
        f"from portspec._tokens import {', '.join(sorted({*compiler.shapes, 'Tok'}))}",
        "",
        "new = tuple.__new__",
        "",
    ]
    lines += [f"{name} = {_source(pieces)}" for name, pieces in compiler.defined.items()]
    for start, expression in readers:
        lines += [
            "",
            "",
            f"def read_{start}(text, match):",
            "    start, end = match.start, match.end",
            f"    return {expression}",
        ]
    lines += ["", "", "MATCHERS = {"]
    lines += [f"    {start!r}: ({start}, read_{start})," for start, _ in readers]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _source(pieces: Pieces) -> str:
    """Python source of a pattern: literal pieces merged, names as they are."""
    parts: list[str] = []
    text = ""
    for is_name, piece in pieces:
        if not is_name:
            text += piece
            continue
        if text:
            parts.append(repr(text))
            text = ""
        parts.append(piece)
    if text or not parts:
        parts.append(repr(text))
    return " + ".join(parts)


class _Compiler:
    """Walks Lark's rule trees, writing the pattern and the reader's expression side by side."""

    def __init__(self) -> None:
        #: Every named pattern, in the order the module defines them.
        self.defined: dict[str, Pieces] = {}
        self._expanded: dict[str, str] = {}
        #: The names of the classes the readers build.
        self.shapes: set[str] = set()
        self._rules: dict[str, Any] = {}
        self._terminal: Callable[[str], str] = str
        self._groups = 0

    def start(self, lark: Any, rules: dict[str, Any], start: str) -> str:
        """Compile ``start`` of a built Lark parser: its pattern is named, its reader returned."""
        self._rules = rules
        self._terminal = lambda name: lark.get_terminal(name).pattern.to_regexp()
        self._groups = 0
        defined, expanded, shapes = dict(self.defined), dict(self._expanded), set(self.shapes)
        try:
            _pattern, expression, _ = self.rule(start, ())
        except Unsupported:
            self.defined, self._expanded, self.shapes = defined, expanded, shapes
            raise
        return expression

    def _define(self, name: str, pieces: Pieces) -> Pieces:
        expanded = "".join(self._expanded[p] if is_name else p for is_name, p in pieces)
        known = self._expanded.get(name)
        if known is None:
            self.defined[name] = pieces
            self._expanded[name] = expanded
        elif known != expanded:
            raise ValueError(f"two grammars define {name} differently")
        return [(True, name)]

    def _group(self) -> int:
        self._groups += 1
        return self._groups

    def rule(self, name: str, seen: tuple[str, ...]) -> tuple[Pieces, str, int | None]:
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
        pattern: Pieces = [(False, "(?:")]
        choices = []
        anchor: int | None = None
        for index, choice in enumerate(alternatives):
            data, alternative = name, choice
            if choice.data == "alias":
                alternative, alias = choice.children
                if alias is not None:
                    data = str(alias.name)
            if len(alternatives) == 1:
                pieces, children, anchor = self._sequence(alternative, seen)
                group = 0
            else:
                pieces, children, group = self._anchored(alternative, seen)
            pattern += [(False, "|")] * (index > 0) + pieces
            choices.append((group, self._shape(data, children)))
        expression = choices[-1][1]
        for group, choice in reversed(choices[:-1]):
            expression = _when(group, choice, expression)
        return self._define(name, [*pattern, (False, ")")]), expression, anchor

    def _shape(self, rule: str, children: list[str]) -> str:
        """The reader's expression for the class of ``rule`` holding ``children``.

        A field after the children (Compose's container has no extra) is its
        class's default, as the Lark transformer leaves it.
        """
        shape = SHAPES[rule]
        fields: tuple[str, ...] = shape._fields
        defaults: dict[str, object] = shape._field_defaults
        left_out = fields[len(children) :]
        if len(children) > len(fields) or not set(left_out) <= defaults.keys():
            raise ValueError(f"rule {rule} keeps {len(children)} parts, not the fields {fields}")
        self.shapes.add(shape.__name__)
        kept = children + [repr(defaults[field]) for field in left_out]
        return f"new({shape.__name__}, {_tuple(kept)})"

    def _anchored(self, node: Any, seen: tuple[str, ...]) -> tuple[Pieces, list[str], int]:
        """``node`` with a group telling whether it matched: its own anchor, or a new group."""
        before = self._groups
        group = self._group()
        pattern, children, anchor = self._sequence(node, seen)
        if anchor is None:
            return [(False, "("), *pattern, (False, ")")], children, group
        # It has an anchor of its own: compile it again without the extra group.
        self._groups = before
        pattern, children, anchor = self._sequence(node, seen)
        assert anchor is not None
        return [(False, "(?:"), *pattern, (False, ")")], children, anchor

    def _sequence(self, node: Any, seen: tuple[str, ...]) -> tuple[Pieces, list[str], int | None]:
        """A sequence of items: the pattern and the reader's expression for each child it keeps."""
        items = node.children if node.data == "expansion" else [node]
        pattern: Pieces = []
        children: list[str] = []
        anchor = None
        for item in items:
            part, kept, item_anchor = self._item(item, seen)
            pattern += part
            children += kept
            anchor = item_anchor if anchor is None else anchor
        return pattern, children, anchor

    def _item(self, item: Any, seen: tuple[str, ...]) -> tuple[Pieces, list[str], int | None]:
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
            guarded = [_guard(child, present) for child in children]
            return [*pattern, (False, "?")], guarded, None
        if item.data != "value":
            raise Unsupported(f"{item.data} in a rule")
        (symbol,) = item.children
        if getattr(symbol, "data", None) == "literal":
            # A quoted string: matched, and left out of the tree as Lark leaves it.
            (literal,) = symbol.children
            text = ast.literal_eval(str(literal))
            if not isinstance(text, str):
                raise Unsupported(f"literal {literal}")
            return [(False, f"(?:{re.escape(text)})")], [], None
        name = str(symbol.name)
        if symbol.is_term:
            regexp = self._terminal(name)
            if re.compile(regexp).groups:
                raise Unsupported(f"terminal {name} has groups of its own")
            named = self._define(name, [(False, regexp)])
            if name.startswith("_"):
                return [(False, "(?:"), *named, (False, ")")], [], None
            group = self._group()
            # Each position is read once (where a test around the token read
            # its start already, ``_when`` drops this read); the slice bounds run first.
            bounds = f"{_read_start(group)}:(e := end({group}))"
            token = f"new(Tok, ({name!r}, text[{bounds}], s{group}, e))"
            return [(False, "("), *named, (False, ")")], [token], group
        pattern, expression, anchor = self.rule(name, seen)
        return pattern, [expression], anchor


_GUARDED = " >= 0 else None)"


def _guard(child: str, present: int) -> str:
    """``child``, or ``None`` when the group ``present`` did not take part."""
    if child.endswith(_GUARDED):
        return child
    return _when(present, child, "None")


def _read_start(group: int) -> str:
    """Where ``group`` starts, kept in a variable of its own (``s<group>``) for what follows."""
    return f"(s{group} := start({group}))"


def _when(group: int, then: str, otherwise: str) -> str:
    """``then`` when the group ``group`` took part in the match, else ``otherwise``.

    The test keeps where the group starts, so ``then`` does not read it again.
    """
    start = _read_start(group)
    return f"({then.replace(start, f's{group}')} if {start} >= 0 else {otherwise})"


def _tuple(items: list[str]) -> str:
    """Python source for a tuple of ``items``."""
    return "(" + "".join(item + ", " for item in items) + ")"


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).with_name("_matchers.py")
    target.write_text(generate_module(), encoding="utf-8")
    print(f"wrote {target}")
