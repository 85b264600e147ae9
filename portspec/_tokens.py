"""What a parse is made of, for both readers of the grammar: tokens, rules, and compiled patterns.

Lark's parser (``portspec._grammar``) and the generated patterns
(``portspec._matchers``) both give their parse in these terms, so neither
needs the other. Each rule of the grammar gives one class below (``SHAPES``
says which), whose fields are the parts the rule keeps, in the order the
grammar writes them; an optional part that is absent is ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple, TypeAlias

__all__ = [
    "SHAPES",
    "ContainerPart",
    "ExposePart",
    "LinkAlias",
    "LinkName",
    "Matcher",
    "Option",
    "Parsed",
    "Ports",
    "Publish",
    "PublishAddress",
    "PublishContainer",
    "PublishHost",
    "PublishLong",
    "Tok",
    "compile_matcher",
]


class Tok(NamedTuple):
    """A token of the input: its text and where it stands."""

    kind: str
    text: str
    start: int
    end: int


class Ports(NamedTuple):
    """A port or a range as written: ``8000``, ``8000-8010``, ``8000-8010-x``.

    The first and last port, and what Docker drops after the second number.
    """

    first: Tok
    last: Tok | None
    extra: Tok | None


class ContainerPart(NamedTuple):
    """The container field of a ``-p`` value: ``80``, ``80/udp``, ``80/tcp/x``.

    Its ports, the protocol, and what Docker drops after a second ``/``
    (Compose reads no second ``/``, so its part never has one).
    """

    ports: Ports
    protocol: Tok | None
    extra: Tok | None = None


class PublishContainer(NamedTuple):
    """A ``-p`` value of the container field alone: ``80/udp``."""

    container: ContainerPart


class PublishHost(NamedTuple):
    """A ``-p`` value of a host port, which may be empty, and the container field: ``8080:80``."""

    host: Ports | None
    container: ContainerPart


class PublishAddress(NamedTuple):
    """A ``-p`` value of all three fields, the first two of which may be empty: ``::1:8080:80``."""

    address: Tok | None
    host: Ports | None
    container: ContainerPart


#: A short-syntax ``-p`` value, or an entry of a compose ``ports`` list.
Publish: TypeAlias = PublishContainer | PublishHost | PublishAddress


class Option(NamedTuple):
    """One ``key=value`` of the long ``--publish`` syntax; the value may be empty."""

    key: Tok
    value: Tok | None


class PublishLong(tuple[Option, ...]):
    """A long-syntax ``--publish`` value: its options, in the order written."""

    __slots__ = ()


class ExposePart(NamedTuple):
    """An ``--expose`` value: its ports, the protocol, and what follows a second ``/``."""

    ports: Ports
    protocol: Tok | None
    extra: Tok | None


class LinkName(NamedTuple):
    """A ``--link`` value of a name alone: ``db``."""

    name: Tok


class LinkAlias(NamedTuple):
    """A ``--link`` value with a ``:``: a name and an alias, each of which may be empty."""

    name: Tok | None
    alias: Tok | None


#: What a start symbol gives back.
Parsed: TypeAlias = Publish | PublishLong | ExposePart | LinkName | LinkAlias

#: The class of each rule, by the name a parse gives it (its alias, where it
#: has one). ``publish_long``, a repetition, is read by Lark alone.
SHAPES: dict[str, type[Any]] = {
    "host_ports": Ports,
    "container_ports": Ports,
    "expose_ports": Ports,
    "container": ContainerPart,
    "publish_container": PublishContainer,
    "publish_host": PublishHost,
    "publish_address": PublishAddress,
    "option": Option,
    "expose": ExposePart,
    "link_name": LinkName,
    "link_alias": LinkAlias,
}

#: Reads a match back into the parse: ``(text, match) -> Parsed``.
Reader = Callable[[str, "re.Match[str]"], Parsed]


#: One start symbol as a compiled pattern: ``text -> Parsed``, or ``None``
#: when the pattern does not take the text.
Matcher = Callable[[str], Parsed | None]


def compile_matcher(pattern: str, read: Reader) -> Matcher:
    """The matcher of ``pattern``, whose matches ``read`` turns into the parse."""
    fullmatch = re.compile(pattern).fullmatch

    def parse(text: str) -> Parsed | None:
        match = fullmatch(text)
        return None if match is None else read(text, match)

    return parse
