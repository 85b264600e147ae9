"""The nodes a YAML document is read into: frozen, each with its span."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass  # type: ignore[import-untyped, unused-ignore]

from portspec.model import Span

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
    #: The source text of the node, tag and anchor included.
    raw: str = field(default="", compare=False, repr=False)
    # Where it stood, as ``span`` gives it. A document is mostly scalars:
    # kept here, not in a Span of each, they are half the objects to hold.
    start: int = field(default=0, compare=False, repr=False)
    end: int = field(default=0, compare=False, repr=False)
    line: int = field(default=1, compare=False, repr=False)
    column: int = field(default=1, compare=False, repr=False)
    path: str | None = field(default=None, compare=False, repr=False)

    @property
    def span(self) -> Span:
        """Where the scalar stood in its source."""
        return Span(self.start, self.end, self.line, self.column, self.path)


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

        >>> from portspec.sources._yaml import load_yaml
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
