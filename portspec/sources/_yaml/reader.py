"""The event stream read into nodes, as go-yaml's decoder builds them."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml  # type: ignore[import-untyped, unused-ignore]

from portspec.errors import PortSpecError
from portspec.model import Span
from portspec.sources._yaml.goprint import _go_quote
from portspec.sources._yaml.nodes import (
    _STYLES,
    Mapping,
    Node,
    Pair,
    Scalar,
    ScalarStyle,
    ScalarValue,
    Sequence,
)
from portspec.sources._yaml.resolve import _YAML_TAG, _short_tag, _type_scalar, _TypingError
from portspec.sources._yaml.text import _decode, _error_at

#: Collections nested deeper than this are refused. (Compose stops at
#: 10,000, and takes seconds to read even 5,000: no real file comes close.)
MAX_DEPTH = 1000
#: How many nodes aliases may add to a document, counted as a reader that
#: expanded every alias would count them. Compose has no such limit and
#: hangs on a "billion laughs" file; a document under this limit is one it
#: reads within a few seconds.
MAX_ALIAS_NODES = 100_000


# The characters YAML allows in a stream (libyaml's and go-yaml's reader).
_TOO_DEEP = f"too deeply nested: more than {MAX_DEPTH} levels of collections"
# How many times a \' escape sends portspec to guess where the others are.
_GUESSES = 4
# Past those guesses, how many characters portspec re-reads to let \'
# escapes through (a re-read each): thousands in a small file, dozens in a
# megabyte.
_REREAD_BUDGET = 20_000_000
# The hex digits after \x, \u and \U in a double-quoted scalar.
_ESCAPE_WIDTHS = {"x": 2, "u": 4, "U": 8}
# An escape or the end of a double-quoted scalar.
_QUOTED_STOP = re.compile(r'\\|"')
# Where a plain scalar ends, in block and in flow context.
_PLAIN_END = re.compile(r":(?=[ \t\r\n]|$)|[ \t]#|\n")
_PLAIN_END_FLOW = re.compile(r":(?=[ \t\r\n,\[\]{}]|$)|[ \t]#|[\n,\[\]{}]")
_MERGE_TAGS = (None, "!", _YAML_TAG + "merge")


@dataclass
class _Frame:
    """A collection being read: its start event, what it holds so far, its size."""

    event: Any
    mapping: bool
    anchor: str | None
    items: list[Node] = field(default_factory=list)
    # mappings only
    entries: list[Pair] = field(default_factory=list)
    key: Node | None = None
    expect_key: bool = True
    key_lines: dict[str, int] = field(default_factory=dict)
    merges: list[Mapping] = field(default_factory=list)
    merge_pending: bool = False
    # how many nodes a reader expanding every alias would count here
    size: int = 1


class _InProgress:
    """An anchor whose collection is still being read: an alias to it is a cycle."""


_IN_PROGRESS = _InProgress()


class _Reader:
    def __init__(self, data: str | bytes, path: str | None) -> None:
        self.path = path
        self.text, self.shift = _decode(data, path)
        self.anchors: dict[str, Node | _InProgress] = {}
        self.sizes: dict[str, int] = {}
        self.alias_nodes = 0
        # The text libyaml reads: ``text`` with each \' escape libyaml refuses
        # in a double-quoted scalar (go-yaml reads it as ') spelled \e.
        self.working = self.text
        self.substituted: set[int] = set()
        # Of those, the ones placed by a look at the text, not by libyaml's
        # fault; and the ones the last read found as escapes.
        self.guessed: set[int] = set()
        self.confirmed: set[int] = set()
        self.guesses = 0
        self.rereads = 0
        self.typed: dict[
            tuple[str, str | None, str | None],
            tuple[ScalarValue, str, str | None, str | None],
        ] = {}

    # -- errors

    def error(self, message: str, index: int, end: int | None = None) -> PortSpecError:
        return _error_at(self.text, message, index, end, self.path)

    def mark_error(self, message: str, event: Any) -> PortSpecError:
        start = event.start_mark.index + self.shift
        end = max(event.end_mark.index + self.shift, start + 1)
        return self.error(message, start, end)

    # -- events to nodes

    def read(self, *, one: bool) -> list[Node]:
        import yaml  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415 - light import

        try:
            while True:
                self.confirmed = set()
                try:
                    documents = self._read(one)
                except yaml.scanner.ScannerError as error:
                    if self.substitute_escape(error) or self.retract():
                        continue
                    raise
                except yaml.YAMLError:
                    if self.retract():
                        continue
                    raise
                if self.retract():
                    continue
                return documents
        except yaml.YAMLError as error:
            raise self.yaml_error(error) from None
        except RecursionError:  # pragma: no cover - the reader is iterative
            raise self.error("too deeply nested", 0) from None

    def _read(self, one: bool) -> list[Node]:
        import yaml  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

        # One loop over libyaml's events, the common cases inline: a 1 MB
        # file is some 100,000 nodes.
        loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        documents: list[Node] = []
        stack: list[_Frame] = []
        self.anchors, self.sizes, self.alias_nodes = {}, {}, 0
        anchors, sizes, typed = self.anchors, self.sizes, self.typed
        shift, text, path = self.shift, self.text, self.path
        for event in yaml.parse(self.working[shift:], Loader=loader):
            kind = type(event)
            alias: str | None = None
            if kind is scalar_event:
                start_mark = event.start_mark
                start = start_mark.index + shift
                end = event.end_mark.index + shift
                value_text = event.value
                if event.style == '"' and "\\" in text[start:end]:
                    value_text = self.double_quoted(start, end, value_text)
                # Keys and common values repeat: type each spelling once.
                cache_key = (value_text, event.style, event.tag)
                found = typed.get(cache_key)
                if found is None:
                    found = typed[cache_key] = self.type_scalar(event, value_text, start, end)
                value, yaml_type, tag, style = found
                node: Node = Scalar(
                    value,
                    yaml_type,
                    tag,
                    value_text,
                    _STYLES[style],
                    text[start:end],
                    start,
                    end,
                    start_mark.line + 1,
                    start_mark.column + 1,
                    path,
                )
                if event.anchor is not None:
                    anchors[event.anchor] = node
                    sizes[event.anchor] = 1
                size = 1
            elif kind is alias_event:
                alias = event.anchor
                node = self.alias(event)
                size = sizes[alias]
            elif kind is mapping_start or kind is sequence_start:
                if len(stack) >= MAX_DEPTH:
                    raise self.mark_error(_TOO_DEEP, event)
                if event.anchor is not None:
                    anchors[event.anchor] = _IN_PROGRESS
                stack.append(_Frame(event, kind is mapping_start, event.anchor))
                continue
            elif kind in ends:
                frame = stack.pop()
                node = self.collection(frame, event)
                size = frame.size
                # go-yaml names the node when it starts: an anchor of the same
                # name inside it, given later, is the one that stays.
                if frame.anchor is not None and anchors.get(frame.anchor) is _IN_PROGRESS:
                    anchors[frame.anchor] = node
                    sizes[frame.anchor] = size
                event = frame.event  # noqa: PLW2901 - errors point at the collection's start
            elif kind is yaml.DocumentStartEvent:
                self.start_document(event, documents, one=one)
                continue
            else:
                continue
            # Put the finished node in its parent, or make it a document.
            if not stack:
                documents.append(node)
                continue
            parent = stack[-1]
            parent.size += size
            if not parent.mapping:
                parent.items.append(node)
            elif parent.expect_key:
                parent.expect_key = False
                self.add_key(parent, node, event, alias)
            elif parent.merge_pending:
                parent.expect_key = True
                parent.merge_pending = False
                self.add_merge(parent, node, event)
            else:
                parent.expect_key = True
                parent.entries.append(Pair(parent.key, node))  # type: ignore[arg-type]
        return documents

    def substitute_escape(self, error: Any) -> bool:
        """Let libyaml read \\' escapes as go-yaml does; False if ``error`` is another fault.

        libyaml refuses \\' in a double-quoted scalar, go-yaml reads it as '.
        Each one is spelled \\e (as long, so every position stays true), the
        ESC it gives put back to ' in double_quoted(), and the stream read
        again. At the first one, every later \\' that a quick look at the
        text places in a double-quoted scalar is spelled \\e too, so one
        more read usually does; read() then checks that each of them was an
        escape of a double-quoted scalar, and else takes back the guesses.
        """
        problem = error.problem or ""
        if not problem.startswith("found unknown escape character") or error.context_mark is None:
            return False
        index = error.problem_mark.index + self.shift
        if self.text[index - 1 : index + 1] == "\\'":
            index -= 1  # PyYAML's Python scanner points past the backslash
        if self.text[index : index + 2] != "\\'" or index in self.substituted:
            return False
        opening = error.context_mark.index + self.shift
        if self.guesses < _GUESSES:
            self.guesses += 1
            found = _guess_escapes(self.text, opening)
            self.guessed.update(found)
        else:
            self.rereads += 1
            if self.rereads * len(self.text) > _REREAD_BUDGET:
                raise self.error(
                    "too many double-quoted strings with \\' escapes for portspec to read"
                    " (Compose reads \\' as ')",
                    index,
                    index + 2,
                )
            found = _escapes_in_scalar(self.text, opening)
        self.substituted.update(found)
        self.respell()
        return True

    def retract(self) -> bool:
        """Take back the guessed \\' escapes that the last read did not confirm; False if none.

        A guess is kept when it and every guess before it were escapes in a
        double-quoted scalar: the text up to there reads as go-yaml reads it.
        """
        if self.guessed <= self.confirmed:
            self.guessed = set()
            return False
        kept: set[int] = set()
        for position in sorted(self.substituted):
            if position in self.guessed and position not in self.confirmed:
                break
            kept.add(position)
        self.substituted = kept
        self.guessed = set()
        self.respell()
        return True

    def respell(self) -> None:
        """``working``: the text with each substituted \\' spelled \\e."""
        pieces: list[str] = []
        last = 0
        for position in sorted(self.substituted):
            pieces.append(self.text[last : position + 1])
            pieces.append("e")
            last = position + 2
        pieces.append(self.text[last:])
        self.working = "".join(pieces)

    def double_quoted(self, start: int, end: int, value: str) -> str:
        """Check a double-quoted scalar's escapes as go-yaml does, and undo substitutions."""
        raw = self.text[start:end]
        begin = start + _content_start(raw)
        text = self.text
        restore: list[bool] = []
        index = text.find("\\", begin, end)
        while index != -1:
            char = text[index + 1 : index + 2]
            width = _ESCAPE_WIDTHS.get(char, 0)
            if char == "/":
                raise self.error(
                    "found unknown escape character \\/ (Compose's YAML reader has no such"
                    " escape: write / alone)",
                    index,
                    index + 2,
                )
            code = _hex(text[index + 2 : index + 2 + width]) if width else -1
            if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                # libyaml refuses these too; PyYAML's Python scanner does not
                raise self.error(
                    "found invalid Unicode character escape code", index, index + 2 + width
                )
            if index in self.substituted:
                self.confirmed.add(index)
                restore.append(True)
            elif char == "e" or code == 0x1B:
                restore.append(False)
            index = text.find("\\", index + 2 + width, end)
        if not any(restore):
            return value
        pieces = value.split("\x1b")
        out = [pieces[0]]
        for back, piece in zip(restore, pieces[1:], strict=False):
            out.append("'" if back else "\x1b")
            out.append(piece)
        return "".join(out)

    def type_scalar(
        self, event: Any, text: str, start: int, end: int
    ) -> tuple[ScalarValue, str, str | None, str | None]:
        """The value, YAML type and tag of a scalar, and its style's key in ``_STYLES``.

        Plain values and text only, so the cache of them holds nothing the
        garbage collector has to walk.
        """
        style_key = event.style if event.style in _STYLES else None
        tag = _short_tag(event.tag)
        try:
            yaml_type, value = _type_scalar(text, _STYLES[style_key], tag)
        except _TypingError as error:
            raise self.error(str(error), start, end) from None
        return value, yaml_type, tag, style_key

    def start_document(self, event: Any, documents: list[Node], *, one: bool) -> None:
        if one and documents:
            raise self.mark_error(
                "a second YAML document: expected one (Compose reads each document"
                " of a file as an override of the one before)",
                event,
            )
        if event.version is not None and tuple(event.version) != (1, 1):
            major, minor = event.version
            raise self.mark_error(
                f"found incompatible YAML document: %YAML {major}.{minor}"
                " (Compose accepts only a %YAML 1.1 directive, or none)",
                event,
            )
        # Anchors live on into later documents, as in go-yaml.

    def alias(self, event: Any) -> Node:
        name = event.anchor
        target = self.anchors.get(name)
        if target is None:
            raise self.mark_error(f"unknown anchor '{name}' referenced", event)
        if isinstance(target, _InProgress):
            raise self.mark_error(
                f"alias *{name} is inside the node its anchor names: a cycle", event
            )
        self.alias_nodes += self.sizes[name]
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise self.mark_error(
                f"too many aliases: expanding them would add more than {MAX_ALIAS_NODES:,}"
                " nodes (a 'billion laughs' document?)",
                event,
            )
        return target

    def add_key(self, frame: _Frame, key: Node, event: Any, alias: str | None) -> None:
        if not isinstance(key, Scalar):
            raise self.mark_error("a mapping key must be a scalar, not a collection", event)
        # Compose refuses a key spelled twice, whatever its type or quotes
        # (go-yaml names an alias by its anchor).
        name = alias if alias is not None else key.text
        seen = frame.key_lines.get(name)
        if seen is not None:
            raise self.mark_error(
                f"mapping key {_go_quote(name)} already defined at line {seen}", event
            )
        frame.key_lines[name] = event.start_mark.line + 1
        frame.key = key
        frame.merge_pending = (
            alias is None
            and key.text == "<<"
            and key.style is ScalarStyle.PLAIN
            and event.tag in _MERGE_TAGS
        )

    def add_merge(self, frame: _Frame, value: Node, event: Any) -> None:
        # Compose replaces every alias by its node before go-yaml merges, so
        # an alias to a sequence of mappings is as good as the sequence.
        problem = "map merge requires map or sequence of maps as the value"
        if isinstance(value, Mapping):
            frame.merges.append(value)
            return
        if isinstance(value, Sequence):
            for item in value.items:
                if not isinstance(item, Mapping):
                    raise _error_at(self.text, problem, item.span.start, item.span.end, self.path)
                frame.merges.append(item)
            return
        raise self.mark_error(problem, event)

    def collection(self, frame: _Frame, end_event: Any) -> Node:
        start_event = frame.event
        start = start_event.start_mark.index + self.shift
        end = end_event.end_mark.index + self.shift
        span = Span(
            start,
            end,
            start_event.start_mark.line + 1,
            start_event.start_mark.column + 1,
            self.path,
        )
        tag = _short_tag(start_event.tag)
        flow = bool(start_event.flow_style)
        if not frame.mapping:
            return Sequence(tuple(frame.items), tag, span, flow)
        entries = frame.entries
        if frame.merges:
            self.merge(entries, frame.merges)
        return Mapping(tuple(entries), tag, span, flow)

    @staticmethod
    def merge(entries: list[Pair], sources: list[Mapping]) -> None:
        """Add the entries of merged mappings as go-yaml decodes ``<<``.

        Own keys win wherever ``<<`` stands; then the merged mappings in
        order, the first to name a key giving its value. When every own key
        is a string, go-yaml decodes into a map of strings, so a merged key
        becomes the string it was spelled as (``1`` is ``"1"``) and a null
        key is dropped.
        """
        strings = all(
            isinstance(entry.key, Scalar) and entry.key.yaml_type == "!!str" for entry in entries
        )
        seen = {_key_identity(entry.key) for entry in entries}
        for source in sources:
            for entry in source.entries:
                key = entry.key
                if strings and isinstance(key, Scalar) and key.yaml_type != "!!str":
                    if key.value is None:
                        continue
                    key = dataclasses.replace(key, value=key.text, yaml_type="!!str")
                identity = _key_identity(key)
                if identity not in seen:
                    seen.add(identity)
                    entries.append(Pair(key, entry.value, merged=True))

    def yaml_error(self, error: yaml.YAMLError) -> PortSpecError:
        import yaml  # type: ignore[import-untyped, unused-ignore]  # noqa: PLC0415

        if isinstance(error, yaml.reader.ReaderError):
            return self.error(f"{error.reason}", error.position + self.shift)
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        if problem == "exceeded maximum nesting depth" and mark is not None:
            # libyaml's own limit, the same as ours.
            return self.error(_TOO_DEEP, mark.index + self.shift)
        context = getattr(error, "context", None)
        context_mark = getattr(error, "context_mark", None)
        message = problem
        if (
            context
            and context_mark is not None
            and (mark is None or context_mark.index != mark.index)
        ):
            line, column = context_mark.line + 1, context_mark.column + 1
            message = f"{problem} ({context} at line {line}, column {column})"
        index = mark.index + self.shift if mark is not None else len(self.text)
        return self.error(message, index)


def _hex(digits: str) -> int:
    try:
        return int(digits, 16)
    except ValueError:
        return -1


def _content_start(raw: str) -> int:
    """Where a scalar's own text starts in its source, past its anchor, tag and comments."""
    pos = 0
    while pos < len(raw) and raw[pos] in "&!":
        while pos < len(raw) and raw[pos] not in " \t\r\n":
            pos += 1
        while pos < len(raw):
            if raw[pos] in " \t\r\n":
                pos += 1
            elif raw[pos] == "#":
                newline = raw.find("\n", pos)
                pos = len(raw) if newline == -1 else newline
            else:
                break
    return pos


def _escapes_in_scalar(text: str, opening: int) -> list[int]:
    """Where each \' stands in the double-quoted scalar whose quote is at ``opening``."""
    found: list[int] = []
    position = opening + 1
    while True:
        stop = _QUOTED_STOP.search(text, position)
        if stop is None or stop.group() == '"':
            return found
        if text[stop.end() : stop.end() + 1] == "'":
            found.append(stop.start())
        position = stop.end() + 1


def _guess_escapes(text: str, opening: int) -> list[int]:
    r"""Every \' from the double-quoted scalar at ``opening`` on that seems to be in one.

    A quick look, line by line, at what starts a scalar: it skips comments,
    plain, single-quoted and block scalars, and errs towards skipping (a \'
    missed costs one more read, a wrong guess a read taken back).
    """
    found: list[int] = []
    size = len(text)
    position = opening
    flow = 0
    line_start = text.rfind("\n", 0, opening) + 1
    node = opening - line_start  # the column of the node the line is at
    while position < size:
        char = text[position]
        if char == '"':
            position += 1
            while True:
                stop = _QUOTED_STOP.search(text, position)
                if stop is None:
                    return found
                position = stop.end()
                if stop.group() == '"':
                    break
                if text[position : position + 1] == "'":
                    found.append(stop.start())
                position += 1
            if text.find("\n", stop.start(), position) != -1:
                line_start = text.rfind("\n", 0, position) + 1
            position = _after_scalar(text, position)
            continue
        if char == "'":
            while True:
                position = text.find("'", position + 1)
                if position == -1:
                    return found
                if text[position + 1 : position + 2] != "'":
                    break
                position += 1
            line_start = text.rfind("\n", 0, position) + 1
            position = _after_scalar(text, position + 1)
            continue
        if char == "\n":
            position += 1
            line_start = position
            while position < size and text[position] == " ":
                position += 1
            node = position - line_start
            continue
        if char in " \t":
            position += 1
            continue
        if char == "#":
            newline = text.find("\n", position)
            position = size if newline == -1 else newline
            continue
        following = text[position + 1 : position + 2]
        if char in "-?:" and following in ("", " ", "\t", "\n", "\r"):
            if char == "-":
                node = position - line_start
            position += 1
            continue
        if char in "[{":
            flow += 1
            position += 1
            continue
        if char in "]},":
            flow = max(flow - 1, 0) if char != "," else flow
            position += 1
            continue
        if char in "&!*":
            position = _token_end(text, position)
            continue
        if char in "|>" and flow == 0:
            position = _block_end(text, position, node, line_start)
            continue
        # A plain scalar, perhaps a key: on to what ends it.
        if flow == 0:
            node = position - line_start
        end = (_PLAIN_END_FLOW if flow else _PLAIN_END).search(text, position)
        position = size if end is None else end.start() + (1 if end.group()[0] == ":" else 0)
    return found


def _after_scalar(text: str, position: int) -> int:
    """Past a quoted scalar: on to ':' or what else follows, the rest of a line if unclear."""
    while position < len(text) and text[position] in " \t":
        position += 1
    if position < len(text) and text[position] not in ":,]}#\n\r":
        newline = text.find("\n", position)
        return len(text) if newline == -1 else newline
    return position


def _token_end(text: str, position: int) -> int:
    while position < len(text) and text[position] not in " \t\r\n,[]{}":
        position += 1
    return position


def _block_end(text: str, position: int, node: int, line_start: int) -> int:
    """Past a block scalar: every following line blank or indented deeper than ``node``."""
    header = text.find("\n", position)
    if header == -1:
        return len(text)
    position = header + 1
    while position < len(text):
        newline = text.find("\n", position)
        line = text[position : len(text) if newline == -1 else newline]
        stripped = line.lstrip(" ")
        if stripped.strip() and len(line) - len(stripped) <= node:
            return position - 1
        if newline == -1:
            return len(text)
        position = newline + 1
    return len(text)


def _key_identity(key: Node) -> tuple[object, object]:
    """A key as go-yaml compares keys when it merges: by Go value (a tagged string is a string)."""
    if isinstance(key, Scalar):
        value = key.value
        if isinstance(value, float) and math.isnan(value):
            return float, id(key)  # NaN is no key's equal, not even its own
        return type(value), value
    return type(key), id(key)
