"""YAML read as Docker Compose v2 reads it: one document into frozen nodes that keep positions.

Compose v2 reads its files with go-yaml v3 (``go.yaml.in/yaml/v3``), a line
by line port of libyaml to Go. portspec parses with libyaml too (through
PyYAML's event API, in C when available), so what is legal YAML here is
legal there; it then builds its own nodes and types each scalar with a port
of go-yaml's ``resolve()``, never with PyYAML's YAML 1.1 constructors:

- ``22:22`` is the string ``"22:22"`` (no base-60), ``yes``/``on`` are strings,
  ``true``/``True``/``TRUE`` are booleans, ``~``/``null``/``Null``/``NULL``/empty are null;
- integers as Go's ``strconv.ParseInt(text, 0, 64)`` reads them after every
  ``_`` is dropped: ``0x1F``, ``0o17``, ``017`` (octal!), ``0b101``, ``+80``, ``1_000``;
- floats: ``1e3``, ``80.0``, ``.5``, ``08`` (not octal, so a float), ``.inf``, ``.nan``;
- ``2001-12-14`` is a timestamp, which Compose then refuses everywhere;
- quoted and block scalars are strings unless explicitly tagged.

Merge keys (``<<``) are resolved as go-yaml resolves them, anchors are shared
(an alias is the very node its anchor names), and the tags Compose gives a
meaning to (``!reset``, ``!override``) stay on their nodes for a merge step.
"""

from __future__ import annotations

import datetime
import enum
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml  # type: ignore[import-untyped, unused-ignore]

from portspec._files import decode
from portspec.errors import PortSpecError
from portspec.model import Span

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "Mapping",
    "Node",
    "Pair",
    "Scalar",
    "ScalarStyle",
    "ScalarValue",
    "Sequence",
    "YamlError",
    "compose_document",
    "load_yaml",
    "load_yaml_documents",
    "plain_type",
    "to_python",
]

#: Collections nested deeper than this are refused. (Compose stops at
#: 10,000, and takes seconds to read even 5,000: no real file comes close.)
MAX_DEPTH = 1000
#: How many nodes aliases may add to a document, counted as a reader that
#: expanded every alias would count them. Compose has no such limit and
#: hangs on a "billion laughs" file; a document under this limit is one it
#: reads within a few seconds.
MAX_ALIAS_NODES = 100_000

ScalarValue = str | int | float | bool | datetime.datetime | None


class ScalarStyle(enum.Enum):
    """How a scalar was written; only a plain scalar is typed from its text."""

    PLAIN = "plain"
    SINGLE_QUOTED = "single-quoted"
    DOUBLE_QUOTED = "double-quoted"
    LITERAL = "literal"
    FOLDED = "folded"

    def __str__(self) -> str:
        return self.value


_STYLES = {
    None: ScalarStyle.PLAIN,
    "": ScalarStyle.PLAIN,
    "'": ScalarStyle.SINGLE_QUOTED,
    '"': ScalarStyle.DOUBLE_QUOTED,
    "|": ScalarStyle.LITERAL,
    ">": ScalarStyle.FOLDED,
}


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar: its typed value, its text after YAML unescaping, its style and tag.

    Equality is the value, its YAML type and the tag; where it stood and how
    it was spelled (``0x50`` or ``80``) take no part.
    """

    value: ScalarValue
    #: ``"!!str"``, ``"!!int"``, ``"!!float"``, ``"!!bool"``, ``"!!null"``,
    #: ``"!!timestamp"``, ``"!!binary"`` (decoded to text), or the explicit
    #: tag of a scalar Compose reads as a string (``"!reset"``, ``"!custom"``).
    yaml_type: str
    #: The tag written on the node (``!!`` for the YAML namespace), or None.
    tag: str | None = None
    text: str = field(default="", compare=False)
    style: ScalarStyle = field(default=ScalarStyle.PLAIN, compare=False, repr=False)
    span: Span = field(default=Span(0, 0), compare=False, repr=False)
    #: The source text of the node, tag and anchor included.
    raw: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Pair:
    """One key and value of a mapping; ``merged`` when it came through ``<<``."""

    key: Node
    value: Node
    merged: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class Mapping:
    """A mapping, in document order, merge keys resolved (own keys first, then merged ones)."""

    entries: tuple[Pair, ...]
    tag: str | None = None
    span: Span = field(default=Span(0, 0), compare=False, repr=False)
    flow: bool = field(default=False, compare=False, repr=False)

    def get(self, key: str) -> Node | None:
        """The value of the string key ``key``, or None.

        >>> load_yaml("ports: [80]").get("ports")
        Sequence(items=(Scalar(value=80, yaml_type='!!int', tag=None, text='80'),), tag=None)
        """
        for entry in self.entries:
            name = entry.key
            if isinstance(name, Scalar) and type(name.value) is str and name.value == key:
                return entry.value
        return None

    def __getitem__(self, key: str) -> Node:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __len__(self) -> int:
        return len(self.entries)

    def items(self) -> Iterator[tuple[Node, Node]]:
        """The keys and values, in order."""
        for entry in self.entries:
            yield entry.key, entry.value


@dataclass(frozen=True, slots=True)
class Sequence:
    """A sequence of nodes."""

    items: tuple[Node, ...]
    tag: str | None = None
    span: Span = field(default=Span(0, 0), compare=False, repr=False)
    flow: bool = field(default=False, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.items)


Node = Scalar | Mapping | Sequence


# ---------------------------------------------------------------- the API


def load_yaml(text: str | bytes, *, path: str | None = None) -> Node:
    """Read the one YAML document in ``text`` as Compose v2 would.

    >>> doc = load_yaml("ports:\\n  - 22:22\\n  - 0x50\\n")
    >>> [item.value for item in doc["ports"]]
    ['22:22', 80]

    An empty stream gives a null scalar; a second document, bad YAML and
    hostile input raise ``PortSpecError`` with the line, column and a caret.
    """
    documents = _Reader(text, path).read(one=True)
    if not documents:
        return Scalar(None, "!!null", span=Span(0, 0, path=path))
    return documents[0]


def load_yaml_documents(text: str | bytes, *, path: str | None = None) -> tuple[Node, ...]:
    """Every document of a YAML stream, in order (Compose reads each as an override of the last).

    >>> [to_python(doc) for doc in load_yaml_documents("a: 1\\n---\\na: 2\\n")]
    [{'a': 1}, {'a': 2}]
    """
    return tuple(_Reader(text, path).read(one=False))


def compose_document(node: Node, *, path: str | None = None) -> Mapping:
    """The document as Compose requires it: a mapping whose keys are all strings.

    >>> compose_document(load_yaml("services: {}")).get("services")
    Mapping(entries=(), tag=None)

    Raises ``PortSpecError`` as Compose refuses: ``top-level object must be a
    mapping``, ``non-string key in services.web.labels: 80``.
    """
    if not isinstance(node, Mapping):
        raise _node_error("top-level object must be a mapping", node, path)
    stack: list[tuple[Node, str]] = [(node, "")]
    while stack:
        current, where = stack.pop()
        if isinstance(current, Sequence):
            stack.extend((item, f"{where}[{index}]") for index, item in enumerate(current.items))
            continue
        if not isinstance(current, Mapping):
            continue
        for entry in current.entries:
            key = entry.key
            if not (isinstance(key, Scalar) and type(key.value) is str):
                shown = _go_key(key)
                place = f"in {where}" if where else "at top level"
                raise _node_error(f"non-string key {place}: {shown}", key, path)
            name = f"{where}.{key.value}" if where else str(key.value)
            stack.append((entry.value, name))
    return node


def to_python(node: Node) -> Any:
    """Plain Python values for a node: dicts, lists and scalars (fresh objects, aliases expanded).

    >>> to_python(load_yaml("a: &x [1, .5, yes]\\nb: *x"))
    {'a': [1, 0.5, 'yes'], 'b': [1, 0.5, 'yes']}
    """
    # Iterative, so that any depth load_yaml accepts converts.
    root: list[Any] = [None]
    stack: list[tuple[Node, Any, Any]] = [(node, root, 0)]
    while stack:
        current, parent, slot = stack.pop()
        if isinstance(current, Scalar):
            parent[slot] = current.value
        elif isinstance(current, Sequence):
            items: list[Any] = [None] * len(current.items)
            parent[slot] = items
            stack.extend((item, items, index) for index, item in enumerate(current.items))
        else:
            mapping: dict[Any, Any] = {}
            parent[slot] = mapping
            for entry in current.entries:
                # load_yaml refuses a collection as a key
                key = entry.key.value if isinstance(entry.key, Scalar) else repr(entry.key)
                mapping[key] = None
                stack.append((entry.value, mapping, key))
    return root[0]


# ------------------------------------------------------- scalar typing (go-yaml resolve)

_YAML_TAG = "tag:yaml.org,2002:"
# The tags resolve() knows; any other tag leaves a scalar a string.
_RESOLVABLE = frozenset({"!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"})
# What the first character says a plain scalar may be (go-yaml's resolveTable).
_HINTS = {
    **dict.fromkeys("+-", "S"),
    **dict.fromkeys("0123456789", "D"),
    **dict.fromkeys("yYnNtTfFoO~", "M"),
    ".": ".",
}
_WORDS: dict[str, tuple[str, ScalarValue]] = {
    **dict.fromkeys(("true", "True", "TRUE"), ("!!bool", True)),
    **dict.fromkeys(("false", "False", "FALSE"), ("!!bool", False)),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), ("!!null", None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), ("!!float", math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), ("!!float", math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), ("!!float", -math.inf)),
}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# Go's strconv.ParseFloat on text that starts with '.': digits with single
# underscores between them, and an exponent.
_GO_DOT_FLOAT = re.compile(r"\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?")
# go-yaml's timestamp layouts: 2006-1-2T15:4:5.999999999Z07:00 (or 't'),
# 2006-1-2 15:4:5.999999999, and 2006-1-2, as Go's time.Parse reads them
# (a space in a layout stands for any run of spaces).
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:([Tt]| +)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?"
    r"(Z|[-+][0-9]{2}:[0-9]{2})?)?"
)
_MAX_INT64 = (1 << 63) - 1
_MAX_UINT64 = (1 << 64) - 1
_DIGITS = {c: i for i, c in enumerate("0123456789abcdefghijklmnopqrstuvwxyz")}


class _TypingError(Exception):
    """A scalar its explicit tag cannot hold; the caller adds the position."""


def _short_tag(tag: str | None) -> str | None:
    if tag is None:
        return None
    if tag.startswith(_YAML_TAG):
        return "!!" + tag[len(_YAML_TAG) :]
    return tag


def _type_scalar(text: str, style: ScalarStyle, tag: str | None) -> tuple[str, ScalarValue]:
    """The YAML type and value go-yaml decodes a scalar to (into an ``interface{}``)."""
    if tag is None or tag == "!":
        if style is not ScalarStyle.PLAIN:
            return "!!str", text
        return _resolve_plain(text, timestamps=True)
    if tag == "!!str":
        return "!!str", text
    if tag == "!!binary":
        try:
            import base64  # noqa: PLC0415 - rare: !!binary
            import binascii  # noqa: PLC0415

            data = base64.b64decode(re.sub(r"[\r\n]", "", text), validate=True)
        except (binascii.Error, ValueError):
            raise _TypingError("!!binary value contains invalid base64 data") from None
        # Go keeps the bytes in a string; JSON shows invalid UTF-8 as U+FFFD.
        return "!!binary", data.decode("utf-8", errors="replace")
    if tag not in _RESOLVABLE:
        return tag, text
    found, value = _resolve_plain(text, timestamps=tag == "!!timestamp")
    if found == tag:
        return found, value
    if tag == "!!str":
        return "!!str", text
    if tag == "!!float" and found == "!!int" and isinstance(value, int) and value <= _MAX_INT64:
        return "!!float", float(value)
    raise _TypingError(f"cannot read {_shown(text)} as {tag}: it is a {found[2:]} in YAML")


def plain_type(text: str) -> str:
    """The tag go-yaml gives ``text`` written as a plain scalar: ``!!str``, ``!!int``, ...

    >>> plain_type("08"), plain_type("0o17"), plain_type("1e3"), plain_type("web")
    ('!!float', '!!int', '!!float', '!!str')
    """
    return _resolve_plain(text, timestamps=True)[0]


def _resolve_plain(text: str, *, timestamps: bool) -> tuple[str, ScalarValue]:
    """go-yaml's resolve() for an untagged plain scalar."""
    hint = _HINTS.get(text[:1], "N") if text else "N"
    if hint == "N" and text:
        return "!!str", text
    word = _WORDS.get(text)
    if word is not None:
        return word
    if hint == ".":
        if _GO_DOT_FLOAT.fullmatch(text):
            number = float(text.replace("_", ""))
            if not math.isinf(number):
                return "!!float", number
    elif hint in "DS":
        if timestamps:
            stamp = _parse_timestamp(text)
            if stamp is not None:
                return "!!timestamp", stamp
        plain = text.replace("_", "")
        integer = _go_parse_int(plain)
        if integer is not None:
            return "!!int", integer
        if _YAML_FLOAT.fullmatch(plain):
            number = float(plain)
            # Go refuses what overflows; Python would give inf.
            if not math.isinf(number):
                return "!!float", number
        if plain.startswith(("0b", "0o")):
            # go-yaml's own fallback reads the digits after the prefix with
            # a sign of their own: 0o-41 is -33.
            integer = _go_parse_int(plain[2:], 2 if plain[1] == "b" else 8)
            if integer is not None:
                return "!!int", integer
    return "!!str", text


def _go_parse_int(text: str, base: int = 0) -> int | None:
    """Go's ``ParseInt(text, base, 64)``, then ``ParseUint(text, base, 64)``; None if both fail."""
    negative = text[:1] == "-"
    signed = text[:1] in "+-" and text != ""
    digits = text[1:] if signed else text
    value = _go_parse_uint(digits, base)
    if value is None:
        return None
    if negative:
        return -value if value <= _MAX_INT64 + 1 else None
    if signed and value > _MAX_INT64:
        # ParseInt overflows and ParseUint refuses the sign.
        return None
    return value


def _go_parse_uint(text: str, base: int = 0) -> int | None:
    if not text:
        return None
    if base == 0:
        # Go's base prefixes; a lone leading 0 means octal.
        base = 10
        if text[0] == "0":
            prefix = text[1:2].lower()
            if len(text) >= 3 and prefix in ("b", "o", "x"):
                base = {"b": 2, "o": 8, "x": 16}[prefix]
                text = text[2:]
            else:
                base = 8
                text = text[1:]
    value = 0
    for char in text:
        digit = _DIGITS.get(char.lower(), 99)
        if digit >= base:
            return None
        value = value * base + digit
        if value > _MAX_UINT64:
            return None
    return value


def _parse_timestamp(text: str) -> datetime.datetime | None:
    """go-yaml's parseTimestamp (Go's ``time.Parse`` with its four layouts), or None."""
    if len(text) < 5 or text[4] != "-" or not text[:4].isdigit():
        return None
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day, sep, hour, minute, second, fraction, zone = match.groups()
    if sep is not None and (sep[0] == " ") != (zone is None):
        return None
    try:
        # Python has no year 0, which Go reads: the nearest instant will do,
        # as Compose refuses a timestamp wherever it finds one.
        stamp = datetime.datetime(
            max(int(year), 1),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    if zone is None or zone == "Z":
        return stamp.replace(tzinfo=datetime.timezone.utc)
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 24 or minutes > 60:
        return None
    offset = datetime.timedelta(hours=hours, minutes=minutes)
    if zone[0] == "-":
        offset = -offset
    try:
        return stamp.replace(tzinfo=datetime.timezone(offset))
    except ValueError:
        # Go takes offsets up to 24:60, Python's time zones stop short of 24
        # hours: keep the instant, in UTC.
        try:
            return (stamp - offset).replace(tzinfo=datetime.timezone.utc)
        except OverflowError:
            return stamp.replace(tzinfo=datetime.timezone.utc)


def _shown(text: str) -> str:
    return f"`{text}`" if len(text) <= 40 else f"`{text[:37]}...`"


# ------------------------------------------------------------- reading the stream

# The characters YAML allows in a stream (libyaml's and go-yaml's reader).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TOO_DEEP = f"too deeply nested: more than {MAX_DEPTH} levels of collections"
# How many times a \' escape sends portspec to guess where the others are.
_GUESSES = 4
# Past those guesses, how many characters portspec re-reads to let \'
# escapes through (a re-read each): thousands in a small file, dozens in a
# megabyte.
_REREAD_BUDGET = 20_000_000
# The hex digits after \x, \u and \U in a double-quoted scalar.
_ESCAPE_WIDTHS = {"x": 2, "u": 4, "U": 8}
_BREAKS = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
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
            tuple[ScalarValue, str, str | None, ScalarStyle],
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
                span = Span(start, end, start_mark.line + 1, start_mark.column + 1, path)
                node: Node = Scalar(value, yaml_type, tag, value_text, style, span, text[start:end])
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
    ) -> tuple[ScalarValue, str, str | None, ScalarStyle]:
        style = _STYLES.get(event.style, ScalarStyle.PLAIN)
        tag = _short_tag(event.tag)
        try:
            yaml_type, value = _type_scalar(text, style, tag)
        except _TypingError as error:
            raise self.error(str(error), start, end) from None
        return value, yaml_type, tag, style

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
                    key = Scalar(key.text, "!!str", key.tag, key.text, key.style, key.span, key.raw)
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


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _go_key(key: Node) -> str:
    """A key as Go's ``%v`` prints it in Compose's "non-string key" message."""
    if not isinstance(key, Scalar):
        return "map[]" if isinstance(key, Mapping) else "[]"
    value = key.value
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, 64)``, which ``%v`` prints."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    # repr gives the shortest digits that read back the same, as Go does.
    import decimal  # noqa: PLC0415 - only to print a float as go-yaml does

    exact = decimal.Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, exact.digits))
    point = len(digits) + int(exact.exponent)
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{body}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


# --------------------------------------------------------------- text and errors


def _decode(data: str | bytes, path: str | None) -> tuple[str, int]:
    """The text of a stream, and 1 if it starts with a byte order mark libyaml skips."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        try:
            text = decode(raw)
        except UnicodeDecodeError as error:
            utf16 = error.encoding.startswith("utf-16")
            skip = 2 if utf16 else 0
            shown = raw[skip:].decode(error.encoding, errors="replace")
            good = raw[skip : error.start].decode(error.encoding, errors="replace")
            byte = raw[error.start]
            what = "UTF-16" if utf16 else "UTF-8"
            offset = len(good) + skip // 2
            raise _error_at(
                "\ufeff" * (skip // 2) + shown,
                f"invalid {what} at byte offset {error.start} (0x{byte:02x}):"
                " Compose reads YAML files as UTF-8 (or UTF-16 after a byte order mark)",
                offset,
                offset + 1,
                path,
            ) from None
    elif isinstance(data, str):
        text = data
    else:
        raise PortSpecError(f"expected YAML as text or bytes, not {type(data).__name__}")
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        char = bad.group()
        raise _error_at(
            text,
            f"control characters are not allowed: found U+{ord(char):04X}",
            bad.start(),
            bad.start() + 1,
            path,
        )
    return text, 1 if text.startswith("\ufeff") else 0


def _line_of(text: str, index: int) -> tuple[int, int, int, int]:
    """The 1-based line and column of ``index``, and where that line starts and ends."""
    line, start = 1, 0
    for match in _BREAKS.finditer(text, 0, index):
        if match.end() > index:
            break
        line += 1
        start = match.end()
    found = _BREAKS.search(text, index)
    end = found.start() if found is not None else len(text)
    end = max(end, index)
    return line, index - start + 1, start, end


class YamlError(PortSpecError):
    """A YAML fault; ``location`` is its place in the whole text, ``reason`` the bare message."""

    def __init__(
        self, message: str, text: str, span: tuple[int, int] | None, location: Span, reason: str
    ) -> None:
        super().__init__(message, text, span)
        self.location = location
        self.reason = reason


def _error_at(
    text: str, message: str, index: int, end: int | None, path: str | None
) -> PortSpecError:
    index = max(0, min(index, len(text)))
    if not text[index:].strip():
        # A fault found at the end of the stream belongs after the last text.
        index = len(text.rstrip())
        end = None
    line, column, line_start, line_end = _line_of(text, index)
    stop = min(end if end is not None else index + 1, line_end)
    where = f"{path}:{line}:{column}" if path else f"line {line}, column {column}"
    source_line = text[line_start:line_end].lstrip("\ufeff") if line_start == 0 else None
    if source_line is None:
        source_line = text[line_start:line_end]
    trimmed = len(text[line_start:line_end]) - len(source_line)
    start_in_line = max(0, index - line_start - trimmed)
    stop_in_line = max(start_in_line + 1, stop - line_start - trimmed)
    location = Span(index, max(stop, index), line, column, path)
    return YamlError(
        f"{where}: {message}", source_line, (start_in_line, stop_in_line), location, message
    )


def _node_error(message: str, node: Node, path: str | None) -> PortSpecError:
    span = node.span
    where = (
        f"{path}:{span.line}:{span.column}" if path else f"line {span.line}, column {span.column}"
    )
    raw = node.raw if isinstance(node, Scalar) else ""
    return YamlError(f"{where}: {message}", raw, (0, len(raw)) if raw else None, span, message)
